/*
 * run: start a program from an argv vector (never a shell), with its
 * environment built before fork, and wait for it (git's run-command, small).
 *
 * The child inherits stdin/stdout/stderr unless told otherwise. Capture of
 * stdout and stderr and feeding of stdin use poll(), so no pipe can fill up
 * and deadlock. An exec failure (missing binary, permission) is reported back
 * over a close-on-exec pipe and becomes an error, not an exit status.
 */
#ifndef PARA_RUN_H
#define PARA_RUN_H
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "strbuf.h"
#include "strvec.h"

struct child {
	struct strvec args;
	/* "KEY=VALUE" sets, "KEY" removes; applied over the parent's environ. */
	struct strvec env;
	const char *dir;         /* chdir before exec, or NULL */
	struct strbuf *out;      /* capture stdout, or NULL to inherit */
	struct strbuf *err;      /* capture stderr, or NULL to inherit */
	const char *in;          /* feed stdin from this buffer, or NULL */
	size_t in_len;
	unsigned no_stdin : 1;   /* stdin from /dev/null */
	unsigned null_stdout : 1;
	unsigned null_stderr : 1;
	/* A terminal program: it stays in the terminal's process group, and
	 * signals that arrive while it runs are its business (child_run does not
	 * report them as an interruption). Other children get their own process
	 * group: see sig.h. */
	unsigned interactive : 1;
	/* A long step the user may want to stop (an image build): signals are
	 * passed on to it at once, terminal ones included. */
	unsigned forward_signals : 1;
	int in_fd;               /* stdin from this fd when > 0 (e.g. a tar stream) */
	int out_fd;              /* stdout to this fd when > 0 (a pipe para reads as it goes) */
	/* Signals to para are not the child's to get: while it runs, each one
	 * is handed to on_signal (which may run other children), and the child
	 * is waited for as usual; its status is reported, not "interrupted".
	 * Used for the engine CLI of a container exec, whose process is reached
	 * through the engine instead. */
	void (*on_signal)(int signo, unsigned count, void *ctx);
	void *on_signal_ctx;
	/* Called with each complete line of captured output (stdout and stderr
	 * both, when both are captured), as it arrives. */
	void (*on_line)(const char *line, size_t len, void *ctx);
	void *on_line_ctx;
	/* With err: stderr goes on to para's own stderr as it arrives, except
	 * what starts like one of these prefixes (NULL-terminated): that is held
	 * in err, for the caller to show or drop once the child exited, unless
	 * it turns out to be something else (it stops matching, grows past 4 KB,
	 * or the child still runs 250 ms after its first line). */
	const char *const *err_hold;
	/* When non-zero: once captured stdout and stderr together pass this
	 * many bytes, the child is killed (SIGKILL) and capture_over set. */
	size_t capture_max;
	unsigned capture_over : 1;
	pid_t pid;
	/* private to run.c */
	int fds_[6];
	int exec_errno_;
	int exec_step_;
	unsigned sigs_;
};

#define CHILD_INIT { .args = STRVEC_INIT, .env = STRVEC_INIT, .fds_ = { -1, -1, -1, -1, -1, -1 } }

void child_clear(struct child *c);

/*
 * Run c to completion. Returns 0 when it ran, with *status its exit code
 * (128 + signal number when a signal killed it). Returns -1 when it could not
 * be started (err: "cannot run 'x': reason"), or, unless interactive, when
 * para received SIGINT/SIGTERM/SIGHUP while it ran (err code 128 + signal).
 */
int child_run(struct child *c, int *status, struct error *err);

/*
 * child_run in two halves, so para can do other work while the child runs:
 * child_start returns once the program is exec'd (or failed to be);
 * child_finish moves its pipes' data, waits, and reports as child_run.
 */
int child_start(struct child *c, struct error *err);
int child_finish(struct child *c, int *status, struct error *err);

/*
 * Start c detached and do not wait for it: a program that outlives para
 * (an editor). It runs in a session of its own (setsid: no controlling
 * terminal, no signal from para's terminal), with stdin from /dev/null and
 * stdout and stderr to out_fd (/dev/null when out_fd < 0), and it is never
 * para's child: a short-lived intermediate process forks it and exits, so
 * nothing is left to reap. c->dir and c->env apply; c->in, c->out, c->err
 * must be unset. Returns 0 once the program is exec'd; -1 when it could not
 * be (err as child_run's: "cannot run 'x': command not found" …).
 */
int child_spawn_detached(struct child *c, int out_fd, struct error *err);

/* What stdin is: a terminal, data (a pipe, file or socket), or nothing
 * (closed, or /dev/null). */
enum stdin_kind { STDIN_NONE, STDIN_TTY, STDIN_DATA };
enum stdin_kind stdin_kind(void);

/* Pass a child's own output (held back by err_hold, then found to be
 * its own) on to para's stderr, as child_run would have. */
void child_pass_stderr(const char *buf, size_t n);
/* The output of a command para runs without a child of its own (an exec
 * through the Engine API): fd 1 or 2 of para's, as a child's would be. */
void child_pass_output(int fd, const char *buf, size_t n);

/* Return the first line of buf (without the newline), at most max bytes. */
void first_line(const char *buf, char *out, size_t max);

#endif
