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

/* pull.c: take the key host's chain into the device's own, checked. */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "sshkey.h"
#include "sshsig.h"

/* The first state of an empty chain must be signed by the pinned key. */
static int
check_pin(const char *name, const char *pin, const u_char *d, size_t len)
{
	struct account_state st;
	u_char pk[SSHKEY_ED25519_PK], signer[SSHKEY_ED25519_PK];
	u_char hash[ACCOUNT_HASH_LEN];
	int r;

	if ((r = sshkey_load_public(pin, pk, NULL)) != 0) {
		warnx("%s: %s", pin, pfish_strerror(r));
		return ACCT_EX_USAGE;
	}
	if (account_verify_signed(d, len, &st, signer, hash) == 0 &&
	    memcmp(signer, pk, sizeof(pk)) != 0) {
		warnx("%s: refused: pin: the first state is not signed by the "
		    "pinned master %s", name, pin);
		return ACCT_EX_REFUSED;
	}
	return 0;
}

/* A state the device holds already must be that very state. */
static int
check_known(const char *name, const struct acct_chain *ch, const u_char *d,
    size_t len, size_t want)
{
	struct account_state st;
	u_char signer[SSHKEY_ED25519_PK], hash[ACCOUNT_HASH_LEN];
	int r;

	if ((r = account_verify_signed(d, len, &st, signer, hash)) != 0 ||
	    st.serial != want ||
	    memcmp(hash, ch->link[want - 1].hash, ACCOUNT_HASH_LEN) != 0) {
		warnx("%s: refused: fork: the key host's serial %zu is not "
		    "the device's", name, want);
		return ACCT_EX_REFUSED;
	}
	return 0;
}

/* Offer each state of in, serial 1 first, to the device's chain. */
static int
take(struct acct_ctx *c, const char *name, int dirfd, struct acct_chain *ch,
    const struct buf *in, size_t *nremote, size_t *nnew)
{
	const u_char *p = buf_ptr(in);
	size_t off = 0, len, total = buf_len(in);
	int already, r;

	*nremote = *nnew = 0;
	while (off < total) {
		if ((len = acchain_split(p + off, total - off)) == 0) {
			warnx("%s: refused: format: trailing data after serial "
			    "%zu", name, *nremote);
			return ACCT_EX_REFUSED;
		}
		(*nremote)++;
		if (ch->n == 0 && c->pin != NULL &&
		    (r = check_pin(name, c->pin, p + off, len)) != 0)
			return r;
		if (*nremote <= ch->n)
			r = check_known(name, ch, p + off, len, *nremote);
		else if ((r = acct_chain_offer(c, name, dirfd, ch, p + off,
		    len, &already)) == 0)
			(*nnew)++;
		if (r != 0)
			return r;
		off += len;
	}
	return 0;
}

int
acct_pull(struct acct_ctx *c, const char *name)
{
	struct acct_chain ch;
	struct buf *in;
	size_t local, nremote, nnew;
	int dirfd, ret;

	if ((in = buf_new()) == NULL ||
	    acct_read_stdin(in, ACCT_PULL_MAX) == -1) {
		warn("%s: reading the chain", name);
		buf_free(in);
		return ACCT_EX_ERROR;
	}
	if ((ret = acct_chain_open(c, name, 1, &dirfd,
	    &ch)) != 0) {
		buf_free(in);
		return ret;
	}
	local = ch.n;
	if (local == 0 && c->pin == NULL) {
		warnx("%s: no local state: name the first state's master "
		    "with -P", name);
		ret = ACCT_EX_USAGE;
	} else if ((ret = take(c, name, dirfd, &ch, in, &nremote,
	    &nnew)) != 0) {
		warnx("%s: stopped at the key host's serial %zu; the device "
		    "keeps serial %zu", name, nremote, ch.n);
	} else if (nremote < local) {
		warnx("%s: refused: behind: the key host's chain ends at "
		    "serial %zu, the device's at %zu", name, nremote, local);
		ret = ACCT_EX_REFUSED;
	} else
		printf("%s: at serial %zu, %zu new\n", name, ch.n, nnew);
	close(dirfd);
	acchain_free(&ch);
	buf_free(in);
	return ret;
}
