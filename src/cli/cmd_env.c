/* para env: the environment a session gets, each variable with its level */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plan.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "version.h"
#include "util/banned.h"

/*
 * What the session's container got when it was made and the host does not
 * give now (a forwarded key unset in this shell, say): shown with its value
 * in there, so the list is what the agent has.
 */
static void add_from_container(struct cli *c, const struct session *s, struct container_spec *spec)
{
	struct strvec have = STRVEC_INIT;
	struct error err = ERROR_INIT;
	const char *name = json_str(s->container, "name");
	if (!name || engine_container_env(&c->eng, name, &have, &err) < 0) {
		strvec_clear(&have);
		return; /* no container now: what a re-create would get is all there is */
	}
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(s->container, "env"), i, e) {
		const char *key = json_str(e, "key"), *source = json_str(e, "source");
		if (!key || !source || !strcmp(source, "para"))
			continue;
		int resolved = 0;
		for (size_t k = 0; k < spec->nenv && !resolved; k++)
			resolved = !strcmp(spec->env[k].key, key) && spec->env[k].value;
		size_t kl = strlen(key);
		for (size_t k = 0; k < have.nr && !resolved; k++) {
			if (strncmp(have.v[k], key, kl) || have.v[k][kl] != '=')
				continue;
			char *src = xasprintf("%s, in the container", source);
			spec_set_env(spec, key, have.v[k] + kl + 1, (int)json_integer_value(json_object_get(e, "level")),
				     src, json_is_true(json_object_get(e, "secret")), 0);
			free(src);
			resolved = 1;
		}
	}
	/* the values were secrets, some of them */
	for (size_t k = 0; k < have.nr; k++)
		memset(have.v[k], 0, strlen(have.v[k]));
	strvec_clear(&have);
}

/* The inputs to resolve: a new session's (given), or session name's saved
 * ones, the kinds given replacing theirs. */
static int env_inputs_for(struct cli *c, const char *name, struct env_inputs *given, struct session *s,
			  struct env_inputs *in, struct error *err)
{
	if (!name) {
		*in = *given;
		*given = (struct env_inputs)ENV_INPUTS_INIT;
		return 0;
	}
	if (cli_session(c, name, s, err) < 0)
		return -1;
	if (!s->container)
		return error_set(err, PARA_EXIT_FAIL, "'%s' is a host session: it runs with your own environment", s->name);
	cli_session_env_inputs(s, given, in);
	if (given->profile) {
		free(in->profile);
		in->profile = xstrdup(given->profile);
	}
	return 0;
}

/* The spec a session named name would get (its environment still empty). */
static int env_spec(struct cli *c, const char *name, struct container_spec *spec, struct error *err)
{
	struct spec_git g = SPEC_GIT_INIT;
	cli_spec_git(c, name, &g);
	struct dargs_ctx danger;
	cli_danger_ctx(c, &danger);
	struct spec_inputs si = { c->repo.root, &g, name, "/dev/null", NULL, getuid(), getgid(), PARA_VERSION, &danger,
				  NULL, NULL, NULL, NULL, NULL, NULL };
	int r = spec_resolve(&c->cfg, &si, spec, err);
	spec_git_clear(&g);
	return r;
}

int cmd_env(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct env_inputs given = ENV_INPUTS_INIT, in = ENV_INPUTS_INIT;
	struct container_spec spec = CONTAINER_SPEC_INIT;
	struct session s = { 0 };
	struct strvec notes = STRVEC_INIT;
	int json = 0, reveal = 0, in_container = 0, ret = 0;
	const struct cli_bind opts[] = {
		{ "json", &json },
		{ "reveal", &reveal },
		{ "container", &in_container }, /* as start -c: env shows a container's */
		CLI_BIND_ENV(&given),
		CLI_BIND_END,
	};
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(1));
	if (first < 0) {
		ret = -first;
		goto out;
	}
	if (cli_open(&c, &err) < 0 || env_inputs_for(&c, first < argc ? argv[first] : NULL, &given, &s, &in, &err) < 0)
		goto fail;
	if (env_spec(&c, s.name ? s.name : "new", &spec, &err) < 0 ||
	    envres_resolve(&in, &c.cfg, c.repo.root, &spec, 0, &notes, &err) < 0)
		goto fail;
	if (s.name)
		add_from_container(&c, &s, &spec);
	cli_env_notes(&c, &notes);
	plan_print_env(&spec, json, reveal);
	goto out;
fail:
	ret = cli_fail(&err);
out:
	strvec_clear(&notes);
	spec_clear(&spec);
	session_clear(&s);
	env_inputs_clear(&given);
	env_inputs_clear(&in);
	cli_close(&c);
	return ret;
}
