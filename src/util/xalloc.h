/* Allocation that never returns NULL: out of memory aborts with a message. */
#ifndef PARA_XALLOC_H
#define PARA_XALLOC_H
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted allocation (printf-style); never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Called with the size when an allocation fails, before para aborts. */
void xalloc_on_oom(void (*fn)(size_t bytes));

/* Grow *arr (of elements of size elsz) so it holds at least need elements. */
/* Grow arr (alloc elements) to hold need; a size that overflows aborts. */
#define ALLOC_GROW(arr, need, alloc)                                          \
	do {                                                                  \
		if ((need) > (alloc)) {                                       \
			size_t n_ = (alloc) ? (alloc) : 8;                    \
			while (n_ < (need))                                   \
				n_ = alloc_double(n_);                        \
			(arr) = xrealloc((arr), alloc_bytes(n_, sizeof(*(arr)))); \
			(alloc) = n_;                                         \
		}                                                             \
	} while (0)
size_t alloc_double(size_t n);
size_t alloc_bytes(size_t n, size_t size);

static inline void freep(void *p) { free(*(void **)p); }
/* cleanup_free: free the pointer when it goes out of scope (crun/systemd style). */
#define cleanup_free __attribute__((cleanup(freep)))

#endif
