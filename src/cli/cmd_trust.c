/* para trust [--show] / para untrust */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/trust.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int find_repo(struct cli *c, struct error *err)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return error_errno(err, PARA_EXIT_FAIL, "cannot read the current directory");
	return repo_discover(cwd, &c->repo, err);
}

/* The repository and its config, the project layer merged trusted or not. */
static int trust_open(struct cli *c, struct error *err)
{
	if (find_repo(c, err) < 0 || config_load_flags(&c->cfg, c->repo.root, CONFIG_ANY_TRUST, err) < 0)
		return -1;
	for (size_t i = 0; i < c->cfg.warnings.nr; i++)
		cli_warn("%s", c->cfg.warnings.v[i]);
	return 0;
}

static char *shown(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : xstrdup("?");
}

/* "  KEY = VALUE  (host: PATH)" */
static void print_key(const char *mark, const char *key, const json_t *v)
{
	char *val = shown(json_object_get(v, "value"));
	json_t *host = json_object_get(v, "host");
	printf("  %s%s = %s", mark, key, val);
	if (host) {
		char *h = shown(host);
		printf("  (host: %s)", h);
		free(h);
	}
	putchar('\n');
	free(val);
}

static int trust_do(struct cli *c)
{
	struct error err = ERROR_INIT;
	struct trust_input in;
	json_t *rec = NULL, *v;
	const char *k;
	if (trust_open(c, &err) < 0)
		return cli_fail(&err);
	config_trust_input(&c->cfg, c->repo.root, &in);
	if (trust_record(&in, &rec, &err) < 0)
		return cli_fail(&err);
	json_t *keys = json_object_get(rec, "keys"), *files = json_object_get(rec, "files");
	printf("trusted %s\n", in.file ? in.file : c->repo.root);
	if (!json_object_size(keys))
		printf("  %s\n", in.file ? "no key of it needs trust" : "(no .para/config.json)");
	json_object_foreach(keys, k, v)
		print_key("", k, v);
	json_object_foreach(files, k, v)
		printf("  %s -> %s  (a symlink out of the repository)\n", k, json_string_value(v));
	json_decref(rec);
	return 0;
}

static const char *state_name(const struct trust_report *rep)
{
	switch (rep->state) {
	case TRUST_NOT_NEEDED: return "no trust needed (no widening key)";
	case TRUST_TRUSTED: return rep->same_file ? "trusted" : "trusted (the file changed, its widening keys did not)";
	case TRUST_CHANGED: return "changed since 'para trust'";
	case TRUST_UNTRUSTED: return "untrusted";
	default: return "?";
	}
}

static void show_files(const struct trust_input *in)
{
	json_t *now = trust_escaping_files(in), *rec = trust_record_load(in->repo_root), *v;
	json_t *had = json_object_get(rec, "files");
	const char *k;
	json_object_foreach(now, k, v) {
		int ok = json_equal(json_object_get(had, k), v);
		printf("  %s%s -> %s  (a symlink out of the repository)\n", ok ? "  " : "! ", k, json_string_value(v));
	}
	json_decref(now);
	json_decref(rec);
}

static int trust_show(struct cli *c)
{
	struct error err = ERROR_INIT;
	struct trust_input in;
	struct trust_report rep = TRUST_REPORT_INIT;
	if (trust_open(c, &err) < 0)
		return cli_fail(&err);
	config_trust_input(&c->cfg, c->repo.root, &in);
	trust_evaluate(&in, &rep);
	char *path = trust_record_path(c->repo.root);
	printf("repository: %s\n", c->repo.root);
	printf("config:     %s\n", in.file ? in.file : "(no .para/config.json)");
	if (rep.recorded)
		printf("record:     %s (trusted %s; the file is %s)\n", path, rep.trusted_at ? rep.trusted_at : "?",
		       rep.same_file ? "unchanged since" : "not the one trusted");
	else
		printf("record:     (none)\n");
	printf("state:      %s\n", state_name(&rep));
	for (size_t i = 0; i < rep.widening.nr; i++) {
		const struct trust_key *t = &rep.widening.v[i];
		print_key(strvec_find(&rep.need, t->key) >= 0 ? "! " : "  ", t->key, t->value);
	}
	show_files(&in);
	if (rep.need.nr)
		printf("('!' needs trust: review the file, then run 'para trust')\n");
	free(path);
	trust_report_clear(&rep);
	return 0;
}

int cmd_trust(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	int show = 0, ret;
	const struct cli_opt opts[] = { { "show", 0, CLI_FLAG, &show }, CLI_OPT_END };
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	ret = show ? trust_show(&c) : trust_do(&c);
	cli_close(&c);
	return ret;
}

int cmd_untrust(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	int removed = 0, ret = 0;
	const struct cli_opt opts[] = { CLI_OPT_END };
	int first = cli_parse(&c, argv[0], argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	if (find_repo(&c, &err) < 0 || trust_forget(c.repo.root, &removed, &err) < 0)
		ret = cli_fail(&err);
	else if (removed)
		printf("removed the trust record of %s\n", c.repo.root);
	else
		printf("%s has no trust record\n", c.repo.root);
	cli_close(&c);
	return ret;
}
