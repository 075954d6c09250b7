/*
 * Build-context hashing against real directories made with mkdtemp: what
 * changes the hash, what must not, and what the stat cache saves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/buildctx.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct fixture {
	char root[64];   /* mkdtemp: holds ctx/, the Dockerfile, the cache, outside/ */
	char *ctx;
	char *dockerfile;
	char *cache;
	const char *args[8];
	const char *excl[4];
	struct buildctx_opts o;
};

static char *at(struct fixture *f, const char *rel)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", f->root, rel);
	return buf[k];
}

static void mkdirs(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static void put(struct fixture *f, const char *rel, const char *content)
{
	char *path = at(f, rel), *slash;
	char dir[512];
	int fd;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirs(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

/* Let the coarse clock move on, so files just written can be cached. */
static void past_tick(void)
{
	struct timespec res, d;
	if (clock_getres(CLOCK_REALTIME_COARSE, &res) < 0)
		res.tv_nsec = 10000000;
	d.tv_sec = 0;
	d.tv_nsec = 2 * res.tv_nsec + 2000000;
	if (d.tv_nsec >= 1000000000)
		d = (struct timespec){ 1, 0 };
	nanosleep(&d, NULL);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->root, sizeof f->root, "%s/para-bctx-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	f->ctx = xstrdup(at(f, "ctx"));
	f->dockerfile = xstrdup(at(f, "ctx/Dockerfile"));
	f->cache = xstrdup(at(f, "cache"));
	put(f, "ctx/Dockerfile", "FROM busybox\nCOPY . /app\n");
	put(f, "ctx/src/main.c", "int main(void) { return 0; }\n");
	put(f, "ctx/src/util/a.h", "#define A 1\n");
	put(f, "ctx/README", "hello\n");
	f->o = (struct buildctx_opts){ f->ctx, f->dockerfile, f->excl, NULL, f->args, f->cache, NULL, 0 };
	past_tick();
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->ctx);
	free(f->dockerfile);
	free(f->cache);
	free(f);
	return 0;
}

static struct buildctx_result hash_ok(struct fixture *f)
{
	struct buildctx_result r;
	struct error err = ERROR_INIT;
	if (buildctx_hash(&f->o, &r, &err) < 0)
		fail_msg("buildctx_hash: %s", err.msg);
	assert_int_equal(strlen(r.hash), 32);
	return r;
}

static int collect(void *data, const char *rel, const struct stat *st, const char *link)
{
	struct strbuf *sb = data;
	(void)link;
	strbuf_addf(sb, "%s%s ", rel, S_ISDIR(st->st_mode) ? "/" : S_ISLNK(st->st_mode) ? "@" : "");
	return 1; /* the names only */
}

static int no_data(void *data, const void *buf, size_t n)
{
	(void)data, (void)buf, (void)n;
	return 0;
}

/* What is sent, as one string: "a/ a/b c@ " */
static char *listing(struct fixture *f)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;
	struct buildctx_sink sink = { collect, no_data, &sb };
	char hash[33];
	if (buildctx_stream(&f->o, &sink, hash, NULL, &err) < 0)
		fail_msg("buildctx_stream: %s", err.msg);
	return strbuf_detach(&sb, NULL);
}

static void test_same_content_same_hash(void **state)
{
	struct fixture *f = *state, *g;
	struct buildctx_result a, b;

	setup((void **)&g);
	a = hash_ok(f);
	b = hash_ok(g);
	assert_string_equal(a.hash, b.hash); /* another directory, same files */
	assert_int_equal(a.files, 4);
	assert_int_equal(a.bytes, b.bytes);
	teardown((void **)&g);
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
}

static void test_one_byte_changes_hash(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a = hash_ok(f), b;

	put(f, "ctx/src/util/a.h", "#define A 2\n");
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	put(f, "ctx/src/util/a.h", "#define A 1\n");
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	/* the Dockerfile's text counts even though it is a file of the context */
	put(f, "ctx/Dockerfile", "FROM busybox\nCOPY . /srv\n");
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
}

static void test_stat_cache(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;
	struct timespec ts[2];
	struct stat st1, st2;

	a = hash_ok(f);
	assert_int_equal(a.hashed_files, 4);
	assert_true(a.cache_written);
	assert_int_equal(stat(f->cache, &st1), 0);

	b = hash_ok(f); /* warm: nothing read, nothing written */
	assert_string_equal(a.hash, b.hash);
	assert_int_equal(b.hashed_files, 0);
	assert_false(b.cache_written);
	assert_int_equal(stat(f->cache, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);

	/* mtime only: read again, same hash */
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[1] = ts[0];
	ts[1].tv_sec -= 3600;
	assert_int_equal(utimensat(AT_FDCWD, at(f, "ctx/README"), ts, 0), 0);
	past_tick();
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	assert_int_equal(b.hashed_files, 1);
	assert_true(b.cache_written);
	b = hash_ok(f);
	assert_int_equal(b.hashed_files, 0);

	/* same size, mtime put back: the ctime still gives the change away */
	assert_int_equal(stat(at(f, "ctx/README"), &st1), 0);
	put(f, "ctx/README", "HELLO\n");
	ts[0] = st1.st_atim;
	ts[1] = st1.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, at(f, "ctx/README"), ts, 0), 0);
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	assert_int_equal(b.hashed_files, 1);
}

static void test_racy_files_not_cached(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a;

	hash_ok(f);
	put(f, "ctx/fresh", "x\n"); /* written in the current tick: must not be trusted */
	a = hash_ok(f);
	assert_int_equal(a.hashed_files, 1);
	/* a change at or after the trust horizon is never trusted, however often
	 * it is seen; one before it is cached (the clock held still: no race) */
	struct stat st;
	assert_int_equal(stat(at(f, "ctx/fresh"), &st), 0);
	long long changed = (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	f->o.trust_before = changed;
	for (int i = 0; i < 3; i++) {
		a = hash_ok(f);
		assert_int_equal(a.hashed_files, 1);
	}
	f->o.trust_before = changed + 1;
	a = hash_ok(f);
	assert_int_equal(a.hashed_files, 1); /* the cache of the racy run held no entry for it */
	a = hash_ok(f);
	assert_int_equal(a.hashed_files, 0);
	f->o.trust_before = 0;
}

static void test_damaged_cache(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a = hash_ok(f), b;
	int fd = open(f->cache, O_WRONLY | O_TRUNC | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "para-buildctx-statcache-v1\n\xff\xff", 29), 29);
	close(fd);
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	assert_int_equal(b.hashed_files, 4);
	assert_true(b.cache_written);

	f->o.cache_path = NULL;
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	assert_int_equal(b.hashed_files, 4);
	assert_false(b.cache_written);
}

static void test_dockerignore_excluded_change(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;
	char *l;

	put(f, "ctx/.dockerignore", "# build output\n**/*.o\nlogs/\n");
	put(f, "ctx/src/main.o", "object");
	put(f, "ctx/logs/today", "log");
	a = hash_ok(f);
	assert_int_equal(a.files, 5); /* Dockerfile .dockerignore README main.c a.h */
	put(f, "ctx/src/main.o", "other object");
	put(f, "ctx/logs/today", "more log");
	put(f, "ctx/logs/deeper/x", "x");
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	l = listing(f);
	assert_string_equal(l, ".dockerignore Dockerfile README src/ src/main.c src/util/ src/util/a.h ");
	free(l);
	/* the ignore file itself counts */
	put(f, "ctx/.dockerignore", "# build output!\n**/*.o\nlogs/\n");
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
}

static void test_reinclude(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;
	char *l;

	put(f, "ctx/.dockerignore", "docs\n!docs/README.md\n");
	put(f, "ctx/docs/README.md", "read me\n");
	put(f, "ctx/docs/internal.md", "secret\n");
	put(f, "ctx/docs/img/logo.png", "png\n");
	l = listing(f);
	assert_string_equal(l, ".dockerignore Dockerfile README docs/ docs/README.md src/ src/main.c src/util/ src/util/a.h ");
	free(l);
	a = hash_ok(f);
	put(f, "ctx/docs/internal.md", "secret 2\n");
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	put(f, "ctx/docs/README.md", "read me 2\n");
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);

	/* a wildcard exception makes BuildKit walk every excluded directory */
	put(f, "ctx/.dockerignore", "build\n!**/keep.txt\n");
	put(f, "ctx/build/deep/keep.txt", "k\n");
	put(f, "ctx/build/deep/drop.txt", "d\n");
	l = listing(f);
	assert_non_null(strstr(l, " build/ build/deep/ build/deep/keep.txt "));
	assert_null(strstr(l, "drop.txt"));
	free(l);

	/* without a wildcard, an exception elsewhere does not open "build" */
	put(f, "ctx/.dockerignore", "build\n!docs/README.md\n");
	l = listing(f);
	assert_null(strstr(l, "build"));
	free(l);
}

static void test_ignore_file_and_dockerfile_not_special(void **state)
{
	struct fixture *f = *state;
	char *l;

	put(f, "ctx/.dockerignore", ".dockerignore\nDockerfile\n");
	l = listing(f);
	assert_string_equal(l, "README src/ src/main.c src/util/ src/util/a.h ");
	free(l);
	/* BuildKit: <Dockerfile>.dockerignore beside the Dockerfile wins */
	put(f, "ctx/Dockerfile.dockerignore", "src\n");
	l = listing(f);
	assert_string_equal(l, ".dockerignore Dockerfile Dockerfile.dockerignore README ");
	free(l);
}

static void test_bad_ignore_pattern(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result r;
	struct error err = ERROR_INIT;

	put(f, "ctx/.dockerignore", "ok\n\n[z\n");
	assert_int_equal(buildctx_hash(&f->o, &r, &err), -1);
	assert_non_null(strstr(err.msg, ".dockerignore"));
	assert_non_null(strstr(err.msg, "line 3"));
}

static void test_exclude_dirs(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;
	char *l;

	/* the context is .para/, the Dockerfile's folder, with para's state inside */
	put(f, "ctx/.para/Dockerfile", "FROM busybox\n");
	put(f, "ctx/.para/setup.sh", "echo hi\n");
	put(f, "ctx/.para/state/s1.json", "{}");
	put(f, "ctx/.para/logs/build.log", "...");
	put(f, "ctx/.para/worktrees/s1/file", "x");
	free(f->ctx);
	free(f->dockerfile);
	f->ctx = xstrdup(at(f, "ctx/.para"));
	f->dockerfile = xstrdup(at(f, "ctx/.para/Dockerfile"));
	f->excl[0] = at(f, "ctx/.para/state");
	f->excl[1] = at(f, "ctx/.para/logs");
	f->excl[2] = at(f, "ctx/.para/worktrees");
	f->excl[3] = NULL;
	f->excl[0] = xstrdup(f->excl[0]);
	f->excl[1] = xstrdup(f->excl[1]);
	f->excl[2] = xstrdup(f->excl[2]);
	f->o.context_dir = f->ctx;
	f->o.dockerfile = f->dockerfile;
	l = listing(f);
	assert_string_equal(l, "Dockerfile setup.sh ");
	free(l);
	a = hash_ok(f);
	put(f, "ctx/.para/state/s2.json", "{}");
	put(f, "ctx/.para/logs/build.log", "more");
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	/* even a pattern that re-includes cannot bring them back */
	put(f, "ctx/.para/.dockerignore", "!state\n");
	l = listing(f);
	assert_string_equal(l, ".dockerignore Dockerfile setup.sh ");
	free(l);
	for (int i = 0; i < 3; i++)
		free((char *)f->excl[i]);
	f->excl[0] = NULL;
}

static void test_symlinks(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;
	char *l;

	put(f, "outside/dir/file", "outside\n");
	assert_int_equal(symlink(at(f, "outside/dir"), at(f, "ctx/link-dir")), 0);
	assert_int_equal(symlink("README", at(f, "ctx/link-file")), 0);
	l = listing(f);
	assert_string_equal(l, "Dockerfile README link-dir@ link-file@ src/ src/main.c src/util/ src/util/a.h ");
	free(l);
	a = hash_ok(f);
	assert_int_equal(a.files, 4);
	/* not followed: what the link points at does not count */
	put(f, "outside/dir/file", "changed\n");
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	/* its target text does */
	assert_int_equal(unlink(at(f, "ctx/link-file")), 0);
	assert_int_equal(symlink("src/main.c", at(f, "ctx/link-file")), 0);
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	/* a link where a file was: different */
	assert_int_equal(unlink(at(f, "ctx/link-file")), 0);
	put(f, "ctx/link-file", "README");
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
}

static void test_modes_and_empty_dirs(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a = hash_ok(f), b;

	assert_int_equal(chmod(at(f, "ctx/README"), 0755), 0);
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	assert_int_equal(chmod(at(f, "ctx/README"), 0644), 0);
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	mkdirs(at(f, "ctx/empty"));
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
}

static void test_build_args_and_target(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result a, b;

	f->args[0] = "A=1";
	f->args[1] = "B=2";
	f->args[2] = NULL;
	a = hash_ok(f);
	f->args[0] = "B=2";
	f->args[1] = "A=1";
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	f->args[1] = "A=11";
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	/* a repeated key: the last value wins, as docker applies it */
	f->args[0] = "A=9";
	f->args[1] = "B=2";
	f->args[2] = "A=1";
	f->args[3] = NULL;
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
	f->args[0] = "A=1";
	f->args[1] = "B=2";
	f->args[2] = "A=9";
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	f->args[2] = NULL;
	f->o.target = "dev";
	b = hash_ok(f);
	assert_string_not_equal(a.hash, b.hash);
	f->o.target = NULL;
	b = hash_ok(f);
	assert_string_equal(a.hash, b.hash);
}

static void test_errors_name_the_file(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result r;
	struct error err = ERROR_INIT;

	f->o.dockerfile = at(f, "ctx/Nope");
	assert_int_equal(buildctx_hash(&f->o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "Nope"));
	f->o.dockerfile = f->dockerfile;

	if (geteuid() == 0) {
		print_message("running as root: unreadable-file cases skipped\n");
		return;
	}
	assert_int_equal(chmod(at(f, "ctx/src/util/a.h"), 0), 0);
	assert_int_equal(buildctx_hash(&f->o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "src/util/a.h"));
	/* excluded: never opened, no error */
	put(f, "ctx/.dockerignore", "src/util\n");
	hash_ok(f);
	assert_int_equal(chmod(at(f, "ctx/src/util/a.h"), 0644), 0);
	/* an unreadable directory that counts is an error too */
	put(f, "ctx/.dockerignore", "");
	assert_int_equal(chmod(at(f, "ctx/src/util"), 0), 0);
	assert_int_equal(buildctx_hash(&f->o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "src/util"));
	/* excluded but walked into (an exception lies below): passed over, as BuildKit does */
	put(f, "ctx/.dockerignore", "src/util\n!src/util/keep\n");
	hash_ok(f);
	assert_int_equal(chmod(at(f, "ctx/src/util"), 0755), 0);
}

static int stop_calls, stop_after;
static int stop_late(void)
{
	return ++stop_calls > stop_after ? 143 : 0;
}

/* stop() is polled during the walk and between reads: a big file is left at once. */
static void test_stop_is_honoured(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result r;
	struct error err = ERROR_INIT;
	/* 64 MiB sparse: 512 reads of 128 KiB */
	int fd = open(at(f, "ctx/big"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);

	f->o.stop = stop_late;
	for (int after = 0; after < 40; after += 3) {
		stop_calls = 0;
		stop_after = after;
		error_clear(&err);
		assert_int_equal(buildctx_hash(&f->o, &r, &err), -1);
		assert_int_equal(err.code, 143);
		assert_string_equal(err.msg, "interrupted");
		/* stopped where it was asked, not after reading the whole file */
		assert_true(stop_calls <= after + 1 + 4);
	}
	stop_after = 1 << 30;
	stop_calls = 0;
	hash_ok(f);
	assert_true(stop_calls >= 512);
	f->o.stop = NULL;
}

struct sunk {
	struct strbuf names;
	size_t bytes, files;
};

static int sunk_entry(void *ctx, const char *rel, const struct stat *st, const char *link)
{
	struct sunk *k = ctx;
	(void)link;
	strbuf_addf(&k->names, "%s%s ", rel, S_ISDIR(st->st_mode) ? "/" : ""); /* as collect() */
	k->files += S_ISREG(st->st_mode);
	return 0;
}

static int sunk_data(void *ctx, const void *buf, size_t n)
{
	struct sunk *k = ctx;
	(void)buf;
	k->bytes += n;
	return 0;
}

/* The one pass that sends the context hashes exactly what it sends. */
static void test_stream_hashes_what_it_sends(void **state)
{
	struct fixture *f = *state;
	struct buildctx_result r = hash_ok(f);
	struct sunk k = { STRBUF_INIT, 0, 0 };
	struct buildctx_sink sink = { sunk_entry, sunk_data, &k };
	struct strbuf df = STRBUF_INIT;
	struct error err = ERROR_INIT;
	char sent[33];
	assert_int_equal(buildctx_stream(&f->o, &sink, sent, &df, &err), 0);
	assert_string_equal(sent, r.hash);
	assert_int_equal(k.files, r.files);
	assert_int_equal(k.bytes, r.bytes);
	assert_string_equal(df.buf, "FROM busybox\nCOPY . /app\n");
	assert_string_equal(k.names.buf, "Dockerfile README src/ src/main.c src/util/ src/util/a.h ");
	/* what changed after the hash shows in the hash of what is sent */
	put(f, "ctx/README", "changed\n");
	strbuf_reset(&k.names);
	assert_int_equal(buildctx_stream(&f->o, &sink, sent, NULL, &err), 0);
	assert_string_not_equal(sent, r.hash);
	strbuf_release(&k.names);
	strbuf_release(&df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_content_same_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_changes_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_racy_files_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dockerignore_excluded_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinclude, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_file_and_dockerfile_not_special, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ignore_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclude_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes_and_empty_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_args_and_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_is_honoured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_hashes_what_it_sends, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
