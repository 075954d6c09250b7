/* The resolver's cache (dnscache.h). */
#include "dnscache.h"

#include <string.h>

#include "dns.h"
#include "util/banned.h"

struct cached {
	char name[DNS_NAME_MAX + 1];
	struct ipaddr addr[DNSCACHE_MAX_ADDRS];
	int naddr;
	long long expires_ms; /* at or before now: a free slot */
};

static struct cached cache[DNSCACHE_SLOTS];

static struct cached *find(const char *norm, long long now_ms)
{
	for (size_t i = 0; i < DNSCACHE_SLOTS; i++)
		if (cache[i].expires_ms > now_ms && !strcmp(cache[i].name, norm))
			return &cache[i];
	return NULL;
}

int dnscache_get(const char *name, long long now_ms, struct ipaddr *out)
{
	char norm[DNS_NAME_MAX + 1];
	struct cached *e = dns_norm_name(name, norm) ? find(norm, now_ms) : NULL;
	if (!e)
		return 0;
	memcpy(out, e->addr, (size_t)e->naddr * sizeof *out);
	return e->naddr;
}

void dnscache_put(const char *name, const struct ipaddr *addr, int n, uint32_t ttl, long long now_ms)
{
	char norm[DNS_NAME_MAX + 1];
	if (n <= 0 || ttl == 0 || !dns_norm_name(name, norm))
		return;
	if (n > DNSCACHE_MAX_ADDRS)
		n = DNSCACHE_MAX_ADDRS;
	/* the name's own slot, else the one that expires first (a free one has) */
	struct cached *slot = find(norm, now_ms);
	if (!slot) {
		slot = &cache[0];
		for (size_t i = 1; i < DNSCACHE_SLOTS; i++)
			if (cache[i].expires_ms < slot->expires_ms)
				slot = &cache[i];
	}
	memcpy(slot->name, norm, sizeof norm);
	memcpy(slot->addr, addr, (size_t)n * sizeof *addr);
	slot->naddr = n;
	slot->expires_ms = now_ms + 1000LL * (ttl < DNSCACHE_MAX_S ? ttl : DNSCACHE_MAX_S);
}

void dnscache_clear(void)
{
	memset(cache, 0, sizeof cache);
}
