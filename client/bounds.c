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

/* bounds.c: how much signed state a server may send, from the heads. */

#include <sys/types.h>

#include <string.h>

#include "client.h"

/*
 * A listing serves the records from a head's low on, plus records signed
 * since that head; deletes, notes and voids each name at least one of
 * those seqs.  So N = the span the signed heads cover (the one served and
 * the one this device remembers; either may be NULL) plus
 * CLIENT_STATE_AHEAD, and a listing has at most 1 + 4 * N items of
 * CLIENT_STATE_AVG bytes on average.  A directory holds a message a seq.
 */
static uint64_t
head_span(const struct stmt_head *h1, const struct stmt_head *h2)
{
	uint64_t lo = UINT64_MAX, hi = 0, n = CLIENT_STATE_AHEAD;
	const struct stmt_head *h[2] = { h1, h2 };
	size_t i;

	for (i = 0; i < 2; i++) {
		if (h[i] == NULL || h[i]->high > PFISH_SEQ_MAX)
			continue;
		if (h[i]->low < lo)
			lo = h[i]->low;
		if (h[i]->high > hi)
			hi = h[i]->high;
	}
	if (lo != UINT64_MAX && hi >= lo)
		n += hi - lo + 1;
	return n;
}

static void
sbudget_set(struct sbudget *b, const struct stmt_head *h1,
    const struct stmt_head *h2)
{
	b->items_max = 1 + 4 * head_span(h1, h2);
	b->bytes_max = b->items_max * CLIENT_STATE_AVG + STMT_SIGNED_MAX;
}

/* Names a directory listing may hold: a floor, and a name a seq more. */
uint64_t
dir_bound(const struct stmt_head *h1, const struct stmt_head *h2)
{
	return CLIENT_DIR_MAX + head_span(h1, h2);
}

/* Start of a listing: until a signed head is served, only the remembered. */
void
sbudget_init(struct sbudget *b, const struct stmt_head *prior)
{
	memset(b, 0, sizeof(*b));
	b->prior = prior;
	sbudget_set(b, prior, NULL);
}

/* The listing's first item was a head signed by a trusted signer. */
void
sbudget_head(struct sbudget *b, const struct stmt_head *served)
{
	sbudget_set(b, b->prior, served);
}

/* Count one item of len bytes; -1 when the listing is over its bound. */
int
sbudget_take(struct sbudget *b, size_t len)
{
	b->items++;
	b->bytes += len;
	if (b->items > b->items_max || b->bytes > b->bytes_max)
		return -1;
	return 0;
}

/* One more state of a served account chain; -1 when over the bound. */
int
abudget_take(struct abudget *b, size_t len)
{
	if (len > ACCOUNT_SIGNED_MAX)
		return -1;
	b->states++;
	b->bytes += len;
	if (b->states > CLIENT_ACCT_STATES || b->bytes > CLIENT_ACCT_BYTES)
		return -1;
	return 0;
}
