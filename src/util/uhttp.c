#include "uhttp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sig.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events: 1 ready, 0 deadline passed, -1 error,
 * -2 para got a signal. */
static int wait_fd(int fd, short events, long long deadline, unsigned mark)
{
	for (;;) {
		if (sig_count() != mark)
			return -2;
		long long left = deadline ? deadline - now_ms() : 100;
		if (left <= 0) {
			/* what is there already is not late */
			struct pollfd now = { fd, events, 0 };
			return poll(&now, 1, 0) > 0 ? 1 : 0;
		}
		struct pollfd p = { fd, events, 0 };
		int r = poll(&p, 1, left < 100 ? (int)left : 100);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

long uhttp_read(int fd, char *buf, size_t n, int timeout_ms)
{
	unsigned mark = sig_count();
	int w = wait_fd(fd, POLLIN, now_ms() + timeout_ms, mark);
	if (w <= 0)
		return w == -1 ? -1 : -2;
	ssize_t r;
	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : (long)r;
}

static int connect_sock(const char *path, int *fd, struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return error_set(err, PARA_EXIT_ENGINE, "the engine's socket path is too long: %s", path);
	strcpy(sa.sun_path, path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot make a socket");
	if (connect(*fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 0;
	int e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return error_errno(err, PARA_EXIT_ENGINE, "nothing answers at unix://%s", path);
}

static int send_all(int fd, const char *p, size_t n, long long deadline, unsigned mark, struct error *err)
{
	while (n) {
		int w = wait_fd(fd, POLLOUT, deadline, mark);
		if (w <= 0)
			goto fail;
		/* never blocking: a daemon that reads nothing cannot hold para past
		 * the deadline */
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r < 0)
			return error_errno(err, PARA_EXIT_ENGINE, "the engine closed the connection");
		p += r;
		n -= (size_t)r;
	}
	return 0;
fail:
	if (mark != sig_count())
		return error_set(err, 128 + sig_last(), "interrupted");
	return error_set(err, PARA_EXIT_ENGINE, "the engine did not take the request in time");
}

/* Of the header block hdr (its lines, CRLF ended): the value of name, or NULL. */
static const char *header(const char *hdr, const char *name, size_t *len)
{
	size_t n = strlen(name);
	for (const char *l = strstr(hdr, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
		const char *h = l + 2;
		if (strncasecmp(h, name, n) || h[n] != ':')
			continue;
		h += n + 1;
		while (*h == ' ' || *h == '\t')
			h++;
		*len = strcspn(h, "\r");
		return h;
	}
	return NULL;
}

/* Decode a chunked body in place: 1 whole, 0 more to come, -1 malformed. */
static int dechunk(struct strbuf *raw, struct strbuf *out)
{
	size_t at = 0;
	strbuf_reset(out);
	for (;;) {
		char *end;
		const char *eol = memmem(raw->buf + at, raw->len - at, "\r\n", 2);
		if (!eol)
			return 0;
		errno = 0;
		unsigned long long n = strtoull(raw->buf + at, &end, 16);
		if (end == raw->buf + at || errno || n > UHTTP_BODY_MAX)
			return -1;
		at = (size_t)(eol - raw->buf) + 2;
		if (n == 0)
			return 1;
		if (raw->len - at < n + 2)
			return 0;
		strbuf_add(out, raw->buf + at, (size_t)n);
		at += (size_t)n + 2;
	}
}

struct resp {
	struct strbuf raw;  /* all that came */
	size_t body_at;     /* where the body starts: 0 until the headers are in */
	int status;
	int chunked;
	long long length;   /* Content-Length, -1 none */
};

/* The headers, once they are all in: 1 parsed, 0 not yet, -1 malformed. */
static int parse_head(struct resp *r, const struct uhttp_req *req)
{
	const char *end = memmem(r->raw.buf, r->raw.len, "\r\n\r\n", 4);
	if (!end)
		return r->raw.len > 64 * 1024 ? -1 : 0;
	char *hdr = strndup(r->raw.buf, (size_t)(end - r->raw.buf) + 2);
	size_t len = 0;
	int ok = sscanf(hdr, "HTTP/1.%*1[01] %3d", &r->status) == 1;
	const char *te = header(hdr, "Transfer-Encoding", &len);
	r->chunked = te && len >= 7 && !strncasecmp(te + len - 7, "chunked", 7);
	const char *cl = header(hdr, "Content-Length", &len);
	r->length = cl ? strtoll(cl, NULL, 10) : -1;
	const char *want = req->header ? header(hdr, req->header, &len) : NULL;
	if (want)
		strbuf_add(req->value, want, len);
	free(hdr);
	r->body_at = (size_t)(end - r->raw.buf) + 4;
	return ok ? 1 : -1;
}

/* Whether the whole body is in (without waiting for the connection's end). */
static int body_done(struct resp *r, struct strbuf *body)
{
	size_t have = r->raw.len - r->body_at;
	if (r->status == 204 || r->status == 304 || r->length == 0)
		return 1;
	if (r->chunked) {
		struct strbuf raw = { r->raw.buf + r->body_at, have, have };
		return dechunk(&raw, body) == 1;
	}
	return r->length > 0 && have >= (size_t)r->length;
}

static int read_resp(int fd, const struct uhttp_req *req, long long deadline, unsigned mark, struct resp *r,
		     struct strbuf *body, struct error *err)
{
	char buf[16384];
	for (;;) {
		int w = wait_fd(fd, POLLIN, deadline, mark);
		if (w == -2)
			return error_set(err, 128 + sig_last(), "interrupted");
		if (w <= 0)
			return error_set(err, PARA_EXIT_ENGINE, "the engine did not answer %s %s in time", req->method,
					 req->target);
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_errno(err, PARA_EXIT_ENGINE, "cannot read the engine's answer");
		strbuf_add(&r->raw, buf, (size_t)n);
		if (r->raw.len > UHTTP_BODY_MAX)
			return error_set(err, PARA_EXIT_FAIL, "the engine's answer to %s %s is over %u MiB", req->method,
					 req->target, UHTTP_BODY_MAX >> 20);
		int h = r->body_at ? 1 : parse_head(r, req);
		if (h < 0)
			return error_set(err, PARA_EXIT_FAIL, "the engine's answer to %s %s is not HTTP", req->method,
					 req->target);
		if (h && req->upgrade)
			return 0;
		if (n == 0 && !h && r->raw.len)
			return error_set(err, PARA_EXIT_FAIL, "the engine's answer to %s %s is not HTTP", req->method,
					 req->target);
		if (n == 0 && !h)
			return error_set(err, PARA_EXIT_ENGINE, "the engine closed the connection without an answer");
		if (h && (n == 0 || body_done(r, body)))
			return 0;
	}
}

static void request_head(const struct uhttp_req *req, struct strbuf *sb)
{
	strbuf_addf(sb, "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: para\r\n", req->method, req->target);
	if (req->body)
		strbuf_addf(sb, "Content-Type: application/json\r\nContent-Length: %zu\r\n", req->body_len);
	else if (strcmp(req->method, "GET"))
		strbuf_addstr(sb, "Content-Length: 0\r\n");
	strbuf_addstr(sb, req->upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n" : "Connection: close\r\n\r\n");
}

int uhttp_call(const struct uhttp_req *req, int *status, struct strbuf *body, int *fd, struct error *err)
{
	unsigned mark = sig_count();
	long long deadline = req->timeout_ms ? now_ms() + req->timeout_ms : 0;
	struct strbuf head = STRBUF_INIT;
	struct resp r = { STRBUF_INIT, 0, 0, 0, -1 };
	int s = -1, ret = -1;
	if (connect_sock(req->sock, &s, err) < 0)
		goto out;
	request_head(req, &head);
	if (send_all(s, head.buf, head.len, deadline, mark, err) < 0 ||
	    (req->body && send_all(s, req->body, req->body_len, deadline, mark, err) < 0) ||
	    read_resp(s, req, deadline, mark, &r, body, err) < 0)
		goto out;
	*status = r.status;
	if (!req->upgrade && !r.chunked && r.status != 204 && r.status != 304 && r.length > 0 &&
	    r.raw.len - r.body_at < (size_t)r.length) {
		error_set(err, PARA_EXIT_FAIL, "the engine's answer to %s %s ended early", req->method, req->target);
		goto out;
	}
	if (!r.chunked || req->upgrade) {
		size_t n = r.raw.len - r.body_at;
		if (!req->upgrade && r.length >= 0 && (size_t)r.length < n)
			n = (size_t)r.length;
		strbuf_reset(body);
		strbuf_add(body, r.raw.buf + r.body_at, n);
	} else if (!body_done(&r, body)) {
		error_set(err, PARA_EXIT_FAIL, "the engine's answer to %s %s ended early", req->method, req->target);
		goto out;
	}
	ret = 0;
	if (req->upgrade) {
		*fd = s;
		s = -1;
	}
out:
	if (s >= 0)
		close(s);
	strbuf_release(&head);
	strbuf_release(&r.raw);
	return ret;
}
