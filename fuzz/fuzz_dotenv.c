/*
 * libFuzzer target for dotenv_parse. The first byte chooses interpolation
 * (bit 0); the rest is the .env text. Seeds: fuzz/seed-dotenv.sh DIR.
 *
 * Besides the sanitizers, it checks what the header promises: a success has
 * no error line and well-formed, unique keys; a failure has an empty result,
 * a line inside the input and a message that quotes nothing from the host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dotenv.h"
#include "util/error.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Host values hold '!' so that no key name can contain them. */
static const char *const host[][2] = {
	{ "HOME", "/root!h0me" }, { "A", "a!val" }, { "EMPTY", "" }, { "SECRET", "hunter2!x" },
};

static const char *lookup(const char *key, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		if (!strcmp(host[i][0], key))
			return host[i][1];
	return NULL;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_keys(const struct dotenv *d, int lines)
{
	const char **keys = malloc((d->nr + 1) * sizeof(*keys));

	if (!keys)
		abort();
	for (size_t i = 0; i < d->nr; i++) {
		const struct dotenv_entry *e = &d->v[i];
		if (!e->key || !e->value || e->line < 1 || e->line > lines)
			abort();
		if (strpbrk(e->key, "=:# \t\n\r\v\f\"'$"))
			abort();
		keys[i] = e->key;
	}
	qsort(keys, d->nr, sizeof(*keys), cmp_key);
	for (size_t i = 1; i < d->nr; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			abort();
	free(keys);
}

/* A message may quote the input (key names, a :? message) but never the host. */
static void check_message(const struct error *err, const char *text, size_t len)
{
	if (!err->msg[0] || err->code != PARA_EXIT_FAIL)
		abort();
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		const char *v = host[i][1];
		if (*v && strstr(err->msg, v) && !memmem(text, len, v, strlen(v)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	const char *text = (const char *)data + 1;
	size_t len;
	int lines = 1, r;

	if (!size)
		return 0;
	len = size - 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';

	r = dotenv_parse(text, len, lookup, NULL, data[0] & 1, &d, &err);
	if (r == 0) {
		if (d.error_line || err.code || d.nr > d.alloc)
			abort();
		check_keys(&d, lines);
	} else {
		if (r != -1 || d.error_line < 1 || d.error_line > lines || d.nr || d.v)
			abort();
		check_message(&err, text, len);
	}
	dotenv_clear(&d);
	return 0;
}
