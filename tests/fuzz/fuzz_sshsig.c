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

/* fuzz_sshsig.c: libFuzzer target for the armored SSH signature verifier. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sshkey.h"
#include "sshsig.h"

#define MSG	"statement record\nversion 1\n"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is tried twice: as armored text, and as a raw signature blob
 * that the harness armors itself, so the fuzzer reaches the blob parser
 * without first having to discover base64.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ns[] = {
		"pfish-record-v1", "pfish-head-v1", "pfish-delete-v1"
	};
	u_char pk[SSHKEY_ED25519_PK];
	char *armor, *p;
	size_t b64len, alen, i;

	for (i = 0; i < 3; i++)
		(void)sshsig_verify((const char *)data, size, ns[i], MSG,
		    sizeof(MSG) - 1, pk);
	if (size > 2048)
		return 0;
	b64len = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
	alen = sizeof(SSHSIG_BEGIN) + b64len + sizeof(SSHSIG_END) + 2;
	if ((armor = malloc(alen)) == NULL)
		return 0;
	p = armor;
	memcpy(p, SSHSIG_BEGIN "\n", sizeof(SSHSIG_BEGIN));
	p += sizeof(SSHSIG_BEGIN);
	sodium_bin2base64(p, b64len, data, size,
	    sodium_base64_VARIANT_ORIGINAL);
	p += strlen(p);
	memcpy(p, "\n" SSHSIG_END "\n", sizeof(SSHSIG_END) + 1);
	p += sizeof(SSHSIG_END) + 1;
	for (i = 0; i < 3; i++)
		(void)sshsig_verify(armor, (size_t)(p - armor), ns[i], MSG,
		    sizeof(MSG) - 1, pk);
	free(armor);
	return 0;
}
