#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "xalloc.h"
#include "banned.h"

const char *json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *json_path(const json_t *obj, const char *dotted)
{
	const char *p = dotted;
	json_t *cur = (json_t *)obj;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_getn(cur, p, n);
		p += n + (dot ? 1 : 0);
	}
	return cur;
}

void json_strv(const json_t *arr, struct strvec *sv)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			strvec_push(sv, json_string_value(v));
}

char *json_pretty(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s)
		abort();
	char *r = xasprintf("%s\n", s);
	free(s);
	return r;
}

int json_write_file(const char *path, const json_t *j, int private_file, struct error *err)
{
	char *s = json_pretty(j);
	int r = write_file_atomic(path, s, strlen(s), private_file ? 0600 : 0644, err);
	free(s);
	return r;
}
