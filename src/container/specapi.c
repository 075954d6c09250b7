/*
 * A container spec as the Engine API's create body: the fields the docker
 * CLI itself sends for the `run` that spec_render_run() gives it (docker's
 * cli/command/container/opts.go and opts/mount.go), so that either way the
 * engine makes the same container (t_container checks one against the other).
 */
#include <stdlib.h>
#include <string.h>

#include "container/spec.h"
#include "parse/units.h"
#include "util/xalloc.h"

/* "k=v" (or "k": an empty value) into obj, as the CLI splits a --label. */
static int add_kv(json_t *obj, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
	json_t *v = json_string(eq ? eq + 1 : "");
	int r = v ? json_object_set_new(obj, k, v) : -1;
	free(k);
	return r;
}

static json_t *labels_json(const struct strvec *labels)
{
	json_t *o = json_object();
	for (size_t i = 0; i < labels->nr; i++)
		if (add_kv(o, labels->v[i]) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static const char *const api_mount_types[] = { "bind", "volume", "tmpfs" };

/* One --mount, as opts/mount.go reads it: BindOptions only when a bind-*
 * key was given; VolumeOptions (with an empty DriverConfig and Labels)
 * when a volume-* key was. */
static json_t *mount_json(const struct spec_mount *m, const struct strvec *labels)
{
	json_t *o = json_object(), *vo = NULL;
	int labelled = m->type == MOUNT_VOLUME && m->src && labels && labels->nr;
	json_object_set_new(o, "Type", json_string(api_mount_types[m->type]));
	if (m->src && json_object_set_new(o, "Source", json_string(m->src)) < 0)
		goto fail;
	if (json_object_set_new(o, "Target", json_string(m->dst)) < 0)
		goto fail;
	if (m->ro)
		json_object_set_new(o, "ReadOnly", json_true());
	if (m->propagation)
		json_object_set_new(o, "BindOptions", json_pack("{s:s}", "Propagation", m->propagation));
	if (m->type == MOUNT_VOLUME && (m->nocopy || labelled)) {
		json_t *l = labelled ? labels_json(labels) : json_object();
		if (!l)
			goto fail;
		vo = json_pack("{s:{}, s:o}", "DriverConfig", "Labels", l);
		if (m->nocopy)
			json_object_set_new(vo, "NoCopy", json_true());
		json_object_set_new(o, "VolumeOptions", vo);
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The home volume first (a user's volume below it mounts over it), every
 * named volume labelled as the CLI's volume-label makes it. */
static json_t *mounts_json(const struct container_spec *s)
{
	struct strvec home = STRVEC_INIT, vol = STRVEC_INIT;
	json_t *a = json_array();
	spec_home_volume_labels(s, &home);
	spec_volume_labels(s, &vol);
	int bad = 0;
	if (s->home_volume) {
		struct spec_mount m = { MOUNT_VOLUME, s->home_volume, (char *)SPEC_HOME, 0, NULL, 0 };
		bad |= json_array_append_new(a, mount_json(&m, &home)) < 0;
	}
	for (size_t i = 0; i < s->nmounts; i++)
		bad |= json_array_append_new(a, mount_json(&s->mounts[i], &vol)) < 0;
	strvec_clear(&home);
	strvec_clear(&vol);
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Variable i as "KEY=VALUE" into a (0), or -1 when JSON cannot hold it. */
static int env_entry(const struct spec_env *e, const char *(*shown)(const struct spec_env *, void *), void *ctx,
		     json_t *a)
{
	/* the value as it is sent decides (a dry run masks it after) */
	char *kv = xasprintf("%s=%s", e->key, e->value);
	json_t *v = json_string(kv);
	memset(kv, 0, strlen(kv));
	free(kv);
	if (v && shown && strcmp(e->source, "para")) {
		json_decref(v);
		kv = xasprintf("%s=%s", e->key, shown(e, ctx));
		v = json_string(kv);
		free(kv);
	}
	return v ? json_array_append_new(a, v) : -1;
}

/* Every variable the container is made with, in the order the CLI's run
 * gives the engine: its env file's, then para's own --env, then the "-e
 * KEY" ones (values an env file cannot hold). */
static json_t *env_json(const struct container_spec *s, const char *(*shown)(const struct spec_env *, void *),
			void *ctx)
{
	json_t *a = json_array();
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < s->nenv; i++) {
			const struct spec_env *e = &s->env[i];
			int own = !strcmp(e->source, "para");
			if (!e->value || e->at_exec)
				continue;
			int in = own ? 1 : env_value_fits_file(e->key, e->value) ? 0 : 2;
			if (in == pass && env_entry(e, shown, ctx, a) < 0) {
				json_decref(a);
				return NULL;
			}
		}
	return a;
}

/* --pids-limit, --memory, --cpus, --shm-size: as the CLI sends them. */
static int resources_json(const struct container_spec *s, json_t *hc)
{
	long long v;
	if (s->pids_limit > 0)
		json_object_set_new(hc, "PidsLimit", json_integer(s->pids_limit));
	if (s->memory) {
		if (units_ram_in_bytes(s->memory, &v) < 0)
			return -1;
		json_object_set_new(hc, "Memory", json_integer(v));
	}
	if (s->cpus) {
		if (units_nano_cpus(s->cpus, &v) < 0)
			return -1;
		json_object_set_new(hc, "NanoCpus", json_integer(v));
	}
	if (s->shm_size) {
		if (units_ram_in_bytes(s->shm_size, &v) < 0)
			return -1;
		json_object_set_new(hc, "ShmSize", json_integer(v));
	}
	return 0;
}

static json_t *host_config(const struct container_spec *s)
{
	/* what the CLI sends as empty lists when not given */
	json_t *hc = json_pack("{s:b, s:[s], s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:{}, s:{s:s}, s:[]}",
			       "Init", 1, "SecurityOpt", "no-new-privileges", "BlkioDeviceReadBps", "BlkioDeviceReadIOps",
			       "BlkioDeviceWriteBps", "BlkioDeviceWriteIOps", "BlkioWeightDevice", "Devices", "Dns",
			       "DnsOptions", "DnsSearch", "PortBindings", "RestartPolicy", "Name", "no", "Ulimits");
	json_t *mounts = mounts_json(s);
	/* an isolated agent is given no way to the host */
	if (!s->isolated)
		json_object_set_new(hc, "ExtraHosts", json_pack("[s]", "host.docker.internal:host-gateway"));
	json_object_set_new(hc, "NetworkMode",
			    json_string(s->network && strcmp(s->network, "bridge") ? s->network : "default"));
	if (s->isolated && s->proxy_ip)
		json_object_set_new(hc, "Dns", json_pack("[s]", s->proxy_ip));
	if (!mounts || resources_json(s, hc) < 0 || !json_object_get(hc, "NetworkMode") ||
	    (s->isolated && s->proxy_ip && !json_object_get(hc, "Dns"))) {
		json_decref(mounts);
		json_decref(hc);
		return NULL;
	}
	json_object_set_new(hc, "Mounts", mounts);
	return hc;
}

json_t *spec_render_create(const struct container_spec *s, const char *(*shown)(const struct spec_env *e, void *ctx),
			   void *ctx)
{
	if (s->extra_args.nr || s->gpus)
		return NULL;
	char *script = spec_keepalive_script(s);
	json_t *env = env_json(s, shown, ctx), *labels = labels_json(&s->labels), *hc = host_config(s);
	json_t *j = json_pack("{s:s, s:[s], s:[s,s], s:s, s:b, s:b, s:b, s:b, s:b}", "Image", s->image, "Entrypoint",
			      "sh", "Cmd", "-c", script, "WorkingDir", SPEC_WORKDIR, "AttachStdin", 0, "AttachStdout", 1,
			      "AttachStderr", 1, "Tty", 0, "OpenStdin", 0);
	free(script);
	if (!j || !env || !labels || !hc) {
		json_decref(j);
		json_decref(env);
		json_decref(labels);
		json_decref(hc);
		return NULL;
	}
	if (s->add_passwd)
		json_object_set_new(j, "User", json_string("0:0"));
	json_object_set_new(j, "Env", env);
	json_object_set_new(j, "Labels", labels);
	json_object_set_new(j, "HostConfig", hc);
	return j;
}

json_t *spec_render_exec_create(const struct container_spec *s, int interactive, const char *pidfile,
				const char *const *cmd, const char *(*shown)(const struct spec_env *e, void *ctx),
				void *ctx)
{
	struct strvec argv = STRVEC_INIT;
	json_t *env = json_array(), *args = json_array();
	int bad = 0;
	if (s->add_passwd || s->home_volume)
		json_array_append_new(env, json_string("HOME=" SPEC_HOME));
	if (s->add_passwd)
		json_array_append_new(env, json_string("USER=para"));
	for (size_t i = 0; i < s->nenv; i++)
		if (s->env[i].value && s->env[i].at_exec && strcmp(s->env[i].source, "para"))
			bad |= env_entry(&s->env[i], shown, ctx, env) < 0;
	spec_exec_cmd(s, pidfile, cmd, &argv);
	for (size_t i = 0; i < argv.nr; i++)
		bad |= json_array_append_new(args, json_string(argv.v[i])) < 0;
	strvec_clear(&argv);
	json_t *j = json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:s, s:o, s:o}", "Privileged", 0, "Tty", 0,
			      "AttachStdin", interactive, "AttachStderr", 1, "AttachStdout", 1, "Detach", 0, "DetachKeys",
			      "", "WorkingDir", SPEC_WORKDIR, "Env", env, "Cmd", args);
	if (j && s->user && json_object_set_new(j, "User", json_string(s->user)) < 0)
		bad = 1;
	if (bad || !j) {
		json_decref(j);
		return NULL;
	}
	return j;
}
