#include "util/report.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/xalloc.h"
#include "util/banned.h"

static report_fn sink;
static void *sink_ctx;

void report_sink(report_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void report(enum report_kind kind, const char *fmt, ...)
{
	va_list ap;
	if (!sink)
		return;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	sink(kind, text, sink_ctx);
	free(text);
}
