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
 * aead.c: ChaCha20-Poly1305 (aead.h), computed by libsodium for the first
 * AEAD_BULK bytes a process seals or opens and by OpenSSL's libcrypto
 * after them.
 *
 * Both compute RFC 8439's construction, so which one sealed a chunk
 * cannot be told from its bytes, and either opens what the other sealed
 * (tests/unit/test_aead.c holds them to each other; t-age-testkit runs
 * every age vector through each).  libcrypto's is 2.3 times as fast on
 * long inputs here (256 MiB through agetool: 112 against 262 ms of CPU),
 * but loading it costs a program about 1.3 ms of CPU before the first
 * byte (it binds its 4 200 symbol relocations at load, and takes 200
 * more page faults and its cipher tables' set-up): agetool encrypting
 * 50 KiB took 2.2 ms of CPU without it and 3.5 ms with it, 1 MiB 2.6-3.5
 * against 5.3-5.6 ms, 4 MiB 7.7-8.6 against 7.1 ms.  Most mail is far
 * shorter than that crossing, and pfish-deliver handles one message a
 * process: below AEAD_BULK it never loads libcrypto.  Past AEAD_BULK
 * libcrypto is opened once, by its soname (PFISH_LIBCRYPTO_SONAME, which
 * the Makefile reads off the library the build compiles against), and
 * every later chunk goes through it; a long file pays about 1 ms for its
 * first AEAD_BULK bytes.  If libcrypto cannot be opened, libsodium goes
 * on computing the same thing.
 */

#include <sys/types.h>

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "aead.h"
#include "log.h"

/* Bytes sealed or opened with libsodium before libcrypto takes over. */
#define AEAD_BULK	(2 * 1024 * 1024)

static _Atomic uint64_t aead_bytes;
static pthread_once_t ossl_once = PTHREAD_ONCE_INIT;
static int ossl_ok;	/* set by ossl_load() only, read after pthread_once */

/* libcrypto's functions, their types taken from its header. */
static struct {
	__typeof__(&OPENSSL_init_crypto)	init;
	__typeof__(&EVP_CIPHER_CTX_new)		ctx_new;
	__typeof__(&EVP_CIPHER_CTX_free)	ctx_free;
	__typeof__(&EVP_CIPHER_CTX_ctrl)	ctx_ctrl;
	__typeof__(&EVP_chacha20_poly1305)	cipher;
	__typeof__(&EVP_CipherInit_ex)		cinit;
	__typeof__(&EVP_CipherUpdate)		update;
	__typeof__(&EVP_CipherFinal_ex)		final;
} ossl;

/*
 * Open libcrypto (the handle stays open until exit).  A program that
 * already has it (the pfish client, through libssh) finds it loaded and
 * set up by its other user.  Otherwise it starts without the system's
 * OpenSSL configuration, which cannot change what ChaCha20-Poly1305
 * computes, without exit-time clean-up, and without entering every
 * cipher and digest in the by-name tables, which nothing here looks up.
 */
static void
ossl_load(void)
{
	void *h;
	int loaded;

	if ((h = dlopen(PFISH_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD)) !=
	    NULL)
		loaded = 1;
	else if ((h = dlopen(PFISH_LIBCRYPTO_SONAME, RTLD_NOW |
	    RTLD_LOCAL)) != NULL)
		loaded = 0;
	else
		return;
	if ((*(void **)&ossl.init = dlsym(h, "OPENSSL_init_crypto")) ==
	    NULL ||
	    (*(void **)&ossl.ctx_new = dlsym(h, "EVP_CIPHER_CTX_new")) ==
	    NULL ||
	    (*(void **)&ossl.ctx_free = dlsym(h, "EVP_CIPHER_CTX_free")) ==
	    NULL ||
	    (*(void **)&ossl.ctx_ctrl = dlsym(h, "EVP_CIPHER_CTX_ctrl")) ==
	    NULL ||
	    (*(void **)&ossl.cipher = dlsym(h, "EVP_chacha20_poly1305")) ==
	    NULL ||
	    (*(void **)&ossl.cinit = dlsym(h, "EVP_CipherInit_ex")) == NULL ||
	    (*(void **)&ossl.update = dlsym(h, "EVP_CipherUpdate")) == NULL ||
	    (*(void **)&ossl.final = dlsym(h, "EVP_CipherFinal_ex")) == NULL)
		return;
	if (!loaded && ossl.init(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS, NULL) != 1)
		return;
	ossl_ok = 1;
}

/* Count len bytes; 1 when they go through libcrypto. */
static int
bulk(size_t len)
{
	if (atomic_fetch_add(&aead_bytes, len) < AEAD_BULK)
		return 0;
	pthread_once(&ossl_once, ossl_load);
	return ossl_ok;
}

int
aead_bulk_now(void)
{
	atomic_fetch_add(&aead_bytes, AEAD_BULK);
	pthread_once(&ossl_once, ossl_load);
	return ossl_ok ? 0 : -1;
}

static EVP_CIPHER_CTX *
ossl_ctx(int enc, const u_char *nonce, const u_char *key)
{
	EVP_CIPHER_CTX *c;

	if ((c = ossl.ctx_new()) == NULL ||
	    ossl.cinit(c, ossl.cipher(), NULL, key, nonce, enc) != 1)
		fatal("cannot set up ChaCha20-Poly1305");
	return c;
}

/* EVP takes int lengths: long inputs go through in steps. */
static void
ossl_update(EVP_CIPHER_CTX *c, u_char *out, const u_char *in, size_t len)
{
	size_t step;
	int n;

	while (len > 0) {
		step = len > INT_MAX / 2 ? INT_MAX / 2 : len;
		if (ossl.update(c, out, &n, in, (int)step) != 1 ||
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
	EVP_CIPHER_CTX *c;
	int n;

	if (!bulk(len)) {
		if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(out,
		    tag, NULL, in, len, NULL, 0, NULL, nonce, key) != 0)
			fatal("ChaCha20-Poly1305 seal failed");
		return;
	}
	c = ossl_ctx(1, nonce, key);
	ossl_update(c, out, in, len);
	if (ossl.final(c, out + len, &n) != 1 || n != 0 ||
	    ossl.ctx_ctrl(c, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, tag) != 1)
		fatal("ChaCha20-Poly1305 seal failed");
	ossl.ctx_free(c);
}

int
aead_open(u_char *out, const u_char *in, size_t len,
    const u_char tag[AEAD_TAG_LEN], const u_char nonce[AEAD_NONCE_LEN],
    const u_char key[AEAD_KEY_LEN])
{
	EVP_CIPHER_CTX *c;
	u_char t[AEAD_TAG_LEN];
	int n, ok;

	if (!bulk(len))
		ok = crypto_aead_chacha20poly1305_ietf_decrypt_detached(out,
		    NULL, in, len, tag, NULL, 0, nonce, key) == 0;
	else {
		memcpy(t, tag, sizeof(t));
		c = ossl_ctx(0, nonce, key);
		if (ossl.ctx_ctrl(c, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN,
		    t) != 1)
			fatal("ChaCha20-Poly1305 tag failed");
		ossl_update(c, out, in, len);
		ok = ossl.final(c, out + len, &n) == 1 && n == 0;
		ossl.ctx_free(c);
	}
	if (!ok) {
		sodium_memzero(out, len);
		return -1;
	}
	return 0;
}
