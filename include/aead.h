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
 * aead.h: the one ChaCha20-Poly1305 of pfish, through OpenSSL's libcrypto
 * (measured here: 3.6 GB/s against libsodium 1.0.18's 1.5 GB/s, on the
 * CPU's vector extensions).  Only the programs that encrypt or decrypt
 * messages link it: loading libcrypto costs a program 0.6 ms of CPU and
 * 1.5 MiB of memory (lib/hash.c has the measurement).
 */

#ifndef AEAD_H
#define AEAD_H

#include <sys/types.h>
#include <stddef.h>

#define AEAD_KEY_LEN		32
#define AEAD_NONCE_LEN		12
#define AEAD_TAG_LEN		16

/*
 * For a short-lived program that uses libcrypto for this primitive only
 * (pfish-deliver): start it without the system's OpenSSL configuration,
 * which cannot change what it computes, and without its exit-time
 * cleanup: 2.7 of the 18.7 million instructions pfish-deliver ran for a
 * 50 KiB message.  Nor does it enter every cipher and digest in the
 * by-name tables, which nothing here looks up (aead.c names its cipher
 * by function): the first seal 0.85-1.25 ms → 0.52-0.60 ms.  Call first,
 * in a program that makes no connection through libcrypto (TLS, SSH):
 * pfish-deliver, and agetool, whose one other use of it is libssh
 * opening a protected key file (age/ageident.c), which looks nothing up
 * by name and computes the same without the configuration.
 */
void	aead_init_oneshot(void);

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

#endif /* AEAD_H */
