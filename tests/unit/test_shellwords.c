/* Splitting --docker-args: sh's quote removal, and no expansion at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parse/shellwords.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* The words joined with '|', or "error: MESSAGE". */
static char *split(const char *s)
{
	struct strvec v = STRVEC_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	if (shellwords_split(s, &v, &err) < 0) {
		assert_int_equal(err.code, 2);
		assert_int_equal(v.nr, 0);
		strbuf_addf(&sb, "error: %s", err.msg);
	}
	for (size_t i = 0; i < v.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", v.v[i]);
	strvec_clear(&v);
	error_clear(&err);
	return strbuf_detach(&sb, NULL);
}

#define SPLITS(in, want)                                  \
	do {                                              \
		char *got_ = split(in);                   \
		assert_string_equal(got_, want);          \
		free(got_);                               \
	} while (0)

static void test_words_and_quotes(void **state)
{
	(void)state;
	SPLITS("", "");
	SPLITS("  \t\n ", "");
	SPLITS("--memory 2g", "--memory|2g");
	SPLITS("  -e  A=1\t-e\nB=2 ", "-e|A=1|-e|B=2");
	SPLITS("--label 'a b' --label \"c d\"", "--label|a b|--label|c d");
	SPLITS("'' \"\"", "|");
	SPLITS("a'b'\"c\"d", "abcd");
	SPLITS("'it'\\''s'", "it's");
	SPLITS("\"a\\\"b\" \"c\\\\d\" \"e\\xf\"", "a\"b|c\\d|e\\xf");
	SPLITS("a\\ b \\'c\\'", "a b|'c'");
	SPLITS("a\\\nb \"c\\\nd\"", "ab|cd");
	SPLITS("'a\\b'", "a\\b");
}

static void test_nothing_is_expanded(void **state)
{
	(void)state;
	SPLITS("-e X=$HOME", "-e|X=$HOME");
	SPLITS("\"${SECRET}\" $(cat /etc/shadow) `id`", "${SECRET}|$(cat|/etc/shadow)|`id`");
	SPLITS("~/x * ?.c [ab]", "~/x|*|?.c|[ab]");
	SPLITS("a;b c|d e&f #g", "a;b|c|d|e&f|#g");
	SPLITS("\"\\$HOME\"", "$HOME");
}

static void test_unbalanced_is_an_error_with_position(void **state)
{
	(void)state;
	SPLITS("--label 'a b", "error: unbalanced ' at position 9 of \"--label 'a b\"");
	SPLITS("x \"y", "error: unbalanced \" at position 3 of \"x \"y\"");
	SPLITS("abc\\", "error: a trailing backslash at position 4 of \"abc\\\"");
	SPLITS("\"a\\\"", "error: unbalanced \" at position 1 of \"\"a\\\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_quotes),
		cmocka_unit_test(test_nothing_is_expanded),
		cmocka_unit_test(test_unbalanced_is_an_error_with_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
