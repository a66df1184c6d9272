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

/* fuzz_sshkey.c: libFuzzer target for public key lines, blobs, private keys. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sshkey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey_priv *k = NULL;
	u_char pk[SSHKEY_ED25519_PK];
	char fp[SSHKEY_FP_LEN], *line, *again = NULL;
	const char *end;
	struct buf *b;

	/* The parsers never read past size; the line one wants a string. */
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (sshkey_pub_parse_line(line, pk, &end) == 0) {
		/* What parses must format back and parse to the same key. */
		if (end < line || end > line + size ||
		    sshkey_pub_format(pk, NULL, &again) != 0 ||
		    sshkey_pub_parse_line(again, pk, NULL) != 0)
			abort();
		sshkey_fingerprint(pk, fp);
		free(again);
	}
	free(line);
	if (sshkey_pub_from_blob(data, size, pk) == 0) {
		if ((b = buf_new()) == NULL || sshkey_pub_to_blob(pk, b) != 0 ||
		    buf_len(b) != size || memcmp(buf_ptr(b), data, size) != 0)
			abort();
		buf_free(b);
	}
	if (sshkey_parse_private(data, size, &k) == 0) {
		if (k == NULL || k->sk == NULL || k->comment == NULL ||
		    memcmp(k->sk + 32, k->pk, SSHKEY_ED25519_PK) != 0)
			abort();
	}
	sshkey_priv_free(k);
	return 0;
}
