#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sig.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

char *path_join(const char *a, const char *b)
{
	if (b[0] == '/' || !a[0])
		return xstrdup(b);
	size_t la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int mkdir_p(const char *path, mode_t mode, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, path);
	for (size_t i = 1; i <= sb.len; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		char saved = sb.buf[i];
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, mode) < 0 && errno != EEXIST) {
			error_errno(err, PARA_EXIT_FAIL, "cannot create directory '%s'", sb.buf);
			strbuf_release(&sb);
			return -1;
		}
		sb.buf[i] = saved;
	}
	strbuf_release(&sb);
	if (!is_dir(path))
		return error_set(err, PARA_EXIT_FAIL, "cannot create directory '%s': a file is in the way", path);
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	int r = fsync(dfd);
	close(dfd);
	return r;
}

/* Temporary files of writers that were killed between link and rename. */
static void remove_stale_temps(const char *dir, const char *base)
{
	char *prefix = xasprintf(".%s.tmp.", base);
	size_t pl = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, pl))
			continue;
		char *end;
		long pid = strtol(de->d_name + pl, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			char *p = path_join(dir, de->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(prefix);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *err)
{
	char *dir = path_dirname(path);
	char *tmp = xasprintf("%s/.%s.tmp.%ld", dir, path_basename(path), (long)getpid());
	int ret = -1;
	/* an unnamed file first: a writer killed before the rename leaves
	 * nothing behind (but for the instant between link and rename) */
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	int named = fd < 0;
	if (named)
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		error_errno(err, PARA_EXIT_FAIL, "cannot write '%s'", path);
		goto out;
	}
	if (!named)
		fchmod(fd, mode);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (!named) {
		char *proc = xasprintf("/proc/self/fd/%d", fd);
		unlink(tmp);
		int r = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
		free(proc);
		if (r < 0)
			goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	sync_dir(dir);
	remove_stale_temps(dir, path_basename(path));
	ret = 0;
	goto out;
fail:
	error_errno(err, PARA_EXIT_FAIL, "cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return ret;
}

/*
 * Waiting polls rather than blocks in flock: the signal handlers restart
 * system calls (SA_RESTART), and a para waiting on another must still stop
 * on Ctrl-C or SIGTERM.
 */
int lock_acquire(const char *path, int wait, struct error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot open lock '%s'", path);
	unsigned mark = sig_count();
	long nap_us = 1000;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		if (e == EWOULDBLOCK && wait && sig_count() == mark) {
			usleep((useconds_t)nap_us);
			nap_us = nap_us < 50000 ? nap_us * 2 : 50000;
			continue;
		}
		close(fd);
		errno = e;
		if (e == EWOULDBLOCK && wait)
			return error_set(err, 128 + sig_last(), "interrupted while waiting for another para command");
		if (e == EWOULDBLOCK)
			return error_set(err, PARA_EXIT_FAIL, "another para command is changing sessions in this repository; try again in a moment");
		return error_errno(err, PARA_EXIT_FAIL, "cannot lock '%s'", path);
	}
	return fd;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) < 0 ? -1 : 0;
	return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path, struct error *err)
{
	if (!path_exists(path))
		return 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		return error_errno(err, PARA_EXIT_FAIL, "cannot remove '%s'", path);
	return 0;
}
