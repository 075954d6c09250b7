/* Session names: validation, generation, and engine-safe forms. */
#ifndef PARA_NAMES_H
#define PARA_NAMES_H
#include <stddef.h>

#include "util/error.h"

#define NAME_RULE "a session name is 1-63 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit"

/* 0 when valid; otherwise -1 with err saying the rule (usage error, code 2). */
int name_validate(const char *name, struct error *err);
int name_is_valid(const char *name);
/* A fresh "adjective-noun" name; seed mixes in time and pid. */
char *name_generate(unsigned long seed);
/* Lowercase [a-z0-9_.-] form of s for engine object names ("" → "repo"). */
char *name_sanitize(const char *s);

#endif
