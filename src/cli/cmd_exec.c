/* para resume / para shell / para exec: run the agent, a shell or a command in a session */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/netpolicy.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct enter {
	const char *name;
	const char *const *argv;
	const char *in;
	size_t in_len;
	int is_agent;  /* check the host agent binary; save new env inputs */
	struct env_inputs env;
};

/*
 * A container exec that exited 1 (125: podman's own errors): the command's
 * status, or the engine's when the container is not running, which only the
 * container's state tells apart. The hot path never asks before the exec;
 * this does, after one that may have missed: a running container means the
 * status is the command's. Otherwise the container is brought up as before
 * (started, or re-created from the saved spec) and *again is set, unless the
 * command did start (its pid file is there: it stopped its own container),
 * so that it never runs twice. spec becomes the one the container is up with.
 */
static int exec_recover(struct cli *c, struct session *s, struct container_spec *spec, const struct env_inputs *given,
			int *again, struct error *err)
{
	char *state = NULL;
	*again = 0;
	if (engine_state(&c->eng, spec->name, &state, err) < 0)
		return -1;
	if (state && !strcmp(state, "running")) {
		free(state);
		return 0;
	}
	int began = state ? engine_exec_began(&c->eng, spec->name, err) : 0;
	if (began > 0)
		cli_warn("container '%s' stopped (%s) while the command ran; it is not run again", spec->name, state);
	if (began) {
		free(state);
		return began < 0 ? -1 : 0;
	}
	/* as before the exec: the saved spec, the container up, the -e/--env-file
	 * of this exec over it (their notes were shown already) */
	struct container_spec fresh = CONTAINER_SPEC_INIT;
	struct strvec notes = STRVEC_INIT;
	int r = cli_session_spec(c, s, &fresh, err);
	if (r == 0)
		r = cli_container_up_from(c, s, &fresh, given, state, err);
	if (r == 0)
		r = envres_resolve_extra(given, &fresh, &notes, err);
	free(state);
	strvec_clear(&notes);
	if (r < 0) {
		spec_clear(&fresh);
		return -1;
	}
	spec_clear(spec);
	*spec = fresh;
	*again = 1;
	return 0;
}

/* A container session's spec (its proxy up, the environment of this
 * command resolved); a host session: that it can run e. */
static int prepare(struct cli *c, struct enter *e, struct session *s, struct container_spec *spec,
		   struct error *err)
{
	if (!s->container && env_inputs_given(&e->env)) {
		error_set(err, PARA_EXIT_USAGE, "'%s' is a host session: environment options apply to containers", s->name);
		return -1;
	}
	if (!s->container && e->is_agent && !cli_host_has(e->argv[0])) {
		error_set(err, PARA_EXIT_FAIL, "agent command '%s' not found", e->argv[0]);
		return error_hint(err, "install it, or set agent.command in .para/config.json");
	}
	if (!s->container)
		return 0;
	struct strvec notes = STRVEC_INIT;
	/* an isolated session's proxy still first: a dead one is no egress */
	int r = cli_session_spec(c, s, spec, err) < 0 || (spec->isolated && netpolicy_up(&c->eng, spec, NULL, err) < 0) ||
			envres_resolve_extra(&e->env, spec, &notes, err) < 0
		? -1
		: 0;
	if (r == 0)
		cli_env_notes(c, &notes);
	strvec_clear(&notes);
	if (r == 0 && e->is_agent && (e->env.e_args.nr || e->env.env_files.nr)) {
		/* resume with new -e/--env-file: they replace the saved ones */
		struct env_inputs merged = ENV_INPUTS_INIT;
		cli_session_env_inputs(s, &e->env, &merged);
		json_object_set_new(s->container, "env_inputs", env_inputs_to_json(&merged));
		env_inputs_clear(&merged);
		r = state_save(&c->repo, s, err);
	}
	return r;
}

/* Load the session, and for a container session its spec; then run argv
 * there. A container is not looked at first: the exec is tried, and only one
 * that may have failed for want of a running container brings it up and runs
 * again (exec_recover). Returns the exit code to use. */
static int run_there(struct cli *c, struct enter *e)
{
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct container_spec spec = CONTAINER_SPEC_INIT;
	int status = 0, ret;
	if (cli_session(c, e->name, &s, &err) < 0)
		goto fail;
	if (strcmp(s.phase, "ready")) {
		error_set(&err, PARA_EXIT_FAIL, "session '%s' is not ready (%s)", s.name, s.phase);
		error_hint(&err, "'para status %s' says more; 'para cancel %s' archives it", s.name, s.name);
		goto fail;
	}
	if (prepare(c, e, &s, &spec, &err) < 0)
		goto fail;
	unsigned mark = sig_count();
	/* the CLI's complaint about a container not there is not shown when
	 * para brings it up (or fails to, saying why in its own words) */
	c->eng.hold_exec_errors = 1;
	if (cli_run_in_session(c, &s, s.container ? &spec : NULL, e->argv, e->in, e->in_len, &status, &err) < 0)
		goto fail;
	if (s.container && (status == 1 || status == 125) && sig_count() == mark) {
		int again = 0;
		if (exec_recover(c, &s, &spec, &e->env, &again, &err) < 0)
			goto fail;
		c->eng.hold_exec_errors = 0;
		if (again && cli_run_in_session(c, &s, &spec, e->argv, e->in, e->in_len, &status, &err) < 0)
			goto fail;
	}
	if (c->eng.exec_held)
		fputs(c->eng.exec_held, stderr);
	/* what the agent committed in there is on the session branch now */
	ret = cli_sync(c, &s, &err) < 0 ? cli_fail(&err) : status;
	goto out;
fail:
	ret = cli_fail(&err);
out:
	session_clear(&s);
	spec_clear(&spec);
	return ret;
}

/* Options of resume, shell and exec: -p, -f and -d are resume's (non-NULL). */
static int parse_enter(int argc, char **argv, unsigned flags, struct cli *c, struct enter *e, const char **prompt,
		       const char **file, int *skip)
{
	const struct cli_bind opts[] = {
		{ "prompt", prompt },
		{ "file", file },
		{ "dangerously-skip-permissions", skip },
		CLI_BIND_ENV(&e->env),
		CLI_BIND_END,
	};
	return cli_parse(c, argv[0], argc, argv, prompt ? opts : opts + 3, flags);
}

int cmd_resume(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct strbuf pbuf = STRBUF_INIT;
	struct strvec agent = STRVEC_INIT;
	struct enter e = { .env = ENV_INPUTS_INIT, .is_agent = 1 };
	const char *prompt = NULL, *file = NULL;
	int skip = 0, ret;
	int first = parse_enter(argc, argv, 0, &c, &e, &prompt, &file, &skip);
	if (first < 0) {
		ret = -first;
		goto done;
	}
	if (argc - first > 1) {
		ret = cli_usage(argv[0], "too many arguments: give the prompt with -p (quoted)");
		goto done;
	}
	if (prompt && file) {
		ret = cli_usage(argv[0], "give the prompt with -p or -f, not both");
		goto done;
	}
	if (file && strbuf_read_file(&pbuf, file) < 0) {
		error_errno(&err, PARA_EXIT_FAIL, "cannot read prompt file '%s'", file);
		ret = cli_fail(&err);
		goto done;
	}
	if (file)
		prompt = pbuf.buf;
	if (cli_open(&c, &err) < 0) {
		ret = cli_fail(&err);
		goto done;
	}
	const char *stdin_prompt;
	if (cli_agent_argv(&c, skip, prompt, &agent, &stdin_prompt, &err) < 0) {
		ret = cli_fail(&err);
		goto done;
	}
	if (!agent.nr) {
		error_set(&err, PARA_EXIT_CONFIG, "agent.command is empty");
		ret = cli_fail(&err);
		goto done;
	}
	e.name = first < argc ? argv[first] : NULL;
	e.argv = (const char *const *)agent.v;
	e.in = stdin_prompt;
	e.in_len = stdin_prompt ? strlen(stdin_prompt) : 0;
	ret = run_there(&c, &e);
done:
	env_inputs_clear(&e.env);
	strvec_clear(&agent);
	strbuf_release(&pbuf);
	cli_close(&c);
	return ret;
}

int cmd_shell(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct enter e = { .env = ENV_INPUTS_INIT };
	struct session s = { 0 };
	int ret = 0, first = parse_enter(argc, argv, CLI_OPERANDS(1), &c, &e, NULL, NULL, NULL);
	if (first < 0) {
		ret = -first;
		goto done;
	}
	if (cli_open(&c, &err) < 0 || cli_session(&c, first < argc ? argv[first] : NULL, &s, &err) < 0) {
		ret = cli_fail(&err);
		goto done;
	}
	const char *sh = getenv("SHELL");
	const char *in_container[] = { "sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi",
				       NULL };
	const char *on_host[] = { sh && *sh ? sh : "/bin/sh", NULL };
	e.name = s.name;
	e.argv = s.container ? in_container : on_host;
	ret = run_there(&c, &e);
done:
	session_clear(&s);
	env_inputs_clear(&e.env);
	cli_close(&c);
	return ret;
}

int cmd_exec(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct enter e = { .env = ENV_INPUTS_INIT };
	int dd = 1, ret = 0, first;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	if (dd < argc) {
		/* para exec [options] NAME [options] -- COMMAND... */
		if ((first = parse_enter(dd, argv, 0, &c, &e, NULL, NULL, NULL)) < 0)
			goto bad;
		if (dd - first != 1) {
			ret = cli_usage(argv[0], dd == first ? "which session? usage: para exec NAME -- COMMAND..."
							     : "one session name before '--'");
			goto done;
		}
		e.name = argv[first];
		dd++;
	} else {
		/* para exec [options] NAME COMMAND...: options end at the name */
		if ((first = parse_enter(argc, argv, CLI_OPTIONS_FIRST, &c, &e, NULL, NULL, NULL)) < 0)
			goto bad;
		if (first >= argc) {
			ret = cli_usage(argv[0], "which session? usage: para exec NAME -- COMMAND...");
			goto done;
		}
		e.name = argv[first];
		dd = first + 1;
	}
	if (dd >= argc) {
		ret = cli_usage(argv[0], "no command given: para exec %s -- COMMAND...", e.name);
		goto done;
	}
	e.argv = (const char *const *)argv + dd;
	if (cli_open(&c, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = run_there(&c, &e);
	goto done;
bad:
	ret = -first;
done:
	env_inputs_clear(&e.env);
	cli_close(&c);
	return ret;
}
