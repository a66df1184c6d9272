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

/* fuzz_stmt.c: libFuzzer target for statement text (proto/stmt.c). */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "stmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Whatever parses must encode back to the very same bytes. */
static void
roundtrip(const uint8_t *data, size_t len, int type)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct stmt_delete del;
	struct stmt_note note;
	struct stmt_void vd;
	struct buf *b;
	int r = -1;

	if ((b = buf_new()) == NULL)
		return;
	if (type == 0 && stmt_record_parse(data, len, &rec) == 0)
		r = stmt_record_encode(&rec, b);
	else if (type == 1 && stmt_head_parse(data, len, &head) == 0)
		r = stmt_head_encode(&head, b);
	else if (type == 2 && stmt_delete_parse(data, len, &del) == 0) {
		r = stmt_delete_encode(&del, b);
		stmt_delete_clear(&del);
	} else if (type == 3 && stmt_note_parse(data, len, &note) == 0)
		r = stmt_note_encode(&note, b);
	else if (type == 4 && stmt_void_parse(data, len, &vd) == 0)
		r = stmt_void_encode(&vd, b);
	if (r == 0 && (buf_len(b) != len ||
	    buf_cmp(b, 0, data, len) != 0))
		__builtin_trap();
	buf_free(b);
}

/* The signer's "SIZE SHA256" request: what parses prints back the same. */
static void
request(const uint8_t *data, size_t len)
{
	u_char sha[STMT_HASH_LEN];
	char hex[65], out[96];
	uint64_t size;
	int n;

	if (stmt_request_parse(data, len, &size, sha) != 0)
		return;
	stmt_hash_hex(sha, hex);
	n = snprintf(out, sizeof(out), "%llu %s", (unsigned long long)size,
	    hex);
	if (n < 0 || (size_t)n != len || memcmp(out, data, len) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t tl;
	int t;

	for (t = 0; t < 5; t++)
		roundtrip(data, len, t);
	if (stmt_split_signed(data, len, &tl) == 0 && (tl == 0 || tl >= len))
		__builtin_trap();
	request(data, len);
	return 0;
}
