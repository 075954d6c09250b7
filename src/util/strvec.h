/* strvec: a NULL-terminated, growable array of owned strings (git's strvec). */
#ifndef PARA_STRVEC_H
#define PARA_STRVEC_H
#include <stddef.h>

struct strvec {
	char **v; /* never NULL; v[nr] == NULL */
	size_t nr;
	size_t alloc;
};

extern char *strvec_empty[];
#define STRVEC_INIT { strvec_empty, 0, 0 }

void strvec_init(struct strvec *sv);
void strvec_clear(struct strvec *sv);
const char *strvec_push(struct strvec *sv, const char *s);
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strvec_pushl(struct strvec *sv, ...); /* NULL-terminated list */
void strvec_pushv(struct strvec *sv, const char *const *v);
/* Take ownership of an allocated string. */
void strvec_push_nodup(struct strvec *sv, char *s);
void strvec_pop(struct strvec *sv);
/* Index of the first element equal to s, or -1. */
long strvec_find(const struct strvec *sv, const char *s);

#endif
