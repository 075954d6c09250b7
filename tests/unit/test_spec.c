/*
 * Session names (src/session/names.h) and the container spec
 * (src/container/spec.h): the name rule, generated and sanitised names,
 * container names, spec_resolve from a config, rendering to engine argv
 * (where no secret value may appear), the saved JSON form, and the hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "container/envres.h"
#include "container/mounts.h"
#include "container/spec.h"
#include "session/agentgit.h"
#include "session/names.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define SECRET_VALUE "sk-ant-api03-TOPSECRET-9f8e7d"
#define SECRET_VALUE2 "ghp_ALSOSECRET_1234567890"

/* the env file spec_render_run hands the engine on stdin */
static struct strbuf run_in = STRBUF_INIT;

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/para-test-spec-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* config_load reads only the defaults: no user file, no PARA_CONFIG */
	char *xdg = xasprintf("%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("PARA_CONFIG");
	free(xdg);
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	return remove_tree(tmpdir, &err);
}

/* ---- names -------------------------------------------------------------- */

static void test_name_rule(void **state)
{
	(void)state;
	char max[64], over[65];
	memset(max, 'a', 63);
	max[63] = '\0';
	memset(over, 'a', 64);
	over[64] = '\0';
	static const char *const valid[] = {
		"a", "0", "z9", "fix-login", "feature_x", "v1.2", "a.b.c", "a-", "a_", "0-0", "abc.lockx",
		"lock", "a--b", "a__b", "x.lock.y",
	};
	static const char *const invalid[] = {
		"", "-a", ".a", "_a", "A", "Fix", "a b", "a/b", "a\\b", "a:b", "a~b", "a^b", "a*b", "a?b",
		"a[b", "a@b", "a..b", "..", "a.lock", "x.y.lock", "a.", "a\tb", "a\nb", "caf\xc3\xa9", "\xc3\xa9",
	};
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
		if (!name_is_valid(valid[i]))
			fail_msg("'%s' should be a valid session name", valid[i]);
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
		if (name_is_valid(invalid[i]))
			fail_msg("'%s' should be refused", invalid[i]);
	assert_true(name_is_valid(max));
	assert_false(name_is_valid(over));

	/* every single byte: only [a-z0-9] may start a name; ._- may follow */
	for (int c = 1; c < 256; c++) {
		char one[2] = { (char)c, 0 }, two[3] = { 'a', (char)c, 0 };
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (name_is_valid(one) != alnum)
			fail_msg("byte 0x%02x alone: valid=%d", c, name_is_valid(one));
		/* (a trailing '.' is refused as well) */
		int follow = alnum || c == '_' || c == '-';
		if (name_is_valid(two) != follow)
			fail_msg("byte 0x%02x after 'a': valid=%d", c, name_is_valid(two));
	}
}

static void test_name_validate(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	assert_int_equal(name_validate("good-name", &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(name_validate("Bad Name", &err), -1);
	assert_int_equal(err.code, PARA_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "'Bad Name'"));
	assert_non_null(strstr(err.hint, "1-63 characters"));
	assert_non_null(strstr(err.hint, "a-z, 0-9"));
}

static void test_name_generate(void **state)
{
	(void)state;
	struct strvec seen = STRVEC_INIT;
	size_t distinct = 0;
	for (unsigned long seed = 0; seed < 3000; seed++) {
		char *n = name_generate(seed * 2654435761UL);
		if (!name_is_valid(n))
			fail_msg("generated name '%s' (seed %lu) is not valid", n, seed);
		/* adjective-noun */
		const char *dash = strchr(n, '-');
		assert_non_null(dash);
		assert_null(strchr(dash + 1, '-'));
		assert_true(dash > n && dash[1]);
		if (strvec_find(&seen, n) < 0) {
			strvec_push(&seen, n);
			distinct++;
		}
		free(n);
	}
	/* 48 x 48 combinations: 3000 seeds should reach most of them */
	assert_true(distinct > 1500);
	/* the same seed, the same name; neighbouring seeds differ */
	char *a = name_generate(42), *b = name_generate(42), *c = name_generate(43);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a), free(b), free(c);
	strvec_clear(&seen);
}

static int engine_name_ok(const char *s)
{
	/* Docker's rule for object names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
		if (!alnum && (p == s || (*p != '_' && *p != '.' && *p != '-')))
			return 0;
	}
	return 1;
}

static void test_name_sanitize(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "myrepo", "myrepo" },
		{ "My Repo", "my-repo" },
		{ "UPPER.case_ok-1", "upper.case_ok-1" },
		{ "a/b\\c", "a-b-c" },
		{ "a   b", "a-b" },
		{ "__init", "init" },
		{ "-.-x", "x" },
		{ "", "repo" },
		{ "---", "repo" },
		{ "\xc3\xa9t\xc3\xa9", "t-" },
		{ "!!!", "repo" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = name_sanitize(cases[i].in);
		if (strcmp(got, cases[i].want))
			fail_msg("name_sanitize('%s') = '%s', want '%s'", cases[i].in, got, cases[i].want);
		free(got);
	}
	char long_in[200];
	memset(long_in, 'x', sizeof long_in - 1);
	long_in[sizeof long_in - 1] = '\0';
	char *got = name_sanitize(long_in);
	assert_int_equal(strlen(got), 40);
	free(got);

	/* any input gives an engine-safe, lowercase, non-empty name */
	srand(7);
	for (int i = 0; i < 2000; i++) {
		char in[64];
		size_t n = (size_t)(rand() % 63);
		for (size_t j = 0; j < n; j++)
			in[j] = (char)(1 + rand() % 255);
		in[n] = '\0';
		char *s = name_sanitize(in);
		if (!engine_name_ok(s) || strlen(s) > 40)
			fail_msg("name_sanitize gave '%s'", s);
		for (const char *p = s; *p; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		free(s);
	}
}

/* ---- container names ---------------------------------------------------- */

static void test_container_name(void **state)
{
	(void)state;
	char *a = spec_container_name("/home/u/work/app", "s1");
	char *b = spec_container_name("/home/u/other/app", "s1");
	char *a2 = spec_container_name("/home/u/work/app", "s1");
	char *a3 = spec_container_name("/home/u/work/app", "s2");
	/* same basename, different repositories: different containers */
	assert_string_not_equal(a, b);
	assert_string_equal(a, a2);
	assert_string_not_equal(a, a3);
	assert_int_equal(strncmp(a, "para-app-", 9), 0);
	assert_string_equal(a + strlen(a) - 3, "-s1");
	assert_true(engine_name_ok(a));
	assert_true(engine_name_ok(b));

	char *odd = spec_container_name("/srv/My Project (copy)", "fix.login_2");
	assert_true(engine_name_ok(odd));
	assert_int_equal(strncmp(odd, "para-my-project-copy-", 21), 0);
	free(a), free(b), free(a2), free(a3), free(odd);
}

/* ---- resolve ------------------------------------------------------------ */

static struct spec_git test_git = {
	.dir = (char *)"/home/u/src/app/.para/git/s1",
	.link = (char *)"/home/u/src/app/.para/git/s1.link",
	.repo_git_dir = (char *)"/home/u/src/app/.git",
	.objects = { .v = (char *[]){ (char *)"/home/u/src/app/.git/objects", NULL }, .nr = 1 },
};

static struct spec_inputs inputs(void)
{
	struct spec_inputs in = {
		.repo_root = "/home/u/src/app",
		.git = &test_git,
		.session = "s1",
		.worktree = "/home/u/src/app/.para/worktrees/s1",
		.image = NULL,
		.uid = 1234,
		.gid = 5678,
		.version = "0.1.0",
	};
	return in;
}

/* Defaults plus an optional layer. */
static void load_cfg(struct config *cfg, const char *layer)
{
	struct error err = ERROR_INIT;
	if (config_load(cfg, NULL, &err) < 0)
		fail_msg("config_load: %s", err.msg);
	if (layer && config_merge_text(cfg, "test.json", layer, &err) < 0)
		fail_msg("config layer: %s", err.msg);
}

static void resolve(const char *layer, const struct spec_inputs *in, struct container_spec *s)
{
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_cfg(&cfg, layer);
	if (spec_resolve(&cfg, in, s, &err) < 0)
		fail_msg("spec_resolve: %s", err.msg);
	config_clear(&cfg);
}

/* The mount at dst / the variable key; fails the test when missing. */
static const struct spec_mount *mount_at(const struct container_spec *s, const char *dst)
{
	static const struct spec_mount none = { .src = "(none)", .dst = "(none)", .ro = -1 };
	for (size_t i = 0; i < s->nmounts; i++)
		if (!strcmp(s->mounts[i].dst, dst))
			return &s->mounts[i];
	fail_msg("no mount at '%s'", dst);
	return &none;
}

static const struct spec_env *env_of(const struct container_spec *s, const char *key)
{
	static const struct spec_env none = { .key = "(none)", .value = "(none)", .source = "(none)", .secret = -1 };
	for (size_t i = 0; i < s->nenv; i++)
		if (!strcmp(s->env[i].key, key))
			return &s->env[i];
	fail_msg("no variable '%s'", key);
	return &none;
}

static const char *label(const struct container_spec *s, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < s->labels.nr; i++)
		if (!strncmp(s->labels.v[i], key, n) && s->labels.v[i][n] == '=')
			return s->labels.v[i] + n + 1;
	return NULL;
}

static int is_hex32(const char *h)
{
	if (strlen(h) != 32)
		return 0;
	for (; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

static void test_resolve_defaults(void **state)
{
	(void)state;
	struct spec_inputs in = inputs();
	struct container_spec s = CONTAINER_SPEC_INIT;
	resolve(NULL, &in, &s);

	char *want_name = spec_container_name(in.repo_root, in.session);
	assert_string_equal(s.name, want_name);
	free(want_name);
	assert_string_equal(s.image, "para-authenticated:latest");
	/* the worktree at /workspace rw; the repository's git directory is
	 * never mounted: the agent's own one is, with the objects read-only and
	 * the worktree's .git file covered by a read-only pointer to it */
	const struct spec_mount *ws = mount_at(&s, SPEC_WORKDIR);
	assert_string_equal(ws->src, in.worktree);
	assert_false(ws->ro);
	for (size_t i = 0; i < s.nmounts; i++)
		assert_string_not_equal(s.mounts[i].src, "/home/u/src/app/.git");
	const struct spec_mount *gl = mount_at(&s, SPEC_WORKDIR "/.git");
	assert_string_equal(gl->src, test_git.link);
	assert_true(gl->ro);
	const struct spec_mount *ag = mount_at(&s, AGENTGIT_DIR);
	assert_string_equal(ag->src, test_git.dir);
	assert_false(ag->ro);
	const struct spec_mount *ob = mount_at(&s, "/home/u/src/app/.git/objects");
	assert_string_equal(ob->src, "/home/u/src/app/.git/objects");
	assert_true(ob->ro);
	for (size_t i = 0; i < s.nmounts; i++)
		assert_true(s.mounts[i].ro || !strncmp(s.mounts[i].src, "/home/u/src/app/.para/", 22));
	/* labels */
	assert_string_equal(label(&s, "dev.para.session"), "s1");
	assert_string_equal(label(&s, "dev.para.repo"), "/home/u/src/app");
	assert_string_equal(label(&s, "dev.para.version"), "0.1.0");
	const char *h = label(&s, "dev.para.spec");
	assert_non_null(h);
	assert_true(is_hex32(h));
	char hash[33];
	spec_hash(&s, hash);
	assert_string_equal(h, hash); /* the label is the spec's hash */
	/* user: the host's ids, with a passwd entry */
	assert_string_equal(s.user, "1234:5678");
	assert_true(s.add_passwd);
	/* environment and limits */
	assert_string_equal(env_of(&s, "PARA_SESSION")->value, "s1");
	assert_string_equal(env_of(&s, "PARA_WORKSPACE")->value, SPEC_WORKDIR);
	assert_false(env_of(&s, "PARA_SESSION")->secret);
	assert_int_equal(s.pids_limit, 4096);
	assert_null(s.memory);
	assert_null(s.cpus);
	assert_string_equal(s.network, "bridge");
	assert_int_equal(s.extra_args.nr, 0);
	spec_clear(&s);
	assert_null(s.name);

	/* --docker-image wins over the config */
	in.image = "alpine:3.20";
	resolve(NULL, &in, &s);
	assert_string_equal(s.image, "alpine:3.20");
	spec_clear(&s);
	in.image = NULL;
	resolve("{\"docker\": {\"default_image\": \"my/img:1\"}}", &in, &s);
	assert_string_equal(s.image, "my/img:1");
	spec_clear(&s);
}

static void test_resolve_user(void **state)
{
	(void)state;
	struct spec_inputs in = inputs();
	struct container_spec s = CONTAINER_SPEC_INIT;

	resolve("{\"docker\": {\"user\": \"host\"}}", &in, &s);
	assert_string_equal(s.user, "1234:5678");
	assert_true(s.add_passwd);
	spec_clear(&s);

	resolve("{\"docker\": {\"user\": \"image\"}}", &in, &s);
	assert_null(s.user); /* keep the image's user */
	assert_false(s.add_passwd);
	spec_clear(&s);

	resolve("{\"docker\": {\"user\": \"1000:1000\"}}", &in, &s);
	assert_string_equal(s.user, "1000:1000");
	spec_clear(&s);

	in.uid = 0;
	in.gid = 0;
	resolve(NULL, &in, &s);
	assert_string_equal(s.user, "0:0");
	spec_clear(&s);
	in = inputs();

	static const char *const bad[] = { "abc", "1000", "1000:", ":1000", "10:20:30", "-1:0", "1000:abc", " 1:2", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config cfg = CONFIG_INIT;
		struct error err = ERROR_INIT;
		char *layer = xasprintf("{\"docker\": {\"user\": \"%s\"}}", bad[i]);
		load_cfg(&cfg, layer);
		if (spec_resolve(&cfg, &in, &s, &err) == 0)
			fail_msg("docker.user '%s' was accepted", bad[i]);
		assert_int_equal(err.code, PARA_EXIT_CONFIG);
		char *quoted = xasprintf("'%s'", bad[i]);
		assert_non_null(strstr(err.msg, quoted));
		assert_non_null(strstr(err.msg, "docker.user"));
		free(quoted);
		free(layer);
		spec_clear(&s);
		config_clear(&cfg);
	}
}

static void test_resolve_resources(void **state)
{
	(void)state;
	struct spec_inputs in = inputs();
	struct container_spec s = CONTAINER_SPEC_INIT;
	resolve("{\"docker\": {\"resources\": {\"memory\": \"2g\", \"cpus\": 1.5, \"pids_limit\": 100,"
		" \"gpus\": \"all\", \"shm_size\": \"1g\"}, \"network\": {\"mode\": \"none\"},"
		" \"docker_args\": [\"--cap-drop\", \"ALL\"]}}",
		&in, &s);
	assert_string_equal(s.memory, "2g");
	assert_string_equal(s.cpus, "1.5");
	assert_string_equal(s.gpus, "all");
	assert_string_equal(s.shm_size, "1g");
	assert_int_equal(s.pids_limit, 100);
	assert_string_equal(s.network, "none");
	assert_int_equal(s.extra_args.nr, 2);
	assert_string_equal(s.extra_args.v[1], "ALL");
	spec_clear(&s);

	resolve("{\"docker\": {\"resources\": {\"cpus\": 2, \"pids_limit\": null}}}", &in, &s);
	assert_string_equal(s.cpus, "2");
	assert_int_equal(s.pids_limit, 0);
	spec_clear(&s);
}

/* ---- rendering ---------------------------------------------------------- */

static long arg_index(const struct strvec *args, const char *a)
{
	return strvec_find(args, a);
}

/* Index of the first arg that contains needle anywhere, or -1. */
static long arg_containing(const struct strvec *args, const char *needle)
{
	for (size_t i = 0; i < args->nr; i++)
		if (strstr(args->v[i], needle))
			return (long)i;
	return -1;
}

static void assert_pair(const struct strvec *args, const char *flag, const char *value)
{
	for (size_t i = 0; i + 1 < args->nr; i++)
		if (!strcmp(args->v[i], flag) && !strcmp(args->v[i + 1], value))
			return;
	fail_msg("no '%s %s' in the arguments", flag, value);
}

/* A spec as cmd_start would have it: resolved, plus variables from
 * several sources, one of them secret. */
static void full_spec(struct container_spec *s, const char *layer)
{
	struct spec_inputs in = inputs();
	resolve(layer, &in, s);
	spec_add_env(s, "ANTHROPIC_API_KEY", SECRET_VALUE, "host", 1);
	spec_add_env(s, "GH_TOKEN", SECRET_VALUE2, ".env", 1);
	spec_add_env(s, "NODE_ENV", "development", "-e", 0);
	spec_add_env(s, "UNSET_ON_HOST", NULL, "-e", 0);
	spec_add_mount(s, "npm-cache", "/home/para/.npm", 0);
	spec_add_mount(s, "/home/u/ref", "/ref", 1);
}

static void assert_no_secret(const struct strvec *args, const char *what)
{
	static const char *const secrets[] = { SECRET_VALUE, SECRET_VALUE2, "TOPSECRET", "ALSOSECRET" };
	for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++) {
		long i = arg_containing(args, secrets[k]);
		if (i >= 0)
			fail_msg("%s: argument %ld ('%s') holds a secret value", what, i, args->v[i]);
	}
}

static void test_render_run(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	full_spec(&s, "{\"docker\": {\"docker_args\": [\"--cap-drop\", \"ALL\"], \"resources\": {\"memory\": \"2g\"}}}");
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);

	assert_string_equal(args.v[0], "run");
	/* attached (para reads the ready mark, then lets go of the CLI), and
	 * never a pull of its own */
	assert_true(arg_index(&args, "--sig-proxy=false") > 0);
	assert_int_equal(arg_index(&args, "--detach"), -1);
	assert_true(arg_index(&args, "--pull=never") > 0);
	assert_true(arg_index(&args, "--init") > 0);
	assert_pair(&args, "--security-opt", "no-new-privileges");
	assert_true(arg_index(&args, "--pids-limit=4096") > 0);
	assert_true(arg_index(&args, "--memory=2g") > 0);
	assert_pair(&args, "--add-host", "host.docker.internal:host-gateway");
	assert_pair(&args, "--name", s.name);
	assert_pair(&args, "--workdir", SPEC_WORKDIR);
	assert_pair(&args, "--label", "dev.para.session=s1");
	assert_pair(&args, "--label", "dev.para.repo=/home/u/src/app");
	assert_true(arg_containing(&args, "dev.para.spec=") > 0);
	assert_true(arg_containing(&args, "dev.para.version=0.1.0") > 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/src/app/.para/worktrees/s1,target=/workspace") > 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/src/app/.para/git/s1.link,target=/workspace/.git,"
				     "readonly") > 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/src/app/.para/git/s1,target=/para/git") > 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/src/app/.git/objects,"
				     "target=/home/u/src/app/.git/objects,readonly") > 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/src/app/.git,target=/home/u/src/app/.git") < 0);
	assert_true(arg_index(&args, "--mount=type=bind,source=/home/u/ref,target=/ref,readonly") > 0);
	assert_true(arg_index(&args, "--env=PARA_SESSION=s1") > 0);
	assert_true(arg_index(&args, "--user=0:0") > 0); /* root only to set up the passwd entry */
	assert_int_equal(arg_index(&args, "--network=bridge"), -1);
	/* raw docker_args come after para's own flags, before the image */
	long img = arg_index(&args, s.image);
	long cap = arg_index(&args, "--cap-drop");
	assert_true(img > 0);
	assert_true(cap > arg_index(&args, "--init"));
	assert_true(cap > arg_index(&args, "--pids-limit=4096"));
	assert_true(cap < img);
	assert_string_equal(args.v[cap + 1], "ALL");
	/* no secret value in any argument (where variables go is checked by
	 * test_render_env) */
	assert_no_secret(&args, "run");
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);

	/* other network modes are passed on; pids_limit null means no flag */
	full_spec(&s, "{\"docker\": {\"network\": {\"mode\": \"none\"}, \"resources\": {\"pids_limit\": null}}}");
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
	assert_true(arg_index(&args, "--network=none") > 0);
	assert_int_equal(arg_containing(&args, "--pids-limit"), -1);
	assert_true(arg_index(&args, "--init") > 0);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);

	/* docker.user "image": the container runs as the image's user */
	full_spec(&s, "{\"docker\": {\"user\": \"image\"}}");
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
	assert_int_equal(arg_containing(&args, "--user"), -1);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
}

static void test_render_exec(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	full_spec(&s, NULL);
	static const char *const cmd[] = { "claude", "--print", "hello world", NULL };
	for (int mode = 0; mode < 4; mode++) {
		int interactive = mode & 1, tty = (mode >> 1) & 1;
		struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
		spec_render_exec(&s, interactive, tty, NULL, cmd, &args, &env);
		assert_string_equal(args.v[0], "exec");
		assert_int_equal(arg_index(&args, "--interactive") > 0, interactive);
		assert_int_equal(arg_index(&args, "--tty") > 0, tty);
		assert_true(arg_index(&args, "--user=1234:5678") > 0);
		assert_pair(&args, "--workdir", SPEC_WORKDIR);
		long name = arg_index(&args, s.name);
		assert_true(name > 0);
		/* the command comes last, as given */
		assert_true(args.nr >= 3);
		assert_string_equal(args.v[args.nr - 3], "claude");
		assert_string_equal(args.v[args.nr - 2], "--print");
		assert_string_equal(args.v[args.nr - 1], "hello world");
		assert_true((size_t)name < args.nr - 3);

		/* no secret value in any argument, anywhere */
		assert_no_secret(&args, "exec");
		/* engine options (any -e KEY) come before the container name */
		long e = arg_index(&args, "-e");
		assert_true(e < name);
		strvec_clear(&args);
		strvec_clear(&env);
	}
	spec_clear(&s);

	/* docker.user "image": no --user, no passwd wait wrapper */
	full_spec(&s, "{\"docker\": {\"user\": \"image\"}}");
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	spec_render_exec(&s, 0, 0, NULL, cmd, &args, &env);
	assert_int_equal(arg_containing(&args, "--user"), -1);
	assert_string_equal(args.v[args.nr - 4], s.name);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
}

/* In the (run or exec) rendering that carries KEY: "-e KEY" in its args and
 * KEY=VALUE in its env vector. Returns how many renderings carry it. */
static int carried(const struct strvec *args, const struct strvec *env, const char *key, const char *value)
{
	char *kv = xasprintf("%s=%s", key, value);
	int in_env = strvec_find(env, kv) >= 0;
	int flagged = 0;
	for (size_t i = 0; i + 1 < args->nr; i++)
		if ((!strcmp(args->v[i], "-e") || !strcmp(args->v[i], "--env")) && !strcmp(args->v[i + 1], key))
			flagged = 1;
	if (in_env && !flagged)
		fail_msg("%s is in the engine's environment but no '-e %s' passes it on", key, key);
	if (flagged && !in_env)
		fail_msg("'-e %s' without %s in the engine's environment", key, kv);
	free(kv);
	return in_env;
}

/* Every variable added with spec_add_env reaches the container (through
 * run or through each exec), always as "-e KEY" plus KEY=VALUE in the
 * engine CLI's environment; no value ever appears in an argument. */
static void test_render_env(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	full_spec(&s, NULL);
	static const char *const cmd[] = { "sh", NULL };
	struct strvec ra = STRVEC_INIT, re = STRVEC_INIT, ea = STRVEC_INIT, ee = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &ra, &re, &run_in);
	spec_render_exec(&s, 1, 1, NULL, cmd, &ea, &ee);
	assert_no_secret(&ra, "run");
	assert_no_secret(&ea, "exec");
	static const struct {
		const char *key, *value;
	} vars[] = {
		{ "ANTHROPIC_API_KEY", SECRET_VALUE },
		{ "GH_TOKEN", SECRET_VALUE2 },
		{ "NODE_ENV", "development" },
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		char *line = xasprintf("%s=%s\n", vars[i].key, vars[i].value);
		int in_file = strstr(run_in.buf, line) != NULL && arg_index(&ra, "--env-file=/dev/stdin") > 0;
		free(line);
		int n = in_file + carried(&ra, &re, vars[i].key, vars[i].value) + carried(&ea, &ee, vars[i].key, vars[i].value);
		if (n == 0)
			fail_msg("%s reaches the container neither through run nor through exec", vars[i].key);
		/* values never become the engine CLI's own environment at run */
		for (size_t j = 0; j < re.nr; j++)
			if (!strncmp(re.v[j], vars[i].key, strlen(vars[i].key)))
				fail_msg("%s is in the engine CLI's environment", vars[i].key);
	}
	/* a variable with no value is not passed at all */
	assert_int_equal(arg_containing(&ra, "UNSET_ON_HOST"), -1);
	assert_int_equal(arg_containing(&ea, "UNSET_ON_HOST"), -1);
	for (size_t i = 0; i < re.nr; i++)
		assert_null(strstr(re.v[i], "UNSET_ON_HOST"));
	for (size_t i = 0; i < ee.nr; i++)
		assert_null(strstr(ee.v[i], "UNSET_ON_HOST"));
	/* para's own variables are in the container: PARA_SESSION, PARA_WORKSPACE */
	assert_true(arg_index(&ra, "--env=PARA_SESSION=s1") > 0 || carried(&ra, &re, "PARA_SESSION", "s1") ||
		    carried(&ea, &ee, "PARA_SESSION", "s1"));
	assert_true(arg_index(&ra, "--env=PARA_WORKSPACE=" SPEC_WORKDIR) > 0 ||
		    carried(&ra, &re, "PARA_WORKSPACE", SPEC_WORKDIR) || carried(&ea, &ee, "PARA_WORKSPACE", SPEC_WORKDIR));
	strvec_clear(&ra), strvec_clear(&re), strvec_clear(&ea), strvec_clear(&ee);
	spec_clear(&s);
}

/* A variable for one exec only (exec/shell/resume -e): in that exec's
 * environment, not in the container's run, not in the saved spec. */
static void test_render_env_at_exec(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	full_spec(&s, NULL);
	spec_set_env(&s, "ONE_SHOT_TOKEN", "one-shot-" SECRET_VALUE, 1, "-e", 1, 1);
	static const char *const cmd[] = { "sh", NULL };
	struct strvec ra = STRVEC_INIT, re = STRVEC_INIT, ea = STRVEC_INIT, ee = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &ra, &re, &run_in);
	spec_render_exec(&s, 0, 0, NULL, cmd, &ea, &ee);
	assert_no_secret(&ra, "run");
	assert_no_secret(&ea, "exec");
	assert_true(carried(&ea, &ee, "ONE_SHOT_TOKEN", "one-shot-" SECRET_VALUE));
	assert_false(carried(&ra, &re, "ONE_SHOT_TOKEN", "one-shot-" SECRET_VALUE));
	assert_null(strstr(run_in.buf, "ONE_SHOT_TOKEN"));
	json_t *j = spec_to_json(&s);
	char *txt = json_dumps(j, 0);
	assert_null(strstr(txt, "TOPSECRET"));
	free(txt);
	json_decref(j);
	strvec_clear(&ra), strvec_clear(&re), strvec_clear(&ea), strvec_clear(&ee);
	spec_clear(&s);
}

/* ---- JSON form and hash ------------------------------------------------- */

static void test_json_has_no_secret(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	full_spec(&s, NULL);
	json_t *j = spec_to_json(&s);
	char *txt = json_dumps(j, JSON_INDENT(2));
	assert_null(strstr(txt, "TOPSECRET"));
	assert_null(strstr(txt, "ALSOSECRET"));
	/* the keys are kept (so resume can resolve them again), marked secret */
	assert_non_null(strstr(txt, "ANTHROPIC_API_KEY"));
	size_t i;
	json_t *e;
	int found = 0;
	json_array_foreach(json_object_get(j, "env"), i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "key")), "ANTHROPIC_API_KEY")) {
			found = 1;
			assert_true(json_is_true(json_object_get(e, "secret")));
			assert_null(json_object_get(e, "value"));
			assert_string_equal(json_string_value(json_object_get(e, "source")), "host");
		}
	}
	assert_true(found);
	free(txt);
	json_decref(j);
	spec_clear(&s);
}

/* Drop every "-e KEY" pair from args. */
static void without_env_flags(struct strvec *args)
{
	struct strvec kept = STRVEC_INIT;
	for (size_t i = 0; i < args->nr; i++) {
		if (!strcmp(args->v[i], "-e") && i + 1 < args->nr) {
			i++;
			continue;
		}
		if (!strcmp(args->v[i], "--env-file=/dev/stdin"))
			continue; /* values (resolved again) come on stdin */
		strvec_push(&kept, args->v[i]);
	}
	strvec_clear(args);
	*args = kept;
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct container_spec x = CONTAINER_SPEC_INIT, y = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	full_spec(&x, "{\"docker\": {\"docker_args\": [\"--cap-drop\", \"ALL\"],"
		      " \"resources\": {\"memory\": \"2g\", \"cpus\": 1.5, \"shm_size\": \"256m\"}}}");
	json_t *j1 = spec_to_json(&x);
	assert_int_equal(spec_from_json(j1, &y, &err), 0);
	json_t *j2 = spec_to_json(&y);
	if (!json_equal(j1, j2)) {
		char *a = json_dumps(j1, JSON_SORT_KEYS), *b = json_dumps(j2, JSON_SORT_KEYS);
		fail_msg("round trip differs:\n%s\n%s", a, b);
	}
	assert_string_equal(y.name, x.name);
	assert_string_equal(y.image, x.image);
	assert_string_equal(y.user, x.user);
	assert_int_equal(y.add_passwd, x.add_passwd);
	assert_int_equal(y.nmounts, x.nmounts);
	for (size_t i = 0; i < x.nmounts; i++) {
		assert_string_equal(y.mounts[i].src, x.mounts[i].src);
		assert_string_equal(y.mounts[i].dst, x.mounts[i].dst);
		assert_int_equal(y.mounts[i].ro, x.mounts[i].ro);
	}
	assert_int_equal(y.labels.nr, x.labels.nr);
	for (size_t i = 0; i < x.labels.nr; i++)
		assert_string_equal(y.labels.v[i], x.labels.v[i]);
	assert_int_equal(y.extra_args.nr, 2);
	assert_int_equal(y.pids_limit, x.pids_limit);
	assert_string_equal(y.memory, "2g");
	assert_string_equal(y.cpus, "1.5");
	assert_string_equal(y.shm_size, "256m");
	assert_null(y.gpus);
	assert_string_equal(y.network, x.network);
	/* para's own values come back; secret values do not */
	assert_string_equal(env_of(&y, "PARA_SESSION")->value, "s1");
	assert_null(env_of(&y, "ANTHROPIC_API_KEY")->value);
	assert_true(env_of(&y, "ANTHROPIC_API_KEY")->secret);

	/* the saved spec recreates the same container: same hash, same run argv
	 * (apart from "-e KEY" of variables whose values are resolved again) */
	char hx[33], hy[33];
	spec_hash(&x, hx);
	spec_hash(&y, hy);
	assert_string_equal(hx, hy);
	struct strvec ax = STRVEC_INIT, ay = STRVEC_INIT, ex = STRVEC_INIT, ey = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&x, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &ax, &ex, &run_in);
	strbuf_reset(&run_in);
	spec_render_run(&y, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &ay, &ey, &run_in);
	without_env_flags(&ax);
	without_env_flags(&ay);
	assert_int_equal(ax.nr, ay.nr);
	for (size_t i = 0; i < ax.nr; i++)
		assert_string_equal(ax.v[i], ay.v[i]);

	/* through text, as state files hold it */
	char *txt = json_dumps(j1, 0);
	json_error_t je;
	json_t *j3 = json_loads(txt, 0, &je);
	struct container_spec z = CONTAINER_SPEC_INIT;
	assert_int_equal(spec_from_json(j3, &z, &err), 0);
	json_t *j4 = spec_to_json(&z);
	assert_true(json_equal(j1, j4));

	free(txt);
	json_decref(j1), json_decref(j2), json_decref(j3), json_decref(j4);
	strvec_clear(&ax), strvec_clear(&ay), strvec_clear(&ex), strvec_clear(&ey);
	spec_clear(&x), spec_clear(&y), spec_clear(&z);
}

static void test_json_incomplete(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	static const char *const bad[] = { "{}", "{\"name\": \"x\"}", "{\"image\": \"x\"}", "{\"name\": 1, \"image\": \"i\"}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_error_t je;
		json_t *j = json_loads(bad[i], 0, &je);
		struct container_spec s = CONTAINER_SPEC_INIT;
		error_clear(&err);
		if (spec_from_json(j, &s, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_not_equal(err.code, 0);
		assert_non_null(strstr(err.msg, "incomplete"));
		spec_clear(&s);
		json_decref(j);
	}
}

/*
 * Regression test (a bug this found, now fixed): spec_from_json (src/container/spec.c) checks only "name" and
 * "image". A saved spec with "add_passwd": true and no "user" (or a mount
 * without "src") is accepted, and then spec_render_run / spec_render_exec
 * dereference NULL (keepalive_script: strchr(s->user, ':'); spec_add_mount:
 * xstrdup(NULL)): a damaged .para/state/<name>.json crashes para instead of
 * giving "the saved container spec is incomplete".
 */
static void test_json_damaged_does_not_crash(void **state)
{
	(void)state;
	static const char *const damaged[] = {
		"{\"name\": \"n\", \"image\": \"i\", \"add_passwd\": true}",
		"{\"name\": \"n\", \"image\": \"i\", \"mounts\": [{\"dst\": \"/x\"}]}",
	};
	struct strbuf crashed = STRBUF_INIT;
	for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* in a child: a crash must not take the test program down
			 * (and cmocka's handler must not resume the test run here) */
			static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
			for (size_t k = 0; k < sizeof fatal / sizeof fatal[0]; k++)
				signal(fatal[k], SIG_DFL);
			json_error_t je;
			json_t *j = json_loads(damaged[i], 0, &je);
			struct container_spec s = CONTAINER_SPEC_INIT;
			struct error err = ERROR_INIT;
			struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
			static const char *const cmd[] = { "true", NULL };
			/* refused is fine; accepted and usable is fine too */
			if (spec_from_json(j, &s, &err) == 0) {
				strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
				spec_render_exec(&s, 0, 0, NULL, cmd, &args, &env);
			}
			strvec_clear(&args);
			strvec_clear(&env);
			spec_clear(&s);
			json_decref(j);
			strbuf_release(&crashed);
			_exit(0);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			strbuf_addf(&crashed, "  %s (%s %d)\n", damaged[i], WIFSIGNALED(st) ? "signal" : "exit",
				    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	if (crashed.len)
		fail_msg("damaged saved specs crashed para:\n%s", crashed.buf);
	strbuf_release(&crashed);
}

static void test_hash(void **state)
{
	(void)state;
	struct container_spec a = CONTAINER_SPEC_INIT, b = CONTAINER_SPEC_INIT;
	full_spec(&a, NULL);
	full_spec(&b, NULL);
	char h1[33], h2[33], h3[33];
	spec_hash(&a, h1);
	spec_hash(&a, h2);
	assert_true(is_hex32(h1));
	assert_string_equal(h1, h2); /* stable */
	spec_hash(&b, h3);
	assert_string_equal(h1, h3); /* two resolutions of the same inputs agree */

	/* not the variable values (they may be secrets that rotate) nor labels */
	spec_add_env(&b, "ANTHROPIC_API_KEY", "sk-rotated", "host", 1);
	strvec_push(&b.labels, "extra=label");
	spec_hash(&b, h3);
	assert_string_equal(h1, h3);

	/* but what the container is made of */
	free(b.image);
	b.image = xstrdup("para-authenticated:v2");
	spec_hash(&b, h3);
	assert_string_not_equal(h1, h3);
	spec_clear(&b);

	full_spec(&b, NULL);
	spec_add_mount(&b, "/data", "/data", 1);
	spec_hash(&b, h3);
	assert_string_not_equal(h1, h3);
	spec_clear(&b);

	full_spec(&b, NULL);
	b.pids_limit = 100;
	spec_hash(&b, h3);
	assert_string_not_equal(h1, h3);
	spec_clear(&b);

	full_spec(&b, "{\"docker\": {\"user\": \"image\"}}");
	spec_hash(&b, h3);
	assert_string_not_equal(h1, h3);
	spec_clear(&b);

	/* a different session is a different container */
	struct spec_inputs in = inputs();
	in.session = "s2";
	resolve(NULL, &in, &b);
	spec_hash(&b, h3);
	assert_string_not_equal(h1, h3);
	spec_clear(&b);
	spec_clear(&a);
}

/*
 * Regression test (a bug this found, now fixed): spec_render_run (src/container/spec.c) writes mounts as
 * "--volume=SRC:DST:MODE". A repository (or worktree) whose path holds a
 * ':' - legal on Linux, e.g. "/home/u/proj:v2" - renders as
 * "--volume=/home/u/proj:v2/.git:/home/u/proj:v2/.git:rw", which the engine
 * splits at the wrong colons. Expected: either spec_resolve refuses such a
 * path with a clear error, or the mount is rendered unambiguously
 * (e.g. --mount type=bind,src=...,dst=...).
 */
/* A spec saved by an older para mounted the repository's git directory
 * read-write; loading it for a re-create puts the boundary's mounts in its
 * place and keeps every other mount. */
static void test_git_mounts_upgrade_old_spec(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	spec_add_mount(&s, "/home/u/src/app/.para/worktrees/s1", SPEC_WORKDIR, 0);
	spec_add_mount(&s, "/home/u/src/app/.git", "/home/u/src/app/.git", 0);
	spec_add_mount(&s, "cache", "/cache", 0);
	spec_git_mounts(&s, &test_git);
	spec_git_mounts(&s, &test_git); /* idempotent */
	assert_int_equal(s.nmounts, 5);
	for (size_t i = 0; i < s.nmounts; i++)
		assert_string_not_equal(s.mounts[i].src, "/home/u/src/app/.git");
	assert_string_equal(mount_at(&s, "/cache")->src, "cache");
	assert_true(mount_at(&s, SPEC_WORKDIR "/.git")->ro);
	assert_false(mount_at(&s, AGENTGIT_DIR)->ro);
	assert_true(mount_at(&s, "/home/u/src/app/.git/objects")->ro);
	spec_clear(&s);
}

static void test_colon_in_path(void **state)
{
	(void)state;
	struct spec_inputs in = inputs();
	in.repo_root = "/home/u/proj:v2";
	in.worktree = "/home/u/proj:v2/.para/worktrees/s1";
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	struct container_spec s = CONTAINER_SPEC_INIT;
	load_cfg(&cfg, NULL);
	int rc = spec_resolve(&cfg, &in, &s, &err);
	config_clear(&cfg);
	if (rc < 0) { /* refused: fine, if it says why */
		assert_non_null(strstr(err.msg, "proj:v2"));
		spec_clear(&s);
		return;
	}
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
	/* --mount's fields are key=value, so a colon in a path is only a colon:
	 * the worktree is mounted whole, and nothing uses the -v form */
	int found = 0;
	for (size_t i = 0; i < args.nr; i++) {
		const char *a = args.v[i];
		if (!strcmp(a, "-v") || !strncmp(a, "--volume", 8))
			fail_msg("a -v mount argument: '%s'", a);
		found += !strcmp(a, "--mount=type=bind,source=/home/u/proj:v2/.para/worktrees/s1,target=" SPEC_WORKDIR);
	}
	assert_int_equal(found, 1);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
}

static void test_add_env_replaces(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	spec_add_env(&s, "K", "v1", ".env", 0);
	spec_add_env(&s, "K", "v2", "-e", 1);
	assert_int_equal(s.nenv, 1);
	assert_string_equal(s.env[0].value, "v2");
	assert_string_equal(s.env[0].source, "-e");
	assert_true(s.env[0].secret);
	spec_add_env(&s, "K", NULL, "host", 0);
	assert_null(s.env[0].value);
	assert_int_equal(s.nenv, 1);
	spec_clear(&s);

	assert_true(env_name_is_secret("ANTHROPIC_API_KEY"));
	assert_true(env_name_is_secret("github_token"));
	assert_true(env_name_is_secret("DB_PASSWORD"));
	assert_true(env_name_is_secret("MY_SECRET"));
	assert_false(env_name_is_secret("NODE_ENV"));
	assert_false(env_name_is_secret("PATH"));
	assert_false(env_name_is_secret(""));
}

static void test_validate(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	s.name = xstrdup("para-x-1-s");
	s.image = xstrdup("img");
	spec_add_mount(&s, "/src", "/workspace", 0);
	spec_set_env(&s, "OK", "1", 5, "docker.env", 0, 0);
	assert_int_equal(spec_validate(&s, &err), 0);
	spec_set_env(&s, "A B", "v", 4, "profile p env_vars", 0, 0);
	assert_int_equal(spec_validate(&s, &err), -1);
	assert_int_equal(err.code, 4);
	assert_non_null(strstr(err.msg, "'A B' (profile p env_vars)"));
	spec_clear_user_env(&s);
	spec_add_mount(&s, "vol", "relative", 0);
	assert_int_equal(spec_validate(&s, &err), -1);
	assert_non_null(strstr(err.msg, "mount target 'relative'"));
	spec_clear(&s);

	/* more than a process can be started with */
	struct container_spec big = CONTAINER_SPEC_INIT;
	big.name = xstrdup("n");
	big.image = xstrdup("i");
	char *v = xmalloc(100001);
	memset(v, 'v', 100000);
	v[100000] = '\0';
	char key[32];
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof key, "K%d", i);
		spec_set_env(&big, key, v, 5, "docker.env", 0, 0);
	}
	free(v);
	assert_int_equal(spec_validate(&big, &err), -1);
	assert_non_null(strstr(err.msg, "the container's environment is"));
	spec_clear(&big);
}

static const char *fact_env_of(const struct container_spec *s, const char *key, const char **source)
{
	for (size_t i = 0; i < s->nenv; i++)
		if (!strcmp(s->env[i].key, key)) {
			if (source)
				*source = s->env[i].source;
			return s->env[i].value;
		}
	return NULL;
}

/* Resolution is a function of the gathered host facts and the configuration:
 * given by hand here, nothing of this machine's environment or files counts. */
static void test_resolution_over_facts(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_cfg(&cfg, "{\"docker\": {\"forward_env\": [\"FWD\"], \"env\": {\"LEVEL5\": \"cfg\"}}}");
	struct host_facts f = HOST_FACTS_INIT;
	strvec_push(&f.env, "FWD=from-facts");
	strvec_push(&f.env, "HOSTVAR=h");
	strvec_push(&f.env, "PARA_DOCKER_ENV=P3=three");
	strbuf_addstr(&f.git_ident, "user.name Facts Person\nuser.email f@example.com\n");
	f.trusted = 1;
	f.files = xcalloc(1, sizeof *f.files);
	f.nfiles = f.afiles = 1;
	f.files[0].path = xstrdup("/nowhere/e.env");
	strbuf_init(&f.files[0].data, 0);
	strbuf_addstr(&f.files[0].data, "FROM_FILE=${HOSTVAR}-x\nLEVEL5=file\n");
	struct env_inputs in = ENV_INPUTS_INIT;
	strvec_push(&in.env_files, "/nowhere/e.env");
	strvec_push(&in.e_args, "HOSTVAR");
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct strvec notes = STRVEC_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(envres_resolve_facts(&f, &in, NULL, NULL, &cfg, "/nowhere", &s, 0, &notes, &err), 0);
	const char *src = NULL;
	assert_string_equal(fact_env_of(&s, "FWD", &src), "from-facts");
	assert_string_equal(src, "forward_env");
	assert_string_equal(fact_env_of(&s, "GIT_AUTHOR_NAME", NULL), "Facts Person");
	assert_string_equal(fact_env_of(&s, "P3", NULL), "three");
	assert_string_equal(fact_env_of(&s, "FROM_FILE", NULL), "h-x");
	assert_string_equal(fact_env_of(&s, "LEVEL5", &src), "file"); /* --env-file (2) beats docker.env (5) */
	assert_string_equal(fact_env_of(&s, "HOSTVAR", &src), "h");
	assert_string_equal(src, "-e");
	/* a file that could not be read says so, with its errno */
	f.files[0].read_errno = ENOENT;
	assert_int_equal(envres_resolve_facts(&f, &in, NULL, NULL, &cfg, "/nowhere", &s, 0, &notes, &err), -1);
	assert_non_null(strstr(err.msg, "cannot read --env-file '/nowhere/e.env': No such file"));
	spec_clear(&s);
	strvec_clear(&notes);
	env_inputs_clear(&in);
	host_facts_clear(&f);
	config_clear(&cfg);
}


/* ---- the home volume ---------------------------------------------------- */

static char *home_of(const char *layer, const struct spec_inputs *in)
{
	struct container_spec s = CONTAINER_SPEC_INIT;
	resolve(layer, in, &s);
	char *v = s.home_volume ? xstrdup(s.home_volume) : NULL;
	spec_clear(&s);
	return v;
}

static void test_home_volume_name(void **state)
{
	(void)state;
	struct spec_inputs in = inputs();
	static const struct {
		const char *layer, *want;
	} cases[] = {
		/* the default: the agent's basename, the uid the container runs as */
		{ NULL, "para-home-claude-1234" },
		{ "{\"docker\": {\"user\": \"1000:1000\"}}", "para-home-claude-1000" },
		{ "{\"docker\": {\"user\": \"image\"}}", "para-home-claude" },
		{ "{\"agent\": {\"command\": [\"/usr/local/bin/aider\", \"--yes\"]}}", "para-home-aider-1234" },
		{ "{\"agent\": {\"command\": [\"./my agent+x\"]}}", "para-home-my-agent-x-1234" },
		{ "{\"agent\": {\"command\": [\"Code.Agent_2\"]}}", "para-home-Code.Agent_2-1234" },
		{ "{\"agent\": {\"command\": []}}", "para-home-agent-1234" },
		{ "{\"agent\": {\"command\": [\"/opt/\"]}}", "para-home-agent-1234" },
		/* a name as given, for whoever runs it; "none": no volume */
		{ "{\"docker\": {\"home_volume\": \"team-home\"}}", "team-home" },
		{ "{\"docker\": {\"home_volume\": \"none\"}}", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = home_of(cases[i].layer, &in);
		if (!cases[i].want && got)
			fail_msg("%s: got '%s', want none", cases[i].layer, got);
		if (cases[i].want && (!got || strcmp(got, cases[i].want)))
			fail_msg("%s: got '%s', want '%s'", cases[i].layer ? cases[i].layer : "defaults", got ? got : "(none)",
				 cases[i].want);
		if (got && !spec_volume_name_ok(got))
			fail_msg("'%s' is not a volume name", got);
		free(got);
	}
	/* a non-ASCII agent name still makes a volume name */
	char *odd = home_of("{\"agent\": {\"command\": [\"caf\xc3\xa9\"]}}", &in);
	assert_true(spec_volume_name_ok(odd));
	free(odd);
}

static void test_home_volume_name_rule(void **state)
{
	(void)state;
	static const char *const ok[] = { "ab", "a1", "A-b_c.d", "0x", "para-home-claude-1000" };
	static const char *const bad[] = { "", "a", "-ab", ".ab", "_ab", "a b", "a/b", "a:b", "a\nb", "caf\xc3\xa9", "~x" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!spec_volume_name_ok(ok[i]))
			fail_msg("'%s' should be a volume name", ok[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (spec_volume_name_ok(bad[i]))
			fail_msg("'%s' should be refused", bad[i]);
	/* the schema refuses one at load, naming the key: exit 4, one line */
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_cfg(&cfg, NULL);
	assert_int_equal(config_merge_text(&cfg, "t.json", "{\"docker\": {\"home_volume\": \"a\\nb c\"}}", &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "'docker.home_volume' is 'a?b c', not a volume name"));
	assert_null(strchr(err.msg, '\n'));
	config_clear(&cfg);
	/* a damaged saved spec is an error, never mounted */
	json_t *j = json_pack("{s:s, s:s, s:s}", "name", "c", "image", "i", "home_volume", "../../etc");
	struct container_spec s = CONTAINER_SPEC_INIT;
	assert_int_equal(spec_from_json(j, &s, &err), -1);
	json_decref(j);
	spec_clear(&s);
}

static void test_home_volume_rendered(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	static const char *const cmd[] = { "true", NULL };
	full_spec(&s, "{\"docker\": {\"home_volume\": \"hv-1\"}}");
	struct spec_mount vm = { MOUNT_VOLUME, (char *)"cache-vol", (char *)"/cache", 0, NULL, 0 };
	spec_put_mount(&s, &vm);
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
	long home = arg_containing(&args, "--mount=type=volume,source=hv-1,target=" SPEC_HOME
					  ",volume-label=" SPEC_HOME_ROLE ",");
	long npm = arg_containing(&args, "target=/home/para/.npm");
	assert_true(home > 0);
	assert_true(npm > home); /* the home first, a volume below it after */
	/* the run makes them labelled: the home as the user's, with no
	 * repository's label; another volume as this repository's */
	assert_non_null(strstr(args.v[home], ",volume-label=dev.para.origin=/home/u/src/app"));
	assert_null(strstr(args.v[home], "dev.para.repo="));
	long vol = arg_containing(&args, "--mount=type=volume,source=cache-vol,target=/cache,");
	assert_true(vol > 0);
	assert_non_null(strstr(args.v[vol], ",volume-label=dev.para.volume=1,volume-label=dev.para.repo=/home/u/src/app"));
	assert_int_equal(arg_containing(&args, "source=npm-cache,target=/home/para/.npm,volume-label"), -1);
	/* the keep-alive says whether the home holds a file, before its mark */
	const char *ka = args.v[args.nr - 1];
	assert_non_null(strstr(ka, "find " SPEC_HOME " ! -type d"));
	assert_true(strstr(ka, SPEC_HOME_FILES) < strstr(ka, "echo " SPEC_READY_MARK));
	strvec_clear(&args);
	strvec_clear(&env);
	/* an engine whose run cannot label volumes (podman): detached, plain */
	spec_render_run(&s, 0, &args, &env, &run_in);
	assert_true(arg_index(&args, "--detach") > 0);
	assert_true(arg_index(&args, "--pull=never") > 0);
	assert_true(arg_index(&args, "--mount=type=volume,source=hv-1,target=" SPEC_HOME) > 0);
	assert_int_equal(arg_containing(&args, "volume-label"), -1);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
	/* HOME is the volume for every exec, also as the image's user */
	full_spec(&s, "{\"docker\": {\"user\": \"image\", \"home_volume\": \"hv-1\"}}");
	spec_render_exec(&s, 0, 0, NULL, cmd, &args, &env);
	assert_pair(&args, "--env", "HOME=" SPEC_HOME);
	assert_int_equal(arg_index(&args, "USER=para"), -1);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
	/* none: no mount, and HOME only with the passwd entry */
	full_spec(&s, "{\"docker\": {\"user\": \"image\", \"home_volume\": \"none\"}}");
	assert_null(s.home_volume);
	strbuf_reset(&run_in);
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &run_in);
	assert_int_equal(arg_containing(&args, "target=" SPEC_HOME ","), -1);
	assert_int_equal(arg_containing(&args, "target=" SPEC_HOME), arg_containing(&args, "target=/home/para/.npm"));
	strvec_clear(&args);
	strvec_clear(&env);
	spec_render_exec(&s, 0, 0, NULL, cmd, &args, &env);
	assert_int_equal(arg_index(&args, "HOME=" SPEC_HOME), -1);
	strvec_clear(&args);
	strvec_clear(&env);
	spec_clear(&s);
	/* a mount over the whole home would hide it: refused */
	struct spec_inputs in = inputs();
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_cfg(&cfg, NULL);
	struct mount_inputs mi = { in.repo_root, "/home/u/src/app/.git", "/home/u/src/app/.para", "/home/u", NULL,
				   (const char *const[]){ "other:/home/para", NULL }, NULL, NULL, NULL };
	in.mounts = &mi;
	assert_int_equal(spec_resolve(&cfg, &in, &s, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "home volume"));
	spec_clear(&s);
	config_clear(&cfg);
}

/* Saved and loaded: the same volume for a re-created container; a spec
 * saved before the home volume (no key) loads with none, and its hash is
 * what it was. */
static void test_home_volume_saved(void **state)
{
	(void)state;
	struct container_spec x = CONTAINER_SPEC_INIT, y = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	full_spec(&x, NULL);
	json_t *j = spec_to_json(&x);
	assert_string_equal(json_string_value(json_object_get(j, "home_volume")), "para-home-claude-1234");
	assert_int_equal(spec_from_json(j, &y, &err), 0);
	assert_string_equal(y.home_volume, x.home_volume);
	char hx[33], hy[33];
	spec_hash(&x, hx);
	spec_hash(&y, hy);
	assert_string_equal(hx, hy);
	spec_clear(&y);
	/* an old one */
	json_object_del(j, "home_volume");
	assert_int_equal(spec_from_json(j, &y, &err), 0);
	assert_null(y.home_volume);
	json_t *back = spec_to_json(&y);
	assert_true(json_equal(j, back));
	char *old = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_null(strstr(old, "home_volume"));
	free(old);
	json_decref(back);
	json_decref(j);
	spec_clear(&x);
	spec_clear(&y);
}

static void test_home_spec_and_labels(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	struct strvec labels = STRVEC_INIT;
	load_cfg(&cfg, NULL);
	struct spec_home_inputs in = { "para-auth-1", "img:1", 1234, 5678, "/home/u/src/app", "0.1.0", "run-1" };
	assert_int_equal(spec_resolve_home(&cfg, &in, &s, &err), 0);
	assert_string_equal(s.user, "1234:5678");
	assert_true(s.add_passwd);
	assert_string_equal(s.home_volume, "para-home-claude-1234");
	assert_int_equal(s.nmounts, 0);
	assert_string_equal(label(&s, "dev.para.role"), "auth");
	assert_string_equal(label(&s, "dev.para.repo"), "/home/u/src/app");
	assert_string_equal(label(&s, SPEC_RUN_LABEL), "run-1");
	spec_home_volume_labels(&s, &labels);
	assert_true(strvec_find(&labels, SPEC_HOME_ROLE) >= 0);
	assert_true(strvec_find(&labels, "dev.para.origin=/home/u/src/app") >= 0);
	assert_true(strvec_find(&labels, "dev.para.uid=1234") >= 0);
	assert_true(strvec_find(&labels, "dev.para.version=0.1.0") >= 0);
	for (size_t i = 0; i < labels.nr; i++)
		assert_int_not_equal(strncmp(labels.v[i], "dev.para.repo=", 14), 0);
	strvec_clear(&labels);
	spec_clear(&s);
	config_clear(&cfg);
	/* none: no container to log in with */
	load_cfg(&cfg, "{\"docker\": {\"home_volume\": \"none\"}}");
	assert_int_equal(spec_resolve_home(&cfg, &in, &s, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "\"none\""));
	spec_clear(&s);
	config_clear(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_name_validate),
		cmocka_unit_test(test_name_generate),
		cmocka_unit_test(test_name_sanitize),
		cmocka_unit_test(test_container_name),
		cmocka_unit_test(test_resolve_defaults),
		cmocka_unit_test(test_resolve_user),
		cmocka_unit_test(test_resolve_resources),
		cmocka_unit_test(test_render_run),
		cmocka_unit_test(test_render_exec),
		cmocka_unit_test(test_render_env),
		cmocka_unit_test(test_render_env_at_exec),
		cmocka_unit_test(test_json_has_no_secret),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_incomplete),
		cmocka_unit_test(test_json_damaged_does_not_crash),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_colon_in_path),
		cmocka_unit_test(test_git_mounts_upgrade_old_spec),
		cmocka_unit_test(test_add_env_replaces),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_resolution_over_facts),
		cmocka_unit_test(test_home_volume_name),
		cmocka_unit_test(test_home_volume_name_rule),
		cmocka_unit_test(test_home_volume_rendered),
		cmocka_unit_test(test_home_volume_saved),
		cmocka_unit_test(test_home_spec_and_labels),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
