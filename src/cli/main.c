/* para: run coding agents in parallel, isolated sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/sig.h"
#include "version.h"
#include "util/banned.h"

/* A command as typed first: a top-level one, not hidden... except the
 * completion scripts' helper, which they call by name. */
static const struct cli_cmddef *top(const char *name)
{
	const struct cli_cmddef *c = cli_cmd(name);
	return c && c->fn ? c : NULL;
}

static void usage_all(FILE *f)
{
	fputs("usage: para COMMAND [options]\n\n"
	      "Run coding agents in parallel, isolated sessions: a git worktree on its own\n"
	      "branch, and with -c a container holding the agent.\n\ncommands:\n",
	      f);
	for (const struct cli_cmddef *c = cli_commands; c->name; c++)
		if (c->fn && !(c->flags & CLI_HIDDEN))
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\n'para COMMAND --help' for a command's options. Every command also takes\n"
	      "-q (no progress notes on stderr; list: names only), -v (show each engine\n"
	      "command) and -h. --json documents: docs/json.md. Colour only on a terminal,\n"
	      "never with NO_COLOR set. Exit codes: 0 ok, 1 failure, 2 usage, 3 engine\n"
	      "unreachable, 4 invalid or untrusted config ('para trust'), else the agent's\n"
	      "own code.\n",
	      f);
}

void cli_help_exit(const char *name)
{
	int r = cli_help(name);
	if (fflush(stdout) != 0 && !r)
		r = PARA_EXIT_FAIL;
	exit(r);
}

int cmd_help(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	const struct cli_bind opts[] = { CLI_BIND_END };
	int first = cli_parse(&c, "help", argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	argc -= first - 1;
	argv += first - 1;
	if (argc > 1) {
		const struct cli_cmddef *d = top(argv[1]);
		if (!d || (d->flags & CLI_HIDDEN))
			return cli_usage("help", "unknown command '%s'", argv[1]);
		return cli_help(argv[1]);
	}
	usage_all(stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	const struct cli_bind opts[] = { CLI_BIND_END };
	int first = cli_parse(&c, "version", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	printf("para %s\n", PARA_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	sig_setup();
	cli_setup_output();
	if (argc < 2) {
		usage_all(stderr);
		return PARA_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_all(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	const struct cli_cmddef *c = top(argv[1]);
	if (!c) {
		fprintf(stderr, "para: unknown command '%s' (see 'para --help')\n", argv[1]);
		return PARA_EXIT_USAGE;
	}
	/* right after the command: its help, for every command. Anywhere else
	 * only an option parser can tell --help from a value (start -p --help)
	 * or from the words of a command or prompt (exec s ls --help). */
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		return cli_help(c->name);
	int r = c->fn(argc - 1, argv + 1);
	if (fflush(stdout) != 0 && !r)
		r = PARA_EXIT_FAIL;
	return r;
}
