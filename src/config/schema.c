#include "config/schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse/units.h"
#include "parse/volspec.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *const prompt_modes[] = { "arg", "stdin", NULL };
static const char *const pull_modes[] = { "missing", "never", "always", NULL };
static const char *const net_modes[] = { "bridge", "host", "none", NULL };

#define STR_OR_NULL (T_STR | T_NULL)
#define RESOURCE_RULES(p)                                                                              \
	{ p "resources", T_OBJ, NULL, "limits for the container (see RESOURCES in para(1))" },                   \
	{ p "resources.memory", STR_OR_NULL, NULL, "memory limit, a size such as 512m or 2g" },                    \
	{ p "resources.cpus", T_STR | T_NUM | T_NULL, NULL, "CPUs the container may use, such as 1.5" },        \
	{ p "resources.pids_limit", T_INT | T_NULL, NULL, "most processes at once" },                              \
	{ p "resources.gpus", STR_OR_NULL, NULL, "GPUs, as docker run --gpus takes them (all, a count)" },          \
	{ p "resources.shm_size", STR_OR_NULL, NULL, "size of /dev/shm" }
#define NETWORK_RULES(p)                                                                               \
	{ p "network", T_OBJ, NULL, "the container's network" },                                               \
	{ p "network.mode", T_STR, net_modes, "bridge, host or none" },                                         \
	{ p "network.isolation", T_BOOL, NULL, "let the agent reach allowed_domains only, through para's proxy" },    \
	{ p "network.allowed_domains", T_STRV, NULL, "what isolation lets through: host, *.suffix, [:port]" },       \
	{ p "network.egress", STR_OR_NULL, NULL, "the network the proxy reaches out through (null: bridge)" }

const struct key_rule schema_rules[] = {
	{ "agent", T_OBJ, NULL, "the coding agent each session runs" },
	{ "agent.command", T_STRV, NULL, "the agent's argv" },
	{ "agent.prompt", T_STR, prompt_modes, "how the agent gets the prompt: as its last argument or on stdin" },
	{ "agent.skip_permissions_args", T_STRV, NULL, "arguments --skip-permissions adds" },
	{ "agent.login_command", T_STRV, NULL, "the agent's login command" },
	{ "git", T_OBJ, NULL, "session branches" },
	{ "git.branch_prefix", T_STR, NULL, "session branches are PREFIX/NAME" },
	{ "ide", T_OBJ, NULL, "the editor para opens" },
	{ "ide.command", STR_OR_NULL, NULL, "the editor para open launches, split like sh words (null: none)" },
	{ "docker", T_OBJ, NULL, "container sessions (--container)" },
	{ "docker.runtime", T_STR, NULL, "the engine CLI: docker or podman" },
	{ "docker.default_image", T_STR, NULL, "the image when no other rule chooses one" },
	{ "docker.dockerfile", STR_OR_NULL, NULL, "the project Dockerfile, built when it exists" },
	{ "docker.build", T_OBJ, NULL, "how the project Dockerfile is built" },
	{ "docker.build.context", STR_OR_NULL, NULL, "the build context (null: the Dockerfile's folder)" },
	{ "docker.build.args", T_STRMAP, NULL, "build arguments (--build-arg)" },
	{ "docker.build.target", STR_OR_NULL, NULL, "the stage to build (--target)" },
	{ "docker.pull", T_STR, pull_modes, "when images are pulled: missing, never or always" },
	{ "docker.allow_custom_images", T_BOOL, NULL, "whether --docker-image and profiles may name images" },
	{ "docker.allowed_images", T_STRV, NULL, "images allowed (patterns); empty: any" },
	{ "docker.user", T_STR, NULL, "who the agent runs as: host, image, or UID:GID" },
	{ "docker.home_volume", STR_OR_NULL, NULL,
	  "the volume kept as the agent's home (logins): a name, \"none\", or null for para-home-<agent>-<uid>" },
	{ "docker.forward_env", T_STRV, NULL, "host variables passed on when set" },
	{ "docker.env", T_STRMAP, NULL, "variables for the container" },
	{ "docker.default_env_file", STR_OR_NULL, NULL, "an env file read for every session" },
	{ "docker.auto_env_file", T_BOOL, NULL, "whether the repository's .env is read" },
	{ "docker.mounts", T_STRV, NULL, "mounts, SRC:DST[:ro|rw] (see MOUNTS in para(1))" },
	{ "docker.allow_dangerous_mounts", T_BOOL, NULL, "allow the engine socket, /, $HOME, ~/.ssh and the like" },
	RESOURCE_RULES("docker."),
	{ "docker.docker_args", T_STRV, NULL, "more docker run flags (checked; see RAW ENGINE FLAGS)" },
	{ "docker.setup_script", STR_OR_NULL, NULL, "a script run once in each new container" },
	NETWORK_RULES("docker."),
	{ "docker.default_profile", STR_OR_NULL, NULL, "the profile used without --docker-profile" },
	{ "docker.profiles", T_OBJ, NULL, "named profiles (--docker-profile NAME)" },
	{ "docker.profiles.*", T_OBJ, NULL, "a profile" },
	{ "docker.profiles.*.extends", T_STR | T_STRV | T_NULL, NULL, "the profiles this one builds on, in order" },
	{ "docker.profiles.*.image", STR_OR_NULL, NULL, "the profile's image" },
	{ "docker.profiles.*.dockerfile", STR_OR_NULL, NULL, "the profile's Dockerfile" },
	{ "docker.profiles.*.env_file", STR_OR_NULL, NULL, "an env file of the profile's" },
	{ "docker.profiles.*.env_vars", T_STRMAP, NULL, "the profile's variables" },
	{ "docker.profiles.*.volumes", T_STRV, NULL, "the profile's mounts" },
	{ "docker.profiles.*.docker_args", T_STRV, NULL, "the profile's docker run flags" },
	{ "docker.profiles.*.setup_script", STR_OR_NULL, NULL, "the profile's setup script" },
	RESOURCE_RULES("docker.profiles.*."),
	NETWORK_RULES("docker.profiles.*."),
};
const size_t schema_nrules = sizeof schema_rules / sizeof schema_rules[0];

/* path (dotted, "*" a wildcard) against keys[0..n); with fill, the keys
 * the wildcards stand for are written into it. */
static int path_matches(const char *path, const char *const *keys, size_t n)
{
	size_t i = 0;
	for (const char *p = path; i < n; i++) {
		size_t len = strcspn(p, ".");
		if (!(len == 1 && *p == '*') && (strlen(keys[i]) != len || strncmp(p, keys[i], len)))
			return 0;
		p += len;
		if (*p != '.')
			return i + 1 == n;
		p++;
	}
	return 0;
}

const struct key_rule *schema_rule(const char *const *keys, size_t n)
{
	static const struct key_rule string_value = { "", T_STR, NULL, "a string" };
	for (size_t i = 0; i < schema_nrules; i++)
		if (path_matches(schema_rules[i].path, keys, n))
			return &schema_rules[i];
	/* a key of an object of strings */
	const struct key_rule *parent = n > 1 ? schema_rule(keys, n - 1) : NULL;
	return parent && (parent->types & T_STRMAP) ? &string_value : NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

/* A rule's path with its wildcards as the keys at their places. */
static char *instantiate(const char *path, const char *const *keys, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0;
	for (const char *p = path; *p; i++) {
		size_t len = strcspn(p, ".");
		if (len == 1 && *p == '*' && i < n)
			strbuf_addstr(&sb, keys[i]);
		else
			strbuf_add(&sb, p, len);
		p += len;
		if (*p == '.')
			strbuf_addch(&sb, *p++);
	}
	return strbuf_detach(&sb, NULL);
}

char *schema_nearest(const char *const *keys, size_t n)
{
	struct strbuf want = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&want, "%s%s", i ? "." : "", keys[i]);
	char *best = NULL;
	size_t best_d = 5; /* closer than this, or nothing */
	for (size_t i = 0; i < schema_nrules; i++) {
		char *cand = instantiate(schema_rules[i].path, keys, n);
		size_t d = edit_distance(want.buf, cand);
		if (d < best_d) {
			best_d = d;
			free(best);
			best = cand;
		} else {
			free(cand);
		}
	}
	strbuf_release(&want);
	return best;
}

static int type_ok(const json_t *v, unsigned types)
{
	size_t i;
	const char *k;
	json_t *e;
	if (((types & T_STR) && json_is_string(v)) || ((types & T_NULL) && json_is_null(v)) ||
	    ((types & T_BOOL) && json_is_boolean(v)) || ((types & T_INT) && json_is_integer(v)) ||
	    ((types & T_NUM) && json_is_number(v)) || ((types & T_OBJ) && json_is_object(v)))
		return 1;
	if ((types & T_STRV) && json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!json_is_string(e))
				return 0;
		return 1;
	}
	if ((types & T_STRMAP) && json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e)
			if (!json_is_string(e))
				return 0;
		return 1;
	}
	return 0;
}

char *schema_type_name(unsigned types)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ T_STR, "a string" }, { T_STRV, "a list of strings" }, { T_STRMAP, "an object of strings" },
		{ T_OBJ, "an object" }, { T_BOOL, "true or false" }, { T_INT, "a whole number" },
		{ T_NUM, "a number" }, { T_NULL, "null" },
	};
	struct strvec parts = STRVEC_INIT;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((types & names[i].bit) && !(names[i].bit == T_INT && (types & T_NUM)))
			strvec_push(&parts, names[i].name);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < parts.nr; i++)
		strbuf_addf(&sb, "%s%s", i == 0 ? "" : i + 1 == parts.nr ? " or " : ", ", parts.v[i]);
	strvec_clear(&parts);
	return strbuf_detach(&sb, NULL);
}

static int bad_choice(const struct key_rule *r, const char *s, const char *where, const char *path,
		      struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *const *c = r->choices; *c; c++)
		strbuf_addf(&sb, "%s'%s'", c == r->choices ? "" : ", ", *c);
	error_set(err, PARA_EXIT_CONFIG, "%s%s'%s' is '%s'; use one of %s", where ? where : "", where ? ": " : "",
		  path, s, sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* A resources.KEY value the engine would refuse: -1 with err. */
static int resource_check(const struct key_rule *r, const json_t *v, const char *where, const char *path,
			  struct error *err)
{
	const char *key = strrchr(r->path, '.') + 1;
	char *text = json_is_string(v)	  ? xstrdup(json_string_value(v))
		     : json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
		     : json_is_real(v)	  ? xasprintf("%g", json_real_value(v))
					  : NULL;
	const char *want = text ? units_resource_want(key, text) : NULL;
	if (want)
		error_set(err, PARA_EXIT_CONFIG, "%s%s'%s' is '%s'; give %s", where ? where : "", where ? ": " : "",
			  path, text, want);
	free(text);
	return want ? -1 : 0;
}

/* A volume name the engine takes, or "none"; a bad one is shown on one line. */
static int home_volume_check(const char *s, const char *where, const char *path, struct error *err)
{
	if (!strcmp(s, "none") || volspec_name_ok(s))
		return 0;
	char shown[81];
	size_t n = 0;
	for (; s[n] && n + 1 < sizeof shown; n++)
		shown[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
	shown[n] = '\0';
	return error_set(err, PARA_EXIT_CONFIG, "%s%s'%s' is '%s', not a volume name; give [a-zA-Z0-9][a-zA-Z0-9_.-]+ "
			 "(two characters at least), \"none\", or null", where ? where : "", where ? ": " : "", path, shown);
}

int schema_check(const struct key_rule *r, const json_t *v, const char *where, const char *path,
		 struct error *err)
{
	if (!type_ok(v, r->types)) {
		char *t = schema_type_name(r->types);
		error_set(err, PARA_EXIT_CONFIG, "%s%s'%s' must be %s", where ? where : "", where ? ": " : "", path, t);
		free(t);
		return -1;
	}
	if (r->choices && json_is_string(v)) {
		for (const char *const *c = r->choices; *c; c++)
			if (!strcmp(*c, json_string_value(v)))
				return 0;
		return bad_choice(r, json_string_value(v), where, path, err);
	}
	if (strstr(r->path, "resources.") && !json_is_null(v))
		return resource_check(r, v, where, path, err);
	if (!strcmp(r->path, "docker.home_volume") && json_is_string(v))
		return home_volume_check(json_string_value(v), where, path, err);
	return 0;
}

json_t *schema_value_from_word(const struct key_rule *r, const char *path, const char *word, struct error *err)
{
	json_t *v = NULL;
	if ((r->types & ~T_NOT_YET) != T_STR) {
		json_error_t je;
		v = json_loads(word, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (v && !type_ok(v, r->types)) {
			json_decref(v);
			v = NULL;
		}
	}
	if (!v && (r->types & T_STR))
		v = json_string(word);
	if (!v) {
		char *t = schema_type_name(r->types);
		error_set(err, PARA_EXIT_CONFIG, "'%s' takes %s, not '%s'", path, t, word);
		free(t);
		if (r->types & (T_STRV | T_STRMAP | T_OBJ))
			error_hint(err, "give it as JSON, e.g. '[\"a\", \"b\"]' or '{\"K\": \"v\"}'");
		return NULL;
	}
	if (schema_check(r, v, NULL, path, err) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}
