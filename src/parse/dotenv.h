/*
 * dotenv: `.env` files in Docker Compose's grammar (compose-go's dotenv
 * package): KEY=VALUE and KEY: VALUE, `export`, comments, single and double
 * quotes, escapes in double quotes, multi-line quoted values, bare KEY lines
 * that inherit from the host, and ${VAR:-default}-style interpolation.
 * docs/dotenv.md has the whole grammar and where para departs from Compose.
 *
 * A pure function over a buffer: no files, no environment, no global state.
 * The host is seen only through the lookup callback.
 */
#ifndef PARA_DOTENV_H
#define PARA_DOTENV_H
#include <stddef.h>

struct error;

struct dotenv_entry {
	char *key;   /* may be "" (`=value` is accepted, as Compose does) */
	char *value; /* never NULL; never contains a NUL byte */
	int line;    /* 1-based line of the statement that gave the value */
};

struct dotenv {
	struct dotenv_entry *v;
	size_t nr, alloc;
	int error_line; /* 1-based line of the failure; 0 after success */
};

#define DOTENV_INIT { NULL, 0, 0, 0 }

/* Host lookup for ${VAR} interpolation and bare KEY lines: the value, or NULL
 * when unset. The returned string need only live until the next call. */
typedef const char *(*dotenv_lookup_fn)(const char *key, void *ctx);

/*
 * Parse buf[0..len) into out, which is overwritten (dotenv_clear it first if
 * it held a previous result). lookup may be NULL (an empty host).
 *
 * interpolate=0 takes values literally: no $VAR / ${VAR} expansion, and `\$`
 * in double quotes is a plain '$'. Bare KEY lines still read the host.
 *
 * Interpolation looks a name up in the host first, then among the keys
 * defined earlier in the same buffer (later lines are not visible).
 *
 * Entries come in the order of each key's first definition. A key defined
 * twice keeps that first place but takes the later value and line.
 *
 * On failure returns -1 with out empty, out->error_line set to the 1-based
 * line, and err->msg a short lowercase message without the line (the caller
 * prints "FILE:LINE: msg"). Messages never quote values from the buffer or
 * the host, only key names, so they are safe to print for secrets.
 * A NUL byte anywhere in the buffer is an error.
 */
int dotenv_parse(const char *buf, size_t len, dotenv_lookup_fn lookup, void *ctx,
		 int interpolate, struct dotenv *out, struct error *err);

/* Free every entry and reset d to DOTENV_INIT. */
void dotenv_clear(struct dotenv *d);

#endif
