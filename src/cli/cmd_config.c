/* para config: the configuration in effect */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/envres.h"
#include "container/image.h"
#include "cli/cli.h"
#include "util/jsonutil.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/term.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Each value with the file that set it: "key = value  (file)" lines, or
 * with json an object of {"value", "origin"} by dotted key. */
static void show_origins(const struct config *cfg, const char *prefix, const json_t *obj, json_t *out)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		char *path = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		if (json_is_object(v) && json_object_size(v)) {
			show_origins(cfg, path, v, out);
		} else if (out) {
			json_object_set_new(out, path, json_pack("{s:O, s:s}", "value", v, "origin", config_origin(cfg, path)));
		} else {
			char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%s = %s  (%s)\n", path, text, config_origin(cfg, path));
			free(text);
		}
		free(path);
	}
}

static void show(const struct config *cfg, int json, int origin)
{
	json_t *o = origin && json ? json_object() : NULL;
	if (origin)
		show_origins(cfg, NULL, cfg->root, o);
	const json_t *what = o ? o : cfg->root;
	if (origin && !json)
		return;
	char *s = json ? json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS) : json_pretty(what);
	fputs(s, stdout);
	if (json)
		putchar('\n');
	free(s);
	json_decref(o);
}

int cmd_config(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	char cwd[4096];
	int json = 0, origin = 0;
	if (argc < 2)
		return cli_usage(argv[0], "say 'show' or 'path'");
	const char *sub = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--origin"))
			origin = 1;
		else
			return cli_usage(argv[0], "unexpected argument '%s'", argv[i]);
	}
	if (strcmp(sub, "show") && strcmp(sub, "path"))
		return cli_usage(argv[0], "unknown subcommand '%s'", sub);
	int in_repo = getcwd(cwd, sizeof cwd) && repo_discover(cwd, &c.repo, &err) == 0;
	/* shown whether trusted or not, and said so */
	if (config_load_flags(&c.cfg, in_repo ? c.repo.root : NULL, CONFIG_ANY_TRUST, &err) < 0) {
		cli_close(&c);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < c.cfg.warnings.nr; i++)
		cli_warn("%s", c.cfg.warnings.v[i]);
	if (c.cfg.untrusted.nr) {
		struct strbuf keys = STRBUF_INIT;
		for (size_t i = 0; i < c.cfg.untrusted.nr; i++)
			strbuf_addf(&keys, "%s%s", i ? ", " : "", c.cfg.untrusted.v[i]);
		cli_warn(".para/config.json is not trusted: %s shown here, in effect only after 'para trust'", keys.buf);
		strbuf_release(&keys);
	}
	if (!strcmp(sub, "path")) {
		char *user = config_user_path();
		printf("user:    %s\n", user);
		if (in_repo)
			printf("project: %s/.para/config.json\n", c.repo.root);
		if (getenv("PARA_CONFIG"))
			printf("env:     %s\n", getenv("PARA_CONFIG"));
		free(user);
	} else {
		show(&c.cfg, json, origin);
	}
	cli_close(&c);
	return 0;
}

static int profile_list(struct cli *c, int json)
{
	const char *name, *def = config_str(&c->cfg, "docker.default_profile");
	json_t *p, *arr = json ? json_array() : NULL;
	json_object_foreach(config_get(&c->cfg, "docker.profiles"), name, p) {
		char *key = xasprintf("docker.profiles.%s", name);
		const char *from = config_origin(&c->cfg, key);
		json_t *ext = json_object_get(p, "extends");
		char *ext_text = ext ? json_dumps(ext, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:b, s:O?, s:s}", "name", name, "default",
							     def && !strcmp(def, name), "extends", ext, "file", from));
		else
			printf("%s %s%s%s  (%s)\n", def && !strcmp(def, name) ? "*" : " ", name,
			       ext_text ? " extends " : "", ext_text ? ext_text : "", from);
		free(ext_text);
		free(key);
	}
	if (arr) {
		char *s = json_dumps(arr, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(arr);
	}
	return 0;
}

/* The profile as a start resolves it, each key with the profile that set it. */
static int profile_show(struct cli *c, const char *name, int json)
{
	struct error err = ERROR_INIT;
	json_t *p, *origins;
	if (profile_resolve_origins(&c->cfg, name, &p, &origins, &err) < 0)
		return cli_fail(&err);
	const char *k;
	json_t *v, *out = json ? json_object() : NULL;
	json_object_foreach(p, k, v) {
		const char *from = json_str(origins, k);
		char *key = xasprintf("docker.profiles.%s.%s", from, k);
		if (out) {
			json_object_set_new(out, k, json_pack("{s:O, s:s, s:s}", "value", v, "profile", from, "file",
							      config_origin(&c->cfg, key)));
		} else {
			char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%s = %s  (profile %s, %s)\n", k, text, from, config_origin(&c->cfg, key));
			free(text);
		}
		free(key);
	}
	if (out) {
		char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", s);
		free(s);
		json_decref(out);
	}
	json_decref(p);
	json_decref(origins);
	return 0;
}

int cmd_profile(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	int json = 0;
	const struct cli_opt opts[] = { { "json", 0, CLI_FLAG, &json }, CLI_OPT_END };
	if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "show")))
		return cli_usage("profile", "say 'list' or 'show NAME'");
	int show = !strcmp(argv[1], "show");
	int first = cli_parse(&c, show ? "profile show" : "profile list", argc - 1, argv + 1, opts,
			      CLI_OPERANDS(show ? 1 : 0));
	if (first < 0)
		return -first;
	first++; /* an index into argv, past the subcommand */
	if (show && first >= argc)
		return cli_usage("profile show", "which profile? usage: para profile show NAME");
	int ret = cli_open(&c, &err) < 0 ? cli_fail(&err) : show ? profile_show(&c, argv[first], json)
								  : profile_list(&c, json);
	cli_close(&c);
	return ret;
}
