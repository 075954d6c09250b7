/* The network allowlist: entry syntax, normalisation, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/allowlist.h"
#include "util/banned.h"

/* The entry as allowlist_entry_text writes it back, or "error: MESSAGE". */
static char *add_one(const char *entry)
{
	struct allowlist al = ALLOWLIST_INIT;
	struct error err = ERROR_INIT;
	char *out;
	if (allowlist_add(&al, entry, &err) < 0) {
		assert_int_equal(err.code, 2);
		assert_int_equal(al.nr, 0);
		size_t n = strlen(err.msg) + 8;
		out = malloc(n);
		assert_non_null(out);
		snprintf(out, n, "error: %s", err.msg);
	} else {
		assert_int_equal(al.nr, 1);
		out = allowlist_entry_text(&al.v[0]);
	}
	allowlist_clear(&al);
	return out;
}

#define ADDS(in, want)                                   \
	do {                                             \
		char *got_ = add_one(in);                \
		assert_string_equal(got_, want);         \
		free(got_);                              \
	} while (0)

#define REFUSES(in, why) ADDS(in, "error: allowlist entry '" in "': " why)

static void test_entries_are_normalised(void **state)
{
	(void)state;
	ADDS("api.anthropic.com", "api.anthropic.com");
	ADDS("API.Anthropic.COM.", "api.anthropic.com");
	ADDS("*.GitHub.com", "*.github.com");
	ADDS("*.github.com.:8443", "*.github.com:8443");
	ADDS("my_host-1.example:1", "my_host-1.example:1");
	ADDS("1.2.3.4", "1.2.3.4");
	ADDS("1.2.3.4:65535", "1.2.3.4:65535");
	ADDS("[2001:DB8:0::1]", "[2001:db8::1]");
	ADDS("[::ffff:1.2.3.4]:443", "[::ffff:1.2.3.4]:443");
	ADDS("localhost", "localhost");
}

static void test_malformed_entries_are_refused(void **state)
{
	(void)state;
	REFUSES("", "an empty entry");
	REFUSES("*", "'*' is only allowed as a leading \"*.\"");
	REFUSES("*.", "an empty host");
	REFUSES("a.*.com", "'*' is only allowed as a leading \"*.\"");
	REFUSES("*x.com", "'*' is only allowed as a leading \"*.\"");
	REFUSES("a..b", "an empty label");
	REFUSES(".a", "an empty label");
	REFUSES("-a.com", "a label starting or ending with '-'");
	REFUSES("a-.com", "a label starting or ending with '-'");
	REFUSES("a b", "a character that is not a letter, digit, '-' or '_'");
	REFUSES("a.com:0", "a port that is not a number from 1 to 65535");
	REFUSES("a.com:65536", "a port that is not a number from 1 to 65535");
	REFUSES("a.com:", "a port that is not a number from 1 to 65535");
	REFUSES("a.com:+80", "a port that is not a number from 1 to 65535");
	REFUSES("a.com:80x", "a port that is not a number from 1 to 65535");
	REFUSES("2001:db8::1", "an IPv6 address must be in brackets: [ADDRESS]:PORT");
	REFUSES("[2001:db8::1", "an unclosed '['");
	REFUSES("[2001:db8::1]x", "text after ']' that is not :PORT");
	REFUSES("[1.2.3.4]", "brackets around something that is not an IPv6 address");
	REFUSES("[::1::2]", "not a valid IPv6 address");
	REFUSES("1.2.3.256", "not a valid IPv4 address");
	REFUSES("1.2.3", "not a valid IPv4 address");
	REFUSES("*.1.2.3.4", "a wildcard over an IP address");
	REFUSES("[fe80::1%eth0]", "not a valid IPv6 address");
}

static void test_name_lengths(void **state)
{
	(void)state;
	char label[70], name[300];
	memset(label, 'a', 63);
	label[63] = '\0';
	char *got = add_one(label);
	assert_string_equal(got, label);
	free(got);
	memset(label, 'a', 64);
	label[64] = '\0';
	got = add_one(label);
	assert_non_null(strstr(got, "a label longer than 63 bytes"));
	free(got);
	/* labels of 63 bytes and dots: the first 253 bytes are a name, 254 are not */
	memset(name, 'b', sizeof name);
	for (int i = 63; i < 300; i += 64)
		name[i] = '.';
	name[253] = '\0';
	got = add_one(name);
	assert_string_equal(got, name);
	free(got);
	name[253] = 'b';
	name[254] = '\0';
	got = add_one(name);
	assert_non_null(strstr(got, "a name longer than 253 bytes"));
	free(got);
}

static struct allowlist make(const char *list)
{
	struct allowlist al = ALLOWLIST_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(allowlist_add_list(&al, list, &err), 0);
	return al;
}

static void test_matching(void **state)
{
	(void)state;
	struct allowlist al = make(" api.example.com , *.github.com:8443,1.2.3.4:22,[2001:db8::1],allowed.test ");
	assert_int_equal(al.nr, 5);
	assert_true(allowlist_match(&al, "api.example.com", 443));
	assert_true(allowlist_match(&al, "API.EXAMPLE.COM.", 80));
	assert_false(allowlist_match(&al, "api.example.com", 8080));
	assert_false(allowlist_match(&al, "x.api.example.com", 443));
	assert_false(allowlist_match(&al, "example.com", 443));
	assert_true(allowlist_match(&al, "raw.github.com", 8443));
	assert_true(allowlist_match(&al, "a.b.GITHUB.com", 8443));
	assert_false(allowlist_match(&al, "github.com", 8443));
	assert_false(allowlist_match(&al, "evilgithub.com", 8443));
	assert_false(allowlist_match(&al, "raw.github.com", 443));
	assert_true(allowlist_match(&al, "1.2.3.4", 22));
	assert_false(allowlist_match(&al, "1.2.3.4", 443));
	assert_false(allowlist_match(&al, "01.2.3.4", 22));
	assert_false(allowlist_match(&al, "::ffff:1.2.3.4", 22));
	assert_true(allowlist_match(&al, "[2001:db8::1]", 443));
	assert_true(allowlist_match(&al, "2001:DB8:0:0::1", 80));
	assert_false(allowlist_match(&al, "[2001:db8::2]", 80));
	assert_false(allowlist_match(&al, "[api.example.com]", 443));
	assert_false(allowlist_match(&al, "", 443));
	assert_false(allowlist_match(&al, "allowed.test", 0));
	assert_false(allowlist_match(&al, "allowed.test", 65536));
	assert_false(allowlist_match(&al, "allowed.test\n", 80));
	assert_false(allowlist_match(&al, "allowed.test..", 80));
	assert_false(allowlist_match(&al, "*.github.com", 8443));
	allowlist_clear(&al);
	assert_int_equal(al.nr, 0);
	assert_null(al.v);
}

static void test_list_is_all_or_nothing(void **state)
{
	(void)state;
	struct allowlist al = make("a.test");
	struct error err = ERROR_INIT;
	assert_int_equal(allowlist_add_list(&al, "b.test, c..test, d.test", &err), -1);
	assert_int_equal(err.code, 2);
	assert_string_equal(err.msg, "allowlist entry 'c..test': an empty label");
	assert_int_equal(al.nr, 1);
	assert_int_equal(allowlist_add_list(&al, "b.test,,d.test", &err), -1);
	assert_string_equal(err.msg, "allowlist 'b.test,,d.test': an empty entry");
	assert_int_equal(allowlist_add_list(&al, "", &err), -1);
	assert_int_equal(al.nr, 1);
	assert_int_equal(allowlist_add_list(&al, "b.test,\td.test:1", &err), 0);
	assert_int_equal(al.nr, 3);
	assert_true(allowlist_match(&al, "d.test", 1));
	allowlist_clear(&al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_are_normalised),
		cmocka_unit_test(test_malformed_entries_are_refused),
		cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_list_is_all_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
