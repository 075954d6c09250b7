/* The docker_args check: every rule in every spelling docker's CLI accepts,
 * values that only look dangerous, and flags that must not hide others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parse/dockerargs.h"
#include "util/error.h"
#include "util/banned.h"

static const char *const sockets[] = { "/var/run/docker.sock", "/run/podman/podman.sock", NULL };

static int fake_socket(const char *path, void *ctx)
{
	(void)ctx;
	return !strcmp(path, "/tmp/agent.sock");
}

static char *fake_resolve(const char *path, void *ctx)
{
	(void)ctx;
	/* /srv/link is a symlink to the home folder */
	return !strcmp(path, "/srv/link") ? strdup("/home/u") : NULL;
}

static const struct dargs_ctx ctx = { "/home/u", "/home/u/src/app", sockets, fake_resolve, fake_socket, NULL };

/* The rule named when refused, "" when allowed. */
static const char *rule_of(const char *const *args)
{
	static char rule[64];
	struct error err = ERROR_INIT;
	if (dargs_check(args, &ctx, "docker.docker_args", &err) == 0)
		return "";
	assert_int_equal(err.code, PARA_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "docker.docker_args: '"));
	const char *r = strstr(err.msg, "(rule: ");
	assert_non_null(r);
	size_t n = strcspn(r + 7, ")");
	assert_true(n < sizeof rule);
	memcpy(rule, r + 7, n);
	rule[n] = '\0';
	return rule;
}

#define REFUSED(rule, ...) assert_string_equal(rule_of((const char *const[]){ __VA_ARGS__, NULL }), rule)
#define ALLOWED(...) assert_string_equal(rule_of((const char *const[]){ __VA_ARGS__, NULL }), "")

static void test_privileged(void **state)
{
	(void)state;
	REFUSED("privileged", "--privileged");
	REFUSED("privileged", "--privileged=true");
	REFUSED("privileged", "--memory", "1g", "--privileged");
	ALLOWED("--privileged=false");
	REFUSED("engine-socket", "--use-api-socket");
}

static void test_caps_and_devices(void **state)
{
	(void)state;
	REFUSED("cap-add", "--cap-add", "SYS_ADMIN");
	REFUSED("cap-add", "--cap-add=NET_ADMIN");
	ALLOWED("--cap-drop", "ALL");
	REFUSED("device", "--device", "/dev/kvm");
	REFUSED("device", "--device=/dev/fuse");
	REFUSED("device", "--device-cgroup-rule", "a *:* rwm");
	REFUSED("device", "--gpus", "all");
}

static void test_namespaces(void **state)
{
	(void)state;
	REFUSED("host-namespace", "--network", "host");
	REFUSED("host-namespace", "--net=host");
	REFUSED("host-namespace", "--network=container:other");
	REFUSED("host-namespace", "--pid", "host");
	REFUSED("host-namespace", "--pid=container:x");
	REFUSED("host-namespace", "--ipc=host");
	REFUSED("host-namespace", "--uts", "host");
	REFUSED("host-namespace", "--userns=host");
	REFUSED("host-namespace", "--cgroupns", "host");
	ALLOWED("--network", "bridge");
	ALLOWED("--network=mynet", "--ipc", "private", "--cgroupns=private");
}

static void test_security_opt(void **state)
{
	(void)state;
	REFUSED("security-opt", "--security-opt", "seccomp=unconfined");
	REFUSED("security-opt", "--security-opt=apparmor=unconfined");
	REFUSED("security-opt", "--security-opt", "label=disable");
	REFUSED("security-opt", "--security-opt", "systempaths=unconfined");
	REFUSED("security-opt", "--security-opt", "no-new-privileges=false");
	REFUSED("security-opt", "--security-opt", "seccomp=/tmp/weak.json");
	ALLOWED("--security-opt", "no-new-privileges");
	ALLOWED("--security-opt=no-new-privileges:true");
}

static void test_volumes(void **state)
{
	(void)state;
	REFUSED("dangerous-mount", "-v", "/:/host");
	REFUSED("dangerous-mount", "-v", "//:/host");
	REFUSED("dangerous-mount", "--volume=/home:/h");
	REFUSED("dangerous-mount", "-v", "/home/u:/h:ro");
	REFUSED("dangerous-mount", "-v", "/home/u/:/h");
	REFUSED("dangerous-mount", "-v", "~:/h");
	REFUSED("dangerous-mount", "-v", "~/.ssh:/k");
	REFUSED("dangerous-mount", "-v", "/home/u/../u/.ssh/id_ed25519:/k");
	REFUSED("dangerous-mount", "-v", "~/.aws:/a");
	REFUSED("dangerous-mount", "-v", "/home/u/.aws/credentials:/c");
	REFUSED("dangerous-mount", "-v", "~/.config/gcloud:/g");
	REFUSED("dangerous-mount", "-v", "~/.docker/config.json:/d");
	REFUSED("dangerous-mount", "-v", "/home/u/src/../../u:/h"); /* .. out of a harmless folder */
	REFUSED("engine-socket", "-v", "/var/run/docker.sock:/s");
	REFUSED("engine-socket", "-v", "/var/run/:/r");
	REFUSED("engine-socket", "-v", "/var:/r");
	REFUSED("engine-socket", "-v", "/run/podman:/p");
	REFUSED("engine-socket", "-v", "/tmp/agent.sock:/a");
	REFUSED("dangerous-mount", "-v", "/srv/link:/l"); /* a symlink to $HOME */
	REFUSED("dangerous-mount", "-v", "../..:/up"); /* relative to the repository */
	ALLOWED("-v", "/tmp/x:/x");
	ALLOWED("-v", "cache:/cache");
	ALLOWED("-v", "/data");
	ALLOWED("-v", "./build:/b");
	ALLOWED("-v", "/home/u/src/app/out:/o");
	ALLOWED("-v", "/home/u/.config/nvim:/n"); /* a config that is no credential */
	REFUSED("dangerous-mount", "--volumes-from", "other");
	REFUSED("dangerous-mount", "--volume-driver", "local");
}

static void test_mount_csv(void **state)
{
	(void)state;
	REFUSED("dangerous-mount", "--mount", "type=bind,source=/,target=/h");
	REFUSED("dangerous-mount", "--mount=type=bind,src=/home/u/.ssh,dst=/k");
	REFUSED("dangerous-mount", "--mount", "src=/home/u,target=/h"); /* bind by default with a path */
	REFUSED("engine-socket", "--mount", "type=bind,\"source=/var/run/docker.sock\",target=/s");
	REFUSED("dangerous-mount", "--mount",
		"type=volume,dst=/h,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/");
	ALLOWED("--mount", "type=volume,src=cache,dst=/c");
	ALLOWED("--mount", "type=tmpfs,dst=/t");
	ALLOWED("--mount", "type=bind,src=/tmp/x,dst=/x,readonly");
}

static void test_short_flags(void **state)
{
	(void)state;
	REFUSED("dangerous-mount", "-itv", "/:/x");
	REFUSED("dangerous-mount", "-dv/:/x");
	REFUSED("dangerous-mount", "-v/home/u:/x");
	ALLOWED("-e", "--privileged");  /* a value, not the flag */
	ALLOWED("-it");
	ALLOWED("-m", "2g", "-u", "1000");
	REFUSED("not-a-flag", "-z");
}

static void test_values_and_unknown_flags(void **state)
{
	(void)state;
	ALLOWED("--label", "--privileged");
	ALLOWED("--label=--privileged");
	ALLOWED("--env", "X=--cap-add");
	ALLOWED("--memory", "2g", "--cpus", "1.5", "--shm-size=1g", "--ulimit", "nofile=1024");
	/* an unknown flag never swallows the word after it */
	REFUSED("privileged", "--some-new-flag", "--privileged");
	REFUSED("not-a-flag", "--some-new-flag", "value");
	REFUSED("not-a-flag", "alpine");
	REFUSED("not-a-flag", "--memory", "1g", "sh");
	REFUSED("not-a-flag", "--");
	REFUSED("not-a-flag", "-");
	ALLOWED("--init");
}

static void test_no_context(void **state)
{
	(void)state;
	static const char *const none[] = { NULL };
	struct dargs_ctx bare = { NULL, NULL, none, NULL, NULL, NULL };
	struct error err = ERROR_INIT;
	/* with no $HOME and no base, a path para cannot place is refused */
	assert_int_equal(dargs_check((const char *const[]){ "-v", "~/x:/x", NULL }, &bare, "o", &err), -1);
	assert_int_equal(dargs_check((const char *const[]){ "-v", "rel:/x", NULL }, &bare, "o", &err), 0);
	assert_int_equal(dargs_check((const char *const[]){ "-v", "./rel:/x", NULL }, &bare, "o", &err), -1);
	assert_int_equal(dargs_check(NULL, &bare, "o", &err), 0);
}

static void test_normalise(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "/", "/" }, { "//", "/" }, { "/a//b/", "/a/b" }, { "/a/./b", "/a/b" }, { "/a/../b", "/b" },
		{ "/../..", "/" }, { "/a/b/../../..", "/" }, { "/a/b/..", "/a" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *n = dargs_normalise(cases[i][0]);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged),    cmocka_unit_test(test_caps_and_devices),
		cmocka_unit_test(test_namespaces),    cmocka_unit_test(test_security_opt),
		cmocka_unit_test(test_volumes),       cmocka_unit_test(test_mount_csv),
		cmocka_unit_test(test_short_flags),   cmocka_unit_test(test_values_and_unknown_flags),
		cmocka_unit_test(test_no_context),    cmocka_unit_test(test_normalise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
