/*
 * The user's mounts, lowest layer first: docker.mounts, the profile's
 * volumes, PARA_DOCKER_MOUNTS (comma-separated), --mount. A mount at the
 * target of a lower layer's replaces it. Each is Docker's -v syntax (or the
 * CSV of docker's --mount), read the way the Linux daemon reads it
 * (parse/volspec.h) once para has expanded a source of "~" or a path
 * relative to the repository.
 *
 * Refused before anything exists, naming where the mount came from: a host
 * path that does not exist; a dangerous source (parse/dockerargs.h's
 * dangerous-mount and engine-socket rules) unless
 * docker.allow_dangerous_mounts; a source that is, holds or sits inside the
 * repository's git directory or .para (the git boundary: a hook written
 * there would run on the host), whatever the config; a target over or under one of para's own
 * (/workspace, the git boundary); SELinux relabelling (z, Z), which the
 * --mount form para renders cannot say.
 */
#ifndef PARA_MOUNTS_H
#define PARA_MOUNTS_H
#include <jansson.h>

#include "config/config.h"
#include "container/spec.h"
#include "parse/dockerargs.h"
#include "util/error.h"

struct mount_inputs {
	const char *repo_root;          /* what a relative source is relative to */
	const char *git_dir;            /* the repository's git directory: never shared */
	const char *para_dir;           /* its .para (state, the agents' git directories): never shared */
	const char *home;               /* what ~ is; NULL: refuse ~ */
	const char *env;                /* $PARA_DOCKER_MOUNTS, or NULL */
	const char *const *cli;         /* --mount values (NULL-terminated), or NULL */
	const struct dargs_ctx *danger; /* the host facts of the danger rules */
	/* whether a host path exists; NULL: not checked */
	int (*exists)(const char *path, void *ctx);
	void *ctx;
};

/* Add the user's mounts to s, after para's own (already in s); profile is
 * the resolved profile pname, or NULL. */
int mounts_resolve(const struct config *cfg, const struct mount_inputs *in, const json_t *profile,
		   const char *pname, struct container_spec *s, struct error *err);

#endif
