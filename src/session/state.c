#include "session/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "session/names.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void session_clear(struct session *s)
{
	free(s->name);
	free(s->branch);
	free(s->worktree);
	free(s->base);
	free(s->admin);
	free(s->synced);
	free(s->phase);
	free(s->archive);
	json_decref(s->container);
	session_unlock(s);
	memset(s, 0, sizeof *s);
}

int para_gitignore_ensure(const char *para_dir, struct error *err)
{
	static const char mark[] = "# written by para: private, per-machine session data\n";
	static const char body[] = "# written by para: private, per-machine session data\n"
				   "state/\nworktrees/\ngit/\nlogs/\n.gitignore\n";
	char *gi = path_join(para_dir, ".gitignore");
	struct strbuf old = STRBUF_INIT;
	int ret = 0, have = strbuf_read_file(&old, gi) == 0;
	/* para's own file from an older version is brought up to date */
	if (!have || (!strncmp(old.buf, mark, sizeof mark - 1) && strcmp(old.buf, body)))
		ret = write_file_atomic(gi, body, sizeof body - 1, 0644, err);
	strbuf_release(&old);
	free(gi);
	return ret;
}

int state_prepare(const struct repo *r, struct error *err)
{
	static const char *const dirs[] = { "state", "worktrees", "logs" };
	for (size_t i = 0; i < 3; i++) {
		char *d = path_join(r->para_dir, dirs[i]);
		int ret = mkdir_p(d, 0755, err);
		free(d);
		if (ret < 0)
			return ret;
	}
	return para_gitignore_ensure(r->para_dir, err);
}

/*
 * A process holds the state lock once: taking it again while it holds it
 * (clean bringing back a dead session's commits) gives the same fd, and only
 * the outermost state_unlock lets it go. A second flock on a file opened anew
 * would wait on this very process forever.
 */
static struct {
	int fd, depth;
	char *path;
} held = { -1, 0, NULL };

int state_lock(const struct repo *r, struct error *err)
{
	char *p = path_join(r->para_dir, "state/.lock");
	if (held.depth && !strcmp(held.path, p)) {
		free(p);
		held.depth++;
		return held.fd;
	}
	int fd = lock_acquire(p, 1, err);
	if (fd >= 0 && !held.depth) {
		held.fd = fd;
		held.depth = 1;
		held.path = p;
	} else {
		free(p);
	}
	return fd;
}

static char *session_lock_path(const struct repo *r, const char *name)
{
	return xasprintf("%s/state/locks/%s", r->para_dir, name);
}

/* The fd, or -1 on error, or -2 when another process holds it. */
static int try_lock(const struct repo *r, const char *name, int create, struct error *err)
{
	char *dir = path_join(r->para_dir, "state/locks");
	char *p = session_lock_path(r, name);
	int fd = -1, busy = 0;
	if (!create)
		fd = open(p, O_RDWR | O_CLOEXEC); /* no lock file: nobody holds it */
	else if (mkdir_p(dir, 0755, err) == 0 && (fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		error_errno(err, PARA_EXIT_FAIL, "cannot open lock '%s'", p);
	while (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		busy = errno == EWOULDBLOCK;
		if (busy) {
			error_set(err, PARA_EXIT_FAIL, "session '%s' is being changed by another para", name);
			error_hint(err, "try again when that command is done");
		} else {
			error_errno(err, PARA_EXIT_FAIL, "cannot lock '%s'", p);
		}
		close(fd);
		fd = busy ? -2 : -1;
	}
	free(dir);
	free(p);
	return fd;
}

int session_lock(const struct repo *r, const char *name, struct session *s, struct error *err)
{
	if (s->lock)
		return 0;
	int fd = try_lock(r, name, 1, err);
	if (fd < 0)
		return -1;
	s->lock = fd + 1;
	return 0;
}

void session_unlock(struct session *s)
{
	if (s->lock)
		close(s->lock - 1);
	s->lock = 0;
}

int session_locked_elsewhere(const struct repo *r, const char *name)
{
	struct error e = ERROR_INIT;
	int fd = try_lock(r, name, 0, &e);
	if (fd >= 0)
		close(fd);
	return fd == -2;
}

void state_unlock(int fd)
{
	if (fd >= 0 && fd == held.fd) {
		if (--held.depth > 0)
			return;
		held.fd = -1;
		free(held.path);
		held.path = NULL;
	}
	lock_release(fd);
}

char *state_path(const struct repo *r, const char *name)
{
	return xasprintf("%s/state/%s.json", r->para_dir, name);
}

int state_exists(const struct repo *r, const char *name)
{
	char *p = state_path(r, name);
	int e = path_exists(p);
	free(p);
	return e;
}

static char *dup_str(const json_t *o, const char *k)
{
	const char *v = json_str(o, k);
	return v ? xstrdup(v) : NULL;
}

static int from_json(const json_t *j, struct session *s)
{
	s->name = dup_str(j, "name");
	s->branch = dup_str(j, "branch");
	s->worktree = dup_str(j, "worktree");
	s->base = dup_str(j, "base");
	s->admin = dup_str(j, "gitdir");
	s->synced = dup_str(j, "synced");
	s->phase = dup_str(j, "phase");
	s->archive = dup_str(j, "archive");
	s->created = json_integer_value(json_object_get(j, "created"));
	s->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	json_t *c = json_object_get(j, "container");
	s->container = json_is_object(c) ? json_incref(c) : NULL;
	if (!s->name || !s->branch || !s->worktree || !s->phase)
		return -1;
	return 0;
}

int state_load(const struct repo *r, const char *name, struct session *s, struct error *err)
{
	char *p = state_path(r, name);
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	int ret = 0;
	if (!j) {
		if (!path_exists(p)) {
			error_set(err, PARA_EXIT_FAIL, "no session named '%s'", name);
			error_hint(err, "'para list' shows the sessions of this repository");
		} else {
			error_set(err, PARA_EXIT_FAIL, "cannot read session state '%s': %s", p, je.text);
		}
		ret = -1;
	} else if (from_json(j, s) < 0) {
		session_clear(s);
		ret = error_set(err, PARA_EXIT_FAIL, "session state '%s' is incomplete", p);
	} else if (!s->admin) {
		/* state written before para recorded it: git's own default name */
		s->admin = xasprintf("%s/worktrees/%s", r->git_dir, path_basename(s->worktree));
	}
	json_decref(j);
	free(p);
	return ret;
}

int state_save(const struct repo *r, const struct session *s, struct error *err)
{
	char *p = state_path(r, s->name);
	int ret = state_write(s, p, err);
	free(p);
	return ret;
}

int state_write(const struct session *s, const char *p, struct error *err)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:s, s:I}", "name", s->name, "branch", s->branch,
			      "worktree", s->worktree, "base", s->base, "created", (json_int_t)s->created,
			      "phase", s->phase, "pid", (json_int_t)s->pid);
	if (!j)
		abort();
	if (s->admin)
		json_object_set_new(j, "gitdir", json_string(s->admin));
	if (s->synced)
		json_object_set_new(j, "synced", json_string(s->synced));
	if (s->archive)
		json_object_set_new(j, "archive", json_string(s->archive));
	if (s->container)
		json_object_set(j, "container", s->container);
	int ret = json_write_file(p, j, 1, err);
	json_decref(j);
	return ret;
}

int state_remove(const struct repo *r, const char *name, struct error *err)
{
	char *p = state_path(r, name);
	int ret = 0;
	if (unlink(p) < 0 && errno != ENOENT)
		ret = error_errno(err, PARA_EXIT_FAIL, "cannot remove '%s'", p);
	/* the session's lock goes with it. Its holder (this process) lets go
	 * soon; a para that opens the path afterwards finds no session */
	char *l = session_lock_path(r, name), *dir = path_join(r->para_dir, "state/locks");
	unlink(l);
	rmdir(dir);
	free(l);
	free(dir);
	free(p);
	return ret;
}

static int by_created(const void *a, const void *b)
{
	const struct session *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->name, y->name);
}

int state_list(const struct repo *r, struct session **out, size_t *n, struct error *err)
{
	char *dir = path_join(r->para_dir, "state");
	DIR *d = opendir(dir);
	struct session *v = NULL;
	size_t nr = 0, alloc = 0;
	*out = NULL;
	*n = 0;
	if (!d) {
		int e = errno;
		free(dir);
		if (e == ENOENT)
			return 0;
		errno = e;
		return error_errno(err, PARA_EXIT_FAIL, "cannot read '%s/state'", r->para_dir);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") || de->d_name[0] == '.')
			continue;
		char *name = xstrndup(de->d_name, len - 5);
		if (name_is_valid(name)) {
			struct session s = { 0 };
			struct error e = ERROR_INIT;
			if (state_load(r, name, &s, &e) == 0) {
				ALLOC_GROW(v, nr + 1, alloc);
				v[nr++] = s;
			}
		}
		free(name);
	}
	closedir(d);
	free(dir);
	if (nr)
		qsort(v, nr, sizeof *v, by_created);
	*out = v;
	*n = nr;
	return 0;
}

void state_list_free(struct session *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		session_clear(&v[i]);
	free(v);
}

int session_is_stale(const struct session *s)
{
	if (!strcmp(s->phase, "ready"))
		return 0;
	return s->pid <= 0 || (kill(s->pid, 0) < 0 && errno == ESRCH);
}
