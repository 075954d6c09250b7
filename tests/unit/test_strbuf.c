/*
 * strbuf, strvec and xalloc: growth, detach, trim, reading from fds and
 * files, long formatted output, and the invariants their headers promise
 * (buf / v never NULL, always terminated; out of memory aborts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- helpers -------------------------------------------------------- */

/* What every strbuf must satisfy, whatever happened to it. */
static void check_sb(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_int_equal(sb->len, 0);
}

static void check_sv(const struct strvec *sv)
{
	assert_non_null(sv->v);
	assert_null(sv->v[sv->nr]);
	for (size_t i = 0; i < sv->nr; i++)
		assert_non_null(sv->v[i]);
}

/* A byte pattern that shows misplaced or lost bytes. */
static char pattern(size_t i)
{
	return (char)('a' + (i * 7 + i / 251) % 26);
}

static char *make_pattern(size_t n)
{
	char *p = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i);
	p[n] = '\0';
	return p;
}

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/para-test-strbuf-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	char *cmd[] = { "rm", "-rf", tmpdir, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return 0;
}

/* ---- strbuf --------------------------------------------------------- */

static void test_init_invariants(void **state)
{
	(void)state;
	struct strbuf a = STRBUF_INIT;
	check_sb(&a);
	assert_string_equal(a.buf, "");
	assert_int_equal(a.alloc, 0);

	struct strbuf b;
	strbuf_init(&b, 0);
	check_sb(&b);
	assert_string_equal(b.buf, "");

	struct strbuf c;
	strbuf_init(&c, 100);
	check_sb(&c);
	assert_true(c.alloc >= 101);
	assert_int_equal(c.len, 0);
	assert_string_equal(c.buf, "");

	/* releasing (twice) goes back to the empty, non-NULL state */
	strbuf_release(&c);
	check_sb(&c);
	assert_int_equal(c.alloc, 0);
	strbuf_release(&c);
	check_sb(&c);
	strbuf_release(&a);
	check_sb(&a);

	/* operations that add nothing keep the shared empty buffer intact */
	strbuf_add(&a, "xyz", 0);
	strbuf_rtrim(&a);
	strbuf_trim(&a);
	strbuf_reset(&a);
	check_sb(&a);
	assert_string_equal(a.buf, "");
	assert_string_equal(strbuf_slopbuf, "");
}

static void test_growth(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	const size_t n = 300000;
	size_t reallocs = 0;
	char *last = sb.buf;
	for (size_t i = 0; i < n; i++) {
		strbuf_addch(&sb, pattern(i));
		if (sb.buf != last)
			reallocs++;
		last = sb.buf;
		assert_int_equal(sb.len, i + 1);
		assert_int_equal(sb.buf[sb.len], '\0');
	}
	check_sb(&sb);
	for (size_t i = 0; i < n; i++)
		if (sb.buf[i] != pattern(i))
			fail_msg("byte %zu is %c, want %c", i, sb.buf[i], pattern(i));
	/* geometric growth: a handful of reallocations, not one per byte */
	assert_true(reallocs < 64);

	/* strbuf_grow leaves len alone and makes room */
	size_t len = sb.len;
	strbuf_grow(&sb, 1000000);
	assert_int_equal(sb.len, len);
	assert_true(sb.alloc >= len + 1000000 + 1);
	check_sb(&sb);
	strbuf_release(&sb);
}

static void test_add_binary(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	static const char bin[] = { 'a', '\0', 'b', '\0', '\0', 'c' };
	strbuf_add(&sb, bin, sizeof bin);
	strbuf_add(&sb, bin, sizeof bin);
	assert_int_equal(sb.len, 2 * sizeof bin);
	assert_memory_equal(sb.buf, bin, sizeof bin);
	assert_memory_equal(sb.buf + sizeof bin, bin, sizeof bin);
	check_sb(&sb);

	strbuf_addstr(&sb, "tail");
	assert_int_equal(sb.len, 2 * sizeof bin + 4);
	assert_string_equal(sb.buf + 2 * sizeof bin, "tail");
	strbuf_release(&sb);
}

static void test_setlen(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "hello world");
	strbuf_setlen(&sb, 5);
	assert_int_equal(sb.len, 5);
	assert_string_equal(sb.buf, "hello");
	strbuf_addstr(&sb, "!");
	assert_string_equal(sb.buf, "hello!");
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	check_sb(&sb);
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	(void)state;
	/* from an empty buffer: still a fresh allocation, never the shared one */
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *a = strbuf_detach(&sb, &len);
	char *b = strbuf_detach(&sb, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, strbuf_slopbuf);
	assert_ptr_not_equal(a, b);
	assert_string_equal(a, "");
	assert_int_equal(len, 0);
	free(a);
	free(b);
	check_sb(&sb);

	/* with content: the caller owns the bytes; sb is reset and reusable */
	strbuf_addstr(&sb, "payload");
	char *p = strbuf_detach(&sb, &len);
	assert_string_equal(p, "payload");
	assert_int_equal(len, 7);
	check_sb(&sb);
	assert_int_equal(sb.len, 0);
	assert_ptr_not_equal(sb.buf, p);
	strbuf_addstr(&sb, "again");
	assert_string_equal(sb.buf, "again");
	assert_string_equal(p, "payload"); /* untouched by later use of sb */
	free(p);

	/* after a reset the allocation is kept, and detach hands it over */
	strbuf_reset(&sb);
	p = strbuf_detach(&sb, &len);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	check_sb(&sb);
	strbuf_release(&sb);
}

static void test_addf_boundaries(void **state)
{
	(void)state;
	/* every (existing length, formatted length) pair around the first
	 * few allocation sizes: the "fits exactly / needs one more" cases */
	char *pat = make_pattern(300);
	for (size_t pre = 0; pre < 40; pre++) {
		for (int n = 0; n < 300; n++) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_add(&sb, pat, pre);
			strbuf_addf(&sb, "%.*s", n, pat);
			check_sb(&sb);
			assert_int_equal(sb.len, pre + (size_t)n);
			assert_memory_equal(sb.buf, pat, pre);
			assert_memory_equal(sb.buf + pre, pat, (size_t)n);
			strbuf_release(&sb);
		}
	}
	free(pat);
}

static void test_addf_long(void **state)
{
	(void)state;
	const size_t big = 3 * 1024 * 1024 + 17;
	char *pat = make_pattern(big);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "head:");
	strbuf_addf(&sb, "%s|%d|%s|%c", pat, -42, "mid", 'z');
	strbuf_addf(&sb, "%s", pat);
	check_sb(&sb);
	size_t want = 5 + big + strlen("|-42|mid|z") + big;
	assert_int_equal(sb.len, want);
	assert_memory_equal(sb.buf, "head:", 5);
	assert_memory_equal(sb.buf + 5, pat, big);
	assert_memory_equal(sb.buf + 5 + big, "|-42|mid|z", 10);
	assert_memory_equal(sb.buf + 15 + big, pat, big);
	assert_int_equal(strlen(sb.buf), want);

	/* an empty result on a fresh buffer */
	struct strbuf e = STRBUF_INIT;
	strbuf_addf(&e, "%s", "");
	check_sb(&e);
	assert_int_equal(e.len, 0);
	assert_string_equal(e.buf, "");

	/* many small appends */
	struct strbuf m = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&m, "%d,", i);
	check_sb(&m);
	assert_int_equal(strncmp(m.buf, "0,1,2,3,", 8), 0);
	assert_string_equal(m.buf + m.len - 6, "19999,");

	strbuf_release(&m);
	strbuf_release(&e);
	strbuf_release(&sb);
	free(pat);
}

static void vaddf_wrapper(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vaddf_wrapper(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

static void test_vaddf(void **state)
{
	(void)state;
	/* the va_list is used twice when the first attempt does not fit */
	char *pat = make_pattern(100000);
	struct strbuf sb = STRBUF_INIT;
	vaddf_wrapper(&sb, "<%s:%ld:%s>", "a", 123456789L, pat);
	check_sb(&sb);
	assert_int_equal(sb.len, strlen("<a:123456789:>") + 100000);
	assert_memory_equal(sb.buf, "<a:123456789:", 13);
	assert_memory_equal(sb.buf + 13, pat, 100000);
	assert_string_equal(sb.buf + 13 + 100000, ">");
	strbuf_release(&sb);
	free(pat);
}

static void trim_case(const char *in, const char *want_r, const char *want_t)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, in);
	strbuf_rtrim(&sb);
	check_sb(&sb);
	assert_string_equal(sb.buf, want_r);
	assert_int_equal(sb.len, strlen(want_r));
	strbuf_reset(&sb);
	strbuf_addstr(&sb, in);
	strbuf_trim(&sb);
	check_sb(&sb);
	assert_string_equal(sb.buf, want_t);
	assert_int_equal(sb.len, strlen(want_t));
	strbuf_release(&sb);
}

static void test_trim(void **state)
{
	(void)state;
	trim_case("", "", "");
	trim_case("abc", "abc", "abc");
	trim_case("  a b \t\n", "  a b", "a b");
	trim_case("\n\r\t\v\f ", "", "");
	trim_case("\n\nx", "\n\nx", "x");
	trim_case("x\r\n", "x", "x");
	trim_case(" in  side ", " in  side", "in  side");
	trim_case("\t", "", "");
}

/* Writes len pattern bytes to a pipe from a child process; returns the read end. */
static int pipe_from_child(size_t len, pid_t *pid)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(p[0]);
		char *data = make_pattern(len);
		size_t off = 0;
		while (off < len) {
			ssize_t n = write(p[1], data + off, len - off > 4097 ? 4097 : len - off);
			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		free(data);
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void test_read_fd(void **state)
{
	(void)state;
	const size_t len = 2 * 1024 * 1024 + 3;
	pid_t pid;
	int fd = pipe_from_child(len, &pid);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "prefix");
	long n = strbuf_read_fd(&sb, fd);
	close(fd);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, (long)len);
	assert_int_equal(sb.len, 6 + len);
	check_sb(&sb);
	assert_memory_equal(sb.buf, "prefix", 6);
	char *pat = make_pattern(len);
	assert_memory_equal(sb.buf + 6, pat, len);
	free(pat);

	/* an empty stream adds nothing and returns 0 */
	fd = pipe_from_child(0, &pid);
	strbuf_reset(&sb);
	assert_int_equal(strbuf_read_fd(&sb, fd), 0);
	close(fd);
	waitpid(pid, &st, 0);
	check_sb(&sb);
	assert_int_equal(sb.len, 0);

	/* a bad fd: -1 with errno, earlier content kept, still terminated */
	strbuf_addstr(&sb, "kept");
	errno = 0;
	assert_int_equal(strbuf_read_fd(&sb, -1), -1);
	assert_int_equal(errno, EBADF);
	check_sb(&sb);
	assert_string_equal(sb.buf, "kept");
	strbuf_release(&sb);

	/* the same on a fresh buffer */
	struct strbuf f = STRBUF_INIT;
	assert_int_equal(strbuf_read_fd(&f, -1), -1);
	check_sb(&f);
	assert_string_equal(f.buf, "");
	strbuf_release(&f);
}

static void test_read_file(void **state)
{
	(void)state;
	char *path = xasprintf("%s/data", tmpdir);
	const size_t len = 100000;
	char *data = make_pattern(len);
	data[10] = '\0'; /* NUL bytes are content too */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);

	struct strbuf sb = STRBUF_INIT;
	strbuf_addch(&sb, '>');
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	check_sb(&sb);
	assert_int_equal(sb.len, 1 + len);
	assert_memory_equal(sb.buf + 1, data, len);

	/* missing file: -1, ENOENT, buffer untouched */
	char *missing = xasprintf("%s/nope", tmpdir);
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, missing), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sb.len, 1 + len);
	check_sb(&sb);

	/* a directory: -1, EISDIR */
	struct strbuf d = STRBUF_INIT;
	errno = 0;
	assert_int_equal(strbuf_read_file(&d, tmpdir), -1);
	assert_int_equal(errno, EISDIR);
	check_sb(&d);
	assert_int_equal(d.len, 0);

	/* an empty file */
	char *empty = xasprintf("%s/empty", tmpdir);
	fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	assert_int_equal(strbuf_read_file(&d, empty), 0);
	check_sb(&d);
	assert_int_equal(d.len, 0);

	strbuf_release(&d);
	strbuf_release(&sb);
	free(empty);
	free(missing);
	free(data);
	free(path);
}

/* ---- strvec --------------------------------------------------------- */

static void test_strvec_init(void **state)
{
	(void)state;
	struct strvec a = STRVEC_INIT;
	check_sv(&a);
	assert_int_equal(a.nr, 0);
	struct strvec b;
	strvec_init(&b);
	check_sv(&b);
	/* pop and clear on the empty vector keep it valid */
	strvec_pop(&b);
	check_sv(&b);
	strvec_clear(&b);
	check_sv(&b);
	assert_int_equal(strvec_find(&b, "x"), -1);
	assert_null(strvec_empty[0]);
}

static void test_strvec_push(void **state)
{
	(void)state;
	struct strvec sv = STRVEC_INIT;
	char word[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(word, sizeof word, "w%d", i);
		const char *got = strvec_push(&sv, word);
		assert_ptr_not_equal(got, word); /* a copy */
		assert_string_equal(got, word);
		assert_ptr_equal(got, sv.v[i]);
		assert_int_equal(sv.nr, (size_t)i + 1);
		assert_null(sv.v[sv.nr]);
	}
	check_sv(&sv);
	/* the copies do not depend on the caller's buffer */
	snprintf(word, sizeof word, "changed");
	assert_string_equal(sv.v[4999], "w4999");
	assert_int_equal(strvec_find(&sv, "w0"), 0);
	assert_int_equal(strvec_find(&sv, "w4321"), 4321);
	assert_int_equal(strvec_find(&sv, "w5000"), -1);
	assert_int_equal(strvec_find(&sv, "w"), -1);

	strvec_pop(&sv);
	assert_int_equal(sv.nr, 4999);
	assert_null(sv.v[4999]);
	assert_int_equal(strvec_find(&sv, "w4999"), -1);
	check_sv(&sv);

	strvec_clear(&sv);
	check_sv(&sv);
	assert_int_equal(sv.nr, 0);
	/* reusable after clear */
	strvec_push(&sv, "again");
	assert_string_equal(sv.v[0], "again");
	check_sv(&sv);
	strvec_clear(&sv);
}

static void test_strvec_variants(void **state)
{
	(void)state;
	struct strvec sv = STRVEC_INIT;
	strvec_pushl(&sv, "a", "b", "c", NULL);
	strvec_pushl(&sv, NULL);
	assert_int_equal(sv.nr, 3);
	const char *const more[] = { "d", "", "f", NULL };
	strvec_pushv(&sv, more);
	strvec_pushv(&sv, NULL);
	assert_int_equal(sv.nr, 6);
	assert_string_equal(sv.v[4], "");
	assert_int_equal(strvec_find(&sv, ""), 4);

	char *big = make_pattern(200000);
	const char *f = strvec_pushf(&sv, "%s=%s", "KEY", big);
	assert_int_equal(strlen(f), 4 + 200000);
	assert_memory_equal(f, "KEY=", 4);
	assert_memory_equal(f + 4, big, 200000);
	assert_ptr_equal(f, sv.v[6]);

	char *owned = xstrdup("owned");
	strvec_push_nodup(&sv, owned);
	assert_ptr_equal(sv.v[7], owned); /* not copied; freed by clear */
	assert_int_equal(sv.nr, 8);
	check_sv(&sv);

	const char *want[] = { "a", "b", "c", "d", "", "f" };
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(sv.v[i], want[i]);
	free(big);
	strvec_clear(&sv);
	check_sv(&sv);
}

/* ---- xalloc --------------------------------------------------------- */

static void test_xalloc(void **state)
{
	(void)state;
	void *z = xmalloc(0);
	assert_non_null(z);
	free(z);
	z = xcalloc(0, 0);
	assert_non_null(z);
	free(z);
	z = xrealloc(NULL, 0);
	assert_non_null(z);
	free(z);

	unsigned char *c = xcalloc(1000, 4);
	for (size_t i = 0; i < 4000; i++)
		assert_int_equal(c[i], 0);
	memset(c, 7, 4000);
	c = xrealloc(c, 1 << 20);
	for (size_t i = 0; i < 4000; i++)
		assert_int_equal(c[i], 7);
	free(c);

	char *s = xstrdup("hello");
	assert_string_equal(s, "hello");
	free(s);
	s = xstrndup("hello", 3);
	assert_string_equal(s, "hel");
	free(s);
	s = xstrndup("hi", 100); /* n beyond the string: stops at its end */
	assert_string_equal(s, "hi");
	free(s);
	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);

	char *pat = make_pattern(1 << 20);
	s = xasprintf("[%s]%d", pat, 7);
	assert_int_equal(strlen(s), (1 << 20) + 3);
	assert_memory_equal(s + 1, pat, 1 << 20);
	assert_string_equal(s + 1 + (1 << 20), "]7");
	free(s);
	free(pat);
	s = xasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);

	/* ALLOC_GROW: at least need, keeps content */
	int *arr = NULL;
	size_t alloc = 0;
	for (size_t i = 0; i < 10000; i++) {
		ALLOC_GROW(arr, i + 1, alloc);
		assert_true(alloc >= i + 1);
		arr[i] = (int)i;
	}
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(arr[i], (int)i);
	free(arr);
}

static int cleanup_free_ran;
static void note_free(void *p)
{
	cleanup_free_ran++;
	freep(p);
}

static void test_cleanup_free(void **state)
{
	(void)state;
	cleanup_free_ran = 0;
	{
		__attribute__((cleanup(note_free))) char *p = xstrdup("scoped");
		assert_string_equal(p, "scoped");
	}
	assert_int_equal(cleanup_free_ran, 1);
	{
		cleanup_free char *q = xstrdup("freed at scope end (valgrind/ASan see a leak otherwise)");
		assert_non_null(q);
	}
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static void oom_hook(size_t bytes)
{
	char line[64];
	int n = snprintf(line, sizeof line, "oom hook: %zu\n", bytes);
	if (n > 0 && write(2, line, (size_t)n) < 0)
		_exit(4);
}

static void test_oom_aborts(void **state)
{
	(void)state;
	/* ASan's allocator reports an impossible size itself instead of
	 * returning NULL, so the message cannot be checked there */
	if (UNDER_ASAN)
		skip();
	for (int which = 0; which < 3; which++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(p[1], 2);
			close(p[0]);
			xalloc_on_oom(oom_hook); /* cli/ installs its message so */
			void *r = NULL;
			/* impossible sizes that stay below 2^63 (valgrind
			 * warns about "negative" ones) */
			if (which == 0)
				r = xmalloc(SIZE_MAX / 4);
			else if (which == 1)
				r = xcalloc(SIZE_MAX / 16, 2);
			else
				r = xrealloc(NULL, SIZE_MAX / 4);
			/* reaching here means NULL (or a bogus pointer) was returned */
			_exit(r ? 2 : 3);
		}
		close(p[1]);
		struct strbuf msg = STRBUF_INIT;
		strbuf_read_fd(&msg, p[0]);
		close(p[0]);
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
		/* the hook ran with the size, then para aborted */
		assert_non_null(strstr(msg.buf, "oom hook: "));
		assert_null(strstr(msg.buf, "oom hook: 0\n"));
		strbuf_release(&msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_invariants),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_add_binary),
		cmocka_unit_test(test_setlen),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_addf_boundaries),
		cmocka_unit_test(test_addf_long),
		cmocka_unit_test(test_vaddf),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_read_fd),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_strvec_init),
		cmocka_unit_test(test_strvec_push),
		cmocka_unit_test(test_strvec_variants),
		cmocka_unit_test(test_xalloc),
		cmocka_unit_test(test_cleanup_free),
		cmocka_unit_test(test_oom_aborts),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
