/* ClientHello SNI (tls.h). */
#include "tls.h"

#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define REC_HDR 5
#define REC_MAX 16384 /* 2^14: a record's payload */
#define HS_CLIENT_HELLO 1
#define EXT_SERVER_NAME 0

struct rd {
	const unsigned char *p;
	size_t n;
	int bad;
};

static unsigned get(struct rd *r, size_t bytes)
{
	unsigned v = 0;
	if (r->bad || r->n < bytes) {
		r->bad = 1;
		return 0;
	}
	for (size_t i = 0; i < bytes; i++)
		v = v << 8 | r->p[i];
	r->p += bytes;
	r->n -= bytes;
	return v;
}

/* A sub-reader over the next len bytes. */
static struct rd sub(struct rd *r, size_t len)
{
	struct rd s = { r->p, len, r->bad || r->n < len };
	if (s.bad)
		r->bad = 1;
	else {
		r->p += len;
		r->n -= len;
	}
	return s;
}

/*
 * Walk the leading handshake records without copying: the bytes of the
 * handshake message present so far (*avail) and its whole length (*need,
 * 0 while its 4-byte header is not in).
 */
static int walk(const unsigned char *buf, size_t len, size_t *avail, size_t *need)
{
	unsigned char hdr[4];
	size_t off = 0;
	*avail = *need = 0;
	while (len - off >= REC_HDR && (!*need || *avail < *need)) {
		const unsigned char *h = buf + off;
		size_t rl = (size_t)h[3] << 8 | h[4];
		if (h[0] != 0x16 || h[1] != 3 || rl == 0 || rl > REC_MAX)
			return TLS_BAD;
		size_t have = len - off - REC_HDR < rl ? len - off - REC_HDR : rl;
		for (size_t i = 0; i < have && *avail + i < 4; i++)
			hdr[*avail + i] = h[REC_HDR + i];
		*avail += have;
		if (*avail >= 4 && !*need) {
			*need = 4 + ((size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3]);
			if (hdr[0] != HS_CLIENT_HELLO || *need > TLS_HELLO_MAX)
				return TLS_BAD;
		}
		if (have < rl)
			break;
		off += REC_HDR + rl;
	}
	return *need && *avail >= *need ? TLS_SNI : TLS_NEED_MORE;
}

/* Copy the handshake message (need bytes, all present) out of its records. */
static void gather(const unsigned char *buf, unsigned char *hs, size_t need)
{
	size_t off = 0, got = 0;
	while (got < need) {
		size_t rl = (size_t)buf[off + 3] << 8 | buf[off + 4];
		size_t take = rl < need - got ? rl : need - got;
		memcpy(hs + got, buf + off + REC_HDR, take);
		got += take;
		off += REC_HDR + rl;
	}
}

static int dns_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* The server_name extension's body: one host_name. */
static int server_name(struct rd e, char sni[TLS_SNI_MAX + 1])
{
	struct rd list = sub(&e, get(&e, 2));
	if (e.bad || e.n)
		return TLS_BAD;
	int found = 0;
	while (list.n && !list.bad) {
		unsigned type = get(&list, 1);
		struct rd name = sub(&list, get(&list, 2));
		if (list.bad || type != 0)
			return TLS_BAD;
		if (found++ || name.n == 0 || name.n > TLS_SNI_MAX)
			return TLS_BAD;
		for (size_t i = 0; i < name.n; i++) {
			if (!dns_char(name.p[i]))
				return TLS_BAD;
			sni[i] = (char)name.p[i];
		}
		sni[name.n] = '\0';
	}
	return found && !list.bad ? TLS_SNI : TLS_BAD;
}

static int client_hello(struct rd r, char sni[TLS_SNI_MAX + 1])
{
	get(&r, 4);  /* type and length, checked by gather */
	get(&r, 2);  /* legacy_version */
	sub(&r, 32); /* random */
	unsigned sid = get(&r, 1);
	if (sid > 32)
		return TLS_BAD;
	sub(&r, sid);
	unsigned cs = get(&r, 2);
	if (cs < 2 || cs % 2)
		return TLS_BAD;
	sub(&r, cs);
	unsigned cm = get(&r, 1);
	if (cm < 1)
		return TLS_BAD;
	sub(&r, cm);
	if (r.bad)
		return TLS_BAD;
	if (r.n == 0)
		return TLS_NO_SNI;
	struct rd exts = sub(&r, get(&r, 2));
	if (r.bad || r.n)
		return TLS_BAD;
	int rc = TLS_NO_SNI;
	while (exts.n && !exts.bad) {
		unsigned type = get(&exts, 2);
		struct rd body = sub(&exts, get(&exts, 2));
		if (exts.bad)
			return TLS_BAD;
		if (type == EXT_SERVER_NAME) {
			if (rc == TLS_SNI || (rc = server_name(body, sni)) != TLS_SNI)
				return TLS_BAD;
		}
	}
	return exts.bad ? TLS_BAD : rc;
}

int tls_client_hello_sni(const unsigned char *buf, size_t len, char sni[TLS_SNI_MAX + 1])
{
	unsigned char hs[TLS_HELLO_MAX];
	size_t avail, need;
	sni[0] = '\0';
	int rc = walk(buf, len, &avail, &need);
	if (rc != TLS_SNI)
		return rc;
	gather(buf, hs, need);
	struct rd r = { hs, need, 0 };
	rc = client_hello(r, sni);
	if (rc != TLS_SNI)
		sni[0] = '\0';
	return rc;
}
