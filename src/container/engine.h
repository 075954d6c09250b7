/*
 * The engine adapter: the docker CLI (or a compatible one: podman) driven
 * with argv vectors, reading only machine-readable output (--format json).
 * Every function that finds the engine unreachable fails with exit code 3
 * and a message saying what was tried and how to start it.
 */
#ifndef PARA_ENGINE_H
#define PARA_ENGINE_H
#include "config/config.h"
#include "container/spec.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

struct engine {
	char *cli;     /* "docker", "podman", or a path */
	int verbose;   /* trace each engine command on stderr */
	unsigned calls; /* engine CLI runs made (for --verbose and tests) */
	char exec_pidfile[96]; /* where the last engine_exec's command wrote its pid */
	/* engine_exec: hold back what the CLI's stderr starts with when it looks
	 * like the engine's own error, and the exec exits 1 or 125: exec_held
	 * (caller frees, shows or drops). */
	int hold_exec_errors;
	char *exec_held;
	/* the Engine API's socket (container/engineapi.h), once api_known */
	char *api_sock;
	char api_version[16]; /* "v1.41": what the daemon speaks, up to what para knows */
	int api_known;
	unsigned api_calls; /* Engine API requests made */
};

#define ENGINE_INIT { NULL, 0, 0, "", 0, NULL, NULL, "", 0, 0 }

/* PARA_CONTAINER_RUNTIME, else docker.runtime, else "docker". */
void engine_init(struct engine *e, const struct config *cfg);
void engine_clear(struct engine *e);

/* Does the daemon answer? 0 yes; -1 with exit-3 error otherwise. */
int engine_ping(struct engine *e, struct error *err);

/* The image's id in *id (caller frees), or *id = NULL when it is not there. */
int engine_image_id(struct engine *e, const char *image, char **id, struct error *err);

/* Container states by name for every container labelled for this repo. */
struct engine_container {
	char *name;
	char *state;   /* created, running, exited, paused, restarting, removing, dead */
	char *session; /* label dev.para.session */
};
int engine_list(struct engine *e, const char *repo_root, struct engine_container **out, size_t *n,
		struct error *err);
void engine_list_free(struct engine_container *v, size_t n);
/* State of one container: NULL *state when it does not exist. */
int engine_state(struct engine *e, const char *name, char **state, struct error *err);

/* Run the engine CLI with args (after its name), stdout into out when
 * non-NULL. A non-zero exit is *status when status is non-NULL; else it is
 * an error, "what: <the first line it printed>" (exit 3 when the daemon does
 * not answer). */
int engine_run(struct engine *e, const struct strvec *args, struct strbuf *out, int *status, const char *what,
	       struct error *err);

/* What a new container said as it came up, and why it did not. */
struct engine_ready {
	int home_files;    /* its home volume holds a file: 1, 0, or -1 not known */
	int missing_image; /* it was not made: its image is not there */
};
#define ENGINE_READY_INIT { -1, 0 }

/* Create and start the keep-alive container of s, and wait until its setup
 * is done (one that stops is an error carrying its last lines of output).
 * The named volumes it mounts (its home volume too) are made labelled when
 * missing. ready (when non-NULL) gets what it said. */
int engine_create(struct engine *e, const struct container_spec *s, struct engine_ready *ready, struct error *err);
/*
 * engine_create in two halves, so other work (checking out the worktree) is
 * done while the container starts: begin starts the run (the env file
 * already on its stdin, so it waits on nothing of para's), end waits until
 * the container is ready, as engine_create. A run begun is always ended
 * (that reaps the CLI, and tells whether a container was made).
 */
struct engine_run;
struct engine_run *engine_create_begin(struct engine *e, const struct container_spec *s, struct error *err);
int engine_create_end(struct engine_run *run, struct engine_ready *ready, struct error *err);
/* A keep-alive that stopped before its ready mark: the error, with the
 * last lines of out (what it printed). */
int engine_stopped_error(struct error *err, const char *name, const struct strbuf *out);
/* The `run` arguments engine_create would give this engine (spec_render_run). */
void engine_render_run(const struct engine *e, const struct container_spec *s, struct strvec *args,
		       struct strvec *env, struct strbuf *in);

/* Named volumes. exists: 1 there, 0 not (the daemon answered), -1 error. */
int engine_volume_exists(struct engine *e, const char *name, struct error *err);
int engine_volume_create(struct engine *e, const char *name, const struct strvec *labels, struct error *err);
/* Fails (the engine's reason) while a container, running or not, holds it. */
int engine_volume_remove(struct engine *e, const char *name, struct error *err);
/* Every container, running or not, that mounts the volume. */
int engine_volume_users(struct engine *e, const char *name, struct engine_container **out, size_t *n,
			struct error *err);

/* A child of the engine CLI (c->args start with e->cli), started without
 * waiting for it: counted, traced with --verbose. engine_reap waits for it
 * (child_finish) and names a missing CLI as such (exit 3). */
struct child;
int engine_spawn(struct engine *e, struct child *c, struct error *err);
int engine_reap(struct engine *e, struct child *c, int *status, struct error *err);
int engine_start(struct engine *e, const char *name, struct error *err);
/* Remove name only when it carries the label SPEC_RUN_LABEL=run (the
 * container this run created); run NULL removes any. */
int engine_remove_own(struct engine *e, const char *name, const char *run, struct error *err);
/* Remove (force); a container that is already gone is fine. */
int engine_remove(struct engine *e, const char *name, struct error *err);
/* Run script (its text, fed to sh on stdin) in the container as the
 * session's user, with its environment, in /workspace; each line it prints
 * (stdout and stderr) goes to on_line. *status is its exit code. */
int engine_run_script(struct engine *e, const struct container_spec *s, const char *script, size_t len,
		      void (*on_line)(const char *line, size_t len, void *ctx), void *ctx, int *status,
		      struct error *err);
/* Run cmd in the container; *status is its exit code. in (when non-NULL)
 * is fed to its stdin; otherwise interactive passes para's stdin through. */
int engine_exec(struct engine *e, const struct container_spec *s, const char *const *cmd, int interactive,
		int tty, const char *in, size_t in_len, int *status, struct error *err);

/* Did the command of the last engine_exec in container name start (its pid
 * file is there)? 1 yes, 0 no (or no answer), -1 error. Read with `cp`,
 * which also works on a stopped container. */
int engine_exec_began(struct engine *e, const char *name, struct error *err);

/* The Engine API requests engine_exec makes instead (for --dry-run), each
 * [method, path, body]: 0, or -1 when the CLI runs it (a terminal, no API). */
int engine_exec_api_plan(struct engine *e, const struct container_spec *s, int interactive, int tty,
			 const char *const *cmd, const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx,
			 struct strvec req[3]);
/* The arguments engine_exec gives the engine CLI (for --dry-run). */
void engine_exec_args(const struct container_spec *s, int interactive, int tty, const char *const *cmd,
		      struct strvec *args, struct strvec *env);

/* The exact command line for display ("docker run …"), values not included. */
char *engine_cmdline(const struct engine *e, const struct strvec *args);


/* docker build from a tar stream on stdin (the context para hashed). */
struct engine_build {
	const char *tag;
	const char *dockerfile;        /* path inside the context */
	const char *target;            /* or NULL */
	const struct strvec *args;     /* "K=V": values travel in the environment */
	const struct strvec *labels;   /* "k=v" */
	int no_cache;
	int context_fd;                /* tar stream */
	void (*on_line)(const char *line, size_t len, void *ctx);
	void *ctx;
};
/* *status is the build's exit code; -1 only when it could not run. */
int engine_build(struct engine *e, const struct engine_build *b, int *status, struct error *err);
/* docker pull IMAGE (its output kept for the error message). */
int engine_pull(struct engine *e, const char *image, struct error *err);

/* Images labelled dev.para.repo=<repo_root>: "id tag created" per entry. */
struct engine_image {
	char *id;
	char *ref;     /* repository:tag */
	char *created; /* as the engine says it: "5 minutes ago" */
	char *size;    /* as the engine says it: "1.13MB" */
	long long created_at; /* Unix seconds; -1: unknown */
	long long bytes;      /* -1: unknown until engine_image_sizes */
};
int engine_images(struct engine *e, const char *repo_root, struct engine_image **out, size_t *n, struct error *err);
/* The exact size in bytes of each of v (one engine call for all). */
int engine_image_sizes(struct engine *e, struct engine_image *v, size_t n, struct error *err);
void engine_images_free(struct engine_image *v, size_t n);
/* ref: a name:tag (removes that tag) or an image ID. */
int engine_image_remove(struct engine *e, const char *ref, struct error *err);
/* The container's environment, "KEY=VALUE" each. */
int engine_container_env(struct engine *e, const char *name, struct strvec *env, struct error *err);
/* The IDs ("sha256:…") of the images that containers, running or not, use. */
int engine_images_in_use(struct engine *e, struct strvec *ids, struct error *err);
/* docker import FILE-ON-STDIN TAG with --change lines. */
int engine_import(struct engine *e, int tar_fd, const char *tag, const struct strvec *changes, struct error *err);

#endif
