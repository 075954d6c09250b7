/*
 * JSON with comments (src/parse/jsonc.h): stripping, finding members,
 * line:column, and textual set/unset. Every set/unset result is checked
 * against jansson: the stripped result parses, and it equals the original
 * document with that one change made (so the value at the path is the one
 * set, or absent, and every other member is unchanged). Layouts are pinned
 * with exact texts, and a seeded property test edits random documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse/jsonc.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define PATH(...) (const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

static char *strip(const char *text)
{
	return jsonc_strip(text, strlen(text));
}

/* The new string got is want (and is freed). */
#define GIVES(got, want)                                \
	do {                                            \
		char *got_ = (got);                     \
		assert_string_equal(got_, want);        \
		free(got_);                             \
	} while (0)

#define STRIPS(in, want) GIVES(strip(in), want)

/* The document text stands for, as jansson reads its stripped form. */
static json_t *load(const char *text)
{
	char *s = strip(text);
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	if (!j)
		fail_msg("not JSON (%s at %d:%d):\n%s", je.text, je.line, je.column, text);
	free(s);
	assert_true(json_is_object(j));
	return j;
}

/* The document of before (blank: {}) with value set at keys (the objects on
 * the way made, a non-object replaced), or with the member gone (NULL). */
static json_t *expected(const char *before, const char *const *keys, size_t n, const char *value)
{
	char *s = strip(before);
	json_t *root = s[strspn(s, " \t\r\n")] ? load(before) : json_object();
	json_t *o = root;
	free(s);
	for (size_t k = 0; k + 1 < n; k++) {
		json_t *c = json_object_get(o, keys[k]);
		if (!json_is_object(c)) {
			if (!value)
				return root;
			c = json_object();
			json_object_set_new(o, keys[k], c);
		}
		o = c;
	}
	if (value)
		json_object_set_new(o, keys[n - 1], json_loads(value, JSON_DECODE_ANY, NULL));
	else
		json_object_del(o, keys[n - 1]);
	return root;
}

/* after is before with that one change (value NULL: the member unset). */
static void check_edit(const char *before, const char *after, const char *const *keys, size_t n,
		       const char *value)
{
	json_t *want = expected(before, keys, n, value), *got = load(after);
	if (!json_equal(want, got)) {
		char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("%s %s: want %s, got %s, from\n%s\nto\n%s", value ? "set" : "unset",
			 keys[0], w, g, before, after);
	}
	json_decref(want);
	json_decref(got);
}

static char *set(const char *text, const char *value, const char *const *keys, size_t n)
{
	char *out = jsonc_set(text, strlen(text), keys, n, value);
	if (!out)
		fail_msg("set refused:\n%s", text);
	check_edit(text, out, keys, n, value);
	return out;
}

static char *unset(const char *text, int want_found, const char *const *keys, size_t n)
{
	int found = -1;
	char *out = jsonc_unset(text, strlen(text), keys, n, &found);
	if (!out)
		fail_msg("unset refused:\n%s", text);
	assert_int_equal(found, want_found);
	check_edit(text, out, keys, n, NULL);
	if (!want_found)
		assert_string_equal(out, text);
	return out;
}

#define SETS(text, value, want, ...) GIVES(set(text, value, PATH(__VA_ARGS__)), want)
#define UNSETS(text, want, ...) GIVES(unset(text, 1, PATH(__VA_ARGS__)), want)

/* ---- strip ---- */

static void test_strip_comments(void **state)
{
	(void)state;
	STRIPS("{\"a\": 1 // c\n}", "{\"a\": 1     \n}");
	STRIPS("/* x */{\"a\":1}/**/", "       {\"a\":1}    ");
	STRIPS("{/*a\nb*/}", "{   \n   }");
	STRIPS("{\"a\": 1} /* open", "{\"a\": 1}        ");
	STRIPS("{\"a\": 1} /* open\n*", "{\"a\": 1}        \n ");
	STRIPS("{} //", "{}   ");
	STRIPS("{}/", "{}/");
	STRIPS("{} // a /* b\n*/", "{}          \n*/");
	STRIPS("{\"a\": 1 /* // */, \"b\": 2}", "{\"a\": 1         , \"b\": 2}");
	STRIPS("", "");
}

static void test_strip_leaves_strings(void **state)
{
	(void)state;
	STRIPS("{\"url\": \"http://x/*y*/\"}", "{\"url\": \"http://x/*y*/\"}");
	STRIPS("{\"a\\\"//\": \"x\\\\\", // c\n\"b\": \"/*\"}",
	       "{\"a\\\"//\": \"x\\\\\",     \n\"b\": \"/*\"}");
	STRIPS("{\"a\": \"\\\\\" // c\n}", "{\"a\": \"\\\\\"     \n}");
	STRIPS("{\"a\": \",}\"}", "{\"a\": \",}\"}");
	STRIPS("{\"a\": \"open // x", "{\"a\": \"open // x");
}

static void test_strip_trailing_commas(void **state)
{
	(void)state;
	STRIPS("{\"a\": [1, 2,], \"b\": {\"c\": 3,},}", "{\"a\": [1, 2 ], \"b\": {\"c\": 3 } }");
	STRIPS("{\"a\": 1, // c\n /* d */ }", "{\"a\": 1      \n         }");
	/* only a comma after a value is a trailing one */
	STRIPS("[[],[,],]", "[[],[,] ]");
	STRIPS("{\"a\": 1,,}", "{\"a\": 1,,}");
	STRIPS("{,}", "{,}");
	STRIPS("{\"a\":,}", "{\"a\":,}");
	STRIPS("{\"a\": \"x\",\n}", "{\"a\": \"x\" \n}");
	STRIPS("{\r\n  \"a\": 1, // c\r\n  /* d\r\n */\r\n}\r\n",
	       "{\r\n  \"a\": 1      \r\n      \r\n   \r\n}\r\n");
}

/* ---- find ---- */

static int find(const char *text, struct jsonc_loc *loc, const char *const *keys, size_t n)
{
	return jsonc_find(text, strlen(text), keys, n, loc);
}

/* The text of t[from..to). */
static char *span(const char *t, size_t from, size_t to)
{
	assert_true(from <= to && to <= strlen(t));
	return strndup(t + from, to - from);
}

#define SPAN_IS(t, from, to, want) GIVES(span(t, from, to), want)

static void test_find(void **state)
{
	(void)state;
	const char *t = "// top\n"
			"{ \"a\": {\"b\": [1, 2], /* x */ \"c\" /* y */ : {},}, \"d\": 3 }\n";
	struct jsonc_loc loc;
	assert_int_equal(find(t, &loc, PATH("a", "b")), 1);
	SPAN_IS(t, loc.key_start, loc.key_end, "\"b\"");
	SPAN_IS(t, loc.value_start, loc.value_end, "[1, 2]");
	SPAN_IS(t, loc.obj_start, loc.obj_end, "{\"b\": [1, 2], /* x */ \"c\" /* y */ : {},}");
	assert_int_equal(loc.depth, 1);
	assert_int_equal(find(t, &loc, PATH("a", "c")), 1);
	SPAN_IS(t, loc.value_start, loc.value_end, "{}");
	assert_int_equal(find(t, &loc, PATH("d")), 1);
	SPAN_IS(t, loc.value_start, loc.value_end, "3");
	assert_int_equal(loc.depth, 0);
	SPAN_IS(t, loc.obj_start, loc.obj_end,
		"{ \"a\": {\"b\": [1, 2], /* x */ \"c\" /* y */ : {},}, \"d\": 3 }");
	/* missing: the deepest object that exists */
	assert_int_equal(find(t, &loc, PATH("a", "c", "x", "y")), 0);
	SPAN_IS(t, loc.obj_start, loc.obj_end, "{}");
	assert_int_equal(loc.depth, 2);
	assert_int_equal(loc.value_end, 0);
	assert_int_equal(find(t, &loc, PATH("zz")), 0);
	assert_int_equal(loc.depth, 0);
	/* a prefix naming a non-object: stops at its object, that member in loc */
	assert_int_equal(find(t, &loc, PATH("a", "b", "x")), 0);
	assert_int_equal(loc.depth, 1);
	SPAN_IS(t, loc.value_start, loc.value_end, "[1, 2]");
	assert_int_equal(find(t, &loc, PATH("d", "x")), 0);
	assert_int_equal(loc.depth, 0);
	SPAN_IS(t, loc.key_start, loc.key_end, "\"d\"");
	assert_int_equal(jsonc_find(t, strlen(t), NULL, 0, &loc), 0);
}

static void test_find_keys_decoded_last_duplicate(void **state)
{
	(void)state;
	const char *t = "{\"a\\\"b\": 1, \"\\u00e9t\\u00C9\": 2, \"\\ud83d\\ude00\": 3, "
			"\"t\\tn\\n\\/\\\\\\b\\f\\r\": 4, \"\xc3\xa9\": 5, \"d\": 6, \"d\": 7, "
			"\"\\ud800\": 8}";
	struct jsonc_loc loc;
	static const struct {
		const char *key, *value;
	} cases[] = {
		{ "a\"b", "1" }, { "\xc3\xa9t\xc3\x89", "2" }, { "\xf0\x9f\x98\x80", "3" },
		{ "t\tn\n/\\\b\f\r", "4" }, { "\xc3\xa9", "5" }, { "d", "7" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(find(t, &loc, PATH(cases[i].key)), 1);
		SPAN_IS(t, loc.value_start, loc.value_end, cases[i].value);
	}
	assert_int_equal(find(t, &loc, PATH("a\\\"b")), 0);
	assert_int_equal(find(t, &loc, PATH("a")), 0);
	assert_int_equal(find(t, &loc, PATH("\xc3")), 0);
}

static void test_find_not_an_object(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "  \n", "// only\n", "[1]", "1", "\"a\"", "{\"a\": 1", "{\"a\": 1} x",
		"{\"a\" 1}", "{'a': 1}", "{\"a\": 1}{}", "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": -}",
		"{\"a\": tru}", "{\"a\": \"\\x\"}", "{\"a\": \"\\u12\"}", "{\"a\": \"\t\"}",
		"{a: 1}", "{\"a\": 1,,}", "{,}", "{\"a\": [1 2]}", "{\"a\": /* open }",
		"{\"a\": \"x}",
	};
	struct jsonc_loc loc;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (find(bad[i], &loc, PATH("a")) != -1)
			fail_msg("accepted: %s", bad[i]);
		char *o = jsonc_set(bad[i], strlen(bad[i]), PATH("a"), "1");
		if (i < 3) /* blank: set takes it as {} */
			assert_non_null(o);
		else if (o)
			fail_msg("set accepted: %s", bad[i]);
		free(o);
		assert_null(jsonc_unset(bad[i], strlen(bad[i]), PATH("a"), NULL));
	}
	/* a NUL byte: in find it is just not JSON */
	assert_int_equal(jsonc_find("{}\0", 3, PATH("a"), &loc), -1);
	const char *ok = "{\"a\": 1e5, \"b\": -0.5E-3, \"c\": [true, false, null, \"\\u00e9\"]}";
	assert_int_equal(find(ok, &loc, PATH("c")), 1);
	/* nesting as deep as jansson takes, and no deeper */
	for (int arrays = 2047; arrays <= 2048; arrays++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "{\"a\":");
		for (int i = 0; i < arrays; i++)
			strbuf_addstr(&sb, "[");
		for (int i = 0; i < arrays; i++)
			strbuf_addstr(&sb, "]");
		strbuf_addstr(&sb, "}");
		json_t *j = json_loads(sb.buf, 0, NULL);
		assert_int_equal(jsonc_find(sb.buf, sb.len, PATH("a"), &loc), j ? 1 : -1);
		assert_true(arrays == 2047 ? j != NULL : j == NULL);
		json_decref(j);
		strbuf_release(&sb);
	}
}

/* ---- line:column ---- */

static void test_linecol(void **state)
{
	(void)state;
	const char *t = "{\n  \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\": 1\r\n}";
	static const struct {
		size_t off;
		int line, column;
	} cases[] = {
		{ 0, 1, 1 }, { 1, 1, 2 }, { 2, 2, 1 }, { 4, 2, 3 }, { 5, 2, 4 }, { 6, 2, 5 },
		{ 7, 2, 5 }, { 10, 2, 6 }, { 14, 2, 7 }, { 15, 2, 8 }, { 18, 2, 11 }, { 19, 2, 12 },
		{ 20, 3, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = 0, column = 0;
		jsonc_linecol(t, cases[i].off, &line, &column);
		if (line != cases[i].line || column != cases[i].column)
			fail_msg("offset %zu: %d:%d, want %d:%d", cases[i].off, line, column,
				 cases[i].line, cases[i].column);
	}
}

/* ---- set ---- */

static void test_set_replaces_in_place(void **state)
{
	(void)state;
	const char *t = "{\n  // the mode\n  \"a\": 1, /* one */\n  \"b\": [1, 2]\n}\n";
	char *o = set(t, "{\"x\": 1}", PATH("a"));
	assert_string_equal(o, "{\n  // the mode\n  \"a\": {\"x\": 1}, /* one */\n"
			       "  \"b\": [1, 2]\n}\n");
	char *back = set(o, "1", PATH("a"));
	assert_string_equal(back, t);
	free(o);
	free(back);
	/* a pretty value is indented as the member is */
	SETS(t, " {\n  \"x\": [\n    1\n  ]\n} ",
	     "{\n  // the mode\n  \"a\": {\n    \"x\": [\n      1\n    ]\n  }, /* one */\n"
	     "  \"b\": [1, 2]\n}\n", "a");
	SETS("{\"a\": {\"b\": 1}, \"c\": 2}", "\"x\"", "{\"a\": {\"b\": \"x\"}, \"c\": 2}",
	     "a", "b");
	SETS("{\"a\": 1, \"a\": 2}", "3", "{\"a\": 1, \"a\": 3}", "a");
	SETS("{\"a\\u0062\": 1}", "2", "{\"a\\u0062\": 2}", "ab");
	/* a value that is not one JSON value, an empty path */
	assert_null(jsonc_set("{}", 2, PATH("a"), "1 2"));
	assert_null(jsonc_set("{}", 2, PATH("a"), "{"));
	assert_null(jsonc_set("{}", 2, PATH("a"), ""));
	assert_null(jsonc_set("{}", 2, PATH("a"), NULL));
	assert_null(jsonc_set("{}", 2, NULL, 0, "1"));
	assert_null(jsonc_set("{} // \0", 7, PATH("a"), "1"));
}

static void test_set_inserts_pretty(void **state)
{
	(void)state;
	const char *t = "// para\n{\n  // image\n  \"image\": \"x\",\n  \"docker\": {\n"
			"    \"network\": {}\n  }\n}\n";
	SETS(t, "true", "// para\n{\n  // image\n  \"image\": \"x\",\n  \"docker\": {\n"
			"    \"network\": {}\n  },\n  \"c\": true\n}\n", "c");
	SETS(t, "\"none\"", "// para\n{\n  // image\n  \"image\": \"x\",\n  \"docker\": {\n"
			    "    \"network\": {\n      \"mode\": \"none\"\n    }\n  }\n}\n",
	     "docker", "network", "mode");
	SETS(t, "1", "// para\n{\n  // image\n  \"image\": \"x\",\n  \"docker\": {\n"
		     "    \"network\": {},\n    \"x\": {\n      \"y\": 1\n    }\n  }\n}\n",
	     "docker", "x", "y");
	SETS("{\n  \"docker\": {}\n}", "\"none\"",
	     "{\n  \"docker\": {\n    \"network\": {\n      \"mode\": \"none\"\n    }\n  }\n}",
	     "docker", "network", "mode");
	SETS("{\n    \"a\": 1\n}\n", "2",
	     "{\n    \"a\": 1,\n    \"b\": {\n        \"c\": 2\n    }\n}\n", "b", "c");
	/* the key is escaped */
	SETS("{}", "1", "{\n  \"q\\\"\\\\\\n\\u0001/\": 1\n}", "q\"\\\n\001/");
}

static void test_set_inserts_into_empty(void **state)
{
	(void)state;
	SETS("{}", "1", "{\n  \"a\": 1\n}", "a");
	SETS("{ }\n", "1", "{\n  \"a\": 1\n}\n", "a");
	SETS("{\n}\n", "1", "{\n  \"a\": 1\n}\n", "a");
	SETS("{\n  \"d\": {\n  }\n}", "1", "{\n  \"d\": {\n    \"a\": 1\n  }\n}", "d", "a");
	SETS("{\n  \"d\": {\n      }\n}", "1", "{\n  \"d\": {\n    \"a\": 1\n      }\n}", "d", "a");
	SETS("{\n\t\"x\": 1,\n\t\"d\": {}\n}", "1",
	     "{\n\t\"x\": 1,\n\t\"d\": {\n\t\t\"a\": 1\n\t}\n}", "d", "a");
	SETS("{\n   \"x\": {\"d\": {}}\n}", "1", "{\n   \"x\": {\"d\": {\n      \"a\": 1\n   }}\n}",
	     "x", "d", "a");
	SETS("{ // settings\n}", "1", "{ // settings\n  \"a\": 1\n}", "a");
	SETS("{ /* none */ }", "1", "{ /* none */\n  \"a\": 1\n}", "a");
	SETS("{ /* none\n */ }", "1", "{\n  \"a\": 1 /* none\n */ }", "a");
	SETS("{\"x\": {}}", "1", "{\"x\": {\"a\": 1}}", "x", "a");
	SETS("{\"x\": { }}", "1", "{\"x\": {\"a\": {\"b\": 1} }}", "x", "a", "b");
}

static void test_set_inserts_one_line(void **state)
{
	(void)state;
	SETS("{\"a\": 1}", "2", "{\"a\": 1, \"b\": 2}", "b");
	SETS("{\"a\":1}", "2", "{\"a\":1,\"b\":2}", "b");
	SETS("{ \"a\" : 1 }\n", "2", "{ \"a\" : 1, \"b\" : 2 }\n", "b");
	SETS("{\"a\": {\"b\": 1}}", "2", "{\"a\": {\"b\": 1, \"c\": {\"d\": 2}}}", "a", "c", "d");
	SETS("{\"a\": 1 /* c */}", "2", "{\"a\": 1, \"b\": 2 /* c */}", "b");
	SETS("{\"a\": 1,}", "2", "{\"a\": 1, \"b\": 2}", "b");
	SETS("{\"a\": 1, }", "2", "{\"a\": 1, \"b\": 2 }", "b");
	SETS("{\n  \"o\": {\"a\": 1}\n}", "2", "{\n  \"o\": {\"a\": 1, \"b\": 2}\n}", "o", "b");
}

static void test_set_after_commas_and_comments(void **state)
{
	(void)state;
	SETS("{\n  \"a\": 1,\n}\n", "2", "{\n  \"a\": 1,\n  \"b\": 2\n}\n", "b");
	SETS("{\n  \"a\": 1 // one\n}", "2", "{\n  \"a\": 1, // one\n  \"b\": 2\n}", "b");
	SETS("{\n  \"a\": 1, // one\n}", "2", "{\n  \"a\": 1, // one\n  \"b\": 2\n}", "b");
	SETS("{\n  \"a\": 1 /* one */ // two\n  // end\n}", "2",
	     "{\n  \"a\": 1, /* one */ // two\n  \"b\": 2\n  // end\n}", "b");
	SETS("{\n  \"a\": 1\n  ,\n}", "2", "{\n  \"a\": 1\n  ,\n  \"b\": 2\n}", "b");
	SETS("{\n  \"a\": 1 /* one\n */\n}", "2", "{\n  \"a\": 1,\n  \"b\": 2 /* one\n */\n}", "b");
	SETS("{\"x\": 0,\n  \"a\": 1 }", "2", "{\"x\": 0,\n  \"a\": 1,\n  \"b\": 2 }", "b");
	SETS("{\"x\": 0, \"a\": 1\n}", "2", "{\"x\": 0, \"a\": 1,\n  \"b\": 2\n}", "b");
	SETS("{\r\n  \"a\": 1 // one\r\n}\r\n", "2",
	     "{\r\n  \"a\": 1, // one\r\n  \"b\": {\r\n    \"c\": 2\r\n  }\r\n}\r\n", "b", "c");
}

static void test_set_blank_text(void **state)
{
	(void)state;
	SETS("", "1", "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n", "a", "b");
	SETS(" \n\t", "[1]", "{\n  \"a\": [1]\n}\n", "a");
	SETS("// para config\n", "1", "// para config\n{\n  \"a\": 1\n}\n", "a");
	SETS("/* x */", "1", "/* x */\n{\n  \"a\": 1\n}\n", "a");
	GIVES(jsonc_set(NULL, 0, PATH("a"), "1"), "{\n  \"a\": 1\n}\n");
}

static void test_set_tabs_and_non_objects(void **state)
{
	(void)state;
	const char *t = "{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}\n";
	SETS(t, "2", "{\n\t\"a\": {\n\t\t\"b\": 1,\n\t\t\"c\": {\n\t\t\t\"d\": 2\n\t\t}\n\t}\n}\n",
	     "a", "c", "d");
	SETS(t, "2", "{\n\t\"a\": {\n\t\t\"b\": 1\n\t},\n\t\"e\": 2\n}\n", "e");
	/* a prefix that is not an object becomes one */
	SETS(t, "2", "{\n\t\"a\": {\n\t\t\"b\": {\n\t\t\t\"x\": 2\n\t\t}\n\t}\n}\n", "a", "b", "x");
	SETS("{\n  \"docker\": \"old\" // was\n}", "\"none\"",
	     "{\n  \"docker\": {\n    \"network\": {\n      \"mode\": \"none\"\n    }\n"
	     "  } // was\n}",
	     "docker", "network", "mode");
	SETS("{\"a\": [1], \"b\": 2}", "3", "{\"a\": {\"c\": 3}, \"b\": 2}", "a", "c");
	SETS("{\"a\": null}", "3", "{\"a\": {\"c\": {\"d\": 3}}}", "a", "c", "d");
}

/* ---- unset ---- */

static void test_unset_pretty(void **state)
{
	(void)state;
	const char *t = "{\n  \"a\": 1,\n  \"b\": {\n    \"x\": true\n  },\n  \"c\": 3\n}\n";
	UNSETS(t, "{\n  \"b\": {\n    \"x\": true\n  },\n  \"c\": 3\n}\n", "a");
	UNSETS(t, "{\n  \"a\": 1,\n  \"c\": 3\n}\n", "b");
	UNSETS(t, "{\n  \"a\": 1,\n  \"b\": {\n    \"x\": true\n  }\n}\n", "c");
	UNSETS(t, "{\n  \"a\": 1,\n  \"b\": {\n  },\n  \"c\": 3\n}\n", "b", "x");
	UNSETS("{\n  \"a\": 1\n}\n", "{\n}\n", "a");
	UNSETS("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n", "{\r\n  \"a\": 1\r\n}\r\n", "b");
	UNSETS("{\n  \"a\": 1,\n  \"b\": 2,\n}", "{\n  \"a\": 1,\n}", "b");
	UNSETS("{\n\t\"a\": 1,\n\t\"b\": 2\n}", "{\n\t\"b\": 2\n}", "a");
}

static void test_unset_one_line(void **state)
{
	(void)state;
	const char *t = "{\"a\": 1, \"b\": 2, \"c\": 3}";
	UNSETS(t, "{\"b\": 2, \"c\": 3}", "a");
	UNSETS(t, "{\"a\": 1, \"c\": 3}", "b");
	UNSETS(t, "{\"a\": 1, \"b\": 2}", "c");
	UNSETS("{\"a\": 1}", "{}", "a");
	UNSETS("{ \"a\": 1 }", "{ }", "a");
	UNSETS("{\"a\": 1,}", "{}", "a");
	UNSETS("{\"a\":1,\"b\":2}", "{\"a\":1}", "b");
	UNSETS("{\"x\": {\"a\": 1, \"b\": [2]}, \"y\": 0}", "{\"x\": {\"a\": 1}, \"y\": 0}",
	       "x", "b");
	UNSETS("{\"a\": 1, \"b\": 2, \"a\": 3}", "{\"b\": 2}", "a");
}

static void test_unset_comments(void **state)
{
	(void)state;
	const char *t = "{\n  // first\n  \"a\": 1, // one\n  \"b\": 2 /* two */\n}";
	UNSETS(t, "{\n  // first\n  \"b\": 2 /* two */\n}", "a");
	UNSETS(t, "{\n  // first\n  \"a\": 1 // one\n}", "b");
	UNSETS("{\n  \"a\": 1, /* to\n  be */ \"b\": 2\n}", "{\n  /* to\n  be */ \"b\": 2\n}", "a");
	UNSETS("{\"z\": 0, \"a\": 1, // x\n \"b\": 2}", "{\"z\": 0, // x\n \"b\": 2}", "a");
	UNSETS("{\"a\": 1 /* c */, \"b\": 2}", "{\"b\": 2}", "a");
	UNSETS("{\n  \"a\": 1\n  , \"b\": 2\n}", "{\n  \"a\": 1\n  \n}", "b");
}

static void test_unset_not_there(void **state)
{
	(void)state;
	const char *t = "{\n  \"a\": {\"b\": 1},\n  \"c\": 2 // x\n}\n";
	GIVES(unset(t, 0, PATH("x")), t);
	GIVES(unset(t, 0, PATH("a", "x")), t);
	GIVES(unset(t, 0, PATH("c", "x")), t);
	GIVES(unset(t, 0, PATH("a", "b", "x")), t);
	GIVES(jsonc_unset(t, strlen(t), NULL, 0, NULL), t);
	assert_null(jsonc_unset("{} // \0", 7, PATH("a"), NULL));
}

/* ---- the property: random documents, random edits ---- */

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static const char *const names[] = { "a", "b", "c", "d\"q", "\xc3\xa9", "" };
#define NAMES (sizeof(names) / sizeof(names[0]))

static json_t *random_value(int depth);

static json_t *random_object(int depth)
{
	json_t *o = json_object();
	for (unsigned k = rnd(4); k > 0; k--)
		json_object_set_new(o, names[rnd(NAMES)], random_value(depth + 1));
	return o;
}

static json_t *random_value(int depth)
{
	switch (rnd(depth < 3 ? 7 : 5)) {
	case 0:
		return json_integer((json_int_t)rnd(100) - 50);
	case 1:
		return json_string(rnd(2) ? "x, // y" : "/* \"z\" */");
	case 2:
		return rnd(2) ? json_true() : json_null();
	case 3:
		return json_real(0.5);
	case 4:
		return json_array();
	case 5: {
		json_t *a = json_array();
		json_array_append_new(a, random_value(depth + 1));
		json_array_append_new(a, random_object(depth + 1));
		return a;
	}
	default:
		return random_object(depth);
	}
}

/* The pretty text with trailing commas where a value ends before a closing
 * bracket, and comments at the end of some lines and the start of others. */
static char *decorate(const char *pretty)
{
	struct strbuf sb = STRBUF_INIT;
	int n = 0;
	for (const char *p = pretty; *p; n++) {
		size_t l = strcspn(p, "\n"), b = strspn(p, " ");
		char last = sb.len ? sb.buf[sb.len - 1] : '{';
		if ((p[b] == '}' || p[b] == ']') && !strchr("{[,", last))
			strbuf_addch(&sb, ',');
		if (sb.len)
			strbuf_addstr(&sb, n % 3 == 1 ? " // note\n" : "\n");
		strbuf_add(&sb, p, b);
		if (n % 4 == 2)
			strbuf_addstr(&sb, "/* c */ ");
		strbuf_add(&sb, p + b, l - b);
		p += l + (p[l] == '\n');
	}
	strbuf_addstr(&sb, "\n");
	return strbuf_detach(&sb, NULL);
}

static char *random_text(void)
{
	json_t *doc = random_object(0);
	static const size_t flags[] = { JSON_INDENT(2), JSON_COMPACT, 0, JSON_INDENT(4) };
	unsigned style = rnd(5);
	char *text = json_dumps(doc, style < 4 ? flags[style] : JSON_INDENT(3));
	json_decref(doc);
	if (style == 4) {
		char *d = decorate(text);
		free(text);
		text = d;
	}
	return text;
}

/* One random set or unset of text, checked; the new text. */
static char *random_edit(char *text)
{
	const char *keys[3];
	size_t n = 1 + rnd(3);
	for (size_t k = 0; k < n; k++)
		keys[k] = names[rnd(NAMES)];
	char *out;
	if (rnd(3)) {
		json_t *v = random_value(2);
		size_t flags = JSON_ENCODE_ANY | (rnd(2) ? JSON_COMPACT : JSON_INDENT(2));
		char *value = json_dumps(v, flags);
		json_decref(v);
		out = set(text, value, keys, n);
		free(value);
	} else {
		json_t *root = load(text), *o = root;
		for (size_t k = 0; o && k < n; k++)
			o = json_object_get(o, keys[k]);
		out = unset(text, o != NULL, keys, n);
		json_decref(root);
	}
	free(text);
	return out;
}

static void test_property_random_edits(void **state)
{
	(void)state;
	rng = 20261203;
	for (int i = 0; i < 400; i++) {
		char *text = random_text();
		for (int k = 0; k < 6; k++)
			text = random_edit(text);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_comments),
		cmocka_unit_test(test_strip_leaves_strings),
		cmocka_unit_test(test_strip_trailing_commas),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_keys_decoded_last_duplicate),
		cmocka_unit_test(test_find_not_an_object),
		cmocka_unit_test(test_linecol),
		cmocka_unit_test(test_set_replaces_in_place),
		cmocka_unit_test(test_set_inserts_pretty),
		cmocka_unit_test(test_set_inserts_into_empty),
		cmocka_unit_test(test_set_inserts_one_line),
		cmocka_unit_test(test_set_after_commas_and_comments),
		cmocka_unit_test(test_set_blank_text),
		cmocka_unit_test(test_set_tabs_and_non_objects),
		cmocka_unit_test(test_unset_pretty),
		cmocka_unit_test(test_unset_one_line),
		cmocka_unit_test(test_unset_comments),
		cmocka_unit_test(test_unset_not_there),
		cmocka_unit_test(test_property_random_edits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
