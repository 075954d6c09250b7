/*
 * What the resolver found, kept for as long as its TTL says and at most
 * DNSCACHE_MAX_S: without it every request costs a round trip to the
 * upstream DNS. Only names with addresses are kept (never a failure), a
 * fixed number of them (the one that expires first makes room). The cache
 * hands out addresses only: its caller checks them as if they were fresh,
 * so the address policy holds on every request. Pure but for its table.
 */
#ifndef PARA_PROXY_DNSCACHE_H
#define PARA_PROXY_DNSCACHE_H
#include <stdint.h>

#include "addr.h"

#define DNSCACHE_SLOTS 64
#define DNSCACHE_MAX_S 60
#define DNSCACHE_MAX_ADDRS 8

/* The addresses kept for name at now_ms into out (room for
 * DNSCACHE_MAX_ADDRS): their number, 0 when none are. */
int dnscache_get(const char *name, long long now_ms, struct ipaddr *out);
/* Keep n addresses of name for ttl seconds (nothing when n or ttl is 0). */
void dnscache_put(const char *name, const struct ipaddr *addr, int n, uint32_t ttl, long long now_ms);
/* Forget everything (tests). */
void dnscache_clear(void);

#endif
