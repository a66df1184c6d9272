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

/* readpool.c: reusable READ buffers handed to the output without a copy. */

#include <sys/types.h>

#include <stdlib.h>

#include <event2/buffer.h>

#include "pfish.h"
#include "log.h"
#include "server.h"
#include "sftp.h"

/*
 * A READ reply's data is pread into one of these buffers and queued by
 * reference; libevent gives the buffer back once it is written.  Reusing
 * them avoids allocating and faulting in fresh pages for every READ.  The
 * output high-water mark bounds how many are in flight.
 */
/* A READ reply whole: its header, then up to PFISH_READ_MAX of data. */
#define READPOOL_BUFLEN	(SFTP_DATA_HDR_LEN + PFISH_READ_MAX)
/*
 * A reply this short is copied into the output and its buffer reused at
 * once.  By reference, every short reply of a small file would hold a
 * whole buffer until written: with the output at its high-water mark
 * that is dozens of them, freed and faulted in again after each burst.
 * Replies sent by reference are longer, so at most this many are queued
 * before the output is full, and the pool keeps that many.
 */
#define READPOOL_COPY	(64 * 1024)
#define READPOOL_KEEP	(PFISH_OUTPUT_HIWAT / READPOOL_COPY + 2)

struct readpool {
	u_char		*idle[READPOOL_KEEP];
	u_int		 nidle;
	u_int		 busy;		/* queued in some output buffer */
	int		 closed;	/* owner gone: free on release */
};

struct readpool *
readpool_new(void)
{
	return calloc(1, sizeof(struct readpool));
}

static void
readpool_maybe_free(struct readpool *p)
{
	if (p->closed && p->busy == 0)
		free(p);
}

void
readpool_close(struct readpool *p)
{
	if (p == NULL)
		return;
	while (p->nidle > 0)
		free(p->idle[--p->nidle]);
	p->closed = 1;
	readpool_maybe_free(p);
}

u_char *
readpool_get(struct readpool *p)
{
	u_char *b;

	if (p->nidle > 0)
		b = p->idle[--p->nidle];
	else if ((b = malloc(READPOOL_BUFLEN)) == NULL)
		fatal("out of memory");
	p->busy++;
	return b;
}

void
readpool_put(struct readpool *p, u_char *b)
{
	p->busy--;
	if (!p->closed && p->nidle < READPOOL_KEEP)
		p->idle[p->nidle++] = b;
	else
		free(b);
	readpool_maybe_free(p);
}

static void
readpool_release(const void *data, size_t len, void *arg)
{
	(void)len;
	readpool_put(arg, (u_char *)data);
}

/*
 * Queue len bytes of b: a short reply by copy, b back in the pool now;
 * a long one by reference, b back in the pool once sent.
 */
void
readpool_queue(struct readpool *p, struct evbuffer *out, u_char *b,
    size_t len)
{
	if (len <= READPOOL_COPY) {
		if (evbuffer_add(out, b, len) != 0)
			fatal("out of memory");
		readpool_put(p, b);
		return;
	}
	if (evbuffer_add_reference(out, b, len, readpool_release, p) != 0)
		fatal("out of memory");
}
