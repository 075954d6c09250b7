/* para cancel / para recover: parse, lock, call the lifecycle, print */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "session/lifecycle.h"
#include "session/names.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "util/banned.h"

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

/* Ask before archiving, unless -f; 1: go on. */
static int cancel_confirmed(struct cli *c, const struct session *s, int force, struct error *err)
{
	if (force)
		return 1;
	if (isatty(0) && engine_gate(c, s, err) < 0)
		return -1; /* do not ask a question we cannot act on */
	char *q = xasprintf("archive session '%s' and remove its worktree%s?", s->name,
			    s->container ? " and container" : "");
	int yes = confirm(q);
	free(q);
	return yes;
}

int cmd_cancel(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	char *ref = NULL;
	int force = 0, ret = 0;
	const struct cli_bind opts[] = {
		{ "force", &force },
		CLI_BIND_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	int yes = 0;
	if (cli_open(&c, &err) == 0 && cli_session_locked(&c, first < argc ? argv[first] : NULL, &s, &err) == 0)
		yes = cancel_confirmed(&c, &s, force, &err);
	struct lifecycle lc = CLI_LIFECYCLE(&c);
	if (yes > 0 && lifecycle_cancel(&lc, &s, &ref, &err) == 0) {
		printf("cancelled %s: work archived in %s ('para recover %s' brings it back)\n", s.name, ref, s.name);
	} else if (yes == 0 && !err.code) {
		cli_note(&c, "nothing changed");
		ret = 1;
	} else {
		ret = cli_fail(&err);
	}
	free(ref);
	session_clear(&s);
	cli_close(&c);
	return ret;
}

/* Its container back, when it had one: a failure here loses nothing. */
static void recover_container(struct cli *c, struct session *s)
{
	struct container_spec spec = CONTAINER_SPEC_INIT;
	struct error e2 = ERROR_INIT;
	if (cli_session_spec(c, s, &spec, &e2) < 0 || cli_container_up(c, s, &spec, NULL, &e2) < 0)
		cli_warn("container not re-created (%s); 'para resume %s' will do it", e2.msg, s->name);
	spec_clear(&spec);
}

int cmd_recover(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	char *ref = NULL;
	const char *name = NULL;
	int ret = 0, files = 0;
	const struct cli_bind opts[] = { CLI_BIND_END };
	int first = cli_parse(&c, "recover", argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0)
		return -first;
	name = first < argc ? argv[first] : NULL;
	if (name && name_validate(name, &err) < 0)
		return cli_fail(&err);
	struct lifecycle lc = CLI_LIFECYCLE(&c);
	if (cli_open(&c, &err) < 0 || lifecycle_newest_archive(&lc, name, &ref, &err) < 0 ||
	    lifecycle_recover(&lc, ref, &s, &files, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		if (s.container)
			recover_container(&c, &s);
		printf("recovered %s: branch %s, worktree %s, %d uncommitted file%s restored\n", s.name, s.branch,
		       s.worktree, files, files == 1 ? "" : "s");
	}
	free(ref);
	session_clear(&s);
	cli_close(&c);
	return ret;
}
