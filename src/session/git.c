#include "session/git.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/run.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Index of the subcommand in a child's argv: after "git -c X -c Y". */
#define GIT_ARGV0 5

static void git_prepare(struct child *c, const char *dir, const struct strvec *env, const struct strvec *args,
			struct strbuf *out, struct strbuf *errbuf)
{
	/* Defence in depth: whatever a repository's config, hooks or a nested
	 * repository say, para's own git calls run no hook, no fsmonitor, no
	 * pager and no editor. -c reaches the git processes git itself starts
	 * (submodule status) through GIT_CONFIG_PARAMETERS. */
	strvec_pushl(&c->args, "git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", NULL);
	strvec_pushv(&c->args, (const char *const *)args->v);
	if (env)
		strvec_pushv(&c->env, (const char *const *)env->v);
	/* Never prompt, never page, never translate: para reads the output. */
	strvec_pushl(&c->env, "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "GIT_EDITOR=:", "LC_ALL=C", NULL);
	c->dir = dir;
	c->no_stdin = 1;
	c->out = out;
	c->err = errbuf;
	if (!out)
		c->null_stdout = 1;
}

static int git_result(struct child *c, int status, struct strbuf *errbuf, struct error *err)
{
	char line[512];
	if (!status)
		return 0;
	strbuf_trim(errbuf);
	/* git prints "hint:" lines before the real one; show the fatal/error line. */
	const char *p = strstr(errbuf->buf, "fatal: ");
	if (!p)
		p = strstr(errbuf->buf, "error: ");
	first_line(p ? p : errbuf->buf, line, sizeof line);
	return error_set(err, PARA_EXIT_FAIL, "git %s failed: %s", c->args.v[GIT_ARGV0], *line ? line : "(no message)");
}

int git_argv(const char *dir, const struct strvec *env, const struct strvec *args, struct strbuf *out,
	     struct error *err)
{
	return git_argv_input(dir, env, args, NULL, 0, out, err);
}

int git_argv_input(const char *dir, const struct strvec *env, const struct strvec *args, const char *in,
		   size_t in_len, struct strbuf *out, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strbuf errbuf = STRBUF_INIT;
	int status = 0, ret;
	git_prepare(&c, dir, env, args, out, &errbuf);
	c.in = in;
	c.in_len = in_len;
	ret = child_run(&c, &status, err);
	if (ret == 0)
		ret = git_result(&c, status, &errbuf, err);
	strbuf_release(&errbuf);
	child_clear(&c);
	return ret;
}

int git_start(struct git_job *j, const char *dir, struct strbuf *out, struct error *err, ...)
{
	struct strvec args = STRVEC_INIT;
	const char *a;
	va_list ap;
	va_start(ap, err);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&args, a);
	va_end(ap);
	int r = git_start_argv(j, dir, NULL, &args, out, err);
	strvec_clear(&args);
	return r;
}

int git_start_argv(struct git_job *j, const char *dir, const struct strvec *env, const struct strvec *args,
		   struct strbuf *out, struct error *err)
{
	j->child = (struct child)CHILD_INIT;
	strbuf_init(&j->errbuf, 0);
	git_prepare(&j->child, dir, env, args, out, &j->errbuf);
	int r = child_start(&j->child, err);
	if (r < 0) {
		strbuf_release(&j->errbuf);
		child_clear(&j->child);
	}
	return r;
}

int git_finish(struct git_job *j, struct error *err)
{
	int status = 0;
	int ret = child_finish(&j->child, &status, err);
	if (ret == 0)
		ret = git_result(&j->child, status, &j->errbuf, err);
	strbuf_release(&j->errbuf);
	child_clear(&j->child);
	return ret;
}

static int git_va(const char *dir, const struct strvec *env, struct strbuf *out, struct error *err, va_list ap)
{
	struct strvec args = STRVEC_INIT;
	const char *a;
	while ((a = va_arg(ap, const char *)))
		strvec_push(&args, a);
	int r = git_argv(dir, env, &args, out, err);
	strvec_clear(&args);
	return r;
}

int git(const char *dir, struct strbuf *out, struct error *err, ...)
{
	va_list ap;
	va_start(ap, err);
	int r = git_va(dir, NULL, out, err, ap);
	va_end(ap);
	return r;
}

int git_env(const char *dir, const struct strvec *env, struct strbuf *out, struct error *err, ...)
{
	va_list ap;
	va_start(ap, err);
	int r = git_va(dir, env, out, err, ap);
	va_end(ap);
	return r;
}

int git_ref_exists(const char *dir, const char *ref)
{
	struct error e = ERROR_INIT;
	return git(dir, NULL, &e, "rev-parse", "--verify", "--quiet", ref, NULL) == 0;
}

/* A full object name of either hash, as cat-file prints it. */
static int is_oid(const char *s, size_t n)
{
	return (n == 40 || n == 64) && strspn(s, "0123456789abcdef") == n;
}

int git_resolve(const char *dir, const char *const *revs, size_t n, struct strvec *oids, struct error *err)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct strvec args = STRVEC_INIT;
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++)
		if (strchr(revs[i], '\n'))
			ret = error_set(err, PARA_EXIT_FAIL, "a revision with a newline cannot be looked up");
		else
			strbuf_addf(&in, "%s\n", revs[i]);
	/* one name a line, the whole line (no %(rest)); an unknown one comes
	 * back as "<name> missing" or "<name> ambiguous" */
	strvec_pushl(&args, "cat-file", "--batch-check=%(objectname)", NULL);
	if (ret == 0)
		ret = git_argv_input(dir, NULL, &args, in.buf, in.len, &out, err);
	char *save = NULL, *line = out.buf;
	for (size_t i = 0; ret == 0 && i < n; i++, line = NULL) {
		const char *l = strtok_r(line, "\n", &save);
		if (!l)
			ret = error_set(err, PARA_EXIT_FAIL, "git cat-file answered %zu of %zu names", i, n);
		else
			strvec_push(oids, is_oid(l, strlen(l)) ? l : "");
	}
	strvec_clear(&args);
	strbuf_release(&in);
	strbuf_release(&out);
	return ret;
}

int repo_discover(const char *cwd, struct repo *r, struct error *err)
{
	struct strbuf out = STRBUF_INIT;
	struct error e = ERROR_INIT;
	int ret = -1;

	if (git(cwd, &out, &e, "rev-parse", "--path-format=absolute", "--git-common-dir", "--git-dir",
		"--is-bare-repository", "--show-object-format", NULL) < 0) {
		if (e.code > 128) {
			*err = e; /* interrupted */
			goto out;
		}
		if (strstr(e.msg, "not a git repository"))
			error_set(err, PARA_EXIT_FAIL, "not a git repository: '%s'", cwd);
		else
			error_set(err, PARA_EXIT_FAIL, "%s", e.msg);
		error_hint(err, "run para inside a git repository, or create one with 'git init'");
		goto out;
	}
	char *lines[4] = { NULL, NULL, NULL, NULL };
	char *save = NULL, *p = out.buf;
	for (int i = 0; i < 4; i++) {
		lines[i] = strtok_r(p, "\n", &save);
		p = NULL;
	}
	if (!lines[3]) {
		error_set(err, PARA_EXIT_FAIL, "cannot read 'git rev-parse' output");
		goto out;
	}
	if (!strcmp(lines[2], "true")) {
		error_set(err, PARA_EXIT_FAIL, "'%s' is a bare repository; para needs a checkout", lines[0]);
		error_hint(err, "clone it ('git clone %s DIR') and run para in the clone", lines[0]);
		goto out;
	}
	if (strcmp(path_basename(lines[0]), ".git")) {
		error_set(err, PARA_EXIT_FAIL, "unsupported repository layout: git directory '%s' is not named .git", lines[0]);
		goto out;
	}
	r->git_dir = xstrdup(lines[0]);
	r->object_format = xstrdup(lines[3]);
	r->root = path_dirname(lines[0]);
	r->para_dir = path_join(r->root, ".para");
	r->name = xstrdup(path_basename(r->root));
	if (strcmp(lines[0], lines[1])) {
		/* started inside a linked worktree: remember which */
		struct strbuf top = STRBUF_INIT;
		if (git(cwd, &top, &e, "rev-parse", "--show-toplevel", NULL) == 0) {
			strbuf_trim(&top);
			r->cwd_worktree = strbuf_detach(&top, NULL);
		}
		strbuf_release(&top);
	}
	ret = 0;
out:
	strbuf_release(&out);
	return ret;
}

const char *repo_checkout(const struct repo *r)
{
	return r->cwd_worktree ? r->cwd_worktree : r->root;
}

void repo_clear(struct repo *r)
{
	free(r->root);
	free(r->git_dir);
	free(r->para_dir);
	free(r->name);
	free(r->cwd_worktree);
	free(r->object_format);
	memset(r, 0, sizeof *r);
}
