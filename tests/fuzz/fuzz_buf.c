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

/* fuzz_buf.c: libFuzzer target for the wire buffer's getters (lib/buf.c). */

/*
 * Input: one byte n, then n operation bytes, then the payload.  Every
 * operation runs on a read-only view and on an owned copy of the payload;
 * both must agree, a failed get must consume nothing, a successful one
 * exactly its encoding, and re-encoding what was read must reproduce the
 * consumed bytes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

/* One get on b; the value re-encoded into out.  Returns the getter's r. */
static int
get_one(struct buf *b, int op, struct buf *out)
{
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	u_char *s = NULL;
	const u_char *sp;
	char *cs = NULL;
	size_t len = 0;
	int r;

	switch (op % 7) {
	case 0:
		if ((r = buf_get_u8(b, &u8)) == 0)
			CHECK(buf_put_u8(out, u8) == 0);
		break;
	case 1:
		if ((r = buf_get_u32(b, &u32)) == 0)
			CHECK(buf_put_u32(out, u32) == 0);
		break;
	case 2:
		if ((r = buf_get_u64(b, &u64)) == 0)
			CHECK(buf_put_u64(out, u64) == 0);
		break;
	case 3:
		if ((r = buf_get_string(b, &s, &len)) == 0) {
			CHECK(s != NULL && s[len] == '\0');
			CHECK(buf_put_string(out, s, len) == 0);
		} else
			CHECK(s == NULL && len == 0);
		break;
	case 4:
		if ((r = buf_get_cstring(b, &cs, &len)) == 0) {
			CHECK(cs != NULL && strlen(cs) == len);
			CHECK(buf_put_cstring(out, cs) == 0);
		} else
			CHECK(cs == NULL);
		break;
	case 5:
		if ((r = buf_get_string_direct(b, &sp, &len)) == 0)
			CHECK(buf_put_string(out, sp, len) == 0);
		else
			CHECK(sp == NULL && len == 0);
		break;
	default:
		/* consume; an owned buffer may rewind when emptied */
		len = (size_t)(op >> 3);
		sp = buf_ptr(b);
		u64 = buf_len(b);
		if ((r = buf_consume(b, len)) == 0) {
			CHECK(len <= u64);
			CHECK(buf_put(out, sp, len) == 0);
		} else
			CHECK(len > u64);
		break;
	}
	free(s);
	free(cs);
	return r;
}

static void
run_ops(const uint8_t *ops, size_t nops, const uint8_t *p, size_t plen)
{
	struct buf *view, *own, *outv, *outo;
	size_t i, before, consumed = 0;
	int rv, ro;

	CHECK((view = buf_from(p, plen)) != NULL);
	CHECK((own = buf_new()) != NULL);
	CHECK(buf_put(own, p, plen) == 0);
	CHECK((outv = buf_new()) != NULL && (outo = buf_new()) != NULL);
	for (i = 0; i < nops; i++) {
		before = buf_len(view);
		rv = get_one(view, ops[i], outv);
		ro = get_one(own, ops[i], outo);
		CHECK(rv == ro && buf_len(view) == buf_len(own));
		if (rv != 0)
			CHECK(buf_len(view) == before);
		consumed += before - buf_len(view);
	}
	CHECK(buf_len(outv) == consumed && buf_len(outo) == consumed);
	CHECK(consumed == 0 || memcmp(buf_ptr(outv), p, consumed) == 0);
	CHECK(consumed == 0 || memcmp(buf_ptr(outo), p, consumed) == 0);
	buf_free(view);
	buf_free(own);
	buf_free(outv);
	buf_free(outo);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nops;

	if (size < 1)
		return 0;
	nops = data[0];
	if (nops > size - 1)
		nops = size - 1;
	run_ops(data + 1, nops, data + 1 + nops, size - 1 - nops);
	return 0;
}
