#include "session/session.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "session/names.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define WIP_TRAILER "Para-Archive: uncommitted"
#define ARCHIVE_INDEX_INFIX ".archive-index."

/* git in a session's worktree with its git directory named explicitly: a
 * .git file or directory the agent left in the worktree is never read. */
static int wt_git_v(const struct session *s, const struct strvec *extra, struct strbuf *out, struct error *err,
		    va_list ap)
{
	struct strvec env = STRVEC_INIT, args = STRVEC_INIT;
	const char *a;
	if (s->admin)
		strvec_pushf(&env, "GIT_DIR=%s", s->admin);
	strvec_pushf(&env, "GIT_WORK_TREE=%s", s->worktree);
	if (extra)
		strvec_pushv(&env, (const char *const *)extra->v);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&args, a);
	int r = git_argv(s->worktree, &env, &args, out, err);
	strvec_clear(&env);
	strvec_clear(&args);
	return r;
}

static int __attribute__((sentinel)) wt_git(const struct session *s, struct strbuf *out, struct error *err, ...)
{
	va_list ap;
	va_start(ap, err);
	int r = wt_git_v(s, NULL, out, err, ap);
	va_end(ap);
	return r;
}

static int __attribute__((sentinel)) wt_git_env(const struct session *s, const struct strvec *extra,
						struct strbuf *out, struct error *err, ...)
{
	va_list ap;
	va_start(ap, err);
	int r = wt_git_v(s, extra, out, err, ap);
	va_end(ap);
	return r;
}

int session_head_on_branch(const struct session *s, struct error *err)
{
	struct strbuf out = STRBUF_INIT;
	struct error e = ERROR_INIT;
	char *want = xasprintf("refs/heads/%s", s->branch);
	int r = wt_git(s, &out, &e, "symbolic-ref", "--quiet", "HEAD", NULL);
	strbuf_trim(&out);
	int on = r == 0 && !strcmp(out.buf, want);
	if (r < 0 && e.code > 128)
		on = error_set(err, e.code, "%s", e.msg);
	free(want);
	strbuf_release(&out);
	return on;
}

int session_sync_index(const struct session *s, struct error *err)
{
	return wt_git(s, NULL, err, "reset", "--quiet", NULL);
}

char *session_prefix(const struct config *cfg)
{
	const char *p = config_str(cfg, "git.branch_prefix");
	char *s = xstrdup(p && *p ? p : "para");
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

int session_resolve(const struct repo *r, const char *given, char **name, struct error *err)
{
	if (given) {
		if (name_validate(given, err) < 0)
			return -1;
		*name = xstrdup(given);
		return 0;
	}
	char *wt_root = path_join(r->para_dir, "worktrees/");
	if (r->cwd_worktree && !strncmp(r->cwd_worktree, wt_root, strlen(wt_root))) {
		const char *rest = r->cwd_worktree + strlen(wt_root);
		if (name_is_valid(rest)) {
			*name = xstrdup(rest);
			free(wt_root);
			return 0;
		}
	}
	free(wt_root);
	struct session *v;
	size_t n;
	if (state_list(r, &v, &n, err) < 0)
		return -1;
	int ret = 0;
	if (n == 1) {
		*name = xstrdup(v[0].name);
	} else if (n == 0) {
		ret = error_set(err, PARA_EXIT_FAIL, "no sessions in this repository");
		error_hint(err, "start one with 'para start NAME'");
	} else {
		ret = error_set(err, PARA_EXIT_USAGE, "%zu sessions exist; say which one", n);
		error_hint(err, "'para list' shows their names");
	}
	state_list_free(v, n);
	return ret;
}

int repo_dirty_start(const struct repo *r, struct git_job *j, struct strbuf *out, struct error *err)
{
	/* tracked changes only: untracked scratch files do not block anything */
	return git_start(j, repo_checkout(r), out, err, "status", "--porcelain", "--untracked-files=no",
			 "--ignore-submodules=all", NULL);
}

int repo_dirty_finish(struct git_job *j, const struct strbuf *out, int *dirty, struct error *err)
{
	if (git_finish(j, err) < 0)
		return -1;
	*dirty = out->len > 0;
	return 0;
}

/* No session, branch or worktree folder by that name yet. Checked before
 * .para is touched, and again under the lock (another start may have won). */
static int name_is_free(const struct repo *r, const char *name, const char *branch, int taken, const char *wt,
			struct error *err)
{
	if (state_exists(r, name)) {
		struct session old = { 0 };
		struct error e = ERROR_INIT;
		int dead = state_load(r, name, &old, &e) == 0 && session_is_stale(&old);
		session_clear(&old);
		error_set(err, PARA_EXIT_FAIL, "session '%s' already exists%s", name, dead ? " (the para that made it died half-way)" : "");
		if (dead)
			return error_hint(err, "'para clean' removes it (keeping any work in an archive); then start again");
		return error_hint(err, "pick another name, or 'para resume %s'", name);
	}
	if (taken) {
		error_set(err, PARA_EXIT_FAIL, "branch '%s' already exists", branch);
		return error_hint(err, "pick another session name, or delete the branch with 'git branch -D %s'", branch);
	}
	if (path_exists(wt)) {
		error_set(err, PARA_EXIT_FAIL, "'%s' already exists", wt);
		return error_hint(err, "'para clean' removes worktrees no session owns");
	}
	return 0;
}

/* The git directory git gave the new worktree (read from the .git file it
 * just wrote, before any agent ran there); it must lie in the repository's
 * worktrees/ folder. */
static int worktree_admin(const struct repo *r, struct session *s, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *dotgit = path_join(s->worktree, ".git");
	char *dir = path_join(r->git_dir, "worktrees");
	int ret = -1;
	if (strbuf_read_file(&sb, dotgit) < 0) {
		error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", dotgit);
		goto out;
	}
	strbuf_trim(&sb);
	char *admin = strncmp(sb.buf, "gitdir: ", 8) ? NULL : realpath(sb.buf + 8, NULL);
	char *parent = admin ? path_dirname(admin) : NULL;
	char *want = realpath(dir, NULL);
	if (!admin || !want || strcmp(parent, want)) {
		error_set(err, PARA_EXIT_FAIL, "unexpected git directory for the worktree '%s': %s", s->worktree, sb.buf);
		free(admin);
	} else {
		free(s->admin);
		s->admin = admin;
		ret = 0;
	}
	free(parent);
	free(want);
out:
	strbuf_release(&sb);
	free(dotgit);
	free(dir);
	return ret;
}

static int create_at(const struct repo *r, const struct config *cfg, const char *name, const char *start,
		     unsigned flags, struct session *s, struct error *err);

int session_create(const struct repo *r, const struct config *cfg, const char *name, unsigned flags,
		   struct session *s, struct error *err)
{
	return create_at(r, cfg, name, "HEAD", flags, s, err);
}

/* what `git worktree add` runs itself when it checks out */
static const char *const checkout_args[] = { "reset", "--hard", "--quiet", "--no-recurse-submodules", NULL };

void session_plan_checkout(struct strvec *git_args)
{
	strvec_pushv(git_args, checkout_args);
}

int session_checkout(const struct session *s, struct error *err)
{
	return wt_git(s, NULL, err, checkout_args[0], checkout_args[1], checkout_args[2], checkout_args[3], NULL);
}

void session_paths(const struct repo *r, const struct config *cfg, const char *name, char **branch, char **wt)
{
	char *prefix = session_prefix(cfg);
	*branch = xasprintf("%s/%s", prefix, name);
	*wt = xasprintf("%s/worktrees/%s", r->para_dir, name);
	free(prefix);
}

/* The commit start names, in the checkout para runs from, and (branch not
 * NULL) whether that branch is taken: one git process for both. */
static int start_point(const struct repo *r, const char *start, const char *branch, struct strbuf *head,
		       int *taken, struct error *err)
{
	char *spec = xasprintf("%s^{commit}", start), *ref = branch ? xasprintf("refs/heads/%s", branch) : NULL;
	const char *revs[] = { spec, ref };
	struct strvec oids = STRVEC_INIT;
	int ret = git_resolve(repo_checkout(r), revs, ref ? 2 : 1, &oids, err);
	if (ret == 0 && !*oids.v[0]) {
		if (!strcmp(start, "HEAD")) {
			error_set(err, PARA_EXIT_FAIL, "the repository has no commit yet");
			ret = error_hint(err, "make a first commit; a session branches from HEAD");
		} else {
			ret = error_set(err, PARA_EXIT_FAIL, "cannot find commit '%s'", start);
		}
	}
	if (ret == 0) {
		strbuf_reset(head);
		strbuf_addstr(head, oids.v[0]);
		if (taken)
			*taken = ref && *oids.v[1];
	}
	strvec_clear(&oids);
	free(spec);
	free(ref);
	return ret;
}

static void worktree_add_args(const char *branch, const char *wt, const char *base, unsigned flags,
			      struct strvec *args)
{
	strvec_pushl(args, "worktree", "add", "--quiet", NULL);
	if (flags & SESSION_CHECKOUT_LATER)
		strvec_push(args, "--no-checkout");
	strvec_pushl(args, "-b", branch, wt, base, NULL);
}

int session_plan_create(const struct repo *r, const struct config *cfg, const char *name, unsigned flags,
			struct strvec *git_args, struct error *err)
{
	char *branch, *wt;
	session_paths(r, cfg, name, &branch, &wt);
	struct strbuf head = STRBUF_INIT;
	int ret = start_point(r, "HEAD", NULL, &head, NULL, err);
	if (ret == 0)
		worktree_add_args(branch, wt, head.buf, flags, git_args);
	free(branch);
	free(wt);
	strbuf_release(&head);
	return ret;
}

/* A creation that failed half-way: all of it undone, s empty again; -1. */
static int undo_create(const struct repo *r, struct session *s)
{
	session_rollback(r, s);
	session_clear(s);
	return -1;
}

int session_create_at(const struct repo *r, const struct config *cfg, const char *name, const char *start,
		      struct session *s, struct error *err)
{
	return create_at(r, cfg, name, start, 0, s, err);
}

static int create_at(const struct repo *r, const struct config *cfg, const char *name, const char *start,
		     unsigned flags, struct session *s, struct error *err)
{
	char *branch, *wt;
	session_paths(r, cfg, name, &branch, &wt);
	struct strbuf head = STRBUF_INIT;
	struct strvec add = STRVEC_INIT;
	int ret = -1, fd = -1, taken = 0;

	/* checked before .para is made, so a taken name leaves no .para behind;
	 * once it exists, the check under the lock is the one that counts (the
	 * start commit is read with it, in the same git process) */
	char *state_dir = path_join(r->para_dir, "state");
	int fresh = !is_dir(state_dir);
	free(state_dir);
	if (fresh && (start_point(r, start, branch, &head, &taken, err) < 0 ||
		      name_is_free(r, name, branch, taken, wt, err) < 0))
		goto out;
	if (state_prepare(r, err) < 0 || (fd = state_lock(r, err)) < 0 ||
	    start_point(r, start, branch, &head, &taken, err) < 0 || name_is_free(r, name, branch, taken, wt, err) < 0 ||
	    session_lock(r, name, s, err) < 0)
		goto out;
	s->name = xstrdup(name);
	s->branch = xstrdup(branch);
	s->worktree = xstrdup(wt);
	s->base = xstrdup(head.buf);
	s->created = (long long)time(NULL);
	s->phase = xstrdup("creating");
	s->pid = getpid();
	if (state_save(r, s, err) < 0) {
		session_clear(s);
		goto out;
	}
	state_unlock(fd);
	fd = -1;
	/* outside the lock: other sessions may be created meanwhile */
	worktree_add_args(branch, wt, s->base, flags, &add);
	ret = git_argv(r->root, NULL, &add, NULL, err) < 0 || worktree_admin(r, s, err) < 0 ? undo_create(r, s) : 0;
out:
	state_unlock(fd);
	strbuf_release(&head);
	strvec_clear(&add);
	free(branch);
	free(wt);
	return ret;
}

void session_rollback(const struct repo *r, const struct session *s)
{
	struct error e = ERROR_INIT;
	char *ref = xasprintf("refs/heads/%s", s->branch);
	if (is_dir(s->worktree))
		git(r->root, NULL, &e, "worktree", "remove", "--force", s->worktree, NULL);
	if (path_exists(s->worktree))
		remove_tree(s->worktree, &e);
	git(r->root, NULL, &e, "worktree", "prune", NULL);
	/* delete the branch only if it still points where we made it */
	if (s->base)
		git(r->root, NULL, &e, "update-ref", "-d", ref, s->base, NULL);
	state_remove(r, s->name, &e);
	free(ref);
}

/* Entries of `status --porcelain -z` output. */
static int count_changes(const struct strbuf *out)
{
	int n = 0;
	for (size_t i = 0; i < out->len;) {
		char x = out->buf[i];
		i += strlen(out->buf + i) + 1;
		if ((x == 'R' || x == 'C') && i < out->len) /* a rename carries its source as a second field */
			i += strlen(out->buf + i) + 1;
		n++;
	}
	return n;
}

static void changes_args(const struct session *s, struct strvec *env, struct strvec *args)
{
	if (s->admin)
		strvec_pushf(env, "GIT_DIR=%s", s->admin);
	strvec_pushf(env, "GIT_WORK_TREE=%s", s->worktree);
	strvec_pushl(args, "status", "--porcelain", "-z", "--untracked-files=all", NULL);
}

int session_checked_out(const struct session *s)
{
	char *index = s->admin ? path_join(s->admin, "index") : NULL;
	int yes = !index || path_exists(index);
	free(index);
	return yes;
}

int session_changes(const struct session *s, int *count, struct error *err)
{
	struct changes_job j;
	if (!session_checked_out(s)) {
		*count = 0;
		return 0;
	}
	if (session_changes_start(s, &j, err) < 0)
		return -1;
	return session_changes_finish(&j, count, err);
}

int session_changes_start(const struct session *s, struct changes_job *j, struct error *err)
{
	struct strvec env = STRVEC_INIT, args = STRVEC_INIT;
	strbuf_init(&j->out, 0);
	changes_args(s, &env, &args);
	int r = git_start_argv(&j->job, s->worktree, &env, &args, &j->out, err);
	strvec_clear(&env);
	strvec_clear(&args);
	if (r < 0)
		strbuf_release(&j->out);
	return r;
}

int session_changes_finish(struct changes_job *j, int *count, struct error *err)
{
	int r = git_finish(&j->job, err);
	if (r == 0)
		*count = count_changes(&j->out);
	strbuf_release(&j->out);
	return r;
}

int session_commit_all(const struct session *s, const char *msg, int *committed, struct error *err)
{
	int n = 0;
	*committed = 0;
	if (session_changes(s, &n, err) < 0)
		return -1;
	if (!n)
		return 0;
	if (wt_git(s, NULL, err, "add", "-A", NULL) < 0 ||
	    wt_git(s, NULL, err, "commit", "--quiet", "--no-verify", "-m", msg, NULL) < 0)
		return -1;
	*committed = 1;
	return 0;
}

int session_remove_worktree(const struct repo *r, const struct session *s, int force, struct error *err)
{
	if (!is_dir(s->worktree))
		return git(r->root, NULL, err, "worktree", "prune", NULL);
	if (force)
		return git(r->root, NULL, err, "worktree", "remove", "--force", s->worktree, NULL);
	return git(r->root, NULL, err, "worktree", "remove", s->worktree, NULL);
}

/* Paths in the worktree that hold a git repository of their own: a
 * gitlink in the index, or an untracked folder with a .git (git status
 * shows it as "dir/"). A commit keeps only a pointer to them. */
int session_nested_repos(const struct session *s, struct strvec *paths, struct error *err)
{
	struct strbuf out = STRBUF_INIT;
	int ret = wt_git(s, &out, err, "ls-files", "--stage", "-z", NULL);
	for (size_t i = 0; ret == 0 && i < out.len; i += strlen(out.buf + i) + 1) {
		const char *tab = strchr(out.buf + i, '\t');
		if (!strncmp(out.buf + i, "160000 ", 7) && tab)
			strvec_push(paths, tab + 1);
	}
	strbuf_reset(&out);
	if (ret == 0)
		ret = wt_git(s, &out, err, "status", "--porcelain", "-z", "--untracked-files=normal", NULL);
	for (size_t i = 0; ret == 0 && i < out.len; i += strlen(out.buf + i) + 1) {
		const char *e = out.buf + i;
		size_t n = strlen(e);
		if (n > 4 && !strncmp(e, "?? ", 3) && e[n - 1] == '/')
			strvec_pushf(paths, "%.*s", (int)(n - 4), e + 3);
	}
	strbuf_release(&out);
	/* only those that hold a repository right now */
	size_t keep = 0;
	for (size_t i = 0; i < paths->nr; i++) {
		char *dotgit = xasprintf("%s/%s/.git", s->worktree, paths->v[i]);
		if (path_exists(dotgit))
			paths->v[keep++] = paths->v[i];
		else
			free(paths->v[i]);
		free(dotgit);
	}
	paths->nr = keep;
	if (paths->v)
		paths->v[keep] = NULL;
	return ret;
}

int session_refuse_nested(const struct session *s, const char *what, struct error *err)
{
	struct strvec nested = STRVEC_INIT;
	int ret = session_nested_repos(s, &nested, err);
	if (ret == 0 && nested.nr) {
		error_set(err, PARA_EXIT_FAIL, "'%s' holds a git repository at '%s' whose files %s would lose", s->name, nested.v[0],
			  what);
		ret = error_hint(err, "move it out of %s (or push its work and remove it), then try again; nothing was changed",
				 s->worktree);
	}
	strvec_clear(&nested);
	return ret;
}

/* The tree of everything in the worktree (tracked, modified, untracked; not
 * ignored), made with a private index so nothing the user sees changes. */
static int wip_tree(const struct repo *r, const struct session *s, const char *head, struct strbuf *tree,
		    struct error *err)
{
	/* in para's state folder: never inside what it snapshots, and swept by
	 * clean when the process that made it was killed */
	char *idx = xasprintf("%s/state/%s" ARCHIVE_INDEX_INFIX "%ld", r->para_dir, s->name, (long)getpid());
	struct strvec env = STRVEC_INIT;
	strvec_pushf(&env, "GIT_INDEX_FILE=%s", idx);
	int ret = (wt_git_env(s, &env, NULL, err, "read-tree", head, NULL) < 0 ||
		   wt_git_env(s, &env, NULL, err, "add", "-A", NULL) < 0 ||
		   wt_git_env(s, &env, tree, err, "write-tree", NULL) < 0)
			  ? -1
			  : 0;
	strbuf_trim(tree);
	unlink(idx);
	free(idx);
	strvec_clear(&env);
	return ret;
}

/* Commits the session reached that its HEAD does not contain: the branch
 * tip, the reflogs of HEAD and the branch (since the session began), and
 * extra (the container's). Each is a tip not reachable from another. */
/* The new values of a reflog of the files backend (trusted: the host's own
 * git wrote it); 0 when there is no such file. */
static int reflog_file(const char *path, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		return 0;
	}
	char *save = NULL;
	for (char *l = strtok_r(sb.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *nv = strchr(l, ' ');
		size_t n = nv ? strcspn(nv + 1, " ") : 0;
		if (nv && (n == 40 || n == 64) && strspn(nv + 1, "0") < n)
			strvec_pushf(out, "%.*s", (int)n, nv + 1);
	}
	strbuf_release(&sb);
	return 1;
}

/* What the reflogs of the worktree's HEAD and of the branch reached: read
 * from their files, or asked of git when the repository keeps them
 * elsewhere (reftable). */
static void session_reflogs(const struct repo *r, const struct session *s, struct strvec *out)
{
	char *reftable = path_join(r->git_dir, "reftable");
	if (!is_dir(reftable) && s->admin) {
		char *head = path_join(s->admin, "logs/HEAD");
		char *branch = xasprintf("%s/logs/refs/heads/%s", r->git_dir, s->branch);
		if (is_dir(s->worktree))
			reflog_file(head, out);
		reflog_file(branch, out);
		free(head);
		free(branch);
		free(reftable);
		return;
	}
	free(reftable);
	struct strbuf logs = STRBUF_INIT;
	struct error e = ERROR_INIT;
	char *branch_ref = xasprintf("refs/heads/%s", s->branch);
	if (is_dir(s->worktree))
		wt_git(s, &logs, &e, "reflog", "show", "--format=%H", "HEAD", NULL);
	git(r->root, &logs, &e, "reflog", "show", "--format=%H", branch_ref, NULL);
	char *save = NULL;
	for (char *l = strtok_r(logs.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		strvec_push(out, l);
	free(branch_ref);
	strbuf_release(&logs);
}

static int lost_tips(const struct repo *r, const struct session *s, const char *head, const char *tip,
		     const struct strvec *extra, struct strvec *out, struct error *err)
{
	struct strbuf indep = STRBUF_INIT;
	struct strvec args = STRVEC_INIT, cand = STRVEC_INIT;
	strvec_push(&cand, tip);
	if (extra)
		strvec_pushv(&cand, (const char *const *)extra->v);
	session_reflogs(r, s, &cand);
	/* nothing but HEAD itself (a session that made no commit): no question */
	int other = 0;
	for (size_t i = 0; i < cand.nr && !other; i++)
		other = strcmp(cand.v[i], head) != 0;
	int ret = 0;
	if (other) {
		strvec_pushl(&args, "merge-base", "--independent", head, NULL);
		strvec_pushv(&args, (const char *const *)cand.v);
		ret = git_argv(r->root, NULL, &args, &indep, err);
	}
	char *save = NULL;
	for (char *l = ret == 0 && other ? strtok_r(indep.buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		if (strcmp(l, head))
			strvec_push(out, l);
	strvec_clear(&args);
	strvec_clear(&cand);
	strbuf_release(&indep);
	return ret;
}

/* The archive ref of session name at stamp; the i-th one taken that second
 * gets "-i". */
static char *archive_ref_at(const struct config *cfg, const char *stamp, int i, const char *name)
{
	char *prefix = session_prefix(cfg);
	char *ref = i ? xasprintf("refs/heads/%s/archived/%s-%d/%s", prefix, stamp, i, name)
		      : xasprintf("refs/heads/%s/archived/%s/%s", prefix, stamp, name);
	free(prefix);
	return ref;
}

/* The first of "-1", "-2", ... not taken yet, when the stamp's own name is
 * (an archive of the same name made this second). */
static int archive_next_free(const struct repo *r, const struct config *cfg, const char *stamp, const char *name,
			     char **ref, struct error *err)
{
	for (int i = 1; i < 100; i++) {
		char *c = archive_ref_at(cfg, stamp, i, name);
		if (!git_ref_exists(r->root, c)) {
			*ref = c;
			return 0;
		}
		free(c);
	}
	return error_set(err, PARA_EXIT_FAIL, "no free archive name for '%s': 100 were made this second", name);
}

int session_archive_plan(const struct repo *r, const struct config *cfg, const struct session *s,
			 struct archive_plan *p, struct error *err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	/* the first name to try (or the earlier run's archive) and the branch
	 * tip, with one git process */
	char *first = s->archive ? xasprintf("%s^{commit}", s->archive) : archive_ref_at(cfg, stamp, 0, s->name);
	char *tip = xasprintf("refs/heads/%s^{commit}", s->branch);
	const char *revs[] = { first, tip };
	struct strvec oids = STRVEC_INIT;
	int ret = git_resolve(r->root, revs, 2, &oids, err);
	if (ret == 0) {
		strbuf_addstr(&p->tip, oids.v[1]);
		if (s->archive) {
			p->ref = xstrdup(s->archive);
			strbuf_addstr(&p->old, oids.v[0]);
		} else if (!*oids.v[0]) {
			p->ref = first;
			first = NULL;
		} else {
			ret = archive_next_free(r, cfg, stamp, s->name, &p->ref, err);
		}
	}
	strvec_clear(&oids);
	free(first);
	free(tip);
	return ret;
}

void archive_plan_clear(struct archive_plan *p)
{
	free(p->ref);
	p->ref = NULL;
	strbuf_release(&p->tip);
	strbuf_release(&p->old);
}

/* The archive commit: the worktree's tree on top of HEAD, with every lost
 * tip as a further parent; HEAD itself when there is nothing to add. */
static int archive_commit(const struct repo *r, const struct session *s, const char *head,
			  const struct strvec *lost, struct strbuf *commit, struct error *err)
{
	struct strbuf tree = STRBUF_INIT, htree = STRBUF_INIT;
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	char *htreeish = xasprintf("%s^{tree}", head);
	int ret = git(r->root, &htree, err, "rev-parse", htreeish, NULL);
	strbuf_trim(&htree);
	if (ret == 0 && is_dir(s->worktree) && session_checked_out(s))
		ret = wip_tree(r, s, head, &tree, err);
	else if (ret == 0)
		strbuf_add(&tree, htree.buf, htree.len);
	if (ret < 0)
		goto out;
	if (!lost->nr && !strcmp(tree.buf, htree.buf)) {
		strbuf_addstr(commit, head);
		goto out;
	}
	char *msg = xasprintf("para: uncommitted work of session %s\n\n" WIP_TRAILER "\n", s->name);
	strvec_pushl(&args, "commit-tree", tree.buf, "-p", head, NULL);
	for (size_t i = 0; i < lost->nr; i++)
		strvec_pushl(&args, "-p", lost->v[i], NULL);
	strvec_pushl(&args, "-m", msg, NULL);
	strvec_pushl(&env, "GIT_AUTHOR_NAME=para", "GIT_AUTHOR_EMAIL=para@localhost", "GIT_COMMITTER_NAME=para",
		     "GIT_COMMITTER_EMAIL=para@localhost", NULL);
	ret = git_argv(r->root, &env, &args, commit, err);
	strbuf_trim(commit);
	free(msg);
out:
	free(htreeish);
	strvec_clear(&args);
	strvec_clear(&env);
	strbuf_release(&tree);
	strbuf_release(&htree);
	return ret;
}

/* Whether the worktree's HEAD is the session branch by its admin folder's
 * HEAD file alone, as git would read it (the files backend): then HEAD is
 * the branch tip. Anything else (detached, another branch, a reftable stub,
 * not a plain file) is for git to resolve. */
static int head_file_on_branch(const struct session *s)
{
	if (!s->admin)
		return 0;
	char *path = path_join(s->admin, "HEAD"), *want = xasprintf("ref: refs/heads/%s\n", s->branch);
	size_t n = strlen(want);
	char buf[512];
	ssize_t got = -1;
	struct stat st;
	/* O_NONBLOCK: a FIFO put there does not hang para; it is no HEAD file */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == n && n < sizeof buf)
		got = read(fd, buf, n + 1);
	if (fd >= 0)
		close(fd);
	int yes = got == (ssize_t)n && !memcmp(buf, want, n);
	free(path);
	free(want);
	return yes;
}

/* The worktree's HEAD (the branch tip when there is none), and the commits
 * to keep besides: extra, an earlier run's archive (old), what HEAD, the
 * branch and the reflog reach that the tip does not. */
static int archive_heads(const struct repo *r, const struct session *s, const struct strvec *extra,
			 const char *old, const struct strbuf *tip, struct strbuf *head, struct strvec *lost,
			 struct error *err)
{
	struct error e = ERROR_INIT;
	if (!is_dir(s->worktree) || head_file_on_branch(s) ||
	    wt_git(s, head, &e, "rev-parse", "--verify", "HEAD", NULL) < 0)
		strbuf_add(head, tip->buf, tip->len);
	strbuf_trim(head);
	/* what an earlier, killed run archived stays reachable from the new one */
	struct strvec cand = STRVEC_INIT;
	if (extra)
		strvec_pushv(&cand, (const char *const *)extra->v);
	if (old)
		strvec_push(&cand, old);
	int lr = lost_tips(r, s, head->buf, tip->buf, &cand, lost, err);
	strvec_clear(&cand);
	return lr;
}

/* With the archive made: the worktree and the branch go. */
static int archive_remove_session(const struct repo *r, const struct session *s, const char *branch_ref,
				  const struct strbuf *tip, struct error *err)
{
	struct error e = ERROR_INIT;
	if (is_dir(s->worktree) && session_remove_worktree(r, s, 1, err) < 0)
		return -1;
	git(r->root, NULL, &e, "worktree", "prune", NULL);
	if (tip->len)
		git(r->root, NULL, &e, "update-ref", "-d", branch_ref, tip->buf, NULL);
	return 0;
}

/*
 * A session with nothing to add to its tip (HEAD on it, no commit off it):
 * git's own safe removal takes the worktree first (it refuses when anything
 * is uncommitted or untracked, or a repository sits inside), then one
 * transaction makes the archive and deletes the branch, both at the tip.
 * At every instant the branch or the archive holds the commits, and a run
 * killed in between is finished by the next (the branch is still there).
 * 1: done; 0: the worktree is not clean, nothing changed; -1: error.
 */
static int archive_clean(const struct repo *r, const struct session *s, const char *archive,
			 const char *branch_ref, const char *tip, struct error *err)
{
	struct error e = ERROR_INIT;
	int removed = is_dir(s->worktree) && git(r->root, NULL, &e, "worktree", "remove", s->worktree, NULL) == 0;
	if (!removed && is_dir(s->worktree))
		return 0;
	struct strvec args = STRVEC_INIT;
	/* create: fails, changing nothing, when the archive exists after all */
	char *tx = xasprintf("create %s %s\ndelete %s %s\n", archive, tip, branch_ref, tip);
	strvec_pushl(&args, "update-ref", "--stdin", NULL);
	int ret = git_argv_input(r->root, NULL, &args, tx, strlen(tx), NULL, err);
	if (ret < 0) {
		error_wrap(err, "cannot archive '%s'", s->name);
		error_hint(err, "nothing is lost: its branch %s still holds every commit", s->branch);
	}
	/* a worktree that was gone before may have left its admin folder */
	if (ret == 0 && !removed)
		git(r->root, NULL, &e, "worktree", "prune", NULL);
	free(tx);
	strvec_clear(&args);
	return ret < 0 ? -1 : 1;
}

/* Whether commit tip is in what archive holds: an archive a run of this
 * session made always holds it (the tip, or a commit it is a parent of). */
static int archive_holds(const struct repo *r, const char *archive, const char *tip)
{
	struct error e = ERROR_INIT;
	return git(r->root, NULL, &e, "merge-base", "--is-ancestor", tip, archive, NULL) == 0;
}

int session_archive_from(const struct repo *r, const struct session *s, const struct strvec *extra,
			 const struct archive_plan *p, char **ref, struct error *err)
{
	struct strbuf head = STRBUF_INIT, commit = STRBUF_INIT;
	struct strvec lost = STRVEC_INIT;
	char *branch_ref = xasprintf("refs/heads/%s", s->branch);
	const char *archive = p->ref, *old = p->old.len ? p->old.buf : NULL;
	int ret = -1;
	if (!p->tip.len) {
		if (!old) {
			error_set(err, PARA_EXIT_FAIL, "the branch %s of '%s' is gone and no archive of it exists", s->branch, s->name);
			error_hint(err, "'git reflog' may still know its commits; nothing was changed");
			goto out;
		}
		/* an earlier cancel archived it and deleted the branch: finish its job */
		goto remove;
	}
	/* run again after the worktree went: the archive holds all of it (when
	 * it holds the tip: something else at the recorded name is kept too) */
	if (old && !is_dir(s->worktree) && archive_holds(r, old, p->tip.buf))
		goto remove;
	if (archive_heads(r, s, extra, old, &p->tip, &head, &lost, err) < 0)
		goto out;
	if (!lost.nr && !old && !strcmp(head.buf, p->tip.buf)) {
		int clean = archive_clean(r, s, archive, branch_ref, p->tip.buf, err);
		if (clean) {
			ret = clean < 0 ? -1 : 0;
			goto done;
		}
	}
	if (is_dir(s->worktree) && session_refuse_nested(s, "an archive", err) < 0)
		goto out;
	/* the archive ref first: from here on the commits are safe */
	if (archive_commit(r, s, head.buf, &lost, &commit, err) < 0 ||
	    git(r->root, NULL, err, "update-ref", archive, commit.buf, old ? old : "", NULL) < 0)
		goto out;
remove:
	ret = archive_remove_session(r, s, branch_ref, &p->tip, err);
done:
	if (ret == 0)
		*ref = xstrdup(archive + strlen("refs/heads/"));
out:
	free(branch_ref);
	strvec_clear(&lost);
	strbuf_release(&head);
	strbuf_release(&commit);
	return ret;
}

int session_archive(const struct repo *r, const struct config *cfg, const struct session *s,
		    const struct strvec *extra, char **ref, struct error *err)
{
	struct archive_plan p = ARCHIVE_PLAN_INIT;
	int ret = session_archive_plan(r, cfg, s, &p, err);
	if (ret == 0)
		ret = session_archive_from(r, s, extra, &p, ref, err);
	archive_plan_clear(&p);
	return ret;
}

int archive_drop(const struct repo *r, const char *ref, struct error *err)
{
	char *full = strncmp(ref, "refs/", 5) ? xasprintf("refs/heads/%s", ref) : xstrdup(ref);
	int ret = git(r->root, NULL, err, "update-ref", "-d", full, NULL);
	free(full);
	return ret;
}

int archive_parse(const struct config *cfg, const char *ref, char **name, char **stamp)
{
	char *prefix = session_prefix(cfg);
	char *head = xasprintf("%s/archived/", prefix);
	free(prefix);
	if (!strncmp(ref, "refs/heads/", 11))
		ref += 11;
	int ret = -1;
	if (!strncmp(ref, head, strlen(head))) {
		const char *rest = ref + strlen(head);
		const char *slash = strchr(rest, '/');
		if (slash && name_is_valid(slash + 1)) {
			if (stamp)
				*stamp = xstrndup(rest, (size_t)(slash - rest));
			if (name)
				*name = xstrdup(slash + 1);
			ret = 0;
		}
	}
	free(head);
	return ret;
}

int archive_list(const struct repo *r, const struct config *cfg, const char *name, struct strvec *refs,
		 struct error *err)
{
	char *prefix = session_prefix(cfg);
	char *pattern = xasprintf("refs/heads/%s/archived/", prefix);
	struct strbuf out = STRBUF_INIT;
	free(prefix);
	int ret = git(r->root, &out, err, "for-each-ref", "--sort=refname", "--format=%(refname)", pattern, NULL);
	if (ret == 0) {
		char *save = NULL;
		for (char *line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *n = NULL;
			if (archive_parse(cfg, line, &n, NULL) == 0 && (!name || !strcmp(n, name)))
				strvec_push(refs, line);
			free(n);
		}
	}
	free(pattern);
	strbuf_release(&out);
	return ret;
}

int session_recover(const struct repo *r, const struct config *cfg, const char *ref, struct session *s,
		    struct error *err)
{
	struct strbuf msg = STRBUF_INIT, base = STRBUF_INIT, tip = STRBUF_INIT;
	char *name = NULL, *full = NULL;
	int ret = -1, wip;
	if (archive_parse(cfg, ref, &name, NULL) < 0) {
		error_set(err, PARA_EXIT_FAIL, "'%s' is not a para archive", ref);
		goto out;
	}
	full = strncmp(ref, "refs/", 5) ? xasprintf("refs/heads/%s", ref) : xstrdup(ref);
	if (git(r->root, &tip, err, "rev-parse", "--verify", full, NULL) < 0 ||
	    git(r->root, &msg, err, "log", "-1", "--format=%B", full, NULL) < 0)
		goto out;
	strbuf_trim(&tip);
	wip = strstr(msg.buf, WIP_TRAILER) != NULL;
	strbuf_addstr(&base, tip.buf);
	if (wip)
		strbuf_addstr(&base, "^");
	if (session_create_at(r, cfg, name, base.buf, s, err) < 0)
		goto out;
	/* the archived uncommitted files become uncommitted files again:
	 * worktree := archived tree, index := HEAD */
	if (wip && (wt_git(s, NULL, err, "read-tree", "-u", "--reset", tip.buf, NULL) < 0 ||
		    wt_git(s, NULL, err, "reset", "--quiet", NULL) < 0)) {
		error_wrap(err, "cannot restore the archived files of '%s' (the archive is kept)", name);
		ret = undo_create(r, s);
		goto out;
	}
	ret = 0;
out:
	free(name);
	free(full);
	strbuf_release(&msg);
	strbuf_release(&base);
	strbuf_release(&tip);
	return ret;
}
