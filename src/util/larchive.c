#define LARCHIVE_IMPL
#include "util/larchive.h"

#include <dlfcn.h>
#include <pthread.h>

/* libarchive 3 has been soname 13 since 3.0 */
#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "libarchive 3 is needed (soname 13)"
#endif
#define LARCHIVE_SONAME "libarchive.so.13"

static struct larchive_fns fns;
static int loaded; /* 1 loaded, -1 cannot be */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	/* never closed: what it hands out lives as long as para */
	void *lib = dlopen(LARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	int ok = lib != NULL;
#define LARCHIVE_SYM(f) ok = ok && (*(void **)&fns.f = dlsym(lib, #f)) != NULL;
	LARCHIVE_FUNCS(LARCHIVE_SYM)
#undef LARCHIVE_SYM
	loaded = ok ? 1 : -1;
}

int larchive_load(struct error *err)
{
	pthread_once(&once, load);
	if (loaded > 0)
		return 0;
	error_set(err, PARA_EXIT_FAIL, "cannot load %s (libarchive), which reads and writes para's tar streams",
		  LARCHIVE_SONAME);
	return error_hint(err, "install it: apt-get install libarchive13");
}

const struct larchive_fns *larchive_fns(void)
{
	pthread_once(&once, load);
	return &fns;
}
