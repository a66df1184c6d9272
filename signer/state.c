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

/* state.c: pfish-signer's per-mailbox state file, parsed and written. */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "signer.h"
#include "stmt.h"

#define STATE_MAGIC	"pfish-signer-state 1"

void
signer_state_init(struct signer_state *st, const char *mailbox)
{
	memset(st, 0, sizeof(*st));
	strlcpy(st->mailbox, mailbox, sizeof(st->mailbox));
	st->next = 1;
	st->low = 1;
}

void
signer_state_free(struct signer_state *st)
{
	free(st->ent);
	st->ent = NULL;
	st->nent = 0;
}

int
signer_state_add(struct signer_state *st, uint64_t seq, uint64_t time,
    const u_char hash[STMT_HASH_LEN])
{
	struct signer_entry *n;

	if (st->nent > 0 && seq <= st->ent[st->nent - 1].seq)
		return -1;
	if ((n = reallocarray(st->ent, st->nent + 1, sizeof(*n))) == NULL)
		return -1;
	st->ent = n;
	n[st->nent].seq = seq;
	n[st->nent].time = time;
	memcpy(n[st->nent].hash, hash, STMT_HASH_LEN);
	st->nent++;
	return 0;
}

static const struct signer_entry *
find_entry(const struct signer_state *st, uint64_t seq)
{
	size_t i;

	for (i = 0; i < st->nent; i++)
		if (st->ent[i].seq == seq)
			return &st->ent[i];
	return NULL;
}

void
signer_state_low(const struct signer_state *st, uint64_t now,
    uint64_t retention, uint64_t *low, u_char lowprev[STMT_HASH_LEN])
{
	const struct signer_entry *e;
	uint64_t cutoff = now > retention ? now - retention : 0;
	size_t i;

	*low = st->next;
	for (i = 0; i < st->nent; i++) {
		if (st->ent[i].time >= cutoff) {
			*low = st->ent[i].seq;
			break;
		}
	}
	if (*low < st->low)
		*low = st->low;	/* never give back what was expired */
	memset(lowprev, 0, STMT_HASH_LEN);
	if (*low == 1)
		return;
	if (*low == st->next)
		memcpy(lowprev, st->chain, STMT_HASH_LEN);
	else if ((e = find_entry(st, *low - 1)) != NULL)
		memcpy(lowprev, e->hash, STMT_HASH_LEN);
}

void
signer_state_prune(struct signer_state *st, uint64_t low)
{
	size_t i, j;

	for (i = j = 0; i < st->nent; i++)
		if (st->ent[i].seq + 1 >= low)
			st->ent[j++] = st->ent[i];
	st->nent = j;
}

static int
put_hex(struct buf *b, const char *key, const u_char h[STMT_HASH_LEN])
{
	char hex[65];

	stmt_hash_hex(h, hex);
	return buf_putf(b, "%s %s\n", key, hex);
}

int
signer_state_format(const struct signer_state *st, struct buf *out)
{
	char sha[65], prev[65];
	size_t i;

	if (buf_putf(out, STATE_MAGIC "\nmailbox %s\nepoch %s\nnext %llu\n",
	    st->mailbox, st->epoch, (unsigned long long)st->next) != 0 ||
	    put_hex(out, "chain", st->chain) != 0 ||
	    buf_putf(out, "low %llu\nissued %llu\n",
	    (unsigned long long)st->low, (unsigned long long)st->issued) != 0)
		return -1;
	if (st->have_last) {
		stmt_hash_hex(st->last.sha256, sha);
		stmt_hash_hex(st->last.prev, prev);
		if (buf_putf(out, "last %llu %llu %llu %s %s %s\n",
		    (unsigned long long)st->last.seq,
		    (unsigned long long)st->last.time,
		    (unsigned long long)st->last.size, sha, prev,
		    st->last.key) != 0)
			return -1;
	}
	for (i = 0; i < st->nent; i++) {
		stmt_hash_hex(st->ent[i].hash, sha);
		if (buf_putf(out, "r %llu %llu %s\n",
		    (unsigned long long)st->ent[i].seq,
		    (unsigned long long)st->ent[i].time, sha) != 0)
			return -1;
	}
	return 0;
}

/* Split line into at most max space-separated words; returns the count. */
static size_t
words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p;

	while ((p = strsep(&line, " ")) != NULL) {
		if (n == max)
			return max + 1;
		w[n++] = p;
	}
	return n;
}

static int
parse_last(struct signer_state *st, char **w, size_t n)
{
	struct stmt_record *r = &st->last;

	if (n != 7 || stmt_u64_from_dec(w[1], &r->seq) != 0 ||
	    stmt_u64_from_dec(w[2], &r->time) != 0 ||
	    stmt_u64_from_dec(w[3], &r->size) != 0 ||
	    stmt_hash_from_hex(w[4], r->sha256) != 0 ||
	    stmt_hash_from_hex(w[5], r->prev) != 0 ||
	    strlcpy(r->key, w[6], sizeof(r->key)) >= sizeof(r->key))
		return -1;
	strlcpy(r->mailbox, st->mailbox, sizeof(r->mailbox));
	strlcpy(r->epoch, st->epoch, sizeof(r->epoch));
	st->have_last = 1;
	return 0;
}

static int
parse_line(struct signer_state *st, char *line, int lineno)
{
	char *w[8];
	u_char h[STMT_HASH_LEN];
	uint64_t a, b;
	size_t n;

	n = words(line, w, 7);
	if (lineno == 0)
		return n == 2 && strcmp(w[0], "pfish-signer-state") == 0 &&
		    strcmp(w[1], "1") == 0 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "mailbox") == 0)
		return strcmp(w[1], st->mailbox) == 0 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "epoch") == 0)
		return strlcpy(st->epoch, w[1], sizeof(st->epoch)) ==
		    STMT_EPOCH_LEN ? 0 : -1;
	if (n == 2 && strcmp(w[0], "next") == 0)
		return stmt_u64_from_dec(w[1], &st->next) == 0 &&
		    st->next >= 1 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "chain") == 0)
		return stmt_hash_from_hex(w[1], st->chain) == 0 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "low") == 0)
		return stmt_u64_from_dec(w[1], &st->low) == 0 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "issued") == 0)
		return stmt_u64_from_dec(w[1], &st->issued) == 0 ? 0 : -1;
	if (n >= 1 && strcmp(w[0], "last") == 0)
		return parse_last(st, w, n);
	if (n == 4 && strcmp(w[0], "r") == 0) {
		if (stmt_u64_from_dec(w[1], &a) != 0 ||
		    stmt_u64_from_dec(w[2], &b) != 0 ||
		    stmt_hash_from_hex(w[3], h) != 0)
			return -1;
		return signer_state_add(st, a, b, h);
	}
	return -1;
}

/* st arrives initialised with its mailbox name; any doubt fails. */
int
signer_state_parse(const char *text, size_t len, struct signer_state *st)
{
	char *copy = NULL, *p, *line;
	int lineno = 0, r = -1;

	if (strlen(text) != len || len == 0 || text[len - 1] != '\n')
		return -1;
	if ((copy = strdup(text)) == NULL)
		return -1;
	copy[len - 1] = '\0';
	p = copy;
	while ((line = strsep(&p, "\n")) != NULL)
		if (parse_line(st, line, lineno++) != 0)
			goto out;
	if (lineno < 7 || st->epoch[0] == '\0' ||
	    (st->next > 1 && !st->have_last) ||
	    (st->have_last && st->last.seq + 1 != st->next))
		goto out;
	r = 0;
 out:
	free(copy);
	return r;
}
