/*
 * Layered configuration (src/config/config.h, SPEC §3): defaults, merging
 * (objects key by key, lists and scalars replaced), errors with file:line:
 * column, wrong types and bad choices as exit-code-4 errors naming the key,
 * unknown keys as warnings with the nearest known key, profiles, and the
 * file layering user < project < PARA_CONFIG through config_load.
 *
 * config_load reads XDG_CONFIG_HOME / HOME / PARA_CONFIG: each test points
 * them at its own temporary files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/para-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	return remove_tree(tmpdir, &err);
}

/* Every test starts from an environment with no config files at all. */
static int fresh_env(void **state)
{
	(void)state;
	char *xdg = xasprintf("%s/xdg-empty", tmpdir);
	char *st = xasprintf("%s/state", tmpdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("XDG_STATE_HOME", st, 1); /* trust records (config/trust.h) */
	unsetenv("PARA_CONFIG");
	free(xdg);
	free(st);
	return 0;
}

static char *tfile(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, rel);
	char *dir = path_dirname(path);
	struct error err = ERROR_INIT;
	assert_int_equal(mkdir_p(dir, 0755, &err), 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(dir);
	return path;
}

/* The built-in defaults only. */
static void load_defaults(struct config *cfg)
{
	struct error err = ERROR_INIT;
	if (config_load(cfg, NULL, &err) < 0)
		fail_msg("config_load with no files: %s", err.msg);
	assert_non_null(cfg->root);
}

static void assert_strv(const struct config *cfg, const char *path, const char *const *want)
{
	struct strvec sv = STRVEC_INIT;
	json_t *arr = config_get(cfg, path);
	assert_true(json_is_array(arr));
	config_strv(cfg, path, &sv);
	size_t n = 0;
	while (want[n])
		n++;
	if (sv.nr != n || json_array_size(arr) != n)
		fail_msg("%s has %zu entries, want %zu", path, sv.nr, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(sv.v[i], want[i]);
	strvec_clear(&sv);
}

static int warned(const struct config *cfg, const char *needle)
{
	for (size_t i = 0; i < cfg->warnings.nr; i++)
		if (strstr(cfg->warnings.v[i], needle))
			return 1;
	return 0;
}

/* ---- defaults ----------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	json_t *pl = config_get(&cfg, "docker.resources.pids_limit");
	assert_true(json_is_integer(pl));
	assert_int_equal(json_integer_value(pl), 4096);
	assert_strv(&cfg, "agent.command", (const char *const[]){ "claude", NULL });
	assert_strv(&cfg, "agent.skip_permissions_args", (const char *const[]){ "--dangerously-skip-permissions", NULL });
	assert_strv(&cfg, "agent.login_command", (const char *const[]){ "claude", "/login", NULL });
	assert_string_equal(config_str(&cfg, "agent.prompt"), "arg");
	assert_string_equal(config_str(&cfg, "git.branch_prefix"), "para");
	assert_string_equal(config_str(&cfg, "docker.runtime"), "docker");
	assert_string_equal(config_str(&cfg, "docker.default_image"), "para-authenticated:latest");
	assert_string_equal(config_str(&cfg, "docker.pull"), "missing");
	assert_string_equal(config_str(&cfg, "docker.user"), "host");
	assert_null(config_str(&cfg, "docker.home_volume")); /* para-home-<agent>-<uid> */
	assert_string_equal(config_str(&cfg, "docker.network.mode"), "bridge");
	assert_true(config_bool(&cfg, "docker.allow_custom_images"));
	assert_true(config_bool(&cfg, "docker.auto_env_file"));
	assert_false(config_bool(&cfg, "docker.allow_dangerous_mounts"));
	assert_false(config_bool(&cfg, "docker.network.isolation"));
	assert_true(json_is_null(config_get(&cfg, "docker.resources.memory")));
	assert_null(config_str(&cfg, "docker.resources.memory"));
	/* SPEC §2.2's forwarded variables, in order */
	assert_strv(&cfg, "docker.forward_env",
		    (const char *const[]){ "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL",
					   "OPENAI_API_KEY", "OPENAI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY",
					   "GITHUB_TOKEN", "GH_TOKEN", "PERPLEXITY_API_KEY", "OPENROUTER_API_KEY",
					   "TERM", "COLORTERM", "TERM_PROGRAM", "LANG", "TZ", "HTTP_PROXY",
					   "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", NULL });
	assert_true(json_is_object(config_get(&cfg, "docker.profiles")));
	assert_int_equal(cfg.warnings.nr, 0);
	assert_int_equal(cfg.files.nr, 0); /* no file was there to read */
	config_clear(&cfg);
	assert_null(cfg.root);
}

static void test_defaults_pass_own_schema(void **state)
{
	(void)state;
	/* the defaults, fed back as a layer, are valid and raise no warning */
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_defaults(&cfg);
	char *txt = json_dumps(cfg.root, JSON_INDENT(2));
	assert_int_equal(config_merge_text(&cfg, "defaults.json", txt, &err), 0);
	assert_int_equal(cfg.warnings.nr, 0);
	free(txt);
	config_clear(&cfg);
}

/* SPEC §3's example, as a user would paste it. */
static const char spec_example[] =
	"{\n"
	"  \"agent\": { \"command\": [\"claude\"], \"prompt\": \"arg\",\n"
	"             \"skip_permissions_args\": [\"--dangerously-skip-permissions\"],\n"
	"             \"login_command\": [\"claude\", \"/login\"] },\n"
	"  \"git\": { \"branch_prefix\": \"para\" },\n"
	"  \"ide\": { \"command\": \"code\" },\n"
	"  \"docker\": {\n"
	"    \"runtime\": \"docker\",\n"
	"    \"default_image\": \"para-authenticated:latest\",\n"
	"    \"dockerfile\": \".para/Dockerfile\",\n"
	"    \"build\": { \"context\": \".para\", \"args\": {}, \"target\": null },\n"
	"    \"pull\": \"missing\",\n"
	"    \"allow_custom_images\": true,\n"
	"    \"allowed_images\": [],\n"
	"    \"user\": \"host\",\n"
	"    \"home_volume\": \"para-home-claude\",\n"
	"    \"forward_env\": [\"ANTHROPIC_API_KEY\"],\n"
	"    \"env\": {},\n"
	"    \"default_env_file\": null,\n"
	"    \"auto_env_file\": true,\n"
	"    \"mounts\": [],\n"
	"    \"allow_dangerous_mounts\": false,\n"
	"    \"resources\": { \"memory\": null, \"cpus\": null, \"pids_limit\": 4096, \"gpus\": null, \"shm_size\": null },\n"
	"    \"docker_args\": [],\n"
	"    \"setup_script\": null,\n"
	"    \"network\": { \"mode\": \"bridge\", \"isolation\": false, \"allowed_domains\": [], \"egress\": null },\n"
	"    \"default_profile\": null,\n"
	"    \"profiles\": {\n"
	"      \"node\": { \"image\": \"node:20-bookworm\", \"env_file\": \".env.node\",\n"
	"                \"env_vars\": { \"NODE_ENV\": \"development\" },\n"
	"                \"volumes\": [\"npm-cache:/home/para/.npm\"], \"docker_args\": [\"-m\", \"2g\"] },\n"
	"      \"node-gpu\": { \"extends\": \"node\", \"docker_args\": [\"--gpus\", \"all\"] }\n"
	"    }\n"
	"  }\n"
	"}\n";

static void test_spec_example_is_valid(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_defaults(&cfg);
	if (config_merge_text(&cfg, "example.json", spec_example, &err) < 0)
		fail_msg("SPEC §3's example is refused: %s", err.msg);
	/* the only warnings allowed: keys this version does not act on yet,
	 * said out loud instead of ignored in silence */
	for (size_t i = 0; i < cfg.warnings.nr; i++)
		if (!strstr(cfg.warnings.v[i], "not supported by this version of para yet"))
			fail_msg("SPEC §3's example warns: %s", cfg.warnings.v[i]);
	assert_int_equal(cfg.warnings.nr, 0); /* profile volumes and docker_args are read now */
	assert_string_equal(config_str(&cfg, "docker.profiles.node.image"), "node:20-bookworm");
	assert_string_equal(config_str(&cfg, "docker.profiles.node-gpu.extends"), "node");
	assert_string_equal(config_str(&cfg, "docker.build.context"), ".para");
	config_clear(&cfg);
}

/* ---- merging ------------------------------------------------------------ */

static void merge_ok(struct config *cfg, const char *name, const char *text)
{
	struct error err = ERROR_INIT;
	if (config_merge_text(cfg, name, text, &err) < 0)
		fail_msg("merging %s failed: %s", name, err.msg);
}

static void test_merge_objects_key_by_key(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	merge_ok(&cfg, "a", "{\"docker\": {\"resources\": {\"memory\": \"2g\"}}}");
	/* the sibling keys of the changed one survive, at every level */
	assert_string_equal(config_str(&cfg, "docker.resources.memory"), "2g");
	assert_int_equal(json_integer_value(config_get(&cfg, "docker.resources.pids_limit")), 4096);
	assert_string_equal(config_str(&cfg, "docker.pull"), "missing");
	assert_string_equal(config_str(&cfg, "agent.prompt"), "arg");

	/* maps of values merge key by key too, a later layer wins per key */
	merge_ok(&cfg, "b", "{\"docker\": {\"env\": {\"A\": \"1\", \"B\": \"1\"}}}");
	merge_ok(&cfg, "c", "{\"docker\": {\"env\": {\"B\": \"2\", \"C\": \"2\"}}}");
	assert_string_equal(config_str(&cfg, "docker.env.A"), "1");
	assert_string_equal(config_str(&cfg, "docker.env.B"), "2");
	assert_string_equal(config_str(&cfg, "docker.env.C"), "2");
	assert_string_equal(config_str(&cfg, "docker.resources.memory"), "2g");

	/* profiles from two layers sit side by side */
	merge_ok(&cfg, "d", "{\"docker\": {\"profiles\": {\"one\": {\"image\": \"i1\"}}}}");
	merge_ok(&cfg, "e", "{\"docker\": {\"profiles\": {\"two\": {\"image\": \"i2\"}}}}");
	assert_string_equal(config_str(&cfg, "docker.profiles.one.image"), "i1");
	assert_string_equal(config_str(&cfg, "docker.profiles.two.image"), "i2");

	/* an empty layer changes nothing */
	char *before = json_dumps(cfg.root, JSON_SORT_KEYS);
	merge_ok(&cfg, "f", "{}");
	char *after = json_dumps(cfg.root, JSON_SORT_KEYS);
	assert_string_equal(before, after);
	free(before);
	free(after);
	config_clear(&cfg);
}

static void test_lists_and_scalars_replace(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	merge_ok(&cfg, "a", "{\"docker\": {\"forward_env\": [\"ONLY_THIS\"], \"pull\": \"never\"},"
			    " \"agent\": {\"command\": [\"codex\", \"--full-auto\"]}}");
	assert_strv(&cfg, "docker.forward_env", (const char *const[]){ "ONLY_THIS", NULL });
	assert_strv(&cfg, "agent.command", (const char *const[]){ "codex", "--full-auto", NULL });
	assert_string_equal(config_str(&cfg, "docker.pull"), "never");

	/* a shorter list replaces a longer one; an empty list empties */
	merge_ok(&cfg, "b", "{\"agent\": {\"command\": [\"aider\"]}, \"docker\": {\"forward_env\": []}}");
	assert_strv(&cfg, "agent.command", (const char *const[]){ "aider", NULL });
	assert_strv(&cfg, "docker.forward_env", (const char *const[]){ NULL });

	/* null replaces a value where null is allowed, and the other way */
	merge_ok(&cfg, "c", "{\"docker\": {\"resources\": {\"pids_limit\": null, \"cpus\": 1.5}}}");
	assert_true(json_is_null(config_get(&cfg, "docker.resources.pids_limit")));
	assert_true(json_is_real(config_get(&cfg, "docker.resources.cpus")));
	merge_ok(&cfg, "d", "{\"docker\": {\"resources\": {\"pids_limit\": 64, \"cpus\": \"2\"}}}");
	assert_int_equal(json_integer_value(config_get(&cfg, "docker.resources.pids_limit")), 64);
	assert_string_equal(config_str(&cfg, "docker.resources.cpus"), "2");
	config_clear(&cfg);
}

/* ---- errors ------------------------------------------------------------- */

static void merge_fails(struct config *cfg, const char *name, const char *text, const char *const *needles)
{
	struct error err = ERROR_INIT;
	char *before = json_dumps(cfg->root, JSON_SORT_KEYS);
	if (config_merge_text(cfg, name, text, &err) == 0)
		fail_msg("accepted: %s", text);
	if (err.code != PARA_EXIT_CONFIG)
		fail_msg("exit code %d, want %d, for: %s", err.code, PARA_EXIT_CONFIG, text);
	for (const char *const *n = needles; *n; n++)
		if (!strstr(err.msg, *n))
			fail_msg("message '%s' lacks '%s'", err.msg, *n);
	/* nothing of a refused layer is kept */
	char *after = json_dumps(cfg->root, JSON_SORT_KEYS);
	if (strcmp(before, after))
		fail_msg("a refused layer changed the configuration: %s", text);
	free(before);
	free(after);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	/* a missing comma: the '"' of "user" on line 4, column 5 */
	merge_fails(&cfg, "proj.json", "{\n  \"docker\": {\n    \"pull\": \"never\"\n    \"user\": \"host\"\n  }\n}",
		    (const char *const[]){ "proj.json:4:", "near '\"user\"'", NULL });
	/* a comment hides what it holds, and keeps the lines after it in place */
	merge_fails(&cfg, "c.json", "{ /* \"docker\": {\n */ \"git\": 7 // x\n}",
		    (const char *const[]){ "c.json:2:12: ", "'git' must be an object", NULL });
	merge_fails(&cfg, "bad.json", "{\n  \"x\": tru\n}", (const char *const[]){ "bad.json:2:", NULL });
	merge_fails(&cfg, "dup.json", "{\"docker\": {\"pull\": \"never\",\n \"pull\": \"always\"}}",
		    (const char *const[]){ "dup.json:2:", "duplicate", NULL });
	merge_fails(&cfg, "empty.json", "", (const char *const[]){ "empty.json:", NULL });
	merge_fails(&cfg, "list.json", "[1, 2]", (const char *const[]){ "list.json", "JSON object", NULL });
	merge_fails(&cfg, "str.json", "\"docker\"", (const char *const[]){ "str.json", NULL });
	assert_string_equal(config_str(&cfg, "docker.pull"), "missing");
	config_clear(&cfg);
}

static void test_syntax_error_in_file(void **state)
{
	(void)state;
	/* through config_load, the message names the file's full path */
	char *repo = xasprintf("%s/repo-syntax", tmpdir);
	char *proj = tfile("repo-syntax/.para/config.json", "{\n  \"git\": {\"branch_prefix\": \"p\"},\n  oops\n}\n");
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(config_load(&cfg, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	char *want = xasprintf("%s:3:", proj);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("'%s' does not start with '%s'", err.msg, want);
	free(want);
	config_clear(&cfg);
	free(proj);
	free(repo);
}

static void test_wrong_types(void **state)
{
	(void)state;
	static const struct {
		const char *text, *key, *what;
	} cases[] = {
		{ "{\"docker\": {\"resources\": {\"pids_limit\": \"many\"}}}", "'docker.resources.pids_limit'", "whole number" },
		{ "{\"docker\": {\"resources\": {\"pids_limit\": 1.5}}}", "'docker.resources.pids_limit'", "whole number" },
		{ "{\"docker\": {\"resources\": {\"pids_limit\": true}}}", "'docker.resources.pids_limit'", "whole number" },
		{ "{\"agent\": {\"command\": \"claude\"}}", "'agent.command'", "list of strings" },
		{ "{\"agent\": {\"command\": [\"claude\", 1]}}", "'agent.command'", "list of strings" },
		{ "{\"docker\": []}", "'docker'", "object" },
		{ "{\"docker\": null}", "'docker'", "object" },
		{ "{\"docker\": {\"allow_custom_images\": \"yes\"}}", "'docker.allow_custom_images'", "true or false" },
		{ "{\"docker\": {\"env\": {\"A\": 1}}}", "'docker.env'", "object of strings" },
		{ "{\"docker\": {\"pull\": 3}}", "'docker.pull'", "string" },
		{ "{\"docker\": {\"network\": {\"allowed_domains\": \"a.com\"}}}", "'docker.network.allowed_domains'", "list" },
		{ "{\"docker\": {\"user\": null}}", "'docker.user'", "string" },
		{ "{\"git\": {\"branch_prefix\": [\"para\"]}}", "'git.branch_prefix'", "string" },
	};
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		merge_fails(&cfg, "types.json", cases[i].text,
			    (const char *const[]){ "types.json:1:", cases[i].key, cases[i].what, NULL });
	config_clear(&cfg);
}

static void test_unknown_keys_warn(void **state)
{
	(void)state;
	static const struct {
		const char *text, *key, *near;
	} cases[] = {
		{ "{\"docker\": {\"runtim\": \"podman\"}}", "'docker.runtim'", "'docker.runtime'" },
		{ "{\"agnet\": {}}", "'agnet'", "'agent'" },
		{ "{\"docker\": {\"resources\": {\"pid_limit\": 5}}}", "'docker.resources.pid_limit'",
		  "'docker.resources.pids_limit'" },
		{ "{\"docker\": {\"netwrk\": {\"mode\": \"host\"}}}", "'docker.netwrk'", "'docker.network'" },
		{ "{\"docker\": {\"forward-env\": []}}", "'docker.forward-env'", "'docker.forward_env'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config cfg = CONFIG_INIT;
		struct error err = ERROR_INIT;
		load_defaults(&cfg);
		if (config_merge_text(&cfg, "warn.json", cases[i].text, &err) < 0)
			fail_msg("an unknown key is an error, not a warning: %s", err.msg);
		assert_int_equal(cfg.warnings.nr, 1);
		const char *w = cfg.warnings.v[0];
		if (!strstr(w, "warn.json") || !strstr(w, cases[i].key) || !strstr(w, "did you mean") ||
		    !strstr(w, cases[i].near))
			fail_msg("warning '%s' should name warn.json, %s and suggest %s", w, cases[i].key, cases[i].near);
		config_clear(&cfg);
	}

	/* nothing close: a warning without a suggestion */
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	load_defaults(&cfg);
	assert_int_equal(config_merge_text(&cfg, "far.json", "{\"completely_unrelated_setting\": 1}", &err), 0);
	assert_int_equal(cfg.warnings.nr, 1);
	assert_non_null(strstr(cfg.warnings.v[0], "'completely_unrelated_setting'"));
	assert_null(strstr(cfg.warnings.v[0], "did you mean"));
	/* known keys around an unknown one still take effect */
	assert_int_equal(config_merge_text(&cfg, "mix.json", "{\"docker\": {\"pull\": \"always\", \"pul\": \"x\"}}", &err), 0);
	assert_string_equal(config_str(&cfg, "docker.pull"), "always");
	assert_int_equal(cfg.warnings.nr, 2);
	config_clear(&cfg);
}

static void test_enum_choices(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	merge_fails(&cfg, "e.json", "{\"docker\": {\"pull\": \"sometimes\"}}",
		    (const char *const[]){ "e.json", "'docker.pull'", "'sometimes'", "'missing', 'never', 'always'", NULL });
	merge_fails(&cfg, "e.json", "{\"agent\": {\"prompt\": \"pipe\"}}",
		    (const char *const[]){ "'agent.prompt'", "'pipe'", "'arg', 'stdin'", NULL });
	merge_fails(&cfg, "e.json", "{\"docker\": {\"network\": {\"mode\": \"overlay\"}}}",
		    (const char *const[]){ "'docker.network.mode'", "'overlay'", "'bridge', 'host', 'none'", NULL });
	/* choices are case-sensitive */
	merge_fails(&cfg, "e.json", "{\"docker\": {\"pull\": \"Never\"}}", (const char *const[]){ "'docker.pull'", NULL });

	static const char *const ok[] = {
		"{\"docker\": {\"pull\": \"never\"}}", "{\"docker\": {\"pull\": \"always\"}}",
		"{\"docker\": {\"pull\": \"missing\"}}", "{\"agent\": {\"prompt\": \"stdin\"}}",
		"{\"docker\": {\"network\": {\"mode\": \"none\"}}}", "{\"docker\": {\"network\": {\"mode\": \"host\"}}}",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		merge_ok(&cfg, "ok.json", ok[i]);
	assert_string_equal(config_str(&cfg, "docker.network.mode"), "host");
	assert_int_equal(cfg.warnings.nr, 0);
	config_clear(&cfg);
}

static void test_profiles(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	merge_ok(&cfg, "p.json",
		 "{\"docker\": {\"profiles\": {\"py\": {\"image\": \"python:3\", \"env_vars\": {\"X\": \"1\"},"
		 " \"volumes\": [\"pip:/root/.cache/pip\"], \"docker_args\": [\"--cpus\", \"2\"],"
		 " \"env_file\": null, \"dockerfile\": \"py.Dockerfile\"},"
		 " \"py2\": {\"extends\": \"py\"}}, \"default_profile\": \"py\"}}");
	assert_int_equal(cfg.warnings.nr, 0); /* volumes and docker_args are read */
	assert_string_equal(config_str(&cfg, "docker.profiles.py.image"), "python:3");
	assert_string_equal(config_str(&cfg, "docker.default_profile"), "py");

	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"bad\": \"node\"}}}",
		    (const char *const[]){ "p.json", "docker.profiles.bad", "object", NULL });
	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"bad\": {\"env_vars\": [\"A=1\"]}}}}",
		    (const char *const[]){ "'docker.profiles.bad.env_vars'", "object of strings", NULL });
	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"bad\": {\"volumes\": \"a:/b\"}}}}",
		    (const char *const[]){ "'docker.profiles.bad.volumes'", "list of strings", NULL });
	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"bad\": {\"image\": 7}}}}",
		    (const char *const[]){ "'docker.profiles.bad.image'", NULL });
	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"bad\": {\"extends\": [1]}}}}",
		    (const char *const[]){ "'docker.profiles.bad.extends'", NULL }); /* a name or a list of names */
	merge_fails(&cfg, "p.json", "{\"docker\": {\"profiles\": [\"py\"]}}",
		    (const char *const[]){ "'docker.profiles'", "object", NULL });
	assert_null(config_get(&cfg, "docker.profiles.bad"));

	/* an unknown key in a profile is a warning naming it */
	size_t had = cfg.warnings.nr;
	merge_ok(&cfg, "p.json", "{\"docker\": {\"profiles\": {\"w\": {\"imagee\": \"x\"}}}}");
	assert_int_equal(cfg.warnings.nr, had + 1);
	assert_true(warned(&cfg, "'docker.profiles.w.imagee'"));
	config_clear(&cfg);
}

/* ---- files and layering ------------------------------------------------- */

static void test_layering(void **state)
{
	(void)state;
	char *xdg = xasprintf("%s/xdg-layers", tmpdir);
	char *user = tfile("xdg-layers/para/config.json",
			   "{\"docker\": {\"pull\": \"never\", \"resources\": {\"memory\": \"1g\"},"
			   " \"env\": {\"FROM_USER\": \"u\", \"BOTH\": \"u\"}},"
			   " \"agent\": {\"command\": [\"user-agent\"]}, \"git\": {\"branch_prefix\": \"u\"}}");
	char *repo = xasprintf("%s/repo-layers", tmpdir);
	char *proj = tfile("repo-layers/.para/config.json",
			   "{\"docker\": {\"pull\": \"always\", \"env\": {\"BOTH\": \"p\"}, \"runtim\": \"x\"},"
			   " \"agent\": {\"command\": [\"proj-agent\", \"--x\"]}}");
	char *extra = tfile("extra.json", "{\"agent\": {\"command\": [\"env-agent\"]}}");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("PARA_CONFIG", extra, 1);

	/* the project's agent.command needs trust: refused, and nothing of it merged */
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(config_load(&cfg, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "agent.command"));
	assert_string_equal(config_str(&cfg, "docker.pull"), "never");
	config_clear(&cfg);
	struct config t = CONFIG_INIT;
	struct trust_input ti;
	assert_int_equal(config_load_flags(&t, repo, CONFIG_ANY_TRUST, &err), 0);
	config_trust_input(&t, repo, &ti);
	assert_int_equal(trust_record(&ti, NULL, &err), 0);
	config_clear(&t);

	if (config_load(&cfg, repo, &err) < 0)
		fail_msg("config_load: %s", err.msg);
	/* project over user; PARA_CONFIG over both; untouched keys from below */
	assert_string_equal(config_str(&cfg, "docker.pull"), "always");
	assert_string_equal(config_str(&cfg, "docker.resources.memory"), "1g");
	assert_int_equal(json_integer_value(config_get(&cfg, "docker.resources.pids_limit")), 4096);
	assert_string_equal(config_str(&cfg, "docker.env.FROM_USER"), "u");
	assert_string_equal(config_str(&cfg, "docker.env.BOTH"), "p");
	assert_string_equal(config_str(&cfg, "git.branch_prefix"), "u");
	assert_strv(&cfg, "agent.command", (const char *const[]){ "env-agent", NULL });
	/* the files read, in order */
	assert_int_equal(cfg.files.nr, 3);
	assert_string_equal(cfg.files.v[0], user);
	assert_string_equal(cfg.files.v[1], proj);
	assert_string_equal(cfg.files.v[2], extra);
	/* a warning names the file that holds the key */
	assert_int_equal(cfg.warnings.nr, 1);
	assert_non_null(strstr(cfg.warnings.v[0], proj));
	assert_non_null(strstr(cfg.warnings.v[0], "'docker.runtime'"));
	config_clear(&cfg);

	/* without PARA_CONFIG: the project's list */
	unsetenv("PARA_CONFIG");
	struct config c2 = CONFIG_INIT;
	assert_int_equal(config_load(&c2, repo, &err), 0);
	assert_strv(&c2, "agent.command", (const char *const[]){ "proj-agent", "--x", NULL });
	assert_int_equal(c2.files.nr, 2);
	config_clear(&c2);

	/* outside a repository: user only */
	struct config c3 = CONFIG_INIT;
	assert_int_equal(config_load(&c3, NULL, &err), 0);
	assert_string_equal(config_str(&c3, "docker.pull"), "never");
	assert_strv(&c3, "agent.command", (const char *const[]){ "user-agent", NULL });
	config_clear(&c3);

	/* an error in the user file names the user file, and stops the load */
	free(tfile("xdg-layers/para/config.json", "{\"docker\": {\"pull\": \"often\"}}"));
	struct config c4 = CONFIG_INIT;
	error_clear(&err);
	assert_int_equal(config_load(&c4, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, user));
	config_clear(&c4);

	free(xdg), free(user), free(repo), free(proj), free(extra);
}

static void test_para_config_missing(void **state)
{
	(void)state;
	char *missing = xasprintf("%s/does-not-exist.json", tmpdir);
	setenv("PARA_CONFIG", missing, 1);
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(config_load(&cfg, NULL, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, missing));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	config_clear(&cfg);

	/* a directory where the user file should be is an error, not "absent" */
	char *xdg = xasprintf("%s/xdg-dir", tmpdir);
	char *dir = xasprintf("%s/para/config.json", xdg);
	assert_int_equal(mkdir_p(dir, 0755, &err), 0);
	unsetenv("PARA_CONFIG");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	struct config c2 = CONFIG_INIT;
	error_clear(&err);
	assert_int_equal(config_load(&c2, NULL, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, dir));
	config_clear(&c2);
	free(missing), free(xdg), free(dir);
}

static void test_user_path(void **state)
{
	(void)state;
	char *saved_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	char *p = config_user_path();
	assert_string_equal(p, "/x/cfg/para/config.json");
	free(p);
	/* empty or unset XDG_CONFIG_HOME: ~/.config */
	setenv("HOME", "/home/someone", 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = config_user_path();
	assert_string_equal(p, "/home/someone/.config/para/config.json");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_user_path();
	assert_string_equal(p, "/home/someone/.config/para/config.json");
	free(p);

	/* and config_load reads it there */
	char *home = xasprintf("%s/home", tmpdir);
	free(tfile("home/.config/para/config.json", "{\"ide\": {\"command\": \"vim\"}}"));
	setenv("HOME", home, 1);
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_string_equal(config_str(&cfg, "ide.command"), "vim");
	config_clear(&cfg);
	free(home);
	if (saved_home) {
		setenv("HOME", saved_home, 1);
		free(saved_home);
	}
}

static void test_accessors(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	load_defaults(&cfg);
	assert_null(config_get(&cfg, "no.such.key"));
	assert_null(config_get(&cfg, "docker.pull.deeper")); /* through a string */
	assert_null(config_str(&cfg, "docker.resources.pids_limit")); /* not a string */
	assert_null(config_str(&cfg, "docker.nothing"));
	assert_false(config_bool(&cfg, "docker.nothing"));
	assert_false(config_bool(&cfg, "docker.pull")); /* a string is not true */
	struct strvec sv = STRVEC_INIT;
	strvec_push(&sv, "kept");
	config_strv(&cfg, "docker.nothing", &sv);
	config_strv(&cfg, "docker.pull", &sv);
	assert_int_equal(sv.nr, 1); /* appends nothing, keeps what was there */
	config_strv(&cfg, "agent.login_command", &sv);
	assert_int_equal(sv.nr, 3);
	assert_string_equal(sv.v[0], "kept");
	assert_string_equal(sv.v[2], "/login");
	strvec_clear(&sv);
	config_clear(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, fresh_env),
		cmocka_unit_test_setup(test_defaults_pass_own_schema, fresh_env),
		cmocka_unit_test_setup(test_spec_example_is_valid, fresh_env),
		cmocka_unit_test_setup(test_merge_objects_key_by_key, fresh_env),
		cmocka_unit_test_setup(test_lists_and_scalars_replace, fresh_env),
		cmocka_unit_test_setup(test_syntax_errors, fresh_env),
		cmocka_unit_test_setup(test_syntax_error_in_file, fresh_env),
		cmocka_unit_test_setup(test_wrong_types, fresh_env),
		cmocka_unit_test_setup(test_unknown_keys_warn, fresh_env),
		cmocka_unit_test_setup(test_enum_choices, fresh_env),
		cmocka_unit_test_setup(test_profiles, fresh_env),
		cmocka_unit_test_setup(test_layering, fresh_env),
		cmocka_unit_test_setup(test_para_config_missing, fresh_env),
		cmocka_unit_test_setup(test_user_path, fresh_env),
		cmocka_unit_test_setup(test_accessors, fresh_env),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
