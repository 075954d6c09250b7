/* The asynchronous resolver (resolve.h). */
#include "resolve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/banned.h"

static const uint16_t qtypes[2] = { DNS_TYPE_A, DNS_TYPE_AAAA };

uint16_t random16(void)
{
	static uint16_t pool[256];
	static size_t left;
	if (!left) {
		ssize_t n = getrandom(pool, sizeof pool, 0);
		if (n != (ssize_t)sizeof pool)
			abort();
		left = sizeof pool / sizeof pool[0];
	}
	return pool[--left];
}

static void send_pending(struct resolve *r)
{
	uint8_t q[DNS_NAME_MAX + 32];
	for (int i = 0; i < 2; i++) {
		if (r->done[i])
			continue;
		size_t n = dns_build_query(r->id[i], r->name, qtypes[i], q, sizeof q);
		if (n == 0 || send(r->fd, q, n, MSG_NOSIGNAL) < 0)
			r->done[i] = 1; /* an unsendable query is an empty answer */
	}
}

int resolve_start(struct resolve *r, const char *name, const struct sockaddr_storage *server,
		  socklen_t slen, long long now_ms)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->ttl = UINT32_MAX;
	if (!dns_norm_name(name, r->name))
		return errno = EINVAL, -1;
	r->fd = socket(server->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return -1;
	if (connect(r->fd, (const struct sockaddr *)server, slen) < 0) {
		resolve_stop(r);
		return -1;
	}
	r->id[0] = random16();
	do
		r->id[1] = random16();
	while (r->id[1] == r->id[0]);
	r->tries = 1;
	r->next_ms = now_ms + RESOLVE_TRY_MS;
	send_pending(r);
	return 0;
}

static void take_answer(struct resolve *r, const uint8_t *msg, size_t len)
{
	for (int i = 0; i < 2; i++) {
		if (r->done[i])
			continue;
		int rcode;
		uint32_t ttl;
		int n = dns_parse_answer(msg, len, r->id[i], r->name, qtypes[i], r->addr + r->naddr,
					 RESOLVE_MAX_ADDRS - r->naddr, &rcode, &ttl);
		if (n < 0)
			continue;
		r->naddr += n;
		if (n > 0 && ttl < r->ttl)
			r->ttl = ttl;
		r->done[i] = 1;
		return;
	}
}

int resolve_read(struct resolve *r)
{
	uint8_t msg[4096];
	while (r->fd >= 0 && !(r->done[0] && r->done[1])) {
		ssize_t n = recv(r->fd, msg, sizeof msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) /* ICMP unreachable and the like: keep waiting, tick ends it */
			return 0;
		take_answer(r, msg, (size_t)n);
	}
	return 1;
}

int resolve_tick(struct resolve *r, long long now_ms)
{
	if (r->done[0] && r->done[1])
		return 1;
	if (now_ms < r->next_ms)
		return 0;
	if (r->tries >= RESOLVE_TRIES)
		return 1;
	r->tries++;
	r->next_ms = now_ms + RESOLVE_TRY_MS;
	send_pending(r);
	return 0;
}

void resolve_stop(struct resolve *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
