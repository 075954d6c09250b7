#include "container/engineapi.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/jsonutil.h"
#include "util/report.h"
#include "util/run.h"
#include "util/sig.h"
#include "util/uhttp.h"
#include "util/xalloc.h"

/* The docker CLI's own choice of context: DOCKER_CONTEXT, else the config
 * file's currentContext. 1 when it is the default (the socket below). */
static int default_context(void)
{
	const char *ctx = getenv("DOCKER_CONTEXT");
	if (ctx && *ctx)
		return !strcmp(ctx, "default");
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *path = dir && *dir ? xasprintf("%s/config.json", dir) : xasprintf("%s/.docker/config.json", home ? home : "");
	int ok = access(path, F_OK) != 0; /* none: the default */
	if (!ok) {
		json_t *j = json_load_file(path, 0, NULL);
		const char *cur = j ? json_str(j, "currentContext") : NULL;
		ok = j && (!cur || !*cur || !strcmp(cur, "default")); /* unreadable: the CLI decides */
		json_decref(j);
	}
	free(path);
	return ok;
}

static char *api_socket(const struct engine *e)
{
	const char *base = strrchr(e->cli, '/');
	base = base ? base + 1 : e->cli;
	const char *off = getenv("PARA_ENGINE_API");
	if (strcmp(base, "docker") || (off && !strcmp(off, "0")))
		return NULL;
	const char *host = getenv("DOCKER_HOST");
	if (host && *host)
		return !strncmp(host, "unix://", 7) && host[7] == '/' ? xstrdup(host + 7) : NULL;
	return default_context() ? xstrdup("/var/run/docker.sock") : NULL;
}

/* GET /_ping: the daemon answers there, and speaks API 1.41 or later (the
 * version said in every path is its own, as the CLI's negotiation gives). */
static int api_ping(struct engine *e, const char *sock)
{
	struct strbuf body = STRBUF_INIT, ver = STRBUF_INIT;
	struct error err = ERROR_INIT;
	struct uhttp_req req = { sock, "GET", "/_ping", NULL, 0, 0, 3000, "API-Version", &ver };
	int status = 0, minor = 0, end = 0;
	e->api_calls++;
	if (e->verbose)
		report(REPORT_TRACE, "engine: GET /_ping (unix://%s)", sock);
	int ok = uhttp_call(&req, &status, &body, NULL, &err) == 0 && status == 200 &&
		 sscanf(ver.buf, "1.%d%n", &minor, &end) == 1 && (size_t)end == ver.len && minor >= 41 && minor < 1000;
	if (ok)
		snprintf(e->api_version, sizeof e->api_version, "v1.%d", minor);
	strbuf_release(&body);
	strbuf_release(&ver);
	return ok;
}

const char *engine_api_sock(struct engine *e)
{
	if (!e->api_known) {
		e->api_sock = api_socket(e);
		e->api_known = 1;
		/* a socket that does not answer (or an older daemon) is the CLI's
		 * to find and name */
		if (e->api_sock && !api_ping(e, e->api_sock)) {
			free(e->api_sock);
			e->api_sock = NULL;
		}
	}
	return e->api_sock;
}

json_t *engine_api_body(struct engine *e, const struct container_spec *s,
			const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx)
{
	if (!engine_api_sock(e) || !engine_api_name_ok(s->name))
		return NULL;
	return spec_render_create(s, shown, ctx);
}

int engine_api_run_plan(struct engine *e, const struct container_spec *s,
			const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx, struct strvec req[3])
{
	json_t *body = engine_api_body(e, s, shown, ctx);
	if (!body)
		return -1;
	strvec_push(&req[0], "POST");
	strvec_pushf(&req[0], "/%s/containers/create?name=%s", e->api_version, s->name);
	strvec_push_nodup(&req[0], json_dumps(body, JSON_COMPACT));
	strvec_push(&req[1], "POST");
	strvec_pushf(&req[1], "/%s/containers/%s/attach?stream=1&stdout=1&stderr=1", e->api_version, s->name);
	strvec_push(&req[2], "POST");
	strvec_pushf(&req[2], "/%s/containers/%s/start", e->api_version, s->name);
	json_decref(body);
	return 0;
}

int engine_api_name_ok(const char *name)
{
	if (!name || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
		       (name[0] >= '0' && name[0] <= '9')))
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name);
}

/* The engine's reason ("message" of its JSON answer), one line. */
static void api_message(const struct strbuf *body, struct strbuf *msg)
{
	json_t *j = json_loadb(body->buf, body->len, 0, NULL);
	const char *m = j ? json_str(j, "message") : NULL;
	strbuf_reset(msg);
	strbuf_addstr(msg, m ? m : body->buf);
	json_decref(j);
	size_t nl = strcspn(msg->buf, "\r\n");
	strbuf_setlen(msg, nl);
	strbuf_trim(msg);
	if (!msg->len)
		strbuf_addstr(msg, "the engine gave no reason");
}

static int call(const char *sock, const char *method, const char *target, const char *body, int upgrade,
		int *status, struct strbuf *out, int *fd, struct error *err)
{
	struct uhttp_req req = { sock, method, target, body, body ? strlen(body) : 0, upgrade, 0, NULL, NULL };
	int r = uhttp_call(&req, status, out, fd, err);
	if (r < 0 && err->code == PARA_EXIT_ENGINE) {
		error_wrap(err, "container engine not reachable");
		error_hint(err, "start it (e.g. 'sudo systemctl start docker', or 'sudo dockerd &'), then 'para doctor'");
	}
	return r;
}

int api_remove(struct engine *e, const char *sock, const char *name, int *status, struct strbuf *msg,
	       struct error *err)
{
	if (!engine_api_name_ok(name))
		return error_set(err, PARA_EXIT_FAIL, "'%s' is not a container name", name);
	char *target = xasprintf("/%s/containers/%s?force=1&v=1", e->api_version, name);
	struct strbuf body = STRBUF_INIT;
	e->api_calls++;
	if (e->verbose)
		report(REPORT_TRACE, "engine: DELETE %s", target);
	int r = call(sock, "DELETE", target, NULL, 0, status, &body, NULL, err);
	if (r == 0 && *status >= 300)
		api_message(&body, msg);
	free(target);
	strbuf_release(&body);
	return r;
}

/* --- create, attach, start, wait for the ready mark --- */

struct api_run {
	struct engine *e;
	char *sock, *name, *image, *body;
	pthread_t thread;
	struct error err;
	int ret;
	int ready, home, missing_image;
	struct strbuf out;     /* what it printed, both streams */
	struct strbuf line[2]; /* the line each stream is in the middle of */
};

/* A stream without a terminal comes in frames: an 8-byte header (stream,
 * 0, 0, 0, length big-endian), then the payload. When a whole one is in
 * pending, its header goes: 1, with the payload at pending->buf. */
static int frame_take(struct strbuf *pending, unsigned *stream, size_t *n)
{
	const unsigned char *h = (const unsigned char *)pending->buf;
	if (pending->len < 8)
		return 0;
	*n = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
	if (pending->len < 8 + *n)
		return 0;
	*stream = h[0];
	memmove(pending->buf, pending->buf + 8, pending->len - 8);
	strbuf_setlen(pending, pending->len - 8);
	return 1;
}

/* The payload frame_take left at the front goes. */
static void frame_drop(struct strbuf *pending, size_t n)
{
	memmove(pending->buf, pending->buf + n, pending->len - n);
	strbuf_setlen(pending, pending->len - n);
}

static void on_line(struct api_run *r, const char *l, size_t n)
{
	if (!r->ready)
		r->ready = spec_ready_line(l, n, &r->home);
}

/* A frame's payload (stream 1 stdout, 2 stderr), split into lines. */
static void on_output(struct api_run *r, unsigned stream, const char *p, size_t n)
{
	struct strbuf *line = &r->line[stream == 2];
	strbuf_add(&r->out, p, n);
	for (size_t i = 0; i < n && !r->ready; i++) {
		if (p[i] != '\n') {
			strbuf_addch(line, p[i]);
			continue;
		}
		on_line(r, line->buf, line->len);
		strbuf_reset(line);
	}
}

/* The attached stream, read until the ready mark or its end. */
static int read_attached(struct api_run *r, int fd, struct strbuf *pending, unsigned mark, struct error *err)
{
	char buf[16384];
	for (;;) {
		unsigned stream;
		size_t n;
		while (!r->ready && frame_take(pending, &stream, &n)) {
			on_output(r, stream, pending->buf, n);
			frame_drop(pending, n);
		}
		if (r->ready)
			return 0;
		if (r->out.len > SPEC_READY_OUTPUT_MAX)
			return error_set(err, PARA_EXIT_FAIL, "container '%s' printed more than %u KiB before it was ready",
					 r->name, SPEC_READY_OUTPUT_MAX >> 10);
		long got = uhttp_read(fd, buf, sizeof buf, 100);
		if (got == -2 && sig_count() == mark)
			continue;
		if (got == -2)
			return 1; /* a signal: the caller says so */
		if (got <= 0)
			return 2; /* it ended: the container stopped */
		strbuf_add(pending, buf, (size_t)got);
	}
}

static int created(struct api_run *r, struct error *err)
{
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	char *target = xasprintf("/%s/containers/create?name=%s", r->e->api_version, r->name);
	int status = 0, ret = call(r->sock, "POST", target, r->body, 0, &status, &out, NULL, err);
	if (ret == 0 && status != 201) {
		api_message(&out, &msg);
		r->missing_image = status == 404 && !strncmp(msg.buf, "No such image", 13);
		if (r->missing_image)
			ret = error_set(err, PARA_EXIT_FAIL, "cannot create container '%s': image '%s' not found", r->name,
					r->image);
		else
			ret = error_set(err, PARA_EXIT_FAIL, "cannot create container '%s': %s", r->name, msg.buf);
	}
	free(target);
	strbuf_release(&out);
	strbuf_release(&msg);
	return ret;
}

static int started(struct api_run *r, int *fd, struct strbuf *pending, struct error *err)
{
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	char *attach = xasprintf("/%s/containers/%s/attach?stream=1&stdout=1&stderr=1", r->e->api_version, r->name);
	char *start = xasprintf("/%s/containers/%s/start", r->e->api_version, r->name);
	int status = 0, ret = call(r->sock, "POST", attach, NULL, 1, &status, pending, fd, err);
	if (ret == 0 && status != 101 && status != 200) {
		api_message(pending, &msg);
		ret = error_set(err, PARA_EXIT_FAIL, "cannot attach to container '%s': %s", r->name, msg.buf);
	}
	if (ret == 0)
		ret = call(r->sock, "POST", start, NULL, 0, &status, &out, NULL, err);
	if (ret == 0 && status != 204 && status != 304) {
		api_message(&out, &msg);
		ret = error_set(err, PARA_EXIT_FAIL, "cannot create container '%s': %s", r->name, msg.buf);
	}
	free(attach);
	free(start);
	strbuf_release(&out);
	strbuf_release(&msg);
	return ret;
}

static void api_run_free(struct api_run *r)
{
	/* the body held the values: do not leave them in freed memory */
	if (r->body)
		memset(r->body, 0, strlen(r->body));
	free(r->body);
	free(r->sock);
	free(r->name);
	free(r->image);
	strbuf_release(&r->out);
	strbuf_release(&r->line[0]);
	strbuf_release(&r->line[1]);
	free(r);
}

static void *run_thread(void *p)
{
	struct api_run *r = p;
	struct strbuf pending = STRBUF_INIT;
	int fd = -1;
	unsigned mark = sig_count();
	r->ret = created(r, &r->err);
	if (r->ret == 0)
		r->ret = started(r, &fd, &pending, &r->err);
	if (r->ret == 0) {
		int how = read_attached(r, fd, &pending, mark, &r->err);
		if (how == 1)
			r->ret = error_set(&r->err, 128 + sig_last(), "interrupted; nothing was kept");
		else if (how == 2)
			r->ret = -1; /* api_run_end says how it stopped */
		else
			r->ret = how;
	}
	if (fd >= 0)
		close(fd); /* lets go of the container: it runs on */
	strbuf_release(&pending);
	return NULL;
}

struct api_run *api_run_begin(struct engine *e, const char *sock, const struct container_spec *s, json_t *body,
			      struct error *err)
{
	struct api_run *r = xcalloc(1, sizeof *r);
	*r = (struct api_run){ .e = e, .sock = xstrdup(sock), .name = xstrdup(s->name), .image = xstrdup(s->image),
			       .home = -1, .out = STRBUF_INIT, .line = { STRBUF_INIT, STRBUF_INIT } };
	r->body = json_dumps(body, JSON_COMPACT);
	static const char *const shown[] = { "create?name=", "/attach?stream=1&stdout=1&stderr=1", "/start" };
	for (size_t i = 0; i < 3; i++) {
		e->api_calls++;
		if (e->verbose)
			report(REPORT_TRACE, "engine: POST /%s/containers/%s%s%s", e->api_version, i ? s->name : "",
			       shown[i], i ? "" : s->name);
	}
	/* signals are the main thread's: it rolls back, this one sees sig_count */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = r->body ? pthread_create(&r->thread, NULL, run_thread, r) : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return r;
	error_set(err, PARA_EXIT_FAIL, "cannot start the engine call for container '%s'", s->name);
	api_run_free(r);
	return NULL;
}

int api_run_end(struct api_run *r, struct engine_ready *ready, struct error *err)
{
	pthread_join(r->thread, NULL);
	int ret = r->ret;
	if (ready) {
		ready->home_files = ret == 0 ? r->home : -1;
		ready->missing_image = r->missing_image;
	}
	if (ret < 0 && r->err.code)
		*err = r->err;
	else if (ret < 0)
		engine_stopped_error(err, r->name, &r->out);
	api_run_free(r);
	return ret;
}

/* --- exec without a terminal --- */

/* The exec's two ends: the stream from the engine (frames, as for attach)
 * to para's stdout and stderr, and stdin (an fd or a buffer) to the engine,
 * its end a half-close. */
struct pump {
	int conn, in_fd;        /* in_fd -1: none (or done) */
	const char *in;         /* or this buffer */
	size_t in_len, in_off;
	char buf[16384];        /* read from in_fd, not yet sent */
	size_t buf_len, buf_off;
	struct strbuf pending;  /* frames not yet whole */
	const struct api_exec *x;
	unsigned sigs;
};

static void pump_frames(struct pump *p)
{
	unsigned stream;
	size_t n;
	while (frame_take(&p->pending, &stream, &n)) {
		child_pass_output(stream == 2 ? 2 : 1, p->pending.buf, n);
		frame_drop(&p->pending, n);
	}
}

/* Send what there is of stdin; at its end, the half-close. */
static void pump_in(struct pump *p, int readable)
{
	if (p->in && p->in_off < p->in_len) {
		ssize_t w = send(p->conn, p->in + p->in_off, p->in_len - p->in_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0)
			p->in_off += (size_t)w;
		if (p->in_off == p->in_len || (w < 0 && errno != EAGAIN && errno != EINTR)) {
			p->in = NULL;
			shutdown(p->conn, SHUT_WR);
		}
		return;
	}
	if (p->buf_off < p->buf_len) {
		ssize_t w = send(p->conn, p->buf + p->buf_off, p->buf_len - p->buf_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0)
			p->buf_off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			p->in_fd = -1; /* the engine took no more: the rest is not read */
		return;
	}
	if (!readable)
		return;
	ssize_t r = read(p->in_fd, p->buf, sizeof p->buf);
	if (r > 0) {
		p->buf_len = (size_t)r;
		p->buf_off = 0;
	} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		p->in_fd = -1;
		shutdown(p->conn, SHUT_WR);
	}
}

/* Until the exec's stream ends; each signal to para goes to on_signal. */
static int pump_run(struct pump *p, struct error *err)
{
	char rbuf[16384];
	for (;;) {
		int sending = (p->in && p->in_off < p->in_len) || p->buf_off < p->buf_len;
		struct pollfd fds[2] = { { p->conn, (short)(POLLIN | (sending ? POLLOUT : 0)), 0 },
					 { p->in_fd, POLLIN, 0 } };
		int nfds = p->in_fd >= 0 && !sending ? 2 : 1;
		int r = poll(fds, (nfds_t)nfds, 100), e = errno;
		/* (the relay runs the CLI: errno is poll's, kept before it) */
		while (p->x->on_signal && sig_count() != p->sigs) {
			p->sigs++;
			p->x->on_signal(sig_last(), p->sigs - p->x->sig_mark, p->x->on_signal_ctx);
		}
		if (r < 0 && e != EINTR) {
			errno = e;
			return error_errno(err, PARA_EXIT_FAIL, "cannot wait for the exec");
		}
		if (r <= 0)
			continue;
		if (sending && (fds[0].revents & POLLOUT))
			pump_in(p, 0);
		if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
			pump_in(p, 1);
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(p->conn, rbuf, sizeof rbuf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return 0;
			strbuf_add(&p->pending, rbuf, (size_t)n);
			pump_frames(p);
		}
	}
}

/* The exec's exit code, once the engine has it. */
static int exec_exit_code(struct engine *e, const char *id, int *status, struct error *err)
{
	char *target = xasprintf("/%s/exec/%s/json", e->api_version, id);
	struct strbuf out = STRBUF_INIT;
	int ret = -1;
	for (int i = 0; i < 100; i++) {
		int http = 0;
		e->api_calls++;
		if (e->verbose)
			report(REPORT_TRACE, "engine: GET %s", target);
		if (call(e->api_sock, "GET", target, NULL, 0, &http, &out, NULL, err) < 0)
			break;
		json_t *j = json_loadb(out.buf, out.len, 0, NULL);
		json_t *code = json_object_get(j, "ExitCode");
		int done = http == 200 && !json_is_true(json_object_get(j, "Running")) && json_is_integer(code);
		if (done)
			*status = (int)json_integer_value(code);
		json_decref(j);
		if (done || http != 200) {
			ret = done ? 0 : error_set(err, PARA_EXIT_FAIL, "the engine lost the exec's exit code");
			break;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (ret < 0 && !err->code)
		error_set(err, PARA_EXIT_FAIL, "the exec ended, but the engine still says it runs");
	free(target);
	strbuf_release(&out);
	return ret;
}

/* POST /containers/NAME/exec: the exec's id, or what the engine refused. */
static int exec_create(struct engine *e, const struct api_exec *x, char **id, struct strbuf *refused,
		       struct error *err)
{
	char *target = xasprintf("/%s/containers/%s/exec", e->api_version, x->name);
	char *body = json_dumps(x->body, JSON_COMPACT);
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	int http = 0;
	e->api_calls++;
	if (e->verbose)
		report(REPORT_TRACE, "engine: POST %s", target);
	int ret = body ? call(e->api_sock, "POST", target, body, 0, &http, &out, NULL, err)
		       : error_set(err, PARA_EXIT_FAIL, "cannot say the exec in JSON");
	json_t *j = ret == 0 && http == 201 ? json_loadb(out.buf, out.len, 0, NULL) : NULL;
	/* the id goes into the next paths: a name's characters only */
	if (ret == 0 && http == 201 && engine_api_name_ok(json_str(j, "Id")))
		*id = xstrdup(json_str(j, "Id"));
	else if (ret == 0 && http == 201)
		ret = error_set(err, PARA_EXIT_FAIL, "the engine gave the exec no id para can use");
	else if (ret == 0) {
		/* as the docker CLI says it */
		api_message(&out, &msg);
		strbuf_addf(refused, "%s%s\n", http == 404 ? "Error: " : "Error response from daemon: ", msg.buf);
	}
	json_decref(j);
	if (body)
		memset(body, 0, strlen(body));
	free(body);
	free(target);
	strbuf_release(&out);
	strbuf_release(&msg);
	return ret;
}

int api_exec(struct engine *e, const struct api_exec *x, int *status, struct strbuf *refused, struct error *err)
{
	char *id = NULL, *target = NULL;
	struct strbuf lead = STRBUF_INIT, msg = STRBUF_INIT;
	int conn = -1, http = 0, ret = exec_create(e, x, &id, refused, err);
	if (ret < 0 || !id) {
		*status = 1;
		goto out;
	}
	target = xasprintf("/%s/exec/%s/start", e->api_version, id);
	e->api_calls++;
	if (e->verbose)
		report(REPORT_TRACE, "engine: POST %s", target);
	ret = call(e->api_sock, "POST", target, "{\"Detach\":false,\"Tty\":false}", 1, &http, &lead, &conn, err);
	if (ret == 0 && http != 101 && http != 200) {
		api_message(&lead, &msg);
		strbuf_addf(refused, "Error response from daemon: %s\n", msg.buf);
		*status = 1;
		goto out;
	}
	if (ret < 0)
		goto out;
	struct pump p = { conn, x->attach_stdin && !x->in ? x->in_fd : -1, x->attach_stdin ? x->in : NULL,
			  x->in_len, 0, "", 0, 0, STRBUF_INIT, x, sig_count() };
	if (p.in && !p.in_len) {
		p.in = NULL;
		shutdown(conn, SHUT_WR);
	}
	strbuf_add(&p.pending, lead.buf, lead.len);
	pump_frames(&p);
	ret = pump_run(&p, err);
	strbuf_release(&p.pending);
	if (ret == 0)
		ret = exec_exit_code(e, id, status, err);
out:
	if (conn >= 0)
		close(conn);
	free(id);
	free(target);
	strbuf_release(&lead);
	strbuf_release(&msg);
	return ret;
}
