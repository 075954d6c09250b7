#include "sig.h"

#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received;
static volatile sig_atomic_t last_signo;
static volatile pid_t child_pid;
static volatile sig_atomic_t child_mode;

static void on_signal(int signo, siginfo_t *info, void *uctx)
{
	(void)uctx;
	received++;
	last_signo = signo;
	if (child_pid <= 0)
		return;
	if (child_mode == SIG_CHILD_INTERACTIVE) {
		/* SI_KERNEL: typed at the terminal; the child got it already */
		if (!info || info->si_code != SI_KERNEL)
			kill(child_pid, signo);
	} else if (child_mode == SIG_CHILD_FORWARD) {
		kill(child_pid, received >= 2 ? SIGKILL : signo);
	} else if (received >= 2) {
		kill(child_pid, SIGKILL);
	}
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

void sig_set_child(pid_t pid, enum sig_child_mode mode)
{
	child_mode = (sig_atomic_t)mode;
	child_pid = pid;
}
