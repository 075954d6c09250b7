#include "container/mounts.h"

#include <stdlib.h>
#include <string.h>

#include "parse/volspec.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct layer {
	const char *origin; /* "--mount", "docker.mounts", … */
	int code;           /* the exit code of a refusal */
};

/* Is the first field key=value (docker's --mount CSV)? -v's cannot hold '='. */
static int is_csv(const char *spec)
{
	const char *eq = strchr(spec, '='), *comma = strchr(spec, ',');
	return eq && (!comma || eq < comma);
}

/* SPEC with a source of ~ or a relative path made absolute; a new string,
 * or NULL when ~ has no $HOME. */
static char *expand(const char *spec, const struct mount_inputs *in)
{
	const char *colon = strchr(spec, ':');
	if (is_csv(spec) || !colon)
		return xstrdup(spec); /* no source to expand: an anonymous volume */
	size_t n = (size_t)(colon - spec);
	if (spec[0] == '~' && (n == 1 || spec[1] == '/'))
		return in->home ? xasprintf("%s%s", in->home, spec + 1) : NULL;
	int rel = spec[0] == '.' && (n == 1 || spec[1] == '/' || (spec[1] == '.' && (n == 2 || spec[2] == '/')));
	if (!rel)
		return xstrdup(spec);
	char *src = xasprintf("%s/%.*s", in->repo_root, (int)n, spec), *norm = dargs_normalise(src);
	char *out = xasprintf("%s%s", norm, colon);
	free(src);
	free(norm);
	return out;
}

static int covers(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (!strcmp(a, "/"))
		return 1;
	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* A host path that is, holds or sits inside dir (symlinks followed when the
 * danger rules can resolve them). */
static int touches(const struct mount_inputs *in, const char *path, const char *dir)
{
	if (!dir)
		return 0;
	int hit = covers(path, dir) || covers(dir, path);
	char *real = !hit && in->danger && in->danger->resolve ? in->danger->resolve(path, in->danger->resolve_ctx)
							      : NULL;
	if (real)
		hit = covers(real, dir) || covers(dir, real);
	free(real);
	return hit;
}

/* A target over or under one of para's own mounts (the first npara of s). */
static const char *shadowed(const struct container_spec *s, size_t npara, const char *target)
{
	for (size_t i = 0; i < npara; i++)
		if (covers(target, s->mounts[i].dst) || covers(s->mounts[i].dst, target))
			return s->mounts[i].dst;
	return NULL;
}

static int refuse(const struct layer *l, const char *spec, struct error *err, const char *what)
{
	error_set(err, l->code, "%s: mount '%s' %s", l->origin, spec, what);
	return -1;
}

/* The danger rules, applied to the bind as docker_args would see it. */
static int check_danger(const struct mount_inputs *in, const struct layer *l, const char *spec,
			const struct volspec *v, struct error *err)
{
	static const char *const no_sockets[] = { NULL };
	struct dargs_ctx none = { NULL, NULL, no_sockets, NULL, NULL, NULL };
	struct strbuf word = STRBUF_INIT;
	strbuf_addf(&word, "--mount=type=bind,source=%s,target=%s", v->host_path, v->target);
	const char *args[] = { word.buf, NULL };
	struct error e = ERROR_INIT;
	int r = dargs_check(args, in->danger ? in->danger : &none, l->origin, &e);
	strbuf_release(&word);
	if (r < 0) {
		/* said of the mount as the user wrote it, with the rule's name */
		const char *rule = strstr(e.msg, "(rule: ");
		error_set(err, l->code, "%s: mount '%s' is refused %s", l->origin, spec, rule ? rule : "");
		error_hint(err, "set docker.allow_dangerous_mounts in your user config to allow it");
	}
	return r;
}

/* What of docker's --mount para does not pass on, or NULL. */
static const char *unsupported(const struct volspec *v)
{
	if (v->type == VOLSPEC_IMAGE)
		return "is an image mount, which para does not make";
	if ((v->subpath && *v->subpath) || (v->driver && *v->driver) || v->labels.nr || v->driver_opts.nr)
		return "uses a volume-subpath, volume-driver, volume-label or volume-opt, which para does not pass on";
	if (v->nonrecursive || v->readonly_nonrecursive || v->readonly_recursive || v->create_src)
		return "uses bind-recursive or bind-create-src, which para does not pass on";
	if (v->tmpfs_size || v->tmpfs_mode)
		return "uses tmpfs-size or tmpfs-mode, which para does not pass on";
	return NULL;
}

static int check(const struct config *cfg, const struct mount_inputs *in, const struct layer *l,
		 const struct container_spec *s, size_t npara, const char *spec, const struct volspec *v,
		 struct error *err)
{
	const char *para = shadowed(s, npara, v->target);
	if (para)
		return refuse(l, spec, err, strcmp(para, v->target) ? "would cover or sit inside one of para's own"
								    : "would replace one of para's own");
	if (v->mode && strpbrk(v->mode, "zZ"))
		return refuse(l, spec, err, "asks for SELinux relabelling (z, Z), which para's --mount cannot express");
	const char *extra = unsupported(v);
	if (extra)
		return refuse(l, spec, err, extra);
	if (v->type != VOLSPEC_BIND) {
		if (volspec_check_local_name(spec, v, err) == 0)
			return 0;
		err->code = l->code;
		return error_wrap(err, "%s", l->origin);
	}
	if (touches(in, v->host_path, in->git_dir) || touches(in, v->host_path, in->para_dir))
		return refuse(l, spec, err, "would share the repository's git directory or .para with the container "
					    "(a hook written there runs on the host)");
	if (in->exists && !in->exists(v->host_path, in->ctx)) {
		error_set(err, l->code, "%s: mount '%s': the host path '%s' does not exist", l->origin, spec,
			  v->host_path);
		return error_hint(err, "create it first: para never makes a folder for a mount");
	}
	if (!config_bool(cfg, "docker.allow_dangerous_mounts") && check_danger(in, l, spec, v, err) < 0)
		return -1;
	return 0;
}

static void put(struct container_spec *s, const struct volspec *v)
{
	static const enum spec_mount_type types[] = { [VOLSPEC_BIND] = MOUNT_BIND, [VOLSPEC_VOLUME] = MOUNT_VOLUME,
						      [VOLSPEC_TMPFS] = MOUNT_TMPFS, [VOLSPEC_IMAGE] = MOUNT_VOLUME };
	int rprivate = !v->propagation || !*v->propagation || !strcmp(v->propagation, "rprivate");
	struct spec_mount m = { types[v->type], v->type == VOLSPEC_BIND ? v->host_path : v->source, v->target,
				v->readonly,
				v->type == VOLSPEC_BIND && !rprivate ? v->propagation : NULL,
				v->type == VOLSPEC_VOLUME && !v->copy_data };
	spec_put_mount(s, &m);
}

static int one(const struct config *cfg, const struct mount_inputs *in, const struct layer *l,
	       struct container_spec *s, size_t npara, const char *spec, struct error *err)
{
	struct volspec v = VOLSPEC_INIT;
	char *full = expand(spec, in);
	if (!full)
		return refuse(l, spec, err, "starts with ~, and $HOME is not set");
	/* a path or a name first is -v's form, even with a '=' in it */
	int r = is_csv(full) && full[0] != '/' ? volspec_parse_mount(full, NULL, NULL, &v, err)
					       : volspec_parse_volume(full, &v, err);
	if (r < 0) {
		err->code = l->code;
		error_wrap(err, "%s", l->origin);
	}
	if (r == 0)
		r = check(cfg, in, l, s, npara, spec, &v, err);
	if (r == 0)
		put(s, &v);
	volspec_clear(&v);
	free(full);
	return r;
}

static int layer(const struct config *cfg, const struct mount_inputs *in, const struct layer *l,
		 const struct strvec *specs, struct container_spec *s, size_t npara, struct error *err)
{
	for (size_t i = 0; i < specs->nr; i++)
		if (one(cfg, in, l, s, npara, specs->v[i], err) < 0)
			return -1;
	return 0;
}

/* PARA_DOCKER_MOUNTS: comma-separated, empty entries skipped. */
static void split_env(const char *env, struct strvec *out)
{
	while (env && *env) {
		size_t n = strcspn(env, ",");
		if (n)
			strvec_push_nodup(out, xstrndup(env, n));
		env += n + (env[n] == ',');
	}
}

int mounts_resolve(const struct config *cfg, const struct mount_inputs *in, const json_t *profile,
		   const char *pname, struct container_spec *s, struct error *err)
{
	struct strvec v[4] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	char *porigin = xasprintf("profile '%s' volumes", pname ? pname : "");
	const struct layer layers[4] = {
		{ "docker.mounts", PARA_EXIT_CONFIG },
		{ porigin, PARA_EXIT_CONFIG },
		{ "PARA_DOCKER_MOUNTS", PARA_EXIT_CONFIG },
		{ "--mount", PARA_EXIT_USAGE },
	};
	config_strv(cfg, "docker.mounts", &v[0]);
	if (profile)
		json_strv(json_object_get(profile, "volumes"), &v[1]);
	split_env(in->env, &v[2]);
	if (in->cli)
		strvec_pushv(&v[3], in->cli);
	size_t npara = s->nmounts;
	int r = 0;
	for (size_t i = 0; r == 0 && i < 4; i++)
		r = layer(cfg, in, &layers[i], &v[i], s, npara, err);
	for (size_t i = 0; i < 4; i++)
		strvec_clear(&v[i]);
	free(porigin);
	return r;
}
