/*
 * volspec: one mount spec as docker run takes it, read the way the Linux
 * daemon reads it, so that para accepts what that daemon accepts and refuses
 * what it refuses. Two syntaxes:
 *
 *   -v / --volume   [SOURCE:]TARGET[:MODE]  (moby's linuxParser.ParseMountRaw)
 *   --mount         key=value,...           (docker/cli opts.MountOpt.Set, then
 *                                            the daemon's ParseMountSpec checks)
 *
 * A pure function over the string: no files, no environment, no global
 * state. The one file-system fact the daemon uses (whether a --mount bind
 * source exists) comes through the exists callback. docs/mounts.md has the
 * whole syntax and where para departs from Docker; tests/data/volume-spec.json
 * holds the vectors that tests/unit/test_volspec.c checks.
 */
#ifndef PARA_PARSE_VOLSPEC_H
#define PARA_PARSE_VOLSPEC_H
#include "util/strvec.h"

struct error;

enum volspec_type { VOLSPEC_BIND, VOLSPEC_VOLUME, VOLSPEC_TMPFS, VOLSPEC_IMAGE };

struct volspec {
	enum volspec_type type;
	char *source;      /* as given: bind host path, volume name (NULL when
			      anonymous), image reference; tmpfs: NULL */
	char *host_path;   /* bind: source, filepath.Clean'ed (the daemon's
			      MountPoint.Source); otherwise NULL */
	char *target;      /* container path, Clean'ed (the daemon's Destination) */
	int readonly;
	char *mode;        /* -v: the mode field as given, "" when none; --mount: "" */
	char *propagation; /* bind: as given or "rprivate"; image: "rprivate"; else "" */
	int copy_data;     /* volume: 0 with nocopy / volume-nocopy; otherwise 1 */
	/* --mount only: from -v these stay "", 0 or empty */
	char *subpath;     /* volume-subpath or image-subpath; "" when none */
	char *driver;      /* volume-driver; "" when none (the daemon's default) */
	struct strvec labels;      /* volume-label, "key=value" each; a key given
				      again replaces its value, an empty key is dropped */
	struct strvec driver_opts; /* volume-opt, the same way */
	int nonrecursive;          /* bind-recursive=disabled */
	int readonly_nonrecursive; /* bind-recursive=writable */
	int readonly_recursive;    /* bind-recursive=readonly (bind-recursive=enabled
				      is the default and sets nothing) */
	int create_src;    /* bind-create-src: the daemon creates a missing source */
	long long tmpfs_size; /* tmpfs-size in bytes; 0 when none */
	unsigned tmpfs_mode;  /* tmpfs-mode; 0 when none */
};

#define VOLSPEC_INIT { .type = VOLSPEC_VOLUME, .copy_data = 1, .labels = STRVEC_INIT, .driver_opts = STRVEC_INIT }

/* Whether path exists (non-zero) on the daemon's host; ctx is the caller's. */
typedef int volspec_exists_fn(const char *path, void *ctx);

/*
 * Parse spec into out: the --mount syntax when the first comma-separated
 * field of spec holds a '=' (volspec_is_mount_syntax), else the -v syntax.
 * A -v spec whose source holds a '=' before any ',' (a volume name or host
 * path with '=' in it) reads as --mount here: call volspec_parse_volume when
 * the flag is known.
 *
 * exists is asked only about a --mount bind source without bind-create-src,
 * as the daemon asks (it creates a missing -v host path instead); NULL means
 * "do not check".
 *
 * out must hold VOLSPEC_INIT or an earlier result: it is cleared first. On
 * success the char * fields documented as "" are never NULL. On failure
 * returns -1 with out cleared and err (code PARA_EXIT_USAGE) one line:
 * "invalid mount 'SPEC': what is wrong" (SPEC cut at 200 bytes, control
 * characters escaped).
 */
int volspec_parse(const char *spec, volspec_exists_fn *exists, void *ctx, struct volspec *out,
		  struct error *err);

/* The -v syntax only (moby's ParseMountRaw, with no --volume-driver). */
int volspec_parse_volume(const char *spec, struct volspec *out, struct error *err);

/* The --mount syntax only. */
int volspec_parse_mount(const char *spec, volspec_exists_fn *exists, void *ctx, struct volspec *out,
			struct error *err);

/* 1 when the first comma-separated field of spec holds a '='. */
int volspec_is_mount_syntax(const char *spec);

/*
 * What the daemon's default volume driver ("local") refuses when it creates
 * the volume, after the parser has accepted the spec: a name of fewer than
 * two characters, or one outside [a-zA-Z0-9][a-zA-Z0-9_.-]* (so "./dir",
 * "~/dir" and "a/b", which the parser takes for volume names). 0 for
 * anything but a named volume, or one with a volume-driver other than
 * "local"; else -1 with err as volspec_parse words it (spec is the string
 * that was parsed).
 */
int volspec_check_local_name(const char *spec, const struct volspec *v, struct error *err);

/* Whether the local driver takes n as a volume name: names.RestrictedNamePattern,
 * [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int volspec_name_ok(const char *n);

/* "bind", "volume", "tmpfs" or "image". */
const char *volspec_type_name(enum volspec_type type);

/* Free what v holds and reset it to VOLSPEC_INIT. */
void volspec_clear(struct volspec *v);

#endif
