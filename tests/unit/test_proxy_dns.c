/* para-proxy's DNS messages, address policy and log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "dns.h"
#include "log.h"
#include "util/banned.h"

static void test_query_and_reply(void **state)
{
	(void)state;
	uint8_t q[512], r[512];
	struct dns_question dq;
	size_t n = dns_build_query(0x1234, "Allowed.test", DNS_TYPE_A, q, sizeof q);
	assert_int_equal(n, 12 + 14 + 4);
	assert_int_equal(dns_parse_query(q, n, &dq), 0);
	assert_string_equal(dq.name, "allowed.test");
	assert_true(dq.name_ok);
	assert_int_equal(dq.type, DNS_TYPE_A);
	assert_int_equal(dq.end, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dns_parse_query(q, i, &dq), -1);
	/* the stub's reply is an answer the resolver accepts */
	assert_int_equal(dns_parse_query(q, n, &dq), 0);
	const unsigned char a4[4] = { 10, 1, 2, 3 };
	size_t rn = dns_build_reply(q, &dq, DNS_NOERROR, a4, 60, r, sizeof r);
	assert_int_equal(rn, n + 16);
	struct ipaddr out[4];
	int rcode;
	uint32_t ttl;
	assert_int_equal(dns_parse_answer(r, rn, 0x1234, "allowed.test", DNS_TYPE_A, out, 4, &rcode, &ttl), 1);
	assert_int_equal(rcode, 0);
	assert_int_equal(ttl, 60);
	assert_memory_equal(out[0].b, a4, 4);
	/* checked against the query: id, name, type */
	assert_int_equal(dns_parse_answer(r, rn, 0x1235, "allowed.test", DNS_TYPE_A, out, 4, &rcode, &ttl), -1);
	assert_int_equal(dns_parse_answer(r, rn, 0x1234, "other.test", DNS_TYPE_A, out, 4, &rcode, &ttl), -1);
	assert_int_equal(dns_parse_answer(r, rn, 0x1234, "allowed.test", DNS_TYPE_AAAA, out, 4, &rcode, &ttl), -1);
	assert_int_equal(dns_parse_answer(q, n, 0x1234, "allowed.test", DNS_TYPE_A, out, 4, &rcode, &ttl), -1);
	rn = dns_build_reply(q, &dq, DNS_REFUSED, NULL, 0, r, sizeof r);
	assert_int_equal(dns_parse_answer(r, rn, 0x1234, "allowed.test", DNS_TYPE_A, out, 4, &rcode, &ttl), 0);
	assert_int_equal(rcode, DNS_REFUSED);
	assert_int_equal(dns_build_reply(q, &dq, DNS_REFUSED, a4, 0, r, n + 15), 0);
}

static void test_odd_queries(void **state)
{
	(void)state;
	uint8_t q[512];
	struct dns_question dq;
	size_t n = dns_build_query(1, "a.test", DNS_TYPE_A, q, sizeof q);
	q[12 + 1] = 0x01; /* a byte that no host name has */
	assert_int_equal(dns_parse_query(q, n, &dq), 0);
	assert_false(dq.name_ok);
	n = dns_build_query(1, "a.test", DNS_TYPE_A, q, sizeof q);
	q[2] |= 0x80; /* a response, not a query */
	assert_int_equal(dns_parse_query(q, n, &dq), -1);
	n = dns_build_query(1, "a.test", DNS_TYPE_A, q, sizeof q);
	q[5] = 2; /* two questions */
	assert_int_equal(dns_parse_query(q, n, &dq), -1);
	n = dns_build_query(1, "a.test", DNS_TYPE_A, q, sizeof q);
	q[12] = 0xc0, q[13] = 12; /* a pointer to itself */
	assert_int_equal(dns_parse_query(q, n, &dq), -1);
	assert_int_equal(dns_build_query(1, "a..b", DNS_TYPE_A, q, sizeof q), 0);
	assert_int_equal(dns_build_query(1, "", DNS_TYPE_A, q, sizeof q), 0);
}

/* An answer with a CNAME chain, compressed, the A records last. */
static void test_cname_chain(void **state)
{
	(void)state;
	uint8_t m[512];
	size_t n = dns_build_query(7, "www.a.test", DNS_TYPE_A, m, sizeof m);
	m[2] = 0x81, m[3] = 0x80, m[7] = 3;
	static const uint8_t rest[] = {
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 6, 3, 'c', 'd', 'n', 0xc0, 16, /* www.a.test CNAME cdn.a.test, TTL 30 */
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 9, 9, 9, 9, /* www.a.test A 9.9.9.9 */
		0xc0, 28 + 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4, /* cdn.a.test A 1.2.3.4 */
	};
	memcpy(m + n, rest, sizeof rest);
	n += sizeof rest;
	struct ipaddr out[4];
	int rcode;
	uint32_t ttl;
	assert_int_equal(dns_parse_answer(m, n, 7, "www.a.test", DNS_TYPE_A, out, 4, &rcode, &ttl), 2);
	assert_int_equal(ttl, 30); /* the chain's shortest: the CNAME's */
	assert_int_equal(out[0].b[0], 9);
	assert_int_equal(out[1].b[0], 1);
	assert_int_equal(dns_parse_answer(m, n, 7, "www.a.test", DNS_TYPE_A, out, 1, &rcode, &ttl), 1);
	assert_int_equal(dns_parse_answer(m, n - 1, 7, "www.a.test", DNS_TYPE_A, out, 4, &rcode, &ttl), -1);
}

static const char *denied(const char *s, const struct cidr *deny, size_t n)
{
	struct ipaddr a;
	assert_int_equal(ip_parse(s, &a), 0);
	return ip_denied(&a, deny, n);
}

static void test_address_policy(void **state)
{
	(void)state;
	struct cidr deny[2];
	assert_int_equal(cidr_parse("172.17.0.0/16", &deny[0]), 0);
	assert_int_equal(cidr_parse("fd00::/8", &deny[1]), 0);
	static const char *const cases[][2] = {
		{ "127.0.0.1", "loopback" }, { "127.255.0.9", "loopback" }, { "::1", "loopback" },
		{ "0.0.0.0", "unspecified" }, { "::", "unspecified" }, { "169.254.169.254", "link-local" },
		{ "fe80::1", "link-local" }, { "febf::1", "link-local" }, { "224.0.0.1", "multicast" },
		{ "ff02::1", "multicast" }, { "255.255.255.255", "broadcast" },
		{ "::ffff:169.254.169.254", "link-local" }, { "::ffff:127.0.0.1", "loopback" },
		{ "::127.0.0.1", "loopback" }, { "64:ff9b::a9fe:a9fe", "link-local" },
		{ "172.17.0.1", "deny-addr" }, { "::ffff:172.17.3.4", "deny-addr" }, { "fd12::1", "deny-addr" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *why = denied(cases[i][0], deny, 2);
		assert_non_null(why);
		assert_string_equal(why, cases[i][1]);
	}
	static const char *const ok[] = { "10.0.0.1", "172.18.0.1", "8.8.8.8", "2001:db8::1", "fe00::1", "[2001:db8::2]" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		assert_null(denied(ok[i], deny, 2));
	struct cidr c;
	assert_int_equal(cidr_parse("10.0.0.0/33", &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/", &c), -1);
	assert_int_equal(cidr_parse("10.0.0/8", &c), -1);
	assert_int_equal(cidr_parse("10.1.2.3/0", &c), 0);
	assert_null(denied("fd00::1", &c, 1));
	assert_non_null(denied("9.9.9.9", &c, 1));
}

static void test_log_lines(void **state)
{
	(void)state;
	char line[LOG_LINE_MAX], big[600];
	log_format(line, sizeof line, 1796286600, 0, "10.1.0.3", "CONNECT", "blocked.test", 443, "not-allowed");
	assert_string_equal(line, "2026-12-03T08:30:00Z deny 10.1.0.3 CONNECT blocked.test:443 not-allowed\n");
	log_format(line, sizeof line, 0, 1, "::1", "HTTP", "2001:db8::1", 80, "forwarded");
	assert_string_equal(line, "1970-01-01T00:00:00Z allow ::1 HTTP [2001:db8::1]:80 forwarded\n");
	log_format(line, sizeof line, 0, 0, "c", "DNS", "a b\n\x01\xff", 53, "");
	assert_string_equal(line, "1970-01-01T00:00:00Z deny c DNS a?b???:53 -\n");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	size_t n = log_format(line, sizeof line, 0, 0, big, "DNS", big, 53, big);
	assert_int_equal(n, strlen(line));
	assert_int_equal(memchr(line, '\n', n), line + n - 1);
	assert_true(n < 20 + 6 + 3 * 256 + 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_and_reply),
		cmocka_unit_test(test_odd_queries),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_address_policy),
		cmocka_unit_test(test_log_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
