/* para-proxy's DNS cache: TTLs, their bound, names, and making room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dnscache.h"
#include "util/banned.h"

static struct ipaddr v4(unsigned char last)
{
	struct ipaddr a = { .family = AF_INET };
	a.b[0] = 10, a.b[3] = last;
	return a;
}

static int reset(void **state)
{
	(void)state;
	dnscache_clear();
	return 0;
}

static void test_ttl(void **state)
{
	(void)state;
	struct ipaddr in[2] = { v4(1), v4(2) }, out[DNSCACHE_MAX_ADDRS];
	dnscache_put("a.test", in, 2, 5, 1000);
	assert_int_equal(dnscache_get("a.test", 1000, out), 2);
	assert_memory_equal(out, in, sizeof in);
	assert_int_equal(dnscache_get("a.test", 5999, out), 2);
	assert_int_equal(dnscache_get("a.test", 6000, out), 0); /* its TTL is up */
	/* a TTL of 0 is not kept; nor is an empty answer */
	dnscache_put("b.test", in, 1, 0, 1000);
	assert_int_equal(dnscache_get("b.test", 1000, out), 0);
	dnscache_put("c.test", in, 0, 60, 1000);
	assert_int_equal(dnscache_get("c.test", 1000, out), 0);
	/* a day's TTL is kept DNSCACHE_MAX_S */
	dnscache_put("d.test", in, 1, 86400, 0);
	assert_int_equal(dnscache_get("d.test", DNSCACHE_MAX_S * 1000LL - 1, out), 1);
	assert_int_equal(dnscache_get("d.test", DNSCACHE_MAX_S * 1000LL, out), 0);
}

static void test_names(void **state)
{
	(void)state;
	struct ipaddr in = v4(7), out[DNSCACHE_MAX_ADDRS];
	dnscache_put("Allowed.Test.", &in, 1, 60, 0);
	assert_int_equal(dnscache_get("allowed.test", 1, out), 1);
	assert_int_equal(dnscache_get("ALLOWED.TEST.", 1, out), 1);
	assert_int_equal(dnscache_get("sub.allowed.test", 1, out), 0);
	assert_int_equal(dnscache_get("allowed.tes", 1, out), 0);
	assert_int_equal(dnscache_get("", 1, out), 0);
	/* a new answer for a name replaces the old one */
	struct ipaddr two[2] = { v4(8), v4(9) };
	dnscache_put("allowed.test", two, 2, 60, 10);
	assert_int_equal(dnscache_get("allowed.test", 11, out), 2);
	assert_int_equal(out[0].b[3], 8);
	/* more addresses than a slot holds: the first DNSCACHE_MAX_ADDRS */
	struct ipaddr many[DNSCACHE_MAX_ADDRS + 3];
	for (int i = 0; i < DNSCACHE_MAX_ADDRS + 3; i++)
		many[i] = v4((unsigned char)(100 + i));
	dnscache_put("many.test", many, DNSCACHE_MAX_ADDRS + 3, 60, 0);
	assert_int_equal(dnscache_get("many.test", 1, out), DNSCACHE_MAX_ADDRS);
	assert_int_equal(out[DNSCACHE_MAX_ADDRS - 1].b[3], 100 + DNSCACHE_MAX_ADDRS - 1);
}

/* Full: the entry that expires first makes room; every other one stays. */
static void test_full(void **state)
{
	(void)state;
	char name[32];
	struct ipaddr in = v4(1), out[DNSCACHE_MAX_ADDRS];
	for (int i = 0; i < DNSCACHE_SLOTS; i++) {
		snprintf(name, sizeof name, "n%d.test", i);
		dnscache_put(name, &in, 1, i == 17 ? 10 : i == 5 ? 15 : 50, 0);
	}
	dnscache_put("new.test", &in, 1, 50, 1);
	assert_int_equal(dnscache_get("new.test", 2, out), 1);
	assert_int_equal(dnscache_get("n17.test", 2, out), 0);
	for (int i = 0; i < DNSCACHE_SLOTS; i++) {
		snprintf(name, sizeof name, "n%d.test", i);
		assert_int_equal(dnscache_get(name, 2, out), i == 17 ? 0 : 1);
		assert_int_equal(dnscache_get(name, 16000, out), i == 17 || i == 5 ? 0 : 1);
	}
	/* at 20 s n5 has expired: its slot is taken, no live one */
	dnscache_put("later.test", &in, 1, 50, 20000);
	for (int i = 0; i < DNSCACHE_SLOTS; i++) {
		snprintf(name, sizeof name, "n%d.test", i);
		assert_int_equal(dnscache_get(name, 20000, out), i == 17 || i == 5 ? 0 : 1);
	}
	assert_int_equal(dnscache_get("new.test", 20000, out), 1);
	assert_int_equal(dnscache_get("later.test", 20000, out), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ttl, reset),
		cmocka_unit_test_setup(test_names, reset),
		cmocka_unit_test_setup(test_full, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
