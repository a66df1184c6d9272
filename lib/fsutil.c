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

/* fsutil.c: durable file writes (temp, fsync, rename, dir fsync), reads. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"

int
fs_write_all(int fd, const void *data, size_t len)
{
	const u_char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fs_fsync_dir(int dirfd)
{
	while (fsync(dirfd) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int
fs_tmp_create(int tmpfd, mode_t mode, char *tmpname, size_t tmplen)
{
	uint32_t rnd;
	int fd, i, n;

	for (i = 0; i < 100; i++) {
		rnd = randombytes_random();
		n = snprintf(tmpname, tmplen, ".tmp.%ld.%08x", (long)getpid(),
		    (unsigned)rnd);
		if (n < 0 || (size_t)n >= tmplen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(tmpfd, tmpname, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd != -1) {
			/* umask must not loosen or tighten what we ask for. */
			if (fchmod(fd, mode) == -1) {
				close(fd);
				unlinkat(tmpfd, tmpname, 0);
				return -1;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* A new random stem: the process id and 64 random bits. */
static int
tmpgen_stem(struct fs_tmpgen *g)
{
	uint64_t rnd;
	int n;

	randombytes_buf(&rnd, sizeof(rnd));
	n = snprintf(g->stem, sizeof(g->stem), ".tmp.%ld.%016llx",
	    (long)getpid(), (unsigned long long)rnd);
	g->n = 0;
	if (n < 0 || (size_t)n >= sizeof(g->stem)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
fs_tmpgen_init(struct fs_tmpgen *g, int tmpfd, mode_t mode)
{
	memset(g, 0, sizeof(*g));
	g->dirfd = tmpfd;
	g->mode = mode;
	return tmpgen_stem(g);
}

int
fs_tmpgen_create(struct fs_tmpgen *g, char *tmpname, size_t tmplen)
{
	struct stat st;
	int fd = -1, i, n, saved;

	for (i = 0; i < 100 && fd == -1; i++) {
		n = snprintf(tmpname, tmplen, "%s.%llu", g->stem,
		    (unsigned long long)g->n++);
		if (n < 0 || (size_t)n >= tmplen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(g->dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, g->mode);
		/* Taken (another run, or one killed): a stem of our own. */
		if (fd == -1 && (errno != EEXIST || tmpgen_stem(g) != 0))
			return -1;
	}
	if (fd == -1) {
		errno = EEXIST;
		return -1;
	}
	/*
	 * The umask and a default ACL can only take bits away.  When the
	 * first file has every bit asked for, nothing takes any, and the
	 * fchmod fs_tmp_create does for each file is left out.
	 */
	if (g->exact == 0) {
		if (fstat(fd, &st) == -1)
			goto bad;
		g->exact = (st.st_mode & 07777) == (g->mode & 07777) ? 1 : -1;
	}
	if (g->exact == -1 && fchmod(fd, g->mode) == -1)
		goto bad;
	return fd;
 bad:
	saved = errno;
	close(fd);
	(void)unlinkat(g->dirfd, tmpname, 0);
	errno = saved;
	return -1;
}

int
fs_rename_new(int fromfd, const char *from, int tofd, const char *to)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* link(2) never replaces; the old name goes once the new is there. */
	if (linkat(fromfd, from, tofd, to, 0) == -1)
		return -1;
	(void)unlinkat(fromfd, from, 0);
	return 0;
}

static int
commit(int fd, int tmpfd, const char *tmpname, int dirfd, const char *name,
    int replace)
{
	int saved, r = -1;

	if (fsync(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto out;
	}
	if (close(fd) == -1)
		goto out;
	if (replace ? renameat(tmpfd, tmpname, dirfd, name) == -1 :
	    fs_rename_new(tmpfd, tmpname, dirfd, name) == -1)
		goto out;
	/*
	 * Only the new name must be durable; a temp name that comes back
	 * after a crash is an orphan that expire removes.
	 */
	if (fs_fsync_dir(dirfd) == -1)
		return -1;	/* renamed; durability unknown */
	return 0;
 out:
	saved = errno;
	unlinkat(tmpfd, tmpname, 0);
	errno = saved;
	return r;
}

int
fs_commit(int fd, int tmpfd, const char *tmpname, int dirfd,
    const char *name)
{
	return commit(fd, tmpfd, tmpname, dirfd, name, 1);
}

int
fs_commit_new(int fd, int tmpfd, const char *tmpname, int dirfd,
    const char *name)
{
	return commit(fd, tmpfd, tmpname, dirfd, name, 0);
}

int
fs_write_atomic(int dirfd, int tmpfd, const char *name, const void *data,
    size_t len, mode_t mode)
{
	char tmpname[64];
	int fd, saved;

	if ((fd = fs_tmp_create(tmpfd, mode, tmpname, sizeof(tmpname))) == -1)
		return -1;
	if (fs_write_all(fd, data, len) == -1) {
		saved = errno;
		close(fd);
		unlinkat(tmpfd, tmpname, 0);
		errno = saved;
		return -1;
	}
	return fs_commit(fd, tmpfd, tmpname, dirfd, name);
}

int
fs_read_file(int dirfd, const char *name, size_t max, u_char **data,
    size_t *len)
{
	struct stat st;
	u_char *p = NULL;
	size_t off = 0;
	ssize_t n;
	int fd, saved;

	*data = NULL;
	*len = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((uintmax_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	/*
	 * Read to EOF but never beyond what fstat promised.  Each read asks
	 * for one byte more than is left: a read that stops short at the
	 * promised size has met the end of the (regular) file, so the usual
	 * file takes one read, not a second one that returns 0.
	 */
	while (off <= (size_t)st.st_size) {
		n = read(fd, p + off, (size_t)st.st_size + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		off += (size_t)n;
		if (off > (size_t)st.st_size) {
			errno = EFBIG;	/* grew while we read */
			goto fail;
		}
		if (off == (size_t)st.st_size)
			break;
	}
	close(fd);
	p[off] = '\0';
	*data = p;
	*len = off;
	return 0;
 fail:
	saved = errno;
	free(p);
	close(fd);
	errno = saved;
	return -1;
}

int
fs_open_dir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

DIR *
fs_dir_stream(int dirfd)
{
	int fd;
	DIR *d;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}
