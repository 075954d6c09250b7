/* para finish / para cancel / para recover */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "session/agentgit.h"
#include "session/names.h"
#include "session/session.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* finish commits on the session branch: a HEAD elsewhere (detached, or
 * another branch, in the worktree or in the container) would leave its
 * commits behind. */
static int refuse_off_branch(struct cli *c, const struct session *s, struct error *err)
{
	int on = session_head_on_branch(s, err);
	if (on < 0)
		return -1;
	if (!on) {
		error_set(err, PARA_EXIT_FAIL, "the worktree of '%s' is not on its branch %s (HEAD is detached or elsewhere)", s->name,
			  s->branch);
		return error_hint(err, "check out %s there ('git -C %s checkout %s'), or 'para cancel %s' archives all of it",
				  s->branch, s->worktree, s->branch, s->name);
	}
	if (s->container && !agentgit_head_on_branch(&c->repo, s)) {
		error_set(err, PARA_EXIT_FAIL, "in the container of '%s', HEAD is not on the branch %s", s->name, s->branch);
		return error_hint(err, "run 'para exec %s -- git checkout %s' first, or 'para cancel %s' archives all of it",
				  s->name, s->branch, s->name);
	}
	return 0;
}

/* A container session needs the engine before anything changes (exit 3). */
static int engine_gate(struct cli *c, const struct session *s, struct error *err)
{
	char *state = NULL;
	if (!s->container)
		return 0;
	int r = engine_state(&c->eng, json_str(s->container, "name"), &state, err);
	free(state);
	return r;
}

static int remove_container(struct cli *c, const struct session *s, struct error *err)
{
	if (!s->container)
		return 0;
	return engine_remove(&c->eng, json_str(s->container, "name"), err);
}

int cmd_finish(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' }, { "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct strbuf head = STRBUF_INIT;
	const char *target = NULL;
	char *target_ref = NULL;
	int opt, ret = 0, committed = 0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hb:qv", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': target = optarg; break;
		case 'q': c.quiet = 1; break;
		case 'v': c.verbose = 1; break;
		case ':': return cli_usage(argv[0], "option '%s' needs a value", argv[optind - 1]);
		case 'h': cli_help_exit(argv[0]);
		default: return cli_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(argv[0], "a commit message is required: para finish MESSAGE [NAME]");
	if (argc - optind > 2)
		return cli_usage(argv[0], "too many arguments: quote the message");
	const char *msg = argv[optind];
	if (!*msg)
		return cli_usage(argv[0], "the commit message is empty");
	if (cli_open(&c, &err) < 0 ||
	    cli_session_locked(&c, optind + 1 < argc ? argv[optind + 1] : NULL, &s, &err) < 0)
		goto fail;
	if (!strcmp(s.phase, "finishing") && !is_dir(s.worktree))
		goto removed; /* a finish that was killed after the worktree went */
	if (target) {
		target_ref = xasprintf("refs/heads/%s", target);
		if (git(c.repo.root, NULL, &err, "check-ref-format", "--branch", target, NULL) < 0) {
			error_set(&err, PARA_EXIT_USAGE, "'%s' is not a valid branch name", target);
			goto fail;
		}
		if (git_ref_exists(c.repo.root, target_ref)) {
			error_set(&err, PARA_EXIT_FAIL, "branch '%s' already exists", target);
			error_hint(&err, "choose another name with -b, or delete it first");
			goto fail;
		}
	}
	if (!is_dir(s.worktree)) {
		error_set(&err, PARA_EXIT_FAIL, "the worktree of '%s' is missing: %s", s.name, s.worktree);
		error_hint(&err, "'para cancel %s' archives what the branch holds", s.name);
		goto fail;
	}
	if (refuse_off_branch(&c, &s, &err) < 0 || session_refuse_nested(&s, "a commit", &err) < 0)
		goto fail;
	/* the container first: its agent stops writing before the commit, and an
	 * unreachable engine stops finish before anything changed (exit 3) */
	if (remove_container(&c, &s, &err) < 0 || cli_sync(&c, &s, &err) < 0 ||
	    session_commit_all(&s, msg, &committed, &err) < 0)
		goto fail;
	if (target) {
		/* before the worktree goes: a rename git refuses leaves a whole session */
		if (git(c.repo.root, NULL, &err, "branch", "-m", s.branch, target, NULL) < 0)
			goto fail;
		free(s.branch);
		s.branch = xstrdup(target);
	}
	free(s.phase);
	s.phase = xstrdup("finishing");
	if (state_save(&c.repo, &s, &err) < 0)
		goto fail;
	if (session_remove_worktree(&c.repo, &s, 0, &err) < 0) {
		struct error e2 = ERROR_INIT;
		free(s.phase);
		s.phase = xstrdup("ready");
		state_save(&c.repo, &s, &e2);
		goto fail;
	}
removed:
	agentgit_remove(&c.repo, s.name);
	state_remove(&c.repo, s.name, &err);
	const char *branch = s.branch;
	git(c.repo.root, &head, &err, "rev-parse", "--short", branch, NULL);
	strbuf_trim(&head);
	if (!committed)
		cli_note(&c, "nothing to commit in '%s'", s.name);
	printf("finished %s: branch %s at %s\n", s.name, branch, head.buf);
	goto out;
fail:
	ret = cli_fail(&err);
out:
	free(target_ref);
	strbuf_release(&head);
	session_clear(&s);
	cli_close(&c);
	return ret;
}

static char *archived_state_path(const struct cli *c, const char *ref)
{
	char *name = NULL, *stamp = NULL;
	archive_parse(&c->cfg, ref, &name, &stamp);
	char *p = xasprintf("%s/state/archived/%s-%s.json", c->repo.para_dir, stamp ? stamp : "x", name ? name : "x");
	free(name);
	free(stamp);
	return p;
}

static int confirm(const char *question)
{
	char line[64];
	if (!isatty(0) || !isatty(2))
		return 1;
	fprintf(stderr, "%s [y/N] ", question);
	if (!fgets(line, sizeof line, stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

int cmd_cancel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	char *ref = NULL;
	int force = 0, opt, ret = 0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hfqv", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': force = 1; break;
		case 'q': c.quiet = 1; break;
		case 'v': c.verbose = 1; break;
		case 'h': cli_help_exit(argv[0]);
		default: return cli_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "too many arguments");
	if (cli_open(&c, &err) < 0 || cli_session_locked(&c, optind < argc ? argv[optind] : NULL, &s, &err) < 0)
		goto fail;
	if (!force && isatty(0) && engine_gate(&c, &s, &err) < 0)
		goto fail; /* do not ask a question we cannot act on */
	if (!force) {
		char *q = xasprintf("archive session '%s' and remove its worktree%s?", s.name,
				    s.container ? " and container" : "");
		int yes = confirm(q);
		free(q);
		if (!yes) {
			cli_note(&c, "nothing changed");
			ret = 1;
			goto out;
		}
	}
	struct strvec kept = STRVEC_INIT;
	/* the container first (exit 3 before anything changed when the engine
	 * is gone); its commits come back, and what the agent reached off its
	 * branch is kept for the archive */
	if (remove_container(&c, &s, &err) < 0 || cli_sync(&c, &s, &err) < 0 ||
	    (s.container && agentgit_lost_tips(&c.repo, &s, &kept, &err) < 0)) {
		strvec_clear(&kept);
		goto fail;
	}
	/* the archive's name is recorded first: a cancel that was killed is run again to the end */
	int resumed = s.archive != NULL;
	if (!s.archive)
		s.archive = session_archive_name(&c.repo, &c.cfg, s.name);
	free(s.phase);
	s.phase = xstrdup("cancelling");
	int ar = state_save(&c.repo, &s, &err);
	if (ar == 0)
		ar = session_archive(&c.repo, &c.cfg, &s, &kept, &ref, &err);
	strvec_clear(&kept);
	if (ar < 0) {
		struct error e2 = ERROR_INIT;
		if (!resumed && is_dir(s.worktree)) {
			/* nothing was removed: the session is as it was */
			free(s.phase);
			s.phase = xstrdup("ready");
			free(s.archive);
			s.archive = NULL;
			state_save(&c.repo, &s, &e2);
		}
		goto fail;
	}
	agentgit_drop_kept(&c.repo, s.name);
	agentgit_remove(&c.repo, s.name);
	if (s.container) {
		/* keep the container spec so recover can bring the container back */
		char *dir = xasprintf("%s/state/archived", c.repo.para_dir);
		char *p = archived_state_path(&c, ref);
		struct error e2 = ERROR_INIT;
		if (mkdir_p(dir, 0755, &e2) < 0 || state_write(&s, p, &e2) < 0)
			cli_warn("cannot keep the container spec of '%s': %s", s.name, e2.msg);
		free(dir);
		free(p);
	}
	state_remove(&c.repo, s.name, &err);
	printf("cancelled %s: work archived in %s ('para recover %s' brings it back)\n", s.name, ref, s.name);
	goto out;
fail:
	ret = cli_fail(&err);
out:
	free(ref);
	session_clear(&s);
	cli_close(&c);
	return ret;
}

/* The newest archive ref of name (or of any session when name is NULL). */
static int newest_archive(struct cli *c, const char *name, char **ref, struct error *err)
{
	struct strvec refs = STRVEC_INIT;
	char *best_stamp = NULL;
	*ref = NULL;
	if (archive_list(&c->repo, &c->cfg, name, &refs, err) < 0)
		return -1;
	for (size_t i = 0; i < refs.nr; i++) {
		char *stamp = NULL;
		archive_parse(&c->cfg, refs.v[i], NULL, &stamp);
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
static int take_over_dead_start(struct cli *c, const char *name)
{
	struct session s = { 0 };
	struct error e = ERROR_INIT;
	int done = 0;
	if (session_lock(&c->repo, name, &s, &e) == 0 && state_load(&c->repo, name, &s, &e) == 0 &&
	    !strcmp(s.phase, "creating") && session_is_stale(&s)) {
		session_rollback(&c->repo, &s);
		done = !state_exists(&c->repo, name);
	}
	session_clear(&s);
	return done;
}

static int archive_parents(struct cli *c, const char *ref)
{
	struct strbuf out = STRBUF_INIT;
	struct error e = ERROR_INIT;
	char *full = strncmp(ref, "refs/", 5) ? xasprintf("refs/heads/%s", ref) : xstrdup(ref);
	int n = 0;
	if (git(c->repo.root, &out, &e, "rev-list", "--parents", "-n", "1", full, NULL) == 0)
		for (const char *p = out.buf; (p = strchr(p, ' ')); p++)
			n++;
	free(full);
	strbuf_release(&out);
	return n;
}

int cmd_recover(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	char *ref = NULL, *name = NULL;
	int ret = 0, files = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			c.quiet = 1;
		else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			c.verbose = 1;
		else if (argv[i][0] == '-')
			return cli_usage(argv[0], "unknown option '%s'", argv[i]);
		else if (name)
			return cli_usage(argv[0], "too many arguments");
		else
			name = argv[i];
	}
	if (name && name_validate(name, &err) < 0)
		return cli_fail(&err);
	if (cli_open(&c, &err) < 0 || newest_archive(&c, name, &ref, &err) < 0)
		goto fail;
	char *sname = NULL;
	archive_parse(&c.cfg, ref, &sname, NULL);
	int exists = state_exists(&c.repo, sname);
	if (exists && take_over_dead_start(&c, sname)) {
		cli_note(&c, "an earlier start or recover of '%s' died half-way; it was rolled back", sname);
		exists = 0;
	}
	if (exists) {
		error_set(&err, PARA_EXIT_FAIL, "session '%s' exists already", sname);
		error_hint(&err, "finish or cancel it first, then recover");
		free(sname);
		goto fail;
	}
	free(sname);
	char *archived = archived_state_path(&c, ref);
	if (session_recover(&c.repo, &c.cfg, ref, &s, &err) < 0) {
		free(archived);
		goto fail;
	}
	json_t *old = json_load_file(archived, 0, NULL);
	if (old && json_is_object(json_object_get(old, "container")))
		s.container = json_incref(json_object_get(old, "container"));
	json_decref(old);
	free(s.phase);
	s.phase = xstrdup("ready");
	if (state_save(&c.repo, &s, &err) < 0) {
		session_rollback(&c.repo, &s);
		free(archived);
		goto fail;
	}
	unlink(archived);
	free(archived);
	/* only now, with the session saved, is the archive no longer needed;
	 * one that also holds commits off the branch (a detached HEAD, a reset)
	 * stays, or they would be lost */
	struct error e3 = ERROR_INIT;
	if (archive_parents(&c, ref) > 1)
		cli_note(&c, "the archive %s also holds commits the branch does not; it is kept", ref);
	else if (archive_drop(&c.repo, ref, &e3) < 0)
		cli_warn("the archive %s is still there: %s", ref, e3.msg);
	session_changes(&s, &files, &err);
	if (s.container) {
		struct container_spec spec = CONTAINER_SPEC_INIT;
		struct error e2 = ERROR_INIT;
		if (cli_session_spec(&c, &s, &spec, &e2) < 0 || cli_container_up(&c, &s, &spec, NULL, &e2) < 0)
			cli_warn("container not re-created (%s); 'para resume %s' will do it", e2.msg, s.name);
		spec_clear(&spec);
	}
	printf("recovered %s: branch %s, worktree %s, %d uncommitted file%s restored\n", s.name, s.branch,
	       s.worktree, files, files == 1 ? "" : "s");
	goto out;
fail:
	ret = cli_fail(&err);
out:
	free(ref);
	session_clear(&s);
	cli_close(&c);
	return ret;
}
