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

/* mailbox.h: read and remove access to one mailbox through a directory fd. */

#ifndef MAILBOX_H
#define MAILBOX_H

#include <sys/types.h>
#include <sys/stat.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A mailbox is one directory, opened once; every later access is relative
 * to that fd (openat/fstatat/unlinkat, never following symlinks).  Only
 * regular files with a visible name (mailbox_name_ok) directly in the
 * directory exist for clients; everything else is invisible.
 */

#define MAILBOX_NAME_MAX	NAME_MAX	/* longest file name */
#define MAILBOX_PATH_MAX	PATH_MAX	/* longest client path */

/* mailbox_resolve() results; errors are negative errno values. */
#define MAILBOX_ROOT		0	/* the mailbox directory itself */
#define MAILBOX_FILE		1	/* a visible name, copied out */

struct mailbox;
struct mailbox_dir;

/* path: the directory; name: the mailbox name written into notes. */
struct mailbox	*mailbox_open(const char *path, const char *name);
void		 mailbox_close(struct mailbox *mb);
int		 mailbox_fd(const struct mailbox *mb);
const char	*mailbox_path(const struct mailbox *mb);
const char	*mailbox_name(const struct mailbox *mb);

/*
 * Names: a visible name ends in ".age", has a non-empty stem, does not
 * start with '.', and holds no '/', NUL or control character.  A seq name
 * is layout.h's.
 */
int	mailbox_name_ok(const char *name, size_t len);

/*
 * Map a client path (raw bytes, not NUL-terminated) to the mailbox root or
 * one visible name.  "", ".", "/" and the mailbox's own absolute path are
 * the root; "NAME", "/NAME" and "<mailbox path>/NAME" a file.  Empty and
 * "." components are ignored.  ".." or NUL anywhere: -EACCES.  Anything
 * else (subdirectories, other names): -ENOENT.  Existence is not checked.
 */
int	mailbox_resolve(const struct mailbox *mb, const void *path, size_t len,
	    char name[MAILBOX_NAME_MAX + 1]);

/* 0, or -1 with errno; a visible name that is not a regular file: ENOENT. */
int	mailbox_stat(const struct mailbox *mb, const char *name,
	    struct stat *st);
int	mailbox_stat_root(const struct mailbox *mb, struct stat *st);
/* Read-only fd of a visible regular file, or -1 with errno. */
int	mailbox_open_file(const struct mailbox *mb, const char *name,
	    struct stat *st);
/*
 * Remove a visible regular file; for a seq name first write its note
 * (.pfish/notes/N.note) durably.  *noted tells whether a note was written.
 * 0, or -1 with errno.
 */
int	mailbox_remove(const struct mailbox *mb, const char *name,
	    uint64_t now, int *noted);
/* Create .pfish, .pfish/notes and .pfish/tmp if missing; 0 or -1. */
int	mailbox_prepare_state(const struct mailbox *mb);

/*
 * Streaming listing in constant memory: each call returns the next visible
 * regular file (1), the end (0) or -1 with errno.  *namep stays valid until
 * the next call.
 */
struct mailbox_dir *mailbox_opendir(const struct mailbox *mb);
int	mailbox_readdir(struct mailbox_dir *d, const char **namep,
	    struct stat *st);
void	mailbox_closedir(struct mailbox_dir *d);

#endif /* MAILBOX_H */
