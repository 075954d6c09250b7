#include "sig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received;
static volatile sig_atomic_t last_signo;
/* the children para waits for (a few run side by side) */
#define MAX_CHILDREN 8
static volatile pid_t child_pid[MAX_CHILDREN];
static volatile sig_atomic_t child_mode[MAX_CHILDREN];

static void on_signal(int signo, siginfo_t *info, void *uctx)
{
	int saved_errno = errno; /* kill() may set it; the code interrupted reads it */
	(void)uctx;
	received++;
	last_signo = signo;
	for (int i = 0; i < MAX_CHILDREN; i++) {
		pid_t pid = child_pid[i];
		if (pid <= 0 || child_mode[i] == SIG_CHILD_CALLBACK)
			continue;
		if (child_mode[i] == SIG_CHILD_INTERACTIVE) {
			/* SI_KERNEL: typed at the terminal; the child got it already */
			if (!info || info->si_code != SI_KERNEL)
				kill(pid, signo);
		} else if (child_mode[i] == SIG_CHILD_FORWARD) {
			kill(pid, received >= 2 ? SIGKILL : signo);
		} else if (received >= 2) {
			kill(pid, SIGKILL);
		}
	}
	errno = saved_errno;
}

void sig_setup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

unsigned sig_count(void)
{
	return (unsigned)received;
}

int sig_last(void)
{
	return last_signo;
}

static void block(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

void sig_child_add(pid_t pid, enum sig_child_mode mode)
{
	sigset_t old;
	block(&old);
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (child_pid[i] > 0)
			continue;
		child_mode[i] = (sig_atomic_t)mode;
		child_pid[i] = pid;
		break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void sig_child_remove(pid_t pid)
{
	sigset_t old;
	block(&old);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (child_pid[i] == pid)
			child_pid[i] = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}
