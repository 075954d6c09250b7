/*
 * para's config files are JSON that may also hold comments (// to the end of
 * the line, or between slash-star and star-slash) and a trailing comma before } or ] (as editors' settings files do). This module
 * reads and edits such text without disturbing what it does not touch:
 *
 *   jsonc_strip   the text as strict JSON, every byte at its original offset
 *                 (comments and trailing commas become spaces, newlines stay),
 *                 so a parser's line:column is a line:column of the file;
 *   jsonc_find    where the member at a path of object keys is, in bytes;
 *   jsonc_set     the text with one value replaced, or inserted (with the
 *                 objects on its way) in the style of its neighbours;
 *   jsonc_unset   the text without one member (and its line, when it had one).
 *
 * Everything else of the text, comments, order and layout included, is kept
 * byte for byte. The functions are pure: no I/O, no allocation but the result.
 */
#ifndef PARA_JSONC_H
#define PARA_JSONC_H
#include <stddef.h>

/* A new NUL-terminated copy of text[0..len) as strict JSON (same length).
 * An unterminated block comment is blanked to the end. Strings are never
 * touched: "//" inside a string stays. */
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
 * non-object value also stops there), -1 when text is not one JSON object.
 * Keys compare after decoding the JSON string escapes of the text. With a
 * duplicated key, the last one counts (as jansson without
 * JSON_REJECT_DUPLICATES would).
 */
int jsonc_find(const char *text, size_t len, const char *const *keys, size_t n, struct jsonc_loc *loc);

/* 1-based line and column of byte offset off (a column counts UTF-8
 * characters, as jansson's do). */
void jsonc_linecol(const char *text, size_t off, int *line, int *column);

/*
 * A new text with the value at keys[0..n) set to value (strict JSON, one
 * value; the caller made it, e.g. with json_dumps). An existing value is
 * replaced in place. A missing member is added at the end of the deepest
 * existing object, the missing objects between made as nested objects,
 * indented like that object's other members (or one step deeper than its
 * own line, when it is empty), with a comma after the member before it. A
 * prefix that names a non-object value is replaced by a new object. NULL
 * when text is not one JSON object (empty or blank text counts as {}).
 * n >= 1.
 */
char *jsonc_set(const char *text, size_t len, const char *const *keys, size_t n, const char *value);

/*
 * A new text without the member at keys[0..n): its key, value and the comma
 * that separated it from a neighbour; when the member had lines of its own
 * (only blanks before it on its first line, only blanks and its comma after
 * it on its last), those lines go. *found says whether it existed (the copy
 * is the text unchanged when not). NULL when text is not one JSON object.
 */
char *jsonc_unset(const char *text, size_t len, const char *const *keys, size_t n, int *found);

#endif
