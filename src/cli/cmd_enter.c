/* para resume / para shell / para exec: enter an existing session */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Load the session, and for a container session its spec with the container
 * running; then run argv there. Returns the exit code to use. */
static int run_there(struct cli *c, const char *name, const char *const *argv, const char *in, size_t in_len,
		     int check_host_agent)
{
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct container_spec spec = CONTAINER_SPEC_INIT;
	int status = 0, ret;
	if (cli_session(c, name, &s, &err) < 0)
		goto fail;
	if (strcmp(s.phase, "ready")) {
		error_set(&err, 1, "session '%s' is not ready (%s)", s.name, s.phase);
		error_hint(&err, "'para status %s' says more; 'para cancel %s' archives it", s.name, s.name);
		goto fail;
	}
	if (s.container) {
		if (cli_session_spec(c, &s, &spec, &err) < 0 || cli_container_up(c, &spec, &err) < 0)
			goto fail;
	} else if (check_host_agent && !cli_host_has(argv[0])) {
		error_set(&err, 1, "agent command '%s' not found", argv[0]);
		error_hint(&err, "install it, or set agent.command in .para/config.json");
		goto fail;
	}
	if (cli_run_in_session(c, &s, s.container ? &spec : NULL, argv, in, in_len, &status, &err) < 0)
		goto fail;
	ret = status;
	goto out;
fail:
	ret = cli_fail(&err);
out:
	spec_clear(&spec);
	session_clear(&s);
	return ret;
}

int cmd_resume(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prompt", required_argument, NULL, 'p' }, { "file", required_argument, NULL, 'f' },
		{ "dangerously-skip-permissions", no_argument, NULL, 'd' }, { "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct strbuf pbuf = STRBUF_INIT;
	struct strvec agent = STRVEC_INIT;
	const char *prompt = NULL, *file = NULL;
	int skip = 0, opt, ret;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:f:dqv", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': prompt = optarg; break;
		case 'f': file = optarg; break;
		case 'd': skip = 1; break;
		case 'q': c.quiet = 1; break;
		case 'v': c.verbose = 1; break;
		case ':': return cli_usage(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "too many arguments: give the prompt with -p (quoted)");
	if (prompt && file)
		return cli_usage(argv[0], "give the prompt with -p or -f, not both");
	if (file && strbuf_read_file(&pbuf, file) < 0) {
		error_errno(&err, 1, "cannot read prompt file '%s'", file);
		strbuf_release(&pbuf);
		return cli_fail(&err);
	}
	if (file)
		prompt = pbuf.buf;
	if (cli_open(&c, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		const char *stdin_prompt;
		cli_agent_argv(&c, skip, prompt, &agent, &stdin_prompt);
		if (!agent.nr) {
			error_set(&err, PARA_EXIT_CONFIG, "agent.command is empty");
			ret = cli_fail(&err);
		} else {
			ret = run_there(&c, optind < argc ? argv[optind] : NULL, (const char *const *)agent.v,
					stdin_prompt, stdin_prompt ? strlen(stdin_prompt) : 0, 1);
		}
	}
	strvec_clear(&agent);
	strbuf_release(&pbuf);
	cli_close(&c);
	return ret;
}

int cmd_shell(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	int ret;
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && strcmp(argv[i], "-v") && strcmp(argv[i], "--verbose"))
			return cli_usage(argv[0], "unknown option '%s'", argv[i]);
		else if (argv[i][0] == '-')
			c.verbose = 1;
	const char *name = NULL;
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-') {
			if (name)
				return cli_usage(argv[0], "too many arguments");
			name = argv[i];
		}
	if (cli_open(&c, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		struct session s = { 0 };
		const char *sh = getenv("SHELL");
		if (cli_session(&c, name, &s, &err) < 0) {
			ret = cli_fail(&err);
		} else if (s.container) {
			const char *cmd[] = { "sh", "-c",
					      "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi", NULL };
			ret = run_there(&c, s.name, cmd, NULL, 0, 0);
		} else {
			const char *cmd[] = { sh && *sh ? sh : "/bin/sh", NULL };
			ret = run_there(&c, s.name, cmd, NULL, 0, 0);
		}
		session_clear(&s);
	}
	cli_close(&c);
	return ret;
}

int cmd_exec(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	int i = 1, ret;
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			c.verbose = 1;
		else
			return cli_usage(argv[0], "unknown option '%s'", argv[i]);
	}
	if (i >= argc || !strcmp(argv[i], "--"))
		return cli_usage(argv[0], "which session? usage: para exec NAME -- COMMAND...");
	const char *name = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return cli_usage(argv[0], "no command given: para exec %s -- COMMAND...", name);
	if (cli_open(&c, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = run_there(&c, name, (const char *const *)argv + i, NULL, 0, 0);
	cli_close(&c);
	return ret;
}
