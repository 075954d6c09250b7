/*
 * .dockerignore with moby/patternmatcher semantics; see dockerignore.h.
 *
 * moby turns each pattern into a Go regular expression and asks Go's regexp
 * package. To give exactly its answers this file rebuilds the same regexp
 * string (compile() in patternmatcher.go) and runs it on a small engine that
 * parses Go's RE2 syntax the way regexp/syntax does (flags Perl: ClassNL,
 * OneLine, PerlX, UnicodeGroups) and matches it with a Pike VM (linear time,
 * unanchored search like Regexp.MatchString). Only the constructs that can
 * reach it are supported; \p{...} is refused.
 *
 * Checked beyond the conformance vectors by differential fuzzing against
 * moby/patternmatcher itself (2 million random pattern lists and paths,
 * through MatchesOrParentMatches, Matches and MatchesUsingParentResults):
 * no difference, once Go's current filepath.Match (which checks the whole
 * pattern, as here; Go 1.19 stopped at the first mismatch) is assumed.
 */
#include "parse/dockerignore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define RUNE_ERROR 0xFFFDu
#define RUNE_MAX 0x10FFFFu
#define SCANNER_MAX_TOKEN (64 * 1024) /* bufio.MaxScanTokenSize */

/* ---- Go's utf8, unicode.IsSpace, strings.TrimSpace ---------------------- */

/* utf8.DecodeRune: invalid input is (RuneError, 1), empty input (RuneError, 0). */
static uint32_t decode_rune(const unsigned char *s, size_t n, size_t *width)
{
	unsigned char b0, lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t r;

	if (!n) {
		*width = 0;
		return RUNE_ERROR;
	}
	b0 = s[0];
	*width = 1;
	if (b0 < 0x80)
		return b0;
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 2;
		r = b0 & 0x1F;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 3;
		r = b0 & 0x0F;
		if (b0 == 0xE0)
			lo = 0xA0;
		else if (b0 == 0xED)
			hi = 0x9F;
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 4;
		r = b0 & 0x07;
		if (b0 == 0xF0)
			lo = 0x90;
		else if (b0 == 0xF4)
			hi = 0x8F;
	} else {
		return RUNE_ERROR;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return RUNE_ERROR;
	for (size_t i = 1; i < need; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*width = need;
	return r;
}

/* utf8.DecodeLastRune */
static uint32_t decode_last_rune(const unsigned char *s, size_t n, size_t *width)
{
	size_t start, lim, w;
	uint32_t r;

	if (!n) {
		*width = 0;
		return RUNE_ERROR;
	}
	start = n - 1;
	if (s[start] < 0x80) {
		*width = 1;
		return s[start];
	}
	lim = n >= 4 ? n - 4 : 0;
	while (start > lim && (s[start] & 0xC0) == 0x80)
		start--;
	r = decode_rune(s + start, n - start, &w);
	if (start + w != n) {
		*width = 1;
		return RUNE_ERROR;
	}
	*width = w;
	return r;
}

static size_t encode_rune(uint32_t r, char *out)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r > RUNE_MAX || (r >= 0xD800 && r <= 0xDFFF))
		r = RUNE_ERROR;
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

static int go_isspace(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return 1;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

/* strings.TrimSpace over s[*start, *end) */
static void trim_space(const char *s, size_t *start, size_t *end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t w;

	while (*start < *end) {
		uint32_t r = decode_rune(u + *start, *end - *start, &w);
		if (!go_isspace(r))
			break;
		*start += w;
	}
	while (*end > *start) {
		uint32_t r = decode_last_rune(u + *start, *end - *start, &w);
		if (!go_isspace(r))
			break;
		*end -= w;
	}
}

/* ---- Go's path/filepath on '/' systems ---------------------------------- */

static char *clean_n(const char *path, size_t n)
{
	struct strbuf out = STRBUF_INIT;
	size_t r = 0, dotdot = 0;
	int rooted;

	if (!n)
		return xstrdup(".");
	rooted = path[0] == '/';
	strbuf_grow(&out, n + 1);
	if (rooted) {
		strbuf_addch(&out, '/');
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (out.len > dotdot) {
				size_t w = out.len - 1;
				while (w > dotdot && out.buf[w] != '/')
					w--;
				strbuf_setlen(&out, w);
			} else if (!rooted) {
				if (out.len > 0)
					strbuf_addch(&out, '/');
				strbuf_add(&out, "..", 2);
				dotdot = out.len;
			}
		} else {
			if ((rooted && out.len != 1) || (!rooted && out.len != 0))
				strbuf_addch(&out, '/');
			for (; r < n && path[r] != '/'; r++)
				strbuf_addch(&out, path[r]);
		}
	}
	if (!out.len)
		strbuf_addch(&out, '.');
	return strbuf_detach(&out, NULL);
}

char *dockerignore_clean_path(const char *path)
{
	return clean_n(path, strlen(path));
}

/* filepath.Dir */
static char *go_dir(const char *path)
{
	size_t i = strlen(path);
	while (i > 0 && path[i - 1] != '/')
		i--;
	return clean_n(path, i);
}

/*
 * filepath.Match(pattern, ".") is used by moby only for its error: every chunk
 * of the pattern is checked by matchChunk whatever the name, so checking
 * each chunk against "" gives the same answer.
 */
static int get_esc(const char **chunk, const char *end)
{
	const char *c = *chunk;
	size_t w;
	uint32_t r;

	if (c >= end || *c == '-' || *c == ']')
		return -1;
	if (*c == '\\') {
		c++;
		if (c >= end)
			return -1;
	}
	r = decode_rune((const unsigned char *)c, (size_t)(end - c), &w);
	if (r == RUNE_ERROR && w == 1)
		return -1;
	c += w;
	if (c >= end)
		return -1;
	*chunk = c;
	return 0;
}

static int check_chunk(const char *c, const char *end)
{
	while (c < end) {
		switch (*c) {
		case '[': {
			int nrange = 0;
			c++;
			if (c < end && *c == '^')
				c++;
			for (;;) {
				if (c < end && *c == ']' && nrange > 0) {
					c++;
					break;
				}
				if (get_esc(&c, end) < 0)
					return -1;
				if (*c == '-') {
					c++;
					if (get_esc(&c, end) < 0)
						return -1;
				}
				nrange++;
			}
			break;
		}
		case '\\':
			c++;
			if (c >= end)
				return -1;
			c++;
			break;
		default:
			c++;
			break;
		}
	}
	return 0;
}

static int check_glob_syntax(const char *p)
{
	const char *end = p + strlen(p);

	while (p < end) {
		const char *q;
		int inrange = 0;

		while (p < end && *p == '*')
			p++;
		for (q = p; q < end; q++) {
			if (*q == '\\') {
				if (q + 1 < end)
					q++;
			} else if (*q == '[') {
				inrange = 1;
			} else if (*q == ']') {
				inrange = 0;
			} else if (*q == '*' && !inrange) {
				break;
			}
		}
		if (check_chunk(p, q) < 0)
			return -1;
		p = q;
	}
	return 0;
}

/* ---- moby's pattern -> regexp translation (Pattern.compile) ------------- */

/*
 * moby means to quote ".+()|{}$", but its bitmap sets bit b/8 of a byte, which
 * is lost for b >= 64: only ".+()$" are quoted, and '|', '{', '}' reach the
 * regexp as alternation and counted repetition. Docker behaves so; so do we.
 */
static int should_escape(uint32_t r)
{
	return r == '.' || r == '+' || r == '(' || r == ')' || r == '$';
}

static void add_rune(struct strbuf *sb, uint32_t r)
{
	char tmp[4];
	strbuf_add(sb, tmp, encode_rune(r, tmp));
}

#define SCAN_EOF UINT32_MAX

struct scan {
	const unsigned char *s;
	size_t n, pos;
};

static uint32_t scan_peek(const struct scan *sc, size_t *w)
{
	if (sc->pos >= sc->n) {
		*w = 0;
		return SCAN_EOF;
	}
	return decode_rune(sc->s + sc->pos, sc->n - sc->pos, w);
}

static uint32_t scan_next(struct scan *sc)
{
	size_t w;
	uint32_t r = scan_peek(sc, &w);
	sc->pos += w;
	return r;
}

static enum di_match_type build_regexp(const char *pat, struct strbuf *re)
{
	enum di_match_type type = DI_MATCH_EXACT;
	struct scan sc = { (const unsigned char *)pat, strlen(pat), 0 };
	size_t w;

	strbuf_addch(re, '^');
	if (scan_peek(&sc, &w) == 0xFEFF) /* text/scanner skips a leading BOM */
		sc.pos += w;
	for (size_t i = 0; scan_peek(&sc, &w) != SCAN_EOF; i++) {
		uint32_t ch = scan_next(&sc);

		if (ch == '*') {
			if (scan_peek(&sc, &w) == '*') {
				scan_next(&sc);
				if (scan_peek(&sc, &w) == '/')
					scan_next(&sc);
				if (scan_peek(&sc, &w) == SCAN_EOF) {
					if (type == DI_MATCH_EXACT) {
						type = DI_MATCH_PREFIX;
					} else {
						strbuf_addstr(re, ".*");
						type = DI_MATCH_REGEXP;
					}
				} else {
					strbuf_addstr(re, "(.*/)?");
					type = DI_MATCH_REGEXP;
				}
				if (i == 0)
					type = DI_MATCH_SUFFIX;
			} else {
				strbuf_addstr(re, "[^/]*");
				type = DI_MATCH_REGEXP;
			}
		} else if (ch == '?') {
			strbuf_addstr(re, "[^/]");
			type = DI_MATCH_REGEXP;
		} else if (should_escape(ch)) {
			strbuf_addch(re, '\\');
			add_rune(re, ch);
		} else if (ch == '\\') {
			if (scan_peek(&sc, &w) != SCAN_EOF) {
				strbuf_addch(re, '\\');
				add_rune(re, scan_next(&sc));
				type = DI_MATCH_REGEXP;
			} else {
				strbuf_addch(re, '\\');
			}
		} else if (ch == '[' || ch == ']') {
			add_rune(re, ch);
			type = DI_MATCH_REGEXP;
		} else {
			add_rune(re, ch);
		}
	}
	if (type == DI_MATCH_REGEXP)
		strbuf_addch(re, '$');
	return type;
}

/* ---- a Go regexp/syntax compatible parser ------------------------------- */

enum { N_LIT, N_CLASS, N_ANYNL, N_EMPTY, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST, N_ASSERT, N_REPEAT };
#define REPEAT_INF UINT32_MAX
enum { A_BEGIN, A_END, A_WORDB, A_NOWORDB };

struct rnode {
	int kind;
	uint32_t a, b; /* rune; class (range offset, pair count); assertion */
	int sub, next; /* first child / next sibling, -1 when none */
};

struct rparser {
	const char *s;
	size_t n, pos;
	struct rnode *node;
	size_t nnode, anode;
	uint32_t *rng; /* lo, hi pairs */
	size_t nrng, arng;
	int depth;
	const char *err;
};

static int new_node(struct rparser *p, int kind, uint32_t a, uint32_t b)
{
	ALLOC_GROW(p->node, p->nnode + 1, p->anode);
	p->node[p->nnode] = (struct rnode){ kind, a, b, -1, -1 };
	return (int)p->nnode++;
}

static int fail(struct rparser *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return -1;
}

static void push_range(struct rparser *p, uint32_t lo, uint32_t hi)
{
	ALLOC_GROW(p->rng, p->nrng + 2, p->arng);
	p->rng[p->nrng++] = lo;
	p->rng[p->nrng++] = hi;
}

static int cmp_range(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Sort and merge the pairs from index start on (cleanClass); returns the new end. */
static size_t clean_class(struct rparser *p, size_t start)
{
	size_t w = start;
	uint32_t *r = p->rng;

	if (p->nrng - start < 2)
		return p->nrng;
	qsort(r + start, (p->nrng - start) / 2, 2 * sizeof *r, cmp_range);
	for (size_t i = start; i < p->nrng; i += 2) {
		if (w > start && r[i] <= r[w - 1] + 1) {
			if (r[i + 1] > r[w - 1])
				r[w - 1] = r[i + 1];
			continue;
		}
		r[w] = r[i];
		r[w + 1] = r[i + 1];
		w += 2;
	}
	p->nrng = w;
	return w;
}

/* Replace the pairs from start on by their complement in [0, RUNE_MAX]. */
static void negate_class(struct rparser *p, size_t start)
{
	size_t end = clean_class(p, start), cnt = end - start;
	uint32_t *tmp = xmalloc((cnt + 2) * sizeof *tmp);
	uint32_t next = 0;

	memcpy(tmp, p->rng + start, cnt * sizeof *tmp);
	p->nrng = start;
	for (size_t i = 0; i < cnt; i += 2) {
		if (tmp[i] > next)
			push_range(p, next, tmp[i] - 1);
		next = tmp[i + 1] + 1;
	}
	if (next <= RUNE_MAX)
		push_range(p, next, RUNE_MAX);
	free(tmp);
}

struct group {
	const char *name;
	int sign;
	const uint32_t *r; /* lo, hi pairs */
	size_t n;
};

static const uint32_t g_alnum[] = { '0', '9', 'A', 'Z', 'a', 'z' };
static const uint32_t g_alpha[] = { 'A', 'Z', 'a', 'z' };
static const uint32_t g_ascii[] = { 0, 0x7F };
static const uint32_t g_blank[] = { '\t', '\t', ' ', ' ' };
static const uint32_t g_cntrl[] = { 0, 0x1F, 0x7F, 0x7F };
static const uint32_t g_digit[] = { '0', '9' };
static const uint32_t g_graph[] = { '!', '~' };
static const uint32_t g_lower[] = { 'a', 'z' };
static const uint32_t g_print[] = { ' ', '~' };
static const uint32_t g_punct[] = { '!', '/', ':', '@', '[', '`', '{', '~' };
static const uint32_t g_space[] = { '\t', '\r', ' ', ' ' };
static const uint32_t g_upper[] = { 'A', 'Z' };
static const uint32_t g_word[] = { '0', '9', 'A', 'Z', '_', '_', 'a', 'z' };
static const uint32_t g_xdigit[] = { '0', '9', 'A', 'F', 'a', 'f' };
static const uint32_t g_perlspace[] = { '\t', '\n', '\f', '\r', ' ', ' ' };

#define GROUP(name, sign, arr) { name, sign, arr, sizeof arr / sizeof *arr }

static const struct group perl_groups[] = {
	GROUP("\\d", +1, g_digit), GROUP("\\D", -1, g_digit),
	GROUP("\\s", +1, g_perlspace), GROUP("\\S", -1, g_perlspace),
	GROUP("\\w", +1, g_word), GROUP("\\W", -1, g_word),
};

static const struct group posix_groups[] = {
	GROUP("[:alnum:]", +1, g_alnum), GROUP("[:^alnum:]", -1, g_alnum),
	GROUP("[:alpha:]", +1, g_alpha), GROUP("[:^alpha:]", -1, g_alpha),
	GROUP("[:ascii:]", +1, g_ascii), GROUP("[:^ascii:]", -1, g_ascii),
	GROUP("[:blank:]", +1, g_blank), GROUP("[:^blank:]", -1, g_blank),
	GROUP("[:cntrl:]", +1, g_cntrl), GROUP("[:^cntrl:]", -1, g_cntrl),
	GROUP("[:digit:]", +1, g_digit), GROUP("[:^digit:]", -1, g_digit),
	GROUP("[:graph:]", +1, g_graph), GROUP("[:^graph:]", -1, g_graph),
	GROUP("[:lower:]", +1, g_lower), GROUP("[:^lower:]", -1, g_lower),
	GROUP("[:print:]", +1, g_print), GROUP("[:^print:]", -1, g_print),
	GROUP("[:punct:]", +1, g_punct), GROUP("[:^punct:]", -1, g_punct),
	GROUP("[:space:]", +1, g_space), GROUP("[:^space:]", -1, g_space),
	GROUP("[:upper:]", +1, g_upper), GROUP("[:^upper:]", -1, g_upper),
	GROUP("[:word:]", +1, g_word), GROUP("[:^word:]", -1, g_word),
	GROUP("[:xdigit:]", +1, g_xdigit), GROUP("[:^xdigit:]", -1, g_xdigit),
};

/* appendGroup: the group's ranges (negated for \D, [:^alpha:]) onto the class */
static void append_group(struct rparser *p, const struct group *g)
{
	size_t start = p->nrng;

	for (size_t i = 0; i + 1 < g->n; i += 2)
		push_range(p, g->r[i], g->r[i + 1]);
	if (g->sign < 0)
		negate_class(p, start);
}

static const struct group *find_group(const struct group *tab, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && !memcmp(tab[i].name, s, len))
			return &tab[i];
	return NULL;
}

static int next_rune(struct rparser *p, uint32_t *r)
{
	size_t w;
	*r = decode_rune((const unsigned char *)p->s + p->pos, p->n - p->pos, &w);
	if (*r == RUNE_ERROR && w == 1)
		return fail(p, "invalid UTF-8");
	p->pos += w;
	return 0;
}

static int unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

static int is_octal(struct rparser *p)
{
	return p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '7';
}

/* parseEscape: p->pos is at the backslash. */
static int parse_escape(struct rparser *p, uint32_t *out)
{
	uint32_t c, r = 0;

	p->pos++;
	if (p->pos >= p->n)
		return fail(p, "trailing backslash at end of expression");
	if (next_rune(p, &c) < 0)
		return -1;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		if (!is_octal(p))
			break; /* a backreference: not supported */
		__attribute__((fallthrough));
	case '0':
		r = c - '0';
		for (int i = 1; i < 3 && is_octal(p); i++)
			r = r * 8 + (uint32_t)(p->s[p->pos++] - '0');
		*out = r;
		return 0;
	case 'x': {
		int x, y;
		if (p->pos >= p->n)
			break;
		if (next_rune(p, &c) < 0)
			return -1;
		if (c == '{') {
			int nhex = 0;
			for (;;) {
				if (p->pos >= p->n)
					return fail(p, "invalid escape sequence");
				if (next_rune(p, &c) < 0)
					return -1;
				if (c == '}')
					break;
				if (unhex(c) < 0)
					return fail(p, "invalid escape sequence");
				r = r * 16 + (uint32_t)unhex(c);
				if (r > RUNE_MAX)
					return fail(p, "invalid escape sequence");
				nhex++;
			}
			if (!nhex)
				break;
			*out = r;
			return 0;
		}
		x = unhex(c);
		c = RUNE_ERROR;
		if (p->pos < p->n && next_rune(p, &c) < 0)
			return -1;
		y = unhex(c);
		if (x < 0 || y < 0)
			break;
		*out = (uint32_t)(x * 16 + y);
		return 0;
	}
	case 'a': *out = '\a'; return 0;
	case 'f': *out = '\f'; return 0;
	case 'n': *out = '\n'; return 0;
	case 'r': *out = '\r'; return 0;
	case 't': *out = '\t'; return 0;
	case 'v': *out = '\v'; return 0;
	default:
		if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				  (c >= 'A' && c <= 'Z'))) {
			*out = c;
			return 0;
		}
		break;
	}
	return fail(p, "invalid escape sequence");
}

static int parse_class_char(struct rparser *p, uint32_t *out)
{
	if (p->pos >= p->n)
		return fail(p, "missing closing ]");
	if (p->s[p->pos] == '\\')
		return parse_escape(p, out);
	return next_rune(p, out);
}

static int is_unicode_class(struct rparser *p)
{
	return p->pos + 1 < p->n && p->s[p->pos] == '\\' &&
	       (p->s[p->pos + 1] == 'p' || p->s[p->pos + 1] == 'P');
}

static const struct group *perl_class_at(struct rparser *p)
{
	if (p->pos + 1 >= p->n || p->s[p->pos] != '\\')
		return NULL;
	return find_group(perl_groups, sizeof perl_groups / sizeof *perl_groups, p->s + p->pos, 2);
}

/* parseClass: p->pos is at '['. */
static int parse_class(struct rparser *p)
{
	size_t start = p->nrng;
	int negated = 0, first = 1;

	p->pos++;
	if (p->pos < p->n && p->s[p->pos] == '^') {
		negated = 1;
		p->pos++;
	}
	while (p->pos >= p->n || p->s[p->pos] != ']' || first) {
		const struct group *g;
		uint32_t lo, hi;

		first = 0;
		if (p->n - p->pos > 2 && p->s[p->pos] == '[' && p->s[p->pos + 1] == ':') {
			const char *close = NULL;
			for (size_t i = p->pos + 2; i + 1 < p->n; i++) {
				if (p->s[i] == ':' && p->s[i + 1] == ']') {
					close = p->s + i;
					break;
				}
			}
			if (close) {
				size_t len = (size_t)(close + 2 - (p->s + p->pos));
				g = find_group(posix_groups, sizeof posix_groups / sizeof *posix_groups,
					       p->s + p->pos, len);
				if (!g)
					return fail(p, "invalid character class range");
				append_group(p, g);
				p->pos += len;
				continue;
			}
		}
		if (is_unicode_class(p))
			return fail(p, "Unicode classes (\\p, \\P) are not supported by para");
		if ((g = perl_class_at(p))) {
			append_group(p, g);
			p->pos += 2;
			continue;
		}
		if (parse_class_char(p, &lo) < 0)
			return -1;
		hi = lo;
		if (p->n - p->pos >= 2 && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']') {
			p->pos++;
			if (parse_class_char(p, &hi) < 0)
				return -1;
			if (hi < lo)
				return fail(p, "invalid character class range");
		}
		push_range(p, lo, hi);
	}
	p->pos++; /* ']' */
	if (negated)
		negate_class(p, start);
	else
		clean_class(p, start);
	return new_node(p, N_CLASS, (uint32_t)start, (uint32_t)((p->nrng - start) / 2));
}

static int parse_alt(struct rparser *p);

struct seq {
	int first, last, count;
};

static void seq_push(struct rparser *p, struct seq *q, int node)
{
	if (q->last >= 0)
		p->node[q->last].next = node;
	else
		q->first = node;
	q->last = node;
	q->count++;
}

/* Wrap the last item of q in a repetition node. */
static int seq_repeat(struct rparser *p, struct seq *q, int kind)
{
	int prev = -1, n;

	if (!q->count)
		return fail(p, "missing argument to repetition operator");
	for (int i = q->first; i != q->last; i = p->node[i].next)
		prev = i;
	n = new_node(p, kind, 0, 0);
	p->node[n].sub = q->last;
	p->node[q->last].next = -1;
	if (prev >= 0)
		p->node[prev].next = n;
	else
		q->first = n;
	q->last = n;
	return 0;
}

/* One atom (or a run of \Q...\E literals) onto q; 1 if it was a repetition. */
static int parse_atom(struct rparser *p, struct seq *q)
{
	char c = p->s[p->pos];
	uint32_t r;
	int n;

	switch (c) {
	case '(':
		if (p->pos + 1 < p->n && p->s[p->pos + 1] == '?')
			return fail(p, "Perl flags and named groups are not supported");
		if (++p->depth > 1000)
			return fail(p, "expression nests too deeply");
		p->pos++;
		if ((n = parse_alt(p)) < 0)
			return -1;
		if (p->pos >= p->n || p->s[p->pos] != ')')
			return fail(p, "missing closing )");
		p->pos++;
		p->depth--;
		seq_push(p, q, n);
		return 0;
	case '[':
		if ((n = parse_class(p)) < 0)
			return -1;
		seq_push(p, q, n);
		return 0;
	case '^':
	case '$':
		p->pos++;
		seq_push(p, q, new_node(p, N_ASSERT, c == '^' ? A_BEGIN : A_END, 0));
		return 0;
	case '.':
		p->pos++;
		seq_push(p, q, new_node(p, N_ANYNL, 0, 0));
		return 0;
	case '\\':
		break;
	default:
		if (next_rune(p, &r) < 0)
			return -1;
		seq_push(p, q, new_node(p, N_LIT, r, 0));
		return 0;
	}

	/* backslash */
	if (p->pos + 1 < p->n) {
		int kind = -1;
		switch (p->s[p->pos + 1]) {
		case 'A': kind = A_BEGIN; break;
		case 'z': kind = A_END; break;
		case 'b': kind = A_WORDB; break;
		case 'B': kind = A_NOWORDB; break;
		case 'C': return fail(p, "invalid escape sequence");
		case 'Q': {
			const char *lit = p->s + p->pos + 2, *end = p->s + p->n, *e;
			e = lit;
			while (e < end && !(e + 1 < end && e[0] == '\\' && e[1] == 'E'))
				e++;
			p->pos += 2;
			while (p->s + p->pos < e) {
				if (next_rune(p, &r) < 0)
					return -1;
				seq_push(p, q, new_node(p, N_LIT, r, 0));
			}
			if (e < end)
				p->pos += 2; /* \E */
			return 0;
		}
		default:
			break;
		}
		if (kind >= 0) {
			p->pos += 2;
			seq_push(p, q, new_node(p, N_ASSERT, (uint32_t)kind, 0));
			return 0;
		}
	}
	if (is_unicode_class(p))
		return fail(p, "Unicode classes (\\p, \\P) are not supported by para");
	{
		const struct group *g = perl_class_at(p);
		if (g) {
			size_t start = p->nrng;
			append_group(p, g);
			clean_class(p, start);
			p->pos += 2;
			seq_push(p, q, new_node(p, N_CLASS, (uint32_t)start,
						(uint32_t)((p->nrng - start) / 2)));
			return 0;
		}
	}
	if (parse_escape(p, &r) < 0)
		return -1;
	seq_push(p, q, new_node(p, N_LIT, r, 0));
	return 0;
}

/* parseInt: digits without a leading zero; -1 when too big */
static int parse_int(struct rparser *p, size_t *i, long *out)
{
	size_t start = *i;
	long n = 0;

	if (*i >= p->n || p->s[*i] < '0' || p->s[*i] > '9')
		return 0;
	if (*i + 1 < p->n && p->s[*i] == '0' && p->s[*i + 1] >= '0' && p->s[*i + 1] <= '9')
		return 0;
	while (*i < p->n && p->s[*i] >= '0' && p->s[*i] <= '9')
		(*i)++;
	for (size_t k = start; k < *i; k++) {
		if (n >= 100000000) {
			n = -1;
			break;
		}
		n = n * 10 + (p->s[k] - '0');
	}
	*out = n;
	return 1;
}

/* parseRepeat at '{': 1 and the bounds (max -1: none) when it is "{n}", "{n,}", "{n,m}" */
static int parse_repeat(struct rparser *p, long *min, long *max, size_t *after)
{
	size_t i = p->pos + 1;

	if (!parse_int(p, &i, min) || i >= p->n)
		return 0;
	if (p->s[i] != ',') {
		*max = *min;
	} else {
		i++;
		if (i >= p->n)
			return 0;
		if (p->s[i] == '}') {
			*max = -1;
		} else {
			if (!parse_int(p, &i, max))
				return 0;
			if (*max < 0)
				*min = -1;
		}
	}
	if (i >= p->n || p->s[i] != '}')
		return 0;
	*after = i + 1;
	return 1;
}

/* repeatIsValid: nested counted repetitions stay within n copies */
static int repeat_is_valid(const struct rparser *p, int idx, long n)
{
	const struct rnode *nd = &p->node[idx];

	if (nd->kind == N_REPEAT) {
		long m = nd->b == REPEAT_INF ? (long)nd->a : (long)nd->b;
		if (nd->b == 0)
			return 1;
		if (m > n)
			return 0;
		if (m > 0)
			n /= m;
	}
	for (int c = nd->sub; c >= 0; c = p->node[c].next)
		if (!repeat_is_valid(p, c, n))
			return 0;
	return 1;
}

static int parse_concat(struct rparser *p)
{
	struct seq q = { -1, -1, 0 };
	int last_repeat = 0, n;

	while (p->pos < p->n && p->s[p->pos] != '|' && p->s[p->pos] != ')') {
		char c = p->s[p->pos];
		long min = 0, max = 0;
		size_t after = 0;

		if (c == '*' || c == '+' || c == '?' ||
		    (c == '{' && parse_repeat(p, &min, &max, &after))) {
			int kind = c == '*' ? N_STAR : c == '+' ? N_PLUS : c == '?' ? N_QUEST : N_REPEAT;
			if (kind == N_REPEAT && (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)))
				return fail(p, "invalid repeat count");
			if (seq_repeat(p, &q, kind) < 0)
				return -1;
			if (last_repeat)
				return fail(p, "invalid nested repetition operator");
			if (kind == N_REPEAT) {
				p->node[q.last].a = (uint32_t)min;
				p->node[q.last].b = max < 0 ? REPEAT_INF : (uint32_t)max;
				p->pos = after;
			} else {
				p->pos++;
			}
			if (p->pos < p->n && p->s[p->pos] == '?')
				p->pos++; /* non-greedy: the same yes/no answer */
			if (kind == N_REPEAT && (min >= 2 || max >= 2) && !repeat_is_valid(p, q.last, 1000))
				return fail(p, "invalid repeat count");
			last_repeat = 1;
			continue;
		}
		if (parse_atom(p, &q) < 0)
			return -1;
		last_repeat = 0;
	}
	if (q.count == 1)
		return q.first;
	n = new_node(p, q.count ? N_CAT : N_EMPTY, 0, 0);
	p->node[n].sub = q.first;
	return n;
}

static int parse_alt(struct rparser *p)
{
	int first = parse_concat(p), n, last;

	if (first < 0 || p->pos >= p->n || p->s[p->pos] != '|')
		return first;
	n = new_node(p, N_ALT, 0, 0);
	p->node[n].sub = last = first;
	while (p->pos < p->n && p->s[p->pos] == '|') {
		int next;
		p->pos++;
		if ((next = parse_concat(p)) < 0)
			return -1;
		p->node[last].next = next;
		last = next;
	}
	return n;
}

/* ---- program and Pike VM ------------------------------------------------- */

enum { I_RUNE, I_CLASS, I_ANYNL, I_SPLIT, I_JMP, I_ASSERT, I_MATCH };

struct inst {
	uint32_t op, x, y; /* rune / class offset+count / targets / assertion */
};

struct di_prog {
	struct inst *inst;
	size_t n, alloc;
	uint32_t *rng;
	/* prog_match's thread lists and stack (7n), zeroed once: a sparse set
	 * needs no clearing, so a match costs what its live threads do, not n.
	 * This makes one matcher single-threaded. */
	uint32_t *mem;
};

static size_t emit(struct di_prog *pr, uint32_t op, uint32_t x, uint32_t y)
{
	ALLOC_GROW(pr->inst, pr->n + 1, pr->alloc);
	pr->inst[pr->n] = (struct inst){ op, x, y };
	return pr->n++;
}

static void emit_node(struct di_prog *pr, const struct rparser *p, int idx)
{
	const struct rnode *nd = &p->node[idx];
	size_t l1, l2;

	switch (nd->kind) {
	case N_LIT:
		emit(pr, I_RUNE, nd->a, 0);
		break;
	case N_CLASS:
		emit(pr, I_CLASS, nd->a, nd->b);
		break;
	case N_ANYNL:
		emit(pr, I_ANYNL, 0, 0);
		break;
	case N_ASSERT:
		emit(pr, I_ASSERT, nd->a, 0);
		break;
	case N_CAT:
		for (int c = nd->sub; c >= 0; c = p->node[c].next)
			emit_node(pr, p, c);
		break;
	case N_ALT: {
		size_t *jumps = NULL, nj = 0, aj = 0;
		for (int c = nd->sub; c >= 0; c = p->node[c].next) {
			if (p->node[c].next >= 0) {
				l1 = emit(pr, I_SPLIT, 0, 0);
				pr->inst[l1].x = (uint32_t)pr->n;
				emit_node(pr, p, c);
				ALLOC_GROW(jumps, nj + 1, aj);
				jumps[nj++] = emit(pr, I_JMP, 0, 0);
				pr->inst[l1].y = (uint32_t)pr->n;
			} else {
				emit_node(pr, p, c);
			}
		}
		for (size_t j = 0; j < nj; j++)
			pr->inst[jumps[j]].x = (uint32_t)pr->n;
		free(jumps);
		break;
	}
	case N_STAR:
		l1 = emit(pr, I_SPLIT, 0, 0);
		pr->inst[l1].x = (uint32_t)pr->n;
		emit_node(pr, p, nd->sub);
		emit(pr, I_JMP, (uint32_t)l1, 0);
		pr->inst[l1].y = (uint32_t)pr->n;
		break;
	case N_PLUS:
		l1 = pr->n;
		emit_node(pr, p, nd->sub);
		l2 = emit(pr, I_SPLIT, (uint32_t)l1, 0);
		pr->inst[l2].y = (uint32_t)pr->n;
		break;
	case N_QUEST:
		l1 = emit(pr, I_SPLIT, 0, 0);
		pr->inst[l1].x = (uint32_t)pr->n;
		emit_node(pr, p, nd->sub);
		pr->inst[l1].y = (uint32_t)pr->n;
		break;
	case N_REPEAT:
		/* x{n,m}: n copies, then m-n nested optional ones (or a star) */
		for (uint32_t i = 0; i < nd->a; i++)
			emit_node(pr, p, nd->sub);
		if (nd->b == REPEAT_INF) {
			l1 = emit(pr, I_SPLIT, 0, 0);
			pr->inst[l1].x = (uint32_t)pr->n;
			emit_node(pr, p, nd->sub);
			emit(pr, I_JMP, (uint32_t)l1, 0);
			pr->inst[l1].y = (uint32_t)pr->n;
		} else {
			size_t *splits = xmalloc((nd->b - nd->a + 1) * sizeof *splits);
			uint32_t k = 0;
			for (uint32_t i = nd->a; i < nd->b; i++) {
				splits[k] = emit(pr, I_SPLIT, 0, 0);
				pr->inst[splits[k++]].x = (uint32_t)pr->n;
				emit_node(pr, p, nd->sub);
			}
			while (k)
				pr->inst[splits[--k]].y = (uint32_t)pr->n;
			free(splits);
		}
		break;
	case N_EMPTY:
	default:
		break;
	}
}

static void prog_free(struct di_prog *pr)
{
	if (!pr)
		return;
	free(pr->inst);
	free(pr->rng);
	free(pr->mem);
	free(pr);
}

/* Parse and compile a Go regexp; NULL with *msg set on a syntax error. */
static struct di_prog *prog_compile(const char *re, const char **msg)
{
	struct rparser p = { re, strlen(re), 0, NULL, 0, 0, NULL, 0, 0, 0, NULL };
	struct di_prog *pr;
	int root = parse_alt(&p);

	if (root >= 0 && p.pos < p.n)
		root = fail(&p, "unexpected )");
	if (root < 0) {
		*msg = p.err;
		free(p.node);
		free(p.rng);
		return NULL;
	}
	pr = xcalloc(1, sizeof *pr);
	emit_node(pr, &p, root);
	emit(pr, I_MATCH, 0, 0);
	pr->rng = p.rng;
	pr->mem = xcalloc(7 * pr->n, sizeof *pr->mem);
	free(p.node);
	return pr;
}

static int is_word(uint32_t r)
{
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
}

struct vmctx {
	uint32_t prev, next; /* SCAN_EOF at the edges */
};

struct threads {
	uint32_t *dense, *sparse;
	size_t n;
};

static int has_thread(const struct threads *t, uint32_t pc)
{
	uint32_t i = t->sparse[pc];
	return i < t->n && t->dense[i] == pc;
}

static int assertion_holds(uint32_t kind, const struct vmctx *c)
{
	int wb;
	switch (kind) {
	case A_BEGIN:
		return c->prev == SCAN_EOF;
	case A_END:
		return c->next == SCAN_EOF;
	case A_WORDB:
	case A_NOWORDB:
		wb = (c->prev != SCAN_EOF && is_word(c->prev)) != (c->next != SCAN_EOF && is_word(c->next));
		return kind == A_WORDB ? wb : !wb;
	default:
		return 0;
	}
}

/* Add pc and what it reaches without input; 1 when a match is reached. */
static int add_thread(const struct di_prog *pr, struct threads *t, uint32_t *stack, uint32_t pc,
		      const struct vmctx *c)
{
	size_t sp = 0;
	int matched = 0;

	stack[sp++] = pc;
	while (sp) {
		const struct inst *in;
		pc = stack[--sp];
		if (has_thread(t, pc))
			continue;
		t->sparse[pc] = (uint32_t)t->n;
		t->dense[t->n++] = pc;
		in = &pr->inst[pc];
		switch (in->op) {
		case I_JMP:
			stack[sp++] = in->x;
			break;
		case I_SPLIT:
			stack[sp++] = in->y;
			stack[sp++] = in->x;
			break;
		case I_ASSERT:
			if (assertion_holds(in->x, c))
				stack[sp++] = pc + 1;
			break;
		case I_MATCH:
			matched = 1;
			break;
		default:
			break;
		}
	}
	return matched;
}

static int inst_accepts(const struct di_prog *pr, const struct inst *in, uint32_t r)
{
	switch (in->op) {
	case I_RUNE:
		return r == in->x;
	case I_ANYNL:
		return r != '\n';
	case I_CLASS:
		for (uint32_t i = 0; i < in->y; i++) {
			const uint32_t *rg = pr->rng + in->x + 2 * i;
			if (r < rg[0])
				return 0;
			if (r <= rg[1])
				return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* Regexp.MatchString: does the program match anywhere in s[0, n)? */
static int prog_match(const struct di_prog *pr, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t *mem = pr->mem;
	struct threads cur, nxt, tmp;
	uint32_t *stack;
	size_t pos = 0, w, nw;
	struct vmctx c;
	int matched = 0;
	uint32_t r;

	cur = (struct threads){ mem, mem + pr->n, 0 };
	nxt = (struct threads){ mem + 2 * pr->n, mem + 3 * pr->n, 0 };
	stack = mem + 4 * pr->n; /* each pc expands once per list and pushes at most 2: 2n + 1 */

	r = n ? decode_rune(s, n, &w) : SCAN_EOF;
	if (!n)
		w = 0;
	c = (struct vmctx){ SCAN_EOF, r };
	for (;;) {
		uint32_t next_r;
		if (add_thread(pr, &cur, stack, 0, &c))
			matched = 1;
		if (matched || pos >= n)
			break;
		next_r = pos + w < n ? decode_rune(s + pos + w, n - pos - w, &nw) : SCAN_EOF;
		if (pos + w >= n)
			nw = 0;
		c = (struct vmctx){ r, next_r };
		nxt.n = 0;
		for (size_t i = 0; i < cur.n && !matched; i++) {
			const struct inst *in = &pr->inst[cur.dense[i]];
			if (inst_accepts(pr, in, r) && add_thread(pr, &nxt, stack, cur.dense[i] + 1, &c))
				matched = 1;
		}
		if (matched)
			break;
		tmp = cur;
		cur = nxt;
		nxt = tmp;
		pos += w;
		w = nw;
		r = next_r;
	}
	return matched;
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
		prog_free(di->pat[i].prog);
	}
	free(di->pat);
	dockerignore_init(di);
}

/* Pattern.match over path[0, n) */
static int pattern_match(const struct dockerignore_pattern *p, const char *path, size_t n)
{
	size_t tl;
	const char *suffix;

	switch (p->type) {
	case DI_MATCH_EXACT:
		return strlen(p->text) == n && !memcmp(p->text, path, n);
	case DI_MATCH_PREFIX:
		tl = strlen(p->text) - 2;
		return n >= tl && !memcmp(p->text, path, tl);
	case DI_MATCH_SUFFIX:
		suffix = p->text + 2;
		tl = strlen(suffix);
		if (n >= tl && !memcmp(path + n - tl, suffix, tl))
			return 1;
		return suffix[0] == '/' && tl - 1 == n && !memcmp(suffix + 1, path, n);
	case DI_MATCH_REGEXP:
		return prog_match(p->prog, path, n);
	default:
		return 0;
	}
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

/* strings.ContainsAny(patternWithoutTrailingGlob(p), "*[]?^\\") */
static int exception_has_wildcard(const char *text)
{
	size_t n = strlen(text);
	if (n >= 3 && !strcmp(text + n - 3, "/**"))
		n -= 3;
	if (n >= 2 && !memcmp(text + n - 2, "/*", 2))
		n -= 2;
	for (size_t i = 0; i < n; i++)
		if (strchr("*[]?^\\", text[i]))
			return 1;
	return 0;
}

static int add_pattern(struct dockerignore *di, const char *raw, struct error *err)
{
	size_t start = 0, end = strlen(raw);
	struct dockerignore_pattern pat = { NULL, 0, 1, DI_MATCH_EXACT, NULL };
	struct strbuf re = STRBUF_INIT;
	const char *text, *msg = NULL;
	char *cleaned;

	trim_space(raw, &start, &end);
	if (start == end)
		return 0;
	cleaned = clean_n(raw + start, end - start);
	text = cleaned;
	if (text[0] == '!') {
		if (!text[1]) {
			free(cleaned);
			return error_set(err, PARA_EXIT_FAIL, "illegal exclusion pattern: \"!\"");
		}
		pat.exclusion = 1;
		text++;
	}
	if (check_glob_syntax(text) < 0) {
		error_set(err, PARA_EXIT_FAIL, "syntax error in pattern '%s'", text);
		free(cleaned);
		return -1;
	}
	pat.type = build_regexp(text, &re);
	if (pat.type == DI_MATCH_REGEXP && !(pat.prog = prog_compile(re.buf, &msg))) {
		error_set(err, PARA_EXIT_FAIL, "invalid pattern '%s': %s", text, msg ? msg : "syntax error");
		strbuf_release(&re);
		free(cleaned);
		return -1;
	}
	strbuf_release(&re);
	if (pat.prog && pat.prog->n > DOCKERIGNORE_MAX_STEPS - di->steps) {
		error_set(err, PARA_EXIT_CONFIG, "the patterns are too complex: over %u matcher steps (pattern '%.40s%s')",
			  DOCKERIGNORE_MAX_STEPS, text, strlen(text) > 40 ? "..." : "");
		prog_free(pat.prog);
		free(cleaned);
		return error_hint(err, "use fewer wildcards and character classes");
	}
	if (pat.prog)
		di->steps += pat.prog->n;
	pat.text = xstrdup(text);
	free(cleaned);
	for (const char *c = pat.text; *c; c++)
		pat.ndirs += *c == '/';
	ALLOC_GROW(di->pat, di->nr + 1, di->alloc);
	di->pat[di->nr++] = pat;
	if (pat.exclusion) {
		di->has_exclusions = 1;
		if (exception_has_wildcard(pat.text))
			di->only_prefix_exceptions = 0;
	}
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
	struct strbuf pat = STRBUF_INIT;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, start = pos;
		char *cleaned;
		int invert;

		if (end - pos >= SCANNER_MAX_TOKEN) {
			while (out->nr > first_new)
				strvec_pop(out);
			strbuf_release(&pat);
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
		trim_space(buf, &start, &end);
		if (start == end)
			continue;
		invert = buf[start] == '!';
		if (invert) {
			start++;
			trim_space(buf, &start, &end);
		}
		strbuf_reset(&pat);
		if (invert)
			strbuf_addch(&pat, '!');
		if (start < end) {
			cleaned = clean_n(buf + start, end - start);
			strbuf_addstr(&pat, cleaned[0] == '/' && cleaned[1] ? cleaned + 1 : cleaned);
			free(cleaned);
		}
		strvec_push(out, pat.buf);
		if (lines) {
			ALLOC_GROW(*lines, *nlines + 1, alloc);
			(*lines)[(*nlines)++] = lineno;
		}
	}
	strbuf_release(&pat);
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
	for (size_t i = 0; i < pats.nr; i++) {
		if (add_pattern(out, pats.v[i], err) < 0) {
			error_wrap(err, "line %zu", lines[i]);
			dockerignore_release(out);
			ret = -1;
			break;
		}
	}
	free(lines);
	strvec_clear(&pats);
	return ret;
}

int dockerignore_matches(const struct dockerignore *di, const char *path)
{
	char *parent = go_dir(path);
	int matched = 0, has_parent = strcmp(parent, ".") != 0;
	size_t n = strlen(path);

	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->pat[i];
		int m;
		if (p->exclusion != matched)
			continue;
		m = pattern_match(p, path, n);
		if (!m && has_parent)
			m = match_some_parent(p, parent);
		if (m)
			matched = !p->exclusion;
	}
	free(parent);
	return matched;
}

int dockerignore_matches_legacy(const struct dockerignore *di, const char *path)
{
	char *file = dockerignore_clean_path(path), *parent;
	size_t n = strlen(file), ndirs = 1, *ends;
	int matched = 0, has_parent;

	if (!strcmp(file, ".")) {
		free(file);
		return 0;
	}
	parent = go_dir(file);
	has_parent = strcmp(parent, ".") != 0;
	for (const char *c = parent; *c; c++)
		ndirs += *c == '/';
	ends = xmalloc(ndirs * sizeof *ends);
	for (size_t i = 0, k = 0; k < ndirs; i++)
		if (!parent[i] || parent[i] == '/')
			ends[k++] = i;
	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->pat[i];
		int m;
		if (p->exclusion != matched)
			continue;
		m = pattern_match(p, file, n);
		/* only the ancestor with as many elements as the pattern: moby's bug, kept */
		if (!m && has_parent && p->ndirs <= ndirs)
			m = pattern_match(p, parent, ends[p->ndirs - 1]);
		if (m)
			matched = !p->exclusion;
	}
	free(ends);
	free(parent);
	free(file);
	return matched;
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
					dir = go_dir(path);
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
		size_t n = strlen(t);
		if (!di->pat[i].exclusion)
			continue;
		if (n >= 3 && !strcmp(t + n - 3, "/**"))
			n -= 3;
		if (n >= 2 && !memcmp(t + n - 2, "/*", 2))
			n -= 2;
		/* HasPrefix(pat + "/", dir + "/") */
		if (n + 1 >= dl + 1 && !memcmp(t, dir, dl) && (n == dl ? 1 : t[dl] == '/'))
			return 1;
	}
	return 0;
}
