/*
 * The Engine API over the daemon's unix socket, for the calls on a
 * session's hot path (creating and starting its container, removing it):
 * each docker CLI call spends ~20 ms starting before it asks the daemon
 * anything. Used only when the CLI would reach that same socket: the
 * engine CLI is docker, DOCKER_HOST is unset or unix://, and no docker
 * context but the default is chosen; and not when PARA_ENGINE_API=0.
 * Every other engine (podman, tcp://, ssh://, a context) gets the CLI.
 */
#ifndef PARA_ENGINEAPI_H
#define PARA_ENGINEAPI_H
#include <jansson.h>

#include "container/engine.h"

/* The socket para talks to for e, or NULL: use the CLI. Decided once, by
 * the rules above and a GET /_ping that must answer with API version 1.41
 * (Docker 20.10) or later; the paths then say the daemon's version. */
const char *engine_api_sock(struct engine *e);

/* The create body for s when the API makes its container (spec_render_create,
 * shown as there), or NULL: the CLI's run does. */
json_t *engine_api_body(struct engine *e, const struct container_spec *s,
			const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx);
/* The three requests that make it, each [method, target, body] (body only
 * for the create), for --dry-run: 0, or -1 when the CLI makes it. */
int engine_api_run_plan(struct engine *e, const struct container_spec *s,
			const char *(*shown)(const struct spec_env *e, void *ctx), void *ctx, struct strvec req[3]);

/* Whether name can go into an API path as it is (a container name). */
int engine_api_name_ok(const char *name);

/* POST /containers/create, attach, start, then wait for the ready mark:
 * begun on a thread of its own (so para checks out the worktree meanwhile),
 * ended by api_run_end, which reaps it and says how it went. */
struct api_run;
struct api_run *api_run_begin(struct engine *e, const char *sock, const struct container_spec *s, json_t *body,
			      struct error *err);
int api_run_end(struct api_run *run, struct engine_ready *ready, struct error *err);

/* DELETE /containers/NAME?force=1&v=1: *status is the HTTP status (204
 * removed, 404 not there, 409 being removed); msg the engine's reason. */
int api_remove(struct engine *e, const char *sock, const char *name, int *status, struct strbuf *msg,
	       struct error *err);

/* An exec without a terminal (POST /containers/NAME/exec, then its start,
 * the stream pumped to para's stdout and stderr, stdin passed on). */
struct api_exec {
	const char *name;  /* the container */
	json_t *body;      /* spec_render_exec_create */
	int attach_stdin;
	int in_fd;         /* stdin passed on (attach_stdin, no in) */
	const char *in;    /* or this, then its end */
	size_t in_len;
	void (*on_signal)(int signo, unsigned count, void *ctx); /* each signal to para while it runs */
	void *on_signal_ctx;
	unsigned sig_mark; /* sig_count() before it: count is 1 for the first signal */
};
/* 0 and *status the command's exit code; or, when the engine refused the
 * exec (no such container, not running), *status 1 and its message in
 * refused, as the docker CLI prints it. -1 with err when it could not be
 * asked. */
int api_exec(struct engine *e, const struct api_exec *x, int *status, struct strbuf *refused, struct error *err);

#endif
