/* Profiles (docker.profiles): resolving extends, and checking every
 * profile of a configuration when it is loaded. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* "a → b → a" */
static char *chain_text(const struct strvec *chain, const char *last)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < chain->nr; i++)
		strbuf_addf(&sb, "%s → ", chain->v[i]);
	strbuf_addstr(&sb, last);
	return strbuf_detach(&sb, NULL);
}

/* "FILE:LINE:COLUMN: " of the extends of the last profile of chain, or "". */
static char *extends_where(const struct config *cfg, const struct strvec *chain)
{
	if (!chain->nr)
		return xstrdup("");
	const char *keys[] = { "docker", "profiles", chain->v[chain->nr - 1], "extends" };
	char *w = config_where_keys(cfg, keys, 4);
	char *s = w ? xasprintf("%s: ", w) : xstrdup("");
	free(w);
	return s;
}

static int missing_profile(const struct config *cfg, const struct strvec *chain, const char *name,
			   struct error *err)
{
	char *where = extends_where(cfg, chain);
	if (!chain->nr)
		error_set(err, PARA_EXIT_CONFIG, "no profile named '%s'", name);
	else
		error_set(err, PARA_EXIT_CONFIG, "%sprofile '%s' extends '%s', which does not exist", where,
			  chain->v[chain->nr - 1], name);
	free(where);
	return error_hint(err, "'para profile list' lists them");
}

static int cycle(const struct config *cfg, const struct strvec *chain, const char *name, struct error *err)
{
	char *c = chain_text(chain, name), *where = extends_where(cfg, chain);
	error_set(err, PARA_EXIT_CONFIG, "%sprofiles extend in a cycle: %s", where, c);
	free(where);
	free(c);
	return -1;
}

/* Profile name, then what it extends (one name or a list, in order): a key
 * already set is never replaced (objects merge, lists and scalars replace).
 * chain is the path from the profile asked for; origins gets key → profile. */
static int resolve_into(const struct config *cfg, const char *name, struct strvec *chain, json_t *result,
			json_t *origins, struct error *err)
{
	if (strvec_find(chain, name) >= 0)
		return cycle(cfg, chain, name, err);
	json_t *p = json_object_get(config_get(cfg, "docker.profiles"), name);
	if (!json_is_object(p))
		return missing_profile(cfg, chain, name, err);
	strvec_push(chain, name);
	const char *k;
	json_t *v;
	json_object_foreach(p, k, v) {
		json_t *have = json_object_get(result, k);
		if (!strcmp(k, "extends"))
			continue;
		if (!have) {
			/* a copy: parents' keys are merged into it, not into the config */
			json_object_set_new(result, k, json_deep_copy(v));
			json_object_set_new(origins, k, json_string(name));
		} else if (json_is_object(have) && json_is_object(v)) {
			const char *sub;
			json_t *sv;
			json_object_foreach(v, sub, sv) {
				if (json_object_get(have, sub))
					continue;
				json_object_set(have, sub, sv);
				char *key = xasprintf("%s.%s", k, sub);
				json_object_set_new(origins, key, json_string(name));
				free(key);
			}
		}
	}
	json_t *ext = json_object_get(p, "extends"), *e;
	size_t i;
	int r = 0;
	if (json_is_string(ext))
		r = resolve_into(cfg, json_string_value(ext), chain, result, origins, err);
	json_array_foreach(json_is_array(ext) ? ext : NULL, i, e)
		if (r == 0 && json_is_string(e))
			r = resolve_into(cfg, json_string_value(e), chain, result, origins, err);
	strvec_pop(chain);
	return r;
}

int profile_resolve_origins(const struct config *cfg, const char *name, json_t **out, json_t **origins,
			    struct error *err)
{
	struct strvec chain = STRVEC_INIT;
	json_t *result = json_object(), *o = json_object();
	int r = resolve_into(cfg, name, &chain, result, o, err);
	strvec_clear(&chain);
	if (r < 0) {
		json_decref(result);
		json_decref(o);
		*out = NULL;
		return -1;
	}
	*out = result;
	if (origins)
		*origins = o;
	else
		json_decref(o);
	return 0;
}

int profile_resolve(const struct config *cfg, const char *name, json_t **out, struct error *err)
{
	return profile_resolve_origins(cfg, name, out, NULL, err);
}

int config_check_profiles(const struct config *cfg, struct error *err)
{
	const char *name, *def = config_str(cfg, "docker.default_profile");
	json_t *p, *resolved;
	json_object_foreach(config_get(cfg, "docker.profiles"), name, p) {
		if (profile_resolve(cfg, name, &resolved, err) < 0)
			return -1;
		json_decref(resolved);
	}
	if (def && !json_object_get(config_get(cfg, "docker.profiles"), def)) {
		const char *keys[] = { "docker", "default_profile" };
		char *w = config_where_keys(cfg, keys, 2);
		error_set(err, PARA_EXIT_CONFIG, "%s: docker.default_profile is '%s', and there is no such profile",
			  w ? w : "config", def);
		free(w);
		return error_hint(err, "'para profile list' lists them");
	}
	return 0;
}
