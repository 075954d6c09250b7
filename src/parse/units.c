#include "parse/units.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

/* go-units RAMInBytes: (?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$, then ParseFloat. */
int units_ram_in_bytes(const char *s, long long *out)
{
	static const char units[] = "kmgtp";
	size_t i = 0, num;
	int dots = 0, shift = 0, range;
	double d;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	while (i && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')
		for (dots++, i++; s[i] >= '0' && s[i] <= '9';)
			i++;
	num = i;
	i += s[i] == ' ';
	if (s[i] && strchr(units, s[i] | 0x20)) /* ASCII letters only: ' ' | 0x20 is ' ' */
		shift = 10 * (int)(strchr(units, s[i++] | 0x20) - units + 1);
	else if (!strncmp(s + i, "\xE2\x84\xAA", 3)) /* KELVIN SIGN folds to k under (?i) */
		shift = 10, i += 3;
	i += (s[i] | 0x20) == 'i';
	i += (s[i] | 0x20) == 'b';
	if (!num || s[i] || dots > 1)
		return -1; /* no match, or ParseFloat refuses "1.2.3" */
	{
		char *n = xstrndup(s, num);
		locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

		errno = 0;
		d = c ? strtod_l(n, NULL, c) : strtod(n, NULL);
		range = errno == ERANGE;
		if (c)
			freelocale(c);
		free(n);
	}
	d *= (double)(1ULL << shift);
	if (range && d > 1.0)
		return -1; /* ParseFloat: out of range */
	if (d >= 9223372036854775808.0)
		return -2; /* Go's int64() of it is undefined: refused */
	*out = (long long)d;
	return 0;
}

int units_nano_cpus(const char *s, long long *out)
{
	const char *dot = strchr(s, '.');
	size_t whole = dot ? (size_t)(dot - s) : strlen(s), frac = dot ? strlen(dot + 1) : 0;
	if ((!whole && !frac) || whole > 9 || frac > 9 || strspn(s, "0123456789") != whole ||
	    (dot && strspn(dot + 1, "0123456789") != frac))
		return -1;
	long long v = 0;
	for (size_t i = 0; i < whole; i++)
		v = v * 10 + (s[i] - '0');
	for (size_t i = 0; i < 9; i++)
		v = v * 10 + (i < frac ? dot[1 + i] - '0' : 0);
	if (v < 10000000) /* the engine's least: 0.01 */
		return -1;
	*out = v;
	return 0;
}

int units_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || s[0] == ' ' || s[0] == '+')
		return -1;
	*out = v;
	return 0;
}

const char *units_resource_want(const char *key, const char *v)
{
	static const char *const want[] = { "memory", "a size of at least 6m (2g, 512m, 1.5g)", "shm_size",
					    "a size (64m, 1g)", "cpus", "a number of CPUs of at least 0.01 (1.5)",
					    "pids_limit", "an integer (-1: unlimited)", "gpus",
					    "all, a count, or docker's device=…/count=… form", NULL };
	long long n = 0;
	int ok = 1;
	if (!strcmp(key, "memory"))
		ok = units_ram_in_bytes(v, &n) == 0 && n >= 6 << 20;
	else if (!strcmp(key, "shm_size"))
		ok = units_ram_in_bytes(v, &n) == 0 && n > 0;
	else if (!strcmp(key, "cpus"))
		ok = units_nano_cpus(v, &n) == 0;
	else if (!strcmp(key, "pids_limit"))
		ok = units_int(v, &n) == 0;
	else if (!strcmp(key, "gpus"))
		ok = !strcmp(v, "all") || (units_int(v, &n) == 0 && n > 0) || strchr(v, '=');
	for (size_t i = 0; !ok && want[i]; i += 2)
		if (!strcmp(want[i], key))
			return want[i + 1];
	return NULL;
}
