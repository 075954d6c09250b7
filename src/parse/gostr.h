/*
 * Go's string primitives, byte for byte, for parsers that must agree with a
 * Go program: utf8.DecodeRune / DecodeLastRune (a malformed sequence is
 * U+FFFD of width 1), utf8.AppendRune, unicode.IsSpace, strings.TrimSpace,
 * and path/filepath's Clean and Dir on '/' systems.
 *
 * Used by parse/dockerignore.c and parse/dotenv.c.
 */
#ifndef PARA_PARSE_GOSTR_H
#define PARA_PARSE_GOSTR_H
#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define GOSTR_RUNE_ERROR 0xFFFDu

/* utf8.DecodeRune over s[0, n): (U+FFFD, 1) when malformed, (U+FFFD, 0) when n is 0. */
uint32_t gostr_decode_rune(const unsigned char *s, size_t n, size_t *width);

/* utf8.DecodeLastRune over s[0, n): the rune that ends at s + n. */
uint32_t gostr_decode_last_rune(const unsigned char *s, size_t n, size_t *width);

/* utf8.AppendRune: r's UTF-8 onto sb; a surrogate or r > U+10FFFF appends U+FFFD. */
void gostr_append_rune(struct strbuf *sb, uint32_t r);

/* unicode.IsSpace */
int gostr_is_space(uint32_t r);

/* strings.TrimSpace of s[*start, *end): moves start and end inwards. */
void gostr_trim_space(const char *s, size_t *start, size_t *end);

/* filepath.Clean of path[0, n) ('/'-separated); returns a new string. */
char *gostr_clean(const char *path, size_t n);

/* filepath.Dir: path less its last element, Clean'ed; returns a new string. */
char *gostr_dir(const char *path);

#endif
