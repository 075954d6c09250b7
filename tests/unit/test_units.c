/* Resource values as docker's CLI reads them (go-units RAMInBytes, NanoCPUs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "parse/units.h"
#include "util/banned.h"

static long long ram(const char *s)
{
	long long v = -3;
	return units_ram_in_bytes(s, &v) < 0 ? -1 : v;
}

static long long cpus(const char *s)
{
	long long v = -2;
	return units_nano_cpus(s, &v) < 0 ? -1 : v;
}

/* The sizes of --memory and --shm-size (tmpfs-size, the same parser, has
 * more edges in test_volspec.c). */
static void test_ram(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		long long want;
	} cases[] = {
		{ "100", 100 }, { "2k", 2048 }, { "512m", 512LL << 20 }, { "2g", 2LL << 30 }, { "2G", 2LL << 30 },
		{ "2gb", 2LL << 30 }, { "2GiB", 2LL << 30 }, { "2 g", 2LL << 30 }, { "1.5g", 3LL << 29 },
		{ "1t", 1LL << 40 }, { "0.5", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (ram(cases[i].in) != cases[i].want)
			fail_msg("'%s' read as %lld, not %lld", cases[i].in, ram(cases[i].in), cases[i].want);
	static const char *const bad[] = { "", "g", "-1g", "2x", "2gg", "2bb", "2bib", "2gibb", "2  g", "1.2.3m",
					   " 2g", "2g ", "2.g5", "abc", "1e3", "9000000p" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ram(bad[i]) != -1)
			fail_msg("'%s' read as %lld", bad[i], ram(bad[i]));
}

static void test_cpus(void **state)
{
	(void)state;
	assert_int_equal(cpus("1"), 1000000000);
	assert_int_equal(cpus("1.5"), 1500000000);
	assert_int_equal(cpus("0.25"), 250000000);
	assert_int_equal(cpus(".5"), 500000000);
	assert_int_equal(cpus("2."), 2000000000);
	assert_int_equal(cpus("0.01"), 10000000);
	assert_int_equal(cpus("0.000000001"), -1); /* below the engine's 0.01 */
	static const char *const bad[] = { "", ".", "0", "-1", "1.0000000001", "abc", "1,5", "1.5.1", "1e2", " 1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cpus(bad[i]) != -1)
			fail_msg("'%s' read as %lld", bad[i], cpus(bad[i]));
}

static void test_int(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(units_int("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(units_int("-1", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(units_int("", &v), -1);
	assert_int_equal(units_int("12x", &v), -1);
	assert_int_equal(units_int("99999999999999999999", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
