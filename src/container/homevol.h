/*
 * The home volume (docker.home_volume, container/spec.h) seen from outside a
 * session: what it holds, who holds it, and a copy of it in an image.
 *
 * What it holds is counted from the tar stream `docker cp NAME:/home/para -`
 * gives, read as it arrives: no file's content or name is ever kept or
 * shown (they are the agent's logins). A container made for that is never
 * started, so the image it is made from needs nothing in it: para makes
 * para-empty:latest from an empty tar when it needs it.
 */
#ifndef PARA_HOMEVOL_H
#define PARA_HOMEVOL_H
#include "container/engine.h"
#include "util/error.h"

#define HOMEVOL_PROBE_IMAGE "para-empty:latest"
#define HOMEVOL_AUTH_IMAGE "para-authenticated:latest"
#define HOMEVOL_AUTH_ROLE "dev.para.role=authenticated" /* the label of an image made by auth setup --commit */

/*
 * How many files (every entry but a folder) SPEC_HOME holds in container
 * (running, or only created). With first_only it stops at the first one:
 * *files is then 0 or 1.
 */
int homevol_count_in(struct engine *e, const char *container, int first_only, long *files, struct error *err);

/*
 * Whether the volume exists, and how many files it holds (through a probe
 * container named probe, labelled dev.para.repo=repo_root when that is not
 * NULL, removed again). A volume that does not exist is not made.
 */
int homevol_inspect(struct engine *e, const char *volume, const char *probe, const char *repo_root, int *exists,
		    long *files, struct error *err);

/*
 * Image tag: base with SPEC_HOME holding what SPEC_HOME of container src
 * holds (its owners and modes kept), labelled HOMEVOL_AUTH_ROLE. A commit
 * does not take in a volume's files, so they are copied into a container
 * made from base (named tmp, removed again) as a tar stream, and that
 * container is committed. *files: how many files were copied.
 */
int homevol_commit(struct engine *e, const char *src, const char *base, const char *tag, const char *tmp, long *files,
		   struct error *err);

#endif
