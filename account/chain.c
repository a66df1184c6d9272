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
 * chain.c: an account's stored chain on the key host: lock, load (the
 * checking is state/acchain.c's), offer a new state, store it durably.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acchain.h"
#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "stmt.h"

static int
lock_dir(int fd)
{
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
acct_chain_open(struct acct_ctx *c, const char *name, int create,
    int *dirfd, struct acct_chain *ch)
{
	char why[256];
	int fd, r;

	acchain_init(ch, name);
	*dirfd = -1;
	if (!stmt_valid_mailbox(name)) {
		warnx("bad account name");
		return ACCT_EX_USAGE;
	}
	if (create && mkdirat(c->rootfd, name, ACCT_DIR_MODE) == 0 &&
	    fs_fsync_dir(c->rootfd) == -1) {
		warn("%s: fsync", c->root);
		return ACCT_EX_ERROR;
	}
	if ((fd = fs_open_dir(c->rootfd, name)) == -1) {
		if (errno == ENOENT)
			warnx("%s: no such account (an account starts with "
			    "a valid first state)", name);
		else
			warn("%s/%s", c->root, name);
		return ACCT_EX_ERROR;
	}
	if (lock_dir(fd) == -1) {
		warn("%s: lock", name);
		close(fd);
		return ACCT_EX_ERROR;
	}
	if ((r = acchain_load(fd, name, ACCT_CHAIN_MAX, ch, why,
	    sizeof(why))) != 0) {
		warnx("%s: stored chain is damaged: %s", name, why);
		close(fd);
		return ACCT_EX_ERROR;
	}
	*dirfd = fd;
	return 0;
}

/* The word a refusal starts with, for people and scripts alike. */
static const char *
refusal_kind(int r)
{
	switch (r) {
	case ACCOUNT_ERR_FORMAT:
		return "format";
	case ACCOUNT_ERR_SIG:
		return "signature";
	case ACCOUNT_ERR_GENESIS:
		return "first-state";
	case ACCOUNT_ERR_NAME:
		return "account";
	case ACCOUNT_ERR_SERIAL:
		return "serial";
	case ACCOUNT_ERR_PREV:
		return "prev";
	case ACCOUNT_ERR_TIME:
		return "time";
	case ACCOUNT_ERR_SIGNER:
		return "signer";
	case ACCOUNT_ERR_RECOVERY:
		return "recovery";
	default:
		return "error";
	}
}

/* A state at or below the last serial: the same again, a replay, a fork. */
static int
offer_known(const char *name, const struct acct_chain *ch,
    const struct account_state *st, const u_char hash[ACCOUNT_HASH_LEN],
    int *already)
{
	const struct acct_link *old = &ch->link[st->serial - 1];

	if (memcmp(old->hash, hash, ACCOUNT_HASH_LEN) != 0) {
		warnx("%s: refused: fork: serial %llu already holds another "
		    "state", name, (unsigned long long)st->serial);
		return ACCT_EX_REFUSED;
	}
	if (st->serial == ch->n) {
		*already = 1;
		return 0;
	}
	warnx("%s: refused: replay: serial %llu is older than the last "
	    "accepted serial %zu", name, (unsigned long long)st->serial, ch->n);
	return ACCT_EX_REFUSED;
}

/* Store the chain's last link as its file, durably; a file there is left. */
static int
store_last(const char *name, int dirfd, const struct acct_chain *ch)
{
	const struct acct_link *l = acchain_last(ch);
	struct stat sb;
	char fn[PFISH_NAME_MAX];

	if (dirfd == -1)
		return 0;
	if (layout_state_name(l->st.serial, fn, sizeof(fn)) != 0 ||
	    fstatat(dirfd, fn, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		warnx("%s: %s exists outside the chain; nothing changed",
		    name, fn);
		return ACCT_EX_ERROR;
	}
	if (fs_write_atomic(dirfd, dirfd, fn, l->data, l->len,
	    ACCT_FILE_MODE) == -1) {
		warn("%s: %s", name, fn);
		return ACCT_EX_ERROR;
	}
	return 0;
}

int
acct_chain_offer(struct acct_ctx *c, const char *name, int dirfd,
    struct acct_chain *ch, const u_char *data, size_t len, int *already)
{
	struct account_state st;
	u_char signer[SSHKEY_ED25519_PK], hash[ACCOUNT_HASH_LEN];
	char why[256];
	int r;

	(void)c;
	*already = 0;
	if ((r = account_verify_signed(data, len, &st, signer, hash)) != 0) {
		warnx("%s: refused: %s: %s", name, refusal_kind(r),
		    pfish_strerror(r));
		return ACCT_EX_REFUSED;
	}
	if (strcmp(st.account, name) != 0) {
		warnx("%s: refused: account: the state is for account %s",
		    name, st.account);
		return ACCT_EX_REFUSED;
	}
	if (st.serial <= ch->n)
		return offer_known(name, ch, &st, hash, already);
	if ((r = acchain_append_mem(ch, data, len, why, sizeof(why))) != 0) {
		if (r == ACCHAIN_ERR_ALLOC || r == ACCHAIN_ERR_TOOMANY) {
			warnx("%s: %s", name, why);
			return ACCT_EX_ERROR;
		}
		warnx("%s: refused: %s: %s", name, refusal_kind(r), why);
		return ACCT_EX_REFUSED;
	}
	if ((r = store_last(name, dirfd, ch)) != 0)
		acchain_pop(ch);
	return r;
}

int
acct_read_stdin(struct buf *b, size_t max)
{
	u_char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		if (buf_len(b) + (size_t)n > max) {
			errno = EFBIG;
			return -1;
		}
		if (buf_put(b, chunk, (size_t)n) != 0)
			return -1;
	}
}
