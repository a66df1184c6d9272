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
 * aead.h: the one ChaCha20-Poly1305 of pfish.  lib/aead.c computes it
 * with libsodium for a process's first 2 MiB and with OpenSSL's libcrypto
 * after them, opened then: a program that handles one short message
 * (pfish-deliver) never loads libcrypto, one that handles many megabytes
 * gets its speed (lib/aead.c has the measurements).
 */

#ifndef AEAD_H
#define AEAD_H

#include <sys/types.h>
#include <stddef.h>

#define AEAD_KEY_LEN		32
#define AEAD_NONCE_LEN		12
#define AEAD_TAG_LEN		16

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

/*
 * From now on, libcrypto's: for tests and measurements.  0, or -1 when
 * libcrypto cannot be opened (libsodium's goes on).
 */
int	aead_bulk_now(void);

#endif /* AEAD_H */
