/*
 * Every command and every option, once. The parser (options.c), --help
 * (help.c), the completions (complete.c) and the man page's check
 * (tests/integration/t_completion.sh) all read this table, so they cannot
 * disagree. A command's code only says where each option's value goes
 * (struct cli_bind); what the option is, is said here. The prose of each
 * command's help is in help.txt.
 */
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"
#include "util/banned.h"

#define END { NULL, 0, CLI_FLAG, NULL, COMP_NONE, NULL }

#define ENV_OPTS                                                                                              \
	{ "env", 'e', CLI_ENV_VAR, "KEY[=VALUE]", COMP_NONE,                                                  \
	  "set a variable in the container (KEY alone: its host value); repeatable" },                        \
	{ "env-file", 0, CLI_ENV_FILE, "PATH", COMP_FILE,                                                     \
	  "variables from a .env-style file (repeatable; later files win)" },                                 \
	{ "no-forward-keys", 0, CLI_ENV_NO_FORWARD, NULL, COMP_NONE,                                          \
	  "do not forward host variables (docker.forward_env, git identity)" },                               \
	{ "docker-profile", 0, CLI_ENV_PROFILE, "P", COMP_PROFILE, "use profile P of docker.profiles" }

static const struct cli_optdef start_opts[] = {
	{ "prompt", 'p', CLI_STR, "PROMPT", COMP_NONE, "the prompt for the agent" },
	{ "file", 'f', CLI_STR, "FILE", COMP_FILE, "read the prompt from FILE" },
	{ "dangerously-skip-permissions", 'd', CLI_FLAG, NULL, COMP_NONE,
	  "add agent.skip_permissions_args to the agent's arguments" },
	{ "detach", 0, CLI_FLAG, NULL, COMP_NONE, "create the session and return without running the agent" },
	{ "ide", 0, CLI_FLAG, NULL, COMP_NONE, "then open the IDE on the session (see 'para open')" },
	{ "allow-dirty", 0, CLI_FLAG, NULL, COMP_NONE, "start even if the main checkout has uncommitted changes" },
	{ "container", 'c', CLI_FLAG, NULL, COMP_NONE, "run the session in a container (worktree at /workspace)" },
	{ "docker-image", 0, CLI_STR, "IMG", COMP_IMAGE, "image for the container (default: docker.default_image)" },
	{ "build", 0, CLI_FLAG, NULL, COMP_NONE, "build the project Dockerfile's image even if one with its hash exists" },
	{ "no-cache", 0, CLI_FLAG, NULL, COMP_NONE, "build it without the engine's layer cache" },
	{ "mount", 0, CLI_STRV, "SRC:DST[:ro]", COMP_NONE,
	  "mount SRC (a host path, ~/..., ./... of the repository, or a volume name) at DST; repeatable" },
	{ "docker-args", 0, CLI_STRV, "ARGS", COMP_NONE,
	  "more engine flags, split like sh but with no expansion; repeatable, after para's own" },
	{ "setup-script", 0, CLI_STR, "FILE", COMP_FILE,
	  "run FILE once in the new container (default: .para/setup-docker.sh, .para/setup.sh, docker.setup_script)" },
	{ "memory", 0, CLI_STR, "SIZE", COMP_NONE, "the container's memory limit (2g, 512m)" },
	{ "cpus", 0, CLI_STR, "N", COMP_NONE, "the CPUs it may use (1.5)" },
	{ "pids-limit", 0, CLI_STR, "N", COMP_NONE, "the most processes it may have" },
	{ "gpus", 0, CLI_STR, "G", COMP_NONE, "the GPUs it gets (all, or a number)" },
	{ "shm-size", 0, CLI_STR, "SIZE", COMP_NONE, "the size of its /dev/shm" },
	{ "allow-domains", 0, CLI_STRV, "LIST", COMP_NONE,
	  "isolate the network: only these hosts (a,*.b.org,c:8443; added to docker.network.allowed_domains)" },
	ENV_OPTS,
	{ "dry-run", 0, CLI_FLAG, NULL, COMP_NONE, "print the plan and the exact engine commands; create nothing" },
	{ "json", 0, CLI_FLAG, NULL, COMP_NONE, "with --dry-run: the plan as JSON" },
	{ "reveal", 0, CLI_FLAG, NULL, COMP_NONE, "with --dry-run: show secret values instead of ********" },
	END,
};

static const struct cli_optdef resume_opts[] = {
	{ "prompt", 'p', CLI_STR, "PROMPT", COMP_NONE, "a new prompt for the agent" },
	{ "file", 'f', CLI_STR, "FILE", COMP_FILE, "read the prompt from FILE" },
	{ "dangerously-skip-permissions", 'd', CLI_FLAG, NULL, COMP_NONE,
	  "add agent.skip_permissions_args to the agent's arguments" },
	ENV_OPTS,
	END,
};

static const struct cli_optdef enter_opts[] = { ENV_OPTS, END };

static const struct cli_optdef list_opts[] = {
	{ "all", 'a', CLI_FLAG, NULL, COMP_NONE, "also list archived sessions (para cancel)" },
	{ "json", 0, CLI_FLAG, NULL, COMP_NONE, "machine-readable (docs/json.md)" },
	END,
};

static const struct cli_optdef json_opts[] = {
	{ "json", 0, CLI_FLAG, NULL, COMP_NONE, "machine-readable (docs/json.md)" },
	END,
};

static const struct cli_optdef logs_opts[] = {
	{ "network", 0, CLI_FLAG, NULL, COMP_NONE, "the egress proxy's log of an isolated session" },
	END,
};

static const struct cli_optdef finish_opts[] = {
	{ "branch", 'b', CLI_STR, "BRANCH", COMP_NONE, "rename the session branch to BRANCH" },
	END,
};

static const struct cli_optdef cancel_opts[] = {
	{ "force", 'f', CLI_FLAG, NULL, COMP_NONE, "do not ask for confirmation on a terminal" },
	END,
};

static const struct cli_optdef clean_opts[] = {
	{ "dry-run", 'n', CLI_FLAG, NULL, COMP_NONE, "say what would be removed; remove nothing" },
	{ "containers", 0, CLI_FLAG, NULL, COMP_NONE,
	  "also remove containers labelled for this repository that no session owns" },
	{ "archived", 0, CLI_STR, "DAYS", COMP_NONE, "also delete archive branches older than DAYS days" },
	END,
};

static const struct cli_optdef config_show_opts[] = {
	{ "json", 0, CLI_FLAG, NULL, COMP_NONE, "machine-readable (docs/json.md)" },
	{ "origin", 0, CLI_FLAG, NULL, COMP_NONE, "each value with the file that set it" },
	END,
};

static const struct cli_optdef project_opts[] = {
	{ "project", 0, CLI_FLAG, NULL, COMP_NONE, "the repository's .para/config.json, not the user's file" },
	END,
};

static const struct cli_optdef trust_opts[] = {
	{ "show", 0, CLI_FLAG, NULL, COMP_NONE, "the state (trusted, untrusted, changed) and the keys; no change" },
	END,
};

static const struct cli_optdef env_opts[] = {
	{ "container", 'c', CLI_FLAG, NULL, COMP_NONE, "accepted as start's -c (env always shows a container's)" },
	ENV_OPTS,
	{ "json", 0, CLI_FLAG, NULL, COMP_NONE, "machine-readable (docs/json.md)" },
	{ "reveal", 0, CLI_FLAG, NULL, COMP_NONE, "show secret values instead of ********" },
	END,
};

static const struct cli_optdef image_build_opts[] = {
	{ "force", 'f', CLI_FLAG, NULL, COMP_NONE, "build even if an image with the hash exists" },
	{ "no-cache", 0, CLI_FLAG, NULL, COMP_NONE, "build without the engine's layer cache (implies --force)" },
	END,
};

static const struct cli_optdef image_prune_opts[] = {
	{ "dry-run", 'n', CLI_FLAG, NULL, COMP_NONE, "say what would be removed; remove nothing" },
	END,
};

static const struct cli_optdef image_bootstrap_opts[] = {
	{ "from", 0, CLI_STR, "SOURCE", COMP_CHOICES, "debootstrap (default) or busybox" },
	{ "suite", 0, CLI_STR, "S", COMP_NONE, "the Debian suite (default bookworm)" },
	{ "tag", 0, CLI_STR, "T", COMP_NONE, "the image's tag (default para-base:SUITE, para-base:busybox)" },
	{ "mirror", 0, CLI_STR, "URL", COMP_NONE, "the Debian mirror (default http://deb.debian.org/debian)" },
	END,
};

static const struct cli_optdef auth_setup_opts[] = {
	{ "commit", 0, CLI_FLAG, NULL, COMP_NONE,
	  "also commit para-authenticated:latest with the login in it (it then holds secrets)" },
	{ "docker-image", 0, CLI_STR, "IMG", COMP_IMAGE, "the image to log in from (default: as a start picks it)" },
	END,
};

static const struct cli_optdef auth_reset_opts[] = {
	{ "force", 'f', CLI_FLAG, NULL, COMP_NONE, "also remove stopped containers that use the volume" },
	END,
};

static const struct cli_optdef none[] = { END };

/* "image bootstrap --from" takes one of these */
const char *cli_choices(const struct cli_cmddef *cmd, const struct cli_optdef *o)
{
	if (o && !strcmp(o->name, "from"))
		return "debootstrap busybox";
	if (!o && !strcmp(cmd->name, "completion"))
		return "bash zsh fish";
	return NULL;
}

/* Commands, then each one's subcommands ("image build"): a subcommand has no
 * fn of its own (its parent's dispatches) and is found by its full name. */
const struct cli_cmddef cli_commands[] = {
	{ "start", NULL, cmd_start, "create a session and launch the agent in it", start_opts, 0, COMP_NONE },
	{ "dispatch", NULL, cmd_dispatch, "start with a required prompt", start_opts, 0, COMP_NONE },
	{ "list", "ls", cmd_list, "list the sessions of this repository", list_opts, 0, COMP_NONE },
	{ "resume", NULL, cmd_resume, "re-launch the agent in a session", resume_opts, 0, COMP_SESSION },
	{ "shell", NULL, cmd_shell, "open a shell in a session", enter_opts, 0, COMP_SESSION },
	{ "exec", NULL, cmd_exec, "run one command in a session", enter_opts, 0, COMP_SESSION },
	{ "open", NULL, cmd_open, "open the IDE (ide.command) on a session", none, 0, COMP_SESSION },
	{ "finish", NULL, cmd_finish, "commit the session's work and remove it", finish_opts, 0,
	  COMP_SESSION },
	{ "cancel", NULL, cmd_cancel, "archive a session (never loses work)", cancel_opts, 0, COMP_SESSION },
	{ "recover", NULL, cmd_recover, "bring an archived session back", none, 0, COMP_ARCHIVED },
	{ "clean", NULL, cmd_clean, "remove what no session owns", clean_opts, 0, COMP_NONE },
	{ "status", NULL, cmd_status, "one session in detail", json_opts, 0, COMP_SESSION },
	{ "logs", NULL, cmd_logs, "a container session's output, or with --network its proxy's log", logs_opts, 0,
	  COMP_SESSION },
	{ "doctor", NULL, cmd_doctor, "check git, the engine, images and config", none, 0, COMP_NONE },
	{ "config", NULL, cmd_config, "show, check and change the configuration", none, 0, COMP_NONE },
	{ "config show", NULL, NULL, "the merged configuration", config_show_opts, 0, COMP_NONE },
	{ "config path", NULL, NULL, "the config files para reads, in order", none, 0, COMP_NONE },
	{ "config validate", NULL, NULL, "check every layer, and FILE over them", none, 0, COMP_FILE },
	{ "config set", NULL, NULL, "write KEY VALUE into a config file", project_opts, 0, COMP_CONFIG_KEY },
	{ "config unset", NULL, NULL, "remove KEY from a config file", project_opts, 0, COMP_CONFIG_KEY },
	{ "config edit", NULL, NULL, "edit a config file, kept only when valid", project_opts, 0, COMP_NONE },
	{ "config init", NULL, NULL, "write every key at its default, commented out", project_opts, 0,
	  COMP_NONE },
	{ "profile", NULL, cmd_profile, "list the docker profiles, or show one resolved", none, 0, COMP_NONE },
	{ "profile list", NULL, NULL, "the profiles of docker.profiles", json_opts, 0, COMP_NONE },
	{ "profile show", NULL, NULL, "one profile as a start resolves it", json_opts, 0, COMP_PROFILE },
	{ "trust", NULL, cmd_trust, "let this repository's .para/config.json widen what para does", trust_opts, 0,
	  COMP_NONE },
	{ "untrust", NULL, cmd_untrust, "forget the trust given to this repository", none, 0, COMP_NONE },
	{ "env", NULL, cmd_env, "the environment a container session gets", env_opts, 0, COMP_SESSION },
	{ "image", NULL, cmd_image, "build, list and prune project images; bootstrap base images", none, 0,
	  COMP_NONE },
	{ "image build", NULL, NULL, "build the project Dockerfile's image", image_build_opts, 0, COMP_NONE },
	{ "image list", NULL, NULL, "the para-built images of this repository", json_opts, 0, COMP_NONE },
	{ "image prune", NULL, NULL, "remove all of them but the current one", image_prune_opts, 0, COMP_NONE },
	{ "image bootstrap", NULL, NULL, "a base image with no registry", image_bootstrap_opts, 0, COMP_NONE },
	{ "auth", NULL, cmd_auth, "log the agent in once, into the home volume every container gets", none, 0,
	  COMP_NONE },
	{ "auth setup", NULL, NULL, "run agent.login_command in a container with the home volume", auth_setup_opts,
	  0, COMP_NONE },
	{ "auth status", NULL, NULL, "whether the home volume holds a login (never its content)", json_opts, 0,
	  COMP_NONE },
	{ "auth reset", NULL, NULL, "remove the home volume", auth_reset_opts, 0, COMP_NONE },
	{ "completion", NULL, cmd_completion, "print the shell completion script for bash, zsh or fish", none, 0,
	  COMP_CHOICES },
	{ "version", NULL, cmd_version, "print the version", none, 0, COMP_NONE },
	{ "help", NULL, cmd_help, "help on a command", none, 0, COMP_COMMAND },
	{ "__complete", NULL, cmd_complete, "what completes the words given (the completion scripts' helper)", none,
	  CLI_HIDDEN, COMP_NONE },
	{ "__table", NULL, cmd_table, "every command and option of this table, one a line (tests)", none,
	  CLI_HIDDEN, COMP_NONE },
	{ NULL, NULL, NULL, NULL, NULL, 0, COMP_NONE },
};

/* The options every command has, after its own. */
const struct cli_optdef cli_common_quiet = { "quiet", 'q', CLI_FLAG, NULL, COMP_NONE,
					     "no progress notes on stderr (list: names only)" };
const struct cli_optdef cli_common_verbose = { "verbose", 'v', CLI_FLAG, NULL, COMP_NONE,
					       "show each engine command" };
const struct cli_optdef cli_common_help = { "help", 'h', CLI_FLAG, NULL, COMP_NONE, "this help" };

const struct cli_cmddef *cli_cmd(const char *name)
{
	for (const struct cli_cmddef *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

const char *cli_sub_word(const struct cli_cmddef *parent, const struct cli_cmddef *c)
{
	size_t n = strlen(parent->name);
	return !strncmp(c->name, parent->name, n) && c->name[n] == ' ' ? c->name + n + 1 : NULL;
}

const struct cli_cmddef *cli_sub(const struct cli_cmddef *parent, const char *word)
{
	for (const struct cli_cmddef *c = cli_commands; c->name; c++) {
		const char *w = cli_sub_word(parent, c);
		if (w && !strcmp(w, word))
			return c;
	}
	return NULL;
}

int cli_has_subs(const struct cli_cmddef *parent)
{
	for (const struct cli_cmddef *c = cli_commands; c->name; c++)
		if (cli_sub_word(parent, c))
			return 1;
	return 0;
}
