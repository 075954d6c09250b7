/*
 * JSON with comments and trailing commas; see jsonc.h.
 *
 * Every function strips the text first. Scans for structure (validating,
 * walking members) run on the stripped copy, where a comment is blanks and
 * needs no care; edits copy bytes from the original text, which has the same
 * offsets. The stripped copy is NUL-terminated, and the scanners stop at the
 * NUL as at any byte that does not fit, so they need no length.
 */
#include "parse/jsonc.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BAD SIZE_MAX
/* Objects and arrays nested deeper than this are refused (as jansson does). */
#define MAX_DEPTH 2048

/* The escapes of a JSON string other than \u, and the bytes they stand for. */
static const char esc_from[] = "bfnrt\"\\/";
static const char esc_to[] = "\b\f\n\r\t\"\\/";

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_ws(char c)
{
	return is_blank(c) || c == '\n' || c == '\r';
}

/* ---- comments, over the original text ---- */

/* The end of the comment starting at t[i], or i when none starts there. A
 * line comment ends before its line break, an unterminated block comment at
 * len. */
static size_t comment_end(const char *t, size_t len, size_t i)
{
	if (i + 1 >= len || t[i] != '/')
		return i;
	if (t[i + 1] == '/') {
		for (i += 2; i < len && t[i] != '\n' && t[i] != '\r'; i++)
			;
		return i;
	}
	if (t[i + 1] != '*')
		return i;
	for (i += 2; i + 1 < len; i++)
		if (t[i] == '*' && t[i + 1] == '/')
			return i + 2;
	return len;
}

/* Past the blanks and comments from t[i]; with across, line breaks too, else
 * only the comments that end on this line. */
static size_t skip_space(const char *t, size_t len, size_t i, int across)
{
	for (;;) {
		while (i < len && (is_blank(t[i]) || (across && is_ws(t[i]))))
			i++;
		size_t e = comment_end(t, len, i);
		if (e == i || (!across && memchr(t + i, '\n', e - i)))
			return i;
		i = e;
	}
}

/* Past the string whose quote is t[i], or len when it is not closed. */
static size_t string_end(const char *t, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return len;
}

static void blank_out(char *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (s[from] != '\n' && s[from] != '\r')
			s[from] = ' ';
}

char *jsonc_strip(const char *text, size_t len)
{
	char *s = xmalloc(len + 1);
	if (len)
		memcpy(s, text, len);
	s[len] = '\0';
	size_t comma = BAD; /* a comma after a value, and nothing but space since */
	char prev = '{';    /* the last byte outside comments and blanks */
	for (size_t i = 0; i < len;) {
		size_t e = comment_end(text, len, i);
		if (e > i) {
			blank_out(s, i, e);
			i = e;
			continue;
		}
		char c = text[i];
		if (is_ws(c)) {
			i++;
			continue;
		}
		if ((c == '}' || c == ']') && comma != BAD)
			s[comma] = ' ';
		comma = c == ',' && !strchr("{[,:", prev) ? i : BAD;
		prev = c;
		i = c == '"' ? string_end(text, len, i) : i + 1;
	}
	return s;
}

/* ---- strict JSON, over a NUL-terminated stripped text: each returns the
 * offset just past what it read, or BAD ---- */

static size_t skip_ws(const char *s, size_t i)
{
	while (is_ws(s[i]))
		i++;
	return i;
}

static size_t parse_string(const char *s, size_t i)
{
	if (s[i] != '"')
		return BAD;
	for (i++; s[i] != '"'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20) /* a control character, or the end */
			return BAD;
		if (c != '\\')
			continue;
		c = (unsigned char)s[++i];
		if (c == 'u') {
			for (int k = 1; k <= 4; k++)
				if (!isxdigit((unsigned char)s[i + k]))
					return BAD;
			i += 4;
		} else if (!c || !strchr(esc_from, c)) {
			return BAD;
		}
	}
	return i + 1;
}

static size_t digits(const char *s, size_t i)
{
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static size_t parse_number(const char *s, size_t i)
{
	if (s[i] == '-')
		i++;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		i = digits(s, i);
	else
		return BAD;
	if (s[i] == '.') {
		if (digits(s, i + 1) == i + 1)
			return BAD;
		i = digits(s, i + 1);
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (digits(s, i) == i)
			return BAD;
		i = digits(s, i);
	}
	return i;
}

static size_t parse_value(const char *s, size_t i, int depth);

/* The array or object whose '[' or '{' is s[i]. */
static size_t parse_container(const char *s, size_t i, int depth)
{
	char close = s[i] == '{' ? '}' : ']';
	if (depth >= MAX_DEPTH)
		return BAD;
	i = skip_ws(s, i + 1);
	if (s[i] == close)
		return i + 1;
	for (;;) {
		if (close == '}') {
			i = parse_string(s, i);
			if (i == BAD || s[i = skip_ws(s, i)] != ':')
				return BAD;
			i = skip_ws(s, i + 1);
		}
		i = parse_value(s, i, depth + 1);
		if (i == BAD)
			return BAD;
		i = skip_ws(s, i);
		if (s[i] == close)
			return i + 1;
		if (s[i] != ',')
			return BAD;
		i = skip_ws(s, i + 1);
	}
}

static size_t parse_literal(const char *s, size_t i, const char *word)
{
	size_t n = strlen(word);
	return strncmp(s + i, word, n) ? BAD : i + n;
}

static size_t parse_value(const char *s, size_t i, int depth)
{
	switch (s[i]) {
	case '{':
	case '[':
		return parse_container(s, i, depth);
	case '"':
		return parse_string(s, i);
	case 't':
		return parse_literal(s, i, "true");
	case 'f':
		return parse_literal(s, i, "false");
	case 'n':
		return parse_literal(s, i, "null");
	default:
		return parse_number(s, i);
	}
}

/* ---- members of a valid object ---- */

struct member {
	size_t key_start, key_end, value_start, value_end;
};

/* The member after *i (an object's '{', or the end of a member's value) into
 * m, *i moved past it; 0 at the object's end. */
static int next_member(const char *s, size_t *i, struct member *m)
{
	size_t j = skip_ws(s, *i);
	if (s[j] == '}')
		return 0;
	j = skip_ws(s, j + 1); /* past the '{' or ',' */
	if (s[j] == '}')
		return 0;
	m->key_start = j;
	m->key_end = parse_string(s, j);
	m->value_start = skip_ws(s, skip_ws(s, m->key_end) + 1);
	m->value_end = parse_value(s, m->value_start, 0);
	*i = m->value_end;
	return 1;
}

/* The 4 hex digits at p. */
static unsigned hex4(const char *p)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		int c = (unsigned char)p[k];
		v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0, 0xC0, 0xE0, 0xF0 };
	for (size_t k = n - 1; k > 0; k--, cp >>= 6)
		out[k] = (char)(0x80 | (cp & 0x3F));
	out[0] = (char)(lead[n] | cp);
	return n;
}

/* The character at s[*i] of a valid string as UTF-8 in out (its escape
 * decoded; a surrogate pair is one character, a lone surrogate its 3 bytes,
 * which no UTF-8 key holds), *i moved past it. */
static size_t decode_char(const char *s, size_t *i, char out[4])
{
	const char *p = s + *i;
	if (p[0] != '\\') {
		out[0] = p[0];
		*i += 1;
		return 1;
	}
	if (p[1] != 'u') {
		out[0] = esc_to[strchr(esc_from, p[1]) - esc_from];
		*i += 2;
		return 1;
	}
	unsigned cp = hex4(p + 2);
	*i += 6;
	if (cp >= 0xD800 && cp < 0xDC00 && p[6] == '\\' && p[7] == 'u') {
		unsigned lo = hex4(p + 8);
		if (lo >= 0xDC00 && lo < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			*i += 6;
		}
	}
	return utf8_put(cp, out);
}

/* Whether m's key, decoded, is key. */
static int key_is(const char *s, const struct member *m, const char *key)
{
	size_t i = m->key_start + 1, at = 0, klen = strlen(key);
	while (i < m->key_end - 1) {
		char c[4];
		size_t n = decode_char(s, &i, c);
		if (n > klen - at || memcmp(c, key + at, n))
			return 0;
		at += n;
	}
	return at == klen;
}

/* The last member named key of the object at s[obj]. */
static int find_key(const char *s, size_t obj, const char *key, struct member *found)
{
	struct member m;
	int any = 0;
	for (size_t i = obj; next_member(s, &i, &m);)
		if (key_is(s, &m, key)) {
			*found = m;
			any = 1;
		}
	return any;
}

/* The member of the object at s[obj] before the one whose key starts at key. */
static int member_before(const char *s, size_t obj, size_t key, struct member *prev)
{
	struct member m;
	int any = 0;
	for (size_t i = obj; next_member(s, &i, &m) && m.key_start != key;) {
		*prev = m;
		any = 1;
	}
	return any;
}

/* jsonc_find over the stripped text s. */
static int walk(const char *s, size_t len, const char *const *keys, size_t n, struct jsonc_loc *loc)
{
	size_t top = skip_ws(s, 0), end = BAD;
	memset(loc, 0, sizeof(*loc));
	if (s[top] != '{' || (end = parse_value(s, top, 0)) == BAD || skip_ws(s, end) != len)
		return -1;
	loc->obj_start = top;
	loc->obj_end = end;
	for (size_t k = 0; k < n; k++) {
		struct member m;
		if (!find_key(s, loc->obj_start, keys[k], &m))
			return 0;
		if (k + 1 == n || s[m.value_start] != '{') {
			loc->key_start = m.key_start;
			loc->key_end = m.key_end;
			loc->value_start = m.value_start;
			loc->value_end = m.value_end;
			return k + 1 == n;
		}
		loc->obj_start = m.value_start;
		loc->obj_end = m.value_end;
		loc->depth = k + 1;
	}
	return 0;
}

int jsonc_find(const char *text, size_t len, const char *const *keys, size_t n,
	       struct jsonc_loc *loc)
{
	char *s = jsonc_strip(text, len);
	int r = walk(s, len, keys, n, loc);
	free(s);
	return r;
}

void jsonc_linecol(const char *text, size_t off, int *line, int *column)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

/* ---- editing ---- */

/* How new text is laid out, guessed from the text. */
struct layout {
	const char *eol;         /* "\n", or "\r\n" when the first line ends so */
	const char *unit;        /* one step of indentation */
	size_t unit_len;
	const char *colon;       /* between a key and its value */
	size_t colon_len;
	int file_multiline;      /* the top-level object spans lines */
	int multiline;           /* new objects span lines (decided per edit) */
};

struct doc {
	const char *t, *s;       /* the text and its stripped copy */
	size_t len;
	const char *const *keys;
	size_t n;
	const char *v;           /* the value, without the blanks around it */
	size_t vlen;
	struct layout lay;
};

/* One replacement of t[from..to) with ins[0..ins_len). */
struct edit {
	size_t from, to;
	const char *ins;
	size_t ins_len;
};

/* t with the edits (in order, apart) made. */
static char *apply(const char *t, size_t len, const struct edit *e, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t at = 0;
	for (size_t k = 0; k < n; k++) {
		strbuf_add(&sb, t + at, e[k].from - at);
		strbuf_add(&sb, e[k].ins, e[k].ins_len);
		at = e[k].to;
	}
	strbuf_add(&sb, t + at, len - at);
	return strbuf_detach(&sb, NULL);
}

static size_t line_start(const char *t, size_t i)
{
	while (i > 0 && t[i - 1] != '\n')
		i--;
	return i;
}

/* Back from t[i] over blanks, not before lo. */
static size_t back_blanks(const char *t, size_t lo, size_t i)
{
	while (i > lo && is_blank(t[i - 1]))
		i--;
	return i;
}

static int spans_lines(const char *s, size_t from, size_t to)
{
	return memchr(s + from, '\n', to - from) != NULL;
}

/* Add the blanks that start the line holding t[i] to indent. */
static void line_indent(const char *t, size_t i, struct strbuf *indent)
{
	size_t ls = line_start(t, i), e = ls;
	while (e < i && is_blank(t[e]))
		e++;
	strbuf_add(indent, t + ls, e - ls);
}

/* The indent unit: the blanks of the first indented line (a comment's line
 * or a trailing comma's does not count), else two spaces. */
static void guess_unit(const char *t, const char *s, size_t len, struct layout *lay)
{
	lay->unit = "  ";
	lay->unit_len = 2;
	for (size_t i = 0; i < len; i++) {
		if (t[i] != '\n')
			continue;
		size_t b = i + 1, e = b;
		while (e < len && is_blank(t[e]))
			e++;
		if (e > b && e < len && !is_ws(t[e]) && s[e] == t[e]) {
			lay->unit = t + b;
			lay->unit_len = e - b;
			return;
		}
	}
}

/* Guess the layout; top is the top-level '{', or BAD when there is none. */
static void guess_layout(const char *t, const char *s, size_t len, size_t top, struct layout *lay)
{
	const char *nl = len ? memchr(t, '\n', len) : NULL;
	lay->eol = nl && nl > t && nl[-1] == '\r' ? "\r\n" : "\n";
	guess_unit(t, s, len, lay);
	lay->colon = ": ";
	lay->colon_len = 2;
	lay->file_multiline = 1;
	lay->multiline = 1;
	if (top == BAD)
		return;
	lay->file_multiline = spans_lines(s, top, parse_value(s, top, 0));
	/* the colon as the first member has it, when it is only blanks and ':' */
	struct member m;
	size_t i = top;
	if (!next_member(s, &i, &m))
		return;
	for (size_t k = m.key_end; k < m.value_start; k++)
		if (!is_blank(t[k]) && t[k] != ':')
			return;
	lay->colon = t + m.key_end;
	lay->colon_len = m.value_start - m.key_end;
}

/* key as a JSON string. */
static void put_key(struct strbuf *sb, const char *key)
{
	strbuf_addch(sb, '"');
	for (const char *p = key; *p; p++) {
		const char *e = *p != '/' ? strchr(esc_to, *p) : NULL;
		if (e)
			strbuf_addf(sb, "\\%c", esc_from[e - esc_to]);
		else if ((unsigned char)*p < 0x20)
			strbuf_addf(sb, "\\u%04x", (unsigned)*p);
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

/* The value, each of its line breaks (blanks, in JSON) made the file's and
 * followed by indent. */
static void put_value(struct strbuf *sb, const struct doc *d, const struct strbuf *indent)
{
	for (size_t i = 0; i < d->vlen; i++) {
		if (d->v[i] == '\r')
			continue;
		if (d->v[i] != '\n') {
			strbuf_addch(sb, d->v[i]);
			continue;
		}
		strbuf_addstr(sb, d->lay.eol);
		strbuf_add(sb, indent->buf, indent->len);
	}
}

static void put_member(struct strbuf *sb, const struct doc *d, size_t k, struct strbuf *indent);

/* What goes at keys[k..n) in a member whose line is indented by indent: the
 * value itself when k == n, else objects around it. */
static void put_nested(struct strbuf *sb, const struct doc *d, size_t k, struct strbuf *indent)
{
	if (k == d->n) {
		put_value(sb, d, indent);
		return;
	}
	size_t was = indent->len;
	strbuf_addch(sb, '{');
	if (d->lay.multiline) {
		strbuf_add(indent, d->lay.unit, d->lay.unit_len);
		strbuf_addstr(sb, d->lay.eol);
		strbuf_add(sb, indent->buf, indent->len);
	}
	put_member(sb, d, k, indent);
	if (d->lay.multiline) {
		strbuf_setlen(indent, was);
		strbuf_addstr(sb, d->lay.eol);
		strbuf_add(sb, indent->buf, indent->len);
	}
	strbuf_addch(sb, '}');
}

/* "keys[k]": and what goes there. */
static void put_member(struct strbuf *sb, const struct doc *d, size_t k, struct strbuf *indent)
{
	put_key(sb, d->keys[k]);
	strbuf_add(sb, d->lay.colon, d->lay.colon_len);
	put_nested(sb, d, k + 1, indent);
}

/* Blank text (or only comments): a new object after whatever is there. */
static char *set_blank(struct doc *d)
{
	struct strbuf sb = STRBUF_INIT, indent = STRBUF_INIT;
	for (size_t i = 0; i < d->len; i++)
		if (!is_ws(d->t[i])) {
			strbuf_add(&sb, d->t, d->len);
			if (d->t[d->len - 1] != '\n')
				strbuf_addstr(&sb, d->lay.eol);
			break;
		}
	put_nested(&sb, d, 0, &indent);
	strbuf_addstr(&sb, d->lay.eol);
	strbuf_release(&indent);
	return strbuf_detach(&sb, NULL);
}

/* Replace the value at loc (an existing member's, or the non-object value a
 * prefix of the path names) with what goes at the rest of the path. */
static char *set_replace(struct doc *d, const struct jsonc_loc *loc)
{
	struct strbuf ins = STRBUF_INIT, indent = STRBUF_INIT;
	line_indent(d->t, loc->key_start, &indent);
	d->lay.multiline = spans_lines(d->s, loc->obj_start, loc->obj_end);
	put_nested(&ins, d, loc->depth + 1, &indent);
	struct edit e = { loc->value_start, loc->value_end, ins.buf, ins.len };
	char *out = apply(d->t, d->len, &e, 1);
	strbuf_release(&ins);
	strbuf_release(&indent);
	return out;
}

/* Where a new line goes after t[from]: before the line break that ends this
 * line (after the comments on it), else after its last non-blank. */
static size_t new_line_at(const char *t, size_t len, size_t from)
{
	size_t p = skip_space(t, len, from, 0);
	if (p < len && (t[p] == '\n' || t[p] == '\r'))
		return p;
	return back_blanks(t, from, p);
}

/* The blanks before the last member of the object at s[obj] that starts its
 * line, or (none does) those of the '{' line and one step more. */
static void member_indent(const struct doc *d, size_t obj, struct strbuf *indent)
{
	struct member m;
	size_t from = 0, to = 0;
	for (size_t i = obj; next_member(d->s, &i, &m);) {
		size_t ls = line_start(d->t, m.key_start);
		if (back_blanks(d->t, ls, m.key_start) == ls) {
			from = ls;
			to = m.key_start;
		}
	}
	if (to) {
		strbuf_add(indent, d->t + from, to - from);
		return;
	}
	line_indent(d->t, obj, indent);
	strbuf_add(indent, d->lay.unit, d->lay.unit_len);
}

/* Add the member at the end of the object at loc, after its last member. */
static char *insert_after(struct doc *d, const struct jsonc_loc *loc, const struct member *last)
{
	size_t c = skip_space(d->t, d->len, last->value_end, 1);
	int comma = d->t[c] == ','; /* a trailing comma: it separates the new member */
	size_t at = comma ? c + 1 : last->value_end;
	struct strbuf ins = STRBUF_INIT, indent = STRBUF_INIT;
	d->lay.multiline = spans_lines(d->s, loc->obj_start, loc->obj_end);
	if (d->lay.multiline) {
		member_indent(d, loc->obj_start, &indent);
		at = new_line_at(d->t, d->len, at);
		strbuf_addstr(&ins, d->lay.eol);
		strbuf_add(&ins, indent.buf, indent.len);
	} else if (d->lay.colon_len > 1) {
		strbuf_addch(&ins, ' ');
	}
	put_member(&ins, d, loc->depth, &indent);
	struct edit e[2] = {
		{ last->value_end, last->value_end, ",", comma ? 0 : 1 },
		{ at, at, ins.buf, ins.len },
	};
	char *out = apply(d->t, d->len, e, 2);
	strbuf_release(&ins);
	strbuf_release(&indent);
	return out;
}

/* Add the member to the empty object at loc: on a line of its own, one step
 * in from the '{' line, unless the file is all on one line. */
static char *insert_empty(struct doc *d, const struct jsonc_loc *loc)
{
	size_t open = loc->obj_start, close = loc->obj_end - 1, at = open + 1, to = at;
	struct strbuf ins = STRBUF_INIT, indent = STRBUF_INIT, brace = STRBUF_INIT;
	d->lay.multiline = loc->depth == 0 || d->lay.file_multiline;
	int same_line = skip_space(d->t, d->len, open + 1, 0) == close;
	if (d->lay.multiline) {
		line_indent(d->t, open, &brace);
		strbuf_add(&indent, brace.buf, brace.len);
		strbuf_add(&indent, d->lay.unit, d->lay.unit_len);
		at = to = new_line_at(d->t, d->len, open + 1);
		if (same_line)
			to = close;
		strbuf_addstr(&ins, d->lay.eol);
		strbuf_add(&ins, indent.buf, indent.len);
	}
	put_member(&ins, d, loc->depth, &indent);
	if (d->lay.multiline && same_line) {
		strbuf_addstr(&ins, d->lay.eol);
		strbuf_add(&ins, brace.buf, brace.len);
	}
	struct edit e = { at, to, ins.buf, ins.len };
	char *out = apply(d->t, d->len, &e, 1);
	strbuf_release(&ins);
	strbuf_release(&indent);
	strbuf_release(&brace);
	return out;
}

/* The value trimmed into d, or 0 when it is not one JSON value. */
static int take_value(struct doc *d, const char *value)
{
	if (!value)
		return 0;
	size_t a = skip_ws(value, 0), b = parse_value(value, a, 0);
	if (b == BAD || skip_ws(value, b) != strlen(value))
		return 0;
	d->v = value + a;
	d->vlen = b - a;
	return 1;
}

/* Add the member to the object at loc, which does not have it. */
static char *set_insert(struct doc *d, const struct jsonc_loc *loc)
{
	struct member m, last = { 0 };
	int any = 0;
	for (size_t i = loc->obj_start; next_member(d->s, &i, &m);) {
		last = m;
		any = 1;
	}
	return any ? insert_after(d, loc, &last) : insert_empty(d, loc);
}

char *jsonc_set(const char *text, size_t len, const char *const *keys, size_t n,
		const char *value)
{
	struct doc d = { .t = text, .len = len, .keys = keys, .n = n };
	if (!n || !take_value(&d, value) || (len && memchr(text, '\0', len)))
		return NULL;
	char *s = jsonc_strip(text, len), *out;
	d.s = s;
	struct jsonc_loc loc;
	int r = walk(s, len, keys, n, &loc);
	guess_layout(text, s, len, r < 0 ? BAD : skip_ws(s, 0), &d.lay);
	if (r < 0)
		out = skip_ws(s, 0) == len ? set_blank(&d) : NULL;
	else if (r || loc.value_end) /* found, or a prefix names a non-object */
		out = set_replace(&d, &loc);
	else
		out = set_insert(&d, &loc);
	free(s);
	return out;
}

/* t without the member at loc (see jsonc_unset). */
static char *remove_member(const char *t, const char *s, size_t len, const struct jsonc_loc *loc)
{
	struct member prev = { 0 };
	int has_prev = member_before(s, loc->obj_start, loc->key_start, &prev);
	size_t c = skip_space(t, len, loc->value_end, 1);
	int comma = t[c] == ',';
	size_t from = loc->key_start, to = comma ? c + 1 : loc->value_end;
	size_t ls = back_blanks(t, 0, from), p = skip_space(t, len, to, 0);
	size_t brk = p < len && t[p] == '\n' ? 1
		     : p + 1 < len && t[p] == '\r' && t[p + 1] == '\n' ? 2 : 0;
	if ((ls == 0 || t[ls - 1] == '\n') && brk) {
		/* its own lines, with the comments after it on its last */
		from = ls;
		to = p + brk;
	} else if (comma) {
		while (to < len && is_blank(t[to]))
			to++;
	} else {
		from = ls;
	}
	struct edit e[2];
	size_t k = 0;
	if (!comma && has_prev) {
		/* the last member: the comma before it goes */
		size_t pc = skip_space(t, len, prev.value_end, 1);
		e[k++] = (struct edit){ pc, pc + 1, "", 0 };
	}
	e[k++] = (struct edit){ from, to, "", 0 };
	return apply(t, len, e, k);
}

char *jsonc_unset(const char *text, size_t len, const char *const *keys, size_t n,
		  int *found)
{
	int any = 0, r;
	if (found)
		*found = 0;
	if (len && memchr(text, '\0', len))
		return NULL;
	char *cur = xstrndup(len ? text : "", len);
	/* every duplicate goes: with the last one gone, the one before counts */
	do {
		char *s = jsonc_strip(cur, len);
		struct jsonc_loc loc;
		r = walk(s, len, keys, n, &loc);
		if (r == 1) {
			char *next = remove_member(cur, s, len, &loc);
			free(cur);
			cur = next;
			len = strlen(cur);
			any = 1;
		}
		free(s);
	} while (r == 1);
	if (r < 0) {
		free(cur);
		return NULL;
	}
	if (found)
		*found = any;
	return cur;
}
