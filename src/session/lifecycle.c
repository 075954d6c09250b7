/* finish, cancel and recover: see lifecycle.h */
#include "session/lifecycle.h"

#include "container/netpolicy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "session/agentgit.h"
#include "session/git.h"
#include "session/state.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/report.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int lifecycle_sync(const struct lifecycle *lc, struct session *s, struct error *err)
{
	int moved = 0;
	if (!s->container)
		return 0;
	if (agentgit_sync(lc->repo, s, &moved, err) < 0)
		return -1;
	if (moved && lc->verbose)
		report(REPORT_NOTE, "session '%s': the container's commits are on %s", s->name, s->branch);
	return 0;
}

static int remove_container(const struct lifecycle *lc, const struct session *s, struct error *err)
{
	if (!s->container)
		return 0;
	const char *name = json_str(s->container, "name");
	int r = engine_remove(lc->eng, name, err);
	/* an isolated session's proxy and network go after it */
	if (r == 0 && json_object_get(s->container, "isolation"))
		r = netpolicy_down(lc->eng, name, NULL, err);
	return r;
}

/* ---- start ------------------------------------------------------------------- */

static int interrupted(unsigned mark, struct error *err)
{
	if (sig_count() == mark)
		return 0;
	return error_set(err, 128 + sig_last(), "interrupted; nothing was kept");
}

static int set_phase(const struct lifecycle *lc, struct session *s, const char *phase, struct error *err)
{
	free(s->phase);
	s->phase = xstrdup(phase);
	return state_save(lc->repo, s, err);
}

static void setup_line(const char *line, size_t len, void *ctx)
{
	FILE *log = ctx;
	if (log)
		fprintf(log, "%.*s\n", (int)len, line);
	report(REPORT_DETAIL, "%.*s", (int)len, line);
}

int lifecycle_setup(const struct lifecycle *lc, const struct container_spec *spec, const char *script,
		    const char *logs_dir, const char *session, struct error *err)
{
	struct strbuf text = STRBUF_INIT;
	if (strbuf_read_file(&text, script) < 0) {
		strbuf_release(&text);
		return error_errno(err, PARA_EXIT_FAIL, "cannot read the setup script '%s'", script);
	}
	char *log = xasprintf("%s/setup-%s.log", logs_dir, session);
	FILE *f = mkdir_p(logs_dir, 0755, err) == 0 ? fopen(log, "w") : NULL;
	report(REPORT_NOTE, "running the setup script %s (log: %s)", script, log);
	int status = 0, r = engine_run_script(lc->eng, spec, text.buf, text.len, setup_line, f, &status, err);
	if (f)
		fclose(f);
	if (r == 0 && status)
		r = error_set(err, status, "the setup script %s failed with exit code %d (log: %s)", script, status, log);
	free(log);
	strbuf_release(&text);
	return r;
}

/* The container, made and up; with checkout, the worktree's files are
 * checked out while it starts (its bind source only has to exist; the
 * agent runs once both are done), and a run begun is waited for even when
 * the checkout fails, so the rollback finds the container it made. An image
 * not looked for yet (plan->unchecked) is pulled or refused (image_ensure)
 * when the run says it is missing, and the run is tried once more. */
static int create_container(const struct lifecycle *lc, const struct start_request *rq, struct session *s,
			    int checkout, struct error *err)
{
	struct engine_ready ready = ENGINE_READY_INIT;
	struct error co_err = ERROR_INIT;
	struct engine_run *run = engine_create_begin(lc->eng, rq->spec, err);
	if (!run)
		return -1;
	int co = checkout && (session_checkout(s, &co_err) < 0 || agentgit_take_index(lc->repo, s, &co_err) < 0) ? -1 : 0;
	int r = engine_create_end(run, &ready, err);
	if (co < 0) { /* no retry of a missing image either: the worktree is not whole */
		if (r == 0)
			*err = co_err;
		return -1;
	}
	if (r < 0 && ready.missing_image && rq->plan->unchecked) {
		int nb = 0;
		error_clear(err);
		r = image_ensure(lc->eng, lc->cfg, rq->plan, rq->build, &nb, err);
		if (r == 0)
			r = interrupted(rq->sig_mark, err);
		if (r == 0)
			r = engine_create(lc->eng, rq->spec, &ready, err);
	}
	if (rq->home_files)
		*rq->home_files = ready.home_files;
	return r;
}

/* The container part of a start, after the worktree exists. */
static int start_container(const struct lifecycle *lc, const struct start_request *rq, struct session *s,
			   const char *run, struct error *err)
{
	struct container_spec *spec = rq->spec;
	if (rq->needs_build) {
		/* the session exists from here on, so `para list` shows it
		 * building, its worktree whole while the build takes its time */
		if (session_checkout(s, err) < 0 || set_phase(lc, s, "building", err) < 0 ||
		    image_build(lc->eng, rq->plan, rq->build, err) < 0 || interrupted(rq->sig_mark, err) < 0)
			return -1;
	}
	free(s->phase);
	s->phase = xstrdup("starting");
	/* the name was free: a git directory left under it is a dead one's */
	agentgit_remove(lc->repo, s->name);
	if (agentgit_create(lc->repo, s, err) < 0 || state_save(lc->repo, s, err) < 0 ||
	    (spec->isolated && netpolicy_up(lc->eng, spec, run, err) < 0) ||
	    create_container(lc, rq, s, !rq->needs_build, err) < 0)
		return -1;
	if (rq->setup_script && (interrupted(rq->sig_mark, err) < 0 ||
				 lifecycle_setup(lc, spec, rq->setup_script, rq->logs_dir, s->name, err) < 0))
		return -1;
	return interrupted(rq->sig_mark, err);
}

int lifecycle_start(const struct lifecycle *lc, const struct start_request *rq, struct session *s,
		    struct error *err)
{
	const char *run_label = NULL;
	json_t *env_inputs = rq->env_inputs;
	if (session_create(lc->repo, lc->cfg, rq->name, rq->spec ? SESSION_CHECKOUT_LATER : 0, s, err) < 0) {
		json_decref(env_inputs);
		return -1;
	}
	int r = interrupted(rq->sig_mark, err);
	if (r == 0 && rq->spec) {
		/* marks the container as this run's: a rollback removes no other */
		strvec_pushf(&rq->spec->labels, SPEC_RUN_LABEL "=%ld-%lld", (long)getpid(), (long long)time(NULL));
		run_label = rq->spec->labels.v[rq->spec->labels.nr - 1] + strlen(SPEC_RUN_LABEL "=");
		s->container = spec_to_json(rq->spec);
		/* what a re-create checks again: the same policy as this start */
		json_object_set_new(s->container, "image_custom", json_boolean(rq->plan->custom));
		json_object_set_new(s->container, "image_built", json_boolean(rq->plan->dockerfile != NULL));
		json_object_set_new(s->container, "env_inputs", env_inputs);
		if (rq->setup_script) /* a re-created container runs it again */
			json_object_set_new(s->container, "setup_script", json_string(rq->setup_script));
		env_inputs = NULL;
		r = start_container(lc, rq, s, run_label, err);
	}
	json_decref(env_inputs);
	if (r == 0)
		r = set_phase(lc, s, "ready", err);
	if (r == 0)
		r = interrupted(rq->sig_mark, err);
	if (r < 0) {
		struct error e2 = ERROR_INIT;
		if (rq->spec) {
			engine_remove_own(lc->eng, rq->spec->name, run_label, &e2);
			if (rq->spec->isolated)
				netpolicy_down(lc->eng, rq->spec->name, run_label, &e2);
			agentgit_remove(lc->repo, s->name);
		}
		session_rollback(lc->repo, s);
		return -1;
	}
	/* from here on other commands may change it (finish it while the agent runs) */
	session_unlock(s);
	return 0;
}

/* ---- finish ------------------------------------------------------------------ */

/* finish commits on the session branch: a HEAD elsewhere (detached, or
 * another branch, in the worktree or in the container) would leave its
 * commits behind. */
static int refuse_off_branch(const struct lifecycle *lc, const struct session *s, struct error *err)
{
	int on = session_head_on_branch(s, err);
	if (on < 0)
		return -1;
	if (!on) {
		error_set(err, PARA_EXIT_FAIL, "the worktree of '%s' is not on its branch %s (HEAD is detached or elsewhere)",
			  s->name, s->branch);
		return error_hint(err, "check out %s there ('git -C %s checkout %s'), or 'para cancel %s' archives all of it",
				  s->branch, s->worktree, s->branch, s->name);
	}
	if (s->container && !agentgit_head_on_branch(lc->repo, s)) {
		error_set(err, PARA_EXIT_FAIL, "in the container of '%s', HEAD is not on the branch %s", s->name, s->branch);
		return error_hint(err, "run 'para exec %s -- git checkout %s' first, or 'para cancel %s' archives all of it",
				  s->name, s->branch, s->name);
	}
	return 0;
}

static int check_target(const struct lifecycle *lc, const char *target, struct error *err)
{
	if (git(lc->repo->root, NULL, err, "check-ref-format", "--branch", target, NULL) < 0)
		return error_set(err, PARA_EXIT_USAGE, "'%s' is not a valid branch name", target);
	char *ref = xasprintf("refs/heads/%s", target);
	int exists = git_ref_exists(lc->repo->root, ref);
	free(ref);
	if (exists) {
		error_set(err, PARA_EXIT_FAIL, "branch '%s' already exists", target);
		return error_hint(err, "choose another name with -b, or delete it first");
	}
	return 0;
}

/* Everything up to the worktree's removal; after it, only clean-up is left. */
static int finish_commit(const struct lifecycle *lc, struct session *s, const char *msg, const char *target,
			 struct finish_result *res, struct error *err)
{
	if (target && check_target(lc, target, err) < 0)
		return -1;
	if (!is_dir(s->worktree)) {
		error_set(err, PARA_EXIT_FAIL, "the worktree of '%s' is missing: %s", s->name, s->worktree);
		return error_hint(err, "'para cancel %s' archives what the branch holds", s->name);
	}
	if (refuse_off_branch(lc, s, err) < 0 || session_refuse_nested(s, "a commit", err) < 0)
		return -1;
	/* the container first: its agent stops writing before the commit, and an
	 * unreachable engine stops finish before anything changed (exit 3) */
	if (remove_container(lc, s, err) < 0 || lifecycle_sync(lc, s, err) < 0 ||
	    session_commit_all(s, msg, &res->committed, err) < 0)
		return -1;
	if (target) {
		/* before the worktree goes: a rename git refuses leaves a whole session */
		if (git(lc->repo->root, NULL, err, "branch", "-m", s->branch, target, NULL) < 0)
			return -1;
		free(s->branch);
		s->branch = xstrdup(target);
	}
	free(s->phase);
	s->phase = xstrdup("finishing");
	if (state_save(lc->repo, s, err) < 0)
		return -1;
	if (session_remove_worktree(lc->repo, s, 0, err) < 0) {
		struct error e2 = ERROR_INIT;
		free(s->phase);
		s->phase = xstrdup("ready");
		state_save(lc->repo, s, &e2);
		return -1;
	}
	return 0;
}

int lifecycle_finish(const struct lifecycle *lc, struct session *s, const char *msg, const char *target,
		     struct finish_result *res, struct error *err)
{
	struct strbuf head = STRBUF_INIT;
	memset(res, 0, sizeof *res);
	/* a finish that was killed after the worktree went: only clean-up is left */
	int resumed = !strcmp(s->phase, "finishing") && !is_dir(s->worktree);
	if (!resumed && finish_commit(lc, s, msg, target, res, err) < 0)
		return -1;
	agentgit_remove(lc->repo, s->name);
	state_remove(lc->repo, s->name, err);
	git(lc->repo->root, &head, err, "rev-parse", "--short", s->branch, NULL);
	strbuf_trim(&head);
	snprintf(res->head, sizeof res->head, "%s", head.buf);
	strbuf_release(&head);
	error_clear(err);
	return 0;
}

/* ---- cancel ------------------------------------------------------------------ */

static char *archived_state_path(const struct lifecycle *lc, const char *ref)
{
	char *name = NULL, *stamp = NULL;
	archive_parse(lc->cfg, ref, &name, &stamp);
	char *p = xasprintf("%s/state/archived/%s-%s.json", lc->repo->para_dir, stamp ? stamp : "x", name ? name : "x");
	free(name);
	free(stamp);
	return p;
}

/* Keep the container spec so recover can bring the container back. */
static void keep_container_spec(const struct lifecycle *lc, const struct session *s, const char *ref)
{
	char *dir = xasprintf("%s/state/archived", lc->repo->para_dir);
	char *p = archived_state_path(lc, ref);
	struct error e2 = ERROR_INIT;
	if (mkdir_p(dir, 0755, &e2) < 0 || state_write(s, p, &e2) < 0)
		report(REPORT_WARN, "cannot keep the container spec of '%s': %s", s->name, e2.msg);
	free(dir);
	free(p);
}

/* Record the archive's name, then make it; on failure the session is as it was. */
static int cancel_archive(const struct lifecycle *lc, struct session *s, const struct strvec *kept, char **ref,
			  struct error *err)
{
	/* the archive's name is recorded first: a cancel that was killed is run again to the end */
	int resumed = s->archive != NULL;
	struct archive_plan plan = ARCHIVE_PLAN_INIT;
	if (session_archive_plan(lc->repo, lc->cfg, s, &plan, err) < 0) {
		archive_plan_clear(&plan);
		return -1;
	}
	if (!s->archive)
		s->archive = xstrdup(plan.ref);
	free(s->phase);
	s->phase = xstrdup("cancelling");
	int ar = state_save(lc->repo, s, err);
	if (ar == 0)
		ar = session_archive_from(lc->repo, s, kept, &plan, ref, err);
	archive_plan_clear(&plan);
	if (ar < 0 && !resumed && is_dir(s->worktree)) {
		/* nothing was removed: the session is as it was */
		struct error e2 = ERROR_INIT;
		free(s->phase);
		s->phase = xstrdup("ready");
		free(s->archive);
		s->archive = NULL;
		state_save(lc->repo, s, &e2);
	}
	return ar;
}

int lifecycle_cancel(const struct lifecycle *lc, struct session *s, char **ref, struct error *err)
{
	struct strvec kept = STRVEC_INIT;
	/* the container first (exit 3 before anything changed when the engine
	 * is gone); its commits come back, and what the agent reached off its
	 * branch is kept for the archive */
	int r = remove_container(lc, s, err);
	if (r == 0)
		r = lifecycle_sync(lc, s, err);
	if (r == 0 && s->container)
		r = agentgit_lost_tips(lc->repo, s, &kept, err);
	if (r == 0)
		r = cancel_archive(lc, s, &kept, ref, err);
	strvec_clear(&kept);
	if (r < 0)
		return -1;
	agentgit_drop_kept(lc->repo, s->name);
	agentgit_remove(lc->repo, s->name);
	if (s->container)
		keep_container_spec(lc, s, *ref);
	state_remove(lc->repo, s->name, err);
	error_clear(err);
	return 0;
}

/* ---- recover ----------------------------------------------------------------- */

int lifecycle_newest_archive(const struct lifecycle *lc, const char *name, char **ref, struct error *err)
{
	struct strvec refs = STRVEC_INIT;
	char *best_stamp = NULL;
	*ref = NULL;
	if (archive_list(lc->repo, lc->cfg, name, &refs, err) < 0)
		return -1;
	for (size_t i = 0; i < refs.nr; i++) {
		char *stamp = NULL;
		archive_parse(lc->cfg, refs.v[i], NULL, &stamp);
		if (!best_stamp || strcmp(stamp, best_stamp) >= 0) {
			free(best_stamp);
			best_stamp = stamp;
			free(*ref);
			*ref = xstrdup(refs.v[i]);
		} else {
			free(stamp);
		}
	}
	free(best_stamp);
	strvec_clear(&refs);
	if (!*ref) {
		if (name)
			error_set(err, PARA_EXIT_FAIL, "no archived session named '%s'", name);
		else
			error_set(err, PARA_EXIT_FAIL, "no archived sessions");
		return error_hint(err, "'para list -a' shows archived sessions");
	}
	return 0;
}

/* A session left in "creating" by a start or recover that was killed (its
 * archive, if any, is still there): roll it back under its lock. */
static int take_over_dead_start(const struct lifecycle *lc, const char *name)
{
	struct session s = { 0 };
	struct error e = ERROR_INIT;
	int done = 0;
	if (session_lock(lc->repo, name, &s, &e) == 0 && state_load(lc->repo, name, &s, &e) == 0 &&
	    !strcmp(s.phase, "creating") && session_is_stale(&s)) {
		session_rollback(lc->repo, &s);
		done = !state_exists(lc->repo, name);
	}
	session_clear(&s);
	return done;
}

static int archive_parents(const struct lifecycle *lc, const char *ref)
{
	struct strbuf out = STRBUF_INIT;
	struct error e = ERROR_INIT;
	char *full = strncmp(ref, "refs/", 5) ? xasprintf("refs/heads/%s", ref) : xstrdup(ref);
	int n = 0;
	if (git(lc->repo->root, &out, &e, "rev-list", "--parents", "-n", "1", full, NULL) == 0)
		for (const char *p = out.buf; (p = strchr(p, ' ')); p++)
			n++;
	free(full);
	strbuf_release(&out);
	return n;
}

/* The name of ref's session must be free (or held by a dead start). */
static int recover_name_free(const struct lifecycle *lc, const char *ref, struct error *err)
{
	char *sname = NULL;
	archive_parse(lc->cfg, ref, &sname, NULL);
	int exists = state_exists(lc->repo, sname);
	if (exists && take_over_dead_start(lc, sname)) {
		report(REPORT_NOTE, "an earlier start or recover of '%s' died half-way; it was rolled back", sname);
		exists = 0;
	}
	if (exists) {
		error_set(err, PARA_EXIT_FAIL, "session '%s' exists already", sname);
		error_hint(err, "finish or cancel it first, then recover");
	}
	free(sname);
	return exists ? -1 : 0;
}

int lifecycle_recover(const struct lifecycle *lc, const char *ref, struct session *s, int *files,
		      struct error *err)
{
	if (recover_name_free(lc, ref, err) < 0)
		return -1;
	char *archived = archived_state_path(lc, ref);
	if (session_recover(lc->repo, lc->cfg, ref, s, err) < 0) {
		free(archived);
		return -1;
	}
	json_t *old = json_load_file(archived, 0, NULL);
	if (old && json_is_object(json_object_get(old, "container")))
		s->container = json_incref(json_object_get(old, "container"));
	json_decref(old);
	free(s->phase);
	s->phase = xstrdup("ready");
	if (state_save(lc->repo, s, err) < 0) {
		session_rollback(lc->repo, s);
		free(archived);
		return -1;
	}
	unlink(archived);
	free(archived);
	/* only now, with the session saved, is the archive no longer needed;
	 * one that also holds commits off the branch (a detached HEAD, a reset)
	 * stays, or they would be lost */
	struct error e3 = ERROR_INIT;
	if (archive_parents(lc, ref) > 1)
		report(REPORT_NOTE, "the archive %s also holds commits the branch does not; it is kept", ref);
	else if (archive_drop(lc->repo, ref, &e3) < 0)
		report(REPORT_WARN, "the archive %s is still there: %s", ref, e3.msg);
	*files = 0;
	session_changes(s, files, err);
	error_clear(err);
	return 0;
}
