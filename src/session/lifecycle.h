/*
 * The session lifecycle: what finish, cancel and recover do to a session, its
 * branch, its worktree, its container and its archive, with the rollback of
 * each step, and nothing printed (notes go to util/report.h). cli/ parses,
 * takes the session's lock, calls these, and prints the result.
 */
#ifndef PARA_SESSION_LIFECYCLE_H
#define PARA_SESSION_LIFECYCLE_H

#include "config/config.h"
#include "container/engine.h"
#include "container/image.h"
#include "container/spec.h"
#include "session/session.h"

struct lifecycle {
	const struct repo *repo;
	const struct config *cfg;
	struct engine *eng;
	int verbose; /* notes that only --verbose shows */
};

struct start_request {
	const char *name;
	struct container_spec *spec;          /* NULL: a host session */
	const struct image_plan *plan;        /* the container's image */
	int needs_build;                      /* build plan's image first */
	const struct image_build_opts *build;
	json_t *env_inputs;                   /* saved with the session to re-create it (taken) */
	unsigned sig_mark;                    /* sig_count() when the command began */
	const char *setup_script;             /* host path of the setup script, or NULL */
	const char *logs_dir;                 /* where its log goes */
	int *home_files;                      /* out: its home volume holds a file (engine_ready) */
};

/*
 * Run the setup script (a host path) once in spec's new container: its
 * output to the user and to LOGS/setup-SESSION.log. A failure is an error
 * whose code is the script's exit status.
 */
int lifecycle_setup(const struct lifecycle *lc, const struct container_spec *spec, const char *script,
		    const char *logs_dir, const char *session, struct error *err);

/*
 * Make the session: worktree and branch, then (container) the image when it
 * must be built (the session shows as "building" meanwhile), the agent's
 * git directory and the container, ready once its setup ran. Any failure or
 * signal rolls back exactly what this start made. On success s is saved as
 * "ready" and unlocked (other commands may act on it while the agent runs).
 */
int lifecycle_start(const struct lifecycle *lc, const struct start_request *rq, struct session *s,
		    struct error *err);

/* The container's commits onto the session branch (a host session: none). */
int lifecycle_sync(const struct lifecycle *lc, struct session *s, struct error *err);

struct finish_result {
	int committed;  /* there was something to commit */
	char head[64];  /* the branch's commit, short */
};

/*
 * Commit every change on the session branch with msg, rename the branch to
 * target (when given), remove the container, the worktree and the state. s
 * is locked; a finish that was killed after its worktree went is completed.
 */
int lifecycle_finish(const struct lifecycle *lc, struct session *s, const char *msg, const char *target,
		     struct finish_result *res, struct error *err);

/*
 * Archive everything of the locked session s (the worktree as it is, the
 * commits its HEAD, branch and reflog reach, what the agent's git reached)
 * into an archive ref (*ref gets it), then remove it. A cancel that was
 * killed is run again to the end.
 */
int lifecycle_cancel(const struct lifecycle *lc, struct session *s, char **ref, struct error *err);

/* The archive ref newest of name (of any session when NULL). */
int lifecycle_newest_archive(const struct lifecycle *lc, const char *name, char **ref, struct error *err);

/*
 * Bring the session of archive ref back (worktree, branch, uncommitted files,
 * its container spec); the archive is dropped once the session is saved,
 * unless it holds commits the branch does not. *files: files restored.
 * A start or recover of that name that died half-way is rolled back first.
 */
int lifecycle_recover(const struct lifecycle *lc, const char *ref, struct session *s, int *files,
		      struct error *err);

#endif
