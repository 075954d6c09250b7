#include "cli/plan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	json_array_append_new(a, json_string(cli));
	for (size_t i = 0; i < args->nr; i++)
		json_array_append_new(a, json_string(args->v[i]));
	return a;
}

static json_t *env_json(const struct container_spec *spec, int reveal)
{
	json_t *envj = json_array();
	for (size_t i = 0; i < spec->nenv; i++)
		json_array_append_new(envj, json_pack("{s:s, s:s, s:i, s:s, s:b}", "key", spec->env[i].key, "value",
						      plan_shown_value(&spec->env[i], reveal), "level",
						      spec->env[i].level, "source", spec->env[i].source, "secret",
						      spec->env[i].secret));
	return envj;
}

void plan_print_env(const struct container_spec *spec, int json, int reveal)
{
	if (json) {
		json_t *j = env_json(spec, reveal);
		char *s = json_pretty(j);
		fputs(s, stdout);
		free(s);
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

int plan_print(struct cli *c, const char *name, const struct container_spec *spec, const char *const *agent,
	       int json, int reveal)
{
	char *prefix = session_prefix(&c->cfg);
	char *branch = xasprintf("%s/%s", prefix, name);
	char *wt = xasprintf("%s/worktrees/%s", c->repo.para_dir, name);
	struct strvec git_args = STRVEC_INIT, run = STRVEC_INIT, exec = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf envfile = STRBUF_INIT;
	strvec_pushl(&git_args, "worktree", "add", "--quiet", "-b", branch, wt, "HEAD", NULL);
	if (spec) {
		spec_render_run(spec, &run, &env, &envfile);
		enum stdin_kind k = stdin_kind();
		spec_render_exec(spec, k != STDIN_NONE, k == STDIN_TTY, NULL, agent, &exec, &env);
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "session", name, "branch", branch, "worktree", wt,
				      "repo", c->repo.root);
		json_t *cmds = json_array();
		json_array_append_new(cmds, argv_json(&git_args, "git"));
		if (spec) {
			json_t *sj = spec_to_json(spec);
			json_object_set_new(sj, "env", env_json(spec, reveal));
			json_object_set_new(j, "container", sj);
			json_array_append_new(cmds, argv_json(&run, c->eng.cli));
			json_array_append_new(cmds, argv_json(&exec, c->eng.cli));
		} else {
			struct strvec a = STRVEC_INIT;
			strvec_pushv(&a, agent + 1);
			json_array_append_new(cmds, argv_json(&a, agent[0]));
			strvec_clear(&a);
		}
		json_object_set_new(j, "commands", cmds);
		char *s = json_pretty(j);
		fputs(s, stdout);
		free(s);
		json_decref(j);
	} else {
		printf("session:   %s\nbranch:    %s\nworktree:  %s\n", name, branch, wt);
		if (spec) {
			printf("container: %s\nimage:     %s\nuser:      %s\n", spec->name, spec->image,
			       spec->user ? spec->user : "(the image's)");
			printf("env:\n");
			for (size_t i = 0; i < spec->nenv; i++)
				printf("  %s=%s  (%s)\n", spec->env[i].key, plan_shown_value(&spec->env[i], reveal),
				       spec->env[i].source);
		}
		printf("commands:\n");
		char *line = engine_cmdline(&(struct engine){ .cli = (char *)"git" }, &git_args);
		printf("  %s\n", line);
		free(line);
		if (spec) {
			line = engine_cmdline(&c->eng, &run);
			printf("  %s%s\n", line, envfile.len ? "   (env file on stdin: the variables above)" : "");
			free(line);
			line = engine_cmdline(&c->eng, &exec);
			printf("  %s\n", line);
			free(line);
		} else {
			struct strvec a = STRVEC_INIT;
			strvec_pushv(&a, agent + 1);
			line = engine_cmdline(&(struct engine){ .cli = (char *)agent[0] }, &a);
			printf("  (in the worktree) %s\n", line);
			free(line);
			strvec_clear(&a);
		}
	}
	free(prefix);
	free(branch);
	free(wt);
	strvec_clear(&git_args);
	strvec_clear(&run);
	strvec_clear(&exec);
	strvec_clear(&env);
	/* the env file holds values: shown only as the env table above */
	if (envfile.len)
		memset(envfile.buf, 0, envfile.len);
	strbuf_release(&envfile);
	return 0;
}
