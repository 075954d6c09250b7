/*
 * gostr_append_rune against Go's utf8.AppendRune: every width boundary, the
 * values it replaces with U+FFFD, and a round trip through gostr_decode_rune
 * for every code point. (The decoder, IsSpace, TrimSpace, Clean and Dir are
 * covered through the dockerignore and dotenv tests.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "parse/gostr.h"
#include "util/strbuf.h"
#include "util/banned.h"

static void expect_rune(uint32_t r, const char *want, size_t want_len)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, 'x'); /* appends, keeps what is there */
	gostr_append_rune(&sb, r);
	assert_int_equal(sb.len, want_len + 1);
	assert_int_equal(sb.buf[0], 'x');
	assert_memory_equal(sb.buf + 1, want, want_len);
	assert_int_equal(sb.buf[sb.len], '\0');
	strbuf_release(&sb);
}

static void test_append_rune_widths(void **state)
{
	(void)state;
	expect_rune(0, "\0", 1);
	expect_rune(0x7F, "\x7f", 1);
	expect_rune(0x80, "\xc2\x80", 2);
	expect_rune(0xFF, "\xc3\xbf", 2);
	expect_rune(0x7FF, "\xdf\xbf", 2);
	expect_rune(0x800, "\xe0\xa0\x80", 3);
	expect_rune(0xD7FF, "\xed\x9f\xbf", 3);
	expect_rune(0xE000, "\xee\x80\x80", 3);
	expect_rune(0xFFFF, "\xef\xbf\xbf", 3);
	expect_rune(0x10000, "\xf0\x90\x80\x80", 4);
	expect_rune(0x1F600, "\xf0\x9f\x98\x80", 4);
	expect_rune(0x10FFFF, "\xf4\x8f\xbf\xbf", 4);
}

static void test_append_rune_invalid(void **state)
{
	static const uint32_t bad[] = { 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0x7FFFFFFF, 0xFFFFFFFF };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_rune(bad[i], "\xef\xbf\xbd", 3);
}

static void test_append_rune_round_trip(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (uint32_t r = 0; r <= 0x10FFFF; r++) {
		size_t w;
		uint32_t got;
		if (r == 0xD800)
			r = 0xE000;
		strbuf_reset(&sb);
		gostr_append_rune(&sb, r);
		got = gostr_decode_rune((const unsigned char *)sb.buf, sb.len, &w);
		if (got != r || w != sb.len)
			fail_msg("U+%04X: decoded U+%04X width %zu of %zu", (unsigned)r, (unsigned)got, w, sb.len);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_rune_widths),
		cmocka_unit_test(test_append_rune_invalid),
		cmocka_unit_test(test_append_rune_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
