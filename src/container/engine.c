#include "container/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "util/jsonutil.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void engine_init(struct engine *e, const struct config *cfg)
{
	const char *env = getenv("PARA_CONTAINER_RUNTIME");
	const char *c = env && *env ? env : config_str(cfg, "docker.runtime");
	e->cli = xstrdup(c && *c ? c : "docker");
	e->calls = 0;
}

void engine_clear(struct engine *e)
{
	free(e->cli);
	e->cli = NULL;
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
	e->calls++;
	if (e->verbose) {
		char *line = engine_cmdline(e, args);
		fprintf(stderr, "para: engine: %s\n", line);
		free(line);
	}
	int r = child_run(&c, status, err);
	child_clear(&c);
	if (r < 0 && strstr(err->msg, "command not found")) {
		error_set(err, PARA_EXIT_ENGINE, "container engine CLI '%s' not found", e->cli);
		error_hint(err, "install it (apt-get install docker.io) or set docker.runtime / PARA_CONTAINER_RUNTIME");
	}
	return r;
}

static int engine_failed(struct error *err, const char *what, struct strbuf *errout)
{
	char line[512];
	strbuf_trim(errout);
	first_line(errout->buf, line, sizeof line);
	return error_set(err, 1, "%s: %s", what, *line ? line : "the engine gave no reason");
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
			ret = error_set(err, 1, "cannot read '%s image inspect' output", e->cli);
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

static int list_filtered(struct engine *e, const char *filter, struct engine_container **out, size_t *n,
			 struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf sout = STRBUF_INIT, errout = STRBUF_INIT;
	struct engine_container *v = NULL;
	size_t nr = 0, alloc = 0;
	int status = 0, ret = 0;
	strvec_pushl(&args, "ps", "--all", "--no-trunc", "--filter", filter, "--format", "{{json .}}", NULL);
	if (run_engine(e, &args, NULL, &sout, &errout, &status, err) < 0) {
		ret = -1;
	} else if (status) {
		ret = engine_ping(e, err);
		if (ret == 0)
			ret = engine_failed(err, "cannot list containers", &errout);
	} else {
		char *save = NULL;
		for (char *line = strtok_r(sout.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			json_t *j = json_loads(line, 0, NULL);
			const char *name = json_str(j, "Names"), *state = json_str(j, "State");
			if (name && state) {
				ALLOC_GROW(v, nr + 1, alloc);
				v[nr].name = xstrdup(name);
				v[nr].state = xstrdup(state);
				v[nr].session = label_value(json_str(j, "Labels"), "dev.para.session");
				nr++;
			}
			json_decref(j);
		}
	}
	strvec_clear(&args);
	strbuf_release(&sout);
	strbuf_release(&errout);
	if (ret < 0) {
		engine_list_free(v, nr);
		v = NULL;
		nr = 0;
	}
	*out = v;
	*n = nr;
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

static int simple(struct engine *e, struct strvec *args, const struct strvec *env, const char *what,
		  struct error *err)
{
	struct strbuf errout = STRBUF_INIT;
	int status = 0, ret = 0;
	if (run_engine(e, args, env, NULL, &errout, &status, err) < 0)
		ret = -1;
	else if (status) {
		struct strbuf keep = STRBUF_INIT;
		strbuf_add(&keep, errout.buf, errout.len);
		ret = engine_ping(e, err);
		if (ret == 0)
			ret = engine_failed(err, what, &keep);
		strbuf_release(&keep);
	}
	strbuf_release(&errout);
	return ret;
}

int engine_create(struct engine *e, const struct container_spec *s, struct error *err)
{
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	spec_render_run(s, &args, &env);
	char *what = xasprintf("cannot create container '%s'", s->name);
	int r = simple(e, &args, &env, what, err);
	free(what);
	strvec_clear(&args);
	strvec_clear(&env);
	return r;
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

int engine_remove(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf errout = STRBUF_INIT;
	int status = 0, ret = 0;
	strvec_pushl(&args, "rm", "--force", "--volumes", name, NULL);
	if (run_engine(e, &args, NULL, NULL, &errout, &status, err) < 0) {
		ret = -1;
	} else if (status) {
		char *state = NULL;
		/* gone already is success; anything else is an error */
		ret = engine_state(e, name, &state, err);
		if (ret == 0 && state)
			ret = engine_failed(err, "cannot remove container", &errout);
		free(state);
	}
	strvec_clear(&args);
	strbuf_release(&errout);
	return ret;
}

int engine_exec(struct engine *e, const struct container_spec *s, const char *const *cmd, int interactive,
		int tty, const char *in, size_t in_len, int *status, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strvec args = STRVEC_INIT;
	strvec_push(&c.args, e->cli);
	spec_render_exec(s, interactive || in, tty, cmd, &args, &c.env);
	strvec_pushv(&c.args, (const char *const *)args.v);
	c.interactive = 1;
	c.in = in;
	c.in_len = in_len;
	c.no_stdin = !interactive && !in;
	e->calls++;
	if (e->verbose) {
		char *line = engine_cmdline(e, &args);
		fprintf(stderr, "para: engine: %s\n", line);
		free(line);
	}
	int r = child_run(&c, status, err);
	strvec_clear(&args);
	child_clear(&c);
	return r;
}
