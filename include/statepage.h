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

/* statepage.h: pfish-state@pfish cursors and the state file names it pages. */

#ifndef STATEPAGE_H
#define STATEPAGE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The listing runs in phases: the head, records ascending by seq, deletes
 * ascending by file name, notes ascending by seq, voids ascending by seq.  A position in a phase is
 * a key (a, b) that orders exactly like the file names: a is the seq (for
 * a delete the N of NNNNNNNNNNNN-HHHHHHHHHHHHHHHH.del), b is 0 or the
 * delete's H.  The cursor on the wire (PROTOCOL.pfish) is the phase letter
 * and the last key served, in fixed width:
 *	""					start: head, then records
 *	"s" 12 digits, not all zeros		start: head, then the records
 *						after that seq
 *	"r" 12 digits				records after that seq
 *	"d" 12 digits "-" 16 lowercase hex	deletes after that name
 *	"n" 12 digits				notes after that seq
 *	"v" 12 digits				voids after that seq
 * All zeros means "from the phase's start".  Anything else is refused.
 */

#define STATEPAGE_CURSOR_MAX	30	/* "d" + 12 + "-" + 16 */
#define STATEPAGE_START_LETTER	's'	/* a start past a seq */

enum statepage_phase {
	STATEPAGE_START = 0,
	STATEPAGE_RECORDS,
	STATEPAGE_DELETES,
	STATEPAGE_NOTES,
	STATEPAGE_VOIDS,
	STATEPAGE_DONE
};

/* Item kinds on the wire. */
#define STATEPAGE_KIND_HEAD	1
#define STATEPAGE_KIND_RECORD	2
#define STATEPAGE_KIND_DELETE	3
#define STATEPAGE_KIND_NOTE	4
#define STATEPAGE_KIND_VOID	5

/*
 * What a phase is: one entry of a table in proto/statepage.c, so a new
 * phase is a new enum value before STATEPAGE_DONE and one table entry.
 * A phase keyed by seq alone ("hashed" 0) names its files by seq, so a
 * server may open them by name; a hashed phase's names carry a hash too.
 */
struct statepage_phase_info {
	char		 letter;	/* of the cursor */
	const char	*dir;		/* under .pfish */
	const char	*suffix;
	u_int		 kind;		/* item kind on the wire */
	int		 hashed;	/* names NNN-HHH, not NNN */
};

/* NULL for START, DONE and anything out of range. */
const struct statepage_phase_info *statepage_phase_info(
	    enum statepage_phase phase);

struct statepage_key {
	uint64_t	a;
	uint64_t	b;
};

struct statepage_cursor {
	enum statepage_phase	phase;
	struct statepage_key	after;
};

/* -1 for a malformed cursor, else 0. */
int	statepage_cursor_parse(const u_char *p, size_t len,
	    struct statepage_cursor *c);
/*
 * "" for DONE and for START from the beginning; -1 if out is too small.
 * A START's after.a, when not 0, is the seq the records begin after.
 */
int	statepage_cursor_format(const struct statepage_cursor *c, char *out,
	    size_t outlen);

/*
 * File names of a phase (.rec, .del, .note, .void) and their keys; -1 if
 * not one.
 */
int	statepage_name_parse(enum statepage_phase phase, const char *name,
	    struct statepage_key *k);
int	statepage_name_format(enum statepage_phase phase,
	    const struct statepage_key *k, char *out, size_t outlen);

/* -1, 0, 1 as a is before, equal to or after b. */
int	statepage_key_cmp(const struct statepage_key *a,
	    const struct statepage_key *b);

#endif /* STATEPAGE_H */
