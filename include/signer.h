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

/* signer.h: pfish-signer, the delivery signer (seq, chain, heads). */

#ifndef SIGNER_H
#define SIGNER_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "stmt.h"

#define SIGNER_KEY_FILE		"signer_key"	/* in PFISH_SIGNER_DIR */
#define SIGNER_RETENTION	(14 * 86400)	/* seconds */
#define SIGNER_LIFETIME		(24 * 3600)	/* head lifetime, seconds */
#define SIGNER_GIVEUP		(7 * 86400)	/* unstored record voided */
#define SIGNER_MARKS		1024	/* time marks per retention window */
#define SIGNER_STATE_MAX	(64 * 1024 * 1024)
#define SIGNER_SETTLE_WAIT	600	/* seconds for an inline report */

/*
 * A time mark: record seq was the first signed in its second; every
 * record before it was signed at or before prevtime, and prevhash is
 * record seq-1's hash.  When there are more than 2 * SIGNER_MARKS, only
 * the first of each 1/SIGNER_MARKS slice of the retention window stays.
 * Marks are all a head's low needs, however many records there are.
 */
struct signer_mark {
	uint64_t	seq;
	uint64_t	prevtime;
	u_char		prevhash[STMT_HASH_LEN];
};

/* A record signed but not yet reported stored: a retry gets it again. */
struct signer_pending {
	struct stmt_record rec;
	u_char		hash[STMT_HASH_LEN];	/* of the record's text */
};

/* A void signed for a record never stored, kept while in retention. */
struct signer_void {
	uint64_t	seq;
	uint64_t	time;
	u_char		hash[STMT_HASH_LEN];
};

/* A mailbox's signer state, statedir/MAILBOX.state. */
struct signer_state {
	char		 mailbox[PFISH_MAILBOX_MAX + 1];
	char		 epoch[STMT_EPOCH_LEN + 1];
	uint64_t	 next;		/* seq the next record gets */
	u_char		 chain[STMT_HASH_LEN];	/* hash of record next-1 */
	uint64_t	 low;		/* floor: heads never go below it */
	u_char		 lowprev[STMT_HASH_LEN];	/* hash of low-1 */
	uint64_t	 issued;	/* last head's issued */
	int		 have_last;
	struct stmt_record last;	/* the last record signed */
	struct signer_mark *mark;
	size_t		 nmark;
	struct signer_pending *pend;
	size_t		 npend;
	struct signer_void *vd;
	size_t		 nvoid;
};

int	signer_main(int argc, char **argv);

/* State files (signer/state.c). */
void	signer_state_init(struct signer_state *st, const char *mailbox);
void	signer_state_free(struct signer_state *st);
int	signer_state_parse(const char *text, size_t len,
	    struct signer_state *st);
int	signer_state_format(const struct signer_state *st, struct buf *out);
/*
 * Take record rec (seq next, time not before the last) with text hash
 * hash: it becomes the last record and pending; width is the slice the
 * marks are thinned to.
 */
int	signer_state_add(struct signer_state *st, const struct stmt_record *rec,
	    const u_char hash[STMT_HASH_LEN], uint64_t width);
/* First seq still in retention at now, and the hash of the one before. */
void	signer_state_low(const struct signer_state *st, uint64_t now,
	    uint64_t retention, uint64_t *low, u_char lowprev[STMT_HASH_LEN]);
/* Raise the floor to low; forget marks, pending and voids below it. */
void	signer_state_prune(struct signer_state *st, uint64_t low,
	    const u_char lowprev[STMT_HASH_LEN]);
/* The pending record of this message, or NULL. */
const struct signer_pending *signer_state_find(const struct signer_state *st,
	    uint64_t size, const u_char sha256[STMT_HASH_LEN]);
/* seq is stored: no longer pending.  0, or -1 if it was not pending. */
int	signer_state_stored(struct signer_state *st, uint64_t seq);
/* Void pending seq at time t.  0, or -1 if it is not pending. */
int	signer_state_void(struct signer_state *st, uint64_t seq, uint64_t t);

#endif /* SIGNER_H */
