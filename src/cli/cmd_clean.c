/* para clean: remove what no session owns, archiving any work first */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "container/netpolicy.h"
#include "session/agentgit.h"
#include "session/names.h"
#include "session/session.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct clean_opts {
	int dry_run, containers;
	long archived_days; /* -1: keep archives */
	int actions;
};

__attribute__((format(printf, 2, 3))) static void act(struct clean_opts *o, const char *fmt, ...)
{
	va_list ap;
	printf("%s", o->dry_run ? "would " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	o->actions++;
}

/* The label naming the start that created a session's container: only that
 * container is removed with it (NULL for sessions older than the label). */
static const char *run_label(const struct session *s)
{
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(s->container, "labels"), i, l)
		if (json_is_string(l) && !strncmp(json_string_value(l), SPEC_RUN_LABEL "=", strlen(SPEC_RUN_LABEL "=")))
			return json_string_value(l) + strlen(SPEC_RUN_LABEL "=");
	return NULL;
}

/* A session whose start died half-way, or whose worktree vanished. */
/* A dead or orphaned session, locked: archived when it has changes, else removed. */
static void clean_one(struct cli *c, struct clean_opts *o, struct session *s, int stale, int changes)
{
	struct error err = ERROR_INIT;
	int done = 1;
	if (stale && changes) {
		act(o, "archive the unfinished session '%s' (it has changes)", s->name);
		if (!o->dry_run) {
			char *ref = NULL;
			if (session_archive(&c->repo, &c->cfg, s, NULL, &ref, &err) < 0) {
				cli_warn("'%s' left alone: %s", s->name, err.msg);
				done = 0;
			}
			free(ref);
		}
	} else {
		act(o, stale ? "remove the unfinished session '%s' (its start died)"
			     : "remove the state of '%s' (its worktree is gone; the branch stays)",
		    s->name);
		if (!o->dry_run && stale)
			session_rollback(&c->repo, s);
	}
	if (!o->dry_run && done) {
		if (s->container)
			engine_remove_own(&c->eng, json_str(s->container, "name"), run_label(s), &err);
		agentgit_remove(&c->repo, s->name);
		state_remove(&c->repo, s->name, &err);
	}
}

static void clean_states(struct cli *c, struct clean_opts *o)
{
	struct session *v;
	size_t n;
	struct error err = ERROR_INIT;
	if (state_list(&c->repo, &v, &n, &err) < 0) {
		cli_warn("%s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct session *s = &v[i];
		int changes = 0;
		int stale = session_is_stale(s);
		int orphan = !strcmp(s->phase, "ready") && !is_dir(s->worktree);
		if (!stale && !orphan)
			continue;
		if (!strcmp(s->phase, "cancelling") || !strcmp(s->phase, "finishing")) {
			cli_warn("'%s' was being %s when its para died; run 'para %s %s' again to complete it", s->name,
				 !strcmp(s->phase, "cancelling") ? "cancelled" : "finished",
				 !strcmp(s->phase, "cancelling") ? "cancel" : "finish", s->name);
			continue;
		}
		if (o->dry_run ? session_locked_elsewhere(&c->repo, s->name)
			       : session_lock(&c->repo, s->name, s, &err) < 0 || !state_exists(&c->repo, s->name)) {
			if (state_exists(&c->repo, s->name))
				cli_note(c, "'%s' left alone: another para is changing it", s->name);
			continue;
		}
		/* commits the agent made in its container come back to the branch first */
		if (!o->dry_run && agentgit_sync(&c->repo, s, NULL, &err) < 0) {
			cli_warn("'%s' left alone: %s", s->name, err.msg);
			continue;
		}
		if (stale && is_dir(s->worktree) && session_changes(s, &changes, &err) < 0) {
			cli_warn("'%s': cannot tell whether it has changes (%s); left alone", s->name, err.msg);
			continue;
		}
		clean_one(c, o, s, stale, changes);
	}
	state_list_free(v, n);
}

/* Folders in .para/worktrees with no session: archive their work, remove them. */
/* A temporary index of a cancel that was killed: "<name>.archive-index.<pid>"
 * (or ".para-archive-index." before), gone when its process is. */
static int sweep_index(struct clean_opts *o, const char *dir, const char *file)
{
	const char *m = strstr(file, ".archive-index.");
	if (!m)
		return 0;
	char *end = NULL;
	long pid = strtol(m + strlen(".archive-index."), &end, 10);
	if (!end || *end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
		return 1; /* one of ours, still in use */
	char *p = path_join(dir, file);
	act(o, "remove the temporary index of a cancel that was killed: %s", p);
	if (!o->dry_run)
		unlink(p);
	free(p);
	return 1;
}

static void sweep_state_indexes(struct cli *c, struct clean_opts *o)
{
	char *dir = path_join(c->repo.para_dir, "state");
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		sweep_index(o, dir, de->d_name);
	if (d)
		closedir(d);
	free(dir);
}

static void clean_worktrees(struct cli *c, struct clean_opts *o)
{
	char *dir = path_join(c->repo.para_dir, "worktrees");
	char *pfx = session_prefix(&c->cfg), *prefix = xasprintf("%s/", pfx);
	free(pfx);
	DIR *d = opendir(dir);
	struct dirent *de;
	struct error err = ERROR_INIT;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || state_exists(&c->repo, de->d_name))
			continue;
		char *wt = path_join(dir, de->d_name);
		struct strbuf branch = STRBUF_INIT;
		if (sweep_index(o, dir, de->d_name)) {
			/* a killed cancel's temporary index (older versions kept it here) */
		} else if (!name_is_valid(de->d_name) || !is_dir(wt) ||
			   git(wt, &branch, &err, "symbolic-ref", "--quiet", "--short", "HEAD", NULL) < 0) {
			cli_warn("'%s' is not a para worktree; remove it by hand if it is not needed", wt);
		} else if (strbuf_trim(&branch), strncmp(branch.buf, prefix, strlen(prefix))) {
			/* clean deletes only para's branches */
			cli_warn("'%s' has the branch '%s' checked out, which is not para's; left alone", wt, branch.buf);
		} else {
			char *admin = xasprintf("%s/worktrees/%s", c->repo.git_dir, de->d_name);
			struct session s = { .name = de->d_name, .branch = branch.buf, .worktree = wt, .admin = admin };
			act(o, "archive and remove the worktree no session owns: %s", wt);
			char *ref = NULL;
			if (!o->dry_run && session_archive(&c->repo, &c->cfg, &s, NULL, &ref, &err) < 0)
				cli_warn("%s", err.msg);
			free(ref);
			free(admin);
		}
		strbuf_release(&branch);
		free(wt);
	}
	if (d)
		closedir(d);
	free(dir);
	free(prefix);
	if (!o->dry_run)
		git(c->repo.root, NULL, &err, "worktree", "prune", NULL);
}

/* Whether name is a session's container, or (with derive) its sidecar or
 * network. */
static int owned_by(const struct session *ss, size_t ns, const char *name, char *(*derive)(const char *))
{
	int owned = 0;
	for (size_t j = 0; j < ns && !owned; j++) {
		const char *cn = ss[j].container ? json_str(ss[j].container, "name") : NULL;
		char *d = cn ? derive(cn) : NULL;
		owned = cn && (!strcmp(cn, name) || !strcmp(d, name));
		free(d);
	}
	return owned;
}

static void clean_containers(struct cli *c, struct clean_opts *o)
{
	struct engine_container *v;
	struct session *ss;
	size_t n, ns;
	struct error err = ERROR_INIT;
	if (engine_list(&c->eng, c->repo.root, &v, &n, &err) < 0) {
		cli_warn("%s", err.msg);
		o->actions = -1000;
		return;
	}
	if (state_list(&c->repo, &ss, &ns, &err) < 0)
		ns = 0, ss = NULL;
	for (size_t i = 0; i < n; i++) {
		if (owned_by(ss, ns, v[i].name, netpolicy_sidecar_name))
			continue;
		act(o, "remove container %s (no session owns it)", v[i].name);
		if (!o->dry_run && engine_remove(&c->eng, v[i].name, &err) < 0)
			cli_warn("%s", err.msg);
	}
	engine_list_free(v, n);
	/* isolated sessions' networks, once nothing is attached to them */
	struct strvec nets = STRVEC_INIT;
	if (netpolicy_networks(&c->eng, c->repo.root, &nets, &err) < 0)
		cli_warn("%s", err.msg);
	for (size_t i = 0; i < nets.nr; i++) {
		if (owned_by(ss, ns, nets.v[i], netpolicy_network_name))
			continue;
		act(o, "remove network %s (no session owns it)", nets.v[i]);
		if (!o->dry_run && netpolicy_network_remove(&c->eng, nets.v[i], &err) < 0)
			cli_warn("%s", err.msg);
	}
	strvec_clear(&nets);
	state_list_free(ss, ns);
}

static void clean_archives(struct cli *c, struct clean_opts *o)
{
	struct strvec refs = STRVEC_INIT;
	struct error err = ERROR_INIT;
	time_t cutoff = time(NULL) - (time_t)o->archived_days * 86400;
	if (archive_list(&c->repo, &c->cfg, NULL, &refs, &err) < 0) {
		cli_warn("%s", err.msg);
		return;
	}
	for (size_t i = 0; i < refs.nr; i++) {
		char *stamp = NULL;
		struct tm tm = { 0 };
		archive_parse(&c->cfg, refs.v[i], NULL, &stamp);
		const char *end = strptime(stamp, "%Y%m%dT%H%M%SZ", &tm);
		if (end && timegm(&tm) < cutoff) {
			act(o, "delete archive %s", refs.v[i] + strlen("refs/heads/"));
			if (!o->dry_run)
				git(c->repo.root, NULL, &err, "update-ref", "-d", refs.v[i], NULL);
		}
		free(stamp);
	}
	strvec_clear(&refs);
}

/* A number of days, 0 to 1000000 (beyond the epoch every archive is younger). */
static int parse_days(const char *arg, long *days)
{
	char *end;
	errno = 0;
	*days = strtol(arg, &end, 10);
	return *end || end == arg || *days < 0 || errno || *days > 1000000 ? -1 : 0;
}

int cmd_clean(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct clean_opts o = { 0, 0, -1, 0 };
	const char *days = NULL;
	const struct cli_bind opts[] = {
		{ "dry-run", &o.dry_run },
		{ "containers", &o.containers },
		{ "archived", &days },
		CLI_BIND_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (days && parse_days(days, &o.archived_days) < 0)
		return cli_usage(argv[0], "--archived takes a number of days (at most 1000000), not '%s'", days);
	if (cli_open(&c, &err) < 0) {
		cli_close(&c);
		return cli_fail(&err);
	}
	int lock = -1;
	char *state_dir = path_join(c.repo.para_dir, "state");
	int have_state = is_dir(state_dir);
	free(state_dir);
	if ((!o.dry_run && have_state && (lock = state_lock(&c.repo, &err)) < 0) ||
	    (o.containers && engine_ping(&c.eng, &err) < 0)) {
		state_unlock(lock);
		cli_close(&c);
		return cli_fail(&err);
	}
	clean_states(&c, &o);
	clean_worktrees(&c, &o);
	sweep_state_indexes(&c, &o);
	if (o.containers)
		clean_containers(&c, &o);
	if (o.archived_days >= 0)
		clean_archives(&c, &o);
	state_unlock(lock);
	if (o.actions == 0)
		cli_note(&c, "nothing to clean");
	cli_close(&c);
	return o.actions < 0 ? 1 : 0;
}
