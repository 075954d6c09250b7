/*
 * Changing config files (src/config/edit.c): config set reads a word by its
 * key's type and changes nothing else of the file; unset; the init
 * template validates and sets nothing; every error of a loaded config names
 * FILE:LINE:COLUMN, profiles' cycles, unknown parents and an unknown
 * default_profile included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "config/schema.h"
#include "parse/jsonc.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "util/banned.h"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/para-test-configedit-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char *xdg = xasprintf("%s/xdg", tmpdir), *st = xasprintf("%s/state", tmpdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("XDG_STATE_HOME", st, 1);
	unsetenv("PARA_CONFIG");
	free(xdg);
	free(st);
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	return remove_tree(tmpdir, &err);
}

static json_t *parse(const char *text)
{
	char *strict = jsonc_strip(text, strlen(text));
	json_error_t je;
	json_t *j = json_loads(strict, 0, &je);
	if (!j)
		fail_msg("not JSON (%s) after strip: %s", je.text, text);
	free(strict);
	return j;
}

static void test_set_reads_words_by_type(void **state)
{
	(void)state;
	static const struct {
		const char *key, *word, *want;
	} cases[] = {
		{ "agent.prompt", "stdin", "\"stdin\"" },
		{ "git.branch_prefix", "123", "\"123\"" },   /* a string key keeps the word */
		{ "git.branch_prefix", "true", "\"true\"" },
		{ "git.branch_prefix", "[\"x\"]", "\"[\\\"x\\\"]\"" },
		{ "docker.allow_custom_images", "false", "false" },
		{ "docker.auto_env_file", "true", "true" },
		{ "docker.resources.pids_limit", "64", "64" },
		{ "docker.resources.pids_limit", "null", "null" },
		{ "docker.resources.cpus", "1.5", "1.5" },
		{ "docker.resources.cpus", "2", "2" },
		{ "docker.resources.memory", "2g", "\"2g\"" },
		{ "docker.setup_script", "null", "null" },
		{ "docker.setup_script", "scripts/setup.sh", "\"scripts/setup.sh\"" },
		{ "docker.mounts", "[\"cache:/c\", \"./d:/d:ro\"]", "[\"cache:/c\", \"./d:/d:ro\"]" },
		{ "docker.env", "{\"A\": \"1\"}", "{\"A\": \"1\"}" },
		{ "docker.env.FOO", "bar baz", "\"bar baz\"" },
		{ "docker.profiles.node.image", "node:20", "\"node:20\"" },
		{ "docker.profiles.node.extends", "[\"a\", \"b\"]", "[\"a\", \"b\"]" },
		{ "docker.profiles.node.extends", "base", "\"base\"" },
		{ "docker.profiles.node.resources.memory", "1g", "\"1g\"" },
		{ "docker.network.mode", "none", "\"none\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct error err = ERROR_INIT;
		char *out = NULL;
		if (config_set_text("", cases[i].key, cases[i].word, &out, &err) < 0)
			fail_msg("set %s %s: %s", cases[i].key, cases[i].word, err.msg);
		json_t *got = parse(out), *want = json_loads(cases[i].want, JSON_DECODE_ANY, NULL);
		if (!json_equal(json_path(got, cases[i].key), want))
			fail_msg("set %s %s gave %s", cases[i].key, cases[i].word, out);
		/* and the result is a valid layer */
		struct config cfg = CONFIG_INIT;
		cfg.root = config_defaults();
		if (config_merge_text(&cfg, "set.json", out, &err) < 0)
			fail_msg("set %s %s made an invalid file: %s", cases[i].key, cases[i].word, err.msg);
		config_clear(&cfg);
		json_decref(got);
		json_decref(want);
		free(out);
	}
}

static void test_set_refuses_bad_words(void **state)
{
	(void)state;
	static const struct {
		const char *key, *word, *needle;
		int code;
	} cases[] = {
		{ "docker.imgae", "x", "unknown key 'docker.imgae'", PARA_EXIT_CONFIG },
		{ "docker.pull", "sometimes", "'missing', 'never', 'always'", PARA_EXIT_CONFIG },
		{ "docker.resources.pids_limit", "many", "takes a whole number or null, not 'many'", PARA_EXIT_CONFIG },
		{ "docker.resources.pids_limit", "1.5", "whole number", PARA_EXIT_CONFIG },
		{ "docker.allow_custom_images", "yes", "takes true or false, not 'yes'", PARA_EXIT_CONFIG },
		{ "docker.resources.memory", "1k", "give a size of at least 6m", PARA_EXIT_CONFIG },
		{ "docker.resources.cpus", "0.001", "a number of CPUs", PARA_EXIT_CONFIG },
		{ "agent.command", "claude -p", "takes a list of strings", PARA_EXIT_CONFIG },
		{ "agent.command", "[1]", "takes a list of strings", PARA_EXIT_CONFIG },
		{ "docker.env.A", "[]", NULL, 0 }, /* a string key: the word as it is */
		{ "docker..pull", "x", "not a key", PARA_EXIT_USAGE },
		{ "docker.pull.deeper", "x", "unknown key", PARA_EXIT_CONFIG },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct error err = ERROR_INIT;
		char *out = NULL;
		int r = config_set_text("{}", cases[i].key, cases[i].word, &out, &err);
		if (!cases[i].code) {
			assert_int_equal(r, 0);
			free(out);
			continue;
		}
		if (r == 0)
			fail_msg("set %s %s accepted: %s", cases[i].key, cases[i].word, out);
		assert_int_equal(err.code, cases[i].code);
		if (!strstr(err.msg, cases[i].needle))
			fail_msg("set %s %s: '%s' lacks '%s'", cases[i].key, cases[i].word, err.msg, cases[i].needle);
	}
	struct error err = ERROR_INIT;
	char *out = NULL;
	assert_int_equal(config_set_text("{}", "docker.pulll", "x", &out, &err), -1);
	assert_string_equal(err.hint, "did you mean 'docker.pull'?");
	assert_int_equal(config_set_text("{}", "docker.profiles.p.imagee", "x", &out, &err), -1);
	assert_string_equal(err.hint, "did you mean 'docker.profiles.p.image'?");
}

/* Everything but the value's bytes stays: comments, order, layout. */
static void test_set_and_unset_keep_the_rest(void **state)
{
	(void)state;
	const char *text = "{\n"
			   "  // mine\n"
			   "  \"git\": { \"branch_prefix\": \"me\" },\n"
			   "  \"docker\": {\n"
			   "    \"user\": \"host\",\n"
			   "    \"pull\": \"never\",   // offline\n"
			   "    \"env\": { \"Z\": \"1\", \"A\": \"2\" }\n"
			   "  },\n"
			   "  \"agent\": { \"command\": [\"aider\"] }\n"
			   "}\n";
	struct error err = ERROR_INIT;
	char *out = NULL, *back = NULL;
	assert_int_equal(config_set_text(text, "docker.pull", "always", &out, &err), 0);
	const char *at = strstr(text, "\"never\"");
	char *want = xasprintf("%.*s\"always\"%s", (int)(at - text), text, at + 7);
	assert_string_equal(out, want);
	free(want);
	int found = 0;
	assert_int_equal(config_unset_text(out, "docker.env.Z", &back, &found, &err), 0);
	assert_true(found);
	json_t *j = parse(back);
	assert_null(json_path(j, "docker.env.Z"));
	assert_string_equal(json_string_value(json_path(j, "docker.env.A")), "2");
	/* the order of keys is the file's */
	const char *k;
	json_t *v;
	const char *order[] = { "git", "docker", "agent" };
	size_t n = 0;
	json_object_foreach(j, k, v)
		assert_string_equal(k, order[n++]);
	assert_non_null(strstr(back, "// mine"));
	assert_non_null(strstr(back, "// offline"));
	json_decref(j);
	free(back);
	assert_int_equal(config_unset_text(out, "docker.nothing", &back, &found, &err), 0);
	assert_false(found);
	assert_string_equal(back, out);
	free(back);
	free(out);
}

static void test_template_validates_and_sets_nothing(void **state)
{
	(void)state;
	char *t = config_template("para user configuration");
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	cfg.root = config_defaults();
	if (config_merge_text(&cfg, "init.json", t, &err) < 0)
		fail_msg("the template is not valid: %s\n%s", err.msg, t);
	assert_int_equal(cfg.warnings.nr, 0);
	json_t *d = config_defaults();
	assert_true(json_equal(cfg.root, d));
	/* every key of the schema is in it, with its default */
	for (size_t i = 0; i < schema_nrules; i++) {
		const char *path = schema_rules[i].path;
		if (strchr(path, '*'))
			continue;
		const char *leaf = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
		char *line = xasprintf("\"%s\": ", leaf);
		if (!strstr(t, line))
			fail_msg("the template lacks %s", path);
		free(line);
		if (!(schema_rules[i].types & T_OBJ)) {
			char *v = json_dumps(json_path(d, path), JSON_ENCODE_ANY);
			char *full = xasprintf("// \"%s\": %s,", leaf, v);
			if (!strstr(t, full))
				fail_msg("the template lacks '%s'", full);
			free(full);
			free(v);
		}
	}
	/* uncommenting a key there sets it */
	char *on = xstrdup(t);
	char *at = strstr(on, "// \"pull\": \"missing\",");
	assert_non_null(at);
	memcpy(at, "   ", 3);
	assert_int_equal(config_merge_text(&cfg, "init.json", on, &err), 0);
	free(on);
	json_decref(d);
	config_clear(&cfg);
	free(t);
}

static char *tfile(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, rel);
	char *dir = path_dirname(path);
	struct error err = ERROR_INIT;
	assert_int_equal(mkdir_p(dir, 0755, &err), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, &err), 0);
	free(dir);
	return path;
}

/* Errors found after the layers are merged still name the file, line and
 * column that caused them. */
static void test_profile_errors_name_the_line(void **state)
{
	(void)state;
	static const struct {
		const char *text, *needle;
	} cases[] = {
		{ "{\"docker\": {\"profiles\": {\n  \"a\": {\"extends\": \"b\"},\n  \"b\": {\"extends\": [\"c\", \"a\"]},\n"
		  "  \"c\": {}}}}",
		  "p.json:3:9: profiles extend in a cycle: a → b → a" },
		{ "{\"docker\": {\"profiles\": {\n  \"a\": {\"image\": \"x\",\n          \"extends\": \"nope\"}}}}",
		  "p.json:3:11: profile 'a' extends 'nope', which does not exist" },
		{ "{\"docker\": {\n  \"default_profile\": \"gone\"}}",
		  "p.json:2:3: docker.default_profile is 'gone', and there is no such profile" },
		{ "{\"docker\": {\n \"resources\": {\n  \"memory\": \"1k\"}}}",
		  "p.json:3:13: 'docker.resources.memory' is '1k'; give a size" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = tfile("p.json", cases[i].text);
		setenv("PARA_CONFIG", p, 1);
		struct config cfg = CONFIG_INIT;
		struct error err = ERROR_INIT;
		assert_int_equal(config_load(&cfg, NULL, &err), -1);
		assert_int_equal(err.code, PARA_EXIT_CONFIG);
		char *want = xasprintf("%s/%s", tmpdir, cases[i].needle);
		if (!strstr(err.msg, want))
			fail_msg("'%s' lacks '%s'", err.msg, want);
		free(want);
		config_clear(&cfg);
		free(p);
	}
	unsetenv("PARA_CONFIG");
}

/* Resolving a profile leaves the configuration as it was (a parent's keys
 * go into the result, not into the child's own object). */
static void test_resolving_changes_no_config(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	cfg.root = config_defaults();
	assert_int_equal(config_merge_text(&cfg, "p.json",
					   "{\"docker\": {\"profiles\": {\"c\": {\"extends\": \"p\", \"env_vars\": {\"A\": \"c\"}},"
					   " \"p\": {\"env_vars\": {\"A\": \"p\", \"B\": \"p\"}}}}}",
					   &err),
			 0);
	char *before = json_dumps(cfg.root, JSON_SORT_KEYS);
	for (int round = 0; round < 2; round++) {
		json_t *p, *origins;
		assert_int_equal(profile_resolve_origins(&cfg, "c", &p, &origins, &err), 0);
		assert_string_equal(json_string_value(json_path(p, "env_vars.A")), "c");
		assert_string_equal(json_string_value(json_path(p, "env_vars.B")), "p");
		assert_string_equal(json_str(origins, "env_vars"), "c");
		assert_string_equal(json_str(origins, "env_vars.B"), "p");
		json_decref(p);
		json_decref(origins);
	}
	char *after = json_dumps(cfg.root, JSON_SORT_KEYS);
	assert_string_equal(before, after);
	free(before);
	free(after);
	config_clear(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_reads_words_by_type),
		cmocka_unit_test(test_set_refuses_bad_words),
		cmocka_unit_test(test_set_and_unset_keep_the_rest),
		cmocka_unit_test(test_template_validates_and_sets_nothing),
		cmocka_unit_test(test_profile_errors_name_the_line),
		cmocka_unit_test(test_resolving_changes_no_config),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
