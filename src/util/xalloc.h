/* Allocation that never returns NULL: out of memory aborts with a message. */
#ifndef PARA_XALLOC_H
#define PARA_XALLOC_H
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted allocation (printf-style); never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of elements of size elsz) so it holds at least need elements. */
#define ALLOC_GROW(arr, need, alloc)                                          \
	do {                                                                  \
		if ((need) > (alloc)) {                                       \
			size_t n_ = (alloc) ? (alloc) * 2 : 8;                \
			while (n_ < (need))                                   \
				n_ *= 2;                                      \
			(arr) = xrealloc((arr), n_ * sizeof(*(arr)));         \
			(alloc) = n_;                                         \
		}                                                             \
	} while (0)

static inline void freep(void *p) { free(*(void **)p); }
/* cleanup_free: free the pointer when it goes out of scope (crun/systemd style). */
#define cleanup_free __attribute__((cleanup(freep)))

#endif
