/*
 * para-proxy's runtime: the options, the event loop's handles and the
 * connections. One thread, one epoll set; every socket non-blocking and
 * close-on-exec; every connection's memory fixed at accept (two buffers of
 * conn_buf_size() bytes at the most).
 */
#ifndef PARA_PROXY_H
#define PARA_PROXY_H
#include <stddef.h>
#include <sys/socket.h>

#include "addr.h"
#include "http.h"
#include "parse/allowlist.h"
#include "resolve.h"

#define MAX_DENY 64

struct config {
	struct allowlist allow;
	int http_port, transparent;
	int dns_stub;
	struct ipaddr dns_answer;
	struct sockaddr_storage upstream;
	socklen_t upstream_len;
	struct cidr deny[MAX_DENY];
	size_t ndeny;
	int max_conns, header_max, handshake_timeout, idle_timeout;
};

enum htype { H_LISTEN, H_CLIENT, H_UPSTREAM, H_RESOLVER, H_DNS_UDP };

/* What the epoll set points at. */
struct handle {
	enum htype type;
	int fd;
	void *owner;
	int readable, writable; /* edge-triggered readiness not yet used up */
};

/* What a listening socket serves. */
enum lkind { L_PROXY, L_HTTP80, L_TLS443, L_DNS_TCP };

struct listener {
	struct handle h;
	enum lkind kind;
	int paused; /* out of fds: taken off the epoll set for a moment */
};

enum cstate {
	S_HEAD,    /* reading a request head */
	S_HELLO,   /* reading a ClientHello (port 443, or after CONNECT's 200) */
	S_RESOLVE, /* waiting for the upstream DNS */
	S_CONNECT, /* dialling */
	S_RELAY,   /* copying both ways */
	S_REPLY,   /* writing a refusal, then draining and closing */
	S_DNS,     /* DNS over TCP */
};

struct conn {
	struct handle hc, hu, hr; /* client, upstream, resolver */
	enum lkind kind;
	enum cstate state;
	const char *log_kind;  /* CONNECT, HTTP, TLS, DNS */
	char client_ip[48];
	char host[HTTP_HOST_MAX + 1];
	int port;
	int tunnel;            /* CONNECT or port 443: no request rewriting */
	struct ipaddr addr[RESOLVE_MAX_ADDRS];
	int naddr, next_addr;
	struct resolve res;
	char *in, *out;        /* client→upstream, upstream→client */
	size_t in_len, in_off, out_len, out_off, scan;
	long long body_left;   /* request body still to forward; -1: no limit */
	int c_eof, u_eof, c_shut, u_shut;
	int pipe_up[2], pipe_down[2]; /* S_RELAY: splice() through these (-1: none) */
	size_t pipe_up_len, pipe_down_len;
	size_t drained;        /* S_REPLY: bytes read and dropped */
	long long deadline;    /* ms; 0: none */
	int idle;              /* deadline moves with activity */
	int dead, pending;
	struct conn *next, *prev, *next_pending;
};

extern struct config cfg;

/* Monotonic milliseconds. */
long long now_ms(void);
/* Buffer size of a connection (either direction). */
size_t conn_buf_size(void);

/* The epoll set. */
int ev_add(struct handle *h, unsigned events);
void ev_del(struct handle *h);

/* Connections (conn.c). */
void conn_accept(struct listener *l);
void conn_event(struct handle *h, unsigned events);
void conn_sweep(long long now);
void conn_run_pending(void);
int conn_have_pending(void);
void conn_close_all(void);

/* DNS stub (stub.c). */
void stub_udp_event(struct handle *h);
void stub_tcp_progress(struct conn *c);
/* Shared with conn.c: writes/reads on a connection's client socket. */
int conn_flush_client(struct conn *c);
void conn_kill(struct conn *c);

#endif
