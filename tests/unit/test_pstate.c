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

/* test_pstate.c: seq sets and the client state file format. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "pstate.h"

static char *
fmt(struct seqset *s)
{
	struct buf *b;
	char *r;

	assert_non_null(b = buf_new());
	assert_int_equal(seqset_format(s, b), 0);
	assert_non_null(r = buf_dup_string(b));
	buf_free(b);
	return r;
}

static void
test_seqset_add_merge(void **state)
{
	struct seqset *s;
	char *t;

	(void)state;
	assert_non_null(s = seqset_new());
	t = fmt(s);
	assert_string_equal(t, "-");
	free(t);
	assert_int_equal(seqset_add(s, 5), 0);
	assert_int_equal(seqset_add(s, 3), 0);
	assert_int_equal(seqset_add(s, 7), 0);
	assert_int_equal(seqset_add(s, 4), 0);	/* joins 3 and 5 */
	assert_int_equal(seqset_add(s, 4), 0);	/* no-op */
	t = fmt(s);
	assert_string_equal(t, "3-5,7");
	free(t);
	assert_int_equal(seqset_add(s, 6), 0);
	t = fmt(s);
	assert_string_equal(t, "3-7");
	free(t);
	assert_true(seqset_has(s, 3));
	assert_true(seqset_has(s, 7));
	assert_false(seqset_has(s, 2));
	assert_false(seqset_has(s, 8));
	assert_int_equal(seqset_count(s), 5);
	seqset_free(s);
}

static void
test_seqset_parse(void **state)
{
	struct seqset *s;
	static const char *bad[] = {
		"", "0", "01", "1,", ",1", "3-2", "1-1", "1,1", "1,2", "1-3,3",
		"5,4", "1 2", "1000000000000", "x"
	};
	size_t i;
	char *t;

	(void)state;
	assert_non_null(s = seqset_new());
	assert_int_equal(seqset_parse(s, "1-40,42,50-51", 13), 0);
	assert_int_equal(seqset_count(s), 43);
	t = fmt(s);
	assert_string_equal(t, "1-40,42,50-51");
	free(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(seqset_parse(s, bad[i], strlen(bad[i])),
		    PSTATE_ERR_FORMAT);
	assert_int_equal(seqset_count(s), 0);
	seqset_free(s);
}

static void
test_state_roundtrip(void **state)
{
	static const char text[] = "pfish-client-state 1\nfetched 1-3\n"
	    "checked 1-9\nhead\nstatement head\n";
	struct seqset *f, *c;
	struct buf *b;
	size_t off, len;

	(void)state;
	assert_non_null(f = seqset_new());
	assert_non_null(c = seqset_new());
	assert_non_null(b = buf_new());
	assert_int_equal(pstate_parse((const u_char *)text, strlen(text), f, c,
	    &off, &len), 0);
	assert_int_equal(seqset_count(f), 3);
	assert_int_equal(seqset_count(c), 9);
	assert_int_equal(len, strlen("statement head\n"));
	assert_memory_equal(text + off, "statement head\n", len);
	assert_int_equal(pstate_format(f, c, (const u_char *)text + off, len,
	    b), 0);
	assert_int_equal(buf_len(b), strlen(text));
	assert_memory_equal(buf_ptr(b), text, strlen(text));
	assert_int_equal(pstate_parse((const u_char *)text, 30, f, c, &off,
	    &len), PSTATE_ERR_FORMAT);
	assert_int_equal(pstate_parse((const u_char *)"pfish-client-state 2\n"
	    "fetched -\nchecked -\n", 41, f, c, &off, &len), PSTATE_ERR_FORMAT);
	buf_free(b);
	seqset_free(f);
	seqset_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqset_add_merge),
		cmocka_unit_test(test_seqset_parse),
		cmocka_unit_test(test_state_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
