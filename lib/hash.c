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

/* hash.c: SHA-256 through libcrypto (hash.h). */

/* The one-call SHA256_* keep the context on the caller's stack. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/types.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "hash.h"
#include "log.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct hash_sha256 *)0)->ctx),
    "struct hash_sha256 is too small for SHA256_CTX");

void
hash_sha256_init(struct hash_sha256 *h)
{
	if (SHA256_Init((SHA256_CTX *)(void *)&h->ctx) != 1)
		fatal("SHA256_Init failed");
}

void
hash_sha256_update(struct hash_sha256 *h, const void *data, size_t len)
{
	if (len > 0 && SHA256_Update((SHA256_CTX *)(void *)&h->ctx, data,
	    len) != 1)
		fatal("SHA256_Update failed");
}

void
hash_sha256_final(struct hash_sha256 *h, u_char out[HASH_SHA256_LEN])
{
	if (SHA256_Final(out, (SHA256_CTX *)(void *)&h->ctx) != 1)
		fatal("SHA256_Final failed");
	sodium_memzero(h, sizeof(*h));
}

void
hash_sha256(u_char out[HASH_SHA256_LEN], const void *data, size_t len)
{
	struct hash_sha256 h;

	hash_sha256_init(&h);
	hash_sha256_update(&h, data, len);
	hash_sha256_final(&h, out);
}
