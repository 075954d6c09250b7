/*
 * Raw engine flags (docker.docker_args, --docker-args) checked for what
 * removes a container's confinement. A pure function over the words as they
 * go to `docker run`, parsed the way docker's CLI (pflag) parses them:
 * `--flag=value`, `--flag value`, combined short flags (`-itv SRC:DST`).
 *
 * Refused, each under a rule name:
 *   privileged        --privileged (not =false)
 *   engine-socket     --use-api-socket; a mount of the engine's socket or a
 *                     folder holding it
 *   cap-add           --cap-add, any value
 *   device            --device, --device-cgroup-rule, --gpus (GPUs go
 *                     through docker.resources.gpus)
 *   host-namespace    --pid/--ipc/--uts/--userns/--cgroupns host, and
 *                     --network/--net host or container:<name> (also for
 *                     --pid/--ipc container:<name>)
 *   security-opt      every --security-opt except no-new-privileges(=true)
 *   dangerous-mount   -v/--volume/--mount whose host source is /, $HOME or a
 *                     folder above it, ~/.ssh, ~/.aws, ~/.config/gcloud,
 *                     ~/.docker or anything in them; --mount with
 *                     volume-opt or volume-driver (a local volume can bind any
 *                     host path), --volume-driver, --volumes-from
 *   not-a-flag        a word that is no flag's value (it would become the
 *                     image or the command)
 * An unknown long flag never hides the word after it: that word is checked
 * as a flag too.
 */
#ifndef PARA_DOCKERARGS_H
#define PARA_DOCKERARGS_H
#include "util/error.h"

struct dargs_ctx {
	const char *home;           /* $HOME; NULL when unknown */
	const char *base;           /* what a relative host path is relative to; NULL: refuse them */
	const char *const *sockets; /* engine socket paths, NULL-terminated */
	/* optional: the path with symlinks resolved (a new string), or NULL */
	char *(*resolve)(const char *path, void *ctx);
	/* optional: whether the path is a socket (any socket: an engine's, an ssh agent's) */
	int (*is_socket)(const char *path, void *ctx);
	void *resolve_ctx;
};

/*
 * 0 when args (NULL-terminated) hold nothing that removes confinement; else
 * -1 with err (exit code 4) naming origin, the word and the rule.
 */
int dargs_check(const char *const *args, const struct dargs_ctx *ctx, const char *origin, struct error *err);

/* The path, lexically normalised ("//", "/./", "..", a trailing "/"); a new string. */
char *dargs_normalise(const char *path);

#endif
