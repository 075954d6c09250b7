/* para auth setup | status | reset: the agent's login, kept in the home volume */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/homevol.h"
#include "container/image.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/run.h"
#include "util/xalloc.h"
#include "version.h"
#include "util/banned.h"

/* A name of this para run's own: para-auth-<pid>-<n>[-what]. */
static char *run_name(const char *what)
{
	static unsigned seq;
	return xasprintf("para-auth-%ld-%ld%u%s%s", (long)getpid(), (long)time(NULL) % 100000, seq++, what ? "-" : "",
			 what ? what : "");
}

/* The repository's configuration, and an engine that answers. */
static int auth_open(struct cli *c, struct error *err)
{
	if (cli_open(c, err) < 0)
		return -1;
	return engine_ping(&c->eng, err);
}

/* The home volume the sessions here get (NULL *vol: "none"), with the user
 * mapping they get. */
static int auth_volume(struct cli *c, char **vol, struct error *err)
{
	struct container_spec s = CONTAINER_SPEC_INIT;
	const char *v = config_str(&c->cfg, "docker.home_volume");
	*vol = NULL;
	if (v && !strcmp(v, "none"))
		return 0;
	struct spec_home_inputs in = { "probe", HOMEVOL_PROBE_IMAGE, getuid(), getgid(), c->repo.root, PARA_VERSION, "" };
	int r = spec_resolve_home(&c->cfg, &in, &s, err);
	if (r == 0)
		*vol = xstrdup(s.home_volume);
	spec_clear(&s);
	return r;
}

/* The image a session here would get (or --docker-image), there to be run. */
static int auth_image(struct cli *c, const char *cli_image, struct image_plan *p, struct error *err)
{
	json_t *profile = NULL;
	const char *pname = config_str(&c->cfg, "docker.default_profile");
	if (pname && profile_resolve(&c->cfg, pname, &profile, err) < 0)
		return -1;
	struct image_inputs ii = { c->repo.root, c->repo.para_dir, cli_image, profile, pname };
	char *logs = path_join(c->repo.para_dir, "logs");
	struct image_build_opts bo = { 0, 0, c->quiet, isatty(2), logs, c->verbose };
	int needs_build = 0;
	int r = image_choose(&c->cfg, &ii, p, err);
	if (r == 0)
		r = image_policy(&c->cfg, p, err);
	if (r == 0)
		r = image_ensure(&c->eng, &c->cfg, p, &bo, &needs_build, err);
	if (r == 0 && needs_build)
		r = para_gitignore_ensure(c->repo.para_dir, err) < 0 ? -1 : image_build(&c->eng, p, &bo, err);
	free(logs);
	json_decref(profile);
	return r;
}

/* The container's spec: the home volume, a session's user and environment. */
static int auth_spec(struct cli *c, const char *image, const char *run, struct container_spec *s, struct error *err)
{
	char *name = run_name(NULL);
	struct spec_home_inputs in = { name, image, getuid(), getgid(), c->repo.root, PARA_VERSION, run };
	struct env_inputs ein = ENV_INPUTS_INIT;
	struct strvec notes = STRVEC_INIT;
	int r = spec_resolve_home(&c->cfg, &in, s, err);
	if (r == 0)
		r = envres_resolve(&ein, &c->cfg, c->repo.root, s, 0, &notes, err);
	if (r == 0)
		r = spec_validate(s, err);
	if (r == 0)
		cli_env_notes(c, &notes);
	strvec_clear(&notes);
	env_inputs_clear(&ein);
	free(name);
	return r;
}

/* --commit: HOMEVOL_AUTH_IMAGE, the login image with the home in it. */
static int auth_commit(struct cli *c, const struct container_spec *s, struct error *err)
{
	char *tmp = xasprintf("%s-commit", s->name);
	long files = 0;
	cli_note(c, "copying the home volume %s into %s", s->home_volume, HOMEVOL_AUTH_IMAGE);
	int r = homevol_commit(&c->eng, s->name, s->image, HOMEVOL_AUTH_IMAGE, tmp, &files, err);
	if (r == 0) {
		printf("%s (from %s, with the %ld file%s of %s in " SPEC_HOME ")\n", HOMEVOL_AUTH_IMAGE, s->image, files,
		       files == 1 ? "" : "s", s->home_volume);
		cli_warn("image %s now holds the agent's login: secrets. Keep it on this engine; never push it to a "
			 "registry or share it",
			 HOMEVOL_AUTH_IMAGE);
	}
	free(tmp);
	return r;
}

/* Keep-alive up, the login command in it as the session user, then gone
 * again, whatever happened (an interrupt too). *status: the login's. */
static int auth_run(struct cli *c, const struct container_spec *s, const char *run, const char *const *login,
		    int commit, int *status, struct error *err)
{
	enum stdin_kind k = stdin_kind();
	cli_note(c, "running the login in %s (home volume %s)", s->name, s->home_volume);
	int r = engine_create(&c->eng, s, NULL, err);
	if (r == 0)
		r = engine_exec(&c->eng, s, login, k != STDIN_NONE, k == STDIN_TTY, NULL, 0, status, err);
	if (r == 0 && *status == 0 && commit)
		r = auth_commit(c, s, err);
	struct error rerr = ERROR_INIT;
	if (engine_remove_own(&c->eng, s->name, run, &rerr) < 0 && r == 0) {
		*err = rerr;
		r = -1;
	}
	return r;
}

static int auth_setup(struct cli *c, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct container_spec s = CONTAINER_SPEC_INIT;
	struct image_plan p = IMAGE_PLAN_INIT;
	struct strvec login = STRVEC_INIT;
	const char *image = NULL;
	int commit = 0, status = 0, ret;
	const struct cli_bind opts[] = {
		{ "commit", &commit },
		{ "docker-image", &image },
		CLI_BIND_END,
	};
	int first = cli_parse(c, "auth setup", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	char *run = run_name("run");
	int r = cli_open(c, &err);
	if (r == 0)
		config_strv(&c->cfg, "agent.login_command", &login);
	if (r == 0 && !login.nr) {
		error_set(&err, PARA_EXIT_CONFIG, "agent.login_command is empty: para auth setup has no login to run");
		r = error_hint(&err, "set agent.login_command, e.g. [\"claude\", \"/login\"]");
	}
	if (r == 0)
		r = engine_ping(&c->eng, &err);
	if (r == 0)
		r = auth_image(c, image, &p, &err);
	if (r == 0)
		r = auth_spec(c, p.image, run, &s, &err);
	if (r == 0)
		r = auth_run(c, &s, run, (const char *const *)login.v, commit, &status, &err);
	if (r < 0)
		ret = cli_fail(&err);
	else if (status)
		ret = status; /* the login command's own, as it said why */
	else
		ret = (cli_note(c, "the login is kept in the volume %s", s.home_volume), 0);
	free(run);
	strvec_clear(&login);
	spec_clear(&s);
	image_plan_clear(&p);
	return ret;
}

/* "NAME (session S, running)" for each container that holds the volume. */
static json_t *users_json(const struct engine_container *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s}", "name", v[i].name, "session", v[i].session,
						     "state", v[i].state));
	return arr;
}

static void status_print(const char *vol, int exists, long files, const struct engine_container *v, size_t n)
{
	if (!vol) {
		printf("home volume   none (docker.home_volume is \"none\")\n");
		return;
	}
	printf("home volume   %s\n", vol);
	printf("exists        %s\n", exists ? "yes" : "no");
	printf("credentials   %s (%ld file%s)\n", files ? "yes" : "no", files, files == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("used by       %s (%s%s%s%s)\n", v[i].name, v[i].session ? "session " : "",
		       v[i].session ? v[i].session : "", v[i].session ? ", " : "", v[i].state);
}

static int auth_status(struct cli *c, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct engine_container *users = NULL;
	size_t nusers = 0;
	char *vol = NULL, *probe = run_name("probe");
	int json = 0, exists = 0;
	long files = 0;
	const struct cli_bind opts[] = {
		{ "json", &json },
		CLI_BIND_END,
	};
	int first = cli_parse(c, "auth status", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0) {
		free(probe);
		return -first;
	}
	int r = auth_open(c, &err);
	if (r == 0)
		r = auth_volume(c, &vol, &err);
	if (r == 0 && vol)
		r = homevol_inspect(&c->eng, vol, probe, c->repo.root, &exists, &files, &err);
	if (r == 0 && exists)
		r = engine_volume_users(&c->eng, vol, &users, &nusers, &err);
	if (r == 0 && json) {
		json_t *j = json_pack("{s:s?, s:b, s:b, s:I, s:o}", "volume", vol, "exists", exists, "credentials",
				      files > 0, "files", (json_int_t)files, "used_by", users_json(users, nusers));
		char *txt = json_pretty(j);
		fputs(txt, stdout);
		free(txt);
		json_decref(j);
	} else if (r == 0) {
		status_print(vol, exists, files, users, nusers);
	}
	engine_list_free(users, nusers);
	free(vol);
	free(probe);
	return r < 0 ? cli_fail(&err) : 0;
}

/* Names of the containers in v, those running or the others, "a, b". */
static char *names_of(const struct engine_container *v, size_t n, int running)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int is_running = !strcmp(v[i].state, "running");
		if (is_running != running)
			continue;
		strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", v[i].name);
		if (v[i].session)
			strbuf_addf(&sb, " (session %s)", v[i].session);
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * What holds the volume: a running container always refuses (an agent may
 * be using its login); a stopped one refuses unless force, which removes it
 * (a session re-creates its container from the saved spec when it is next
 * entered, with a fresh home).
 */
static int release_volume(struct cli *c, const char *vol, int force, struct error *err)
{
	struct engine_container *v = NULL;
	size_t n = 0;
	if (engine_volume_users(&c->eng, vol, &v, &n, err) < 0)
		return -1;
	char *running = names_of(v, n, 1), *stopped = names_of(v, n, 0);
	int r = 0;
	if (*running) {
		error_set(err, PARA_EXIT_FAIL, "the home volume '%s' is in use by the running container %s", vol, running);
		r = error_hint(err, "finish or cancel that session (or stop the container) first; --force does not "
				    "stop a running agent");
	} else if (*stopped && !force) {
		error_set(err, PARA_EXIT_FAIL, "the home volume '%s' is held by the stopped container %s", vol, stopped);
		r = error_hint(err, "'para auth reset --force' removes it too (a session re-creates its container "
				    "when it is next entered)");
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		cli_note(c, "removing the stopped container %s", v[i].name);
		r = engine_remove(&c->eng, v[i].name, err);
	}
	free(running);
	free(stopped);
	engine_list_free(v, n);
	return r;
}

static int auth_reset(struct cli *c, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	char *vol = NULL;
	int force = 0, exists = 0;
	const struct cli_bind opts[] = {
		{ "force", &force },
		CLI_BIND_END,
	};
	int first = cli_parse(c, "auth reset", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	int r = auth_open(c, &err);
	if (r == 0)
		r = auth_volume(c, &vol, &err);
	if (r == 0 && !vol) {
		error_set(&err, PARA_EXIT_CONFIG, "docker.home_volume is \"none\": there is no home volume to remove");
		r = error_hint(&err, "set docker.home_volume to the volume's name, or to null for the default");
	}
	if (r == 0 && (exists = engine_volume_exists(&c->eng, vol, &err)) < 0)
		r = -1;
	if (r == 0 && exists)
		r = release_volume(c, vol, force, &err);
	if (r == 0 && exists)
		r = engine_volume_remove(&c->eng, vol, &err);
	if (r == 0 && exists)
		printf("removed %s\n", vol);
	else if (r == 0)
		cli_note(c, "there is no volume %s: nothing to remove", vol);
	free(vol);
	return r < 0 ? cli_fail(&err) : 0;
}

int cmd_auth(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	int ret;
	if (argc < 2)
		return cli_usage("auth", "say setup, status or reset");
	const char *sub = argv[1];
	if (!strcmp(sub, "setup"))
		ret = auth_setup(&c, argc - 1, argv + 1);
	else if (!strcmp(sub, "status"))
		ret = auth_status(&c, argc - 1, argv + 1);
	else if (!strcmp(sub, "reset"))
		ret = auth_reset(&c, argc - 1, argv + 1);
	else
		ret = cli_usage("auth", "unknown subcommand '%s'", sub);
	cli_close(&c);
	return ret;
}
