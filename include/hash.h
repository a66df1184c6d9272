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
 * hash.h: the one SHA-256 and the one ChaCha20-Poly1305 of pfish.
 *
 * Both come from OpenSSL's libcrypto, which uses the CPU's SHA and
 * vector extensions (measured here: SHA-256 4x and ChaCha20-Poly1305
 * 2.8x libsodium 1.0.18's speed).  Everything else stays on libsodium.
 */

#ifndef HASH_H
#define HASH_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_LEN		32
#define AEAD_KEY_LEN		32
#define AEAD_NONCE_LEN		12
#define AEAD_TAG_LEN		16

/* Large enough for libcrypto's SHA256_CTX (checked in lib/hash.c). */
struct hash_sha256 {
	union {
		uint64_t	 align;
		u_char		 bytes[128];
	} ctx;
};

/*
 * For a short-lived program that uses libcrypto for these two primitives
 * only (pfish-deliver): start it without the system's OpenSSL
 * configuration, which cannot change what they compute, and without its
 * exit-time cleanup: 2.7 of the 18.7 million instructions pfish-deliver
 * ran for a 50 KiB message.  Call first; never in a program whose TLS or
 * SSH goes through libcrypto.
 */
void	hash_init_oneshot(void);

void	hash_sha256_init(struct hash_sha256 *h);
void	hash_sha256_update(struct hash_sha256 *h, const void *data,
	    size_t len);
void	hash_sha256_final(struct hash_sha256 *h, u_char out[HASH_SHA256_LEN]);
void	hash_sha256(u_char out[HASH_SHA256_LEN], const void *data, size_t len);

/*
 * ChaCha20-Poly1305 (RFC 8439) without associated data.  Seal writes
 * len bytes to out and the tag to tag; out may equal in.  Open returns 0
 * when the tag matches, else -1 with out wiped; out must not overlap in.
 */
void	aead_seal(u_char *out, u_char tag[AEAD_TAG_LEN], const u_char *in,
	    size_t len, const u_char nonce[AEAD_NONCE_LEN],
	    const u_char key[AEAD_KEY_LEN]);
int	aead_open(u_char *out, const u_char *in, size_t len,
	    const u_char tag[AEAD_TAG_LEN], const u_char nonce[AEAD_NONCE_LEN],
	    const u_char key[AEAD_KEY_LEN]);

#endif /* HASH_H */
