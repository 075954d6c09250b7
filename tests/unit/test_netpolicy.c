/*
 * What an isolated session gets (src/container/netpolicy.h), resolved from
 * the configuration, a profile and --allow-domains, with no engine: whether
 * it is isolated, its allowlist (the flag adds to the list; a profile's list
 * replaces the configuration's), its egress network, its internal network
 * and proxy variables, what it renders to, and what is refused.
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

#include "config/config.h"
#include "container/netpolicy.h"
#include "container/spec.h"
#include "util/error.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

static void load(struct config *cfg, const char *text)
{
	struct error err = ERROR_INIT;
	cfg->root = config_defaults();
	if (text && config_merge_text(cfg, "t.json", text, &err) < 0)
		fail_msg("config: %s", err.msg);
}

static int resolve(const char *cfgtext, const char *profile, const char *const *flags, struct container_spec *s,
		   struct error *err)
{
	struct config cfg = CONFIG_INIT;
	load(&cfg, cfgtext);
	json_t *p = profile ? json_loads(profile, 0, NULL) : NULL;
	struct spec_inputs in = { 0 };
	in.profile = p;
	in.profile_name = p ? "p" : NULL;
	in.allow_domains = flags;
	s->name = xstrdup("para-r-123456-s");
	int r = netpolicy_resolve(&cfg, &in, s, err);
	json_decref(p);
	config_clear(&cfg);
	return r;
}

static const char *env_of(const struct container_spec *s, const char *key)
{
	for (size_t i = 0; i < s->nenv; i++)
		if (!strcmp(s->env[i].key, key))
			return s->env[i].value;
	return NULL;
}

static void test_not_isolated_by_default(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	assert_int_equal(resolve(NULL, NULL, NULL, &s, &err), 0);
	assert_false(s.isolated);
	assert_string_equal(s.network, "bridge");
	assert_null(env_of(&s, "HTTPS_PROXY"));
	spec_clear(&s);
	assert_int_equal(resolve("{\"docker\": {\"network\": {\"mode\": \"none\"}}}", NULL, NULL, &s, &err), 0);
	assert_string_equal(s.network, "none");
	spec_clear(&s);
}

static void test_flag_isolates_and_adds_to_the_list(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	const char *flags[] = { "a.test,*.b.test", "c.test:8443", NULL };
	assert_int_equal(resolve(NULL, NULL, flags, &s, &err), 0);
	assert_true(s.isolated);
	assert_string_equal(s.network, "para-r-123456-s-net");
	assert_string_equal(s.egress, "bridge");
	/* the default list, then the flag's entries */
	size_t n = 0;
	while (netpolicy_default_allow[n])
		n++;
	assert_int_equal(s.allow.nr, n + 3);
	assert_string_equal(s.allow.v[0], "api.anthropic.com");
	assert_string_equal(s.allow.v[n], "a.test");
	assert_string_equal(s.allow.v[n + 1], "*.b.test");
	assert_string_equal(s.allow.v[n + 2], "c.test:8443");
	assert_string_equal(env_of(&s, "HTTPS_PROXY"), "http://" NETPOLICY_PROXY_ALIAS ":3128");
	assert_string_equal(env_of(&s, "http_proxy"), "http://" NETPOLICY_PROXY_ALIAS ":3128");
	assert_non_null(env_of(&s, "NO_PROXY"));
	/* rendered: the internal network, the proxy as DNS, no way to the host */
	free(s.image);
	s.image = xstrdup("img");
	s.proxy_ip = xstrdup("10.213.7.2");
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf in = STRBUF_INIT;
	spec_render_run(&s, SPEC_RUN_ATTACH | SPEC_RUN_VOLUME_LABELS, &args, &env, &in);
	assert_true(strvec_find(&args, "--network=para-r-123456-s-net") >= 0);
	assert_true(strvec_find(&args, "--dns=10.213.7.2") >= 0);
	assert_true(strvec_find(&args, "host.docker.internal:host-gateway") < 0);
	strvec_clear(&args);
	strvec_clear(&env);
	strbuf_release(&in);
	spec_clear(&s);
}

static void test_config_and_profile_layers(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	const char *cfg = "{\"docker\": {\"network\": {\"isolation\": true, \"allowed_domains\": [\"c.test\"],"
			  " \"egress\": \"egr\"}}}";
	assert_int_equal(resolve(cfg, NULL, NULL, &s, &err), 0);
	assert_true(s.isolated);
	assert_int_equal(s.allow.nr, 1);
	assert_string_equal(s.allow.v[0], "c.test");
	assert_string_equal(s.egress, "egr");
	spec_clear(&s);
	/* a profile's list replaces the config's; its isolation false wins */
	assert_int_equal(resolve(cfg, "{\"network\": {\"allowed_domains\": [\"p.test\"], \"egress\": \"pe\"}}", NULL, &s,
				 &err),
			 0);
	assert_int_equal(s.allow.nr, 1);
	assert_string_equal(s.allow.v[0], "p.test");
	assert_string_equal(s.egress, "pe");
	spec_clear(&s);
	assert_int_equal(resolve(cfg, "{\"network\": {\"isolation\": false}}", NULL, &s, &err), 0);
	assert_false(s.isolated);
	spec_clear(&s);
	/* the flag isolates whatever the config says */
	const char *flags[] = { "f.test", NULL };
	assert_int_equal(resolve(NULL, "{\"network\": {\"isolation\": false}}", flags, &s, &err), 0);
	assert_true(s.isolated);
	spec_clear(&s);
}

static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *cfg, *flag;
		int code;
		const char *needle;
	} cases[] = {
		{ NULL, "a..b", PARA_EXIT_USAGE, "--allow-domains" },
		{ NULL, "x.*.org", PARA_EXIT_USAGE, "--allow-domains" },
		{ NULL, "h:0", PARA_EXIT_USAGE, "--allow-domains" },
		{ "{\"docker\": {\"network\": {\"isolation\": true, \"allowed_domains\": [\"bad..x\"]}}}", NULL,
		  PARA_EXIT_CONFIG, "docker.network.allowed_domains" },
		{ "{\"docker\": {\"network\": {\"isolation\": true, \"mode\": \"host\"}}}", NULL, PARA_EXIT_CONFIG,
		  "needs the network mode bridge, not 'host'" },
		{ "{\"docker\": {\"network\": {\"mode\": \"none\"}}}", "a.test", PARA_EXIT_USAGE,
		  "needs the network mode bridge, not 'none'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct container_spec s = CONTAINER_SPEC_INIT;
		struct error err = ERROR_INIT;
		const char *flags[] = { cases[i].flag, NULL };
		if (resolve(cases[i].cfg, NULL, cases[i].flag ? flags : NULL, &s, &err) == 0)
			fail_msg("case %zu accepted", i);
		assert_int_equal(err.code, cases[i].code);
		if (!strstr(err.msg, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].needle);
		spec_clear(&s);
	}
}

/* The saved form keeps the isolation, so a re-created container gets it. */
static void test_saved_and_restored(void **state)
{
	(void)state;
	struct container_spec s = CONTAINER_SPEC_INIT, back = CONTAINER_SPEC_INIT;
	struct error err = ERROR_INIT;
	const char *flags[] = { "a.test", NULL };
	assert_int_equal(resolve("{\"docker\": {\"network\": {\"egress\": \"egr\", \"allowed_domains\": []}}}", NULL,
				 flags, &s, &err),
			 0);
	s.image = xstrdup("img");
	json_t *j = spec_to_json(&s);
	assert_int_equal(spec_from_json(j, &back, &err), 0);
	assert_true(back.isolated);
	assert_string_equal(back.egress, "egr");
	assert_int_equal(back.allow.nr, 1);
	assert_string_equal(back.allow.v[0], "a.test");
	assert_string_equal(back.network, "para-r-123456-s-net");
	json_decref(j);
	spec_clear(&s);
	spec_clear(&back);
}

int main(void)
{
	setenv("XDG_CONFIG_HOME", "/nonexistent/para-test-netpolicy", 1);
	unsetenv("PARA_CONFIG");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_isolated_by_default),
		cmocka_unit_test(test_flag_isolates_and_adds_to_the_list),
		cmocka_unit_test(test_config_and_profile_layers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_saved_and_restored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
