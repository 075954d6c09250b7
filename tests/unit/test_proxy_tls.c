/* para-proxy's ClientHello reader: SNI, records, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "tls.h"
#include "util/banned.h"

static unsigned char msg[20000], wire[24000];
static size_t mlen;

static void put(const void *p, size_t n)
{
	memcpy(msg + mlen, p, n);
	mlen += n;
}

static void put16(unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	put(b, 2);
}

/* A ClientHello handshake message into msg: exts (already encoded) after
 * the fixed part; a padding extension of pad bytes first when pad > 0. */
static void hello(const unsigned char *exts, size_t elen, size_t pad)
{
	static const unsigned char fixed[] = { 3, 3 };
	unsigned char random[32] = { 0 };
	mlen = 4;
	put(fixed, 2);
	put(random, 32);
	put("\x20", 1);
	put(random, 32);           /* session id */
	put16(4);
	put("\x13\x01\x13\x02", 4); /* cipher suites */
	put("\x01\x00", 2);         /* compression */
	size_t total = elen + (pad ? pad + 4 : 0);
	put16((unsigned)total);
	if (pad) {
		static unsigned char zeros[16384];
		put16(21);
		put16((unsigned)pad);
		put(zeros, pad);
	}
	put(exts, elen);
	size_t body = mlen - 4;
	msg[0] = 1;
	msg[1] = (unsigned char)(body >> 16);
	msg[2] = (unsigned char)(body >> 8);
	msg[3] = (unsigned char)body;
}

/* msg cut into records of at most frag bytes: their length. */
static size_t records(size_t frag)
{
	size_t n = 0;
	for (size_t off = 0; off < mlen; off += frag) {
		size_t l = mlen - off < frag ? mlen - off : frag;
		wire[n++] = 0x16, wire[n++] = 3, wire[n++] = 1;
		wire[n++] = (unsigned char)(l >> 8), wire[n++] = (unsigned char)l;
		memcpy(wire + n, msg + off, l);
		n += l;
	}
	return n;
}

/* A server_name extension for name. */
static size_t sni_ext(unsigned char *out, const char *name)
{
	size_t l = strlen(name);
	unsigned char h[9] = { 0, 0, (unsigned char)((l + 5) >> 8), (unsigned char)(l + 5),
		(unsigned char)((l + 3) >> 8), (unsigned char)(l + 3), 0, (unsigned char)(l >> 8), (unsigned char)l };
	memcpy(out, h, 9);
	memcpy(out + 9, name, l);
	return 9 + l;
}

static void test_sni(void **state)
{
	(void)state;
	unsigned char ext[600];
	char sni[TLS_SNI_MAX + 1];
	size_t e = sni_ext(ext, "Api.Example.com");
	memcpy(ext + e, "\x00\x2b\x00\x03\x02\x03\x04", 7); /* supported_versions after it */
	hello(ext, e + 7, 0);
	size_t n = records(16384);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_SNI);
	assert_string_equal(sni, "Api.Example.com");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tls_client_hello_sni(wire, i, sni), TLS_NEED_MORE);
	/* bytes after the hello do not matter; a hello cut in 3-byte records is fine */
	assert_int_equal(tls_client_hello_sni(wire, n + 0, sni), TLS_SNI);
	n = records(3);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_SNI);
	assert_string_equal(sni, "Api.Example.com");
	/* a big hello (padding) in two records */
	hello(ext, e, 12000);
	n = records(16384);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_SNI);
	hello(ext, e, 9000);
	n = records(8000);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_SNI);
	/* no extensions at all, or none that names the server */
	hello(ext, 0, 0);
	mlen -= 2; /* drop the extensions' length too */
	msg[3] = (unsigned char)(mlen - 4);
	n = records(16384);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_NO_SNI);
	hello(ext + e, 7, 0);
	n = records(16384);
	assert_int_equal(tls_client_hello_sni(wire, n, sni), TLS_NO_SNI);
}

static void test_refusals(void **state)
{
	(void)state;
	unsigned char ext[600];
	char sni[TLS_SNI_MAX + 1];
	assert_int_equal(tls_client_hello_sni((const unsigned char *)"GET / HTTP/1.1\r\n", 16, sni), TLS_BAD);
	assert_int_equal(tls_client_hello_sni((const unsigned char *)"\x16\x03\x01\x00\x00", 5, sni), TLS_BAD);
	assert_int_equal(tls_client_hello_sni((const unsigned char *)"\x17\x03\x03\x00\x10", 5, sni), TLS_BAD);
	assert_int_equal(tls_client_hello_sni((const unsigned char *)"\x16\x03\x01\x40\x01", 5, sni), TLS_BAD);
	/* two server_name extensions; a name with odd bytes; an empty name */
	size_t e = sni_ext(ext, "a.test");
	e += sni_ext(ext + e, "b.test");
	hello(ext, e, 0);
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
	e = sni_ext(ext, "a.test\n");
	hello(ext, e, 0);
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
	e = sni_ext(ext, "");
	hello(ext, e, 0);
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
	/* a length that runs past the message */
	e = sni_ext(ext, "a.test");
	ext[3] = 200;
	hello(ext, e, 0);
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
	/* another handshake type; a hello over TLS_HELLO_MAX */
	e = sni_ext(ext, "a.test");
	hello(ext, e, 0);
	msg[0] = 2;
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
	hello(ext, e, 16370);
	assert_int_equal(tls_client_hello_sni(wire, records(16384), sni), TLS_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sni),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
