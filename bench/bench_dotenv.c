/*
 * dotenv_parse on a generated 10,000-line .env against a baseline that only
 * splits lines at the first '=' and copies key and value, both in this
 * process. Prints the median time per run of each and their ratio.
 *
 * usage: bench_dotenv [RUNS]   (default 30)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse/dotenv.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define LINES 10000

/* A mixed .env of exactly LINES lines. */
static void generate(struct strbuf *sb)
{
	int line = 0, i = 0;

	while (line < LINES) {
		if (i % 500 == 499 && line + 3 <= LINES) {
			strbuf_addf(sb, "MULTI_%d=\"first line %d\nsecond \\\"line\\\"\nthird\"\n", i, i);
			line += 3;
			i++;
			continue;
		}
		switch (i % 8) {
		case 0: strbuf_addf(sb, "PLAIN_%d=value_%d_some_plain_text\n", i, i); break;
		case 1: strbuf_addf(sb, "SINGLE_%d='single quoted %d with $NOT_EXPANDED'\n", i, i); break;
		case 2: strbuf_addf(sb, "DOUBLE_%d=\"tab\\there\\nnewline \\\"q\\\" %d\"\n", i, i); break;
		case 3: strbuf_addf(sb, "export EXPORTED_%d=exported_%d\n", i, i); break;
		case 4: strbuf_addf(sb, "# a comment line %d about the settings below\n", i); break;
		case 5: strbuf_addstr(sb, "\n"); break;
		case 6: strbuf_addf(sb, "INTERP_%d=${UNSET_%d:-default_%d}/${PLAIN_%d}\n", i, i, i, i - 6); break;
		default: strbuf_addf(sb, "COMMENTED_%d = value %d # trailing comment\n", i, i); break;
		}
		line++;
		i++;
	}
}

struct pair {
	char *key, *value;
};

/* The baseline: split on '\n' and the first '=', copy both halves. */
static size_t baseline(const char *s, size_t len)
{
	struct pair *v = NULL;
	size_t nr = 0, alloc = 0;
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *eq;
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if ((eq = memchr(s, '=', n))) {
			ALLOC_GROW(v, nr + 1, alloc);
			v[nr].key = xstrndup(s, (size_t)(eq - s));
			v[nr].value = xstrndup(eq + 1, n - (size_t)(eq - s) - 1);
			nr++;
		}
		s += n + 1;
	}
	for (size_t i = 0; i < nr; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
	return nr;
}

static size_t run_para(const char *s, size_t len)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;
	size_t nr;

	if (dotenv_parse(s, len, NULL, NULL, 1, &d, &err) < 0) {
		fprintf(stderr, "bench_dotenv: line %d: %s\n", d.error_line, err.msg);
		exit(1);
	}
	nr = d.nr;
	dotenv_clear(&d);
	return nr;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	int runs = argc > 1 ? atoi(argv[1]) : 30;
	double *tp, *tb;
	size_t sink = 0;

	if (runs < 1 || runs > 100000) {
		fprintf(stderr, "usage: bench_dotenv [RUNS]\n");
		return 2;
	}
	tp = xcalloc((size_t)runs, sizeof(*tp));
	tb = xcalloc((size_t)runs, sizeof(*tb));
	generate(&sb);
	sink += run_para(sb.buf, sb.len) + baseline(sb.buf, sb.len); /* warm up */
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		sink += run_para(sb.buf, sb.len);
		double t1 = now_ms();
		sink += baseline(sb.buf, sb.len);
		tp[i] = t1 - t0;
		tb[i] = now_ms() - t1;
	}
	double p = median(tp, runs), b = median(tb, runs);
	printf("dotenv %d lines: para %.2f ms, baseline %.2f ms, ratio %.1f (median of %d)\n",
	       LINES, p, b, p / b, runs);
	free(tp);
	free(tb);
	strbuf_release(&sb);
	return sink ? 0 : 1;
}
