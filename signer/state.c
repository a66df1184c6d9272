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

#define STATE_MAGIC	"pfish-signer-state 2"

/* Version 1 kept one "r SEQ TIME HASH" line per record in retention. */
struct v1_entry {
	uint64_t	seq;
	uint64_t	time;
	u_char		hash[STMT_HASH_LEN];
};

struct parse_ctx {
	int		 version;
	struct v1_entry	*v1;
	size_t		 nv1;
	int		 have_lowprev;
};

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
	free(st->mark);
	free(st->pend);
	free(st->vd);
	st->mark = NULL;
	st->pend = NULL;
	st->vd = NULL;
	st->nmark = st->npend = st->nvoid = 0;
}

static int
add_mark(struct signer_state *st, uint64_t seq, uint64_t prevtime,
    const u_char prevhash[STMT_HASH_LEN])
{
	struct signer_mark *n;

	if (st->nmark > 0 && (seq <= st->mark[st->nmark - 1].seq ||
	    prevtime < st->mark[st->nmark - 1].prevtime))
		return -1;
	if ((n = reallocarray(st->mark, st->nmark + 1, sizeof(*n))) == NULL)
		return -1;
	st->mark = n;
	n[st->nmark].seq = seq;
	n[st->nmark].prevtime = prevtime;
	memcpy(n[st->nmark].prevhash, prevhash, STMT_HASH_LEN);
	st->nmark++;
	return 0;
}

static int
add_pending(struct signer_state *st, const struct stmt_record *rec,
    const u_char hash[STMT_HASH_LEN])
{
	struct signer_pending *n;

	if (st->npend > 0 && rec->seq <= st->pend[st->npend - 1].rec.seq)
		return -1;
	if ((n = reallocarray(st->pend, st->npend + 1, sizeof(*n))) == NULL)
		return -1;
	st->pend = n;
	n[st->npend].rec = *rec;
	memcpy(n[st->npend].hash, hash, STMT_HASH_LEN);
	st->npend++;
	return 0;
}

static int
add_void(struct signer_state *st, uint64_t seq, uint64_t t,
    const u_char hash[STMT_HASH_LEN])
{
	struct signer_void *n;
	size_t i;

	if ((n = reallocarray(st->vd, st->nvoid + 1, sizeof(*n))) == NULL)
		return -1;
	st->vd = n;
	/* Kept in seq order; voids come in any order. */
	for (i = st->nvoid; i > 0 && n[i - 1].seq >= seq; i--)
		if (n[i - 1].seq == seq)
			return -1;
	memmove(&n[i + 1], &n[i], (st->nvoid - i) * sizeof(*n));
	n[i].seq = seq;
	n[i].time = t;
	memcpy(n[i].hash, hash, STMT_HASH_LEN);
	st->nvoid++;
	return 0;
}

/* Keep the first mark of each slice of width seconds. */
static void
thin_marks(struct signer_state *st, uint64_t width)
{
	size_t i, j;

	for (i = j = 1; i < st->nmark; i++)
		if (st->mark[i].prevtime / width !=
		    st->mark[j - 1].prevtime / width)
			st->mark[j++] = st->mark[i];
	st->nmark = j;
}

int
signer_state_add(struct signer_state *st, const struct stmt_record *rec,
    const u_char hash[STMT_HASH_LEN], uint64_t width)
{
	uint64_t prevtime = st->have_last ? st->last.time : 0;

	if (rec->seq != st->next || rec->time < prevtime || width == 0)
		return -1;
	/* Every new second is marked; the marks are thinned when many. */
	if ((st->nmark == 0 || rec->time != prevtime) &&
	    add_mark(st, rec->seq, prevtime, st->chain) != 0)
		return -1;
	if (st->nmark > 2 * SIGNER_MARKS)
		thin_marks(st, width);
	if (add_pending(st, rec, hash) != 0)
		return -1;
	st->last = *rec;
	st->have_last = 1;
	st->next = rec->seq + 1;
	memcpy(st->chain, hash, STMT_HASH_LEN);
	return 0;
}

/*
 * Records are signed with times that never go back, so every record
 * before a mark is at most its prevtime old: the last mark whose
 * prevtime is before the cutoff is a safe low.  It errs, by at most
 * one slice of the window, on the side of keeping a record longer.
 */
void
signer_state_low(const struct signer_state *st, uint64_t now,
    uint64_t retention, uint64_t *low, u_char lowprev[STMT_HASH_LEN])
{
	uint64_t cutoff = now > retention ? now - retention : 0;
	size_t i;

	*low = st->low;
	memcpy(lowprev, st->lowprev, STMT_HASH_LEN);
	if (st->have_last && st->last.time < cutoff) {
		*low = st->next;	/* every record has expired */
		memcpy(lowprev, st->chain, STMT_HASH_LEN);
		return;
	}
	for (i = 0; i < st->nmark && st->mark[i].prevtime < cutoff; i++) {
		if (st->mark[i].seq > *low) {
			*low = st->mark[i].seq;
			memcpy(lowprev, st->mark[i].prevhash, STMT_HASH_LEN);
		}
	}
}

void
signer_state_prune(struct signer_state *st, uint64_t low,
    const u_char lowprev[STMT_HASH_LEN])
{
	size_t i, j;

	if (low < st->low)
		return;
	st->low = low;
	memcpy(st->lowprev, lowprev, STMT_HASH_LEN);
	for (i = j = 0; i < st->nmark; i++)
		if (st->mark[i].seq >= low)
			st->mark[j++] = st->mark[i];
	st->nmark = j;
	for (i = j = 0; i < st->npend; i++)
		if (st->pend[i].rec.seq >= low)
			st->pend[j++] = st->pend[i];
	st->npend = j;
	for (i = j = 0; i < st->nvoid; i++)
		if (st->vd[i].seq >= low)
			st->vd[j++] = st->vd[i];
	st->nvoid = j;
}

const struct signer_pending *
signer_state_find(const struct signer_state *st, uint64_t size,
    const u_char sha256[STMT_HASH_LEN])
{
	size_t i;

	for (i = 0; i < st->npend; i++)
		if (st->pend[i].rec.size == size &&
		    memcmp(st->pend[i].rec.sha256, sha256, STMT_HASH_LEN) == 0)
			return &st->pend[i];
	return NULL;
}

static ssize_t
pending_index(const struct signer_state *st, uint64_t seq)
{
	size_t i;

	for (i = 0; i < st->npend; i++)
		if (st->pend[i].rec.seq == seq)
			return (ssize_t)i;
	return -1;
}

static void
drop_pending(struct signer_state *st, size_t i)
{
	memmove(&st->pend[i], &st->pend[i + 1],
	    (st->npend - i - 1) * sizeof(st->pend[0]));
	st->npend--;
}

int
signer_state_stored(struct signer_state *st, uint64_t seq)
{
	ssize_t i;

	if ((i = pending_index(st, seq)) == -1)
		return -1;
	drop_pending(st, (size_t)i);
	return 0;
}

int
signer_state_void(struct signer_state *st, uint64_t seq, uint64_t t)
{
	ssize_t i;

	if ((i = pending_index(st, seq)) == -1 ||
	    add_void(st, seq, t, st->pend[i].hash) != 0)
		return -1;
	drop_pending(st, (size_t)i);
	return 0;
}

static int
put_hex(struct buf *b, const char *key, const u_char h[STMT_HASH_LEN])
{
	char hex[65];

	stmt_hash_hex(h, hex);
	return buf_putf(b, "%s %s\n", key, hex);
}

static int
put_record(struct buf *out, const char *tag, const struct stmt_record *r,
    const u_char *hash)
{
	char sha[65], prev[65], h[65];

	stmt_hash_hex(r->sha256, sha);
	stmt_hash_hex(r->prev, prev);
	if (hash != NULL)
		stmt_hash_hex(hash, h);
	return buf_putf(out, "%s %llu %llu %llu %s %s %s%s%s\n", tag,
	    (unsigned long long)r->seq, (unsigned long long)r->time,
	    (unsigned long long)r->size, sha, prev,
	    hash != NULL ? h : "", hash != NULL ? " " : "", r->key);
}

int
signer_state_format(const struct signer_state *st, struct buf *out)
{
	char h[65];
	size_t i;

	if (buf_putf(out, STATE_MAGIC "\nmailbox %s\nepoch %s\nnext %llu\n",
	    st->mailbox, st->epoch, (unsigned long long)st->next) != 0 ||
	    put_hex(out, "chain", st->chain) != 0 ||
	    buf_putf(out, "low %llu\n", (unsigned long long)st->low) != 0 ||
	    put_hex(out, "lowprev", st->lowprev) != 0 ||
	    buf_putf(out, "issued %llu\n",
	    (unsigned long long)st->issued) != 0)
		return -1;
	if (st->have_last && put_record(out, "last", &st->last, NULL) != 0)
		return -1;
	for (i = 0; i < st->nmark; i++) {
		stmt_hash_hex(st->mark[i].prevhash, h);
		if (buf_putf(out, "m %llu %llu %s\n",
		    (unsigned long long)st->mark[i].seq,
		    (unsigned long long)st->mark[i].prevtime, h) != 0)
			return -1;
	}
	for (i = 0; i < st->npend; i++)
		if (put_record(out, "p", &st->pend[i].rec,
		    st->pend[i].hash) != 0)
			return -1;
	for (i = 0; i < st->nvoid; i++) {
		stmt_hash_hex(st->vd[i].hash, h);
		if (buf_putf(out, "v %llu %llu %s\n",
		    (unsigned long long)st->vd[i].seq,
		    (unsigned long long)st->vd[i].time, h) != 0)
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

/* "SEQ TIME SIZE SHA PREV [HASH] KEY" from w[1]. */
static int
parse_record(const struct signer_state *st, char **w, size_t n,
    struct stmt_record *r, u_char *hash)
{
	size_t k = hash != NULL ? 7 : 6;

	memset(r, 0, sizeof(*r));
	if (n != k + 1 || stmt_u64_from_dec(w[1], &r->seq) != 0 ||
	    stmt_u64_from_dec(w[2], &r->time) != 0 ||
	    stmt_u64_from_dec(w[3], &r->size) != 0 ||
	    stmt_hash_from_hex(w[4], r->sha256) != 0 ||
	    stmt_hash_from_hex(w[5], r->prev) != 0 ||
	    (hash != NULL && stmt_hash_from_hex(w[6], hash) != 0) ||
	    strlcpy(r->key, w[k], sizeof(r->key)) >= sizeof(r->key))
		return -1;
	strlcpy(r->mailbox, st->mailbox, sizeof(r->mailbox));
	strlcpy(r->epoch, st->epoch, sizeof(r->epoch));
	return 0;
}

static int
parse_v1(struct parse_ctx *c, char **w)
{
	struct v1_entry *n;

	if ((n = reallocarray(c->v1, c->nv1 + 1, sizeof(*n))) == NULL)
		return -1;
	c->v1 = n;
	n += c->nv1;
	if (stmt_u64_from_dec(w[1], &n->seq) != 0 ||
	    stmt_u64_from_dec(w[2], &n->time) != 0 ||
	    stmt_hash_from_hex(w[3], n->hash) != 0 ||
	    (c->nv1 > 0 && n->seq <= c->v1[c->nv1 - 1].seq))
		return -1;
	c->nv1++;
	return 0;
}

static int
parse_entry(struct signer_state *st, struct parse_ctx *c, char **w, size_t n)
{
	struct stmt_record r;
	u_char h[STMT_HASH_LEN];
	uint64_t a, b;

	if (n == 4 && strcmp(w[0], "r") == 0 && c->version == 1)
		return parse_v1(c, w);
	if (c->version != 2)
		return -1;
	if (n == 4 && (strcmp(w[0], "m") == 0 || strcmp(w[0], "v") == 0)) {
		if (stmt_u64_from_dec(w[1], &a) != 0 ||
		    stmt_u64_from_dec(w[2], &b) != 0 ||
		    stmt_hash_from_hex(w[3], h) != 0)
			return -1;
		if (w[0][0] == 'm')
			return add_mark(st, a, b, h);
		if (st->nvoid > 0 && a <= st->vd[st->nvoid - 1].seq)
			return -1;
		return add_void(st, a, b, h);
	}
	if (n >= 1 && strcmp(w[0], "p") == 0)
		return parse_record(st, w, n, &r, h) == 0 &&
		    r.seq < st->next ? add_pending(st, &r, h) : -1;
	return -1;
}

static int
parse_line(struct signer_state *st, struct parse_ctx *c, char *line,
    int lineno)
{
	char *w[9];
	size_t n;

	n = words(line, w, 8);
	if (lineno == 0) {
		if (n != 2 || strcmp(w[0], "pfish-signer-state") != 0)
			return -1;
		c->version = strcmp(w[1], "1") == 0 ? 1 :
		    strcmp(w[1], "2") == 0 ? 2 : 0;
		return c->version != 0 ? 0 : -1;
	}
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
		return stmt_u64_from_dec(w[1], &st->low) == 0 &&
		    st->low >= 1 ? 0 : -1;
	if (n == 2 && strcmp(w[0], "lowprev") == 0) {
		c->have_lowprev = 1;
		return stmt_hash_from_hex(w[1], st->lowprev) == 0 ? 0 : -1;
	}
	if (n == 2 && strcmp(w[0], "issued") == 0)
		return stmt_u64_from_dec(w[1], &st->issued) == 0 ? 0 : -1;
	if (n >= 1 && strcmp(w[0], "last") == 0) {
		st->have_last = 1;
		return parse_record(st, w, n, &st->last, NULL);
	}
	return parse_entry(st, c, w, n);
}

/*
 * A version 1 file: its records in retention become marks, and the hash
 * of record low-1 the floor's lowprev.
 */
static int
upgrade_v1(struct signer_state *st, struct parse_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nv1; i++) {
		if (c->v1[i].seq + 1 == st->low)
			memcpy(st->lowprev, c->v1[i].hash, STMT_HASH_LEN);
		if (i > 0 && c->v1[i - 1].seq + 1 == c->v1[i].seq &&
		    add_mark(st, c->v1[i].seq, c->v1[i - 1].time,
		    c->v1[i - 1].hash) != 0)
			return -1;
	}
	if (st->low == st->next)
		memcpy(st->lowprev, st->chain, STMT_HASH_LEN);
	return 0;
}

/* st arrives initialised with its mailbox name; any doubt fails. */
int
signer_state_parse(const char *text, size_t len, struct signer_state *st)
{
	struct parse_ctx c;
	char *copy = NULL, *p, *line;
	int lineno = 0, r = -1;

	memset(&c, 0, sizeof(c));
	if (strlen(text) != len || len == 0 || text[len - 1] != '\n')
		return -1;
	if ((copy = strdup(text)) == NULL)
		return -1;
	copy[len - 1] = '\0';
	p = copy;
	while ((line = strsep(&p, "\n")) != NULL)
		if (parse_line(st, &c, line, lineno++) != 0)
			goto out;
	if (lineno < 7 || st->epoch[0] == '\0' ||
	    (st->next > 1 && !st->have_last) ||
	    (st->have_last && st->last.seq + 1 != st->next) ||
	    st->low > st->next || (c.version == 2 && !c.have_lowprev) ||
	    (c.version == 1 && upgrade_v1(st, &c) != 0))
		goto out;
	r = 0;
 out:
	free(c.v1);
	free(copy);
	return r;
}
