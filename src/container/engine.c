#include "container/engine.h"
#include "container/engineapi.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "util/jsonutil.h"
#include "util/report.h"
#include "util/run.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void engine_init(struct engine *e, const struct config *cfg)
{
	const char *env = getenv("PARA_CONTAINER_RUNTIME");
	const char *c = env && *env ? env : config_str(cfg, "docker.runtime");
	e->cli = xstrdup(c && *c ? c : "docker");
	e->calls = 0;
	e->api_sock = NULL;
	e->api_known = 0;
}

void engine_clear(struct engine *e)
{
	free(e->api_sock);
	e->api_sock = NULL;
	e->api_known = 0;
	free(e->cli);
	e->cli = NULL;
	free(e->exec_held);
	e->exec_held = NULL;
}

static void quote_arg(struct strbuf *sb, const char *a)
{
	if (*a && !strpbrk(a, " \t\n'\"\\$`!*?[]{}()<>|&;#~")) {
		strbuf_addstr(sb, a);
		return;
	}
	strbuf_addch(sb, '\'');
	for (; *a; a++) {
		if (*a == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *a);
	}
	strbuf_addch(sb, '\'');
}

char *engine_cmdline(const struct engine *e, const struct strvec *args)
{
	struct strbuf sb = STRBUF_INIT;
	quote_arg(&sb, e->cli);
	for (size_t i = 0; i < args->nr; i++) {
		strbuf_addch(&sb, ' ');
		quote_arg(&sb, args->v[i]);
	}
	return strbuf_detach(&sb, NULL);
}

int engine_spawn(struct engine *e, struct child *c, struct error *err)
{
	e->calls++;
	if (e->verbose) {
		struct strvec shown = STRVEC_INIT;
		strvec_pushv(&shown, (const char *const *)c->args.v + 1);
		char *line = engine_cmdline(e, &shown);
		report(REPORT_TRACE, "engine: %s", line);
		free(line);
		strvec_clear(&shown);
	}
	return child_start(c, err);
}

int engine_reap(struct engine *e, struct child *c, int *status, struct error *err)
{
	int r = child_finish(c, status, err);
	if (r < 0 && err->sys_errno == ENOENT && err->code == PARA_EXIT_FAIL) {
		error_set(err, PARA_EXIT_ENGINE, "container engine CLI '%s' not found", e->cli);
		error_hint(err, "install it (apt-get install docker.io) or set docker.runtime / PARA_CONTAINER_RUNTIME");
	}
	return r;
}

/* Run c (its args start with the CLI): count it, trace it with --verbose,
 * and name a missing CLI as such. */
static int engine_child(struct engine *e, struct child *c, int *status, struct error *err)
{
	if (engine_spawn(e, c, err) < 0)
		return -1;
	return engine_reap(e, c, status, err);
}

/* Run the engine CLI; stdout into out when given, stderr kept for errors. */
static int run_engine(struct engine *e, const struct strvec *args, const struct strvec *env, struct strbuf *out,
		      struct strbuf *errout, int *status, struct error *err)
{
	struct child c = CHILD_INIT;
	strvec_push(&c.args, e->cli);
	strvec_pushv(&c.args, (const char *const *)args->v);
	if (env)
		strvec_pushv(&c.env, (const char *const *)env->v);
	c.no_stdin = 1;
	c.out = out;
	c.null_stdout = !out;
	c.err = errout;
	int r = engine_child(e, &c, status, err);
	child_clear(&c);
	return r;
}

static int engine_failed(struct error *err, const char *what, struct strbuf *errout)
{
	char line[512];
	strbuf_trim(errout);
	first_line(errout->buf, line, sizeof line);
	return error_set(err, PARA_EXIT_FAIL, "%s: %s", what, *line ? line : "the engine gave no reason");
}

/* A command the engine refused: unreachable (exit 3) when the daemon does
 * not answer, else "what: <its first line of stderr>". */
static int engine_refused(struct engine *e, const char *what, struct strbuf *errout, struct error *err)
{
	if (engine_ping(e, err) < 0)
		return -1;
	return engine_failed(err, what, errout);
}

int engine_ping(struct engine *e, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
	int status = 0;
	strvec_pushl(&args, "version", "--format", "{{json .Server}}", NULL);
	int r = run_engine(e, &args, NULL, &out, &errout, &status, err);
	strvec_clear(&args);
	if (r == 0 && status == 0) {
		strbuf_trim(&out);
		if (out.len && strcmp(out.buf, "null"))
			goto ok;
	}
	if (r == 0 || err->code != PARA_EXIT_ENGINE) {
		const char *host = getenv("DOCKER_HOST");
		error_set(err, PARA_EXIT_ENGINE, "container engine not reachable: '%s version' found no daemon%s%s",
			  e->cli, host ? " at DOCKER_HOST=" : "", host ? host : "");
		error_hint(err, "start it (e.g. 'sudo systemctl start docker', or 'sudo dockerd &'), then 'para doctor'");
	}
	strbuf_release(&out);
	strbuf_release(&errout);
	return -1;
ok:
	strbuf_release(&out);
	strbuf_release(&errout);
	return 0;
}

int engine_image_id(struct engine *e, const char *image, char **id, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
	int status = 0, ret = 0;
	*id = NULL;
	strvec_pushl(&args, "image", "inspect", "--format", "{{json .Id}}", image, NULL);
	if (run_engine(e, &args, NULL, &out, &errout, &status, err) < 0) {
		ret = -1;
	} else if (status == 0) {
		json_t *j = json_loads(out.buf, JSON_DECODE_ANY, NULL);
		if (json_is_string(j))
			*id = xstrdup(json_string_value(j));
		json_decref(j);
		if (!*id)
			ret = error_set(err, PARA_EXIT_FAIL, "cannot read '%s image inspect' output", e->cli);
	} else {
		/* not there, or no daemon: ask the daemon, never parse the message */
		ret = engine_ping(e, err);
	}
	strvec_clear(&args);
	strbuf_release(&out);
	strbuf_release(&errout);
	return ret;
}

static char *label_value(const char *labels, const char *key)
{
	/* ps gives labels as "k=v,k=v"; only para's own simple values are read here */
	size_t kl = strlen(key);
	for (const char *p = labels; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1;
			const char *end = strchr(v, ',');
			return end ? xstrndup(v, (size_t)(end - v)) : xstrdup(v);
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return NULL;
}

/* Run a listing whose stdout is one JSON object per line; fn gets each. A
 * failure is "unreachable" (exit 3) when the daemon does not answer. */
static int engine_json_lines(struct engine *e, const struct strvec *args, const char *what,
			     void (*fn)(json_t *j, void *ctx), void *ctx, struct error *err)
{
	struct strbuf sout = STRBUF_INIT, errout = STRBUF_INIT;
	int status = 0, ret = 0;
	if (run_engine(e, args, NULL, &sout, &errout, &status, err) < 0) {
		ret = -1;
	} else if (status) {
		ret = engine_refused(e, what, &errout, err);
	} else {
		char *save = NULL;
		for (char *line = strtok_r(sout.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			json_t *j = json_loads(line, 0, NULL);
			if (j)
				fn(j, ctx);
			json_decref(j);
		}
	}
	strbuf_release(&sout);
	strbuf_release(&errout);
	return ret;
}

struct container_list {
	struct engine_container *v;
	size_t nr, alloc;
};

static void add_container(json_t *j, void *ctx)
{
	struct container_list *l = ctx;
	const char *name = json_str(j, "Names"), *state = json_str(j, "State");
	if (!name || !state)
		return;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr].name = xstrdup(name);
	l->v[l->nr].state = xstrdup(state);
	l->v[l->nr].session = label_value(json_str(j, "Labels"), "dev.para.session");
	l->nr++;
}

static int list_filtered(struct engine *e, const char *filter, struct engine_container **out, size_t *n,
			 struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct container_list l = { NULL, 0, 0 };
	strvec_pushl(&args, "ps", "--all", "--no-trunc", "--filter", filter, "--format", "{{json .}}", NULL);
	int ret = engine_json_lines(e, &args, "cannot list containers", add_container, &l, err);
	strvec_clear(&args);
	if (ret < 0) {
		engine_list_free(l.v, l.nr);
		l.v = NULL;
		l.nr = 0;
	}
	*out = l.v;
	*n = l.nr;
	return ret;
}

int engine_list(struct engine *e, const char *repo_root, struct engine_container **out, size_t *n,
		struct error *err)
{
	char *filter = xasprintf("label=dev.para.repo=%s", repo_root);
	int r = list_filtered(e, filter, out, n, err);
	free(filter);
	return r;
}

void engine_list_free(struct engine_container *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].state);
		free(v[i].session);
	}
	free(v);
}

int engine_state(struct engine *e, const char *name, char **state, struct error *err)
{
	struct engine_container *v;
	size_t n;
	char *filter = xasprintf("name=^/?%s$", name);
	int r = list_filtered(e, filter, &v, &n, err);
	free(filter);
	*state = NULL;
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			*state = xstrdup(v[i].state);
	engine_list_free(v, n);
	return 0;
}

int engine_run(struct engine *e, const struct strvec *args, struct strbuf *out, int *status, const char *what,
	       struct error *err)
{
	struct strbuf errout = STRBUF_INIT;
	int st = 0;
	int ret = run_engine(e, args, NULL, out, &errout, &st, err);
	if (ret == 0 && st && status)
		*status = st;
	else if (ret == 0 && st)
		ret = engine_refused(e, what, &errout, err);
	else if (ret == 0 && status)
		*status = 0;
	strbuf_release(&errout);
	return ret;
}

static int simple(struct engine *e, struct strvec *args, const struct strvec *env, const char *what,
		  struct error *err)
{
	struct strbuf errout = STRBUF_INIT;
	int status = 0;
	int ret = run_engine(e, args, env, NULL, &errout, &status, err);
	if (ret == 0 && status)
		ret = engine_refused(e, what, &errout, err);
	strbuf_release(&errout);
	return ret;
}

int engine_volume_exists(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, eout = STRBUF_INIT;
	int status = 0;
	strvec_pushl(&args, "volume", "inspect", "--format", "{{.Name}}", name, NULL);
	int r = run_engine(e, &args, NULL, &out, &eout, &status, err);
	strvec_clear(&args);
	strbuf_release(&out);
	strbuf_release(&eout);
	if (r < 0)
		return -1;
	/* not there, or no daemon: ask the daemon, never parse the message */
	return status == 0 ? 1 : engine_ping(e, err) < 0 ? -1 : 0;
}

int engine_volume_create(struct engine *e, const char *name, const struct strvec *labels, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "volume", "create", NULL);
	for (size_t i = 0; i < labels->nr; i++)
		strvec_pushl(&args, "--label", labels->v[i], NULL);
	strvec_push(&args, name);
	char *what = xasprintf("cannot create volume '%s'", name);
	int r = simple(e, &args, NULL, what, err);
	free(what);
	strvec_clear(&args);
	return r;
}

int engine_volume_remove(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "volume", "rm", name, NULL);
	char *what = xasprintf("cannot remove volume '%s'", name);
	int r = simple(e, &args, NULL, what, err);
	free(what);
	strvec_clear(&args);
	return r;
}

int engine_volume_users(struct engine *e, const char *name, struct engine_container **out, size_t *n,
			struct error *err)
{
	char *filter = xasprintf("volume=%s", name);
	int r = list_filtered(e, filter, out, n, err);
	free(filter);
	return r;
}

/* Make the volume with labels when it is missing; the engine would make it
 * too, but unlabelled. */
static int volume_ensure(struct engine *e, const char *name, const struct strvec *labels, struct error *err)
{
	int have = engine_volume_exists(e, name, err);
	return have < 0 ? -1 : have ? 0 : engine_volume_create(e, name, labels, err);
}

/* Named volumes the spec mounts, made (labelled) when missing, for an engine
 * whose run cannot label the volumes it makes. They outlive sessions: that
 * is what they are for. */
static int volumes_ensure(struct engine *e, const struct container_spec *s, struct error *err)
{
	struct strvec labels = STRVEC_INIT;
	int r = 0;
	if (s->home_volume) {
		spec_home_volume_labels(s, &labels);
		r = volume_ensure(e, s->home_volume, &labels, err);
		strvec_clear(&labels);
	}
	spec_volume_labels(s, &labels);
	for (size_t i = 0; r == 0 && i < s->nmounts; i++)
		if (s->mounts[i].type == MOUNT_VOLUME && s->mounts[i].src)
			r = volume_ensure(e, s->mounts[i].src, &labels, err);
	strvec_clear(&labels);
	return r;
}

static int engine_wait_ready(struct engine *e, const char *name, struct error *err);

/* Podman's run takes no volume-label, and an attached podman run is the
 * container's conmon-watched session, not a client to let go of. */
static unsigned run_flags(const struct engine *e)
{
	const char *base = strrchr(e->cli, '/');
	base = base ? base + 1 : e->cli;
	return !strncmp(base, "podman", 6) ? 0 : SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS;
}

void engine_render_run(const struct engine *e, const struct container_spec *s, struct strvec *args,
		       struct strvec *env, struct strbuf *in)
{
	spec_render_run(s, run_flags(e), args, env, in);
}

/* The attached run's output, line by line: the home's answer, then the
 * ready mark, at which para lets go of the CLI (the container runs on). */
struct ready_watch {
	struct child *c;
	int ready, home;
};

static void ready_line(const char *line, size_t len, void *ctx)
{
	struct ready_watch *w = ctx;
	if (!w->ready && spec_ready_line(line, len, &w->home)) {
		w->ready = 1;
		kill(w->c->pid, SIGKILL);
	}
}

/* The last three lines of out, joined for a one-line message. */
static void last_lines(const struct strbuf *out, struct strbuf *sb)
{
	size_t end = out->len, start;
	while (end > 0 && (out->buf[end - 1] == '\n' || out->buf[end - 1] == ' '))
		end--;
	start = end;
	for (int n = 0; start > 0; start--)
		if (out->buf[start - 1] == '\n' && ++n == 3)
			break;
	for (size_t i = start; i < end; i++)
		strbuf_addch(sb, out->buf[i] == '\n' ? ';' : out->buf[i]);
	strbuf_trim(sb);
}

/* An attached run that ended before its ready mark. */
static int run_failed(struct engine *e, const struct container_spec *s, int status, int flood, struct strbuf *out,
		      struct strbuf *errout, struct engine_ready *ready, struct error *err)
{
	if (flood) {
		error_set(err, PARA_EXIT_FAIL, "container '%s' printed more than %u KiB before it was ready", s->name,
			  SPEC_READY_OUTPUT_MAX >> 10);
		return error_hint(err, "nothing was kept; its image's sh is not a shell para can set up");
	}
	if (status == 125) { /* the engine's own complaint, not the container's */
		char *id = NULL, *what = xasprintf("cannot create container '%s'", s->name);
		int r = engine_image_id(e, s->image, &id, err);
		if (r == 0 && !id && ready)
			ready->missing_image = 1;
		if (r == 0 && !id)
			error_set(err, PARA_EXIT_FAIL, "%s: image '%s' not found", what, s->image);
		else if (r == 0)
			engine_failed(err, what, errout);
		free(id);
		free(what);
		return -1;
	}
	strbuf_add(out, errout->buf, errout->len);
	return engine_stopped_error(err, s->name, out);
}

int engine_stopped_error(struct error *err, const char *name, const struct strbuf *out)
{
	struct strbuf logs = STRBUF_INIT;
	last_lines(out, &logs);
	error_set(err, PARA_EXIT_FAIL, "container '%s' stopped as soon as it started%s%s", name, logs.len ? ": " : "",
		  logs.buf);
	error_hint(err, "nothing was kept; check the image and the session's environment");
	strbuf_release(&logs);
	return -1;
}

struct engine_run {
	struct engine *e;
	struct api_run *api; /* made through the Engine API (no CLI) */
	const struct container_spec *s;
	unsigned flags;
	struct child c;
	struct strbuf in, out, errout;
	struct ready_watch w;
};

/* The env file into a pipe that is the CLI's stdin, whole, before the CLI
 * starts: it reads the file at once and waits on nothing of para's, so para
 * may do other work before it reads the CLI's output. Left to the child's
 * feeding (at engine_create_end) when the pipe cannot hold it: the write
 * does not block, since a user over pipe-user-pages-soft gets 4 KiB pipes. */
static void env_into_pipe(struct engine_run *run)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	if (write(p[1], run->in.buf, run->in.len) != (ssize_t)run->in.len) {
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) & ~O_NONBLOCK); /* the CLI's stdin as any other */
	run->c.in = NULL;
	run->c.in_fd = p[0];
}

static void run_free(struct engine_run *run)
{
	/* the env file held the values: do not leave them in freed memory */
	if (run->in.len)
		memset(run->in.buf, 0, run->in.len);
	strbuf_release(&run->in);
	strbuf_release(&run->out);
	strbuf_release(&run->errout);
	child_clear(&run->c);
	free(run);
}

struct engine_run *engine_create_begin(struct engine *e, const struct container_spec *s, struct error *err)
{
	json_t *body = engine_api_body(e, s, NULL, NULL);
	if (body) {
		struct api_run *api = api_run_begin(e, engine_api_sock(e), s, body, err);
		json_decref(body);
		if (!api)
			return NULL;
		struct engine_run *run = xcalloc(1, sizeof *run);
		*run = (struct engine_run){ e, api, s, 0, CHILD_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, { NULL, 0, -1 } };
		return run;
	}
	struct engine_run *run = xcalloc(1, sizeof *run);
	*run = (struct engine_run){ e, NULL, s, run_flags(e), CHILD_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, { NULL, 0, -1 } };
	struct child *c = &run->c;
	run->w.c = c;
	if (!(run->flags & SPEC_RUN_VOLUME_LABELS) && volumes_ensure(e, s, err) < 0)
		goto fail;
	strvec_push(&c->args, e->cli);
	spec_render_run(s, run->flags, &c->args, &c->env, &run->in);
	c->in = run->in.buf;
	c->in_len = run->in.len;
	c->no_stdin = !run->in.len;
	c->err = &run->errout;
	if (run->flags & SPEC_RUN_ATTACH) {
		c->out = &run->out;
		c->on_line = ready_line;
		c->on_line_ctx = &run->w;
		c->capture_max = SPEC_READY_OUTPUT_MAX;
	} else {
		c->null_stdout = 1;
	}
	if (run->in.len)
		env_into_pipe(run);
	int r = engine_spawn(e, c, err);
	if (c->in_fd > 0)
		close(c->in_fd);
	c->in_fd = 0;
	if (r == 0)
		return run;
fail:
	run_free(run);
	return NULL;
}

int engine_create_end(struct engine_run *run, struct engine_ready *ready, struct error *err)
{
	struct engine *e = run->e;
	const struct container_spec *s = run->s;
	int status = 0;
	if (ready)
		*ready = (struct engine_ready)ENGINE_READY_INIT;
	if (run->api) {
		int ar = api_run_end(run->api, ready, err);
		run_free(run);
		return ar;
	}
	int r = engine_reap(e, &run->c, &status, err);
	if (r == 0 && !(run->flags & SPEC_RUN_ATTACH) && status) {
		char *what = xasprintf("cannot create container '%s'", s->name);
		r = engine_refused(e, what, &run->errout, err);
		free(what);
	} else if (r == 0 && !(run->flags & SPEC_RUN_ATTACH)) {
		r = engine_wait_ready(e, s->name, err);
	} else if (r == 0 && !run->w.ready) {
		r = run_failed(e, s, status, run->c.capture_over, &run->out, &run->errout, ready, err);
	}
	if (r == 0 && ready)
		ready->home_files = run->w.home;
	run_free(run);
	return r;
}

int engine_create(struct engine *e, const struct container_spec *s, struct engine_ready *ready, struct error *err)
{
	struct engine_run *run = engine_create_begin(e, s, err);
	if (ready)
		*ready = (struct engine_ready)ENGINE_READY_INIT;
	return run ? engine_create_end(run, ready, err) : -1;
}

int engine_remove_own(struct engine *e, const char *name, const char *run, struct error *err)
{
	struct engine_container *v;
	size_t n;
	int mine = 0;
	if (!run)
		return engine_remove(e, name, err);
	char *filter = xasprintf("label=" SPEC_RUN_LABEL "=%s", run);
	int r = list_filtered(e, filter, &v, &n, err);
	free(filter);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		mine |= !strcmp(v[i].name, name);
	engine_list_free(v, n);
	/* a container of that name that this run did not create is left alone */
	return mine ? engine_remove(e, name, err) : 0;
}

/* The container's last lines of output, joined for a one-line message. */
static void last_logs(struct engine *e, const char *name, struct strbuf *sb)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int status = 0;
	strvec_pushl(&args, "logs", "--tail", "3", name, NULL);
	if (run_engine(e, &args, NULL, &out, &out, &status, &err) == 0)
		last_lines(&out, sb);
	strvec_clear(&args);
	strbuf_release(&out);
}

/* A detached keep-alive: poll its output for the ready mark while it runs. */
static int engine_wait_ready(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, logs = STRBUF_INIT;
	int ret = -1;
	unsigned mark = sig_count();
	strvec_pushl(&args, "logs", name, NULL);
	/* the keep-alive says "para-ready" once its setup is done; until then
	 * the container must still be running, for at most ~10 s */
	for (int i = 0; i < 500; i++) {
		int status = 0;
		strbuf_reset(&out);
		if (run_engine(e, &args, NULL, &out, &out, &status, err) < 0)
			goto out;
		if (status == 0 && strstr(out.buf, SPEC_READY_MARK "\n")) {
			ret = 0;
			goto out;
		}
		char *state = NULL;
		if (engine_state(e, name, &state, err) < 0)
			goto out;
		int running = state && !strcmp(state, "running");
		free(state);
		if (!running) {
			last_logs(e, name, &logs);
			error_set(err, PARA_EXIT_FAIL, "container '%s' stopped as soon as it started%s%s", name, logs.len ? ": " : "",
				  logs.buf);
			error_hint(err, "nothing was kept; check the image and the session's environment");
			goto out;
		}
		if (status) { /* a log driver that cannot be read: running will do */
			ret = 0;
			goto out;
		}
		if (sig_count() != mark) {
			error_set(err, 128 + sig_last(), "interrupted; nothing was kept");
			goto out;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	error_set(err, PARA_EXIT_FAIL, "container '%s' did not finish its setup in 10 s", name);
out:
	strvec_clear(&args);
	strbuf_release(&out);
	strbuf_release(&logs);
	return ret;
}

int engine_start(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "start", name, NULL);
	char *what = xasprintf("cannot start container '%s'", name);
	int r = simple(e, &args, NULL, what, err);
	free(what);
	strvec_clear(&args);
	return r;
}

/* After a removal that said status (the CLI's exit code, or the API's HTTP
 * status): gone already is success; one the engine is still removing (a
 * para killed while it removed it) is waited for; anything else is an
 * error. */
static int removal_result(struct engine *e, const char *name, int api, int status, struct strbuf *errout,
			  struct error *err)
{
	if (api ? status == 204 || status == 404 : status == 0)
		return 0;
	char *state = NULL;
	int ret = engine_state(e, name, &state, err);
	for (int i = 0; ret == 0 && state && !strcmp(state, "removing") && i < 100; i++) {
		free(state);
		state = NULL;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		ret = engine_state(e, name, &state, err);
	}
	if (ret == 0 && state)
		ret = engine_failed(err, "cannot remove container", errout);
	free(state);
	return ret;
}

int engine_remove(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf errout = STRBUF_INIT;
	int status = 0, ret;
	strvec_pushl(&args, "rm", "--force", "--volumes", name, NULL);
	const char *sock = engine_api_name_ok(name) ? engine_api_sock(e) : NULL;
	if (sock)
		ret = api_remove(e, sock, name, &status, &errout, err);
	else
		ret = run_engine(e, &args, NULL, NULL, &errout, &status, err);
	if (ret == 0)
		ret = removal_result(e, name, !!sock, status, &errout, err);
	strvec_clear(&args);
	strbuf_release(&errout);
	return ret;
}


/* What a signal to para during a container exec needs to reach its process. */
struct relay {
	struct engine *e;
	const struct container_spec *s;
	const char *pidfile;
};

/*
 * The process of a `docker exec` is not the engine CLI's child, and the CLI
 * passes no signal on: para sends each one into the container itself, as
 * the session's user. From the third on it is SIGKILL.
 */
static void relay_signal(int signo, unsigned count, void *ctx)
{
	struct relay *r = ctx;
	struct child c = CHILD_INIT;
	struct strvec args = STRVEC_INIT;
	struct error err = ERROR_INIT;
	int status;
	spec_render_signal(r->s, r->pidfile, count >= 3 ? SIGKILL : signo, &args);
	strvec_push(&c.args, r->e->cli);
	strvec_pushv(&c.args, (const char *const *)args.v);
	c.no_stdin = 1;
	c.null_stdout = 1;
	c.null_stderr = 1;
	engine_child(r->e, &c, &status, &err);
	strvec_clear(&args);
	child_clear(&c);
}

/* Where the command of one exec writes its pid in the container. */
static void exec_pidfile(char *buf, size_t n)
{
	static unsigned seq;
	snprintf(buf, n, "/tmp/.para-exec-%ld-%u-%ld", (long)getpid(), seq++, (long)time(NULL));
}

void engine_exec_args(const struct container_spec *s, int interactive, int tty, const char *const *cmd,
		      struct strvec *args, struct strvec *env)
{
	char pidfile[96];
	exec_pidfile(pidfile, sizeof pidfile);
	spec_render_exec(s, interactive, tty, pidfile, cmd, args, env);
}

/* engine_exec without a terminal, through the Engine API: 1 when the CLI
 * is to run it instead. What the engine refused goes to held (as the CLI's
 * stderr would) when it is held, else to para's stderr. */
static int exec_by_api(struct engine *e, const struct container_spec *s, const char *const *cmd, int interactive,
		       const char *in, size_t in_len, struct relay *relay, unsigned mark, int *status,
		       struct strbuf *held, struct error *err)
{
	json_t *body = engine_api_name_ok(s->name) && engine_api_sock(e)
			       ? spec_render_exec_create(s, interactive, relay->pidfile, cmd, NULL, NULL)
			       : NULL;
	if (!body)
		return 1;
	struct api_exec x = { s->name, body, interactive, 0, in, in_len, relay_signal, relay, mark };
	struct strbuf refused = STRBUF_INIT;
	int r = api_exec(e, &x, status, &refused, err);
	if (refused.len && e->hold_exec_errors)
		strbuf_add(held, refused.buf, refused.len);
	else if (refused.len)
		child_pass_stderr(refused.buf, refused.len);
	json_decref(body);
	strbuf_release(&refused);
	return r;
}

int engine_exec_api_plan(struct engine *e, const struct container_spec *s, int interactive, int tty,
			 const char *const *cmd, const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx,
			 struct strvec req[3])
{
	char pidfile[96];
	exec_pidfile(pidfile, sizeof pidfile);
	json_t *body = !tty && engine_api_name_ok(s->name) && engine_api_sock(e)
			       ? spec_render_exec_create(s, interactive, pidfile, cmd, shown, ctx)
			       : NULL;
	if (!body)
		return -1;
	strvec_push(&req[0], "POST");
	strvec_pushf(&req[0], "/%s/containers/%s/exec", e->api_version, s->name);
	strvec_push_nodup(&req[0], json_dumps(body, JSON_COMPACT));
	strvec_pushl(&req[1], "POST", NULL);
	strvec_pushf(&req[1], "/%s/exec/<id>/start", e->api_version);
	strvec_push(&req[1], "{\"Detach\":false,\"Tty\":false}");
	strvec_pushl(&req[2], "GET", NULL);
	strvec_pushf(&req[2], "/%s/exec/<id>/json", e->api_version);
	json_decref(body);
	return 0;
}

int engine_exec(struct engine *e, const struct container_spec *s, const char *const *cmd, int interactive,
		int tty, const char *in, size_t in_len, int *status, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strvec args = STRVEC_INIT;
	char pidfile[sizeof e->exec_pidfile];
	exec_pidfile(pidfile, sizeof pidfile);
	memcpy(e->exec_pidfile, pidfile, sizeof pidfile);
	struct relay relay = { e, s, pidfile };
	unsigned mark = sig_count();
	strvec_push(&c.args, e->cli);
	spec_render_exec(s, interactive || in, tty, pidfile, cmd, &args, &c.env);
	strvec_pushv(&c.args, (const char *const *)args.v);
	/* at a terminal the CLI keeps it (raw mode: a Ctrl-C is a byte for the
	 * container's terminal); otherwise a process group of its own, so a
	 * Ctrl-C reaches para, which relays it */
	c.interactive = tty;
	c.on_signal = relay_signal;
	c.on_signal_ctx = &relay;
	c.in = in;
	c.in_len = in_len;
	c.no_stdin = !interactive && !in;
	/* what the CLI says of a container it cannot exec in ("Error response
	 * from daemon: …", "Cannot connect to the Docker daemon …", podman's
	 * "Error: …"); the command's own stderr passes on as it comes */
	static const char *const engine_says[] = { "Error", "error", "Cannot connect", NULL };
	struct strbuf held = STRBUF_INIT;
	if (e->hold_exec_errors) {
		c.err = &held;
		c.err_hold = engine_says;
	}
	free(e->exec_held);
	e->exec_held = NULL;
	int r = tty ? 1 : exec_by_api(e, s, cmd, interactive || in, in, in_len, &relay, mark, status, &held, err);
	if (r == 1)
		r = engine_child(e, &c, status, err);
	if (held.len && r == 0 && (*status == 1 || *status == 125))
		e->exec_held = strbuf_detach(&held, NULL);
	else if (held.len)
		child_pass_stderr(held.buf, held.len);
	/* interrupted, it never ends in success */
	if (r == 0 && *status == 0 && sig_count() != mark)
		*status = 128 + sig_last();
	strbuf_release(&held);
	strvec_clear(&args);
	child_clear(&c);
	return r;
}

int engine_exec_began(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf errout = STRBUF_INIT;
	int status = 0;
	if (!*e->exec_pidfile)
		return 0;
	char *src = xasprintf("%s:%s", name, e->exec_pidfile);
	strvec_pushl(&args, "cp", src, "-", NULL);
	free(src);
	int r = run_engine(e, &args, NULL, NULL, &errout, &status, err);
	strvec_clear(&args);
	strbuf_release(&errout);
	/* not there (the caller had the daemon answer just before: an engine
	 * that went away is found by what it does next) */
	return r < 0 ? -1 : status == 0;
}

int engine_run_script(struct engine *e, const struct container_spec *s, const char *script, size_t len,
		      void (*on_line)(const char *line, size_t len, void *ctx), void *ctx, int *status,
		      struct error *err)
{
	static const char *const cmd[] = { "sh", "-s", NULL };
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct child c = CHILD_INIT;
	strvec_push(&c.args, e->cli);
	spec_render_exec(s, 1, 0, NULL, cmd, &args, &c.env);
	strvec_pushv(&c.args, (const char *const *)args.v);
	c.in = script;
	c.in_len = len;
	c.out = &out;
	c.err = &out;
	c.on_line = on_line;
	c.on_line_ctx = ctx;
	c.forward_signals = 1;
	int r = engine_child(e, &c, status, err);
	strvec_clear(&args);
	strbuf_release(&out);
	child_clear(&c);
	return r;
}

int engine_build(struct engine *e, const struct engine_build *b, int *status, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strbuf out = STRBUF_INIT;
	/* --force-rm: a failed step's container goes too (the classic builder keeps it) */
	strvec_pushl(&c.args, e->cli, "build", "--force-rm", "--file", b->dockerfile, "--tag", b->tag, NULL);
	for (size_t i = 0; b->labels && i < b->labels->nr; i++)
		strvec_pushl(&c.args, "--label", b->labels->v[i], NULL);
	if (b->target)
		strvec_pushl(&c.args, "--target", b->target, NULL);
	if (b->no_cache)
		strvec_push(&c.args, "--no-cache");
	for (size_t i = 0; b->args && i < b->args->nr; i++) {
		const char *eq = strchr(b->args->v[i], '=');
		char *key = eq ? xstrndup(b->args->v[i], (size_t)(eq - b->args->v[i])) : xstrdup(b->args->v[i]);
		strvec_pushl(&c.args, "--build-arg", key, NULL);
		if (eq)
			strvec_push(&c.env, b->args->v[i]);
		free(key);
	}
	strvec_push(&c.args, "-");
	/* the classic builder takes a tar stream as it is; BuildKit needs buildx,
	 * which Debian's docker.io does not ship */
	if (!getenv("DOCKER_BUILDKIT"))
		strvec_push(&c.env, "DOCKER_BUILDKIT=0");
	c.in_fd = b->context_fd;
	c.out = &out;
	c.err = &out;
	c.on_line = b->on_line;
	c.on_line_ctx = b->ctx;
	c.forward_signals = 1;
	int r = engine_child(e, &c, status, err);
	if (r == 0 && *status && engine_ping(e, err) < 0)
		r = -1;
	child_clear(&c);
	strbuf_release(&out);
	return r;
}

int engine_pull(struct engine *e, const char *image, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "pull", image, NULL);
	char *what = xasprintf("cannot pull '%s'", image);
	int r = simple(e, &args, NULL, what, err);
	free(what);
	strvec_clear(&args);
	return r;
}

struct image_list {
	struct engine_image *v;
	size_t nr, alloc;
};

/* "2006-01-02 15:04:05 -0700 MST" (docker's and podman's CreatedAt) as
 * Unix seconds; -1 when it is not that. */
static long long created_at_seconds(const char *s)
{
	struct tm tm = { 0 };
	char sign = 0;
	int oh = 0, om = 0;
	if (!s || sscanf(s, "%d-%d-%d %d:%d:%d %c%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &sign, &oh, &om) != 9 || (sign != '+' && sign != '-'))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long long off = (oh * 3600LL + om * 60LL) * (sign == '-' ? -1 : 1);
	return (long long)timegm(&tm) - off;
}

static void add_image(json_t *j, void *ctx)
{
	struct image_list *l = ctx;
	const char *id = json_str(j, "ID"), *repo = json_str(j, "Repository"), *tag = json_str(j, "Tag");
	const char *created = json_str(j, "CreatedSince"), *size = json_str(j, "Size");
	if (!id || !repo || !tag)
		return;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr].id = xstrdup(id);
	l->v[l->nr].ref = xasprintf("%s:%s", repo, tag);
	l->v[l->nr].created = xstrdup(created ? created : "");
	l->v[l->nr].size = xstrdup(size ? size : "");
	l->v[l->nr].created_at = created_at_seconds(json_str(j, "CreatedAt"));
	l->v[l->nr].bytes = -1;
	l->nr++;
}

int engine_images(struct engine *e, const char *repo_root, struct engine_image **out, size_t *n, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct image_list l = { NULL, 0, 0 };
	char *filter = xasprintf("label=dev.para.repo=%s", repo_root);
	strvec_pushl(&args, "image", "ls", "--no-trunc", "--filter", filter, "--format", "{{json .}}", NULL);
	free(filter);
	int ret = engine_json_lines(e, &args, "cannot list images", add_image, &l, err);
	strvec_clear(&args);
	*out = l.v;
	*n = l.nr;
	return ret;
}

void engine_images_free(struct engine_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].ref);
		free(v[i].created);
		free(v[i].size);
	}
	free(v);
}

/* Lines of a command's stdout (ok: it ran and exited 0). */
static int engine_lines(struct engine *e, struct strvec *args, const char *what, struct strvec *out,
			struct error *err)
{
	struct strbuf sb = STRBUF_INIT, errout = STRBUF_INIT;
	int status = 0, ret = run_engine(e, args, NULL, &sb, &errout, &status, err);
	if (ret == 0 && status)
		ret = engine_refused(e, what, &errout, err);
	for (char *line = sb.buf, *nl; ret == 0 && line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line)
			strvec_push(out, line);
	}
	strbuf_release(&sb);
	strbuf_release(&errout);
	return ret;
}

int engine_image_sizes(struct engine *e, struct engine_image *v, size_t n, struct error *err)
{
	struct strvec args = STRVEC_INIT, lines = STRVEC_INIT;
	if (!n)
		return 0;
	strvec_pushl(&args, "image", "inspect", "--format", "{{.Id}} {{.Size}}", NULL);
	for (size_t i = 0; i < n; i++)
		strvec_push(&args, v[i].id);
	int r = engine_lines(e, &args, "cannot inspect images", &lines, err);
	for (size_t k = 0; r == 0 && k < lines.nr; k++) {
		char *sp = strchr(lines.v[k], ' '), *end = NULL;
		if (!sp)
			continue;
		*sp = '\0';
		long long bytes = strtoll(sp + 1, &end, 10);
		for (size_t i = 0; end && !*end && i < n; i++)
			if (!strcmp(v[i].id, lines.v[k]))
				v[i].bytes = bytes;
	}
	strvec_clear(&args);
	strvec_clear(&lines);
	return r;
}

int engine_container_env(struct engine *e, const char *name, struct strvec *env, struct error *err)
{
	struct strvec args = STRVEC_INIT, lines = STRVEC_INIT;
	strvec_pushl(&args, "container", "inspect", "--format", "{{json .Config.Env}}", name, NULL);
	int r = engine_lines(e, &args, "cannot inspect the container", &lines, err);
	strvec_clear(&args);
	json_t *arr = r == 0 && lines.nr ? json_loads(lines.v[0], 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			strvec_push(env, json_string_value(v));
	json_decref(arr);
	strvec_clear(&lines);
	return r;
}

/* One try of engine_images_in_use: 0, 1 when a container went away between
 * the listing and the inspect (try again), -1 on error. */
static int images_in_use_once(struct engine *e, struct strvec *ids, struct error *err)
{
	struct strvec args = STRVEC_INIT, containers = STRVEC_INIT;
	strvec_pushl(&args, "ps", "--all", "--quiet", "--no-trunc", NULL);
	int r = engine_lines(e, &args, "cannot list containers", &containers, err);
	strvec_clear(&args);
	if (r == 0 && containers.nr) {
		/* the image each container was made from, by ID, whatever its tags now */
		strvec_pushl(&args, "container", "inspect", "--format", "{{.Image}}", NULL);
		strvec_pushv(&args, (const char *const *)containers.v);
		r = engine_lines(e, &args, "cannot inspect containers", ids, err);
		strvec_clear(&args);
		if (r < 0 && strstr(err->msg, "No such container")) {
			strvec_clear(ids);
			r = 1;
		}
	}
	strvec_clear(&containers);
	return r;
}

int engine_images_in_use(struct engine *e, struct strvec *ids, struct error *err)
{
	/* a container removed while we look (another para, a test) is no error */
	int r = 1;
	for (int tries = 0; r == 1 && tries < 5; tries++) {
		if (tries)
			error_clear(err);
		r = images_in_use_once(e, ids, err);
	}
	return r == 1 ? -1 : r;
}

int engine_image_remove(struct engine *e, const char *ref, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "image", "rm", ref, NULL);
	char *what = xasprintf("cannot remove image '%s'", ref);
	int r = simple(e, &args, NULL, what, err);
	free(what);
	strvec_clear(&args);
	return r;
}

int engine_import(struct engine *e, int tar_fd, const char *tag, const struct strvec *changes, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strbuf errout = STRBUF_INIT;
	int status = 0;
	strvec_pushl(&c.args, e->cli, "import", NULL);
	for (size_t i = 0; changes && i < changes->nr; i++)
		strvec_pushl(&c.args, "--change", changes->v[i], NULL);
	strvec_pushl(&c.args, "-", tag, NULL);
	c.in_fd = tar_fd;
	c.null_stdout = 1;
	c.err = &errout;
	c.forward_signals = 1;
	int r = engine_child(e, &c, &status, err);
	if (r == 0 && status)
		r = engine_refused(e, "cannot import the image", &errout, err);
	child_clear(&c);
	strbuf_release(&errout);
	return r;
}
