/*
 * Trust (SPEC §3). A repository's .para/config.json arrives with a clone, so
 * the keys of it that run a program on the host or widen what a container may
 * touch ("widening keys") take effect only after `para trust` in that
 * repository. User config and PARA_CONFIG are always trusted.
 *
 * A project key widens when the project file sets it and the value reaches
 * further than what defaults + user config give (the table in trust.c says,
 * key by key, what "further" means). The trust record of a repository lives
 * outside it, in $XDG_STATE_HOME/para/trust/<hash of the root's real path>.json,
 * and holds the file's content hash and every widening key's value as trusted.
 *
 * The rule: the project layer is trusted when no key of it widens, or when
 * every key that widens now has the very value (and, for paths, reaches the
 * very host path) that was trusted. A byte-identical file therefore stays
 * trusted, unless a key widens now that did not then (a path in the repository
 * turned into a symlink that leaves it, or the user tightened their own
 * config): the content hash alone cannot see either, so it only tells the
 * user whether the file is the one they reviewed.
 *
 * Files that para reads from the repository on its own (.para and its
 * config.json, .env, the project Dockerfile, .dockerignore, env files) are
 * checked where they are read: one
 * that a symlink takes outside the repository is refused unless the trust
 * record holds that very target.
 */
#ifndef PARA_TRUST_H
#define PARA_TRUST_H
#include <jansson.h>

#include "util/error.h"
#include "util/strvec.h"

/* One widening key of the project layer. */
struct trust_key {
	char *key;     /* "docker.runtime", "docker.profiles.gpu.docker_args" */
	json_t *value; /* {"value": the project's value[, "host": the host path(s) it reaches]} */
};

struct trust_keys {
	struct trust_key *v;
	size_t nr;
	size_t alloc;
};

#define TRUST_KEYS_INIT { NULL, 0, 0 }
void trust_keys_clear(struct trust_keys *k);

/* The project widening keys of project over base (defaults + user), in table order. */
void trust_widening(const json_t *base, const json_t *project, const char *repo_root, struct trust_keys *out);

/* What a trust decision is made from. */
struct trust_input {
	const char *repo_root;
	const char *file;      /* the project config file, NULL when there is none */
	const char *hash;      /* hash_hex of its bytes, NULL when there is none */
	const json_t *base;    /* defaults + user config */
	const json_t *project; /* the project layer as parsed, NULL when there is none */
	const json_t *merged;  /* every layer (the repository files para reads) */
};

enum trust_state {
	TRUST_NOT_NEEDED, /* no widening key */
	TRUST_TRUSTED,    /* every widening key as trusted */
	TRUST_UNTRUSTED,  /* widening keys and no trust record */
	TRUST_CHANGED,    /* a record, and widening keys it does not hold as they are now */
};

struct trust_report {
	enum trust_state state;
	struct trust_keys widening; /* every widening key now */
	struct strvec need;         /* the keys that need trust: all of them, or the changed ones */
	int recorded;               /* a trust record exists */
	int same_file;              /* and its hash is the file's */
	char *trusted_at;           /* the record's time, or NULL */
};

#define TRUST_REPORT_INIT { TRUST_NOT_NEEDED, TRUST_KEYS_INIT, STRVEC_INIT, 0, 0, NULL }
void trust_report_clear(struct trust_report *rep);

/* Decide (never fails: an unreadable record counts as none). */
void trust_evaluate(const struct trust_input *in, struct trust_report *rep);
/* The refusal for a report that needs trust: exit code 4, one line, the keys named. */
int trust_refusal(const struct trust_report *rep, struct error *err);

/* $XDG_STATE_HOME/para/trust (default ~/.local/state/para/trust); new strings. */
char *trust_store_dir(void);
char *trust_record_path(const char *repo_root);
/* The record of repo_root, or NULL when there is none (or it is not one). */
json_t *trust_record_load(const char *repo_root);
/* Record in's project layer as trusted (atomically, mode 0600); *out gets the
 * record written when out is non-NULL. */
int trust_record(const struct trust_input *in, json_t **out, struct error *err);
/* The files para reads from the repository on its own (.env, the Dockerfile,
 * env files...) that a symlink takes outside it: {name: target}. */
json_t *trust_escaping_files(const struct trust_input *in);
/* Remove the record; *removed says whether there was one. */
int trust_forget(const char *repo_root, int *removed, struct error *err);

/*
 * May para read path, a file of the repository at repo_root? Yes when its
 * path (written out, without following symlinks) is outside the repository
 * (then the config named it, and the config is trusted), when it resolves
 * inside, or when it leaves through a symlink to the very target the trust
 * record holds. Otherwise -1, exit code 4, one line naming it.
 */
int trust_check_file(const char *repo_root, const char *path, struct error *err);

/* path as the host sees it: "~" is $HOME, a relative path is under repo_root,
 * every symlink followed as far as the file system has them. A new string. */
char *trust_resolve(const char *repo_root, const char *path);

#endif
