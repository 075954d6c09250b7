#include "cli/plan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/engineapi.h"
#include "session/session.h"
#include "util/run.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *plan_shown_value(const struct spec_env *e, int reveal)
{
	if (!e->value)
		return "";
	if (reveal || !e->secret)
		return e->value;
	return "********";
}

static json_t *argv_json(const struct strvec *args, const char *cli)
{
	json_t *a = json_array();
	json_array_append_new(a, cli_json_str(cli));
	for (size_t i = 0; i < args->nr; i++)
		json_array_append_new(a, cli_json_str(args->v[i]));
	return a;
}

/* para env --json and the plan's container.env (docs/json.md, "env"): the
 * value masked exactly as the text shows it (plan_shown_value). */
static json_t *env_json(const struct container_spec *spec, int reveal)
{
	json_t *envj = json_array();
	for (size_t i = 0; i < spec->nenv; i++) {
		const struct spec_env *e = &spec->env[i];
		json_array_append_new(envj, json_pack("{s:o, s:o, s:i, s:o, s:b}", "key", cli_json_str(e->key), "value",
						      cli_json_str(e->value ? plan_shown_value(e, reveal) : NULL),
						      "level", e->level, "source", cli_json_str(e->source), "secret",
						      e->secret));
	}
	return envj;
}

void plan_print_env(const struct container_spec *spec, int json, int reveal)
{
	if (json) {
		json_t *j = env_json(spec, reveal);
		cli_print_json(j);
		json_decref(j);
		return;
	}
	for (size_t i = 0; i < spec->nenv; i++) {
		const struct spec_env *e = &spec->env[i];
		if (e->level)
			printf("%s=%s\t(level %d: %s)\n", e->key, plan_shown_value(e, reveal), e->level, e->source);
		else
			printf("%s=%s\t(%s)\n", e->key, plan_shown_value(e, reveal), e->source);
	}
}

/* What a start would run, rendered once for both outputs. */
struct plan_cmds {
	const char *name;
	const char *setup; /* the setup script, or NULL */
	char *branch, *wt;
	struct strvec git_args, checkout, run, exec, env;
	struct strbuf envfile;
	int api;              /* the run is made by the Engine API's requests: */
	struct strvec req[3]; /* [method, target, body] each */
	int exec_api;         /* and so is the agent's exec */
	struct strvec xreq[3];
};

static const char *shown_value(const struct spec_env *e, void *ctx)
{
	return plan_shown_value(e, *(const int *)ctx);
}

static json_t *strv_json(const struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, cli_json_str(v->v[i]));
	return a;
}

/* A mount of the plan: every key, null where it has none. */
static json_t *mount_plan_json(const struct spec_mount *m)
{
	static const char *const types[] = { [MOUNT_BIND] = "bind", [MOUNT_VOLUME] = "volume", [MOUNT_TMPFS] = "tmpfs" };
	return json_pack("{s:s, s:o, s:o, s:b, s:o, s:b}", "type", types[m->type], "src", cli_json_str(m->src), "dst",
			 cli_json_str(m->dst), "ro", m->ro, "propagation", cli_json_str(m->propagation), "nocopy",
			 m->nocopy);
}

/* "key=value" labels as an object. */
static json_t *labels_json(const struct strvec *labels)
{
	json_t *o = json_object();
	for (size_t i = 0; i < labels->nr; i++) {
		const char *eq = strchr(labels->v[i], '=');
		char *k = eq ? xstrndup(labels->v[i], (size_t)(eq - labels->v[i])) : xstrdup(labels->v[i]);
		json_object_set_new(o, k, cli_json_str(eq ? eq + 1 : ""));
		free(k);
	}
	return o;
}

/* The container of start --dry-run --json (docs/json.md, "container"). */
static json_t *container_plan_json(const struct container_spec *spec, const char *setup, int reveal)
{
	json_t *j = json_object(), *mounts = json_array();
	for (size_t i = 0; i < spec->nmounts; i++)
		json_array_append_new(mounts, mount_plan_json(&spec->mounts[i]));
	json_object_set_new(j, "name", cli_json_str(spec->name));
	json_object_set_new(j, "image", cli_json_str(spec->image));
	json_object_set_new(j, "user", cli_json_str(spec->user));
	json_object_set_new(j, "add_passwd", json_boolean(spec->add_passwd));
	json_object_set_new(j, "mounts", mounts);
	json_object_set_new(j, "env", env_json(spec, reveal));
	json_object_set_new(j, "labels", labels_json(&spec->labels));
	json_object_set_new(j, "docker_args", strv_json(&spec->extra_args));
	json_object_set_new(j, "pids_limit", spec->pids_limit ? json_integer(spec->pids_limit) : json_null());
	json_object_set_new(j, "memory", cli_json_str(spec->memory));
	json_object_set_new(j, "cpus", cli_json_str(spec->cpus));
	json_object_set_new(j, "gpus", cli_json_str(spec->gpus));
	json_object_set_new(j, "shm_size", cli_json_str(spec->shm_size));
	json_object_set_new(j, "network", cli_json_str(spec->network));
	json_object_set_new(j, "isolation", spec->isolated ? json_pack("{s:o, s:o}", "allow", strv_json(&spec->allow),
								       "egress", cli_json_str(spec->egress))
							   : json_null());
	json_object_set_new(j, "setup_script", cli_json_str(setup));
	return j;
}

static void plan_json(const struct cli *c, const struct plan_cmds *p, const struct container_spec *spec,
		      const char *const *agent, int reveal)
{
	json_t *j = json_pack("{s:o, s:o, s:o, s:o}", "name", cli_json_str(p->name), "branch", cli_json_str(p->branch),
			      "worktree", cli_json_str(p->wt), "repo", cli_json_str(c->repo.root));
	json_t *cmds = json_array();
	json_array_append_new(cmds, argv_json(&p->git_args, "git"));
	json_object_set_new(j, "container", spec ? container_plan_json(spec, p->setup, reveal) : json_null());
	if (spec) {
		for (size_t i = 0; p->api && i < 3; i++)
			json_array_append_new(cmds, strv_json(&p->req[i]));
		if (!p->api)
			json_array_append_new(cmds, argv_json(&p->run, c->eng.cli));
		json_array_append_new(cmds, argv_json(&p->checkout, "git"));
		for (size_t i = 0; p->exec_api && i < 3; i++)
			json_array_append_new(cmds, strv_json(&p->xreq[i]));
		if (!p->exec_api)
			json_array_append_new(cmds, argv_json(&p->exec, c->eng.cli));
	} else {
		struct strvec a = STRVEC_INIT;
		strvec_pushv(&a, agent + 1);
		json_array_append_new(cmds, argv_json(&a, agent[0]));
		strvec_clear(&a);
	}
	json_object_set_new(j, "commands", cmds);
	cli_print_json(j);
	json_decref(j);
}

static void print_cmdline(const char *cli, const struct strvec *args, const char *before, const char *after)
{
	char *line = engine_cmdline(&(struct engine){ .cli = (char *)cli }, args);
	printf("  %s%s%s\n", before, line, after);
	free(line);
}

static void plan_text(const struct cli *c, const struct plan_cmds *p, const struct container_spec *spec,
		      const char *const *agent, int reveal)
{
	printf("session:   %s\nbranch:    %s\nworktree:  %s\n", p->name, p->branch, p->wt);
	if (spec) {
		printf("container: %s\nimage:     %s\nuser:      %s\n", spec->name, spec->image,
		       spec->user ? spec->user : "(the image's)");
		if (p->setup)
			printf("setup:     %s (run once in the new container)\n", p->setup);
		if (spec->isolated) {
			printf("network:   isolated: %s (internal) and the egress proxy %s-egress, out through %s\nallowed:  ",
			       spec->network, spec->name, spec->egress);
			for (size_t i = 0; i < spec->allow.nr; i++)
				printf(" %s", spec->allow.v[i]);
			putchar('\n');
		}
		printf("env:\n");
		for (size_t i = 0; i < spec->nenv; i++)
			printf("  %s=%s  (%s)\n", spec->env[i].key, plan_shown_value(&spec->env[i], reveal),
			       spec->env[i].source);
	}
	printf("commands:\n");
	print_cmdline("git", &p->git_args, "", "");
	if (spec) {
		for (size_t i = 0; p->api && i < 3; i++)
			printf("  %s %s%s%s%s\n", p->req[i].v[0], p->req[i].v[1], p->req[i].nr > 2 ? " " : "",
			       p->req[i].nr > 2 ? p->req[i].v[2] : "", i ? "" : "   (Engine API)");
		if (!p->api)
			print_cmdline(c->eng.cli, &p->run, "",
				      p->envfile.len ? "   (env file on stdin: the variables above)" : "");
		print_cmdline("git", &p->checkout, "(in the worktree, while the container starts) ", "");
		for (size_t i = 0; p->exec_api && i < 3; i++)
			printf("  %s %s%s%s\n", p->xreq[i].v[0], p->xreq[i].v[1], p->xreq[i].nr > 2 ? " " : "",
			       p->xreq[i].nr > 2 ? p->xreq[i].v[2] : "");
		if (!p->exec_api)
			print_cmdline(c->eng.cli, &p->exec, "", "");
	} else {
		struct strvec a = STRVEC_INIT;
		strvec_pushv(&a, agent + 1);
		print_cmdline(agent[0], &a, "(in the worktree) ", "");
		strvec_clear(&a);
	}
}

int plan_print(struct cli *c, const char *name, const struct container_spec *spec, const char *const *agent,
	       const char *setup_script, int json, int reveal)
{
	struct plan_cmds p = { name,	    setup_script, NULL,	       NULL,	    STRVEC_INIT, STRVEC_INIT,
			       STRVEC_INIT, STRVEC_INIT,  STRVEC_INIT, STRBUF_INIT, 0, { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT },
			       0,	    { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT } };
	session_paths(&c->repo, &c->cfg, name, &p.branch, &p.wt);
	/* the very commands the start would run */
	struct error err = ERROR_INIT;
	if (session_plan_create(&c->repo, &c->cfg, name, spec ? SESSION_CHECKOUT_LATER : 0, &p.git_args, &err) < 0) {
		free(p.branch);
		free(p.wt);
		return cli_fail(&err);
	}
	if (spec) {
		session_plan_checkout(&p.checkout);
		p.api = engine_api_run_plan(&c->eng, spec, shown_value, &reveal, p.req) == 0;
		if (!p.api)
			engine_render_run(&c->eng, spec, &p.run, &p.env, &p.envfile);
		enum stdin_kind k = stdin_kind();
		p.exec_api = engine_exec_api_plan(&c->eng, spec, k != STDIN_NONE, k == STDIN_TTY, agent, shown_value,
						  &reveal, p.xreq) == 0;
		if (!p.exec_api)
			engine_exec_args(spec, k != STDIN_NONE, k == STDIN_TTY, agent, &p.exec, &p.env);
	}
	if (json)
		plan_json(c, &p, spec, agent, reveal);
	else
		plan_text(c, &p, spec, agent, reveal);
	free(p.branch);
	free(p.wt);
	strvec_clear(&p.git_args);
	strvec_clear(&p.checkout);
	strvec_clear(&p.run);
	strvec_clear(&p.exec);
	strvec_clear(&p.env);
	for (size_t i = 0; i < 3; i++) {
		strvec_clear(&p.req[i]);
		strvec_clear(&p.xreq[i]);
	}
	/* the env file holds values: shown only as the env table above */
	if (p.envfile.len)
		memset(p.envfile.buf, 0, p.envfile.len);
	strbuf_release(&p.envfile);
	return 0;
}
