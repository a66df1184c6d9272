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
 * hash.h: the one SHA-256 of pfish, from OpenSSL's libcrypto, which uses
 * the CPU's SHA extensions (measured here: 4x libsodium 1.0.18's speed).
 * The one ChaCha20-Poly1305 is in aead.h.
 */

#ifndef HASH_H
#define HASH_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_LEN		32

/* Large enough for libcrypto's SHA256_CTX (checked in lib/hash.c). */
struct hash_sha256 {
	union {
		uint64_t	 align;
		u_char		 bytes[128];
	} ctx;
};

void	hash_sha256_init(struct hash_sha256 *h);
void	hash_sha256_update(struct hash_sha256 *h, const void *data,
	    size_t len);
void	hash_sha256_final(struct hash_sha256 *h, u_char out[HASH_SHA256_LEN]);
void	hash_sha256(u_char out[HASH_SHA256_LEN], const void *data, size_t len);

#endif /* HASH_H */
