/* para list / para status */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "container/netpolicy.h"
#include "session/session.h"
#include "session/wtstatus.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Container states for all sessions from one engine call. engine_ok is 0
 * when the engine did not answer (states then read "unknown"). */
struct states {
	struct engine_container *v;
	size_t n;
	int engine_ok;
	int asked;
};

static void states_load(struct cli *c, const struct session *v, size_t n, struct states *st)
{
	struct error err = ERROR_INIT;
	st->v = NULL;
	st->n = 0;
	st->engine_ok = 0;
	st->asked = 0;
	for (size_t i = 0; i < n; i++)
		st->asked |= v[i].container != NULL;
	if (!st->asked)
		return;
	st->engine_ok = engine_list(&c->eng, c->repo.root, &st->v, &st->n, &err) == 0;
	if (!st->engine_ok)
		cli_warn("container states unknown: %s", err.msg);
}

static const char *container_state(const struct session *s, const struct states *st)
{
	if (session_is_stale(s))
		return "error"; /* its start died: 'para clean' removes it */
	if (!s->container)
		return NULL; /* a host session: "-" in the table, null in JSON */
	if (!strcmp(s->phase, "building"))
		return "building";
	if (!strcmp(s->phase, "creating") || !strcmp(s->phase, "starting"))
		return "starting";
	if (!strcmp(s->phase, "error"))
		return "error";
	if (!st->engine_ok)
		return "unknown";
	const char *name = json_str(s->container, "name");
	for (size_t i = 0; i < st->n; i++) {
		if (!name || strcmp(st->v[i].name, name))
			continue;
		const char *state = st->v[i].state;
		if (!strcmp(state, "running") || !strcmp(state, "restarting"))
			return "running";
		if (!strcmp(state, "created"))
			return "starting";
		if (!strcmp(state, "dead"))
			return "error";
		return "exited";
	}
	return "missing";
}

/* One session in list --json and status --json (docs/json.md, "list"). */
static json_t *session_json(const struct session *s, const struct states *st, int changes)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", cli_json_str(s->name));
	json_object_set_new(j, "branch", cli_json_str(s->branch));
	json_object_set_new(j, "worktree", cli_json_str(s->worktree));
	json_object_set_new(j, "base", cli_json_str(s->base));
	json_object_set_new(j, "created", json_integer((json_int_t)s->created));
	json_object_set_new(j, "phase", cli_json_str(s->phase));
	json_object_set_new(j, "container_state", cli_json_str(container_state(s, st)));
	json_object_set_new(j, "changes", changes < 0 ? json_null() : json_integer(changes));
	json_object_set_new(j, "container", cli_json_str(s->container ? json_str(s->container, "name") : NULL));
	json_object_set_new(j, "image", cli_json_str(s->container ? json_str(s->container, "image") : NULL));
	json_object_set_new(j, "archived", json_false());
	json_object_set_new(j, "archived_at", json_null());
	return j;
}

/* An archive's stamp (YYYYMMDDTHHMMSSZ, maybe with "-N") as Unix seconds;
 * -1 when it is not one. */
static long long stamp_seconds(const char *stamp)
{
	struct tm tm = { 0 };
	char z = 0;
	if (sscanf(stamp, "%4d%2d%2dT%2d%2d%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &z) != 7 || z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* An archived session in list -a --json: the keys of a live one, null
 * where an archive has nothing (no worktree, state or container). */
static json_t *archive_json(const char *name, const char *branch, const char *stamp)
{
	long long at = stamp_seconds(stamp);
	json_t *j = json_object();
	static const char *const none[] = { "worktree", "base", "created", "phase", "container_state",
					    "changes", "container", "image", NULL };
	json_object_set_new(j, "name", cli_json_str(name));
	json_object_set_new(j, "branch", cli_json_str(branch));
	for (const char *const *k = none; *k; k++)
		json_object_set_new(j, *k, json_null());
	json_object_set_new(j, "archived", json_true());
	json_object_set_new(j, "archived_at", at < 0 ? json_null() : json_integer((json_int_t)at));
	return j;
}

/* The container's commits onto the session branch before it is shown; a
 * session that cannot be brought back is still listed, with a warning. */
static void sync_shown(struct cli *c, struct session *s)
{
	struct error e = ERROR_INIT;
	if (s->container && !strcmp(s->phase, "ready") && cli_sync(c, s, &e) < 0)
		cli_warn("%s%s%s", e.msg, e.hint[0] ? "; " : "", e.hint);
}

/* At most this many `git status` at once (for the sessions libgit2 cannot
 * read): enough to keep the cores busy while one waits on the disk, few
 * enough not to thrash them. */
#define LIST_JOBS 8

struct counting {
	const struct session *v;
	size_t n;
	int *ch;
};

static void *count_in_process(void *arg)
{
	struct counting *k = arg;
	wtstatus_count(k->v, k->n, k->ch);
	return NULL;
}

static int git_count_start(const struct cli *c, const struct session *s, struct changes_job *j)
{
	struct error e = ERROR_INIT;
	if (c->verbose)
		fprintf(stderr, "para: git status of '%s' (libgit2 cannot read its repository)\n", s->name);
	return session_changes_start(s, j, &e) == 0;
}

/* The changes of the sessions libgit2 could not count (ch[i] < 0), by git. */
static void count_by_git(const struct cli *c, const struct session *v, size_t n, int *ch)
{
	struct changes_job *jobs = xcalloc(n ? n : 1, sizeof *jobs);
	char *started = xcalloc(n ? n : 1, 1);
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		struct error e = ERROR_INIT;
		for (; next < n && next < i + LIST_JOBS; next++)
			started[next] = ch[next] < 0 && git_count_start(c, &v[next], &jobs[next]);
		if (started[i] && session_changes_finish(&jobs[i], &ch[i], &e) < 0)
			ch[i] = -1;
	}
	free(jobs);
	free(started);
}

/* Every session's commits brought back first (cheap unless there are new
 * ones), then their changes counted in-process beside the one engine call
 * for the container states; ch[i]: -1 unknown. */
static void list_gather(struct cli *c, struct session *v, size_t n, int *ch, struct states *st)
{
	struct counting k = { v, n, ch };
	pthread_t t;
	for (size_t i = 0; i < n; i++)
		sync_shown(c, &v[i]);
	int threaded = pthread_create(&t, NULL, count_in_process, &k) == 0;
	if (!threaded)
		count_in_process(&k);
	states_load(c, v, n, st);
	if (threaded)
		pthread_join(t, NULL);
	count_by_git(c, v, n, ch);
}

static void list_archived(struct cli *c, int quiet, json_t *arr)
{
	struct strvec refs = STRVEC_INIT;
	struct error err = ERROR_INIT;
	if (archive_list(&c->repo, &c->cfg, NULL, &refs, &err) < 0) {
		cli_warn("cannot list archived sessions: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < refs.nr; i++) {
		char *name = NULL, *stamp = NULL;
		if (archive_parse(&c->cfg, refs.v[i], &name, &stamp) < 0)
			continue;
		const char *branch = refs.v[i] + strlen("refs/heads/");
		if (arr)
			json_array_append_new(arr, archive_json(name, branch, stamp));
		else if (quiet)
			printf("%s\n", name);
		else
			printf("%-24s %-40s %-8s %-8s %s\n", name, branch, "-", "-", "archived");
		free(name);
		free(stamp);
	}
	strvec_clear(&refs);
}

/* One session: its name (-q), its JSON object (into arr), or its line. */
static void list_one(const struct session *s, const struct states *st, int ch, int quiet, json_t *arr)
{
	if (quiet && !arr) {
		printf("%s\n", s->name);
		return;
	}
	if (arr) {
		json_array_append_new(arr, session_json(s, st, ch));
		return;
	}
	char age[32], chs[16];
	if (ch < 0)
		snprintf(chs, sizeof chs, "?");
	else
		snprintf(chs, sizeof chs, "%d", ch);
	const char *state = container_state(s, st);
	printf("%-24s %-40s %-8s %-8s %s\n", s->name, s->branch, human_age(s->created, age, sizeof age), chs,
	       state ? state : "-");
}

int cmd_list(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	int all = 0, json = 0;
	const struct cli_bind opts[] = {
		{ "all", &all },
		{ "json", &json },
		CLI_BIND_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (cli_open(&c, &err) < 0) {
		cli_close(&c);
		return cli_fail(&err);
	}
	struct session *v;
	size_t n;
	if (state_list(&c.repo, &v, &n, &err) < 0) {
		cli_close(&c);
		return cli_fail(&err);
	}
	struct states st = { NULL, 0, 0, 0 };
	int *ch = xcalloc(n ? n : 1, sizeof *ch);
	if (json || !c.quiet)
		list_gather(&c, v, n, ch, &st);
	json_t *arr = json ? json_array() : NULL;
	if (!json && !c.quiet && (n || all))
		printf("%-24s %-40s %-8s %-8s %s\n", "NAME", "BRANCH", "AGE", "CHANGES", "CONTAINER");
	for (size_t i = 0; i < n; i++)
		list_one(&v[i], &st, ch[i], c.quiet, arr);
	free(ch);
	if (all)
		list_archived(&c, c.quiet, arr);
	if (json) {
		cli_print_json(arr);
		json_decref(arr);
	} else if (!n && !all) {
		cli_note(&c, "no sessions; 'para start NAME' creates one");
	}
	engine_list_free(st.v, st.n);
	state_list_free(v, n);
	cli_close(&c);
	return 0;
}

/* The spec hash a container session's labels carry, or NULL. */
static const char *session_spec_hash(const struct session *s)
{
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(s->container, "labels"), i, l)
		if (json_is_string(l) && !strncmp(json_string_value(l), "dev.para.spec=", 14))
			return json_string_value(l) + 14;
	return NULL;
}

/* An isolated session's network: the allowlist, the proxy's state, and
 * what it denied (from its log: docs/proxy.md). NULL for others. */
static json_t *isolation_json(struct cli *c, const struct session *s, const struct states *st)
{
	json_t *iso = s->container ? json_object_get(s->container, "isolation") : NULL;
	if (!iso)
		return NULL;
	char *sidecar = netpolicy_sidecar_name(json_str(s->container, "name"));
	const char *state = st->engine_ok ? "missing" : "unknown";
	for (size_t i = 0; st->engine_ok && i < st->n; i++)
		if (!strcmp(st->v[i].name, sidecar))
			state = st->v[i].state;
	json_t *j = json_pack("{s:O, s:O, s:s, s:s, s:n, s:n}", "allow", json_object_get(iso, "allow"), "egress",
			      json_object_get(iso, "egress"), "proxy", sidecar, "proxy_state", state, "denied",
			      "last_denials");
	struct strbuf log = STRBUF_INIT;
	struct error err = ERROR_INIT;
	if (st->engine_ok && strcmp(state, "missing") && netpolicy_log(&c->eng, json_str(s->container, "name"), &log, &err) == 0) {
		json_t *last = json_array();
		size_t n = 0;
		char *save = NULL;
		for (char *l = strtok_r(log.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (!strstr(l, " deny "))
				continue;
			n++;
			json_array_append_new(last, cli_json_str(l));
			if (json_array_size(last) > 5)
				json_array_remove(last, 0);
		}
		json_object_set_new(j, "denied", json_integer((json_int_t)n));
		json_object_set_new(j, "last_denials", last);
	}
	strbuf_release(&log);
	free(sidecar);
	return j;
}

static void isolation_text(const json_t *iso)
{
	size_t i;
	json_t *v;
	printf("network:    isolated, egress through %s, proxy %s (%s)\nallowed:   ", json_str(iso, "egress"),
	       json_str(iso, "proxy"), json_str(iso, "proxy_state"));
	json_array_foreach(json_object_get(iso, "allow"), i, v)
		printf(" %s", json_string_value(v));
	putchar('\n');
	if (json_is_null(json_object_get(iso, "denied")))
		return;
	printf("denied:     %lld\n", (long long)json_integer_value(json_object_get(iso, "denied")));
	json_array_foreach(json_object_get(iso, "last_denials"), i, v)
		printf("  %s\n", json_string_value(v));
}

static void status_json(const struct session *s, const struct states *st, int ch, json_t *iso)
{
	json_t *j = session_json(s, st, ch);
	json_object_set_new(j, "isolation", iso ? json_incref(iso) : json_null());
	json_object_set_new(j, "engine_reachable", st->asked ? json_boolean(st->engine_ok) : json_null());
	json_object_set_new(j, "spec_hash", cli_json_str(s->container ? session_spec_hash(s) : NULL));
	cli_print_json(j);
	json_decref(j);
}

static void status_text(const struct cli *c, const struct session *s, const struct states *st, int ch,
			const json_t *iso)
{
	char age[32];
	printf("session:    %s\nbranch:     %s\nworktree:   %s\nage:        %s\n", s->name, s->branch, s->worktree,
	       human_age(s->created, age, sizeof age));
	if (ch >= 0)
		printf("changes:    %d\n", ch);
	else
		printf("changes:    unknown (worktree missing?)\n");
	if (!s->container) {
		printf("container:  none (host session)\n");
		return;
	}
	printf("container:  %s (%s)\nimage:      %s\n", json_str(s->container, "name"), container_state(s, st),
	       json_str(s->container, "image"));
	if (session_spec_hash(s))
		printf("spec:       %s\n", session_spec_hash(s));
	if (iso)
		isolation_text(iso);
	printf("engine:     %s (%s)\n", st->engine_ok ? "reachable" : "not reachable", c->eng.cli);
}

int cmd_status(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	int json = 0, ret = 0;
	const struct cli_bind opts[] = {
		{ "json", &json },
		CLI_BIND_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	if (cli_open(&c, &err) < 0 || cli_session(&c, first < argc ? argv[first] : NULL, &s, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	struct states st = { NULL, 0, 0, 0 };
	int ch = -1;
	list_gather(&c, &s, 1, &ch, &st);
	json_t *iso = isolation_json(&c, &s, &st);
	if (json)
		status_json(&s, &st, ch, iso);
	else
		status_text(&c, &s, &st, ch, iso);
	json_decref(iso);
	engine_list_free(st.v, st.n);
out:
	session_clear(&s);
	cli_close(&c);
	return ret;
}

/* para logs NAME [--network]: the container's output, or its proxy's log. */
int cmd_logs(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct strbuf out = STRBUF_INIT;
	int network = 0, r = 0;
	const struct cli_bind opts[] = { { "network", &network }, CLI_BIND_END };
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	if (cli_open(&c, &err) < 0 || cli_session(&c, first < argc ? argv[first] : NULL, &s, &err) < 0)
		r = -1;
	const char *name = r == 0 && s.container ? json_str(s.container, "name") : NULL;
	if (r == 0 && !name)
		r = error_set(&err, PARA_EXIT_FAIL, "session '%s' is a host session: it has no container", s.name);
	if (r == 0 && network && !json_object_get(s.container, "isolation"))
		r = error_set(&err, PARA_EXIT_FAIL, "session '%s' is not isolated: it has no egress proxy", s.name);
	if (r == 0 && network) {
		r = netpolicy_log(&c.eng, name, &out, &err);
	} else if (r == 0) {
		struct strvec args = STRVEC_INIT;
		strvec_pushl(&args, "logs", name, NULL);
		r = engine_run(&c.eng, &args, &out, NULL, "cannot read the container's log", &err);
		strvec_clear(&args);
	}
	if (r == 0)
		fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	session_clear(&s);
	cli_close(&c);
	return r < 0 ? cli_fail(&err) : 0;
}
