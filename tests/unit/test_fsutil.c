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

/* test_fsutil.c: unit tests for durable writes and reads (lib/fsutil.c). */

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

#include "fsutil.h"

struct dirs {
	char	path[64];
	int	dir;
	int	tmp;
};

static int
setup(void **state)
{
	struct dirs *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	strlcpy(d->path, "/tmp/pfish-fsutil.XXXXXX", sizeof(d->path));
	if (mkdtemp(d->path) == NULL)
		return -1;
	d->dir = open(d->path, O_RDONLY | O_DIRECTORY);
	if (d->dir == -1 || mkdirat(d->dir, "tmp", 0700) == -1 ||
	    (d->tmp = fs_open_dir(d->dir, "tmp")) == -1)
		return -1;
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[128];

	close(d->tmp);
	close(d->dir);
	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path) <
	    (int)sizeof(cmd))
		(void)system(cmd);
	free(d);
	return 0;
}

static int
count_entries(int dirfd)
{
	struct dirent *de;
	DIR *dp;
	int n = 0, fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

static void
test_write_replace_read(void **state)
{
	struct dirs *d = *state;
	struct stat st;
	u_char *data;
	size_t len;

	assert_int_equal(fs_write_atomic(d->dir, d->tmp, "f", "one\n", 4,
	    0640), 0);
	assert_int_equal(fs_read_file(d->dir, "f", 100, &data, &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal((char *)data, "one\n");
	free(data);
	assert_int_equal(fs_write_atomic(d->dir, d->tmp, "f", "second\n", 7,
	    0600), 0);
	assert_int_equal(fs_read_file(d->dir, "f", 100, &data, &len), 0);
	assert_string_equal((char *)data, "second\n");
	free(data);
	assert_int_equal(fstatat(d->dir, "f", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* No temp file is left behind. */
	assert_int_equal(count_entries(d->tmp), 0);
}

static void
test_read_limits(void **state)
{
	struct dirs *d = *state;
	u_char *data = (u_char *)"x";
	size_t len = 9;

	assert_int_equal(fs_write_atomic(d->dir, d->tmp, "big", "0123456789",
	    10, 0644), 0);
	assert_int_equal(fs_read_file(d->dir, "big", 9, &data, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(fs_read_file(d->dir, "big", 10, &data, &len), 0);
	free(data);
	assert_int_equal(symlinkat("big", d->dir, "link"), 0);
	assert_int_equal(fs_read_file(d->dir, "link", 100, &data, &len), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(fs_read_file(d->dir, "tmp", 100, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fs_read_file(d->dir, "none", 100, &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fs_open_dir(d->dir, "link"), -1);
}

/* A failed commit (target is a directory) removes the temp file. */
static void
test_commit_failure_cleans(void **state)
{
	struct dirs *d = *state;

	assert_int_equal(mkdirat(d->dir, "isdir", 0700), 0);
	assert_int_equal(mkdirat(d->dir, "isdir/x", 0700), 0);
	assert_int_equal(fs_write_atomic(d->dir, d->tmp, "isdir", "z", 1,
	    0644), -1);
	assert_int_equal(count_entries(d->tmp), 0);
}

/* A file holding data in d->tmp, committed to d->dir/name. */
static int
commit_new(struct dirs *d, const char *name, const char *data)
{
	char tmp[64];
	int fd;

	assert_int_not_equal(fd = fs_tmp_create(d->tmp, 0600, tmp,
	    sizeof(tmp)), -1);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	return fs_commit_new(fd, d->tmp, tmp, d->dir, name);
}

/* fs_commit_new never replaces: EEXIST, the old file kept, no temp left. */
static void
test_commit_new(void **state)
{
	struct dirs *d = *state;
	u_char *data;
	size_t len;

	assert_int_equal(commit_new(d, "m", "first\n"), 0);
	assert_int_equal(commit_new(d, "m", "second\n"), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(fs_read_file(d->dir, "m", 100, &data, &len), 0);
	assert_string_equal((char *)data, "first\n");
	free(data);
	assert_int_equal(count_entries(d->tmp), 0);
	/* A symbolic link under the name is not replaced either. */
	assert_int_equal(symlinkat("m", d->dir, "l"), 0);
	assert_int_equal(commit_new(d, "l", "third\n"), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(fs_read_file(d->dir, "l", 100, &data, &len), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(count_entries(d->tmp), 0);
}

/* Many names from one stem: all distinct, all 0600 under umask 022. */
static void
test_tmpgen_names(void **state)
{
	struct dirs *d = *state;
	struct fs_tmpgen g;
	struct stat st;
	char name[64], first[64];
	mode_t old;
	int fd, i;

	old = umask(022);
	assert_int_equal(fs_tmpgen_init(&g, d->tmp, 0600), 0);
	for (i = 0; i < 200; i++) {
		assert_true((fd = fs_tmpgen_create(&g, name,
		    sizeof(name))) != -1);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		close(fd);
		assert_int_equal(strncmp(name, ".tmp.", 5), 0);
		if (i == 0)
			strlcpy(first, name, sizeof(first));
	}
	(void)umask(old);
	/* O_EXCL made each: 200 distinct files. */
	assert_int_equal(count_entries(d->tmp), 200);
	assert_int_equal(g.exact, 1);
	/* A second generator draws its own stem. */
	assert_int_equal(fs_tmpgen_init(&g, d->tmp, 0600), 0);
	assert_true((fd = fs_tmpgen_create(&g, name, sizeof(name))) != -1);
	close(fd);
	assert_string_not_equal(name, first);
	assert_int_equal(count_entries(d->tmp), 201);
}

/* A name taken (a leftover, another run) is never opened: a new stem. */
static void
test_tmpgen_taken(void **state)
{
	struct dirs *d = *state;
	struct fs_tmpgen g, h;
	char name[64], taken[64];
	u_char *data;
	size_t len;
	int fd;

	assert_int_equal(fs_tmpgen_init(&g, d->tmp, 0600), 0);
	h = g;
	/* What g would make next, made first with other content. */
	assert_true((fd = fs_tmpgen_create(&h, taken, sizeof(taken))) != -1);
	assert_int_equal(fs_write_all(fd, "left", 4), 0);
	close(fd);
	assert_true((fd = fs_tmpgen_create(&g, name, sizeof(name))) != -1);
	close(fd);
	assert_string_not_equal(name, taken);
	assert_int_equal(fs_read_file(d->tmp, taken, 100, &data, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "left", 4);
	free(data);
	assert_int_equal(fs_read_file(d->tmp, name, 100, &data, &len), 0);
	assert_int_equal(len, 0);
	free(data);
}

/* A umask that takes bits of the mode: every file is fchmod'ed back. */
static void
test_tmpgen_umask(void **state)
{
	struct dirs *d = *state;
	struct fs_tmpgen g;
	struct stat st;
	char name[64];
	mode_t old;
	int fd, i;

	old = umask(0277);
	assert_int_equal(fs_tmpgen_init(&g, d->tmp, 0600), 0);
	for (i = 0; i < 3; i++) {
		assert_true((fd = fs_tmpgen_create(&g, name,
		    sizeof(name))) != -1);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		close(fd);
	}
	(void)umask(old);
	assert_int_equal(g.exact, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_replace_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_new, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure_cleans,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmpgen_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tmpgen_taken, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tmpgen_umask, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
