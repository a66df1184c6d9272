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
 * hash.h: the one SHA-256 of pfish (lib/hash.c).
 *
 * pfish's own: the x86 SHA extensions where the CPU has them (measured
 * here as fast as libcrypto, 4-5x libsodium 1.0.18), else portable C.
 * Every program hashes messages or records; none of them pays for
 * loading libcrypto to do it.
 */

#ifndef HASH_H
#define HASH_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_LEN		32
#define HASH_SHA256_BLOCK	64

struct hash_sha256 {
	uint32_t	 h[8];
	uint64_t	 len;			/* bytes taken so far */
	u_char		 buf[HASH_SHA256_BLOCK];	/* a partial block */
};

void	hash_sha256_init(struct hash_sha256 *h);
void	hash_sha256_update(struct hash_sha256 *h, const void *data,
	    size_t len);
void	hash_sha256_final(struct hash_sha256 *h, u_char out[HASH_SHA256_LEN]);
void	hash_sha256(u_char out[HASH_SHA256_LEN], const void *data, size_t len);

/*
 * Which code hashes: HASH_SHA256_AUTO (the best this CPU has),
 * HASH_SHA256_PORTABLE or HASH_SHA256_SHANI.  For tests and the bench;
 * returns -1 (and changes nothing) if the CPU lacks what was asked for.
 * hash_sha256_impl() names the code in use.
 */
#define HASH_SHA256_AUTO	0
#define HASH_SHA256_PORTABLE	1
#define HASH_SHA256_SHANI	2
int	hash_sha256_use(int impl);
const char *hash_sha256_impl(void);

#endif /* HASH_H */
