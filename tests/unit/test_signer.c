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

/* test_signer.c: unit tests for pfish-signer's state (signer/state.c). */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "signer.h"
#include "stmt.h"

#define DAY	86400ULL

#define FP	"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

/* Records 1..n at t0 + i * step, hash of record i = bytes of i. */
static void
fill(struct signer_state *st, uint64_t n, uint64_t t0, uint64_t step,
    uint64_t width)
{
	struct stmt_record r;
	u_char h[STMT_HASH_LEN];
	uint64_t i, k;

	memset(&r, 0, sizeof(r));
	strlcpy(r.key, FP, sizeof(r.key));
	for (k = 0; k < n; k++) {
		i = st->next;
		memset(h, (int)i, sizeof(h));
		r.seq = i;
		r.time = t0 + i * step;
		r.size = i;
		memset(r.sha256, (int)(i * 7), sizeof(r.sha256));
		memcpy(r.prev, st->chain, sizeof(r.prev));
		assert_int_equal(signer_state_add(st, &r, h, width), 0);
		/* Stored at once, as pfish-deliver reports it. */
		assert_int_equal(signer_state_stored(st, i), 0);
	}
}

static void
test_format_parse_roundtrip(void **state)
{
	struct signer_state a, b;
	struct stmt_record r;
	struct buf *x, *y;
	u_char h[STMT_HASH_LEN];

	(void)state;
	signer_state_init(&a, "alice");
	strlcpy(a.epoch, "00112233aabbccdd", sizeof(a.epoch));
	fill(&a, 3, 1000, 10, 1);
	/* Record 4 pending, then voided; record 5 pending. */
	memset(&r, 0, sizeof(r));
	strlcpy(r.key, FP, sizeof(r.key));
	r.seq = 4;
	r.time = 1050;
	r.size = 77;
	memset(h, 4, sizeof(h));
	assert_int_equal(signer_state_add(&a, &r, h, 1), 0);
	r.seq = 5;
	r.size = 78;
	memset(h, 5, sizeof(h));
	assert_int_equal(signer_state_add(&a, &r, h, 1), 0);
	assert_int_equal(signer_state_void(&a, 4, 2000), 0);
	assert_int_not_equal(signer_state_void(&a, 4, 2000), 0);
	a.issued = 1234;
	assert_non_null(x = buf_new());
	assert_non_null(y = buf_new());
	assert_int_equal(signer_state_format(&a, x), 0);
	assert_int_equal(buf_put_u8(x, 0), 0);
	signer_state_init(&b, "alice");
	assert_int_equal(signer_state_parse((const char *)buf_ptr(x),
	    buf_len(x) - 1, &b), 0);
	assert_int_equal(signer_state_format(&b, y), 0);
	assert_int_equal(buf_len(y), buf_len(x) - 1);
	assert_memory_equal(buf_ptr(x), buf_ptr(y), buf_len(y));
	assert_true(b.next == 6 && b.issued == 1234);
	assert_true(b.npend == 1 && b.pend[0].rec.seq == 5);
	assert_true(b.nvoid == 1 && b.vd[0].seq == 4 && b.vd[0].time == 2000);
	assert_true(b.last.size == 78);
	assert_string_equal(b.last.mailbox, "alice");
	assert_non_null(signer_state_find(&b, 78, r.sha256));
	assert_null(signer_state_find(&b, 77, r.sha256));
	/* Another mailbox's file is refused. */
	signer_state_free(&b);
	signer_state_init(&b, "bob");
	assert_int_not_equal(signer_state_parse((const char *)buf_ptr(x),
	    buf_len(x) - 1, &b), 0);
	signer_state_free(&a);
	signer_state_free(&b);
	buf_free(x);
	buf_free(y);
}

/* A version 1 file still loads: its records become marks. */
static void
test_parse_v1(void **state)
{
	static const char v1[] =
	    "pfish-signer-state 1\nmailbox a\nepoch 0011223344556677\n"
	    "next 4\nchain 0303030303030303030303030303030303030303"
	    "030303030303030303030303\nlow 2\nissued 9\n"
	    "last 3 300 5 0505050505050505050505050505050505050505050505"
	    "050505050505050505 0202020202020202020202020202020202020202020"
	    "202020202020202020202 " FP "\n"
	    "r 1 100 0101010101010101010101010101010101010101010101010101"
	    "010101010101\n"
	    "r 2 200 0202020202020202020202020202020202020202020202020202"
	    "020202020202\n"
	    "r 3 300 0303030303030303030303030303030303030303030303030303"
	    "030303030303\n";
	struct signer_state st;
	u_char lp[STMT_HASH_LEN], want[STMT_HASH_LEN];
	uint64_t low;

	(void)state;
	signer_state_init(&st, "a");
	assert_int_equal(signer_state_parse(v1, strlen(v1), &st), 0);
	assert_true(st.next == 4 && st.low == 2 && st.nmark == 2);
	memset(want, 1, sizeof(want));
	assert_memory_equal(st.lowprev, want, sizeof(want));
	/* At 350 with retention 100: record 3 (time 300) alone remains. */
	signer_state_low(&st, 350, 100, &low, lp);
	assert_true(low == 3);
	memset(want, 2, sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	signer_state_free(&st);
}

static void
test_parse_rejects(void **state)
{
	static const char *bad[] = {
		"",
		"pfish-signer-state 2\nmailbox a\nepoch 0011223344556677\n"
		    "next 1\nchain " "0000000000000000000000000000000000000000"
		    "000000000000000000000000\nlow 1\nissued 0\n",
		/* next 2 without a last record */
		"pfish-signer-state 1\nmailbox a\nepoch 0011223344556677\n"
		    "next 2\nchain " "0000000000000000000000000000000000000000"
		    "000000000000000000000000\nlow 1\nissued 0\n",
		/* no final newline */
		"pfish-signer-state 1\nmailbox a\nepoch 0011223344556677\n"
		    "next 1\nchain " "0000000000000000000000000000000000000000"
		    "000000000000000000000000\nlow 1\nissued 0",
		/* unknown line */
		"pfish-signer-state 1\nmailbox a\nepoch 0011223344556677\n"
		    "next 1\nchain " "0000000000000000000000000000000000000000"
		    "000000000000000000000000\nlow 1\nissued 0\nfoo 1\n",
	};
	static const char good[] =
	    "pfish-signer-state 1\nmailbox a\nepoch 0011223344556677\n"
	    "next 1\nchain 0000000000000000000000000000000000000000"
	    "000000000000000000000000\nlow 1\nissued 0\n";
	struct signer_state st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		signer_state_init(&st, "a");
		if (signer_state_parse(bad[i], strlen(bad[i]), &st) == 0)
			fail_msg("accepted bad state %zu", i);
		signer_state_free(&st);
	}
	signer_state_init(&st, "a");
	assert_int_equal(signer_state_parse(good, strlen(good), &st), 0);
	signer_state_free(&st);
}

/* low is the first seq delivered inside retention; lowprev its link. */
static void
test_low(void **state)
{
	struct signer_state st;
	u_char lp[STMT_HASH_LEN], want[STMT_HASH_LEN];
	uint64_t low;

	(void)state;
	signer_state_init(&st, "a");
	signer_state_low(&st, 100 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 1);
	memset(want, 0, sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	/* Records at day 1..10; at day 20 with 14 days, 6..10 remain. */
	fill(&st, 10, 0, DAY, 14 * DAY / SIGNER_MARKS);
	signer_state_low(&st, 20 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 6);
	memset(want, 5, sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	/* All expired: low = high + 1, lowprev = chain. */
	signer_state_low(&st, 100 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 11);
	assert_memory_equal(lp, st.chain, sizeof(want));
	/* The floor holds even if retention grows. */
	memset(want, 7, sizeof(want));
	signer_state_prune(&st, 8, want);
	signer_state_low(&st, 20 * DAY, 30 * DAY, &low, lp);
	assert_true(low == 8);
	assert_memory_equal(lp, want, sizeof(want));
	/* Prune keeps the marks from low onwards. */
	assert_int_equal(st.nmark, 3);
	assert_true(st.mark[0].seq == 8);
	signer_state_low(&st, 20 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 8);
	assert_memory_equal(lp, want, sizeof(want));
	signer_state_free(&st);
}

static void
test_add_ordered(void **state)
{
	struct signer_state st;
	struct stmt_record r;
	u_char h[STMT_HASH_LEN] = { 0 };

	(void)state;
	signer_state_init(&st, "a");
	memset(&r, 0, sizeof(r));
	r.seq = 2;
	r.time = 10;
	assert_int_not_equal(signer_state_add(&st, &r, h, 1), 0);
	r.seq = 1;
	assert_int_equal(signer_state_add(&st, &r, h, 1), 0);
	assert_int_not_equal(signer_state_add(&st, &r, h, 1), 0);
	/* Time never goes back. */
	r.seq = 2;
	r.time = 9;
	assert_int_not_equal(signer_state_add(&st, &r, h, 1), 0);
	r.time = 10;
	assert_int_equal(signer_state_add(&st, &r, h, 1), 0);
	signer_state_free(&st);
}

/* Stored and voided records leave the pending set; a retry finds it. */
static void
test_pending(void **state)
{
	struct signer_state st;
	struct stmt_record r;
	u_char h[STMT_HASH_LEN] = { 0 }, sha[STMT_HASH_LEN];
	uint64_t i;

	(void)state;
	signer_state_init(&st, "a");
	memset(&r, 0, sizeof(r));
	for (i = 1; i <= 5; i++) {
		r.seq = i;
		r.time = 100 + i;
		r.size = 10 * i;
		memset(r.sha256, (int)i, sizeof(r.sha256));
		assert_int_equal(signer_state_add(&st, &r, h, 1), 0);
	}
	/* 2 failed to store; 3..5 were stored; the retry of 2 finds it. */
	for (i = 3; i <= 5; i++)
		assert_int_equal(signer_state_stored(&st, i), 0);
	assert_int_not_equal(signer_state_stored(&st, 4), 0);
	memset(sha, 2, sizeof(sha));
	assert_non_null(signer_state_find(&st, 20, sha));
	assert_true(signer_state_find(&st, 20, sha)->rec.seq == 2);
	assert_null(signer_state_find(&st, 21, sha));
	memset(sha, 4, sizeof(sha));
	assert_null(signer_state_find(&st, 40, sha));
	assert_int_equal(signer_state_void(&st, 1, 999), 0);
	assert_int_equal(signer_state_stored(&st, 2), 0);
	assert_true(st.npend == 0 && st.nvoid == 1);
	/* Voids below low are forgotten with the rest. */
	signer_state_prune(&st, 2, h);
	assert_true(st.nvoid == 0);
	signer_state_free(&st);
}

/*
 * The state does not grow with the records in retention: 300 000 of
 * them, one a second, fit in the same few marks a window has.
 */
static void
test_many_records(void **state)
{
	struct signer_state st;
	struct buf *b;
	u_char lp[STMT_HASH_LEN], want[STMT_HASH_LEN];
	uint64_t low, n = 300000, ret = 14 * DAY;

	(void)state;
	signer_state_init(&st, "a");
	strlcpy(st.epoch, "00112233aabbccdd", sizeof(st.epoch));
	fill(&st, n, 0, 1, ret / SIGNER_MARKS);
	assert_true(st.next == n + 1);
	assert_true(st.nmark <= 2 * SIGNER_MARKS + 1);
	assert_non_null(b = buf_new());
	assert_int_equal(signer_state_format(&st, b), 0);
	assert_true(buf_len(b) < 128 * 1024);
	/* At n + 100 000 s, 300 000 s of retention keep 100 000 onwards. */
	signer_state_low(&st, n + 100000, 300000, &low, lp);
	assert_true(low <= 100000 && low > 100000 - 2 * ret / SIGNER_MARKS);
	memset(want, (int)(low - 1), sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	buf_free(b);
	signer_state_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_low),
		cmocka_unit_test(test_add_ordered),
		cmocka_unit_test(test_parse_v1),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_many_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
