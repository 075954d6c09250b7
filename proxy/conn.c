/*
 * Connections: from accept to a decision, then a relay. States (proxy.h):
 * S_HEAD or S_HELLO → S_RESOLVE → S_CONNECT → (S_HELLO for CONNECT) →
 * S_RELAY; any refusal → S_REPLY (or a plain close where no HTTP reply can
 * go). Sockets are edge-triggered: a handle's readable/writable flags say
 * what the last events allowed and are cleared on EAGAIN.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dnscache.h"
#include "log.h"
#include "proxy.h"
#include "tls.h"
#include "util/xalloc.h"
#include "util/banned.h"

_Static_assert(DNSCACHE_MAX_ADDRS <= RESOLVE_MAX_ADDRS, "a cached answer fits a connection");

#define AGAIN (-1)
#define ERR (-2)
#define ROUNDS 8          /* relay rounds per event before others get a turn */
#define DRAIN_MAX (256 * 1024)
#define REPLY_LINGER_MS 2000
#define DNS_TCP_MS 2000
#define CONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
#define PIPE_CAP (64 * 1024) /* Linux's default pipe size */

static struct conn *all, *pending_list, *graveyard;
static int nconns;

static void progress(struct conn *c);
static void decide(struct conn *c);
static void dial(struct conn *c);

size_t conn_buf_size(void)
{
	size_t tls = 16384 + 5 + 512;
	return ((size_t)cfg.header_max > tls ? (size_t)cfg.header_max : tls) + 1024;
}

static ssize_t sock_read(struct handle *h, char *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(h->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			h->readable = 0;
			return AGAIN;
		}
		return ERR;
	}
}

static ssize_t sock_write(struct handle *h, const char *buf, size_t n)
{
	for (;;) {
		ssize_t w = send(h->fd, buf, n, MSG_NOSIGNAL);
		if (w >= 0)
			return w;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			h->writable = 0;
			return AGAIN;
		}
		return ERR;
	}
}

static void close_handle(struct handle *h)
{
	if (h->fd < 0)
		return;
	ev_del(h);
	close(h->fd);
	h->fd = -1;
}

void conn_kill(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	close_handle(&c->hc);
	close_handle(&c->hu);
	if (c->hr.fd >= 0)
		ev_del(&c->hr);
	resolve_stop(&c->res);
	c->hr.fd = -1;
	for (int i = 0; i < 2; i++) {
		if (c->pipe_up[i] >= 0)
			close(c->pipe_up[i]);
		if (c->pipe_down[i] >= 0)
			close(c->pipe_down[i]);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	for (struct conn **p = &pending_list; *p; p = &(*p)->next_pending)
		if (*p == c) {
			*p = c->next_pending;
			break;
		}
	nconns--;
	c->next = graveyard;
	graveyard = c;
}

static void reap(void)
{
	while (graveyard) {
		struct conn *c = graveyard;
		graveyard = c->next;
		free(c->in);
		free(c->out);
		free(c);
	}
}

static void touch(struct conn *c)
{
	if (c->idle)
		c->deadline = now_ms() + (long long)cfg.idle_timeout * 1000;
}

static void mark_pending(struct conn *c)
{
	if (c->pending)
		return;
	c->pending = 1;
	c->next_pending = pending_list;
	pending_list = c;
}

int conn_have_pending(void)
{
	return pending_list != NULL;
}

void conn_run_pending(void)
{
	while (pending_list) {
		struct conn *c = pending_list;
		pending_list = c->next_pending;
		c->pending = 0;
		progress(c);
	}
	reap();
}

static void client_ip(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	struct ipaddr a;
	int port;
	if (ip_from_sockaddr(ss, &a, &port) < 0)
		snprintf(out, cap, "-");
	else
		ip_format(&a, out, cap);
}

static void nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void conn_new(enum lkind kind, int fd, const struct sockaddr_storage *ss)
{
	struct conn *c = xcalloc(1, sizeof *c);
	c->hc = (struct handle){ H_CLIENT, fd, c, 1, 1 };
	c->hu = (struct handle){ H_UPSTREAM, -1, c, 0, 0 };
	c->hr = (struct handle){ H_RESOLVER, -1, c, 0, 0 };
	c->res.fd = -1;
	c->pipe_up[0] = c->pipe_up[1] = c->pipe_down[0] = c->pipe_down[1] = -1;
	c->kind = kind;
	c->in = xmalloc(conn_buf_size());
	c->state = kind == L_TLS443 ? S_HELLO : kind == L_DNS_TCP ? S_DNS : S_HEAD;
	c->log_kind = kind == L_TLS443 ? "TLS" : kind == L_DNS_TCP ? "DNS" : "HTTP";
	c->port = kind == L_TLS443 ? 443 : 0;
	c->deadline = now_ms() + (kind == L_DNS_TCP ? DNS_TCP_MS : (long long)cfg.handshake_timeout * 1000);
	if (kind == L_DNS_TCP)
		c->out = xmalloc(conn_buf_size());
	client_ip(ss, c->client_ip, sizeof c->client_ip);
	nodelay(fd);
	c->next = all;
	if (all)
		all->prev = c;
	all = c;
	nconns++;
	if (ev_add(&c->hc, CONN_EVENTS) < 0) {
		conn_kill(c);
		return;
	}
	progress(c);
}

static void overloaded(void)
{
	static long long last;
	static unsigned long dropped;
	long long now = now_ms();
	dropped++;
	if (now - last >= 1000) {
		fprintf(stderr, "para-proxy: %d connections (--max-conns): closed %lu new ones\n", nconns, dropped);
		last = now;
		dropped = 0;
	}
}

void conn_accept(struct listener *l)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(l->h.fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				ev_del(&l->h);
				l->paused = 1;
			}
			return;
		}
		if (nconns >= cfg.max_conns) {
			overloaded();
			close(fd);
			continue;
		}
		conn_new(l->kind, fd, &ss);
	}
}

/* ---- refusals --------------------------------------------------------- */

static const char *status_text(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 431: return "Request Header Fields Too Large";
	case 502: return "Bad Gateway";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

/* Whether an HTTP reply can still reach the client. */
static int can_reply(const struct conn *c)
{
	if (c->kind == L_TLS443 || c->kind == L_DNS_TCP || c->state == S_RELAY || c->state == S_REPLY)
		return 0;
	return c->state != S_HELLO;
}

static void start_reply(struct conn *c, int status, const char *reason)
{
	char host[LOG_FIELD_MAX + 1], body[LOG_FIELD_MAX * 2 + 64];
	log_sanitize(host, sizeof host, c->host, strlen(c->host));
	if (!strcmp(reason, "not-allowed"))
		snprintf(body, sizeof body, "para-proxy: %s:%d is not in the allowlist\n", host, c->port);
	else
		snprintf(body, sizeof body, "para-proxy: %s:%d refused: %s\n", host, c->port, reason);
	if (!c->out)
		c->out = xmalloc(conn_buf_size());
	int n = snprintf(c->out, conn_buf_size(),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s",
			 status, status_text(status), strlen(body), body);
	c->out_len = n > 0 ? (size_t)n : 0;
	c->out_off = 0;
	close_handle(&c->hu);
	c->state = S_REPLY;
	c->idle = 0;
	c->deadline = now_ms() + REPLY_LINGER_MS;
	progress(c);
}

/* Log the denial; answer status when an HTTP reply can still go, else close. */
static void deny(struct conn *c, int status, const char *reason)
{
	log_decision(0, c->client_ip, c->log_kind, c->host[0] ? c->host : "-", c->port, reason);
	if (status && can_reply(c))
		start_reply(c, status, reason);
	else
		conn_kill(c);
}

/* Write out[] to the client: 1 when all is written, 0 when it must wait,
 * -1 when the connection is gone. */
int conn_flush_client(struct conn *c)
{
	while (c->out_off < c->out_len) {
		if (!c->hc.writable)
			return 0;
		ssize_t n = sock_write(&c->hc, c->out + c->out_off, c->out_len - c->out_off);
		if (n == ERR) {
			conn_kill(c);
			return -1;
		}
		if (n > 0)
			c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 1;
}

/* S_REPLY: the reply, then a half-close, then reading (and dropping) what
 * the client still sends for a moment, so that it sees the reply, not a reset. */
static void reply_progress(struct conn *c)
{
	char sink[4096];
	if (conn_flush_client(c) <= 0)
		return;
	if (!c->c_shut) {
		shutdown(c->hc.fd, SHUT_WR);
		c->c_shut = 1;
	}
	while (c->hc.readable) {
		ssize_t n = sock_read(&c->hc, sink, sizeof sink);
		if (n == AGAIN)
			return;
		if (n <= 0 || (c->drained += (size_t)n) > DRAIN_MAX) {
			conn_kill(c);
			return;
		}
	}
}

/* ---- request heads and ClientHellos ------------------------------------ */

/* Replace in[] by the head to forward and the body bytes that came with it. */
static int rewrite_request(struct conn *c, const struct http_head *h, const struct http_request *r)
{
	size_t cap = conn_buf_size();
	if (!c->out)
		c->out = xmalloc(cap);
	size_t n = http_forward_head(h, r, c->out, cap);
	size_t extra = c->in_len - h->len;
	if ((long long)extra > r->content_length)
		extra = (size_t)r->content_length; /* nothing after the body goes */
	if (n == 0 || n + extra > cap)
		return -1;
	memcpy(c->out + n, c->in + h->len, extra);
	char *t = c->in;
	c->in = c->out;
	c->out = t;
	c->in_len = n + extra;
	c->in_off = c->out_len = c->out_off = 0;
	c->body_left = r->content_length - (long long)extra;
	return 0;
}

static void on_head(struct conn *c)
{
	struct http_head h;
	struct http_request r;
	const char *why;
	int rc = http_parse_head(c->in, c->in_len, &h);
	if (rc != HTTP_OK) {
		deny(c, rc == HTTP_TOO_MANY ? 431 : 400, rc == HTTP_TOO_MANY ? "too-many-headers" : "bad-request");
		return;
	}
	int status = http_request_target(&h, c->kind == L_PROXY ? HTTP_MODE_PROXY : HTTP_MODE_ORIGIN, &r, &why);
	c->log_kind = r.connect ? "CONNECT" : "HTTP";
	memcpy(c->host, r.host, sizeof c->host);
	c->port = r.port > 0 ? r.port : 0;
	if (status) {
		deny(c, status, why);
		return;
	}
	c->tunnel = r.connect;
	if (r.connect) { /* keep what followed the head: the ClientHello, perhaps */
		memmove(c->in, c->in + h.len, c->in_len - h.len);
		c->in_len -= h.len;
	} else if (rewrite_request(c, &h, &r) < 0) {
		deny(c, 431, "header-too-large");
		return;
	}
	decide(c);
}

/* S_HEAD: read until the blank line (searched for in the new bytes only). */
static void read_head(struct conn *c)
{
	size_t cap = (size_t)cfg.header_max;
	while (c->hc.readable) {
		if (c->in_len >= cap) {
			c->log_kind = c->in_len >= 8 && !memcmp(c->in, "CONNECT ", 8) ? "CONNECT" : "HTTP";
			deny(c, 431, "header-too-large");
			return;
		}
		ssize_t n = sock_read(&c->hc, c->in + c->in_len, cap - c->in_len);
		if (n == AGAIN)
			return;
		if (n <= 0) {
			conn_kill(c);
			return;
		}
		c->in_len += (size_t)n;
		size_t from = c->scan > 3 ? c->scan - 3 : 0;
		c->scan = c->in_len;
		if (memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4)) {
			on_head(c);
			return;
		}
	}
}

/* Names equal but for case and a trailing dot. */
static int same_name(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	return na == nb && !strncasecmp(a, b, na);
}

static void to_relay(struct conn *c, int idle);

static void hello_done(struct conn *c, int rc, const char *sni)
{
	struct ipaddr ip;
	if (rc == TLS_BAD) {
		deny(c, 0, "not-tls");
		return;
	}
	if (c->kind == L_TLS443) {
		if (rc == TLS_NO_SNI) {
			deny(c, 0, "no-sni");
			return;
		}
		snprintf(c->host, sizeof c->host, "%s", sni);
		decide(c);
		return;
	}
	int literal = ip_parse(c->host, &ip) == 0;
	if (rc == TLS_NO_SNI && !literal) {
		deny(c, 0, "no-sni");
		return;
	}
	if (rc == TLS_SNI && (literal ? !allowlist_match(&cfg.allow, sni, c->port) : !same_name(sni, c->host))) {
		deny(c, 0, "sni-mismatch");
		return;
	}
	log_decision(1, c->client_ip, c->log_kind, c->host, c->port, "tunnel");
	to_relay(c, 0);
}

/* S_HELLO: (CONNECT's 200 out first), then the ClientHello. */
static void read_hello(struct conn *c)
{
	char sni[TLS_SNI_MAX + 1];
	size_t cap = conn_buf_size();
	if (c->tunnel && conn_flush_client(c) < 0)
		return;
	for (;;) {
		int rc = c->in_len ? tls_client_hello_sni((unsigned char *)c->in, c->in_len, sni) : TLS_NEED_MORE;
		if (rc != TLS_NEED_MORE) {
			hello_done(c, rc, sni);
			return;
		}
		if (c->in_len >= cap) {
			deny(c, 0, "client-hello-too-large");
			return;
		}
		if (!c->hc.readable)
			return;
		ssize_t n = sock_read(&c->hc, c->in + c->in_len, cap - c->in_len);
		if (n == AGAIN)
			return;
		if (n <= 0) {
			deny(c, 0, "no-client-hello");
			return;
		}
		c->in_len += (size_t)n;
	}
}

/* ---- the decision, DNS and dialling ------------------------------------ */

static void check_addresses(struct conn *c)
{
	char why[64];
	for (int i = 0; i < c->naddr; i++) {
		const char *w = ip_denied(&c->addr[i], cfg.deny, cfg.ndeny);
		if (w) {
			snprintf(why, sizeof why, "address-%s", w);
			deny(c, 403, why);
			return;
		}
	}
	dial(c);
}

static void decide(struct conn *c)
{
	struct ipaddr ip;
	if (!allowlist_match(&cfg.allow, c->host, c->port)) {
		deny(c, 403, "not-allowed");
		return;
	}
	if (ip_parse(c->host, &ip) == 0) {
		c->addr[0] = ip;
		c->naddr = 1;
		check_addresses(c);
		return;
	}
	c->naddr = dnscache_get(c->host, now_ms(), c->addr);
	if (c->naddr > 0) {
		check_addresses(c);
		return;
	}
	c->state = S_RESOLVE;
	if (resolve_start(&c->res, c->host, &cfg.upstream, cfg.upstream_len, now_ms()) < 0) {
		deny(c, 502, "dns-failed");
		return;
	}
	c->hr.fd = c->res.fd;
	if (ev_add(&c->hr, EPOLLIN) < 0)
		deny(c, 502, "dns-failed");
}

static void resolved(struct conn *c)
{
	ev_del(&c->hr);
	c->hr.fd = -1;
	resolve_stop(&c->res);
	c->naddr = c->res.naddr;
	memcpy(c->addr, c->res.addr, sizeof c->addr);
	dnscache_put(c->res.name, c->res.addr, c->res.naddr, c->res.ttl, now_ms());
	if (c->naddr == 0) {
		deny(c, c->res.done[0] || c->res.done[1] ? 502 : 504,
		     c->res.done[0] || c->res.done[1] ? "no-address" : "dns-timeout");
		return;
	}
	check_addresses(c);
}

/* Dial the next address that is left; 502 when none is. */
static void dial(struct conn *c)
{
	c->state = S_CONNECT;
	while (c->next_addr < c->naddr) {
		struct sockaddr_storage ss;
		socklen_t sl = ip_to_sockaddr(&c->addr[c->next_addr], c->port, &ss);
		int fd = socket(c->addr[c->next_addr++].family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		nodelay(fd);
		if (connect(fd, (struct sockaddr *)&ss, sl) == 0 || errno == EINPROGRESS) {
			c->hu = (struct handle){ H_UPSTREAM, fd, c, 0, 0 };
			if (ev_add(&c->hu, CONN_EVENTS) == 0)
				return;
			c->hu.fd = -1;
		}
		close(fd);
	}
	deny(c, 502, "connect-failed");
}

static void on_connected(struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	if (!c->out)
		c->out = xmalloc(conn_buf_size());
	if (c->kind == L_TLS443) {
		log_decision(1, c->client_ip, c->log_kind, c->host, c->port, "tunnel");
		to_relay(c, 0);
	} else if (c->tunnel) {
		memcpy(c->out, ok, sizeof ok - 1);
		c->out_len = sizeof ok - 1;
		c->out_off = 0;
		c->state = S_HELLO;
		read_hello(c);
	} else {
		log_decision(1, c->client_ip, c->log_kind, c->host, c->port, "forwarded");
		to_relay(c, 1);
	}
}

static void check_connect(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (!c->hu.writable)
		return;
	if (getsockopt(c->hu.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		on_connected(c);
		return;
	}
	close_handle(&c->hu);
	dial(c);
}

/* ---- the relay ---------------------------------------------------------- */

/* One direction of the relay: src → buf (bytes a head left) or pipe → dst. */
struct dir {
	struct handle *src, *dst;
	char *buf;
	size_t *len, *off;
	int *pipe;
	size_t *plen;
	int *eof, *shut;
	long long *left; /* NULL or -1: no limit */
};

static size_t want_bytes(struct dir d, size_t cap)
{
	long long left = d.left ? *d.left : -1;
	return left >= 0 && (long long)cap > left ? (size_t)left : cap;
}

static void took(struct dir d, ssize_t n)
{
	if (n == 0)
		*d.eof = 1;
	else if (d.left && *d.left > 0)
		*d.left -= n;
}

/* Without pipes: read into buf when it is empty. 1 moved, 0 not, -1 error. */
static int read_buf(struct dir d)
{
	size_t want = want_bytes(d, conn_buf_size());
	if (*d.eof || want == 0 || !d.src->readable)
		return 0;
	ssize_t n = sock_read(d.src, d.buf, want);
	if (n == ERR)
		return -1;
	if (n == AGAIN)
		return 0;
	*d.len = (size_t)n;
	took(d, n);
	return 1;
}

/* With pipes: socket → pipe → socket, no copy through user space. */
static int splice_move(struct dir d)
{
	int moved = 0;
	if (*d.plen && d.dst->writable) {
		ssize_t n = splice(d.pipe[0], NULL, d.dst->fd, NULL, *d.plen, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n < 0)
			d.dst->writable = errno == EINTR;
		else
			*d.plen -= (size_t)n, moved = 1;
	}
	size_t want = want_bytes(d, PIPE_CAP);
	if (*d.plen == 0 && !*d.eof && want && d.src->readable) {
		ssize_t n = splice(d.src->fd, NULL, d.pipe[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n < 0) {
			d.src->readable = errno == EINTR; /* the pipe is empty: the socket has nothing */
			return moved;
		}
		*d.plen = (size_t)n;
		took(d, n);
		moved = 1;
	}
	return moved;
}

/* Move what can move in d; 1 when something did, -1 when the connection died. */
static int pump(struct conn *c, struct dir d)
{
	int moved = 0;
	if (*d.off < *d.len && d.dst->writable) {
		ssize_t n = sock_write(d.dst, d.buf + *d.off, *d.len - *d.off);
		if (n == ERR)
			return -1;
		if (n > 0)
			*d.off += (size_t)n, moved = 1;
	}
	if (*d.off == *d.len) {
		*d.off = *d.len = 0;
		int m = d.pipe[0] >= 0 ? splice_move(d) : read_buf(d);
		if (m < 0)
			return -1;
		moved |= m;
	}
	if (*d.eof && *d.off == *d.len && *d.plen == 0 && !*d.shut && c->tunnel) {
		shutdown(d.dst->fd, SHUT_WR);
		*d.shut = 1;
	}
	return moved;
}

/* A tunnel ends when both ways are closed and flushed; a request when its
 * response has ended (or the client left before its body was sent). */
static int relay_done(const struct conn *c)
{
	if (c->tunnel)
		return c->u_shut && c->c_shut;
	if (c->c_eof && c->body_left > 0)
		return 1;
	return c->u_eof && c->out_off == c->out_len && c->pipe_down_len == 0;
}

static void relay(struct conn *c)
{
	struct dir up = { &c->hc, &c->hu, c->in, &c->in_len, &c->in_off, c->pipe_up, &c->pipe_up_len,
		&c->c_eof, &c->u_shut, &c->body_left };
	struct dir down = { &c->hu, &c->hc, c->out, &c->out_len, &c->out_off, c->pipe_down, &c->pipe_down_len,
		&c->u_eof, &c->c_shut, NULL };
	for (int round = 0; round < ROUNDS; round++) {
		int a = pump(c, up), b = a < 0 ? 0 : pump(c, down);
		if (a < 0 || b < 0 || relay_done(c)) {
			conn_kill(c);
			return;
		}
		if (!a && !b)
			return;
		touch(c);
	}
	mark_pending(c);
}

static void to_relay(struct conn *c, int idle)
{
	c->state = S_RELAY;
	c->idle = idle;
	/* pipes for splice(); without them (out of fds) the buffers do */
	if (pipe2(c->pipe_up, O_NONBLOCK | O_CLOEXEC) < 0 || pipe2(c->pipe_down, O_NONBLOCK | O_CLOEXEC) < 0) {
		for (int i = 0; i < 2; i++) {
			if (c->pipe_up[i] >= 0)
				close(c->pipe_up[i]);
			c->pipe_up[i] = c->pipe_down[i] = -1;
		}
	}

	c->deadline = 0;
	if (c->tunnel || c->kind == L_TLS443) {
		c->tunnel = 1;
		c->body_left = -1;
	}
	touch(c);
	relay(c);
}

/* ---- events and timers -------------------------------------------------- */

static void progress(struct conn *c)
{
	if (c->dead)
		return;
	switch (c->state) {
	case S_HEAD: read_head(c); break;
	case S_HELLO: read_hello(c); break;
	case S_RESOLVE: break;
	case S_CONNECT: check_connect(c); break;
	case S_RELAY: relay(c); break;
	case S_REPLY: reply_progress(c); break;
	case S_DNS: stub_tcp_progress(c); break;
	default: break;
	}
}

void conn_event(struct handle *h, unsigned events)
{
	struct conn *c = h->owner;
	if (c->dead)
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		h->readable = 1;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		h->writable = 1;
	if (h->type == H_RESOLVER) {
		if (c->state == S_RESOLVE && resolve_read(&c->res))
			resolved(c);
		return;
	}
	/* a client that is gone before a decision needs no more work */
	if (h->type == H_CLIENT && (events & EPOLLERR) && c->state != S_RELAY) {
		conn_kill(c);
		return;
	}
	progress(c);
}

static void timed_out(struct conn *c)
{
	switch (c->state) {
	case S_HEAD: deny(c, 408, "timeout"); break;
	case S_HELLO: deny(c, 0, "timeout"); break;
	case S_RESOLVE: deny(c, 504, "dns-timeout"); break;
	case S_CONNECT: deny(c, 504, "connect-timeout"); break;
	default: conn_kill(c); break;
	}
}

void conn_sweep(long long now)
{
	struct conn *next;
	for (struct conn *c = all; c; c = next) {
		next = c->next;
		if (c->state == S_RESOLVE && resolve_tick(&c->res, now))
			resolved(c);
		if (!c->dead && c->deadline && now >= c->deadline)
			timed_out(c);
	}
	reap();
}

void conn_close_all(void)
{
	while (all)
		conn_kill(all);
	reap();
}
