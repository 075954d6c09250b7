/*
 * The configuration's schema (SPEC §3): every key, the JSON types it takes,
 * the words it may be, and a line saying what it does. One table serves the
 * checks of a config file, `config set` (which reads a value from the
 * command line by its key's type), `config init` and the nearest-key hints.
 *
 * A key is a path of object keys. In the table "*" stands for any one key
 * (a profile's name); the keys inside an object of strings (docker.env,
 * build args, env_vars) take a string each.
 */
#ifndef PARA_SCHEMA_H
#define PARA_SCHEMA_H
#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

enum {
	T_STR = 1 << 0,
	T_NULL = 1 << 1,
	T_BOOL = 1 << 2,
	T_INT = 1 << 3,
	T_NUM = 1 << 4,    /* any number */
	T_STRV = 1 << 5,   /* array of strings */
	T_STRMAP = 1 << 6, /* object of string values, free keys */
	T_OBJ = 1 << 7,    /* object whose keys the schema lists */
	T_NOT_YET = 1 << 8, /* read, not acted on by this version: a warning when set */
};

struct key_rule {
	const char *path;
	unsigned types;
	const char *const *choices; /* the strings it may be, or NULL */
	const char *doc;
};

extern const struct key_rule schema_rules[];
extern const size_t schema_nrules;

/* The rule for keys[0..n), or NULL when the schema has no such key. */
const struct key_rule *schema_rule(const char *const *keys, size_t n);
/* The known key nearest to keys[0..n) (a new string), or NULL when none
 * is close. */
char *schema_nearest(const char *const *keys, size_t n);
/* 0 when v is of r's types and one of its choices; else -1 with err
 * (exit 4) "WHERE: 'PATH' must be …" (where may be NULL). */
int schema_check(const struct key_rule *r, const json_t *v, const char *where, const char *path,
		 struct error *err);
/* What the types say, for messages: "a string or null". A new string. */
char *schema_type_name(unsigned types);
/*
 * A value for r read from a command line word: a key that takes only
 * strings takes the word as it is; otherwise null/true/false/numbers are read
 * as JSON where the key takes them, lists and objects are JSON, and a word
 * that is none of those is a string where strings are allowed. NULL with err
 * (exit 4) when the word fits none of r's types.
 */
json_t *schema_value_from_word(const struct key_rule *r, const char *path, const char *word, struct error *err);

#endif
