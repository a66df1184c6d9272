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

/* test_layout.c: unit tests for the mailbox layout (lib/layout.c). */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "layout.h"

static void
test_seq_name(void **state)
{
	char name[PFISH_NAME_MAX];

	(void)state;
	assert_int_equal(layout_seq_name(42, PFISH_AGE_SUFFIX, name,
	    sizeof(name)), 0);
	assert_string_equal(name, "000000000042.age");
	assert_int_equal(layout_seq_name(PFISH_SEQ_MAX, PFISH_REC_SUFFIX,
	    name, sizeof(name)), 0);
	assert_string_equal(name, "999999999999.rec");
	assert_int_equal(layout_seq_name(7, PFISH_VOID_SUFFIX, name,
	    sizeof(name)), 0);
	assert_string_equal(name, "000000000007.void");
	assert_int_equal(layout_seq_name(0, PFISH_AGE_SUFFIX, name,
	    sizeof(name)), -1);
	assert_int_equal(layout_seq_name(PFISH_SEQ_MAX + 1, PFISH_AGE_SUFFIX,
	    name, sizeof(name)), -1);
	/* 12 digits, ".age" and the NUL do not fit in 16. */
	assert_int_equal(layout_seq_name(1, PFISH_AGE_SUFFIX, name, 16), -1);
}

static void
test_seq_parse(void **state)
{
	static const char *bad[] = { "000000000000.age", "42.age",
	    "0000000000042.age", "00000000042.age", "00000000004x.age",
	    "+00000000042.age", "000000000042.age2", "000000000042.ag",
	    "000000000042.rec", " 00000000042.age", "" };
	uint64_t seq = 99;
	size_t i;

	(void)state;
	assert_int_equal(layout_seq_parse("000000000042.age",
	    PFISH_AGE_SUFFIX, &seq), 0);
	assert_true(seq == 42);
	assert_int_equal(layout_seq_parse("999999999999.note",
	    PFISH_NOTE_SUFFIX, &seq), 0);
	assert_true(seq == PFISH_SEQ_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seq = 99;
		assert_int_equal(layout_seq_parse(bad[i], PFISH_AGE_SUFFIX,
		    &seq), -1);
		assert_true(seq == 0);
	}
}

static void
test_delete_name(void **state)
{
	static const char *bad[] = {
	    "000000000000-00000000000000ab.del",
	    "000000000042-00000000000000AB.del",
	    "000000000042-00000000000000a.del",
	    "000000000042_00000000000000ab.del",
	    "000000000042-00000000000000ab.rec",
	    "000000000042.del" };
	char name[PFISH_NAME_MAX];
	uint64_t seq, key;
	size_t i;

	(void)state;
	assert_int_equal(layout_delete_name(42, 0xab, name, sizeof(name)), 0);
	assert_string_equal(name, "000000000042-00000000000000ab.del");
	assert_true(strlen(name) < PFISH_NAME_MAX);
	assert_int_equal(layout_delete_parse(name, &seq, &key), 0);
	assert_true(seq == 42 && key == 0xab);
	assert_int_equal(layout_delete_name(0, 1, name, sizeof(name)), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(layout_delete_parse(bad[i], &seq, &key), -1);
}

static int
epoch_dir(char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(path, len, "%s/test_layout.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(path));
	return open(path, O_RDONLY | O_DIRECTORY);
}

static void
put(int dfd, const char *text)
{
	int fd;

	fd = openat(dfd, PFISH_EPOCH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_int_equal(fs_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static void
test_epoch(void **state)
{
	static const char *bad[] = { "0123456789abcdef", "0123456789ABCDEF\n",
	    "0123456789abcde\n", "0123456789abcdef0\n", "0123456789abcdef\n\n",
	    "0123456789abcdeg\n", "" };
	char path[256], e[PFISH_EPOCH_LEN + 1];
	size_t i;
	int dfd;

	(void)state;
	dfd = epoch_dir(path, sizeof(path));
	assert_int_equal(layout_epoch_read(dfd, e), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mkdirat(dfd, PFISH_TMP, 0700), 0);
	{
		int tfd = fs_open_dir(dfd, PFISH_TMP);

		assert_true(tfd != -1);
		assert_int_equal(layout_epoch_write(dfd, tfd,
		    "0123456789abcdef"), 0);
		assert_int_equal(layout_epoch_write(dfd, tfd, "XYZ"), -1);
		assert_int_equal(errno, EINVAL);
		close(tfd);
	}
	assert_int_equal(layout_epoch_read(dfd, e), 0);
	assert_string_equal(e, "0123456789abcdef");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(dfd, bad[i]);
		assert_int_equal(layout_epoch_read(dfd, e), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(e, "");
	}
	unlinkat(dfd, PFISH_EPOCH, 0);
	unlinkat(dfd, PFISH_TMP, AT_REMOVEDIR);
	close(dfd);
	assert_int_equal(rmdir(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_name),
		cmocka_unit_test(test_seq_parse),
		cmocka_unit_test(test_delete_name),
		cmocka_unit_test(test_epoch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
