/*
 * The git boundary of a container session.
 *
 * The agent in a container is untrusted, so it never sees the repository's
 * git directory. It gets a git directory of its own, <repo>/.para/git/<name>
 * (mounted at AGENTGIT_DIR): a HEAD on the session branch, a copy of the
 * worktree's index, a snapshot of the repository's branches and tags, and
 * the repository's objects borrowed read-only through alternates. Whatever
 * the agent writes there (config, hooks, attributes, refs, objects) stays
 * there: host-side git never runs with that directory as its repository.
 *
 * The session branch comes back through agentgit_sync(): para reads the tip
 * itself (no symlinks followed, no git run there), copies the agent's object
 * files into a quarantine repository that para alone writes, fetches the tip
 * from it with fsck on, and moves the session branch. Only that branch ever
 * moves. The same model serves a remote engine, where the agent's git
 * directory lives in a volume instead.
 */
#ifndef PARA_AGENTGIT_H
#define PARA_AGENTGIT_H
#include "session/git.h"
#include "session/state.h"
#include "util/error.h"
#include "util/strvec.h"

#define AGENTGIT_DIR "/para/git"

/* <repo>/.para/git/<name>: the agent's git directory. */
char *agentgit_dir(const struct repo *r, const char *name);
/* The file mounted read-only over /workspace/.git ("gitdir: AGENTGIT_DIR"). */
char *agentgit_link(const struct repo *r, const char *name);

/*
 * Make the agent's git directory for s when it does not exist yet (a new
 * session, or one created before para had it). The worktree must exist.
 * A new one starts at the session branch's tip, which becomes s->synced.
 */
int agentgit_create(const struct repo *r, struct session *s, struct error *err);

/* The worktree's index into the agent's git directory, for a worktree
 * checked out after that directory was made (SESSION_CHECKOUT_LATER). */
int agentgit_take_index(const struct repo *r, const struct session *s, struct error *err);

/* Object directories the container must see read-only, at their host
 * paths: the repository's, and the alternates it borrows from. */
void agentgit_object_dirs(const struct repo *r, struct strvec *dirs);

/*
 * Bring the agent's commits on the session branch back: when the tip in the
 * agent's git directory differs from s->synced, fetch it into the
 * repository (fsck on) and move the session branch there; the worktree's
 * index follows. When the branch moved on the host too and the agent's tip
 * does not contain it, nothing moves: the tip is kept as
 * refs/para/sync/<name> and an error says so. s->synced is updated and the
 * state saved. *moved (may be NULL) says whether the branch moved.
 */
int agentgit_sync(const struct repo *r, struct session *s, int *moved, struct error *err);

/*
 * Commits the agent reached that its branch may not hold (a detached HEAD,
 * another branch, its reflogs), fetched into the repository as
 * refs/para/keep/<name>/<i> (fsck on) and appended to tips, so an archive
 * can keep them. What cannot be fetched is left out.
 */
int agentgit_lost_tips(const struct repo *r, const struct session *s, struct strvec *tips, struct error *err);
/* Whether the agent's HEAD is on the session branch (1 also when it has no
 * git directory). */
int agentgit_head_on_branch(const struct repo *r, const struct session *s);
/* Drop refs/para/keep/<name>/ once an archive holds them. */
void agentgit_drop_kept(const struct repo *r, const char *name);

/* Remove the agent's git directory and its quarantine (best effort). */
void agentgit_remove(const struct repo *r, const char *name);

/* The tip of refname in the git directory dirfd as the agent left it, read
 * without following symlinks: hex into out (65 bytes). 1 found, 0 not. */
int agentgit_read_ref(int dirfd, const char *refname, char out[65]);

#endif
