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
 * test_aead.c: both computations of lib/aead.c's ChaCha20-Poly1305.  Each
 * input's reference is libsodium's own detached call.  The process starts
 * on libsodium's computation (libcrypto not even loaded), which must seal
 * every input to its reference bytes, in place too, open them, and
 * refuse a changed byte with its output wiped; then aead_bulk_now() opens
 * libcrypto, which must do the same with the same inputs.  The tests run
 * in this order: the switch happens once per process.
 */

#include <sys/types.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "aead.h"

/* Around the block (64) and chunk (65 536) sizes, and nothing. */
static const size_t lens[] = { 0, 1, 15, 16, 17, 63, 64, 65, 1000,
    65535, 65536, 65536 + 17 };
#define NLENS	(sizeof(lens) / sizeof(lens[0]))
#define MAXLEN	(65536 + 17)

struct vec {
	u_char	 key[AEAD_KEY_LEN];
	u_char	 nonce[AEAD_NONCE_LEN];
	u_char	*in;
	u_char	*ct;		/* as libsodium's own call sealed it */
	u_char	 tag[AEAD_TAG_LEN];
};

static struct vec v[NLENS];

static int
libcrypto_loaded(void)
{
	void *h;

	if ((h = dlopen(PFISH_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD)) ==
	    NULL)
		return 0;
	dlclose(h);
	return 1;
}

static int
all_zero(const u_char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* A changed byte of ciphertext or tag: refused, the output wiped. */
static void
refuses_changes(const struct vec *x, size_t len)
{
	u_char *ct, *out, tag[AEAD_TAG_LEN];

	assert_non_null(ct = malloc(len + 1));
	assert_non_null(out = malloc(len + 1));
	memcpy(ct, x->ct, len);
	memcpy(tag, x->tag, sizeof(tag));
	tag[len % AEAD_TAG_LEN] ^= 0x01;
	memset(out, 0xa5, len);
	assert_int_equal(aead_open(out, ct, len, tag, x->nonce, x->key), -1);
	assert_true(all_zero(out, len));
	tag[len % AEAD_TAG_LEN] ^= 0x01;
	if (len > 0) {
		ct[len / 2] ^= 0x80;
		memset(out, 0xa5, len);
		assert_int_equal(aead_open(out, ct, len, tag, x->nonce,
		    x->key), -1);
		assert_true(all_zero(out, len));
	}
	free(ct);
	free(out);
}

/*
 * The computation in use seals x's input to x's bytes, out of place and
 * in place (aead.h allows out == in), opens them, and refuses changes.
 * out holds at least MAXLEN bytes.
 */
static void
seals_and_opens(const struct vec *x, size_t len, u_char *out)
{
	u_char tag[AEAD_TAG_LEN];

	aead_seal(out, tag, x->in, len, x->nonce, x->key);
	assert_memory_equal(out, x->ct, len);
	assert_memory_equal(tag, x->tag, sizeof(tag));
	memcpy(out, x->in, len);
	aead_seal(out, tag, out, len, x->nonce, x->key);
	assert_memory_equal(out, x->ct, len);
	assert_memory_equal(tag, x->tag, sizeof(tag));
	assert_int_equal(aead_open(out, x->ct, len, x->tag, x->nonce, x->key),
	    0);
	assert_memory_equal(out, x->in, len);
	refuses_changes(x, len);
}

/* Before anything counts as bulk: libsodium's, libcrypto not loaded. */
static void
test_below_bulk(void **state)
{
	u_char *out;
	unsigned long long taglen;
	size_t i, len;

	(void)state;
	assert_false(libcrypto_loaded());
	assert_non_null(out = malloc(MAXLEN));
	for (i = 0; i < NLENS; i++) {
		len = lens[i];
		randombytes_buf(v[i].key, sizeof(v[i].key));
		randombytes_buf(v[i].nonce, sizeof(v[i].nonce));
		assert_non_null(v[i].in = malloc(len + 1));
		assert_non_null(v[i].ct = malloc(len + 1));
		randombytes_buf(v[i].in, len);
		/* What libsodium's own detached call makes: the reference. */
		assert_int_equal(crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		    v[i].ct, v[i].tag, &taglen, v[i].in, len, NULL, 0, NULL,
		    v[i].nonce, v[i].key), 0);
		assert_int_equal(taglen, AEAD_TAG_LEN);
		seals_and_opens(&v[i], len, out);
	}
	assert_false(libcrypto_loaded());
	free(out);
}

/* Past bulk: libcrypto's, the same bytes both ways. */
static void
test_past_bulk(void **state)
{
	u_char *out;
	size_t i;

	(void)state;
	assert_int_equal(aead_bulk_now(), 0);
	assert_true(libcrypto_loaded());
	assert_non_null(out = malloc(MAXLEN));
	for (i = 0; i < NLENS; i++) {
		seals_and_opens(&v[i], lens[i], out);
		free(v[i].in);
		free(v[i].ct);
	}
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_below_bulk),
		cmocka_unit_test(test_past_bulk),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
