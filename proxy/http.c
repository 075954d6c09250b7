/* HTTP/1.x request heads (http.h). */
#include "http.h"

#include "parse/allowlist.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

static int tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int span_is(struct http_span s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* The end of the line starting at p (the '\r' of its CRLF), or NULL when
 * the line holds a control byte other than HT, or a CR not before LF. */
static const char *line_end(const char *p, const char *end)
{
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r')
			return p + 1 < end && p[1] == '\n' ? p : NULL;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return NULL;
	}
	return NULL;
}

/* "METHOD SP target SP HTTP/1.x" */
static int parse_request_line(const char *p, const char *eol, struct http_head *h)
{
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1 || sp1 == p)
		return HTTP_BAD;
	const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return HTTP_BAD;
	h->method = (struct http_span){ p, (size_t)(sp1 - p) };
	h->target = (struct http_span){ sp1 + 1, (size_t)(sp2 - sp1 - 1) };
	h->version = (struct http_span){ sp2 + 1, (size_t)(eol - sp2 - 1) };
	for (size_t i = 0; i < h->method.n; i++)
		if (!tchar((unsigned char)h->method.p[i]))
			return HTTP_BAD;
	for (size_t i = 0; i < h->target.n; i++)
		if ((unsigned char)h->target.p[i] <= 0x20 || (unsigned char)h->target.p[i] >= 0x7f)
			return HTTP_BAD;
	if (h->version.n != 8 || (memcmp(h->version.p, "HTTP/1.1", 8) && memcmp(h->version.p, "HTTP/1.0", 8)))
		return HTTP_BAD;
	return HTTP_OK;
}

/* "Name: value" (no blank before the colon, value trimmed of SP/HT). */
static int parse_header_line(const char *p, const char *eol, struct http_head *h)
{
	const char *colon = p;
	while (colon < eol && tchar((unsigned char)*colon))
		colon++;
	if (colon == p || colon == eol || *colon != ':')
		return HTTP_BAD;
	if (h->nheaders == HTTP_MAX_HEADERS)
		return HTTP_TOO_MANY;
	const char *v = colon + 1, *ve = eol;
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	h->name[h->nheaders] = (struct http_span){ p, (size_t)(colon - p) };
	h->value[h->nheaders] = (struct http_span){ v, (size_t)(ve - v) };
	h->nheaders++;
	return HTTP_OK;
}

int http_parse_head(const char *buf, size_t len, struct http_head *h)
{
	const char *end = buf + len, *p = buf;
	memset(h, 0, sizeof *h);
	for (int first = 1;; first = 0) {
		const char *eol = line_end(p, end);
		if (!eol) {
			/* a line still arriving, or one that is broken */
			const char *q = p;
			while (q < end && (*q == '\t' || ((unsigned char)*q >= 0x20 && *q != 0x7f)))
				q++;
			return q == end || (q + 1 == end && *q == '\r') ? HTTP_NEED_MORE : HTTP_BAD;
		}
		if (eol == p && !first) {
			h->len = (size_t)(eol + 2 - buf);
			return HTTP_OK;
		}
		if (!first && (*p == ' ' || *p == '\t'))
			return HTTP_BAD; /* obsolete line folding */
		int rc = first ? parse_request_line(p, eol, h) : parse_header_line(p, eol, h);
		if (rc != HTTP_OK)
			return rc;
		p = eol + 2;
	}
}

int http_split_authority(struct http_span a, int defport, char host[HTTP_HOST_MAX + 1], int *port)
{
	const char *hp = a.p, *colon = NULL;
	size_t hn;
	if (a.n && a.p[0] == '[') {
		const char *close = memchr(a.p, ']', a.n);
		if (!close)
			return -1;
		hp = a.p + 1;
		hn = (size_t)(close - hp);
		if (close + 1 < a.p + a.n) {
			if (close[1] != ':')
				return -1;
			colon = close + 1;
		}
	} else {
		colon = memchr(a.p, ':', a.n);
		hn = colon ? (size_t)(colon - a.p) : a.n;
	}
	if (hn == 0 || hn > HTTP_HOST_MAX || memchr(hp, '@', hn) || memchr(hp, '%', hn))
		return -1;
	*port = colon ? allowlist_parse_port(colon + 1, (size_t)(a.p + a.n - colon - 1)) : defport;
	if (*port < 0)
		return -1;
	memcpy(host, hp, hn);
	host[hn] = '\0';
	return 0;
}

/* Index of the only header called name, -1 when none, -2 when several. */
static int find_header(const struct http_head *h, const char *name)
{
	int at = -1;
	for (size_t i = 0; i < h->nheaders; i++)
		if (span_is(h->name[i], name)) {
			if (at >= 0)
				return -2;
			at = (int)i;
		}
	return at;
}

/* Host names equal but for case and a trailing dot. */
static int same_host(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na && a[na - 1] == '.')
		na--;
	if (nb && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* "http://authority/path": the authority into r, the path into r->path. */
static int absolute_target(struct http_span t, struct http_request *r, const char **reason)
{
	if (t.n < 7 || strncasecmp(t.p, "http://", 7)) {
		*reason = t.n > 8 && !strncasecmp(t.p, "https://", 8) ? "https-uri" : "not-absolute-uri";
		return 400;
	}
	struct http_span a = { t.p + 7, 0 };
	while (a.p + a.n < t.p + t.n && !strchr("/?#", a.p[a.n]))
		a.n++;
	if (http_split_authority(a, 80, r->host, &r->port) < 0)
		return (*reason = "bad-authority"), 400;
	r->path = (struct http_span){ a.p + a.n, (size_t)(t.p + t.n - a.p - a.n) };
	return 0;
}

/* The Host header: must agree with an absolute URI, is the target otherwise. */
static int host_header(const struct http_head *h, int absolute, struct http_request *r, const char **reason)
{
	char host[HTTP_HOST_MAX + 1];
	int port, i = find_header(h, "Host");
	if (i == -2)
		return (*reason = "several-host-headers"), 400;
	if (i == -1)
		return absolute ? 0 : ((*reason = "no-host-header"), 400);
	if (http_split_authority(h->value[i], 80, host, &port) < 0)
		return (*reason = "bad-host-header"), 400;
	if (absolute) {
		if (!same_host(host, r->host) || port != r->port)
			return (*reason = "host-mismatch"), 400;
		return 0;
	}
	if (port != 80)
		return (*reason = "port-mismatch"), 400;
	memcpy(r->host, host, sizeof host);
	r->port = port;
	return 0;
}

static int body_length(const struct http_head *h, struct http_request *r, const char **reason)
{
	if (find_header(h, "Transfer-Encoding") != -1)
		return (*reason = "transfer-encoding"), 411;
	int i = find_header(h, "Content-Length");
	if (i == -2)
		return (*reason = "several-content-lengths"), 400;
	r->content_length = 0;
	if (i < 0)
		return 0;
	struct http_span v = h->value[i];
	if (v.n == 0 || v.n > 15)
		return (*reason = "bad-content-length"), 400;
	for (size_t k = 0; k < v.n; k++) {
		if (v.p[k] < '0' || v.p[k] > '9')
			return (*reason = "bad-content-length"), 400;
		r->content_length = r->content_length * 10 + (v.p[k] - '0');
	}
	return 0;
}

int http_request_target(const struct http_head *h, enum http_mode mode, struct http_request *r,
			const char **reason)
{
	int rc;
	memset(r, 0, sizeof *r);
	*reason = "bad-request";
	if (span_is(h->method, "CONNECT")) {
		if (mode != HTTP_MODE_PROXY)
			return (*reason = "connect-not-here"), 405;
		r->connect = 1;
		if (http_split_authority(h->target, -1, r->host, &r->port) < 0)
			return (*reason = "bad-authority"), 400;
		return 0;
	}
	int absolute = h->target.n && h->target.p[0] != '/';
	if (absolute && (rc = absolute_target(h->target, r, reason)))
		return rc;
	if (!absolute && mode == HTTP_MODE_PROXY)
		return (*reason = "not-a-proxy-request"), 400;
	if (!absolute)
		r->path = h->target;
	if ((rc = host_header(h, absolute, r, reason)))
		return rc;
	return body_length(h, r, reason);
}

/* Hop-by-hop: dropped, as is any header the Connection header names. */
static int hop_by_hop(const struct http_head *h, struct http_span name)
{
	static const char *const hop[] = { "Host", "Connection", "Proxy-Connection", "Keep-Alive",
		"Proxy-Authorization", "TE", "Trailer", "Upgrade", NULL };
	for (int i = 0; hop[i]; i++)
		if (span_is(name, hop[i]))
			return 1;
	for (size_t i = 0; i < h->nheaders; i++) {
		if (!span_is(h->name[i], "Connection"))
			continue;
		const char *p = h->value[i].p, *end = p + h->value[i].n;
		while (p < end) {
			while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
				p++;
			const char *q = p;
			while (q < end && *q != ',' && *q != ' ' && *q != '\t')
				q++;
			if (q > p && q - p == (long)name.n && !strncasecmp(p, name.p, name.n))
				return 1;
			p = q;
		}
	}
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

size_t http_forward_head(const struct http_head *h, const struct http_request *r, char *out, size_t cap)
{
	struct out o = { out, 0, cap, 0 };
	char port[8];
	put(&o, h->method.p, h->method.n);
	puts_(&o, " ");
	if (r->path.n == 0 || r->path.p[0] != '/')
		puts_(&o, "/");
	put(&o, r->path.p, r->path.n);
	puts_(&o, " ");
	put(&o, h->version.p, h->version.n);
	puts_(&o, "\r\nHost: ");
	int v6 = strchr(r->host, ':') != NULL;
	puts_(&o, v6 ? "[" : "");
	puts_(&o, r->host);
	puts_(&o, v6 ? "]" : "");
	snprintf(port, sizeof port, ":%d", r->port);
	puts_(&o, r->port != 80 ? port : "");
	puts_(&o, "\r\n");
	for (size_t i = 0; i < h->nheaders; i++) {
		if (hop_by_hop(h, h->name[i]))
			continue;
		put(&o, h->name[i].p, h->name[i].n);
		puts_(&o, ": ");
		put(&o, h->value[i].p, h->value[i].n);
		puts_(&o, "\r\n");
	}
	puts_(&o, "Connection: close\r\n\r\n");
	return o.full ? 0 : o.len;
}
