/*
 * .dockerignore parsing and matching: every vector of
 * $PARA_CONFORMANCE_DIR/dockerignore.json (read in place), then the corners
 * of moby's semantics that the vectors do not reach, and the regexp-only
 * syntax para refuses (docs/dockerignore.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "parse/dockerignore.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

static json_t *load_vectors(void)
{
	const char *dir = getenv("PARA_CONFORMANCE_DIR");
	char *path;
	json_error_t jerr;
	json_t *root;

	if (!dir || !*dir)
		fail_msg("PARA_CONFORMANCE_DIR is not set");
	path = xasprintf("%s/dockerignore.json", dir);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		fail_msg("cannot load '%s': %s (line %d)", path, jerr.text, jerr.line);
	free(path);
	assert_true(json_is_array(root));
	return root;
}

static void describe(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	print_message("  vector: %s\n", s);
	free(s);
}

/* One pattern alone, against path itself (no parent directories, no '!'). */
static int match_one(const struct dockerignore_pattern *p, const char *path)
{
	struct dockerignore_pattern copy = *p;
	struct dockerignore one = { &copy, 1, 1, 0, 1, 0 };
	unsigned char no_parent = 0, info;

	copy.exclusion = 0;
	return dockerignore_matches_parent(&one, path, &no_parent, &info);
}

/* The first n '/'-separated elements of s, or NULL when it has fewer. */
static char *first_elements(const char *s, size_t n)
{
	for (size_t i = 0; s[i]; i++)
		if (s[i] == '/' && --n == 0)
			return xstrndup(s, i);
	return n == 1 ? xstrdup(s) : NULL;
}

/*
 * The deprecated package function patternmatcher.Matches(path, patterns),
 * which some vectors use: path is Clean'ed first, "." never matches, and a
 * pattern is tried against the path and against only the one parent
 * directory with as many elements as the pattern has (moby's bug, kept).
 */
static int matches_legacy(const struct dockerignore *di, const char *path)
{
	char *file = dockerignore_clean_path(path), *parent, *dir;
	const char *slash = strrchr(file, '/');
	int matched = 0;

	dir = slash ? xstrndup(file, (size_t)(slash - file) + 1) : xstrdup(""); /* filepath.Dir */
	parent = dockerignore_clean_path(dir);
	free(dir);
	for (size_t i = 0; strcmp(file, ".") && i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->pat[i];
		size_t ndirs = 1;
		char *ancestor;
		int m;

		if (p->exclusion != matched)
			continue;
		for (const char *c = p->text; *c; c++)
			ndirs += *c == '/';
		m = match_one(p, file);
		if (!m && strcmp(parent, ".") && (ancestor = first_elements(parent, ndirs))) {
			m = match_one(p, ancestor);
			free(ancestor);
		}
		if (m)
			matched = !p->exclusion;
	}
	free(parent);
	free(file);
	return matched;
}

/* 1 when the vector passes */
static int check_match_vector(const json_t *v)
{
	const json_t *pats = json_object_get(v, "patterns");
	const char *path = json_string_value(json_object_get(v, "path"));
	const char *fn = json_string_value(json_object_get(v, "function"));
	int want_error = json_is_true(json_object_get(v, "error"));
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;
	size_t n = json_array_size(pats);
	const char **list = xcalloc(n + 1, sizeof *list);
	int ok, got = -1, rc;

	assert_non_null(path);
	assert_non_null(fn);
	for (size_t i = 0; i < n; i++)
		list[i] = json_string_value(json_array_get(pats, i));
	rc = dockerignore_compile(list, n, &di, &err);
	free(list);
	if (want_error) {
		ok = rc < 0 && err.msg[0];
		if (!ok)
			print_message("expected an error, compiled fine\n");
		dockerignore_release(&di);
		return ok;
	}
	if (rc < 0) {
		print_message("unexpected error: %s\n", err.msg);
		return 0;
	}
	if (!strcmp(fn, "MatchesOrParentMatches"))
		got = dockerignore_matches(&di, path);
	else if (!strcmp(fn, "Matches (deprecated)"))
		got = matches_legacy(&di, path);
	else
		fail_msg("unknown function '%s'", fn);
	ok = got == json_is_true(json_object_get(v, "expected"));
	if (!ok)
		print_message("got %d\n", got);
	dockerignore_release(&di);
	return ok;
}

static int check_readall_vector(const json_t *v)
{
	const char *input = json_string_value(json_object_get(v, "input"));
	const json_t *want = json_object_get(v, "expected");
	struct strvec got = STRVEC_INIT;
	struct error err = ERROR_INIT;
	int ok;

	assert_non_null(input);
	if (dockerignore_read(input, strlen(input), &got, &err) < 0) {
		print_message("unexpected error: %s\n", err.msg);
		return 0;
	}
	ok = got.nr == json_array_size(want);
	for (size_t i = 0; ok && i < got.nr; i++)
		ok = !strcmp(got.v[i], json_string_value(json_array_get(want, i)));
	if (!ok)
		for (size_t i = 0; i < got.nr; i++)
			print_message("  got[%zu] = '%s'\n", i, got.v[i]);
	strvec_clear(&got);
	return ok;
}

static void test_conformance_vectors(void **state)
{
	json_t *root = load_vectors();
	size_t checked = 0, failed = 0, idx;
	json_t *v;

	(void)state;
	json_array_foreach(root, idx, v) {
		const char *kind = json_string_value(json_object_get(v, "kind"));
		int ok = 0;

		assert_non_null(kind);
		if (!strcmp(kind, "match"))
			ok = check_match_vector(v);
		else if (!strcmp(kind, "readall"))
			ok = check_readall_vector(v);
		else
			fail_msg("unknown vector kind '%s'", kind);
		checked++;
		if (!ok) {
			failed++;
			describe(v);
		}
	}
	print_message("dockerignore.json: %zu vectors checked, %zu passed, %zu failed\n", checked,
		      checked - failed, failed);
	assert_int_equal(checked, json_array_size(root));
	assert_int_equal(checked, 134);
	assert_int_equal(failed, 0);
	json_decref(root);
}

/* ---- beyond the vectors ---------------------------------------------------- */

static int m1(const char *pattern, const char *path)
{
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;
	const char *list[] = { pattern };
	int r;

	if (dockerignore_compile(list, 1, &di, &err) < 0)
		fail_msg("pattern '%s' did not compile: %s", pattern, err.msg);
	r = dockerignore_matches(&di, path);
	dockerignore_release(&di);
	return r;
}

static int compiles(const char *pattern)
{
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;
	const char *list[] = { pattern };
	int r = dockerignore_compile(list, 1, &di, &err);
	dockerignore_release(&di);
	return r == 0;
}

/* err.msg of a pattern that must not compile */
static const char *refusal(const char *pattern)
{
	static struct error err;
	struct dockerignore di = DOCKERIGNORE_INIT;
	const char *list[] = { pattern };

	error_clear(&err);
	if (dockerignore_compile(list, 1, &di, &err) == 0)
		fail_msg("pattern '%s' compiled", pattern);
	assert_int_equal(di.nr, 0);
	assert_null(strchr(err.msg, '\n'));
	return err.msg;
}

static void test_glob_dialect(void **state)
{
	(void)state;
	/* '.' of "**" does not cross a newline, '*' does */
	assert_false(m1("a/**/b", "a/x\ny/b"));
	assert_true(m1("a*b", "a\nb"));
	/* a double star inside a name is moby's "(.*" + "/)?": nothing, or up to a '/' */
	assert_true(m1("a**b", "ab"));
	assert_true(m1("a**b", "ax/b"));
	assert_false(m1("a**b", "axb"));
	assert_false(m1("a**b", "ax/yb"));
	assert_true(m1("a***", "a/b/c"));
	assert_true(m1("**foo**", "x/foobar"));
	assert_false(m1("**foo**", "xfoo"));
	/* plain patterns compare as strings; "**foo" is a bare suffix */
	assert_true(m1("**foo", "barfoo"));
	assert_true(m1("**/foo", "foo"));
	assert_true(m1("**/foo", "a/b/foo"));
	assert_true(m1("foo**", "foobar/x"));
	assert_true(m1("file.txt", "file.txt"));
	assert_false(m1("file.txt", "fileatxt"));
	assert_true(m1("file?txt", "file.txt"));
	assert_true(m1("a^b", "a^b"));
	assert_true(m1("a|b", "a|b"));
	/* a leading BOM is dropped from globs only (text/scanner), as in moby */
	assert_true(m1("\xEF\xBB\xBF" "a*", "ab"));
	assert_false(m1("\xEF\xBB\xBF" "ab", "ab"));
	/* multi-byte runes count once for '?'; invalid UTF-8 is one U+FFFD */
	assert_true(m1("a?b", "a\xc3\xa9" "b"));
	assert_true(m1("a?b", "a\xff" "b"));
	assert_true(m1("a\xff" "*", "a\xef\xbf\xbd"));
	/* classes: '!' is literal (Go), '^' negates, and a class may match '/' */
	assert_true(m1("[!a]", "!"));
	assert_false(m1("[!a]", "b"));
	assert_true(m1("x[^a]y", "x/y"));
	assert_true(m1("x[/]y", "x/y"));
	assert_true(m1("[a^]", "^"));
	assert_true(m1("[[:]", ":"));
	assert_true(m1("[\\*]", "*"));
	assert_false(m1("[\\*]", "a"));
	/* a backslash quotes punctuation, and that is how to get regexp characters */
	assert_true(m1("a\\|b*", "a|bc"));
	assert_true(m1("\\^a*", "^ab"));
	assert_true(m1("a\\{2}*", "a{2}x"));
	assert_true(m1("{a}*", "{a}z"));  /* not a count: literal braces */
	assert_true(m1("a{01}*", "a{01}")); /* Go reads no count with a leading zero */
	/* parent directories match */
	assert_true(m1("build", "build/x/y.o"));
	assert_true(m1("*/tmp", "a/tmp/file"));
	assert_false(m1("tmp", "a/tmp/file"));
	/* syntax that filepath.Match rejects, or Go's regexp too */
	assert_false(compiles("a[b"));
	assert_false(compiles("a\\"));
	assert_false(compiles("!"));
	assert_false(compiles("[z-a]"));
	assert_false(compiles("a\\\xc3\xa9"));
	assert_true(compiles("!x"));
	assert_true(compiles("   "));
	/* regexp-only syntax moby lets through: refused, naming what */
	assert_non_null(strstr(refusal("a|b*"), "'|'"));
	assert_non_null(strstr(refusal("a^?"), "'^'"));
	assert_non_null(strstr(refusal("ax{2}?"), "'{2}'"));
	assert_non_null(strstr(refusal("a{1,}*"), "'{1,}'"));
	assert_non_null(strstr(refusal("a{1001}?"), "count"));
	assert_non_null(strstr(refusal("\\d"), "'\\d'"));
	assert_non_null(strstr(refusal("x\\w"), "escape"));
	assert_non_null(strstr(refusal("a[\\d]"), "'\\d'"));
	assert_non_null(strstr(refusal("\\Q"), "escape"));
	assert_non_null(strstr(refusal("\\pL"), "escape"));
	assert_non_null(strstr(refusal("a\\1"), "escape"));
	assert_non_null(strstr(refusal("\\x41"), "escape"));
	assert_non_null(strstr(refusal("[*]"), "'*' inside"));
	assert_non_null(strstr(refusal("[a?]"), "'?' inside"));
	assert_non_null(strstr(refusal("[[:digit:]]x"), "'[:digit:]'"));
	assert_non_null(strstr(refusal("[[:nope:]]"), "POSIX"));
	assert_non_null(strstr(refusal("[[:a]b:]"), "POSIX"));
	assert_non_null(strstr(refusal("x*|y"), "x*|y"));
	assert_non_null(strstr(refusal("[z-a]"), "'z-a'"));
}

/* No backtracking blow-up: many stars against a long near miss stay fast. */
static void test_no_blowup(void **state)
{
	struct strbuf pat = STRBUF_INIT, path = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 200; i++)
		strbuf_addstr(&pat, "*a");
	strbuf_addstr(&pat, "**b?");
	for (int i = 0; i < 5000; i++)
		strbuf_addch(&path, 'a');
	assert_false(m1(pat.buf, path.buf));
	strbuf_addstr(&path, "/bc");
	assert_true(m1(pat.buf, path.buf));
	strbuf_release(&pat);
	strbuf_release(&path);
}

static void test_read(void **state)
{
	struct strvec v = STRVEC_INIT;
	struct error err = ERROR_INIT;
	const char *in = "\xEF\xBB\xBF" "# c\r\n  a/b/../c  \r\n#x\n\t!  /d//e/\n \xE3\x80\x80 f \n /#g\n//\n";
	struct strbuf big = STRBUF_INIT;

	(void)state;
	assert_int_equal(dockerignore_read(in, strlen(in), &v, &err), 0);
	assert_int_equal(v.nr, 5);
	assert_string_equal(v.v[0], "a/c");
	assert_string_equal(v.v[1], "!d/e");
	assert_string_equal(v.v[2], "f"); /* U+3000 is white space to Go */
	assert_string_equal(v.v[3], "#g");
	assert_string_equal(v.v[4], "/");
	strvec_clear(&v);

	/* a BOM only counts on the first line; a second one is content */
	in = "a\n\xEF\xBB\xBF" "b";
	assert_int_equal(dockerignore_read(in, strlen(in), &v, &err), 0);
	assert_int_equal(v.nr, 2);
	assert_string_equal(v.v[1], "\xEF\xBB\xBF" "b");
	strvec_clear(&v);

	/* bufio.Scanner: 65535 bytes fit, 65536 do not */
	for (int i = 0; i < 65535; i++)
		strbuf_addch(&big, 'x');
	assert_int_equal(dockerignore_read(big.buf, big.len, &v, &err), 0);
	assert_int_equal(v.nr, 1);
	strvec_clear(&v);
	strbuf_addch(&big, 'x');
	assert_int_equal(dockerignore_read(big.buf, big.len, &v, &err), -1);
	assert_int_equal(v.nr, 0);
	assert_non_null(strstr(err.msg, "too long"));
	strbuf_release(&big);
}

static void test_parse_errors_name_line(void **state)
{
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;
	const char *in = "ok\n# fine\nbad[\n";

	(void)state;
	assert_int_equal(dockerignore_parse(in, strlen(in), &di, &err), -1);
	assert_int_equal(di.nr, 0);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "bad["));

	in = "*.o\n!keep.o\n";
	assert_int_equal(dockerignore_parse(in, strlen(in), &di, &err), 0);
	assert_int_equal(di.nr, 2);
	assert_true(di.has_exclusions);
	assert_true(dockerignore_matches(&di, "x.o"));
	assert_false(dockerignore_matches(&di, "keep.o"));
	dockerignore_release(&di);
}

/* The walker's form must agree with MatchesOrParentMatches on a tree. */
static void test_parent_results(void **state)
{
	const char *pats[] = { "docs", "!docs/README.md", "*/tmp/**", "!a/tmp/keep" };
	const char *paths[] = { "docs", "docs/README.md", "docs/x", "a", "a/tmp", "a/tmp/keep",
				"a/tmp/other", "b" };
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;
	unsigned char info[8][4];

	(void)state;
	assert_int_equal(dockerignore_compile(pats, 4, &di, &err), 0);
	/* each child gets its parent directory's info, as a walker passes it */
	assert_int_equal(dockerignore_matches_parent(&di, "docs", NULL, info[0]), 1);
	assert_int_equal(dockerignore_matches_parent(&di, "docs/README.md", info[0], info[1]), 0);
	assert_int_equal(dockerignore_matches_parent(&di, "docs/x", info[0], info[2]), 1);
	assert_int_equal(dockerignore_matches_parent(&di, "a", NULL, info[3]), 0);
	assert_int_equal(dockerignore_matches_parent(&di, "a/tmp", info[3], info[4]), 0);
	assert_int_equal(dockerignore_matches_parent(&di, "a/tmp/keep", info[4], info[5]), 0);
	assert_int_equal(dockerignore_matches_parent(&di, "a/tmp/other", info[4], info[6]), 1);
	assert_int_equal(dockerignore_matches_parent(&di, "b", NULL, info[7]), 0);
	for (size_t i = 0; i < 8; i++) {
		int want[] = { 1, 0, 1, 0, 0, 0, 1, 0 };
		assert_int_equal(dockerignore_matches(&di, paths[i]), want[i]);
	}
	/* the tmp pattern has wildcards but is no exception; "!a/tmp/keep" has none */
	assert_true(di.only_prefix_exceptions);
	assert_true(dockerignore_descend_excluded(&di, "docs"));
	assert_true(dockerignore_descend_excluded(&di, "a/tmp"));
	assert_false(dockerignore_descend_excluded(&di, "doc"));
	assert_false(dockerignore_descend_excluded(&di, "b"));
	dockerignore_release(&di);

	{
		const char *wild[] = { "docs", "!*/README.md" };
		const char *trail[] = { "docs", "!docs/sub/**" };
		assert_int_equal(dockerignore_compile(wild, 2, &di, &err), 0);
		assert_false(di.only_prefix_exceptions);
		assert_true(dockerignore_descend_excluded(&di, "anything"));
		dockerignore_release(&di);
		assert_int_equal(dockerignore_compile(trail, 2, &di, &err), 0);
		assert_true(di.only_prefix_exceptions);
		assert_true(dockerignore_descend_excluded(&di, "docs"));
		assert_true(dockerignore_descend_excluded(&di, "docs/sub"));
		assert_false(dockerignore_descend_excluded(&di, "docs/other"));
		dockerignore_release(&di);
	}
}

static void test_clean_path(void **state)
{
	const char *cases[][2] = {
		{ "", "." }, { "a/b/../c", "a/c" }, { "/../a", "/a" }, { "../../a/..", "../.." },
		{ "a//b/./", "a/b" }, { "/", "/" }, { "./", "." }, { "!/x/", "!/x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = dockerignore_clean_path(cases[i][0]);
		assert_string_equal(c, cases[i][1]);
		free(c);
	}
}

/* A bound on compiled work: ordinary big files fit, absurd ones are refused. */
static void test_work_is_bounded(void **state)
{
	(void)state;
	struct strbuf line = STRBUF_INIT, file = STRBUF_INIT;
	struct dockerignore di = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;

	/* 110 lines of 1000 classes (550 KB): accepted, and matching stays cheap */
	for (int i = 0; i < 1000; i++)
		strbuf_addstr(&line, "[a-z]");
	for (int i = 0; i < 110; i++)
		strbuf_addf(&file, "%s\n", line.buf);
	assert_int_equal(dockerignore_parse(file.buf, file.len, &di, &err), 0);
	assert_true(di.steps <= DOCKERIGNORE_MAX_STEPS);
	char path[1100];
	memset(path, 'q', 1000);
	path[1000] = '\0';
	assert_int_equal(dockerignore_matches(&di, path), 1);
	path[999] = '1';
	for (int i = 0; i < 300; i++)
		assert_int_equal(dockerignore_matches(&di, path), 0);
	dockerignore_release(&di);

	/* 100 lines of 13000 classes: refused with status 4, naming the line */
	strbuf_reset(&line);
	strbuf_reset(&file);
	for (int i = 0; i < 13000; i++)
		strbuf_addstr(&line, "[a-z]");
	for (int i = 0; i < 100; i++)
		strbuf_addf(&file, "%s\n", line.buf);
	assert_int_equal(dockerignore_parse(file.buf, file.len, &di, &err), -1);
	assert_int_equal(err.code, 4);
	assert_non_null(strstr(err.msg, "too complex"));
	assert_int_equal(di.nr, 0);
	strbuf_release(&line);
	strbuf_release(&file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_vectors),
		cmocka_unit_test(test_glob_dialect),
		cmocka_unit_test(test_no_blowup),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_parse_errors_name_line),
		cmocka_unit_test(test_parent_results),
		cmocka_unit_test(test_clean_path),
		cmocka_unit_test(test_work_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
