/* Go's utf8 decoding and encoding, unicode.IsSpace, strings.TrimSpace, filepath.Clean and Dir; see gostr.h. */
#include "parse/gostr.h"

#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

uint32_t gostr_decode_rune(const unsigned char *s, size_t n, size_t *width)
{
	unsigned char b0, lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t r;

	*width = n ? 1 : 0;
	if (!n)
		return GOSTR_RUNE_ERROR;
	b0 = s[0];
	if (b0 < 0x80)
		return b0;
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 2;
		r = b0 & 0x1F;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 3;
		r = b0 & 0x0F;
		lo = b0 == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
		hi = b0 == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 4;
		r = b0 & 0x07;
		lo = b0 == 0xF0 ? 0x90 : 0x80;
		hi = b0 == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
	} else {
		return GOSTR_RUNE_ERROR;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return GOSTR_RUNE_ERROR;
	for (size_t i = 1; i < need; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return GOSTR_RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*width = need;
	return r;
}

uint32_t gostr_decode_last_rune(const unsigned char *s, size_t n, size_t *width)
{
	size_t start, lim, w;
	uint32_t r;

	*width = n ? 1 : 0;
	if (!n)
		return GOSTR_RUNE_ERROR;
	start = n - 1;
	if (s[start] < 0x80)
		return s[start];
	lim = n >= 4 ? n - 4 : 0;
	while (start > lim && (s[start] & 0xC0) == 0x80)
		start--;
	r = gostr_decode_rune(s + start, n - start, &w);
	if (start + w != n)
		return GOSTR_RUNE_ERROR;
	*width = w;
	return r;
}

void gostr_append_rune(struct strbuf *sb, uint32_t r)
{
	if (r < 0x80) {
		strbuf_addch(sb, (int)r);
		return;
	}
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = GOSTR_RUNE_ERROR;
	if (r < 0x800) {
		strbuf_addch(sb, (int)(0xC0 | r >> 6));
	} else if (r < 0x10000) {
		strbuf_addch(sb, (int)(0xE0 | r >> 12));
		strbuf_addch(sb, (int)(0x80 | (r >> 6 & 0x3F)));
	} else {
		strbuf_addch(sb, (int)(0xF0 | r >> 18));
		strbuf_addch(sb, (int)(0x80 | (r >> 12 & 0x3F)));
		strbuf_addch(sb, (int)(0x80 | (r >> 6 & 0x3F)));
	}
	strbuf_addch(sb, (int)(0x80 | (r & 0x3F)));
}

int gostr_is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return 1;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

void gostr_trim_space(const char *s, size_t *start, size_t *end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t w;

	while (*start < *end && gostr_is_space(gostr_decode_rune(u + *start, *end - *start, &w)))
		*start += w;
	while (*end > *start && gostr_is_space(gostr_decode_last_rune(u + *start, *end - *start, &w)))
		*end -= w;
}

char *gostr_clean(const char *path, size_t n)
{
	/* one element at a time; out[0, keep) is never taken back by ".." */
	struct strbuf out = STRBUF_INIT;
	size_t rooted = n && path[0] == '/', keep = rooted;

	strbuf_grow(&out, n + 1);
	if (rooted)
		strbuf_addch(&out, '/');
	for (size_t r = 0, e; r < n; r = e + 1) {
		for (e = r; e < n && path[e] != '/'; e++)
			;
		if (e - r == 0 || (e - r == 1 && path[r] == '.'))
			continue;
		if (e - r == 2 && path[r] == '.' && path[r + 1] == '.') {
			if (out.len > keep) {
				size_t w = out.len - 1;
				while (w > keep && out.buf[w] != '/')
					w--;
				strbuf_setlen(&out, w);
			} else if (!rooted) {
				if (out.len)
					strbuf_addch(&out, '/');
				strbuf_add(&out, "..", 2);
				keep = out.len;
			}
			continue;
		}
		if (out.len > rooted)
			strbuf_addch(&out, '/');
		strbuf_add(&out, path + r, e - r);
	}
	if (!out.len)
		strbuf_addch(&out, '.');
	return strbuf_detach(&out, NULL);
}

char *gostr_dir(const char *path)
{
	size_t i = strlen(path);

	while (i > 0 && path[i - 1] != '/')
		i--;
	return gostr_clean(path, i);
}
