#include "container/envres.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/trust.h"
#include "parse/dotenv.h"
#include "session/git.h"
#include "util/execlimit.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void env_inputs_clear(struct env_inputs *in)
{
	strvec_clear(&in->e_args);
	strvec_clear(&in->env_files);
	free(in->profile);
	in->profile = NULL;
	strvec_clear(&in->lost);
}

static int valid_name(const char *k, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] == ' ' || k[i] == '\t' || k[i] == '\n' || k[i] == '=' || k[i] == '\0')
			return 0;
	return 1;
}

int env_arg_check(const char *arg, struct error *err)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	if (!valid_name(arg, n))
		return error_set(err, PARA_EXIT_USAGE, "-e '%.*s': not a variable name; use -e KEY=VALUE or -e KEY",
				 (int)(n > 40 ? 40 : n), arg);
	return 0;
}

int env_inputs_add_file(struct env_inputs *in, const char *path, struct error *err)
{
	char *abs = NULL;
	if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd))
			return error_errno(err, PARA_EXIT_FAIL, "cannot read the current directory");
		abs = path_join(cwd, path);
	}
	if (access(abs, R_OK) < 0) {
		error_errno(err, PARA_EXIT_USAGE, "--env-file '%s'", path);
		free(abs);
		return -1;
	}
	strvec_push_nodup(&in->env_files, abs);
	return 0;
}

/* ---- host facts: everything a resolution reads of the host ------------------ */

static const char *fact_env(const struct host_facts *f, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < f->env.nr; i++)
		if (!strncmp(f->env.v[i], key, kl) && f->env.v[i][kl] == '=')
			return f->env.v[i] + kl + 1;
	return NULL;
}

static const struct host_file *fact_file(const struct host_facts *f, const char *path)
{
	for (size_t i = 0; i < f->nfiles; i++)
		if (!strcmp(f->files[i].path, path))
			return &f->files[i];
	return NULL;
}

static void gather_file(struct host_facts *f, const char *path)
{
	if (fact_file(f, path))
		return;
	ALLOC_GROW(f->files, f->nfiles + 1, f->afiles);
	struct host_file *hf = &f->files[f->nfiles++];
	hf->path = xstrdup(path);
	strbuf_init(&hf->data, 0);
	hf->read_errno = strbuf_read_file(&hf->data, path) < 0 ? errno : 0;
}

/* A file of the repository: one a symlink takes out of it only when trusted. */
static int gather_repo_file(struct host_facts *f, const char *repo_root, const char *path, struct error *err)
{
	if (trust_check_file(repo_root, path, err) < 0)
		return -1;
	gather_file(f, path);
	return 0;
}

static char *repo_path(const char *root, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : path_join(root, p);
}

extern char **environ;

int envres_gather(const struct env_inputs *in, const struct config *cfg, const char *repo_root,
		  const json_t *profile, int extra_only, struct host_facts *f, struct error *err)
{
	for (char **e = environ; e && *e; e++)
		strvec_push(&f->env, *e);
	for (size_t i = 0; i < in->env_files.nr; i++)
		gather_file(f, in->env_files.v[i]);
	if (extra_only)
		return 0;
	struct error e = ERROR_INIT;
	if (!in->no_forward)
		git(repo_root, &f->git_ident, &e, "config", "--get-regexp", "^user\\.(name|email)$", NULL);
	json_t *rec = trust_record_load(repo_root);
	f->trusted = rec != NULL;
	json_decref(rec);
	int r = 0;
	if (config_bool(cfg, "docker.auto_env_file")) {
		char *p = path_join(repo_root, ".env");
		r = path_exists(p) ? gather_repo_file(f, repo_root, p, err) : 0;
		free(p);
	}
	const char *files[] = { config_str(cfg, "docker.default_env_file"), profile ? json_str(profile, "env_file") : NULL };
	for (size_t i = 0; r == 0 && i < 2; i++) {
		if (!files[i])
			continue;
		char *p = repo_path(repo_root, files[i]);
		r = gather_repo_file(f, repo_root, p, err);
		free(p);
	}
	return r;
}

void host_facts_clear(struct host_facts *f)
{
	/* the environment and the files hold secrets */
	for (size_t i = 0; i < f->env.nr; i++)
		memset(f->env.v[i], 0, strlen(f->env.v[i]));
	strvec_clear(&f->env);
	strbuf_release(&f->git_ident);
	for (size_t i = 0; i < f->nfiles; i++) {
		free(f->files[i].path);
		if (f->files[i].data.len)
			memset(f->files[i].data.buf, 0, f->files[i].data.len);
		strbuf_release(&f->files[i].data);
	}
	free(f->files);
	*f = (struct host_facts)HOST_FACTS_INIT;
}

/* ---- resolution: a function of the facts and the configuration -------------- */

/* What ${VAR} in an env file may read of the host. A file the user named
 * reads it all; the repository's own .env, in a repository the user has not
 * trusted, only the variables para forwards anyway (docker.forward_env):
 * anything else would carry a host secret into an untrusted container. */
struct host_view {
	const struct host_facts *facts;
	const struct strvec *allowed; /* NULL: everything */
	char *refused;                /* the first set variable it tried to read */
};

static const char *host_lookup(const char *key, void *ctx)
{
	struct host_view *hv = ctx;
	const char *v = fact_env(hv->facts, key);
	if (!hv->allowed || !v)
		return v;
	for (size_t i = 0; i < hv->allowed->nr; i++)
		if (!strcmp(hv->allowed->v[i], key))
			return v;
	if (!hv->refused)
		hv->refused = xstrdup(key);
	return NULL;
}

/* Every variable of an env file, at level, secret (it came from a file). */
static int load_file_view(struct container_spec *spec, const char *path, int level, const char *what,
			  int at_exec, struct host_view *hv, struct error *err)
{
	const struct host_file *hf = fact_file(hv->facts, path);
	struct dotenv d = DOTENV_INIT;
	struct error perr = ERROR_INIT;
	int ret = 0;
	if (!hf)
		return error_set(err, PARA_EXIT_FAIL, "internal error: %s '%s' was not read", what, path);
	if (hf->read_errno) {
		errno = hf->read_errno;
		return error_errno(err, PARA_EXIT_FAIL, "cannot read %s '%s'", what, path);
	}
	if (dotenv_parse(hf->data.buf, hf->data.len, host_lookup, hv, 1, &d, &perr) < 0) {
		ret = error_set(err, PARA_EXIT_FAIL, "%s:%d: %s", path, d.error_line, perr.msg);
		error_hint(err, "fix the %s (grammar: docs/dotenv.md)", what);
		goto out;
	}
	if (hv->refused) {
		ret = error_set(err, PARA_EXIT_CONFIG,
				"%s '%s' reads the host variable %s, which para does not forward to an untrusted repository",
				what, path, hv->refused);
		error_hint(err, "review the file, then run 'para trust' (or add %s to docker.forward_env)", hv->refused);
		goto out;
	}
	for (size_t i = 0; i < d.nr; i++) {
		if (*d.v[i].key)
			continue;
		/* as docker's own env-file reader: a line that names no variable is an error */
		ret = error_set(err, PARA_EXIT_FAIL, "%s:%d: no variable name before '='", path, d.v[i].line);
		error_hint(err, "name the variable (KEY=value), or delete the line");
		goto out;
	}
	char *source = xasprintf("%s %s", what, path);
	for (size_t i = 0; i < d.nr; i++)
		spec_set_env(spec, d.v[i].key, d.v[i].value, level, source, 1, at_exec);
	free(source);
out:
	dotenv_clear(&d);
	return ret;
}

static int load_file(struct container_spec *spec, const struct host_facts *facts, const char *path, int level,
		     const char *what, int at_exec, struct error *err)
{
	struct host_view hv = { facts, NULL, NULL };
	return load_file_view(spec, path, level, what, at_exec, &hv, err);
}

/* The repository's own .env: read through a host view (see host_view). */
static int load_auto_env(struct container_spec *spec, const struct host_facts *facts, const struct config *cfg,
			 const char *path, int at_exec, struct error *err)
{
	struct strvec fwd = STRVEC_INIT;
	struct host_view hv = { facts, facts->trusted ? NULL : &fwd, NULL };
	config_strv(cfg, "docker.forward_env", &fwd);
	int r = load_file_view(spec, path, 6, ".env", at_exec, &hv, err);
	free(hv.refused);
	strvec_clear(&fwd);
	return r;
}

static void set_kv(struct container_spec *spec, const struct host_facts *facts, const char *arg, int level,
		   const char *source, int at_exec, struct strvec *notes)
{
	const char *eq = strchr(arg, '=');
	if (eq) {
		char *key = xstrndup(arg, (size_t)(eq - arg));
		spec_set_env(spec, key, eq + 1, level, source, env_name_is_secret(key), at_exec);
		free(key);
		return;
	}
	const char *v = fact_env(facts, arg);
	if (v)
		spec_set_env(spec, arg, v, level, source, env_name_is_secret(arg), at_exec);
	else if (notes)
		strvec_pushf(notes, "%s %s: not set on the host, so not passed", source, arg);
}

static void git_identity(const struct host_facts *facts, struct container_spec *spec)
{
	static const char *const keys[][3] = {
		{ "user.name", "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME" },
		{ "user.email", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL" },
	};
	for (size_t k = 0; k < 2; k++) {
		for (size_t j = 1; j < 3; j++) {
			const char *host = fact_env(facts, keys[k][j]);
			if (host) {
				spec_set_env(spec, keys[k][j], host, 7, "forward_env", 0, 0);
				continue;
			}
			char *save = NULL, *copy = xstrdup(facts->git_ident.buf ? facts->git_ident.buf : "");
			for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
				size_t kl = strlen(keys[k][0]);
				if (!strncmp(line, keys[k][0], kl) && line[kl] == ' ')
					spec_set_env(spec, keys[k][j], line + kl + 1, 7, "git identity", 0, 0);
			}
			free(copy);
		}
	}
}

/* Values that must travel in the engine CLI's own environment (one exec's
 * variables, or values an env file cannot hold) may not be ones it reads,
 * and must fit what one exec can carry. */
static int check_engine_safe(const struct container_spec *spec, int at_exec, struct error *err)
{
	size_t total = 0, max = exec_string_max();
	for (size_t i = 0; i < spec->nenv; i++) {
		const struct spec_env *e = &spec->env[i];
		int via_env = e->at_exec || (!at_exec && e->value && !env_value_fits_file(e->key, e->value));
		if (!e->value || !via_env || !strcmp(e->source, "para"))
			continue;
		size_t n = strlen(e->key) + 1 + strlen(e->value);
		int code = !strcmp(e->source, "-e") ? PARA_EXIT_USAGE : PARA_EXIT_CONFIG;
		total += n + 1 + sizeof(char *) + strlen(e->key) + 1 + 3 * sizeof(char *); /* envp, "-e KEY" */
		if (n > max) {
			error_set(err, code, "%s (%s): the value is %zu bytes; a variable can hold at most %zu", e->key,
				  e->source, n - strlen(e->key) - 1, max - strlen(e->key) - 1);
			return error_hint(err, "pass a file instead: mount it, or build it into the image");
		}
		if (!env_name_steers_engine(e->key))
			continue;
		if (e->at_exec)
			error_set(err, PARA_EXIT_USAGE, "%s (%s) cannot be given for one command: the engine CLI reads it",
				  e->key, e->source);
		else
			error_set(err, PARA_EXIT_FAIL, "%s (%s) has a value an env file cannot hold, and the engine CLI reads that name",
				  e->key, e->source);
		return error_hint(err, "give it when the session starts, as a one-line value");
	}
	if (total + 128 * 1024 > exec_room()) {
		error_set(err, PARA_EXIT_CONFIG, "the variables too long for an env file line total %zu bytes, more "
			  "than one command can carry here", total);
		return error_hint(err, "pass large values as a file: mount it, or build it into the image");
	}
	return 0;
}


/* A variable name from the configuration (docker.env, a profile's env_vars,
 * docker.forward_env, PARA_DOCKER_ENV): the engine would refuse it, and print
 * its value doing so. */
static int check_name(const char *k, size_t n, const char *what, struct error *err)
{
	if (valid_name(k, n))
		return 0;
	error_set(err, PARA_EXIT_CONFIG, "%s: '%.*s' is not a variable name", what, (int)(n > 40 ? 40 : n), k);
	return error_hint(err, "a name is not empty and holds no blank or '='; fix the configuration");
}

int envres_resolve_extra(const struct env_inputs *in, struct container_spec *spec, struct strvec *notes,
			 struct error *err)
{
	struct host_facts facts = HOST_FACTS_INIT;
	int r = envres_gather(in, NULL, NULL, NULL, 1, &facts, err);
	for (size_t i = 0; r == 0 && i < in->env_files.nr; i++)
		r = load_file(spec, &facts, in->env_files.v[i], 2, "--env-file", 1, err);
	for (size_t i = 0; r == 0 && i < in->e_args.nr; i++)
		set_kv(spec, &facts, in->e_args.v[i], 1, "-e", 1, notes);
	if (r == 0)
		r = check_engine_safe(spec, 1, err);
	host_facts_clear(&facts);
	return r;
}

/* What one resolution reads and writes, for the level functions below. */
struct resolution {
	const struct host_facts *facts;
	const struct env_inputs *in;
	const struct config *cfg;
	const char *repo_root;
	struct container_spec *spec;
	int at_exec;
	struct strvec *notes;
};

/* Level 7: forwarded host variables, and the git identity. */
static int level_forwarded(const struct resolution *rs, struct error *err)
{
	struct strvec fwd = STRVEC_INIT;
	int ret = 0;
	if (rs->in->no_forward)
		return 0;
	config_strv(rs->cfg, "docker.forward_env", &fwd);
	for (size_t i = 0; i < fwd.nr && !ret; i++) {
		ret = check_name(fwd.v[i], strlen(fwd.v[i]), "docker.forward_env", err);
		const char *v = ret ? NULL : fact_env(rs->facts, fwd.v[i]);
		if (v)
			spec_set_env(rs->spec, fwd.v[i], v, 7, "forward_env", env_name_is_secret(fwd.v[i]), rs->at_exec);
	}
	strvec_clear(&fwd);
	if (ret == 0)
		git_identity(rs->facts, rs->spec);
	return ret;
}

/* Levels 6 and 5: the project's .env, docker.default_env_file, docker.env. */
static int level_project(const struct resolution *rs, struct error *err)
{
	int r = 0;
	if (config_bool(rs->cfg, "docker.auto_env_file")) {
		char *p = path_join(rs->repo_root, ".env");
		r = fact_file(rs->facts, p) ? load_auto_env(rs->spec, rs->facts, rs->cfg, p, rs->at_exec, err) : 0;
		free(p);
	}
	const char *def = config_str(rs->cfg, "docker.default_env_file");
	if (r == 0 && def) {
		char *p = repo_path(rs->repo_root, def);
		r = load_file(rs->spec, rs->facts, p, 5, "docker.default_env_file", rs->at_exec, err);
		free(p);
	}
	const char *k;
	json_t *v;
	json_object_foreach(config_get(rs->cfg, "docker.env"), k, v) {
		if (r < 0 || (r = check_name(k, strlen(k), "docker.env", err)) < 0)
			break;
		spec_set_env(rs->spec, k, json_string_value(v), 5, "docker.env", env_name_is_secret(k), rs->at_exec);
	}
	return r;
}

/* Level 4: the profile's env_file, then its env_vars. */
static int level_profile(const struct resolution *rs, const json_t *profile, const char *pname, struct error *err)
{
	const char *pf = json_str(profile, "env_file");
	int r = 0;
	if (pf) {
		char *p = repo_path(rs->repo_root, pf);
		char *what = xasprintf("profile %s env_file", pname);
		r = load_file(rs->spec, rs->facts, p, 4, what, rs->at_exec, err);
		free(what);
		free(p);
	}
	char *src = xasprintf("profile %s env_vars", pname);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(profile, "env_vars"), k, v) {
		if (r < 0 || (r = check_name(k, strlen(k), src, err)) < 0)
			break;
		if (json_is_string(v))
			spec_set_env(rs->spec, k, json_string_value(v), 4, src, env_name_is_secret(k), rs->at_exec);
	}
	free(src);
	return r;
}

/* Level 3: PARA_DOCKER_ENV, "K=V,K2" (a name alone reads the host). */
static int level_para_docker_env(const struct resolution *rs, struct error *err)
{
	const char *pde = fact_env(rs->facts, "PARA_DOCKER_ENV");
	int bad = 0;
	if (!pde || !*pde)
		return 0;
	char *copy = xstrdup(pde), *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv && !bad; kv = strtok_r(NULL, ",", &save)) {
		size_t n = strcspn(kv, "=");
		if ((bad = check_name(kv, n, "PARA_DOCKER_ENV", err)) == 0)
			set_kv(rs->spec, rs->facts, kv, 3, "PARA_DOCKER_ENV", rs->at_exec, rs->notes);
	}
	memset(copy, 0, strlen(pde));
	free(copy);
	return bad;
}

/* Levels 2 and 1: --env-file, then -e. */
static int level_command(const struct resolution *rs, struct error *err)
{
	for (size_t i = 0; i < rs->in->env_files.nr; i++)
		if (load_file(rs->spec, rs->facts, rs->in->env_files.v[i], 2, "--env-file", rs->at_exec, err) < 0)
			return -1;
	for (size_t i = 0; i < rs->in->e_args.nr; i++)
		set_kv(rs->spec, rs->facts, rs->in->e_args.v[i], 1, "-e", rs->at_exec, rs->notes);
	return 0;
}

int envres_resolve(const struct env_inputs *in, const struct config *cfg, const char *repo_root,
		   struct container_spec *spec, int at_exec, struct strvec *notes, struct error *err)
{
	json_t *profile = NULL;
	const char *pname = envres_profile_name(in, cfg);
	if (pname && profile_resolve(cfg, pname, &profile, err) < 0)
		return -1;
	int r = envres_resolve_profile(in, profile, pname, cfg, repo_root, spec, at_exec, notes, err);
	json_decref(profile);
	return r;
}

const char *envres_profile_name(const struct env_inputs *in, const struct config *cfg)
{
	return in->profile ? in->profile : config_str(cfg, "docker.default_profile");
}

int envres_resolve_profile(const struct env_inputs *in, const json_t *profile, const char *pname,
			   const struct config *cfg, const char *repo_root, struct container_spec *spec, int at_exec,
			   struct strvec *notes, struct error *err)
{
	struct host_facts facts = HOST_FACTS_INIT;
	int r = envres_gather(in, cfg, repo_root, profile, 0, &facts, err);
	if (r == 0)
		r = envres_resolve_facts(&facts, in, profile, pname, cfg, repo_root, spec, at_exec, notes, err);
	host_facts_clear(&facts);
	return r;
}

int envres_resolve_facts(const struct host_facts *facts, const struct env_inputs *in, const json_t *profile,
			 const char *pname, const struct config *cfg, const char *repo_root,
			 struct container_spec *spec, int at_exec, struct strvec *notes, struct error *err)
{
	struct resolution rs = { facts, in, cfg, repo_root, spec, at_exec, notes };
	if (!at_exec)
		spec_clear_user_env(spec);
	/* lowest level first: each higher level replaces what it names */
	int r = level_forwarded(&rs, err);
	if (r == 0)
		r = level_project(&rs, err);
	if (r == 0 && profile)
		r = level_profile(&rs, profile, pname, err);
	if (r == 0)
		r = level_para_docker_env(&rs, err);
	if (r == 0)
		r = level_command(&rs, err);
	if (r == 0)
		r = check_engine_safe(spec, at_exec, err);
	for (size_t i = 0; r == 0 && notes && i < in->lost.nr; i++)
		strvec_pushf(notes, "-e %s was given as a literal value when the session started; para keeps no "
				    "values, so give it again: -e %s=…",
			     in->lost.v[i], in->lost.v[i]);
	return r;
}

json_t *env_inputs_to_json(const struct env_inputs *in)
{
	json_t *e = json_array(), *files = json_array();
	for (size_t i = 0; i < in->e_args.nr; i++) {
		const char *eq = strchr(in->e_args.v[i], '=');
		char *key = eq ? xstrndup(in->e_args.v[i], (size_t)(eq - in->e_args.v[i])) : xstrdup(in->e_args.v[i]);
		json_array_append_new(e, json_pack("{s:s, s:b}", "key", key, "literal", eq != NULL));
		free(key);
	}
	for (size_t i = 0; i < in->lost.nr; i++)
		json_array_append_new(e, json_pack("{s:s, s:b}", "key", in->lost.v[i], "literal", 1));
	for (size_t i = 0; i < in->env_files.nr; i++)
		json_array_append_new(files, json_string(in->env_files.v[i]));
	json_t *j = json_pack("{s:o, s:o, s:b}", "e", e, "env_files", files, "no_forward_keys", in->no_forward);
	if (in->profile)
		json_object_set_new(j, "profile", json_string(in->profile));
	return j;
}

void env_inputs_from_json(const json_t *j, struct env_inputs *in)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(j, "e"), i, v) {
		const char *key = json_str(v, "key");
		if (!key)
			continue;
		if (json_is_true(json_object_get(v, "literal")))
			strvec_push(&in->lost, key);
		else
			strvec_push(&in->e_args, key);
	}
	json_strv(json_object_get(j, "env_files"), &in->env_files);
	const char *p = json_str(j, "profile");
	in->profile = p ? xstrdup(p) : NULL;
	in->no_forward = json_is_true(json_object_get(j, "no_forward_keys"));
}
