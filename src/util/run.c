#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sig.h"
#include "xalloc.h"
#include "banned.h"

extern char **environ;

void child_clear(struct child *c)
{
	strvec_clear(&c->args);
	strvec_clear(&c->env);
}

void first_line(const char *buf, char *out, size_t max)
{
	size_t n = 0;
	while (buf[n] && buf[n] != '\n' && n + 1 < max)
		n++;
	memcpy(out, buf, n);
	out[n] = '\0';
}

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* environ, minus every key c->env mentions, plus c->env's assignments. */
/* environ, then c->env's entries in order: "K=V" replaces K, "K" removes it. */
static char **build_env(const struct child *c, struct strvec *store)
{
	strvec_pushv(store, (const char *const *)environ);
	for (size_t i = 0; i < c->env.nr; i++) {
		const char *kv = c->env.v[i];
		size_t kl = key_len(kv), keep = 0;
		for (size_t j = 0; j < store->nr; j++) {
			if (key_len(store->v[j]) == kl && !strncmp(store->v[j], kv, kl))
				free(store->v[j]);
			else
				store->v[keep++] = store->v[j];
		}
		store->nr = keep;
		store->v[keep] = NULL;
		if (kv[kl] == '=')
			strvec_push(store, kv);
	}
	return store->v;
}

static void set_cloexec_nonblock(int fd)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Runs in the forked child: only async-signal-safe calls. */
static void __attribute__((noreturn))
exec_child(struct child *c, char **envp, int *fds, int report)
{
	sigset_t none;
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (!c->interactive)
		setpgid(0, 0);

	int devnull = -1;
	if (c->no_stdin || c->null_stdout || c->null_stderr)
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (c->in_fd > 0)
		dup2(c->in_fd, 0);
	else if (c->in)
		dup2(fds[0], 0);
	else if (c->no_stdin)
		dup2(devnull, 0);
	if (c->out_fd > 0)
		dup2(c->out_fd, 1);
	else if (c->out)
		dup2(fds[3], 1);
	else if (c->null_stdout)
		dup2(devnull, 1);
	if (c->err)
		dup2(fds[5], 2);
	else if (c->null_stderr)
		dup2(devnull, 2);

	/* report what failed: [0] the step (1 chdir, 2 exec), [1] errno */
	int e[2] = { 0, 0 };
	if (c->dir && chdir(c->dir) < 0) {
		e[0] = 1;
		e[1] = errno;
	} else {
		execvpe(c->args.v[0], c->args.v, envp);
		e[0] = 2;
		e[1] = errno;
	}
	if (write(report, e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

/* Hand each complete line of data (carried over in pending) to on_line.
 * "\r\n" ends one line; a lone '\r' (progress output) ends one too. */
static void feed_lines(struct child *c, struct strbuf *pending, const char *data, size_t n, int flush)
{
	strbuf_add(pending, data, n);
	size_t start = 0;
	for (size_t i = 0; i < pending->len; i++) {
		char ch = pending->buf[i];
		if (ch != '\n' && ch != '\r')
			continue;
		if (ch == '\r' && i + 1 == pending->len && !flush)
			break; /* a '\n' may follow in the next read */
		c->on_line(pending->buf + start, i - start, c->on_line_ctx);
		if (ch == '\r' && i + 1 < pending->len && pending->buf[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	if (flush && start < pending->len) {
		c->on_line(pending->buf + start, pending->len - start, c->on_line_ctx);
		start = pending->len;
	}
	memmove(pending->buf, pending->buf + start, pending->len - start);
	strbuf_setlen(pending, pending->len - start);
}

/* Hand the signals that arrived since the last call to c->on_signal. */
static void deliver_signals(struct child *c)
{
	while (c->on_signal && sig_count() != c->sigs_) {
		c->sigs_++;
		c->on_signal(sig_last(), c->sigs_, c->on_signal_ctx);
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { fd, POLLOUT, 0 };
			poll(&pf, 1, 100);
		} else if (w < 0 && errno != EINTR) {
			return;
		}
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void child_pass_stderr(const char *buf, size_t n)
{
	write_all(2, buf, n);
}

void child_pass_output(int fd, const char *buf, size_t n)
{
	write_all(fd == 2 ? 2 : 1, buf, n);
}

/* Still holding c->err back (err_hold): does it start like a held prefix? */
static int looks_held(const struct child *c)
{
	if (c->err->len > 4096)
		return 0;
	for (const char *const *p = c->err_hold; *p; p++) {
		size_t n = strlen(*p);
		if (!strncmp(c->err->buf, *p, n < c->err->len ? n : c->err->len))
			return 1;
	}
	return 0;
}

/* Hand what was held back on to para's stderr, and everything after it. */
static void release_held(struct child *c, int *relaying)
{
	write_all(2, c->err->buf, c->err->len);
	strbuf_reset(c->err);
	*relaying = 1;
}

/* What pump keeps between polls. */
struct pump_state {
	struct strbuf pending_out, pending_err; /* on_line: partial lines */
	int relaying;         /* err_hold: passing stderr through */
	long long hold_until; /* err_hold: a held line's deadline */
};

/* Data read from the child's stdout or stderr (sb): held, passed on, or
 * captured (and handed to on_line). */
static void took_output(struct child *c, struct pump_state *ps, struct strbuf *sb, int is_out, const char *buf,
			size_t r)
{
	if (sb == c->err && c->err_hold && ps->relaying) {
		write_all(2, buf, r);
	} else if (sb == c->err && c->err_hold) {
		strbuf_add(sb, buf, r);
		if (!looks_held(c)) {
			release_held(c, &ps->relaying);
			ps->hold_until = -1;
		} else if (ps->hold_until < 0 && memchr(sb->buf, '\n', sb->len)) {
			ps->hold_until = now_ms() + 250;
		}
	} else if (c->capture_max && (c->capture_over || (c->out ? c->out->len : 0) + (c->err ? c->err->len : 0) + r >
							      c->capture_max)) {
		if (!c->capture_over)
			kill(c->pid, SIGKILL);
		c->capture_over = 1;
	} else {
		strbuf_add(sb, buf, r);
		if (c->on_line)
			feed_lines(c, is_out ? &ps->pending_out : &ps->pending_err, buf, r, 0);
	}
}

/* Feed stdin from c->in; the pipe closed once all of it went (or failed). */
static void feed_stdin(struct child *c, int *in_fd, size_t *in_off)
{
	ssize_t w = write(*in_fd, c->in + *in_off, c->in_len - *in_off);
	if (w > 0)
		*in_off += (size_t)w;
	if ((w < 0 && errno != EAGAIN && errno != EINTR) || *in_off >= c->in_len) {
		close(*in_fd);
		*in_fd = -1;
	}
}

/* Move data between para and the child's pipes until all are closed. */
static void pump(struct child *c, int in_fd, int out_fd, int err_fd)
{
	size_t in_off = 0;
	struct pump_state ps = { STRBUF_INIT, STRBUF_INIT, 0, -1 };
	for (;;) {
		struct pollfd p[3];
		int n = 0;
		if (in_fd >= 0)
			p[n++] = (struct pollfd){ in_fd, POLLOUT, 0 };
		if (out_fd >= 0)
			p[n++] = (struct pollfd){ out_fd, POLLIN, 0 };
		if (err_fd >= 0)
			p[n++] = (struct pollfd){ err_fd, POLLIN, 0 };
		if (!n && c->on_line) {
			feed_lines(c, &ps.pending_out, "", 0, 1);
			feed_lines(c, &ps.pending_err, "", 0, 1);
		}
		long long left = ps.hold_until >= 0 ? ps.hold_until - now_ms() : -1;
		int pr = n ? poll(p, (nfds_t)n, ps.hold_until < 0 ? -1 : left > 0 ? (int)left : 0) : -1;
		if (n && pr == 0 && ps.hold_until >= 0) {
			/* the child runs on after that line: it was its own */
			release_held(c, &ps.relaying);
			ps.hold_until = -1;
			continue;
		}
		if (n && pr < 0 && errno == EINTR) {
			deliver_signals(c);
			continue;
		}
		if (!n || pr < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == in_fd) {
				feed_stdin(c, &in_fd, &in_off);
				continue;
			}
			int *fdp = p[i].fd == out_fd ? &out_fd : &err_fd;
			char buf[16384];
			ssize_t r = read(*fdp, buf, sizeof buf);
			if (r > 0) {
				took_output(c, &ps, fdp == &out_fd ? c->out : c->err, fdp == &out_fd, buf, (size_t)r);
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(*fdp);
				*fdp = -1;
			}
		}
	}
	strbuf_release(&ps.pending_out);
	strbuf_release(&ps.pending_err);
}

int child_start(struct child *c, struct error *err)
{
	int report[2];
	struct strvec envstore = STRVEC_INIT;
	int *fds = c->fds_;

	for (int i = 0; i < 6; i++)
		fds[i] = -1;
	if (!c->args.nr)
		return error_set(err, PARA_EXIT_FAIL, "internal error: empty command");
	/* close-on-exec everywhere: dup2 gives the child its own copies, and no
	 * child may keep the far end of its own stdin open */
	if ((c->in && pipe2(fds + 0, O_CLOEXEC) < 0) || (c->out && pipe2(fds + 2, O_CLOEXEC) < 0) ||
	    (c->err && pipe2(fds + 4, O_CLOEXEC) < 0) || pipe2(report, O_CLOEXEC) < 0) {
		for (int i = 0; i < 3; i++)
			close_pair(fds + 2 * i);
		return error_errno(err, PARA_EXIT_FAIL, "cannot create a pipe");
	}
	char **envp = build_env(c, &envstore);
	c->sigs_ = sig_count();

	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		for (int i = 0; i < 3; i++)
			close_pair(fds + 2 * i);
		close(report[0]);
		close(report[1]);
		strvec_clear(&envstore);
		errno = e;
		return error_errno(err, PARA_EXIT_FAIL, "cannot start '%s'", c->args.v[0]);
	}
	if (pid == 0)
		exec_child(c, envp, fds, report[1]);
	c->pid = pid;
	if (!c->interactive)
		setpgid(pid, pid); /* also done in the child: whichever runs first */
	sig_child_add(pid, c->on_signal	      ? SIG_CHILD_CALLBACK
			   : c->interactive     ? SIG_CHILD_INTERACTIVE
			   : c->forward_signals ? SIG_CHILD_FORWARD
						: SIG_CHILD_HOLD);
	strvec_clear(&envstore);
	close(report[1]);
	if (c->in) { close(fds[0]); fds[0] = -1; set_cloexec_nonblock(fds[1]); }
	if (c->out) { close(fds[3]); fds[3] = -1; set_cloexec_nonblock(fds[2]); }
	if (c->err) { close(fds[5]); fds[5] = -1; set_cloexec_nonblock(fds[4]); }

	int failed[2] = { 0, 0 };
	ssize_t r;
	do
		r = read(report[0], failed, sizeof failed);
	while (r < 0 && errno == EINTR);
	close(report[0]);
	c->exec_errno_ = r == (ssize_t)sizeof failed ? failed[1] : 0;
	c->exec_step_ = r == (ssize_t)sizeof failed ? failed[0] : 0;
	return 0;
}

/* What exec_child reported: the chdir (step 1) or the exec failed with e. */
static int exec_failure(const struct child *c, int step, int e, struct error *err)
{
	errno = e;
	if (step == 1)
		return error_errno(err, PARA_EXIT_FAIL, "cannot run '%s' in '%s'", c->args.v[0], c->dir);
	if (e == ENOENT) {
		error_set(err, PARA_EXIT_FAIL, "cannot run '%s': command not found", c->args.v[0]);
		err->sys_errno = ENOENT;
		return -1;
	}
	return error_errno(err, PARA_EXIT_FAIL, "cannot run '%s'", c->args.v[0]);
}

/*
 * Wait for c to exit, handing each signal that arrives meanwhile to
 * c->on_signal at once. A pidfd becomes readable the moment the child exits,
 * and ppoll() unblocks para's signals only while it sleeps, so none can slip
 * in between the check and the sleep: no polling interval, and no latency
 * added to the child's run. -1 (nothing waited for) when the kernel has no
 * pidfd_open.
 */
static int wait_relaying(struct child *c)
{
#ifdef SYS_pidfd_open
	int pfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pfd < 0)
		return -1;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	for (;;) {
		sigprocmask(SIG_BLOCK, &block, &old);
		if (sig_count() != c->sigs_) {
			/* the relay runs other children: not with signals blocked */
			sigprocmask(SIG_SETMASK, &old, NULL);
			deliver_signals(c);
			continue;
		}
		struct pollfd p = { pfd, POLLIN, 0 };
		int r = ppoll(&p, 1, NULL, &old);
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (r > 0 || (r < 0 && e != EINTR && e != EAGAIN))
			break;
	}
	close(pfd);
	return 0;
#else
	(void)c;
	return -1;
#endif
}

int child_finish(struct child *c, int *status, struct error *err)
{
	int *fds = c->fds_;
	pump(c, fds[1], fds[2], fds[4]);

	/* wait without reaping, forget the pid, then reap: a signal handler
	 * never sees a pid the kernel may already have given to someone else */
	int ws = 0;
	siginfo_t info;
	if (c->on_signal && wait_relaying(c) < 0) {
		/* no pidfd here: wait for it, and pass each signal on as it
		 * comes (a wait is restarted after a signal; a sleeping poll is
		 * not), looking every 100 ms */
		for (;;) {
			info.si_pid = 0;
			int w = waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOWAIT | WNOHANG);
			if (w < 0 && errno != EINTR)
				break;
			if (w == 0 && info.si_pid == c->pid)
				break;
			deliver_signals(c);
			poll(NULL, 0, 100);
			deliver_signals(c);
		}
	}
	while (waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	sig_child_remove(c->pid);
	while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
	if (c->exec_errno_)
		return exec_failure(c, c->exec_step_, c->exec_errno_, err);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (!c->interactive && !c->on_signal && sig_count() != c->sigs_)
		return error_set(err, 128 + sig_last(), "interrupted");
	return 0;
}

enum stdin_kind stdin_kind(void)
{
	struct stat st, null;
	if (fstat(0, &st) < 0)
		return STDIN_NONE;
	if (isatty(0))
		return STDIN_TTY;
	if (S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 && st.st_rdev == null.st_rdev)
		return STDIN_NONE;
	return STDIN_DATA;
}

int child_run(struct child *c, int *status, struct error *err)
{
	if (child_start(c, err) < 0)
		return -1;
	return child_finish(c, status, err);
}

/* The intermediate process of child_spawn_detached (only async-signal-safe
 * calls): a session of its own, then the program's fork, then gone. */
static void __attribute__((noreturn)) detach_child(struct child *c, char **envp, int out_fd, int report)
{
	sigset_t all;
	pid_t pid;
	/* para's handlers forward signals to its children: not from here */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setsid() < 0 || (pid = fork()) < 0) {
		int e[2] = { 2, errno };
		if (write(report, e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	if (pid > 0)
		_exit(0);
	if (out_fd >= 0) {
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		if (out_fd <= 2)
			fcntl(out_fd, F_SETFD, 0); /* dup2 onto itself keeps close-on-exec */
	}
	exec_child(c, envp, c->fds_, report); /* resets the signals and the mask */
}

int child_spawn_detached(struct child *c, int out_fd, struct error *err)
{
	int report[2];
	struct strvec envstore = STRVEC_INIT;
	if (!c->args.nr || c->in || c->out || c->err || c->in_fd > 0)
		return error_set(err, PARA_EXIT_FAIL, "internal error: a detached command has no pipes");
	if (pipe2(report, O_CLOEXEC) < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot create a pipe");
	char **envp = build_env(c, &envstore);
	c->interactive = 1; /* setsid made its group: exec_child need not */
	c->no_stdin = 1;
	c->null_stdout = c->null_stderr = out_fd < 0;
	pid_t pid = fork();
	if (pid == 0)
		detach_child(c, envp, out_fd, report[1]);
	int fork_errno = errno;
	strvec_clear(&envstore);
	close(report[1]);
	if (pid < 0) {
		close(report[0]);
		errno = fork_errno;
		return error_errno(err, PARA_EXIT_FAIL, "cannot start '%s'", c->args.v[0]);
	}
	/* end of file once the program is exec'd (the pipe is close-on-exec)
	 * and the intermediate is gone; [step, errno] when it failed */
	int failed[2] = { 0, 0 }, ws;
	ssize_t r;
	do
		r = read(report[0], failed, sizeof failed);
	while (r < 0 && errno == EINTR);
	close(report[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (r == (ssize_t)sizeof failed)
		return exec_failure(c, failed[0], failed[1], err);
	return 0;
}
