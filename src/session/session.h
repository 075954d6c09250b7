/*
 * Session lifecycle on the git side: worktree + branch creation with
 * rollback, commit-all for finish, archive refs for cancel, recover, and name
 * resolution. The container side lives in container/; cli/ strings the two
 * together.
 */
#ifndef PARA_SESSION_H
#define PARA_SESSION_H
#include "config/config.h"
#include "session/git.h"
#include "session/state.h"

/* "para" from git.branch_prefix, without trailing slashes. */
char *session_prefix(const struct config *cfg);

/*
 * Pick the session a command means: name when given (validated); else the
 * worktree para runs in; else the only session. Usage error otherwise.
 */
int session_resolve(const struct repo *r, const char *given, char **name, struct error *err);

/* Whether the main checkout has uncommitted changes to tracked files, in two
 * halves so the check can run beside other work. */
int repo_dirty_start(const struct repo *r, struct git_job *j, struct strbuf *out, struct error *err);
int repo_dirty_finish(struct git_job *j, const struct strbuf *out, int *dirty, struct error *err);

/*
 * Reserve name (state file in phase "creating", under the lock), then create
 * branch <prefix>/<name> and its worktree from HEAD. On failure nothing is
 * left behind. s is filled on success.
 */
int session_create(const struct repo *r, const struct config *cfg, const char *name, unsigned flags,
		   struct session *s, struct error *err);
/* session_create's flag: the worktree is made without its files (`git
 * worktree add --no-checkout`); session_checkout puts them there (a
 * container session does, while its container starts). */
#define SESSION_CHECKOUT_LATER 1u
int session_checkout(const struct session *s, struct error *err);
/* 0 for a worktree made with SESSION_CHECKOUT_LATER whose start died before
 * its checkout (it has no index): nothing of anyone's is in it, though git
 * would call each file of HEAD deleted; its changes count 0, and an archive
 * of it is its HEAD. */
int session_checked_out(const struct session *s);
/* The git arguments session_checkout runs (in the worktree), for --dry-run. */
void session_plan_checkout(struct strvec *git_args);
/* The branch and worktree path a session named name gets (new strings). */
void session_paths(const struct repo *r, const struct config *cfg, const char *name, char **branch, char **wt);
/* The git command session_create would run for name, exactly (for --dry-run). */
int session_plan_create(const struct repo *r, const struct config *cfg, const char *name, unsigned flags,
			struct strvec *git_args, struct error *err);
/* session_create from another start point (a commit-ish). */
int session_create_at(const struct repo *r, const struct config *cfg, const char *name, const char *start,
		      struct session *s, struct error *err);
/* Undo session_create: worktree, branch and state gone (best effort, quiet). */
void session_rollback(const struct repo *r, const struct session *s);

/* Number of changed paths (tracked and untracked) in the worktree. */
int session_changes(const struct session *s, int *count, struct error *err);
/* session_changes in two halves, so many sessions' run side by side (and
 * beside an engine call): start, then finish each started one. */
struct changes_job {
	struct git_job job;
	struct strbuf out;
};
int session_changes_start(const struct session *s, struct changes_job *j, struct error *err);
int session_changes_finish(struct changes_job *j, int *count, struct error *err);

/* git add -A && git commit -m msg when anything changed; *committed says if it did. */
int session_commit_all(const struct session *s, const char *msg, int *committed, struct error *err);

/* 1 when the worktree's HEAD is on the session branch, 0 when it is
 * detached or on another branch, -1 when interrupted. */
int session_head_on_branch(const struct session *s, struct error *err);

/* The worktree's index := HEAD (after its branch moved underneath it). */
int session_sync_index(const struct session *s, struct error *err);

/* Remove the worktree (it must be clean unless force). */
int session_remove_worktree(const struct repo *r, const struct session *s, int force, struct error *err);

/*
 * Archive: a commit of every uncommitted and untracked file on top of the
 * worktree's HEAD, with every commit the session reached that HEAD does not
 * contain (the branch tip, the reflogs of HEAD and the branch, extra tips
 * such as the container's) as further parents, is kept as
 * s->archive (or a new <prefix>/archived/<UTC stamp>/<name>); then the
 * worktree and branch go. A session with nothing to add to its branch tip
 * goes the other way round: git's safe removal of the worktree (it refuses
 * anything uncommitted), then the archive made and the branch deleted in one
 * transaction. A repository inside the worktree is refused with nothing
 * changed. Run again after it was killed, it finishes the job.
 * The ref is stored in *ref (caller frees).
 */
int session_archive(const struct repo *r, const struct config *cfg, const struct session *s,
		    const struct strvec *extra, char **ref, struct error *err);
/* session_archive in two steps, so its name can be recorded in between
 * (cancel does): what it starts from, read with one git process (more only
 * when this second's archive name is taken)... */
struct archive_plan {
	char *ref;         /* full refname: s->archive, or a new name that was free */
	struct strbuf tip; /* the branch's commit; empty when the branch is gone */
	struct strbuf old; /* the commit at s->archive (an earlier run's archive); empty when none */
};
#define ARCHIVE_PLAN_INIT { NULL, STRBUF_INIT, STRBUF_INIT }
int session_archive_plan(const struct repo *r, const struct config *cfg, const struct session *s,
			 struct archive_plan *p, struct error *err);
/* ...then the archive itself, and the worktree and branch gone. */
int session_archive_from(const struct repo *r, const struct session *s, const struct strvec *extra,
			 const struct archive_plan *p, char **ref, struct error *err);
void archive_plan_clear(struct archive_plan *p);

/* Paths of git repositories inside the worktree (gitlinks with a .git, or
 * untracked folders holding one). */
int session_nested_repos(const struct session *s, struct strvec *paths, struct error *err);
/* An error naming the first of them ("whose files <what> would lose"). */
int session_refuse_nested(const struct session *s, const char *what, struct error *err);

/* Archive refs of the repo (full refnames, newest last); name filters when non-NULL. */
int archive_list(const struct repo *r, const struct config *cfg, const char *name, struct strvec *refs,
		 struct error *err);
/* Delete an archive ref (short or full name). */
int archive_drop(const struct repo *r, const char *ref, struct error *err);
/* Session name and stamp of an archive ref, or -1 when it is not one. */
int archive_parse(const struct config *cfg, const char *ref, char **name, char **stamp);

/*
 * Bring the newest archive of name back: branch, worktree, and the archived
 * uncommitted files as uncommitted files again. s is filled (phase "ready");
 * the caller saves state, then drops the archive (archive_drop): until then
 * the work is in the archive as well.
 */
int session_recover(const struct repo *r, const struct config *cfg, const char *ref, struct session *s,
		    struct error *err);

#endif
