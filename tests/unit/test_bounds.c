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

/* test_bounds.c: how much signed state a server may send a client. */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"

static void
head(struct stmt_head *h, uint64_t low, uint64_t high)
{
	memset(h, 0, sizeof(*h));
	h->low = low;
	h->high = high;
}

/* Take n items of len bytes; the number taken before the bound. */
static uint64_t
take(struct sbudget *b, uint64_t n, size_t len)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (sbudget_take(b, len) != 0)
			break;
	return i;
}

static void
test_no_head(void **state)
{
	struct sbudget b;

	(void)state;
	sbudget_init(&b, NULL);
	assert_int_equal(b.items_max, 1 + 4 * CLIENT_STATE_AHEAD);
	assert_int_equal(take(&b, 1000000, 0), b.items_max);
	sbudget_init(&b, NULL);
	/* Bytes: the same bound in big items. */
	assert_true(take(&b, 1000000, 200000) <
	    b.bytes_max / 200000 + 1);
}

static void
test_served_head(void **state)
{
	struct sbudget b;
	struct stmt_head h;

	(void)state;
	sbudget_init(&b, NULL);
	head(&h, 101, 200);
	sbudget_head(&b, &h);
	assert_int_equal(b.items_max, 1 + 4 * (100 + CLIENT_STATE_AHEAD));
	/* A mailbox's real listing fits: head, records, a delete each. */
	assert_int_equal(take(&b, 1 + 100 + 100, 1500), 201);
	assert_int_equal(sbudget_take(&b, STMT_DELETE_MAX * 85), 0);
}

static void
test_remembered_head_widens(void **state)
{
	struct sbudget b;
	struct stmt_head prior, served;

	(void)state;
	/* A rollback: the device saw up to 5000, the server serves 1..10. */
	head(&prior, 1, 5000);
	head(&served, 1, 10);
	sbudget_init(&b, &prior);
	sbudget_head(&b, &served);
	assert_int_equal(b.items_max, 1 + 4 * (5000 + CLIENT_STATE_AHEAD));
	/* An empty head (high = low - 1) adds nothing. */
	head(&served, 11, 10);
	sbudget_init(&b, NULL);
	sbudget_head(&b, &served);
	assert_int_equal(b.items_max, 1 + 4 * CLIENT_STATE_AHEAD);
	/* A head past any seq is not believed. */
	head(&served, 1, PFISH_SEQ_MAX + 1);
	sbudget_init(&b, NULL);
	sbudget_head(&b, &served);
	assert_int_equal(b.items_max, 1 + 4 * CLIENT_STATE_AHEAD);
}

/*
 * The directory bound: a floor for any mailbox, raised by the seqs a
 * signed head covers (a million messages list), never by a head whose
 * high is out of range.
 */
static void
test_dir_bound(void **state)
{
	struct stmt_head prior, served;

	(void)state;
	assert_int_equal(dir_bound(NULL, NULL),
	    CLIENT_DIR_MAX + CLIENT_STATE_AHEAD);
	head(&served, 1, 1000000);
	assert_int_equal(dir_bound(NULL, &served),
	    CLIENT_DIR_MAX + 1000000 + CLIENT_STATE_AHEAD);
	head(&prior, 900001, 1000000);
	assert_int_equal(dir_bound(&prior, NULL),
	    CLIENT_DIR_MAX + 100000 + CLIENT_STATE_AHEAD);
	assert_int_equal(dir_bound(&prior, &served),
	    CLIENT_DIR_MAX + 1000000 + CLIENT_STATE_AHEAD);
	head(&served, 1, PFISH_SEQ_MAX + 1);
	assert_int_equal(dir_bound(&prior, &served),
	    CLIENT_DIR_MAX + 100000 + CLIENT_STATE_AHEAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_head),
		cmocka_unit_test(test_served_head),
		cmocka_unit_test(test_remembered_head_widens),
		cmocka_unit_test(test_dir_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
