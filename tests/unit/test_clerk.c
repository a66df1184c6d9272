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

/* test_clerk.c: unit tests for the fetch's file system thread (clerk.c). */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "client.h"
#include "fsutil.h"
#include "testlib.h"

struct dir {
	char		 path[64];
	int		 fd;
	struct fs_tmpgen tg;
};

static int
setup(void **state)
{
	struct dir *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	strlcpy(d->path, "/tmp/pfish-clerk.XXXXXX", sizeof(d->path));
	if (mkdtemp(d->path) == NULL ||
	    (d->fd = open(d->path, O_RDONLY | O_DIRECTORY)) == -1 ||
	    fs_tmpgen_init(&d->tg, d->fd, 0600) != 0)
		return -1;
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct dir *d = *state;

	close(d->fd);
	tl_rm_rf(d->path);
	free(d);
	return 0;
}

/* The names in the directory, sorted, and how many. */
static size_t
names(const struct dir *d, char out[][CLERK_NAME_LEN], size_t max)
{
	struct dirent *de;
	size_t n = 0, i, j;
	char t[CLERK_NAME_LEN];
	DIR *dp;

	assert_non_null(dp = opendir(d->path));
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_true(n < max);
		strlcpy(out[n++], de->d_name, CLERK_NAME_LEN);
	}
	closedir(dp);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(out[j - 1], out[j]) > 0; j--) {
			memcpy(t, out[j], sizeof(t));
			memcpy(out[j], out[j - 1], sizeof(t));
			memcpy(out[j - 1], t, sizeof(t));
		}
	return n;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * More files taken than it keeps ahead and than it makes in all: every
 * one new, writable and private; once stopped, the directory holds
 * exactly the files taken, those made ahead and not taken are gone.
 */
static void
test_take_and_stop(void **state)
{
	struct dir *d = *state;
	char taken[12][CLERK_NAME_LEN], left[64][CLERK_NAME_LEN];
	struct clerk *c;
	struct stat st;
	int fd[12];
	size_t i, n;

	assert_non_null(c = clerk_start(&d->tg, 4, 8));
	for (i = 0; i < 12; i++) {
		fd[i] = clerk_take(c, taken[i], sizeof(taken[i]));
		assert_true(fd[i] >= 0);
		assert_int_equal(write(fd[i], "x", 1), 1);
		assert_int_equal(fstat(fd[i], &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(st.st_size, 1);
	}
	/* What was written stays in the files taken first. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(fstatat(d->fd, taken[i], &st, 0), 0);
		assert_int_equal(st.st_size, 1);
	}
	clerk_stop(c);
	qsort(taken, 12, sizeof(taken[0]), cmp_name);
	for (i = 1; i < 12; i++)
		assert_true(strcmp(taken[i - 1], taken[i]) < 0);
	n = names(d, left, 64);
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++)
		assert_string_equal(left[i], taken[i]);
	for (i = 0; i < 12; i++)
		close(fd[i]);
}

/* Stopped before anything was taken: nothing is left behind. */
static void
test_stop_untouched(void **state)
{
	struct dir *d = *state;
	char left[64][CLERK_NAME_LEN];
	struct clerk *c;

	assert_non_null(c = clerk_start(&d->tg, 16, 16));
	clerk_stop(c);
	assert_int_equal(names(d, left, 64), 0);
	clerk_stop(NULL);
}

struct job {
	int	ran;
	int	ret;
	int	err;
};

static int
job_fn(void *arg)
{
	struct job *j = arg;

	j->ran++;
	errno = j->err;
	return j->ret;
}

/* A job's result and errno come back through join, once. */
static void
test_job(void **state)
{
	struct dir *d = *state;
	struct job j = { 0, 7, EIO }, k = { 0, 0, 0 };
	struct clerk *c;

	assert_non_null(c = clerk_start(&d->tg, 1, 1));
	assert_int_equal(clerk_join(c), 0);	/* none started */
	clerk_run(c, job_fn, &j);
	errno = 0;
	assert_int_equal(clerk_join(c), 7);
	assert_int_equal(errno, EIO);
	assert_int_equal(j.ran, 1);
	assert_int_equal(clerk_join(c), 0);	/* joined already */
	/* Started and never joined: stop waits for it, and it ran once. */
	clerk_run(c, job_fn, &k);
	clerk_stop(c);
	assert_int_equal(k.ran, 1);
}

/* Refused: nothing kept ahead, or more than it may keep. */
static void
test_bad_ahead(void **state)
{
	struct dir *d = *state;

	errno = 0;
	assert_null(clerk_start(&d->tg, 0, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(clerk_start(&d->tg, 100000, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_and_stop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_untouched, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ahead, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
