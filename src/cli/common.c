#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/homevol.h"
#include "container/image.h"
#include "container/netpolicy.h"
#include "session/agentgit.h"
#include "session/session.h"
#include "util/execlimit.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/run.h"
#include "session/lifecycle.h"
#include "util/report.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum cli_esc cli_color(FILE *f)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	int fd = fileno(f);
	/* a pipe or a file gets no escape code at all; nor does a terminal
	 * that says it understands none */
	if (fd < 0 || !isatty(fd) || (term && !strcmp(term, "dumb")))
		return CLI_ESC_NONE;
	/* no-color.org: "when present and not an empty string" */
	if (no_color && *no_color)
		return CLI_ESC_CURSOR;
	return CLI_ESC_COLOR;
}

const char *cli_paint(FILE *f, const char *sgr)
{
	return cli_color(f) == CLI_ESC_COLOR ? sgr : "";
}

json_t *cli_json_str(const char *v)
{
	if (!v)
		return json_null();
	json_t *j = json_string(v);
	if (j)
		return j;
	/* not UTF-8 (a path, a value): each byte that starts no valid
	 * sequence becomes U+FFFD, as jansson itself judges a sequence */
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)v; *p;) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		json_t *one = n == 1 || strnlen((const char *)p, n) < n ? NULL : json_stringn((const char *)p, n);
		if (n == 1 || one) {
			strbuf_add(&sb, p, n);
			p += n;
		} else {
			strbuf_addstr(&sb, "\xef\xbf\xbd");
			p++;
		}
		json_decref(one);
	}
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j ? j : json_string("\xef\xbf\xbd");
}

void cli_print_json(const json_t *j)
{
	char *s = json_pretty(j);
	fputs(s, stdout);
	free(s);
}

int cli_fail(const struct error *err)
{
	fprintf(stderr, "%spara: error:%s %s", cli_paint(stderr, CLI_SGR_ERROR), cli_paint(stderr, CLI_SGR_RESET),
		err->msg);
	if (err->hint[0])
		fprintf(stderr, "; %s", err->hint);
	fputc('\n', stderr);
	return err->code ? err->code : PARA_EXIT_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "para %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'para %s --help')\n", cmd);
	return PARA_EXIT_USAGE;
}

void cli_note(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	if (c && c->quiet)
		return;
	fputs("para: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int output_quiet; /* -q of the command running */

void cli_output_quiet(int quiet)
{
	output_quiet = quiet;
}

/* The core's reports (util/report.h), as para has always shown them. */
static void render_report(enum report_kind kind, const char *text, void *ctx)
{
	(void)ctx;
	switch (kind) {
	case REPORT_WARN:
		cli_warn("%s", text);
		break;
	case REPORT_STATUS:
		/* a line that rewrites itself: only where \r and \033[K work */
		if (!output_quiet && cli_color(stderr) != CLI_ESC_NONE)
			fprintf(stderr, "\r\033[Kpara: %s", text);
		break;
	case REPORT_STATUS_END:
		if (!output_quiet && cli_color(stderr) != CLI_ESC_NONE)
			fputs("\r\033[K", stderr);
		break;
	case REPORT_DETAIL:
		fprintf(stderr, "  | %s\n", text);
		break;
	case REPORT_NOTE:
		if (!output_quiet)
			fprintf(stderr, "para: %s\n", text);
		break;
	case REPORT_TRACE:
	default:
		fprintf(stderr, "para: %s\n", text);
		break;
	}
}

static void say_oom(size_t bytes)
{
	char msg[96];
	int len = snprintf(msg, sizeof msg, "para: fatal: out of memory (%zu bytes)\n", bytes);
	if (len > 0 && write(2, msg, (size_t)len) < 0)
		return;
}

void cli_setup_output(void)
{
	report_sink(render_report, NULL);
	xalloc_on_oom(say_oom);
}

int cli_progress_line(void)
{
	return cli_color(stderr) != CLI_ESC_NONE;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%spara: warning:%s ", cli_paint(stderr, CLI_SGR_WARN), cli_paint(stderr, CLI_SGR_RESET));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_open(struct cli *c, struct error *err)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return error_errno(err, PARA_EXIT_FAIL, "cannot read the current directory");
	cli_output_quiet(c->quiet);
	if (repo_discover(cwd, &c->repo, err) < 0)
		return -1;
	if (config_load(&c->cfg, c->repo.root, err) < 0)
		return -1;
	for (size_t i = 0; i < c->cfg.warnings.nr; i++)
		cli_warn("%s", c->cfg.warnings.v[i]);
	engine_init(&c->eng, &c->cfg);
	c->eng.verbose = c->verbose;
	return 0;
}

void cli_close(struct cli *c)
{
	unsigned n = c->eng.calls, a = c->eng.api_calls;
	/* "1 CLI call", "3 API requests", "1 CLI call, 3 API requests" */
	if (c->verbose && n && a)
		fprintf(stderr, "para: engine: %u CLI call%s, %u API request%s\n", n, n == 1 ? "" : "s", a,
			a == 1 ? "" : "s");
	else if (c->verbose && (n || a))
		fprintf(stderr, "para: engine: %u %s%s\n", n + a, n ? "CLI call" : "API request", n + a == 1 ? "" : "s");
	repo_clear(&c->repo);
	config_clear(&c->cfg);
	engine_clear(&c->eng);
}

int cli_session(struct cli *c, const char *name, struct session *s, struct error *err)
{
	char *resolved = NULL;
	if (session_resolve(&c->repo, name, &resolved, err) < 0)
		return -1;
	int r = state_load(&c->repo, resolved, s, err);
	free(resolved);
	return r;
}

static char *resolve_path(const char *path, void *ctx)
{
	(void)ctx;
	return realpath(path, NULL);
}

static int path_is_socket(const char *path, void *ctx)
{
	struct stat st;
	(void)ctx;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

void cli_danger_ctx(const struct cli *c, struct dargs_ctx *d)
{
	/* the folders that hold an engine's socket; a socket anywhere else is
	 * found by path_is_socket */
	static const char *const sockets[] = { "/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock",
					       "/run/containerd/containerd.sock", NULL };
	*d = (struct dargs_ctx){ getenv("HOME"), c->repo.root, sockets, resolve_path, path_is_socket, NULL };
}

void cli_spec_git(const struct cli *c, const char *name, struct spec_git *g)
{
	g->dir = agentgit_dir(&c->repo, name);
	g->link = agentgit_link(&c->repo, name);
	g->repo_git_dir = xstrdup(c->repo.git_dir);
	agentgit_object_dirs(&c->repo, &g->objects);
}

int cli_session_locked(struct cli *c, const char *name, struct session *s, struct error *err)
{
	char *resolved = NULL;
	if (session_resolve(&c->repo, name, &resolved, err) < 0)
		return -1;
	/* the lock first, then the state: what another para did before we got
	 * the lock is what we read */
	int r = session_lock(&c->repo, resolved, s, err);
	if (r == 0)
		r = state_load(&c->repo, resolved, s, err);
	free(resolved);
	return r;
}

int cli_session_spec(struct cli *c, const struct session *s, struct container_spec *spec, struct error *err)
{
	if (!s->container)
		return error_set(err, PARA_EXIT_FAIL, "session '%s' has no container", s->name);
	if (spec_from_json(s->container, spec, err) < 0)
		return -1;
	struct spec_git g = SPEC_GIT_INIT;
	cli_spec_git(c, s->name, &g);
	spec_git_mounts(spec, &g);
	spec_git_clear(&g);
	return 0;
}

int cli_sync(struct cli *c, struct session *s, struct error *err)
{
	struct lifecycle lc = CLI_LIFECYCLE(c);
	return lifecycle_sync(&lc, s, err);
}

int env_inputs_given(const struct env_inputs *in)
{
	return in->e_args.nr || in->env_files.nr || in->no_forward || in->profile;
}

void cli_credentials_warning(struct cli *c, const struct container_spec *spec, int home_files)
{
	/* a credential by its name (…KEY, …TOKEN, …SECRET, …PASSWORD), wherever it
	 * came from: a file's other values are masked, but log nobody in */
	for (size_t i = 0; i < spec->nenv; i++)
		if (spec->env[i].value && *spec->env[i].value && env_name_is_secret(spec->env[i].key))
			return;
	/* or a login in the home volume (para auth setup): a file will do, as
	 * the container said when it came up, else read from it (it mounts the
	 * volume) */
	long files = home_files > 0;
	struct error err = ERROR_INIT;
	if (spec->home_volume && home_files < 0 && homevol_count_in(&c->eng, spec->name, 1, &files, &err) < 0)
		files = 0;
	if (spec->home_volume && files)
		return;
	if (spec->home_volume)
		cli_warn("image %s gets no credentials: no API key or token is forwarded and the home volume %s holds "
			 "no login; the agent may not be able to log in (run 'para auth setup', set ANTHROPIC_API_KEY, "
			 "or pass -e / --env-file)",
			 spec->image, spec->home_volume);
	else
		cli_warn("image %s gets no credentials: no API key or token is forwarded; the agent may not be able to "
			 "log in (set ANTHROPIC_API_KEY, or pass -e / --env-file)",
			 spec->image);
}

void cli_env_notes(const struct cli *c, const struct strvec *notes)
{
	for (size_t i = 0; i < notes->nr; i++) {
		int verbose_only = strstr(notes->v[i], "not set on the host") != NULL;
		if (!verbose_only)
			cli_warn("%s", notes->v[i]);
		else if (c->verbose)
			cli_note(c, "%s", notes->v[i]);
	}
}

void cli_session_env_inputs(const struct session *s, const struct env_inputs *given, struct env_inputs *out)
{
	if (s->container)
		env_inputs_from_json(json_object_get(s->container, "env_inputs"), out);
	/* each kind given replaces its own kind only: new -e keep the saved
	 * --env-files, and the other way round */
	if (given && given->e_args.nr) {
		strvec_clear(&out->e_args);
		strvec_clear(&out->lost);
		strvec_pushv(&out->e_args, (const char *const *)given->e_args.v);
	}
	if (given && given->env_files.nr) {
		strvec_clear(&out->env_files);
		strvec_pushv(&out->env_files, (const char *const *)given->env_files.v);
	}
	if (given && given->no_forward)
		out->no_forward = 1;
}

/* The image checks of the start path (policy, presence, pull policy), for a
 * container re-created from its saved spec. */
static int recreate_image_ok(struct cli *c, const struct session *s, const struct container_spec *spec,
			     struct error *err)
{
	struct image_plan p = IMAGE_PLAN_INIT;
	char *own = image_tag_for(c->repo.root, "");
	int built = json_is_true(json_object_get(s->container, "image_built")) || !strncmp(spec->image, own, strlen(own));
	int nb = 0, r = 0;
	p.image = xstrdup(spec->image);
	p.rule = xstrdup("the session's saved spec");
	p.custom = json_is_true(json_object_get(s->container, "image_custom"));
	if (built) {
		char *id = NULL;
		r = engine_image_id(&c->eng, p.image, &id, err);
		if (r == 0 && !id) {
			error_set(err, PARA_EXIT_FAIL, "the session's image '%s' (built from the project Dockerfile) is gone", p.image);
			r = error_hint(err, "'para image list' shows the project's images; a new session builds the current one");
		}
		free(id);
	} else {
		struct image_build_opts bo = { 0, 0, c->quiet, cli_progress_line(), NULL, c->verbose };
		r = image_policy(&c->cfg, &p, err);
		if (r == 0)
			r = image_ensure(&c->eng, &c->cfg, &p, &bo, &nb, err);
	}
	free(own);
	image_plan_clear(&p);
	return r;
}

/* A re-created container is a new one: the setup script runs in it again. */
static int rerun_setup(struct cli *c, const struct session *s, const struct container_spec *spec, struct error *err)
{
	struct lifecycle lc = CLI_LIFECYCLE(c);
	char *logs = path_join(c->repo.para_dir, "logs");
	int r = lifecycle_setup(&lc, spec, json_str(s->container, "setup_script"), logs, s->name, err);
	free(logs);
	return r;
}

int cli_container_up(struct cli *c, struct session *s, struct container_spec *spec,
		     const struct env_inputs *given, struct error *err)
{
	char *state = NULL;
	/* an isolated session's proxy first: a dead one is no egress at all,
	 * and coming back here brings it back */
	if ((spec->isolated && netpolicy_up(&c->eng, spec, NULL, err) < 0) ||
	    engine_state(&c->eng, spec->name, &state, err) < 0)
		return -1;
	int r = cli_container_up_from(c, s, spec, given, state, err);
	free(state);
	return r;
}

int cli_container_up_from(struct cli *c, struct session *s, struct container_spec *spec,
			  const struct env_inputs *given, const char *state, struct error *err)
{
	int r = 0;
	/* starting or re-creating the container changes the session */
	int held = s->lock;
	if ((!state || strcmp(state, "running")) && session_lock(&c->repo, s->name, s, err) < 0)
		return -1;
	if (!state) {
		/* a session from before the git boundary gets its git directory now */
		char *dir = agentgit_dir(&c->repo, s->name);
		int fresh = !is_dir(dir);
		free(dir);
		if (fresh && (agentgit_create(&c->repo, s, err) < 0 || state_save(&c->repo, s, err) < 0))
			return -1;
	}
	if (!state) {
		struct env_inputs in = ENV_INPUTS_INIT;
		struct strvec notes = STRVEC_INIT;
		cli_note(c, "container '%s' is gone; re-creating it from the saved spec", spec->name);
		cli_session_env_inputs(s, given, &in);
		r = envres_resolve(&in, &c->cfg, c->repo.root, spec, 0, &notes, err);
		if (r == 0)
			r = spec_validate(spec, err);
		if (r == 0)
			r = recreate_image_ok(c, s, spec, err);
		if (r == 0) {
			cli_env_notes(c, &notes);
			r = engine_create(&c->eng, spec, NULL, err);
		}
		if (r == 0 && json_str(s->container, "setup_script"))
			r = rerun_setup(c, s, spec, err);
		strvec_clear(&notes);
		env_inputs_clear(&in);
	} else if (strcmp(state, "running")) {
		cli_note(c, "starting container '%s' (was %s)", spec->name, state);
		r = engine_start(&c->eng, spec->name, err);
	}
	if (!held)
		session_unlock(s);
	return r;
}

int cli_run_in_session(struct cli *c, const struct session *s, const struct container_spec *spec,
		       const char *const *argv, const char *in, size_t in_len, int *status, struct error *err)
{
	if (spec) {
		/* as the same command would get it on the host: a terminal, the
		 * data piped in, or nothing */
		enum stdin_kind k = in ? STDIN_DATA : stdin_kind();
		return engine_exec(&c->eng, spec, argv, k != STDIN_NONE, k == STDIN_TTY, in, in_len, status, err);
	}
	struct child ch = CHILD_INIT;
	strvec_pushv(&ch.args, argv);
	strvec_pushf(&ch.env, "PARA_SESSION=%s", s->name);
	strvec_pushf(&ch.env, "PARA_WORKSPACE=%s", s->worktree);
	ch.dir = s->worktree;
	ch.interactive = 1;
	ch.in = in;
	ch.in_len = in_len;
	unsigned mark = sig_count();
	int r = child_run(&ch, status, err);
	/* interrupted, it never ends in success (as in a container) */
	if (r == 0 && *status == 0 && sig_count() != mark)
		*status = 128 + sig_last();
	child_clear(&ch);
	return r;
}

int cli_agent_argv(const struct cli *c, int skip_permissions, const char *prompt, struct strvec *argv,
		   const char **stdin_prompt, struct error *err)
{
	config_strv(&c->cfg, "agent.command", argv);
	if (skip_permissions)
		config_strv(&c->cfg, "agent.skip_permissions_args", argv);
	*stdin_prompt = NULL;
	if (prompt && *prompt) {
		const char *mode = config_str(&c->cfg, "agent.prompt");
		if (mode && !strcmp(mode, "stdin"))
			*stdin_prompt = prompt;
		else
			strvec_push(argv, prompt);
	}
	/* the agent's argv is one exec on the host, and in a container the
	 * engine CLI's argv too: past the kernel's limits it cannot start */
	size_t total = 0, max = exec_string_max();
	for (size_t i = 0; i < argv->nr; i++) {
		size_t n = strlen(argv->v[i]);
		total += n + 1 + sizeof(char *);
		if (n <= max)
			continue;
		if (prompt && argv->v[i] == argv->v[argv->nr - 1] && !*stdin_prompt) {
			error_set(err, PARA_EXIT_USAGE, "the prompt is %zu bytes; one argument can hold at most %zu",
				  n, max);
			return error_hint(err, "shorten it, or set agent.prompt to \"stdin\" so the agent reads it "
					       "from its input");
		}
		error_set(err, PARA_EXIT_CONFIG, "agent.command argument %zu is %zu bytes; one argument can hold "
			  "at most %zu", i + 1, n, max);
		return error_hint(err, "shorten it in the configuration");
	}
	if (total + 64 * 1024 > exec_room()) {
		error_set(err, PARA_EXIT_USAGE, "the agent's command line is %zu bytes, more than one command can "
			  "carry here", total);
		return error_hint(err, prompt && !*stdin_prompt ? "set agent.prompt to \"stdin\", or shorten the "
								   "prompt" : "shorten agent.command");
	}
	return 0;
}

int cli_host_has(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char *copy = xstrdup(path), *save = NULL;
	int found = 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", prog);
		struct stat st;
		found = stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

const char *human_age(long long created, char *buf, size_t n)
{
	long long d = (long long)time(NULL) - created;
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(buf, n, "%llds", d);
	else if (d < 3600)
		snprintf(buf, n, "%lldm", d / 60);
	else if (d < 86400)
		snprintf(buf, n, "%lldh", d / 3600);
	else
		snprintf(buf, n, "%lldd", d / 86400);
	return buf;
}
