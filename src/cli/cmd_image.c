/* para image build | list | prune | bootstrap */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/image.h"
#include "util/fsutil.h"
#include "session/state.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* The project image plan (Dockerfile), or an error saying there is none. */
static int project_plan(struct cli *c, struct image_plan *p, struct error *err)
{
	struct image_inputs ii = { c->repo.root, c->repo.para_dir, NULL, NULL, NULL };
	if (image_choose(&c->cfg, &ii, p, err) < 0)
		return -1;
	if (!p->dockerfile) {
		error_set(err, PARA_EXIT_FAIL, "this repository has no project Dockerfile (%s)", config_str(&c->cfg, "docker.dockerfile"));
		return error_hint(err, "write .para/Dockerfile, or set docker.dockerfile");
	}
	return 0;
}

static int image_build_cmd(struct cli *c, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct image_plan p = IMAGE_PLAN_INIT;
	int force = 0, no_cache = 0, ret = 0, built = 0;
	const struct cli_bind opts[] = {
		{ "force", &force },
		{ "no-cache", &no_cache },
		CLI_BIND_END,
	};
	int first = cli_parse(c, "image build", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (cli_open(c, &err) < 0 || project_plan(c, &p, &err) < 0)
		goto fail;
	char *logs = path_join(c->repo.para_dir, "logs");
	struct image_build_opts bo = { force || no_cache, no_cache, c->quiet, cli_progress_line(), logs, c->verbose };
	int r = para_gitignore_ensure(c->repo.para_dir, &err);
	if (r == 0)
		r = image_ensure(&c->eng, &c->cfg, &p, &bo, &built, &err);
	if (r == 0 && built)
		r = image_build(&c->eng, &p, &bo, &err);
	free(logs);
	if (r < 0)
		goto fail;
	printf("%s %s\n", p.image, built ? "built" : "up to date (no build needed)");
	goto out;
fail:
	ret = cli_fail(&err);
out:
	image_plan_clear(&p);
	return ret;
}

static int has(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

/*
 * Remove this repository's images but the current one and those a container
 * uses (the engine would refuse them). An image is one ID with any number of
 * tags: para removes its own tags, or the ID of an untagged one; a tag of
 * someone else's keeps the image. Returns 1 when some removal failed.
 */
static int prune_images(struct cli *c, const struct engine_image *v, size_t n, const char *current, int dry,
			int *acted, struct error *err)
{
	struct strvec used = STRVEC_INIT, done = STRVEC_INIT;
	if (engine_images_in_use(&c->eng, &used, err) < 0)
		return -1;
	const char *cur_id = NULL;
	for (size_t i = 0; i < n; i++)
		if (current && !strcmp(v[i].ref, current))
			cur_id = v[i].id;
	char *mine = image_tag_for(c->repo.root, ""); /* "para-<repo>:" */
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		if (has(&done, v[i].id) || (cur_id && !strcmp(v[i].id, cur_id)))
			continue;
		strvec_push(&done, v[i].id);
		struct strvec own = STRVEC_INIT, others = STRVEC_INIT;
		for (size_t j = i; j < n; j++) {
			if (strcmp(v[j].id, v[i].id))
				continue;
			if (!strncmp(v[j].ref, mine, strlen(mine)))
				strvec_push(&own, v[j].ref);
			else if (strcmp(v[j].ref, "<none>:<none>"))
				strvec_push(&others, v[j].ref);
		}
		const char *shown = own.nr ? own.v[0] : others.nr ? others.v[0] : v[i].id;
		if (has(&used, v[i].id)) {
			printf("keeping %s (a container uses it)\n", shown);
		} else if (!own.nr && others.nr) {
			printf("keeping %s (not para's tag)\n", shown);
		} else {
			if (!own.nr)
				strvec_push(&own, v[i].id); /* untagged: by its ID */
			for (size_t k = 0; k < own.nr; k++) {
				printf("%s %s%s\n", dry ? "would remove" : "removing", own.v[k],
				       others.nr ? " (the image stays: it has other tags)" : "");
				if (!dry && engine_image_remove(&c->eng, own.v[k], err) < 0) {
					cli_warn("%s", err->msg);
					error_clear(err);
					ret = 1;
				}
			}
			(*acted)++;
		}
		strvec_clear(&own);
		strvec_clear(&others);
	}
	free(mine);
	strvec_clear(&used);
	strvec_clear(&done);
	return ret;
}

/* image list --json (docs/json.md): created in Unix seconds, size in bytes. */
static void images_json(const struct engine_image *v, size_t n, const char *current)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:b}", "image", v[i].ref, "id", v[i].id,
						     "created", v[i].created_at < 0 ? json_null() : json_integer(v[i].created_at),
						     "size", v[i].bytes < 0 ? json_null() : json_integer(v[i].bytes),
						     "current", current && !strcmp(v[i].ref, current)));
	cli_print_json(arr);
	json_decref(arr);
}

static void images_text(const struct engine_image *v, size_t n, const char *current)
{
	printf("  %-50s %-20s %s\n", "IMAGE", "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++)
		printf("%c %-50s %-20s %s\n", current && !strcmp(v[i].ref, current) ? '*' : ' ', v[i].ref, v[i].created,
		       v[i].size);
}

static int image_list_cmd(struct cli *c, int argc, char **argv, int prune)
{
	struct error err = ERROR_INIT;
	struct image_plan p = IMAGE_PLAN_INIT;
	struct engine_image *v = NULL;
	size_t n = 0;
	int json = 0, dry = 0, ret = 0, removed = 0;
	const struct cli_bind list_opts[] = { { "json", &json }, CLI_BIND_END };
	const struct cli_bind prune_opts[] = { { "dry-run", &dry }, CLI_BIND_END };
	int first = cli_parse(c, prune ? "image prune" : "image list", argc, argv, prune ? prune_opts : list_opts,
			      CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (cli_open(c, &err) < 0)
		goto fail;
	/* the current image is the one the Dockerfile hashes to now */
	struct error perr = ERROR_INIT;
	const char *current = project_plan(c, &p, &perr) == 0 ? p.image : NULL;
	if (engine_images(&c->eng, c->repo.root, &v, &n, &err) < 0 ||
	    (json && engine_image_sizes(&c->eng, v, n, &err) < 0))
		goto fail;
	if (json)
		images_json(v, n, current);
	else if (!prune)
		images_text(v, n, current);
	if (prune) {
		int r = prune_images(c, v, n, current, dry, &removed, &err);
		if (r < 0)
			goto fail;
		ret = r;
	}
	if (prune && !removed)
		cli_note(c, "nothing to prune");
	goto out;
fail:
	ret = cli_fail(&err);
out:
	engine_images_free(v, n);
	image_plan_clear(&p);
	return ret;
}

static int image_bootstrap_cmd(struct cli *c, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct image_bootstrap_opts o = { "debootstrap", "bookworm", NULL, "http://deb.debian.org/debian", "/var/tmp" };
	const struct cli_bind opts[] = {
		{ "from", &o.from },
		{ "suite", &o.suite },
		{ "tag", &o.tag },
		{ "mirror", &o.mirror },
		CLI_BIND_END,
	};
	int first = cli_parse(c, "image bootstrap", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (strcmp(o.from, "busybox") && strcmp(o.from, "debootstrap"))
		return cli_usage("image bootstrap", "--from is busybox or debootstrap, not '%s'", o.from);
	char *deftag = xasprintf("para-base:%s", !strcmp(o.from, "busybox") ? "busybox" : o.suite);
	if (!o.tag)
		o.tag = deftag;
	/* no repository needed: config from the user's file and PARA_CONFIG */
	if (config_load(&c->cfg, NULL, &err) < 0) {
		free(deftag);
		return cli_fail(&err);
	}
	engine_init(&c->eng, &c->cfg);
	c->eng.verbose = c->verbose;
	int ret = 0;
	if (engine_ping(&c->eng, &err) < 0 || image_bootstrap(&c->eng, &o, &err) < 0)
		ret = cli_fail(&err);
	else
		printf("%s\n", o.tag);
	free(deftag);
	return ret;
}

int cmd_image(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	int ret;
	if (argc < 2)
		return cli_usage("image", "say build, list, prune or bootstrap");
	const char *sub = argv[1];
	if (!strcmp(sub, "build"))
		ret = image_build_cmd(&c, argc - 1, argv + 1);
	else if (!strcmp(sub, "list") || !strcmp(sub, "ls"))
		ret = image_list_cmd(&c, argc - 1, argv + 1, 0);
	else if (!strcmp(sub, "prune"))
		ret = image_list_cmd(&c, argc - 1, argv + 1, 1);
	else if (!strcmp(sub, "bootstrap"))
		ret = image_bootstrap_cmd(&c, argc - 1, argv + 1);
	else
		ret = cli_usage("image", "unknown subcommand '%s'", sub);
	cli_close(&c);
	return ret;
}
