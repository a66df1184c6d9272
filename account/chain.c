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

/* chain.c: an account's stored chain: load, verify from serial 1, append. */

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

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "stmt.h"

/* NNNNNNNNNNNN.state, as the store names its files (layout.h). */
static int
serial_from_name(const char *name, uint64_t *serial)
{
	return layout_seq_parse(name, ACCT_SUFFIX, serial);
}

static int
serial_name(uint64_t serial, char *buf, size_t len)
{
	return layout_seq_name(serial, ACCT_SUFFIX, buf, len);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The serials named in dirfd, sorted; they must be 1..n. */
static int
list_serials(const char *name, int dirfd, uint64_t **out, size_t *np)
{
	struct dirent *de;
	uint64_t *v = NULL, *nv, s;
	size_t n = 0, i;
	DIR *d;

	*out = NULL;
	*np = 0;
	if ((d = fs_dir_stream(dirfd)) == NULL) {
		warn("%s", name);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (serial_from_name(de->d_name, &s) != 0)
			continue;
		if (n == ACCT_CHAIN_MAX || (nv = reallocarray(v, n + 1,
		    sizeof(*v))) == NULL) {
			warnx("%s: too many states", name);
			goto fail;
		}
		v = nv;
		v[n++] = s;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), u64_cmp);
	for (i = 0; i < n; i++)
		if (v[i] != i + 1) {
			warnx("%s: stored chain is damaged: serial %llu is "
			    "missing", name, (unsigned long long)(i + 1));
			free(v);
			return -1;
		}
	*out = v;
	*np = n;
	return 0;
 fail:
	closedir(d);
	free(v);
	return -1;
}

void
acct_chain_free(struct acct_chain *ch)
{
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < ch->n; i++)
		free(ch->link[i].data);
	free(ch->link);
	memset(ch, 0, sizeof(*ch));
}

const struct acct_link *
acct_chain_last(const struct acct_chain *ch)
{
	return ch->n == 0 ? NULL : &ch->link[ch->n - 1];
}

/* Read and check serial s; it must follow the chain loaded so far. */
static int
load_one(const char *name, int dirfd, uint64_t s, struct acct_chain *ch)
{
	struct acct_link *l = &ch->link[ch->n];
	const struct acct_link *prev = acct_chain_last(ch);
	char fn[64];
	int r;

	memset(l, 0, sizeof(*l));
	if (serial_name(s, fn, sizeof(fn)) != 0 ||
	    fs_read_file(dirfd, fn, ACCOUNT_SIGNED_MAX, &l->data,
	    &l->len) == -1) {
		warn("%s: stored chain is damaged: %s", name, fn);
		return -1;
	}
	if ((r = account_verify_signed(l->data, l->len, &l->st, l->signer,
	    l->hash)) == 0 && l->st.serial != s)
		r = ACCOUNT_ERR_SERIAL;
	if (r == 0 && strcmp(l->st.account, name) != 0)
		r = ACCOUNT_ERR_NAME;
	if (r == 0)
		r = account_chain_check(prev != NULL ? &prev->st : NULL,
		    prev != NULL ? prev->hash : NULL, &l->st, l->signer);
	if (r != 0) {
		warnx("%s: stored chain is damaged: serial %llu: %s", name,
		    (unsigned long long)s, pfish_strerror(r));
		free(l->data);
		memset(l, 0, sizeof(*l));
		return -1;
	}
	ch->n++;
	return 0;
}

static int
load_chain(const char *name, int dirfd, struct acct_chain *ch)
{
	uint64_t *serials = NULL;
	size_t n, i;
	int ret = -1;

	if (list_serials(name, dirfd, &serials, &n) == -1)
		return -1;
	if (n > 0 && (ch->link = calloc(n, sizeof(*ch->link))) == NULL) {
		warn("%s", name);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (load_one(name, dirfd, serials[i], ch) == -1)
			goto out;
	ret = 0;
 out:
	free(serials);
	if (ret != 0)
		acct_chain_free(ch);
	return ret;
}

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
	int fd;

	memset(ch, 0, sizeof(*ch));
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
	if (load_chain(name, fd, ch) == -1) {
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

static int
append(const char *name, int dirfd, struct acct_chain *ch,
    const struct acct_link *nl)
{
	struct acct_link *v;
	struct stat sb;
	char fn[64];

	if ((v = reallocarray(ch->link, ch->n + 1, sizeof(*v))) == NULL) {
		warn("%s", name);
		return ACCT_EX_ERROR;
	}
	ch->link = v;
	if (serial_name(nl->st.serial, fn, sizeof(fn)) != 0 ||
	    fstatat(dirfd, fn, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		warnx("%s: %s exists outside the chain; nothing changed",
		    name, fn);
		return ACCT_EX_ERROR;
	}
	if (fs_write_atomic(dirfd, dirfd, fn, nl->data, nl->len,
	    ACCT_FILE_MODE) == -1) {
		warn("%s: %s", name, fn);
		return ACCT_EX_ERROR;
	}
	ch->link[ch->n++] = *nl;
	return 0;
}

int
acct_chain_offer(struct acct_ctx *c, const char *name, int dirfd,
    struct acct_chain *ch, const u_char *data, size_t len, int *already)
{
	const struct acct_link *last = acct_chain_last(ch);
	struct acct_link nl;
	int r;

	(void)c;
	*already = 0;
	memset(&nl, 0, sizeof(nl));
	if ((r = account_verify_signed(data, len, &nl.st, nl.signer,
	    nl.hash)) != 0) {
		warnx("%s: refused: %s: %s", name, refusal_kind(r),
		    pfish_strerror(r));
		return ACCT_EX_REFUSED;
	}
	if (strcmp(nl.st.account, name) != 0) {
		warnx("%s: refused: account: the state is for account %s",
		    name, nl.st.account);
		return ACCT_EX_REFUSED;
	}
	if (nl.st.serial <= ch->n)
		return offer_known(name, ch, &nl.st, nl.hash, already);
	if ((r = account_chain_check(last != NULL ? &last->st : NULL,
	    last != NULL ? last->hash : NULL, &nl.st, nl.signer)) != 0) {
		warnx("%s: refused: %s: serial %llu after %zu: %s", name,
		    refusal_kind(r), (unsigned long long)nl.st.serial, ch->n,
		    pfish_strerror(r));
		return ACCT_EX_REFUSED;
	}
	if ((nl.data = malloc(len)) == NULL) {
		warn("%s", name);
		return ACCT_EX_ERROR;
	}
	memcpy(nl.data, data, len);
	nl.len = len;
	if ((r = append(name, dirfd, ch, &nl)) != 0)
		free(nl.data);
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
