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

/* store-head.c: pfish-store head: install a newer signed head. */

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
	return 0;
}

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
	if (store_read_signed(STDIN_FILENO, b, rest) != 0 || buf_len(rest) != 0) {
		warnx("head: stdin is not one signed head");
		goto out;
	}
	if ((r = store_head_check(s, name, buf_ptr(b), buf_len(b), &h)) != 0) {
		warnx("head: %s", stmt_strerror(r));
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
