/*
 * Build-context walk and hash; what counts and why is in buildctx.h.
 *
 * The walk is depth-first with each directory's names sorted bytewise, which
 * is path order with '/' sorting before every other byte; the hash, the stat
 * cache and buildctx_stream() all use that one order, so the cache is joined
 * to the walk by a merge, not a lookup.
 */
#include "container/buildctx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "parse/dockerignore.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define HASH_FORMAT "para-buildctx-v1\n"
#define CACHE_MAGIC "para-buildctx-statcache-v1\n"
#define READ_CHUNK (128 * 1024)
#define HASH_THREADS 4
#define THREAD_MIN_FILES 64 /* fewer misses than this: not worth a thread */

struct ent {
	size_t path, plen; /* in the arena, NUL-terminated */
	size_t link, llen; /* symlink target, in the arena */
	uint32_t mode;
	uint64_t size, ino, rdev;
	int64_t mtime, ctime; /* nanoseconds */
	unsigned char hash[16];
};

/* an excluded directory walked into: it counts once something under it does */
struct pending {
	size_t len;
	struct stat st;
	int emitted;
};

struct devino {
	dev_t dev;
	ino_t ino;
};

struct walker {
	struct dockerignore di;
	int have_ignore;
	struct devino *skip;
	size_t nskip;
	struct strbuf arena;
	struct ent *ent;
	size_t nent, aent;
	struct strbuf rel;
	struct pending *pend;
	size_t npend, apend;
	int (*stop)(void);
	struct error *err;
};

static int stopped(int (*stop)(void), struct error *err)
{
	int code = stop ? stop() : 0;
	return code ? error_set(err, code, "interrupted") : 0;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static const char *ent_path(const struct walker *w, const struct ent *e)
{
	return w->arena.buf + e->path;
}

/* Path order: bytewise, with '/' before every other byte. */
static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned ca = a[i] == '/' ? 0 : (unsigned char)a[i];
		unsigned cb = b[i] == '/' ? 0 : (unsigned char)b[i];
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

/* ---- the walk --------------------------------------------------------------- */

static int emit(struct walker *w, size_t len, const struct stat *st, int dfd, const char *name)
{
	struct ent *e;

	ALLOC_GROW(w->ent, w->nent + 1, w->aent);
	e = &w->ent[w->nent];
	memset(e, 0, sizeof *e);
	e->path = w->arena.len;
	e->plen = len;
	strbuf_add(&w->arena, w->rel.buf, len);
	strbuf_addch(&w->arena, '\0');
	e->mode = st->st_mode;
	e->size = (uint64_t)st->st_size;
	e->ino = st->st_ino;
	e->rdev = st->st_rdev;
	e->mtime = ts_ns(&st->st_mtim);
	e->ctime = ts_ns(&st->st_ctim);
	if (S_ISLNK(st->st_mode)) {
		size_t cap = (size_t)st->st_size + 1;
		for (;;) {
			ssize_t n;
			strbuf_grow(&w->arena, cap);
			n = readlinkat(dfd, name, w->arena.buf + w->arena.len, cap);
			if (n < 0)
				return error_errno(w->err, PARA_EXIT_FAIL, "cannot read symlink '%s'", w->rel.buf);
			if ((size_t)n < cap) {
				e->link = w->arena.len;
				e->llen = (size_t)n;
				strbuf_setlen(&w->arena, w->arena.len + (size_t)n);
				strbuf_addch(&w->arena, '\0');
				break;
			}
			cap *= 2;
		}
	}
	w->nent++;
	return 0;
}

static void flush_pending(struct walker *w)
{
	for (size_t i = 0; i < w->npend; i++) {
		if (w->pend[i].emitted)
			continue;
		emit(w, w->pend[i].len, &w->pend[i].st, -1, NULL); /* directories: cannot fail */
		w->pend[i].emitted = 1;
	}
}

static int is_skipped(const struct walker *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nskip; i++)
		if (w->skip[i].dev == st->st_dev && w->skip[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int cmp_names(const void *a, const void *b, void *base)
{
	return strcmp((const char *)base + *(const size_t *)a, (const char *)base + *(const size_t *)b);
}

static int walk_dir(struct walker *w, int dfd, const unsigned char *parent_info);

static int enter(struct walker *w, int dfd, const char *name, const unsigned char *info, int excluded)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return 0; /* gone or replaced since the stat */
		if (excluded && (errno == EACCES || errno == EPERM))
			return 0; /* BuildKit passes over what it may not read, when excluded */
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot read directory '%s'", w->rel.buf);
	}
	return walk_dir(w, fd, info);
}

static int read_names(struct walker *w, DIR *d, struct strbuf *names, size_t **off, size_t *n)
{
	size_t alloc = 0;
	struct dirent *de;

	for (;;) {
		errno = 0;
		if (!(de = readdir(d)))
			break;
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		ALLOC_GROW(*off, *n + 1, alloc);
		(*off)[(*n)++] = names->len;
		strbuf_addstr(names, de->d_name);
		strbuf_addch(names, '\0');
	}
	if (errno)
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot read directory '%s'",
				   w->rel.len ? w->rel.buf : ".");
	return 0;
}

static int walk_entry(struct walker *w, int dfd, const char *name, const unsigned char *parent_info,
		      unsigned char *info)
{
	struct stat st;
	int excluded = 0;

	if (stopped(w->stop, w->err) < 0)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot stat '%s'", w->rel.buf);
	}
	if (w->nskip && is_skipped(w, &st))
		return 0;
	if (w->have_ignore)
		excluded = dockerignore_matches_parent(&w->di, w->rel.buf, parent_info, info);
	if (excluded) {
		int r;
		if (!S_ISDIR(st.st_mode) || !dockerignore_descend_excluded(&w->di, w->rel.buf))
			return 0;
		ALLOC_GROW(w->pend, w->npend + 1, w->apend);
		w->pend[w->npend++] = (struct pending){ w->rel.len, st, 0 };
		r = enter(w, dfd, name, info, 1);
		w->npend--;
		return r;
	}
	flush_pending(w);
	if (emit(w, w->rel.len, &st, dfd, name) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return enter(w, dfd, name, w->have_ignore ? info : NULL, 0);
	return 0;
}

static int walk_dir(struct walker *w, int dfd, const unsigned char *parent_info)
{
	struct strbuf names = STRBUF_INIT;
	size_t *off = NULL, n = 0, base = w->rel.len;
	unsigned char *info = NULL;
	DIR *d = fdopendir(dfd);
	int ret = 0;

	if (!d) {
		close(dfd);
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot read directory '%s'", base ? w->rel.buf : ".");
	}
	if (read_names(w, d, &names, &off, &n) < 0) {
		ret = -1;
		goto out;
	}
	if (n > 1)
		qsort_r(off, n, sizeof *off, cmp_names, names.buf);
	if (w->have_ignore)
		info = xmalloc(w->di.nr + 1);
	for (size_t i = 0; i < n && !ret; i++) {
		strbuf_setlen(&w->rel, base);
		if (base)
			strbuf_addch(&w->rel, '/');
		strbuf_addstr(&w->rel, names.buf + off[i]);
		ret = walk_entry(w, dirfd(d), names.buf + off[i], parent_info, info);
	}
	strbuf_setlen(&w->rel, base);
out:
	free(info);
	free(off);
	strbuf_release(&names);
	closedir(d);
	return ret;
}

/* ---- setting up: ignore file, excluded directories ----------------------------- */

/* Read path into sb: 1 read, 0 absent, -1 error. */
static int read_optional(struct strbuf *sb, const char *path, struct error *err)
{
	if (strbuf_read_file(sb, path) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", path);
}

static int load_ignore(struct walker *w, const struct buildctx_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xasprintf("%s.dockerignore", o->dockerfile);
	int r = read_optional(&sb, path, w->err);

	if (r == 0) {
		free(path);
		path = xasprintf("%s/.dockerignore", o->context_dir);
		r = read_optional(&sb, path, w->err);
	}
	if (r > 0) {
		w->have_ignore = 1;
		if (dockerignore_parse(sb.buf, sb.len, &w->di, w->err) < 0) {
			error_wrap(w->err, "'%s'", path);
			r = -1;
		}
	}
	free(path);
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

static void load_skips(struct walker *w, const struct buildctx_opts *o)
{
	size_t alloc = 0;

	for (size_t i = 0; o->exclude_dirs && o->exclude_dirs[i]; i++) {
		struct stat st;
		if (lstat(o->exclude_dirs[i], &st) < 0)
			continue; /* not there: nothing to leave out */
		ALLOC_GROW(w->skip, w->nskip + 1, alloc);
		w->skip[w->nskip++] = (struct devino){ st.st_dev, st.st_ino };
	}
}

static void walker_release(struct walker *w)
{
	dockerignore_release(&w->di);
	free(w->skip);
	strbuf_release(&w->arena);
	free(w->ent);
	strbuf_release(&w->rel);
	free(w->pend);
}

/* Walk the context into w (entries in path order); ctxfd gets the open context. */
static int walk_context(struct walker *w, const struct buildctx_opts *o, int *ctxfd)
{
	int fd, dup_fd;

	if (load_ignore(w, o) < 0)
		return -1;
	load_skips(w, o);
	w->stop = o->stop;
	fd = open(o->context_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot open build context '%s'", o->context_dir);
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		close(fd);
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot open build context '%s'", o->context_dir);
	}
	if (walk_dir(w, dup_fd, NULL) < 0) {
		close(fd);
		if (w->err->code >= 128)
			return -1; /* interrupted: nothing to add */
		return error_wrap(w->err, "build context '%s'", o->context_dir);
	}
	*ctxfd = fd;
	return 0;
}

/* ---- the stat cache ---------------------------------------------------------------- */

struct crec {
	const char *path;
	uint32_t plen;
	uint64_t size, ino;
	int64_t mtime, ctime;
	unsigned char hash[16];
};

struct cache {
	struct strbuf raw;
	struct crec *rec;
	size_t nr, alloc;
};

#define CREC_FIXED (4 + 8 + 8 + 8 + 8 + 16)

/* Parse the cache file; anything odd discards it (it only costs time). */
static void cache_load(struct cache *c, const char *path)
{
	const char *p, *end;
	size_t ml = strlen(CACHE_MAGIC);

	if (!path || strbuf_read_file(&c->raw, path) < 0 || c->raw.len < ml ||
	    memcmp(c->raw.buf, CACHE_MAGIC, ml))
		return;
	p = c->raw.buf + ml;
	end = c->raw.buf + c->raw.len;
	while (p < end) {
		struct crec r;
		if ((size_t)(end - p) < CREC_FIXED)
			goto bad;
		memcpy(&r.plen, p, 4);
		if ((size_t)(end - p) < CREC_FIXED + (size_t)r.plen)
			goto bad;
		r.path = p + 4;
		p += 4 + r.plen;
		memcpy(&r.size, p, 8);
		memcpy(&r.mtime, p + 8, 8);
		memcpy(&r.ctime, p + 16, 8);
		memcpy(&r.ino, p + 24, 8);
		memcpy(r.hash, p + 32, 16);
		p += 48;
		if (c->nr && path_cmp(c->rec[c->nr - 1].path, c->rec[c->nr - 1].plen, r.path, r.plen) >= 0)
			goto bad;
		ALLOC_GROW(c->rec, c->nr + 1, c->alloc);
		c->rec[c->nr++] = r;
	}
	return;
bad:
	c->nr = 0;
}

static void cache_release(struct cache *c)
{
	strbuf_release(&c->raw);
	free(c->rec);
}

static int stat_matches(const struct crec *r, const struct ent *e)
{
	return r->size == e->size && r->mtime == e->mtime && r->ctime == e->ctime && r->ino == e->ino;
}

static void add_u64(struct strbuf *sb, uint64_t v)
{
	strbuf_add(sb, &v, 8);
}

/*
 * Rewrite the cache with the files whose stat can be trusted, if that differs
 * from what was loaded. Returns 1 when written.
 */
static int cache_store(const struct cache *old, const struct walker *w, const char *path,
		       int64_t horizon)
{
	struct strbuf out = STRBUF_INIT;
	size_t n = 0, o = 0;
	int changed = 0, fd, ok;
	char *tmp;

	strbuf_addstr(&out, CACHE_MAGIC);
	for (size_t i = 0; i < w->nent; i++) {
		const struct ent *e = &w->ent[i];
		uint32_t plen = (uint32_t)e->plen;
		if (!S_ISREG(e->mode) || e->ctime >= horizon || e->plen > UINT32_MAX)
			continue;
		if (!changed) {
			const struct crec *r = o < old->nr ? &old->rec[o++] : NULL;
			changed = !r || r->plen != e->plen || memcmp(r->path, ent_path(w, e), e->plen) ||
				  !stat_matches(r, e) || memcmp(r->hash, e->hash, 16);
		}
		strbuf_add(&out, &plen, 4);
		strbuf_add(&out, ent_path(w, e), e->plen);
		add_u64(&out, e->size);
		add_u64(&out, (uint64_t)e->mtime);
		add_u64(&out, (uint64_t)e->ctime);
		add_u64(&out, e->ino);
		strbuf_add(&out, e->hash, 16);
		n++;
	}
	if (!changed && n == old->nr && old->raw.len == out.len) {
		strbuf_release(&out);
		return 0;
	}
	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	ok = fd >= 0;
	for (size_t off = 0; ok && off < out.len;) {
		ssize_t k = write(fd, out.buf + off, out.len - off);
		if (k < 0 && errno == EINTR)
			continue;
		ok = k > 0;
		off += ok ? (size_t)k : 0;
	}
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok && fd >= 0)
		unlink(tmp);
	free(tmp);
	strbuf_release(&out);
	return ok;
}

/* ---- content hashing ------------------------------------------------------------- */

struct hash_job {
	const struct walker *w;
	int ctxfd;
	size_t *todo; /* indices into w->ent */
	size_t n;
	size_t next;  /* shared cursor, under lock */
	pthread_mutex_t lock;
	int failed;
	size_t failed_at;
	int failed_errno;
	int (*stop)(void);
	int stop_code; /* set when stop() asked to stop */
};

/* -1 with errno on a read error; -2 when stop() asked to stop (*code gets its status). */
static int hash_file(int ctxfd, const char *rel, unsigned char *buf, unsigned char out[16],
		     int (*stop)(void), int *code)
{
	int fd = openat(ctxfd, rel, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	XXH3_state_t *st;
	XXH128_canonical_t canon;
	ssize_t n;

	if (fd < 0)
		return -1;
	st = XXH3_createState();
	if (!st)
		abort();
	XXH3_128bits_reset(st);
	for (;;) {
		if (stop && (*code = stop()) != 0) {
			XXH3_freeState(st);
			close(fd);
			return -2;
		}
		n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		XXH3_128bits_update(st, buf, (size_t)n);
	}
	if (n == 0)
		XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(st));
	XXH3_freeState(st);
	if (n < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	memcpy(out, canon.digest, 16);
	return 0;
}

static void *hash_worker(void *arg)
{
	struct hash_job *j = arg;
	unsigned char *buf = xmalloc(READ_CHUNK);

	for (;;) {
		size_t i;
		struct ent *e;
		pthread_mutex_lock(&j->lock);
		i = j->failed ? j->n : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->n)
			break;
		e = &j->w->ent[j->todo[i]];
		int code = 0, r = hash_file(j->ctxfd, ent_path(j->w, e), buf, e->hash, j->stop, &code);
		if (r == -2) {
			pthread_mutex_lock(&j->lock);
			j->failed = 1;
			j->stop_code = code;
			pthread_mutex_unlock(&j->lock);
		} else if (r < 0) {
			int saved = errno;
			pthread_mutex_lock(&j->lock);
			if (!j->failed || i < j->failed_at) {
				j->failed = 1;
				j->failed_at = i;
				j->failed_errno = saved;
			}
			pthread_mutex_unlock(&j->lock);
		}
	}
	free(buf);
	return NULL;
}

/*
 * Hash the listed files. Cold files are mostly waiting on the disk, so a few
 * threads keep several reads in flight; a warm check has nothing to read.
 */
static int hash_files(const struct walker *w, int ctxfd, const char *ctxdir, size_t *todo, size_t n,
		      struct error *err)
{
	struct hash_job j = { w, ctxfd, todo, n, 0, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, w->stop, 0 };
	pthread_t th[HASH_THREADS - 1];
	size_t started = 0;

	if (n >= THREAD_MIN_FILES)
		for (; started < HASH_THREADS - 1; started++)
			if (pthread_create(&th[started], NULL, hash_worker, &j))
				break;
	hash_worker(&j);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&j.lock);
	if (j.stop_code)
		return error_set(err, j.stop_code, "interrupted");
	if (j.failed) {
		errno = j.failed_errno;
		return error_errno(err, PARA_EXIT_FAIL, "cannot read '%s/%s'", ctxdir,
				   ent_path(w, &w->ent[todo[j.failed_at]]));
	}
	return 0;
}

/* ---- the hash ---------------------------------------------------------------------- */

static void feed(XXH3_state_t *st, const void *p, size_t n)
{
	XXH3_128bits_update(st, p, n);
}

static void feed_u64(XXH3_state_t *st, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	feed(st, b, 8);
}

static void feed_str(XXH3_state_t *st, const char *s, size_t n)
{
	feed_u64(st, n);
	feed(st, s, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t key_len(const char *arg)
{
	const char *eq = strchr(arg, '=');
	return eq ? (size_t)(eq - arg) : strlen(arg);
}

/* Build args as docker applies them: the last value of a key wins; then sorted. */
static void feed_build_args(XXH3_state_t *st, const char *const *args)
{
	size_t n = 0, kept = 0;
	const char **v;

	while (args && args[n])
		n++;
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		size_t kl = key_len(args[i]);
		int later = 0;
		for (size_t k = i + 1; k < n && !later; k++)
			later = key_len(args[k]) == kl && !memcmp(args[k], args[i], kl);
		if (!later)
			v[kept++] = args[i];
	}
	qsort(v, kept, sizeof *v, cmp_str);
	feed_u64(st, kept);
	for (size_t i = 0; i < kept; i++)
		feed_str(st, v[i], strlen(v[i]));
	free(v);
}

static char type_char(uint32_t mode)
{
	static const struct {
		uint32_t fmt;
		char c;
	} types[] = { { S_IFREG, 'f' }, { S_IFDIR, 'd' }, { S_IFLNK, 'l' }, { S_IFIFO, 'p' },
		      { S_IFSOCK, 's' }, { S_IFCHR, 'c' }, { S_IFBLK, 'b' } };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if ((mode & S_IFMT) == types[i].fmt)
			return types[i].c;
	return '?';
}

static void feed_entries(XXH3_state_t *st, const struct walker *w)
{
	feed_u64(st, w->nent);
	for (size_t i = 0; i < w->nent; i++) {
		const struct ent *e = &w->ent[i];
		char t = type_char(e->mode);
		feed_str(st, ent_path(w, e), e->plen);
		feed(st, &t, 1);
		feed_u64(st, e->mode & 07777);
		if (t == 'f') {
			feed_u64(st, e->size);
			feed(st, e->hash, 16);
		} else if (t == 'l') {
			feed_str(st, w->arena.buf + e->link, e->llen);
		} else if (t == 'c' || t == 'b') {
			feed_u64(st, e->rdev);
		}
	}
}

static void final_hash(const struct buildctx_opts *o, const struct strbuf *dockerfile,
		       const struct walker *w, char out[33])
{
	XXH3_state_t *st = XXH3_createState();
	XXH128_canonical_t canon;
	static const char hex[] = "0123456789abcdef";

	if (!st)
		abort();
	XXH3_128bits_reset(st);
	feed(st, HASH_FORMAT, strlen(HASH_FORMAT));
	feed_str(st, dockerfile->buf, dockerfile->len);
	feed_build_args(st, o->build_args);
	feed(st, o->target ? "T" : "-", 1);
	if (o->target)
		feed_str(st, o->target, strlen(o->target));
	feed_entries(st, w);
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(st));
	XXH3_freeState(st);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[canon.digest[i] >> 4];
		out[2 * i + 1] = hex[canon.digest[i] & 15];
	}
	out[32] = '\0';
}

/* Take content hashes from the cache; list the files that must be read. */
static size_t *join_cache(struct walker *w, const struct cache *c, int64_t horizon, size_t *nmiss,
			  struct buildctx_result *res)
{
	size_t *miss = xmalloc((w->nent + 1) * sizeof *miss), o = 0;

	*nmiss = 0;
	for (size_t i = 0; i < w->nent; i++) {
		struct ent *e = &w->ent[i];
		const char *p = ent_path(w, e);
		int hit = 0;
		if (!S_ISREG(e->mode))
			continue;
		res->files++;
		res->bytes += e->size;
		while (o < c->nr && path_cmp(c->rec[o].path, c->rec[o].plen, p, e->plen) < 0)
			o++;
		if (o < c->nr && !path_cmp(c->rec[o].path, c->rec[o].plen, p, e->plen) &&
		    stat_matches(&c->rec[o], e) && e->ctime < horizon) {
			memcpy(e->hash, c->rec[o].hash, 16);
			hit = 1;
		}
		if (!hit)
			miss[(*nmiss)++] = i;
	}
	return miss;
}

/* Files changed at or after this instant (coarse clock) are not cached. */
static int64_t cache_horizon(void)
{
	struct timespec now;
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) < 0)
		return INT64_MIN; /* cache nothing */
	return ts_ns(&now);
}

/* The Dockerfile's text, and the context walked into w (ctxfd: the open context). */
static int begin(const struct buildctx_opts *o, struct walker *w, struct strbuf *dockerfile, int *ctxfd)
{
	if (strbuf_read_file(dockerfile, o->dockerfile) < 0)
		return error_errno(w->err, PARA_EXIT_FAIL, "cannot read Dockerfile '%s'", o->dockerfile);
	return walk_context(w, o, ctxfd);
}

int buildctx_hash(const struct buildctx_opts *o, struct buildctx_result *res, struct error *err)
{
	struct walker w = { .di = DOCKERIGNORE_INIT, .arena = STRBUF_INIT, .rel = STRBUF_INIT, .err = err };
	struct strbuf dockerfile = STRBUF_INIT;
	struct cache cache = { STRBUF_INIT, NULL, 0, 0 };
	struct buildctx_result r = { "", 0, 0, 0, 0 };
	int64_t horizon = o->trust_before ? (int64_t)o->trust_before : cache_horizon();
	size_t *miss = NULL, nmiss = 0;
	int ctxfd = -1, ret = -1;

	if (begin(o, &w, &dockerfile, &ctxfd) < 0)
		goto out;
	cache_load(&cache, o->cache_path);
	miss = join_cache(&w, &cache, horizon, &nmiss, &r);
	if (hash_files(&w, ctxfd, o->context_dir, miss, nmiss, err) < 0)
		goto out;
	r.hashed_files = nmiss;
	if (o->cache_path)
		r.cache_written = cache_store(&cache, &w, o->cache_path, horizon);
	final_hash(o, &dockerfile, &w, r.hash);
	*res = r;
	ret = 0;
out:
	if (ctxfd >= 0)
		close(ctxfd);
	free(miss);
	cache_release(&cache);
	strbuf_release(&dockerfile);
	walker_release(&w);
	return ret;
}

/* One regular file: read once, to the sink and into its hash. */
static int stream_file(const struct walker *w, int ctxfd, struct ent *e, const struct buildctx_sink *sink,
		       unsigned char *buf, int (*stop)(void), struct error *err)
{
	const char *rel = ent_path(w, e);
	int fd = openat(ctxfd, rel, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int r = error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", rel);
		if (fd >= 0)
			close(fd);
		return r;
	}
	int skip = sink->entry(sink->ctx, rel, &st, NULL);
	XXH3_state_t *h = XXH3_createState();
	if (!h)
		abort();
	XXH3_128bits_reset(h);
	uint64_t total = 0;
	ssize_t n = 0;
	while (skip >= 0) {
		if ((skip = stopped(stop, err)) < 0)
			break;
		n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		XXH3_128bits_update(h, buf, (size_t)n);
		total += (uint64_t)n;
		if (skip == 0 && (skip = sink->data(sink->ctx, buf, (size_t)n)) < 0)
			break;
	}
	XXH128_canonical_t canon;
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(h));
	XXH3_freeState(h);
	if (skip >= 0 && n < 0)
		skip = error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", rel);
	else if (skip >= 0 && total != (uint64_t)st.st_size)
		skip = error_set(err, PARA_EXIT_FAIL, "'%s' changed while para read it", rel);
	close(fd);
	memcpy(e->hash, canon.digest, 16);
	e->size = total;
	return skip < 0 ? -1 : 0;
}

int buildctx_stream(const struct buildctx_opts *o, const struct buildctx_sink *sink, char *hash,
		    struct strbuf *df_out, struct error *err)
{
	struct walker w = { .di = DOCKERIGNORE_INIT, .arena = STRBUF_INIT, .rel = STRBUF_INIT, .err = err };
	struct strbuf dockerfile = STRBUF_INIT;
	unsigned char *buf = xmalloc(READ_CHUNK);
	int ctxfd = -1, ret = -1;
	if (begin(o, &w, &dockerfile, &ctxfd) < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; ret == 0 && i < w.nent; i++) {
		struct ent *e = &w.ent[i];
		if (S_ISREG(e->mode)) {
			ret = stream_file(&w, ctxfd, e, sink, buf, o->stop, err);
			continue;
		}
		struct stat st = { .st_mode = e->mode, .st_rdev = e->rdev };
		ret = sink->entry(sink->ctx, ent_path(&w, e), &st, S_ISLNK(e->mode) ? w.arena.buf + e->link : NULL);
		ret = ret < 0 ? -1 : 0;
	}
	if (ret == 0)
		final_hash(o, &dockerfile, &w, hash);
	if (ret == 0 && df_out)
		strbuf_add(df_out, dockerfile.buf, dockerfile.len);
out:
	if (ctxfd >= 0)
		close(ctxfd);
	free(buf);
	strbuf_release(&dockerfile);
	walker_release(&w);
	return ret;
}
