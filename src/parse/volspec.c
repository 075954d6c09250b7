/* Docker's -v and --mount specs, read as the Linux daemon reads them; see volspec.h. */
#include "parse/volspec.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse/gostr.h"
#include "parse/units.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* bytes of the spec a message shows, and of any one value in it */
#define SHOW_SPEC 200
#define SHOW_VALUE 80

/* One parse: the spec, where its error goes, and the strings made for the message. */
struct ps {
	const char *spec;
	struct error *err;
	struct strvec shown;
};

/* s[0, n) fit for a one-line message: control bytes escaped, cut after about max bytes. */
static const char *show_n(struct ps *p, const char *s, size_t n, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!p)
		return ""; /* fail() will set nothing */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (sb.len >= max && (c & 0xC0) != 0x80)
			break; /* never inside a UTF-8 sequence */
		if (c == '\n')
			strbuf_addstr(&sb, "\\n");
		else if (c == '\r')
			strbuf_addstr(&sb, "\\r");
		else if (c == '\t')
			strbuf_addstr(&sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, c);
	}
	if (i < n)
		strbuf_addstr(&sb, "...");
	strvec_push_nodup(&p->shown, strbuf_detach(&sb, NULL));
	return p->shown.v[p->shown.nr - 1];
}

static const char *show(struct ps *p, const char *s)
{
	return show_n(p, s, strlen(s), SHOW_VALUE);
}

/* -1 with "invalid mount 'SPEC': <what>"; p NULL only asks, and sets nothing. */
__attribute__((format(printf, 2, 3))) static int fail(struct ps *p, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (!p)
		return -1;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	error_set(p->err, PARA_EXIT_USAGE, "invalid mount '%s': %s", show_n(p, p->spec, strlen(p->spec), SHOW_SPEC),
		  what);
	free(what);
	return -1;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/* strings.ToLower where it matters: no other letter lowers to one that a key or type holds */
static void set_lower(char **dst, const char *s)
{
	set_str(dst, s);
	for (char *c = *dst; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

static char *backslashes_to_slashes(const char *s)
{
	char *r = xstrdup(s);

	for (char *c = r; *c; c++)
		if (*c == '\\')
			*c = '/';
	return r;
}

static int is_propagation(const char *s, size_t n)
{
	static const char *const modes[] = { "private", "rprivate", "slave", "rslave", "shared", "rshared" };

	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
		if (strlen(modes[i]) == n && !memcmp(modes[i], s, n))
			return 1;
	return 0;
}

/* The daemon's target rules: not empty, not "/", absolute (a '\' counts as '/'). */
static int check_target(struct ps *p, const char *target)
{
	char *slashed, *clean;
	int r = 0;

	if (!*target)
		return fail(p, "the target is empty");
	slashed = backslashes_to_slashes(target);
	clean = gostr_clean(slashed, strlen(slashed));
	if (!strcmp(clean, "/"))
		r = fail(p, "the target '%s' is the container's root", show(p, target));
	else if (slashed[0] != '/')
		r = fail(p, "the target '%s' is not an absolute path", show(p, target));
	free(clean);
	free(slashed);
	return r;
}

/* ---- -v: [SOURCE:]TARGET[:MODE] ------------------------------------------ */

enum { M_RW, M_LABEL, M_PROPAGATION, M_COPY, M_CONSISTENCY, M_CLASSES };

static const struct {
	const char *name;
	int cls;
} mode_opts[] = {
	{ "rw", M_RW },	{ "ro", M_RW }, { "z", M_LABEL }, { "Z", M_LABEL },
	{ "private", M_PROPAGATION }, { "rprivate", M_PROPAGATION }, { "slave", M_PROPAGATION },
	{ "rslave", M_PROPAGATION }, { "shared", M_PROPAGATION }, { "rshared", M_PROPAGATION },
	{ "nocopy", M_COPY }, { "consistent", M_CONSISTENCY }, { "cached", M_CONSISTENCY },
	{ "delegated", M_CONSISTENCY },
};

static const char *const class_names[M_CLASSES] = { "ro/rw", "z/Z", "propagation", "nocopy", "consistency" };

struct modeinfo {
	int readonly, nocopy;
	const char *propagation; /* into the mode string; NULL when none */
	size_t propagation_len;
};

static int mode_class(const char *o, size_t n)
{
	for (size_t i = 0; i < sizeof mode_opts / sizeof *mode_opts; i++)
		if (strlen(mode_opts[i].name) == n && !memcmp(mode_opts[i].name, o, n))
			return mode_opts[i].cls;
	return -1;
}

/* linuxValidMountMode, and what the mode says; p NULL only asks. */
static int mode_check(struct ps *p, const char *mode, struct modeinfo *mi)
{
	const char *seen[M_CLASSES] = { NULL };
	size_t seen_len[M_CLASSES] = { 0 };

	memset(mi, 0, sizeof *mi);
	for (const char *o = mode; *mode; o++) {
		size_t n = strcspn(o, ",");
		int cls = mode_class(o, n);

		if (cls < 0 && !n)
			return fail(p, "invalid mode '%s': an empty option between commas", show(p, mode));
		if (cls < 0)
			return fail(p, "invalid mode '%s': unknown option '%s'", show(p, mode), show_n(p, o, n, SHOW_VALUE));
		if (seen[cls] && seen_len[cls] == n && !memcmp(seen[cls], o, n))
			return fail(p, "invalid mode '%s': '%s' is given twice", show(p, mode), show_n(p, o, n, SHOW_VALUE));
		if (seen[cls])
			return fail(p, "invalid mode '%s': '%s' and '%s' are both %s options", show(p, mode),
				    show_n(p, seen[cls], seen_len[cls], SHOW_VALUE), show_n(p, o, n, SHOW_VALUE),
				    class_names[cls]);
		seen[cls] = o;
		seen_len[cls] = n;
		mi->readonly |= n == 2 && !memcmp(o, "ro", 2);
		mi->nocopy |= cls == M_COPY;
		if (cls == M_PROPAGATION) {
			mi->propagation = o;
			mi->propagation_len = n;
		}
		o += n;
		if (!*o)
			break;
	}
	return 0;
}

static void fill_volume(struct volspec *v, char *src, const char *dst, const char *mode, const struct modeinfo *mi)
{
	v->type = src && src[0] == '/' ? VOLSPEC_BIND : VOLSPEC_VOLUME;
	v->readonly = mi->readonly;
	v->source = src;
	v->target = gostr_clean(dst, strlen(dst));
	set_str(&v->mode, mode);
	if (v->type == VOLSPEC_BIND) {
		v->host_path = gostr_clean(src, strlen(src));
		free(v->propagation);
		v->propagation = mi->propagation ? xstrndup(mi->propagation, mi->propagation_len) : xstrdup("rprivate");
	}
	v->copy_data = !(v->type == VOLSPEC_VOLUME && mi->nocopy);
}

/* moby's linuxParser.ParseMountRaw (no volume driver), field by field. */
static int parse_volume(struct ps *p, struct volspec *v)
{
	const char *s = p->spec, *c1 = strchr(s, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
	const char *mode = c2 ? c2 + 1 : "";
	cleanup_free char *src = NULL, *dst = NULL;
	struct modeinfo mi;

	if (!*s)
		return fail(p, "the spec is empty");
	if (c1 == s)
		return fail(p, "the source is empty (SOURCE:TARGET[:MODE], or TARGET alone)");
	if (c3)
		return fail(p, "more than three ':'-separated fields (SOURCE:TARGET[:MODE])");
	if (c1) {
		src = xstrndup(s, (size_t)(c1 - s));
		dst = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	} else {
		dst = xstrdup(s);
	}
	/* SOURCE:MODE is no mount: "/foo:rw" (an empty target is a valid mode too) */
	if (c1 && !c2 && !*dst)
		return fail(p, "the target is empty");
	if (c1 && !c2 && mode_check(NULL, dst, &mi) == 0)
		return fail(p, "'%s' is a mode, not a target (SOURCE:TARGET:MODE)", show(p, dst));
	if (mode_check(p, mode, &mi) < 0 || check_target(p, dst) < 0)
		return -1;
	if (src && src[0] == '/' && mi.nocopy)
		return fail(p, "nocopy is for volumes, and '%s' is a host path (a bind mount)", show(p, src));
	if (src && src[0] != '/' && mi.propagation)
		return fail(p, "propagation '%s' is for bind mounts, and '%s' is a volume name",
			    show_n(p, mi.propagation, mi.propagation_len, SHOW_VALUE), show(p, src));
	fill_volume(v, src, dst, mode, &mi);
	src = NULL; /* v has it */
	return 0;
}

/* ---- --mount: encoding/csv's first record -------------------------------- */

static int is_line_end(const char *s)
{
	return !*s || *s == '\n' || (s[0] == '\r' && s[1] == '\n');
}

/* An unquoted field at *s; 1 when a ',' follows it (another field), 0 at the record's end. */
static int csv_unquoted(struct ps *p, const char **s, struct strbuf *f)
{
	const char *c = *s;

	for (; !is_line_end(c) && *c != ','; c++) {
		if (*c == '"')
			return fail(p, "a '\"' inside an unquoted field (quote the whole field)");
		strbuf_addch(f, *c);
	}
	*s = c + (*c == ',');
	return *c == ',';
}

/* A quoted field at *s (past its '"'): as csv_unquoted. Lines end in "\n" or "\r\n". */
static int csv_quoted(struct ps *p, const char **s, struct strbuf *f)
{
	for (const char *c = *s;;) {
		if (!*c)
			return fail(p, "a quoted field is not closed");
		if (c[0] == '\r' && c[1] == '\n') {
			strbuf_addch(f, '\n');
			c += 2;
		} else if (*c != '"') {
			strbuf_addch(f, *c++);
		} else if (c[1] == '"') {
			strbuf_addch(f, '"');
			c += 2;
		} else if (c[1] == ',') {
			*s = c + 2;
			return 1;
		} else if (is_line_end(c + 1)) {
			return 0;
		} else {
			return fail(p, "a '\"' inside a quoted field must be doubled");
		}
	}
}

/* csv.NewReader(s).Read(): s is trimmed, so its first line holds the record. */
static int csv_record(struct ps *p, const char *s, struct strvec *fields)
{
	struct strbuf f = STRBUF_INIT;
	int more;

	do {
		strbuf_reset(&f);
		if (*s == '"') {
			s++;
			more = csv_quoted(p, &s, &f);
		} else {
			more = csv_unquoted(p, &s, &f);
		}
		if (more >= 0)
			strvec_push(fields, f.buf);
	} while (more > 0);
	strbuf_release(&f);
	return more < 0 ? -1 : 0;
}

/* ---- --mount: the options ------------------------------------------------ */

/* What opts.MountOpt.Set builds beyond what goes straight into v. */
struct mnt {
	struct volspec *v;
	char *type;        /* lowercased */
	char *target;      /* as given; NULL when none */
	char *propagation; /* bind-propagation, lowercased; NULL when none */
	int bind_opts, volume_opts, image_opts, tmpfs_opts; /* the *Options the CLI would send */
	int nocopy;
};

/* parseBoolValue: no value is true; else 1, true, 0 or false. */
static int parse_bool(struct ps *p, const char *key, const char *val, int has_value, int *out)
{
	if (!has_value || !strcmp(val, "1") || !strcmp(val, "true"))
		*out = 1;
	else if (!strcmp(val, "0") || !strcmp(val, "false"))
		*out = 0;
	else
		return fail(p, "the value of '%s' must be true, 1, false or 0, not '%s'", key, show(p, val));
	return 0;
}

/* setValueOnMap: "k=v" (v "" when there is no '='); an empty key sets nothing. */
static void set_map(struct strvec *map, const char *kv)
{
	size_t kl = strcspn(kv, "=");
	char *entry;

	if (!kl)
		return;
	entry = kv[kl] ? xstrdup(kv) : xasprintf("%s=", kv);
	for (size_t i = 0; i < map->nr; i++)
		if (!strncmp(map->v[i], entry, kl + 1)) {
			free(map->v[i]);
			map->v[i] = entry;
			return;
		}
	strvec_push_nodup(map, entry);
}

/* strconv.ParseUint(val, 8, 32) */
static int parse_octal32(const char *s, unsigned *out)
{
	unsigned long long m = 0;

	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		m = m * 8 + (unsigned)(*s - '0');
		if (m > 0xFFFFFFFFull)
			return -1;
	}
	*out = (unsigned)m;
	return 0;
}

static int bind_option(struct ps *p, struct mnt *m, const char *key, const char *val, int has_value)
{
	struct volspec *v = m->v;

	if (!strcmp(key, "bind-propagation")) {
		m->bind_opts = 1;
		set_lower(&m->propagation, val);
		return 0;
	}
	if (!strcmp(key, "bind-nonrecursive"))
		return fail(p, "bind-nonrecursive is no longer supported: use bind-recursive=disabled");
	if (!strcmp(key, "bind-create-src")) {
		m->bind_opts = 1;
		return parse_bool(p, key, val, has_value, &v->create_src);
	}
	if (strcmp(key, "bind-recursive"))
		return fail(p, "unknown option '%s'", show(p, key));
	if (!strcmp(val, "enabled"))
		return 0; /* the default; it sets no bind options */
	if (!strcmp(val, "disabled"))
		v->nonrecursive = 1;
	else if (!strcmp(val, "writable"))
		v->readonly_nonrecursive = 1;
	else if (!strcmp(val, "readonly"))
		v->readonly_recursive = 1;
	else
		return fail(p, "bind-recursive must be enabled, disabled, writable or readonly, not '%s'", show(p, val));
	m->bind_opts = 1;
	return 0;
}

static int volume_option(struct ps *p, struct mnt *m, const char *key, const char *val, int has_value)
{
	struct volspec *v = m->v;

	m->volume_opts = 1;
	if (!strcmp(key, "volume-subpath"))
		set_str(&v->subpath, val);
	else if (!strcmp(key, "volume-nocopy"))
		return parse_bool(p, key, val, has_value, &m->nocopy);
	else if (!strcmp(key, "volume-label"))
		set_map(&v->labels, val);
	else if (!strcmp(key, "volume-driver"))
		set_str(&v->driver, val);
	else if (!strcmp(key, "volume-opt"))
		set_map(&v->driver_opts, val);
	else
		return fail(p, "unknown option '%s'", show(p, key));
	return 0;
}

static int tmpfs_option(struct ps *p, struct mnt *m, const char *key, const char *val)
{
	int r;

	if (!strcmp(key, "tmpfs-size")) {
		r = units_ram_in_bytes(val, &m->v->tmpfs_size);
		if (r == -2)
			return fail(p, "tmpfs-size '%s' is too large", show(p, val));
		if (r < 0)
			return fail(p, "invalid tmpfs-size '%s' (a number of bytes, or with k, m, g, t or p)", show(p, val));
	} else if (!strcmp(key, "tmpfs-mode")) {
		if (parse_octal32(val, &m->v->tmpfs_mode) < 0)
			return fail(p, "invalid tmpfs-mode '%s' (octal digits, as 1777)", show(p, val));
	} else {
		return fail(p, "unknown option '%s'", show(p, key));
	}
	m->tmpfs_opts = 1;
	return 0;
}

/* One key (lowercased) of opts.MountOpt.Set. */
static int mount_option(struct ps *p, struct mnt *m, const char *key, const char *val, int has_value)
{
	struct volspec *v = m->v;

	if (!strcmp(key, "type"))
		set_lower(&m->type, val);
	else if (!strcmp(key, "source") || !strcmp(key, "src"))
		set_str(&v->source, val);
	else if (!strcmp(key, "target") || !strcmp(key, "dst") || !strcmp(key, "destination"))
		set_str(&m->target, val);
	else if (!strcmp(key, "readonly") || !strcmp(key, "ro"))
		return parse_bool(p, key, val, has_value, &v->readonly);
	else if (!strncmp(key, "bind-", 5))
		return bind_option(p, m, key, val, has_value);
	else if (!strncmp(key, "volume-", 7))
		return volume_option(p, m, key, val, has_value);
	else if (!strncmp(key, "tmpfs-", 6))
		return tmpfs_option(p, m, key, val);
	else if (!strcmp(key, "image-subpath")) {
		set_str(&v->subpath, val);
		m->image_opts = 1;
	} else if (strcmp(key, "consistency")) /* consistency: any value, unused on Linux */
		return fail(p, "unknown option '%s'", show(p, key));
	return 0;
}

/* One CSV field: white space and key=value checks, then the option. */
static int mount_field(struct ps *p, struct mnt *m, const char *field)
{
	const char *eq = strchr(field, '=');
	size_t kl = eq ? (size_t)(eq - field) : strlen(field), a = 0, b = kl;
	const char *val = eq ? eq + 1 : "";
	cleanup_free char *key = NULL;

	gostr_trim_space(field, &a, &b);
	if (a != 0 || b != kl)
		return fail(p, "the option '%s' has white space around it", show_n(p, field + a, b - a, SHOW_VALUE));
	key = xstrndup(field, kl);
	if (eq) {
		size_t va = 0, vb = strlen(val);

		gostr_trim_space(val, &va, &vb);
		if (va == vb)
			return fail(p, "'%s' has no value after '='", show(p, key));
		if (va != 0 || vb != strlen(val))
			return fail(p, "the value of '%s' has white space around it", show(p, key));
	}
	for (char *c = key; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (!eq && strcmp(key, "readonly") && strcmp(key, "ro") && strcmp(key, "volume-nocopy") &&
	    strcmp(key, "bind-nonrecursive") && strcmp(key, "bind-create-src"))
		return fail(p, "'%s' is not key=value", show(p, field));
	return mount_option(p, m, key, val, eq != NULL);
}

/* validateMountOptions: each kind of option only with its type; the bind-recursive pairs. */
static int cli_checks(struct ps *p, const struct mnt *m)
{
	static const char *const kinds[] = { "bind", "volume", "image", "tmpfs" };
	const int given[] = { m->bind_opts, m->volume_opts, m->image_opts, m->tmpfs_opts };

	for (size_t i = 0; i < 4; i++)
		if (given[i] && strcmp(m->type, kinds[i]))
			return fail(p, "%s-* options are for type=%s, not type=%s", kinds[i], kinds[i], show(p, m->type));
	if (m->v->readonly_nonrecursive && !m->v->readonly)
		return fail(p, "bind-recursive=writable needs readonly");
	if (m->v->readonly_recursive && !m->v->readonly)
		return fail(p, "bind-recursive=readonly needs readonly");
	if (m->v->readonly_recursive && (!m->propagation || strcmp(m->propagation, "rprivate")))
		return fail(p, "bind-recursive=readonly needs bind-propagation=rprivate");
	return 0;
}

/* filepath.IsLocal on Linux */
static int is_local(const char *path)
{
	char *clean;
	int ok;

	if (!*path || path[0] == '/')
		return 0;
	clean = gostr_clean(path, strlen(path));
	ok = strcmp(clean, "..") && strncmp(clean, "../", 3);
	free(clean);
	return ok;
}

static int check_bind(struct ps *p, const struct mnt *m, volspec_exists_fn *exists, void *ctx)
{
	const char *src = m->v->source;
	char *slashed;
	int abs;

	if (!src)
		return fail(p, "a bind mount needs a source (source= or src=)");
	if (m->propagation && !is_propagation(m->propagation, strlen(m->propagation)))
		return fail(p, "invalid bind-propagation '%s' (private, rprivate, shared, rshared, slave or rslave)",
			    show(p, m->propagation));
	slashed = backslashes_to_slashes(src);
	abs = slashed[0] == '/';
	free(slashed);
	if (!abs)
		return fail(p, "the source '%s' is not an absolute path", show(p, src));
	if (exists && !m->v->create_src && !exists(src, ctx))
		return fail(p, "the source '%s' does not exist (bind-create-src would create it)", show(p, src));
	return 0;
}

/* The daemon's ParseMountSpec checks (validateMountConfigImpl), for each type. */
static int daemon_checks(struct ps *p, const struct mnt *m, volspec_exists_fn *exists, void *ctx)
{
	const struct volspec *v = m->v;
	const char *t = m->type;

	if (!m->target)
		return fail(p, "no target (target=, dst= or destination=)");
	if (check_target(p, m->target) < 0)
		return -1;
	if (!strcmp(t, "bind"))
		return check_bind(p, m, exists, ctx);
	if (!strcmp(t, "volume") && *v->subpath && !v->source)
		return fail(p, "volume-subpath needs a named volume (source=)");
	if (!strcmp(t, "image") && !v->source)
		return fail(p, "an image mount needs a source (the image)");
	if ((!strcmp(t, "volume") || !strcmp(t, "image")) && *v->subpath && !is_local(v->subpath))
		return fail(p, "the subpath '%s' must be a relative path that stays inside", show(p, v->subpath));
	if (!strcmp(t, "tmpfs") && v->source)
		return fail(p, "a tmpfs mount takes no source");
	if (!strcmp(t, "api-socket"))
		return fail(p, "type=api-socket is refused: it hands the engine's socket to the container");
	if (strcmp(t, "volume") && strcmp(t, "image") && strcmp(t, "tmpfs"))
		return fail(p, "unknown mount type '%s' (bind, volume, tmpfs or image)", show(p, t));
	return 0;
}

static void fill_mount(struct mnt *m)
{
	struct volspec *v = m->v;

	v->type = !strcmp(m->type, "bind")	? VOLSPEC_BIND
		  : !strcmp(m->type, "tmpfs") ? VOLSPEC_TMPFS
		  : !strcmp(m->type, "image") ? VOLSPEC_IMAGE
					      : VOLSPEC_VOLUME;
	v->target = gostr_clean(m->target, strlen(m->target));
	if (v->type == VOLSPEC_BIND)
		v->host_path = gostr_clean(v->source, strlen(v->source));
	if (v->type == VOLSPEC_BIND || v->type == VOLSPEC_IMAGE)
		set_str(&v->propagation, m->propagation ? m->propagation : "rprivate");
	v->copy_data = !(v->type == VOLSPEC_VOLUME && m->nocopy);
}

/* opts.MountOpt.Set, then the daemon's checks of the mount it makes. */
static int parse_mount(struct ps *p, struct volspec *v, volspec_exists_fn *exists, void *ctx)
{
	struct mnt m = { v, xstrdup("volume"), NULL, NULL, 0, 0, 0, 0, 0 };
	struct strvec fields = STRVEC_INIT;
	size_t a = 0, b = strlen(p->spec);
	int r;

	gostr_trim_space(p->spec, &a, &b);
	if (a == b) {
		r = fail(p, "the spec is empty");
	} else {
		char *trimmed = xstrndup(p->spec + a, b - a);

		r = csv_record(p, trimmed, &fields);
		free(trimmed);
	}
	for (size_t i = 0; r == 0 && i < fields.nr; i++)
		r = mount_field(p, &m, fields.v[i]);
	if (r == 0)
		r = cli_checks(p, &m);
	/* the CLI makes a source starting with '.' absolute against its own working directory */
	if (r == 0 && v->source && v->source[0] == '.') {
		r = fail(p, "the source '%s' is relative", show(p, v->source));
		error_hint(p->err, "docker's CLI would take it from its working directory; give para an absolute path");
	}
	if (r == 0)
		r = daemon_checks(p, &m, exists, ctx);
	if (r == 0)
		fill_mount(&m);
	free(m.type);
	free(m.target);
	free(m.propagation);
	strvec_clear(&fields);
	return r;
}

/* ---- the API ------------------------------------------------------------- */

static void start(struct ps *p, const char *spec, struct error *err, struct volspec *out)
{
	p->spec = spec ? spec : "";
	p->err = err;
	strvec_init(&p->shown);
	volspec_clear(out);
	out->mode = xstrdup("");
	out->propagation = xstrdup("");
	out->subpath = xstrdup("");
	out->driver = xstrdup("");
}

static int finish(struct ps *p, struct volspec *out, int r)
{
	strvec_clear(&p->shown);
	if (r < 0)
		volspec_clear(out);
	return r;
}

int volspec_is_mount_syntax(const char *spec)
{
	return spec && memchr(spec, '=', strcspn(spec, ",")) != NULL;
}

int volspec_parse_volume(const char *spec, struct volspec *out, struct error *err)
{
	struct ps p;

	start(&p, spec, err, out);
	return finish(&p, out, parse_volume(&p, out));
}

int volspec_parse_mount(const char *spec, volspec_exists_fn *exists, void *ctx, struct volspec *out,
			struct error *err)
{
	struct ps p;

	start(&p, spec, err, out);
	return finish(&p, out, parse_mount(&p, out, exists, ctx));
}

int volspec_parse(const char *spec, volspec_exists_fn *exists, void *ctx, struct volspec *out, struct error *err)
{
	if (volspec_is_mount_syntax(spec))
		return volspec_parse_mount(spec, exists, ctx, out, err);
	return volspec_parse_volume(spec, out, err);
}

/* names.RestrictedNamePattern: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ */
int volspec_name_ok(const char *n)
{
#define ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))
	if (!ALNUM(n[0]) || !n[1])
		return 0;
	for (const char *c = n + 1; *c; c++)
		if (!ALNUM(*c) && *c != '_' && *c != '.' && *c != '-')
			return 0;
	return 1;
#undef ALNUM
}

int volspec_check_local_name(const char *spec, const struct volspec *v, struct error *err)
{
	struct ps p = { spec ? spec : "", err, STRVEC_INIT };
	const char *n = v->source;
	int r = 0;

	if (v->type != VOLSPEC_VOLUME || !n || (v->driver && *v->driver && strcmp(v->driver, "local")))
		return 0;
	if (strlen(n) == 1)
		r = fail(&p, "the volume name '%s' is too short (two characters at least)", show(&p, n));
	else if (!volspec_name_ok(n))
		r = fail(&p, "'%s' is not a valid volume name (only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed)", show(&p, n));
	if (r < 0 && (n[0] == '.' || n[0] == '~' || strchr(n, '/')))
		error_hint(err, "to mount a host folder, give its absolute path");
	strvec_clear(&p.shown);
	return r;
}

const char *volspec_type_name(enum volspec_type type)
{
	switch (type) {
	case VOLSPEC_BIND:
		return "bind";
	case VOLSPEC_TMPFS:
		return "tmpfs";
	case VOLSPEC_IMAGE:
		return "image";
	case VOLSPEC_VOLUME:
	default:
		return "volume";
	}
}

void volspec_clear(struct volspec *v)
{
	free(v->source);
	free(v->host_path);
	free(v->target);
	free(v->mode);
	free(v->propagation);
	free(v->subpath);
	free(v->driver);
	strvec_clear(&v->labels);
	strvec_clear(&v->driver_opts);
	*v = (struct volspec)VOLSPEC_INIT;
}
