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

/* pstate.h: the pfish client's state file format and sets of seqs. */

#ifndef PSTATE_H
#define PSTATE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "pfisherr.h"

struct buf;

/*
 * A state file, written only by pfish itself:
 *   pfish-client-state 2
 *   fetched RANGES          e.g. "1-40,42" or "-" for none
 *   checked RANGES
 *   known N                 then N lines "SEQ HASH [TIME SIZE]": records
 *                           authenticated, with the time and message size
 *                           they sign (written since pfish remembers them;
 *                           a line without them is read as before)
 *   gone N                  then N lines "SEQ HASH": seqs a trusted delete
 *                           removed, HASH that delete's text hash
 *   account SERIAL HASH     the last account state this device verified
 *                           (pfish-account(5)) and its text hash; only
 *                           when it verified one
 *   head                    then the accepted head's canonical text
 * The account and head parts are optional.  Version 1 (no known and gone lines) is read
 * too, as empty memory; it is written back as version 2.
 */
#define PSTATE_MAGIC		"pfish-client-state 2"
#define PSTATE_MAGIC_V1		"pfish-client-state 1"
/*
 * Facts kept per list: more than the largest mailbox tested (a million
 * messages in retention).  Numbers are at most 12 digits (PFISH_SEQ_MAX),
 * so a known line is at most 104 bytes and a gone line 78: two full
 * lists, the head and the rest stay below PSTATE_MAX, which stays below
 * BUF_SIZE_MAX (the buffer it is formatted in).
 */
#define PSTATE_FACTS_MAX	1400000
#define PSTATE_MAX		(PSTATE_FACTS_MAX * (104 + 78) + 1024 * 1024)
#define PSTATE_HASH_LEN		32

struct seqset;

/*
 * One remembered fact: a seq and a hash, lists ascending by seq; for a
 * record also the time and size it signs (0 and 0: not remembered).
 */
struct pstate_fact {
	uint64_t	 seq;
	u_char		 hash[PSTATE_HASH_LEN];
	uint64_t	 time;
	uint64_t	 size;
};

struct pstate_mem {
	struct pstate_fact *known;	/* records authenticated */
	size_t		 nknown;
	struct pstate_fact *gone;	/* seqs removed by a trusted delete */
	size_t		 ngone;
	uint64_t	 acct_serial;	/* 0: no account chain verified */
	u_char		 acct_hash[PSTATE_HASH_LEN];
};

struct seqset *seqset_new(void);
void	 seqset_free(struct seqset *s);
int	 seqset_add(struct seqset *s, uint64_t seq);
int	 seqset_has(const struct seqset *s, uint64_t seq);
uint64_t seqset_count(const struct seqset *s);
int	 seqset_format(const struct seqset *s, struct buf *out);
/* Replaces the contents; text is "-" or ascending disjoint ranges. */
int	 seqset_parse(struct seqset *s, const char *text, size_t len);

/*
 * Merge add (ascending, any duplicates) into *list: a seq already there
 * keeps its fact (gaining time and size if it had none and the hash is
 * the same).  Past PSTATE_FACTS_MAX the lowest seqs are dropped;
 * *dropped (if not NULL) counts them.
 */
int	 pstate_facts_merge(struct pstate_fact **list, size_t *n,
	    const struct pstate_fact *add, size_t nadd, size_t *dropped);
/* Forget facts below seq low (left the retention window). */
void	 pstate_mem_prune(struct pstate_mem *m, uint64_t low);
void	 pstate_mem_clear(struct pstate_mem *m);

/*
 * Fills fetched, checked and mem (which must be empty); *headoff is where
 * the head text starts.
 */
int	 pstate_parse(const u_char *data, size_t len, struct seqset *fetched,
	    struct seqset *checked, struct pstate_mem *mem, size_t *headoff,
	    size_t *headlen);
int	 pstate_format(const struct seqset *fetched,
	    const struct seqset *checked, const struct pstate_mem *mem,
	    const u_char *head, size_t headlen, struct buf *out);

#endif /* PSTATE_H */
