/*
 * Which image a session gets (SPEC §2.1), whether it may, and making sure the
 * engine has it: pulled per docker.pull, or built from the project
 * Dockerfile under a content-hash tag so an unchanged context never builds.
 */
#ifndef PARA_IMAGE_H
#define PARA_IMAGE_H
#include <jansson.h>

#include "config/config.h"
#include "container/buildctx.h"
#include "container/engine.h"
#include "util/error.h"

struct image_plan {
	char *image;    /* the reference to run */
	char *rule;     /* which rule chose it, for messages */
	int custom;     /* chosen by --docker-image or a profile */
	/* project Dockerfile builds */
	char *dockerfile; /* absolute */
	char *context;    /* absolute */
	char *target;
	struct strvec build_args; /* "K=V" */
	struct buildctx_result ctx;
	/* not looked for yet: the container's run (--pull=never) says when it
	 * is missing, and image_ensure runs then (image_check_can_wait) */
	int unchecked;
};

#define IMAGE_PLAN_INIT { .build_args = STRVEC_INIT }

struct image_inputs {
	const char *repo_root;
	const char *para_dir;
	const char *cli_image;     /* --docker-image or NULL */
	const json_t *profile;     /* resolved profile or NULL */
	const char *profile_name;
};

void image_plan_clear(struct image_plan *p);

/* Choose the image: --docker-image › profile image › project Dockerfile ›
 * docker.default_image › para-authenticated:latest. For a Dockerfile this
 * hashes the build context (stat-cached), which decides the tag. */
int image_choose(const struct config *cfg, const struct image_inputs *in, struct image_plan *p, struct error *err);

/* docker.allow_custom_images and docker.allowed_images; the refusal names the rule. */
int image_policy(const struct config *cfg, const struct image_plan *p, struct error *err);

struct image_build_opts {
	int force;    /* --build */
	int no_cache; /* --no-cache */
	int quiet;
	int tty;      /* live status line instead of plain lines */
	const char *logs_dir;
	int verbose;  /* say when a pull starts even off a terminal */
};

/* Whether image_ensure may wait until a run fails for a missing image: not
 * for an image to build from a Dockerfile, or one docker.pull always pulls. */
int image_check_can_wait(const struct config *cfg, const struct image_plan *p);

/*
 * Make sure the engine has p->image, or can have it: pulled per docker.pull
 * for a named image (a missing image that may not be pulled is an error
 * naming how to get it); for a Dockerfile plan, *needs_build says whether no
 * image has the hash yet (or force), and the caller then calls image_build
 * when it is ready (after reserving its session, so `list` shows "building").
 */
int image_ensure(struct engine *e, const struct config *cfg, const struct image_plan *p,
		 const struct image_build_opts *o, int *needs_build, struct error *err);
/* Build the project image: progress, log in logs_dir, last lines on failure. */
int image_build(struct engine *e, const struct image_plan *p, const struct image_build_opts *o, struct error *err);

/* The tag of a project image: para-<repo>:<hash16>. */
char *image_tag_for(const char *repo_root, const char *hash);

/* Base images with no registry: from the host's busybox, or debootstrap. */
struct image_bootstrap_opts {
	const char *from;  /* "busybox" or "debootstrap" */
	const char *suite; /* debootstrap suite, default bookworm */
	const char *tag;
	const char *mirror;
	const char *work_dir; /* where temp files go */
};
int image_bootstrap(struct engine *e, const struct image_bootstrap_opts *o, struct error *err);

#endif
