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

/* fuzz_pstate.c: libFuzzer target for the client state file parser. */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seqset *f, *c;
	struct buf *b;
	size_t off, len;

	f = seqset_new();
	c = seqset_new();
	b = buf_new();
	if (f == NULL || c == NULL || b == NULL)
		abort();
	if (pstate_parse(data, size, f, c, &off, &len) == 0) {
		/* What parses must format back to the same bytes. */
		if (pstate_format(f, c, len ? data + off : NULL, len, b) != 0 ||
		    buf_len(b) != size || memcmp(buf_ptr(b), data, size) != 0)
			abort();
		(void)seqset_add(f, 7);
		(void)seqset_has(f, 7);
	}
	buf_free(b);
	seqset_free(f);
	seqset_free(c);
	return 0;
}
