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

#include "util/error.h"
#include "util/strvec.h"

struct config {
	json_t *root;           /* merged result; never NULL after config_load */
	struct strvec warnings; /* unknown keys and similar, one line each */
	struct strvec files;    /* the files that were read, in order */
};

#define CONFIG_INIT { NULL, STRVEC_INIT, STRVEC_INIT }

/* repo_root may be NULL (outside a repository). Errors use exit code 4. */
int config_load(struct config *cfg, const char *repo_root, struct error *err);
/* Validate and merge one more layer given as text (used by tests and PARA_CONFIG). */
int config_merge_text(struct config *cfg, const char *name, const char *text, struct error *err);
void config_clear(struct config *cfg);

json_t *config_get(const struct config *cfg, const char *path);
/* The string at path, or NULL when null/absent. */
const char *config_str(const struct config *cfg, const char *path);
int config_bool(const struct config *cfg, const char *path);
/* Strings of the array at path appended to sv. */
void config_strv(const struct config *cfg, const char *path, struct strvec *sv);

/* The user config file path (a new string). */
char *config_user_path(void);

#endif
