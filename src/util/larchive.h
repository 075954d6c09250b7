/*
 * libarchive, loaded (dlopen) the first time a command reads or writes a
 * tar stream (a build context, a home volume, the egress proxy's image),
 * not at every para start: linked in, it and what it links (libxml2, ICU,
 * libstdc++, the compressors) were ~2.4 ms of each para command's 3.2 ms
 * start. A file that uses it includes this header instead of <archive.h>:
 * its calls go through the loaded table under their own names. Whoever
 * makes an archive or entry (archive_read_new, archive_write_new,
 * archive_entry_new) calls larchive_load first, which says so when the
 * library is not there.
 */
#ifndef PARA_LARCHIVE_H
#define PARA_LARCHIVE_H
#include <archive.h>
#include <archive_entry.h>

#include "util/error.h"

#define LARCHIVE_FUNCS(X)                                                                                         \
	X(archive_entry_copy_hardlink) X(archive_entry_copy_pathname) X(archive_entry_copy_stat)                  \
	X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_hardlink) X(archive_entry_new)             \
	X(archive_entry_pathname) X(archive_entry_set_filetype) X(archive_entry_set_gid) X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) X(archive_entry_set_perm) X(archive_entry_set_size)                         \
	X(archive_entry_set_symlink) X(archive_entry_set_uid) X(archive_error_string) X(archive_read_data)         \
	X(archive_read_free) X(archive_read_new) X(archive_read_next_header) X(archive_read_open_fd)               \
	X(archive_read_support_format_tar) X(archive_write_close) X(archive_write_data) X(archive_write_free)      \
	X(archive_write_header) X(archive_write_new) X(archive_write_open_fd)                                     \
	X(archive_write_set_bytes_in_last_block) X(archive_write_set_format_pax_restricted)

#define LARCHIVE_MEMBER(f) __typeof__(f) *f;
struct larchive_fns {
	LARCHIVE_FUNCS(LARCHIVE_MEMBER)
};
#undef LARCHIVE_MEMBER

/* 0 once libarchive is loaded; -1 with err when it cannot be. */
int larchive_load(struct error *err);
/* The loaded table (larchive_load first). */
const struct larchive_fns *larchive_fns(void);

#ifndef LARCHIVE_IMPL
#define archive_entry_copy_hardlink (larchive_fns()->archive_entry_copy_hardlink)
#define archive_entry_copy_pathname (larchive_fns()->archive_entry_copy_pathname)
#define archive_entry_copy_stat (larchive_fns()->archive_entry_copy_stat)
#define archive_entry_filetype (larchive_fns()->archive_entry_filetype)
#define archive_entry_free (larchive_fns()->archive_entry_free)
#define archive_entry_hardlink (larchive_fns()->archive_entry_hardlink)
#define archive_entry_new (larchive_fns()->archive_entry_new)
#define archive_entry_pathname (larchive_fns()->archive_entry_pathname)
#define archive_entry_set_filetype (larchive_fns()->archive_entry_set_filetype)
#define archive_entry_set_gid (larchive_fns()->archive_entry_set_gid)
#define archive_entry_set_mtime (larchive_fns()->archive_entry_set_mtime)
#define archive_entry_set_pathname (larchive_fns()->archive_entry_set_pathname)
#define archive_entry_set_perm (larchive_fns()->archive_entry_set_perm)
#define archive_entry_set_size (larchive_fns()->archive_entry_set_size)
#define archive_entry_set_symlink (larchive_fns()->archive_entry_set_symlink)
#define archive_entry_set_uid (larchive_fns()->archive_entry_set_uid)
#define archive_error_string (larchive_fns()->archive_error_string)
#define archive_read_data (larchive_fns()->archive_read_data)
#define archive_read_free (larchive_fns()->archive_read_free)
#define archive_read_new (larchive_fns()->archive_read_new)
#define archive_read_next_header (larchive_fns()->archive_read_next_header)
#define archive_read_open_fd (larchive_fns()->archive_read_open_fd)
#define archive_read_support_format_tar (larchive_fns()->archive_read_support_format_tar)
#define archive_write_close (larchive_fns()->archive_write_close)
#define archive_write_data (larchive_fns()->archive_write_data)
#define archive_write_free (larchive_fns()->archive_write_free)
#define archive_write_header (larchive_fns()->archive_write_header)
#define archive_write_new (larchive_fns()->archive_write_new)
#define archive_write_open_fd (larchive_fns()->archive_write_open_fd)
#define archive_write_set_bytes_in_last_block (larchive_fns()->archive_write_set_bytes_in_last_block)
#define archive_write_set_format_pax_restricted (larchive_fns()->archive_write_set_format_pax_restricted)
#endif

#endif
