/*
 * Changed paths in sessions' worktrees counted in-process (libgit2): what
 * `git status --porcelain --untracked-files=all` lists, without a git
 * process per session, so `para list` of 100 sessions stays fast. For what
 * is shown only: finish and clean, which act on the count, ask git itself.
 */
#ifndef PARA_SESSION_WTSTATUS_H
#define PARA_SESSION_WTSTATUS_H
#include <stddef.h>

#include "session/state.h"

/*
 * ch[i]: the number of changed paths of v[i], or -1 when libgit2 cannot
 * read that repository as git would (an extension it lacks, a split index,
 * a missing worktree); the caller asks git (session_changes) for those.
 */
void wtstatus_count(const struct session *v, size_t n, int *ch);

#endif
