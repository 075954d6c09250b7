#include "parse/shellwords.h"

#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Inside "…" a backslash only escapes these (and a newline, which goes). */
static int dq_escapes(char c)
{
	return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

static int unbalanced(const char *s, size_t at, const char *what, struct error *err)
{
	return error_set(err, PARA_EXIT_USAGE, "%s at position %zu of \"%s\"", what, at + 1, s);
}

/* One quoted part starting at s[*i] (the quote); appended to w without its quotes. */
static int quoted(const char *s, size_t *i, struct strbuf *w, struct error *err)
{
	size_t open = *i;
	char q = s[(*i)++];
	for (; s[*i] && s[*i] != q; (*i)++) {
		if (q == '"' && s[*i] == '\\' && dq_escapes(s[*i + 1])) {
			(*i)++;
			if (s[*i] == '\n')
				continue;
		}
		strbuf_addch(w, s[*i]);
	}
	if (!s[*i])
		return unbalanced(s, open, q == '"' ? "unbalanced \"" : "unbalanced '", err);
	(*i)++;
	return 0;
}

int shellwords_split(const char *s, struct strvec *out, struct error *err)
{
	struct strvec words = STRVEC_INIT;
	struct strbuf w = STRBUF_INIT;
	int in_word = 0, r = 0;
	for (size_t i = 0; r == 0 && s[i];) {
		if (is_blank(s[i])) {
			if (in_word)
				strvec_push(&words, w.buf);
			strbuf_reset(&w);
			in_word = 0;
			i++;
		} else if (s[i] == '\'' || s[i] == '"') {
			in_word = 1;
			r = quoted(s, &i, &w, err);
		} else if (s[i] == '\\' && !s[i + 1]) {
			r = unbalanced(s, i, "a trailing backslash", err);
		} else if (s[i] == '\\') {
			if (s[i + 1] != '\n') { /* \<newline> joins lines */
				strbuf_addch(&w, s[i + 1]);
				in_word = 1;
			}
			i += 2;
		} else {
			strbuf_addch(&w, s[i++]);
			in_word = 1;
		}
	}
	if (r == 0 && in_word)
		strvec_push(&words, w.buf);
	if (r == 0)
		strvec_pushv(out, (const char *const *)words.v);
	strvec_clear(&words);
	strbuf_release(&w);
	return r;
}
