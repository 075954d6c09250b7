/* para doctor: what para needs, checked, with the fix for each */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/engineapi.h"
#include "container/envres.h"
#include "container/image.h"
#include "cli/cli.h"
#include "util/jsonutil.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int report(int ok, const char *what, const char *detail, const char *fix)
{
	printf("%s%-4s%s %-14s %s\n", cli_paint(stdout, ok ? CLI_SGR_OK : CLI_SGR_FAIL), ok ? "ok" : "FAIL",
	       cli_paint(stdout, CLI_SGR_RESET), what, detail);
	if (!ok && fix)
		printf("     %-14s fix: %s\n", "", fix);
	return ok ? 0 : 1;
}

/* The image `start -c` would use here, chosen as start chooses it. */
static int doctor_image(struct cli *c, int in_repo)
{
	struct error err = ERROR_INIT;
	struct image_plan p = IMAGE_PLAN_INIT;
	json_t *profile = NULL;
	const char *pname = config_str(&c->cfg, "docker.default_profile");
	int failed = 0;
	if (pname && profile_resolve(&c->cfg, pname, &profile, &err) < 0)
		return report(0, "image", err.msg, "fix docker.default_profile");
	struct image_inputs ii = { in_repo ? c->repo.root : NULL, in_repo ? c->repo.para_dir : NULL, NULL, profile,
				   pname };
	int chosen = in_repo ? image_choose(&c->cfg, &ii, &p, &err) : 0;
	if (!in_repo) {
		const char *def = config_str(&c->cfg, "docker.default_image");
		p.image = xstrdup(def && *def ? def : "para-authenticated:latest");
		p.rule = xstrdup("docker.default_image");
	}
	char *id = NULL;
	if (chosen < 0) {
		failed = report(0, "image", err.msg, "fix the project Dockerfile or its context");
	} else if (p.dockerfile) {
		int have = engine_image_id(&c->eng, p.image, &id, &err) == 0 && id;
		char *what = xasprintf("%s (from %s; %s)", p.image, p.rule,
				       have ? "built" : "not built yet: 'para start -c' or 'para image build' builds it");
		failed = report(1, "image", what, NULL);
		free(what);
	} else if (engine_image_id(&c->eng, p.image, &id, &err) == 0 && id) {
		char *what = xasprintf("%s (from %s)", p.image, p.rule);
		failed = report(1, "image", what, NULL);
		free(what);
	} else {
		char *what = xasprintf("%s (from %s) is not on this engine", p.image, p.rule);
		char *fix = xasprintf("build it ('%s build -t %s DIR', or 'para image bootstrap'), write "
				      ".para/Dockerfile, or set docker.default_image", c->eng.cli, p.image);
		failed = report(0, "image", what, fix);
		free(what);
		free(fix);
	}
	free(id);
	json_decref(profile);
	image_plan_clear(&p);
	return failed;
}

/* How a session's container is made and removed (para(1), ENGINE API). */
static void doctor_api(struct cli *c)
{
	const char *sock = engine_api_sock(&c->eng);
	char *api = sock ? xasprintf("unix://%s, %s: create, start, rm and exec without a terminal", sock,
				     c->eng.api_version)
			 : xstrdup("not used: the engine CLI runs every call");
	report(1, "engine API", api, NULL);
	free(api);
}

int cmd_doctor(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	struct error err = ERROR_INIT;
	struct strbuf out = STRBUF_INIT;
	char cwd[4096];
	int failed = 0;
	const struct cli_bind opts[] = { CLI_BIND_END };
	int first = cli_parse(&c, "doctor", argc, argv, opts, CLI_OPERANDS(0));
	if (first < 0)
		return -first;
	int in_repo = getcwd(cwd, sizeof cwd) && repo_discover(cwd, &c.repo, &err) == 0;
	struct error cerr = ERROR_INIT;
	int config_ok = config_load(&c.cfg, in_repo ? c.repo.root : NULL, &cerr) == 0;
	if (!config_ok && c.cfg.untrusted.nr) {
		/* an untrusted docker.runtime is not even looked up on PATH */
		cli_close(&c);
		return cli_fail(&cerr);
	}
	if (git(NULL, &out, &err, "--version", NULL) < 0) {
		failed |= report(0, "git", err.msg, "apt-get install git");
	} else {
		strbuf_trim(&out);
		failed |= report(1, "git", out.buf, NULL);
	}
	report(1, "repository", in_repo ? c.repo.root : "(not in a git repository)", NULL);
	if (!config_ok) {
		failed |= report(0, "config", cerr.msg, "fix the file named above ('para config show' after)");
	} else {
		struct strbuf files = STRBUF_INIT;
		for (size_t i = 0; i < c.cfg.files.nr; i++)
			strbuf_addf(&files, "%s%s", i ? ", " : "", c.cfg.files.v[i]);
		failed |= report(1, "config", files.len ? files.buf : "defaults only", NULL);
		for (size_t i = 0; i < c.cfg.warnings.nr; i++)
			report(1, "config", c.cfg.warnings.v[i], NULL);
		strbuf_release(&files);
	}
	engine_init(&c.eng, &c.cfg);
	c.eng.verbose = c.verbose;
	if (!cli_host_has(c.eng.cli)) {
		char *fix = xasprintf("apt-get install docker.io (or set docker.runtime / PARA_CONTAINER_RUNTIME; now '%s')",
				      c.eng.cli);
		failed |= report(0, "engine CLI", "not found on PATH", fix);
		free(fix);
	} else {
		failed |= report(1, "engine CLI", c.eng.cli, NULL);
		if (engine_ping(&c.eng, &err) < 0) {
			failed |= report(0, "engine daemon", err.msg, "sudo dockerd & (or: sudo systemctl start docker)");
		} else {
			failed |= report(1, "engine daemon", "reachable", NULL);
			doctor_api(&c);
			failed |= doctor_image(&c, in_repo);
		}
	}
	strbuf_release(&out);
	cli_close(&c);
	return failed ? 1 : 0;
}
