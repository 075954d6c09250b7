#include "container/netpolicy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/allowlist.h"
#include "util/larchive.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/jsonutil.h"
#include "util/report.h"
#include "util/xalloc.h"
#include "version.h"
#include "util/banned.h"

const char *const netpolicy_default_allow[] = {
	"api.anthropic.com", "statsig.anthropic.com", "sentry.io", "github.com", "api.github.com",
	"codeload.github.com", "registry.npmjs.org", NULL,
};

/* ---- what a session gets (pure) ------------------------------------------- */

char *netpolicy_network_name(const char *container)
{
	return xasprintf("%s-net", container);
}

char *netpolicy_sidecar_name(const char *container)
{
	return xasprintf("%s-egress", container);
}

/* The network setting nearest the session: the profile's, else the config's. */
static const json_t *net_key(const struct config *cfg, const struct spec_inputs *in, const char *key)
{
	const json_t *v = in->profile ? json_object_get(json_object_get(in->profile, "network"), key) : NULL;
	if (v && !json_is_null(v))
		return v;
	char *path = xasprintf("docker.network.%s", key);
	v = config_get(cfg, path);
	free(path);
	return v;
}

static int check_entries(const json_t *list, const char *what, struct container_spec *s, struct error *err)
{
	struct allowlist al = ALLOWLIST_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (allowlist_add(&al, json_string_value(v), err) < 0) {
			allowlist_clear(&al);
			err->code = PARA_EXIT_CONFIG;
			return error_wrap(err, "%s", what);
		}
		strvec_push(&s->allow, json_string_value(v));
	}
	allowlist_clear(&al);
	return 0;
}

static int add_flag_entries(const char *const *flags, struct container_spec *s, struct error *err)
{
	for (size_t i = 0; flags && flags[i]; i++) {
		struct allowlist al = ALLOWLIST_INIT;
		int r = allowlist_add_list(&al, flags[i], err);
		for (size_t j = 0; r == 0 && j < al.nr; j++)
			strvec_push_nodup(&s->allow, allowlist_entry_text(&al.v[j]));
		allowlist_clear(&al);
		if (r < 0) {
			err->code = PARA_EXIT_USAGE;
			return error_wrap(err, "--allow-domains");
		}
	}
	return 0;
}

static void proxy_env(struct container_spec *s)
{
	char *url = xasprintf("http://" NETPOLICY_PROXY_ALIAS ":%d", NETPOLICY_PROXY_PORT);
	static const char *const keys[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", NULL };
	for (const char *const *k = keys; *k; k++)
		spec_add_env(s, *k, url, "para", 0);
	spec_add_env(s, "NO_PROXY", "localhost,127.0.0.1,::1", "para", 0);
	spec_add_env(s, "no_proxy", "localhost,127.0.0.1,::1", "para", 0);
	free(url);
}

int netpolicy_resolve(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		      struct error *err)
{
	const char *mode = json_string_value(net_key(cfg, in, "mode"));
	int flagged = in->allow_domains && in->allow_domains[0];
	s->isolated = flagged || json_is_true(net_key(cfg, in, "isolation"));
	if (!s->isolated) {
		s->network = xstrdup(mode ? mode : "bridge");
		return 0;
	}
	if (mode && strcmp(mode, "bridge")) {
		error_set(err, flagged ? PARA_EXIT_USAGE : PARA_EXIT_CONFIG,
			  "network isolation needs the network mode bridge, not '%s'", mode);
		return error_hint(err, "an isolated session gets an internal network of its own; drop docker.network.mode");
	}
	const char *where = in->profile && json_path(in->profile, "network.allowed_domains")
				    ? "the profile's network.allowed_domains"
				    : "docker.network.allowed_domains";
	if (check_entries(net_key(cfg, in, "allowed_domains"), where, s, err) < 0 ||
	    add_flag_entries(in->allow_domains, s, err) < 0)
		return -1;
	const json_t *eg = net_key(cfg, in, "egress");
	s->egress = xstrdup(json_is_string(eg) ? json_string_value(eg) : "bridge");
	s->network = netpolicy_network_name(s->name);
	proxy_env(s);
	return 0;
}

/* ---- the proxy image ------------------------------------------------------ */

/* para-proxy: PARA_PROXY_BIN, else beside para (a build tree keeps it in
 * proxy/), else where it is installed. */
static char *proxy_binary(struct error *err)
{
	const char *env = getenv("PARA_PROXY_BIN");
	if (env && *env)
		return xstrdup(env);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *dir = path_dirname(exe);
		char *cands[] = { path_join(dir, "proxy/para-proxy"), path_join(dir, "para-proxy"), NULL };
		char *found = NULL;
		for (char **c = cands; *c; c++) {
			if (!found && access(*c, X_OK) == 0)
				found = xstrdup(*c);
			free(*c);
		}
		free(dir);
		if (found)
			return found;
	}
	if (access(PARA_LIBEXECDIR "/para-proxy", X_OK) == 0)
		return xstrdup(PARA_LIBEXECDIR "/para-proxy");
	error_set(err, PARA_EXIT_FAIL, "the egress proxy para-proxy is not installed (looked beside para and in %s)",
		  PARA_LIBEXECDIR);
	return NULL;
}

/* Whether the ELF file in data asks for a loader (PT_INTERP): an image
 * FROM scratch has none, so only a static binary runs there. */
static int needs_loader(const struct strbuf *data)
{
	const unsigned char *b = (const unsigned char *)data->buf;
	if (data->len < 64 || memcmp(b, "\177ELF", 4) || b[4] != 2 /* 64-bit */)
		return 1; /* not one we can read: take it for unusable */
	uint64_t phoff;
	uint16_t phentsize, phnum;
	memcpy(&phoff, b + 32, 8);
	memcpy(&phentsize, b + 54, 2);
	memcpy(&phnum, b + 56, 2);
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t at = phoff + (uint64_t)i * phentsize;
		if (phentsize < 4 || at > data->len - 4)
			return 1;
		memcpy(&type, b + at, 4);
		if (type == 3 /* PT_INTERP */)
			return 1;
	}
	return 0;
}

/* A tar holding the one file, in an unlinked temporary file. */
static int tar_of(const char *bin, const struct strbuf *data, struct error *err)
{
	char tmpl[] = "/tmp/para-proxy-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot make a temporary file for the proxy image");
	unlink(tmpl);
	if (larchive_load(err) < 0) {
		close(fd);
		return -1;
	}
	struct archive *a = archive_write_new();
	struct archive_entry *en = archive_entry_new();
	archive_write_set_format_pax_restricted(a);
	int ok = archive_write_open_fd(a, fd) == ARCHIVE_OK;
	archive_entry_set_pathname(en, "para-proxy");
	archive_entry_set_size(en, (la_int64_t)data->len);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0755);
	ok = ok && archive_write_header(a, en) == ARCHIVE_OK &&
	     archive_write_data(a, data->buf, data->len) == (la_ssize_t)data->len;
	ok = archive_write_close(a) == ARCHIVE_OK && ok;
	archive_entry_free(en);
	archive_write_free(a);
	if (!ok) {
		close(fd);
		return error_set(err, PARA_EXIT_FAIL, "cannot pack %s for the proxy image", bin);
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The image of this para's proxy, para-proxy:<hash of the binary>, made
 * from the binary (FROM scratch) when the engine does not have it. */
static char *proxy_image(struct engine *e, struct error *err)
{
	char *bin = proxy_binary(err), *id = NULL, *tag = NULL;
	struct strbuf data = STRBUF_INIT;
	char hash[HASH_HEX_LEN + 1];
	if (!bin)
		return NULL;
	if (strbuf_read_file(&data, bin) < 0) {
		error_errno(err, PARA_EXIT_FAIL, "cannot read %s", bin);
		goto out;
	}
	if (needs_loader(&data)) {
		error_set(err, PARA_EXIT_FAIL, "%s is not a static binary, and the proxy's image has no loader", bin);
		error_hint(err, "build para without sanitizers, or point PARA_PROXY_BIN at a static para-proxy");
		goto out;
	}
	hash_hex(data.buf, data.len, hash);
	tag = xasprintf("para-proxy:%.16s", hash);
	if (engine_image_id(e, tag, &id, err) < 0 || id)
		goto out;
	report(REPORT_NOTE, "making the egress proxy image %s", tag);
	int fd = tar_of(bin, &data, err);
	struct strvec changes = STRVEC_INIT;
	strvec_pushl(&changes, "ENTRYPOINT [\"/para-proxy\"]", "USER 65534:65534", "LABEL dev.para.role=proxy", NULL);
	int r = fd < 0 ? -1 : engine_import(e, fd, tag, &changes, err);
	if (fd >= 0)
		close(fd);
	strvec_clear(&changes);
	if (r == 0)
		goto out;
	free(tag);
	tag = NULL;
out:
	free(id);
	free(bin);
	strbuf_release(&data);
	return tag;
}

/* ---- the network -------------------------------------------------------- */

static int parse_cidr4(const char *s, uint32_t *base, int *len)
{
	char ip[32];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	*len = atoi(slash + 1);
	if (inet_pton(AF_INET, ip, &a) != 1 || *len < 0 || *len > 32)
		return -1;
	*base = ntohl(a.s_addr);
	return 0;
}

static int overlaps(uint32_t a, int alen, uint32_t b, int blen)
{
	int len = alen < blen ? alen : blen;
	uint32_t mask = len ? ~0u << (32 - len) : 0;
	return (a & mask) == (b & mask);
}

/* Every IPv4 subnet the engine's networks use. */
static int used_subnets(struct engine *e, struct strvec *out, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf ids = STRBUF_INIT, subnets = STRBUF_INIT;
	strvec_pushl(&args, "network", "ls", "-q", NULL);
	int r = engine_run(e, &args, &ids, NULL, "cannot list networks", err);
	strvec_clear(&args);
	strvec_pushl(&args, "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", NULL);
	char *save = NULL;
	for (char *id = r == 0 ? strtok_r(ids.buf, "\n", &save) : NULL; id; id = strtok_r(NULL, "\n", &save))
		strvec_push(&args, id);
	if (r == 0)
		r = engine_run(e, &args, &subnets, NULL, "cannot inspect networks", err);
	save = NULL;
	for (char *w = r == 0 ? strtok_r(subnets.buf, " \n", &save) : NULL; w; w = strtok_r(NULL, " \n", &save))
		strvec_push(out, w);
	strvec_clear(&args);
	strbuf_release(&ids);
	strbuf_release(&subnets);
	return r;
}

/* A free 10.213.N.0/24, N from the name (then the next ones). */
static int pick_subnet(const struct strvec *used, const char *name, char *subnet, size_t n, struct error *err)
{
	char h[HASH_HEX_LEN + 1];
	hash_hex(name, strlen(name), h);
	unsigned start = (unsigned)strtoul((char[3]){ h[0], h[1], 0 }, NULL, 16);
	for (unsigned k = 0; k < 256; k++) {
		unsigned x = (start + k) % 256;
		uint32_t base = (10u << 24) | (213u << 16) | (x << 8), ub;
		int free_ = 1, ulen;
		for (size_t i = 0; free_ && i < used->nr; i++)
			if (parse_cidr4(used->v[i], &ub, &ulen) == 0 && overlaps(base, 24, ub, ulen))
				free_ = 0;
		if (free_) {
			snprintf(subnet, n, "10.213.%u.0/24", x);
			return 0;
		}
	}
	return error_set(err, PARA_EXIT_FAIL, "no free subnet in 10.213.0.0/16 for the isolated network %s", name);
}

/* The proxy's address in subnet: its second host. */
static char *proxy_ip_of(const char *subnet)
{
	uint32_t base;
	int len;
	if (parse_cidr4(subnet, &base, &len) < 0 || len > 30)
		return NULL;
	struct in_addr a = { htonl(base + 2) };
	char buf[INET_ADDRSTRLEN];
	return xstrdup(inet_ntop(AF_INET, &a, buf, sizeof buf));
}

static void session_labels(const struct container_spec *s, const char *run, const char *role, struct strvec *args)
{
	for (size_t i = 0; i < s->labels.nr; i++)
		if (!strncmp(s->labels.v[i], "dev.para.repo=", 14) || !strncmp(s->labels.v[i], "dev.para.session=", 17))
			strvec_pushl(args, "--label", s->labels.v[i], NULL);
	strvec_pushf(args, "--label=dev.para.role=%s", role);
	if (run)
		strvec_pushf(args, "--label=" SPEC_RUN_LABEL "=%s", run);
}

/* The network's subnet in *subnet (NULL when there is no such network). */
static int network_subnet(struct engine *e, const char *net, char **subnet, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	int status = 0;
	strvec_pushl(&args, "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", net, NULL);
	int r = engine_run(e, &args, &out, &status, "cannot inspect network", err);
	strbuf_trim(&out);
	*subnet = r == 0 && status == 0 && out.len ? strbuf_detach(&out, NULL) : NULL;
	if (r == 0 && status && engine_ping(e, err) < 0)
		r = -1;
	strvec_clear(&args);
	strbuf_release(&out);
	return r;
}

static int network_ensure(struct engine *e, const struct container_spec *s, const char *run, char **subnet,
			  struct error *err)
{
	if (network_subnet(e, s->network, subnet, err) < 0 || *subnet)
		return *subnet ? 0 : -1;
	struct strvec used = STRVEC_INIT, args = STRVEC_INIT;
	char buf[32];
	int r = used_subnets(e, &used, err);
	if (r == 0)
		r = pick_subnet(&used, s->network, buf, sizeof buf, err);
	if (r == 0) {
		/* the engine hands out addresses from the upper half only: the
		 * proxy's .2 stays free for it, also while it is down */
		char range[32];
		snprintf(range, sizeof range, "%.*s128/25", (int)(strrchr(buf, '.') - buf + 1), buf);
		/* no address on the host's side of the bridge: an internal network
		 * would still reach the host's own services through its gateway */
		strvec_pushl(&args, "network", "create", "--internal", "--subnet", buf, "--ip-range", range, "--opt",
			     "com.docker.network.bridge.inhibit_ipv4=true", NULL);
		session_labels(s, run, "internal", &args);
		strvec_push(&args, s->network);
		r = engine_run(e, &args, NULL, NULL, "cannot create the isolated network", err);
	}
	if (r == 0)
		*subnet = xstrdup(buf);
	strvec_clear(&used);
	strvec_clear(&args);
	return r;
}

/* ---- the sidecar -------------------------------------------------------- */

/* The proxy takes this many --deny-addr (docs/proxy.md). */
#define DENY_MAX 64

/* The engine host's own addresses, which the proxy refuses to reach
 * (loopback and link-local it refuses anyway). */
static void host_addresses(struct strvec *args)
{
	struct ifaddrs *ifa, *i;
	struct strvec seen = STRVEC_INIT;
	char buf[INET6_ADDRSTRLEN];
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && seen.nr < DENY_MAX; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		const struct in6_addr *a6 = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		const struct in_addr *a4 = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (fam == AF_INET6 ? IN6_IS_ADDR_LOOPBACK(a6) || IN6_IS_ADDR_LINKLOCAL(a6)
				    : (ntohl(a4->s_addr) >> 24) == 127)
			continue;
		if (inet_ntop(fam, fam == AF_INET ? (const void *)a4 : (const void *)a6, buf, sizeof buf) &&
		    strvec_find(&seen, buf) < 0)
			strvec_push(&seen, buf);
	}
	freeifaddrs(ifa);
	if (i)
		report(REPORT_NOTE, "the engine host has %d addresses or more; the proxy refuses the first %d",
		       DENY_MAX, DENY_MAX);
	for (size_t k = 0; k < seen.nr; k++)
		strvec_pushl(args, "--deny-addr", seen.v[k], NULL);
	strvec_clear(&seen);
}

static int sidecar_create(struct engine *e, const struct container_spec *s, const char *run, const char *image,
			  const char *sidecar, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	strvec_pushl(&args, "create", "--name", sidecar, "--network", s->network, "--ip", s->proxy_ip,
		     "--network-alias", NETPOLICY_PROXY_ALIAS, "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		     "--read-only", "--pids-limit", "64", "--memory", "256m", NULL);
	session_labels(s, run, "egress", &args);
	strvec_pushl(&args, image, "--dns-answer", s->proxy_ip, "--transparent", NULL);
	for (size_t i = 0; i < s->allow.nr; i++)
		strvec_pushl(&args, "--allow", s->allow.v[i], NULL);
	host_addresses(&args);
	int r = engine_run(e, &args, NULL, NULL, "cannot create the egress proxy", err);
	strvec_clear(&args);
	if (r == 0) {
		strvec_pushl(&args, "network", "connect", s->egress, sidecar, NULL);
		r = engine_run(e, &args, NULL, NULL, "cannot connect the egress proxy to its network", err);
		strvec_clear(&args);
	}
	return r;
}

int netpolicy_up(struct engine *e, struct container_spec *s, const char *run, struct error *err)
{
	char *subnet = NULL, *state = NULL, *image = NULL;
	char *sidecar = netpolicy_sidecar_name(s->name);
	int r = network_ensure(e, s, run, &subnet, err);
	if (r == 0) {
		free(s->proxy_ip);
		s->proxy_ip = proxy_ip_of(subnet);
		if (!s->proxy_ip)
			r = error_set(err, PARA_EXIT_FAIL, "the network %s has no room for the proxy (%s)", s->network, subnet);
	}
	if (r == 0)
		r = engine_state(e, sidecar, &state, err);
	if (r == 0 && !state) {
		image = proxy_image(e, err);
		r = image ? sidecar_create(e, s, run, image, sidecar, err) : -1;
	}
	if (r == 0 && (!state || strcmp(state, "running")))
		r = engine_start(e, sidecar, err);
	free(subnet);
	free(state);
	free(image);
	free(sidecar);
	return r;
}

int netpolicy_network_remove(struct engine *e, const char *name, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	int status = 0;
	char *subnet = NULL;
	strvec_pushl(&args, "network", "rm", name, NULL);
	int r = engine_run(e, &args, NULL, &status, "cannot remove network", err);
	/* gone already is fine */
	if (r == 0 && status && network_subnet(e, name, &subnet, err) == 0 && subnet)
		r = error_set(err, PARA_EXIT_FAIL, "cannot remove the network %s (is a container still attached?)", name);
	free(subnet);
	strvec_clear(&args);
	return r;
}

static int network_is_runs(struct engine *e, const char *net, const char *run)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct error ignore = ERROR_INIT;
	int status = 0;
	strvec_pushl(&args, "network", "inspect", "--format", "{{index .Labels \"" SPEC_RUN_LABEL "\"}}", net, NULL);
	int r = engine_run(e, &args, &out, &status, "cannot inspect network", &ignore);
	strbuf_trim(&out);
	int mine = r == 0 && status == 0 && !strcmp(out.buf, run);
	strvec_clear(&args);
	strbuf_release(&out);
	return mine;
}

int netpolicy_down(struct engine *e, const char *container, const char *run, struct error *err)
{
	char *sidecar = netpolicy_sidecar_name(container), *net = netpolicy_network_name(container);
	int r = engine_remove_own(e, sidecar, run, err);
	if (r == 0 && (!run || network_is_runs(e, net, run)))
		r = netpolicy_network_remove(e, net, err);
	free(sidecar);
	free(net);
	return r;
}

int netpolicy_log(struct engine *e, const char *container, struct strbuf *out, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	char *sidecar = netpolicy_sidecar_name(container);
	strvec_pushl(&args, "logs", sidecar, NULL);
	int r = engine_run(e, &args, out, NULL, "cannot read the egress proxy's log", err);
	strvec_clear(&args);
	free(sidecar);
	return r;
}

int netpolicy_networks(struct engine *e, const char *repo_root, struct strvec *names, struct error *err)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	strvec_pushl(&args, "network", "ls", "--format", "{{.Name}}", NULL);
	strvec_pushf(&args, "--filter=label=dev.para.repo=%s", repo_root);
	int r = engine_run(e, &args, &out, NULL, "cannot list networks", err);
	char *save = NULL;
	for (char *l = r == 0 ? strtok_r(out.buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		strvec_push(names, l);
	strvec_clear(&args);
	strbuf_release(&out);
	return r;
}
