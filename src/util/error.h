/*
 * The error object (crun style): the callee fills it and returns < 0; callers
 * may add context on the way up; only cli/ prints it, once.
 *
 * code is the process exit code the error maps to (SPEC §4):
 * 1 failure, 2 usage, 3 engine unreachable, 4 invalid config.
 */
#ifndef PARA_ERROR_H
#define PARA_ERROR_H

enum {
	PARA_EXIT_OK = 0,
	PARA_EXIT_FAIL = 1,
	PARA_EXIT_USAGE = 2,
	PARA_EXIT_ENGINE = 3,
	PARA_EXIT_CONFIG = 4,
};

struct error {
	int code;      /* 0 while no error is set */
	char msg[1024];
	char hint[512]; /* optional: what to do about it */
	int sys_errno; /* the errno behind it (error_errno, or a callee that knows), else 0 */
};

#define ERROR_INIT { 0, "", "", 0 }

/* Set the error (replacing any previous one); always returns -1. */
int error_set(struct error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like error_set, with ": strerror(errno)" appended; keeps errno in sys_errno. */
int error_errno(struct error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Set the hint shown after the message; returns -1. */
int error_hint(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix context: "<ctx>: <old message>"; returns -1. */
int error_wrap(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_clear(struct error *err);

#endif
