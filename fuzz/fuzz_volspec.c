/*
 * libFuzzer target for volspec: the input (up to its first NUL) is one mount
 * spec, read by volspec_parse and by both explicit parsers. Seeds:
 * fuzz/seed-volspec.sh DIR.
 *
 * Besides the sanitizers it checks what the header promises:
 *   - a refusal is exit code 2 in one line "invalid mount '...': ...", and
 *     leaves the result cleared;
 *   - a result has a non-empty target, the "" fields set, a bind's source
 *     absolute to the daemon (a '\' counts as '/') and its host path the
 *     Clean'ed source, with a known propagation; no source for tmpfs, one
 *     for an image; only a named volume can fail the local driver's names;
 *   - volspec_parse agrees with the parser of the syntax it detects, and the
 *     same spec parses the same way twice;
 *   - the exists callback is asked only about a --mount bind source.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/gostr.h"
#include "parse/volspec.h"
#include "util/error.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int asked;

/* a made-up host: a path exists when its length is even */
static int exists_even(const char *path, void *ctx)
{
	(void)ctx;
	asked++;
	return strlen(path) % 2 == 0;
}

static int eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void check_refusal(const struct volspec *v, const struct error *err)
{
	if (err->code != PARA_EXIT_USAGE || strncmp(err->msg, "invalid mount '", 15) || !strstr(err->msg, "': ") ||
	    strchr(err->msg, '\n') || strchr(err->msg, '\r'))
		abort();
	if (v->source || v->target || v->host_path || v->mode || v->propagation || v->labels.nr)
		abort();
}

static void check_result(const struct volspec *v)
{
	static const char *const props[] = { "private", "rprivate", "slave", "rslave", "shared", "rshared" };
	int known = 0;

	if (!v->target || !v->target[0] || !v->mode || !v->propagation || !v->subpath || !v->driver)
		abort();
	if (v->type == VOLSPEC_BIND) {
		char *clean;

		if (!v->source || !v->host_path || (v->source[0] != '/' && v->source[0] != '\\'))
			abort();
		clean = gostr_clean(v->source, strlen(v->source));
		if (strcmp(clean, v->host_path))
			abort();
		free(clean);
		for (size_t i = 0; i < 6; i++)
			known |= !strcmp(v->propagation, props[i]);
		if (!known)
			abort();
	} else if (v->host_path) {
		abort();
	}
	if ((v->type == VOLSPEC_TMPFS && v->source) || (v->type == VOLSPEC_IMAGE && !v->source))
		abort();
	if (v->copy_data != 0 && v->copy_data != 1)
		abort();
}

static void same(const struct volspec *a, const struct volspec *b)
{
	if (a->type != b->type || !eq(a->source, b->source) || !eq(a->target, b->target) ||
	    !eq(a->host_path, b->host_path) || !eq(a->mode, b->mode) || !eq(a->propagation, b->propagation) ||
	    a->readonly != b->readonly || a->copy_data != b->copy_data || a->labels.nr != b->labels.nr ||
	    a->tmpfs_size != b->tmpfs_size || a->tmpfs_mode != b->tmpfs_mode)
		abort();
}

/* One parse checked; returns its verdict. */
static int run(const char *spec, int which, struct volspec *v)
{
	struct error err = ERROR_INIT;
	int rc;

	if (which == 0)
		rc = volspec_parse(spec, exists_even, NULL, v, &err);
	else if (which == 1)
		rc = volspec_parse_volume(spec, v, &err);
	else
		rc = volspec_parse_mount(spec, exists_even, NULL, v, &err);
	if (rc != 0 && rc != -1)
		abort();
	if (rc < 0) {
		check_refusal(v, &err);
	} else {
		check_result(v);
		if (volspec_check_local_name(spec, v, &err) < 0 && (v->type != VOLSPEC_VOLUME || !v->source))
			abort();
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct volspec a = VOLSPEC_INIT, b = VOLSPEC_INIT, c = VOLSPEC_INIT;
	char *spec;
	int mount, ra, rb;

	if (size > 4096)
		return 0;
	spec = malloc(size + 1);
	if (!spec)
		abort();
	memcpy(spec, data, size);
	spec[size] = '\0';
	mount = volspec_is_mount_syntax(spec);
	asked = 0;
	ra = run(spec, 0, &a);
	if (asked > 1 || (asked && !mount) || (asked && ra == 0 && a.type != VOLSPEC_BIND))
		abort();
	rb = run(spec, mount ? 2 : 1, &b);
	if (ra != rb)
		abort();
	if (ra == 0)
		same(&a, &b);
	asked = 0;
	run(spec, mount ? 1 : 2, &c); /* the other syntax: any verdict, but a sound one */
	if (mount && asked)
		abort();
	volspec_clear(&a);
	volspec_clear(&b);
	volspec_clear(&c);
	free(spec);
	return 0;
}
