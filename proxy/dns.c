/* DNS messages (dns.h). */
#include "dns.h"

#include <string.h>
#include <sys/socket.h>

#include "util/banned.h"

#define HDR 12
#define QR 0x8000
#define OPCODE 0x7800
#define AA 0x0400
#define TC 0x0200
#define RD 0x0100
#define RA 0x0080
#define MAX_JUMPS 16
#define MAX_CHAIN 8

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * The name at *off (compression pointers followed, backwards only, at most
 * MAX_JUMPS) into out; *off moves past it. Returns 1 for a host name, 0
 * for a well-formed name that is not one (out then holds a placeholder),
 * -1 when malformed. pointers: whether compression is allowed.
 */
static int read_name(const uint8_t *msg, size_t len, size_t *off, char *out, int pointers)
{
	size_t p = *off, n = 0, total = 0;
	int jumped = 0, jumps = 0, ok = 1;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (!pointers || p + 1 >= len || ++jumps > MAX_JUMPS)
				return -1;
			size_t to = (size_t)(l & 0x3f) << 8 | msg[p + 1];
			if (to >= p)
				return -1;
			if (!jumped)
				*off = p + 2;
			jumped = 1;
			p = to;
			continue;
		}
		if (l & 0xc0)
			return -1;
		if (p + 1 + l > len || (total += (size_t)l + 1) > 255)
			return -1;
		if (l == 0)
			break;
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[p + 1 + i];
			c = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			ok &= host_char(c);
			if (n < DNS_NAME_MAX)
				out[n++] = (char)c;
			else
				ok = 0;
		}
		if (n < DNS_NAME_MAX)
			out[n++] = '.';
		p += 1 + (size_t)l;
	}
	if (!jumped)
		*off = p + 1;
	if (n)
		n--; /* the last dot */
	out[n] = '\0';
	if (!ok || n == 0)
		memcpy(out, "?", 2);
	return ok && n ? 1 : 0;
}

int dns_parse_query(const uint8_t *msg, size_t len, struct dns_question *q)
{
	memset(q, 0, sizeof *q);
	if (len < HDR + 5)
		return -1;
	q->id = (uint16_t)get16(msg);
	q->flags = (uint16_t)get16(msg + 2);
	if ((q->flags & QR) || (q->flags & OPCODE) || get16(msg + 4) != 1 || get16(msg + 6) || get16(msg + 8))
		return -1;
	size_t off = HDR;
	int rc = read_name(msg, len, &off, q->name, 0);
	if (rc < 0 || off + 4 > len)
		return -1;
	q->name_ok = rc;
	q->type = (uint16_t)get16(msg + off);
	q->class = (uint16_t)get16(msg + off + 2);
	q->end = off + 4;
	return 0;
}

size_t dns_build_reply(const uint8_t *msg, const struct dns_question *q, int rcode,
		       const unsigned char a4[4], uint32_t ttl, uint8_t *out, size_t cap)
{
	size_t n = q->end + (a4 ? 16 : 0);
	if (n > cap)
		return 0;
	memcpy(out, msg, q->end);
	put16(out + 2, QR | AA | RA | (q->flags & RD) | (unsigned)(rcode & 0xf));
	put16(out + 4, 1);
	put16(out + 6, a4 ? 1 : 0);
	put16(out + 8, 0);
	put16(out + 10, 0); /* no EDNS back: the reply fits 512 bytes */
	if (a4) {
		uint8_t *r = out + q->end;
		put16(r, 0xc000 | HDR); /* the question's name */
		put16(r + 2, DNS_TYPE_A);
		put16(r + 4, DNS_CLASS_IN);
		put16(r + 6, ttl >> 16);
		put16(r + 8, ttl & 0xffff);
		put16(r + 10, 4);
		memcpy(r + 12, a4, 4);
	}
	return n;
}

size_t dns_build_query(uint16_t id, const char *name, uint16_t qtype, uint8_t *out, size_t cap)
{
	size_t len = strlen(name), n = HDR;
	if (len == 0 || len > DNS_NAME_MAX || HDR + len + 2 + 4 > cap)
		return 0;
	memset(out, 0, HDR);
	put16(out, id);
	put16(out + 2, RD);
	put16(out + 4, 1);
	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
		if (dot && !*p)
			return 0;
	}
	out[n++] = 0;
	put16(out + n, qtype);
	put16(out + n + 2, DNS_CLASS_IN);
	return n + 4;
}

/* One resource record, its owner name and rdata span. */
struct rr {
	char owner[DNS_NAME_MAX + 1];
	unsigned type, class;
	uint32_t ttl;
	size_t rdata, rdlen;
};

static int read_rr(const uint8_t *msg, size_t len, size_t *off, struct rr *rr)
{
	if (read_name(msg, len, off, rr->owner, 1) < 0 || *off + 10 > len)
		return -1;
	rr->type = get16(msg + *off);
	rr->class = get16(msg + *off + 2);
	rr->ttl = (uint32_t)get16(msg + *off + 4) << 16 | get16(msg + *off + 6);
	rr->rdlen = get16(msg + *off + 8);
	rr->rdata = *off + 10;
	if (rr->rdata + rr->rdlen > len)
		return -1;
	*off = rr->rdata + rr->rdlen;
	return 0;
}

static int in_chain(char chain[][DNS_NAME_MAX + 1], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(chain[i], name))
			return 1;
	return 0;
}

/* Check the header and question; the offset of the answers, or 0. */
static size_t check_answer_head(const uint8_t *msg, size_t len, uint16_t id, const char *name, uint16_t qtype)
{
	char qname[DNS_NAME_MAX + 1];
	if (len < HDR || get16(msg) != id || !(get16(msg + 2) & QR) || (get16(msg + 2) & OPCODE) ||
	    get16(msg + 4) != 1)
		return 0;
	size_t off = HDR;
	if (read_name(msg, len, &off, qname, 1) != 1 || off + 4 > len || strcmp(qname, name) ||
	    get16(msg + off) != qtype || get16(msg + off + 2) != DNS_CLASS_IN)
		return 0;
	return off + 4;
}

int dns_parse_answer(const uint8_t *msg, size_t len, uint16_t id, const char *name, uint16_t qtype,
		     struct ipaddr *out, int max, int *rcode, uint32_t *ttl)
{
	char chain[MAX_CHAIN][DNS_NAME_MAX + 1];
	int nchain = 1, found = 0;
	size_t start = check_answer_head(msg, len, id, name, qtype);
	if (!start || strlen(name) > DNS_NAME_MAX)
		return -1;
	*rcode = get16(msg + 2) & 0xf;
	*ttl = UINT32_MAX;
	unsigned ancount = get16(msg + 6);
	memcpy(chain[0], name, strlen(name) + 1);
	/* CNAMEs first (in any order: a pass per link), then the addresses */
	for (int pass = 0; pass <= MAX_CHAIN; pass++) {
		size_t off = start;
		int grew = 0;
		for (unsigned i = 0; i < ancount; i++) {
			struct rr rr;
			if (read_rr(msg, len, &off, &rr) < 0)
				return -1;
			if (rr.class != DNS_CLASS_IN || !in_chain(chain, nchain, rr.owner))
				continue;
			if (rr.type == DNS_TYPE_CNAME && nchain < MAX_CHAIN) {
				size_t t = rr.rdata;
				char target[DNS_NAME_MAX + 1];
				if (read_name(msg, len, &t, target, 1) == 1 && !in_chain(chain, nchain, target)) {
					memcpy(chain[nchain++], target, sizeof target);
					grew = 1;
					if (rr.ttl < *ttl)
						*ttl = rr.ttl;
				}
			} else if (pass == MAX_CHAIN && rr.type == qtype && found < max &&
				   rr.rdlen == (qtype == DNS_TYPE_A ? 4u : 16u)) {
				out[found].family = qtype == DNS_TYPE_A ? AF_INET : AF_INET6;
				memset(out[found].b, 0, sizeof out[found].b);
				memcpy(out[found].b, msg + rr.rdata, rr.rdlen);
				found++;
				if (rr.ttl < *ttl)
					*ttl = rr.ttl;
			}
		}
		if (!grew && pass < MAX_CHAIN)
			pass = MAX_CHAIN - 1; /* the chain is complete: collect */
	}
	return *rcode == DNS_NOERROR ? found : 0;
}

size_t dns_norm_name(const char *name, char out[DNS_NAME_MAX + 1])
{
	size_t len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		out[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] + 32) : name[i];
	out[len] = '\0';
	return len;
}
