/*
 * uhttp: HTTP/1.1 over a unix socket, as much as the Engine API needs: one
 * request per connection (Connection: close), a body of Content-Length or
 * chunked transfer coding, and the upgrade ("hijack") that attach uses.
 * Every wait polls in 100 ms steps and gives up when para gets a signal
 * (sig_count) or the deadline passes.
 */
#ifndef PARA_UHTTP_H
#define PARA_UHTTP_H
#include <stddef.h>

#include "error.h"
#include "strbuf.h"

/* The most of a response body kept (an Engine API answer is a few KiB). */
#define UHTTP_BODY_MAX (8u << 20)

struct uhttp_req {
	const char *sock;   /* the socket's path */
	const char *method; /* "GET", "POST", "DELETE" */
	const char *target; /* "/v1.41/containers/create?name=x" */
	const char *body;   /* JSON, or NULL */
	size_t body_len;
	int upgrade;        /* ask for the raw stream (attach) */
	int timeout_ms;     /* for the whole exchange; 0: no deadline */
	const char *header; /* the answer's header to give back in value, or NULL */
	struct strbuf *value;
};

/*
 * Connect and send req, read the response's status into *status and its
 * body into body. With upgrade, the connection stays open: *fd is the raw
 * stream and body holds what already came of it. Returns 0, or -1 with err:
 * PARA_EXIT_ENGINE when nothing answers at the socket, 128 + signal when
 * interrupted, PARA_EXIT_FAIL otherwise.
 */
int uhttp_call(const struct uhttp_req *req, int *status, struct strbuf *body, int *fd, struct error *err);

/* Read what the stream has, waiting at most timeout_ms: bytes read, 0 at
 * its end, -1 on error, -2 when nothing came in time or para got a signal. */
long uhttp_read(int fd, char *buf, size_t n, int timeout_ms);

#endif
