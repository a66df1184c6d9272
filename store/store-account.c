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

/*
 * store-account.c: pfish-store account: take the key host's account
 * chain (pfish-account chain NAME, on stdin) into MAILBOX/.pfish/account,
 * each new state checked against the stored one before it (state/
 * acchain.c, the key host's own checker), stored durably in order.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "acchain.h"
#include "account.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"

/* MAILBOX/.pfish/account, made on first use. */
static int
open_account_dir(const struct mbdir *m)
{
	int fd;

	if ((fd = fs_open_dir(m->dir, PFISH_ACCOUNT_DIR_REL)) != -1 ||
	    errno != ENOENT)
		return fd;
	if ((mkdirat(m->pf, PFISH_ACCOUNT, PFISH_DIR_MODE) == -1 &&
	    errno != EEXIST) || fs_fsync_dir(m->pf) == -1)
		return -1;
	if ((fd = fs_open_dir(m->dir, PFISH_ACCOUNT_DIR_REL)) != -1 &&
	    fchmod(fd, PFISH_DIR_MODE) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
read_all(int fd, struct buf *b, size_t max)
{
	u_char chunk[8192];
	ssize_t n;

	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		if (buf_len(b) + (size_t)n > max) {
			errno = EFBIG;
			return -1;
		}
		if (buf_put(b, chunk, (size_t)n) != 0)
			return -1;
	}
}

/* A state the store holds already must be that very state. */
static int
same_state(const struct acct_chain *ch, size_t serial, const u_char *d,
    size_t len)
{
	const struct acct_link *l = &ch->link[serial - 1];

	return l->len == len && memcmp(l->data, d, len) == 0;
}

/* Store the chain's last state durably. */
static int
store_last(const struct mbdir *m, int ad, const struct acct_chain *ch)
{
	const struct acct_link *l = acchain_last(ch);
	char fn[PFISH_NAME_MAX];

	if (layout_state_name(l->st.serial, fn, sizeof(fn)) != 0 ||
	    fs_write_atomic(ad, m->tmp, fn, l->data, l->len,
	    PFISH_FILE_MODE) == -1) {
		warn("account: %s: %s", m->name, fn);
		return EX_TEMPFAIL;
	}
	syslog(LOG_INFO, "stored account state %s serial %llu", m->name,
	    (unsigned long long)l->st.serial);
	return 0;
}

/* Each state of in, serial 1 first: known ones must match, new ones chain. */
static int
take(const struct mbdir *m, int ad, struct acct_chain *ch,
    const struct buf *in, size_t *nin, size_t *nnew)
{
	const u_char *p = buf_ptr(in);
	size_t off = 0, len, total = buf_len(in);
	char why[256];
	int r;

	*nin = *nnew = 0;
	while (off < total) {
		if ((len = acchain_split(p + off, total - off)) == 0) {
			warnx("account: %s: refused: format: trailing data "
			    "after serial %zu", m->name, *nin);
			return EX_DATAERR;
		}
		(*nin)++;
		if (*nin <= ch->n) {
			if (!same_state(ch, *nin, p + off, len)) {
				warnx("account: %s: refused: fork: serial %zu "
				    "differs from the stored one", m->name,
				    *nin);
				return EX_DATAERR;
			}
		} else if ((r = acchain_append_mem(ch, p + off, len, why,
		    sizeof(why))) != 0) {
			warnx("account: %s: refused: %s", m->name, why);
			return r == ACCHAIN_ERR_ALLOC ? EX_TEMPFAIL :
			    EX_DATAERR;
		} else if ((r = store_last(m, ad, ch)) != 0) {
			acchain_pop(ch);
			return r;
		} else
			(*nnew)++;
		off += len;
	}
	return 0;
}

static int
account_one(const struct store *s, const char *name, const struct buf *in)
{
	struct acct_chain ch;
	struct mbdir m;
	size_t nin, nnew;
	char why[256];
	int ad = -1, r, ret;

	acchain_init(&ch, name);
	if (mbdir_open(s, name, &m) == -1) {
		if (errno != ENOENT) {
			warn("account: mailbox %s", name);
			return EX_TEMPFAIL;
		}
		warnx("account: no mailbox %s (never initialised: pfish-store "
		    "init %s)", name, name);
		return EX_NOUSER;
	}
	if (mbdir_lock(&m) == -1 || (ad = open_account_dir(&m)) == -1) {
		warn("account: %s/%s", name, PFISH_ACCOUNT_DIR_REL);
		mbdir_close(&m);
		return EX_TEMPFAIL;
	}
	if ((r = acchain_load(ad, name, ACCHAIN_MAX, &ch, why,
	    sizeof(why))) != 0) {
		warnx("account: %s: stored chain is damaged: %s; nothing "
		    "changed", name, why);
		ret = r == ACCHAIN_ERR_IO || r == ACCHAIN_ERR_ALLOC ?
		    EX_TEMPFAIL : EX_DATAERR;
	} else if ((ret = take(&m, ad, &ch, in, &nin, &nnew)) != 0)
		warnx("account: %s: stopped at serial %zu of the input; the "
		    "store keeps serial %zu", name, nin, ch.n);
	else if (nin == 0) {
		warnx("account: %s: refused: no state on stdin", name);
		ret = EX_DATAERR;
	} else if (nin < ch.n) {
		warnx("account: %s: refused: replay: the chain offered ends "
		    "at serial %zu, the store's at %zu", name, nin, ch.n);
		ret = EX_DATAERR;
	} else
		printf("account %s at serial %zu, %zu new\n", name, ch.n,
		    nnew);
	acchain_free(&ch);
	close(ad);
	mbdir_close(&m);
	return ret;
}

int
store_account(struct store *s, int argc, char **argv)
{
	struct buf *in;
	int ret;

	(void)argc;
	if ((in = buf_new()) == NULL) {
		warn("account");
		return EX_TEMPFAIL;
	}
	if (read_all(STDIN_FILENO, in, STORE_ACCOUNT_IN_MAX) == -1) {
		warn("account: reading the chain");
		ret = errno == EFBIG ? EX_DATAERR : EX_TEMPFAIL;
	} else
		ret = account_one(s, argv[0], in);
	buf_free(in);
	return ret;
}
