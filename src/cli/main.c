/* para: run coding agents in parallel, isolated sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/sig.h"
#include "version.h"
#include "util/banned.h"

const struct cmd commands[] = {
	{ "start", NULL, cmd_start, "create a session and launch the agent in it" },
	{ "dispatch", NULL, cmd_dispatch, "start with a required prompt" },
	{ "list", "ls", cmd_list, "list the sessions of this repository" },
	{ "resume", NULL, cmd_resume, "re-launch the agent in a session" },
	{ "shell", NULL, cmd_shell, "open a shell in a session" },
	{ "exec", NULL, cmd_exec, "run one command in a session" },
	{ "finish", NULL, cmd_finish, "commit the session's work and remove it" },
	{ "cancel", NULL, cmd_cancel, "archive a session (never loses work)" },
	{ "recover", NULL, cmd_recover, "bring an archived session back" },
	{ "clean", NULL, cmd_clean, "remove what no session owns" },
	{ "status", NULL, cmd_status, "one session in detail" },
	{ "logs", NULL, cmd_logs, "a container session's output, or with --network its proxy's log" },
	{ "doctor", NULL, cmd_doctor, "check git, the engine, images and config" },
	{ "config", NULL, cmd_config, "show, check and change the configuration" },
	{ "profile", NULL, cmd_profile, "list the docker profiles, or show one resolved" },
	{ "trust", NULL, cmd_trust, "let this repository's .para/config.json widen what para does" },
	{ "untrust", NULL, cmd_untrust, "forget the trust given to this repository" },
	{ "env", NULL, cmd_env, "the environment a container session gets" },
	{ "image", NULL, cmd_image, "build, list and prune project images; bootstrap base images" },
	{ "version", NULL, cmd_version, "print the version" },
	{ "help", NULL, cmd_help, "help on a command" },
	{ NULL, NULL, NULL, NULL },
};

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

static void usage_all(FILE *f)
{
	fputs("usage: para COMMAND [options]\n\n"
	      "Run coding agents in parallel, isolated sessions: a git worktree on its own\n"
	      "branch, and with -c a container holding the agent.\n\ncommands:\n",
	      f);
	for (const struct cmd *c = commands; c->name; c++)
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
	const struct cli_opt opts[] = { CLI_OPT_END };
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	if (first < argc) {
		if (!cmd_find(argv[first]))
			return cli_usage("help", "unknown command '%s'", argv[first]);
		return cli_help(argv[first]);
	}
	usage_all(stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	const struct cli_opt opts[] = { CLI_OPT_END };
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(0));
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
	const struct cmd *c = cmd_find(argv[1]);
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
