/* Changing a config file's text (config set/unset) and the commented
 * starting point config init writes. Pure: text in, text out. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "parse/jsonc.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* KEY split at its dots into keys (empty parts refused). */
static int split_key(const char *key, struct strvec *keys, struct error *err)
{
	const char *p = key;
	for (;;) {
		size_t n = strcspn(p, ".");
		if (!n) {
			strvec_clear(keys);
			return error_set(err, PARA_EXIT_USAGE, "'%s' is not a key; keys look like docker.pull", key);
		}
		strvec_push_nodup(keys, xstrndup(p, n));
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The schema's rule for key, or an error naming the nearest known one. */
static const struct key_rule *known_rule(const char *key, const struct strvec *keys, struct error *err)
{
	const struct key_rule *r = schema_rule((const char *const *)keys->v, keys->nr);
	if (r)
		return r;
	char *near = schema_nearest((const char *const *)keys->v, keys->nr);
	error_set(err, PARA_EXIT_CONFIG, "unknown key '%s'", key);
	if (near)
		error_hint(err, "did you mean '%s'?", near);
	else
		error_hint(err, "'para config init' writes a file listing every key");
	free(near);
	return NULL;
}

int config_set_text(const char *text, const char *key, const char *word, char **out, struct error *err)
{
	struct strvec keys = STRVEC_INIT;
	if (split_key(key, &keys, err) < 0)
		return -1;
	const struct key_rule *r = known_rule(key, &keys, err);
	json_t *v = r ? schema_value_from_word(r, key, word, err) : NULL;
	if (v) {
		char *value = json_dumps(v, JSON_ENCODE_ANY);
		*out = jsonc_set(text, strlen(text), (const char *const *)keys.v, keys.nr, value);
		free(value);
		json_decref(v);
		if (!*out)
			error_set(err, PARA_EXIT_CONFIG, "the file is not one JSON object; fix it first ('para config validate')");
	}
	strvec_clear(&keys);
	return v && *out ? 0 : -1;
}

int config_unset_text(const char *text, const char *key, char **out, int *found, struct error *err)
{
	struct strvec keys = STRVEC_INIT;
	if (split_key(key, &keys, err) < 0)
		return -1;
	*out = jsonc_unset(text, strlen(text), (const char *const *)keys.v, keys.nr, found);
	strvec_clear(&keys);
	if (!*out)
		return error_set(err, PARA_EXIT_CONFIG, "the file is not one JSON object; fix it first ('para config validate')");
	return 0;
}

static void indent(struct strbuf *sb, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		strbuf_addstr(sb, "  ");
}

static size_t depth_of(const char *path)
{
	size_t d = 1;
	for (const char *p = path; *p; p++)
		d += *p == '.';
	return d;
}

/* Close the objects opened deeper than depth. */
static void close_to(struct strbuf *sb, struct strvec *open, size_t depth)
{
	while (open->nr >= depth) {
		indent(sb, open->nr);
		strbuf_addstr(sb, "},\n");
		strvec_pop(open);
	}
}

static void template_key(struct strbuf *sb, const json_t *defaults, const struct key_rule *r, struct strvec *open)
{
	size_t d = depth_of(r->path);
	const char *name = strrchr(r->path, '.') ? strrchr(r->path, '.') + 1 : r->path;
	close_to(sb, open, d);
	indent(sb, d);
	strbuf_addf(sb, "// %s\n", r->doc);
	indent(sb, d);
	if (r->types & T_OBJ) {
		strbuf_addf(sb, "\"%s\": {\n", name);
		strvec_push(open, r->path);
		return;
	}
	char *v = json_dumps(json_path(defaults, r->path), JSON_ENCODE_ANY);
	strbuf_addf(sb, "// \"%s\": %s,\n", name, v ? v : "null");
	free(v);
}

char *config_template(const char *title)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec open = STRVEC_INIT;
	json_t *defaults = config_defaults();
	strbuf_addf(&sb, "// %s\n", title);
	strbuf_addstr(&sb, "// JSON, with comments and trailing commas allowed. Every key is here with its\n"
			   "// default, commented out: remove the // before a key to set it. Objects merge\n"
			   "// key by key over the layers below; lists and plain values replace.\n"
			   "// 'para config validate' checks this file; 'man para' (CONFIGURATION) says more.\n{\n");
	for (size_t i = 0; i < schema_nrules; i++)
		if (!strchr(schema_rules[i].path, '*'))
			template_key(&sb, defaults, &schema_rules[i], &open);
	/* docker.profiles is open: an example of one */
	indent(&sb, 3);
	strbuf_addstr(&sb, "// \"node\": { \"image\": \"node:20-bookworm\", \"env_vars\": { \"NODE_ENV\": \"development\" },\n");
	indent(&sb, 3);
	strbuf_addstr(&sb, "//           \"volumes\": [\"npm-cache:/home/para/.npm\"], \"resources\": { \"memory\": \"2g\" } },\n");
	indent(&sb, 3);
	strbuf_addstr(&sb, "// \"node-gpu\": { \"extends\": \"node\", \"resources\": { \"gpus\": \"all\" } },\n");
	close_to(&sb, &open, 1);
	strbuf_addstr(&sb, "}\n");
	strvec_clear(&open);
	json_decref(defaults);
	return strbuf_detach(&sb, NULL);
}
