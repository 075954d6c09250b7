/*
 * bench_buildctx: the build-context check (buildctx_hash) against reading the
 * same files with `find CONTEXT -type f | xargs cat >/dev/null`, both run here
 * on the same generated contexts.
 *
 *   bench_buildctx [-n RUNS] [-d DIR] [SIZE...]     (default: 5 runs, 1000 10000 100000)
 *
 * For each size it makes a context of SIZE files of 100 bytes in nested
 * directories under DIR (default $TMPDIR or /tmp), removes it afterwards, and
 * prints the median of RUNS runs of each of:
 *   warm: page cache warm, stat cache present (para) / page cache warm (baseline);
 *   cold: page cache dropped before every run, no stat cache. Dropping the
 *         cache needs root; otherwise cold is reported as not measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/buildctx.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define FILES_PER_DIR 50
#define DIRS_PER_DIR 20
#define MAX_RUNS 101

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void write_file(const char *path, const char *content, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len) {
		fprintf(stderr, "bench_buildctx: cannot write '%s': %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* SIZE files of 100 bytes: ctx/dNNN/eNN/fNN, FILES_PER_DIR per leaf directory. */
static void make_context(const char *ctx, long size)
{
	char path[4096], content[100];

	if (mkdir(ctx, 0755) < 0) {
		fprintf(stderr, "bench_buildctx: cannot create '%s': %s\n", ctx, strerror(errno));
		exit(1);
	}
	for (long i = 0; i < size; i++) {
		long leaf = i / FILES_PER_DIR, top = leaf / DIRS_PER_DIR;
		if (i % (FILES_PER_DIR * DIRS_PER_DIR) == 0) {
			snprintf(path, sizeof path, "%s/d%03ld", ctx, top);
			mkdir(path, 0755);
		}
		if (i % FILES_PER_DIR == 0) {
			snprintf(path, sizeof path, "%s/d%03ld/e%02ld", ctx, top, leaf % DIRS_PER_DIR);
			mkdir(path, 0755);
		}
		snprintf(path, sizeof path, "%s/d%03ld/e%02ld/f%02ld.txt", ctx, top, leaf % DIRS_PER_DIR,
			 i % FILES_PER_DIR);
		memset(content, 'a' + (int)(i % 26), sizeof content);
		snprintf(content, sizeof content, "file %ld\n", i);
		content[strlen(content)] = '-';
		write_file(path, content, sizeof content);
	}
	snprintf(path, sizeof path, "%s/Dockerfile", ctx);
	write_file(path, "FROM busybox\nCOPY . /app\n", 25);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int can_drop_caches(void)
{
	return geteuid() == 0 && access("/proc/sys/vm/drop_caches", W_OK) == 0;
}

static void drop_caches(void)
{
	int fd;
	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3\n", 2) != 2) {
		fprintf(stderr, "bench_buildctx: cannot drop the page cache: %s\n", strerror(errno));
		exit(1);
	}
	close(fd);
}

/* The baseline: find CTX -type f | xargs cat >/dev/null, as two argv children. */
static double run_baseline(const char *ctx)
{
	int p[2], devnull, status;
	pid_t find, xargs;
	double t0 = now_ms();

	if (pipe2(p, O_CLOEXEC) < 0 || (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		exit(1);
	find = fork();
	if (find == 0) {
		dup2(p[1], 1);
		execlp("find", "find", ctx, "-type", "f", (char *)NULL);
		_exit(127);
	}
	xargs = fork();
	if (xargs == 0) {
		dup2(p[0], 0);
		dup2(devnull, 1);
		execlp("xargs", "xargs", "cat", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(p[1]);
	close(devnull);
	if (find < 0 || xargs < 0 || waitpid(find, &status, 0) < 0 || status ||
	    waitpid(xargs, &status, 0) < 0 || status) {
		fprintf(stderr, "bench_buildctx: the baseline pipeline failed\n");
		exit(1);
	}
	return now_ms() - t0;
}

static double run_para(const struct buildctx_opts *o, size_t want_files, size_t *hashed)
{
	struct buildctx_result r;
	struct error err = ERROR_INIT;
	double t0 = now_ms(), t;

	if (buildctx_hash(o, &r, &err) < 0) {
		fprintf(stderr, "bench_buildctx: %s\n", err.msg);
		exit(1);
	}
	t = now_ms() - t0;
	if (r.files != want_files) {
		fprintf(stderr, "bench_buildctx: hashed %zu files, expected %zu\n", r.files, want_files);
		exit(1);
	}
	*hashed = r.hashed_files;
	return t;
}

static void bench_size(const char *dir, long size, int runs, int cold_ok)
{
	char *root = xasprintf("%s/para-bench-XXXXXX", dir), *ctx, *df, *cache;
	double para_w[MAX_RUNS], base_w[MAX_RUNS], para_c[MAX_RUNS], base_c[MAX_RUNS];
	struct buildctx_opts o = { 0 };
	size_t hashed, files = (size_t)size + 1; /* + the Dockerfile */
	double pw, bw;

	if (!mkdtemp(root)) {
		fprintf(stderr, "bench_buildctx: cannot create a directory in '%s': %s\n", dir, strerror(errno));
		exit(1);
	}
	ctx = xasprintf("%s/ctx", root);
	df = xasprintf("%s/Dockerfile", ctx);
	cache = xasprintf("%s/statcache", root);
	make_context(ctx, size);
	o.context_dir = ctx;
	o.dockerfile = df;
	o.cache_path = cache;
	sleep(1); /* files newer than the coarse clock's last tick are not cached */

	for (int i = 0; cold_ok && i < runs; i++) {
		unlink(cache);
		drop_caches();
		para_c[i] = run_para(&o, files, &hashed);
		drop_caches();
		base_c[i] = run_baseline(ctx);
	}
	run_para(&o, files, &hashed); /* fill the stat cache and the page cache */
	run_baseline(ctx);
	for (int i = 0; i < runs; i++) {
		para_w[i] = run_para(&o, files, &hashed);
		if (hashed) {
			fprintf(stderr, "bench_buildctx: warm run read %zu files\n", hashed);
			exit(1);
		}
		base_w[i] = run_baseline(ctx);
	}
	pw = median(para_w, runs);
	bw = median(base_w, runs);
	printf("%ld files: warm para %.1f ms vs baseline %.1f ms (ratio %.2f); ", size, pw, bw, pw / bw);
	if (cold_ok) {
		double pc = median(para_c, runs), bc = median(base_c, runs);
		printf("cold para %.1f ms vs baseline %.1f ms (ratio %.2f)\n", pc, bc, pc / bc);
	} else {
		printf("cold not measured (dropping the page cache needs root)\n");
	}
	fflush(stdout);
	nftw(root, rm_one, 64, FTW_DEPTH | FTW_PHYS);
	free(root);
	free(ctx);
	free(df);
	free(cache);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	long sizes[16] = { 1000, 10000, 100000 };
	int nsizes = 3, runs = 5, opt, cold_ok = can_drop_caches();

	while ((opt = getopt(argc, argv, "n:d:h")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_buildctx [-n RUNS] [-d DIR] [SIZE...]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench_buildctx: RUNS must be 1..%d\n", MAX_RUNS);
		return 2;
	}
	if (optind < argc) {
		nsizes = 0;
		for (; optind < argc && nsizes < 16; optind++)
			sizes[nsizes++] = atol(argv[optind]);
	}
	printf("buildctx_hash vs find|xargs cat: median of %d runs, %s\n", runs,
	       cold_ok ? "cold = page cache dropped before each run" : "not root: warm only");
	for (int i = 0; i < nsizes; i++)
		if (sizes[i] > 0)
			bench_size(dir, sizes[i], runs, cold_ok);
	return 0;
}
