/*
 * The session lifecycle (src/session/lifecycle.c) on host sessions in real
 * git repositories made with mkdtemp: start, cancel, recover, finish, and a
 * start that is interrupted rolling back exactly what it made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "session/git.h"
#include "session/lifecycle.h"
#include "session/state.h"
#include "util/fsutil.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct fixture {
	char root[64];
	struct repo repo;
	struct config cfg;
	struct engine eng;
	struct lifecycle lc;
};

static void sh(const char *dir, const char *cmd)
{
	char *full = xasprintf("cd '%s' && %s", dir, cmd);
	assert_int_equal(system(full), 0);
	free(full);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct error err = ERROR_INIT;
	snprintf(f->root, sizeof f->root, "%s/para-lc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	sh(f->root, "git init -q -b main . && git config user.email t@example.com && git config user.name T && "
		    "echo one >a.txt && git add a.txt && git commit -qm init");
	f->repo = (struct repo)REPO_INIT;
	f->cfg = (struct config)CONFIG_INIT;
	assert_int_equal(repo_discover(f->root, &f->repo, &err), 0);
	assert_int_equal(config_load(&f->cfg, f->repo.root, &err), 0);
	engine_init(&f->eng, &f->cfg);
	f->lc = (struct lifecycle){ &f->repo, &f->cfg, &f->eng, 0 };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct error err = ERROR_INIT;
	remove_tree(f->root, &err);
	repo_clear(&f->repo);
	config_clear(&f->cfg);
	engine_clear(&f->eng);
	free(f);
	return 0;
}

static struct start_request host_start(const char *name)
{
	return (struct start_request){ name, NULL, NULL, 0, NULL, NULL, sig_count(), NULL, NULL, NULL };
}

static int branch_exists(struct fixture *f, const char *ref)
{
	return git_ref_exists(f->repo.root, ref);
}

static void test_start_cancel_recover_finish(void **state)
{
	struct fixture *f = *state;
	struct session s = { 0 };
	struct error err = ERROR_INIT;
	struct start_request rq = host_start("s1");
	assert_int_equal(lifecycle_start(&f->lc, &rq, &s, &err), 0);
	assert_string_equal(s.phase, "ready");
	assert_true(is_dir(s.worktree));
	assert_true(branch_exists(f, "refs/heads/para/s1"));
	sh(s.worktree, "echo work >b.txt");
	session_clear(&s);

	/* cancel archives the uncommitted file and removes the session */
	char *ref = NULL;
	assert_int_equal(session_lock(&f->repo, "s1", &s, &err), 0);
	assert_int_equal(state_load(&f->repo, "s1", &s, &err), 0);
	assert_int_equal(lifecycle_cancel(&f->lc, &s, &ref, &err), 0);
	assert_false(is_dir(s.worktree));
	assert_false(state_exists(&f->repo, "s1"));
	assert_false(branch_exists(f, "refs/heads/para/s1"));
	session_clear(&s);

	/* recover brings it back, the file with it */
	char *newest = NULL;
	int files = 0;
	assert_int_equal(lifecycle_newest_archive(&f->lc, "s1", &newest, &err), 0);
	assert_non_null(strstr(newest, ref)); /* the full ref of the short name cancel gave */
	assert_int_equal(lifecycle_recover(&f->lc, newest, &s, &files, &err), 0);
	assert_int_equal(files, 1);
	char *b = path_join(s.worktree, "b.txt");
	assert_true(path_exists(b));
	free(b);
	session_clear(&s);

	/* finish commits it on the branch and removes the worktree */
	struct finish_result res;
	assert_int_equal(session_lock(&f->repo, "s1", &s, &err), 0);
	assert_int_equal(state_load(&f->repo, "s1", &s, &err), 0);
	assert_int_equal(lifecycle_finish(&f->lc, &s, "the work", NULL, &res, &err), 0);
	assert_true(res.committed);
	assert_true(strlen(res.head) >= 7);
	assert_false(is_dir(s.worktree));
	assert_false(state_exists(&f->repo, "s1"));
	sh(f->root, "test \"$(git show para/s1:b.txt)\" = work");
	session_clear(&s);
	free(ref);
	free(newest);
}

/* A signal during the start: exactly what it made goes, nothing else. */
static void test_interrupted_start_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct session s = { 0 }, other = { 0 };
	struct error err = ERROR_INIT;
	struct start_request keep = host_start("keep");
	assert_int_equal(lifecycle_start(&f->lc, &keep, &other, &err), 0);
	struct start_request rq = host_start("cut");
	raise(SIGTERM); /* para's handler records it (sig_setup) */
	assert_int_equal(lifecycle_start(&f->lc, &rq, &s, &err), -1);
	assert_int_equal(err.code, 128 + SIGTERM);
	assert_false(state_exists(&f->repo, "cut"));
	assert_false(branch_exists(f, "refs/heads/para/cut"));
	char *wt = path_join(f->repo.para_dir, "worktrees/cut");
	assert_false(path_exists(wt));
	free(wt);
	/* the other session is untouched */
	assert_true(state_exists(&f->repo, "keep"));
	assert_true(is_dir(other.worktree));
	session_clear(&s);
	session_clear(&other);
}

int main(void)
{
	sig_setup();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_cancel_recover_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_start_rolls_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
