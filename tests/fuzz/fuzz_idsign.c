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
 * fuzz_idsign.c: libFuzzer target for sshsig_accept_armor, which judges
 * the bytes a signer (ssh-keygen) hands back.  Invariants: nothing is
 * accepted that does not verify under the identity's key, a good armor
 * is refused for any other text, and what is accepted is kept exactly.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "idsign.h"
#include "sshkey.h"
#include "sshsig.h"

#define NS	"pfish-delete-v1"
#define MSG	"statement delete\nversion 1\n"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sshkey_priv key;
static struct buf *good;	/* a valid armor of MSG by key */

static void
setup(void)
{
	u_char seed[crypto_sign_SEEDBYTES];

	if (sodium_init() < 0 || (key.sk = sodium_malloc(SSHKEY_ED25519_SK))
	    == NULL || (good = buf_new()) == NULL)
		abort();
	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(key.pk, key.sk, seed);
	key.comment = (char *)"";
	if (sshsig_sign(&key, NS, MSG, sizeof(MSG) - 1, good) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u_char pk[SSHKEY_ED25519_PK];
	struct buf *out;
	int r;

	if (good == NULL)
		setup();
	if ((out = buf_new()) == NULL)
		return 0;
	/* The input as the signer's output for MSG. */
	r = sshsig_accept_armor(data, size, NS, (const u_char *)MSG,
	    sizeof(MSG) - 1, key.pk, out);
	if (r == 0 && (sshsig_verify((const char *)data, size, NS, MSG,
	    sizeof(MSG) - 1, pk) != 0 || memcmp(pk, key.pk, sizeof(pk)) != 0 ||
	    buf_len(out) != sizeof(MSG) - 1 + size ||
	    memcmp(buf_ptr(out), MSG, sizeof(MSG) - 1) != 0 ||
	    memcmp(buf_ptr(out) + sizeof(MSG) - 1, data, size) != 0))
		abort();
	if (r != 0 && buf_len(out) != 0)
		abort();
	/* A good armor, the input as the text it is claimed for. */
	buf_reset(out);
	r = sshsig_accept_armor(buf_ptr(good), buf_len(good), NS, data, size,
	    key.pk, out);
	if ((r == 0) != (size == sizeof(MSG) - 1 &&
	    memcmp(data, MSG, size) == 0))
		abort();
	buf_free(out);
	return 0;
}
