/*
 * libFuzzer target for the allowlist. The input is "ENTRY\nHOST\nPORT".
 * Besides the sanitizers it checks: a refusal is exit code 2 and leaves the
 * list empty; an accepted entry written back (allowlist_entry_text) is
 * accepted again as the same entry; an exact entry matches its own host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/allowlist.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct allow_entry *e)
{
	struct allowlist again = ALLOWLIST_INIT;
	struct error err = ERROR_INIT;
	char *text = allowlist_entry_text(e);
	if (allowlist_add(&again, text, &err) < 0 || again.nr != 1 ||
	    strcmp(again.v[0].host, e->host) || again.v[0].port != e->port || again.v[0].wildcard != e->wildcard)
		abort();
	if (!e->wildcard && !allowlist_match(&again, e->host, e->port ? e->port : 443))
		abort();
	allowlist_clear(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1024 || memchr(data, '\0', size))
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	char *host = strchr(s, '\n');
	if (host)
		*host++ = '\0';
	char *port = host ? strchr(host, '\n') : NULL;
	if (port)
		*port++ = '\0';
	struct allowlist al = ALLOWLIST_INIT;
	struct error err = ERROR_INIT;
	if (allowlist_add_list(&al, s, &err) < 0) {
		if (err.code != PARA_EXIT_USAGE || al.nr)
			abort();
	}
	for (size_t i = 0; i < al.nr; i++)
		check_round_trip(&al.v[i]);
	if (host)
		(void)allowlist_match(&al, host, port ? atoi(port) : 443);
	allowlist_clear(&al);
	free(s);
	return 0;
}
