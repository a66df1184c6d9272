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

/* aead.c: ChaCha20-Poly1305 through libcrypto (aead.h). */

#include <sys/types.h>

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "aead.h"
#include "log.h"

void
aead_init_oneshot(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS, NULL) != 1)
		fatal("libcrypto init failed");
}

static EVP_CIPHER_CTX *
aead_ctx(int enc, const u_char *nonce, const u_char *key)
{
	EVP_CIPHER_CTX *c;

	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce,
	    enc) != 1)
		fatal("cannot set up ChaCha20-Poly1305");
	return c;
}

/* EVP takes int lengths: long inputs go through in steps. */
static void
aead_update(EVP_CIPHER_CTX *c, u_char *out, const u_char *in, size_t len)
{
	size_t step;
	int n;

	while (len > 0) {
		step = len > INT_MAX / 2 ? INT_MAX / 2 : len;
		if (EVP_CipherUpdate(c, out, &n, in, (int)step) != 1 ||
		    (size_t)n != step)
			fatal("ChaCha20-Poly1305 update failed");
		out += step;
		in += step;
		len -= step;
	}
}

void
aead_seal(u_char *out, u_char tag[AEAD_TAG_LEN], const u_char *in,
    size_t len, const u_char nonce[AEAD_NONCE_LEN],
    const u_char key[AEAD_KEY_LEN])
{
	EVP_CIPHER_CTX *c = aead_ctx(1, nonce, key);
	int n;

	aead_update(c, out, in, len);
	if (EVP_CipherFinal_ex(c, out + len, &n) != 1 || n != 0 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN,
	    tag) != 1)
		fatal("ChaCha20-Poly1305 seal failed");
	EVP_CIPHER_CTX_free(c);
}

int
aead_open(u_char *out, const u_char *in, size_t len,
    const u_char tag[AEAD_TAG_LEN], const u_char nonce[AEAD_NONCE_LEN],
    const u_char key[AEAD_KEY_LEN])
{
	EVP_CIPHER_CTX *c = aead_ctx(0, nonce, key);
	u_char t[AEAD_TAG_LEN];
	int n, ok;

	memcpy(t, tag, sizeof(t));
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN,
	    t) != 1)
		fatal("ChaCha20-Poly1305 tag failed");
	aead_update(c, out, in, len);
	ok = EVP_CipherFinal_ex(c, out + len, &n) == 1 && n == 0;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		sodium_memzero(out, len);
		return -1;
	}
	return 0;
}
