#include "session/agentgit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/session.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define REF_MAX 4096                 /* a loose ref file, with room for junk */
#define PACKED_REFS_MAX (64u << 20)  /* what para reads of the agent's packed-refs */

char *agentgit_dir(const struct repo *r, const char *name)
{
	return xasprintf("%s/git/%s", r->para_dir, name);
}

char *agentgit_link(const struct repo *r, const char *name)
{
	return xasprintf("%s/git/%s.link", r->para_dir, name);
}

static char *quarantine_dir(const struct repo *r, const char *name)
{
	return xasprintf("%s/git/%s.import", r->para_dir, name);
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_oid(const char *s, size_t n)
{
	return (n == 40 || n == 64) && is_hex(s, n);
}

/* Open rel below dirfd without following a symlink anywhere on the way; the
 * last component must be a regular file (a FIFO the agent left never blocks). */
static int open_beneath(int dirfd, const char *rel)
{
	char *copy = xstrdup(rel), *save = NULL;
	int cur = dirfd, fd = -1;
	char *comp = strtok_r(copy, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, ".") || !strcmp(comp, ".."))
			break;
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK);
		int nfd = openat(cur, comp, flags);
		if (cur != dirfd)
			close(cur);
		cur = dirfd;
		if (nfd < 0)
			break;
		if (!next) {
			struct stat st;
			if (fstat(nfd, &st) == 0 && S_ISREG(st.st_mode))
				fd = nfd;
			else
				close(nfd);
			break;
		}
		cur = nfd;
		comp = next;
	}
	if (cur != dirfd)
		close(cur);
	free(copy);
	return fd;
}

static int read_capped(int fd, size_t max, struct strbuf *sb)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (sb->len + (size_t)n > max)
			return -1;
		strbuf_add(sb, buf, (size_t)n);
	}
}

int agentgit_read_ref(int dirfd, const char *refname, char out[65])
{
	struct strbuf sb = STRBUF_INIT;
	int found = 0;
	int fd = open_beneath(dirfd, refname);
	if (fd >= 0) {
		if (read_capped(fd, REF_MAX, &sb) == 0) {
			strbuf_trim(&sb);
			if (is_oid(sb.buf, sb.len)) {
				memcpy(out, sb.buf, sb.len + 1);
				found = 1;
			}
		}
		close(fd);
		strbuf_release(&sb);
		if (found)
			return 1;
	}
	/* packed: "<oid> <refname>" lines */
	fd = open_beneath(dirfd, "packed-refs");
	if (fd < 0)
		return 0;
	if (read_capped(fd, PACKED_REFS_MAX, &sb) == 0) {
		size_t want = strlen(refname);
		char *save = NULL;
		for (char *l = strtok_r(sb.buf, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(l, ' ');
			if (!sp || !is_oid(l, (size_t)(sp - l)) || strlen(sp + 1) != want || strcmp(sp + 1, refname))
				continue;
			memcpy(out, l, (size_t)(sp - l));
			out[sp - l] = '\0';
			found = 1;
		}
	}
	close(fd);
	strbuf_release(&sb);
	return found;
}

static int write_text(const char *dir, const char *rel, const char *text, struct error *err)
{
	char *p = path_join(dir, rel);
	char *parent = path_dirname(p);
	int r = mkdir_p(parent, 0755, err);
	if (r == 0)
		r = write_file_atomic(p, text, strlen(text), 0644, err);
	free(parent);
	free(p);
	return r;
}

/* Copy a file para trusts (the host's own index, exclude file); missing is fine. */
static int copy_if_there(const char *src, const char *dir, const char *rel, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r = 0;
	if (strbuf_read_file(&sb, src) == 0) {
		char *p = path_join(dir, rel);
		r = write_file_atomic(p, sb.buf, sb.len, 0644, err);
		free(p);
	}
	strbuf_release(&sb);
	return r;
}

int agentgit_take_index(const struct repo *r, const struct session *s, struct error *err)
{
	char *dir = agentgit_dir(r, s->name), *index = path_join(s->admin, "index");
	int ret = copy_if_there(index, dir, "index", err);
	free(dir);
	free(index);
	return ret;
}

void agentgit_object_dirs(const struct repo *r, struct strvec *dirs)
{
	char *objects = path_join(r->git_dir, "objects");
	char *alt = path_join(objects, "info/alternates");
	struct strbuf sb = STRBUF_INIT;
	strvec_push(dirs, objects);
	if (strbuf_read_file(&sb, alt) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(sb.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (*l == '#' || !*l)
				continue;
			char *p = path_join(objects, l);
			char *real = realpath(p, NULL);
			if (real)
				strvec_push(dirs, real);
			free(real);
			free(p);
		}
	}
	strbuf_release(&sb);
	free(alt);
	free(objects);
}

static char *git_config_text(const struct repo *r, int bare)
{
	int v1 = r->object_format && strcmp(r->object_format, "sha1");
	return xasprintf("[core]\n\trepositoryformatversion = %d\n\tfilemode = true\n\tbare = %s\n"
			 "\tlogallrefupdates = true\n%s%s%s",
			 v1, bare ? "true" : "false", v1 ? "[extensions]\n\tobjectformat = " : "",
			 v1 ? r->object_format : "", v1 ? "\n" : "");
}

static char *alternates_text(const struct repo *r)
{
	struct strvec dirs = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	agentgit_object_dirs(r, &dirs);
	for (size_t i = 0; i < dirs.nr; i++)
		strbuf_addf(&sb, "%s\n", dirs.v[i]);
	strvec_clear(&dirs);
	return strbuf_detach(&sb, NULL);
}

/* The new git directory's files, in dir. */
static int fill_agent_dir(const struct repo *r, struct session *s, const char *dir, struct error *err)
{
	struct strbuf refs = STRBUF_INIT, packed = STRBUF_INIT;
	char *branch_ref = xasprintf("refs/heads/%s", s->branch);
	char *tip = NULL, *head = xasprintf("ref: %s\n", branch_ref);
	char *config = git_config_text(r, 0), *alt = alternates_text(r);
	int ret = -1;
	/* the repository's branches and tags, so `git log main` or a rebase
	 * onto the base work inside; the agent moving them moves nothing here */
	if (git(r->root, &refs, err, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags",
		"refs/remotes", NULL) < 0)
		goto out;
	char *save = NULL;
	for (char *l = strtok_r(refs.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (!sp)
			continue;
		if (!strcmp(sp + 1, branch_ref))
			tip = xstrndup(l, (size_t)(sp - l));
		else
			strbuf_addf(&packed, "%s\n", l);
	}
	if (!tip) {
		error_set(err, PARA_EXIT_FAIL, "the session branch '%s' does not exist", s->branch);
		goto out;
	}
	char *tipline = xasprintf("%s\n", tip);
	char *index = path_join(s->admin, "index"), *exclude = path_join(r->git_dir, "info/exclude");
	char *objdir = path_join(dir, "objects/pack"), *refdir = path_join(dir, "refs/tags");
	ret = (mkdir_p(objdir, 0755, err) < 0 || mkdir_p(refdir, 0755, err) < 0 ||
	       write_text(dir, "HEAD", head, err) < 0 || write_text(dir, "config", config, err) < 0 ||
	       write_text(dir, branch_ref, tipline, err) < 0 || write_text(dir, "packed-refs", packed.buf, err) < 0 ||
	       write_text(dir, "objects/info/alternates", alt, err) < 0 || write_text(dir, "info/.keep", "", err) < 0 ||
	       copy_if_there(index, dir, "index", err) < 0 || copy_if_there(exclude, dir, "info/exclude", err) < 0)
		      ? -1
		      : 0;
	free(tipline);
	free(index);
	free(exclude);
	free(objdir);
	free(refdir);
	if (ret == 0) {
		free(s->synced);
		s->synced = tip;
		tip = NULL;
	}
out:
	free(tip);
	free(head);
	free(config);
	free(alt);
	free(branch_ref);
	strbuf_release(&refs);
	strbuf_release(&packed);
	return ret;
}

int agentgit_create(const struct repo *r, struct session *s, struct error *err)
{
	char *dir = agentgit_dir(r, s->name), *link = agentgit_link(r, s->name);
	char *tmp = xasprintf("%s.new.%ld", dir, (long)getpid());
	int ret = -1;
	if (!is_dir(dir)) {
		struct error e = ERROR_INIT;
		remove_tree(tmp, &e);
		if (mkdir_p(tmp, 0755, err) < 0 || fill_agent_dir(r, s, tmp, err) < 0) {
			remove_tree(tmp, &e);
			goto out;
		}
		if (rename(tmp, dir) < 0) {
			error_errno(err, PARA_EXIT_FAIL, "cannot create '%s'", dir);
			remove_tree(tmp, &e);
			goto out;
		}
	}
	if (!path_exists(link) && write_file_atomic(link, "gitdir: " AGENTGIT_DIR "\n",
						    strlen("gitdir: " AGENTGIT_DIR "\n"), 0444, err) < 0)
		goto out;
	ret = 0;
out:
	free(dir);
	free(link);
	free(tmp);
	return ret;
}

/* Copy one object file the agent wrote into the quarantine, unless it is
 * there already (object files are named by their content). */
static void copy_one(int srcdir, const char *name, const char *dstdir)
{
	char *dst = path_join(dstdir, name);
	char *tmp = xasprintf("%s.tmp.%ld", dst, (long)getpid());
	int in = -1, out = -1;
	struct stat st;
	if (path_exists(dst))
		goto done;
	in = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
		goto done;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (out < 0)
		goto done;
	char buf[65536];
	ssize_t n;
	int ok = 1;
	while (ok && ((n = read(in, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
		for (ssize_t off = 0; ok && n > 0 && off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			ok = w > 0;
			off += w > 0 ? w : 0;
		}
	if (close(out) == 0 && ok && n == 0 && rename(tmp, dst) == 0)
		tmp[0] = '\0';
	out = -1;
done:
	if (tmp[0])
		unlink(tmp);
	if (in >= 0)
		close(in);
	free(tmp);
	free(dst);
}

static int pack_name(const char *n, const char *ext)
{
	size_t len = strlen(n), el = strlen(ext);
	return !strncmp(n, "pack-", 5) && len > 5 + el && !strcmp(n + len - el, ext) &&
	       is_oid(n + 5, len - 5 - el);
}

/* Files of one directory of the agent's objects (loose: fan-out dir; or pack). */
static void copy_dir(int objfd, const char *sub, const char *qobj, int pack)
{
	int fd = openat(objfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char *dst = path_join(qobj, sub);
	struct error e = ERROR_INIT;
	if (!d) {
		if (fd >= 0)
			close(fd);
		free(dst);
		return;
	}
	mkdir_p(dst, 0755, &e);
	/* packs before their indexes: git uses a pack once its .idx is there */
	for (int pass = 0; pass < (pack ? 2 : 1); pass++) {
		struct dirent *de;
		rewinddir(d);
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			int want = pack ? pack_name(de->d_name, pass ? ".idx" : ".pack")
					: (n == 38 || n == 62) && is_hex(de->d_name, n);
			if (want)
				copy_one(dirfd(d), de->d_name, dst);
		}
	}
	closedir(d);
	free(dst);
}

static void copy_objects(int agentfd, const char *qobj)
{
	int objfd = openat(agentfd, "objects", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = objfd < 0 ? NULL : fdopendir(objfd);
	if (!d) {
		if (objfd >= 0)
			close(objfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strlen(de->d_name) == 2 && is_hex(de->d_name, 2))
			copy_dir(dirfd(d), de->d_name, qobj, 0);
		else if (!strcmp(de->d_name, "pack"))
			copy_dir(dirfd(d), de->d_name, qobj, 1);
	}
	closedir(d);
}

/* The quarantine: a bare repository para alone writes (config, HEAD, refs),
 * holding copies of the agent's object files and borrowing the
 * repository's objects. */
static int quarantine_prepare(const struct repo *r, const char *q, const char *tip, struct error *err)
{
	char *config = git_config_text(r, 1), *alt = alternates_text(r), *tipline = xasprintf("%s\n", tip);
	int ret = (write_text(q, "HEAD", "ref: refs/heads/tip\n", err) < 0 || write_text(q, "config", config, err) < 0 ||
		   write_text(q, "objects/info/alternates", alt, err) < 0 ||
		   write_text(q, "refs/heads/tip", tipline, err) < 0)
			  ? -1
			  : 0;
	free(config);
	free(alt);
	free(tipline);
	return ret;
}

static int fetch_tip(const struct repo *r, const char *q, const char *sync_ref, struct error *err)
{
	struct strvec env = STRVEC_INIT;
	char *spec = xasprintf("+refs/heads/tip:%s", sync_ref);
	/* every object the agent made is checked as a fetch from a stranger is */
	strvec_pushl(&env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=fetch.fsckObjects", "GIT_CONFIG_VALUE_0=true", NULL);
	int ret = git_env(r->root, &env, NULL, err, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
			  "--no-recurse-submodules", "--no-auto-gc", q, spec, NULL);
	strvec_clear(&env);
	free(spec);
	return ret;
}

static int branch_tip(const struct repo *r, const char *ref, struct strbuf *out, struct error *err)
{
	strbuf_reset(out);
	if (git(r->root, out, err, "rev-parse", "--verify", "--quiet", ref, NULL) < 0)
		return -1;
	strbuf_trim(out);
	return 0;
}

/* With the lock held: fetch tip and move the session branch to it. */
static int import_tip(const struct repo *r, struct session *s, int agentfd, const char *tip, int *moved,
		      struct error *err)
{
	char *q = quarantine_dir(r, s->name), *qobj = path_join(q, "objects");
	char *sync_ref = xasprintf("refs/para/sync/%s", s->name), *branch_ref = xasprintf("refs/heads/%s", s->branch);
	struct strbuf cur = STRBUF_INIT;
	struct error e = ERROR_INIT;
	int ret = -1;
	if (quarantine_prepare(r, q, tip, err) < 0)
		goto out;
	copy_objects(agentfd, qobj);
	if (fetch_tip(r, q, sync_ref, err) < 0) {
		error_wrap(err, "cannot bring back the commits of session '%s' from its container", s->name);
		goto out;
	}
	if (branch_tip(r, branch_ref, &cur, err) < 0)
		goto out;
	int host_moved = s->synced && strcmp(cur.buf, s->synced);
	if (host_moved && strcmp(cur.buf, tip) &&
	    git(r->root, NULL, &e, "merge-base", "--is-ancestor", cur.buf, tip, NULL) < 0) {
		error_set(err, PARA_EXIT_FAIL, "the branch %s moved both on the host and in the container of session '%s'",
			  s->branch, s->name);
		error_hint(err, "the container's tip is kept as %s; merge or reset one onto the other", sync_ref);
		goto out;
	}
	if (git(r->root, NULL, err, "update-ref", "-m", "para: commits from the session's container", branch_ref, tip,
		cur.buf, NULL) < 0)
		goto out;
	git(r->root, NULL, &e, "update-ref", "-d", sync_ref, NULL);
	free(s->synced);
	s->synced = xstrdup(tip);
	if (moved)
		*moved = 1;
	if (is_dir(s->worktree) && session_sync_index(s, err) < 0)
		goto out;
	ret = state_save(r, s, err);
out:
	free(q);
	free(qobj);
	free(sync_ref);
	free(branch_ref);
	strbuf_release(&cur);
	return ret;
}

int agentgit_sync(const struct repo *r, struct session *s, int *moved, struct error *err)
{
	char tip[65];
	char *dir = agentgit_dir(r, s->name), *ref = xasprintf("refs/heads/%s", s->branch);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), lock = -1, ret = 0;
	if (moved)
		*moved = 0;
	/* no agent git directory, or the agent deleted its branch: nothing to bring */
	if (fd < 0 || !agentgit_read_ref(fd, ref, tip) || (s->synced && !strcmp(tip, s->synced)))
		goto out;
	if ((lock = state_lock(r, err)) < 0) {
		ret = -1;
		goto out;
	}
	/* another para may have brought it back meanwhile */
	struct session now = { 0 };
	struct error e = ERROR_INIT;
	if (state_load(r, s->name, &now, &e) == 0 && now.synced && !strcmp(now.synced, tip)) {
		free(s->synced);
		s->synced = xstrdup(tip);
	} else {
		ret = import_tip(r, s, fd, tip, moved, err);
	}
	session_clear(&now);
out:
	state_unlock(lock);
	if (fd >= 0)
		close(fd);
	free(dir);
	free(ref);
	return ret;
}

/* "<old> <new> …" lines of a reflog the agent wrote: the new values. */
static void reflog_tips(int agentfd, const char *rel, struct strvec *tips)
{
	struct strbuf sb = STRBUF_INIT;
	int fd = open_beneath(agentfd, rel);
	if (fd >= 0 && read_capped(fd, PACKED_REFS_MAX, &sb) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(sb.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(l, ' ');
			if (!sp || !is_oid(l, (size_t)(sp - l)))
				continue;
			char *nv = sp + 1, *end = strchr(nv, ' ');
			if (end && is_oid(nv, (size_t)(end - nv)) && strspn(nv, "0") < (size_t)(end - nv))
				strvec_pushf(tips, "%.*s", (int)(end - nv), nv);
		}
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&sb);
}

/* The agent's HEAD (detached, or on another branch) and what its reflogs
 * reached, newest last, without duplicates, at most max. */
static void agent_tips(int agentfd, const struct session *s, struct strvec *tips, size_t max)
{
	struct strvec all = STRVEC_INIT;
	struct strbuf head = STRBUF_INIT;
	char oid[65];
	char *blog = xasprintf("logs/refs/heads/%s", s->branch);
	reflog_tips(agentfd, "logs/HEAD", &all);
	reflog_tips(agentfd, blog, &all);
	int fd = open_beneath(agentfd, "HEAD");
	if (fd >= 0 && read_capped(fd, REF_MAX, &head) == 0) {
		strbuf_trim(&head);
		if (is_oid(head.buf, head.len))
			strvec_push(&all, head.buf);
		else if (!strncmp(head.buf, "ref: refs/", 10) && agentgit_read_ref(agentfd, head.buf + 5, oid))
			strvec_push(&all, oid);
	}
	if (fd >= 0)
		close(fd);
	for (size_t i = all.nr; i-- > 0 && tips->nr < max;) {
		int dup = 0;
		for (size_t j = 0; j < tips->nr && !dup; j++)
			dup = !strcmp(tips->v[j], all.v[i]);
		if (!dup)
			strvec_push(tips, all.v[i]);
	}
	free(blog);
	strbuf_release(&head);
	strvec_clear(&all);
}

/* Fetch oids from the quarantine as refs/para/keep/<name>/<i>; the ones
 * that came are appended to got. */
static int fetch_keep(const struct repo *r, const struct session *s, int agentfd, const struct strvec *oids,
		      struct strvec *got, struct error *err)
{
	char *q = quarantine_dir(r, s->name), *qobj = path_join(q, "objects"), *keepdir = path_join(q, "refs/keep");
	char *spec = xasprintf("+refs/keep/*:refs/para/keep/%s/*", s->name);
	struct strvec env = STRVEC_INIT;
	struct error e = ERROR_INIT;
	int ret = -1;
	remove_tree(keepdir, &e);
	if (quarantine_prepare(r, q, s->synced ? s->synced : s->base, err) < 0)
		goto out;
	for (size_t i = 0; i < oids->nr; i++) {
		char *rel = xasprintf("refs/keep/%zu", i), *line = xasprintf("%s\n", oids->v[i]);
		int w = write_text(q, rel, line, err);
		free(rel);
		free(line);
		if (w < 0)
			goto out;
	}
	copy_objects(agentfd, qobj);
	strvec_pushl(&env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=fetch.fsckObjects", "GIT_CONFIG_VALUE_0=true", NULL);
	ret = git_env(r->root, &env, NULL, err, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		      "--no-recurse-submodules", "--no-auto-gc", q, spec, NULL);
	for (size_t i = 0; ret == 0 && i < oids->nr; i++)
		strvec_push(got, oids->v[i]);
out:
	strvec_clear(&env);
	free(q);
	free(qobj);
	free(keepdir);
	free(spec);
	return ret;
}

int agentgit_lost_tips(const struct repo *r, const struct session *s, struct strvec *tips, struct error *err)
{
	char *dir = agentgit_dir(r, s->name);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct strvec cand = STRVEC_INIT;
	struct error e = ERROR_INIT;
	free(dir);
	if (fd < 0)
		return 0;
	agent_tips(fd, s, &cand, 200);
	/* what the host has already (the start, the last commit brought back)
	 * needs no keeping: an agent that made no commit costs no fetch */
	size_t kept = 0;
	for (size_t i = 0; i < cand.nr; i++) {
		if ((s->base && !strcmp(cand.v[i], s->base)) || (s->synced && !strcmp(cand.v[i], s->synced)))
			free(cand.v[i]);
		else
			cand.v[kept++] = cand.v[i];
	}
	cand.nr = kept;
	if (cand.v)
		cand.v[kept] = NULL;
	/* all at once; when one is missing (a reflog naming what gc removed),
	 * one at a time, so every commit that is there is kept */
	if (cand.nr && fetch_keep(r, s, fd, &cand, tips, &e) < 0) {
		for (size_t i = 0; i < cand.nr; i++) {
			struct strvec one = STRVEC_INIT;
			strvec_push(&one, cand.v[i]);
			fetch_keep(r, s, fd, &one, tips, &e);
			strvec_clear(&one);
		}
	}
	close(fd);
	strvec_clear(&cand);
	(void)err;
	return 0;
}

int agentgit_head_on_branch(const struct repo *r, const struct session *s)
{
	char *dir = agentgit_dir(r, s->name);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), on = 1;
	free(dir);
	if (fd < 0)
		return 1;
	struct strbuf head = STRBUF_INIT;
	int hfd = open_beneath(fd, "HEAD");
	char *want = xasprintf("ref: refs/heads/%s", s->branch);
	if (hfd >= 0 && read_capped(hfd, REF_MAX, &head) == 0) {
		strbuf_trim(&head);
		on = !strcmp(head.buf, want);
	}
	if (hfd >= 0)
		close(hfd);
	close(fd);
	free(want);
	strbuf_release(&head);
	return on;
}

/* Could the host repository hold refs below prefix? Not when the files
 * backend shows none, loose or packed (no git call for the usual answer). */
static int may_hold_refs(const struct repo *r, const char *prefix)
{
	char *dir = path_join(r->git_dir, prefix), *packed = path_join(r->git_dir, "packed-refs");
	char *reftable = path_join(r->git_dir, "reftable");
	struct strbuf sb = STRBUF_INIT;
	int may = is_dir(dir) || is_dir(reftable);
	if (!may) {
		int fd = open(packed, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read_capped(fd, (size_t)1 << 30, &sb) == 0)
			may = strstr(sb.buf, prefix) != NULL;
		else
			may = fd >= 0; /* there but unreadable: ask git */
		if (fd >= 0)
			close(fd);
	}
	strbuf_release(&sb);
	free(dir);
	free(packed);
	free(reftable);
	return may;
}

void agentgit_drop_kept(const struct repo *r, const char *name)
{
	struct strbuf refs = STRBUF_INIT;
	struct error e = ERROR_INIT;
	char *prefix = xasprintf("refs/para/keep/%s/", name);
	if (may_hold_refs(r, prefix) && git(r->root, &refs, &e, "for-each-ref", "--format=%(refname)", prefix, NULL) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(refs.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			git(r->root, NULL, &e, "update-ref", "-d", l, NULL);
	}
	free(prefix);
	strbuf_release(&refs);
}

void agentgit_remove(const struct repo *r, const char *name)
{
	struct error e = ERROR_INIT;
	char *dir = agentgit_dir(r, name), *link = agentgit_link(r, name), *q = quarantine_dir(r, name);
	remove_tree(dir, &e);
	remove_tree(q, &e);
	unlink(link);
	free(dir);
	free(link);
	free(q);
}
