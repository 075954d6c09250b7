/*
 * The .env parser. It follows compose-go's dotenv package (parser.go plus the
 * template package it interpolates with) statement by statement; the few
 * places where para decides otherwise are marked "para:" and listed in
 * docs/dotenv.md.
 */
#include "parse/dotenv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parse/gostr.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ${a:-${b:-...}} deeper than this is refused rather than risking the stack. */
#define MAX_NESTING 32
/* How much of a key name an error message quotes. */
#define MSG_KEY_MAX 80

struct parser {
	const char *s;
	size_t len, pos;
	int line;
	dotenv_lookup_fn lookup;
	void *ctx;
	int interpolate;
	struct dotenv *out;
	struct error *err;

	/* The statement being parsed, for entries and messages. */
	int stmt_line;
	size_t key, key_len; /* offset and length in s */

	/* Index of out->v by key: entry index + 1, 0 for an empty slot. */
	size_t *slots;
	size_t nslots;

	/* Scratch, reused across statements: quoted text, unescaped text, the
	 * final value, a NUL-terminated name for lookups. */
	struct strbuf raw, esc, val, name;
};

static int is_key_rune(uint32_t c);

/* ---- characters ---------------------------------------------------- */

/* The rune at p->s[pos] (Go's utf8.DecodeRune) and its width in *n. */
static uint32_t rune_at(const struct parser *p, size_t pos, size_t *n)
{
	return gostr_decode_rune((const unsigned char *)p->s + pos, p->len - pos, n);
}

/* compose-go's isSpace: the blanks it skips around keys and separators. */
static int is_blank(uint32_t c)
{
	return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ' ||
	       c == 0x85 || c == 0xa0;
}

static int is_name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Length of s[0..n) without trailing Unicode spaces. */
static size_t rtrim_len(const char *s, size_t n)
{
	size_t w;

	while (n && gostr_is_space(gostr_decode_last_rune((const unsigned char *)s, n, &w)))
		n -= w;
	return n;
}

/* ---- errors -------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[sizeof p->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->out->error_line = line;
	return error_set(p->err, PARA_EXIT_FAIL, "%s", msg);
}

/* The current key for a message: its first MSG_KEY_MAX bytes. */
static int key_shown(const struct parser *p)
{
	return p->key_len > MSG_KEY_MAX ? MSG_KEY_MAX : (int)p->key_len;
}

static const char *key_dots(const struct parser *p)
{
	return p->key_len > MSG_KEY_MAX ? "..." : "";
}

static int fail_value(struct parser *p, const char *what)
{
	return fail(p, p->stmt_line, "%s in the value of '%.*s%s'", what,
		    key_shown(p), p->s + p->key, key_dots(p));
}

/* ---- entries ------------------------------------------------------- */

static uint64_t hash_key(const char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
	return h;
}

/* The slot holding key k, or the empty slot where it would go. */
static size_t *find_slot(struct parser *p, const char *k, size_t n)
{
	size_t mask = p->nslots - 1, i = (size_t)hash_key(k, n) & mask;
	for (;; i = (i + 1) & mask) {
		size_t *slot = &p->slots[i];
		const char *key;
		if (!*slot)
			return slot;
		key = p->out->v[*slot - 1].key;
		if (!strncmp(key, k, n) && !key[n])
			return slot;
	}
}

static void grow_index(struct parser *p)
{
	size_t *old = p->slots, nold = p->nslots;

	p->nslots = nold ? nold * 2 : 64;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (size_t i = 0; i < nold; i++) {
		if (old[i]) {
			const char *key = p->out->v[old[i] - 1].key;
			*find_slot(p, key, strlen(key)) = old[i];
		}
	}
	free(old);
}

static struct dotenv_entry *find_entry(struct parser *p, const char *k, size_t n)
{
	size_t slot = p->nslots ? *find_slot(p, k, n) : 0;
	return slot ? &p->out->v[slot - 1] : NULL;
}

/* Define the current key; a later definition replaces value and line. */
static void set_entry(struct parser *p, const char *value, size_t n)
{
	const char *k = p->s + p->key;
	struct dotenv *out = p->out;
	struct dotenv_entry *e;
	size_t *slot;

	if (2 * (out->nr + 1) > p->nslots)
		grow_index(p);
	slot = find_slot(p, k, p->key_len);
	if (*slot) {
		e = &out->v[*slot - 1];
		free(e->value);
	} else {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		e = &out->v[out->nr++];
		e->key = xstrndup(k, p->key_len);
		*slot = out->nr;
	}
	e->value = xstrndup(value, n);
	e->line = p->stmt_line;
}

/* A NUL-terminated copy of s[0..n) in the name scratch buffer. */
static const char *scratch_name(struct parser *p, const char *s, size_t n)
{
	strbuf_reset(&p->name);
	strbuf_add(&p->name, s, n);
	return p->name.buf;
}

static const char *host_lookup(struct parser *p, const char *s, size_t n)
{
	return p->lookup ? p->lookup(scratch_name(p, s, n), p->ctx) : NULL;
}

/* Interpolation sees the host first, then keys defined earlier. */
static const char *lookup_var(struct parser *p, const char *s, size_t n)
{
	const char *v = host_lookup(p, s, n);
	struct dotenv_entry *e;

	if (v)
		return v;
	e = find_entry(p, s, n);
	return e ? e->value : NULL;
}

/* ---- interpolation (compose-go's template package) ----------------- */

struct subst {
	struct parser *p;
	const char *s;
	size_t n, pos;
};

static int subst_text(struct subst *t, int depth, int in_brace, struct strbuf *out);

static void add_var(struct subst *t, size_t name, size_t name_len, struct strbuf *out)
{
	const char *v = lookup_var(t->p, t->s + name, name_len);
	if (v)
		strbuf_addstr(out, v);
}

/* `:?` / `?` failed: quote the message as written, up to a control char. */
static int fail_required(struct subst *t, size_t name, size_t name_len, size_t msg, size_t msg_end)
{
	size_t n = 0;
	while (msg + n < msg_end && n < 200 && (unsigned char)t->s[msg + n] >= 0x20 &&
	       t->s[msg + n] != 0x7f)
		n++;
	return fail(t->p, t->p->stmt_line, "required variable '%.*s' is missing a value%s%.*s",
		    (int)name_len, t->s + name, n ? ": " : "", (int)n, t->s + msg);
}

/*
 * ${NAME}, ${NAME-w}, ${NAME:-w}, ${NAME+w}, ${NAME:+w}, ${NAME?w},
 * ${NAME:?w}; t->pos is at the '$'. The word is expanded even when unused,
 * as Compose does, so an error inside it is an error.
 */
static int subst_braced(struct subst *t, int depth, struct strbuf *out)
{
	size_t name = t->pos + 2, end = name, word;
	struct strbuf w = STRBUF_INIT;
	const char *v;
	int colon, op;

	if (depth >= MAX_NESTING)
		return fail_value(t->p, "interpolation nested too deeply");
	while (end < t->n && is_name_char(t->s[end]))
		end++;
	if (end == t->n)
		return fail_value(t->p, "unterminated '${'");
	if (end == name || !is_name_start(t->s[name]))
		return fail_value(t->p, "bad substitution");
	if (t->s[end] == '}') {
		add_var(t, name, end - name, out);
		t->pos = end + 1;
		return 0;
	}
	colon = t->s[end] == ':';
	op = end + colon < t->n ? t->s[end + colon] : 0;
	if (op != '-' && op != '+' && op != '?')
		return fail_value(t->p, end + colon < t->n ? "bad substitution" : "unterminated '${'");

	t->pos = word = end + colon + 1;
	if (subst_text(t, depth + 1, 1, &w) < 0) {
		strbuf_release(&w);
		return -1;
	}
	if (t->pos == t->n) {
		strbuf_release(&w);
		return fail_value(t->p, "unterminated '${'");
	}
	t->pos++; /* the '}' */

	v = lookup_var(t->p, t->s + name, end - name);
	if (op == '?' && (!v || (colon && !*v))) {
		strbuf_release(&w);
		return fail_required(t, name, end - name, word, t->pos - 1);
	}
	if (op == '-' && (!v || (colon && !*v)))
		v = w.buf;
	else if (op == '+' && v && (!colon || *v))
		v = w.buf;
	strbuf_addstr(out, v ? v : "");
	strbuf_release(&w);
	return 0;
}

/* At a '$': "$$" is '$', $NAME and ${...} expand, any other '$' is itself. */
static int subst_dollar(struct subst *t, int depth, struct strbuf *out)
{
	size_t at = t->pos + 1, end = at;

	if (at < t->n && t->s[at] == '{')
		return subst_braced(t, depth, out);
	if (at < t->n && is_name_start(t->s[at])) {
		while (end < t->n && is_name_char(t->s[end]))
			end++;
		add_var(t, at, end - at, out);
		t->pos = end;
		return 0;
	}
	strbuf_addch(out, '$');
	t->pos = at + (at < t->n && t->s[at] == '$');
	return 0;
}

/*
 * Expand from t->pos to the end, or inside a ${...} word up to the '}' that
 * closes it (left unconsumed; nested {...} pairs are part of the word).
 */
static int subst_text(struct subst *t, int depth, int in_brace, struct strbuf *out)
{
	size_t run = t->pos;
	int open = 0;

	while (t->pos < t->n) {
		char c = t->s[t->pos];
		if (!in_brace && c != '$') {
			/* outside braces only '$' matters */
			const char *d = memchr(t->s + t->pos, '$', t->n - t->pos);
			t->pos = d ? (size_t)(d - t->s) : t->n;
			continue;
		}
		if (c == '$') {
			strbuf_add(out, t->s + run, t->pos - run);
			if (subst_dollar(t, depth, out) < 0)
				return -1;
			run = t->pos;
			continue;
		}
		if (in_brace && c == '}') {
			if (!open)
				break;
			open--;
		} else if (in_brace && c == '{') {
			open++;
		}
		t->pos++;
	}
	strbuf_add(out, t->s + run, t->pos - run);
	return 0;
}

/* The final value of s[0..n) into p->val: expanded, or taken as it is. */
static int finish_value(struct parser *p, const char *s, size_t n)
{
	struct subst t = { p, s, n, 0 };

	strbuf_reset(&p->val);
	if (!p->interpolate) {
		strbuf_add(&p->val, s, n);
		return 0;
	}
	return subst_text(&t, 0, 0, &p->val);
}

/* ---- values -------------------------------------------------------- */

/*
 * Escapes in double quotes, on the text whose \" are already undone:
 * \a \b \f \n \r \t \v \\ \" as in C, \$ a literal '$', \0 and exactly three
 * octal digits the character with that code (1 to 255). Any other backslash
 * pair stays as written.
 * para: Compose turns "\0" into "\" and "\07" into "\7"; para keeps them.
 */
static int unescape(struct parser *p, const char *s, size_t n, struct strbuf *out)
{
	static const char from[] = "abfnrtv\\\"", to[] = "\a\b\f\n\r\t\v\\\"";
	size_t run = 0;

	strbuf_reset(out);
	for (size_t i = 0; i + 1 < n; i++) {
		const char *hit;
		unsigned code;
		if (s[i] != '\\')
			continue;
		strbuf_add(out, s + run, i - run);
		run = i;
		hit = memchr(from, s[i + 1], sizeof(from) - 1);
		if (hit) {
			strbuf_addch(out, to[hit - from]);
		} else if (s[i + 1] == '$') {
			strbuf_addstr(out, p->interpolate ? "$$" : "$");
		} else if (s[i + 1] == '0' && i + 4 < n && s[i + 2] >= '0' && s[i + 2] <= '3' &&
			   s[i + 3] >= '0' && s[i + 3] <= '7' && s[i + 4] >= '0' && s[i + 4] <= '7') {
			code = (unsigned)(s[i + 2] - '0') << 6 | (unsigned)(s[i + 3] - '0') << 3 |
			       (unsigned)(s[i + 4] - '0');
			if (!code)
				return fail_value(p, "nul byte");
			gostr_append_rune(out, code);
			i += 3;
		} else {
			i++; /* kept as written, both characters */
			continue;
		}
		i++;
		run = i + 1;
	}
	strbuf_add(out, s + run, n - run);
	return 0;
}

/*
 * A quoted value from the opening quote at p->pos: \<quote> is the quote,
 * every other backslash pair is kept for unescape(). Leaves the text in
 * p->raw and p->pos after the closing quote. para: an unterminated quote is
 * reported where it opened (Compose: where the buffer ran out).
 */
static int read_quoted(struct parser *p)
{
	char q = p->s[p->pos];
	size_t i, run = p->pos + 1;
	int line = p->line;

	strbuf_reset(&p->raw);
	for (i = p->pos + 1; i < p->len; i++) {
		char c = p->s[i];
		if (c == q)
			break;
		if (c == '\n') {
			line++;
		} else if (c == '\\' && i + 1 < p->len) {
			if (p->s[i + 1] == q) {
				strbuf_add(&p->raw, p->s + run, i - run);
				run = i + 1;
			} else if (p->s[i + 1] == '\n') {
				line++;
			}
			i++;
		}
	}
	if (i == p->len)
		return fail(p, p->line, "unterminated %s-quoted value for '%.*s%s'",
			    q == '"' ? "double" : "single", key_shown(p), p->s + p->key, key_dots(p));
	strbuf_add(&p->raw, p->s + run, i - run);
	p->pos = i + 1;
	p->line = line;
	return 0;
}

/*
 * After the closing quote only blanks and a comment may follow on the line.
 * para: Compose starts a new statement there (`A="x"y=2` sets y too).
 */
static int after_quoted(struct parser *p)
{
	uint32_t c = 0;
	size_t n;

	while (p->pos < p->len && gostr_is_space(c = rune_at(p, p->pos, &n)) && c != '\n')
		p->pos += n;
	if (p->pos == p->len || c == '\n')
		return 0;
	if (c == '#') {
		const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
		p->pos = nl ? (size_t)(nl - p->s) : p->len;
		return 0;
	}
	return fail(p, p->line, "unexpected text after the quoted value of '%.*s%s'",
		    key_shown(p), p->s + p->key, key_dots(p));
}

static int quoted_value(struct parser *p)
{
	int dq = p->s[p->pos] == '"';

	if (read_quoted(p) < 0 || after_quoted(p) < 0)
		return -1;
	if (!dq) {
		set_entry(p, p->raw.buf, p->raw.len);
		return 0;
	}
	if (unescape(p, p->raw.buf, p->raw.len, &p->esc) < 0 ||
	    finish_value(p, p->esc.buf, p->esc.len) < 0)
		return -1;
	set_entry(p, p->val.buf, p->val.len);
	return 0;
}

/*
 * An unquoted value runs to the end of the line, loses a comment (a '#'
 * after a space) and trailing spaces, and is expanded.
 * para: the space may be the one before the value, so `A= # x` is empty
 * (Compose skips that space first and gives "# x").
 */
static int unquoted_value(struct parser *p)
{
	const char *v = p->s + p->pos, *nl = memchr(v, '\n', p->len - p->pos), *h = v;
	size_t n = nl ? (size_t)(nl - v) : p->len - p->pos;

	while ((h = memchr(h, '#', n - (size_t)(h - v))) && h[-1] != ' ')
		h++;
	p->pos += n;
	if (h)
		n = (size_t)(h - v);
	n = rtrim_len(v, n);
	if (finish_value(p, v, n) < 0)
		return -1;
	set_entry(p, p->val.buf, p->val.len);
	return 0;
}

/* ---- statements ---------------------------------------------------- */

static void skip_blanks(struct parser *p)
{
	uint32_t c;
	size_t n;

	while (p->pos < p->len && is_blank(c = rune_at(p, p->pos, &n)))
		p->pos += n;
}

/* Skip spaces, line breaks and comment lines; 0 at the end of the buffer. */
static int next_statement(struct parser *p)
{
	while (p->pos < p->len) {
		size_t n;
		uint32_t c = rune_at(p, p->pos, &n);
		const char *nl;
		if (gostr_is_space(c)) {
			p->line += c == '\n';
			p->pos += n;
			continue;
		}
		if (c != '#')
			return 1;
		nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
		p->pos = nl ? (size_t)(nl - p->s) : p->len;
	}
	return 0;
}

/*
 * "export" followed by [\t\n\f\r ] (Go's \s) is dropped with the blanks
 * after it. para: so is a final "export", which then sets nothing, as it does
 * before a newline (Compose sets the empty key to "export").
 */
static void skip_export(struct parser *p)
{
	const char *s = p->s + p->pos;
	char c;

	if (p->len - p->pos < 6 || memcmp(s, "export", 6))
		return;
	c = p->len - p->pos == 6 ? '\n' : s[6];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
		p->pos += 6;
		skip_blanks(p);
	}
}

static int fail_key_char(struct parser *p, uint32_t c, size_t n)
{
	if (c == GOSTR_RUNE_ERROR && n == 1)
		return fail(p, p->line, "invalid UTF-8 in variable name");
	if (c > 0x20 && c < 0x7f)
		return fail(p, p->line, c == '\'' ? "unexpected character \"%c\" in variable name"
						  : "unexpected character '%c' in variable name",
			    (char)c);
	return fail(p, p->line, "unexpected character U+%04X in variable name", (unsigned)c);
}

/*
 * The key runs to '=' or ':' (YAML style), or to the end of the line for a
 * bare KEY that inherits its value from the host. Blanks around it are
 * dropped; blanks inside it are an error (para: Compose refuses only ' ').
 * para: the end of the buffer ends a bare KEY too; Compose reads `KEY` with no
 * final newline as the value "KEY" of an empty key.
 */
static int scan_key(struct parser *p, int *bare)
{
	size_t end = p->pos;
	int gap = 0;

	p->key = p->pos;
	*bare = 1;
	while (p->pos < p->len) {
		size_t n;
		uint32_t c = rune_at(p, p->pos, &n);
		if (c == '=' || c == ':' || c == '\n') {
			*bare = c == '\n';
			p->pos += !*bare;
			break;
		}
		if (!is_blank(c)) {
			if (!is_key_rune(c))
				return fail_key_char(p, c, n);
			gap |= p->pos != end;
			end = p->pos + n;
		}
		p->pos += n;
	}
	p->key_len = end - p->key;
	if (gap)
		return fail(p, p->line, "whitespace in variable name");
	return 0;
}

static int parse_statement(struct parser *p)
{
	int bare;

	p->stmt_line = p->line;
	skip_export(p);
	if (scan_key(p, &bare) < 0)
		return -1;
	if (bare) {
		const char *v = p->key_len ? host_lookup(p, p->s + p->key, p->key_len) : NULL;
		if (v)
			set_entry(p, v, strlen(v));
		return 0;
	}
	skip_blanks(p);
	if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\''))
		return quoted_value(p);
	return unquoted_value(p);
}

static int reject_nul(struct parser *p)
{
	const char *nul = memchr(p->s, '\0', p->len);
	int line = 1;

	if (!nul)
		return 0;
	for (const char *c = p->s; (c = memchr(c, '\n', (size_t)(nul - c))); c++)
		line++;
	fail(p, line, "unexpected nul byte");
	return error_hint(p->err, "is the file UTF-16? para reads .env files as UTF-8");
}

int dotenv_parse(const char *buf, size_t len, dotenv_lookup_fn lookup, void *ctx,
		 int interpolate, struct dotenv *out, struct error *err)
{
	struct parser p = {
		.s = buf, .len = len, .line = 1, .lookup = lookup, .ctx = ctx,
		.interpolate = interpolate, .out = out, .err = err,
		.raw = STRBUF_INIT, .esc = STRBUF_INIT, .val = STRBUF_INIT, .name = STRBUF_INIT,
	};
	int ret;

	*out = (struct dotenv)DOTENV_INIT;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3; /* a leading UTF-8 byte order mark */
	ret = reject_nul(&p);
	while (!ret && next_statement(&p))
		ret = parse_statement(&p);

	free(p.slots);
	strbuf_release(&p.raw);
	strbuf_release(&p.esc);
	strbuf_release(&p.val);
	strbuf_release(&p.name);
	if (ret < 0) {
		int line = out->error_line;
		dotenv_clear(out);
		out->error_line = line;
	}
	return ret;
}

void dotenv_clear(struct dotenv *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->v[i].key);
		free(d->v[i].value);
	}
	free(d->v);
	*d = (struct dotenv)DOTENV_INIT;
}

/* ---- key characters ------------------------------------------------ */

/*
 * Outside ASCII a key may hold letters and numbers (Go's unicode.IsLetter and
 * IsNumber): Unicode 15.0 categories L and N, ranges joined across unassigned
 * code points. Generated with Python 3.12's unicodedata:
 *   for each cp >= 0x80: category(chr(cp))[0] in "LN", merge runs whose
 *   gap holds only category "Cn".
 */
static const uint32_t key_ranges[][2] = {
	{ 0xaa, 0xaa }, { 0xb2, 0xb3 }, { 0xb5, 0xb5 }, { 0xb9, 0xba },
	{ 0xbc, 0xbe }, { 0xc0, 0xd6 }, { 0xd8, 0xf6 }, { 0xf8, 0x2c1 },
	{ 0x2c6, 0x2d1 }, { 0x2e0, 0x2e4 }, { 0x2ec, 0x2ec }, { 0x2ee, 0x2ee },
	{ 0x370, 0x374 }, { 0x376, 0x37d }, { 0x37f, 0x37f }, { 0x386, 0x386 },
	{ 0x388, 0x3f5 }, { 0x3f7, 0x481 }, { 0x48a, 0x559 }, { 0x560, 0x588 },
	{ 0x5d0, 0x5f2 }, { 0x620, 0x64a }, { 0x660, 0x669 }, { 0x66e, 0x66f },
	{ 0x671, 0x6d3 }, { 0x6d5, 0x6d5 }, { 0x6e5, 0x6e6 }, { 0x6ee, 0x6fc },
	{ 0x6ff, 0x6ff }, { 0x710, 0x710 }, { 0x712, 0x72f }, { 0x74d, 0x7a5 },
	{ 0x7b1, 0x7ea }, { 0x7f4, 0x7f5 }, { 0x7fa, 0x7fa }, { 0x800, 0x815 },
	{ 0x81a, 0x81a }, { 0x824, 0x824 }, { 0x828, 0x828 }, { 0x840, 0x858 },
	{ 0x860, 0x887 }, { 0x889, 0x88e }, { 0x8a0, 0x8c9 }, { 0x904, 0x939 },
	{ 0x93d, 0x93d }, { 0x950, 0x950 }, { 0x958, 0x961 }, { 0x966, 0x96f },
	{ 0x971, 0x980 }, { 0x985, 0x9b9 }, { 0x9bd, 0x9bd }, { 0x9ce, 0x9ce },
	{ 0x9dc, 0x9e1 }, { 0x9e6, 0x9f1 }, { 0x9f4, 0x9f9 }, { 0x9fc, 0x9fc },
	{ 0xa05, 0xa39 }, { 0xa59, 0xa6f }, { 0xa72, 0xa74 }, { 0xa85, 0xab9 },
	{ 0xabd, 0xabd }, { 0xad0, 0xae1 }, { 0xae6, 0xaef }, { 0xaf9, 0xaf9 },
	{ 0xb05, 0xb39 }, { 0xb3d, 0xb3d }, { 0xb5c, 0xb61 }, { 0xb66, 0xb6f },
	{ 0xb71, 0xb77 }, { 0xb83, 0xbb9 }, { 0xbd0, 0xbd0 }, { 0xbe6, 0xbf2 },
	{ 0xc05, 0xc39 }, { 0xc3d, 0xc3d }, { 0xc58, 0xc61 }, { 0xc66, 0xc6f },
	{ 0xc78, 0xc7e }, { 0xc80, 0xc80 }, { 0xc85, 0xcb9 }, { 0xcbd, 0xcbd },
	{ 0xcdd, 0xce1 }, { 0xce6, 0xcf2 }, { 0xd04, 0xd3a }, { 0xd3d, 0xd3d },
	{ 0xd4e, 0xd4e }, { 0xd54, 0xd56 }, { 0xd58, 0xd61 }, { 0xd66, 0xd78 },
	{ 0xd7a, 0xd7f }, { 0xd85, 0xdc6 }, { 0xde6, 0xdef }, { 0xe01, 0xe30 },
	{ 0xe32, 0xe33 }, { 0xe40, 0xe46 }, { 0xe50, 0xe59 }, { 0xe81, 0xeb0 },
	{ 0xeb2, 0xeb3 }, { 0xebd, 0xec6 }, { 0xed0, 0xf00 }, { 0xf20, 0xf33 },
	{ 0xf40, 0xf6c }, { 0xf88, 0xf8c }, { 0x1000, 0x102a }, { 0x103f, 0x1049 },
	{ 0x1050, 0x1055 }, { 0x105a, 0x105d }, { 0x1061, 0x1061 },
	{ 0x1065, 0x1066 }, { 0x106e, 0x1070 }, { 0x1075, 0x1081 },
	{ 0x108e, 0x108e }, { 0x1090, 0x1099 }, { 0x10a0, 0x10fa },
	{ 0x10fc, 0x135a }, { 0x1369, 0x138f }, { 0x13a0, 0x13fd },
	{ 0x1401, 0x166c }, { 0x166f, 0x167f }, { 0x1681, 0x169a },
	{ 0x16a0, 0x16ea }, { 0x16ee, 0x1711 }, { 0x171f, 0x1731 },
	{ 0x1740, 0x1751 }, { 0x1760, 0x1770 }, { 0x1780, 0x17b3 },
	{ 0x17d7, 0x17d7 }, { 0x17dc, 0x17dc }, { 0x17e0, 0x17f9 },
	{ 0x1810, 0x1884 }, { 0x1887, 0x18a8 }, { 0x18aa, 0x191e },
	{ 0x1946, 0x19da }, { 0x1a00, 0x1a16 }, { 0x1a20, 0x1a54 },
	{ 0x1a80, 0x1a99 }, { 0x1aa7, 0x1aa7 }, { 0x1b05, 0x1b33 },
	{ 0x1b45, 0x1b59 }, { 0x1b83, 0x1ba0 }, { 0x1bae, 0x1be5 },
	{ 0x1c00, 0x1c23 }, { 0x1c40, 0x1c7d }, { 0x1c80, 0x1cbf },
	{ 0x1ce9, 0x1cec }, { 0x1cee, 0x1cf3 }, { 0x1cf5, 0x1cf6 },
	{ 0x1cfa, 0x1dbf }, { 0x1e00, 0x1fbc }, { 0x1fbe, 0x1fbe },
	{ 0x1fc2, 0x1fcc }, { 0x1fd0, 0x1fdb }, { 0x1fe0, 0x1fec },
	{ 0x1ff2, 0x1ffc }, { 0x2070, 0x2079 }, { 0x207f, 0x2089 },
	{ 0x2090, 0x209c }, { 0x2102, 0x2102 }, { 0x2107, 0x2107 },
	{ 0x210a, 0x2113 }, { 0x2115, 0x2115 }, { 0x2119, 0x211d },
	{ 0x2124, 0x2124 }, { 0x2126, 0x2126 }, { 0x2128, 0x2128 },
	{ 0x212a, 0x212d }, { 0x212f, 0x2139 }, { 0x213c, 0x213f },
	{ 0x2145, 0x2149 }, { 0x214e, 0x214e }, { 0x2150, 0x2189 },
	{ 0x2460, 0x249b }, { 0x24ea, 0x24ff }, { 0x2776, 0x2793 },
	{ 0x2c00, 0x2ce4 }, { 0x2ceb, 0x2cee }, { 0x2cf2, 0x2cf3 },
	{ 0x2cfd, 0x2cfd }, { 0x2d00, 0x2d6f }, { 0x2d80, 0x2dde },
	{ 0x2e2f, 0x2e2f }, { 0x3005, 0x3007 }, { 0x3021, 0x3029 },
	{ 0x3031, 0x3035 }, { 0x3038, 0x303c }, { 0x3041, 0x3096 },
	{ 0x309d, 0x309f }, { 0x30a1, 0x30fa }, { 0x30fc, 0x318e },
	{ 0x3192, 0x3195 }, { 0x31a0, 0x31bf }, { 0x31f0, 0x31ff },
	{ 0x3220, 0x3229 }, { 0x3248, 0x324f }, { 0x3251, 0x325f },
	{ 0x3280, 0x3289 }, { 0x32b1, 0x32bf }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0xa48c }, { 0xa4d0, 0xa4fd }, { 0xa500, 0xa60c },
	{ 0xa610, 0xa66e }, { 0xa67f, 0xa69d }, { 0xa6a0, 0xa6ef },
	{ 0xa717, 0xa71f }, { 0xa722, 0xa788 }, { 0xa78b, 0xa801 },
	{ 0xa803, 0xa805 }, { 0xa807, 0xa80a }, { 0xa80c, 0xa822 },
	{ 0xa830, 0xa835 }, { 0xa840, 0xa873 }, { 0xa882, 0xa8b3 },
	{ 0xa8d0, 0xa8d9 }, { 0xa8f2, 0xa8f7 }, { 0xa8fb, 0xa8fb },
	{ 0xa8fd, 0xa8fe }, { 0xa900, 0xa925 }, { 0xa930, 0xa946 },
	{ 0xa960, 0xa97c }, { 0xa984, 0xa9b2 }, { 0xa9cf, 0xa9d9 },
	{ 0xa9e0, 0xa9e4 }, { 0xa9e6, 0xaa28 }, { 0xaa40, 0xaa42 },
	{ 0xaa44, 0xaa4b }, { 0xaa50, 0xaa59 }, { 0xaa60, 0xaa76 },
	{ 0xaa7a, 0xaa7a }, { 0xaa7e, 0xaaaf }, { 0xaab1, 0xaab1 },
	{ 0xaab5, 0xaab6 }, { 0xaab9, 0xaabd }, { 0xaac0, 0xaac0 },
	{ 0xaac2, 0xaadd }, { 0xaae0, 0xaaea }, { 0xaaf2, 0xaaf4 },
	{ 0xab01, 0xab5a }, { 0xab5c, 0xab69 }, { 0xab70, 0xabe2 },
	{ 0xabf0, 0xd7fb }, { 0xf900, 0xfb1d }, { 0xfb1f, 0xfb28 },
	{ 0xfb2a, 0xfbb1 }, { 0xfbd3, 0xfd3d }, { 0xfd50, 0xfdc7 },
	{ 0xfdf0, 0xfdfb }, { 0xfe70, 0xfefc }, { 0xff10, 0xff19 },
	{ 0xff21, 0xff3a }, { 0xff41, 0xff5a }, { 0xff66, 0xffdc },
	{ 0x10000, 0x100fa }, { 0x10107, 0x10133 }, { 0x10140, 0x10178 },
	{ 0x1018a, 0x1018b }, { 0x10280, 0x102d0 }, { 0x102e1, 0x10375 },
	{ 0x10380, 0x1039d }, { 0x103a0, 0x103cf }, { 0x103d1, 0x10563 },
	{ 0x10570, 0x10855 }, { 0x10858, 0x10876 }, { 0x10879, 0x1091b },
	{ 0x10920, 0x10939 }, { 0x10980, 0x10a00 }, { 0x10a10, 0x10a35 },
	{ 0x10a40, 0x10a48 }, { 0x10a60, 0x10a7e }, { 0x10a80, 0x10ac7 },
	{ 0x10ac9, 0x10ae4 }, { 0x10aeb, 0x10aef }, { 0x10b00, 0x10b35 },
	{ 0x10b40, 0x10b91 }, { 0x10ba9, 0x10d23 }, { 0x10d30, 0x10ea9 },
	{ 0x10eb0, 0x10eb1 }, { 0x10f00, 0x10f45 }, { 0x10f51, 0x10f54 },
	{ 0x10f70, 0x10f81 }, { 0x10fb0, 0x10ff6 }, { 0x11003, 0x11037 },
	{ 0x11052, 0x1106f }, { 0x11071, 0x11072 }, { 0x11075, 0x11075 },
	{ 0x11083, 0x110af }, { 0x110d0, 0x110f9 }, { 0x11103, 0x11126 },
	{ 0x11136, 0x1113f }, { 0x11144, 0x11144 }, { 0x11147, 0x11172 },
	{ 0x11176, 0x11176 }, { 0x11183, 0x111b2 }, { 0x111c1, 0x111c4 },
	{ 0x111d0, 0x111da }, { 0x111dc, 0x111dc }, { 0x111e1, 0x1122b },
	{ 0x1123f, 0x11240 }, { 0x11280, 0x112a8 }, { 0x112b0, 0x112de },
	{ 0x112f0, 0x112f9 }, { 0x11305, 0x11339 }, { 0x1133d, 0x1133d },
	{ 0x11350, 0x11350 }, { 0x1135d, 0x11361 }, { 0x11400, 0x11434 },
	{ 0x11447, 0x1144a }, { 0x11450, 0x11459 }, { 0x1145f, 0x114af },
	{ 0x114c4, 0x114c5 }, { 0x114c7, 0x115ae }, { 0x115d8, 0x115db },
	{ 0x11600, 0x1162f }, { 0x11644, 0x11659 }, { 0x11680, 0x116aa },
	{ 0x116b8, 0x116b8 }, { 0x116c0, 0x1171a }, { 0x11730, 0x1173b },
	{ 0x11740, 0x1182b }, { 0x118a0, 0x1192f }, { 0x1193f, 0x1193f },
	{ 0x11941, 0x11941 }, { 0x11950, 0x119d0 }, { 0x119e1, 0x119e1 },
	{ 0x119e3, 0x119e3 }, { 0x11a00, 0x11a00 }, { 0x11a0b, 0x11a32 },
	{ 0x11a3a, 0x11a3a }, { 0x11a50, 0x11a50 }, { 0x11a5c, 0x11a89 },
	{ 0x11a9d, 0x11a9d }, { 0x11ab0, 0x11af8 }, { 0x11c00, 0x11c2e },
	{ 0x11c40, 0x11c40 }, { 0x11c50, 0x11c6c }, { 0x11c72, 0x11c8f },
	{ 0x11d00, 0x11d30 }, { 0x11d46, 0x11d46 }, { 0x11d50, 0x11d89 },
	{ 0x11d98, 0x11ef2 }, { 0x11f02, 0x11f02 }, { 0x11f04, 0x11f33 },
	{ 0x11f50, 0x11fd4 }, { 0x12000, 0x1246e }, { 0x12480, 0x12ff0 },
	{ 0x13000, 0x1342f }, { 0x13441, 0x13446 }, { 0x14400, 0x16a69 },
	{ 0x16a70, 0x16aed }, { 0x16b00, 0x16b2f }, { 0x16b40, 0x16b43 },
	{ 0x16b50, 0x16e96 }, { 0x16f00, 0x16f4a }, { 0x16f50, 0x16f50 },
	{ 0x16f93, 0x16fe1 }, { 0x16fe3, 0x16fe3 }, { 0x17000, 0x1bc99 },
	{ 0x1d2c0, 0x1d2f3 }, { 0x1d360, 0x1d6c0 }, { 0x1d6c2, 0x1d6da },
	{ 0x1d6dc, 0x1d6fa }, { 0x1d6fc, 0x1d714 }, { 0x1d716, 0x1d734 },
	{ 0x1d736, 0x1d74e }, { 0x1d750, 0x1d76e }, { 0x1d770, 0x1d788 },
	{ 0x1d78a, 0x1d7a8 }, { 0x1d7aa, 0x1d7c2 }, { 0x1d7c4, 0x1d7ff },
	{ 0x1df00, 0x1df2a }, { 0x1e030, 0x1e06d }, { 0x1e100, 0x1e12c },
	{ 0x1e137, 0x1e14e }, { 0x1e290, 0x1e2ad }, { 0x1e2c0, 0x1e2eb },
	{ 0x1e2f0, 0x1e2f9 }, { 0x1e4d0, 0x1e4eb }, { 0x1e4f0, 0x1e8cf },
	{ 0x1e900, 0x1e943 }, { 0x1e94b, 0x1e959 }, { 0x1ec71, 0x1ecab },
	{ 0x1ecad, 0x1ecaf }, { 0x1ecb1, 0x1ed2d }, { 0x1ed2f, 0x1eebb },
	{ 0x1f100, 0x1f10c }, { 0x1fbf0, 0x323af },
};

static int is_key_rune(uint32_t c)
{
	size_t lo = 0, hi = sizeof(key_ranges) / sizeof(key_ranges[0]);

	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < key_ranges[mid][0])
			hi = mid;
		else if (c > key_ranges[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}
