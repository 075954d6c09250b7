/*
 * The network allowlist of an isolated session (SPEC §2.4): which hosts
 * and ports the egress proxy lets the agent reach. Shared by para (which
 * checks entries before anything is made) and the proxy (which matches).
 *
 * An entry is
 *   host            an exact name: api.anthropic.com (case-insensitive, a
 *                   trailing dot ignored)
 *   *.suffix        any name under suffix, not suffix itself: *.github.com
 *   1.2.3.4         an IPv4 address, literally
 *   [2001:db8::1]   an IPv6 address, in brackets
 * each optionally followed by :PORT (1-65535); without a port, 443 and 80.
 * Names are DNS names: labels of letters, digits, '-' and '_' (1-63
 * bytes, not starting or ending with '-'), at most 253 bytes in all. A
 * '*' anywhere but a leading "*." is refused, as is an empty entry.
 */
#ifndef PARA_ALLOWLIST_H
#define PARA_ALLOWLIST_H
#include <stddef.h>

#include "util/error.h"

struct allow_entry {
	char *host;   /* lower case, no trailing dot; for *.suffix the suffix
		       * with its leading dot (".github.com"); an IPv6 address
		       * without its brackets */
	int wildcard; /* 1 for *.suffix */
	int port;     /* 0: 443 and 80 */
};

struct allowlist {
	struct allow_entry *v;
	size_t nr, alloc;
};

#define ALLOWLIST_INIT { NULL, 0, 0 }

/* Add one entry; -1 (err: exit 2, naming the entry and what is wrong)
 * and the list unchanged when it is malformed. */
int allowlist_add(struct allowlist *al, const char *entry, struct error *err);
/* Add each entry of a comma-separated list (blanks around entries are
 * ignored; empty entries refused); all or nothing. */
int allowlist_add_list(struct allowlist *al, const char *list, struct error *err);
/* 1 when host:port is allowed. host as a client gave it (any case, an
 * optional trailing dot, an IPv6 address with or without brackets). */
int allowlist_match(const struct allowlist *al, const char *host, int port);
/* "443" → 443: -1 unless s[0..len) is 1-65535 in plain decimal digits
 * (the proxy reads its request ports with it too). */
int allowlist_parse_port(const char *s, size_t len);
/* The entry as it would be written, for messages and logs (a new string). */
char *allowlist_entry_text(const struct allow_entry *e);
void allowlist_clear(struct allowlist *al);

#endif
