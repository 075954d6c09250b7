/* IP addresses and the destination policy (addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int ip_parse(const char *s, struct ipaddr *a)
{
	char tmp[64];
	size_t len = strlen(s);
	memset(a, 0, sizeof *a);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, a->b) == 1)
		return a->family = AF_INET, 0;
	if (inet_pton(AF_INET6, tmp, a->b) == 1)
		return a->family = AF_INET6, 0;
	return -1;
}

int cidr_parse(const char *s, struct cidr *c)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (ip_parse(tmp, &c->a) < 0)
		return -1;
	int max = c->a.family == AF_INET ? 32 : 128;
	c->bits = max;
	if (slash) {
		char *end;
		const char *d = slash + 1;
		if (*d < '0' || *d > '9' || strlen(d) > 3)
			return -1;
		long v = strtol(d, &end, 10);
		if (*end || v > max)
			return -1;
		c->bits = (int)v;
	}
	return 0;
}

int cidr_contains(const struct cidr *c, const struct ipaddr *a)
{
	if (c->a.family != a->family)
		return 0;
	int full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->a.b, a->b, (size_t)full))
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->a.b[full] & mask) == (a->b[full] & mask);
}

/* The built-in refusals for an IPv4 address. */
static const char *v4_denied(const unsigned char *b)
{
	if (b[0] == 127)
		return "loopback";
	if (b[0] == 0)
		return "unspecified";
	if (b[0] == 169 && b[1] == 254)
		return "link-local";
	if (b[0] >= 224 && b[0] < 240)
		return "multicast";
	if (b[0] >= 240)
		return "broadcast";
	return NULL;
}

static const char *v6_denied(const unsigned char *b)
{
	static const unsigned char zero[16];
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return "loopback";
	if (!memcmp(b, zero, 16))
		return "unspecified";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local";
	if (b[0] == 0xff)
		return "multicast";
	return NULL;
}

/* An IPv4 address inside v6 (mapped ::ffff:0:0/96, compatible ::/96,
 * NAT64 64:ff9b::/96) into v4; 0 when there is none. */
static int embedded_v4(const struct ipaddr *a, struct ipaddr *v4)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char compat[12] = { 0 };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (a->family != AF_INET6)
		return 0;
	if (memcmp(a->b, mapped, 12) && memcmp(a->b, compat, 12) && memcmp(a->b, nat64, 12))
		return 0;
	memset(v4, 0, sizeof *v4);
	v4->family = AF_INET;
	memcpy(v4->b, a->b + 12, 4);
	return 1;
}

static const char *denied_plain(const struct ipaddr *a, const struct cidr *deny, size_t ndeny)
{
	const char *why = a->family == AF_INET ? v4_denied(a->b) : v6_denied(a->b);
	if (why)
		return why;
	for (size_t i = 0; i < ndeny; i++)
		if (cidr_contains(&deny[i], a))
			return "deny-addr";
	return NULL;
}

const char *ip_denied(const struct ipaddr *a, const struct cidr *deny, size_t ndeny)
{
	struct ipaddr v4;
	const char *why = denied_plain(a, deny, ndeny);
	if (!why && embedded_v4(a, &v4)) {
		/* ::/96 holds :: and ::1 themselves, refused above */
		why = denied_plain(&v4, deny, ndeny);
	}
	return why;
}

void ip_format(const struct ipaddr *a, char *out, size_t cap)
{
	if (!inet_ntop(a->family, a->b, out, (socklen_t)cap) && cap)
		out[0] = '\0';
}

socklen_t ip_to_sockaddr(const struct ipaddr *a, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short)port);
	memcpy(&sin6->sin6_addr, a->b, 16);
	return sizeof *sin6;
}

int ip_from_sockaddr(const struct sockaddr_storage *ss, struct ipaddr *a, int *port)
{
	memset(a, 0, sizeof *a);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		a->family = AF_INET;
		memcpy(a->b, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		a->family = AF_INET6;
		memcpy(a->b, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -1;
}
