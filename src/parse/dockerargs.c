#include "parse/dockerargs.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* docker run's long flags that take a value (docker 28). */
static const char *const value_flags[] = {
	"add-host", "annotation", "attach", "blkio-weight", "blkio-weight-device", "cap-add", "cap-drop",
	"cgroup-parent", "cgroupns", "cidfile", "cpu-count", "cpu-percent", "cpu-period", "cpu-quota",
	"cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "detach-keys",
	"device", "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps",
	"device-write-iops", "dns", "dns-opt", "dns-option", "dns-search", "domainname", "entrypoint", "env",
	"env-file", "expose", "gpus", "group-add", "health-cmd", "health-interval", "health-retries",
	"health-start-interval", "health-start-period", "health-timeout", "hostname", "ip", "ip6", "ipc",
	"isolation", "kernel-memory", "label", "label-file", "link", "link-local-ip", "log-driver", "log-opt",
	"mac-address", "memory", "memory-reservation", "memory-swap", "memory-swappiness", "mount", "name",
	"net", "net-alias", "network", "network-alias", "oom-score-adj", "pid", "pids-limit", "platform",
	"publish", "pull", "restart", "runtime", "security-opt", "shm-size", "stop-signal", "stop-timeout",
	"storage-opt", "sysctl", "tmpfs", "ulimit", "user", "userns", "uts", "volume", "volume-driver",
	"volumes-from", "workdir", NULL,
};
/* short flags: booleans, and the ones that take a value */
static const char short_bool[] = "ditPq";
static const char short_value[] = "acehlmpuvw";

struct check {
	const struct dargs_ctx *ctx;
	const char *origin;
	struct error *err;
};

static int refuse(struct check *c, const char *word, const char *rule)
{
	/* a long word is cut: the rule must stay in the one line */
	error_set(c->err, PARA_EXIT_CONFIG, "%s: '%.200s%s' is refused (rule: %s)", c->origin, word,
		  strlen(word) > 200 ? "..." : "", rule);
	return error_hint(c->err, "it removes the container's confinement; set docker.allow_dangerous_mounts to "
				  "true in your own config to allow it");
}

static int is_value_flag(const char *name, size_t n)
{
	for (const char *const *f = value_flags; *f; f++)
		if (strlen(*f) == n && !strncmp(*f, name, n))
			return 1;
	return 0;
}

char *dargs_normalise(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(path), *save = NULL;
	size_t *marks = xcalloc(strlen(path) + 1, sizeof *marks), depth = 0;
	for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth)
				strbuf_setlen(&sb, marks[--depth]);
			continue;
		}
		marks[depth++] = sb.len;
		strbuf_addf(&sb, "/%s", comp);
	}
	if (!sb.len)
		strbuf_addch(&sb, '/');
	free(marks);
	free(copy);
	return strbuf_detach(&sb, NULL);
}

/* a is b or a folder above it */
static int covers(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (!strcmp(a, "/"))
		return 1;
	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* The rule a host path breaks as a mount source, or NULL. */
static const char *path_rule(const struct dargs_ctx *ctx, const char *norm)
{
	if (!strcmp(norm, "/"))
		return "dangerous-mount";
	for (const char *const *s = ctx->sockets; s && *s; s++) {
		char *sn = dargs_normalise(*s);
		int hit = covers(norm, sn);
		free(sn);
		if (hit)
			return "engine-socket";
	}
	/* the home's keys and cloud and engine credentials */
	static const char *const secrets[] = { ".ssh", ".aws", ".config/gcloud", ".docker", NULL };
	if (ctx->home && *ctx->home) {
		char *home = dargs_normalise(ctx->home);
		int hit = covers(norm, home);
		for (const char *const *d = secrets; !hit && *d; d++) {
			char *secret = xasprintf("%s/%s", home, *d);
			hit = covers(secret, norm);
			free(secret);
		}
		free(home);
		if (hit)
			return "dangerous-mount";
	}
	return NULL;
}

/* A host path as given to -v or --mount source. */
static int check_host_path(struct check *c, const char *word, const char *src)
{
	char *abs = NULL;
	if (src[0] == '~' && (src[1] == '/' || !src[1]))
		abs = c->ctx->home ? xasprintf("%s%s", c->ctx->home, src + 1) : NULL;
	else if (src[0] == '/')
		abs = xstrdup(src);
	else if (c->ctx->base)
		abs = xasprintf("%s/%s", c->ctx->base, src);
	if (!abs)
		return refuse(c, word, "dangerous-mount");
	char *norm = dargs_normalise(abs);
	const char *rule = path_rule(c->ctx, norm);
	if (!rule && c->ctx->is_socket && c->ctx->is_socket(norm, c->ctx->resolve_ctx))
		rule = "engine-socket";
	char *real = !rule && c->ctx->resolve ? c->ctx->resolve(norm, c->ctx->resolve_ctx) : NULL;
	if (real) {
		char *rn = dargs_normalise(real);
		rule = path_rule(c->ctx, rn);
		free(rn);
	}
	free(real);
	free(norm);
	free(abs);
	return rule ? refuse(c, word, rule) : 0;
}

/* -v SRC:DST[:OPTS]: SRC is a host path when it looks like one, else a named volume. */
static int check_volume(struct check *c, const char *word, const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (!colon)
		return 0; /* an anonymous volume at a container path */
	char *src = xstrndup(spec, (size_t)(colon - spec));
	int host = src[0] == '/' || src[0] == '~' || src[0] == '.';
	int r = host ? check_host_path(c, word, src) : 0;
	free(src);
	return r;
}

/* One field of --mount's CSV (docker quotes a field with "..."). */
static const char *csv_next(const char *p, struct strbuf *field)
{
	strbuf_reset(field);
	int quoted = 0;
	for (; *p; p++) {
		if (*p == '"') {
			if (quoted && p[1] == '"') {
				strbuf_addch(field, '"');
				p++;
			} else {
				quoted = !quoted;
			}
		} else if (*p == ',' && !quoted) {
			return p + 1;
		} else {
			strbuf_addch(field, *p);
		}
	}
	return p;
}

static int check_mount(struct check *c, const char *word, const char *spec)
{
	struct strbuf f = STRBUF_INIT;
	char *type = NULL, *src = NULL;
	int ret = 0;
	for (const char *p = spec; *p && ret == 0;) {
		p = csv_next(p, &f);
		const char *eq = strchr(f.buf, '=');
		size_t kl = eq ? (size_t)(eq - f.buf) : f.len;
		const char *v = eq ? eq + 1 : "";
		if ((kl == 10 && !strncmp(f.buf, "volume-opt", 10)) || (kl == 13 && !strncmp(f.buf, "volume-driver", 13)))
			ret = refuse(c, word, "dangerous-mount");
		else if (kl == 4 && !strncmp(f.buf, "type", 4))
			type = (free(type), xstrdup(v));
		else if ((kl == 6 && !strncmp(f.buf, "source", 6)) || (kl == 3 && !strncmp(f.buf, "src", 3)))
			src = (free(src), xstrdup(v));
	}
	if (ret == 0 && src && (!type || !strcmp(type, "bind")))
		ret = check_host_path(c, word, src);
	free(type);
	free(src);
	strbuf_release(&f);
	return ret;
}

static int ns_value_bad(const char *v)
{
	return !strcmp(v, "host") || !strncmp(v, "container:", 10);
}

/* One flag with its value (value NULL for a boolean). */
static int check_flag(struct check *c, const char *word, const char *name, size_t n, const char *value)
{
#define IS(s) (n == strlen(s) && !strncmp(name, s, n))
	if (IS("privileged"))
		return value && !strcmp(value, "false") ? 0 : refuse(c, word, "privileged");
	if (IS("use-api-socket"))
		return value && !strcmp(value, "false") ? 0 : refuse(c, word, "engine-socket");
	if (IS("cap-add"))
		return refuse(c, word, "cap-add");
	if (IS("device") || IS("device-cgroup-rule") || IS("gpus"))
		return refuse(c, word, "device");
	if (IS("volume-driver") || IS("volumes-from"))
		return refuse(c, word, "dangerous-mount");
	if ((IS("pid") || IS("ipc") || IS("network") || IS("net")) && value && ns_value_bad(value))
		return refuse(c, word, "host-namespace");
	if ((IS("uts") || IS("userns") || IS("cgroupns")) && value && !strcmp(value, "host"))
		return refuse(c, word, "host-namespace");
	if (IS("security-opt") && value && strcmp(value, "no-new-privileges") &&
	    strcmp(value, "no-new-privileges=true") && strcmp(value, "no-new-privileges:true"))
		return refuse(c, word, "security-opt");
	if ((IS("volume") || IS("v")) && value)
		return check_volume(c, word, value);
	if (IS("mount") && value)
		return check_mount(c, word, value);
	return 0;
#undef IS
}

/* -itv SRC:DST or -v SRC:DST: *i moves past a value taken from the next word. */
static int check_short(struct check *c, const char *const *args, size_t *i)
{
	const char *w = args[*i];
	for (const char *p = w + 1; *p; p++) {
		if (strchr(short_bool, *p))
			continue;
		if (!strchr(short_value, *p))
			return refuse(c, w, "not-a-flag");
		const char *value = p[1] ? p + 1 : args[*i + 1];
		if (!p[1] && value)
			(*i)++;
		return value ? check_flag(c, w, p, 1, value) : 0;
	}
	return 0;
}

int dargs_check(const char *const *args, const struct dargs_ctx *ctx, const char *origin, struct error *err)
{
	struct check c = { ctx, origin, err };
	for (size_t i = 0; args && args[i]; i++) {
		const char *w = args[i];
		if (w[0] != '-' || !w[1] || !strcmp(w, "--"))
			return refuse(&c, w, "not-a-flag");
		if (w[1] != '-') {
			if (check_short(&c, args, &i) < 0)
				return -1;
			continue;
		}
		const char *name = w + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const char *value = eq ? eq + 1 : NULL;
		/* a known value flag takes the next word; an unknown one never does */
		if (!value && is_value_flag(name, n) && args[i + 1])
			value = args[++i];
		if (check_flag(&c, w, name, n, value) < 0)
			return -1;
	}
	return 0;
}
