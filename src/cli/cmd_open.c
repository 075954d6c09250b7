/* para open: the IDE (ide.command) on a session, and start --ide's half of it */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "parse/shellwords.h"
#include "util/fsutil.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int cli_ide_argv(const struct cli *c, struct strvec *argv, struct error *err)
{
	const char *cmd = config_str(&c->cfg, "ide.command");
	if (cmd && shellwords_split(cmd, argv, err) < 0) {
		err->code = PARA_EXIT_CONFIG;
		return error_wrap(err, "ide.command");
	}
	if (!argv->nr) {
		error_set(err, PARA_EXIT_CONFIG, "no IDE configured");
		return error_hint(err, "set ide.command (e.g. code, cursor)");
	}
	if (!cli_host_has(argv->v[0])) {
		error_set(err, PARA_EXIT_FAIL, "IDE command '%s' not found", argv->v[0]);
		return error_hint(err, "install it, or set ide.command");
	}
	return 0;
}

/*
 * The folder URI of VS Code's Dev Containers extension for /workspace in a
 * running container ("Attach to Running Container"): the authority is
 * "attached-container+" and the lowercase hex of the UTF-8 JSON
 * {"containerName":"/NAME"} (the name as the engine's inspect spells it,
 * with its leading slash). Cursor and other forks read the same URI.
 */
static char *container_uri(const char *container)
{
	char *slashed = xasprintf("/%s", container);
	json_t *o = json_object();
	json_object_set_new(o, "containerName", json_string(slashed));
	char *js = json_dumps(o, JSON_COMPACT);
	struct strbuf sb = STRBUF_INIT;
	json_decref(o);
	free(slashed);
	if (!js)
		abort(); /* out of memory, as json_pretty */
	strbuf_addstr(&sb, "vscode-remote://attached-container+");
	for (const unsigned char *p = (const unsigned char *)js; *p; p++)
		strbuf_addf(&sb, "%02x", *p);
	strbuf_addstr(&sb, SPEC_WORKDIR);
	free(js);
	return strbuf_detach(&sb, NULL);
}

/* Where the IDE's own output goes: .para/logs/ide-NAME.log, the last
 * launch's (-1, i.e. /dev/null, when it cannot be written). */
static int ide_log(const struct cli *c, const char *name, char **path)
{
	char *logs = path_join(c->repo.para_dir, "logs");
	struct error ignored = ERROR_INIT;
	int fd = -1;
	*path = xasprintf("%s/ide-%s.log", logs, name);
	if (mkdir_p(logs, 0755, &ignored) == 0)
		fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	free(logs);
	return fd;
}

int cli_ide_launch(struct cli *c, const struct session *s, const struct container_spec *spec,
		   const struct strvec *ide, struct error *err)
{
	struct child ch = CHILD_INIT;
	char *log = NULL;
	strvec_pushv(&ch.args, (const char *const *)ide->v);
	if (spec) {
		char *uri = container_uri(spec->name);
		strvec_push(&ch.args, "--folder-uri");
		strvec_push(&ch.args, uri);
		free(uri);
	} else {
		strvec_push(&ch.args, s->worktree);
	}
	ch.dir = s->worktree;
	int fd = ide_log(c, s->name, &log);
	int r = child_spawn_detached(&ch, fd, err);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		error_hint(err, "check ide.command");
	else
		cli_note(c, "opened '%s' in %s%s%s (its output: %s)", s->name, ide->v[0], spec ? ", attached to container " : "",
			 spec ? spec->name : "", fd >= 0 ? log : "/dev/null");
	free(log);
	child_clear(&ch);
	return r;
}

static int open_session(struct cli *c, const char *name)
{
	struct error err = ERROR_INIT;
	struct session s = { 0 };
	struct container_spec spec = CONTAINER_SPEC_INIT;
	struct strvec ide = STRVEC_INIT;
	int ret = 0;
	/* the IDE first: a missing one starts no container */
	if (cli_open(c, &err) < 0 || cli_ide_argv(c, &ide, &err) < 0 || cli_session(c, name, &s, &err) < 0)
		goto fail;
	if (strcmp(s.phase, "ready")) {
		error_set(&err, PARA_EXIT_FAIL, "session '%s' is not ready (%s)", s.name, s.phase);
		error_hint(&err, "'para status %s' says more; 'para cancel %s' archives it", s.name, s.name);
		goto fail;
	}
	if (s.container && (cli_session_spec(c, &s, &spec, &err) < 0 || cli_container_up(c, &s, &spec, NULL, &err) < 0))
		goto fail;
	if (cli_ide_launch(c, &s, s.container ? &spec : NULL, &ide, &err) < 0)
		goto fail;
	goto out;
fail:
	ret = cli_fail(&err);
out:
	strvec_clear(&ide);
	spec_clear(&spec);
	session_clear(&s);
	return ret;
}

int cmd_open(int argc, char **argv)
{
	struct cli c = CLI_INIT;
	const struct cli_bind opts[] = {
		CLI_BIND_END,
	};
	int first = cli_parse(&c, "open", argc, argv, opts, CLI_OPERANDS(1));
	int ret = first < 0 ? -first : open_session(&c, first < argc ? argv[first] : NULL);
	cli_close(&c);
	return ret;
}
