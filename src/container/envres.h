/*
 * What a container's environment is, resolved from the seven levels of
 * SPEC §2.2 (highest first):
 *   1 -e KEY=VALUE / -e KEY (value from the host)
 *   2 --env-file PATH (later files win)
 *   3 PARA_DOCKER_ENV (KEY=VALUE,KEY=VALUE)
 *   4 profile env_vars, then profile env_file
 *   5 docker.env, then docker.default_env_file
 *   6 the project's .env (docker.auto_env_file)
 *   7 forwarded host variables (docker.forward_env) and the git identity,
 *     unless --no-forward-keys
 * The inputs (never the values) are what a session saves, so a re-created
 * container resolves its environment again from the same sources.
 */
#ifndef PARA_ENVRES_H
#define PARA_ENVRES_H
#include <jansson.h>

#include "config/config.h"
#include "container/spec.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

struct env_inputs {
	struct strvec e_args;    /* "KEY=VALUE" or "KEY", as given */
	struct strvec env_files; /* absolute paths */
	char *profile;           /* NULL: docker.default_profile */
	int no_forward;
	struct strvec lost;      /* keys given as literal -e values that were not kept */
};

#define ENV_INPUTS_INIT { STRVEC_INIT, STRVEC_INIT, NULL, 0, STRVEC_INIT }

void env_inputs_clear(struct env_inputs *in);
/* Check one -e argument; usage error (2) when the name is not a variable name. */
int env_arg_check(const char *arg, struct error *err);
/* Add an --env-file path (made absolute against cwd; must be readable). */
int env_inputs_add_file(struct env_inputs *in, const char *path, struct error *err);

/*
 * Resolve into spec (as level-tagged variables, at_exec when given), after
 * dropping the spec's earlier user variables unless at_exec. notes gets a
 * line for each thing a user may want to know (-e KEY absent on the host,
 * literal values that must be given again).
 */
int envres_resolve(const struct env_inputs *in, const struct config *cfg, const char *repo_root,
		   struct container_spec *spec, int at_exec, struct strvec *notes, struct error *err);
/*
 * What a resolution reads of the host, gathered first (envres_gather): the
 * environment, the repository's git identity and trust, and every env file
 * it names (each read once; a read that failed keeps its errno for the
 * resolution to report). Resolution is then a function of these and the
 * configuration (envres_resolve_facts), which a test can give by hand.
 */
struct host_file {
	char *path;
	struct strbuf data;
	int read_errno;
};
struct host_facts {
	struct strvec env;        /* "KEY=VALUE" */
	struct strbuf git_ident;  /* "user.name N\nuser.email E\n" as git config prints it */
	int trusted;              /* the repository's .para config is trusted */
	struct host_file *files;
	size_t nfiles, afiles;
};
#define HOST_FACTS_INIT { STRVEC_INIT, STRBUF_INIT, 0, NULL, 0, 0 }
/* extra_only: the environment and in's env files (one exec's variables). */
int envres_gather(const struct env_inputs *in, const struct config *cfg, const char *repo_root,
		  const json_t *profile, int extra_only, struct host_facts *f, struct error *err);
void host_facts_clear(struct host_facts *f);
int envres_resolve_facts(const struct host_facts *facts, const struct env_inputs *in, const json_t *profile,
			 const char *pname, const struct config *cfg, const char *repo_root,
			 struct container_spec *spec, int at_exec, struct strvec *notes, struct error *err);

/* The profile in effect: --docker-profile, else docker.default_profile, or NULL. */
const char *envres_profile_name(const struct env_inputs *in, const struct config *cfg);
/* envres_resolve with the profile already resolved (NULL: none), so a caller
 * that needs it for the image resolves it once. */
int envres_resolve_profile(const struct env_inputs *in, const json_t *profile, const char *pname,
			   const struct config *cfg, const char *repo_root, struct container_spec *spec, int at_exec,
			   struct strvec *notes, struct error *err);
/* Only levels 1 and 2 (extra -e / --env-file for one exec). */
int envres_resolve_extra(const struct env_inputs *in, struct container_spec *spec, struct strvec *notes,
			 struct error *err);

/* Saved form: -e literals keep their key only. */
json_t *env_inputs_to_json(const struct env_inputs *in);
void env_inputs_from_json(const json_t *j, struct env_inputs *in);



#endif
