/* Small helpers over jansson. */
#ifndef PARA_JSONUTIL_H
#define PARA_JSONUTIL_H
#include <jansson.h>

#include "error.h"
#include "strvec.h"

/* The string at key, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);
/* Dotted path lookup ("docker.network.mode"); NULL when absent. */
json_t *json_path(const json_t *obj, const char *dotted);
/* Append the strings of an array to sv; non-strings are skipped. */
void json_strv(const json_t *arr, struct strvec *sv);
/* Pretty-printed JSON with a final newline (caller frees). */
char *json_pretty(const json_t *j);
/* Write j to path atomically, mode 0644 (or 0600 when private). */
int json_write_file(const char *path, const json_t *j, int private_file, struct error *err);

#endif
