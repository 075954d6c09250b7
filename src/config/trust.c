#include "config/trust.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/hash.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_LINKS 40 /* the kernel's limit: more is a loop */
#define MAX_NAMED 6  /* keys named in a refusal; the rest are counted */

/* ---- paths -------------------------------------------------------------- */

/* The absolute path without ".", ".." and repeated slashes (no symlinks followed). */
static char *norm_abs(const char *abs)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = abs;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(sb.buf, '/');
			strbuf_setlen(&sb, slash ? (size_t)(slash - sb.buf) : 0);
		} else if (n && !(n == 1 && p[0] == '.')) {
			strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, n);
		}
		p = e;
	}
	if (!sb.len)
		strbuf_addch(&sb, '/');
	return strbuf_detach(&sb, NULL);
}

/*
 * Resolve an absolute path the way the kernel walks it: each component that
 * is a symlink is replaced by its target, also when the target (or anything
 * after it) does not exist. NULL for a symlink loop.
 */
static char *resolve_abs(const char *abs)
{
	struct strbuf out = STRBUF_INIT;
	char *todo = xstrdup(abs);
	const char *p = todo;
	int links = 0;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p), keep = out.len;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out.buf, '/');
			strbuf_setlen(&out, slash ? (size_t)(slash - out.buf) : 0);
		} else if (n && !(n == 1 && p[0] == '.')) {
			char target[PATH_MAX];
			strbuf_addch(&out, '/');
			strbuf_add(&out, p, n);
			ssize_t tl = readlink(out.buf, target, sizeof target - 1);
			if (tl >= 0) {
				if (++links > MAX_LINKS) {
					free(todo);
					strbuf_release(&out);
					return NULL;
				}
				target[tl] = '\0';
				strbuf_setlen(&out, target[0] == '/' ? 0 : keep);
				char *next = xasprintf("%s/%s", target, e);
				free(todo);
				todo = next;
				p = todo;
				continue;
			}
		}
		p = e;
	}
	free(todo);
	if (!out.len)
		strbuf_addch(&out, '/');
	return strbuf_detach(&out, NULL);
}

/* The part of p below dir ("" for dir itself), or NULL when p is not inside it. */
static const char *below(const char *dir, const char *p)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return p[0] == '/' ? p + 1 : NULL;
	if (strncmp(p, dir, n) || (p[n] && p[n] != '/'))
		return NULL;
	return p[n] ? p + n + 1 : p + n;
}

static char *real_root(const char *root)
{
	if (root[0] == '/') {
		char *r = resolve_abs(root);
		return r ? r : xstrdup(root);
	}
	char *r = realpath(root, NULL);
	return r ? r : xstrdup(root);
}

char *trust_resolve(const char *repo_root, const char *path)
{
	char *full;
	if (path[0] == '~' && (path[1] == '/' || !path[1])) {
		const char *home = getenv("HOME");
		full = xasprintf("%s/%s", home && *home ? home : "", path + 1);
	} else if (path[0] == '~') {
		return xstrdup(path); /* ~user: somebody's home, outside */
	} else {
		char *root = real_root(repo_root);
		full = path_join(root, path);
		free(root);
	}
	char *r = resolve_abs(full);
	free(full);
	return r ? r : xstrdup("(a symlink loop)");
}

/* The repository-relative name of path when, written out, it is inside; else NULL. */
static char *repo_rel(const char *root, const char *path)
{
	char *joined = path_join(root, path);
	char *r = norm_abs(root), *p = norm_abs(joined);
	const char *rest = below(r, p);
	char *rel = rest ? xstrdup(*rest ? rest : ".") : NULL;
	free(joined);
	free(r);
	free(p);
	return rel;
}

/* ---- what widens ---------------------------------------------------------- */

struct wctx {
	const char *root;
	char *real_root;
	const json_t *base;
};

/* 1 when the project's value pv widens over the base's bv; *host may get the
 * host path(s) it reaches. */
typedef int (*widen_fn)(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host);

struct widen_rule {
	const char *key;
	widen_fn widens;
};

static int differs(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return !json_equal(pv, bv);
}

static int set_and_differs(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return !json_is_null(pv) && !json_equal(pv, bv);
}

static int turned_true(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return json_is_true(pv) && !json_is_true(bv);
}

static int turned_false(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return json_is_false(pv) && json_is_true(bv);
}

static int not_host_user(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return json_is_string(pv) && strcmp(json_string_value(pv), "host") && !json_equal(pv, bv);
}

/* Another volume as the agent's home (it could be anyone's); "none" only narrows. */
static int other_volume(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return json_is_string(pv) && strcmp(json_string_value(pv), "none") && !json_equal(pv, bv);
}

static int net_rank(const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "bridge";
	return !strcmp(s, "none") ? 0 : !strcmp(s, "bridge") ? 1 : 2;
}

static int wider_network(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return net_rank(pv) > net_rank(bv);
}

static int in_list(const json_t *arr, const json_t *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
		if (json_equal(e, v))
			return 1;
	return 0;
}

static int new_entries(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	size_t i;
	json_t *e;
	json_array_foreach(pv, i, e)
		if (!in_list(bv, e))
			return 1;
	return 0;
}

/* An allowlist the user keeps: the project may drop entries, not add or empty it. */
static int wider_allowlist(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	return json_array_size(bv) && (!json_array_size(pv) || new_entries(w, pv, bv, host));
}

static int outside_allowlist(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	const json_t *globs = json_path(w->base, "docker.allowed_images");
	size_t i;
	json_t *g;
	if (!json_is_string(pv) || !json_array_size(globs))
		return 0;
	json_array_foreach(globs, i, g)
		if (json_is_string(g) && fnmatch(json_string_value(g), json_string_value(pv), 0) == 0)
			return 0;
	return 1;
}

/* A JSON string for a host path; one that is not UTF-8 goes by its hash. */
static json_t *path_json(const char *p)
{
	json_t *s = json_string(p);
	if (s)
		return s;
	char hex[HASH_HEX_LEN + 1];
	hash_hex(p, strlen(p), hex);
	return json_sprintf("(not UTF-8, hash %s)", hex);
}

/* The host path p reaches when that is outside the repository, else NULL. */
static char *outside_path(const struct wctx *w, const char *p)
{
	char *r = trust_resolve(w->root, p);
	if (below(w->real_root, r)) {
		free(r);
		return NULL;
	}
	return r;
}

static int host_path(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	if (!json_is_string(pv) || json_equal(pv, bv))
		return 0;
	char *out = outside_path(w, json_string_value(pv));
	if (out)
		*host = path_json(out);
	free(out);
	return out != NULL;
}

/* The source of a mount: Docker's -v form ("SRC:DST[:OPTS]"), or --mount's
 * ("type=bind,source=SRC,target=DST", in case an entry is written that way). */
static char *mount_src(const char *m)
{
	if (strchr(m, '=')) {
		char *copy = xstrdup(m), *save = NULL, *src = NULL;
		for (char *f = strtok_r(copy, ",", &save); f && !src; f = strtok_r(NULL, ",", &save))
			if (!strncmp(f, "source=", 7) || !strncmp(f, "src=", 4))
				src = xstrdup(strchr(f, '=') + 1);
		free(copy);
		return src;
	}
	const char *colon = strchr(m, ':');
	return colon ? xstrndup(m, (size_t)(colon - m)) : NULL;
}

/* The host path a mount reads, or NULL for a named volume (no '/') or an
 * anonymous one (no source). */
static char *mount_source(const char *m)
{
	char *src = mount_src(m);
	int path = src && (src[0] == '~' || strchr(src, '/') || !strcmp(src, ".") || !strcmp(src, ".."));
	if (!path) {
		free(src);
		return NULL;
	}
	return src;
}

static int outside_mounts(const struct wctx *w, const json_t *pv, const json_t *bv, json_t **host)
{
	json_t *hosts = json_array(), *e;
	size_t i;
	json_array_foreach(pv, i, e) {
		if (!json_is_string(e) || in_list(bv, e))
			continue;
		char *src = mount_source(json_string_value(e));
		char *out = src ? outside_path(w, src) : NULL;
		if (out)
			json_array_append_new(hosts, path_json(out));
		free(src);
		free(out);
	}
	if (!json_array_size(hosts)) {
		json_decref(hosts);
		return 0;
	}
	*host = hosts;
	return 1;
}

static const struct widen_rule rules[] = {
	/* run a program on the host */
	{ "agent.command", differs },
	{ "agent.login_command", differs },
	{ "agent.skip_permissions_args", differs },
	{ "ide.command", set_and_differs },
	{ "docker.runtime", differs },
	/* widen what the container may touch */
	{ "docker.docker_args", differs },
	{ "docker.user", not_host_user },
	{ "docker.resources.gpus", set_and_differs },
	{ "docker.network.mode", wider_network },
	{ "docker.network.isolation", turned_false },
	{ "docker.network.allowed_domains", new_entries },
	{ "docker.network.egress", differs },
	{ "docker.allow_dangerous_mounts", turned_true },
	{ "docker.allow_custom_images", turned_true },
	{ "docker.allowed_images", wider_allowlist },
	{ "docker.home_volume", other_volume },
	{ "docker.forward_env", new_entries },
	{ "docker.mounts", outside_mounts },
	/* read host files into a container or an image */
	{ "docker.dockerfile", host_path },
	{ "docker.build.context", host_path },
	{ "docker.default_env_file", host_path },
	{ "docker.setup_script", host_path },
};

static const struct widen_rule profile_rules[] = {
	{ "docker_args", differs },  { "volumes", outside_mounts }, { "image", outside_allowlist },
	{ "env_file", host_path },   { "dockerfile", host_path }, { "resources.gpus", set_and_differs },
	{ "setup_script", host_path }, { "network.mode", wider_network }, { "network.isolation", turned_false },
	{ "network.allowed_domains", new_entries }, { "network.egress", differs },
};

void trust_keys_clear(struct trust_keys *k)
{
	for (size_t i = 0; i < k->nr; i++) {
		free(k->v[i].key);
		json_decref(k->v[i].value);
	}
	free(k->v);
	memset(k, 0, sizeof *k);
}

static void check_rule(const struct wctx *w, const struct widen_rule *r, const char *key, const json_t *pv,
		       const json_t *bv, struct trust_keys *out)
{
	json_t *host = NULL;
	if (!pv || !r->widens(w, pv, bv, &host))
		return;
	json_t *v = json_pack("{s:O}", "value", (json_t *)pv);
	if (host)
		json_object_set_new(v, "host", host);
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	out->v[out->nr].key = xstrdup(key);
	out->v[out->nr].value = v;
	out->nr++;
}

void trust_widening(const json_t *base, const json_t *project, const char *repo_root, struct trust_keys *out)
{
	struct wctx w = { repo_root, real_root(repo_root), base };
	const char *name;
	json_t *p;
	for (size_t i = 0; i < NELEM(rules); i++)
		check_rule(&w, &rules[i], rules[i].key, json_path(project, rules[i].key), json_path(base, rules[i].key),
			   out);
	json_t *bprofiles = json_path(base, "docker.profiles");
	json_object_foreach(json_path(project, "docker.profiles"), name, p) {
		json_t *bp = json_object_get(bprofiles, name);
		for (size_t i = 0; i < NELEM(profile_rules); i++) {
			const char *k = profile_rules[i].key;
			char *key = xasprintf("docker.profiles.%s.%s", name, k);
			char *global = xasprintf("docker.%s", k);
			json_t *bv = json_path(bp, k);
			/* a profile's network widens over the user's own docker.network */
			if (!bv && !strncmp(k, "network.", 8))
				bv = json_path(base, global);
			check_rule(&w, &profile_rules[i], key, json_path(p, k), bv, out);
			free(global);
			free(key);
		}
	}
	free(w.real_root);
}

/* ---- the record ------------------------------------------------------------ */

char *trust_store_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/para/trust", xdg);
	return xasprintf("%s/.local/state/para/trust", home ? home : "");
}

char *trust_record_path(const char *repo_root)
{
	char hex[HASH_HEX_LEN + 1];
	char *root = real_root(repo_root), *dir = trust_store_dir();
	hash_hex(root, strlen(root), hex);
	char *p = xasprintf("%s/%s.json", dir, hex);
	free(root);
	free(dir);
	return p;
}

json_t *trust_record_load(const char *repo_root)
{
	char *path = trust_record_path(repo_root), *root = real_root(repo_root);
	json_t *rec = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	const char *r = json_str(rec, "repo");
	if (rec && (!r || strcmp(r, root))) {
		json_decref(rec);
		rec = NULL;
	}
	free(path);
	free(root);
	return rec;
}

void trust_report_clear(struct trust_report *rep)
{
	trust_keys_clear(&rep->widening);
	strvec_clear(&rep->need);
	free(rep->trusted_at);
	rep->trusted_at = NULL;
}

void trust_evaluate(const struct trust_input *in, struct trust_report *rep)
{
	if (in->project)
		trust_widening(in->base, in->project, in->repo_root, &rep->widening);
	json_t *rec = trust_record_load(in->repo_root);
	const char *hash = json_str(rec, "hash"), *at = json_str(rec, "trusted_at");
	json_t *keys = json_object_get(rec, "keys");
	rep->recorded = rec != NULL;
	rep->same_file = rec && hash && in->hash && !strcmp(hash, in->hash);
	rep->trusted_at = at ? xstrdup(at) : NULL;
	for (size_t i = 0; i < rep->widening.nr; i++)
		if (!json_equal(json_object_get(keys, rep->widening.v[i].key), rep->widening.v[i].value))
			strvec_push(&rep->need, rep->widening.v[i].key);
	json_decref(rec);
	rep->state = !rep->widening.nr ? TRUST_NOT_NEEDED
		     : !rep->need.nr   ? TRUST_TRUSTED
		     : rep->recorded   ? TRUST_CHANGED
				       : TRUST_UNTRUSTED;
}

int trust_refusal(const struct trust_report *rep, struct error *err)
{
	struct strbuf keys = STRBUF_INIT;
	size_t n = rep->need.nr;
	for (size_t i = 0; i < n && i < MAX_NAMED; i++)
		strbuf_addf(&keys, "%s%s", i ? ", " : "", rep->need.v[i]);
	if (n > MAX_NAMED)
		strbuf_addf(&keys, " and %zu more", n - MAX_NAMED);
	if (rep->state == TRUST_CHANGED)
		error_set(err, PARA_EXIT_CONFIG, ".para/config.json changed since 'para trust': %s %s trust again", keys.buf,
			  n == 1 ? "needs" : "need");
	else
		error_set(err, PARA_EXIT_CONFIG, ".para/config.json sets %s that %s trust", keys.buf,
			  n == 1 ? "needs" : "need");
	strbuf_release(&keys);
	return error_hint(err, "review the file, then run 'para trust'");
}

/* The repository files para reads on its own, as the merged config names them. */
static void repo_files(const json_t *merged, struct strvec *out)
{
	static const char *const keys[] = { "docker.default_env_file", "docker.setup_script" };
	const char *name, *df = json_str(json_path(merged, "docker"), "dockerfile");
	const char *ctx = json_str(json_path(merged, "docker.build"), "context");
	json_t *p;
	strvec_pushl(out, ".para", ".para/config.json", NULL);
	if (json_is_true(json_path(merged, "docker.auto_env_file")))
		strvec_push(out, ".env");
	for (size_t i = 0; i < NELEM(keys); i++)
		if (json_is_string(json_path(merged, keys[i])))
			strvec_push(out, json_string_value(json_path(merged, keys[i])));
	strvec_pushl(out, ".para/setup.sh", ".para/setup-docker.sh", NULL);
	if (df) {
		char *dir = ctx ? xstrdup(ctx) : path_dirname(df);
		strvec_pushl(out, df, dir, NULL);
		strvec_pushf(out, "%s.dockerignore", df);
		strvec_pushf(out, "%s/.dockerignore", dir);
		free(dir);
	}
	json_object_foreach(json_path(merged, "docker.profiles"), name, p) {
		for (const char *const *k = (const char *const[]){ "env_file", "dockerfile", "setup_script", NULL }; *k; k++)
			if (json_str(p, *k))
				strvec_push(out, json_str(p, *k));
	}
}

/* Those of them that a symlink takes outside the repository: name → target. */
json_t *trust_escaping_files(const struct trust_input *in)
{
	struct strvec files = STRVEC_INIT;
	json_t *out = json_object();
	char *root = real_root(in->repo_root);
	repo_files(in->merged, &files);
	for (size_t i = 0; i < files.nr; i++) {
		char *abs = path_join(in->repo_root, files.v[i]);
		char *rel = repo_rel(in->repo_root, abs);
		char *res = rel ? resolve_abs(abs) : NULL;
		if (rel && (!res || !below(root, res)))
			json_object_set_new(out, rel, path_json(res ? res : "(a symlink loop)"));
		free(abs);
		free(rel);
		free(res);
	}
	strvec_clear(&files);
	free(root);
	return out;
}

static char *now_iso(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

int trust_record(const struct trust_input *in, json_t **out, struct error *err)
{
	struct trust_keys w = TRUST_KEYS_INIT;
	json_t *keys = json_object();
	char *root = real_root(in->repo_root), *at = now_iso();
	char *dir = trust_store_dir(), *path = trust_record_path(in->repo_root);
	if (in->project)
		trust_widening(in->base, in->project, in->repo_root, &w);
	for (size_t i = 0; i < w.nr; i++)
		json_object_set(keys, w.v[i].key, w.v[i].value);
	json_t *rec = json_pack("{s:i, s:s, s:s?, s:s?, s:s, s:o, s:o}", "version", 1, "repo", root, "file", in->file,
				"hash", in->hash, "trusted_at", at, "keys", keys, "files", trust_escaping_files(in));
	int r = rec ? mkdir_p(dir, 0700, err) : error_set(err, PARA_EXIT_FAIL, "cannot record trust: a path is not UTF-8");
	if (r == 0)
		r = json_write_file(path, rec, 1, err);
	if (r == 0 && out)
		*out = json_incref(rec);
	json_decref(rec);
	trust_keys_clear(&w);
	free(root);
	free(at);
	free(dir);
	free(path);
	return r;
}

int trust_forget(const char *repo_root, int *removed, struct error *err)
{
	char *path = trust_record_path(repo_root);
	int r = 0;
	*removed = unlink(path) == 0;
	if (!*removed && errno != ENOENT)
		r = error_errno(err, PARA_EXIT_FAIL, "cannot remove the trust record '%s'", path);
	free(path);
	return r;
}

int trust_check_file(const char *repo_root, const char *path, struct error *err)
{
	char *rel = repo_rel(repo_root, path);
	if (!rel)
		return 0;
	char *abs = path_join(repo_root, path), *root = real_root(repo_root);
	char *res = resolve_abs(abs);
	int ok = res && below(root, res);
	if (!ok) {
		json_t *rec = trust_record_load(repo_root);
		const char *t = json_str(json_object_get(rec, "files"), rel);
		ok = res && t && !strcmp(t, res);
		json_decref(rec);
	}
	if (!ok) {
		error_set(err, PARA_EXIT_CONFIG, "'%s' leads through a symlink to '%s', outside the repository", rel,
			  res ? res : "(a symlink loop)");
		error_hint(err, "review it, then run 'para trust'");
	}
	free(rel);
	free(abs);
	free(root);
	free(res);
	return ok ? 0 : -1;
}
