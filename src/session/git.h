/* git, driven through its CLI (argv only), and repository discovery. */
#ifndef PARA_GIT_H
#define PARA_GIT_H
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

struct repo {
	char *root;       /* the main checkout */
	char *git_dir;    /* its (common) git directory */
	char *para_dir;   /* <root>/.para */
	char *name;       /* basename of root */
	char *cwd_worktree; /* the worktree para was started in, when not the main one */
	char *object_format; /* "sha1" or "sha256" */
};

#define REPO_INIT { NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Find the main checkout from cwd: works from any subdirectory and from inside
 * a linked worktree (a para session). Not a repository, or a bare one, is an
 * error saying what to do.
 */
int repo_discover(const char *cwd, struct repo *r, struct error *err);
void repo_clear(struct repo *r);
/* The checkout para runs in: a linked worktree when started in one, else
 * the main checkout. A new session branches from its HEAD. */
const char *repo_checkout(const struct repo *r);

/*
 * Run git in dir with args (NULL-terminated). stdout is captured into out
 * when out is non-NULL; stderr is captured and its first line becomes the
 * error on failure. env: extra "K=V" entries or NULL.
 */
int git(const char *dir, struct strbuf *out, struct error *err, ...) __attribute__((sentinel));
int git_env(const char *dir, const struct strvec *env, struct strbuf *out, struct error *err, ...)
	__attribute__((sentinel));
int git_argv(const char *dir, const struct strvec *env, const struct strvec *args, struct strbuf *out,
	     struct error *err);

/* git_argv with stdin fed from in (in_len bytes). */
int git_argv_input(const char *dir, const struct strvec *env, const struct strvec *args, const char *in,
		   size_t in_len, struct strbuf *out, struct error *err);

/* A git command running while para does something else. */
#include "util/run.h"
struct git_job {
	struct child child;
	struct strbuf errbuf;
};
int git_start(struct git_job *j, const char *dir, struct strbuf *out, struct error *err, ...) __attribute__((sentinel));
int git_start_argv(struct git_job *j, const char *dir, const struct strvec *env, const struct strvec *args,
		   struct strbuf *out, struct error *err);
int git_finish(struct git_job *j, struct error *err);

/* 1 when the ref exists, 0 when not. */
int git_ref_exists(const char *dir, const char *ref);

/*
 * Resolve n revisions (git's syntax: "HEAD^{commit}", a refname) with one git
 * process (cat-file --batch-check, names on stdin): oids gets one entry per
 * revision, its object name, or "" when it names no object that exists. For
 * "X^{commit}" that is what `git rev-parse --verify X^{commit}` says; a plain
 * ref whose object is missing, which rev-parse would print, reads as "" here.
 * -1 only when git could not answer.
 */
int git_resolve(const char *dir, const char *const *revs, size_t n, struct strvec *oids, struct error *err);

#endif
