/*
 * libFuzzer target for para-proxy's DNS messages: the input as a query for
 * the stub (and the replies it would send), and as an answer for the
 * resolver. Besides the sanitizers it checks that a reply is the query's
 * question with the header turned round, and that the reply parses as an
 * answer to that question.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const uint8_t *data, const struct dns_question *q)
{
	uint8_t r[1024];
	static const unsigned char a4[4] = { 10, 0, 0, 1 };
	struct ipaddr out[8];
	int rcode;
	uint32_t ttl;
	if (q->end > sizeof r - 16)
		return;
	size_t n = dns_build_reply(data, q, DNS_NOERROR, a4, 60, r, sizeof r);
	if (n != q->end + 16 || memcmp(r + 12, data + 12, q->end - 12) || r[0] != data[0] || r[1] != data[1])
		abort();
	if (q->name_ok && q->class == DNS_CLASS_IN && (q->type == DNS_TYPE_A || q->type == DNS_TYPE_AAAA)) {
		int got = dns_parse_answer(r, n, q->id, q->name, q->type, out, 8, &rcode, &ttl);
		if (got != (q->type == DNS_TYPE_A ? 1 : 0) || rcode != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_question q;
	struct ipaddr out[8];
	int rcode;
	uint32_t ttl;
	if (size >= 2) {
		uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
		for (int t = 0; t < 2; t++) {
			int n = dns_parse_answer(data, size, id, "a.test", t ? DNS_TYPE_AAAA : DNS_TYPE_A, out, 8, &rcode, &ttl);
			if (n > 8)
				abort();
			for (int i = 0; i < n; i++)
				if (out[i].family != (t ? AF_INET6 : AF_INET))
					abort();
		}
	}
	if (dns_parse_query(data, size, &q) == 0) {
		if (q.end > size || strlen(q.name) > DNS_NAME_MAX)
			abort();
		check_reply(data, &q);
	}
	return 0;
}
