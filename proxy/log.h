/*
 * The decision log: one line per decision on stdout,
 *   <UTC RFC3339 time> <allow|deny> <client-ip> <kind> <host>:<port> <reason>
 * with every client-supplied byte made printable ASCII (other bytes '?')
 * and bounded in length.
 */
#ifndef PARA_PROXY_LOG_H
#define PARA_PROXY_LOG_H
#include <stddef.h>
#include <time.h>

#define LOG_FIELD_MAX 255
#define LOG_LINE_MAX 1024

/* Copy in (n bytes) into out (cap bytes, NUL-terminated): bytes outside
 * '!'..'~' become '?', at most LOG_FIELD_MAX of them, "-" for nothing. */
void log_sanitize(char *out, size_t cap, const char *in, size_t n);
/* Format one line (with its newline) into out; returns its length. */
size_t log_format(char *out, size_t cap, time_t t, int allow, const char *client, const char *kind,
		  const char *host, int port, const char *reason);
/* Format and write one line to stdout. */
void log_decision(int allow, const char *client, const char *kind, const char *host, int port,
		  const char *reason);

#endif
