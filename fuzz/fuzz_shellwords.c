/*
 * libFuzzer target for shellwords_split. Besides the sanitizers it checks a
 * round trip: the words, each put back in single quotes, split into the same
 * words; and a refusal is exit code 2 with nothing appended.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/shellwords.h"
#include "util/strbuf.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The words as sh would take them back: 'w' with each ' as '\''. */
static void requote(const struct strvec *v, struct strbuf *sb)
{
	for (size_t i = 0; i < v->nr; i++) {
		strbuf_addstr(sb, i ? " '" : "'");
		for (const char *p = v->v[i]; *p; p++)
			if (*p == '\'')
				strbuf_addstr(sb, "'\\''");
			else
				strbuf_addch(sb, *p);
		strbuf_addch(sb, '\'');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096 || memchr(data, '\0', size))
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
	struct error err = ERROR_INIT;
	if (shellwords_split(s, &a, &err) < 0) {
		if (err.code != PARA_EXIT_USAGE || a.nr)
			abort();
	} else {
		struct strbuf sb = STRBUF_INIT;
		requote(&a, &sb);
		if (shellwords_split(sb.buf, &b, &err) < 0 || a.nr != b.nr)
			abort();
		for (size_t i = 0; i < a.nr; i++)
			if (strcmp(a.v[i], b.v[i]))
				abort();
		strbuf_release(&sb);
	}
	error_clear(&err);
	strvec_clear(&a);
	strvec_clear(&b);
	free(s);
	return 0;
}
