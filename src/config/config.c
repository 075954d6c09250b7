#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/hash.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char defaults_json[] =
	"{"
	" \"agent\": { \"command\": [\"claude\"], \"prompt\": \"arg\","
	"   \"skip_permissions_args\": [\"--dangerously-skip-permissions\"],"
	"   \"login_command\": [\"claude\", \"/login\"] },"
	" \"git\": { \"branch_prefix\": \"para\" },"
	" \"ide\": { \"command\": \"code\" },"
	" \"docker\": {"
	"   \"runtime\": \"docker\","
	"   \"default_image\": \"para-authenticated:latest\","
	"   \"dockerfile\": \".para/Dockerfile\","
	"   \"build\": { \"context\": null, \"args\": {}, \"target\": null },"
	"   \"pull\": \"missing\","
	"   \"allow_custom_images\": true,"
	"   \"allowed_images\": [],"
	"   \"user\": \"host\","
	"   \"home_volume\": \"para-home-claude\","
	"   \"forward_env\": [\"ANTHROPIC_API_KEY\", \"ANTHROPIC_AUTH_TOKEN\", \"ANTHROPIC_BASE_URL\","
	"     \"OPENAI_API_KEY\", \"OPENAI_BASE_URL\", \"GEMINI_API_KEY\", \"GOOGLE_API_KEY\","
	"     \"GITHUB_TOKEN\", \"GH_TOKEN\", \"PERPLEXITY_API_KEY\", \"OPENROUTER_API_KEY\","
	"     \"TERM\", \"COLORTERM\", \"TERM_PROGRAM\", \"LANG\", \"TZ\", \"HTTP_PROXY\","
	"     \"HTTPS_PROXY\", \"NO_PROXY\", \"http_proxy\", \"https_proxy\", \"no_proxy\"],"
	"   \"env\": {},"
	"   \"default_env_file\": null,"
	"   \"auto_env_file\": true,"
	"   \"mounts\": [],"
	"   \"allow_dangerous_mounts\": false,"
	"   \"resources\": { \"memory\": null, \"cpus\": null, \"pids_limit\": 4096,"
	"                  \"gpus\": null, \"shm_size\": null },"
	"   \"docker_args\": [],"
	"   \"setup_script\": null,"
	"   \"network\": { \"mode\": \"bridge\", \"isolation\": false, \"allowed_domains\": [],"
	"                \"egress\": null },"
	"   \"default_profile\": null,"
	"   \"profiles\": {}"
	" }"
	"}";

enum {
	T_STR = 1 << 0,
	T_NULL = 1 << 1,
	T_BOOL = 1 << 2,
	T_INT = 1 << 3,
	T_NUM = 1 << 4,
	T_STRV = 1 << 5,  /* array of strings */
	T_STRMAP = 1 << 6, /* object of string values */
	T_OBJ = 1 << 7,    /* object whose keys are listed in the schema */
	T_ANYOBJ = 1 << 8, /* object with free-form keys (profiles) */
};

struct key_rule {
	const char *path;
	unsigned types;
	const char *const *choices; /* allowed string values, or NULL */
};

static const char *const prompt_modes[] = { "arg", "stdin", NULL };
static const char *const pull_modes[] = { "missing", "never", "always", NULL };
static const char *const net_modes[] = { "bridge", "host", "none", NULL };

static const struct key_rule schema[] = {
	{ "agent", T_OBJ, NULL },
	{ "agent.command", T_STRV, NULL },
	{ "agent.prompt", T_STR, prompt_modes },
	{ "agent.skip_permissions_args", T_STRV, NULL },
	{ "agent.login_command", T_STRV, NULL },
	{ "git", T_OBJ, NULL },
	{ "git.branch_prefix", T_STR, NULL },
	{ "ide", T_OBJ, NULL },
	{ "ide.command", T_STR | T_NULL, NULL },
	{ "docker", T_OBJ, NULL },
	{ "docker.runtime", T_STR, NULL },
	{ "docker.default_image", T_STR, NULL },
	{ "docker.dockerfile", T_STR | T_NULL, NULL },
	{ "docker.build", T_OBJ, NULL },
	{ "docker.build.context", T_STR | T_NULL, NULL },
	{ "docker.build.args", T_STRMAP, NULL },
	{ "docker.build.target", T_STR | T_NULL, NULL },
	{ "docker.pull", T_STR, pull_modes },
	{ "docker.allow_custom_images", T_BOOL, NULL },
	{ "docker.allowed_images", T_STRV, NULL },
	{ "docker.user", T_STR, NULL },
	{ "docker.home_volume", T_STR | T_NULL, NULL },
	{ "docker.forward_env", T_STRV, NULL },
	{ "docker.env", T_STRMAP, NULL },
	{ "docker.default_env_file", T_STR | T_NULL, NULL },
	{ "docker.auto_env_file", T_BOOL, NULL },
	{ "docker.mounts", T_STRV, NULL },
	{ "docker.allow_dangerous_mounts", T_BOOL, NULL },
	{ "docker.resources", T_OBJ, NULL },
	{ "docker.resources.memory", T_STR | T_NULL, NULL },
	{ "docker.resources.cpus", T_STR | T_NUM | T_INT | T_NULL, NULL },
	{ "docker.resources.pids_limit", T_INT | T_NULL, NULL },
	{ "docker.resources.gpus", T_STR | T_NULL, NULL },
	{ "docker.resources.shm_size", T_STR | T_NULL, NULL },
	{ "docker.docker_args", T_STRV, NULL },
	{ "docker.setup_script", T_STR | T_NULL, NULL },
	{ "docker.network", T_OBJ, NULL },
	{ "docker.network.mode", T_STR, net_modes },
	{ "docker.network.isolation", T_BOOL, NULL },
	{ "docker.network.allowed_domains", T_STRV, NULL },
	{ "docker.network.egress", T_STR | T_NULL, NULL },
	{ "docker.default_profile", T_STR | T_NULL, NULL },
	{ "docker.profiles", T_ANYOBJ, NULL },
};

/* Keys of SPEC §3 that this version reads but does not act on yet: set to
 * anything but their default, they get a warning instead of silence. */
static const char *const not_yet[] = {
	"docker.network.isolation",
	"docker.network.allowed_domains", "docker.network.egress", NULL,
};

static int is_set(const json_t *v)
{
	return !(json_is_null(v) || json_is_false(v) || (json_is_array(v) && !json_array_size(v)));
}

static const struct key_rule *rule_for(const char *path)
{
	for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++)
		if (!strcmp(schema[i].path, path))
			return &schema[i];
	return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

static const char *nearest_key(const char *path)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++) {
		size_t d = edit_distance(path, schema[i].path);
		if (d < best_d) {
			best_d = d;
			best = schema[i].path;
		}
	}
	return best_d <= 4 ? best : NULL;
}

static int type_ok(const json_t *v, unsigned types)
{
	size_t i;
	const char *k;
	json_t *e;
	if ((types & T_STR) && json_is_string(v))
		return 1;
	if ((types & T_NULL) && json_is_null(v))
		return 1;
	if ((types & T_BOOL) && json_is_boolean(v))
		return 1;
	if ((types & T_INT) && json_is_integer(v))
		return 1;
	if ((types & T_NUM) && json_is_number(v))
		return 1;
	if ((types & (T_OBJ | T_ANYOBJ)) && json_is_object(v))
		return 1;
	if ((types & T_STRV) && json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!json_is_string(e))
				return 0;
		return 1;
	}
	if ((types & T_STRMAP) && json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e)
			if (!json_is_string(e))
				return 0;
		return 1;
	}
	return 0;
}

static const char *type_name(unsigned types)
{
	if (types & T_STRV)
		return "a list of strings";
	if (types & T_STRMAP)
		return "an object of strings";
	if (types & (T_OBJ | T_ANYOBJ))
		return "an object";
	if (types & T_BOOL)
		return "true or false";
	if ((types & T_INT) && !(types & T_STR))
		return "a whole number";
	if (types & T_STR)
		return (types & T_NULL) ? "a string or null" : "a string";
	return "a value of another type";
}

static const char *const profile_keys[] = {
	"image", "env_file", "env_vars", "volumes", "docker_args", "resources", "extends", "dockerfile", NULL
};

static int check_profiles(struct config *cfg, const char *file, json_t *profiles, struct error *err)
{
	const char *name, *k;
	json_t *p, *v;
	json_object_foreach(profiles, name, p) {
		if (!json_is_object(p))
			return error_set(err, PARA_EXIT_CONFIG, "%s: docker.profiles.%s must be an object", file, name);
		json_object_foreach(p, k, v) {
			int known = 0;
			for (const char *const *pk = profile_keys; *pk; pk++)
				known |= !strcmp(*pk, k);
			if (!known) {
				strvec_pushf(&cfg->warnings, "%s: unknown key 'docker.profiles.%s.%s'", file, name, k);
				continue;
			}
			unsigned t = !strcmp(k, "extends") ? T_STR | T_STRV | T_NULL
				     : !strcmp(k, "resources") ? T_OBJ
				     : !strcmp(k, "env_vars") ? T_STRMAP
				     : (!strcmp(k, "volumes") || !strcmp(k, "docker_args")) ? T_STRV
											    : T_STR | T_NULL;
			if (!type_ok(v, t))
				return error_set(err, PARA_EXIT_CONFIG, "%s: 'docker.profiles.%s.%s' must be %s",
						 file, name, k, type_name(t));
		}
	}
	return 0;
}

static int check_layer(struct config *cfg, const char *file, json_t *obj, const char *prefix, struct error *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		char *path = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		const struct key_rule *r = rule_for(path);
		int ret = 0;
		if (!r) {
			const char *near = nearest_key(path);
			if (near)
				strvec_pushf(&cfg->warnings, "%s: unknown key '%s' (did you mean '%s'?)", file, path, near);
			else
				strvec_pushf(&cfg->warnings, "%s: unknown key '%s'", file, path);
		} else if (!type_ok(v, r->types)) {
			ret = error_set(err, PARA_EXIT_CONFIG, "%s: '%s' must be %s", file, path, type_name(r->types));
		} else if (r->choices && json_is_string(v)) {
			int found = 0;
			for (const char *const *c = r->choices; *c; c++)
				found |= !strcmp(*c, json_string_value(v));
			if (!found) {
				struct strbuf sb = STRBUF_INIT;
				for (const char *const *c = r->choices; *c; c++)
					strbuf_addf(&sb, "%s'%s'", c == r->choices ? "" : ", ", *c);
				ret = error_set(err, PARA_EXIT_CONFIG, "%s: '%s' is '%s'; use one of %s", file, path,
						json_string_value(v), sb.buf);
				strbuf_release(&sb);
			}
		} else if (r->types & T_OBJ) {
			ret = check_layer(cfg, file, v, path, err);
		}
		for (const char *const *n = not_yet; r && ret == 0 && *n; n++)
			if (!strcmp(*n, path) && is_set(v))
				strvec_pushf(&cfg->warnings, "%s: '%s' is not supported by this version of para yet; ignored",
					     file, path);
		if (r && ret == 0 && (r->types & T_ANYOBJ))
			ret = check_profiles(cfg, file, v, err);
		free(path);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* One layer parsed and checked against the schema; NULL with err set. */
static json_t *parse_layer(struct config *cfg, const char *name, const char *text, struct error *err)
{
	json_error_t je;
	json_t *layer = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!layer) {
		error_set(err, PARA_EXIT_CONFIG, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(layer)) {
		json_decref(layer);
		error_set(err, PARA_EXIT_CONFIG, "%s: the configuration must be a JSON object", name);
		return NULL;
	}
	if (check_layer(cfg, name, layer, NULL, err) < 0) {
		json_decref(layer);
		return NULL;
	}
	return layer;
}

/* Record file as the origin of each value layer sets: objects merge key
 * by key, so their keys are recorded one by one. */
static void note_origins(json_t *origins, const char *prefix, const json_t *layer, const char *file)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)layer, k, v) {
		char *path = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		if (json_is_object(v) && json_object_size(v))
			note_origins(origins, path, v, file);
		else
			json_object_set_new(origins, path, json_string(file));
		free(path);
	}
}

static void merge_layer(struct config *cfg, const json_t *layer, const char *file)
{
	if (!cfg->origins)
		cfg->origins = json_object();
	note_origins(cfg->origins, NULL, layer, file);
	json_object_update_recursive(cfg->root, (json_t *)layer);
}

const char *config_origin(const struct config *cfg, const char *path)
{
	const char *o = json_str(cfg->origins, path), *k;
	size_t n = strlen(path);
	json_t *v;
	/* an object's: the file that set a key inside it */
	json_object_foreach(o ? NULL : cfg->origins, k, v)
		if (!strncmp(k, path, n) && k[n] == '.')
			return json_string_value(v);
	return o ? o : "default";
}

int config_merge_text(struct config *cfg, const char *name, const char *text, struct error *err)
{
	json_t *layer = parse_layer(cfg, name, text, err);
	if (!layer)
		return -1;
	merge_layer(cfg, layer, name);
	json_decref(layer);
	return 0;
}

/* 1 when read into sb, 0 when absent (and that is fine), -1 on error. */
static int read_layer(struct config *cfg, const char *path, int must_exist, struct strbuf *sb, struct error *err)
{
	if (strbuf_read_file(sb, path) < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return error_errno(err, PARA_EXIT_CONFIG, "cannot read config '%s'", path);
	}
	strvec_push(&cfg->files, path);
	return 1;
}

static int merge_file(struct config *cfg, const char *path, int must_exist, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r = read_layer(cfg, path, must_exist, &sb, err);
	if (r > 0)
		r = config_merge_text(cfg, path, sb.buf, err);
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

void config_trust_input(const struct config *cfg, const char *repo_root, struct trust_input *in)
{
	in->repo_root = repo_root;
	in->file = cfg->project_file;
	in->hash = cfg->project ? cfg->project_hash : NULL;
	in->base = cfg->base;
	in->project = cfg->project;
	in->merged = cfg->root;
}

/* Refuse an untrusted project layer before it is merged (unless CONFIG_ANY_TRUST). */
static int trust_gate(struct config *cfg, const char *repo_root, unsigned flags, struct error *err)
{
	struct trust_input in;
	struct trust_report rep = TRUST_REPORT_INIT;
	config_trust_input(cfg, repo_root, &in);
	trust_evaluate(&in, &rep);
	strvec_pushv(&cfg->untrusted, (const char *const *)rep.need.v);
	int r = rep.need.nr && !(flags & CONFIG_ANY_TRUST) ? trust_refusal(&rep, err) : 0;
	trust_report_clear(&rep);
	return r;
}

/* .para (where para also writes) and the file in it may not lead out of the
 * repository through a symlink, unless trusted so. */
static int check_para_dir(struct config *cfg, const char *repo_root, const char *path, unsigned flags,
			  struct error *err)
{
	if (flags & CONFIG_ANY_TRUST)
		return 0;
	char *dir = path_dirname(path);
	const char *bad = trust_check_file(repo_root, dir, err) < 0    ? ".para"
			  : trust_check_file(repo_root, path, err) < 0 ? ".para/config.json"
								       : NULL;
	free(dir);
	if (bad)
		strvec_push(&cfg->untrusted, bad);
	return bad ? -1 : 0;
}

static int merge_project(struct config *cfg, const char *repo_root, unsigned flags, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(repo_root, ".para/config.json");
	int r = check_para_dir(cfg, repo_root, path, flags, err);
	if (r == 0)
		r = read_layer(cfg, path, 0, &sb, err);
	json_t *layer = r > 0 ? parse_layer(cfg, path, sb.buf, err) : NULL;
	if (r > 0 && !layer)
		r = -1;
	if (layer) {
		cfg->project_file = path;
		path = NULL;
		cfg->project = layer;
		cfg->base = json_deep_copy(cfg->root);
		hash_hex(sb.buf, sb.len, cfg->project_hash);
		r = trust_gate(cfg, repo_root, flags, err);
		if (r == 0)
			merge_layer(cfg, layer, cfg->project_file);
	}
	free(path);
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

char *config_user_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		return xasprintf("%s/para/config.json", xdg);
	return xasprintf("%s/.config/para/config.json", home ? home : "");
}

int config_load(struct config *cfg, const char *repo_root, struct error *err)
{
	return config_load_flags(cfg, repo_root, 0, err);
}

int config_load_flags(struct config *cfg, const char *repo_root, unsigned flags, struct error *err)
{
	json_error_t je;
	cfg->root = json_loads(defaults_json, 0, &je);
	if (!cfg->root)
		abort();
	char *user = config_user_path();
	int r = merge_file(cfg, user, 0, err);
	free(user);
	if (r == 0 && repo_root)
		r = merge_project(cfg, repo_root, flags, err);
	if (r < 0)
		return r;
	const char *extra = getenv("PARA_CONFIG");
	if (extra && *extra)
		return merge_file(cfg, extra, 1, err);
	return 0;
}

void config_clear(struct config *cfg)
{
	json_decref(cfg->root);
	cfg->root = NULL;
	strvec_clear(&cfg->warnings);
	strvec_clear(&cfg->files);
	free(cfg->project_file);
	cfg->project_file = NULL;
	json_decref(cfg->project);
	cfg->project = NULL;
	json_decref(cfg->base);
	cfg->base = NULL;
	json_decref(cfg->origins);
	cfg->origins = NULL;
	strvec_clear(&cfg->untrusted);
}

json_t *config_get(const struct config *cfg, const char *path)
{
	return json_path(cfg->root, path);
}

const char *config_str(const struct config *cfg, const char *path)
{
	json_t *v = config_get(cfg, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int config_bool(const struct config *cfg, const char *path)
{
	return json_is_true(config_get(cfg, path));
}

void config_strv(const struct config *cfg, const char *path, struct strvec *sv)
{
	json_strv(config_get(cfg, path), sv);
}
