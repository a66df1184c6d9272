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

/* mailbox.c: read and remove access to one mailbox through a directory fd. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "pfish.h"
#include "buf.h"
#include "fsutil.h"
#include "mailbox.h"
#include "stmt.h"

struct mailbox {
	int		 fd;
	char		*path;		/* as given, without trailing '/' */
	size_t		 pathlen;
	char		*name;		/* written into notes */
	int		 name_valid;
};

struct mailbox_dir {
	DIR		*dir;
	int		 fd;		/* the mailbox's, for fstatat */
};

struct mailbox *
mailbox_open(const char *path, const char *name)
{
	struct mailbox *mb;
	int saved;

	if ((mb = calloc(1, sizeof(*mb))) == NULL)
		return NULL;
	mb->fd = -1;
	if ((mb->path = strdup(path)) == NULL ||
	    (mb->name = strdup(name)) == NULL)
		goto fail;
	mb->pathlen = strlen(mb->path);
	while (mb->pathlen > 1 && mb->path[mb->pathlen - 1] == '/')
		mb->path[--mb->pathlen] = '\0';
	mb->name_valid = stmt_valid_mailbox(name);
	mb->fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mb->fd == -1)
		goto fail;
	return mb;
 fail:
	saved = errno;
	mailbox_close(mb);
	errno = saved;
	return NULL;
}

void
mailbox_close(struct mailbox *mb)
{
	if (mb == NULL)
		return;
	if (mb->fd != -1)
		close(mb->fd);
	free(mb->path);
	free(mb->name);
	free(mb);
}

int
mailbox_fd(const struct mailbox *mb)
{
	return mb->fd;
}

const char *
mailbox_path(const struct mailbox *mb)
{
	return mb->path;
}

const char *
mailbox_name(const struct mailbox *mb)
{
	return mb->name;
}

int
mailbox_name_ok(const char *name, size_t len)
{
	size_t i, sl = sizeof(PFISH_AGE_SUFFIX) - 1;

	if (len <= sl || len > MAILBOX_NAME_MAX || name[0] == '.')
		return 0;
	if (memcmp(name + len - sl, PFISH_AGE_SUFFIX, sl) != 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '/' || (u_char)name[i] < 0x20 ||
		    (u_char)name[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* Walk the components after the mailbox prefix; see mailbox.h. */
static int
resolve_components(const char *p, size_t len, char *name)
{
	const char *c, *first = NULL;
	size_t clen, firstlen = 0, n = 0;

	while (len > 0) {
		c = p;
		while (len > 0 && *p != '/') {
			p++;
			len--;
		}
		clen = (size_t)(p - c);
		if (len > 0) {
			p++;
			len--;
		}
		if (clen == 0 || (clen == 1 && c[0] == '.'))
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.')
			return -EACCES;
		if (n++ == 0) {
			first = c;
			firstlen = clen;
		}
	}
	if (n == 0)
		return MAILBOX_ROOT;
	if (n > 1 || !mailbox_name_ok(first, firstlen))
		return -ENOENT;
	memcpy(name, first, firstlen);
	name[firstlen] = '\0';
	return MAILBOX_FILE;
}

int
mailbox_resolve(const struct mailbox *mb, const void *path, size_t len,
    char name[MAILBOX_NAME_MAX + 1])
{
	const char *p = path;

	name[0] = '\0';
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return -EACCES;
	if (len > MAILBOX_PATH_MAX)
		return -ENOENT;
	/* The mailbox's own path, matched as whole components only. */
	if (mb->pathlen > 1 && len >= mb->pathlen &&
	    memcmp(p, mb->path, mb->pathlen) == 0 &&
	    (len == mb->pathlen || p[mb->pathlen] == '/')) {
		p += mb->pathlen;
		len -= mb->pathlen;
	}
	return resolve_components(p, len, name);
}

int
mailbox_stat(const struct mailbox *mb, const char *name, struct stat *st)
{
	if (!mailbox_name_ok(name, strlen(name))) {
		errno = ENOENT;
		return -1;
	}
	if (fstatat(mb->fd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int
mailbox_stat_root(const struct mailbox *mb, struct stat *st)
{
	return fstat(mb->fd, st);
}

int
mailbox_open_file(const struct mailbox *mb, const char *name,
    struct stat *st)
{
	int fd;

	if (!mailbox_name_ok(name, strlen(name))) {
		errno = ENOENT;
		return -1;
	}
	/* O_NONBLOCK: a FIFO planted under a visible name must not hang us. */
	fd = openat(mb->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			errno = ENOENT;
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

static int
mkdir_at(int dfd, const char *name)
{
	if (mkdirat(dfd, name, PFISH_DIR_MODE) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
mailbox_prepare_state(const struct mailbox *mb)
{
	int sfd, r = -1;

	if (mkdir_at(mb->fd, PFISH_STATE_DIR) == -1 ||
	    (sfd = fs_open_dir(mb->fd, PFISH_STATE_DIR)) == -1)
		return -1;
	if (mkdir_at(sfd, PFISH_NOTES) == 0 && mkdir_at(sfd, PFISH_TMP) == 0)
		r = 0;
	close(sfd);
	return r;
}

/* Temp file in .pfish/tmp, fsync, rename into .pfish/notes, fsync dir. */
static int
store_note(const struct mailbox *mb, const struct buf *text,
    const char *final)
{
	int sfd = -1, tfd = -1, nfd = -1, r = -1, saved;

	/* Component by component, so no symlink is followed on the way. */
	if ((sfd = fs_open_dir(mb->fd, PFISH_STATE_DIR)) == -1 ||
	    (tfd = fs_open_dir(sfd, PFISH_TMP)) == -1 ||
	    (nfd = fs_open_dir(sfd, PFISH_NOTES)) == -1)
		goto out;
	r = fs_write_atomic(nfd, tfd, final, buf_ptr(text), buf_len(text),
	    PFISH_NOTE_MODE);
 out:
	saved = errno;
	if (sfd != -1)
		close(sfd);
	if (tfd != -1)
		close(tfd);
	if (nfd != -1)
		close(nfd);
	errno = saved;
	return r;
}

static int
mailbox_write_note(const struct mailbox *mb, uint64_t seq, uint64_t now)
{
	struct stmt_note note;
	struct buf *text = NULL;
	char final[32];
	int r = -1, saved;

	if (!mb->name_valid || seq == 0 || seq > PFISH_SEQ_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&note, 0, sizeof(note));
	if (strlcpy(note.mailbox, mb->name, sizeof(note.mailbox)) >=
	    sizeof(note.mailbox) ||
	    layout_seq_name(seq, PFISH_NOTE_SUFFIX, final, sizeof(final)) != 0) {
		errno = EINVAL;
		return -1;
	}
	note.seq = seq;
	note.time = now;
	if ((text = buf_new_max(STMT_TEXT_MAX)) == NULL)
		return -1;
	if (stmt_note_encode(&note, text) != 0) {
		errno = EINVAL;
		goto out;
	}
	if (mailbox_prepare_state(mb) == -1)
		goto out;
	r = store_note(mb, text, final);
 out:
	saved = errno;
	buf_free(text);
	errno = saved;
	return r;
}

int
mailbox_remove(const struct mailbox *mb, const char *name, uint64_t now,
    int *noted)
{
	struct stat st;
	uint64_t seq;

	*noted = 0;
	if (mailbox_stat(mb, name, &st) == -1)
		return -1;
	if (layout_seq_parse(name, PFISH_AGE_SUFFIX, &seq) == 0) {
		if (mailbox_write_note(mb, seq, now) == -1)
			return -1;
		*noted = 1;
	}
	if (unlinkat(mb->fd, name, 0) == -1)
		return -1;
	return fsync(mb->fd);
}

struct mailbox_dir *
mailbox_opendir(const struct mailbox *mb)
{
	struct mailbox_dir *d;
	int fd, saved;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->fd = mb->fd;
	if ((fd = fs_open_dir(mb->fd, ".")) == -1)
		goto fail;
	if ((d->dir = fdopendir(fd)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	return d;
 fail:
	saved = errno;
	free(d);
	errno = saved;
	return NULL;
}

int
mailbox_readdir(struct mailbox_dir *d, const char **namep, struct stat *st)
{
	struct dirent *de;

	*namep = NULL;
	for (;;) {
		errno = 0;
		if ((de = readdir(d->dir)) == NULL)
			return errno == 0 ? 0 : -1;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (!mailbox_name_ok(de->d_name, strlen(de->d_name)))
			continue;
		/* Gone or replaced since readdir: simply not listed. */
		if (fstatat(d->fd, de->d_name, st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st->st_mode))
			continue;
		*namep = de->d_name;
		return 1;
	}
}

void
mailbox_closedir(struct mailbox_dir *d)
{
	if (d == NULL)
		return;
	if (d->dir != NULL)
		closedir(d->dir);
	free(d);
}
