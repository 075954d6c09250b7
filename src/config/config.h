/*
 * Layered configuration (SPEC §3): built-in defaults, then the user file
 * ($XDG_CONFIG_HOME/para/config.json), then the project file
 * (<repo>/.para/config.json), then PARA_CONFIG. Objects merge key by key;
 * lists and scalars replace. Each layer is checked against the schema before
 * it is merged, so an error names the file that holds it.
 */
#ifndef PARA_CONFIG_H
#define PARA_CONFIG_H
#include <jansson.h>

#include "config/trust.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/strvec.h"

struct config {
	json_t *root;           /* merged result; never NULL after config_load */
	struct strvec warnings; /* unknown keys and similar, one line each */
	struct strvec files;    /* the files that were read, in order */
	/* the project layer and what it is measured against (config/trust.h);
	 * all NULL when there is no project file */
	char *project_file;
	json_t *project;        /* the project file as parsed */
	json_t *base;           /* defaults + user config */
	char project_hash[HASH_HEX_LEN + 1];
	struct strvec untrusted; /* widening project keys (or .para, when it leads out
				  * of the repository) that need 'para trust' */
	json_t *origins;         /* dotted key of each value set by a file → that file */
	struct strvec layer_names, layer_texts; /* each merged layer's name and text */
	/* set before loading: the file at override_file is read as override_text
	 * instead (NULL: as absent), and extra_file stands for PARA_CONFIG */
	const char *override_file, *override_text, *extra_file;
};

#define CONFIG_INIT { NULL, STRVEC_INIT, STRVEC_INIT, NULL, NULL, NULL, "", STRVEC_INIT, NULL, STRVEC_INIT, STRVEC_INIT, NULL, NULL, NULL }

/*
 * repo_root may be NULL (outside a repository). Errors use exit code 4. A
 * project layer with widening keys that are not trusted (config/trust.h) is
 * an error naming them, and is not merged; cfg->untrusted lists them.
 */
int config_load(struct config *cfg, const char *repo_root, struct error *err);

enum {
	/* merge an untrusted project layer anyway, for the commands that show or
	 * record it (trust, untrust, config show); cfg->untrusted says which keys */
	CONFIG_ANY_TRUST = 1 << 0,
};
int config_load_flags(struct config *cfg, const char *repo_root, unsigned flags, struct error *err);
/* What a trust decision about the loaded project layer is made from. */
void config_trust_input(const struct config *cfg, const char *repo_root, struct trust_input *in);
/* Validate and merge one more layer given as text (used by tests and PARA_CONFIG). */
int config_merge_text(struct config *cfg, const char *name, const char *text, struct error *err);
void config_clear(struct config *cfg);

json_t *config_get(const struct config *cfg, const char *path);
/* The file that set the value at a dotted key (for an object, one of its
 * keys), or "default". */
const char *config_origin(const struct config *cfg, const char *path);
/* The string at path, or NULL when null/absent. */
const char *config_str(const struct config *cfg, const char *path);
int config_bool(const struct config *cfg, const char *path);
/* Strings of the array at path appended to sv. */
void config_strv(const struct config *cfg, const char *path, struct strvec *sv);

/* "FILE:LINE:COLUMN" of the key at keys[0..n) in the file that set it (a
 * new string), or NULL when no file did (a default). */
char *config_where_keys(const struct config *cfg, const char *const *keys, size_t n);

/* The resolved profile (extends followed, cycles refused) or NULL *out. */
int profile_resolve(const struct config *cfg, const char *name, json_t **out, struct error *err);
/* The same, and *origins (when non-NULL): each key → the profile that set
 * it; "KEY.SUB" → the parent that added SUB to an object KEY. */
int profile_resolve_origins(const struct config *cfg, const char *name, json_t **out, json_t **origins,
			    struct error *err);
/* Every profile resolves (no cycle, no missing parent) and
 * docker.default_profile names one; config_load checks this. */
int config_check_profiles(const struct config *cfg, struct error *err);

/* The built-in defaults (a new reference). */
json_t *config_defaults(void);

/* config set/unset on a file's text (config/edit.c): *out the new text,
 * everything else of it kept byte for byte. set reads word by the key's
 * type (config/schema.h); an unknown key or a word of the wrong type is
 * exit 4. unset: *found says whether the key was there. */
int config_set_text(const char *text, const char *key, const char *word, char **out, struct error *err);
int config_unset_text(const char *text, const char *key, char **out, int *found, struct error *err);
/* A commented starting point with every key at its default (all commented
 * out), that validates and changes nothing. */
char *config_template(const char *title);

/* The user config file path (a new string). */
char *config_user_path(void);

#endif
