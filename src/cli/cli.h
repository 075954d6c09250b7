/* The front end: the only code that prints or decides exit codes. */
#ifndef PARA_CLI_H
#define PARA_CLI_H
#include <stdio.h>

#include "config/config.h"
#include "container/engine.h"
#include "container/envres.h"
#include "container/spec.h"
#include "session/git.h"
#include "session/state.h"
#include "util/error.h"
#include "util/strbuf.h"

struct cli {
	struct repo repo;
	struct config cfg;
	struct engine eng;
	int verbose;
	int quiet;
};

#define CLI_INIT { REPO_INIT, CONFIG_INIT, ENGINE_INIT, 0, 0 }
/* The core's view of an open cli (session/lifecycle.h). */
#define CLI_LIFECYCLE(c) { &(c)->repo, &(c)->cfg, &(c)->eng, (c)->verbose }

/*
 * The table of commands and options (table.c): what the parser, --help and
 * the completions are made from.
 */
enum cli_opt_kind { CLI_FLAG, CLI_STR, CLI_STRV, CLI_ENV_VAR, CLI_ENV_FILE, CLI_ENV_NO_FORWARD, CLI_ENV_PROFILE };
/* What completes an option's value or a command's operands. */
enum cli_complete {
	COMP_NONE,
	COMP_FILE,
	COMP_SESSION,
	COMP_ARCHIVED,
	COMP_PROFILE,
	COMP_IMAGE,
	COMP_COMMAND,
	COMP_CONFIG_KEY,
	COMP_CHOICES, /* cli_choices() */
};
struct cli_optdef {
	const char *name; /* the long name, without "--" */
	int short_name;   /* its letter, or 0 */
	enum cli_opt_kind kind;
	const char *arg;  /* the value's name in help (NULL: a flag) */
	enum cli_complete comp;
	const char *help; /* one line */
};
#define CLI_HIDDEN 0x400u /* not in help, the man page or completions */
struct cli_cmddef {
	const char *name;  /* "start"; a subcommand: "image build" */
	const char *alias;
	int (*fn)(int argc, char **argv); /* NULL for a subcommand */
	const char *summary;
	const struct cli_optdef *opts;    /* its own, ending in a NULL name */
	unsigned flags;                   /* CLI_HIDDEN */
	enum cli_complete operand;        /* what its operands are */
};
extern const struct cli_cmddef cli_commands[];
extern const struct cli_optdef cli_common_quiet, cli_common_verbose, cli_common_help;
/* A command or subcommand by its full name (or alias), or NULL. */
const struct cli_cmddef *cli_cmd(const char *name);
/* The word of subcommand c of parent ("build" of "image build"), or NULL
 * when c is not one of parent's. */
const char *cli_sub_word(const struct cli_cmddef *parent, const struct cli_cmddef *c);
/* parent's subcommand WORD, or NULL; whether it has any. */
const struct cli_cmddef *cli_sub(const struct cli_cmddef *parent, const char *word);
int cli_has_subs(const struct cli_cmddef *parent);
/* The words a COMP_CHOICES value (o) or operand (o NULL) takes, space-separated. */
const char *cli_choices(const struct cli_cmddef *cmd, const struct cli_optdef *o);

/* The prose of each command's help (src/cli/help.txt, made C at build time). */
struct help_text {
	const char *name;
	const char *text;
};
extern const struct help_text help_texts[];

/* Discover the repository and load config; warnings go to stderr. */
int cli_open(struct cli *c, struct error *err);
void cli_close(struct cli *c);

/*
 * What escape codes output on f may carry; the one rule for all of para's
 * colour and cursor control. CLI_ESC_NONE: f is not a terminal (a pipe, a
 * file) or TERM is "dumb": no escape code at all, not even a progress
 * line's "\r\033[K". CLI_ESC_CURSOR: a terminal, but NO_COLOR is set and
 * not empty (no-color.org): a progress line, no colour. CLI_ESC_COLOR: both.
 */
enum cli_esc { CLI_ESC_NONE, CLI_ESC_CURSOR, CLI_ESC_COLOR };
enum cli_esc cli_color(FILE *f);
/* sgr when f may have colour (cli_color), else "". */
const char *cli_paint(FILE *f, const char *sgr);
#define CLI_SGR_ERROR "\033[1;31m"
#define CLI_SGR_WARN "\033[1;33m"
#define CLI_SGR_OK "\033[32m"
#define CLI_SGR_FAIL "\033[31m"
#define CLI_SGR_RESET "\033[0m"
/* Whether a live progress line (rewritten in place) may go to stderr; else
 * progress is plain lines, or nothing with -q. */
int cli_progress_line(void);
/* A --json document on stdout: the one format of all of them (docs/json.md):
 * indented by two, keys sorted, a newline at the end. */
void cli_print_json(const json_t *j);
/* A JSON string of v (UTF-8; a byte that is not becomes U+FFFD), or null
 * when v is NULL: never NULL itself, so a key is never left out. */
json_t *cli_json_str(const char *v);
/* -q of the command running, for the core's notes (set by cli_parse). */
void cli_output_quiet(int quiet);

/* Print err as one line ("para: error: …; hint") and return its exit code. */
int cli_fail(const struct error *err);
/* Usage error for cmd: one line pointing at --help; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "para: …" on stderr unless quiet. */
void cli_note(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Install the printers of the core's reports and of a fatal out-of-memory. */
void cli_setup_output(void);
/* --help or -h as an option of the command's own parser: its help on stdout, exit 0. */
_Noreturn void cli_help_exit(const char *name);

/* Resolve and load a session (name may be NULL: see session_resolve). */
int cli_session(struct cli *c, const char *name, struct session *s, struct error *err);
/* cli_session under the session's lock (held until session_clear). */
int cli_session_locked(struct cli *c, const char *name, struct session *s, struct error *err);
/* Host facts the docker_args check needs ($HOME, engine sockets, realpath). */
void cli_danger_ctx(const struct cli *c, struct dargs_ctx *d);
/* The git boundary's mounts for session name (spec_git_clear frees). */
void cli_spec_git(const struct cli *c, const char *name, struct spec_git *g);
/* Bring a container session's commits back to its branch (agentgit_sync). */
int cli_sync(struct cli *c, struct session *s, struct error *err);
/* The saved container spec of a container session, with env resolved again. */
int cli_session_spec(struct cli *c, const struct session *s, struct container_spec *spec, struct error *err);
/* Make sure the session's container runs: start it when stopped, re-create it
 * from the saved spec when it vanished (its environment resolved again from
 * the saved inputs, or from given when non-NULL). */
int cli_container_up(struct cli *c, struct session *s, struct container_spec *spec,
		     const struct env_inputs *given, struct error *err);
/* The same, the container's state already asked (NULL: gone), the proxy of
 * an isolated session already up. */
int cli_container_up_from(struct cli *c, struct session *s, struct container_spec *spec,
			  const struct env_inputs *given, const char *state, struct error *err);

/*
 * Run argv in the session: in its container when spec is non-NULL, else in
 * the worktree. in/in_len feed stdin (NULL: the terminal's stdin).
 */
int cli_run_in_session(struct cli *c, const struct session *s, const struct container_spec *spec,
		       const char *const *argv, const char *in, size_t in_len, int *status, struct error *err);

/* The IDE's argv: ide.command's words (split like sh, no expansion). Not
 * configured: exit 4; its program not on PATH: exit 1. */
int cli_ide_argv(const struct cli *c, struct strvec *argv, struct error *err);
/* Launch the IDE (ide from cli_ide_argv) on session s, detached: with the
 * worktree as its argument, or for a container session (spec non-NULL, its
 * container running) --folder-uri of the container's /workspace. */
int cli_ide_launch(struct cli *c, const struct session *s, const struct container_spec *spec,
		   const struct strvec *ide, struct error *err);

/* The agent's argv (agent.command [+ skip args] [+ prompt when prompt=arg]);
 * fails when it is more than one exec can carry. */
int cli_agent_argv(const struct cli *c, int skip_permissions, const char *prompt, struct strvec *argv,
		   const char **stdin_prompt, struct error *err);
/* Is argv[0] runnable on the host (PATH lookup)? */
int cli_host_has(const char *prog);

const char *human_age(long long created, char *buf, size_t n);

/*
 * Where a command's options go: for each option of its table entry, by long
 * name, the variable it sets: an int set to 1 (CLI_FLAG), a const char * to
 * its value (CLI_STR), a struct strvec that gets each value (CLI_STRV), a
 * struct env_inputs (CLI_ENV_*: CLI_BIND_ENV).
 */
struct cli_bind {
	const char *name;
	void *dest;
};
#define CLI_BIND_END { NULL, NULL }
#define CLI_BIND_ENV(in) { "env", (in) }, { "env-file", (in) }, { "no-forward-keys", (in) }, { "docker-profile", (in) }
/* flags of cli_parse: at most n operands (n < 255; without it, any number) */
#define CLI_OPERANDS(n) ((unsigned)(n) + 1u)
#define CLI_OPTIONS_FIRST 0x200u /* options end at the first operand */
/*
 * Parse argv[1..] as command cmd of the table ("image build" for a
 * subcommand, argv[0] being "build"): its options, -v/--verbose (sets
 * c->verbose), -q/--quiet where the table says (c->quiet, unless the
 * command binds "quiet" itself), -h/--help (shows the help and exits).
 * binds must name each of cmd's options exactly once (else: abort, a bug).
 * Returns the index of the first operand; on a bad option or too many
 * operands, prints one line and returns minus the exit code.
 */
int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const struct cli_bind *binds, unsigned flags);
/* "  -p, --prompt PROMPT", as help and the man page show an option. */
void cli_opt_synopsis(const struct cli_optdef *o, struct strbuf *sb);
/* The whole help of command c (a top-level one), into out. */
void cli_help_text(const struct cli_cmddef *c, struct strbuf *out);
/* Print the help of command name (with its subcommands) on stdout: 0, or 2
 * when there is no such command. */
int cli_help(const char *name);
/* Whether any environment option was given. */
int env_inputs_given(const struct env_inputs *in);
/* Warn when the container (made and running) sees no credentials: no API
 * key or token among its variables, and no file in its home volume
 * (home_files: what the container said as it came up; -1: look). */
void cli_credentials_warning(struct cli *c, const struct container_spec *spec, int home_files);
/* Print notes from resolution (verbose ones only with --verbose). */
void cli_env_notes(const struct cli *c, const struct strvec *notes);
/* The session's saved environment inputs, with new -e/--env-file replacing
 * the saved ones when given. */
void cli_session_env_inputs(const struct session *s, const struct env_inputs *given, struct env_inputs *out);

int cmd_start(int argc, char **argv);
int cmd_dispatch(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_finish(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_auth(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_untrust(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_complete(int argc, char **argv);
int cmd_table(int argc, char **argv);

#endif
