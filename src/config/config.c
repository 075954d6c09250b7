#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "parse/jsonc.h"
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
	" \"ide\": { \"command\": null },"
	" \"docker\": {"
	"   \"runtime\": \"docker\","
	"   \"default_image\": \"para-authenticated:latest\","
	"   \"dockerfile\": \".para/Dockerfile\","
	"   \"build\": { \"context\": null, \"args\": {}, \"target\": null },"
	"   \"pull\": \"missing\","
	"   \"allow_custom_images\": true,"
	"   \"allowed_images\": [],"
	"   \"user\": \"host\","
	"   \"home_volume\": null,"
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
	"   \"network\": { \"mode\": \"bridge\", \"isolation\": false,"
	"                \"allowed_domains\": [\"api.anthropic.com\", \"statsig.anthropic.com\", \"sentry.io\","
	"                  \"github.com\", \"api.github.com\", \"codeload.github.com\", \"registry.npmjs.org\"],"
	"                \"egress\": null },"
	"   \"default_profile\": null,"
	"   \"profiles\": {}"
	" }"
	"}";

static int is_set(const json_t *v)
{
	return !(json_is_null(v) || json_is_false(v) || (json_is_array(v) && !json_array_size(v)));
}

static char *dotted(const char *const *keys, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "." : "", keys[i]);
	return strbuf_detach(&sb, NULL);
}

/* "FILE:LINE:COLUMN" of the member at keys in text (its key, or with
 * at_value its value), or "FILE" when it cannot be found. */
static char *position(const char *file, const char *text, const char *const *keys, size_t n, int at_value)
{
	struct jsonc_loc loc;
	int line, col;
	if (!text || jsonc_find(text, strlen(text), keys, n, &loc) != 1)
		return xstrdup(file);
	jsonc_linecol(text, at_value ? loc.value_start : loc.key_start, &line, &col);
	return xasprintf("%s:%d:%d", file, line, col);
}

/* One layer being checked: where it came from and the path walked. */
struct layer_check {
	struct config *cfg;
	const char *file, *text;
	struct strvec keys;
};

static void warn_unknown(struct layer_check *lc, const char *path)
{
	const char *const *keys = (const char *const *)lc->keys.v;
	char *where = position(lc->file, lc->text, keys, lc->keys.nr, 0);
	char *near = schema_nearest(keys, lc->keys.nr);
	if (near)
		strvec_pushf(&lc->cfg->warnings, "%s: unknown key '%s' (did you mean '%s'?)", where, path, near);
	else
		strvec_pushf(&lc->cfg->warnings, "%s: unknown key '%s'", where, path);
	free(near);
	free(where);
}

static int check_object(struct layer_check *lc, json_t *obj, struct error *err);

static int check_member(struct layer_check *lc, json_t *v, struct error *err)
{
	const char *const *keys = (const char *const *)lc->keys.v;
	const struct key_rule *r = schema_rule(keys, lc->keys.nr);
	char *path = dotted(keys, lc->keys.nr);
	int ret = 0;
	if (!r) {
		warn_unknown(lc, path);
	} else if (schema_check(r, v, NULL, path, err) < 0) {
		char *where = position(lc->file, lc->text, keys, lc->keys.nr, 1);
		ret = error_wrap(err, "%s", where);
		free(where);
	} else if (r->types & T_OBJ && json_is_object(v)) {
		ret = check_object(lc, v, err);
	} else if ((r->types & T_NOT_YET) && is_set(v)) {
		char *where = position(lc->file, lc->text, keys, lc->keys.nr, 0);
		strvec_pushf(&lc->cfg->warnings, "%s: '%s' is not supported by this version of para yet; ignored",
			     where, path);
		free(where);
	}
	free(path);
	return ret;
}

static int check_object(struct layer_check *lc, json_t *obj, struct error *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		strvec_push(&lc->keys, k);
		int r = check_member(lc, v, err);
		strvec_pop(&lc->keys);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One layer parsed (JSON with comments, config/jsonc.h) and checked against
 * the schema; NULL with err set. */
static json_t *parse_layer(struct config *cfg, const char *name, const char *text, struct error *err)
{
	json_error_t je;
	char *strict = jsonc_strip(text, strlen(text));
	json_t *layer = json_loads(strict, JSON_REJECT_DUPLICATES, &je);
	free(strict);
	if (!layer) {
		int line = je.line, col = je.column; /* in the text as written */
		if (je.position >= 0 && (size_t)je.position <= strlen(text))
			jsonc_linecol(text, (size_t)je.position, &line, &col);
		error_set(err, PARA_EXIT_CONFIG, "%s:%d:%d: %s", name, line, col, je.text);
		return NULL;
	}
	if (!json_is_object(layer)) {
		json_decref(layer);
		error_set(err, PARA_EXIT_CONFIG, "%s: the configuration must be a JSON object", name);
		return NULL;
	}
	struct layer_check lc = { cfg, name, text, STRVEC_INIT };
	int r = check_object(&lc, layer, err);
	strvec_clear(&lc.keys);
	if (r < 0) {
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
		if (json_is_object(v))
			note_origins(origins, path, v, file); /* an empty one sets nothing */
		else
			json_object_set_new(origins, path, json_string(file));
		free(path);
	}
}

static void merge_layer(struct config *cfg, const json_t *layer, const char *file, const char *text)
{
	if (!cfg->origins)
		cfg->origins = json_object();
	strvec_push(&cfg->layer_names, file);
	strvec_push(&cfg->layer_texts, text);
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

char *config_where_keys(const struct config *cfg, const char *const *keys, size_t n)
{
	char *path = dotted(keys, n);
	const char *file = json_str(cfg->origins, path);
	free(path);
	for (size_t i = cfg->layer_names.nr; file && i-- > 0;)
		if (!strcmp(cfg->layer_names.v[i], file))
			return position(file, cfg->layer_texts.v[i], keys, n, 0);
	return file ? xstrdup(file) : NULL;
}

int config_merge_text(struct config *cfg, const char *name, const char *text, struct error *err)
{
	json_t *layer = parse_layer(cfg, name, text, err);
	if (!layer)
		return -1;
	merge_layer(cfg, layer, name, text);
	json_decref(layer);
	return 0;
}

/* 1 when read into sb, 0 when absent (and that is fine), -1 on error. */
static int read_layer(struct config *cfg, const char *path, int must_exist, struct strbuf *sb, struct error *err)
{
	if (cfg->override_file && !strcmp(cfg->override_file, path)) {
		if (!cfg->override_text)
			return 0;
		strbuf_addstr(sb, cfg->override_text);
		strvec_push(&cfg->files, path);
		return 1;
	}
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
			merge_layer(cfg, layer, cfg->project_file, sb.buf);
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

json_t *config_defaults(void)
{
	json_error_t je;
	json_t *d = json_loads(defaults_json, 0, &je);
	if (!d)
		abort();
	return d;
}

int config_load(struct config *cfg, const char *repo_root, struct error *err)
{
	return config_load_flags(cfg, repo_root, 0, err);
}

int config_load_flags(struct config *cfg, const char *repo_root, unsigned flags, struct error *err)
{
	cfg->root = config_defaults();
	char *user = config_user_path();
	int r = merge_file(cfg, user, 0, err);
	free(user);
	if (r == 0 && repo_root)
		r = merge_project(cfg, repo_root, flags, err);
	if (r < 0)
		return r;
	const char *extra = cfg->extra_file ? cfg->extra_file : getenv("PARA_CONFIG");
	if (extra && *extra && merge_file(cfg, extra, 1, err) < 0)
		return -1;
	return config_check_profiles(cfg, err);
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
	strvec_clear(&cfg->layer_names);
	strvec_clear(&cfg->layer_texts);
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
