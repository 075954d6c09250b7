/*
 * The proxy's own asynchronous resolver: A and AAAA for one name, over UDP
 * to the upstream server, from a fresh connected socket (a random source
 * port; the kernel drops datagrams from anyone else), random ids, answers
 * checked against the query (dns_parse_answer). No NSS, no cache (its
 * caller keeps one: dnscache.h).
 */
#ifndef PARA_PROXY_RESOLVE_H
#define PARA_PROXY_RESOLVE_H
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "dns.h"

#define RESOLVE_MAX_ADDRS 8
#define RESOLVE_TRY_MS 1000
#define RESOLVE_TRIES 3

struct resolve {
	int fd;                /* -1 when idle */
	char name[DNS_NAME_MAX + 1];
	uint16_t id[2];        /* the A and the AAAA query */
	int done[2];
	int tries;
	long long next_ms;     /* when to send again */
	struct ipaddr addr[RESOLVE_MAX_ADDRS];
	int naddr;
	uint32_t ttl;          /* the smallest TTL of what was taken */
};

/* Send both queries: 0, or -1 (errno set). r->fd is then to be polled. */
int resolve_start(struct resolve *r, const char *name, const struct sockaddr_storage *server,
		  socklen_t slen, long long now_ms);
/* Read what arrived: 1 when both answers are in, 0 while waiting. */
int resolve_read(struct resolve *r);
/* On a timer: send again when due; 1 when out of tries (take what is in). */
int resolve_tick(struct resolve *r, long long now_ms);
void resolve_stop(struct resolve *r);

/* 16 random bits (getrandom). */
uint16_t random16(void);

#endif
