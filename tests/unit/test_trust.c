/*
 * Trust (src/config/trust.h, SPEC §3): which project keys widen (per key,
 * against defaults + user config), paths inside / outside / leaving through a
 * symlink, the trust store (round trip, mode, location, other repositories,
 * corrupt records, errors), which keys a refusal names after a change, the
 * read-site check for repository files, and config_load's gate.
 *
 * Each test points HOME, XDG_CONFIG_HOME and XDG_STATE_HOME at its own
 * temporary directory; the repository is a plain directory (config and trust
 * need no git).
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
#include "config/trust.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

static char tmpdir[64];
static char *repo;    /* tmpdir/repo */
static char *outside; /* tmpdir/outside: a folder that is not the repository's */

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static void write_at(const char *path, const char *text)
{
	char *dir = path_dirname(path);
	struct error err = ERROR_INIT;
	assert_int_equal(mkdir_p(dir, 0755, &err), 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(dir);
}

static void write_rel(const char *rel, const char *text)
{
	char *p = tpath(rel);
	write_at(p, text);
	free(p);
}

static void symlink_rel(const char *target, const char *rel)
{
	char *p = tpath(rel);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/para-test-trust-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* the temporary folder itself may sit behind a symlink: compare real paths */
	char *real = realpath(tmpdir, NULL);
	snprintf(tmpdir, sizeof tmpdir, "%s", real);
	free(real);
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	return remove_tree(tmpdir, &err);
}

/* A fresh repository, home, user config and trust store for every test. */
static int fresh(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	char *home = tpath("home"), *cfg = tpath("home/.config"), *st = tpath("home/.local/state");
	remove_tree(home, &err);
	free(repo);
	free(outside);
	repo = tpath("repo");
	outside = tpath("outside");
	remove_tree(repo, &err);
	remove_tree(outside, &err);
	assert_int_equal(mkdir_p(repo, 0755, &err), 0);
	assert_int_equal(mkdir_p(outside, 0755, &err), 0);
	assert_int_equal(mkdir_p(home, 0755, &err), 0);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_STATE_HOME", st, 1);
	unsetenv("PARA_CONFIG");
	free(home);
	free(cfg);
	free(st);
	return 0;
}

static int cleanup(void **state)
{
	(void)state;
	free(repo);
	free(outside);
	repo = outside = NULL;
	return 0;
}

static void set_user(const char *json)
{
	char *p = tpath("home/.config/para/config.json");
	if (json)
		write_at(p, json);
	else
		unlink(p);
	free(p);
}

static void set_project(const char *json)
{
	write_rel("repo/.para/config.json", json);
}

static void load_any(struct config *cfg)
{
	struct error err = ERROR_INIT;
	if (config_load_flags(cfg, repo, CONFIG_ANY_TRUST, &err) < 0)
		fail_msg("config_load_flags: %s", err.msg);
}

static char *join(const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sv->nr; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", sv->v[i]);
	return strbuf_detach(&sb, NULL);
}

/* The widening keys of project over the defaults and user, comma-joined. */
static char *widening_of(const char *user, const char *project)
{
	struct config cfg = CONFIG_INIT;
	struct trust_keys k = TRUST_KEYS_INIT;
	struct strvec names = STRVEC_INIT;
	set_user(user);
	set_project(project);
	load_any(&cfg);
	trust_widening(cfg.base, cfg.project, repo, &k);
	for (size_t i = 0; i < k.nr; i++)
		strvec_push(&names, k.v[i].key);
	char *s = join(&names);
	strvec_clear(&names);
	trust_keys_clear(&k);
	config_clear(&cfg);
	return s;
}

static void evaluate(struct trust_report *rep)
{
	struct config cfg = CONFIG_INIT;
	struct trust_input in;
	load_any(&cfg);
	config_trust_input(&cfg, repo, &in);
	trust_evaluate(&in, rep);
	config_clear(&cfg);
}

static void record(void)
{
	struct config cfg = CONFIG_INIT;
	struct trust_input in;
	struct error err = ERROR_INIT;
	load_any(&cfg);
	config_trust_input(&cfg, repo, &in);
	if (trust_record(&in, NULL, &err) < 0)
		fail_msg("trust_record: %s", err.msg);
	config_clear(&cfg);
}

/* ---- which keys widen --------------------------------------------------- */

struct wcase {
	const char *user;    /* user config, or NULL for none */
	const char *project;
	const char *want;    /* the widening keys, comma-joined */
};

static void run_cases(const struct wcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = widening_of(c[i].user, c[i].project);
		if (strcmp(got, c[i].want))
			fail_msg("user %s, project %s: widening '%s', want '%s'", c[i].user ? c[i].user : "(none)",
				 c[i].project, got, c[i].want);
		free(got);
	}
}

static void test_host_keys(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL, "{\"agent\": {\"command\": [\"evil\"]}}", "agent.command" },
		{ NULL, "{\"agent\": {\"command\": [\"claude\"]}}", "" }, /* the default */
		{ "{\"agent\": {\"command\": [\"mine\"]}}", "{\"agent\": {\"command\": [\"mine\"]}}", "" },
		{ "{\"agent\": {\"command\": [\"mine\"]}}", "{\"agent\": {\"command\": [\"claude\"]}}", "agent.command" },
		{ NULL, "{\"agent\": {\"login_command\": [\"x\"]}}", "agent.login_command" },
		{ NULL, "{\"agent\": {\"skip_permissions_args\": [\"--yolo\"]}}", "agent.skip_permissions_args" },
		{ NULL, "{\"ide\": {\"command\": \"evil\"}}", "ide.command" },
		{ NULL, "{\"ide\": {\"command\": null}}", "" },
		{ NULL, "{\"docker\": {\"runtime\": \".para/rt.sh\"}}", "docker.runtime" },
		{ "{\"docker\": {\"runtime\": \"podman\"}}", "{\"docker\": {\"runtime\": \"podman\"}}", "" },
		{ NULL, "{\"agent\": {\"command\": [\"x\"]}, \"docker\": {\"runtime\": \"y\", \"docker_args\": [\"z\"]}}",
		  "agent.command, docker.runtime, docker.docker_args" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_container_keys(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL, "{\"docker\": {\"docker_args\": [\"--privileged\"]}}", "docker.docker_args" },
		{ NULL, "{\"docker\": {\"docker_args\": []}}", "" },
		{ NULL, "{\"docker\": {\"user\": \"image\"}}", "docker.user" },
		{ NULL, "{\"docker\": {\"user\": \"0:0\"}}", "docker.user" },
		{ NULL, "{\"docker\": {\"user\": \"host\"}}", "" },
		{ "{\"docker\": {\"user\": \"image\"}}", "{\"docker\": {\"user\": \"image\"}}", "" },
		{ NULL, "{\"docker\": {\"resources\": {\"gpus\": \"all\"}}}", "docker.resources.gpus" },
		{ NULL, "{\"docker\": {\"resources\": {\"gpus\": null}}}", "" },
		{ NULL, "{\"docker\": {\"network\": {\"mode\": \"host\"}}}", "docker.network.mode" },
		{ NULL, "{\"docker\": {\"network\": {\"mode\": \"none\"}}}", "" },
		{ "{\"docker\": {\"network\": {\"mode\": \"none\"}}}", "{\"docker\": {\"network\": {\"mode\": \"bridge\"}}}",
		  "docker.network.mode" },
		{ "{\"docker\": {\"network\": {\"isolation\": true}}}", "{\"docker\": {\"network\": {\"isolation\": false}}}",
		  "docker.network.isolation" },
		{ NULL, "{\"docker\": {\"network\": {\"isolation\": false}}}", "" },
		{ NULL, "{\"docker\": {\"network\": {\"isolation\": true}}}", "" },
		{ "{\"docker\": {\"network\": {\"allowed_domains\": [\"a.com\"]}}}",
		  "{\"docker\": {\"network\": {\"allowed_domains\": [\"a.com\"]}}}", "" },
		{ "{\"docker\": {\"network\": {\"allowed_domains\": [\"a.com\"]}}}",
		  "{\"docker\": {\"network\": {\"allowed_domains\": [\"a.com\", \"evil.com\"]}}}",
		  "docker.network.allowed_domains" },
		{ NULL, "{\"docker\": {\"network\": {\"allowed_domains\": []}}}", "" },
		{ NULL, "{\"docker\": {\"network\": {\"egress\": \"host-net\"}}}", "docker.network.egress" },
		{ NULL, "{\"docker\": {\"allow_dangerous_mounts\": true}}", "docker.allow_dangerous_mounts" },
		{ NULL, "{\"docker\": {\"allow_dangerous_mounts\": false}}", "" },
		{ "{\"docker\": {\"allow_custom_images\": false}}", "{\"docker\": {\"allow_custom_images\": true}}",
		  "docker.allow_custom_images" },
		{ NULL, "{\"docker\": {\"allow_custom_images\": true}}", "" },
		{ NULL, "{\"docker\": {\"allow_custom_images\": false}}", "" },
		{ "{\"docker\": {\"allowed_images\": [\"para-*\"]}}",
		  "{\"docker\": {\"allowed_images\": [\"para-*\", \"evil/*\"]}}", "docker.allowed_images" },
		{ "{\"docker\": {\"allowed_images\": [\"para-*\"]}}", "{\"docker\": {\"allowed_images\": []}}",
		  "docker.allowed_images" }, /* an empty list lifts the allowlist */
		{ "{\"docker\": {\"allowed_images\": [\"para-*\", \"x\"]}}", "{\"docker\": {\"allowed_images\": [\"x\"]}}",
		  "" },
		{ NULL, "{\"docker\": {\"allowed_images\": [\"x\"]}}", "" }, /* narrows the default (no list) */
		{ NULL, "{\"docker\": {\"home_volume\": \"para-home-other\"}}", "docker.home_volume" },
		{ NULL, "{\"docker\": {\"home_volume\": null}}", "" },
		{ NULL, "{\"docker\": {\"home_volume\": \"none\"}}", "" }, /* no volume only narrows */
		{ "{\"docker\": {\"home_volume\": \"mine\"}}", "{\"docker\": {\"home_volume\": \"mine\"}}", "" },
		{ "{\"docker\": {\"home_volume\": \"none\"}}", "{\"docker\": {\"home_volume\": \"para-home-x\"}}",
		  "docker.home_volume" },
		{ NULL, "{\"docker\": {\"forward_env\": [\"TERM\", \"LANG\"]}}", "" },
		{ NULL, "{\"docker\": {\"forward_env\": [\"TERM\", \"AWS_SECRET_ACCESS_KEY\"]}}", "docker.forward_env" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_narrowing_keys_need_no_trust(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL,
		  "{\"docker\": {\"resources\": {\"pids_limit\": 100, \"memory\": \"1g\", \"cpus\": 2, \"shm_size\": \"1g\"},"
		  " \"env\": {\"A\": \"b\"}, \"pull\": \"never\", \"default_image\": \"x:1\", \"auto_env_file\": false,"
		  " \"build\": {\"args\": {\"A\": \"b\"}, \"target\": \"t\"}, \"default_profile\": null},"
		  " \"git\": {\"branch_prefix\": \"x\"}, \"agent\": {\"prompt\": \"stdin\"}}",
		  "" },
		{ "{\"docker\": {\"allowed_images\": [\"para-*\"]}}",
		  "{\"docker\": {\"profiles\": {\"p\": {\"image\": \"para-x:1\", \"env_vars\": {\"A\": \"b\"}}}}}", "" },
		{ NULL, "{}", "" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_mounts(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL, "{\"docker\": {\"mounts\": [\"cache:/c\", \"./d:/d\", \"sub/x:/x:ro\", \"/data\", \".:/r\"]}}", "" },
		{ NULL, "{\"docker\": {\"mounts\": [\"cache:/c\", \"~/.ssh:/x\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"~:/h\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"../up:/u\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"..:/u\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"sub/../../x:/u\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"/etc:/e:ro\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"~bob/x:/x\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"type=bind,source=/,target=/host\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"type=bind,src=~/.ssh,dst=/s\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"type=volume,source=cache,target=/c\", \"type=tmpfs,dst=/t\"]}}", "" },
		/* the user's own entry, kept by the project: no trust needed */
		{ "{\"docker\": {\"mounts\": [\"~/.npmrc:/n\"]}}", "{\"docker\": {\"mounts\": [\"~/.npmrc:/n\", \"v:/v\"]}}",
		  "" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);

	/* the host value names what leaves the repository */
	struct config cfg = CONFIG_INIT;
	struct trust_keys k = TRUST_KEYS_INIT;
	set_project("{\"docker\": {\"mounts\": [\"cache:/c\", \"~/.ssh:/x\", \"./in:/in\"]}}");
	load_any(&cfg);
	trust_widening(cfg.base, cfg.project, repo, &k);
	assert_int_equal(k.nr, 1);
	json_t *host = json_object_get(k.v[0].value, "host");
	assert_int_equal(json_array_size(host), 1);
	char *ssh = tpath("home/.ssh");
	assert_string_equal(json_string_value(json_array_get(host, 0)), ssh);
	assert_int_equal(json_array_size(json_object_get(k.v[0].value, "value")), 3);
	free(ssh);
	trust_keys_clear(&k);
	config_clear(&cfg);
}

static void test_profiles(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL, "{\"docker\": {\"profiles\": {\"g\": {\"docker_args\": [\"--gpus\", \"all\"]}}}}",
		  "docker.profiles.g.docker_args" },
		{ "{\"docker\": {\"profiles\": {\"g\": {\"docker_args\": [\"-m\", \"2g\"]}}}}",
		  "{\"docker\": {\"profiles\": {\"g\": {\"docker_args\": [\"-m\", \"2g\"]}}}}", "" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"volumes\": [\"npm:/home/para/.npm\"]}}}}", "" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"volumes\": [\"~/.aws:/a\"]}}}}", "docker.profiles.n.volumes" },
		{ "{\"docker\": {\"allowed_images\": [\"para-*\"]}}",
		  "{\"docker\": {\"profiles\": {\"n\": {\"image\": \"evil:1\"}}}}", "docker.profiles.n.image" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"image\": \"evil:1\"}}}}", "" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"env_file\": \"../x.env\"}}}}", "docker.profiles.n.env_file" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"env_file\": \".env.node\"}}}}", "" },
		{ NULL, "{\"docker\": {\"profiles\": {\"n\": {\"dockerfile\": \"/etc/Dockerfile\"}}}}",
		  "docker.profiles.n.dockerfile" },
		{ NULL,
		  "{\"docker\": {\"profiles\": {\"a\": {\"docker_args\": [\"x\"]}, \"b\": {\"extends\": \"a\","
		  " \"volumes\": [\"/:/host\"]}}}}",
		  "docker.profiles.a.docker_args, docker.profiles.b.volumes" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_host_paths(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{ NULL, "{\"docker\": {\"dockerfile\": \"docker/Dockerfile\"}}", "" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"../Dockerfile\"}}", "docker.dockerfile" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"/etc/passwd\"}}", "docker.dockerfile" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"sub/../../x\"}}", "docker.dockerfile" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"sub/../Dockerfile\"}}", "" },
		{ NULL, "{\"docker\": {\"build\": {\"context\": \"..\"}}}", "docker.build.context" },
		{ NULL, "{\"docker\": {\"build\": {\"context\": \".\"}}}", "" },
		{ NULL, "{\"docker\": {\"default_env_file\": \"~/.aws/credentials\"}}", "docker.default_env_file" },
		{ NULL, "{\"docker\": {\"default_env_file\": \"config/dev.env\"}}", "" },
		{ NULL, "{\"docker\": {\"setup_script\": \"/tmp/x.sh\"}}", "docker.setup_script" },
		{ NULL, "{\"docker\": {\"setup_script\": \"scripts/setup.sh\"}}", "" },
		/* the user chose it: the project may say the same */
		{ "{\"docker\": {\"dockerfile\": \"/srv/Dockerfile\"}}", "{\"docker\": {\"dockerfile\": \"/srv/Dockerfile\"}}",
		  "" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_symlinks(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	char *sub = tpath("repo/sub");
	assert_int_equal(mkdir_p(sub, 0755, &err), 0);
	symlink_rel(outside, "repo/out");          /* a folder outside */
	symlink_rel("sub", "repo/in");             /* a folder inside */
	symlink_rel("/nonexistent-para/x", "repo/dang"); /* dangling, outside */
	symlink_rel("loop2", "repo/loop1");
	symlink_rel("loop1", "repo/loop2");
	symlink_rel("../outside/f", "repo/rel-out");
	static const struct wcase cases[] = {
		{ NULL, "{\"docker\": {\"dockerfile\": \"out/Dockerfile\"}}", "docker.dockerfile" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"in/Dockerfile\"}}", "" },
		{ NULL, "{\"docker\": {\"dockerfile\": \"in/../sub/Dockerfile\"}}", "" },
		/* the kernel follows out before "..": out/.. is outside's parent, so this is back inside */
		{ NULL, "{\"docker\": {\"dockerfile\": \"out/../repo/x\"}}", "" },
		{ NULL, "{\"docker\": {\"default_env_file\": \"dang\"}}", "docker.default_env_file" },
		{ NULL, "{\"docker\": {\"default_env_file\": \"loop1\"}}", "docker.default_env_file" },
		{ NULL, "{\"docker\": {\"default_env_file\": \"rel-out\"}}", "docker.default_env_file" },
		{ NULL, "{\"docker\": {\"mounts\": [\"./out:/o\"]}}", "docker.mounts" },
		{ NULL, "{\"docker\": {\"mounts\": [\"./in:/i\"]}}", "" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);

	char *r = trust_resolve(repo, "out/Dockerfile");
	char *want = xasprintf("%s/Dockerfile", outside);
	assert_string_equal(r, want);
	free(r);
	free(want);
	r = trust_resolve(repo, "dang/y");
	assert_string_equal(r, "/nonexistent-para/x/y");
	free(r);
	r = trust_resolve(repo, "in/a/../b");
	want = xasprintf("%s/sub/b", repo);
	assert_string_equal(r, want);
	free(r);
	free(want);
	r = trust_resolve(repo, "~/x");
	want = tpath("home/x");
	assert_string_equal(r, want);
	free(r);
	free(want);
	r = trust_resolve(repo, "~bob/x");
	assert_string_equal(r, "~bob/x");
	free(r);
	free(sub);
}

/* ---- the store ------------------------------------------------------------ */

static void test_store_location(void **state)
{
	(void)state;
	char *p = trust_record_path(repo);
	char *dir = tpath("home/.local/state/para/trust/");
	assert_int_equal(strncmp(p, dir, strlen(dir)), 0);
	assert_int_equal(strlen(p + strlen(dir)), 32 + strlen(".json"));
	free(p);
	/* unset, or relative (the XDG spec says to ignore it): ~/.local/state */
	setenv("XDG_STATE_HOME", "/x/state", 1);
	char *d = trust_store_dir();
	assert_string_equal(d, "/x/state/para/trust");
	free(d);
	setenv("XDG_STATE_HOME", "rel/state", 1);
	d = trust_store_dir();
	char *want = tpath("home/.local/state/para/trust");
	assert_string_equal(d, want);
	free(d);
	unsetenv("XDG_STATE_HOME");
	d = trust_store_dir();
	assert_string_equal(d, want);
	free(d);
	free(want);
	free(dir);
	/* the same repository by another path: the same record */
	symlink_rel(repo, "repo-link");
	char *link = tpath("repo-link");
	char *a = trust_record_path(repo), *b = trust_record_path(link);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(link);
}

static void test_store_round_trip(void **state)
{
	(void)state;
	set_project("{\"agent\": {\"command\": [\"evil\"]}, \"docker\": {\"mounts\": [\"~/.ssh:/x\"]}}");
	struct trust_report rep = TRUST_REPORT_INIT;
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_UNTRUSTED);
	assert_int_equal(rep.recorded, 0);
	char *need = join(&rep.need);
	assert_string_equal(need, "agent.command, docker.mounts");
	free(need);
	trust_report_clear(&rep);

	struct config cfg = CONFIG_INIT;
	struct trust_input in;
	struct error err = ERROR_INIT;
	json_t *out = NULL;
	load_any(&cfg);
	config_trust_input(&cfg, repo, &in);
	assert_int_equal(trust_record(&in, &out, &err), 0);
	assert_non_null(out);
	char *path = trust_record_path(repo), *file = tpath("repo/.para/config.json");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *dir = path_dirname(path);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	json_t *rec = trust_record_load(repo);
	assert_non_null(rec);
	assert_true(json_equal(rec, out));
	assert_string_equal(json_string_value(json_object_get(rec, "repo")), repo);
	assert_string_equal(json_string_value(json_object_get(rec, "file")), file);
	assert_string_equal(json_string_value(json_object_get(rec, "hash")), cfg.project_hash);
	assert_non_null(json_string_value(json_object_get(rec, "trusted_at")));
	json_t *keys = json_object_get(rec, "keys");
	assert_int_equal(json_object_size(keys), 2);
	json_t *ac = json_object_get(json_object_get(keys, "agent.command"), "value");
	assert_string_equal(json_string_value(json_array_get(ac, 0)), "evil");
	assert_non_null(json_object_get(json_object_get(keys, "docker.mounts"), "host"));
	json_decref(rec);
	json_decref(out);
	config_clear(&cfg);

	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_TRUSTED);
	assert_int_equal(rep.same_file, 1);
	assert_int_equal(rep.need.nr, 0);
	assert_non_null(rep.trusted_at);
	trust_report_clear(&rep);

	/* config_load now merges the project */
	struct config c2 = CONFIG_INIT;
	assert_int_equal(config_load(&c2, repo, &err), 0);
	assert_int_equal(c2.untrusted.nr, 0);
	assert_string_equal(json_string_value(json_array_get(config_get(&c2, "agent.command"), 0)), "evil");
	config_clear(&c2);

	/* untrust: removed once, then there is none */
	int removed = -1;
	assert_int_equal(trust_forget(repo, &removed, &err), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(path_exists(path), 0);
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_UNTRUSTED);
	trust_report_clear(&rep);
	assert_int_equal(trust_forget(repo, &removed, &err), 0);
	assert_int_equal(removed, 0);
	free(path);
	free(file);
	free(dir);
}

static void test_no_widening_key_needs_no_record(void **state)
{
	(void)state;
	struct trust_report rep = TRUST_REPORT_INIT;
	set_project("{\"docker\": {\"resources\": {\"pids_limit\": 64}}}");
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_NOT_NEEDED);
	assert_int_equal(rep.need.nr, 0);
	trust_report_clear(&rep);
	struct config cfg = CONFIG_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(config_load(&cfg, repo, &err), 0);
	assert_int_equal(json_integer_value(config_get(&cfg, "docker.resources.pids_limit")), 64);
	config_clear(&cfg);
	/* and no project file at all: a record can still be made (for .env and the like) */
	char *p = tpath("repo/.para/config.json");
	unlink(p);
	free(p);
	record();
	json_t *rec = trust_record_load(repo);
	assert_non_null(rec);
	assert_true(json_is_null(json_object_get(rec, "hash")));
	assert_true(json_is_null(json_object_get(rec, "file")));
	json_decref(rec);
}

static void test_changed_keys(void **state)
{
	(void)state;
	struct trust_report rep = TRUST_REPORT_INIT;
	set_project("{\"agent\": {\"command\": [\"a\"]}, \"docker\": {\"runtime\": \"r\", \"resources\": {\"pids_limit\": 1}}}");
	record();

	/* a narrowing key changed: still trusted, and said the file is another */
	set_project("{\"agent\": {\"command\": [\"a\"]}, \"docker\": {\"runtime\": \"r\", \"resources\": {\"pids_limit\": 2}}}");
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_TRUSTED);
	assert_int_equal(rep.same_file, 0);
	trust_report_clear(&rep);

	/* one widening key changed: only it is named */
	set_project("{\"agent\": {\"command\": [\"b\"]}, \"docker\": {\"runtime\": \"r\"}}");
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_CHANGED);
	char *need = join(&rep.need);
	assert_string_equal(need, "agent.command");
	free(need);
	struct error err = ERROR_INIT;
	assert_int_equal(trust_refusal(&rep, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_string_equal(err.msg, ".para/config.json changed since 'para trust': agent.command needs trust again");
	assert_string_equal(err.hint, "review the file, then run 'para trust'");
	trust_report_clear(&rep);

	/* a new widening key: named alone, the trusted ones are not */
	set_project("{\"agent\": {\"command\": [\"a\"]}, \"docker\": {\"runtime\": \"r\", \"user\": \"0:0\","
		    " \"docker_args\": [\"--privileged\"]}}");
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_CHANGED);
	need = join(&rep.need);
	assert_string_equal(need, "docker.docker_args, docker.user");
	free(need);
	assert_int_equal(trust_refusal(&rep, &err), -1);
	assert_string_equal(err.msg,
			    ".para/config.json changed since 'para trust': docker.docker_args, docker.user need trust again");
	trust_report_clear(&rep);

	/* config_load refuses with that message, and merges nothing of the project */
	struct config cfg = CONFIG_INIT;
	assert_int_equal(config_load(&cfg, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "docker.docker_args, docker.user"));
	assert_string_equal(config_str(&cfg, "docker.runtime"), "docker");
	assert_int_equal(cfg.untrusted.nr, 2);
	config_clear(&cfg);
}

/* The same bytes widen more when a path of the repository becomes a symlink
 * out of it: the hash alone would have let that through. */
static void test_same_file_new_symlink_needs_trust(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	char *docker = tpath("repo/docker");
	assert_int_equal(mkdir_p(docker, 0755, &err), 0);
	set_project("{\"agent\": {\"command\": [\"a\"]}, \"docker\": {\"default_env_file\": \"docker/dev.env\"}}");
	record();
	assert_int_equal(remove_tree(docker, &err), 0);
	symlink_rel(outside, "repo/docker");
	struct trust_report rep = TRUST_REPORT_INIT;
	evaluate(&rep);
	assert_int_equal(rep.same_file, 1);
	assert_int_equal(rep.state, TRUST_CHANGED);
	char *need = join(&rep.need);
	assert_string_equal(need, "docker.default_env_file");
	free(need);
	trust_report_clear(&rep);
	free(docker);
}

/* The user tightens their own config: a key that did not widen now does. */
static void test_user_tightening_needs_trust(void **state)
{
	(void)state;
	set_project("{\"agent\": {\"command\": [\"a\"]}, \"docker\": {\"profiles\": {\"p\": {\"image\": \"evil:1\"}}}}");
	record();
	set_user("{\"docker\": {\"allowed_images\": [\"para-*\"]}}");
	struct trust_report rep = TRUST_REPORT_INIT;
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_CHANGED);
	char *need = join(&rep.need);
	assert_string_equal(need, "docker.profiles.p.image");
	free(need);
	trust_report_clear(&rep);
}

static void test_refusal_messages(void **state)
{
	(void)state;
	struct trust_report rep = TRUST_REPORT_INIT;
	struct error err = ERROR_INIT;
	rep.state = TRUST_UNTRUSTED;
	strvec_push(&rep.need, "docker.runtime");
	assert_int_equal(trust_refusal(&rep, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_string_equal(err.msg, ".para/config.json sets docker.runtime that needs trust");
	assert_string_equal(err.hint, "review the file, then run 'para trust'");
	strvec_push(&rep.need, "agent.command");
	trust_refusal(&rep, &err);
	assert_string_equal(err.msg, ".para/config.json sets docker.runtime, agent.command that need trust");
	for (int i = 0; i < 6; i++)
		strvec_pushf(&rep.need, "k%d", i);
	trust_refusal(&rep, &err);
	assert_string_equal(err.msg,
			    ".para/config.json sets docker.runtime, agent.command, k0, k1, k2, k3 and 2 more that need trust");
	trust_report_clear(&rep);
}

static void test_record_of_another_repo_or_corrupt(void **state)
{
	(void)state;
	set_project("{\"agent\": {\"command\": [\"a\"]}}");
	char *path = trust_record_path(repo);
	/* a record that says it is another repository's counts as none */
	write_at(path, "{\"repo\": \"/somewhere/else\", \"keys\": {\"agent.command\": {\"value\": [\"a\"]}}}");
	assert_null(trust_record_load(repo));
	struct trust_report rep = TRUST_REPORT_INIT;
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_UNTRUSTED);
	trust_report_clear(&rep);
	/* so does one that is not JSON; trusting again replaces it */
	write_at(path, "not json");
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_UNTRUSTED);
	trust_report_clear(&rep);
	record();
	evaluate(&rep);
	assert_int_equal(rep.state, TRUST_TRUSTED);
	trust_report_clear(&rep);
	free(path);
}

static void test_store_errors(void **state)
{
	(void)state;
	struct config cfg = CONFIG_INIT;
	struct trust_input in;
	struct error err = ERROR_INIT;
	set_project("{\"agent\": {\"command\": [\"a\"]}}");
	/* the store's folder cannot be made: a file is in the way */
	write_rel("state-file", "x");
	char *sf = tpath("state-file");
	setenv("XDG_STATE_HOME", sf, 1);
	load_any(&cfg);
	config_trust_input(&cfg, repo, &in);
	assert_int_equal(trust_record(&in, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "state-file"));
	config_clear(&cfg);
	/* the record cannot be removed: a folder is where it should be */
	char *st = tpath("state2");
	setenv("XDG_STATE_HOME", st, 1);
	char *path = trust_record_path(repo);
	assert_int_equal(mkdir_p(path, 0755, &err), 0);
	int removed = -1;
	error_clear(&err);
	assert_int_equal(trust_forget(repo, &removed, &err), -1);
	assert_int_equal(removed, 0);
	assert_int_equal(err.code, 1);
	assert_non_null(strstr(err.msg, path));
	free(sf);
	free(st);
	free(path);
}

/* Paths that are not UTF-8 cannot be JSON strings: a host path goes by its
 * hash; a repository whose own path is not UTF-8 cannot be recorded. */
static void test_paths_not_utf8(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	symlink_rel("/nonexistent-para/\xff", "repo/odd");
	struct config cfg = CONFIG_INIT;
	struct trust_keys k = TRUST_KEYS_INIT;
	set_project("{\"docker\": {\"dockerfile\": \"odd\"}}");
	load_any(&cfg);
	trust_widening(cfg.base, cfg.project, repo, &k);
	assert_int_equal(k.nr, 1);
	const char *host = json_string_value(json_object_get(k.v[0].value, "host"));
	assert_non_null(host);
	assert_non_null(strstr(host, "not UTF-8, hash "));
	trust_keys_clear(&k);
	config_clear(&cfg);

	char *bad = tpath("bad\xff");
	assert_int_equal(mkdir_p(bad, 0755, &err), 0);
	struct trust_input in = { bad, NULL, NULL, NULL, NULL, NULL };
	struct config c2 = CONFIG_INIT;
	assert_int_equal(config_load(&c2, bad, &err), 0);
	config_trust_input(&c2, bad, &in);
	assert_int_equal(trust_record(&in, NULL, &err), -1);
	assert_string_equal(err.msg, "cannot record trust: a path is not UTF-8");
	config_clear(&c2);
	free(bad);
}

/* ---- repository files read on their own --------------------------------- */

static void test_check_file(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	char *env = tpath("repo/.env"), *secret = tpath("outside/secret"), *other = tpath("outside/other");
	write_rel("outside/secret", "S=1\n");
	write_rel("outside/other", "O=1\n");
	/* a plain file, and one that is missing */
	write_at(env, "A=1\n");
	assert_int_equal(trust_check_file(repo, env, &err), 0);
	char *missing = tpath("repo/nope");
	assert_int_equal(trust_check_file(repo, missing, &err), 0);
	free(missing);
	/* a symlink inside the repository */
	write_rel("repo/real.env", "R=1\n");
	symlink_rel("real.env", "repo/.env");
	assert_int_equal(trust_check_file(repo, env, &err), 0);
	/* a symlink out of it: refused, one line with both names */
	symlink_rel(secret, "repo/.env");
	assert_int_equal(trust_check_file(repo, env, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	char *want = xasprintf("'.env' leads through a symlink to '%s', outside the repository", secret);
	assert_string_equal(err.msg, want);
	assert_string_equal(err.hint, "review it, then run 'para trust'");
	assert_null(strchr(err.msg, '\n'));
	free(want);
	/* a path written outside the repository is the config's own choice */
	assert_int_equal(trust_check_file(repo, secret, &err), 0);
	/* trusted: that target passes, another does not */
	set_project("{}");
	record();
	json_t *rec = trust_record_load(repo);
	assert_string_equal(json_string_value(json_object_get(json_object_get(rec, "files"), ".env")), secret);
	json_decref(rec);
	assert_int_equal(trust_check_file(repo, env, &err), 0);
	symlink_rel(other, "repo/.env");
	assert_int_equal(trust_check_file(repo, env, &err), -1);
	assert_non_null(strstr(err.msg, other));
	/* a symlink loop is refused, and is never trusted */
	symlink_rel(".env", "repo/.env");
	record();
	assert_int_equal(trust_check_file(repo, env, &err), -1);
	assert_non_null(strstr(err.msg, "symlink loop"));
	free(env);
	free(secret);
	free(other);
}

static void test_check_file_dockerfile_folder(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	/* .para itself leads out: the Dockerfile, its folder (the context) and the
	 * .dockerignore are recorded by 'para trust', and then pass */
	write_rel("outside/Dockerfile", "FROM x\n");
	symlink_rel(outside, "repo/.para");
	char *df = tpath("repo/.para/Dockerfile"), *ctx = tpath("repo/.para");
	char *ign = tpath("repo/.para/.dockerignore");
	assert_int_equal(trust_check_file(repo, df, &err), -1);
	assert_non_null(strstr(err.msg, "'.para/Dockerfile'"));
	assert_int_equal(trust_check_file(repo, ctx, &err), -1);
	record();
	assert_int_equal(trust_check_file(repo, df, &err), 0);
	assert_int_equal(trust_check_file(repo, ctx, &err), 0);
	assert_int_equal(trust_check_file(repo, ign, &err), 0);
	free(df);
	free(ctx);
	free(ign);
	/* a .env the config does not read (auto_env_file false) is not recorded */
	char *env = tpath("repo/.env");
	symlink_rel(outside, "repo/.env");
	set_user("{\"docker\": {\"auto_env_file\": false}}");
	record();
	assert_int_equal(trust_check_file(repo, env, &err), -1);
	free(env);
}

/* ---- config_load's gate ------------------------------------------------------ */

static const char *tpath_static_outside_config(void)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/outside/config.json", tmpdir);
	return p;
}

static void test_config_load_gate(void **state)
{
	(void)state;
	struct error err = ERROR_INIT;
	set_project("{\"docker\": {\"runtime\": \".para/rt.sh\", \"pull\": \"never\"}, \"agent\": {\"command\": [\"x\"]}}");
	struct config cfg = CONFIG_INIT;
	assert_int_equal(config_load(&cfg, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_string_equal(err.msg, ".para/config.json sets agent.command, docker.runtime that need trust");
	/* nothing of the project layer is in effect, not even its narrowing keys */
	assert_string_equal(config_str(&cfg, "docker.runtime"), "docker");
	assert_string_equal(config_str(&cfg, "docker.pull"), "missing");
	assert_int_equal(cfg.untrusted.nr, 2);
	config_clear(&cfg);
	/* CONFIG_ANY_TRUST merges it and says which keys are untrusted */
	struct config c2 = CONFIG_INIT;
	assert_int_equal(config_load_flags(&c2, repo, CONFIG_ANY_TRUST, &err), 0);
	assert_string_equal(config_str(&c2, "docker.runtime"), ".para/rt.sh");
	char *u = join(&c2.untrusted);
	assert_string_equal(u, "agent.command, docker.runtime");
	free(u);
	config_clear(&c2);
	/* user config and PARA_CONFIG are trusted as they are */
	char *p = tpath("repo/.para/config.json");
	unlink(p);
	free(p);
	set_user("{\"docker\": {\"runtime\": \"/usr/bin/podman\", \"docker_args\": [\"--privileged\"]}}");
	write_rel("extra.json", "{\"agent\": {\"command\": [\"y\"]}, \"docker\": {\"user\": \"0:0\"}}");
	char *extra = tpath("extra.json");
	setenv("PARA_CONFIG", extra, 1);
	struct config c3 = CONFIG_INIT;
	assert_int_equal(config_load(&c3, repo, &err), 0);
	assert_string_equal(config_str(&c3, "docker.runtime"), "/usr/bin/podman");
	assert_string_equal(config_str(&c3, "docker.user"), "0:0");
	assert_int_equal(c3.untrusted.nr, 0);
	config_clear(&c3);
	unsetenv("PARA_CONFIG");
	free(extra);
	/* .para, or the file in it, leading out of the repository: refused until trusted */
	write_rel("outside/config.json", "{\"docker\": {\"pull\": \"never\"}}");
	char *para = tpath("repo/.para");
	assert_int_equal(remove_tree(para, &err), 0);
	symlink_rel(outside, "repo/.para");
	struct config c5 = CONFIG_INIT;
	assert_int_equal(config_load(&c5, repo, &err), -1);
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "'.para' leads through a symlink"));
	assert_string_equal(c5.untrusted.v[0], ".para");
	config_clear(&c5);
	struct config c6 = CONFIG_INIT;
	assert_int_equal(config_load_flags(&c6, repo, CONFIG_ANY_TRUST, &err), 0);
	assert_string_equal(config_str(&c6, "docker.pull"), "never");
	config_clear(&c6);
	record();
	struct config c7 = CONFIG_INIT;
	assert_int_equal(config_load(&c7, repo, &err), 0);
	config_clear(&c7);
	unlink(para);
	assert_int_equal(mkdir_p(para, 0755, &err), 0);
	free(para);
	symlink_rel(tpath_static_outside_config(), "repo/.para/config.json");
	/* (the record holds that very target, reached through .para before) */
	int removed = 0;
	assert_int_equal(trust_forget(repo, &removed, &err), 0);
	assert_int_equal(removed, 1);
	struct config c8 = CONFIG_INIT;
	assert_int_equal(config_load(&c8, repo, &err), -1);
	assert_non_null(strstr(err.msg, "'.para/config.json' leads through a symlink"));
	assert_string_equal(c8.untrusted.v[0], ".para/config.json");
	config_clear(&c8);
	/* outside a repository there is no project layer */
	struct config c4 = CONFIG_INIT;
	assert_int_equal(config_load(&c4, NULL, &err), 0);
	assert_null(c4.project);
	config_clear(&c4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_host_keys, fresh),
		cmocka_unit_test_setup(test_container_keys, fresh),
		cmocka_unit_test_setup(test_narrowing_keys_need_no_trust, fresh),
		cmocka_unit_test_setup(test_mounts, fresh),
		cmocka_unit_test_setup(test_profiles, fresh),
		cmocka_unit_test_setup(test_host_paths, fresh),
		cmocka_unit_test_setup(test_symlinks, fresh),
		cmocka_unit_test_setup(test_store_location, fresh),
		cmocka_unit_test_setup(test_store_round_trip, fresh),
		cmocka_unit_test_setup(test_no_widening_key_needs_no_record, fresh),
		cmocka_unit_test_setup(test_changed_keys, fresh),
		cmocka_unit_test_setup(test_same_file_new_symlink_needs_trust, fresh),
		cmocka_unit_test_setup(test_user_tightening_needs_trust, fresh),
		cmocka_unit_test_setup(test_refusal_messages, fresh),
		cmocka_unit_test_setup(test_record_of_another_repo_or_corrupt, fresh),
		cmocka_unit_test_setup(test_store_errors, fresh),
		cmocka_unit_test_setup(test_paths_not_utf8, fresh),
		cmocka_unit_test_setup(test_check_file, fresh),
		cmocka_unit_test_setup(test_check_file_dockerfile_folder, fresh),
		cmocka_unit_test_setup(test_config_load_gate, fresh),
	};
	int r = cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
	cleanup(NULL);
	return r;
}
