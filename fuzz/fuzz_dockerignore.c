/*
 * libFuzzer target for dockerignore_parse and the matchers. Input: the
 * .dockerignore text, then NUL-separated paths to match (up to 16). Seeds:
 * fuzz/seed-dockerignore.sh DIR.
 *
 * Besides the sanitizers (and libFuzzer's timeout for runaway matching), it
 * checks what the header promises:
 *   - a failure leaves nothing compiled and names a line of the input in a
 *     one-line message, with exit status 1 (bad pattern) or 4 (too complex);
 *   - a success stays within DOCKERIGNORE_MAX_STEPS, and compiling the same
 *     text again gives the same answers (matching is stable);
 *   - the last pattern, when it is no exception and has no wildcard, takes
 *     its own text and (unless it is "." or rooted) everything below it;
 *   - without exceptions, for a clean relative path (what a context walk
 *     produces): what is below an excluded directory is excluded, and the
 *     walker's form (dockerignore_matches_parent, fed its parent's info as
 *     BuildKit does) agrees with dockerignore_matches. (With exceptions the
 *     two forms may differ, in moby as here: an exception that was skipped
 *     for the parent is not tried on it again for the child.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dockerignore.h"
#include "util/error.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATHS 16

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void check_failure(const struct dockerignore *di, const struct error *err, size_t lines)
{
	const char *l = strstr(err->msg, "line ");

	if (di->nr || di->pat || !err->msg[0] || strchr(err->msg, '\n'))
		abort();
	if (err->code != PARA_EXIT_FAIL && err->code != PARA_EXIT_CONFIG)
		abort();
	if (!l || strtoul(l + 5, NULL, 10) < 1 || strtoul(l + 5, NULL, 10) > lines)
		abort();
}

/* A relative path that filepath.Clean leaves alone: what a context walk produces. */
static int is_clean_relative(const char *path)
{
	char *c = dockerignore_clean_path(path);
	int r = path[0] != '/' && strcmp(path, ".") && !strcmp(c, path);

	free(c);
	return r;
}

/* The walker's answer for path: each ancestor gets its parent's info, as BuildKit passes it. */
static int walk(const struct dockerignore *di, const char *path)
{
	size_t n = strlen(path), nr = di->nr ? di->nr : 1;
	unsigned char *info = calloc(2, nr), *parent = NULL, *cur = info;
	char *prefix = dup_n(path, n);
	int r = 0;

	if (!info)
		abort();
	for (size_t i = 0; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		prefix[i] = '\0';
		r = dockerignore_matches_parent(di, prefix, parent, cur);
		prefix[i] = path[i];
		parent = cur;
		cur = cur == info ? info + nr : info;
	}
	free(prefix);
	free(info);
	return r;
}

static void check_path(const struct dockerignore *di, const struct dockerignore *again, const char *path)
{
	int m = dockerignore_matches(di, path);
	size_t n = strlen(path);
	char *child;

	if (m != 0 && m != 1)
		abort();
	if (dockerignore_matches(di, path) != m || dockerignore_matches(again, path) != m)
		abort();
	if (di->has_exclusions || !is_clean_relative(path))
		return;
	if (walk(di, path) != m)
		abort();
	child = malloc(n + 3);
	if (!child)
		abort();
	memcpy(child, path, n);
	memcpy(child + n, "/x", 3);
	if (m && !dockerignore_matches(di, child))
		abort();
	free(child);
}

static void check_last_pattern(const struct dockerignore *di)
{
	const struct dockerignore_pattern *p = di->nr ? &di->pat[di->nr - 1] : NULL;
	size_t n;
	char *below;

	if (!p || p->exclusion || p->type == DI_MATCH_GLOB || !p->text[0])
		return;
	if (!dockerignore_matches(di, p->text))
		abort();
	if (!is_clean_relative(p->text)) /* "." does not take "./y": paths are not cleaned */
		return;
	n = strlen(p->text);
	below = malloc(n + 3);
	if (!below)
		abort();
	memcpy(below, p->text, n);
	memcpy(below + n, "/y", 3);
	if (!dockerignore_matches(di, below))
		abort();
	free(below);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nul = memchr(buf, '\0', size);
	size_t tlen = nul ? (size_t)(nul - buf) : size, lines = 1, pos = tlen + 1;
	struct dockerignore di = DOCKERIGNORE_INIT, again = DOCKERIGNORE_INIT;
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < tlen; i++)
		lines += buf[i] == '\n';
	if (dockerignore_parse(buf, tlen, &di, &err) < 0) {
		check_failure(&di, &err, lines);
		return 0;
	}
	if (di.steps > DOCKERIGNORE_MAX_STEPS || di.nr > lines || err.code)
		abort();
	if (dockerignore_parse(buf, tlen, &again, &err) < 0 || again.nr != di.nr)
		abort();
	for (size_t i = 0; i < di.nr; i++)
		if (!di.pat[i].text || strcmp(di.pat[i].text, again.pat[i].text) ||
		    di.pat[i].type != again.pat[i].type || (di.pat[i].type == DI_MATCH_GLOB) != !!di.pat[i].glob)
			abort();
	check_last_pattern(&di);
	for (int k = 0; k < MAX_PATHS && pos <= size && nul; k++) {
		const char *end = memchr(buf + pos, '\0', size - pos);
		size_t n = end ? (size_t)(end - (buf + pos)) : size - pos;
		char *path = dup_n(buf + pos, n);

		check_path(&di, &again, path);
		free(path);
		pos += n + 1;
	}
	dockerignore_release(&di);
	dockerignore_release(&again);
	return 0;
}
