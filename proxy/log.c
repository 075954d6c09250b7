/* The decision log (log.h). */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

void log_sanitize(char *out, size_t cap, const char *in, size_t n)
{
	size_t k = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < n && k < LOG_FIELD_MAX && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		out[k++] = c >= '!' && c <= '~' ? (char)c : '?';
	}
	if (k == 0 && cap > 1)
		out[k++] = '-';
	out[k] = '\0';
}

size_t log_format(char *out, size_t cap, time_t t, int allow, const char *client, const char *kind,
		  const char *host, int port, const char *reason)
{
	char stamp[32], h[LOG_FIELD_MAX + 1], c[LOG_FIELD_MAX + 1], r[LOG_FIELD_MAX + 1];
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(stamp, sizeof stamp, "%lld", (long long)t);
	log_sanitize(h, sizeof h, host, strlen(host));
	log_sanitize(c, sizeof c, client, strlen(client));
	log_sanitize(r, sizeof r, reason, strlen(reason));
	int v6 = strchr(h, ':') != NULL;
	int n = snprintf(out, cap, "%s %s %s %s %s%s%s:%d %s\n", stamp, allow ? "allow" : "deny", c, kind,
			 v6 ? "[" : "", h, v6 ? "]" : "", port, r);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void log_decision(int allow, const char *client, const char *kind, const char *host, int port,
		  const char *reason)
{
	char line[LOG_LINE_MAX];
	size_t n = log_format(line, sizeof line, time(NULL), allow, client, kind, host, port, reason);
	/* stdout is docker's log pipe: a short blocking write of one whole line */
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDOUT_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}
