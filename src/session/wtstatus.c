#include "session/wtstatus.h"

#include <dlfcn.h>
#include <git2.h>
#include <string.h>

#include "session/session.h"
#include "util/fsutil.h"
#include "util/banned.h"

/*
 * libgit2 is loaded by the commands that count (list, status), not linked:
 * its libraries (krb5, mbedtls, ssh2…) would add ~5 ms to the start of every
 * para command, exec's included.
 */
#define GIT2_FN(f) __typeof__(f) *f
struct git2 {
	void *lib;
	GIT2_FN(git_libgit2_init);
	GIT2_FN(git_libgit2_shutdown);
	GIT2_FN(git_repository_open_ext);
	GIT2_FN(git_repository_workdir);
	GIT2_FN(git_repository_free);
	GIT2_FN(git_status_options_init);
	GIT2_FN(git_status_list_new);
	GIT2_FN(git_status_list_entrycount);
	GIT2_FN(git_status_list_free);
};
/* POSIX: a function pointer may be stored through a void * this way */
#define GIT2_LOAD(g, f) ((*(void **)&(g)->f = dlsym((g)->lib, #f)) != NULL)

static int git2_load(struct git2 *g)
{
	g->lib = dlopen("libgit2.so." LIBGIT2_SOVERSION, RTLD_NOW | RTLD_LOCAL);
	if (!g->lib)
		return -1;
	if (GIT2_LOAD(g, git_libgit2_init) && GIT2_LOAD(g, git_libgit2_shutdown) &&
	    GIT2_LOAD(g, git_repository_open_ext) && GIT2_LOAD(g, git_repository_workdir) &&
	    GIT2_LOAD(g, git_repository_free) && GIT2_LOAD(g, git_status_options_init) &&
	    GIT2_LOAD(g, git_status_list_new) && GIT2_LOAD(g, git_status_list_entrycount) &&
	    GIT2_LOAD(g, git_status_list_free) && g->git_libgit2_init() > 0)
		return 0;
	dlclose(g->lib);
	return -1;
}

/* Whether libgit2 found the session's worktree as the repository's (the
 * admin directory's gitdir file names it): else this is not the session. */
static int same_workdir(const struct git2 *g, git_repository *repo, const char *worktree)
{
	const char *w = g->git_repository_workdir(repo);
	size_t n = strlen(worktree);
	return w && !strncmp(w, worktree, n) && (!w[n] || !strcmp(w + n, "/"));
}

/* The git directory para's own git calls use (GIT_DIR=admin with
 * GIT_WORK_TREE=worktree): a container session's worktree .git file names
 * the agent's git directory as the container sees it, not the host's. */
static int count_one(const struct git2 *g, const struct session *s)
{
	git_repository *repo = NULL;
	git_status_list *list = NULL;
	git_status_options o;
	int n = -1;
	if (!is_dir(s->worktree)) /* libgit2 would call every file deleted */
		return -1;
	if (!session_checked_out(s))
		return 0;
	g->git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	/* porcelain v1: untracked files one by one (--untracked-files=all),
	 * a staged rename as one entry, ignored files not at all */
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		  GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
	if (g->git_repository_open_ext(&repo, s->admin ? s->admin : s->worktree, GIT_REPOSITORY_OPEN_NO_SEARCH,
				       NULL) == 0 &&
	    same_workdir(g, repo, s->worktree) && g->git_status_list_new(&list, repo, &o) == 0)
		n = (int)g->git_status_list_entrycount(list);
	g->git_status_list_free(list);
	g->git_repository_free(repo);
	return n;
}

void wtstatus_count(const struct session *v, size_t n, int *ch)
{
	struct git2 g = { 0 };
	int up = git2_load(&g) == 0;
	for (size_t i = 0; i < n; i++)
		ch[i] = up ? count_one(&g, &v[i]) : -1;
	if (up) /* the library stays loaded: a leak report can name it */
		g.git_libgit2_shutdown();
}
