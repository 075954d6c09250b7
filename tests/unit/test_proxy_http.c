/* para-proxy's request heads: parsing, targets, the head it forwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "http.h"
#include "util/banned.h"

/* Parse s as a head in mode: the status (0 ok) and r. */
static int target(const char *s, enum http_mode mode, struct http_request *r, const char **why)
{
	static struct http_head h;
	assert_int_equal(http_parse_head(s, strlen(s), &h), HTTP_OK);
	assert_int_equal(h.len, strlen(s));
	return http_request_target(&h, mode, r, why);
}

static void test_parse_head(void **state)
{
	(void)state;
	static struct http_head h;
	const char *ok = "GET http://a.test/x HTTP/1.1\r\nHost:  a.test \r\nX-E:\r\n\r\nBODY";
	assert_int_equal(http_parse_head(ok, strlen(ok), &h), HTTP_OK);
	assert_int_equal(h.len, strlen(ok) - 4);
	assert_int_equal(h.nheaders, 2);
	assert_int_equal(h.value[0].n, 6);
	assert_memory_equal(h.value[0].p, "a.test", 6);
	assert_int_equal(h.value[1].n, 0);
	for (size_t i = 0; i < strlen(ok) - 4; i++)
		assert_int_equal(http_parse_head(ok, i, &h), HTTP_NEED_MORE);
	static const char *const bad[] = {
		"GET / HTTP/1.1\nHost: a\n\n", "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
		"GET / HTTP/1.1\r\n: a\r\n\r\n", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nA: \x00\r\n\r\n", "\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(http_parse_head(bad[i], strlen(bad[i]) + (i == 9 ? 6 : 0), &h), HTTP_BAD);
	char many[8192] = "GET / HTTP/1.1\r\n";
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		strncat(many, "A: b\r\n", sizeof many - strlen(many) - 1);
	strncat(many, "\r\n", sizeof many - strlen(many) - 1);
	assert_int_equal(http_parse_head(many, strlen(many), &h), HTTP_TOO_MANY);
}

static void test_targets(void **state)
{
	(void)state;
	struct http_request r;
	const char *why;
	assert_int_equal(target("CONNECT api.test:443 HTTP/1.1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 0);
	assert_true(r.connect);
	assert_string_equal(r.host, "api.test");
	assert_int_equal(r.port, 443);
	assert_int_equal(target("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 0);
	assert_string_equal(r.host, "2001:db8::1");
	assert_int_equal(r.port, 8443);
	assert_int_equal(target("CONNECT api.test HTTP/1.1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_int_equal(target("CONNECT a.test:443 HTTP/1.1\r\n\r\n", HTTP_MODE_ORIGIN, &r, &why), 405);
	assert_int_equal(target("GET http://A.test:8080/p?q HTTP/1.1\r\nHost: a.TEST.:8080\r\n\r\n",
				HTTP_MODE_PROXY, &r, &why), 0);
	assert_string_equal(r.host, "A.test");
	assert_int_equal(r.port, 8080);
	assert_int_equal(r.path.n, 4);
	assert_int_equal(target("GET http://a.test?x HTTP/1.0\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 0);
	assert_int_equal(r.port, 80);
	assert_int_equal(target("GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_string_equal(why, "host-mismatch");
	assert_int_equal(target("GET http://a.test/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_int_equal(target("GET http://u@a.test/ HTTP/1.1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_int_equal(target("GET https://a.test/ HTTP/1.1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_string_equal(why, "https-uri");
	assert_int_equal(target("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_int_equal(target("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", HTTP_MODE_ORIGIN, &r, &why), 0);
	assert_string_equal(r.host, "a.test");
	assert_int_equal(target("GET / HTTP/1.1\r\n\r\n", HTTP_MODE_ORIGIN, &r, &why), 400);
	assert_int_equal(target("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", HTTP_MODE_ORIGIN, &r, &why), 400);
	assert_int_equal(target("GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n", HTTP_MODE_ORIGIN, &r, &why), 400);
	assert_int_equal(target("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 411);
	assert_int_equal(target("POST http://a/ HTTP/1.1\r\nContent-Length: 12\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 0);
	assert_int_equal(r.content_length, 12);
	assert_int_equal(target("POST http://a/ HTTP/1.1\r\nContent-Length: 1,1\r\n\r\n", HTTP_MODE_PROXY, &r, &why), 400);
	assert_int_equal(target("POST http://a/ HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n",
				HTTP_MODE_PROXY, &r, &why), 400);
}

static void test_forward_head(void **state)
{
	(void)state;
	static struct http_head h;
	struct http_request r;
	const char *why;
	char out[1024];
	const char *in = "GET http://a.test:8080?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nConnection: keep-alive, X-Hop\r\n"
			 "X-Hop: 1\r\nProxy-Authorization: secret\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\n"
			 "User-Agent: t\r\nUpgrade: h2c\r\n\r\n";
	assert_int_equal(http_parse_head(in, strlen(in), &h), HTTP_OK);
	assert_int_equal(http_request_target(&h, HTTP_MODE_PROXY, &r, &why), 0);
	size_t n = http_forward_head(&h, &r, out, sizeof out);
	const char *want = "GET /?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nUser-Agent: t\r\nConnection: close\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_int_equal(http_forward_head(&h, &r, out, n - 1), 0);
	in = "GET /x HTTP/1.0\r\nHost: [::1]\r\n\r\n";
	assert_int_equal(http_parse_head(in, strlen(in), &h), HTTP_OK);
	assert_int_equal(http_request_target(&h, HTTP_MODE_ORIGIN, &r, &why), 0);
	n = http_forward_head(&h, &r, out, sizeof out);
	want = "GET /x HTTP/1.0\r\nHost: [::1]\r\nConnection: close\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_head),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_forward_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
