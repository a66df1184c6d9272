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

/* store-expire.c: pfish-store expire: files below the head's low. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <time.h>

#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"

/* A delete file is expired when every seq it names is below low. */
static int
delete_below(int dirfd, const char *name, uint64_t low)
{
	struct stmt_delete d;
	u_char *data;
	size_t len, tl;
	int below = 0;

	if (fs_read_file(dirfd, name, STMT_SIGNED_MAX, &data, &len) == -1)
		return 0;
	if (stmt_split_signed(data, len, &tl) == 0 &&
	    stmt_delete_parse(data, tl, &d) == 0) {
		below = d.del[d.ndel - 1].seq < low;
		stmt_delete_clear(&d);
	}
	free(data);
	return below;
}

/* Unlink SEQ<suffix> files below low (deletes: see delete_below). */
static int
remove_below(int dirfd, const char *suffix, uint64_t low, int *count)
{
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int ret = 0;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(suffix, PFISH_DEL_SUFFIX) == 0) {
			if (!delete_below(dirfd, de->d_name, low))
				continue;
		} else if (layout_seq_parse(de->d_name, suffix, &seq) != 0 ||
		    seq >= low)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == -1 && errno != ENOENT)
			ret = -1;
		else
			(*count)++;
	}
	closedir(d);
	if (fs_fsync_dir(dirfd) == -1)
		ret = -1;
	return ret;
}

/* Leftovers of crashed writers. */
static void
clean_tmp(const struct store *s, int dirfd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp.", 5) != 0 ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_mtime + STORE_TMP_AGE > s->now)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* voids/ below low, in mailboxes that have one. */
static int
expire_voids(const struct mbdir *m, uint64_t low, int *n)
{
	int fd, r;

	if ((fd = fs_open_dir(m->dir, PFISH_VOIDS_DIR)) == -1)
		return errno == ENOENT ? 0 : -1;
	r = remove_below(fd, PFISH_VOID_SUFFIX, low, n);
	close(fd);
	return r;
}

int
store_expire_one(struct store *s, const char *name)
{
	struct stmt_head h;
	struct mbdir m;
	u_char *hd = NULL;
	size_t hl;
	int n = 0, r, ret = 1;

	if (mbdir_open(s, name, &m) == -1) {
		warn("expire: %s", name);
		return 1;
	}
	if (mbdir_lock(&m) == -1)
		goto out;
	if ((r = store_head_load(s, &m, &h, &hd, &hl)) != 0) {
		warnx("expire: %s: no valid head (%s), nothing removed", name,
		    r == -1 ? strerror(errno) : pfish_strerror(r));
		goto out;
	}
	/* Messages first, records last: never a message without record. */
	if (remove_below(m.dir, PFISH_AGE_SUFFIX, h.low, &n) == -1 ||
	    remove_below(m.notes, PFISH_NOTE_SUFFIX, h.low, &n) == -1 ||
	    remove_below(m.del, PFISH_DEL_SUFFIX, h.low, &n) == -1 ||
	    expire_voids(&m, h.low, &n) == -1 ||
	    remove_below(m.rec, PFISH_REC_SUFFIX, h.low, &n) == -1) {
		warn("expire: %s", name);
		goto out;
	}
	clean_tmp(s, m.tmp);
	if (n > 0) {
		printf("expired %s below %llu: %d files\n", name,
		    (unsigned long long)h.low, n);
		syslog(LOG_INFO, "expired %s below seq %llu: %d files", name,
		    (unsigned long long)h.low, n);
	}
	ret = 0;
 out:
	free(hd);
	mbdir_close(&m);
	return ret;
}

/* store_each_mailbox: the largest return of expire_one wins. */
static int
expire_each(struct store *s, const char *name, void *arg)
{
	int *ret = arg, r;

	if ((r = store_expire_one(s, name)) > *ret)
		*ret = r;
	return 0;
}

int
store_expire(struct store *s, int argc, char **argv)
{
	int i, r, ret = 0;

	if (argc == 0)
		return store_each_mailbox(s, expire_each, &ret) != 0 ? 1 : ret;
	for (i = 0; i < argc; i++)
		if ((r = store_expire_one(s, argv[i])) != 0)
			ret = r;
	return ret;
}
