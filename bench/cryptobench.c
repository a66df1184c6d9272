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
 * cryptobench.c: SHA-256 and ChaCha20-Poly1305 from libsodium and from
 * libcrypto, and pfish's own SHA-256 (lib/hash.c) with each block
 * function this CPU can run, side by side in one run, by CPU time (1 GiB
 * in 64 KiB pieces, three rounds).  What lib/hash.c and lib/aead.c were
 * chosen from.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "hash.h"

#define PIECE	(64 * 1024)
#define TOTAL	((size_t)1 << 30)

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
report(const char *what, double start)
{
	printf("%-34s %6.2f GB/s\n", what, (double)TOTAL / (cpu_now() - start) /
	    1e9);
}

static void
sha_sodium(const unsigned char *buf, unsigned char *md)
{
	crypto_hash_sha256_state s;
	size_t i;

	crypto_hash_sha256_init(&s);
	for (i = 0; i < TOTAL / PIECE; i++)
		crypto_hash_sha256_update(&s, buf, PIECE);
	crypto_hash_sha256_final(&s, md);
}

static void
sha_libcrypto(const unsigned char *buf, unsigned char *md)
{
	EVP_MD_CTX *c;
	size_t i;

	if ((c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		exit(1);
	for (i = 0; i < TOTAL / PIECE; i++)
		EVP_DigestUpdate(c, buf, PIECE);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
}

static void
sha_pfish(const unsigned char *buf, unsigned char *md)
{
	struct hash_sha256 h;
	size_t i;

	hash_sha256_init(&h);
	for (i = 0; i < TOTAL / PIECE; i++)
		hash_sha256_update(&h, buf, PIECE);
	hash_sha256_final(&h, md);
}

static void
aead_sodium(const unsigned char *buf, unsigned char *out,
    const unsigned char *key, const unsigned char *nonce)
{
	unsigned long long ol;
	size_t i;

	for (i = 0; i < TOTAL / PIECE; i++)
		crypto_aead_chacha20poly1305_ietf_encrypt(out, &ol, buf, PIECE,
		    NULL, 0, NULL, nonce, key);
}

static void
aead_libcrypto(const unsigned char *buf, unsigned char *out,
    const unsigned char *key, const unsigned char *nonce)
{
	EVP_CIPHER_CTX *c;
	size_t i;
	int n, k;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		exit(1);
	for (i = 0; i < TOTAL / PIECE; i++) {
		EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce);
		EVP_EncryptUpdate(c, out, &n, buf, PIECE);
		EVP_EncryptFinal_ex(c, out + n, &k);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + PIECE);
	}
	EVP_CIPHER_CTX_free(c);
}

int
main(void)
{
	static unsigned char buf[PIECE], out[PIECE + 16];
	unsigned char md[32], key[32] = { 1 }, nonce[12] = { 0 };
	double t;
	int round;

	if (sodium_init() < 0)
		return 1;
	memset(buf, 7, sizeof(buf));
	for (round = 0; round < 3; round++) {
		t = cpu_now();
		sha_sodium(buf, md);
		report("sha256 libsodium", t);
		t = cpu_now();
		sha_libcrypto(buf, md);
		report("sha256 libcrypto", t);
		if (hash_sha256_use(HASH_SHA256_SHANI) == 0) {
			t = cpu_now();
			sha_pfish(buf, md);
			report("sha256 pfish, SHA extensions", t);
		}
		hash_sha256_use(HASH_SHA256_PORTABLE);
		t = cpu_now();
		sha_pfish(buf, md);
		report("sha256 pfish, portable C", t);
		hash_sha256_use(HASH_SHA256_AUTO);
		t = cpu_now();
		aead_sodium(buf, out, key, nonce);
		report("chacha20-poly1305 libsodium", t);
		t = cpu_now();
		aead_libcrypto(buf, out, key, nonce);
		report("chacha20-poly1305 libcrypto", t);
	}
	return 0;
}
