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

/*
 * test_pfisherr.c: every error code in include/pfisherr.h has its own
 * message.  The codes are read from the header itself at test time, so a
 * code added there without a message in lib/pfisherr.c fails here.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pfisherr.h"

#define NCODES_MAX	512

struct code {
	char	name[64];
	int	value;
};

/* Messages true of every code that has them, so sharing is no ambiguity. */
static const char *shared_ok[] = {
	"out of memory",
	"invalid argument",
	"signature missing or invalid",	/* statement's or account state's */
};

/* The "#define NAME -N" lines of pfisherr.h (BUF_OK 0 too). */
static size_t
read_codes(struct code *c, size_t max)
{
	char path[4096], line[512], name[64];
	const char *top;
	FILE *f;
	size_t n = 0;
	int v;

	if ((top = getenv("PFISH_TOP")) == NULL)
		top = ".";
	snprintf(path, sizeof(path), "%s/include/pfisherr.h", top);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "#define %63s %d", name, &v) != 2)
			continue;
		if (strstr(name, "_ERR_") == NULL && strcmp(name, "BUF_OK") != 0)
			continue;
		assert_true(n < max);
		snprintf(c[n].name, sizeof(c[n].name), "%s", name);
		c[n].value = v;
		n++;
	}
	fclose(f);
	return n;
}

static int
shared_allowed(const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof(shared_ok) / sizeof(shared_ok[0]); i++)
		if (strcmp(msg, shared_ok[i]) == 0)
			return 1;
	return 0;
}

static void
test_every_code_has_message(void **state)
{
	static struct code c[NCODES_MAX];
	size_t i, n;
	int first = 0, last = 0;

	(void)state;
	n = read_codes(c, NCODES_MAX);
	/* The parser saw the header: the first and last module are there. */
	for (i = 0; i < n; i++) {
		if (c[i].value == BUF_ERR_ALLOC)
			first = 1;
		if (c[i].value == ACCHAIN_ERR_ALLOC)
			last = 1;
	}
	assert_true(first && last);
	assert_true(n > 60);
	for (i = 0; i < n; i++) {
		const char *m = pfish_strerror(c[i].value);

		if (m == NULL || *m == '\0' || strcmp(m, "unknown error") == 0)
			fail_msg("%s (%d) has no message", c[i].name,
			    c[i].value);
		if (c[i].value != 0 && strcmp(m, "success") == 0)
			fail_msg("%s (%d) says success", c[i].name,
			    c[i].value);
	}
}

static void
test_messages_distinct(void **state)
{
	static struct code c[NCODES_MAX];
	size_t i, j, n;
	const char *mi, *mj;

	(void)state;
	n = read_codes(c, NCODES_MAX);
	assert_true(n > 60);
	for (i = 0; i < n; i++) {
		mi = pfish_strerror(c[i].value);
		for (j = i + 1; j < n; j++) {
			assert_int_not_equal(c[i].value, c[j].value);
			mj = pfish_strerror(c[j].value);
			if (strcmp(mi, mj) == 0 && !shared_allowed(mi))
				fail_msg("%s and %s share \"%s\"", c[i].name,
				    c[j].name, mi);
		}
	}
}

static void
test_known_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(pfish_strerror(0), "success");
	assert_string_equal(pfish_strerror(BUF_ERR_ALLOC), "out of memory");
	assert_string_equal(pfish_strerror(AGE_ERR_HMAC),
	    "header MAC does not verify");
	assert_string_equal(pfish_strerror(SFTP_ERR_TYPE),
	    "unexpected SFTP reply type");
	assert_string_equal(pfish_strerror(1), "unknown error");
	assert_string_equal(pfish_strerror(-9999), "unknown error");
	assert_string_equal(pfish_strerror(-199), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_message),
		cmocka_unit_test(test_messages_distinct),
		cmocka_unit_test(test_known_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
