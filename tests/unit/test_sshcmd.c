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

/* test_sshcmd.c: unit tests for forced-command splitting (lib/sshcmd.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sshcmd.h"

static void
test_split_ok(void **state)
{
	char buf[256], *av[SSHCMD_ARGS_MAX + 2];

	(void)state;
	assert_int_equal(sshcmd_split("pfish-signer record alice 12 ab",
	    "pfish-signer", buf, sizeof(buf), av), 5);
	assert_string_equal(av[0], "pfish-signer");
	assert_string_equal(av[1], "record");
	assert_string_equal(av[4], "ab");
	assert_null(av[5]);
	assert_int_equal(sshcmd_split("/usr/local/bin/pfish-signer  head  bob",
	    "pfish-signer", buf, sizeof(buf), av), 3);
	assert_string_equal(av[2], "bob");
	assert_int_equal(sshcmd_split("head bob", "pfish-signer", buf,
	    sizeof(buf), av), 3);
}

static void
test_split_refused(void **state)
{
	static const char *bad[] = {
		"", "pfish-signer", "pfish-signer -s /tmp head a",
		"pfish-signer head ../a", "pfish-signer head a;id",
		"pfish-signer head $(id)", "pfish-signer head 'a'",
		"pfish-signer head a\tb", "/bin/sh -c id",
		"pfish-signer head .pfish", "pfish-signer a b c d e f g h i",
	};
	char buf[256], *av[SSHCMD_ARGS_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sshcmd_split(bad[i], "pfish-signer", buf, sizeof(buf),
		    av) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(sshcmd_split("pfish-signer head alice",
	    "pfish-signer", buf, 8, av), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_ok),
		cmocka_unit_test(test_split_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
