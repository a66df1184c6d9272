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
#define SIGNER_STATE_MAX	(8 * 1024 * 1024)

/* One delivered record still needed for a head (seq >= low - 1). */
struct signer_entry {
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
	uint64_t	 issued;	/* last head's issued */
	int		 have_last;
	struct stmt_record last;	/* the last record signed */
	struct signer_entry *ent;
	size_t		 nent;
};

int	signer_main(int argc, char **argv);

/* State files (signer/state.c). */
void	signer_state_init(struct signer_state *st, const char *mailbox);
void	signer_state_free(struct signer_state *st);
int	signer_state_parse(const char *text, size_t len,
	    struct signer_state *st);
int	signer_state_format(const struct signer_state *st, struct buf *out);
int	signer_state_add(struct signer_state *st, uint64_t seq, uint64_t time,
	    const u_char hash[STMT_HASH_LEN]);
/* First seq still in retention at now, and the hash of the one before. */
void	signer_state_low(const struct signer_state *st, uint64_t now,
	    uint64_t retention, uint64_t *low, u_char lowprev[STMT_HASH_LEN]);
void	signer_state_prune(struct signer_state *st, uint64_t low);

#endif /* SIGNER_H */
