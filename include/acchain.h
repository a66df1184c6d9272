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
 * acchain.h: an account's chain of signed states, loaded and verified
 * from serial 1.  The one checker of a chain: the key host, the fetch
 * host's store and the client all use it, so a chain one accepts the
 * others accept and nothing else.
 */

#ifndef ACCHAIN_H
#define ACCHAIN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "pfish.h"
#include "pfisherr.h"

#define ACCHAIN_MAX	100000		/* states of one account, at most */

/* One verified state of a chain. */
struct acct_link {
	struct account_state	 st;
	u_char			 hash[ACCOUNT_HASH_LEN];
	u_char			 signer[SSHKEY_ED25519_PK];
	u_char			*data;		/* the signed bytes, as stored */
	size_t			 len;
};

/*
 * An account's verified chain, serial 1 first (link[i] is serial i + 1);
 * n == 0: no state yet.  account is the name every state must carry ("":
 * whatever the first state names).
 */
struct acct_chain {
	char			 account[PFISH_MAILBOX_MAX + 1];
	struct acct_link	*link;
	size_t			 n;
};

/* An empty chain for account (NULL: taken from the first state). */
void	acchain_init(struct acct_chain *ch, const char *account);

/*
 * Every NNNNNNNNNNNN.state in dirfd (layout_seq_name with
 * PFISH_STATE_SUFFIX), serials 1..n with no gap, at most max of them,
 * each verified and checked by account_chain_check against its
 * predecessor.  Other names are ignored.  Returns 0, or a pfish error
 * code with a one-line reason in why ("serial 3: signature missing or
 * invalid"); ch is then empty.
 */
int	acchain_load(int dirfd, const char *account, uint64_t max,
	    struct acct_chain *ch, char *why, size_t whylen);

/*
 * Verify one more signed state against the chain's last and append a
 * copy of it (for a chain that arrives over the wire, or before storing
 * it).  Returns 0, or a pfish error code with a reason in why; the chain
 * is then unchanged.
 */
int	acchain_append_mem(struct acct_chain *ch, const u_char *data,
	    size_t len, char *why, size_t whylen);

/*
 * A chain as a stream (pfish-account chain prints one): signed states
 * one after another, serial 1 first.  The length of the state at p, up
 * to and including its END line; 0 when p holds no complete state.
 */
size_t	acchain_split(const u_char *p, size_t len);

/* Drop the last link (a store that failed after acchain_append_mem). */
void	acchain_pop(struct acct_chain *ch);

const struct acct_link *acchain_last(const struct acct_chain *ch);
void	acchain_free(struct acct_chain *ch);

#endif /* ACCHAIN_H */
