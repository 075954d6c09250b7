/*
 * IP addresses and the destination policy: which addresses the proxy never
 * dials, whatever name led to them (loopback, unspecified, link-local incl.
 * cloud metadata, multicast, broadcast/reserved, their IPv4-mapped forms,
 * and every --deny-addr range). Pure.
 */
#ifndef PARA_PROXY_ADDR_H
#define PARA_PROXY_ADDR_H
#include <stddef.h>
#include <sys/socket.h>

struct ipaddr {
	int family;           /* AF_INET or AF_INET6 */
	unsigned char b[16];  /* network order; 4 bytes used for AF_INET */
};

struct cidr {
	struct ipaddr a;
	int bits;
};

/* "1.2.3.4", "2001:db8::1" or "[2001:db8::1]": 0, or -1 when not an address. */
int ip_parse(const char *s, struct ipaddr *a);
/* "10.0.0.0/8", "fd00::/8", or a single address (all bits): 0 or -1. */
int cidr_parse(const char *s, struct cidr *c);
int cidr_contains(const struct cidr *c, const struct ipaddr *a);
/* NULL when the proxy may dial a, else why not (one word). */
const char *ip_denied(const struct ipaddr *a, const struct cidr *deny, size_t ndeny);
/* Text form (inet_ntop) into out (at least 46 bytes). */
void ip_format(const struct ipaddr *a, char *out, size_t cap);
/* Conversions to and from sockaddr (port in host order). */
socklen_t ip_to_sockaddr(const struct ipaddr *a, int port, struct sockaddr_storage *ss);
int ip_from_sockaddr(const struct sockaddr_storage *ss, struct ipaddr *a, int *port);

#endif
