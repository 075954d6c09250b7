/*
 * The container spec as the Engine API's create body (spec_render_create,
 * src/container/specapi.c): the fields the docker CLI sends for the run
 * spec_render_run gives it, and NULL where the API cannot say the same.
 * Specs are made by hand here (test_spec.c resolves them from a config).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "container/spec.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define IMAGE "alpine:3.20"

/* A spec as spec_resolve makes one, without mounts, variables or resources. */
static void plain_spec(struct container_spec *s)
{
	*s = (struct container_spec)CONTAINER_SPEC_INIT;
	s->name = xstrdup("para-app-123456-s1");
	s->image = xstrdup(IMAGE);
	strvec_push(&s->labels, "dev.para.session=s1");
	strvec_push(&s->labels, "dev.para.repo=/home/u/src/app");
	strvec_push(&s->labels, "dev.para.version=0.1.0");
}

/* The member k of object j (a failure when j is no object or has no k). */
static json_t *get(const json_t *j, const char *k)
{
	if (!json_is_object(j))
		fail_msg("looking for '%s' in something that is not an object", k);
	json_t *v = json_object_get(j, k);
	if (!v)
		fail_msg("no '%s'", k);
	return v;
}

static const char *get_str(const json_t *j, const char *k)
{
	json_t *v = get(j, k);
	if (!json_is_string(v))
		fail_msg("'%s' is not a string", k);
	return json_string_value(v);
}

static json_int_t get_int(const json_t *j, const char *k)
{
	json_t *v = get(j, k);
	if (!json_is_integer(v))
		fail_msg("'%s' is not an integer", k);
	return json_integer_value(v);
}

static int get_bool(const json_t *j, const char *k)
{
	json_t *v = get(j, k);
	if (!json_is_boolean(v))
		fail_msg("'%s' is not a boolean", k);
	return json_is_true(v);
}

/* That a is an array of exactly the strings want[0..n). */
static void assert_strings(const json_t *a, const char *what, const char *const *want, size_t n)
{
	if (!json_is_array(a))
		fail_msg("%s is not an array", what);
	if (json_array_size(a) != n) {
		char *dump = json_dumps(a, JSON_COMPACT);
		fail_msg("%s has %zu entries, not %zu: %s", what, json_array_size(a), n, dump ? dump : "?");
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(a, i));
		if (!v || strcmp(v, want[i]))
			fail_msg("%s[%zu] is '%s', not '%s'", what, i, v ? v : "(no string)", want[i]);
	}
}

/* --- the plain spec --- */

static void test_plain(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);

	assert_string_equal(get_str(j, "Image"), IMAGE);
	static const char *const ep[] = { "sh" };
	assert_strings(get(j, "Entrypoint"), "Entrypoint", ep, 1);
	json_t *cmd = get(j, "Cmd");
	assert_int_equal(json_array_size(cmd), 2);
	assert_string_equal(json_string_value(json_array_get(cmd, 0)), "-c");
	const char *script = json_string_value(json_array_get(cmd, 1));
	assert_non_null(script);
	assert_non_null(strstr(script, SPEC_READY_MARK));
	char *want_script = spec_keepalive_script(&s);
	assert_string_equal(script, want_script);
	free(want_script);
	assert_string_equal(get_str(j, "WorkingDir"), "/workspace");
	assert_true(get_bool(j, "AttachStdout"));
	assert_true(get_bool(j, "AttachStderr"));
	assert_false(get_bool(j, "AttachStdin"));
	assert_false(get_bool(j, "Tty"));
	assert_false(get_bool(j, "OpenStdin"));
	assert_null(json_object_get(j, "User"));
	assert_int_equal(json_array_size(get(j, "Env")), 0);

	json_t *hc = get(j, "HostConfig");
	assert_true(get_bool(hc, "Init"));
	static const char *const sec[] = { "no-new-privileges" };
	assert_strings(get(hc, "SecurityOpt"), "SecurityOpt", sec, 1);
	static const char *const hosts[] = { "host.docker.internal:host-gateway" };
	assert_strings(get(hc, "ExtraHosts"), "ExtraHosts", hosts, 1);
	assert_string_equal(get_str(hc, "NetworkMode"), "default");
	assert_string_equal(get_str(get(hc, "RestartPolicy"), "Name"), "no");
	assert_strings(get(hc, "Dns"), "Dns", NULL, 0);
	assert_int_equal(json_array_size(get(hc, "Mounts")), 0);
	/* no resource given: none said */
	assert_null(json_object_get(hc, "PidsLimit"));
	assert_null(json_object_get(hc, "Memory"));
	assert_null(json_object_get(hc, "NanoCpus"));
	assert_null(json_object_get(hc, "ShmSize"));
	json_decref(j);
	spec_clear(&s);
}

static void test_add_passwd(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.user = xstrdup("1000:1000");
	s.add_passwd = 1;
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	assert_string_equal(get_str(j, "User"), "0:0");
	/* the script sets up the passwd entry */
	const char *script = json_string_value(json_array_get(get(j, "Cmd"), 1));
	assert_non_null(strstr(script, "/etc/passwd"));
	assert_non_null(strstr(script, SPEC_READY_MARK));
	json_decref(j);
	spec_clear(&s);

	/* a user without add_passwd: the container's user is set at exec */
	plain_spec(&s);
	s.user = xstrdup("1000:1000");
	j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	assert_null(json_object_get(j, "User"));
	json_decref(j);
	spec_clear(&s);
}

/* --- labels --- */

static void test_labels(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	s.name = xstrdup("n");
	s.image = xstrdup(IMAGE);
	strvec_push(&s.labels, "a=b");
	strvec_push(&s.labels, "c");
	strvec_push(&s.labels, "d=e=f");
	strvec_push(&s.labels, "empty=");
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *l = get(j, "Labels");
	assert_int_equal(json_object_size(l), 4);
	assert_string_equal(get_str(l, "a"), "b");
	assert_string_equal(get_str(l, "c"), "");
	assert_string_equal(get_str(l, "d"), "e=f");
	assert_string_equal(get_str(l, "empty"), "");
	json_decref(j);
	spec_clear(&s);

	/* none: an empty object */
	s = (struct container_spec)CONTAINER_SPEC_INIT;
	s.name = xstrdup("n");
	s.image = xstrdup(IMAGE);
	j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	assert_true(json_is_object(get(j, "Labels")));
	assert_int_equal(json_object_size(get(j, "Labels")), 0);
	json_decref(j);
	spec_clear(&s);
}

/* --- resources --- */

static void test_resources(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.pids_limit = 64;
	s.memory = xstrdup("1.5g");
	s.cpus = xstrdup("0.5");
	s.shm_size = xstrdup("32m");
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *hc = get(j, "HostConfig");
	assert_int_equal(get_int(hc, "PidsLimit"), 64);
	assert_int_equal(get_int(hc, "Memory"), 1610612736LL);
	assert_int_equal(get_int(hc, "NanoCpus"), 500000000LL);
	assert_int_equal(get_int(hc, "ShmSize"), 33554432LL);
	json_decref(j);
	spec_clear(&s);
}

static void test_resources_refused(void **state)
{
	(void)state;
	static const char *const bad_ram[] = { "lots", "2x", "-1g", "" };
	for (size_t i = 0; i < sizeof bad_ram / sizeof bad_ram[0]; i++) {
		struct container_spec s;
		plain_spec(&s);
		s.memory = xstrdup(bad_ram[i]);
		json_t *j = spec_render_create(&s, NULL, NULL);
		if (j) {
			json_decref(j);
			fail_msg("memory '%s' gave a body", bad_ram[i]);
		}
		spec_clear(&s);

		plain_spec(&s);
		s.shm_size = xstrdup(bad_ram[i]);
		j = spec_render_create(&s, NULL, NULL);
		if (j) {
			json_decref(j);
			fail_msg("shm_size '%s' gave a body", bad_ram[i]);
		}
		spec_clear(&s);
	}
	struct container_spec s;
	plain_spec(&s);
	s.cpus = xstrdup("0.000000001");
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);
	/* pids_limit 0 or less: no limit said */
	plain_spec(&s);
	s.pids_limit = -1;
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	assert_null(json_object_get(get(j, "HostConfig"), "PidsLimit"));
	json_decref(j);
	spec_clear(&s);
}

/* --- network --- */

static void test_network(void **state)
{
	(void)state;
	static const struct {
		const char *net, *mode;
	} cases[] = { { "none", "none" }, { "bridge", "default" }, { "host", "host" }, { NULL, "default" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct container_spec s;
		plain_spec(&s);
		s.network = cases[i].net ? xstrdup(cases[i].net) : NULL;
		json_t *j = spec_render_create(&s, NULL, NULL);
		assert_non_null(j);
		json_t *hc = get(j, "HostConfig");
		assert_string_equal(get_str(hc, "NetworkMode"), cases[i].mode);
		assert_non_null(json_object_get(hc, "ExtraHosts"));
		assert_int_equal(json_array_size(get(hc, "Dns")), 0);
		json_decref(j);
		spec_clear(&s);
	}
}

static void test_network_isolated(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.isolated = 1;
	s.network = xstrdup("para-internal-s1");
	s.proxy_ip = xstrdup("10.1.2.3");
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *hc = get(j, "HostConfig");
	assert_null(json_object_get(hc, "ExtraHosts"));
	static const char *const dns[] = { "10.1.2.3" };
	assert_strings(get(hc, "Dns"), "Dns", dns, 1);
	assert_string_equal(get_str(hc, "NetworkMode"), "para-internal-s1");
	json_decref(j);
	spec_clear(&s);

	/* isolated, the proxy's address not known yet: no DNS of its own */
	plain_spec(&s);
	s.isolated = 1;
	s.network = xstrdup("para-internal-s1");
	j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	hc = get(j, "HostConfig");
	assert_null(json_object_get(hc, "ExtraHosts"));
	assert_int_equal(json_array_size(get(hc, "Dns")), 0);
	json_decref(j);
	spec_clear(&s);
}

/* --- mounts --- */

static void test_mount_home(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.user = xstrdup("1000:1000");
	s.home_volume = xstrdup("para-home-claude-1000");
	spec_add_mount(&s, "/home/u/src/app/.para/worktrees/s1", "/workspace", 0);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *m = get(get(j, "HostConfig"), "Mounts");
	assert_int_equal(json_array_size(m), 2);
	json_t *home = json_array_get(m, 0);
	assert_string_equal(get_str(home, "Type"), "volume");
	assert_string_equal(get_str(home, "Source"), "para-home-claude-1000");
	assert_string_equal(get_str(home, "Target"), "/home/para");
	assert_null(json_object_get(home, "ReadOnly"));
	assert_null(json_object_get(home, "BindOptions"));
	json_t *vo = get(home, "VolumeOptions");
	assert_true(json_is_object(get(vo, "DriverConfig")));
	assert_int_equal(json_object_size(get(vo, "DriverConfig")), 0);
	assert_null(json_object_get(vo, "NoCopy"));
	json_t *l = get(vo, "Labels");
	assert_string_equal(get_str(l, "dev.para.role"), "home");
	assert_string_equal(get_str(l, "dev.para.version"), "0.1.0");
	assert_string_equal(get_str(l, "dev.para.origin"), "/home/u/src/app");
	assert_string_equal(get_str(l, "dev.para.uid"), "1000");
	assert_null(json_object_get(l, "dev.para.repo"));
	assert_null(json_object_get(l, "dev.para.volume"));
	assert_int_equal(json_object_size(l), 4);
	/* the worktree after it, a plain bind */
	json_t *wt = json_array_get(m, 1);
	assert_string_equal(get_str(wt, "Type"), "bind");
	assert_string_equal(get_str(wt, "Source"), "/home/u/src/app/.para/worktrees/s1");
	assert_string_equal(get_str(wt, "Target"), "/workspace");
	assert_int_equal(json_object_size(wt), 3);
	json_decref(j);
	spec_clear(&s);
}

static void test_mount_kinds(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	spec_add_mount(&s, "/home/u/ref", "/ref", 1);
	struct spec_mount slave = { MOUNT_BIND, (char *)"/mnt/data", (char *)"/data", 0, (char *)"rslave", 0 };
	spec_put_mount(&s, &slave);
	struct spec_mount cache = { MOUNT_VOLUME, (char *)"app-cache", (char *)"/cache", 0, NULL, 1 };
	spec_put_mount(&s, &cache);
	struct spec_mount named = { MOUNT_VOLUME, (char *)"app-data", (char *)"/var/lib/app", 1, NULL, 0 };
	spec_put_mount(&s, &named);
	struct spec_mount tmp = { MOUNT_TMPFS, NULL, (char *)"/tmp", 0, NULL, 0 };
	spec_put_mount(&s, &tmp);
	struct spec_mount anon = { MOUNT_VOLUME, NULL, (char *)"/anon", 0, NULL, 0 };
	spec_put_mount(&s, &anon);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *m = get(get(j, "HostConfig"), "Mounts");
	assert_int_equal(json_array_size(m), 6);

	/* read-only bind: ReadOnly, no options */
	json_t *ro = json_array_get(m, 0);
	assert_string_equal(get_str(ro, "Type"), "bind");
	assert_string_equal(get_str(ro, "Source"), "/home/u/ref");
	assert_string_equal(get_str(ro, "Target"), "/ref");
	assert_true(get_bool(ro, "ReadOnly"));
	assert_null(json_object_get(ro, "VolumeOptions"));
	assert_null(json_object_get(ro, "BindOptions"));

	/* a bind with propagation */
	json_t *sl = json_array_get(m, 1);
	assert_string_equal(get_str(sl, "Type"), "bind");
	assert_string_equal(get_str(get(sl, "BindOptions"), "Propagation"), "rslave");
	assert_null(json_object_get(sl, "ReadOnly"));
	assert_null(json_object_get(sl, "VolumeOptions"));

	/* a named volume with nocopy, labelled para's */
	json_t *nc = json_array_get(m, 2);
	assert_string_equal(get_str(nc, "Type"), "volume");
	assert_string_equal(get_str(nc, "Source"), "app-cache");
	json_t *vo = get(nc, "VolumeOptions");
	assert_true(get_bool(vo, "NoCopy"));
	assert_int_equal(json_object_size(get(vo, "DriverConfig")), 0);
	json_t *l = get(vo, "Labels");
	assert_string_equal(get_str(l, "dev.para.volume"), "1");
	assert_string_equal(get_str(l, "dev.para.repo"), "/home/u/src/app");
	assert_null(json_object_get(l, "dev.para.role"));
	assert_null(json_object_get(nc, "BindOptions"));

	/* a named volume read-only: labelled too, no NoCopy */
	json_t *nv = json_array_get(m, 3);
	assert_string_equal(get_str(nv, "Source"), "app-data");
	assert_true(get_bool(nv, "ReadOnly"));
	vo = get(nv, "VolumeOptions");
	assert_null(json_object_get(vo, "NoCopy"));
	assert_string_equal(get_str(get(vo, "Labels"), "dev.para.volume"), "1");

	/* tmpfs: no source, no options */
	json_t *t = json_array_get(m, 4);
	assert_string_equal(get_str(t, "Type"), "tmpfs");
	assert_null(json_object_get(t, "Source"));
	assert_string_equal(get_str(t, "Target"), "/tmp");
	assert_null(json_object_get(t, "VolumeOptions"));
	assert_null(json_object_get(t, "BindOptions"));

	/* an anonymous volume: no source, no labels (the CLI gives none) */
	json_t *an = json_array_get(m, 5);
	assert_string_equal(get_str(an, "Type"), "volume");
	assert_null(json_object_get(an, "Source"));
	assert_string_equal(get_str(an, "Target"), "/anon");
	json_t *avo = json_object_get(an, "VolumeOptions");
	if (avo)
		assert_null(json_object_get(avo, "Labels"));
	json_decref(j);
	spec_clear(&s);

	/* an anonymous volume with nocopy: NoCopy, still no labels */
	plain_spec(&s);
	struct spec_mount anon_nc = { MOUNT_VOLUME, NULL, (char *)"/anon", 0, NULL, 1 };
	spec_put_mount(&s, &anon_nc);
	j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	an = json_array_get(get(get(j, "HostConfig"), "Mounts"), 0);
	assert_null(json_object_get(an, "Source"));
	vo = get(an, "VolumeOptions");
	assert_true(get_bool(vo, "NoCopy"));
	json_t *al = json_object_get(vo, "Labels");
	assert_true(!al || json_object_size(al) == 0);
	json_decref(j);
	spec_clear(&s);
}

/* --- variables --- */

static void env_spec(struct container_spec *s)
{
	plain_spec(s);
	/* added in another order than the CLI gives them */
	spec_add_env(s, "TWO_LINES", "first\nsecond", "-e", 0);
	spec_add_env(s, "PARA_SESSION", "s1", "para", 0);
	spec_add_env(s, "PLAIN", "value with spaces", "-e", 1);
	spec_set_env(s, "EXEC_ONLY", "x", 1, "-e", 0, 1);
	spec_set_env(s, "UNSET", NULL, 1, "-e", 0, 0);
}

static void test_env_order(void **state)
{
	(void)state;
	struct container_spec s;
	env_spec(&s);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	static const char *const want[] = { "PLAIN=value with spaces", "PARA_SESSION=s1", "TWO_LINES=first\nsecond" };
	assert_strings(get(j, "Env"), "Env", want, 3);
	json_decref(j);
	spec_clear(&s);
}

static int shown_calls;

static const char *masked(const struct spec_env *e, void *ctx)
{
	(void)e;
	assert_ptr_equal(ctx, &shown_calls);
	shown_calls++;
	return "********";
}

static void test_env_shown(void **state)
{
	(void)state;
	struct container_spec s;
	env_spec(&s);
	shown_calls = 0;
	json_t *j = spec_render_create(&s, masked, &shown_calls);
	assert_non_null(j);
	static const char *const want[] = { "PLAIN=********", "PARA_SESSION=s1", "TWO_LINES=********" };
	assert_strings(get(j, "Env"), "Env", want, 3);
	assert_int_equal(shown_calls, 2);
	json_decref(j);
	spec_clear(&s);
}

/* An empty value and one with '=' and '#' are an env file's. */
static void test_env_file_values(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	spec_add_env(&s, "CR", "a\rb", "-e", 0);
	spec_add_env(&s, "EMPTY", "", "-e", 0);
	spec_add_env(&s, "EQ", "a=b #c", ".env /r/.env", 0);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	static const char *const want[] = { "EMPTY=", "EQ=a=b #c", "CR=a\rb" };
	assert_strings(get(j, "Env"), "Env", want, 3);
	json_decref(j);
	spec_clear(&s);
}

/* --- what the API cannot say as the CLI would --- */

static void test_refused(void **state)
{
	(void)state;
	struct container_spec s;

	plain_spec(&s);
	strvec_push(&s.extra_args, "--cap-drop=ALL");
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);

	plain_spec(&s);
	s.gpus = xstrdup("all");
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);

	plain_spec(&s);
	spec_add_env(&s, "BAD", "\xff", "-e", 0);
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);

	plain_spec(&s);
	spec_add_env(&s, "BAD_PARA", "caf\xe9", "para", 0);
	assert_null(spec_render_create(&s, NULL, NULL));
	assert_null(spec_render_create(&s, masked, &shown_calls)); /* para's own are never masked */
	spec_clear(&s);

	plain_spec(&s);
	free(s.image);
	s.image = xstrdup("img\xff:latest");
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);

	plain_spec(&s);
	strvec_push(&s.labels, "bad=\xff");
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);

	plain_spec(&s);
	spec_add_mount(&s, "/home/u/caf\xe9", "/data", 0);
	assert_null(spec_render_create(&s, NULL, NULL));
	spec_clear(&s);
}

/* A dry run (values shown masked) says what the start itself would do: a
 * masked value that is not UTF-8 still cannot go in the API's body, so the
 * dry run must not claim the Engine API path the real start cannot take
 * (plan.c: engine_api_run_plan with shown_value; engine.c:
 * engine_create_begin with NULL, which gets NULL and runs the CLI). */
static void test_refused_masked(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	spec_add_env(&s, "API_KEY", "\xff\xfe", "-e", 1);
	assert_null(spec_render_create(&s, NULL, NULL));
	json_t *j = spec_render_create(&s, masked, &shown_calls);
	if (j) {
		json_decref(j);
		spec_clear(&s);
		fail_msg("a value that is not UTF-8: NULL unmasked (the start runs the CLI), a body when masked "
			 "(the dry run shows the Engine API)");
	}
	spec_clear(&s);
}

/* --- the same container as spec_render_run's argv --- */

static const char *next_after(const struct strvec *args, size_t *i, const char *flag)
{
	for (; *i + 1 < args->nr; (*i)++)
		if (!strcmp(args->v[*i], flag)) {
			(*i)++;
			return args->v[(*i)++];
		}
	return NULL;
}

static const char *with_prefix(const struct strvec *args, const char *prefix)
{
	for (size_t i = 0; i < args->nr; i++)
		if (!strncmp(args->v[i], prefix, strlen(prefix)))
			return args->v[i] + strlen(prefix);
	return NULL;
}

/* The variables the CLI gives the engine for these args: its env file's
 * lines, then the --env and -e flags in order, a "-e KEY" taking KEY from
 * the CLI's own environment env. */
static void cli_env(const struct strvec *args, const struct strvec *env, const struct strbuf *in,
		    struct strvec *out)
{
	for (const char *p = in->buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		strvec_push_nodup(out, line);
		p += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < args->nr; i++) {
		if (!strncmp(args->v[i], "--env=", 6)) {
			strvec_push(out, args->v[i] + 6);
		} else if (!strcmp(args->v[i], "-e") && i + 1 < args->nr) {
			const char *key = args->v[++i];
			for (size_t k = 0; k < env->nr; k++)
				if (!strncmp(env->v[k], key, strlen(key)) && env->v[k][strlen(key)] == '=')
					strvec_push(out, env->v[k]);
		}
	}
}

static void test_same_as_run(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.user = xstrdup("1000:1000");
	s.add_passwd = 1;
	s.home_volume = xstrdup("para-home-claude-1000");
	s.pids_limit = 128;
	s.memory = xstrdup("2g");
	s.cpus = xstrdup("1.5");
	s.shm_size = xstrdup("64m");
	s.network = xstrdup("none");
	spec_add_mount(&s, "/home/u/src/app/.para/worktrees/s1", "/workspace", 0);
	struct spec_mount cache = { MOUNT_VOLUME, (char *)"app-cache", (char *)"/cache", 0, NULL, 1 };
	spec_put_mount(&s, &cache);
	struct spec_mount tmp = { MOUNT_TMPFS, NULL, (char *)"/tmp", 0, NULL, 0 };
	spec_put_mount(&s, &tmp);
	spec_add_env(&s, "MULTI", "a\nb", "-e", 0);
	spec_add_env(&s, "PARA_SESSION", "s1", "para", 0);
	spec_add_env(&s, "A", "1", "-e", 0);
	spec_add_env(&s, "PARA_WORKSPACE", "/workspace", "para", 0);
	spec_add_env(&s, "B", "2", ".env /r/.env", 1);
	spec_set_env(&s, "X", "only at exec", 1, "-e", 0, 1);

	struct strvec args = STRVEC_INIT, env = STRVEC_INIT, want_env = STRVEC_INIT;
	struct strbuf in = STRBUF_INIT;
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &in);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *hc = get(j, "HostConfig");

	cli_env(&args, &env, &in, &want_env);
	assert_strings(get(j, "Env"), "Env", (const char *const *)want_env.v, want_env.nr);

	size_t i = 0, nlabels = 0;
	const char *l;
	while ((l = next_after(&args, &i, "--label"))) {
		const char *eq = strchr(l, '=');
		char *k = eq ? xstrndup(l, (size_t)(eq - l)) : xstrdup(l);
		assert_string_equal(get_str(get(j, "Labels"), k), eq ? eq + 1 : "");
		free(k);
		nlabels++;
	}
	assert_int_equal(json_object_size(get(j, "Labels")), nlabels);

	size_t nmounts = 0;
	for (size_t k = 0; k < args.nr; k++)
		if (!strncmp(args.v[k], "--mount=", 8)) {
			json_t *m = json_array_get(get(hc, "Mounts"), nmounts++);
			assert_non_null(m);
			char *target = xasprintf("target=%s", get_str(m, "Target"));
			assert_non_null(strstr(args.v[k], target));
			free(target);
			char *type = xasprintf("--mount=type=%s,", get_str(m, "Type"));
			assert_true(!strncmp(args.v[k], type, strlen(type)));
			free(type);
		}
	assert_int_equal(json_array_size(get(hc, "Mounts")), nmounts);

	char *v = xasprintf("%lld", (long long)get_int(hc, "PidsLimit"));
	assert_string_equal(with_prefix(&args, "--pids-limit="), v);
	free(v);
	assert_string_equal(with_prefix(&args, "--memory="), "2g");
	assert_int_equal(get_int(hc, "Memory"), 2LL << 30);
	assert_string_equal(with_prefix(&args, "--cpus="), "1.5");
	assert_int_equal(get_int(hc, "NanoCpus"), 1500000000LL);
	assert_string_equal(with_prefix(&args, "--shm-size="), "64m");
	assert_int_equal(get_int(hc, "ShmSize"), 64LL << 20);
	assert_string_equal(with_prefix(&args, "--network="), get_str(hc, "NetworkMode"));
	assert_string_equal(with_prefix(&args, "--user="), get_str(j, "User"));
	i = 0;
	assert_string_equal(next_after(&args, &i, "--add-host"),
			    json_string_value(json_array_get(get(hc, "ExtraHosts"), 0)));
	i = 0;
	assert_string_equal(next_after(&args, &i, "--workdir"), get_str(j, "WorkingDir"));
	i = 0;
	assert_string_equal(next_after(&args, &i, "--security-opt"),
			    json_string_value(json_array_get(get(hc, "SecurityOpt"), 0)));
	/* --entrypoint sh IMAGE -c SCRIPT */
	assert_true(args.nr >= 5);
	assert_string_equal(args.v[args.nr - 5], "--entrypoint");
	assert_string_equal(args.v[args.nr - 4], json_string_value(json_array_get(get(j, "Entrypoint"), 0)));
	assert_string_equal(args.v[args.nr - 3], get_str(j, "Image"));
	assert_string_equal(args.v[args.nr - 2], json_string_value(json_array_get(get(j, "Cmd"), 0)));
	assert_string_equal(args.v[args.nr - 1], json_string_value(json_array_get(get(j, "Cmd"), 1)));

	json_decref(j);
	strvec_clear(&args);
	strvec_clear(&env);
	strvec_clear(&want_env);
	strbuf_release(&in);
	spec_clear(&s);
}

/* Isolated: no --add-host, --dns the proxy; the same in the body. */
static void test_same_as_run_isolated(void **state)
{
	(void)state;
	struct container_spec s;
	plain_spec(&s);
	s.isolated = 1;
	s.network = xstrdup("para-internal-s1");
	s.proxy_ip = xstrdup("10.1.2.3");
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf in = STRBUF_INIT;
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &in);
	json_t *j = spec_render_create(&s, NULL, NULL);
	assert_non_null(j);
	json_t *hc = get(j, "HostConfig");
	size_t i = 0;
	assert_null(next_after(&args, &i, "--add-host"));
	assert_null(json_object_get(hc, "ExtraHosts"));
	assert_string_equal(with_prefix(&args, "--dns="), json_string_value(json_array_get(get(hc, "Dns"), 0)));
	assert_string_equal(with_prefix(&args, "--network="), get_str(hc, "NetworkMode"));
	json_decref(j);
	strvec_clear(&args);
	strvec_clear(&env);
	strbuf_release(&in);
	spec_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_add_passwd),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_resources_refused),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_network_isolated),
		cmocka_unit_test(test_mount_home),
		cmocka_unit_test(test_mount_kinds),
		cmocka_unit_test(test_env_order),
		cmocka_unit_test(test_env_shown),
		cmocka_unit_test(test_env_file_values),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_masked),
		cmocka_unit_test(test_same_as_run),
		cmocka_unit_test(test_same_as_run_isolated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
