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

/* test_buf.c: unit tests for the wire buffer (lib/buf.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_put_get_roundtrip(void **state)
{
	struct buf *b;
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	char *s;
	size_t len;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, 0xfe), 0);
	assert_int_equal(buf_put_u32(b, 0xdeadbeef), 0);
	assert_int_equal(buf_put_u64(b, 0x0102030405060708ULL), 0);
	assert_int_equal(buf_put_cstring(b, "mail.age"), 0);
	assert_int_equal(buf_len(b), 1 + 4 + 8 + 4 + 8);
	assert_memory_equal(buf_ptr(b) + 1, "\xde\xad\xbe\xef", 4);
	assert_int_equal(buf_get_u8(b, &u8), 0);
	assert_int_equal(u8, 0xfe);
	assert_int_equal(buf_get_u32(b, &u32), 0);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(buf_get_u64(b, &u64), 0);
	assert_true(u64 == 0x0102030405060708ULL);
	assert_int_equal(buf_get_cstring(b, &s, &len), 0);
	assert_string_equal(s, "mail.age");
	assert_int_equal(len, 8);
	assert_int_equal(buf_len(b), 0);
	free(s);
	buf_free(b);
}

/* Every getter on truncated input fails with SHORT and consumes nothing. */
static void
test_truncated_consumes_nothing(void **state)
{
	static const u_char wire[] = { 0, 0, 0, 9, 'a', 'b', 'c' };
	struct buf *b;
	uint32_t u32 = 77;
	uint64_t u64 = 77;
	u_char *s = (u_char *)"x";
	char *cs = (char *)"x";
	const u_char *d = wire;
	size_t len = 5;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wire); i++) {
		assert_non_null(b = buf_from(wire, i));
		if (i < 4) {
			assert_int_equal(buf_get_u32(b, &u32), BUF_ERR_SHORT);
			assert_int_equal(u32, 0);
		}
		if (i < 8) {
			assert_int_equal(buf_get_u64(b, &u64), BUF_ERR_SHORT);
			assert_true(u64 == 0);
		}
		assert_int_equal(buf_get_string(b, &s, &len), BUF_ERR_SHORT);
		assert_null(s);
		assert_int_equal(len, 0);
		assert_int_equal(buf_get_cstring(b, &cs, NULL), BUF_ERR_SHORT);
		assert_null(cs);
		assert_int_equal(buf_get_string_direct(b, &d, NULL),
		    BUF_ERR_SHORT);
		assert_null(d);
		assert_int_equal(buf_len(b), i);
		buf_free(b);
	}
}

/* Length fields near UINT32_MAX must not wrap any comparison. */
static void
test_overflowing_lengths(void **state)
{
	static const u_char huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	static const u_char over[] = { 0x7f, 0xff, 0xff, 0xfc, 'a' };
	struct buf *b;
	u_char *s;
	struct buf *sub;

	(void)state;
	assert_non_null(b = buf_from(huge, sizeof(huge)));
	assert_int_equal(buf_get_string(b, &s, NULL), BUF_ERR_STRING_TOO_LONG);
	assert_int_equal(buf_len(b), sizeof(huge));
	assert_non_null(sub = buf_new());
	assert_int_equal(buf_get_stringb(b, sub), BUF_ERR_STRING_TOO_LONG);
	assert_int_equal(buf_len(sub), 0);
	buf_free(b);
	assert_non_null(b = buf_from(over, sizeof(over)));
	assert_int_equal(buf_get_string(b, &s, NULL), BUF_ERR_STRING_TOO_LONG);
	buf_free(b);
	/* Consuming more than present never moves the offset. */
	assert_non_null(b = buf_from(huge, sizeof(huge)));
	assert_int_equal(buf_consume(b, SIZE_MAX), BUF_ERR_SHORT);
	assert_int_equal(buf_consume_end(b, SIZE_MAX), BUF_ERR_SHORT);
	assert_int_equal(buf_len(b), sizeof(huge));
	buf_free(b);
	buf_free(sub);
}

static void
test_embedded_nul(void **state)
{
	static const u_char wire[] = { 0, 0, 0, 4, 'a', 0, 'g', 'e' };
	struct buf *b;
	char *cs;
	u_char *s;
	size_t len;

	(void)state;
	assert_non_null(b = buf_from(wire, sizeof(wire)));
	assert_int_equal(buf_get_cstring(b, &cs, &len), BUF_ERR_NUL);
	assert_null(cs);
	assert_int_equal(buf_len(b), sizeof(wire));
	/* The binary getter takes it, intact. */
	assert_int_equal(buf_get_string(b, &s, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "a\0ge", 4);
	free(s);
	buf_free(b);
}

static void
test_size_cap(void **state)
{
	struct buf *b;
	u_char *p;
	char big[100];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_non_null(b = buf_new_max(64));
	assert_int_equal(buf_put(b, big, 64), 0);
	assert_int_equal(buf_put_u8(b, 1), BUF_ERR_NO_SPACE);
	assert_int_equal(buf_len(b), 64);
	assert_int_equal(buf_reserve(b, SIZE_MAX, &p), BUF_ERR_NO_SPACE);
	assert_null(p);
	/* Consuming makes room again. */
	assert_int_equal(buf_consume(b, 10), 0);
	assert_int_equal(buf_put(b, big, 10), 0);
	assert_int_equal(buf_put(b, big, 1), BUF_ERR_NO_SPACE);
	assert_int_equal(buf_set_max(b, 10), BUF_ERR_NO_SPACE);
	assert_int_equal(buf_putf(b, "%s", "y"), BUF_ERR_NO_SPACE);
	assert_int_equal(buf_len(b), 64);
	buf_free(b);
	assert_null(buf_new_max((size_t)BUF_SIZE_MAX + 1));
	/* A string whose length prefix fits but whose body does not. */
	assert_non_null(b = buf_new_max(8));
	assert_int_equal(buf_put_string(b, big, 5), BUF_ERR_NO_SPACE);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

static void
test_readonly_view(void **state)
{
	static const u_char wire[] = { 1, 2, 3 };
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_from(wire, sizeof(wire)));
	assert_int_equal(buf_put_u8(b, 4), BUF_ERR_READONLY);
	assert_null(buf_mutable_ptr(b));
	assert_int_equal(buf_consume(b, 3), 0);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

static void
test_putf_and_dup(void **state)
{
	struct buf *b;
	char *s;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_putf(b, "seq %d\n", 42), 0);
	assert_int_equal(buf_len(b), 7);
	assert_non_null(s = buf_dup_string(b));
	assert_string_equal(s, "seq 42\n");
	free(s);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_null(buf_dup_string(b));
	assert_int_equal(buf_cmp(b, 0, "seq", 3), 0);
	assert_int_equal(buf_cmp(b, 6, "\n\0x", 3), BUF_ERR_SHORT);
	buf_free(b);
}

/* Growth across many appends keeps the data intact. */
static void
test_growth(void **state)
{
	struct buf *b;
	uint32_t v, i;

	(void)state;
	assert_non_null(b = buf_new());
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_put_u32(b, i), 0);
	for (i = 0; i < 50000; i++) {
		assert_int_equal(buf_get_u32(b, &v), 0);
		assert_int_equal(v, i);
	}
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_put_u32(b, 100000 + i), 0);
	for (i = 50000; i < 101000; i++) {
		assert_int_equal(buf_get_u32(b, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

/*
 * A reset wipes every byte written since the last one, also those past
 * an end that was cut back or fully consumed, and only those: the same
 * storage comes back zeroed.
 */
static void
test_reset_wipes(void **state)
{
	struct buf *b;
	u_char *p, *q;
	size_t i;

	(void)state;
	assert_non_null(b = buf_new());
	/* Grown through several sizes, then cut back and consumed. */
	for (i = 0; i < 3000; i++)
		assert_int_equal(buf_put_u8(b, 0xa5), 0);
	assert_int_equal(buf_consume_end(b, 2000), 0);
	assert_int_equal(buf_consume(b, 1000), 0);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(buf_reserve(b, 10, &p), 0);
	memset(p, 0x5a, 10);
	buf_reset(b);
	assert_int_equal(buf_reserve(b, 3000, &q), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(q[i], 0);
	/* A short write after the wipe: only it is wiped again. */
	buf_reset(b);
	assert_int_equal(buf_reserve(b, 4, &p), 0);
	memset(p, 0xff, 4);
	buf_reset(b);
	assert_int_equal(buf_reserve(b, 3000, &q), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(q[i], 0);
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_roundtrip),
		cmocka_unit_test(test_truncated_consumes_nothing),
		cmocka_unit_test(test_overflowing_lengths),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_readonly_view),
		cmocka_unit_test(test_putf_and_dup),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_reset_wipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
