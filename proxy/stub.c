/*
 * The DNS stub (UDP and TCP port 53): an allowlisted name (any port of it)
 * gets the proxy's own address for A and an empty NOERROR for any other
 * type; every other name gets REFUSED. Nothing is ever asked upstream.
 * Malformed queries are dropped.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "proxy.h"
#include "util/banned.h"

#define DNS_TTL 60
#define UDP_MAX 512
#define BURST 64

/* Allowed on some port: the ports the entries name, and 443 for the rest. */
static int name_allowed(const char *name)
{
	if (allowlist_match(&cfg.allow, name, 443))
		return 1;
	for (size_t i = 0; i < cfg.allow.nr; i++)
		if (cfg.allow.v[i].port && allowlist_match(&cfg.allow, name, cfg.allow.v[i].port))
			return 1;
	return 0;
}

/* The reply to one query (0: drop it), logging the decision. */
static size_t answer(const uint8_t *q, size_t len, const char *client, uint8_t *out, size_t cap)
{
	struct dns_question dq;
	struct ipaddr ip;
	if (dns_parse_query(q, len, &dq) < 0)
		return 0;
	const char *why = !dq.name_ok ? "bad-name"
			  : ip_parse(dq.name, &ip) == 0 ? "address-literal"
			  : dq.class != DNS_CLASS_IN ? "not-class-in"
			  : !name_allowed(dq.name) ? "not-allowed" : NULL;
	if (why) {
		log_decision(0, client, "DNS", dq.name, 53, why);
		return dns_build_reply(q, &dq, DNS_REFUSED, NULL, 0, out, cap);
	}
	int a = dq.type == DNS_TYPE_A;
	log_decision(1, client, "DNS", dq.name, 53, a ? "answer-A" : "no-data");
	return dns_build_reply(q, &dq, DNS_NOERROR, a ? cfg.dns_answer.b : NULL, DNS_TTL, out, cap);
}

void stub_udp_event(struct handle *h)
{
	uint8_t q[UDP_MAX * 2], r[UDP_MAX];
	for (int i = 0; i < BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		ssize_t n = recvfrom(h->fd, q, sizeof q, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if ((size_t)n > sizeof q)
			continue; /* no query is that long */
		struct ipaddr a;
		int port;
		char client[48] = "-";
		if (ip_from_sockaddr(&ss, &a, &port) == 0)
			ip_format(&a, client, sizeof client);
		size_t len = answer(q, (size_t)n, client, r, sizeof r);
		if (len)
			sendto(h->fd, r, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
	}
}

/* Answer the queries complete in in[] while out[] has room for a reply. */
static int tcp_answer_all(struct conn *c)
{
	size_t cap = conn_buf_size();
	while (c->in_len - c->in_off >= 2 && cap - c->out_len >= UDP_MAX + 2) {
		const uint8_t *p = (const uint8_t *)c->in + c->in_off;
		size_t m = (size_t)p[0] << 8 | p[1];
		if (m > cap - 2)
			return -1;
		if (c->in_len - c->in_off < 2 + m)
			break;
		size_t n = answer(p + 2, m, c->client_ip, (uint8_t *)c->out + c->out_len + 2, UDP_MAX);
		if (n == 0)
			return -1; /* malformed: drop the connection */
		c->out[c->out_len] = (char)(n >> 8);
		c->out[c->out_len + 1] = (char)n;
		c->out_len += n + 2;
		c->in_off += 2 + m;
	}
	memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
	c->in_len -= c->in_off;
	c->in_off = 0;
	return 0;
}

void stub_tcp_progress(struct conn *c)
{
	size_t cap = conn_buf_size();
	for (;;) {
		if (tcp_answer_all(c) < 0) {
			conn_kill(c);
			return;
		}
		int flushed = conn_flush_client(c);
		if (flushed < 0)
			return;
		if (c->c_eof && flushed) {
			conn_kill(c);
			return;
		}
		if (!flushed || c->c_eof || !c->hc.readable || c->in_len == cap)
			return;
		ssize_t n = read(c->hc.fd, c->in + c->in_len, cap - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->hc.readable = 0;
			return;
		}
		if (n <= 0)
			c->c_eof = 1;
		else
			c->in_len += (size_t)n;
	}
}
