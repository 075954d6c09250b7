/*
 * The build context of a project Dockerfile, and one hash of everything that
 * decides the image built from it: para tags the image with this hash and
 * builds only when no image has it (SPEC 2.1).
 *
 * Which files count is decided as BuildKit's context transfer decides it
 * (tonistiigi/fsutil's filter over moby/patternmatcher), the builder behind
 * `docker build` since Docker 23:
 *   - the ignore file is <Dockerfile>.dockerignore beside the Dockerfile when
 *     that exists (even empty), else .dockerignore at the context root;
 *   - every path is matched with its parent directory's results
 *     (MatchesUsingParentResults); an excluded directory is walked into only
 *     when an exception could take something under it back: always when some
 *     '!' pattern has a wildcard, else only when a '!' pattern lies below it;
 *     an excluded directory that is walked into counts only if something under
 *     it counts, and one that cannot be read is then passed over, as BuildKit
 *     does (an unreadable directory or file that counts is an error);
 *   - .dockerignore and the Dockerfile get no special treatment: matched, they
 *     are left out like any file. (The classic builder's CLI does send them
 *     anyway, appending "!.dockerignore" and "!<Dockerfile>" to the patterns,
 *     but the daemon then deletes them from the context before the build
 *     (builder/remotecontext/detect.go removeDockerfile), so no instruction
 *     sees them there either. The Dockerfile's text is hashed on its own.)
 *   - symlinks are never followed: a link counts as its target text;
 *   - the directories in exclude_dirs (para's own state) are left out with
 *     everything under them, whatever the ignore file says; the engine must be
 *     kept from seeing them by the caller.
 * Older senders differ on rare patterns, and para follows today's BuildKit:
 * the classic builder descends into an excluded directory only on a prefix
 * match whatever the wildcards, never sends the directory itself, and has no
 * per-Dockerfile ignore file; the fsutil in Docker 20.10's CLI also descends
 * on a prefix match only, and sends such a directory even when nothing under
 * it counts. (Checked against Docker 20.10 with BuildKit: a FROM scratch +
 * COPY . / image holds exactly the walk's entries, up to those two rules.)
 * Since para streams the walk itself to the engine as a tar, what it hashes
 * and what the engine gets agree whatever the builder.
 *
 * The hash covers a format version, the Dockerfile's text, the build args
 * (sorted; for a repeated key the last value wins, as with docker), the
 * target, and for every entry in path order ('/' sorting first, i.e. a
 * depth-first walk with sorted names): its relative path, its type, its
 * permission bits (COPY keeps them), and the content hash of a file (XXH3-128),
 * the target of a symlink, the device number of a device. Not covered: owners
 * (BuildKit resets them), timestamps, extended attributes, hard-link identity.
 *
 * Stat cache: at cache_path, the file's relative path -> (size, mtime, ctime,
 * inode, content hash) of the last run, so that an unchanged context is
 * checked with stat() alone. A file whose ctime is not older than the start of
 * the run (on the kernel's coarse clock) is not cached, so a change made in
 * the same clock tick as the hashing cannot hide behind an equal stat. The
 * cache is rewritten (temporary file + rename) only when it changed; a
 * missing, stale or damaged cache only costs time, and a cache that cannot be
 * written is not an error (result.cache_written stays 0).
 */
#ifndef PARA_CONTAINER_BUILDCTX_H
#define PARA_CONTAINER_BUILDCTX_H
#include <stddef.h>
#include <sys/stat.h>

struct error;
struct strbuf;

struct buildctx_opts {
	const char *context_dir;         /* absolute */
	const char *dockerfile;          /* absolute path of the Dockerfile (may be outside the context) */
	const char *const *exclude_dirs; /* absolute dirs (or files) never part of the context; NULL-terminated, may be NULL */
	const char *target;              /* may be NULL */
	const char *const *build_args;   /* "K=V" strings, NULL-terminated, may be NULL */
	const char *cache_path;          /* stat cache file, or NULL for none */
	/*
	 * Polled between files and between reads of a file (from several threads);
	 * nonzero stops the work at once, which then fails with that exit status
	 * ("interrupted"). NULL: never stop.
	 */
	int (*stop)(void);
	/* Files changed (ctime) at or after this time, in ns, are "racy": hashed
	 * every time, never cached. 0: the clock's current coarse tick. */
	long long trust_before;
};

struct buildctx_result {
	char hash[33];       /* 32 lowercase hex digits */
	size_t files;        /* regular files in the context */
	size_t bytes;        /* their total size */
	size_t hashed_files; /* files whose contents were read (stat cache misses) */
	int cache_written;   /* the stat cache was (re)written */
};

/*
 * Walk the context and hash it. Returns 0, or -1 with err naming what could
 * not be read (the Dockerfile, the ignore file, a directory or file that
 * counts) or a bad ignore pattern (with its line). res is untouched on failure.
 */
int buildctx_hash(const struct buildctx_opts *o, struct buildctx_result *res, struct error *err);

/*
 * What buildctx_stream hands on: each entry that counts, in hash order (its
 * path, a stat holding its mode, size and rdev, a symlink's target), and
 * after a regular file's entry its bytes in chunks. entry returns < 0 to
 * stop (returned as is), 0 for the bytes to follow, 1 to have them skipped.
 */
struct buildctx_sink {
	int (*entry)(void *ctx, const char *rel, const struct stat *st, const char *link);
	int (*data)(void *ctx, const void *buf, size_t n);
	void *ctx;
};

/*
 * One pass for sending the context (a tar to `docker build -`): each file
 * is opened once, and its bytes go to the sink and into the hash together,
 * so hash (33 bytes) is the hash of exactly what was sent; dockerfile gets
 * the Dockerfile as hashed. A file whose size changes while it is read is an
 * error.
 */
int buildctx_stream(const struct buildctx_opts *o, const struct buildctx_sink *sink, char *hash,
		    struct strbuf *dockerfile, struct error *err);

#endif
