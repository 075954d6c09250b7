#include "session/wtstatus.h"

#include <git2.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/banned.h"

/* Whether libgit2 found the session's worktree as the repository's (the
 * admin directory's gitdir file names it): else this is not the session. */
static int same_workdir(git_repository *repo, const char *worktree)
{
	const char *w = git_repository_workdir(repo);
	size_t n = strlen(worktree);
	return w && !strncmp(w, worktree, n) && (!w[n] || !strcmp(w + n, "/"));
}

/* The git directory para's own git calls use (GIT_DIR=admin with
 * GIT_WORK_TREE=worktree): a container session's worktree .git file names
 * the agent's git directory as the container sees it, not the host's. */
static int count_one(const struct session *s)
{
	git_repository *repo = NULL;
	git_status_list *list = NULL;
	git_status_options o;
	int n = -1;
	if (!is_dir(s->worktree)) /* libgit2 would call every file deleted */
		return -1;
	git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	/* porcelain v1: untracked files one by one (--untracked-files=all),
	 * a staged rename as one entry, ignored files not at all */
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		  GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
	if (git_repository_open_ext(&repo, s->admin ? s->admin : s->worktree, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) == 0 &&
	    same_workdir(repo, s->worktree) && git_status_list_new(&list, repo, &o) == 0)
		n = (int)git_status_list_entrycount(list);
	git_status_list_free(list);
	git_repository_free(repo);
	return n;
}

void wtstatus_count(const struct session *v, size_t n, int *ch)
{
	int up = git_libgit2_init() > 0;
	for (size_t i = 0; i < n; i++)
		ch[i] = up ? count_one(&v[i]) : -1;
	if (up)
		git_libgit2_shutdown();
}
