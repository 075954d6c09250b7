/*
 * DNS messages, as far as the proxy needs them: queries it receives (the
 * stub) and answers to it, queries it sends and the A/AAAA answers it gets
 * back (the resolver). Names are lower-cased dotted text without the final
 * dot. Pure.
 */
#ifndef PARA_PROXY_DNS_H
#define PARA_PROXY_DNS_H
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define DNS_NAME_MAX 253
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define DNS_NOERROR 0
#define DNS_FORMERR 1
#define DNS_SERVFAIL 2
#define DNS_NXDOMAIN 3
#define DNS_REFUSED 5

struct dns_question {
	uint16_t id, flags;
	char name[DNS_NAME_MAX + 1];
	int name_ok;        /* 0: the name is not a host name (odd bytes, too long) */
	uint16_t type, class;
	size_t end;         /* offset just past the question */
};

/* A query (QR 0, opcode QUERY, one question): 0, or -1 for anything to drop. */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_question *q);
/*
 * The reply to query q (msg, its bytes): rcode, and when a4 is not NULL one
 * A record of a4 with ttl. Returns its length (at most q->end + 16), 0 when
 * cap is too small.
 */
size_t dns_build_reply(const uint8_t *msg, const struct dns_question *q, int rcode,
		       const unsigned char a4[4], uint32_t ttl, uint8_t *out, size_t cap);

/* name as it is asked for (lower case, no final dot) into out: its length,
 * or 0 when it is empty or too long. */
size_t dns_norm_name(const char *name, char out[DNS_NAME_MAX + 1]);

/* A recursive query for name (a host name) and qtype: its length or 0. */
size_t dns_build_query(uint16_t id, const char *name, uint16_t qtype, uint8_t *out, size_t cap);
/*
 * An answer to the query (id, name, qtype): the addresses of that type held
 * by name or a name its CNAME chain leads to, at most max of them, into
 * out. Returns their number (0 also for NXDOMAIN and other errors, *rcode
 * says), or -1 when msg is no answer to that query. *ttl: the smallest TTL
 * of the records that led to them (the CNAMEs and the addresses).
 */
int dns_parse_answer(const uint8_t *msg, size_t len, uint16_t id, const char *name, uint16_t qtype,
		     struct ipaddr *out, int max, int *rcode, uint32_t *ttl);

#endif
