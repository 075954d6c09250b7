#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(struct error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->code = code ? code : PARA_EXIT_FAIL;
	err->hint[0] = '\0';
	err->sys_errno = 0;
	return -1;
}

int error_errno(struct error *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof err->msg)
		snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(saved));
	err->code = code ? code : PARA_EXIT_FAIL;
	err->hint[0] = '\0';
	err->sys_errno = saved;
	errno = saved;
	return -1;
}

int error_hint(struct error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof err->hint, fmt, ap);
	va_end(ap);
	return -1;
}

int error_wrap(struct error *err, const char *fmt, ...)
{
	char ctx[512], old[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t n = strlen(ctx);
	if (n > sizeof err->msg - 3)
		n = sizeof err->msg - 3;
	memcpy(err->msg, ctx, n);
	memcpy(err->msg + n, ": ", 2);
	size_t rest = sizeof err->msg - n - 2;
	size_t olen = strnlen(old, rest - 1);
	memcpy(err->msg + n + 2, old, olen);
	err->msg[n + 2 + olen] = '\0';
	if (!err->code)
		err->code = PARA_EXIT_FAIL;
	return -1;
}

void error_clear(struct error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
	err->hint[0] = '\0';
	err->sys_errno = 0;
}
