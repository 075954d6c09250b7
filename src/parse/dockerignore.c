/*
 * .dockerignore with moby/patternmatcher semantics; see dockerignore.h.
 *
 * moby translates each pattern into a Go regular expression. para reads the
 * pattern as that translation does (same rules, same order, so the same
 * patterns are exact, prefix, suffix or wildcard matches) into glob tokens,
 * which an NFA runs over the path a rune at a time: one pass over at most all
 * the tokens per rune. Regexp syntax that leaks through moby's translation is
 * refused (docs/dockerignore.md).
 */
#include "parse/dockerignore.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/gostr.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define SCANNER_MAX_TOKEN (64 * 1024) /* bufio.MaxScanTokenSize */
#define END_OF_TEXT UINT32_MAX
#define QUOTE_MAX 60 /* how much of a pattern a message quotes */

char *dockerignore_clean_path(const char *path)
{
	return gostr_clean(path, strlen(path));
}

/* ---- glob tokens and the matcher ---------------------------------------- */

enum {
	T_LIT,    /* the rune a */
	T_NOT,    /* one rune but a ('?') */
	T_CLASS,  /* one rune in ranges [a, a + b) */
	T_NCLASS, /* one rune not in them */
	T_STAR,   /* any number of runes but a: '/' for '*', '\n' for a double star's ".*" */
	T_SKIP,   /* nothing, or go on at this token + a: a double star's optional group */
	T_END,    /* the last token, reads nothing: its state accepts */
};

struct tok {
	uint32_t kind, a, b;
};

struct di_glob {
	struct tok *tok;
	uint32_t *rng; /* lo, hi pairs of the classes */
	size_t ntok, atok, nrng, arng;
};

static void glob_free(struct di_glob *g)
{
	if (g) {
		free(g->tok);
		free(g->rng);
	}
	free(g);
}

static int tok_accepts(const struct di_glob *g, const struct tok *t, uint32_t r)
{
	if (t->kind != T_CLASS && t->kind != T_NCLASS)
		return t->kind == T_LIT ? r == t->a : (t->kind == T_NOT || t->kind == T_STAR) && r != t->a;
	for (const uint32_t *p = g->rng + 2 * (size_t)t->a, *e = p + 2 * (size_t)t->b; p < e; p += 2)
		if (r >= p[0] && r <= p[1])
			return t->kind == T_CLASS;
	return t->kind == T_NCLASS;
}

/* The NFA: state i is "tokens [0, i) matched", at T_END all of them. */
struct nfa {
	const struct di_glob *g;
	uint32_t *list[2], *mark; /* mark[st] == gen: st is in this step's list */
	size_t n[2];
};

static void add_state(struct nfa *m, int l, size_t st, uint32_t gen)
{
	if (m->mark[st] == gen)
		return;
	m->mark[st] = gen;
	m->list[l][m->n[l]++] = (uint32_t)st;
}

/* Add what the states of list l reach without reading (epsilon moves only go forward). */
static void closure(struct nfa *m, int l, uint32_t gen)
{
	for (size_t k = 0; k < m->n[l]; k++) {
		size_t st = m->list[l][k];
		const struct tok *t = &m->g->tok[st];

		if (t->kind == T_STAR || t->kind == T_SKIP)
			add_state(m, l, st + 1, gen);
		if (t->kind == T_SKIP)
			add_state(m, l, st + t->a, gen);
	}
}

/* Does the glob match all of s[0, n)? Runes as Go decodes them (bad bytes are U+FFFD). */
static int glob_match(const struct di_glob *g, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t pos = 0, w, nt = g->ntok;
	uint32_t gen = 1, *buf = xcalloc(3 * nt, sizeof *buf);
	struct nfa m = { g, { buf, buf + nt }, buf + 2 * nt, { 0, 0 } };
	int cur = 0, ok;

	add_state(&m, cur, 0, gen);
	closure(&m, cur, gen);
	while (m.n[cur] && pos < n) {
		uint32_t r = gostr_decode_rune(s + pos, n - pos, &w);
		int nx = !cur;

		pos += w;
		m.n[nx] = 0;
		gen++;
		for (size_t k = 0; k < m.n[cur]; k++) {
			size_t st = m.list[cur][k];
			if (tok_accepts(g, &g->tok[st], r))
				add_state(&m, nx, g->tok[st].kind == T_STAR ? st : st + 1, gen);
		}
		closure(&m, nx, gen);
		cur = nx;
	}
	ok = pos == n && m.mark[nt - 1] == gen;
	free(buf);
	return ok;
}

/* ---- reading a pattern the way moby's Pattern.compile does -------------- */

/* What can be wrong with a pattern: the part the message quotes, then what (and a hint). */
enum { P_OK, P_SYNTAX, P_REVERSED, P_BAD_ESCAPE, P_ESCAPE, P_CLASS_WILDCARD, P_POSIX, P_ALTERNATION, P_ANCHOR,
       P_COUNT };
#define P_INVALID_MAX P_BAD_ESCAPE /* Docker fails too; after it, what para refuses */
#define QUOTE_IT "quote it with a backslash"

static const char *const problems[][2] = {
	[P_REVERSED] = { "is a reversed range", NULL },
	[P_BAD_ESCAPE] = { "is an invalid escape", "a backslash quotes ASCII punctuation only" },
	[P_ESCAPE] = { "is read as a regular-expression escape by Docker",
		       "a backslash quotes punctuation only; for a digit write [0-9]" },
	[P_CLASS_WILDCARD] = { "inside [...] ends the class early in Docker", QUOTE_IT },
	[P_POSIX] = { "is a POSIX class in Docker", "list the characters, e.g. [a-zA-Z0-9]" },
	[P_ALTERNATION] = { "is alternation in Docker (a regular expression)", QUOTE_IT },
	[P_ANCHOR] = { "outside [...] is an anchor in Docker (a regular expression)", QUOTE_IT },
	[P_COUNT] = { "is a repetition count in Docker (a regular expression)", "quote the '{' with a backslash" },
};

struct gc {
	const char *s; /* the cleaned pattern */
	size_t n, pos;
	struct di_glob *g;
	enum di_match_type type;
	int fail, later; /* P_*; later: regexp-only syntax, refused if the pattern ends up a glob */
	size_t at, len;  /* the part of s the message quotes */
};

static uint32_t peek(const struct gc *c, size_t *w)
{
	*w = 0;
	return c->pos < c->n ? gostr_decode_rune((const unsigned char *)c->s + c->pos, c->n - c->pos, w)
			     : END_OF_TEXT;
}

static void emit(struct gc *c, uint32_t kind, uint32_t a, uint32_t b)
{
	ALLOC_GROW(c->g->tok, c->g->ntok + 1, c->g->atok);
	c->g->tok[c->g->ntok++] = (struct tok){ kind, a, b };
}

static int fail(struct gc *c, int problem, size_t at, size_t len)
{
	c->fail = problem;
	c->at = at;
	c->len = len;
	return -1;
}

/* After a backslash. moby pastes the pair into its regexp: only ASCII punctuation is itself there. */
static int escaped(struct gc *c, uint32_t *out)
{
	size_t w;
	uint32_t r = peek(c, &w);

	if (r == END_OF_TEXT)
		return fail(c, P_SYNTAX, 0, 0);
	if (r >= 0x80 || isalnum((int)r))
		return fail(c, r >= 0x80 ? P_BAD_ESCAPE : P_ESCAPE, c->pos - 1, w + 1);
	c->pos += w;
	*out = r;
	return 0;
}

/* filepath.Match's getEsc, and what Go's regexp reads differently in a class. */
static int class_char(struct gc *c, uint32_t *out)
{
	size_t w;
	uint32_t r = peek(c, &w);
	const char *at = c->s + c->pos, *end;

	if (r == END_OF_TEXT || r == '-' || r == ']' || (r == GOSTR_RUNE_ERROR && w == 1))
		return fail(c, P_SYNTAX, 0, 0);
	if (r == '*' || r == '?')
		return fail(c, P_CLASS_WILDCARD, c->pos, 1);
	if (r == '[' && at[1] == ':' && (end = strstr(at + 2, ":]")))
		return fail(c, P_POSIX, c->pos, (size_t)(end + 2 - at));
	c->pos += w;
	if (r != '\\') {
		*out = r;
		return 0;
	}
	r = peek(c, &w);
	return r == GOSTR_RUNE_ERROR && w == 1 ? fail(c, P_SYNTAX, 0, 0) : escaped(c, out);
}

/* '[' was read: a character class, '^' negating it. */
static int parse_class(struct gc *c)
{
	struct di_glob *g = c->g;
	size_t first = g->nrng, start;
	int neg = c->pos < c->n && c->s[c->pos] == '^';
	uint32_t lo, hi;

	c->pos += neg;
	do {
		start = c->pos;
		if (class_char(c, &lo) < 0)
			return -1;
		hi = lo;
		if (c->pos < c->n && c->s[c->pos] == '-') {
			c->pos++;
			if (class_char(c, &hi) < 0)
				return -1;
			if (hi < lo)
				return fail(c, P_REVERSED, start, c->pos - start);
		}
		ALLOC_GROW(g->rng, 2 * (g->nrng + 1), g->arng);
		g->rng[2 * g->nrng] = lo;
		g->rng[2 * g->nrng++ + 1] = hi;
	} while (c->pos < c->n && c->s[c->pos] != ']');
	if (c->pos++ >= c->n)
		return fail(c, P_SYNTAX, 0, 0);
	emit(c, neg ? T_NCLASS : T_CLASS, (uint32_t)first, (uint32_t)(g->nrng - first));
	return 0;
}

/* A star; i counts what was read before it, as moby's loop does. */
static void star(struct gc *c, size_t i)
{
	size_t w;
	int at_end, again;

	if (peek(c, &w) != '*') {
		emit(c, T_STAR, '/', 0);
		c->type = DI_MATCH_GLOB;
		return;
	}
	c->pos += w;
	if (peek(c, &w) == '/')
		c->pos += w;
	at_end = peek(c, &w) == END_OF_TEXT;
	again = c->g->ntok >= 3 && c->g->tok[c->g->ntok - 3].kind == T_SKIP; /* a second group adds nothing */
	if (!at_end && !again) {
		emit(c, T_SKIP, 3, 0); /* moby: optionally (".*" then '/') */
		emit(c, T_STAR, '\n', 0);
		emit(c, T_LIT, '/', 0);
	} else if (at_end && c->type != DI_MATCH_EXACT) {
		emit(c, T_STAR, '\n', 0); /* ".*" */
	}
	c->type = i == 0 ? DI_MATCH_SUFFIX : at_end && c->type == DI_MATCH_EXACT ? DI_MATCH_PREFIX : DI_MATCH_GLOB;
}

/* regexp/syntax's parseInt: the length of a number without leading zeros, or 0. */
static size_t go_int(const char *s)
{
	size_t d = strspn(s, "0123456789");
	return d > 1 && s[0] == '0' ? 0 : d;
}

/* Go's regexp reads "{n}", "{n,}" and "{n,m}" as a count: its length, or 0. */
static size_t go_count(const char *s)
{
	size_t i = 1 + go_int(s + 1);

	if (i > 1 && s[i] == ',')
		i += 1 + go_int(s + i + 1);
	return i > 1 && s[i] == '}' ? i + 1 : 0;
}

/* r was just read, outside a class: regexp syntax that matters once moby compiles a regexp. */
static void note_later(struct gc *c, uint32_t r)
{
	size_t at = c->pos - 1, count = r == '{' ? go_count(c->s + at) : 0;

	if (c->later || (r != '|' && r != '^' && !count))
		return;
	c->later = r == '|' ? P_ALTERNATION : r == '^' ? P_ANCHOR : P_COUNT;
	c->at = at;
	c->len = count ? count : 1;
}

static int read_pattern(struct gc *c)
{
	size_t w;
	uint32_t r;

	if (peek(c, &w) == 0xFEFF) /* text/scanner skips a leading BOM */
		c->pos += w;
	for (size_t i = 0; (r = peek(c, &w)) != END_OF_TEXT; i++) {
		c->pos += w;
		if (r == '*') {
			star(c, i);
			continue;
		}
		if (r == '?' || r == '[' || r == ']' || r == '\\')
			c->type = DI_MATCH_GLOB;
		if (r == '?') {
			emit(c, T_NOT, '/', 0);
		} else if (r == '[') {
			if (parse_class(c) < 0)
				return -1;
		} else if (r == '\\') {
			if (escaped(c, &r) < 0)
				return -1;
			emit(c, T_LIT, r, 0);
		} else {
			note_later(c, r);
			emit(c, T_LIT, r, 0);
		}
	}
	if (c->later && c->type == DI_MATCH_GLOB)
		return fail(c, c->later, c->at, c->len);
	emit(c, T_END, 0, 0);
	return 0;
}

/* Compile text into pat; steps is what the patterns before it use. */
static int compile(const char *text, struct dockerignore_pattern *pat, size_t *steps, struct error *err)
{
	struct gc c = { text, strlen(text), 0, xcalloc(1, sizeof(struct di_glob)), DI_MATCH_EXACT, P_OK, P_OK, 0, 0 };
	int q = c.n > QUOTE_MAX ? QUOTE_MAX : (int)c.n;
	const char *more = c.n > QUOTE_MAX ? "..." : "";

	if (read_pattern(&c) == 0 && c.type != DI_MATCH_GLOB) {
		glob_free(c.g);
		pat->type = c.type;
		return 0;
	}
	if (!c.fail && c.g->ntok <= DOCKERIGNORE_MAX_STEPS - *steps) {
		*steps += c.g->ntok;
		pat->type = c.type;
		pat->glob = c.g;
		return 0;
	}
	glob_free(c.g);
	if (c.fail == P_SYNTAX)
		return error_set(err, PARA_EXIT_FAIL, "syntax error in pattern '%.*s%s'", q, text, more);
	if (!c.fail) {
		error_set(err, PARA_EXIT_CONFIG, "the patterns are too complex: over %u matcher steps (pattern '%.*s%s')",
			  DOCKERIGNORE_MAX_STEPS, q, text, more);
		return error_hint(err, "use fewer wildcards and character classes");
	}
	error_set(err, PARA_EXIT_FAIL, "%s pattern '%.*s%s': '%.*s' %s",
		  c.fail <= P_INVALID_MAX ? "invalid" : "unsupported", q, text, more,
		  c.len > 30 ? 30 : (int)c.len, text + c.at, problems[c.fail][0]);
	return problems[c.fail][1] ? error_hint(err, "%s", problems[c.fail][1]) : -1;
}

/* ---- patterns ------------------------------------------------------------ */

void dockerignore_init(struct dockerignore *di)
{
	*di = (struct dockerignore)DOCKERIGNORE_INIT;
}

void dockerignore_release(struct dockerignore *di)
{
	for (size_t i = 0; i < di->nr; i++) {
		free(di->pat[i].text);
		glob_free(di->pat[i].glob);
	}
	free(di->pat);
	dockerignore_init(di);
}

/* Pattern.match over path[0, n) */
static int pattern_match(const struct dockerignore_pattern *p, const char *path, size_t n)
{
	const char *t = p->text;
	size_t tl = strlen(t);

	if (p->type == DI_MATCH_GLOB)
		return glob_match(p->glob, path, n);
	if (p->type == DI_MATCH_EXACT)
		return tl == n && !memcmp(t, path, n);
	if (p->type == DI_MATCH_PREFIX) /* less the final double star */
		return n >= tl - 2 && !memcmp(t, path, tl - 2);
	/* suffix: t + 2, less the leading double star; "**" + "/foo" also matches "foo" */
	if (n >= tl - 2 && !memcmp(path + n - (tl - 2), t + 2, tl - 2))
		return 1;
	return t[2] == '/' && tl - 3 == n && !memcmp(t + 3, path, n);
}

/* Does p match one of the ancestors of a path whose Dir() is parent? */
static int match_some_parent(const struct dockerignore_pattern *p, const char *parent)
{
	size_t n = strlen(parent);

	for (size_t i = 0; i < n; i++)
		if (parent[i] == '/' && pattern_match(p, parent, i))
			return 1;
	return pattern_match(p, parent, n);
}

/* fsutil's patternWithoutTrailingGlob: the length of text less a final slash-double-star, then slash-star */
static size_t without_trailing_glob(const char *text)
{
	size_t n = strlen(text);
	if (n >= 3 && !strcmp(text + n - 3, "/**"))
		n -= 3;
	if (n >= 2 && !memcmp(text + n - 2, "/*", 2))
		n -= 2;
	return n;
}

static int add_pattern(struct dockerignore *di, const char *raw, struct error *err)
{
	size_t start = 0, end = strlen(raw);
	struct dockerignore_pattern pat = { NULL, 0, DI_MATCH_EXACT, NULL };
	char *cleaned;

	gostr_trim_space(raw, &start, &end);
	if (start == end)
		return 0;
	cleaned = gostr_clean(raw + start, end - start);
	pat.exclusion = cleaned[0] == '!';
	if (pat.exclusion && !cleaned[1])
		error_set(err, PARA_EXIT_FAIL, "illegal exclusion pattern: \"!\"");
	if ((pat.exclusion && !cleaned[1]) || compile(cleaned + pat.exclusion, &pat, &di->steps, err) < 0) {
		free(cleaned);
		return -1;
	}
	pat.text = xstrdup(cleaned + pat.exclusion);
	free(cleaned);
	ALLOC_GROW(di->pat, di->nr + 1, di->alloc);
	di->pat[di->nr++] = pat;
	di->has_exclusions |= pat.exclusion;
	/* strings.ContainsAny(patternWithoutTrailingGlob(p), "*[]?^\\") */
	if (pat.exclusion && strcspn(pat.text, "*[]?^\\") < without_trailing_glob(pat.text))
		di->only_prefix_exceptions = 0;
	return 0;
}

int dockerignore_compile(const char *const *patterns, size_t n, struct dockerignore *out,
			 struct error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (add_pattern(out, patterns[i], err) < 0) {
			dockerignore_release(out);
			return -1;
		}
	}
	return 0;
}

/* ignorefile.ReadAll; lines[] (optional) gets each pattern's line number. */
static int read_all(const char *buf, size_t len, struct strvec *out, size_t **lines,
		    size_t *nlines, struct error *err)
{
	size_t pos = 0, lineno = 0, first_new = out->nr, alloc = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, start = pos;
		char *cleaned;
		int bang;

		if (end - pos >= SCANNER_MAX_TOKEN) {
			while (out->nr > first_new)
				strvec_pop(out);
			return error_set(err, PARA_EXIT_FAIL, "error reading .dockerignore: line %zu: token too long",
					 lineno + 1);
		}
		pos = nl ? end + 1 : len;
		if (end > start && buf[end - 1] == '\r')
			end--;
		if (lineno++ == 0 && end - start >= 3 && !memcmp(buf + start, "\xEF\xBB\xBF", 3))
			start += 3;
		if (start < end && buf[start] == '#')
			continue;
		gostr_trim_space(buf, &start, &end);
		if (start == end)
			continue;
		bang = buf[start] == '!';
		start += bang;
		if (bang)
			gostr_trim_space(buf, &start, &end);
		cleaned = start < end ? gostr_clean(buf + start, end - start) : xstrdup("");
		strvec_pushf(out, "%s%s", bang ? "!" : "", cleaned[0] == '/' && cleaned[1] ? cleaned + 1 : cleaned);
		free(cleaned);
		if (lines) {
			ALLOC_GROW(*lines, *nlines + 1, alloc);
			(*lines)[(*nlines)++] = lineno;
		}
	}
	return 0;
}

int dockerignore_read(const char *buf, size_t len, struct strvec *out, struct error *err)
{
	return read_all(buf, len, out, NULL, NULL, err);
}

int dockerignore_parse(const char *buf, size_t len, struct dockerignore *out, struct error *err)
{
	struct strvec pats = STRVEC_INIT;
	size_t *lines = NULL, nlines = 0;
	int ret = 0;

	if (read_all(buf, len, &pats, &lines, &nlines, err) < 0)
		return -1;
	for (size_t i = 0; !ret && i < pats.nr; i++) {
		if ((ret = add_pattern(out, pats.v[i], err)) < 0) {
			error_wrap(err, "line %zu", lines[i]);
			dockerignore_release(out);
		}
	}
	free(lines);
	strvec_clear(&pats);
	return ret;
}

int dockerignore_matches_parent(const struct dockerignore *di, const char *path,
				const unsigned char *parent, unsigned char *info)
{
	size_t n = strlen(path);
	char *dir = NULL;
	int matched = 0;

	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->pat[i];
		int m = parent ? parent[i] : 0;

		info[i] = 0;
		if (!m) {
			if (p->exclusion != matched)
				continue;
			m = pattern_match(p, path, n);
			if (!m && !parent) {
				if (!dir)
					dir = gostr_dir(path);
				if (strcmp(dir, "."))
					m = match_some_parent(p, dir);
			}
		}
		info[i] = (unsigned char)m;
		if (m)
			matched = !p->exclusion;
	}
	free(dir);
	return matched;
}

int dockerignore_descend_excluded(const struct dockerignore *di, const char *dir)
{
	size_t dl = strlen(dir);

	if (!di->only_prefix_exceptions)
		return 1;
	for (size_t i = 0; i < di->nr; i++) {
		const char *t = di->pat[i].text;
		size_t n = without_trailing_glob(t);

		if (!di->pat[i].exclusion)
			continue;
		/* HasPrefix(pat + "/", dir + "/") */
		if (n + 1 >= dl + 1 && !memcmp(t, dir, dl) && (n == dl ? 1 : t[dl] == '/'))
			return 1;
	}
	return 0;
}

/* MatchesOrParentMatches is MatchesUsingParentResults without parent results. */
int dockerignore_matches(const struct dockerignore *di, const char *path)
{
	unsigned char *info = xmalloc(di->nr + 1);
	int matched = dockerignore_matches_parent(di, path, NULL, info);

	free(info);
	return matched;
}
