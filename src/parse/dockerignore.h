/*
 * .dockerignore: reading the file and matching paths against its patterns,
 * with the semantics of moby/patternmatcher (and its ignorefile.ReadAll),
 * which both the classic builder and BuildKit use.
 *
 * Pure functions over buffers and strings: no file or environment access.
 *
 * How a pattern matches (as moby does it, not as the docs say):
 *   - each pattern is TrimSpace'd and filepath.Clean'ed; a leading '!' makes
 *     it an exception ("re-include"); "!" alone is an error;
 *   - the pattern must be a valid Go filepath.Match pattern (a bad '[' class or
 *     a trailing '\' is an error);
 *   - patterns without wildcards compare as plain strings, one ending in a
 *     double star as a prefix, one starting with it as a suffix; the others
 *     are globs, anchored at both ends: a star is any run of characters but
 *     '/', '?' one character but '/', a double star (with the '/' after it)
 *     nothing or anything ending in '/' ("a/<dstar>/b" is "a/b" or "a/.../b"),
 *     or anything at the end; '[...]' is a class of characters and ranges,
 *     "[^...]" its complement ('!' is an ordinary character), and it can
 *     match '/'; '\' before punctuation quotes it;
 *   - characters are runes as Go decodes them (a bad byte is U+FFFD), and the
 *     double star's "anything" stops at a newline, as moby's ".*" does;
 *   - the last pattern that matches decides, and a pattern also matches a
 *     path when it matches one of the path's parent directories.
 * moby gets there by pasting the pattern into a Go regular expression, which
 * lets some regexp syntax through ("\d", "a|b*", "[[:alpha:]]", "x{2}?",
 * '*' inside a class...). para refuses those patterns, naming what it does
 * not support; docs/dockerignore.md lists each one. Every error, Docker's
 * own and these, is reported when the patterns are compiled.
 */
#ifndef PARA_PARSE_DOCKERIGNORE_H
#define PARA_PARSE_DOCKERIGNORE_H
#include <stddef.h>

struct error;
struct strvec;
struct di_glob;

enum di_match_type {
	DI_MATCH_EXACT,  /* path == text */
	DI_MATCH_PREFIX, /* "foo" + double star: path starts with "foo" */
	DI_MATCH_SUFFIX, /* double star + "foo": path ends with "foo" (or is it, after a '/') */
	DI_MATCH_GLOB,   /* wildcards: matched by the glob matcher */
};

struct dockerignore_pattern {
	char *text;          /* cleaned pattern without its '!' (Pattern.String()) */
	int exclusion;       /* a '!' pattern: takes paths back in */
	enum di_match_type type;
	struct di_glob *glob; /* DI_MATCH_GLOB only */
};

struct dockerignore {
	struct dockerignore_pattern *pat;
	size_t nr, alloc;
	int has_exclusions;         /* some pattern starts with '!' */
	int only_prefix_exceptions; /* BuildKit: no '!' pattern has a wildcard (see below) */
	size_t steps;               /* glob matcher states of all patterns, at most DOCKERIGNORE_MAX_STEPS */
};

#define DOCKERIGNORE_INIT { NULL, 0, 0, 0, 1, 0 }
/*
 * A bound on the work (and memory) patterns may ask for. A glob has one state
 * per wildcard, class or character (three for a double star), plus one;
 * matching a path reads each of its characters once and steps through at
 * most that many states per character. What fits here is thousands of
 * ordinary lines; past it compiling fails with exit status 4.
 */
#define DOCKERIGNORE_MAX_STEPS (1u << 20)

void dockerignore_init(struct dockerignore *di);
void dockerignore_release(struct dockerignore *di);

/*
 * ignorefile.ReadAll: split buf into the pattern list Docker builds from a
 * .dockerignore. A UTF-8 BOM is dropped from the first line; lines end at
 * '\n' (a trailing '\r' is dropped); a line is a comment only when '#' is its
 * first byte; lines are trimmed (Unicode white space), empty ones skipped; a
 * leading '!' is kept and the rest trimmed again; the pattern is
 * filepath.Clean'ed and one leading '/' removed. "!" alone is kept here (it
 * is an error only when compiled). A line of 64 KiB or more is an error, as
 * bufio.Scanner makes it. Appends to out; returns 0 or -1 (out unchanged).
 */
int dockerignore_read(const char *buf, size_t len, struct strvec *out, struct error *err);

/*
 * dockerignore_read + dockerignore_compile, as a builder does with a
 * .dockerignore file; errors name the line. out must be initialised (and
 * empty); on failure it is left empty.
 */
int dockerignore_parse(const char *buf, size_t len, struct dockerignore *out, struct error *err);

/*
 * patternmatcher.New: compile n patterns (empty ones are skipped). out must be
 * initialised (and empty); on failure it is left empty and err names the
 * pattern.
 */
int dockerignore_compile(const char *const *patterns, size_t n, struct dockerignore *out,
			 struct error *err);

/*
 * PatternMatcher.MatchesOrParentMatches(path): 1 when path (slash-separated,
 * relative to the context, not cleaned) is excluded, 0 when it is not.
 */
int dockerignore_matches(const struct dockerignore *di, const char *path);

/*
 * PatternMatcher.MatchesUsingParentResults, the form BuildKit's walker uses:
 * parent is the match info of the path's parent directory (di->nr bytes, or
 * NULL for a path at the top of the context, or when it is not known); the
 * path's own info is stored in info (di->nr bytes) for its children.
 */
int dockerignore_matches_parent(const struct dockerignore *di, const char *path,
				const unsigned char *parent, unsigned char *info);

/*
 * BuildKit (tonistiigi/fsutil) walks into an excluded directory only when an
 * exception could take something inside it back: always when some '!'
 * pattern (less a trailing slash-double-star or slash-star) has a wildcard
 * (only_prefix_exceptions is 0), otherwise only when such a pattern lies
 * below dir. Returns 1 when the excluded directory dir must still be walked.
 */
int dockerignore_descend_excluded(const struct dockerignore *di, const char *dir);

/* Go's filepath.Clean for '/'-separated paths; returns a new string. */
char *dockerignore_clean_path(const char *path);

#endif
