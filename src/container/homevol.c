#include "container/homevol.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/spec.h"
#include "util/larchive.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define STREAM_BLOCK 65536

/* "what: the engine's first line of stderr" */
static int cp_failed(const char *what, struct strbuf *errout, struct error *err)
{
	char line[512];
	strbuf_trim(errout);
	first_line(errout->buf, line, sizeof line);
	return error_set(err, PARA_EXIT_FAIL, "%s: %s", what, *line ? line : "the engine gave no reason");
}

/* Start `docker cp CONTAINER:/home/para -`, its stdout a pipe: *rfd reads it. */
static int cp_out_start(struct engine *e, const char *container, struct child *c, struct strbuf *errout, int *rfd,
			struct error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot create a pipe");
	strvec_pushl(&c->args, e->cli, "cp", NULL);
	strvec_pushf(&c->args, "%s:" SPEC_HOME, container);
	strvec_push(&c->args, "-");
	c->no_stdin = 1;
	c->out_fd = p[1];
	c->err = errout;
	int r = engine_spawn(e, c, err);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return -1;
	}
	*rfd = p[0];
	return 0;
}

/* Wait for a `docker cp`; a failure is an error unless the stream was left
 * early on purpose (the engine CLI then dies of the closed pipe). */
static int cp_finish(struct engine *e, struct child *c, struct strbuf *errout, int left_early, const char *what,
		     struct error *err)
{
	int status = 0;
	if (engine_reap(e, c, &status, err) < 0)
		return -1;
	if (status && !left_early)
		return cp_failed(what, errout, err);
	return 0;
}

static int archive_failed(struct archive *a, const char *what, struct error *err)
{
	const char *why = archive_error_string(a);
	return error_set(err, PARA_EXIT_FAIL, "%s: %s", what, why ? why : "unknown error");
}

static struct archive *tar_reader(int fd)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, STREAM_BLOCK) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Count the files of the stream (an entry's data is skipped by reading the
 * next header); 1 when it stopped at the first one. */
static int count_stream(int fd, int first_only, long *files, struct error *err)
{
	struct archive *a = tar_reader(fd);
	struct archive_entry *ent;
	int h = ARCHIVE_FATAL, r;
	if (!a)
		return error_set(err, PARA_EXIT_FAIL, "cannot read the home folder's stream");
	while ((h = archive_read_next_header(a, &ent)) == ARCHIVE_OK || h == ARCHIVE_WARN)
		if (archive_entry_filetype(ent) != AE_IFDIR && ++*files && first_only)
			break;
	if (first_only && *files)
		r = 1;
	else if (h == ARCHIVE_EOF)
		r = 0;
	else
		r = archive_failed(a, "cannot read the home folder's stream", err);
	archive_read_free(a);
	return r;
}

int homevol_count_in(struct engine *e, const char *container, int first_only, long *files, struct error *err)
{
	struct child c = CHILD_INIT;
	struct strbuf errout = STRBUF_INIT;
	int rfd = -1;
	*files = 0;
	if (larchive_load(err) < 0)
		return -1;
	int r = cp_out_start(e, container, &c, &errout, &rfd, err);
	if (r == 0) {
		struct error cerr = ERROR_INIT;
		r = count_stream(rfd, first_only, files, err);
		close(rfd);
		/* the engine's reason before the stream's (a failed cp leaves none) */
		if (cp_finish(e, &c, &errout, r == 1, "cannot read the home folder", &cerr) < 0) {
			*err = cerr;
			r = -1;
		}
		r = r < 0 ? -1 : 0;
	}
	child_clear(&c);
	strbuf_release(&errout);
	return r;
}

/* para-empty:latest, made from an empty tar when the engine has none. */
static int probe_image(struct engine *e, struct error *err)
{
	static const char zeros[10240]; /* an empty tar: end-of-archive blocks only */
	char *id = NULL;
	if (engine_image_id(e, HOMEVOL_PROBE_IMAGE, &id, err) < 0)
		return -1;
	if (id) {
		free(id);
		return 0;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot create a pipe");
	for (size_t off = 0; off < sizeof zeros;) {
		ssize_t w = write(p[1], zeros + off, sizeof zeros - off); /* fits in the pipe */
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(p[1]);
	struct strvec changes = STRVEC_INIT;
	strvec_push(&changes, "LABEL dev.para.role=probe");
	int r = engine_import(e, p[0], HOMEVOL_PROBE_IMAGE, &changes, err);
	close(p[0]);
	strvec_clear(&changes);
	return r;
}

int homevol_inspect(struct engine *e, const char *volume, const char *probe, const char *repo_root, int *exists,
		    long *files, struct error *err)
{
	*files = 0;
	*exists = engine_volume_exists(e, volume, err);
	if (*exists <= 0)
		return *exists;
	if (probe_image(e, err) < 0)
		return -1;
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "create", "--name", probe, "--label", "dev.para.role=probe", NULL);
	if (repo_root)
		strvec_pushf(&args, "--label=dev.para.repo=%s", repo_root);
	/* never started, and nothing of the (empty) image is copied in */
	strvec_pushf(&args, "--mount=type=volume,source=%s,target=" SPEC_HOME ",readonly,volume-nocopy", volume);
	strvec_pushl(&args, "--entrypoint", "/para-probe", HOMEVOL_PROBE_IMAGE, NULL);
	int r = engine_run(e, &args, NULL, NULL, "cannot make a container to read the home volume", err);
	strvec_clear(&args);
	if (r == 0)
		r = homevol_count_in(e, probe, 0, files, err);
	struct error rerr = ERROR_INIT;
	if (engine_remove(e, probe, &rerr) < 0 && r == 0) {
		*err = rerr;
		r = -1;
	}
	return r;
}

/* One entry's data, from a to w. */
static int copy_data(struct archive *a, struct archive *w, struct error *err)
{
	char *buf = xmalloc(STREAM_BLOCK);
	la_ssize_t n;
	int r = 0;
	while (r == 0 && (n = archive_read_data(a, buf, STREAM_BLOCK)) > 0)
		if (archive_write_data(w, buf, (size_t)n) < 0)
			r = archive_failed(w, "cannot write the home folder into the image", err);
	if (r == 0 && n < 0)
		r = archive_failed(a, "cannot read the home volume", err);
	free(buf);
	return r;
}

/* "para/…" (docker cp's names for /home/para) as "home/para/…". */
static void under_home(struct archive_entry *ent)
{
	char *p = xasprintf("home/%s", archive_entry_pathname(ent));
	archive_entry_copy_pathname(ent, p);
	free(p);
	if (archive_entry_hardlink(ent)) {
		p = xasprintf("home/%s", archive_entry_hardlink(ent));
		archive_entry_copy_hardlink(ent, p);
		free(p);
	}
}

/* The stream of /home/para from fd `from`, re-rooted at /, into fd `to`. */
static int rewrite_stream(int from, int to, long *files, struct error *err)
{
	struct archive *a = tar_reader(from), *w = archive_write_new();
	struct archive_entry *ent;
	int r = 0, h = ARCHIVE_FATAL;
	archive_write_set_format_pax_restricted(w);
	archive_write_set_bytes_in_last_block(w, 1);
	if (!a)
		r = error_set(err, PARA_EXIT_FAIL, "cannot read the home volume");
	else if (archive_write_open_fd(w, to) != ARCHIVE_OK)
		r = archive_failed(w, "cannot write the home folder into the image", err);
	while (r == 0 && ((h = archive_read_next_header(a, &ent)) == ARCHIVE_OK || h == ARCHIVE_WARN)) {
		under_home(ent);
		if (archive_entry_filetype(ent) != AE_IFDIR)
			(*files)++;
		if (archive_write_header(w, ent) != ARCHIVE_OK)
			r = archive_failed(w, "cannot write the home folder into the image", err);
		else
			r = copy_data(a, w, err);
	}
	if (r == 0 && h != ARCHIVE_EOF)
		r = archive_failed(a, "cannot read the home volume", err);
	if (r == 0 && archive_write_close(w) != ARCHIVE_OK)
		r = archive_failed(w, "cannot write the home folder into the image", err);
	archive_write_free(w);
	if (a)
		archive_read_free(a);
	return r;
}

/* Start `docker cp -a - DST:/`, its stdin a pipe: *wfd writes it. */
static int cp_in_start(struct engine *e, const char *dst, struct child *c, struct strbuf *errout, int *wfd,
		       struct error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot create a pipe");
	strvec_pushl(&c->args, e->cli, "cp", "--archive", "-", NULL);
	strvec_pushf(&c->args, "%s:/", dst);
	c->in_fd = p[0];
	c->null_stdout = 1;
	c->err = errout;
	int r = engine_spawn(e, c, err);
	close(p[0]);
	if (r < 0) {
		close(p[1]);
		return -1;
	}
	*wfd = p[1];
	return 0;
}

/* SPEC_HOME of src into dst, streamed through para. */
static int copy_home(struct engine *e, const char *src, const char *dst, long *files, struct error *err)
{
	struct child out = CHILD_INIT, in = CHILD_INIT;
	struct strbuf out_err = STRBUF_INIT, in_err = STRBUF_INIT;
	int rfd = -1, wfd = -1;
	struct error ierr = ERROR_INIT, oerr = ERROR_INIT;
	int r = cp_out_start(e, src, &out, &out_err, &rfd, err);
	if (r == 0 && cp_in_start(e, dst, &in, &in_err, &wfd, err) < 0) {
		close(rfd);
		cp_finish(e, &out, &out_err, 1, "", &oerr);
		r = -1;
	} else if (r == 0) {
		r = rewrite_stream(rfd, wfd, files, err);
		close(rfd);
		close(wfd);
		int ro = cp_finish(e, &out, &out_err, 0, "cannot read the home folder", &oerr);
		int ri = cp_finish(e, &in, &in_err, 0, "cannot copy the home folder into the image", &ierr);
		/* the side that failed with a reason says why: the other one
		 * only lost its pipe (and the stream broke off) */
		if (ro < 0 && out_err.len)
			*err = oerr;
		else if (ri < 0)
			*err = ierr;
		else if (ro < 0)
			*err = oerr;
		r = r < 0 || ri < 0 || ro < 0 ? -1 : 0;
	}
	child_clear(&out);
	child_clear(&in);
	strbuf_release(&out_err);
	strbuf_release(&in_err);
	return r;
}

int homevol_commit(struct engine *e, const char *src, const char *base, const char *tag, const char *tmp, long *files,
		   struct error *err)
{
	struct strvec args = STRVEC_INIT;
	*files = 0;
	if (larchive_load(err) < 0)
		return -1;
	/* made as the image makes it, so the commit keeps its command, user
	 * and environment; it is never started */
	strvec_pushl(&args, "create", "--name", tmp, base, NULL);
	int r = engine_run(e, &args, NULL, NULL, "cannot make a container to commit", err);
	strvec_clear(&args);
	if (r < 0)
		return -1;
	r = copy_home(e, src, tmp, files, err);
	if (r == 0) {
		strvec_pushl(&args, "commit", "--change", "LABEL " HOMEVOL_AUTH_ROLE, tmp, tag, NULL);
		r = engine_run(e, &args, NULL, NULL, "cannot commit the image", err);
		strvec_clear(&args);
	}
	struct error rerr = ERROR_INIT;
	if (engine_remove(e, tmp, &rerr) < 0 && r == 0) {
		*err = rerr;
		r = -1;
	}
	return r;
}
