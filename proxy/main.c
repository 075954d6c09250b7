/*
 * para-proxy: the egress proxy of an isolated para session (docs/proxy.md).
 * Options, listeners, the signal mask and the event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "util/banned.h"

#define MAX_LISTENERS 16
#define SWEEP_MS 250

struct config cfg;
static int epfd = -1;
static struct listener listeners[MAX_LISTENERS];
static int nlisteners;
static volatile sig_atomic_t stop;

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ev_add(struct handle *h, unsigned events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

void ev_del(struct handle *h)
{
	if (h->fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "para-proxy: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static int number(const char *s, int lo, int hi, const char *opt)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s %s: not a number from %d to %d", opt, s, lo, hi);
	return (int)v;
}

/* "IP", "IP:PORT", "[IPv6]:PORT" into cfg.upstream. */
static int set_upstream(const char *s)
{
	char host[64];
	int port = 53;
	const char *colon = strrchr(s, ':');
	size_t n = strlen(s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -1;
		n = (size_t)(close - s + 1);
		if (close[1] == ':')
			port = atoi(close + 2);
		else if (close[1])
			return -1;
	} else if (colon && colon == strchr(s, ':')) {
		n = (size_t)(colon - s);
		port = atoi(colon + 1);
	}
	if (n >= sizeof host || port < 1 || port > 65535)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	struct ipaddr a;
	if (ip_parse(host, &a) < 0)
		return -1;
	cfg.upstream_len = ip_to_sockaddr(&a, port, &cfg.upstream);
	return 0;
}

/* The first nameserver of /etc/resolv.conf. */
static void upstream_from_resolv_conf(void)
{
	char line[256], ns[128];
	FILE *f = fopen("/etc/resolv.conf", "re");
	if (f) {
		while (fgets(line, sizeof line, f))
			if (sscanf(line, " nameserver %127s", ns) == 1 && set_upstream(ns) == 0)
				break;
		fclose(f);
	}
	if (!cfg.upstream_len)
		die("%s", "no --upstream-dns and no usable nameserver in /etc/resolv.conf");
}

static const char usage[] =
	"usage: para-proxy --allow ENTRY [--allow ENTRY ...] [--http-port 3128] [--transparent]\n"
	"                  [--dns-answer IPv4] [--upstream-dns IP[:PORT]] [--deny-addr CIDR ...]\n"
	"                  [--max-conns 1024] [--header-max 16384] [--handshake-timeout 10]\n"
	"                  [--idle-timeout 60]\n";

static void option(int opt, const char *arg)
{
	struct error err = ERROR_INIT;
	switch (opt) {
	case 'a':
		if (allowlist_add(&cfg.allow, arg, &err) < 0)
			die("%s", err.msg);
		break;
	case 'p': cfg.http_port = number(arg, 1, 65535, "--http-port"); break;
	case 't': cfg.transparent = 1; break;
	case 'd':
		if (ip_parse(arg, &cfg.dns_answer) < 0 || cfg.dns_answer.family != AF_INET)
			die("--dns-answer %s: not an IPv4 address", arg);
		cfg.dns_stub = 1;
		break;
	case 'u':
		if (set_upstream(arg) < 0)
			die("--upstream-dns %s: not IP[:PORT]", arg);
		break;
	case 'x':
		if (cfg.ndeny == MAX_DENY || cidr_parse(arg, &cfg.deny[cfg.ndeny]) < 0)
			die("--deny-addr %s: not a CIDR range (or too many)", arg);
		cfg.ndeny++;
		break;
	case 'm': cfg.max_conns = number(arg, 1, 65536, "--max-conns"); break;
	case 'H': cfg.header_max = number(arg, 1024, 1 << 20, "--header-max"); break;
	case 'T': cfg.handshake_timeout = number(arg, 1, 3600, "--handshake-timeout"); break;
	case 'I': cfg.idle_timeout = number(arg, 1, 86400, "--idle-timeout"); break;
	case 'h': fputs(usage, stdout); exit(0);
	default: fputs(usage, stderr); exit(2);
	}
}

static void parse_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "allow", required_argument, NULL, 'a' }, { "http-port", required_argument, NULL, 'p' },
		{ "transparent", no_argument, NULL, 't' }, { "dns-answer", required_argument, NULL, 'd' },
		{ "upstream-dns", required_argument, NULL, 'u' }, { "deny-addr", required_argument, NULL, 'x' },
		{ "max-conns", required_argument, NULL, 'm' }, { "header-max", required_argument, NULL, 'H' },
		{ "handshake-timeout", required_argument, NULL, 'T' },
		{ "idle-timeout", required_argument, NULL, 'I' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cfg.http_port = 3128;
	cfg.max_conns = 1024;
	cfg.header_max = 16384;
	cfg.handshake_timeout = 10;
	cfg.idle_timeout = 60;
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		option(opt, optarg);
	if (optind < argc)
		die("unexpected argument '%s'", argv[optind]);
	if (!cfg.upstream_len)
		upstream_from_resolv_conf();
}

/* A socket of family bound to port (SOCK_STREAM listening, or SOCK_DGRAM). */
static int bind_one(int family, int type, int port)
{
	struct sockaddr_storage ss;
	struct ipaddr any = { family, { 0 } };
	socklen_t sl = ip_to_sockaddr(&any, port, &ss);
	int one = 1, fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || (type == SOCK_STREAM && listen(fd, 1024) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Listen on port over IPv4 and, when the host has it, IPv6. */
static void listen_on(int port, int type, enum lkind kind)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int bound = 0;
	for (int i = 0; i < 2; i++) {
		int fd = bind_one(families[i], type, port);
		if (fd < 0) {
			if (families[i] == AF_INET6 && bound)
				continue; /* no IPv6 here */
			fprintf(stderr, "para-proxy: cannot listen on port %d: %s\n", port, strerror(errno));
			exit(1);
		}
		struct listener *l = &listeners[nlisteners++];
		l->h = (struct handle){ type == SOCK_DGRAM ? H_DNS_UDP : H_LISTEN, fd, l, 0, 0 };
		l->kind = kind;
		if (ev_add(&l->h, EPOLLIN) < 0) {
			perror("para-proxy: epoll_ctl");
			exit(1);
		}
		bound = 1;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGTERM and SIGINT are blocked but while waiting (epoll_pwait): no race. */
static void setup_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
}

/* Up to three fds a connection (client, upstream, resolver) and a few more. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void dispatch(struct epoll_event *ev)
{
	struct handle *h = ev->data.ptr;
	switch (h->type) {
	case H_LISTEN: conn_accept(h->owner); break;
	case H_DNS_UDP: stub_udp_event(h); break;
	default: conn_event(h, ev->events); break;
	}
}

static void unpause_listeners(void)
{
	for (int i = 0; i < nlisteners; i++)
		if (listeners[i].paused && ev_add(&listeners[i].h, EPOLLIN) == 0)
			listeners[i].paused = 0;
}

static void loop(const sigset_t *waitmask)
{
	struct epoll_event evs[256];
	long long next_sweep = 0;
	while (!stop) {
		int n = epoll_pwait(epfd, evs, 256, conn_have_pending() ? 0 : SWEEP_MS, waitmask);
		if (n < 0 && errno != EINTR) {
			perror("para-proxy: epoll_pwait");
			exit(1);
		}
		for (int i = 0; i < n; i++)
			dispatch(&evs[i]);
		conn_run_pending();
		long long now = now_ms();
		if (now >= next_sweep) {
			conn_sweep(now);
			unpause_listeners();
			next_sweep = now + SWEEP_MS;
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t waitmask;
	parse_options(argc, argv);
	setup_signals(&waitmask);
	raise_fd_limit();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("para-proxy: epoll_create1");
		return 1;
	}
	listen_on(cfg.http_port, SOCK_STREAM, L_PROXY);
	if (cfg.transparent) {
		listen_on(80, SOCK_STREAM, L_HTTP80);
		listen_on(443, SOCK_STREAM, L_TLS443);
	}
	if (cfg.dns_stub) {
		listen_on(53, SOCK_DGRAM, L_DNS_TCP);
		listen_on(53, SOCK_STREAM, L_DNS_TCP);
	}
	fprintf(stderr, "para-proxy: %zu allowlist entries, proxy port %d%s%s\n", cfg.allow.nr, cfg.http_port,
		cfg.transparent ? ", transparent 80/443" : "", cfg.dns_stub ? ", DNS stub on 53" : "");
	loop(&waitmask);
	conn_close_all();
	for (int i = 0; i < nlisteners; i++)
		close(listeners[i].h.fd);
	close(epfd);
	allowlist_clear(&cfg.allow);
	return 0;
}
