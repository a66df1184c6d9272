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

/* store-head.c: pfish-store head: store signed voids, install a newer head. */

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
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"

/*
 * A head may name records this store has not seen yet (in flight, or
 * lost between signer and store); where it has them they must match.
 */
static int
head_links(const struct store *s, const struct mbdir *m,
    const struct stmt_head *h)
{
	struct stored_record sr;
	int ret = 0;

	memset(&sr, 0, sizeof(sr));
	if (h->high > 0 && store_record_load(s, m, h->high, &sr) == 0 &&
	    memcmp(sr.hash, h->highhash, STMT_HASH_LEN) != 0)
		ret = EX_DATAERR;
	store_record_free(&sr);
	if (h->low > 1 && store_record_load(s, m, h->low - 1, &sr) == 0 &&
	    memcmp(sr.hash, h->lowprev, STMT_HASH_LEN) != 0)
		ret = EX_DATAERR;
	store_record_free(&sr);
	if (ret != 0)
		warnx("head: does not match the stored records");
	return ret;
}

/* Newer only: high and issued never go down; same content is a no-op. */
static int
head_newer(const struct store *s, const struct mbdir *m,
    const struct stmt_head *h, const struct buf *b, int *same)
{
	struct stmt_head old;
	u_char *od = NULL;
	size_t ol;
	int ret = 0;

	*same = 0;
	if (store_head_load(s, m, &old, &od, &ol) != 0)
		return 0;	/* none, or not valid: replace it */
	if (ol == buf_len(b) && memcmp(od, buf_ptr(b), ol) == 0)
		*same = 1;
	else if (strcmp(old.epoch, h->epoch) != 0 || h->high < old.high ||
	    h->issued < old.issued || h->low < old.low) {
		warnx("head: not newer than the installed head");
		ret = EX_DATAERR;
	}
	free(od);
	return ret;
}

/* The head, and the mark that lets verify see it copied back later. */
static int
head_install(const struct mbdir *m, const struct stmt_head *h,
    const struct buf *b, int newepoch)
{
	char mark[64];
	int n;

	n = snprintf(mark, sizeof(mark), "high %llu issued %llu\n",
	    (unsigned long long)h->high, (unsigned long long)h->issued);
	if (n < 0 || (size_t)n >= sizeof(mark))
		return 1;
	if ((newepoch && layout_epoch_write(m->pf, m->tmp, h->epoch) == -1) ||
	    fs_write_atomic(m->pf, m->tmp, PFISH_HEAD, buf_ptr(b), buf_len(b),
	    PFISH_FILE_MODE) == -1 ||
	    fs_write_atomic(m->pf, m->tmp, PFISH_HEADMARK, mark, (size_t)n,
	    PFISH_FILE_MODE) == -1) {
		warn("head: write");
		return EX_TEMPFAIL;
	}
	printf("installed %s high %llu\n", m->name,
	    (unsigned long long)h->high);
	syslog(LOG_INFO, "installed head of %s, high %llu", m->name,
	    (unsigned long long)h->high);
	return 0;
}

/*
 * A head that came with a record (pfish-store accept): installed when the
 * mailbox has none, or the installed one is past half its lifetime.  A
 * fresh head is kept: a new head at every delivery would restart every
 * paged listing.  Deliveries run in parallel, so an older head is no
 * error; neither is one the stored records contradict (that head is
 * simply not taken).
 */
int
store_head_offer(const struct store *s, const struct mbdir *m,
    const struct stmt_head *h, const struct buf *b)
{
	struct stmt_head old;
	u_char *od = NULL;
	size_t ol;
	int same, fresh;

	fresh = store_head_load(s, m, &old, &od, &ol) == 0 &&
	    s->now < old.issued + (old.expires - old.issued) / 2;
	free(od);
	if (fresh || head_newer(s, m, h, b, &same) != 0 ||
	    head_links(s, m, h) != 0 || same)
		return 0;
	return head_install(m, h, b, 0);
}

/* .pfish/voids, made on first use (mailboxes from before voids). */
static int
open_voids(const struct mbdir *m)
{
	int fd;

	if ((fd = fs_open_dir(m->dir, PFISH_VOIDS_DIR)) != -1 ||
	    errno != ENOENT)
		return fd;
	if ((mkdirat(m->pf, PFISH_VOIDS, PFISH_DIR_MODE) == -1 &&
	    errno != EEXIST) || fs_fsync_dir(m->pf) == -1)
		return -1;
	if ((fd = fs_open_dir(m->dir, PFISH_VOIDS_DIR)) != -1 &&
	    fchmod(fd, PFISH_DIR_MODE) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 0, or an exit code if a void is not acceptable against the store. */
static int
void_against_store(const struct store *s, const struct mbdir *m,
    const struct stmt_void *v, int *stored)
{
	struct stored_record sr;
	int r, ret = 0;

	*stored = 0;
	memset(&sr, 0, sizeof(sr));
	if ((r = store_record_load(s, m, v->seq, &sr)) == -1 &&
	    errno == ENOENT)
		return 0;
	if (r != 0) {
		warnx("head: void seq %llu: stored record unreadable",
		    (unsigned long long)v->seq);
		ret = EX_DATAERR;
	} else if (memcmp(sr.hash, v->hash, STMT_HASH_LEN) != 0) {
		warnx("head: void seq %llu names another record",
		    (unsigned long long)v->seq);
		ret = EX_DATAERR;
	} else
		*stored = store_age_matches(m, &sr.rec);
	store_record_free(&sr);
	return ret;
}

/*
 * A void closes a seq whose delivery was given up.  A store that has
 * the message after all keeps it and leaves the void out.
 */
static int
void_install(const struct store *s, const struct mbdir *m,
    const struct buf *b)
{
	struct stmt_void v;
	char name[PFISH_NAME_MAX];
	u_char *od = NULL;
	size_t ol;
	int fd = -1, r, ret, isnew, stored;

	if ((r = store_void_check(s, m->name, buf_ptr(b), buf_len(b),
	    &v)) != 0) {
		warnx("head: void: %s", pfish_strerror(r));
		return EX_DATAERR;
	}
	if ((ret = store_epoch_check(m, v.epoch, &isnew)) != 0) {
		if (ret == EX_DATAERR)
			warnx("head: void epoch %s is not the mailbox's",
			    v.epoch);
		return ret;
	}
	if ((ret = void_against_store(s, m, &v, &stored)) != 0)
		return ret;
	if (stored) {
		printf("stored %s %llu: void left out\n", m->name,
		    (unsigned long long)v.seq);
		return 0;
	}
	if (layout_seq_name(v.seq, PFISH_VOID_SUFFIX, name, sizeof(name)) != 0)
		return 1;
	if ((isnew && layout_epoch_write(m->pf, m->tmp, v.epoch) == -1) ||
	    (fd = open_voids(m)) == -1) {
		warn("head: voids");
		return EX_TEMPFAIL;
	}
	if (fs_read_file(fd, name, STMT_SIGNED_MAX, &od, &ol) == 0) {
		ret = ol == buf_len(b) && memcmp(od, buf_ptr(b), ol) == 0 ?
		    0 : EX_DATAERR;
		if (ret != 0)
			warnx("head: a different void for seq %llu is stored",
			    (unsigned long long)v.seq);
	} else if (fs_write_atomic(fd, m->tmp, name, buf_ptr(b), buf_len(b),
	    PFISH_FILE_MODE) == -1) {
		warn("head: void %s", name);
		ret = EX_TEMPFAIL;
	} else
		printf("void %s %llu\n", m->name, (unsigned long long)v.seq);
	free(od);
	close(fd);
	return ret;
}

/* Zero or more voids, then one head: voids first, as they are read. */
static int
head_one(struct store *s, const char *name)
{
	struct stmt_head h;
	struct buf *b = NULL, *rest = NULL;
	struct mbdir m = { .dir = -1, .pf = -1, .rec = -1, .del = -1,
	    .notes = -1, .tmp = -1 };
	int ret = EX_DATAERR, r, same, newepoch;

	if (!stmt_valid_mailbox(name)) {
		warnx("head: bad mailbox name");
		goto out;
	}
	if ((b = buf_new_max(STORE_SIGNED_IN_MAX)) == NULL ||
	    (rest = buf_new()) == NULL) {
		ret = 1;
		goto out;
	}
	if (store_read_signed(STDIN_FILENO, b, rest) != 0) {
		warnx("head: stdin is not signed voids and a head");
		goto out;
	}
	ret = 1;
	if (mbdir_open(s, name, &m) == -1) {
		warn("head: mailbox %s", name);
		goto out;
	}
	if (mbdir_lock(&m) == -1) {
		ret = EX_TEMPFAIL;
		goto out;
	}
	while (store_starts_with(b, STORE_VOID_START)) {
		if ((ret = void_install(s, &m, b)) != 0)
			goto out;
		if (store_read_next(STDIN_FILENO, b, rest) != 0) {
			warnx("head: no signed head after the voids");
			ret = EX_DATAERR;
			goto out;
		}
	}
	ret = EX_DATAERR;
	if (buf_len(rest) != 0) {
		warnx("head: more than one head on stdin");
		goto out;
	}
	if ((r = store_head_check(s, name, buf_ptr(b), buf_len(b), &h)) != 0) {
		warnx("head: %s", pfish_strerror(r));
		goto out;
	}
	if ((ret = store_epoch_check(&m, h.epoch, &newepoch)) != 0) {
		if (ret == EX_DATAERR)
			warnx("head: epoch %s is not the mailbox's", h.epoch);
		goto out;
	}
	if ((ret = head_newer(s, &m, &h, b, &same)) != 0 ||
	    (ret = head_links(s, &m, &h)) != 0)
		goto out;
	if (same)
		printf("unchanged %s\n", name);
	else
		ret = head_install(&m, &h, b, newepoch);
 out:
	mbdir_close(&m);
	buf_free(b);
	buf_free(rest);
	return ret;
}

int
store_head(struct store *s, int argc, char **argv)
{
	(void)argc;
	return head_one(s, argv[0]);
}
