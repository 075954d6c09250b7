/*
 * Signal policy. para installs handlers for SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT once at start-up: a signal is recorded (never fatal at once) and
 * forwarded to the children as sig_child_add() describes.
 * Multi-step commands check sig_count() between steps and roll back.
 */
#ifndef PARA_SIG_H
#define PARA_SIG_H
#include <signal.h>
#include <sys/types.h>

void sig_setup(void);
/* Number of signals received so far; compare two readings to see if one came. */
unsigned sig_count(void);
/* The last signal received (0 when none). */
int sig_last(void);
/*
 * The children that receive forwarded signals, each with its mode. An interactive child
 * shares the terminal and gets signals sent to para itself (kill, not the
 * terminal's). Any other child runs in its own process group so a Ctrl-C
 * lets the step finish and para rolls back cleanly; a second signal kills it.
 */
enum sig_child_mode {
	SIG_CHILD_HOLD,        /* own process group; the step finishes, a 2nd signal kills it */
	SIG_CHILD_INTERACTIVE, /* shares the terminal; gets signals sent to para itself */
	SIG_CHILD_FORWARD,     /* own process group; every signal is passed on at once */
	SIG_CHILD_CALLBACK,    /* never signalled by para: its runner handles signals (child.on_signal) */
};
void sig_child_add(pid_t pid, enum sig_child_mode mode);
void sig_child_remove(pid_t pid);

#endif
