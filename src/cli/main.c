/* para: run coding agents in parallel, isolated sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/sig.h"
#include "version.h"
#include "util/banned.h"

#define ENV_OPTS                                                                                            \
	"  -e, --env KEY[=VALUE]    set a variable in the container (KEY alone: its host value)\n"            \
	"      --env-file PATH      variables from a .env-style file (repeatable; later files win)\n"         \
	"      --no-forward-keys    do not forward host variables (docker.forward_env, git identity)\n"       \
	"      --docker-profile P   use profile P of docker.profiles\n"

#define CONTAINER_OPTS                                                                                      \
	"  -c, --container          run the session in a container (worktree at /workspace)\n"               \
	"      --docker-image IMG   image for the container (default: docker.default_image)\n"                \
	ENV_OPTS                                                                                            \
	"      --dry-run            print the plan and the exact engine commands; create nothing\n"          \
	"      --json               with --dry-run: the plan as JSON\n"                                       \
	"      --reveal             with --dry-run: show secret values instead of ********\n"

const struct cmd commands[] = {
	{ "start", NULL, cmd_start, "create a session and launch the agent in it",
	  "usage: para start [NAME] [-p PROMPT | -f FILE] [options]\n\n"
	  "Create a worktree on branch para/NAME (and, with -c, a container), then launch\n"
	  "the agent (agent.command) in it. The prompt comes from -p, -f or piped stdin.\n"
	  "Without NAME a free adjective-noun name is generated.\n\n"
	  "options:\n"
	  "  -p, --prompt PROMPT      the prompt for the agent\n"
	  "  -f, --file FILE          read the prompt from FILE\n"
	  "  -d, --dangerously-skip-permissions\n"
	  "                           add agent.skip_permissions_args to the agent's arguments\n"
	  "      --detach             create the session and return without running the agent\n"
	  "      --allow-dirty        start even if the main checkout has uncommitted changes\n"
	  CONTAINER_OPTS
	  "  -q, --quiet              no progress notes\n"
	  "  -v, --verbose            show each engine command\n" },
	{ "dispatch", NULL, cmd_dispatch, "start with a required prompt",
	  "usage: para dispatch [options] [NAME] PROMPT...\n\n"
	  "Like 'para start', with the prompt required. With two or more words, the first\n"
	  "is taken as the session NAME when it is a valid name; otherwise every word is\n"
	  "the prompt and a name is generated. Options are those of 'para start', and\n"
	  "come first: every word after the first non-option (--help too) is the prompt's.\n" },
	{ "list", "ls", cmd_list, "list the sessions of this repository",
	  "usage: para list [-a] [-q] [--json]\n\n"
	  "Sessions with branch, age, changed files and container state.\n\n"
	  "options:\n"
	  "  -a, --all     also list archived sessions (para cancel)\n"
	  "  -q, --quiet   names only\n"
	  "      --json    machine-readable\n" },
	{ "resume", NULL, cmd_resume, "re-launch the agent in a session",
	  "usage: para resume [NAME] [-p PROMPT | -f FILE] [-d] [-e KEY[=VALUE]] [--env-file PATH]\n\n"
	  "Run the agent again in an existing session. A stopped container is started, a\n"
	  "vanished one is re-created from the saved spec, its environment resolved again\n"
	  "from its sources (values given as literal -e must be given again: para keeps no\n"
	  "values). New -e/--env-file replace the ones the session was started with.\n" },
	{ "shell", NULL, cmd_shell, "open a shell in a session",
	  "usage: para shell [NAME] [-e KEY[=VALUE]] [--env-file PATH]\n\n"
	  "An interactive shell in the session's container (bash if it has one, else sh),\n"
	  "or in its worktree ($SHELL) for a host session. -e/--env-file add variables for\n"
	  "this shell only.\n" },
	{ "exec", NULL, cmd_exec, "run one command in a session",
	  "usage: para exec [-e KEY[=VALUE]] [--env-file PATH] NAME -- COMMAND [ARG...]\n\n"
	  "Run COMMAND in the session (container or worktree); exits with its code.\n"
	  "-e/--env-file add variables for this command only.\n" },
	{ "finish", NULL, cmd_finish, "commit the session's work and remove it",
	  "usage: para finish MESSAGE [NAME] [-b BRANCH]\n\n"
	  "Stage and commit every change on the session branch with MESSAGE, remove the\n"
	  "container and the worktree. The branch stays for review.\n\n"
	  "options:\n"
	  "  -b, --branch BRANCH   rename the session branch to BRANCH\n" },
	{ "cancel", NULL, cmd_cancel, "archive a session (never loses work)",
	  "usage: para cancel [NAME] [-f]\n\n"
	  "Commit uncommitted and untracked work to para/archived/<UTC stamp>/NAME, then\n"
	  "remove the container, worktree and session branch. 'para recover' undoes it.\n"
	  "Files git ignores are not archived and go with the worktree; staged and\n"
	  "unstaged changes come back alike (unstaged). A git repository created inside\n"
	  "the worktree cannot be archived: cancel refuses and changes nothing.\n\n"
	  "options:\n"
	  "  -f, --force   do not ask for confirmation on a terminal\n" },
	{ "recover", NULL, cmd_recover, "bring an archived session back",
	  "usage: para recover [NAME]\n\n"
	  "Re-create the newest archived session NAME (or the newest archive of all): its\n"
	  "branch, worktree, and its uncommitted files as uncommitted files.\n" },
	{ "clean", NULL, cmd_clean, "remove what no session owns",
	  "usage: para clean [--dry-run] [--containers] [--archived DAYS]\n\n"
	  "Remove stale session state (starts that died), worktrees no session owns\n"
	  "(their work is archived first), and git's stale worktree records.\n\n"
	  "options:\n"
	  "      --dry-run         say what would be removed; remove nothing\n"
	  "      --containers      also remove containers labelled for this repository\n"
	  "                        that no session owns\n"
	  "      --archived DAYS   also delete archive branches older than DAYS days\n" },
	{ "status", NULL, cmd_status, "one session in detail",
	  "usage: para status [NAME] [--json]\n\n"
	  "Branch, worktree, changes, container state (building, starting, running,\n"
	  "exited, missing, error), image, spec hash, engine reachability.\n" },
	{ "doctor", NULL, cmd_doctor, "check git, the engine, images and config",
	  "usage: para doctor\n\n"
	  "Check git, the engine CLI and daemon, the default image and the config files;\n"
	  "for each problem, say the command that fixes it. Exit 1 when any check fails.\n" },
	{ "config", NULL, cmd_config, "show the merged configuration",
	  "usage: para config show [--json] | para config path\n\n"
	  "show: the merged configuration (defaults, user, project, PARA_CONFIG); an\n"
	  "  untrusted project file is shown too, with a warning naming its keys.\n"
	  "path: the config files para reads, in order.\n" },
	{ "trust", NULL, cmd_trust, "let this repository's .para/config.json widen what para does",
	  "usage: para trust [--show]\n\n"
	  "A repository's .para/config.json may not run anything on the host or widen what\n"
	  "a container may touch until you trust it: keys such as agent.command,\n"
	  "docker.runtime, docker_args, docker.user, mounts or paths outside the\n"
	  "repository (the man page's TRUST section lists them all).\n"
	  "Until then, commands that load the config refuse (exit 4) and name those keys.\n"
	  "'para trust' records the file's hash and those keys' values outside the\n"
	  "repository ($XDG_STATE_HOME/para/trust/) and prints them; when one of them\n"
	  "changes, para refuses again and names it. Files para reads from the repository\n"
	  "(.env, the project Dockerfile, env files) that a symlink takes outside it are\n"
	  "recorded too. User config and PARA_CONFIG are always trusted.\n\n"
	  "options:\n"
	  "      --show   the state (trusted, untrusted, changed) and the keys; no change\n" },
	{ "untrust", NULL, cmd_untrust, "forget the trust given to this repository",
	  "usage: para untrust\n\n"
	  "Remove this repository's trust record: its widening keys are refused again\n"
	  "until 'para trust'.\n" },
	{ "env", NULL, cmd_env, "the environment a container session gets",
	  "usage: para env [NAME] [-e KEY[=VALUE]] [--env-file PATH] [--no-forward-keys]\n"
	  "                [--docker-profile P] [--json] [--reveal]\n\n"
	  "Each variable a container would get, its value (secrets masked unless --reveal)\n"
	  "and the level it came from, highest first:\n"
	  "  1 -e   2 --env-file   3 PARA_DOCKER_ENV   4 profile env_vars, env_file\n"
	  "  5 docker.env, docker.default_env_file   6 the project's .env\n"
	  "  7 forwarded host variables (docker.forward_env) and the git identity\n"
	  "Without NAME: a new session; with NAME: that session (new -e replace its saved\n"
	  "-e, new --env-file its saved --env-file; what its container has that the host\n"
	  "no longer gives is shown as \"in the container\"). Masked: names with KEY,\n"
	  "TOKEN, SECRET, PASSWORD, and every value that came from a file.\n" },
	{ "image", NULL, cmd_image, "build, list and prune project images; bootstrap base images",
	  "usage: para image build [--force] [--no-cache] [-q]\n"
	  "       para image list [--json]\n"
	  "       para image prune [--dry-run]\n"
	  "       para image bootstrap [--from debootstrap|busybox] [--suite S] [--tag T] [--mirror URL]\n\n"
	  "build: the project Dockerfile (.para/Dockerfile or docker.dockerfile) into\n"
	  "  para-<repo>:<hash>, the hash covering the Dockerfile, build args, target and\n"
	  "  every file of the context the engine receives (.dockerignore honoured). An\n"
	  "  image with that hash already there: no build. --force builds anyway.\n"
	  "list: para-built images of this repository; * marks the current one.\n"
	  "prune: remove all of them but the current one.\n"
	  "bootstrap: a base image with no registry at all: from a Debian mirror with\n"
	  "  debootstrap (root; default tag para-base:SUITE), or from the host's static\n"
	  "  busybox (para-base:busybox).\n" },
	{ "version", NULL, cmd_version, "print the version", "usage: para version\n" },
	{ "help", NULL, cmd_help, "help on a command", "usage: para help [COMMAND]\n" },
	{ NULL, NULL, NULL, NULL, NULL },
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
	fputs("\n'para COMMAND --help' for a command's options. Exit codes: 0 ok, 1 failure,\n"
	      "2 usage, 3 engine unreachable, 4 invalid or untrusted config ('para trust'),\n"
	      "else the agent's own code.\n",
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
	if (argc > 1) {
		if (!cmd_find(argv[1]))
			return cli_usage("help", "unknown command '%s'", argv[1]);
		return cli_help(argv[1]);
	}
	usage_all(stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
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
		return cmd_version(argc, argv);
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
