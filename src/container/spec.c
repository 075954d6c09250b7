#include "container/spec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "container/mounts.h"
#include "container/netpolicy.h"
#include "parse/units.h"
#include "parse/volspec.h"
#include "session/agentgit.h"
#include "session/names.h"
#include "util/execlimit.h"
#include "util/hash.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static void env_free(struct spec_env *e);

void spec_clear(struct container_spec *s)
{
	free(s->name);
	free(s->image);
	free(s->user);
	free(s->home_volume);
	strvec_clear(&s->labels);
	for (size_t i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].src);
		free(s->mounts[i].dst);
		free(s->mounts[i].propagation);
	}
	free(s->mounts);
	for (size_t i = 0; i < s->nenv; i++)
		env_free(&s->env[i]);
	free(s->env);
	free(s->env_slots);
	free(s->memory);
	free(s->cpus);
	free(s->gpus);
	free(s->shm_size);
	free(s->network);
	strvec_clear(&s->extra_args);
	strvec_clear(&s->allow);
	free(s->egress);
	free(s->proxy_ip);
	memset(s, 0, sizeof *s);
}

char *spec_container_name(const char *repo_root, const char *session)
{
	char hex[33];
	const char *base = strrchr(repo_root, '/');
	char *repo = name_sanitize(base ? base + 1 : repo_root);
	hash_hex(repo_root, strlen(repo_root), hex);
	/* the path hash keeps two repos with the same folder name apart */
	char *n = xasprintf("para-%s-%.6s-%s", repo, hex, session);
	free(repo);
	return n;
}

int env_name_is_secret(const char *key)
{
	static const char *const marks[] = { "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL" };
	char up[256];
	size_t n = 0;
	for (; key[n] && n + 1 < sizeof up; n++)
		up[n] = (char)toupper((unsigned char)key[n]);
	up[n] = '\0';
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strstr(up, marks[i]))
			return 1;
	return 0;
}

/* The index slot of key, or the empty slot where it would go (a 100k-line
 * .env is then linear, not quadratic). */
static size_t *env_slot(const struct container_spec *s, const char *key)
{
	size_t mask = s->env_nslots - 1, i = (size_t)XXH3_64bits(key, strlen(key)) & mask;
	while (s->env_slots[i] && strcmp(s->env[s->env_slots[i] - 1].key, key))
		i = (i + 1) & mask;
	return &s->env_slots[i];
}

static void env_reindex(struct container_spec *s)
{
	size_t want = 16;
	while (want < 2 * (s->nenv + 1))
		want *= 2;
	if (want != s->env_nslots) {
		free(s->env_slots);
		s->env_slots = xcalloc(want, sizeof *s->env_slots);
		s->env_nslots = want;
	} else {
		memset(s->env_slots, 0, want * sizeof *s->env_slots);
	}
	for (size_t i = 0; i < s->nenv; i++)
		*env_slot(s, s->env[i].key) = i + 1;
}

void spec_set_env(struct container_spec *s, const char *key, const char *value, int level, const char *source,
		  int secret, int at_exec)
{
	struct spec_env *e = NULL;
	if (2 * (s->nenv + 1) > s->env_nslots)
		env_reindex(s);
	size_t *slot = env_slot(s, key);
	if (*slot) {
		e = &s->env[*slot - 1];
		free(e->value);
		free(e->source);
	} else {
		ALLOC_GROW(s->env, s->nenv + 1, s->aenv);
		e = &s->env[s->nenv++];
		e->key = xstrdup(key);
		*slot = s->nenv;
	}
	e->value = value ? xstrdup(value) : NULL;
	e->source = xstrdup(source);
	e->secret = secret;
	e->level = level;
	e->at_exec = at_exec;
}

void spec_add_env(struct container_spec *s, const char *key, const char *value, const char *source, int secret)
{
	spec_set_env(s, key, value, 0, source, secret, 0);
}

static void env_free(struct spec_env *e)
{
	free(e->key);
	if (e->value) {
		/* do not leave secrets lying in freed memory */
		memset(e->value, 0, strlen(e->value));
		free(e->value);
	}
	free(e->source);
}

void spec_clear_user_env(struct container_spec *s)
{
	size_t keep = 0;
	for (size_t i = 0; i < s->nenv; i++) {
		if (!strcmp(s->env[i].source, "para"))
			s->env[keep++] = s->env[i];
		else
			env_free(&s->env[i]);
	}
	s->nenv = keep;
	env_reindex(s);
}

void spec_add_mount(struct container_spec *s, const char *src, const char *dst, int ro)
{
	ALLOC_GROW(s->mounts, s->nmounts + 1, s->amounts);
	s->mounts[s->nmounts++] = (struct spec_mount){ MOUNT_BIND, xstrdup(src), xstrdup(dst), ro, NULL, 0 };
}

static char *dup_opt(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void spec_put_mount(struct container_spec *s, const struct spec_mount *m)
{
	struct spec_mount copy = { m->type, dup_opt(m->src), xstrdup(m->dst), m->ro, dup_opt(m->propagation), m->nocopy };
	for (size_t i = 0; i < s->nmounts; i++) {
		if (strcmp(s->mounts[i].dst, m->dst))
			continue;
		free(s->mounts[i].src);
		free(s->mounts[i].dst);
		free(s->mounts[i].propagation);
		s->mounts[i] = copy;
		return;
	}
	ALLOC_GROW(s->mounts, s->nmounts + 1, s->amounts);
	s->mounts[s->nmounts++] = copy;
}

void spec_git_clear(struct spec_git *g)
{
	free(g->dir);
	free(g->link);
	free(g->repo_git_dir);
	strvec_clear(&g->objects);
	memset(g, 0, sizeof *g);
}

static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

void spec_git_mounts(struct container_spec *s, const struct spec_git *g)
{
	size_t keep = 0;
	for (size_t i = 0; i < s->nmounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		int git = m->type == MOUNT_BIND &&
			  (!strcmp(m->dst, SPEC_WORKDIR "/.git") || !strcmp(m->dst, AGENTGIT_DIR) ||
			   (g->repo_git_dir && path_within(m->src, g->repo_git_dir)));
		for (size_t j = 0; !git && m->type == MOUNT_BIND && j < g->objects.nr; j++)
			git = !strcmp(m->src, g->objects.v[j]);
		if (git) {
			free(m->src);
			free(m->dst);
			free(m->propagation);
		} else {
			s->mounts[keep++] = *m;
		}
	}
	s->nmounts = keep;
	/* over the worktree's own .git file, which keeps pointing where the
	 * host's git expects it: the agent can neither read nor rewrite it */
	spec_add_mount(s, g->link, SPEC_WORKDIR "/.git", 1);
	spec_add_mount(s, g->dir, AGENTGIT_DIR, 0);
	for (size_t j = 0; j < g->objects.nr; j++)
		spec_add_mount(s, g->objects.v[j], g->objects.v[j], 1);
}

static int parse_user(const char *u, const struct spec_inputs *in, struct container_spec *s, struct error *err)
{
	if (!strcmp(u, "image"))
		return 0;
	if (!strcmp(u, "host")) {
		s->user = xasprintf("%u:%u", (unsigned)in->uid, (unsigned)in->gid);
		s->add_passwd = 1;
		return 0;
	}
	const char *colon = strchr(u, ':');
	int ok = colon && colon > u && colon[1];
	for (const char *p = u; ok && *p; p++)
		ok = (*p >= '0' && *p <= '9') || p == colon;
	if (!ok)
		return error_set(err, PARA_EXIT_CONFIG, "docker.user is '%s'; use \"host\", \"image\" or \"UID:GID\" (numbers)", u);
	s->user = xstrdup(u);
	s->add_passwd = 1;
	return 0;
}

int spec_volume_name_ok(const char *name)
{
	return volspec_name_ok(name);
}

/* para-home-<agent>[-<uid>]: the agent is agent.command[0]'s basename, each
 * byte outside the volume-name charset a '-'. */
static char *default_home_volume(const struct config *cfg, const char *user)
{
	struct strvec cmd = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	config_strv(cfg, "agent.command", &cmd);
	const char *a0 = cmd.nr ? cmd.v[0] : "", *slash = strrchr(a0, '/');
	const char *base = slash ? slash + 1 : a0;
	strbuf_addstr(&sb, "para-home-");
	for (size_t n = 0; base[n] && n < 64; n++) {
		char c = base[n];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			 c == '.' || c == '-';
		strbuf_addch(&sb, ok ? c : '-');
	}
	if (!*base)
		strbuf_addstr(&sb, "agent");
	if (user && strchr(user, ':'))
		strbuf_addf(&sb, "-%.*s", (int)(strchr(user, ':') - user), user);
	strvec_clear(&cmd);
	return strbuf_detach(&sb, NULL);
}

int spec_home_volume(const struct config *cfg, const char *user, char **name, struct error *err)
{
	const char *v = config_str(cfg, "docker.home_volume");
	*name = NULL;
	if (v && !strcmp(v, "none"))
		return 0;
	if (v && !spec_volume_name_ok(v)) {
		error_set(err, PARA_EXIT_CONFIG, "docker.home_volume is '%s', not a volume name", v);
		return error_hint(err, "give [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least), \"none\", or null for "
				       "the default");
	}
	*name = v ? xstrdup(v) : default_home_volume(cfg, user);
	return 0;
}

void spec_home_volume_labels(const struct container_spec *s, struct strvec *labels)
{
	strvec_push(labels, SPEC_HOME_ROLE);
	for (size_t i = 0; i < s->labels.nr; i++) {
		if (!strncmp(s->labels.v[i], "dev.para.version=", 17))
			strvec_push(labels, s->labels.v[i]);
		else if (!strncmp(s->labels.v[i], "dev.para.repo=", 14))
			strvec_pushf(labels, "dev.para.origin=%s", s->labels.v[i] + 14);
	}
	if (s->user && strchr(s->user, ':'))
		strvec_pushf(labels, "dev.para.uid=%.*s", (int)(strchr(s->user, ':') - s->user), s->user);
}

/* A string, integer or real as text; NULL for anything else. */
static char *json_scalar_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	return NULL;
}

static char *opt_scalar(const struct config *cfg, const char *path)
{
	return json_scalar_text(config_get(cfg, path));
}

/* A resource value is one the engine takes; 0, or -1 with err naming origin. */
static int resource_ok(const char *key, const char *v, const char *origin, int code, struct error *err)
{
	const char *want = units_resource_want(key, v);
	return want ? error_set(err, code, "%s is '%s'; give %s", origin, v, want) : 0;
}

/* Each of docker.resources.KEY, the profile's resources.KEY, --KEY: the
 * highest one given. A flag is checked the way the engine reads it here;
 * the config's and the profile's values were when the config was loaded
 * (config/schema.c). */
static int resource(const struct config *cfg, const struct spec_inputs *in, const char *key, const char *flag,
		    char **out, struct error *err)
{
	const char *cli = NULL;
	if (in->resources) {
		const struct spec_resources *r = in->resources;
		cli = !strcmp(key, "memory") ? r->memory : !strcmp(key, "cpus") ? r->cpus
			: !strcmp(key, "pids_limit") ? r->pids_limit : !strcmp(key, "gpus") ? r->gpus : r->shm_size;
	}
	if (cli) {
		if (resource_ok(key, cli, flag, PARA_EXIT_USAGE, err) < 0)
			return -1;
		*out = xstrdup(cli);
		return 0;
	}
	json_t *pv = in->profile ? json_object_get(json_object_get(in->profile, "resources"), key) : NULL;
	char *path = xasprintf("docker.resources.%s", key);
	*out = pv && !json_is_null(pv) ? json_scalar_text(pv) : opt_scalar(cfg, path);
	free(path);
	return 0;
}

static int resources(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		     struct error *err)
{
	char *pids = NULL;
	if (resource(cfg, in, "memory", "--memory", &s->memory, err) < 0 ||
	    resource(cfg, in, "cpus", "--cpus", &s->cpus, err) < 0 ||
	    resource(cfg, in, "gpus", "--gpus", &s->gpus, err) < 0 ||
	    resource(cfg, in, "shm_size", "--shm-size", &s->shm_size, err) < 0 ||
	    resource(cfg, in, "pids_limit", "--pids-limit", &pids, err) < 0)
		return -1;
	s->pids_limit = pids ? atol(pids) : 0;
	free(pids);
	return 0;
}

/* One layer of raw engine flags, checked for what removes confinement. */
static int raw_layer(const struct config *cfg, const struct spec_inputs *in, const struct strvec *words,
		     const char *origin, int code, struct container_spec *s, struct error *err)
{
	static const char *const no_sockets[] = { NULL };
	struct dargs_ctx none = { NULL, in->repo_root, no_sockets, NULL, NULL, NULL };
	if (!config_bool(cfg, "docker.allow_dangerous_mounts") &&
	    dargs_check((const char *const *)words->v, in->danger ? in->danger : &none, origin, err) < 0) {
		err->code = code;
		return -1;
	}
	strvec_pushv(&s->extra_args, (const char *const *)words->v);
	return 0;
}

/* docker.docker_args, the profile's docker_args, --docker-args: in that
 * order, after para's own flags. */
static int raw_args(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		   struct error *err)
{
	struct strvec v[3] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	config_strv(cfg, "docker.docker_args", &v[0]);
	if (in->profile)
		json_strv(json_object_get(in->profile, "docker_args"), &v[1]);
	if (in->docker_args)
		strvec_pushv(&v[2], in->docker_args);
	char *porigin = xasprintf("profile '%s' docker_args", in->profile_name ? in->profile_name : "");
	int r = raw_layer(cfg, in, &v[0], "docker.docker_args", PARA_EXIT_CONFIG, s, err);
	if (r == 0)
		r = raw_layer(cfg, in, &v[1], porigin, PARA_EXIT_CONFIG, s, err);
	if (r == 0)
		r = raw_layer(cfg, in, &v[2], "--docker-args", PARA_EXIT_USAGE, s, err);
	free(porigin);
	for (size_t i = 0; i < 3; i++)
		strvec_clear(&v[i]);
	return r;
}

/* A mount of the user's over the whole home would hide the home volume
 * (below it is fine: npm-cache:/home/para/.npm). */
static int home_mount_clash(const struct container_spec *s, struct error *err)
{
	for (size_t i = 0; s->home_volume && i < s->nmounts; i++) {
		if (strcmp(s->mounts[i].dst, SPEC_HOME) && strcmp(s->mounts[i].dst, SPEC_HOME "/"))
			continue;
		error_set(err, PARA_EXIT_CONFIG, "a mount targets %s, where the home volume '%s' goes", SPEC_HOME,
			  s->home_volume);
		return error_hint(err, "mount below it, or set docker.home_volume to \"none\"");
	}
	return 0;
}

int spec_resolve_home(const struct config *cfg, const struct spec_home_inputs *in, struct container_spec *s,
		      struct error *err)
{
	struct spec_inputs si = { .uid = in->uid, .gid = in->gid };
	s->name = xstrdup(in->name);
	s->image = xstrdup(in->image);
	if (parse_user(config_str(cfg, "docker.user"), &si, s, err) < 0 ||
	    spec_home_volume(cfg, s->user, &s->home_volume, err) < 0)
		return -1;
	if (!s->home_volume) {
		error_set(err, PARA_EXIT_CONFIG, "docker.home_volume is \"none\": there is no home volume to keep a login in");
		return error_hint(err, "set docker.home_volume to a volume name, or to null for the default");
	}
	json_t *pids = config_get(cfg, "docker.resources.pids_limit");
	s->pids_limit = json_is_integer(pids) ? (long)json_integer_value(pids) : 0;
	strvec_push(&s->labels, SPEC_AUTH_ROLE);
	strvec_pushf(&s->labels, "dev.para.repo=%s", in->repo_root);
	strvec_pushf(&s->labels, "dev.para.version=%s", in->version);
	strvec_pushf(&s->labels, SPEC_RUN_LABEL "=%s", in->run);
	return 0;
}

int spec_resolve(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		 struct error *err)
{
	char hash[33];
	s->name = spec_container_name(in->repo_root, in->session);
	s->image = xstrdup(in->image ? in->image : config_str(cfg, "docker.default_image"));
	if (!*s->image)
		return error_set(err, PARA_EXIT_USAGE, "the image name is empty");
	if (parse_user(config_str(cfg, "docker.user"), in, s, err) < 0 ||
	    spec_home_volume(cfg, s->user, &s->home_volume, err) < 0)
		return -1;
	spec_add_mount(s, in->worktree, SPEC_WORKDIR, 0);
	spec_git_mounts(s, in->git);
	if (in->mounts && mounts_resolve(cfg, in->mounts, in->profile, in->profile_name, s, err) < 0)
		return -1;
	if (home_mount_clash(s, err) < 0)
		return -1;
	spec_add_env(s, "PARA_SESSION", in->session, "para", 0);
	spec_add_env(s, "PARA_WORKSPACE", SPEC_WORKDIR, "para", 0);
	if (resources(cfg, in, s, err) < 0)
		return -1;
	if (netpolicy_resolve(cfg, in, s, err) < 0)
		return -1;
	if (raw_args(cfg, in, s, err) < 0)
		return -1;
	strvec_pushf(&s->labels, "dev.para.session=%s", in->session);
	strvec_pushf(&s->labels, "dev.para.repo=%s", in->repo_root);
	strvec_pushf(&s->labels, "dev.para.version=%s", in->version);
	spec_hash(s, hash);
	strvec_pushf(&s->labels, "dev.para.spec=%s", hash);
	return 0;
}

void spec_hash(const struct container_spec *s, char out[33])
{
	json_t *j = spec_to_json(s);
	json_object_del(j, "labels");
	char *txt = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	hash_hex(txt, strlen(txt), out);
	free(txt);
	json_decref(j);
}

/* The keep-alive process. As root, it first gives the session user a passwd
 * and group entry and a home it owns (also on images without useradd), then
 * marks the container ready; execs wait for that mark. */
int spec_ready_line(const char *line, size_t len, int *home)
{
	if (len == strlen(SPEC_HOME_FILES) && !memcmp(line, SPEC_HOME_FILES, len))
		*home = 1;
	else if (len == strlen(SPEC_HOME_EMPTY) && !memcmp(line, SPEC_HOME_EMPTY, len))
		*home = 0;
	return len == strlen(SPEC_READY_MARK) && !memcmp(line, SPEC_READY_MARK, len);
}

char *spec_keepalive_script(const struct container_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	if (s->add_passwd) {
		const char *colon = strchr(s->user, ':');
		char *uid = xstrndup(s->user, (size_t)(colon - s->user));
		const char *gid = colon + 1;
		strbuf_addf(&sb,
			    "grep -q '^[^:]*:[^:]*:%s:' /etc/passwd 2>/dev/null || "
			    "echo 'para:x:%s:%s:para:" SPEC_HOME ":/bin/sh' >>/etc/passwd; "
			    "grep -q '^[^:]*:[^:]*:%s:' /etc/group 2>/dev/null || echo 'para:x:%s:' >>/etc/group; "
			    "mkdir -p " SPEC_HOME " && chown %s:%s " SPEC_HOME "; ",
			    uid, uid, gid, gid, gid, uid, gid);
		free(uid);
	}
	/* a login in the home volume (para auth setup) is a file there: said
	 * here, it needs no engine call of its own (no find: para looks itself) */
	if (s->home_volume)
		strbuf_addstr(&sb, "if command -v find >/dev/null 2>&1 && command -v head >/dev/null 2>&1; then "
				   "if [ -n \"$(find " SPEC_HOME " ! -type d 2>/dev/null | head -n 1)\" ]; then echo '"
				   SPEC_HOME_FILES "'; else echo '" SPEC_HOME_EMPTY "'; fi; fi; ");
	strbuf_addstr(&sb, "mkdir -p /run && : >" SPEC_READY_FILE " && echo " SPEC_READY_MARK "; trap 'exit 0' TERM INT; "
			   "while :; do sleep 86400 & wait $!; done");
	return strbuf_detach(&sb, NULL);
}

/* "-e KEY" in argv, the value only in the engine CLI's environment. */
/* One CSV field of --mount, quoted when it needs it ("" doubles a quote). */
static void csv_field(struct strbuf *sb, const char *key, const char *val)
{
	if (!strpbrk(val, ",\"")) {
		strbuf_addf(sb, "%s=%s", key, val);
		return;
	}
	strbuf_addf(sb, "\"%s=", key);
	for (; *val; val++) {
		if (*val == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *val);
	}
	strbuf_addch(sb, '"');
}

static const char *const mount_types[] = { "bind", "volume", "tmpfs" };

/* --mount, not -v: a host path may hold ':' (which -v splits on), and a
 * bind's missing source is an error, never a folder made for it. */
static char *render_mount(const struct spec_mount *m, const struct strvec *labels)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "--mount=type=%s,", mount_types[m->type]);
	if (m->src) {
		csv_field(&sb, "source", m->src);
		strbuf_addch(&sb, ',');
	}
	csv_field(&sb, "target", m->dst);
	if (m->ro)
		strbuf_addstr(&sb, ",readonly");
	if (m->propagation)
		strbuf_addf(&sb, ",bind-propagation=%s", m->propagation);
	if (m->nocopy)
		strbuf_addstr(&sb, ",volume-nocopy");
	for (size_t i = 0; labels && m->type == MOUNT_VOLUME && m->src && i < labels->nr; i++) {
		strbuf_addch(&sb, ',');
		csv_field(&sb, "volume-label", labels->v[i]);
	}
	return strbuf_detach(&sb, NULL);
}

int env_name_steers_engine(const char *key)
{
	static const char *const prefixes[] = { "DOCKER_", "CONTAINER", "PODMAN_", "BUILDAH_", "REGISTRY_", "LD_",
						"XDG_", "GO", "SSL_", "CURL_", NULL };
	static const char *const names[] = { "HOME", "PATH", "TMPDIR", "USER", "SHELL", "IFS", "HTTP_PROXY",
					     "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", NULL };
	char up[128];
	size_t n = 0;
	for (; key[n] && n + 1 < sizeof up; n++)
		up[n] = (char)toupper((unsigned char)key[n]);
	up[n] = '\0';
	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(up, *p, strlen(*p)))
			return 1;
	for (const char *const *p = names; *p; p++)
		if (!strcmp(up, *p))
			return 1;
	return 0;
}

static int utf8_valid(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s >> 5) == 6 ? 1 : (*s >> 4) == 14 ? 2 : (*s >> 3) == 30 ? 3 : -1;
		if (n < 0)
			return 0;
		for (s++; n > 0; n--, s++)
			if ((*s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

int env_value_fits_file(const char *key, const char *value)
{
	/* docker's env file: one line each, UTF-8, '#' starts a comment, and a
	 * line shorter than its reader's 64 KiB buffer (with a margin) */
	return key[0] != '#' && strlen(key) + strlen(value) < SPEC_ENV_LINE_MAX && !strpbrk(value, "\n\r") &&
	       utf8_valid((const unsigned char *)value) && utf8_valid((const unsigned char *)key);
}

/* "-e KEY" in argv, the value only in the engine CLI's environment: for one
 * exec's own variables, and for values an env file cannot hold. */
static void render_env(const struct container_spec *s, int at_exec, struct strvec *args, struct strvec *env)
{
	for (size_t i = 0; i < s->nenv; i++) {
		if (!s->env[i].value || s->env[i].at_exec != at_exec || !strcmp(s->env[i].source, "para"))
			continue;
		if (!at_exec && env_value_fits_file(s->env[i].key, s->env[i].value))
			continue;
		strvec_pushl(args, "-e", s->env[i].key, NULL);
		strvec_pushf(env, "%s=%s", s->env[i].key, s->env[i].value);
	}
}

/* Every variable is in the environment of each process the container
 * starts, from its init on: the kernel's limit applies there too. */
static int env_fits_a_process(const struct container_spec *spec, struct error *err)
{
	size_t all = 0, max = exec_arg_max() - 64 * 1024;
	for (size_t i = 0; i < spec->nenv; i++)
		if (spec->env[i].value && !spec->env[i].at_exec)
			all += strlen(spec->env[i].key) + strlen(spec->env[i].value) + 2 + sizeof(char *);
	if (all <= max)
		return 0;
	error_set(err, PARA_EXIT_CONFIG, "the container's environment is %zu bytes, more than a process there can be "
		  "started with (about %zu)", all, max);
	return error_hint(err, "pass fewer or smaller variables (see 'para env'); large data belongs in a file");
}

int spec_validate(const struct container_spec *s, struct error *err)
{
	if (!s->name || !*s->name || !s->image || !*s->image)
		return error_set(err, PARA_EXIT_FAIL, "internal error: a container spec without a name or an image");
	for (size_t i = 0; i < s->nmounts; i++)
		if (s->mounts[i].dst[0] != '/')
			return error_set(err, PARA_EXIT_CONFIG, "mount target '%s' is not an absolute path",
					  s->mounts[i].dst);
	for (size_t i = 0; i < s->nenv; i++)
		if (!*s->env[i].key || strpbrk(s->env[i].key, "= \t\n"))
			return error_set(err, PARA_EXIT_CONFIG, "'%.40s' (%s) is not a variable name", s->env[i].key,
					  s->env[i].source);
	return env_fits_a_process(s, err);
}

/* The labels of the named volumes a run makes: the home volume's are its
 * own (it is the user's, shared by every repository's sessions); the
 * others' say they are para's, of this repository. */
static void render_mounts(const struct container_spec *s, unsigned flags, struct strvec *args)
{
	struct strvec home = STRVEC_INIT, vol = STRVEC_INIT;
	int labelled = !!(flags & SPEC_RUN_VOLUME_LABELS);
	if (labelled) {
		spec_home_volume_labels(s, &home);
		spec_volume_labels(s, &vol);
	}
	/* the home first: the engine mounts a user's volume below it over it */
	if (s->home_volume) {
		struct spec_mount m = { MOUNT_VOLUME, s->home_volume, (char *)SPEC_HOME, 0, NULL, 0 };
		strvec_push_nodup(args, render_mount(&m, labelled ? &home : NULL));
	}
	for (size_t i = 0; i < s->nmounts; i++)
		strvec_push_nodup(args, render_mount(&s->mounts[i], labelled ? &vol : NULL));
	strvec_clear(&home);
	strvec_clear(&vol);
}

void spec_volume_labels(const struct container_spec *s, struct strvec *labels)
{
	strvec_push(labels, "dev.para.volume=1");
	for (size_t i = 0; i < s->labels.nr; i++)
		if (!strncmp(s->labels.v[i], "dev.para.repo=", 14))
			strvec_push(labels, s->labels.v[i]);
}

void spec_render_run(const struct container_spec *s, unsigned flags, struct strvec *args, struct strvec *env,
		     struct strbuf *in)
{
	strvec_pushl(args, "run", (flags & SPEC_RUN_ATTACH) ? "--sig-proxy=false" : "--detach", "--pull=never",
		     "--name", s->name, "--init", "--security-opt", "no-new-privileges", NULL);
	/* an isolated agent is given no way to the host */
	if (!s->isolated)
		strvec_pushl(args, "--add-host", "host.docker.internal:host-gateway", NULL);
	strvec_pushl(args, "--workdir", SPEC_WORKDIR, NULL);
	for (size_t i = 0; i < s->labels.nr; i++)
		strvec_pushl(args, "--label", s->labels.v[i], NULL);
	if (s->pids_limit > 0)
		strvec_pushf(args, "--pids-limit=%ld", s->pids_limit);
	if (s->memory)
		strvec_pushf(args, "--memory=%s", s->memory);
	if (s->cpus)
		strvec_pushf(args, "--cpus=%s", s->cpus);
	if (s->gpus)
		strvec_pushf(args, "--gpus=%s", s->gpus);
	if (s->shm_size)
		strvec_pushf(args, "--shm-size=%s", s->shm_size);
	if (s->network && strcmp(s->network, "bridge"))
		strvec_pushf(args, "--network=%s", s->network);
	if (s->isolated && s->proxy_ip)
		strvec_pushf(args, "--dns=%s", s->proxy_ip);
	render_mounts(s, flags, args);
	/* para's own, non-secret variables as they are; every other value
	 * reaches the engine on its stdin, never in argv */
	for (size_t i = 0; i < s->nenv; i++) {
		const struct spec_env *e = &s->env[i];
		if (!strcmp(e->source, "para"))
			strvec_pushf(args, "--env=%s=%s", e->key, e->value);
		else if (e->value && !e->at_exec && env_value_fits_file(e->key, e->value))
			strbuf_addf(in, "%s=%s\n", e->key, e->value);
	}
	if (in->len)
		strvec_push(args, "--env-file=/dev/stdin");
	render_env(s, 0, args, env);
	if (s->add_passwd)
		strvec_push(args, "--user=0:0");
	strvec_pushv(args, (const char *const *)s->extra_args.v);
	strvec_pushl(args, "--entrypoint", "sh", s->image, "-c", NULL);
	strvec_push_nodup(args, spec_keepalive_script(s));
}

void spec_render_exec(const struct container_spec *s, int interactive, int tty, const char *pidfile,
		      const char *const *cmd, struct strvec *args, struct strvec *env)
{
	strvec_push(args, "exec");
	if (interactive)
		strvec_push(args, "--interactive");
	if (tty)
		strvec_push(args, "--tty");
	strvec_pushl(args, "--workdir", SPEC_WORKDIR, NULL);
	if (s->user)
		strvec_pushf(args, "--user=%s", s->user);
	if (s->add_passwd || s->home_volume)
		strvec_pushl(args, "--env", "HOME=" SPEC_HOME, NULL);
	if (s->add_passwd)
		strvec_pushl(args, "--env", "USER=para", NULL);
	render_env(s, 1, args, env);
	strvec_push(args, s->name);
	spec_exec_cmd(s, pidfile, cmd, args);
}

void spec_exec_cmd(const struct container_spec *s, const char *pidfile, const char *const *cmd, struct strvec *out)
{
	if (s->add_passwd || pidfile) {
		struct strbuf sc = STRBUF_INIT;
		/* wait (at most ~10 s) for the keep-alive's setup to finish */
		if (s->add_passwd)
			strbuf_addstr(&sc, "i=0; while [ ! -e " SPEC_READY_FILE " ] && [ $i -lt 200 ]; do sleep 0.05; "
					   "i=$((i+1)); done; ");
		/* the command's pid, for para to signal it through the engine */
		if (pidfile)
			strbuf_addf(&sc, "{ echo $$ >%s; } 2>/dev/null; ", pidfile);
		strbuf_addstr(&sc, "exec \"$@\"");
		strvec_pushl(out, "sh", "-c", sc.buf, "para-exec", NULL);
		strbuf_release(&sc);
	}
	strvec_pushv(out, cmd);
}

void spec_render_signal(const struct container_spec *s, const char *pidfile, int signo, struct strvec *args)
{
	strvec_push(args, "exec");
	if (s->user)
		strvec_pushf(args, "--user=%s", s->user);
	strvec_push(args, s->name);
	strvec_pushl(args, "sh", "-c", NULL);
	strvec_pushf(args, "p=$(cat %s 2>/dev/null) && kill -%d \"$p\"", pidfile, signo);
}

/* A bind's keys only, for a plain bind: the spec hash of older sessions holds. */
static json_t *mount_json(const struct spec_mount *m)
{
	json_t *o = json_pack("{s:s, s:b}", "dst", m->dst, "ro", m->ro);
	if (m->src)
		json_object_set_new(o, "src", json_string(m->src));
	if (m->type != MOUNT_BIND)
		json_object_set_new(o, "type", json_string(mount_types[m->type]));
	if (m->propagation)
		json_object_set_new(o, "propagation", json_string(m->propagation));
	if (m->nocopy)
		json_object_set_new(o, "nocopy", json_true());
	return o;
}

static int mount_from_json(const json_t *v, struct container_spec *s)
{
	struct spec_mount m = { MOUNT_BIND, (char *)json_str(v, "src"), (char *)json_str(v, "dst"),
				json_is_true(json_object_get(v, "ro")), (char *)json_str(v, "propagation"),
				json_is_true(json_object_get(v, "nocopy")) };
	const char *type = json_str(v, "type");
	int known = !type;
	for (size_t t = 0; type && t < sizeof mount_types / sizeof mount_types[0]; t++)
		if (!strcmp(type, mount_types[t])) {
			m.type = (enum spec_mount_type)t;
			known = 1;
		}
	if (!known || !m.dst || (m.type == MOUNT_BIND && !m.src))
		return -1;
	spec_put_mount(s, &m);
	return 0;
}

json_t *spec_to_json(const struct container_spec *s)
{
	json_t *j = json_object();
	json_t *mounts = json_array(), *env = json_array(), *labels = json_array(), *extra = json_array();
	json_object_set_new(j, "name", json_string(s->name));
	json_object_set_new(j, "image", json_string(s->image));
	json_object_set_new(j, "user", s->user ? json_string(s->user) : json_null());
	json_object_set_new(j, "add_passwd", json_boolean(s->add_passwd));
	/* only when there is one: the saved specs (and hashes) of older
	 * sessions, which had none, stay as they were */
	if (s->home_volume)
		json_object_set_new(j, "home_volume", json_string(s->home_volume));
	for (size_t i = 0; i < s->nmounts; i++)
		json_array_append_new(mounts, mount_json(&s->mounts[i]));
	for (size_t i = 0; i < s->nenv; i++) {
		const struct spec_env *e = &s->env[i];
		if (e->at_exec)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:b, s:i}", "key", e->key, "source", e->source, "secret", e->secret,
				      "level", e->level);
		/* only para's own values are kept; the rest are resolved again from their sources */
		if (!strcmp(e->source, "para") && e->value)
			json_object_set_new(o, "value", json_string(e->value));
		json_array_append_new(env, o);
	}
	for (size_t i = 0; i < s->labels.nr; i++)
		json_array_append_new(labels, json_string(s->labels.v[i]));
	for (size_t i = 0; i < s->extra_args.nr; i++)
		json_array_append_new(extra, json_string(s->extra_args.v[i]));
	json_object_set_new(j, "mounts", mounts);
	json_object_set_new(j, "env", env);
	json_object_set_new(j, "labels", labels);
	json_object_set_new(j, "docker_args", extra);
	json_object_set_new(j, "pids_limit", json_integer(s->pids_limit));
	json_object_set_new(j, "memory", s->memory ? json_string(s->memory) : json_null());
	json_object_set_new(j, "cpus", s->cpus ? json_string(s->cpus) : json_null());
	json_object_set_new(j, "gpus", s->gpus ? json_string(s->gpus) : json_null());
	json_object_set_new(j, "shm_size", s->shm_size ? json_string(s->shm_size) : json_null());
	json_object_set_new(j, "network", s->network ? json_string(s->network) : json_null());
	if (s->isolated) {
		json_t *allow = json_array();
		for (size_t i = 0; i < s->allow.nr; i++)
			json_array_append_new(allow, json_string(s->allow.v[i]));
		json_object_set_new(j, "isolation", json_pack("{s:o, s:s}", "allow", allow, "egress", s->egress));
	}
	return j;
}

static char *dup_or_null(const json_t *j, const char *k)
{
	const char *v = json_str(j, k);
	return v ? xstrdup(v) : NULL;
}

int spec_from_json(const json_t *j, struct container_spec *s, struct error *err)
{
	size_t i;
	json_t *v;
	s->name = dup_or_null(j, "name");
	s->image = dup_or_null(j, "image");
	s->user = dup_or_null(j, "user");
	s->add_passwd = json_is_true(json_object_get(j, "add_passwd"));
	s->home_volume = dup_or_null(j, "home_volume");
	/* a damaged state file is an error, never a crash */
	if (!s->name || !s->image || (s->add_passwd && (!s->user || !strchr(s->user, ':'))))
		return error_set(err, PARA_EXIT_FAIL, "the saved container spec is incomplete");
	if (s->home_volume && !spec_volume_name_ok(s->home_volume))
		return error_set(err, PARA_EXIT_FAIL, "the saved container spec's home volume is not a volume name");
	json_array_foreach(json_object_get(j, "mounts"), i, v)
		if (mount_from_json(v, s) < 0)
			return error_set(err, PARA_EXIT_FAIL, "the saved container spec has an incomplete mount");
	json_array_foreach(json_object_get(j, "env"), i, v)
		if (json_str(v, "key") && json_str(v, "source"))
			spec_set_env(s, json_str(v, "key"), json_str(v, "value"),
				     (int)json_integer_value(json_object_get(v, "level")), json_str(v, "source"),
				     json_is_true(json_object_get(v, "secret")), 0);
	json_strv(json_object_get(j, "labels"), &s->labels);
	json_strv(json_object_get(j, "docker_args"), &s->extra_args);
	s->pids_limit = (long)json_integer_value(json_object_get(j, "pids_limit"));
	s->memory = dup_or_null(j, "memory");
	s->cpus = dup_or_null(j, "cpus");
	s->gpus = dup_or_null(j, "gpus");
	s->shm_size = dup_or_null(j, "shm_size");
	s->network = dup_or_null(j, "network");
	json_t *iso = json_object_get(j, "isolation");
	if (iso) {
		s->isolated = 1;
		json_strv(json_object_get(iso, "allow"), &s->allow);
		s->egress = dup_or_null(iso, "egress");
		if (!s->egress)
			return error_set(err, PARA_EXIT_FAIL, "the saved container spec has an incomplete isolation");
	}
	return 0;
}
