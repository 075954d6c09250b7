/*
 * dotenv_parse against compose-go's own results (tests/data/dotenv.json,
 * read in place) and focused cases for what the vectors do not
 * pin down: para's answers to the compose_go_quirk vectors, line numbers,
 * error messages, duplicates, CRLF, scale.
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

#include "parse/dotenv.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- helpers -------------------------------------------------------- */

static const char *json_lookup(const char *key, void *ctx)
{
	return json_string_value(json_object_get(ctx, key));
}

/* A host of "K=V" strings, NULL-terminated. */
static const char *list_lookup(const char *key, void *ctx)
{
	size_t n = strlen(key);
	for (const char *const *kv = ctx; *kv; kv++)
		if (!strncmp(*kv, key, n) && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

static const char *const host[] = { "HOME=/root", "SECRET=hunter2", "EMPTY=", "export=exp", NULL };

static const char *value_of(const struct dotenv *d, const char *key)
{
	for (size_t i = 0; i < d->nr; i++)
		if (!strcmp(d->v[i].key, key))
			return d->v[i].value;
	return NULL;
}

/* The line of key's entry; the key must be there. */
static int line_of(const struct dotenv *d, const char *key)
{
	for (size_t i = 0; i < d->nr; i++)
		if (!strcmp(d->v[i].key, key))
			return d->v[i].line;
	fail_msg("no key %s", key);
	return -1;
}

/* Parse s (a C string) with the test host and interpolation on; must succeed. */
static struct dotenv parse_ok(const char *s)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	int r = dotenv_parse(s, strlen(s), list_lookup, (void *)host, 1, &d, &err);
	if (r)
		print_error("parse of \"%s\" failed: line %d: %s\n", s, d.error_line, err.msg);
	assert_int_equal(r, 0);
	assert_int_equal(d.error_line, 0);
	return d;
}

/* Parse buf[0..len); must fail on line `line` with message `msg`. */
static void parse_fails_n(const char *buf, size_t len, int interpolate, int line, const char *msg)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	int r = dotenv_parse(buf, len, list_lookup, (void *)host, interpolate, &d, &err);
	assert_int_equal(r, -1);
	assert_int_equal(d.nr, 0);
	assert_null(d.v);
	assert_int_equal(err.code, PARA_EXIT_FAIL);
	assert_string_equal(err.msg, msg);
	assert_int_equal(d.error_line, line);
}

static void parse_fails(const char *s, int line, const char *msg)
{
	parse_fails_n(s, strlen(s), 1, line, msg);
}

/* One key, one value. */
static void check_one(const char *s, const char *key, const char *value)
{
	struct dotenv d = parse_ok(s);
	if (d.nr != 1 || strcmp(d.v[0].key, key) || strcmp(d.v[0].value, value))
		print_error("\"%s\": want %s=\"%s\", got %zu entries, first %s=\"%s\"\n", s, key,
			    value, d.nr, d.nr ? d.v[0].key : "-", d.nr ? d.v[0].value : "-");
	assert_int_equal(d.nr, 1);
	assert_string_equal(d.v[0].key, key);
	assert_string_equal(d.v[0].value, value);
	dotenv_clear(&d);
}

static void check_empty(const char *s)
{
	struct dotenv d = parse_ok(s);
	assert_int_equal(d.nr, 0);
	dotenv_clear(&d);
}

/* ---- conformance ---------------------------------------------------- */

/*
 * para's answer for each compose_go_quirk vector (docs/dotenv.md says why).
 * expected is JSON; NULL means parsing must fail on error_line.
 */
static const struct quirk {
	const char *input;
	const char *expected;
	int error_line;
} quirks[] = {
	/* a bare KEY at the end of the buffer inherits like one before a newline */
	{ "no_value_var", "{}", 0 },
	{ "FOO", "{\"FOO\": \"from-host\"}", 0 },
	/* the space before '#' may be the one after '=' */
	{ "A= # comment", "{\"A\": \"\"}", 0 },
	/* nothing but blanks and a comment may follow a closing quote */
	{ "A=\"x\" y\nB=1", NULL, 1 },
	{ "A=\"x\"y=2", NULL, 1 },
	/* \0 without exactly three octal digits stays as written */
	{ "A=\"\\0\"", "{\"A\": \"\\\\0\"}", 0 },
	{ "A=\"\\07\"", "{\"A\": \"\\\\07\"}", 0 },
};

static const struct quirk *find_quirk(const char *input)
{
	for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (!strcmp(quirks[i].input, input))
			return &quirks[i];
	return NULL;
}

/* out equals the JSON object want exactly: same keys, same values. */
static int same_result(const struct dotenv *out, const json_t *want)
{
	if (out->nr != json_object_size(want))
		return 0;
	for (size_t i = 0; i < out->nr; i++) {
		const char *w = json_string_value(json_object_get(want, out->v[i].key));
		if (!w || strcmp(w, out->v[i].value))
			return 0;
	}
	return 1;
}

static void show_result(size_t idx, const char *input, const struct dotenv *out, const json_t *want)
{
	char *w = want ? json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	json_t *in = json_string(input);
	char *i = json_dumps(in, JSON_ENCODE_ANY);

	print_error("vector %zu %s: want %s, got", idx, i, w ? w : "an error");
	if (out->error_line)
		print_error(" an error on line %d", out->error_line);
	for (size_t k = 0; k < out->nr; k++)
		print_error(" %s=\"%s\"", out->v[k].key, out->v[k].value);
	print_error("\n");
	free(w);
	free(i);
	json_decref(in);
}

/* Check one vector; returns 1 when para's result is the one wanted. */
static int check_vector(size_t idx, const json_t *vec, int *quirk_seen)
{
	const char *input = json_string_value(json_object_get(vec, "input"));
	json_t *env = json_object_get(vec, "env"), *want = json_object_get(vec, "expected");
	int error = json_is_true(json_object_get(vec, "error"));
	int interpolate = !json_is_false(json_object_get(vec, "interpolation"));
	struct dotenv out = DOTENV_INIT;
	struct error err = ERROR_INIT;
	json_t *own = NULL;
	int r, ok, qline = 0;

	assert_non_null(input);
	if (json_is_true(json_object_get(vec, "compose_go_quirk"))) {
		const struct quirk *q = find_quirk(input);
		if (!q)
			print_error("vector %zu: compose_go_quirk with no answer from para\n", idx);
		assert_non_null(q);
		error = !q || !q->expected;
		own = error ? NULL : json_loads(q->expected, 0, NULL);
		qline = q ? q->error_line : -1;
		want = own;
		*quirk_seen = 1;
	}
	r = dotenv_parse(input, json_string_length(json_object_get(vec, "input")), json_lookup,
			 env, interpolate, &out, &err);
	if (error)
		ok = r == -1 && out.error_line > 0 && out.nr == 0 && err.msg[0];
	else
		ok = r == 0 && out.error_line == 0 && same_result(&out, want);
	if (ok && error && *quirk_seen)
		ok = out.error_line == qline;
	if (!ok)
		show_result(idx, input, &out, error ? NULL : want);
	dotenv_clear(&out);
	json_decref(own);
	return ok;
}

static void test_conformance(void **state)
{
	const char *dir = getenv("PARA_CONFORMANCE_DIR");
	char *path;
	json_error_t jerr;
	json_t *all, *vec;
	size_t idx, checked = 0, quirky = 0, failed = 0;

	(void)state;
	assert_non_null(dir);
	path = xasprintf("%s/dotenv.json", dir);
	all = json_load_file(path, 0, &jerr);
	if (!all)
		print_error("%s: %s\n", path, jerr.text);
	assert_true(json_is_array(all));
	json_array_foreach(all, idx, vec) {
		int quirk = 0;
		if (!check_vector(idx, vec, &quirk))
			failed++;
		checked++;
		quirky += (size_t)quirk;
	}
	printf("dotenv conformance: %zu vectors checked (%zu compose_go_quirk ones against para's "
	       "own answers), %zu failed\n", checked, quirky, failed);
	assert_int_equal(quirky, sizeof(quirks) / sizeof(quirks[0]));
	assert_true(checked >= 300);
	assert_int_equal(failed, 0);
	json_decref(all);
	free(path);
}

/* ---- focused cases -------------------------------------------------- */

static void test_duplicates(void **state)
{
	struct dotenv d = parse_ok("A=1\nB=2\nA=3\nC=${A}\nA\nB\n");

	(void)state;
	/* first place kept, later value and line taken; a bare key not in the
	 * host leaves the earlier value alone */
	assert_int_equal(d.nr, 3);
	assert_string_equal(d.v[0].key, "A");
	assert_string_equal(d.v[0].value, "3");
	assert_int_equal(d.v[0].line, 3);
	assert_string_equal(d.v[1].key, "B");
	assert_int_equal(d.v[1].line, 2);
	assert_string_equal(value_of(&d, "C"), "3");
	dotenv_clear(&d);

	d = parse_ok("HOME=mine\nHOME\nX=$HOME\n"); /* a bare key takes the host's */
	assert_string_equal(value_of(&d, "HOME"), "/root");
	assert_int_equal(line_of(&d, "HOME"), 2);
	assert_string_equal(value_of(&d, "X"), "/root");
	dotenv_clear(&d);
}

static void test_crlf(void **state)
{
	struct dotenv d = parse_ok("A=1\r\nB=\"two\"\r\nC='three' # c\r\n"
				   "# comment\r\nD\r\nHOME\r\nE=\"multi\r\nline\"\r\nF=x\r\n");

	(void)state;
	assert_string_equal(value_of(&d, "A"), "1");
	assert_string_equal(value_of(&d, "B"), "two");
	assert_string_equal(value_of(&d, "C"), "three");
	assert_null(value_of(&d, "D"));
	assert_string_equal(value_of(&d, "HOME"), "/root");
	assert_string_equal(value_of(&d, "E"), "multi\r\nline"); /* kept inside quotes */
	assert_string_equal(value_of(&d, "F"), "x");
	assert_int_equal(line_of(&d, "F"), 9);
	assert_int_equal(d.nr, 6);
	dotenv_clear(&d);
	/* a lone CR is no line break (as in Compose) */
	check_one("A=b\rc=d\r", "A", "b\rc=d");
}

static void test_lines(void **state)
{
	struct dotenv d = parse_ok("\n# c\nA=\"x\ny\\\nz\"\n\n  B='p\nq'  # c\nC=1\nexport D=2");

	(void)state;
	assert_int_equal(line_of(&d, "A"), 3);
	assert_string_equal(value_of(&d, "A"), "x\ny\\\nz");
	assert_int_equal(line_of(&d, "B"), 7);
	assert_int_equal(line_of(&d, "C"), 9);
	assert_int_equal(line_of(&d, "D"), 10);
	dotenv_clear(&d);
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	/* the line where the quote opened, not where the buffer ran out */
	parse_fails("A=1\nB=\"abc\ndef\nC=3\n", 2, "unterminated double-quoted value for 'B'");
	parse_fails("A=1\n\nB = 'abc\\'\n", 3, "unterminated single-quoted value for 'B'");
	parse_fails("KEY=\"", 1, "unterminated double-quoted value for 'KEY'");
	parse_fails("KEY=\"value\\", 1, "unterminated double-quoted value for 'KEY'");
	parse_fails("A=\"x\"\nB=\"y\nC=3\n", 2, "unterminated double-quoted value for 'B'");
	/* a runaway quote closes on the next value's opening quote */
	parse_fails("A=\"x\"\nB=\"y\nC=\"z\"\n", 3, "unexpected text after the quoted value of 'B'");
}

static void test_key_errors(void **state)
{
	(void)state;
	parse_fails("lol$wut", 1, "unexpected character '$' in variable name");
	parse_fails("A=1\n'a'=b", 2, "unexpected character \"'\" in variable name");
	parse_fails("A=1\n\xef\xbb\xbf" "B=2", 2, "unexpected character U+FEFF in variable name");
	parse_fails("A\x01=1", 1, "unexpected character U+0001 in variable name");
	parse_fails("\xe2\x80\x9cKEY\xe2\x80\x9d=1", 1,
		    "unexpected character U+201C in variable name");
	parse_fails("K\xff=1", 1, "invalid UTF-8 in variable name");
	parse_fails("K\xc0\x80=1", 1, "invalid UTF-8 in variable name"); /* overlong */
	parse_fails("K\xed\xa0\x80=1", 1, "invalid UTF-8 in variable name"); /* surrogate */
	parse_fails("e\xcc\x81=1", 1, "unexpected character U+0301 in variable name");
	parse_fails("\xf0\x9f\x98\x80=1", 1, "unexpected character U+1F600 in variable name");
	parse_fails("K\xf4\x90\x80\x80=1", 1, "invalid UTF-8 in variable name"); /* > U+10FFFF */
	parse_fails("K\xf0\x9f\x98", 1, "invalid UTF-8 in variable name"); /* cut short */
	parse_fails("MY KEY=1", 1, "whitespace in variable name");
	parse_fails("A=1\nMY\tKEY=1", 2, "whitespace in variable name");
	parse_fails("INVALID LINE\n", 1, "whitespace in variable name");
	parse_fails("INVALID LINE", 1, "whitespace in variable name");
	/* a bad character wins over whitespace, as in Compose */
	parse_fails("MY KEY$=1", 1, "unexpected character '$' in variable name");
}

static void test_after_quote(void **state)
{
	(void)state;
	parse_fails("A=\"x\"y=2", 1, "unexpected text after the quoted value of 'A'");
	parse_fails("A='x' y\nB=1", 1, "unexpected text after the quoted value of 'A'");
	parse_fails("A='it''s'", 1, "unexpected text after the quoted value of 'A'");
	parse_fails("A=\"x\ny\" z", 2, "unexpected text after the quoted value of 'A'");
	check_one("A=\"x\"#c", "A", "x");
	check_one("A=\"x\" \t # c", "A", "x");
	check_one("A='x'\xe3\x80\x80", "A", "x"); /* a Unicode space */
}

static void test_nul(void **state)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	parse_fails_n("A=1\n# \0\nB=2", 11, 1, 2, "unexpected nul byte");
	parse_fails_n("\0", 1, 0, 1, "unexpected nul byte");
	assert_int_equal(dotenv_parse("A\0B\0", 4, NULL, NULL, 1, &d, &err), -1);
	assert_true(err.hint[0] != '\0'); /* UTF-16 guess */
	/* \0 plus three octal digits that make NUL */
	parse_fails("A=\"x\\0000\"", 1, "nul byte in the value of 'A'");
}

static void test_interpolation_errors(void **state)
{
	(void)state;
	parse_fails("V=${", 1, "unterminated '${' in the value of 'V'");
	parse_fails("V=${A", 1, "unterminated '${' in the value of 'V'");
	parse_fails("V=${A:", 1, "unterminated '${' in the value of 'V'");
	parse_fails("V=${A:-x", 1, "unterminated '${' in the value of 'V'");
	parse_fails("V=${A:-${B}", 1, "unterminated '${' in the value of 'V'");
	parse_fails("V=\"${A:-x\" # }", 1, "unterminated '${' in the value of 'V'");
	parse_fails("X=1\nV=${}", 2, "bad substitution in the value of 'V'");
	parse_fails("V=${ a}", 1, "bad substitution in the value of 'V'");
	parse_fails("V=${a }", 1, "bad substitution in the value of 'V'");
	parse_fails("V=${a!}", 1, "bad substitution in the value of 'V'");
	parse_fails("V=${1}", 1, "bad substitution in the value of 'V'");
	parse_fails("V=${a:x}", 1, "bad substitution in the value of 'V'");
	parse_fails("V=${a[0]}", 1, "bad substitution in the value of 'V'");
}

static void test_required(void **state)
{
	(void)state;
	parse_fails("A=\"x\ny\"\nV=${UNSET:?set it}", 3,
		    "required variable 'UNSET' is missing a value: set it");
	parse_fails("V=${EMPTY:?}", 1, "required variable 'EMPTY' is missing a value");
	parse_fails("V=${UNSET?}", 1, "required variable 'UNSET' is missing a value");
	check_one("V=${EMPTY?}", "V", "");
	check_one("V=${HOME:?x}", "V", "/root");
	/* the message is quoted as written: a host value never shows */
	parse_fails("V=${UNSET:?see $SECRET}", 1,
		    "required variable 'UNSET' is missing a value: see $SECRET");
	/* ...and up to the first control character */
	parse_fails("V=\"${UNSET:?first\nsecond}\"", 1,
		    "required variable 'UNSET' is missing a value: first");
	/* the word is expanded even when unused, as in Compose */
	parse_fails("V=${HOME:-${UNSET:?x}}", 1, "required variable 'UNSET' is missing a value: x");
}

static void test_nesting_limit(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	strbuf_addstr(&sb, "V=");
	for (int i = 0; i < 32; i++)
		strbuf_addstr(&sb, "${A:-");
	strbuf_addstr(&sb, "deep");
	for (int i = 0; i < 32; i++)
		strbuf_addch(&sb, '}');
	assert_int_equal(dotenv_parse(sb.buf, sb.len, NULL, NULL, 1, &d, &err), 0);
	assert_string_equal(value_of(&d, "V"), "deep");
	dotenv_clear(&d);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "V=");
	for (int i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "${A:-");
	parse_fails_n(sb.buf, sb.len, 1, 1, "interpolation nested too deeply in the value of 'V'");
	strbuf_release(&sb);
}

static void test_messages_hide_values(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	parse_fails("PASSWORD=\"hunter2", 1, "unterminated double-quoted value for 'PASSWORD'");
	parse_fails("uglyKey[%$=\"S3cr3t\"", 1, "unexpected character '%' in variable name");
	/* a long key is cut short */
	for (int i = 0; i < 200; i++)
		strbuf_addch(&sb, 'K');
	strbuf_addstr(&sb, "=\"x");
	parse_fails(sb.buf, 1,
		    "unterminated double-quoted value for '"
		    "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK...'");
	strbuf_release(&sb);
}

static void test_bare_keys(void **state)
{
	(void)state;
	/* para: a bare key at the end of the buffer inherits too */
	check_one("HOME", "HOME", "/root");
	check_one("  HOME \t", "HOME", "/root");
	check_empty("NOT_IN_HOST");
	check_one("HOME\n", "HOME", "/root");
	check_one("export HOME\n", "HOME", "/root");
	check_one("export HOME", "HOME", "/root");
	/* the bare key reads the host only, not earlier lines */
	check_one("A=1\nA", "A", "1");
}

static void test_export(void **state)
{
	(void)state;
	check_one("export A=1", "A", "1");
	check_one("export\tA=1", "A", "1");
	check_one("export   \t A =1", "A", "1");
	check_one("exportA=1", "exportA", "1");
	check_one("export=1", "export", "1");
	/* "export" alone is nothing, with or without a final newline */
	check_one("export\nA=1", "A", "1");
	check_empty("export");
	check_empty("export   ");
	check_one("export =1", "", "1"); /* as Compose: the empty key */
	/* \v is no separator for "export" (Go's \s), and blanks inside a key are refused */
	parse_fails("export\vA=1\n", 1, "whitespace in variable name");
}

static void test_comments(void **state)
{
	(void)state;
	check_one("A= # comment", "A", "");        /* para */
	check_one("A=  #comment", "A", "");
	check_one("A=#x", "A", "#x");
	check_one("A=\t#x", "A", "#x");
	check_one("A=x #y", "A", "x");
	check_one("A=x#y", "A", "x#y");
	check_one("A=x\t#y", "A", "x\t#y");
	check_one("A=a b #c #d", "A", "a b");
	check_one("  # c\nA=1 # c", "A", "1");
	check_empty("#A=1\n  # B=2\n\t#");
}

static void test_values(void **state)
{
	(void)state;
	check_one("A = spaced out  ", "A", "spaced out");
	check_one("A: yaml", "A", "yaml");
	check_one("A:b:c", "A", "b:c");
	check_one("=v", "", "v");
	check_one("A=\xc2\xa0x\xc2\xa0", "A", "x"); /* NBSP around */
	check_one("\xe3\x80\x80" "A=x\xe3\x80\x80", "A", "x");
	check_one("A=x\xe2\x80\x80y", "A", "x\xe2\x80\x80y");
	check_one("A='\\\\'", "A", "\\\\");
	check_one("A='a\\'b'", "A", "a'b");
	check_one("A='$HOME \\n'", "A", "$HOME \\n");
	check_one("A=`x`", "A", "`x`");
	check_one("\xc3\xa1rv=\xc3\xa9", "\xc3\xa1rv", "\xc3\xa9");
	check_one("a[1].b-c=x", "a[1].b-c", "x");
	check_one("\xf0\x9d\x90\x80=4", "\xf0\x9d\x90\x80", "4"); /* U+1D400, a letter */
	check_one("\xef\xbb\xbf" "A=1", "A", "1");
	check_empty("");
	check_empty("\xef\xbb\xbf");
	check_empty(" \n\t\r\n\xc2\x85\xe3\x80\x80");
}

static void test_escapes(void **state)
{
	(void)state;
	check_one("A=\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", "A", "\a\b\f\n\r\t\v\\\"");
	check_one("A=\"\\0101\\0102\"", "A", "AB");
	check_one("A=\"\\01014\"", "A", "A4");
	check_one("A=\"\\0377\"", "A", "\xc3\xbf");   /* U+00FF, as Go does */
	check_one("A=\"\\0400\"", "A", "\\0400");      /* above 255: as written */
	check_one("A=\"\\0189\"", "A", "\\0189");
	check_one("A=\"\\0\"", "A", "\\0");           /* para */
	check_one("A=\"\\07\"", "A", "\\07");         /* para */
	check_one("A=\"\\c\\x41\\u0041\\'\\ \"", "A", "\\c\\x41\\u0041\\'\\ ");
	check_one("A=\"\\\\0101\"", "A", "\\0101");
	check_one("A=a\\nb", "A", "a\\nb");
	check_one("A=\"\\$HOME $HOME\"", "A", "$HOME /root");
	check_one("A=\"\\0044HOME\"", "A", "/root");  /* octal '$' expands, as in Compose */
}

static void test_interpolation(void **state)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	const char *s = "A=$HOME\nB=\"\\$HOME $$\"\nC='$HOME'\nD=${X:-y}";

	(void)state;
	check_one("A=$HOME/x", "A", "/root/x");
	check_one("A=${HOME}x", "A", "/rootx");
	check_one("A=$$HOME", "A", "$HOME");
	check_one("A=$ $1 $- $}", "A", "$ $1 $- $}");
	check_one("A=x$", "A", "x$");
	check_one("A=${UNSET:-${UNSET:-$}}", "A", "$");
	check_one("A=${UNSET-d} ${EMPTY-d} ${UNSET:-d} ${EMPTY:-d}", "A", "d  d d");
	check_one("A=${UNSET+p} ${EMPTY+p} ${EMPTY:+p} ${HOME:+p}", "A", " p  p");
	check_one("A=${UNSET:-{x}}", "A", "{x}");
	check_one("A=${UNSET:-a{b{c}d}e}f", "A", "a{b{c}d}ef");
	check_one("A=${UNSET:-${HOME}-${EMPTY:-e}}", "A", "/root-e");
	check_one("A=\"${UNSET:-two\nlines}\"", "A", "two\nlines");
	check_one("a=${a}", "a", "");
	check_one("HOME=${HOME}!", "HOME", "/root!");

	/* interpolate=0: all literal, and \$ is '$' */
	assert_int_equal(dotenv_parse(s, strlen(s), list_lookup, (void *)host, 0, &d, &err), 0);
	assert_string_equal(value_of(&d, "A"), "$HOME");
	assert_string_equal(value_of(&d, "B"), "$HOME $$");
	assert_string_equal(value_of(&d, "C"), "$HOME");
	assert_string_equal(value_of(&d, "D"), "${X:-y}");
	dotenv_clear(&d);

	/* no host at all */
	assert_int_equal(dotenv_parse(s, strlen(s), NULL, NULL, 1, &d, &err), 0);
	assert_string_equal(value_of(&d, "A"), "");
	assert_string_equal(value_of(&d, "B"), "$HOME $");
	assert_string_equal(value_of(&d, "D"), "y");
	dotenv_clear(&d);
	assert_int_equal(dotenv_parse("HOME", 4, NULL, NULL, 1, &d, &err), 0);
	assert_int_equal(d.nr, 0);
	dotenv_clear(&d);
}

/* Many keys: the index grows, duplicates resolve, lookups find earlier keys. */
static void test_many_keys(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	enum { N = 20000 };

	(void)state;
	for (int i = 0; i < N; i++)
		strbuf_addf(&sb, "K%d=v%d\n", i, i);
	for (int i = 0; i < N; i += 2)
		strbuf_addf(&sb, "K%d=${K%d}w\n", i, i + 1);
	assert_int_equal(dotenv_parse(sb.buf, sb.len, NULL, NULL, 1, &d, &err), 0);
	assert_int_equal(d.nr, N);
	for (int i = 0; i < N; i++) {
		char want[32];
		snprintf(want, sizeof want, i % 2 ? "v%d" : "v%dw", i % 2 ? i : i + 1);
		assert_string_equal(d.v[i].value, want);
		assert_int_equal(d.v[i].line, i % 2 ? i + 1 : N + i / 2 + 1);
	}
	dotenv_clear(&d);
	dotenv_clear(&d); /* twice is fine */
	assert_null(d.v);
	strbuf_release(&sb);
}

/* A failed parse leaves out empty even when it had entries before the error. */
static void test_failure_leaves_out_empty(void **state)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	const char *s = "A=1\nB=2\nC=\"";

	(void)state;
	assert_int_equal(dotenv_parse(s, strlen(s), NULL, NULL, 1, &d, &err), -1);
	assert_int_equal(d.nr, 0);
	assert_null(d.v);
	assert_int_equal(d.error_line, 3);
	dotenv_clear(&d);
	assert_int_equal(dotenv_parse("A=1", 3, NULL, NULL, 1, &d, &err), 0);
	assert_int_equal(d.error_line, 0);
	dotenv_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_after_quote),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_interpolation_errors),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_messages_hide_values),
		cmocka_unit_test(test_bare_keys),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_failure_leaves_out_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
