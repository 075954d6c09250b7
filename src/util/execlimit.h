/*
 * What one execve() can carry. Linux refuses (E2BIG) any single argument or
 * environment string longer than MAX_ARG_STRLEN (32 pages, NUL included),
 * and argv plus envp together beyond ARG_MAX. para checks its own inputs
 * against these before it changes anything, so a long prompt or value is a
 * clear error, not a failure half way through a start.
 */
#ifndef PARA_UTIL_EXECLIMIT_H
#define PARA_UTIL_EXECLIMIT_H
#include <stddef.h>

/* The longest single argument or "KEY=VALUE" string, without its NUL. */
size_t exec_string_max(void);
/* ARG_MAX: what argv plus envp of one exec may total, pointers counted. */
size_t exec_arg_max(void);
/* Bytes left for new argv and envp strings (pointers counted), given this
 * process's own environment, which children inherit. */
size_t exec_room(void);

#endif
