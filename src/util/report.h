/*
 * What the core says while it works: a line at a time, to one sink that
 * cli/ installs (it alone prints). With no sink, reports go nowhere, so the
 * library stays quiet in tests and other programs.
 */
#ifndef PARA_UTIL_REPORT_H
#define PARA_UTIL_REPORT_H

enum report_kind {
	REPORT_NOTE,       /* a line for the user: "built X (log: Y)" (not with -q) */
	REPORT_WARN,       /* something the user should know: it did not stop the command */
	REPORT_TRACE,      /* a command para runs (--verbose) */
	REPORT_STATUS,     /* a live status line on a terminal: replaces the last one */
	REPORT_STATUS_END, /* the live status line is done: clear it (text is "") */
	REPORT_DETAIL,     /* a line of a program's own output (a failed build's last lines) */
};

typedef void (*report_fn)(enum report_kind kind, const char *text, void *ctx);

void report_sink(report_fn fn, void *ctx);
void report(enum report_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
