/*
 * libFuzzer target for para-proxy's request heads: parse, take the target
 * in both modes, build the forwarded head. Besides the sanitizers it checks
 * that a parsed head lies within the input, that the forwarded head is
 * itself a head that parses to the same target, and that it says
 * "Connection: close".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_forward(const struct http_head *h, const struct http_request *r, enum http_mode mode)
{
	static char out[70000];
	static struct http_head h2;
	struct http_request r2;
	const char *why;
	size_t n = http_forward_head(h, r, out, sizeof out);
	if (n == 0)
		return;
	int rc = http_parse_head(out, n, &h2);
	/* the forwarded head has Host and Connection besides the client's */
	if (rc == HTTP_TOO_MANY && h->nheaders + 2 > HTTP_MAX_HEADERS)
		return;
	if (rc != HTTP_OK || h2.len != n)
		abort();
	if (!memmem(out, n, "\r\nConnection: close\r\n\r\n", 23))
		abort();
	if (http_request_target(&h2, HTTP_MODE_ORIGIN, &r2, &why) == 0 && mode == HTTP_MODE_PROXY &&
	    (strcmp(r2.host, r->host) || r2.port != r->port))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_head h;
	struct http_request r;
	const char *why;
	int rc = http_parse_head((const char *)data, size, &h);
	if (rc != HTTP_OK)
		return 0;
	if (h.len > size || h.len < 4)
		abort();
	for (int m = 0; m < 2; m++) {
		enum http_mode mode = m ? HTTP_MODE_ORIGIN : HTTP_MODE_PROXY;
		int st = http_request_target(&h, mode, &r, &why);
		if (st == 0 && !r.connect)
			check_forward(&h, &r, mode);
		if (st && (!why || !*why))
			abort();
	}
	return 0;
}
