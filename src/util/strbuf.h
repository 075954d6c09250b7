/*
 * strbuf: a growable byte buffer, always NUL-terminated, whose buf is never
 * NULL (git's strbuf, trimmed to what para uses).
 */
#ifndef PARA_STRBUF_H
#define PARA_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { strbuf_slopbuf, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Hand the buffer to the caller (always a fresh allocation) and reset sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Strip trailing whitespace (rtrim) / both ends (trim). */
void strbuf_rtrim(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);

/* Append everything readable from fd; returns bytes read or -1 (errno set). */
long strbuf_read_fd(struct strbuf *sb, int fd);
/* Append a whole file; returns 0 or -1 (errno set). */
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
