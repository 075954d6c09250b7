/* para config: the configuration in effect */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "container/envres.h"
#include "container/image.h"
#include "cli/cli.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/run.h"
#include "util/strbuf.h"
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
	if (origin && !json)
		return;
	/* the text form is JSON too, the same document */
	cli_print_json(o ? o : cfg->root);
	json_decref(o);
}

static void warn_all(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->warnings.nr; i++)
		cli_warn("%s", cfg->warnings.v[i]);
	if (cfg->untrusted.nr) {
		struct strbuf keys = STRBUF_INIT;
		for (size_t i = 0; i < cfg->untrusted.nr; i++)
			strbuf_addf(&keys, "%s%s", i ? ", " : "", cfg->untrusted.v[i]);
		cli_warn(".para/config.json is not trusted: %s in effect only after 'para trust'", keys.buf);
		strbuf_release(&keys);
	}
}

/* Load every layer, trusted or not (shown and said so); in_repo set. */
static int load_all(struct cli *c, struct config *cfg, int *in_repo, struct error *err)
{
	char cwd[4096];
	struct error ignore = ERROR_INIT;
	*in_repo = getcwd(cwd, sizeof cwd) && repo_discover(cwd, &c->repo, &ignore) == 0;
	return config_load_flags(cfg, *in_repo ? c->repo.root : NULL, CONFIG_ANY_TRUST, err);
}

static int config_show(struct cli *c, int json, int origin)
{
	struct error err = ERROR_INIT;
	int in_repo;
	if (load_all(c, &c->cfg, &in_repo, &err) < 0)
		return cli_fail(&err);
	warn_all(&c->cfg);
	show(&c->cfg, json, origin);
	return 0;
}

static int config_path(struct cli *c)
{
	struct error err = ERROR_INIT;
	char cwd[4096];
	int in_repo = getcwd(cwd, sizeof cwd) && repo_discover(cwd, &c->repo, &err) == 0;
	char *user = config_user_path();
	printf("user:    %s\n", user);
	if (in_repo)
		printf("project: %s/.para/config.json\n", c->repo.root);
	if (getenv("PARA_CONFIG") && *getenv("PARA_CONFIG"))
		printf("env:     %s\n", getenv("PARA_CONFIG"));
	free(user);
	return 0;
}

/* validate [FILE]: every layer, with FILE (when given) over them as
 * PARA_CONFIG would be. */
static int config_validate(struct cli *c, const char *file)
{
	struct error err = ERROR_INIT;
	int in_repo;
	c->cfg.extra_file = file;
	int r = load_all(c, &c->cfg, &in_repo, &err);
	warn_all(&c->cfg); /* what was found before an error, too */
	if (r < 0)
		return cli_fail(&err);
	if (!c->cfg.files.nr)
		printf("ok: no config files; the defaults are in effect\n");
	for (size_t i = 0; i < c->cfg.files.nr; i++)
		printf("ok: %s\n", c->cfg.files.v[i]);
	return 0;
}

/* The file set/unset/edit/init change: the user's, or with project the
 * repository's .para/config.json (which may not be a symlink or lead out
 * of the repository: a clone could point it at any file of the user's).
 * *logical is the path para reads it by, *real the file to write. */
static int target_file(struct cli *c, int project, char **logical, char **real, struct error *err)
{
	char cwd[4096];
	if (!project) {
		*logical = config_user_path();
		*real = realpath(*logical, NULL);
		if (!*real)
			*real = xstrdup(*logical);
		return 0;
	}
	if (!getcwd(cwd, sizeof cwd) || repo_discover(cwd, &c->repo, err) < 0)
		return error_hint(err, "--project is the .para/config.json of a git repository");
	*logical = path_join(c->repo.root, ".para/config.json");
	*real = xstrdup(*logical);
	struct stat st;
	char *dir = realpath(c->repo.para_dir, NULL), *root = realpath(c->repo.root, NULL);
	int bad = (lstat(*real, &st) == 0 && S_ISLNK(st.st_mode)) ||
		  (dir && root && (strncmp(dir, root, strlen(root)) || dir[strlen(root)] != '/'));
	free(dir);
	free(root);
	if (bad) {
		error_set(err, PARA_EXIT_FAIL, "%s is a symlink or leads out of the repository; para will not write through it",
			  *logical);
		return error_hint(err, "edit the file it points to yourself");
	}
	return 0;
}

/* The configuration as it would be with logical's text new_text: 0 when
 * valid (its warnings shown), else -1 with err. */
static int check_in_context(struct cli *c, const char *logical, const char *new_text, struct error *err)
{
	struct config cfg = CONFIG_INIT;
	char cwd[4096];
	struct error ignore = ERROR_INIT;
	struct repo repo = REPO_INIT;
	int in_repo = getcwd(cwd, sizeof cwd) && repo_discover(cwd, &repo, &ignore) == 0;
	cfg.override_file = logical;
	cfg.override_text = new_text;
	int r = config_load_flags(&cfg, in_repo ? repo.root : NULL, CONFIG_ANY_TRUST, err);
	if (r == 0)
		for (size_t i = 0; i < cfg.warnings.nr; i++)
			if (strstr(cfg.warnings.v[i], logical))
				cli_warn("%s", cfg.warnings.v[i]);
	if (r == 0 && cfg.untrusted.nr && cfg.project_file && !strcmp(logical, cfg.project_file)) {
		struct strbuf keys = STRBUF_INIT;
		for (size_t i = 0; i < cfg.untrusted.nr; i++)
			strbuf_addf(&keys, "%s%s", i ? ", " : "", cfg.untrusted.v[i]);
		cli_note(c, "%s: %s take effect only after 'para trust'", logical, keys.buf);
		strbuf_release(&keys);
	}
	config_clear(&cfg);
	repo_clear(&repo);
	return r;
}

/* The file's text, "" when it does not exist. */
static int read_text(const char *path, struct strbuf *sb, struct error *err)
{
	if (strbuf_read_file(sb, path) == 0 || errno == ENOENT)
		return 0;
	return error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", path);
}

static int write_text(const char *path, const char *text, struct error *err)
{
	char *dir = path_dirname(path);
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? st.st_mode & 07777 : 0644;
	int r = mkdir_p(dir, 0755, err) < 0 ? -1 : write_file_atomic(path, text, strlen(text), mode, err);
	free(dir);
	return r;
}

/* set KEY VALUE / unset KEY (value NULL) */
static int config_change(struct cli *c, int project, const char *key, const char *value)
{
	struct error err = ERROR_INIT;
	struct strbuf old = STRBUF_INIT;
	char *logical = NULL, *real = NULL, *text = NULL;
	int found = 1;
	int r = target_file(c, project, &logical, &real, &err);
	if (r == 0)
		r = read_text(real, &old, &err);
	if (r == 0)
		r = value ? config_set_text(old.buf, key, value, &text, &err)
			  : config_unset_text(old.buf, key, &text, &found, &err);
	if (r == 0 && !found)
		r = error_set(&err, PARA_EXIT_FAIL, "'%s' is not set in %s", key, logical);
	if (r == 0 && strcmp(text, old.buf))
		r = check_in_context(c, logical, text, &err) < 0 ? -1 : write_text(real, text, &err);
	if (r == 0)
		cli_note(c, value ? "%s: set %s" : "%s: unset %s", logical, key);
	free(text);
	free(logical);
	free(real);
	strbuf_release(&old);
	return r < 0 ? cli_fail(&err) : 0;
}

static char *template_for(const struct cli *c, int project)
{
	char *title = project ? xasprintf("para project configuration (.para/config.json of %s); keys that run "
					  "things on the host or widen the container need 'para trust'",
					  path_basename(c->repo.root))
			      : xstrdup("para user configuration");
	char *t = config_template(title);
	free(title);
	return t;
}

static int config_init(struct cli *c, int project)
{
	struct error err = ERROR_INIT;
	char *logical = NULL, *real = NULL, *text = NULL;
	int r = target_file(c, project, &logical, &real, &err);
	if (r == 0 && path_exists(real)) {
		error_set(&err, PARA_EXIT_FAIL, "%s exists", logical);
		r = error_hint(&err, "'para config edit%s' changes it", project ? " --project" : "");
	}
	if (r == 0) {
		text = template_for(c, project);
		r = check_in_context(c, logical, text, &err) < 0 ? -1 : write_text(real, text, &err);
	}
	if (r == 0)
		printf("%s\n", logical);
	free(text);
	free(logical);
	free(real);
	return r < 0 ? cli_fail(&err) : 0;
}

/* $VISUAL, else $EDITOR, else vi, run by sh as git runs it, on path. */
static int run_editor(const char *path, struct error *err)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	struct child ch = CHILD_INIT;
	int status = 0;
	char *script = xasprintf("%s \"$@\"", ed);
	strvec_pushl(&ch.args, "/bin/sh", "-c", script, ed, path, NULL);
	ch.interactive = 1;
	int r = child_run(&ch, &status, err);
	child_clear(&ch);
	free(script);
	if (r == 0 && status)
		r = error_set(err, PARA_EXIT_FAIL, "the editor '%s' exited with %d", ed, status);
	return r;
}

/* edit: a copy in a private folder is what the editor changes; the file
 * takes it only when the result is valid, and an invalid one is kept. */
static int edit_copy(struct cli *c, const char *logical, const char *real, const char *copy, int project,
		     int *keep, struct error *err)
{
	struct strbuf old = STRBUF_INIT, now = STRBUF_INIT;
	int existed = path_exists(real), r = read_text(real, &old, err);
	char *start = existed ? NULL : template_for(c, project);
	if (r == 0)
		r = write_file_atomic(copy, start ? start : old.buf, strlen(start ? start : old.buf), 0600, err);
	if (r == 0)
		r = run_editor(copy, err);
	if (r == 0 && strbuf_read_file(&now, copy) < 0)
		r = error_errno(err, PARA_EXIT_FAIL, "cannot read '%s'", copy);
	if (r == 0 && !strcmp(now.buf, existed ? old.buf : start)) {
		cli_note(c, "%s: no change", logical);
	} else if (r == 0 && check_in_context(c, logical, now.buf, err) < 0) {
		*keep = 1;
		r = error_hint(err, "%s is unchanged; your edit is kept in %s", logical, copy);
	} else if (r == 0) {
		r = write_text(real, now.buf, err);
	}
	free(start);
	strbuf_release(&old);
	strbuf_release(&now);
	return r;
}

static int config_edit(struct cli *c, int project)
{
	struct error err = ERROR_INIT;
	char *logical = NULL, *real = NULL, *copy = NULL;
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/para-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int r = target_file(c, project, &logical, &real, &err), keep = 0;
	if (r == 0 && !mkdtemp(dir))
		r = error_errno(&err, PARA_EXIT_FAIL, "cannot make a folder for the copy in %s", dir);
	if (r == 0) {
		copy = path_join(dir, "config.json");
		r = edit_copy(c, logical, real, copy, project, &keep, &err);
		if (!keep) {
			unlink(copy);
			rmdir(dir);
		}
	}
	free(copy);
	free(dir);
	free(logical);
	free(real);
	return r < 0 ? cli_fail(&err) : 0;
}

/* config set KEY -1: a word that is a negative number is VALUE, not an
 * option; such words are moved behind a "--" (unless one is there). The
 * vector is static: cmd_config runs once. */
static char **negative_values_last(int *argc, char **argv)
{
	static char *v[64];
	int n = 0, dash = 0;
	if (*argc + 2 > (int)(sizeof v / sizeof v[0]))
		return argv;
	for (int i = 0; i < *argc; i++)
		dash |= !strcmp(argv[i], "--");
	for (int i = 0; i < *argc; i++)
		if (dash || argv[i][0] != '-' || !strchr("0123456789.", argv[i][1]) || !argv[i][1])
			v[n++] = argv[i];
	if (dash)
		return argv;
	v[n++] = "--";
	for (int i = 2; i < *argc; i++)
		if (argv[i][0] == '-' && argv[i][1] && strchr("0123456789.", argv[i][1]))
			v[n++] = argv[i];
	*argc = n;
	return v;
}

int cmd_config(int argc, char **argv)
{
	static const char *const subs[] = { "show", "path", "validate", "set", "unset", "edit", "init", NULL };
	static const int operands[] = { 0, 0, 1, 2, 1, 0, 0 };
	struct cli c = CLI_INIT;
	int json = 0, origin = 0, project = 0;
	if (argc < 2)
		return cli_usage("config", "say show, path, validate, set, unset, edit or init");
	size_t i = 0;
	while (subs[i] && strcmp(subs[i], argv[1]))
		i++;
	if (!subs[i])
		return cli_usage("config", "unknown subcommand '%s'", argv[1]);
	const struct cli_bind show_opts[] = { { "json", &json }, { "origin", &origin },
					     CLI_BIND_END };
	const struct cli_bind file_opts[] = { { "project", &project }, CLI_BIND_END };
	const struct cli_bind none[] = { CLI_BIND_END };
	char cmd[32];
	snprintf(cmd, sizeof cmd, "config %s", subs[i]);
	if (i == 3)
		argv = negative_values_last(&argc, argv);
	int first = cli_parse(&c, cmd, argc - 1, argv + 1, i == 0 ? show_opts : i >= 3 ? file_opts : none,
			      CLI_OPERANDS(operands[i]));
	if (first < 0)
		return -first;
	char **ops = argv + 1 + first;
	int nops = argc - 1 - first, ret;
	if (i >= 3 && i <= 4 && nops < operands[i])
		return cli_usage(cmd, i == 3 ? "usage: para config set KEY VALUE [--project]"
					     : "usage: para config unset KEY [--project]");
	switch (i) {
	case 0: ret = config_show(&c, json, origin); break;
	case 1: ret = config_path(&c); break;
	case 2: ret = config_validate(&c, nops ? ops[0] : NULL); break;
	case 3: ret = config_change(&c, project, ops[0], ops[1]); break;
	case 4: ret = config_change(&c, project, ops[0], NULL); break;
	case 5: ret = config_edit(&c, project); break;
	default: ret = config_init(&c, project); break;
	}
	cli_close(&c);
	return ret;
}

/* One profile in profile list --json: extends always a list (or null). */
static json_t *profile_entry(const char *name, int is_default, const json_t *ext, const char *from)
{
	json_t *list = json_is_string(ext) ? json_pack("[O]", ext) : json_is_array(ext) ? json_incref((json_t *)ext)
											 : json_null();
	return json_pack("{s:s, s:b, s:o, s:s}", "name", name, "default", is_default, "extends", list, "origin", from);
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
			json_array_append_new(arr, profile_entry(name, def && !strcmp(def, name), ext, from));
		else
			printf("%s %s%s%s  (%s)\n", def && !strcmp(def, name) ? "*" : " ", name,
			       ext_text ? " extends " : "", ext_text ? ext_text : "", from);
		free(ext_text);
		free(key);
	}
	if (arr) {
		cli_print_json(arr);
		json_decref(arr);
	}
	return 0;
}

/* One resolved key (or, for an object, one of its keys) with the profile
 * and the file that set it. */
static void profile_key(struct cli *c, const char *key, const json_t *v, const char *from, json_t *out)
{
	char *path = xasprintf("docker.profiles.%s.%s", from, key);
	if (out) {
		json_object_set_new(out, key, json_pack("{s:O, s:s, s:s}", "value", v, "profile", from, "origin",
						       config_origin(&c->cfg, path)));
	} else {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s = %s  (profile %s, %s)\n", key, text, from, config_origin(&c->cfg, path));
		free(text);
	}
	free(path);
}

/* The profile as a start resolves it, each key with the profile that set
 * it (an object's keys one by one: parents may have added some). */
static int profile_show(struct cli *c, const char *name, int json)
{
	struct error err = ERROR_INIT;
	json_t *p, *origins;
	if (profile_resolve_origins(&c->cfg, name, &p, &origins, &err) < 0)
		return cli_fail(&err);
	const char *k, *sub;
	json_t *v, *sv, *out = json ? json_object() : NULL;
	json_object_foreach(p, k, v) {
		if (!json_is_object(v) || !json_object_size(v)) {
			profile_key(c, k, v, json_str(origins, k), out);
			continue;
		}
		json_object_foreach(v, sub, sv) {
			char *key = xasprintf("%s.%s", k, sub);
			const char *from = json_str(origins, key);
			profile_key(c, key, sv, from ? from : json_str(origins, k), out);
			free(key);
		}
	}
	if (out) {
		cli_print_json(out);
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
	const struct cli_bind opts[] = { { "json", &json }, CLI_BIND_END };
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
