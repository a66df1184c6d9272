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

/* fuzz_account.c: libFuzzer target for account states (proto/account.c). */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parsed state must encode back to exactly the bytes it came from. */
static void
roundtrip(const uint8_t *data, size_t size, struct account_state *st)
{
	struct buf *b;

	if ((b = buf_new()) == NULL)
		return;
	if (account_encode(st, b) != 0 || buf_len(b) != size ||
	    memcmp(buf_ptr(b), data, size) != 0)
		abort();
	buf_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct account_state st, prev;
	static u_char prevhash[ACCOUNT_HASH_LEN];
	u_char signer[SSHKEY_ED25519_PK], hash[ACCOUNT_HASH_LEN];
	char ops[32];
	size_t i;

	/* As text: strict parse, exact round trip, lookups. */
	if (account_parse(data, size, &st) == 0) {
		roundtrip(data, size, &st);
		for (i = 0; i < st.nkeys; i++) {
			if (account_find_pk(&st, st.keys[i].pk) != &st.keys[i] ||
			    account_find_label(&st, st.keys[i].label) !=
			    &st.keys[i])
				abort();
			(void)account_ops_string(st.keys[i].ops, ops,
			    sizeof(ops));
		}
	}
	/* As a signed state: the chain rules against the last good one. */
	if (account_verify_signed(data, size, &st, signer, hash) == 0) {
		(void)account_chain_check(NULL, NULL, &st, signer);
		if (prev.nkeys > 0)
			(void)account_chain_check(&prev, prevhash, &st, signer);
		prev = st;
		memcpy(prevhash, hash, sizeof(prevhash));
	}
	/* Operations lists as a C string. */
	if (size < 64) {
		char s[64];

		memcpy(s, data, size);
		s[size] = '\0';
		(void)account_ops_parse(s);
	}
	return 0;
}
