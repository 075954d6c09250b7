/*
 * The container spec: everything that decides what a session container gets,
 * as plain data. spec_resolve() is pure given its inputs (config, session,
 * options, the host facts passed in); spec_render_*() turn a spec into engine
 * argv plus the engine's child environment. Variable values travel only in
 * that environment ("-e KEY" in argv), never on a command line.
 */
#ifndef PARA_SPEC_H
#define PARA_SPEC_H
#include <jansson.h>
#include <sys/types.h>

#include "config/config.h"
#include "parse/dockerargs.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

#define SPEC_WORKDIR "/workspace"
#define SPEC_HOME "/home/para"
#define SPEC_READY_FILE "/run/para-ready"
#define SPEC_READY_MARK "para-ready"     /* the keep-alive prints it when set up */
/* before it, when the image has find and head: does the home hold a file? */
#define SPEC_HOME_FILES "para-home: files"
#define SPEC_HOME_EMPTY "para-home: empty"
#define SPEC_RUN_LABEL "dev.para.run"    /* which para run created the container */
#define SPEC_HOME_ROLE "dev.para.role=home" /* the label of a home volume */
#define SPEC_AUTH_ROLE "dev.para.role=auth" /* the label of a para auth container */

enum spec_mount_type { MOUNT_BIND, MOUNT_VOLUME, MOUNT_TMPFS };
struct spec_mount {
	enum spec_mount_type type;
	char *src;         /* host path, volume name; NULL: an anonymous volume, tmpfs */
	char *dst;
	int ro;
	char *propagation; /* bind propagation, NULL: the engine's default */
	int nocopy;        /* volume: do not copy the image's files in */
};

struct spec_env {
	char *key;
	char *value;  /* never written to disk (only para's own are saved) */
	char *source; /* where it came from, e.g. "-e", ".env <path>", "para" */
	int secret;
	int level;    /* SPEC §2.2 priority level 1-7; 0 for para's own */
	int at_exec;  /* given to one exec only (exec/shell/resume -e), not to the container */
};

struct container_spec {
	char *name;
	char *image;
	char *user;       /* "UID:GID", or NULL to keep the image's user */
	int add_passwd;   /* give user a passwd entry and HOME (needs root setup at start) */
	char *home_volume; /* the named volume mounted at SPEC_HOME (HOME of every exec), or NULL */
	struct strvec labels; /* "key=value" */
	struct spec_mount *mounts;
	size_t nmounts, amounts;
	struct spec_env *env;
	size_t nenv, aenv;
	size_t *env_slots;  /* index of env by key: entry index + 1, 0 empty; nslots a power of 2 */
	size_t env_nslots;
	long pids_limit;  /* 0: none */
	char *memory, *cpus, *gpus, *shm_size;
	char *network;    /* "bridge" (engine default), "host", "none"; isolated: the internal network */
	struct strvec extra_args; /* docker.docker_args, after para's own */
	/* network isolation (container/netpolicy.h) */
	int isolated;
	struct strvec allow; /* allowlist entries for the egress proxy */
	char *egress;        /* the network the proxy reaches out through */
	char *proxy_ip;      /* the proxy's address on the internal network: the agent's DNS */
};

#define CONTAINER_SPEC_INIT { 0 }

/* What the git boundary mounts (see session/agentgit.h): the agent's own git
 * directory, the read-only .git file pointing at it, and the repository's
 * object directories, read-only at their host paths. */
struct spec_git {
	char *dir;             /* host path of the agent's git directory */
	char *link;            /* host path of the file mounted over /workspace/.git */
	char *repo_git_dir;    /* the repository's git directory: never mounted */
	struct strvec objects; /* object directories, mounted read-only */
};

#define SPEC_GIT_INIT { NULL, NULL, NULL, STRVEC_INIT }
void spec_git_clear(struct spec_git *g);

struct mount_inputs;
/* Resource flags as given (NULL: not given). */
struct spec_resources {
	const char *memory, *cpus, *pids_limit, *gpus, *shm_size;
};
struct spec_inputs {
	const char *repo_root;
	const struct spec_git *git;
	const char *session;
	const char *worktree;
	const char *image;   /* --docker-image, or NULL */
	uid_t uid;
	gid_t gid;
	const char *version;
	const struct dargs_ctx *danger; /* host facts for the docker_args check (parse/dockerargs.h) */
	const struct mount_inputs *mounts; /* the user's mounts (container/mounts.h), or NULL */
	const json_t *profile;             /* the resolved profile, or NULL */
	const char *profile_name;
	const char *const *docker_args;    /* --docker-args, split; or NULL */
	const struct spec_resources *resources; /* --memory and the rest, or NULL */
	const char *const *allow_domains;  /* --allow-domains, or NULL */
};

void spec_clear(struct container_spec *s);

/*
 * The home volume (docker.home_volume): NULL *name for "none"; a name as
 * given; null (the default) is para-home-<agent>, the basename of
 * agent.command[0] in the volume-name charset, with "-<uid>" when the
 * container runs as a known uid (user "UID:GID", NULL for the image's
 * user) so two host users of one engine never share one. A name outside
 * [a-zA-Z0-9][a-zA-Z0-9_.-]+ is an error (exit 4).
 */
int spec_home_volume(const struct config *cfg, const char *user, char **name, struct error *err);
/* Whether the engine's local driver takes name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int spec_volume_name_ok(const char *name);
/* The labels a home volume is created with: SPEC_HOME_ROLE, para's
 * version, the uid it is for and the repository of the session that made it
 * (dev.para.origin; not dev.para.repo: it belongs to no repository). */
void spec_home_volume_labels(const struct container_spec *s, struct strvec *labels);
/* The labels another named volume the spec mounts is created with: para's
 * (dev.para.volume=1), of the session's repository. */
void spec_volume_labels(const struct container_spec *s, struct strvec *labels);

/* A container that holds only the home volume, with a session's user
 * mapping (para auth): no worktree, no git, no mounts or engine flags. */
struct spec_home_inputs {
	const char *name;      /* the container's */
	const char *image;
	uid_t uid;
	gid_t gid;
	const char *repo_root; /* its dev.para.repo label: 'para clean --containers' removes a leftover */
	const char *version;
	const char *run;       /* SPEC_RUN_LABEL */
};
int spec_resolve_home(const struct config *cfg, const struct spec_home_inputs *in, struct container_spec *s,
		      struct error *err);
/* Engine-safe container name for (repo root, session). */
char *spec_container_name(const char *repo_root, const char *session);
int spec_resolve(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		 struct error *err);
void spec_add_env(struct container_spec *s, const char *key, const char *value, const char *source, int secret);
/* Set (or replace) a variable with its level. */
void spec_set_env(struct container_spec *s, const char *key, const char *value, int level, const char *source,
		  int secret, int at_exec);
/* Drop every variable except para's own. */
void spec_clear_user_env(struct container_spec *s);
void spec_add_mount(struct container_spec *s, const char *src, const char *dst, int ro);
/* Add m (its strings copied), replacing a mount at the same target. */
void spec_put_mount(struct container_spec *s, const struct spec_mount *m);
/* Replace the git mounts of s (also a saved spec from an older para, which
 * mounted the repository's git directory read-write) with g's. */
void spec_git_mounts(struct container_spec *s, const struct spec_git *g);

/* Hash of everything but variable values; also stored as label dev.para.spec. */
void spec_hash(const struct container_spec *s, char out[33]);

/*
 * How the engine CLI runs the keep-alive (engine_render_run picks them for
 * the engine at hand). ATTACH: `run` attached (not --detach, signals not
 * passed on), so para reads the ready mark from its output and then lets go
 * of the CLI: one call creates, starts and waits. VOLUME_LABELS: a named
 * volume the run makes carries para's labels (docker's volume-label), with
 * no `volume create` before it.
 */
#define SPEC_RUN_ATTACH 1u
#define SPEC_RUN_VOLUME_LABELS 2u

/*
 * `run …` creating the keep-alive container (args after the CLI name), never
 * pulling (--pull=never: para decides what is pulled or built).
 * Variable values go into in, an env file the CLI reads on its stdin
 * (--env-file=/dev/stdin): they never become the CLI's own environment, where
 * a project's DOCKER_HOST or LD_PRELOAD would steer the engine call itself.
 * A value an env file cannot hold (several lines, not UTF-8) travels in env
 * as "-e KEY"; envres refuses such values for names an engine CLI reads.
 */
void spec_render_run(const struct container_spec *s, unsigned flags, struct strvec *args, struct strvec *env,
		     struct strbuf *in);
/* What a keep-alive may print before its ready mark: para's script prints
 * two lines; an image whose sh prints on and on is not waited for. */
#define SPEC_READY_OUTPUT_MAX (1u << 20)
/* One line of a new keep-alive's output: 1 at its ready mark; the home
 * volume's answer (SPEC_HOME_FILES/EMPTY) sets *home to 1/0. */
int spec_ready_line(const char *line, size_t len, int *home);
/* The keep-alive's script (sh -c): set-up, the ready mark, then waiting. */
char *spec_keepalive_script(const struct container_spec *s);
/*
 * The same container as the Engine API's create body (POST
 * /containers/create): what spec_render_run with SPEC_RUN_ATTACH |
 * SPEC_RUN_VOLUME_LABELS gives the docker CLI, field for field. Variable
 * values are shown(e, ctx) when shown is given (a dry run), else as they
 * are. NULL when the API cannot say it as the CLI would: docker_args
 * (passed through to the CLI only), --gpus (the CLI's own syntax), a value
 * JSON cannot hold (not UTF-8).
 */
json_t *spec_render_create(const struct container_spec *s, const char *(*shown)(const struct spec_env *e, void *ctx),
			   void *ctx);
/* Whether an engine CLI itself reads this variable (DOCKER_*, PATH, LD_*…). */
int env_name_steers_engine(const char *key);
/*
 * What must hold of a resolved spec before a container is made from it (the
 * start, a re-create, a dry run): a name and an image, absolute mount
 * targets, variable names the engine takes, an environment one process can
 * be started with.
 */
int spec_validate(const struct container_spec *s, struct error *err);
/* Whether a value fits a docker env file line; one that does not reaches the
 * container as "-e KEY", its value in the engine CLI's environment. */
#define SPEC_ENV_LINE_MAX (60 * 1024)
int env_value_fits_file(const char *key, const char *value);
/* `exec …` running cmd inside it; tty adds -t, interactive adds -i. With a
 * pidfile (a path in the container), cmd writes its pid there first. */
void spec_render_exec(const struct container_spec *s, int interactive, int tty, const char *pidfile,
		      const char *const *cmd, struct strvec *args, struct strvec *env);
/* The argv an exec runs for cmd: cmd itself, or behind the sh that waits
 * for the set-up and writes its pid to pidfile (when either is needed). */
void spec_exec_cmd(const struct container_spec *s, const char *pidfile, const char *const *cmd, struct strvec *out);
/* The same exec as the Engine API's body (POST /containers/NAME/exec),
 * without a terminal: what `docker exec` sends for spec_render_exec's args
 * (interactive: AttachStdin); values shown as spec_render_create's. NULL
 * when a value is not UTF-8. */
json_t *spec_render_exec_create(const struct container_spec *s, int interactive, const char *pidfile,
				const char *const *cmd, const char *(*shown)(const struct spec_env *e, void *ctx),
				void *ctx);
/* `exec …` that sends signo to the pid in pidfile, as the session's user. */
void spec_render_signal(const struct container_spec *s, const char *pidfile, int signo, struct strvec *args);

/* Saved form (no secret values) and back. */
json_t *spec_to_json(const struct container_spec *s);
int spec_from_json(const json_t *j, struct container_spec *s, struct error *err);

/* Whether a variable name looks secret (*KEY*, *TOKEN*, *SECRET*, *PASSWORD*). */
int env_name_is_secret(const char *key);

#endif
