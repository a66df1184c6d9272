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

/* test_mdname.c: unit tests for Maildir message names (proto/mdname.c). */

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "mdname.h"

static const u_char sha[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
};

/* Parses to pid, seq and hash, and formats back to the tag part. */
static void
good(const char *name, long wpid, uint64_t wseq, const char *wtag)
{
	struct mdname_tag t;
	char out[MDNAME_TAG_MAX];
	long pid = -1;

	assert_int_equal(mdname_parse(name, &pid, &t), 0);
	assert_int_equal(pid, wpid);
	assert_true(t.seq == wseq);
	assert_int_equal(mdname_tag_format(pid, &t, out, sizeof(out)), 0);
	assert_string_equal(out, wtag);
	assert_memory_equal(strchr(name, '.') + 1, wtag, strlen(wtag));
}

static void
bad(const char *name)
{
	struct mdname_tag t, zero;
	long pid = -1;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(mdname_parse(name, &pid, &t), -1);
	assert_int_equal(pid, 0);
	/* Nothing half parsed is left: no accidental match. */
	assert_memory_equal(&t, &zero, sizeof(t));
}

static void
test_make_format(void **state)
{
	struct mdname_tag t, u;
	char out[MDNAME_TAG_MAX];

	(void)state;
	assert_int_equal(mdname_tag_make(42, sha, &t), 0);
	assert_memory_equal(t.h, "0123456789abcdef", MDNAME_HASH);
	assert_int_equal(mdname_tag_format(1234, &t, out, sizeof(out)), 0);
	assert_string_equal(out, "P1234Q42H0123456789abcdef");
	/* The longest tag fits MDNAME_TAG_MAX exactly. */
	assert_int_equal(mdname_tag_make(PFISH_SEQ_MAX, sha, &t), 0);
	assert_int_equal(mdname_tag_format(LONG_MAX, &t, out, sizeof(out)),
	    0);
	assert_int_equal(strlen(out), MDNAME_TAG_MAX - 1);
	assert_int_equal(mdname_tag_format(LONG_MAX, &t, out,
	    sizeof(out) - 1), -1);
	assert_string_equal(out, "");
	/* Never written: seq 0 or past PFISH_SEQ_MAX, pid 0, a hash not hex. */
	assert_int_equal(mdname_tag_make(0, sha, &u), -1);
	assert_int_equal(mdname_tag_make(PFISH_SEQ_MAX + 1, sha, &u), -1);
	assert_int_equal(mdname_tag_format(0, &t, out, sizeof(out)), -1);
	u = t;
	u.seq = 0;
	assert_int_equal(mdname_tag_format(1, &u, out, sizeof(out)), -1);
	u = t;
	u.h[3] = 'A';
	assert_int_equal(mdname_tag_format(1, &u, out, sizeof(out)), -1);
	u.h[3] = '\0';
	assert_int_equal(mdname_tag_format(1, &u, out, sizeof(out)), -1);
}

static void
test_parse_good(void **state)
{
	struct mdname_tag t, u;

	(void)state;
	good("1700000000.P1234Q42H0123456789abcdef.host", 1234, 42,
	    "P1234Q42H0123456789abcdef");
	/* Moved to cur/ by a reader, flags added. */
	good("1700000000.P7Q999999999999Hffffffffffffffff.mx.example:2,RS",
	    7, PFISH_SEQ_MAX, "P7Q999999999999Hffffffffffffffff");
	/* An empty host, and a pid as long as a long can be. */
	good("1.P9223372036854775807Q1H0000000000000000.", LONG_MAX, 1,
	    "P9223372036854775807Q1H0000000000000000");
	/* A parsed name matches the tag made from the message. */
	assert_int_equal(mdname_parse(
	    "1700000000.P5Q42H0123456789abcdef.h:2,", NULL, &t), 0);
	assert_int_equal(mdname_tag_make(42, sha, &u), 0);
	assert_int_equal(mdname_tag_cmp(&t, &u), 0);
	u.seq = 43;
	assert_int_equal(mdname_tag_cmp(&t, &u), -1);
	u.seq = 42;
	u.h[15] = 'e';
	assert_int_equal(mdname_tag_cmp(&t, &u), 1);
}

static void
test_parse_bad(void **state)
{
	struct mdname_tag t;
	char longname[300];

	(void)state;
	bad("");
	bad(".");
	bad("1700000000");
	/* Other mail readers' names. */
	bad("1700000000.M123P456.host:2,S");
	bad("1700000000.P1Q2Hx.host");
	bad("1700000000.M1P2Q3H0123456789abcdef.host");
	bad("1700000000.P1V2Q3H0123456789abcdef.host");
	/* No digits, a leading zero, or a number out of range. */
	bad("1700000000.P1QH0123456789abcdef.host");
	bad("1700000000.PQ1H0123456789abcdef.host");
	bad("1700000000.P1Q042H0123456789abcdef.host");
	bad("1700000000.P01Q42H0123456789abcdef.host");
	bad("1700000000.P1Q0H0123456789abcdef.host");
	bad("1700000000.P0Q1H0123456789abcdef.host");
	bad("1700000000.P1Q1000000000000H0123456789abcdef.host");
	bad("1700000000.P1Q18446744073709551616H0123456789abcdef.host");
	bad("1700000000.P1Q99999999999999999999999H0123456789abcdef.host");
	bad("1700000000.P9223372036854775808Q1H0123456789abcdef.host");
	bad("1700000000.P1Q+1H0123456789abcdef.host");
	bad("1700000000.P1Q-1H0123456789abcdef.host");
	bad("1700000000.P1Q 1H0123456789abcdef.host");
	/* A hash too short, too long, not lowercase hex, or not there. */
	bad("1700000000.P1Q1H0123456789abcde.host");
	bad("1700000000.P1Q1H0123456789abcdef0.host");
	bad("1700000000.P1Q1H0123456789ABCDEF.host");
	bad("1700000000.P1Q1H0123456789abcdeg.host");
	bad("1700000000.P1Q1H0123456789abcde.f.host");
	bad("1700000000.P1Q1H.host");
	bad("1700000000.P1Q1H");
	/* No '.' after the hash. */
	bad("1700000000.P1Q1H0123456789abcdef");
	bad("1700000000.P1Q1H0123456789abcdef:2,S");
	bad("1700000000.P1Q1H0123456789abcdefhost");
	/* Longer than any directory entry name. */
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "1.P1Q1H0123456789abcdef.", 24);
	longname[MDNAME_NAME_MAX] = '\0';
	assert_int_equal(mdname_parse(longname, NULL, &t), 0);
	longname[MDNAME_NAME_MAX] = 'x';
	longname[MDNAME_NAME_MAX + 1] = '\0';
	bad(longname);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_format),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
