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

/* fuzz_trust.c: libFuzzer target for allowed_signers and authorized_keys. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshkey.h"
#include "trust.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u_char zero[SSHKEY_ED25519_PK];
	struct trust *t;
	char ebuf[128];
	const char *who;

	if (trust_parse((const char *)data, size, &t, ebuf,
	    sizeof(ebuf)) == 0) {
		(void)trust_check(t, zero, "pfish-record-v1", 1893456000, &who);
		(void)trust_check(t, zero, "pfish-delete-v1", 0, &who);
		trust_free(t);
	}
	if (trust_parse_authorized_keys((const char *)data, size,
	    "pfish-delete-v1", "10.0.0.1", &t, ebuf, sizeof(ebuf)) == 0) {
		(void)trust_check(t, zero, "pfish-delete-v1", 0, &who);
		trust_free(t);
	}
	return 0;
}
