/*
 * volspec: every Linux and platform-neutral vector of
 * $PARA_CONFORMANCE_DIR/volume-spec.json (read in place), each through
 * volspec_parse and through the parser of its own syntax; then what the
 * vectors do not reach: the exists callback, the local driver's names,
 * syntax detection, messages, the --mount CSV and options.
 *
 * Which verdict a vector is held to:
 *   volume-flag      expected / error (moby's Linux parser)
 *   volume-flag-cli  daemon_linux (what the Linux daemon makes of the spec
 *                    that docker's CLI passes on; para passes it to one)
 *   mount-flag       expected / error (docker/cli's --mount parser)
 * Windows vectors are counted and skipped; every other one runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "parse/volspec.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum { K_VOLUME, K_CLI, K_MOUNT, K_KINDS };
static const char *const kind_names[K_KINDS] = { "volume-flag", "volume-flag-cli", "mount-flag" };
/* the vectors of each kind whose platform is linux or any */
static const size_t kind_expected[K_KINDS] = { 87, 50, 33 };

static json_t *load_vectors(void)
{
	const char *dir = getenv("PARA_CONFORMANCE_DIR");
	json_error_t jerr;
	json_t *root;
	char *path;

	if (!dir || !*dir)
		fail_msg("PARA_CONFORMANCE_DIR is not set");
	path = xasprintf("%s/volume-spec.json", dir);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		fail_msg("cannot load '%s': %s (line %d)", path, jerr.text, jerr.line);
	free(path);
	assert_true(json_is_array(root));
	return root;
}

static void describe(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	print_message("  vector: %s\n", s);
	free(s);
}

/* 1 when want (a JSON string or null) is got */
static int same_str(const json_t *want, const char *got, const char *field)
{
	int ok = json_is_null(want) ? got == NULL : got && !strcmp(json_string_value(want), got);

	if (!ok)
		print_message("  %s: got '%s'\n", field, got ? got : "(null)");
	return ok;
}

static int same_bool(const json_t *want, int got, const char *field)
{
	int ok = json_is_boolean(want) && json_is_true(want) == !!got;

	if (!ok)
		print_message("  %s: got %d\n", field, got);
	return ok;
}

/* The shape of moby's MountPoint in volume-flag expected and daemon_linux. */
static int same_mountpoint(const json_t *want, const struct volspec *v)
{
	const char *key;
	json_t *w;
	int ok = 1;

	json_object_foreach((json_t *)want, key, w) {
		if (!strcmp(key, "type"))
			ok &= same_str(w, volspec_type_name(v->type), key);
		else if (!strcmp(key, "source") || !strcmp(key, "volume_name"))
			ok &= same_str(w, v->source, key);
		else if (!strcmp(key, "target"))
			ok &= same_str(w, v->target, key);
		else if (!strcmp(key, "readonly"))
			ok &= same_bool(w, v->readonly, key);
		else if (!strcmp(key, "mode"))
			ok &= same_str(w, v->mode, key);
		else if (!strcmp(key, "host_path"))
			ok &= same_str(w, v->host_path, key);
		else if (!strcmp(key, "propagation"))
			ok &= same_str(w, v->propagation, key);
		else if (!strcmp(key, "copy_data"))
			ok &= same_bool(w, v->copy_data, key);
		else if (!strcmp(key, "driver"))
			/* echoes the vector's volume_driver input (--volume-driver), which para does not take */
			ok &= v->type == VOLSPEC_VOLUME && !strcmp(v->driver, "");
		else
			fail_msg("unknown field '%s' in a vector", key);
	}
	return ok;
}

static int same_labels(const json_t *want, const struct volspec *v)
{
	const char *key;
	json_t *w;
	size_t n = 0;

	json_object_foreach((json_t *)want, key, w) {
		char *kv = xasprintf("%s=%s", key, json_string_value(w));
		int found = 0;

		for (size_t i = 0; i < v->labels.nr; i++)
			found |= !strcmp(v->labels.v[i], kv);
		free(kv);
		if (!found)
			return 0;
		n++;
	}
	return n == v->labels.nr;
}

/* The shape of docker's mount.Mount in mount-flag expected. */
static int same_mount(const json_t *want, const struct volspec *v)
{
	const json_t *vo = json_object_get(want, "VolumeOptions");
	const char *key;
	json_t *w;
	int ok = 1;

	json_object_foreach((json_t *)want, key, w) {
		if (!strcmp(key, "Type"))
			ok &= same_str(w, volspec_type_name(v->type), key);
		else if (!strcmp(key, "Source"))
			ok &= same_str(w, v->source, key);
		else if (!strcmp(key, "Target"))
			ok &= same_str(w, v->target, key);
		else if (!strcmp(key, "ReadOnly"))
			ok &= same_bool(w, v->readonly, key);
		else if (strcmp(key, "VolumeOptions"))
			fail_msg("unknown field '%s' in a vector", key);
	}
	if (!json_object_get(want, "Source"))
		ok &= v->source == NULL;
	json_object_foreach((json_t *)vo, key, w) {
		if (!strcmp(key, "NoCopy"))
			ok &= same_bool(w, !v->copy_data, key);
		else if (!strcmp(key, "Labels"))
			ok &= same_labels(w, v);
		else
			fail_msg("unknown VolumeOptions field '%s' in a vector", key);
	}
	if (!vo || !json_object_get(vo, "NoCopy"))
		ok &= v->copy_data == 1;
	if (!vo || !json_object_get(vo, "Labels"))
		ok &= v->labels.nr == 0;
	return ok;
}

/* A refusal as the header promises it. */
static int good_refusal(const struct volspec *v, const struct error *err)
{
	int ok = err->code == PARA_EXIT_USAGE && !strncmp(err->msg, "invalid mount '", 15) &&
		 !strchr(err->msg, '\n') && strstr(err->msg, "': ") && !v->target && !v->source && !v->mode;

	if (!ok)
		print_message("  bad refusal: code %d, '%s'\n", err->code, err->msg);
	return ok;
}

/* One parse of the vector's input against its verdict; 1 when it agrees. */
static int check_one(int kind, const json_t *vec, int explicit_syntax)
{
	const char *input = json_string_value(json_object_get(vec, "input"));
	const json_t *want = kind == K_CLI ? json_object_get(vec, "daemon_linux") : json_object_get(vec, "expected");
	int want_error = kind == K_CLI ? json_object_get(want, "error") != NULL
				       : json_is_true(json_object_get(vec, "error"));
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;
	int rc, ok;

	assert_non_null(input);
	if (!explicit_syntax)
		rc = volspec_parse(input, NULL, NULL, &v, &err);
	else if (kind == K_MOUNT)
		rc = volspec_parse_mount(input, NULL, NULL, &v, &err);
	else
		rc = volspec_parse_volume(input, &v, &err);
	if (want_error) {
		ok = rc == -1 && good_refusal(&v, &err);
		if (rc == 0)
			print_message("  %s: accepted, the vector refuses it\n", explicit_syntax ? "explicit" : "auto");
	} else if (rc < 0) {
		print_message("  %s: refused: %s\n", explicit_syntax ? "explicit" : "auto", err.msg);
		ok = 0;
	} else {
		ok = kind == K_MOUNT ? same_mount(want, &v) : same_mountpoint(want, &v);
	}
	volspec_clear(&v);
	return ok;
}

static int kind_of(const char *kind)
{
	for (int k = 0; k < K_KINDS; k++)
		if (!strcmp(kind, kind_names[k]))
			return k;
	fail_msg("unknown vector kind '%s'", kind);
	return -1;
}

static void test_conformance_vectors(void **state)
{
	json_t *root = load_vectors(), *vec;
	size_t run[K_KINDS] = { 0 }, passed[K_KINDS] = { 0 }, skipped = 0, total_run = 0, idx;

	(void)state;
	json_array_foreach(root, idx, vec) {
		const char *platform = json_string_value(json_object_get(vec, "platform"));
		int k = kind_of(json_string_value(json_object_get(vec, "kind")));

		assert_non_null(platform);
		if (!strcmp(platform, "windows")) {
			skipped++;
			continue;
		}
		if (strcmp(platform, "linux") && strcmp(platform, "any"))
			fail_msg("unknown platform '%s'", platform);
		run[k]++;
		total_run++;
		if (check_one(k, vec, 0) && check_one(k, vec, 1))
			passed[k]++;
		else
			describe(vec);
	}
	for (int k = 0; k < K_KINDS; k++)
		print_message("volume-spec.json: %-15s %zu run, %zu passed\n", kind_names[k], run[k], passed[k]);
	print_message("volume-spec.json: %zu run (linux + any), %zu windows skipped, %zu in the file\n", total_run,
		      skipped, json_array_size(root));
	for (int k = 0; k < K_KINDS; k++) {
		assert_int_equal(run[k], kind_expected[k]);
		assert_int_equal(passed[k], run[k]);
	}
	assert_int_equal(total_run, 170);
	assert_int_equal(total_run + skipped, json_array_size(root));
	json_decref(root);
}

/* ---- beyond the vectors ------------------------------------------------- */

/* err.msg of a spec that must be refused (auto-detected syntax) */
static const char *refusal(const char *spec)
{
	static struct error err;
	struct volspec v = VOLSPEC_INIT;

	error_clear(&err);
	if (volspec_parse(spec, NULL, NULL, &v, &err) == 0)
		fail_msg("'%s' was accepted", spec);
	assert_true(good_refusal(&v, &err));
	return err.msg;
}

static void parse_ok(const char *spec, struct volspec *v)
{
	struct error err = ERROR_INIT;

	if (volspec_parse(spec, NULL, NULL, v, &err) < 0)
		fail_msg("'%s' was refused: %s", spec, err.msg);
}

struct fs {
	const char *const *paths;
	int asked;
};

static int fake_exists(const char *path, void *ctx)
{
	struct fs *fs = ctx;

	fs->asked++;
	for (const char *const *p = fs->paths; *p; p++)
		if (!strcmp(*p, path))
			return 1;
	return 0;
}

static void test_exists_callback(void **state)
{
	static const char *const paths[] = { "/srv/data", NULL };
	struct fs fs = { paths, 0 };
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	/* --mount bind: the daemon wants the source to exist */
	assert_int_equal(volspec_parse("type=bind,src=/srv/data,dst=/d", fake_exists, &fs, &v, &err), 0);
	assert_int_equal(fs.asked, 1);
	assert_int_equal(volspec_parse("type=bind,src=/srv/nope,dst=/d", fake_exists, &fs, &v, &err), -1);
	assert_non_null(strstr(err.msg, "the source '/srv/nope' does not exist"));
	assert_int_equal(err.code, PARA_EXIT_USAGE);
	/* unless it is to create it, or nobody is asked */
	assert_int_equal(volspec_parse("type=bind,src=/srv/nope,dst=/d,bind-create-src", fake_exists, &fs, &v, &err), 0);
	assert_true(v.create_src);
	assert_int_equal(volspec_parse("type=bind,src=/srv/nope,dst=/d", NULL, NULL, &v, &err), 0);
	/* the raw source is asked about, as the daemon stats it */
	fs.asked = 0;
	assert_int_equal(volspec_parse("type=bind,src=/srv/x/../data,dst=/d", fake_exists, &fs, &v, &err), -1);
	assert_int_equal(fs.asked, 1);
	/* -v never asks: the daemon creates a missing host path; volumes and tmpfs are not paths */
	fs.asked = 0;
	assert_int_equal(volspec_parse("/srv/nope:/d", fake_exists, &fs, &v, &err), 0);
	assert_int_equal(volspec_parse("type=volume,src=vol,dst=/d", fake_exists, &fs, &v, &err), 0);
	assert_int_equal(volspec_parse("type=tmpfs,dst=/d", fake_exists, &fs, &v, &err), 0);
	assert_int_equal(fs.asked, 0);
	volspec_clear(&v);
}

static void test_local_names(void **state)
{
	static const char *const refused[] = { "./rel:/d", "~/x:/d", "../up:/d", "local/name:/d", "C:\\path",
					       "_x:/d", "a b:/d", "type=volume,src=a/b,dst=/d" };
	static const char *const taken[] = { "name:/d", "0123456789name:/d", "a.b-c_d:/d", "/host:/d", "/anon",
					     "type=tmpfs,dst=/t", "type=volume,src=a/b,dst=/d,volume-driver=nfs" };
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		parse_ok(refused[i], &v); /* the parser takes them for names */
		assert_int_equal(volspec_check_local_name(refused[i], &v, &err), -1);
		assert_int_equal(err.code, PARA_EXIT_USAGE);
		assert_non_null(strstr(err.msg, "invalid mount '"));
	}
	assert_non_null(strstr(err.msg, "not a valid volume name"));
	assert_non_null(strstr(err.hint, "absolute path"));
	parse_ok("C:\\path", &v);
	assert_int_equal(volspec_check_local_name("C:\\path", &v, &err), -1);
	assert_non_null(strstr(err.msg, "too short"));
	for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
		parse_ok(taken[i], &v);
		assert_int_equal(volspec_check_local_name(taken[i], &v, &err), 0);
	}
	volspec_clear(&v);
}

static void test_detection(void **state)
{
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	assert_true(volspec_is_mount_syntax("type=bind,src=/a,dst=/b"));
	assert_true(volspec_is_mount_syntax("dst=/b"));
	assert_true(volspec_is_mount_syntax("a=b:/x"));
	assert_false(volspec_is_mount_syntax("/a:/b:ro,z"));
	assert_false(volspec_is_mount_syntax("/a,b=c:/x"));
	assert_false(volspec_is_mount_syntax(""));
	/* a name or host path with '=' is -v syntax when the caller says so */
	assert_int_equal(volspec_parse_volume("a=b:/x", &v, &err), 0);
	assert_int_equal(v.type, VOLSPEC_VOLUME);
	assert_string_equal(v.source, "a=b");
	assert_int_equal(volspec_parse_volume("/data=1:/x:ro", &v, &err), 0);
	assert_int_equal(v.type, VOLSPEC_BIND);
	assert_string_equal(v.host_path, "/data=1");
	assert_int_equal(volspec_parse("/data=1:/x:ro", NULL, NULL, &v, &err), -1);
	assert_non_null(strstr(err.msg, "unknown option '/data'"));
	/* and --mount syntax through the -v parser is a -v spec: here a relative target */
	assert_int_equal(volspec_parse_volume("type=bind,src=/a", &v, &err), -1);
	assert_non_null(strstr(err.msg, "the target 'type=bind,src=/a' is not an absolute path"));
	volspec_clear(&v);
}

static void test_volume_results(void **state)
{
	struct volspec v = VOLSPEC_INIT;

	(void)state;
	parse_ok("/a/./b//:/c/d/../e/:ro,Z,rshared,cached", &v);
	assert_int_equal(v.type, VOLSPEC_BIND);
	assert_string_equal(v.source, "/a/./b//");
	assert_string_equal(v.host_path, "/a/b");
	assert_string_equal(v.target, "/c/e");
	assert_true(v.readonly);
	assert_string_equal(v.mode, "ro,Z,rshared,cached");
	assert_string_equal(v.propagation, "rshared");
	assert_string_equal(v.subpath, "");
	assert_string_equal(v.driver, "");
	parse_ok("/anon", &v);
	assert_int_equal(v.type, VOLSPEC_VOLUME);
	assert_null(v.source);
	assert_null(v.host_path);
	assert_string_equal(v.propagation, "");
	assert_true(v.copy_data);
	parse_ok("vol:/x:nocopy,rw,z", &v);
	assert_false(v.copy_data);
	assert_false(v.readonly);
	/* a target with '\' is absolute to the daemon, and kept as given */
	parse_ok("vol:\\x\\y", &v);
	assert_string_equal(v.target, "\\x\\y");
	volspec_clear(&v);
}

static void test_messages(void **state)
{
	struct strbuf big = STRBUF_INIT;
	const char *m;

	(void)state;
	assert_string_equal(refusal("x:y"), "invalid mount 'x:y': the target 'y' is not an absolute path");
	assert_string_equal(refusal(""), "invalid mount '': the spec is empty");
	assert_string_equal(refusal("/src:/"), "invalid mount '/src:/': the target '/' is the container's root");
	assert_non_null(strstr(refusal(":/x"), "the source is empty"));
	assert_non_null(strstr(refusal("/a:/b:ro:x"), "more than three"));
	assert_non_null(strstr(refusal("/path:ro"), "'ro' is a mode, not a target"));
	assert_non_null(strstr(refusal("/path:"), "the target is empty"));
	assert_non_null(strstr(refusal("/foo::ro"), "the target is empty"));
	assert_non_null(strstr(refusal("/s:/d:nocopy"), "nocopy is for volumes"));
	assert_non_null(strstr(refusal("v:/d:shared"), "propagation 'shared' is for bind mounts"));
	/* control characters are escaped: the message stays one line */
	m = refusal("a\nb:c\td\x01");
	assert_non_null(strstr(m, "'a\\nb:c\\td\\x01'"));
	/* a long spec is cut, never inside a UTF-8 sequence */
	for (int i = 0; i < 400; i++)
		strbuf_addstr(&big, "\xc3\xa9");
	strbuf_addstr(&big, ":rel");
	m = refusal(big.buf);
	assert_true(strlen(m) < 600);
	assert_non_null(strstr(m, "\xc3\xa9...'"));
	strbuf_release(&big);
}

static void test_mode_errors(void **state)
{
	(void)state;
	assert_non_null(strstr(refusal("/a:/b:ro,ro"), "'ro' is given twice"));
	assert_non_null(strstr(refusal("/a:/b:ro,rw"), "'ro' and 'rw' are both ro/rw options"));
	assert_non_null(strstr(refusal("/a:/b:z,Z"), "both z/Z options"));
	assert_non_null(strstr(refusal("/a:/b:shared,rslave"), "both propagation options"));
	assert_non_null(strstr(refusal("v:/b:nocopy,nocopy"), "given twice"));
	assert_non_null(strstr(refusal("/a:/b:cached,consistent"), "both consistency options"));
	assert_non_null(strstr(refusal("/a:/b:ro,"), "an empty option"));
	assert_non_null(strstr(refusal("/a:/b:,ro"), "an empty option"));
	assert_non_null(strstr(refusal("/a:/b:default"), "unknown option 'default'"));
	assert_non_null(strstr(refusal("/a:/b:RO"), "unknown option 'RO'"));
}

static void test_mount_csv(void **state)
{
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	parse_ok("\"type=bind\",\"src=/a,b\",dst=/x", &v);
	assert_string_equal(v.source, "/a,b");
	parse_ok("type=bind,\"src=/a\"\"b\",dst=/x", &v);
	assert_string_equal(v.source, "/a\"b");
	parse_ok("type=tmpfs,\"dst=/x\ny\"", &v);
	assert_string_equal(v.target, "/x\ny");
	parse_ok("type=tmpfs,\"dst=/x\r\ny\"", &v); /* lines are read with \r\n made \n */
	assert_string_equal(v.target, "/x\ny");
	parse_ok("type=tmpfs,dst=/t\nbogus,more", &v); /* only the first record counts */
	assert_string_equal(v.target, "/t");
	parse_ok("type=tmpfs,dst=/t\r\nbogus", &v);
	assert_string_equal(v.target, "/t");
	parse_ok("\xc2\xa0 type=tmpfs,dst=/t \t", &v); /* Unicode white space around it is dropped */
	assert_int_equal(v.type, VOLSPEC_TMPFS);
	parse_ok("type=tmpfs,dst=/t\r", &v);
	assert_string_equal(v.target, "/t");
	assert_non_null(strstr(refusal("type=bind,src=/a\"b,dst=/x"), "inside an unquoted field"));
	assert_non_null(strstr(refusal("type=bind,\"src=/a\"b,dst=/x"), "must be doubled"));
	assert_non_null(strstr(refusal("type=bind,\"src=/a,dst=/x"), "not closed"));
	assert_non_null(strstr(refusal("type=tmpfs,dst=/t,"), "'' is not key=value"));
	assert_non_null(strstr(refusal("type=tmpfs,,dst=/t"), "'' is not key=value"));
	assert_int_equal(volspec_parse_mount(" \t\n", NULL, NULL, &v, &err), -1);
	assert_string_equal(err.msg, "invalid mount ' \\t\\n': the spec is empty");
	volspec_clear(&v);
}

static void test_mount_options(void **state)
{
	struct volspec v = VOLSPEC_INIT;

	(void)state;
	parse_ok("TYPE=Bind,SRC=/a/b/,Destination=/c/,bind-propagation=RSHARED,readonly,consistency=whatever", &v);
	assert_int_equal(v.type, VOLSPEC_BIND);
	assert_string_equal(v.source, "/a/b/");
	assert_string_equal(v.host_path, "/a/b");
	assert_string_equal(v.target, "/c");
	assert_string_equal(v.propagation, "rshared");
	assert_string_equal(v.mode, "");
	assert_true(v.readonly);
	parse_ok("type=bind,src=/a,dst=/b,ro=1,bind-recursive=readonly,bind-propagation=rprivate", &v);
	assert_true(v.readonly_recursive);
	parse_ok("type=bind,src=/a,dst=/b,ro,bind-recursive=writable", &v);
	assert_true(v.readonly_nonrecursive);
	parse_ok("type=bind,src=/a,dst=/b,bind-recursive=disabled", &v);
	assert_true(v.nonrecursive);
	parse_ok("type=volume,src=v,dst=/b,bind-recursive=enabled", &v); /* sets no bind option */
	parse_ok("type=volume,src=v,dst=/b,volume-subpath=a/b,volume-driver=local,volume-opt=o=1,volume-opt=o=2,"
		 "volume-label=l,volume-label==x,volume-nocopy=true",
		 &v);
	assert_string_equal(v.subpath, "a/b");
	assert_string_equal(v.driver, "local");
	assert_int_equal(v.driver_opts.nr, 1);
	assert_string_equal(v.driver_opts.v[0], "o=2");
	assert_int_equal(v.labels.nr, 1);
	assert_string_equal(v.labels.v[0], "l=");
	assert_false(v.copy_data);
	parse_ok("type=image,src=alpine:3,dst=/img,image-subpath=etc", &v);
	assert_int_equal(v.type, VOLSPEC_IMAGE);
	assert_string_equal(v.propagation, "rprivate");
	parse_ok("type=tmpfs,dst=/t,tmpfs-size=1.5k,tmpfs-mode=1777", &v);
	assert_int_equal(v.tmpfs_size, 1536);
	assert_int_equal(v.tmpfs_mode, 01777);
	assert_null(v.source);
	volspec_clear(&v);
}

static long long tmpfs_size(const char *value)
{
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;
	char *spec = xasprintf("type=tmpfs,dst=/t,tmpfs-size=%s", value);
	long long n = volspec_parse(spec, NULL, NULL, &v, &err) < 0 ? -1 : v.tmpfs_size;

	free(spec);
	volspec_clear(&v);
	return n;
}

static void test_tmpfs_values(void **state)
{
	(void)state;
	assert_int_equal(tmpfs_size("64m"), 64LL << 20);
	assert_int_equal(tmpfs_size("64MiB"), 64LL << 20);
	assert_int_equal(tmpfs_size("64Mb"), 64LL << 20);
	assert_int_equal(tmpfs_size("1 g"), 1LL << 30);
	assert_int_equal(tmpfs_size("2t"), 2LL << 40);
	assert_int_equal(tmpfs_size("1p"), 1LL << 50);
	assert_int_equal(tmpfs_size("100"), 100);
	assert_int_equal(tmpfs_size("100b"), 100);
	assert_int_equal(tmpfs_size("100i"), 100);
	assert_int_equal(tmpfs_size("0.9"), 0);
	assert_int_equal(tmpfs_size("0.99999999999999999999"), 1); /* ParseFloat rounds to 1 */
	assert_int_equal(tmpfs_size("1\xE2\x84\xAA"), 1024);       /* KELVIN SIGN, as Go's (?i) */
	assert_int_equal(tmpfs_size("8191p"), 8191LL << 50);
	assert_int_equal(tmpfs_size("8192p"), -1); /* 2^63: Go's int64() of it is undefined */
	assert_int_equal(tmpfs_size("1e5"), -1);
	assert_int_equal(tmpfs_size("1.2.3"), -1);
	assert_int_equal(tmpfs_size("1."), -1);
	assert_int_equal(tmpfs_size(".5"), -1);
	assert_int_equal(tmpfs_size("1  k"), -1);
	assert_int_equal(tmpfs_size("1kk"), -1);
	assert_int_equal(tmpfs_size("-1"), -1);
	assert_non_null(strstr(refusal("type=tmpfs,dst=/t,tmpfs-size=9999999999999999999999g"), "too large"));
	assert_non_null(strstr(refusal("type=tmpfs,dst=/t,tmpfs-mode=8"), "invalid tmpfs-mode '8'"));
	assert_non_null(strstr(refusal("type=tmpfs,dst=/t,tmpfs-mode=0o7"), "invalid tmpfs-mode"));
	assert_non_null(strstr(refusal("type=tmpfs,dst=/t,tmpfs-mode=40000000000"), "invalid tmpfs-mode"));
	assert_int_equal(tmpfs_size("1,tmpfs-mode=37777777777"), 1);
}

static void test_mount_refusals(void **state)
{
	(void)state;
	assert_non_null(strstr(refusal("type=bind,dst=/b"), "a bind mount needs a source"));
	assert_non_null(strstr(refusal("type=bind,src=a,dst=/b"), "the source 'a' is not an absolute path"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,bind-propagation=bogus"), "invalid bind-propagation"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,bind-nonrecursive"), "bind-recursive=disabled"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,bind-recursive=no"), "bind-recursive must be"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,bind-recursive=writable"), "needs readonly"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,ro,bind-recursive=readonly"), "bind-propagation=rprivate"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,bind-create-src=maybe"), "must be true, 1, false or 0"));
	assert_non_null(strstr(refusal("type=bind,src=./a,dst=/b"), "the source './a' is relative"));
	assert_non_null(strstr(refusal("type=volume,src=.v,dst=/b"), "is relative"));
	assert_non_null(strstr(refusal("type=tmpfs,src=x,dst=/b"), "takes no source"));
	assert_non_null(strstr(refusal("type=tmpfs,dst=/b,volume-nocopy"), "volume-* options are for type=volume, not type=tmpfs"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,tmpfs-size=1"), "tmpfs-* options are for type=tmpfs"));
	assert_non_null(strstr(refusal("type=bind,src=/a,dst=/b,image-subpath=x"), "image-* options"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,volume-subpath=x"), "needs a named volume"));
	assert_non_null(strstr(refusal("type=volume,src=v,dst=/b,volume-subpath=../x"), "must be a relative path"));
	assert_non_null(strstr(refusal("type=volume,src=v,dst=/b,volume-subpath=a/../.."), "must be a relative path"));
	assert_non_null(strstr(refusal("type=volume,src=v,dst=/b,volume-subpath=/x"), "must be a relative path"));
	assert_non_null(strstr(refusal("type=image,dst=/b"), "needs a source"));
	assert_non_null(strstr(refusal("type=api-socket,dst=/b"), "refused"));
	assert_non_null(strstr(refusal("type=npipe,src=/a,dst=/b"), "unknown mount type 'npipe'"));
	assert_non_null(strstr(refusal("type=volume,src=v"), "no target"));
	assert_non_null(strstr(refusal("type=volume,src=v,dst=rel"), "not an absolute path"));
	assert_non_null(strstr(refusal("type=volume,src=v,dst=\\"), "the container's root"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,bogus=1"), "unknown option 'bogus'"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,bind-bogus=1"), "unknown option 'bind-bogus'"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,\xc2\xa0src=v"), "white space around it"));
	assert_non_null(strstr(refusal("src=v\xe2\x80\x83,type=volume,dst=/b"), "white space around it"));
	assert_non_null(strstr(refusal("type=volume,dst=/b,src=\xe2\x80\x83"), "has no value"));
	assert_non_null(strstr(refusal("type=,dst=/b"), "'type' has no value"));
}

/* Whatever comes in: a refusal as promised, or a result that keeps the promises. */
static void test_odd_input(void **state)
{
	static const char *const odd[] = {
		":", "::", ":::", "::::", ",", "=", "==", ",=", "\"", "\"\"", "\"=\"", "a=\"", "\\", "\\:\\", "/:/",
		"/:\\", "//:./", "/a:/b:ro,z,shared,nocopy", "v:/b:ro,z,nocopy,cached", "\xff:/b", "/b\xff",
		"type=bind,src=\xff,dst=/\xfe", "src=/a,dst=/b,type=bind,type=volume", "dst=/a,dst=b",
		"type=tmpfs,dst=/t,tmpfs-size=\xE2\x84", "type=tmpfs,dst=/t,tmpfs-size=1\xE2\x84\xAA\xAA",
	};
	struct volspec v = VOLSPEC_INIT;
	struct error err = ERROR_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		if (volspec_parse(odd[i], NULL, NULL, &v, &err) < 0) {
			assert_true(good_refusal(&v, &err));
			continue;
		}
		assert_non_null(v.target);
		assert_non_null(v.mode);
		assert_non_null(v.propagation);
		assert_true(v.type != VOLSPEC_BIND || (v.source && v.host_path));
	}
	/* a NULL spec is an empty one */
	assert_int_equal(volspec_parse_volume(NULL, &v, &err), -1);
	assert_int_equal(volspec_parse_mount(NULL, NULL, NULL, &v, &err), -1);
	volspec_clear(&v);
	volspec_clear(&v); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_vectors), cmocka_unit_test(test_exists_callback),
		cmocka_unit_test(test_local_names),	    cmocka_unit_test(test_detection),
		cmocka_unit_test(test_volume_results),	    cmocka_unit_test(test_messages),
		cmocka_unit_test(test_mode_errors),	    cmocka_unit_test(test_mount_csv),
		cmocka_unit_test(test_mount_options),	    cmocka_unit_test(test_tmpfs_values),
		cmocka_unit_test(test_mount_refusals),	    cmocka_unit_test(test_odd_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
