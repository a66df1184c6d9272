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

/* Parse into fresh sets and memory; 0 when it parses. */
static int
parse(const u_char *d, size_t n, struct seqset **f, struct seqset **c,
    struct pstate_mem *m, size_t *off, size_t *len)
{
	*f = seqset_new();
	*c = seqset_new();
	memset(m, 0, sizeof(*m));
	if (*f == NULL || *c == NULL)
		abort();
	return pstate_parse(d, n, *f, *c, m, off, len);
}

static void
release(struct seqset *f, struct seqset *c, struct pstate_mem *m)
{
	seqset_free(f);
	seqset_free(c);
	pstate_mem_clear(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seqset *f, *c, *f2, *c2;
	struct pstate_mem m, m2;
	struct buf *b, *b2;
	size_t off, len, off2, len2;

	if ((b = buf_new()) == NULL || (b2 = buf_new()) == NULL)
		abort();
	if (parse(data, size, &f, &c, &m, &off, &len) == 0) {
		/*
		 * What parses formats (as the current version: an older
		 * file is upgraded), and that output parses and formats
		 * back to the same bytes.
		 */
		if (pstate_format(f, c, &m, len ? data + off : NULL, len,
		    b) != 0)
			abort();
		if (parse(buf_ptr(b), buf_len(b), &f2, &c2, &m2, &off2,
		    &len2) != 0 || pstate_format(f2, c2, &m2, len2 ?
		    buf_ptr(b) + off2 : NULL, len2, b2) != 0 ||
		    buf_len(b2) != buf_len(b) ||
		    memcmp(buf_ptr(b2), buf_ptr(b), buf_len(b)) != 0)
			abort();
		release(f2, c2, &m2);
		(void)seqset_add(f, 7);
		(void)seqset_has(f, 7);
	}
	release(f, c, &m);
	buf_free(b);
	buf_free(b2);
	return 0;
}
