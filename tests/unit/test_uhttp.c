/*
 * uhttp (src/util/uhttp.h): HTTP/1.1 over a unix socket against a tiny
 * server in a thread. Each case's server accepts one connection, reads the
 * request (headers, then the body by its Content-Length) and records it,
 * writes a canned answer in pieces (a pause before each), and then closes
 * or keeps the connection open until the client lets go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/uhttp.h"
#include "util/banned.h"

static char sockdir[64];
static char sockpath[128];

struct piece {
	const char *data;
	size_t len;   /* 0: strlen(data) */
	int pause_ms; /* before it is written */
};

#define PIECES_MAX 8

struct server {
	/* the case */
	struct piece pieces[PIECES_MAX];
	size_t npieces;
	int hold;      /* after the answer: keep the connection open until the client closes it */
	size_t filler; /* then this many more bytes of 'a' */
	int no_read;   /* read nothing: wait for the client to hang up, then close */
	int kill_sig;  /* once the request is in (no_read: 200 ms after the accept), send the process this signal */
	/* what came */
	int lfd;
	pthread_t thread;
	int running;   /* the thread is to be joined */
	int client;    /* an upgraded stream the test holds: closed by finish() if a check failed */
	int accepted;
	char head[16384]; /* the request's headers, NUL-terminated */
	size_t head_len;
	char body[65536];
	size_t body_len;
	int whole;     /* the request came in full */
};

static struct server srv;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* 1 when fd is readable within ms, else 0. */
static int readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int r;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The value of Content-Length in the request's headers (any case), or 0. */
static size_t request_length(const char *head)
{
	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n"))
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			return (size_t)strtoul(l + 2 + 15, NULL, 10);
	return 0;
}

static void read_request(int fd)
{
	size_t have = 0;
	char *end = NULL;
	static char raw[sizeof srv.head + sizeof srv.body];
	while (!end && have < sizeof raw - 1 && readable(fd, 5000)) {
		ssize_t n = read(fd, raw + have, sizeof raw - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
		raw[have] = '\0';
		end = memmem(raw, have, "\r\n\r\n", 4);
	}
	if (!end)
		return;
	srv.head_len = (size_t)(end - raw) + 4;
	if (srv.head_len >= sizeof srv.head)
		return;
	memcpy(srv.head, raw, srv.head_len);
	srv.head[srv.head_len] = '\0';
	size_t want = request_length(srv.head);
	if (want > sizeof srv.body)
		return;
	srv.body_len = have - srv.head_len;
	if (srv.body_len > want)
		return; /* more than it said */
	memcpy(srv.body, raw + srv.head_len, srv.body_len);
	while (srv.body_len < want && readable(fd, 5000)) {
		ssize_t n = read(fd, srv.body + srv.body_len, want - srv.body_len);
		if (n <= 0)
			return;
		srv.body_len += (size_t)n;
	}
	srv.whole = srv.body_len == want;
}

static void *serve(void *arg)
{
	(void)arg;
	if (!readable(srv.lfd, 10000))
		return NULL;
	int fd = accept(srv.lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	srv.accepted = 1;
	if (srv.no_read) {
		struct pollfd p = { fd, POLLRDHUP, 0 };
		if (srv.kill_sig) {
			sleep_ms(200);
			kill(getpid(), srv.kill_sig);
		}
		while (poll(&p, 1, 5000) < 0 && errno == EINTR)
			;
		close(fd);
		return NULL;
	}
	read_request(fd);
	if (srv.kill_sig)
		kill(getpid(), srv.kill_sig);
	int ok = 1;
	for (size_t i = 0; ok && i < srv.npieces; i++) {
		const struct piece *p = &srv.pieces[i];
		if (p->pause_ms)
			sleep_ms(p->pause_ms);
		ok = send_all(fd, p->data, p->len ? p->len : strlen(p->data)) == 0;
	}
	if (ok && srv.filler) {
		static char block[65536];
		memset(block, 'a', sizeof block);
		for (size_t left = srv.filler; ok && left;) {
			size_t n = left < sizeof block ? left : sizeof block;
			ok = send_all(fd, block, n) == 0;
			left -= n;
		}
	}
	if (srv.hold) {
		char buf[4096];
		/* until the client closes (or ten seconds) */
		while (readable(fd, 10000) && read(fd, buf, sizeof buf) > 0)
			;
	}
	close(fd);
	return NULL;
}

/* Listen at sockpath and serve one connection as srv says. */
static void srv_start(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(sockpath) < sizeof sa.sun_path);
	memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
	unlink(sockpath);
	srv.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(srv.lfd >= 0);
	assert_int_equal(bind(srv.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(srv.lfd, 4), 0);
	assert_int_equal(pthread_create(&srv.thread, NULL, serve, NULL), 0);
	srv.running = 1;
}

static void srv_join(void)
{
	if (srv.running)
		pthread_join(srv.thread, NULL);
	srv.running = 0;
	if (srv.lfd >= 0)
		close(srv.lfd);
	srv.lfd = -1;
	unlink(sockpath);
}

/* The client's end of an upgraded stream, closed (the server sees its end). */
static void close_client(void)
{
	if (srv.client >= 0)
		close(srv.client);
	srv.client = -1;
}

static void answer(const char *data, int pause_ms)
{
	assert_true(srv.npieces < PIECES_MAX);
	srv.pieces[srv.npieces++] = (struct piece){ data, 0, pause_ms };
}

static int reset(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof srv);
	srv.lfd = -1;
	srv.client = -1;
	return 0;
}

/* After each case, also one whose check failed half way: no thread left. */
static int finish(void **state)
{
	(void)state;
	close_client();
	srv_join();
	return 0;
}

static int setup_dir(void **state)
{
	(void)state;
	sig_setup(); /* test_err_signal: a signal is recorded, not fatal */
	signal(SIGPIPE, SIG_IGN);
	snprintf(sockdir, sizeof sockdir, "/tmp/para-test-uhttp-XXXXXX");
	if (!mkdtemp(sockdir))
		return -1;
	snprintf(sockpath, sizeof sockpath, "%s/engine.sock", sockdir);
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	unlink(sockpath);
	return rmdir(sockdir);
}

/* The request: method and target, with a body or none. */
static struct uhttp_req req_of(const char *method, const char *target, const char *body)
{
	struct uhttp_req r = { sockpath, method, target, body, body ? strlen(body) : 0, 0, 5000, NULL, NULL };
	return r;
}

/* Whether the request starts with this line (CRLF ended). */
static int request_line(const char *line)
{
	return !strncmp(srv.head, line, strlen(line));
}

/* Whether the request's headers have this line. */
static int has_line(const char *line)
{
	char want[256];
	snprintf(want, sizeof want, "\r\n%s\r\n", line);
	return strstr(srv.head, want) != NULL;
}

/* --- bodies --- */

static void test_content_length(void **state)
{
	(void)state;
	answer("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"Id\":\"x\"}"
	       "and more that is not the body",
	       0);
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/create?name=x", "{}");
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_int_equal(status, 201);
	assert_int_equal(body.len, 10);
	assert_string_equal(body.buf, "{\"Id\":\"x\"}");
	strbuf_release(&body);
}

/* The body in pieces, the connection kept open: the call returns once
 * Content-Length bytes came. */
static void test_content_length_pieces_held(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nConte", 0);
	answer("nt-Length: 11\r\n\r\nhello", 30);
	answer(" world", 30);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	long long took = now_ms() - t0;
	srv_join();
	assert_true(took < 1000);
	assert_int_equal(status, 200);
	assert_string_equal(body.buf, "hello world");
	strbuf_release(&body);
}

static void test_chunked(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1", 0);
	answer("A\r\nabcdefghij", 20); /* mid chunk size, then mid data */
	answer("klmnopqrstuvwxyz\r\n", 20);
	answer("5\r\nhel", 20);
	answer("lo\r\n0", 20);
	answer("\r\n\r\n", 20);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	long long took = now_ms() - t0;
	srv_join();
	assert_true(took < 1000);
	assert_int_equal(status, 200);
	assert_int_equal(body.len, 31);
	assert_string_equal(body.buf, "abcdefghijklmnopqrstuvwxyzhello");
	strbuf_release(&body);
}

static void test_close_delimited(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello ", 0);
	answer("world", 50);
	answer("!", 50);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/x/logs", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_int_equal(status, 200);
	assert_string_equal(body.buf, "hello world!");
	strbuf_release(&body);
}

static void test_no_content_held(void **state)
{
	(void)state;
	answer("HTTP/1.1 204 No Content\r\nApi-Version: 1.41\r\n\r\n", 0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/x/start", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	long long took = now_ms() - t0;
	srv_join();
	assert_true(took < 500);
	assert_int_equal(status, 204);
	assert_int_equal(body.len, 0);
	strbuf_release(&body);
}

/* Content-Length: 0 with the connection open returns at once too. */
static void test_zero_length_held(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/x", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	long long took = now_ms() - t0;
	srv_join();
	assert_true(took < 500);
	assert_int_equal(status, 200);
	assert_int_equal(body.len, 0);
	strbuf_release(&body);
}

static void test_header_value(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nApi-Version-Extra: 9.99\r\nContent-Type: text/plain\r\napi-version:  1.41\r\n"
	       "Content-Length: 2\r\n\r\nOK",
	       0);
	srv_start();
	struct strbuf value = STRBUF_INIT, body = STRBUF_INIT;
	struct uhttp_req req = { sockpath, "GET", "/_ping", NULL, 0, 0, 3000, "Api-Version", &value };
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_int_equal(status, 200);
	assert_string_equal(body.buf, "OK");
	assert_string_equal(value.buf, "1.41");
	strbuf_release(&value);
	strbuf_release(&body);
}

static void test_header_absent(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", 0);
	srv_start();
	struct strbuf value = STRBUF_INIT, body = STRBUF_INIT;
	struct uhttp_req req = { sockpath, "GET", "/_ping", NULL, 0, 0, 3000, "Api-Version", &value };
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_int_equal(status, 200);
	assert_int_equal(value.len, 0);
	strbuf_release(&value);
	strbuf_release(&body);
}

/* A chunk extension and a trailer are no part of the body. */
static void test_chunked_extension(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\r\n!\r\n"
	       "0\r\nX-Trailer: t\r\n\r\n",
	       0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	long long took = now_ms() - t0;
	srv_join();
	assert_true(took < 1000);
	assert_string_equal(body.buf, "hello!");
	strbuf_release(&body);
}

/* A 304 has no body whatever its Content-Length says (RFC 9110 8.6: it
 * may give the length the 200 would have had), the connection held. */
static void test_not_modified_with_length(void **state)
{
	(void)state;
	answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 20\r\n\r\n", 0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/x/start", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	int r = uhttp_call(&req, &status, &body, NULL, &err);
	long long took = now_ms() - t0;
	srv_join();
	if (r < 0)
		fail_msg("a 304 with Content-Length: 20: %s (code %d)", err.msg, err.code);
	assert_true(took < 500);
	assert_int_equal(status, 304);
	assert_int_equal(body.len, 0);
	strbuf_release(&body);
}

/* --- the request --- */

static void test_request_post(void **state)
{
	(void)state;
	static const char json[] = "{\"Image\":\"alpine\",\"Cmd\":[\"sh\"]}";
	answer("HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\n{\"Id\":\"x\"}", 0);
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/create?name=x", json);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_true(srv.whole);
	assert_true(request_line("POST /v1.41/containers/create?name=x HTTP/1.1\r\n"));
	assert_true(has_line("Content-Type: application/json"));
	char cl[64];
	snprintf(cl, sizeof cl, "Content-Length: %zu", strlen(json));
	assert_true(has_line(cl));
	assert_true(has_line("Connection: close"));
	assert_int_equal(srv.body_len, strlen(json));
	assert_memory_equal(srv.body, json, strlen(json));
	strbuf_release(&body);
}

/* A body of binary bytes with a NUL: exactly body_len of them go. */
static void test_request_body_len(void **state)
{
	(void)state;
	static const char data[] = "ab\0cd\xff";
	answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
	srv_start();
	struct uhttp_req req = { sockpath, "POST", "/v1.41/build", data, 6, 0, 5000, NULL, NULL };
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_true(srv.whole);
	assert_true(has_line("Content-Length: 6"));
	assert_int_equal(srv.body_len, 6);
	assert_memory_equal(srv.body, data, 6);
	strbuf_release(&body);
}

static void test_request_get(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", 0);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json?all=1", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_true(srv.whole);
	assert_true(request_line("GET /v1.41/containers/json?all=1 HTTP/1.1\r\n"));
	assert_null(strcasestr(srv.head, "Content-Length"));
	assert_null(strcasestr(srv.head, "Content-Type"));
	assert_int_equal(srv.body_len, 0);
	assert_true(has_line("Connection: close"));
	strbuf_release(&body);
}

static void test_request_delete(void **state)
{
	(void)state;
	answer("HTTP/1.1 204 No Content\r\n\r\n", 0);
	srv_start();
	struct uhttp_req req = req_of("DELETE", "/v1.41/containers/x?force=1&v=1", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), 0);
	srv_join();
	assert_int_equal(status, 204);
	assert_true(srv.whole);
	assert_true(request_line("DELETE /v1.41/containers/x?force=1&v=1 HTTP/1.1\r\n"));
	assert_true(has_line("Content-Length: 0"));
	assert_null(strcasestr(srv.head, "Content-Type"));
	assert_int_equal(srv.body_len, 0);
	strbuf_release(&body);
}

/* --- upgrade --- */

static void test_upgrade(void **state)
{
	(void)state;
	answer("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
	       "Upgrade: tcp\r\n\r\n\x01\0\0\0\0\0\0\x05hello",
	       0);
	srv.pieces[0].len = strlen(srv.pieces[0].data) + 13 - 1; /* the frame header holds NULs */
	answer(" and the rest", 200);
	answer(" of it", 50);
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/x/attach?stream=1&stdout=1&stderr=1", NULL);
	req.upgrade = 1;
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0, fd = -1;
	assert_int_equal(uhttp_call(&req, &status, &body, &fd, &err), 0);
	srv.client = fd;
	assert_int_equal(status, 101);
	assert_true(fd >= 0);
	assert_int_equal(body.len, 13);
	assert_memory_equal(body.buf, "\x01\0\0\0\0\0\0\x05hello", 13);

	char rest[256], buf[64];
	size_t have = 0;
	long n;
	while ((n = uhttp_read(fd, buf, sizeof buf, 3000)) > 0) {
		assert_true(have + (size_t)n < sizeof rest);
		memcpy(rest + have, buf, (size_t)n);
		have += (size_t)n;
	}
	assert_int_equal(n, 0);
	rest[have] = '\0';
	assert_string_equal(rest, " and the rest of it");
	close_client();
	srv_join();
	assert_true(srv.whole);
	assert_true(request_line("POST /v1.41/containers/x/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n"));
	assert_true(has_line("Connection: Upgrade"));
	assert_true(has_line("Upgrade: tcp"));
	assert_false(has_line("Connection: close"));
	assert_true(has_line("Content-Length: 0"));
	strbuf_release(&body);
}

static void test_upgrade_read_timeout(void **state)
{
	(void)state;
	answer("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", 0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/x/attach?stream=1&stdout=1", NULL);
	req.upgrade = 1;
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0, fd = -1;
	assert_int_equal(uhttp_call(&req, &status, &body, &fd, &err), 0);
	srv.client = fd;
	assert_int_equal(status, 101);
	assert_true(fd >= 0);
	assert_int_equal(body.len, 0);
	char buf[64];
	long long t0 = now_ms();
	assert_int_equal(uhttp_read(fd, buf, sizeof buf, 250), -2);
	long long took = now_ms() - t0;
	assert_true(took >= 200);
	assert_true(took < 1000);
	close_client();
	srv_join();
	strbuf_release(&body);
}

/* Bytes are there already: a read that may not wait still gets them. */
static void test_read_ready_no_wait(void **state)
{
	(void)state;
	answer("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", 0);
	answer("ready", 100);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("POST", "/v1.41/containers/x/attach?stream=1&stdout=1", NULL);
	req.upgrade = 1;
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0, fd = -1;
	assert_int_equal(uhttp_call(&req, &status, &body, &fd, &err), 0);
	srv.client = fd;
	assert_int_equal(status, 101);
	assert_true(fd >= 0);
	char buf[64];
	assert_true(readable(fd, 3000)); /* "ready" is in the socket */
	assert_int_equal(uhttp_read(fd, buf, sizeof buf, 0), 5);
	assert_memory_equal(buf, "ready", 5);
	close_client();
	srv_join();
	strbuf_release(&body);
}

/* --- errors --- */

static void test_err_nothing_listening(void **state)
{
	(void)state;
	char path[192];
	snprintf(path, sizeof path, "%s/nobody.sock", sockdir);
	struct uhttp_req req = { path, "GET", "/_ping", NULL, 0, 0, 1000, NULL, NULL };
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_ENGINE);
	assert_non_null(strstr(err.msg, path));
	strbuf_release(&body);
}

static void test_err_closed_without_answer(void **state)
{
	(void)state;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_true(srv.accepted);
	assert_int_equal(err.code, PARA_EXIT_ENGINE);
	strbuf_release(&body);
}

static void test_err_not_http(void **state)
{
	(void)state;
	answer("SSH-2.0-OpenSSH_9.6\r\nsomething else\r\n\r\n", 0);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	assert_non_null(strstr(err.msg, "not HTTP"));
	strbuf_release(&body);
}

/* Something that is not HTTP and has no blank line, then the close: it
 * answered, just not in HTTP (uhttp.h: PARA_EXIT_ENGINE only when nothing
 * answers). */
static void test_err_not_http_then_close(void **state)
{
	(void)state;
	answer("SSH-2.0-OpenSSH_9.6\r\n", 0);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	if (err.code != PARA_EXIT_FAIL)
		fail_msg("a non-HTTP answer then the close: code %d (%s), not %d", err.code, err.msg, PARA_EXIT_FAIL);
	strbuf_release(&body);
}

static void test_err_chunked_cut(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nonly some", 0);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	assert_non_null(strstr(err.msg, "ended early"));
	strbuf_release(&body);
}

/* Content-Length said more than came before the close: as a cut chunked
 * body, the answer ended early. */
static void test_err_length_cut(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":", 0);
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/x/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	int r = uhttp_call(&req, &status, &body, NULL, &err);
	srv_join();
	if (r == 0)
		fail_msg("a body cut at 6 of its Content-Length 100 bytes was taken: status %d, body '%s'", status,
			 body.buf);
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	assert_non_null(strstr(err.msg, "ended early"));
	strbuf_release(&body);
}

static void test_err_body_too_big(void **state)
{
	(void)state;
	static char head[128];
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", UHTTP_BODY_MAX + 1);
	answer(head, 0);
	srv.filler = UHTTP_BODY_MAX + 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	strbuf_release(&body);
}

/* The same with chunks, the connection held: no waiting for the close. */
static void test_err_chunked_too_big(void **state)
{
	(void)state;
	static char head[128];
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n", UHTTP_BODY_MAX + 1);
	answer(head, 0);
	srv.filler = UHTTP_BODY_MAX + 1;
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/containers/json", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	strbuf_release(&body);
}

static void test_err_deadline(void **state)
{
	(void)state;
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	req.timeout_ms = 300;
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	long long took = now_ms() - t0;
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_ENGINE);
	assert_true(took >= 250);
	assert_true(took < 1000);
	strbuf_release(&body);
}

/* The headers came, the body never does: the deadline still holds. */
static void test_err_deadline_mid_body(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"Id\"", 0);
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	req.timeout_ms = 300;
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	long long took = now_ms() - t0;
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_ENGINE);
	assert_true(took < 1000);
	strbuf_release(&body);
}

/* Over 64 KiB of headers with no end: not HTTP (no waiting for more). */
static void test_err_head_too_big(void **state)
{
	(void)state;
	answer("HTTP/1.1 200 OK\r\nX-Long: ", 0);
	srv.filler = 70 * 1024;
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	srv_join();
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	assert_non_null(strstr(err.msg, "not HTTP"));
	strbuf_release(&body);
}

/* The server takes no part of a large request: the deadline holds while sending. */
static void test_err_send_deadline(void **state)
{
	(void)state;
	size_t n = 4u << 20;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	srv.no_read = 1;
	srv_start();
	struct uhttp_req req = { sockpath, "POST", "/v1.41/build", big, n, 0, 300, NULL, NULL };
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	long long took = now_ms() - t0;
	srv_join();
	free(big);
	assert_int_equal(err.code, PARA_EXIT_ENGINE);
	if (took >= 1000)
		fail_msg("a request the server does not read: %lld ms with timeout_ms 300 (%s)", took, err.msg);
	assert_true(took >= 250);
	strbuf_release(&body);
}

/* The same, no deadline, and a signal comes while the request is stuck:
 * uhttp.h says every wait gives up when para gets a signal. */
static void test_err_send_signal(void **state)
{
	(void)state;
	size_t n = 4u << 20;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	srv.no_read = 1;
	srv.kill_sig = SIGHUP;
	srv_start();
	struct uhttp_req req = { sockpath, "POST", "/v1.41/build", big, n, 0, 0, NULL, NULL };
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	long long took = now_ms() - t0;
	srv_join();
	free(big);
	assert_int_equal(err.code, 128 + SIGHUP);
	if (took >= 1000)
		fail_msg("a signal 200 ms into a request the server does not read: %lld ms (%s)", took, err.msg);
	strbuf_release(&body);
}

/* A signal while waiting for the answer: 128 + its number, at once. */
static void test_err_signal(void **state)
{
	(void)state;
	srv.kill_sig = SIGHUP;
	srv.hold = 1;
	srv_start();
	struct uhttp_req req = req_of("GET", "/v1.41/info", NULL);
	struct strbuf body = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	long long t0 = now_ms();
	assert_int_equal(uhttp_call(&req, &status, &body, NULL, &err), -1);
	long long took = now_ms() - t0;
	srv_join();
	assert_int_equal(err.code, 128 + SIGHUP);
	assert_true(took < 1000);
	strbuf_release(&body);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, finish)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_content_length),
		T(test_content_length_pieces_held),
		T(test_chunked),
		T(test_close_delimited),
		T(test_no_content_held),
		T(test_zero_length_held),
		T(test_chunked_extension),
		T(test_not_modified_with_length),
		T(test_header_value),
		T(test_header_absent),
		T(test_request_post),
		T(test_request_body_len),
		T(test_request_get),
		T(test_request_delete),
		T(test_upgrade),
		T(test_upgrade_read_timeout),
		T(test_read_ready_no_wait),
		T(test_err_nothing_listening),
		T(test_err_closed_without_answer),
		T(test_err_not_http),
		T(test_err_not_http_then_close),
		T(test_err_chunked_cut),
		T(test_err_length_cut),
		T(test_err_body_too_big),
		T(test_err_chunked_too_big),
		T(test_err_deadline),
		T(test_err_deadline_mid_body),
		T(test_err_head_too_big),
		T(test_err_send_deadline),
		T(test_err_send_signal),
		T(test_err_signal),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
