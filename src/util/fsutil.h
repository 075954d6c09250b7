/* Files and paths: atomic writes, locks, directory helpers. */
#ifndef PARA_FSUTIL_H
#define PARA_FSUTIL_H
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* "a/b" from a and b; b absolute → b. Never NULL. */
char *path_join(const char *a, const char *b);
/* Parent directory of path (a new string); "/" for "/x". */
char *path_dirname(const char *path);
const char *path_basename(const char *path);

int is_dir(const char *path);
int path_exists(const char *path);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct error *err);

/*
 * Replace path with data atomically: write a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory. A crash at
 * any point leaves either the old or the new content, never a mix.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *err);

/*
 * Take an exclusive flock on path (created when missing). wait=0 fails at once
 * when another process holds it. Returns the fd to pass to lock_release().
 */
int lock_acquire(const char *path, int wait, struct error *err);
void lock_release(int fd);

/* rm -rf; returns 0 or -1 with err set. A missing path is fine. */
int remove_tree(const char *path, struct error *err);

#endif
