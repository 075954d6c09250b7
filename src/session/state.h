/*
 * Session state: one JSON file per session in <repo>/.para/state/, written
 * atomically; creation and removal happen under <repo>/.para/state/.lock so
 * two para processes never double-create or half-remove a session.
 */
#ifndef PARA_STATE_H
#define PARA_STATE_H
#include <jansson.h>
#include <sys/types.h>

#include "session/git.h"
#include "util/error.h"

struct session {
	char *name;
	char *branch;     /* e.g. para/foo */
	char *worktree;   /* absolute */
	char *base;       /* commit the session started from */
	/* the worktree's git directory (<repo>/.git/worktrees/<x>): host-side
	 * git in the worktree names it, never trusting the worktree's .git */
	char *admin;
	/* container sessions: the agent's branch tip para last brought back
	 * from the session's own git directory (see session/agentgit.h) */
	char *synced;
	long long created; /* unix seconds */
	/* "creating" while start runs (pid says who), "ready" after,
	 * "error" when a container step failed after the worktree existed. */
	char *phase;
	pid_t pid;
	json_t *container; /* NULL for host sessions; the saved container spec otherwise */
	/* cancel: the archive ref it writes, recorded before anything is
	 * removed so a cancel that was killed can be run again */
	char *archive;
	int lock; /* the session lock's fd + 1 while held (0: not held); session_clear releases it */
};

void session_clear(struct session *s);

/* Create .para/{state,worktrees,logs} and .para/.gitignore when missing. */
int state_prepare(const struct repo *r, struct error *err);
/* Just .para/.gitignore (when para writes only logs, e.g. a build). */
int para_gitignore_ensure(const char *para_dir, struct error *err);
/*
 * The session's own lock, held by every command that changes the session
 * (start until ready, resume while its container comes up, finish, cancel,
 * recover, clean). Never waits: another para holding it is an error saying
 * so. Released by session_clear (or session_unlock).
 */
int session_lock(const struct repo *r, const char *name, struct session *s, struct error *err);
void session_unlock(struct session *s);
/* Whether another process holds the session's lock right now. */
int session_locked_elsewhere(const struct repo *r, const char *name);

/* Exclusive lock over session creation/removal; pass the fd to state_unlock. */
int state_lock(const struct repo *r, struct error *err);
void state_unlock(int fd);

char *state_path(const struct repo *r, const char *name);
int state_exists(const struct repo *r, const char *name);
/* Missing → error "no session named …" with a hint. */
int state_load(const struct repo *r, const char *name, struct session *s, struct error *err);
int state_save(const struct repo *r, const struct session *s, struct error *err);
/* Write s to any path (atomically), e.g. an archived copy. */
int state_write(const struct session *s, const char *path, struct error *err);
int state_remove(const struct repo *r, const char *name, struct error *err);

/* Every session of the repo, sorted by creation time. */
int state_list(const struct repo *r, struct session **out, size_t *n, struct error *err);
void state_list_free(struct session *v, size_t n);

/* Whether a session that is not ready has lost its process (a start that died). */
int session_is_stale(const struct session *s);

#endif
