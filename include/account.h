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

/* account.h: the signed account-key state: text, signature, chain rules. */

#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "pfish.h"
#include "sshkey.h"
#include "pfisherr.h"

struct buf;
struct sshkey_priv;

/*
 * Canonical text (man/pfish-account.5 is the reference), one "key value"
 * line each, LF only, fixed order, single spaces:
 *
 *	statement account
 *	version 1
 *	account NAME
 *	serial N
 *	prev HASH
 *	time T
 *	key SHA256:...
 *	master LABEL ssh-ed25519 BASE64		(1..)
 *	recovery LABEL ssh-ed25519 BASE64	(0..)
 *	mail LABEL ssh-ed25519 BASE64 OPS	(0..)
 *
 * NAME is a mailbox name (stmt_valid_mailbox()); serial runs from 1 to
 * PFISH_SEQ_MAX; prev is the SHA-256 of the previous state's text (64
 * zeros for serial 1, never zeros otherwise); key is the fingerprint of
 * the key that signed this state.  LABEL follows the mailbox name rule
 * and is unique within the state; every public key appears once in the
 * state.  Key lines come grouped by role (master, recovery, mail) and,
 * within a role, in strictly ascending byte order of LABEL.  BASE64 is
 * the canonical base64 of the key's wire blob.  OPS is a non-empty
 * comma list of "fetch", "delete", "recipient" in that order.
 */

#define ACCOUNT_NS		"pfish-account-v1"
#define ACCOUNT_VERSION		1
#define ACCOUNT_KEYS_MAX	64	/* key lines in one state */
#define ACCOUNT_LABEL_MAX	64
#define ACCOUNT_TEXT_MAX	(32 * 1024)
#define ACCOUNT_SIGNED_MAX	(ACCOUNT_TEXT_MAX + 4096)
#define ACCOUNT_HASH_LEN	32

/* Operations of a mail key. */
#define ACCOUNT_OP_FETCH	0x01	/* may log in to fetch (authorized_keys) */
#define ACCOUNT_OP_DELETE	0x02	/* may sign deletes */
#define ACCOUNT_OP_RECIPIENT	0x04	/* mail is encrypted to it */
#define ACCOUNT_OP_ALL		0x07

enum account_role {
	ACCOUNT_MASTER = 1,
	ACCOUNT_RECOVERY,
	ACCOUNT_MAIL
};

struct account_key {
	enum account_role role;
	char		label[ACCOUNT_LABEL_MAX + 1];
	u_char		pk[SSHKEY_ED25519_PK];
	int		ops;		/* ACCOUNT_OP_*, mail keys only */
};

struct account_state {
	char		account[PFISH_MAILBOX_MAX + 1];
	uint64_t	serial;
	u_char		prev[ACCOUNT_HASH_LEN];
	uint64_t	time;
	char		key[SSHKEY_FP_LEN];
	size_t		nkeys;
	struct account_key keys[ACCOUNT_KEYS_MAX];
};

const char	*account_role_name(enum account_role role);
/* "fetch,delete" etc. for ops; "" for 0.  buf of at least 24 bytes. */
const char	*account_ops_string(int ops, char *buf, size_t len);
/* Parse a comma list of operations (any order, no repeats); -1 if bad. */
int		 account_ops_parse(const char *s);

int	account_parse(const u_char *text, size_t len, struct account_state *st);
/* Sorts st's keys into canonical order first; appends the text to out. */
int	account_encode(struct account_state *st, struct buf *out);
void	account_sort(struct account_state *st);

/* Lookup: the key of st with this public key or label; NULL if none. */
const struct account_key *account_find_pk(const struct account_state *st,
	    const u_char pk[SSHKEY_ED25519_PK]);
const struct account_key *account_find_label(const struct account_state *st,
	    const char *label);
/* 1 when a and b list the same set of master public keys. */
int	account_same_masters(const struct account_state *a,
	    const struct account_state *b);

/*
 * A signed state: text followed by an armored SSH signature under
 * ACCOUNT_NS.  Verifies the signature, parses the text, checks that its
 * key field names the signer.  Does not decide whether the signer may
 * sign it: that is account_chain_check().  hash gets the text's SHA-256.
 */
int	account_verify_signed(const u_char *data, size_t len,
	    struct account_state *st, u_char signer[SSHKEY_ED25519_PK],
	    u_char hash[ACCOUNT_HASH_LEN]);
int	account_sign(const struct sshkey_priv *key, const u_char *text,
	    size_t len, struct buf *out);

/*
 * The chain rules, in one place.  prev is the previous state and
 * prevhash its text's hash, or prev is NULL for a first state.  next was
 * signed by signer.  Returns 0 when next may follow prev, else the
 * ACCOUNT_ERR_* naming the first rule broken:
 *  - first state: serial 1, prev zeros, signed by one of its own masters
 *    (trusted on first use; devices pin the masters);
 *  - same account, serial = prev serial + 1, prev = prevhash, time not
 *    earlier;
 *  - signed by a master of prev, or, when next's masters differ from
 *    prev's, by a master or a recovery key of prev.
 */
int	account_chain_check(const struct account_state *prev,
	    const u_char prevhash[ACCOUNT_HASH_LEN],
	    const struct account_state *next,
	    const u_char signer[SSHKEY_ED25519_PK]);

#endif /* ACCOUNT_H */
