#include "container/image.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/trust.h"
#include "session/names.h"
#include "util/larchive.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/jsonutil.h"
#include "util/report.h"
#include "util/run.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void image_plan_clear(struct image_plan *p)
{
	free(p->image);
	free(p->rule);
	free(p->dockerfile);
	free(p->context);
	free(p->target);
	strvec_clear(&p->build_args);
	memset(p, 0, sizeof *p);
}

char *image_tag_for(const char *repo_root, const char *hash)
{
	const char *base = strrchr(repo_root, '/');
	char *repo = name_sanitize(base ? base + 1 : repo_root);
	char *tag = xasprintf("para-%s:%.16s", repo, hash);
	free(repo);
	return tag;
}


/* para's private files under .para: never part of a build context (the
 * agent's git directory least of all), and para's own config.json, so that
 * editing it does not change the image. excl[0] is the state folder. */
#define PRIVATE_MAX 7
static void private_paths(const char *para_dir, char *excl[PRIVATE_MAX])
{
	static const char *const names[] = { "state", "worktrees", "git", "logs", ".gitignore", "config.json" };
	for (size_t i = 0; i < PRIVATE_MAX - 1; i++)
		excl[i] = path_join(para_dir, names[i]);
	excl[PRIVATE_MAX - 1] = NULL;
}

static void private_paths_free(char *excl[PRIVATE_MAX])
{
	for (size_t i = 0; excl[i]; i++)
		free(excl[i]);
}

static char *abs_in(const char *root, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : path_join(root, p);
}

/* The Dockerfile, the context and the .dockerignore files go to the engine:
 * one a symlink takes out of the repository only when it is trusted. */
static int check_build_files(const char *repo_root, const struct image_plan *p, struct error *err)
{
	char *df_ignore = xasprintf("%s.dockerignore", p->dockerfile);
	char *ctx_ignore = path_join(p->context, ".dockerignore");
	const char *files[] = { p->dockerfile, p->context, df_ignore, ctx_ignore };
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof files / sizeof files[0]; i++)
		r = trust_check_file(repo_root, files[i], err);
	free(df_ignore);
	free(ctx_ignore);
	return r;
}

/*
 * Hashing or streaming a large context can take minutes; a signal to para
 * stops it between reads (the caller rolls back). stop_mark is taken as the
 * work begins.
 */
static unsigned stop_mark;

static int stop_on_signal(void)
{
	return sig_count() != stop_mark ? 128 + sig_last() : 0;
}

static int plan_dockerfile(const struct config *cfg, const struct image_inputs *in, const char *df,
			   struct image_plan *p, struct error *err)
{
	const char *ctx = config_str(cfg, "docker.build.context");
	const char *target = config_str(cfg, "docker.build.target");
	const char *k;
	json_t *v;
	p->dockerfile = xstrdup(df);
	p->context = ctx ? abs_in(in->repo_root, ctx) : path_dirname(df);
	p->target = target ? xstrdup(target) : NULL;
	json_object_foreach(config_get(cfg, "docker.build.args"), k, v)
		strvec_pushf(&p->build_args, "%s=%s", k, json_string_value(v));
	if (check_build_files(in->repo_root, p, err) < 0)
		return -1;
	if (!is_dir(p->context))
		return error_set(err, PARA_EXIT_CONFIG, "build context '%s' is not a directory", p->context);
	char *excl[PRIVATE_MAX];
	private_paths(in->para_dir, excl);
	char *cache = is_dir(excl[0]) ? path_join(excl[0], "buildctx.cache") : NULL;
	struct buildctx_opts o = { p->context, p->dockerfile, (const char *const *)excl, p->target,
				   (const char *const *)p->build_args.v, cache, stop_on_signal, 0 };
	stop_mark = sig_count();
	int r = buildctx_hash(&o, &p->ctx, err);
	if (r == 0)
		p->image = image_tag_for(in->repo_root, p->ctx.hash);
	private_paths_free(excl);
	free(cache);
	return r;
}

int image_choose(const struct config *cfg, const struct image_inputs *in, struct image_plan *p, struct error *err)
{
	const char *pimg = in->profile ? json_str(in->profile, "image") : NULL;
	if (in->cli_image) {
		p->image = xstrdup(in->cli_image);
		p->rule = xstrdup("--docker-image");
		p->custom = 1;
		return 0;
	}
	if (pimg) {
		p->image = xstrdup(pimg);
		p->rule = xasprintf("profile '%s'", in->profile_name);
		p->custom = 1;
		return 0;
	}
	const char *df = config_str(cfg, "docker.dockerfile");
	if (df) {
		char *path = abs_in(in->repo_root, df);
		if (path_exists(path)) {
			p->rule = xasprintf("project Dockerfile %s", df);
			int r = plan_dockerfile(cfg, in, path, p, err);
			free(path);
			return r;
		}
		free(path);
	}
	const char *def = config_str(cfg, "docker.default_image");
	p->image = xstrdup(def && *def ? def : "para-authenticated:latest");
	p->rule = xstrdup("docker.default_image");
	return 0;
}

int image_policy(const struct config *cfg, const struct image_plan *p, struct error *err)
{
	if (p->dockerfile)
		return 0; /* built here from the project's own Dockerfile */
	if (p->custom && !config_bool(cfg, "docker.allow_custom_images")) {
		error_set(err, PARA_EXIT_FAIL, "image '%s' (from %s) refused: docker.allow_custom_images is false", p->image, p->rule);
		return error_hint(err, "use the default image (%s), or set docker.allow_custom_images to true",
				  config_str(cfg, "docker.default_image"));
	}
	struct strvec globs = STRVEC_INIT;
	config_strv(cfg, "docker.allowed_images", &globs);
	int ok = globs.nr == 0;
	struct strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < globs.nr; i++) {
		ok |= fnmatch(globs.v[i], p->image, 0) == 0;
		strbuf_addf(&list, "%s%s", i ? ", " : "", globs.v[i]);
	}
	int ret = 0;
	if (!ok) {
		ret = error_set(err, PARA_EXIT_FAIL, "image '%s' (from %s) is not in docker.allowed_images (%s)", p->image, p->rule,
				list.buf);
		error_hint(err, "choose an image that matches, or add a pattern to docker.allowed_images");
	}
	strvec_clear(&globs);
	strbuf_release(&list);
	return ret;
}

/* ---- the build context as a tar stream --------------------------------- */

struct tar_ctx {
	struct archive *a;
	const char *df_rel;  /* the Dockerfile's path in the context, when it counts */
	int saw_dockerfile;
	int saw_ignore;
	int in_ignore;       /* the bytes coming are the .dockerignore's */
	struct strbuf ignore;
	struct error *err;
};

static int tar_failed(struct tar_ctx *t)
{
	return error_set(t->err, PARA_EXIT_FAIL, "cannot write the build context: %s", archive_error_string(t->a));
}

/* A header: owners and times do not decide what the image holds. */
static int tar_header(struct tar_ctx *t, const char *name, const struct stat *st, const char *link, size_t size)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, name);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 0, 0);
	if (link)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, S_ISREG(st->st_mode) ? (la_int64_t)size : 0);
	int ret = archive_write_header(t->a, e) == ARCHIVE_OK ? 0 : tar_failed(t);
	archive_entry_free(e);
	return ret;
}

static int tar_file(struct tar_ctx *t, const char *name, const char *data, size_t len)
{
	struct stat st = { .st_mode = S_IFREG | 0644 };
	if (tar_header(t, name, &st, NULL, len) < 0)
		return -1;
	return archive_write_data(t->a, data, len) < 0 ? tar_failed(t) : 0;
}

static int sink_entry(void *ctx, const char *rel, const struct stat *st, const char *link)
{
	struct tar_ctx *t = ctx;
	if (stop_on_signal())
		return error_set(t->err, stop_on_signal(), "interrupted");
	t->in_ignore = !strcmp(rel, ".dockerignore");
	if (t->in_ignore) {
		t->saw_ignore = 1;
		return 0; /* written at the end, with para's own lines */
	}
	if (t->df_rel && !strcmp(rel, t->df_rel))
		t->saw_dockerfile = 1;
	if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode) && !S_ISDIR(st->st_mode))
		return 1;
	return tar_header(t, rel, st, link, (size_t)st->st_size);
}

static int sink_data(void *ctx, const void *buf, size_t n)
{
	struct tar_ctx *t = ctx;
	if (t->in_ignore) {
		strbuf_add(&t->ignore, buf, n);
		return 0;
	}
	if (stop_on_signal())
		return error_set(t->err, stop_on_signal(), "interrupted");
	return archive_write_data(t->a, buf, n) < 0 ? tar_failed(t) : 0;
}

/*
 * Write the context para hashed into fd as a tar, each file read once for
 * both: what is sent must hash to the image's tag, or nothing is built. The
 * Dockerfile goes in as it is when it is part of the context; otherwise under
 * a private name that the .dockerignore in the stream lists, so the engine
 * drops it (and the .dockerignore) before any instruction can see them, as
 * the docker CLI does. *df_name gets the Dockerfile's name in the stream.
 */
static int write_context(const struct image_plan *p, const char *para_dir, int fd, char **df_name, struct error *err)
{
	struct tar_ctx t = { archive_write_new(), NULL, 0, 0, 0, STRBUF_INIT, err };
	struct strbuf df = STRBUF_INIT;
	size_t cl = strlen(p->context);
	char sent[33];
	if (!strncmp(p->dockerfile, p->context, cl) && p->dockerfile[cl] == '/')
		t.df_rel = p->dockerfile + cl + 1;
	archive_write_set_format_pax_restricted(t.a);
	if (archive_write_open_fd(t.a, fd) != ARCHIVE_OK) {
		archive_write_free(t.a);
		return error_set(err, PARA_EXIT_FAIL, "cannot write the build context");
	}
	char *excl[PRIVATE_MAX];
	/* para's own files: exactly what image_choose() left out of the hash */
	private_paths(para_dir, excl);
	struct buildctx_opts o = { p->context, p->dockerfile, (const char *const *)excl, p->target,
				   (const char *const *)p->build_args.v, NULL, stop_on_signal, 0 };
	struct buildctx_sink sink = { sink_entry, sink_data, &t };
	stop_mark = sig_count();
	int r = buildctx_stream(&o, &sink, sent, &df, err);
	if (r == 0 && strcmp(sent, p->ctx.hash)) {
		r = error_set(err, PARA_EXIT_FAIL, "the build context changed while para read it");
		error_hint(err, "run the command again (it hashes the context anew)");
	}
	if (r == 0 && t.saw_dockerfile) {
		*df_name = xstrdup(t.df_rel);
	} else if (r == 0) {
		*df_name = xasprintf(".para-dockerfile-%.8s", p->ctx.hash);
		r = tar_file(&t, *df_name, df.buf, df.len);
		strbuf_addf(&t.ignore, "\n%s\n.dockerignore\n", *df_name);
	}
	if (r == 0 && t.ignore.len)
		r = tar_file(&t, ".dockerignore", t.ignore.buf, t.ignore.len);
	if (archive_write_close(t.a) != ARCHIVE_OK && r == 0)
		r = tar_failed(&t);
	archive_write_free(t.a);
	strbuf_release(&t.ignore);
	strbuf_release(&df);
	private_paths_free(excl);
	return r;
}

/* ---- build progress ------------------------------------------------------ */

#define TAIL_LINES 12

struct progress {
	FILE *log;
	int tty, quiet;
	const char *tag;
	char step[160];
	char *tail[TAIL_LINES];
	size_t ntail;
};

static void on_build_line(const char *line, size_t len, void *data)
{
	struct progress *pr = data;
	if (pr->log) {
		fwrite(line, 1, len, pr->log);
		fputc('\n', pr->log);
	}
	if (!len)
		return;
	free(pr->tail[pr->ntail % TAIL_LINES]);
	pr->tail[pr->ntail % TAIL_LINES] = xstrndup(line, len);
	pr->ntail++;
	/* classic builder: "Step 3/7 : RUN …"; BuildKit plain: "#5 [2/4] RUN …" */
	int is_step = len > 5 && (!strncmp(line, "Step ", 5) || (line[0] == '#' && memchr(line, '[', len)));
	if (!is_step || pr->quiet)
		return;
	snprintf(pr->step, sizeof pr->step, "%.*s", (int)len, line);
	if (pr->tty)
		report(REPORT_STATUS, "building %s: %.90s", pr->tag, pr->step);
	else
		report(REPORT_NOTE, "build: %s", pr->step);
}

static void progress_done(struct progress *pr, int ok)
{
	if (pr->tty && !pr->quiet && pr->step[0])
		report(REPORT_STATUS_END, "%s", "");
	if (!ok) {
		size_t first = pr->ntail > TAIL_LINES ? pr->ntail - TAIL_LINES : 0;
		for (size_t i = first; i < pr->ntail; i++)
			report(REPORT_DETAIL, "%s", pr->tail[i % TAIL_LINES]);
	}
	for (size_t i = 0; i < TAIL_LINES; i++)
		free(pr->tail[i]);
}

static int tmp_fd(const char *dir, struct error *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char *tmpl = xasprintf("%s/.para-context-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	else
		error_errno(err, PARA_EXIT_FAIL, "cannot create a temporary file in '%s'", dir);
	free(tmpl);
	return fd;
}

static int build(struct engine *e, const struct image_plan *p, const struct image_build_opts *o, struct error *err)
{
	char *para_dir = path_dirname(o->logs_dir);
	char *df_name = NULL, *log_path = NULL;
	struct progress pr = { .tty = o->tty, .quiet = o->quiet, .tag = p->image };
	struct strvec labels = STRVEC_INIT;
	int ret = -1, status = 0;
	int fd = -1;
	/* the context is a tar stream: nothing is made before it can be */
	if (larchive_load(err) < 0 || mkdir_p(o->logs_dir, 0755, err) < 0 || (fd = tmp_fd(o->logs_dir, err)) < 0)
		goto out;
	if (write_context(p, para_dir, fd, &df_name, err) < 0)
		goto out;
	lseek(fd, 0, SEEK_SET);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	log_path = xasprintf("%s/build-%.16s-%s.log", o->logs_dir, p->ctx.hash, stamp);
	pr.log = fopen(log_path, "we");
	char *repo_root = path_dirname(para_dir);
	strvec_pushf(&labels, "dev.para.repo=%s", repo_root);
	strvec_pushf(&labels, "dev.para.build-hash=%s", p->ctx.hash);
	free(repo_root);
	if (!o->quiet && !o->tty)
		report(REPORT_NOTE, "building %s from %s (%zu files)", p->image, p->dockerfile, p->ctx.files);
	struct engine_build b = { p->image, df_name, p->target, &p->build_args, &labels, o->no_cache, fd,
				  on_build_line, &pr };
	int r = engine_build(e, &b, &status, err);
	progress_done(&pr, r == 0 && status == 0);
	if (r < 0)
		goto out;
	if (status) {
		error_set(err, PARA_EXIT_FAIL, "building %s failed (exit %d)%s%s", p->image, status, pr.step[0] ? " at " : "",
			  pr.step[0] ? pr.step : "");
		error_hint(err, "full log: %s", log_path);
		goto out;
	}
	if (!o->quiet)
		report(REPORT_NOTE, "built %s (log: %s)", p->image, log_path);
	ret = 0;
out:
	if (pr.log)
		fclose(pr.log);
	if (fd >= 0)
		close(fd);
	strvec_clear(&labels);
	free(df_name);
	free(log_path);
	free(para_dir);
	return ret;
}

static const char *build_hint(void)
{
	return "'para image build' builds the project Dockerfile; 'para image bootstrap --tag IMAGE' makes a base "
	       "image without a registry; or choose another with --docker-image / docker.default_image";
}

int image_build(struct engine *e, const struct image_plan *p, const struct image_build_opts *o, struct error *err)
{
	return build(e, p, o, err);
}

int image_check_can_wait(const struct config *cfg, const struct image_plan *p)
{
	const char *pull = config_str(cfg, "docker.pull");
	return !p->dockerfile && !(pull && !strcmp(pull, "always"));
}

int image_ensure(struct engine *e, const struct config *cfg, const struct image_plan *p,
		 const struct image_build_opts *o, int *needs_build, struct error *err)
{
	char *id = NULL;
	*needs_build = 0;
	if (p->dockerfile) {
		if (!o->force) {
			if (engine_image_id(e, p->image, &id, err) < 0)
				return -1;
			if (id) {
				free(id);
				return 0;
			}
		} else if (engine_ping(e, err) < 0) {
			return -1;
		}
		*needs_build = 1; /* the caller builds when it is ready to (image_build) */
		return 0;
	}
	const char *pull = config_str(cfg, "docker.pull");
	if (pull && !strcmp(pull, "always")) {
		if (!o->quiet && (o->tty || o->verbose))
			report(REPORT_NOTE, "pulling %s (docker.pull is \"always\")", p->image);
		if (engine_pull(e, p->image, err) < 0)
			return error_hint(err, "%s", build_hint());
		return 0;
	}
	if (engine_image_id(e, p->image, &id, err) < 0)
		return -1;
	if (id) {
		free(id);
		return 0;
	}
	if (pull && !strcmp(pull, "never")) {
		error_set(err, PARA_EXIT_FAIL, "image '%s' (from %s) not found, and docker.pull is \"never\"", p->image, p->rule);
		return error_hint(err, "%s", build_hint());
	}
	if (!o->quiet && (o->tty || o->verbose))
		report(REPORT_NOTE, "image %s not found; pulling it", p->image);
	if (engine_pull(e, p->image, err) < 0) {
		char reason[sizeof err->msg];
		snprintf(reason, sizeof reason, "%s", err->msg);
		error_set(err, PARA_EXIT_FAIL, "image '%s' (from %s) not found, and pulling it failed (%s)", p->image, p->rule, reason);
		return error_hint(err, "%s", build_hint());
	}
	return 0;
}

/* ---- base images without a registry ------------------------------------- */

static int run_quiet(const char *const *argv, const char *dir, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strbuf out = STRBUF_INIT;
	int status = 0;
	strvec_pushv(&c.args, argv);
	c.dir = dir;
	c.out = &out;
	c.err = &out;
	c.no_stdin = 1;
	c.forward_signals = 1;
	int r = child_run(&c, &status, err);
	if (r == 0 && status) {
		char line[400];
		strbuf_trim(&out);
		const char *last = strrchr(out.buf, '\n');
		first_line(last ? last + 1 : out.buf, line, sizeof line);
		r = error_set(err, PARA_EXIT_FAIL, "'%s' failed (exit %d): %s", argv[0], status, line);
	}
	child_clear(&c);
	strbuf_release(&out);
	return r;
}

/* Links for every applet of the host's busybox, to /bin/busybox in the image. */
static int busybox_applets(const char *root, const char *bb, struct error *err)
{
	struct strbuf applets = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int status = 0, ret = 0;
	strvec_pushl(&c.args, bb, "--list", NULL);
	c.out = &applets;
	c.no_stdin = 1;
	if (child_run(&c, &status, err) < 0 || status) {
		if (!err->code)
			error_set(err, PARA_EXIT_FAIL, "busybox --list failed");
		ret = -1;
	}
	child_clear(&c);
	char *save = NULL;
	for (char *a = ret ? NULL : strtok_r(applets.buf, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(a, "busybox"))
			continue;
		char *l = xasprintf("%s/bin/%s", root, a);
		if (symlink("/bin/busybox", l) < 0 && errno != EEXIST)
			ret = error_errno(err, PARA_EXIT_FAIL, "cannot link applet '%s'", a);
		free(l);
		if (ret)
			break;
	}
	strbuf_release(&applets);
	return ret;
}

/* A root file system from the host's static busybox. */
static int busybox_root(const char *root, struct strvec *changes, struct error *err)
{
	const char *bb = "/bin/busybox";
	if (access(bb, X_OK) < 0) {
		error_set(err, PARA_EXIT_FAIL, "'%s' not found", bb);
		return error_hint(err, "install the static busybox: apt-get install busybox-static");
	}
	static const char *const dirs[] = { "bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "home" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *d = path_join(root, dirs[i]);
		int r = mkdir_p(d, 0755, err);
		free(d);
		if (r < 0)
			return -1;
	}
	char *tmpd = path_join(root, "tmp");
	chmod(tmpd, 01777);
	free(tmpd);
	const char *cp[] = { "cp", bb, "bin/busybox", NULL };
	if (run_quiet(cp, root, err) < 0 || busybox_applets(root, bb, err) < 0)
		return -1;
	char *passwd = path_join(root, "etc/passwd"), *group = path_join(root, "etc/group");
	static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n";
	static const char gr[] = "root:x:0:\n";
	int r = write_file_atomic(passwd, pw, sizeof pw - 1, 0644, err);
	if (r == 0)
		r = write_file_atomic(group, gr, sizeof gr - 1, 0644, err);
	free(passwd);
	free(group);
	if (r == 0)
		strvec_push(changes, "CMD [\"/bin/sh\"]");
	return r;
}

/* A Debian root file system (minbase, git and CA certificates). */
static int debootstrap_root(const struct image_bootstrap_opts *o, const char *root, struct strvec *changes,
			    struct error *err)
{
	if (geteuid() != 0) {
		error_set(err, PARA_EXIT_FAIL, "debootstrap needs root");
		return error_hint(err, "run 'sudo para image bootstrap --from debootstrap', or use --from busybox");
	}
	const char *argv[] = { "debootstrap", "--variant=minbase", "--include=git,ca-certificates", o->suite,
			       root, o->mirror, NULL };
	report(REPORT_NOTE, "debootstrap %s from %s (a minute or so)", o->suite, o->mirror);
	if (run_quiet(argv, NULL, err) < 0)
		return error_hint(err, "is debootstrap installed (apt-get install debootstrap) and the mirror reachable?");
	strvec_push(changes, "CMD [\"/bin/bash\"]");
	return 0;
}

/* root as a tar, imported as tag with changes. */
static int import_root(struct engine *e, const struct image_bootstrap_opts *o, const char *root,
		       const struct strvec *changes, struct error *err)
{
	int fd = tmp_fd(o->work_dir, err);
	if (fd < 0)
		return -1;
	char *fdpath = xasprintf("/proc/%ld/fd/%d", (long)getpid(), fd);
	const char *tar[] = { "tar", "--numeric-owner", "-C", root, "-cf", fdpath, ".", NULL };
	int r = run_quiet(tar, NULL, err);
	free(fdpath);
	if (r == 0) {
		lseek(fd, 0, SEEK_SET);
		r = engine_import(e, fd, o->tag, changes, err);
	}
	close(fd);
	return r;
}

int image_bootstrap(struct engine *e, const struct image_bootstrap_opts *o, struct error *err)
{
	char *tmpl = xasprintf("%s/para-bootstrap-XXXXXX", o->work_dir);
	char *root = mkdtemp(tmpl);
	struct strvec changes = STRVEC_INIT;
	int r;
	if (!root) {
		error_errno(err, PARA_EXIT_FAIL, "cannot create a directory in '%s'", o->work_dir);
		free(tmpl);
		return -1;
	}
	if (!strcmp(o->from, "busybox"))
		r = busybox_root(root, &changes, err);
	else if (!strcmp(o->from, "debootstrap"))
		r = debootstrap_root(o, root, &changes, err);
	else
		r = error_set(err, PARA_EXIT_USAGE, "--from '%s': use busybox or debootstrap", o->from);
	if (r == 0) {
		strvec_push(&changes, "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
		r = import_root(e, o, root, &changes, err);
	}
	struct error e2 = ERROR_INIT;
	remove_tree(root, &e2);
	free(tmpl);
	strvec_clear(&changes);
	return r;
}
