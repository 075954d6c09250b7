/*
 * The words of a command line, split the way a POSIX shell splits them, with
 * no expansion at all: quotes and backslashes are removed as sh removes them
 * and nothing else happens. $VAR, ${VAR}, $(…), `…`, ~ and globs stay as they
 * are written, so no host value can be pulled into an argv; operators such as
 * ; | & < > are ordinary characters, and so is # (no comments).
 *
 *   'text'   literal up to the next '
 *   "text"   literal but for \$ \` \" \\ (the backslash goes) and \<newline>
 *            (both go)
 *   \c       c, outside quotes; \<newline> joins lines
 *   blanks   space, tab and newline separate words; '' or "" is an empty word
 */
#ifndef PARA_SHELLWORDS_H
#define PARA_SHELLWORDS_H
#include "util/error.h"
#include "util/strvec.h"

/* Append the words of s to out; -1 (exit 2) naming the 1-based position of an
 * unbalanced quote or a trailing backslash, out unchanged. */
int shellwords_split(const char *s, struct strvec *out, struct error *err);

#endif
