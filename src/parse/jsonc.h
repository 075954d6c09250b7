/*
 * para's config files are JSON that may also hold comments (// to the end of
 * the line, or between slash-star and star-slash) and a trailing comma before
 * } or ] (as editors' settings files do). This module reads and edits such
 * text without disturbing what it does not touch:
 *
 *   jsonc_strip   the text as strict JSON, every byte at its original offset
 *                 (comments and trailing commas become spaces, newlines stay),
 *                 so a parser's byte position is one of the file;
 *   jsonc_find    where the member at a path of object keys is, in bytes;
 *   jsonc_set     the text with one value replaced, or inserted (with the
 *                 objects on its way) in the style of its neighbours;
 *   jsonc_unset   the text without one member (and its line, when it had one).
 *
 * Everything else of the text, comments, order and layout included, is kept
 * byte for byte. The functions are pure: no I/O, no state, nothing printed;
 * a result is a new allocation for the caller to free.
 */
#ifndef PARA_JSONC_H
#define PARA_JSONC_H
#include <stddef.h>

/* A new NUL-terminated copy of text[0..len) as strict JSON (same length).
 * Comment bytes become spaces but line breaks (\n and \r) stay; a comma
 * after a value with only space and comments between it and a } or ]
 * becomes a space. An unterminated block comment is blanked to the end.
 * Strings are never touched: "//" inside a string stays. Byte offsets are
 * the file's; a column in characters can differ after a comment holding
 * multibyte characters, so give a parser's byte position
 * (json_error_t.position) to jsonc_linecol with the original text. */
char *jsonc_strip(const char *text, size_t len);

struct jsonc_loc {
	/* found: the member's key string (quotes included) and its value */
	size_t key_start, key_end;
	size_t value_start, value_end;
	/* found or not: the innermost object on the path that exists, from its
	 * '{' to just past its '}', and how many keys of the path lead to it
	 * (0: the top-level object) */
	size_t obj_start, obj_end;
	size_t depth;
};

/*
 * Find keys[0..n) in text (JSON with comments: it is stripped here). 1 when
 * the member exists (all of loc set), 0 when it does not (obj_* and depth
 * set: the deepest object of the path that exists; a prefix naming a
 * non-object value also stops there, and then key_* and value_* are that
 * member's, else 0), -1 when text is not one JSON object (all of loc 0).
 * n == 0 is 0 with the top-level object. Keys compare after decoding the
 * JSON string escapes of the text (\uXXXX, surrogate pairs too, as UTF-8).
 * With a duplicated key, the last one counts (as jansson without
 * JSON_REJECT_DUPLICATES would).
 */
int jsonc_find(const char *text, size_t len, const char *const *keys, size_t n,
	       struct jsonc_loc *loc);

/* 1-based line and column of byte offset off (a column counts UTF-8
 * characters, as jansson's do: bytes 0x80-0xBF do not count). */
void jsonc_linecol(const char *text, size_t off, int *line, int *column);

/*
 * A new text with the value at keys[0..n) set to value (strict JSON, one
 * value; the caller made it, e.g. with json_dumps; the blanks around it are
 * dropped, and its line breaks are followed by the member's indentation). An
 * existing value is replaced in place. A missing member is added at the end
 * of the deepest existing object, the missing objects between made as nested
 * objects, with a comma after the member before it (right after its value,
 * before a comment on its line; none when the object ends in a trailing
 * comma). In an object that spans lines, the member gets a line of its own,
 * indented like that object's other members, and its nested objects span
 * lines one indent step (the file's first indented line's blanks, else two
 * spaces) deeper each; an empty object is opened up so, one step deeper than
 * its own line, unless all of the file is on one line. An object on one line
 * stays on one line ({"a": 1, "b": {"c": 2}}), spaced like the file's first
 * member. A prefix that names a non-object value is replaced by a new object.
 * Empty or blank text counts as {}: the result is that object, pretty, with a
 * final newline (after the comments, when the text had only comments).
 * NULL when text is not one JSON object, holds a NUL byte (the result is a
 * string), value is not one JSON value, or n == 0.
 */
char *jsonc_set(const char *text, size_t len, const char *const *keys, size_t n,
		const char *value);

/*
 * A new text without the member at keys[0..n): its key, value and the comma
 * that separated it from a neighbour (the comma after it; for the last member
 * without one, the comma before it). When the member had lines of its own
 * (only blanks before it on its first line; only blanks, its comma and
 * comments that end on that line after it on its last), those lines go, the
 * comments on its last line with them. A duplicated key goes every time it
 * is there (else the one before would count). *found (when found is not
 * NULL) says whether it existed (the copy is the text unchanged when not).
 * NULL when text is not one JSON object or holds a NUL byte.
 */
char *jsonc_unset(const char *text, size_t len, const char *const *keys, size_t n,
		  int *found);

#endif
