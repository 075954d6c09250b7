/*
 * libFuzzer target for parse/jsonc. Besides the sanitizers it checks: strip
 * keeps the length and every line break, changes bytes only to spaces, and
 * stripping again changes nothing; find and linecol take any bytes. When
 * jansson reads the stripped input as an object, setting "a" and "a"."b" to
 * a fixed value gives a text whose stripped form jansson reads with that
 * value there and nothing else changed, and unsetting them gives one without
 * them (and the text unchanged when they were not there).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse/jsonc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VALUE "{\"v\": [1, \"// /*\"], \"w\": {}}"

static void check_strip(const char *t, size_t size)
{
	char *s = jsonc_strip(t, size);
	if (s[size] != '\0')
		abort();
	for (size_t i = 0; i < size; i++) {
		int brk = t[i] == '\n' || t[i] == '\r';
		if (s[i] != t[i] && (brk || s[i] != ' '))
			abort();
		if (brk && s[i] != t[i])
			abort();
	}
	char *again = jsonc_strip(s, size);
	if (memcmp(again, s, size + 1))
		abort();
	free(again);
	free(s);
}

/* The stripped text as jansson reads it; an object, or abort. */
static json_t *load(const char *text)
{
	char *s = jsonc_strip(text, strlen(text));
	json_t *j = json_loads(s, 0, NULL);
	if (!json_is_object(j))
		abort();
	free(s);
	return j;
}

static json_t *get(json_t *j, const char *const *keys, size_t n)
{
	for (size_t k = 0; j && k < n; k++)
		j = json_object_get(j, keys[k]);
	return j;
}

/* Whether objects a and b hold the same members but for keys[0], and below
 * it (b holding an object there) the same but for keys[1..n), where a's
 * non-object counts as an empty object. */
static int same_but(json_t *a, json_t *b, const char *const *keys, size_t n)
{
	static json_t *empty;
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v)
		if (strcmp(k, keys[0]) && !json_equal(v, json_object_get(b, k)))
			return 0;
	json_object_foreach(b, k, v)
		if (strcmp(k, keys[0]) && !json_object_get(a, k))
			return 0;
	if (n == 1)
		return 1;
	json_t *a0 = json_object_get(a, keys[0]), *b0 = json_object_get(b, keys[0]);
	if (!empty)
		empty = json_object();
	return json_is_object(b0) && same_but(json_is_object(a0) ? a0 : empty, b0, keys + 1, n - 1);
}

static void check_set(const char *t, size_t size, json_t *orig, const char *const *keys, size_t n)
{
	char *out = jsonc_set(t, size, keys, n, VALUE);
	if (!out)
		abort();
	json_t *got = load(out), *want = json_loads(VALUE, 0, NULL);
	if (!json_equal(get(got, keys, n), want) || !same_but(orig, got, keys, n))
		abort();
	json_decref(want);
	json_decref(got);
	free(out);
}

static void check_unset(const char *t, size_t size, json_t *orig, const char *const *keys,
			size_t n)
{
	int found = -1;
	char *out = jsonc_unset(t, size, keys, n, &found);
	if (!out || found != (get(orig, keys, n) != NULL))
		abort();
	json_t *got = load(out);
	if (get(got, keys, n))
		abort();
	if (found ? !same_but(orig, got, keys, n) : strlen(out) != size || memcmp(out, t, size))
		abort();
	json_decref(got);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "a", "b" };
	const char *t = (const char *)data;
	if (size > 8192)
		return 0;
	check_strip(t, size);
	struct jsonc_loc loc;
	int line, column, r = jsonc_find(t, size, keys, 2, &loc);
	if (r == 1 && (loc.value_end > size || loc.key_end > loc.value_start))
		abort();
	jsonc_linecol(t, size, &line, &column);
	char *s = jsonc_strip(t, size);
	json_t *orig = json_loadb(s, size, 0, NULL);
	/* the results are C strings: a NUL byte (in a comment) is refused */
	if (json_is_object(orig) && !memchr(t, '\0', size)) {
		if (r < 0)
			abort();
		for (size_t n = 1; n <= 2; n++) {
			check_set(t, size, orig, keys, n);
			check_unset(t, size, orig, keys, n);
		}
	}
	json_decref(orig);
	free(s);
	return 0;
}
