/* para start / para dispatch */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/trust.h"
#include "session/lifecycle.h"
#include "session/agentgit.h"
#include "cli/plan.h"
#include "container/image.h"
#include "container/mounts.h"
#include "parse/shellwords.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "session/names.h"
#include "session/session.h"
#include "util/sig.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "version.h"
#include "util/banned.h"

struct start_opts {
	const char *name;
	const char *prompt;
	const char *prompt_file;
	const char *image;
	const char *setup_script; /* --setup-script */
	int container, detach, skip_perms, allow_dirty, dry_run, json, reveal, build, no_cache;
	int ide; /* --ide: open the IDE on the new session */
	struct strbuf prompt_buf;
	struct env_inputs env;
	struct strvec mounts;      /* --mount */
	struct strvec docker_args; /* --docker-args, as given */
	struct strvec raw_words;   /* their words */
	struct spec_resources res; /* --memory and the rest */
	struct strvec allow;       /* --allow-domains */
};

static int parse_start(const char *cmd, int argc, char **argv, struct cli *c, struct start_opts *o,
		       struct strvec *words)
{
	const struct cli_bind opts[] = {
		{ "prompt", &o->prompt },
		{ "file", &o->prompt_file },
		{ "container", &o->container },
		{ "dangerously-skip-permissions", &o->skip_perms },
		{ "detach", &o->detach },
		{ "ide", &o->ide },
		{ "allow-dirty", &o->allow_dirty },
		{ "docker-image", &o->image },
		{ "dry-run", &o->dry_run },
		{ "json", &o->json },
		{ "reveal", &o->reveal },
		{ "build", &o->build },
		{ "no-cache", &o->no_cache },
		{ "mount", &o->mounts },
		{ "setup-script", &o->setup_script },
		{ "docker-args", &o->docker_args },
		{ "memory", &o->res.memory },
		{ "cpus", &o->res.cpus },
		{ "pids-limit", &o->res.pids_limit },
		{ "gpus", &o->res.gpus },
		{ "shm-size", &o->res.shm_size },
		{ "allow-domains", &o->allow },
		CLI_BIND_ENV(&o->env),
		CLI_BIND_END,
	};
	/* dispatch: options come before the prompt, whose words are its own */
	int first = cli_parse(c, cmd, argc, argv, opts, (strcmp(cmd, "dispatch") ? 0 : CLI_OPTIONS_FIRST));
	if (first < 0)
		return -first;
	/* an image or a build is a container's */
	const struct spec_resources *r = &o->res;
	if (o->image || o->build || o->no_cache || o->mounts.nr || o->docker_args.nr || o->setup_script || r->memory || r->cpus ||
	    r->pids_limit || r->gpus || r->shm_size || o->allow.nr)
		o->container = 1;
	for (size_t i = 0; i < o->docker_args.nr; i++) {
		struct error err = ERROR_INIT;
		if (shellwords_split(o->docker_args.v[i], &o->raw_words, &err) < 0) {
			error_wrap(&err, "--docker-args");
			return cli_fail(&err);
		}
	}
	for (int i = first; i < argc; i++)
		strvec_push(words, argv[i]);
	if (o->prompt && o->prompt_file)
		return cli_usage(cmd, "give the prompt with -p or -f, not both");
	if (o->json && !o->dry_run)
		return cli_usage(cmd, "--json goes with --dry-run");
	if (env_inputs_given(&o->env) && !o->container)
		return cli_usage(cmd, "environment options (-e, --env-file, --no-forward-keys, --docker-profile) need -c");
	return 0;
}

/* The prompt from -p, -f, or piped stdin (not a terminal). */
static int read_prompt(struct start_opts *o, struct error *err)
{
	if (o->prompt)
		return 0;
	if (o->prompt_file) {
		if (strbuf_read_file(&o->prompt_buf, o->prompt_file) < 0)
			return error_errno(err, PARA_EXIT_FAIL, "cannot read prompt file '%s'", o->prompt_file);
	} else if (!isatty(0) && !o->dry_run) {
		if (strbuf_read_fd(&o->prompt_buf, 0) < 0)
			return error_errno(err, PARA_EXIT_FAIL, "cannot read the prompt from stdin");
	}
	strbuf_trim(&o->prompt_buf);
	o->prompt = o->prompt_buf.buf;
	return 0;
}

static char *free_name(const struct cli *c)
{
	for (unsigned long i = 0; i < 64; i++) {
		char *n = name_generate((unsigned long)time(NULL) * 7919UL + (unsigned long)getpid() + i * 104729UL);
		char *ref = xasprintf("refs/heads/%s/%s", config_str(&c->cfg, "git.branch_prefix"), n);
		int taken = state_exists(&c->repo, n) || git_ref_exists(c->repo.root, ref);
		free(ref);
		if (!taken)
			return n;
		free(n);
	}
	return xasprintf("session-%ld", (long)time(NULL));
}


/* The image (chosen, allowed, present or built) and the spec with its
 * environment: all before anything is created. */
/* What the engine will find there: a symlink is followed. */
static int host_path_exists(const char *path, void *ctx)
{
	struct stat st;
	(void)ctx;
	return stat(path, &st) == 0;
}

static int para_dirs_exist(const struct cli *c)
{
	char *state = path_join(c->repo.para_dir, "state");
	int have = is_dir(state);
	free(state);
	return have;
}

static int plan_container(struct cli *c, struct start_opts *o, const char *name, struct container_spec *spec,
			  struct image_plan *plan_out, int *needs_build, struct error *err)
{
	struct image_plan plan = IMAGE_PLAN_INIT;
	struct strvec notes = STRVEC_INIT;
	json_t *profile = NULL;
	const char *pname = envres_profile_name(&o->env, &c->cfg);
	char *wt = xasprintf("%s/worktrees/%s", c->repo.para_dir, name);
	int r = pname ? profile_resolve(&c->cfg, pname, &profile, err) : 0;
	/* the session keeps the profile it was made with, also one that
	 * docker.default_profile chose: a re-created container resolves its
	 * environment with it, as its image, mounts and resources were */
	if (r == 0 && pname && !o->env.profile)
		pname = o->env.profile = xstrdup(pname);
	struct image_inputs ii = { c->repo.root, c->repo.para_dir, o->image, profile, pname };
	if (r == 0)
		r = image_choose(&c->cfg, &ii, &plan, err);
	if (r == 0)
		r = image_policy(&c->cfg, &plan, err);
	if (r == 0) {
		struct spec_git g = SPEC_GIT_INIT;
		cli_spec_git(c, name, &g);
		struct dargs_ctx danger;
		cli_danger_ctx(c, &danger);
		struct mount_inputs mi = { c->repo.root, c->repo.git_dir, c->repo.para_dir, getenv("HOME"),
					   getenv("PARA_DOCKER_MOUNTS"),
					   (const char *const *)o->mounts.v, &danger, host_path_exists, NULL };
		struct spec_inputs in = { c->repo.root, &g, name, wt, plan.image, getuid(), getgid(), PARA_VERSION,
					  &danger, &mi, profile, pname, (const char *const *)o->raw_words.v, &o->res,
					  (const char *const *)o->allow.v };
		r = spec_resolve(&c->cfg, &in, spec, err);
		spec_git_clear(&g);
	}
	if (r == 0)
		r = envres_resolve_profile(&o->env, profile, pname, &c->cfg, c->repo.root, spec, 0, &notes, err);
	if (r == 0)
		r = spec_validate(spec, err);
	if (r == 0)
		cli_env_notes(c, &notes);
	if (r == 0 && o->dry_run && !o->json && !c->quiet)
		cli_note(c, "image %s (from %s)%s", plan.image, plan.rule,
			 plan.dockerfile ? ", built from the project Dockerfile when its hash is new" : "");
	/* a named image present is the usual case: the run finds out for free
	 * (and a failed run is rolled back); the first start in a repository
	 * looks first, as it would make para's folders for nothing */
	if (r == 0 && !o->dry_run && image_check_can_wait(&c->cfg, &plan) && para_dirs_exist(c)) {
		plan.unchecked = 1;
	} else if (r == 0 && !o->dry_run) {
		struct image_build_opts bo = { o->build, o->no_cache, c->quiet, cli_progress_line(), NULL, c->verbose };
		r = image_ensure(&c->eng, &c->cfg, &plan, &bo, needs_build, err);
	}
	json_decref(profile);
	strvec_clear(&notes);
	*plan_out = plan;
	free(wt);
	return r;
}

/* Checks that must pass before anything is created. */
static int preflight(struct cli *c, struct start_opts *o, const char *name, struct container_spec *spec,
		     struct image_plan *plan, int *needs_build, struct error *err)
{
	struct strvec agent = STRVEC_INIT;
	const char *stdin_prompt;
	int ret = -1;
	if (cli_agent_argv(c, o->skip_perms, o->prompt, &agent, &stdin_prompt, err) < 0)
		goto out;
	if (!agent.nr) {
		error_set(err, PARA_EXIT_CONFIG, "agent.command is empty");
		error_hint(err, "set it in .para/config.json, e.g. {\"agent\": {\"command\": [\"claude\"]}}");
		goto out;
	}
	if (!o->container && !o->detach && !o->dry_run && !cli_host_has(agent.v[0])) {
		error_set(err, PARA_EXIT_FAIL, "agent command '%s' not found", agent.v[0]);
		error_hint(err, "install it, or set agent.command in .para/config.json");
		goto out;
	}
	/* the dirty check (git) runs while the image check (engine) runs */
	struct git_job dirty_job;
	struct strbuf dirty_out = STRBUF_INIT;
	int dirty_running = 0, dirty = 0;
	if (!o->allow_dirty) {
		if (repo_dirty_start(&c->repo, &dirty_job, &dirty_out, err) < 0)
			goto out;
		dirty_running = 1;
	}
	int r = 0;
	if (o->container)
		r = plan_container(c, o, name, spec, plan, needs_build, err);
	if (dirty_running) {
		struct error derr = ERROR_INIT;
		int dr = repo_dirty_finish(&dirty_job, &dirty_out, &dirty, &derr);
		strbuf_release(&dirty_out);
		if (r == 0 && dr < 0) {
			*err = derr;
			r = -1;
		}
	}
	if (r < 0)
		goto out;
	if (dirty) {
		if (c->repo.cwd_worktree)
			error_set(err, PARA_EXIT_FAIL, "the worktree '%s' has uncommitted changes; the session would start without them",
				  c->repo.cwd_worktree);
		else
			error_set(err, PARA_EXIT_FAIL, "the main checkout has uncommitted changes; the session would start without them");
		error_hint(err, "commit or stash them, or pass --allow-dirty");
		goto out;
	}
	ret = 0;
out:
	strvec_clear(&agent);
	return ret;
}

static void start_opts_clear(struct start_opts *o)
{
	strbuf_release(&o->prompt_buf);
	env_inputs_clear(&o->env);
	strvec_clear(&o->mounts);
	strvec_clear(&o->docker_args);
	strvec_clear(&o->raw_words);
	strvec_clear(&o->allow);
}

/* The setup script: --setup-script, else the profile's setup_script, else
 * .para/setup-docker.sh, else .para/setup.sh, else docker.setup_script
 * (those two relative to the repository); NULL when there is none. One that
 * is named but missing is an error. */
static int setup_choose(struct cli *c, const struct start_opts *o, char **out, struct error *err)
{
	static const char *const in_para[] = { "setup-docker.sh", "setup.sh", NULL };
	const char *pname = envres_profile_name(&o->env, &c->cfg), *conf = NULL, *key = "docker.setup_script";
	json_t *profile = NULL;
	char *p = NULL;
	if (pname && profile_resolve(&c->cfg, pname, &profile, err) < 0)
		return -1;
	if (o->setup_script) {
		p = xstrdup(o->setup_script);
	} else if ((conf = json_str(profile, "setup_script"))) {
		key = "the profile's setup_script";
	} else {
		for (const char *const *n = in_para; !p && *n; n++) {
			p = path_join(c->repo.para_dir, *n);
			if (!path_exists(p)) {
				free(p);
				p = NULL;
			}
		}
		conf = p ? NULL : config_str(&c->cfg, "docker.setup_script");
	}
	if (!p && conf && *conf)
		p = conf[0] == '/' ? xstrdup(conf) : path_join(c->repo.root, conf);
	json_decref(profile);
	/* the repository's own, read as its other files are: not through a
	 * symlink out of it unless trusted so */
	if (p && !o->setup_script && trust_check_file(c->repo.root, p, err) < 0) {
		free(p);
		return -1;
	}
	struct stat st;
	if (p && (stat(p, &st) < 0 || !S_ISREG(st.st_mode))) {
		error_set(err, o->setup_script ? PARA_EXIT_USAGE : conf ? PARA_EXIT_CONFIG : PARA_EXIT_USAGE,
			  "the setup script '%s' is not a file", p);
		free(p);
		if (o->setup_script)
			return error_hint(err, "give the path of a shell script");
		return error_hint(err, "fix %s", key);
	}
	*out = p;
	return 0;
}

/* --ide, checked by cli_ide_argv before anything is made, and launched once
 * the session is ready: one that fails now leaves the session as it is, and
 * is the exit code of a --detach start. */
static int start_ide(struct cli *c, const struct session *s, const struct container_spec *spec,
		     const struct strvec *ide)
{
	struct error err = ERROR_INIT;
	return cli_ide_launch(c, s, spec, ide, &err) < 0 ? cli_fail(&err) : 0;
}

/* The session is there: say so (and warn about credentials, which the
 * container's home volume may hold), then open the IDE when asked; the
 * IDE's exit code. */
static int announce(struct cli *c, const struct start_opts *o, const struct session *s,
		    const struct container_spec *spec, const struct strvec *ide, int home_files)
{
	if (o->container)
		cli_credentials_warning(c, spec, home_files);
	cli_note(c, "session '%s' ready: branch %s, worktree %s%s%s", s->name, s->branch, s->worktree,
		 o->container ? ", container " : "", o->container ? spec->name : "");
	return o->ide ? start_ide(c, s, o->container ? spec : NULL, ide) : 0;
}

static int do_start(struct cli *c, struct start_opts *o, const char *given_name)
{
	struct error err = ERROR_INIT;
	struct container_spec spec = CONTAINER_SPEC_INIT;
	struct image_plan plan = IMAGE_PLAN_INIT;
	struct session s = { 0 };
	struct strvec agent = STRVEC_INIT, ide = STRVEC_INIT;
	char *name = NULL, *setup = NULL;
	int ret = 1, needs_build = 0, ide_rc = 0, home_files = -1;
	unsigned mark = sig_count();

	if (given_name && name_validate(given_name, &err) < 0)
		goto fail;
	if (cli_open(c, &err) < 0 || read_prompt(o, &err) < 0)
		goto fail;
	name = given_name ? xstrdup(given_name) : free_name(c);
	if ((o->ide && cli_ide_argv(c, &ide, &err) < 0) || (o->container && setup_choose(c, o, &setup, &err) < 0) ||
	    preflight(c, o, name, &spec, &plan, &needs_build, &err) < 0)
		goto fail;
	const char *stdin_prompt;
	if (cli_agent_argv(c, o->skip_perms, o->prompt, &agent, &stdin_prompt, &err) < 0)
		goto fail;
	if (o->dry_run) {
		ret = plan_print(c, name, o->container ? &spec : NULL, (const char *const *)agent.v, setup, o->json,
				 o->reveal);
		goto out;
	}
	char *logs = path_join(c->repo.para_dir, "logs");
	struct image_build_opts bo = { o->build, o->no_cache, c->quiet, cli_progress_line(), logs, c->verbose };
	struct lifecycle lc = CLI_LIFECYCLE(c);
	struct start_request rq = { name, o->container ? &spec : NULL, &plan, needs_build, &bo,
				    o->container ? env_inputs_to_json(&o->env) : NULL, mark, setup, logs, &home_files };
	int r = lifecycle_start(&lc, &rq, &s, &err);
	free(logs);
	if (r < 0)
		goto fail;
	ide_rc = announce(c, o, &s, &spec, &ide, home_files);
	if (o->detach) {
		cli_note(c, "detached; 'para resume %s' runs the agent, 'para shell %s' opens a shell", name, name);
		ret = ide_rc;
		goto out;
	}
	int status = 0;
	r = cli_run_in_session(c, &s, o->container ? &spec : NULL, (const char *const *)agent.v, stdin_prompt,
			       stdin_prompt ? strlen(stdin_prompt) : 0, &status, &err);
	ret = r < 0 ? cli_fail(&err) : status;
	goto out;
fail:
	ret = cli_fail(&err);
out:
	free(name);
	free(setup);
	strvec_clear(&agent);
	strvec_clear(&ide);
	spec_clear(&spec);
	image_plan_clear(&plan);
	session_clear(&s);
	cli_close(c);
	return ret;
}

int cmd_start(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct start_opts o = { .env = ENV_INPUTS_INIT, .mounts = STRVEC_INIT, .docker_args = STRVEC_INIT, .raw_words = STRVEC_INIT };
	struct strvec words = STRVEC_INIT;
	strbuf_init(&o.prompt_buf, 0);
	int r = parse_start("start", argc, argv, &c, &o, &words);
	if (r == 0 && words.nr > 1)
		r = cli_usage("start", "too many arguments: give the prompt with -p (quoted)");
	if (r == 0)
		r = do_start(&c, &o, words.nr ? words.v[0] : NULL);
	start_opts_clear(&o);
	strvec_clear(&words);
	return r;
}

int cmd_dispatch(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct start_opts o = { .env = ENV_INPUTS_INIT, .mounts = STRVEC_INIT, .docker_args = STRVEC_INIT, .raw_words = STRVEC_INIT };
	struct strvec words = STRVEC_INIT;
	struct strbuf prompt = STRBUF_INIT;
	const char *name = NULL;
	strbuf_init(&o.prompt_buf, 0);
	int r = parse_start("dispatch", argc, argv, &c, &o, &words);
	if (r == 0 && (o.prompt || o.prompt_file))
		r = cli_usage("dispatch", "the prompt is given as words; use 'para start -p/-f' for options");
	if (r == 0 && !words.nr)
		r = cli_usage("dispatch", "a prompt is required");
	if (r == 0) {
		size_t first = 0;
		if (words.nr > 1 && name_is_valid(words.v[0])) {
			name = words.v[0];
			first = 1;
		}
		for (size_t i = first; i < words.nr; i++)
			strbuf_addf(&prompt, "%s%s", i > first ? " " : "", words.v[i]);
		o.prompt = prompt.buf;
		r = do_start(&c, &o, name);
	}
	start_opts_clear(&o);
	strbuf_release(&prompt);
	strvec_clear(&words);
	return r;
}
