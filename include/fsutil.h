/*
 * Copyright (c) 2026 The pfish authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/* fsutil.h: durable file writes (temp, fsync, rename, dir fsync), reads. */

#ifndef FSUTIL_H
#define FSUTIL_H

#include <sys/types.h>

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

/*
 * All functions return 0 on success and -1 with errno set on failure.
 * Names are single path components, opened relative to a directory fd
 * with O_NOFOLLOW; a temp file lives in tmpfd's directory, which must be
 * on the same file system as dirfd's so rename(2) is atomic.
 */

int	fs_write_all(int fd, const void *data, size_t len);
int	fs_fsync_dir(int dirfd);

/* Create a fresh temp file (O_EXCL, mode) in tmpfd; name goes to tmpname. */
int	fs_tmp_create(int tmpfd, mode_t mode, char *tmpname, size_t tmplen);

/*
 * Temporary files for the many files of one run in one directory: a
 * stem drawn once (process id, 64 random bits), then a counter, where
 * fs_tmp_create draws randomness for every name.  O_EXCL still decides:
 * a name that exists (a concurrent run, what a killed one left) draws a
 * new stem.  The first file is checked for the mode; later ones are
 * fchmod'ed only if the umask or a default ACL took bits from it.
 */
struct fs_tmpgen {
	char		 stem[48];
	uint64_t	 n;
	mode_t		 mode;
	int		 dirfd;
	int		 exact;		/* 0 unknown, 1 as asked, -1 stripped */
};

int	fs_tmpgen_init(struct fs_tmpgen *g, int tmpfd, mode_t mode);
/* Like fs_tmp_create, in g's directory with g's mode. */
int	fs_tmpgen_create(struct fs_tmpgen *g, char *tmpname, size_t tmplen);

/*
 * fsync and close fd, rename tmpfd/tmpname to dirfd/name (replacing it)
 * and fsync dirfd.  On failure the temp file is removed.  fd is closed
 * either way.
 */
int	fs_commit(int fd, int tmpfd, const char *tmpname, int dirfd,
	    const char *name);

/*
 * Rename fromfd/from to tofd/to only if to does not exist: -1 with
 * errno EEXIST if it does (from stays).  Where the kernel or file system
 * cannot rename without replacing, a hard link and an unlink do it.
 */
int	fs_rename_new(int fromfd, const char *from, int tofd, const char *to);
/* fs_commit that never replaces name: -1 with errno EEXIST if it exists. */
int	fs_commit_new(int fd, int tmpfd, const char *tmpname, int dirfd,
	    const char *name);

/* The whole sequence for an in-memory file. */
int	fs_write_atomic(int dirfd, int tmpfd, const char *name,
	    const void *data, size_t len, mode_t mode);

/*
 * Read a regular file (O_NOFOLLOW) of at most max bytes into a fresh
 * malloc'd, NUL-terminated buffer.  errno is EFBIG when it is larger,
 * EINVAL when it is not a regular file, ELOOP for a symbolic link.
 */
int	fs_read_file(int dirfd, const char *name, size_t max, u_char **data,
	    size_t *len);

/* Open a directory below dirfd without following symlinks. */
int	fs_open_dir(int dirfd, const char *name);

/* A DIR stream over dirfd's directory that leaves dirfd itself open. */
DIR	*fs_dir_stream(int dirfd);

#endif /* FSUTIL_H */
