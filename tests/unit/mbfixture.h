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

/* mbfixture.h: a throwaway mailbox with files that must stay invisible. */

#ifndef MBFIXTURE_H
#define MBFIXTURE_H

#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * TOP/alice      the mailbox: 000000000001.age (5 bytes "hello"),
 *                000000000002.age (300000 bytes), other.age ("x\n"),
 *                notes.txt, .hidden.age, link.age -> 000000000001.age,
 *                outside.age -> ../secret.age, sub.age/ (a directory),
 *                sub/inner.age, fifo.age (a FIFO)
 * TOP/alice2     a prefix sibling with 000000000001.age
 * TOP/secret.age outside every mailbox
 */
struct mbfixture {
	char	top[64];
	char	mailbox[128];
	char	sibling[128];
};

static void
fx_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, data, len) != (ssize_t)len || close(fd) != 0) {
		perror(path);
		abort();
	}
}

static void
fx_path(const struct mbfixture *fx, const char *name, char *out, size_t sz)
{
	snprintf(out, sz, "%s/%s", fx->mailbox, name);
}

static int
fx_exists(const struct mbfixture *fx, const char *name)
{
	char path[512];
	struct stat st;

	fx_path(fx, name, path, sizeof(path));
	return lstat(path, &st) == 0;
}

static void
fx_setup(struct mbfixture *fx)
{
	char path[512], *big;

	strlcpy(fx->top, "/tmp/pfish-unit.XXXXXX", sizeof(fx->top));
	if (mkdtemp(fx->top) == NULL)
		abort();
	snprintf(fx->mailbox, sizeof(fx->mailbox), "%s/alice", fx->top);
	snprintf(fx->sibling, sizeof(fx->sibling), "%s/alice2", fx->top);
	if (mkdir(fx->mailbox, 0700) != 0 || mkdir(fx->sibling, 0700) != 0)
		abort();
	fx_write(fx->mailbox, "000000000001.age", "hello", 5);
	if ((big = malloc(300000)) == NULL)
		abort();
	for (size_t i = 0; i < 300000; i++)
		big[i] = (char)(i * 7 + i / 251);
	fx_write(fx->mailbox, "000000000002.age", big, 300000);
	free(big);
	fx_write(fx->mailbox, "other.age", "x\n", 2);
	fx_write(fx->mailbox, "notes.txt", "n\n", 2);
	fx_write(fx->mailbox, ".hidden.age", "h\n", 2);
	fx_write(fx->sibling, "000000000001.age", "sibling", 7);
	fx_write(fx->top, "secret.age", "secret", 6);
	fx_path(fx, "link.age", path, sizeof(path));
	if (symlink("000000000001.age", path) != 0)
		abort();
	fx_path(fx, "outside.age", path, sizeof(path));
	if (symlink("../secret.age", path) != 0)
		abort();
	fx_path(fx, "sub.age", path, sizeof(path));
	if (mkdir(path, 0700) != 0)
		abort();
	fx_path(fx, "sub", path, sizeof(path));
	if (mkdir(path, 0700) != 0)
		abort();
	fx_write(path, "inner.age", "inner", 5);
	fx_path(fx, "fifo.age", path, sizeof(path));
	if (mkfifo(path, 0600) != 0)
		abort();
}

static void
fx_teardown(struct mbfixture *fx)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->top);
	if (system(cmd) != 0)
		abort();
}

#endif /* MBFIXTURE_H */
