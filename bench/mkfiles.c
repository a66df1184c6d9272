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

/* mkfiles.c: fill a directory with numbered files of pseudo-random bytes. */

/*
 * Usage: mkfiles DIR FIRST COUNT SIZE SUFFIX
 *
 * Creates DIR/NNNNNNNNNNNN<SUFFIX> for NNNNNNNNNNNN = FIRST .. FIRST+COUNT-1
 * (zero-padded to 12 digits like pfish's store), each SIZE bytes of
 * content that differs from file to file, so a mistaken copy shows.
 * Existing files are an error: the benchmark starts from an empty tree.
 */

#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	(1024 * 1024)

static uint64_t
next_rand(uint64_t *s)
{
	/* xorshift64*: fast and good enough to defeat any compression. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void
fill(unsigned char *p, size_t len, uint64_t *seed)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = next_rand(seed);
		memcpy(p + i, &v, 8);
	}
	for (; i < len; i++)
		p[i] = (unsigned char)next_rand(seed);
}

static int
make_one(int dfd, const char *name, uint64_t seq, long long size,
    unsigned char *buf)
{
	uint64_t	seed = 0x9e3779b97f4a7c15ULL ^ (seq * 0xbf58476d1ce4e5b9ULL);
	long long	left = size;
	size_t		n;
	ssize_t		w;
	int		fd, ret = -1;

	if (seed == 0)
		seed = 1;
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	while (left > 0) {
		n = left > CHUNK ? CHUNK : (size_t)left;
		fill(buf, n, &seed);
		if ((w = write(fd, buf, n)) != (ssize_t)n)
			goto out;
		left -= (long long)n;
	}
	ret = 0;
 out:
	if (close(fd) != 0)
		ret = -1;
	return ret;
}

int
main(int argc, char *argv[])
{
	unsigned char	*buf;
	const char	*errstr;
	char		 name[256];
	long long	 first, count, size, i;
	int		 dfd, n;

	if (argc != 6) {
		fprintf(stderr, "usage: mkfiles dir first count size suffix\n");
		return 2;
	}
	first = strtonum(argv[2], 0, 999999999999LL, &errstr);
	if (errstr != NULL)
		errx(2, "first %s: %s", argv[2], errstr);
	count = strtonum(argv[3], 0, 10000000, &errstr);
	if (errstr != NULL)
		errx(2, "count %s: %s", argv[3], errstr);
	size = strtonum(argv[4], 0, 1LL << 40, &errstr);
	if (errstr != NULL)
		errx(2, "size %s: %s", argv[4], errstr);
	if ((dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		err(2, "%s", argv[1]);
	if ((buf = malloc(CHUNK)) == NULL)
		err(2, "malloc");
	for (i = first; i < first + count; i++) {
		n = snprintf(name, sizeof(name), "%012lld%s", i, argv[5]);
		if (n < 0 || (size_t)n >= sizeof(name))
			errx(2, "name too long");
		if (make_one(dfd, name, (uint64_t)i, size, buf) == -1)
			err(2, "%s/%s", argv[1], name);
	}
	free(buf);
	close(dfd);
	return 0;
}
