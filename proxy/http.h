/*
 * HTTP/1.x request heads, as the proxy sees them: parsing (strict: CRLF
 * line ends, no obsolete line folding, token header names), the target a
 * request asks for, and the head the proxy forwards in its place. Pure:
 * every span points into the caller's buffer.
 */
#ifndef PARA_PROXY_HTTP_H
#define PARA_PROXY_HTTP_H
#include <stddef.h>

#define HTTP_MAX_HEADERS 128
#define HTTP_HOST_MAX 255

struct http_span {
	const char *p;
	size_t n;
};

struct http_head {
	struct http_span method, target, version;
	struct http_span name[HTTP_MAX_HEADERS], value[HTTP_MAX_HEADERS];
	size_t nheaders;
	size_t len; /* bytes of the head, its blank line included */
};

enum {
	HTTP_NEED_MORE = 0, /* no blank line yet */
	HTTP_OK = 1,
	HTTP_BAD = -1,      /* malformed */
	HTTP_TOO_MANY = -2, /* more than HTTP_MAX_HEADERS header lines */
};

/* Parse the head at the start of buf (len bytes). */
int http_parse_head(const char *buf, size_t len, struct http_head *h);

/* How a request reached the proxy. */
enum http_mode {
	HTTP_MODE_PROXY,  /* the explicit proxy port: CONNECT or an absolute URI */
	HTTP_MODE_ORIGIN, /* transparent port 80: origin-form with Host (or an absolute URI) */
};

struct http_request {
	int connect;                 /* a CONNECT */
	char host[HTTP_HOST_MAX + 1]; /* as the client wrote it (an IPv6 address without brackets) */
	int port;
	struct http_span path;       /* origin-form target (not for CONNECT); "" means "/" */
	long long content_length;    /* 0 when there is none */
};

/*
 * What h asks for, or why it is refused: returns 0, or the HTTP status to
 * answer (400, 405, 411) with *reason set to a short phrase for the log.
 */
int http_request_target(const struct http_head *h, enum http_mode mode, struct http_request *r,
			const char **reason);

/*
 * The head to send upstream for r: origin-form request line, the client's
 * headers without Host and the hop-by-hop ones (Connection and the headers
 * it names, Proxy-Connection, Keep-Alive, Proxy-Authorization, TE, Trailer,
 * Upgrade), then "Host:" and "Connection: close". Returns its length, or 0
 * when it does not fit in cap bytes.
 */
size_t http_forward_head(const struct http_head *h, const struct http_request *r, char *out, size_t cap);

/* Split "host[:port]" / "[v6][:port]" (defport when there is none): 0 or -1. */
int http_split_authority(struct http_span a, int defport, char host[HTTP_HOST_MAX + 1], int *port);

#endif
