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

static void
fill(struct signer_state *st, uint64_t n, uint64_t t0, uint64_t step)
{
	u_char h[STMT_HASH_LEN];
	uint64_t i;

	for (i = 1; i <= n; i++) {
		memset(h, (int)i, sizeof(h));
		assert_int_equal(signer_state_add(st, i, t0 + i * step, h), 0);
		memcpy(st->chain, h, sizeof(h));
	}
	st->next = n + 1;
}

static void
test_format_parse_roundtrip(void **state)
{
	struct signer_state a, b;
	struct buf *x, *y;

	(void)state;
	signer_state_init(&a, "alice");
	strlcpy(a.epoch, "00112233aabbccdd", sizeof(a.epoch));
	fill(&a, 3, 1000, 10);
	a.have_last = 1;
	a.last.seq = 3;
	a.last.time = 1030;
	a.last.size = 77;
	memset(a.last.sha256, 0xab, STMT_HASH_LEN);
	memset(a.last.prev, 0x02, STMT_HASH_LEN);
	strlcpy(a.last.key, "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
	    sizeof(a.last.key));
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
	assert_true(b.next == 4 && b.nent == 3 && b.issued == 1234);
	assert_true(b.last.size == 77);
	assert_string_equal(b.last.mailbox, "alice");
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
	fill(&st, 10, 0, DAY);
	signer_state_low(&st, 20 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 6);
	memset(want, 5, sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	/* All expired: low = high + 1, lowprev = chain. */
	signer_state_low(&st, 100 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 11);
	assert_memory_equal(lp, st.chain, sizeof(want));
	/* The floor holds even if retention grows. */
	st.low = 8;
	signer_state_low(&st, 20 * DAY, 30 * DAY, &low, lp);
	assert_true(low == 8);
	memset(want, 7, sizeof(want));
	assert_memory_equal(lp, want, sizeof(want));
	/* Prune keeps low - 1 onwards. */
	signer_state_prune(&st, 8);
	assert_int_equal(st.nent, 4);
	assert_true(st.ent[0].seq == 7);
	signer_state_low(&st, 20 * DAY, 14 * DAY, &low, lp);
	assert_true(low == 8);
	assert_memory_equal(lp, want, sizeof(want));
	signer_state_free(&st);
}

static void
test_add_ordered(void **state)
{
	struct signer_state st;
	u_char h[STMT_HASH_LEN] = { 0 };

	(void)state;
	signer_state_init(&st, "a");
	assert_int_equal(signer_state_add(&st, 5, 1, h), 0);
	assert_int_not_equal(signer_state_add(&st, 5, 1, h), 0);
	assert_int_not_equal(signer_state_add(&st, 4, 1, h), 0);
	assert_int_equal(signer_state_add(&st, 6, 1, h), 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
