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

/* test_mailbox.c: unit tests for mailbox access (subsys/mailbox.c). */

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

#include "mailbox.h"
#include "testlib.h"

struct ctx {
	struct mbfixture	 fx;
	struct mailbox		*mb;
};

static int
setup(void **state)
{
	struct ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	fx_setup(&c->fx);
	if ((c->mb = mailbox_open(c->fx.mailbox, "alice")) == NULL)
		return -1;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	mailbox_close(c->mb);
	fx_teardown(&c->fx);
	free(c);
	return 0;
}

#define NAME_OK(s)	mailbox_name_ok((s), strlen(s))

static void
test_name_filter(void **state)
{
	(void)state;
	assert_true(NAME_OK("000000000001.age"));
	assert_true(NAME_OK("other.age"));
	assert_true(NAME_OK("a.age"));
	assert_true(NAME_OK("x y.age"));
	assert_false(NAME_OK(".age"));
	assert_false(NAME_OK(".hidden.age"));
	assert_false(NAME_OK("..age"));
	assert_false(NAME_OK(".."));
	assert_false(NAME_OK("."));
	assert_false(NAME_OK(""));
	assert_false(NAME_OK("notes.txt"));
	assert_false(NAME_OK("x.age.txt"));
	assert_false(NAME_OK("x.AGE"));
	assert_false(NAME_OK("x.age~"));
	assert_false(NAME_OK("sub/x.age"));
	assert_false(NAME_OK("x\n.age"));
	assert_false(NAME_OK("x\x7f.age"));
	/* An embedded NUL hides a suffix from C strings. */
	assert_false(mailbox_name_ok("x.age\0.age", 10));
	assert_false(mailbox_name_ok("x\0.age", 6));
}

static void
test_name_length(void **state)
{
	char name[MAILBOX_NAME_MAX + 2];

	(void)state;
	memset(name, 'a', sizeof(name));
	memcpy(name + MAILBOX_NAME_MAX - 4, ".age", 4);
	assert_true(mailbox_name_ok(name, MAILBOX_NAME_MAX));
	memcpy(name + MAILBOX_NAME_MAX - 3, ".age", 4);
	assert_false(mailbox_name_ok(name, MAILBOX_NAME_MAX + 1));
}

static int
resolve(struct ctx *c, const char *path, char *name)
{
	return mailbox_resolve(c->mb, path, strlen(path), name);
}

static void
test_resolve_root(void **state)
{
	struct ctx *c = *state;
	char name[MAILBOX_NAME_MAX + 1], p[512];
	const char *roots[] = { "", ".", "/", "//", "/.", "./", "/./.", NULL };
	size_t i;

	for (i = 0; roots[i] != NULL; i++) {
		assert_int_equal(resolve(c, roots[i], name), MAILBOX_ROOT);
		assert_string_equal(name, "");
	}
	assert_int_equal(resolve(c, c->fx.mailbox, name), MAILBOX_ROOT);
	snprintf(p, sizeof(p), "%s/", c->fx.mailbox);
	assert_int_equal(resolve(c, p, name), MAILBOX_ROOT);
	snprintf(p, sizeof(p), "%s/.", c->fx.mailbox);
	assert_int_equal(resolve(c, p, name), MAILBOX_ROOT);
}

static void
test_resolve_file(void **state)
{
	struct ctx *c = *state;
	char name[MAILBOX_NAME_MAX + 1], p[512];
	const char *ok[] = { "other.age", "/other.age", "//other.age",
	    "./other.age", "/./other.age", "other.age/", NULL };
	size_t i;

	for (i = 0; ok[i] != NULL; i++) {
		assert_int_equal(resolve(c, ok[i], name), MAILBOX_FILE);
		assert_string_equal(name, "other.age");
	}
	snprintf(p, sizeof(p), "%s/other.age", c->fx.mailbox);
	assert_int_equal(resolve(c, p, name), MAILBOX_FILE);
	assert_string_equal(name, "other.age");
	/* Resolution is syntax only: a missing visible name resolves. */
	assert_int_equal(resolve(c, "/missing.age", name), MAILBOX_FILE);
}

static void
test_resolve_escapes(void **state)
{
	struct ctx *c = *state;
	char name[MAILBOX_NAME_MAX + 1], p[512];
	const char *eacces[] = { "..", "/..", "../", "../alice/other.age",
	    "/../alice/other.age", "sub.age/../other.age", "x/../other.age",
	    "other.age/..", "/./../secret.age", NULL };
	const char *enoent[] = { "sub/inner.age", "/sub/inner.age",
	    "sub.age/x.age", "notes.txt", ".hidden.age", "/.pfish",
	    "/.pfish/notes", "/etc/passwd", "/tmp", "...", "..age",
	    "other.age/x.age", NULL };
	size_t i;

	for (i = 0; eacces[i] != NULL; i++)
		assert_int_equal(resolve(c, eacces[i], name), -EACCES);
	for (i = 0; enoent[i] != NULL; i++)
		assert_int_equal(resolve(c, enoent[i], name), -ENOENT);
	/* The prefix sibling /.../alice2 is not the mailbox. */
	snprintf(p, sizeof(p), "%s/000000000001.age", c->fx.sibling);
	assert_int_equal(resolve(c, p, name), -ENOENT);
	assert_int_equal(resolve(c, c->fx.sibling, name), -ENOENT);
	snprintf(p, sizeof(p), "%s/../alice2/000000000001.age", c->fx.mailbox);
	assert_int_equal(resolve(c, p, name), -EACCES);
	/* NUL anywhere, even where C would stop reading. */
	assert_int_equal(mailbox_resolve(c->mb, "other.age\0x", 11, name),
	    -EACCES);
	assert_int_equal(mailbox_resolve(c->mb, "\0", 1, name), -EACCES);
	assert_string_equal(name, "");
}

static void
test_resolve_long(void **state)
{
	struct ctx *c = *state;
	char name[MAILBOX_NAME_MAX + 1], *p;

	if ((p = malloc(MAILBOX_PATH_MAX + 16)) == NULL)
		abort();
	memset(p, '/', MAILBOX_PATH_MAX + 16);
	memcpy(p + MAILBOX_PATH_MAX + 16 - 9, "other.age", 9);
	assert_int_equal(mailbox_resolve(c->mb, p, MAILBOX_PATH_MAX + 16,
	    name), -ENOENT);
	free(p);
}

static void
test_stat_and_open(void **state)
{
	struct ctx *c = *state;
	const char *hidden[] = { "link.age", "outside.age", "sub.age",
	    "fifo.age", "missing.age", ".hidden.age", "notes.txt", NULL };
	struct stat st;
	char buf[16];
	size_t i;
	int fd;

	assert_int_equal(mailbox_stat(c->mb, "other.age", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 2);
	for (i = 0; hidden[i] != NULL; i++) {
		errno = 0;
		assert_int_equal(mailbox_stat(c->mb, hidden[i], &st), -1);
		assert_int_equal(errno, ENOENT);
		/* The FIFO must not block the open. */
		assert_int_equal(mailbox_open_file(c->mb, hidden[i], &st), -1);
		assert_int_equal(errno, ENOENT);
	}
	fd = mailbox_open_file(c->mb, "000000000001.age", &st);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(write(fd, "x", 1), -1);	/* read-only */
	close(fd);
	assert_int_equal(mailbox_stat_root(c->mb, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void
test_listing(void **state)
{
	struct ctx *c = *state;
	struct mailbox_dir *d;
	const char *name;
	struct stat st;
	int seen1 = 0, seen2 = 0, seeno = 0, n = 0, r;

	assert_non_null(d = mailbox_opendir(c->mb));
	while ((r = mailbox_readdir(d, &name, &st)) == 1) {
		n++;
		assert_true(S_ISREG(st.st_mode));
		if (strcmp(name, "000000000001.age") == 0)
			seen1++;
		else if (strcmp(name, "000000000002.age") == 0) {
			seen2++;
			assert_int_equal(st.st_size, 300000);
		} else if (strcmp(name, "other.age") == 0)
			seeno++;
		else
			fail_msg("unexpected entry %s", name);
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 3);
	assert_true(seen1 == 1 && seen2 == 1 && seeno == 1);
	assert_int_equal(mailbox_readdir(d, &name, &st), 0);
	mailbox_closedir(d);
}

static void
test_remove_writes_note(void **state)
{
	struct ctx *c = *state;
	char path[512], text[256];
	int fd, noted = 7;
	ssize_t n;

	assert_int_equal(mailbox_remove(c->mb, "000000000002.age", 1700000000,
	    &noted), 0);
	assert_int_equal(noted, 1);
	assert_false(fx_exists(&c->fx, "000000000002.age"));
	fx_path(&c->fx, ".pfish/notes/000000000002.note", path, sizeof(path));
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = '\0';
	assert_string_equal(text, "statement note\nversion 1\nmailbox alice\n"
	    "seq 2\ntime 1700000000\n");
	/* No temp file left behind. */
	fx_path(&c->fx, ".pfish/tmp", path, sizeof(path));
	assert_int_equal(rmdir(path), 0);
}

static void
test_remove_other(void **state)
{
	struct ctx *c = *state;
	int noted = 7;

	assert_int_equal(mailbox_remove(c->mb, "other.age", 1, &noted), 0);
	assert_int_equal(noted, 0);
	assert_false(fx_exists(&c->fx, "other.age"));
	assert_false(fx_exists(&c->fx, ".pfish/notes/other.note"));
	/* Invisible things stay, whatever their name. */
	assert_int_equal(mailbox_remove(c->mb, "link.age", 1, &noted), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(fx_exists(&c->fx, "link.age"));
	assert_int_equal(mailbox_remove(c->mb, "sub.age", 1, &noted), -1);
	assert_true(fx_exists(&c->fx, "sub.age"));
	assert_int_equal(mailbox_remove(c->mb, ".hidden.age", 1, &noted), -1);
	assert_true(fx_exists(&c->fx, ".hidden.age"));
	assert_int_equal(mailbox_remove(c->mb, "missing.age", 1, &noted), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_open_refuses_symlinked_mailbox(void **state)
{
	struct ctx *c = *state;
	char path[512];

	fx_path(&c->fx, "../mlink", path, sizeof(path));
	assert_int_equal(symlink("alice", path), 0);
	assert_null(mailbox_open(path, "alice"));
	assert_true(errno == ELOOP || errno == ENOTDIR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_filter),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test_setup_teardown(test_resolve_root, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resolve_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resolve_escapes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resolve_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stat_and_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_writes_note, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove_other, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_refuses_symlinked_mailbox, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
