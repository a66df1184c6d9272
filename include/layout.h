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

/*
 * layout.h: the one description of a mailbox on disk, shared by
 * pfish-server, pfish-store, pfish-signer, pfish-deliver and pfish.
 *
 *	MAILBOX/NNNNNNNNNNNN.age		messages (seq N, 12 digits)
 *	MAILBOX/.pfish/epoch			16 lowercase hex and a newline
 *	MAILBOX/.pfish/head			the newest signed head
 *	MAILBOX/.pfish/headmark			seq and time of that head
 *	MAILBOX/.pfish/records/NNNNNNNNNNNN.rec	signed records
 *	MAILBOX/.pfish/deletes/NNNNNNNNNNNN-HHHHHHHHHHHHHHHH.del
 *						signed deletes (N: first seq,
 *						H: 16 hex of their SHA-256)
 *	MAILBOX/.pfish/notes/NNNNNNNNNNNN.note	server notes on absences
 *	MAILBOX/.pfish/voids/NNNNNNNNNNNN.void	signed voids
 *	MAILBOX/.pfish/tmp/			temp files before rename(2)
 *	MAILBOX/.pfish/account/NNNNNNNNNNNN.state
 *						the account's signed account-key
 *						states (N: serial), as the key
 *						host accepted them
 *
 * Directory mode: every directory of a mailbox is PFISH_DIR_MODE, 02770.
 * The mailbox's group is shared by its user (pfish-server runs as the
 * user) and the delivery side (pfish-store); the set-group-ID bit makes
 * every file and directory created below keep that group, whoever
 * creates it, so neither side ever finds a file it cannot read.
 */

#ifndef LAYOUT_H
#define LAYOUT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* Below the mailbox directory. */
#define PFISH_STATE_DIR		".pfish"
#define PFISH_RECORDS_DIR	".pfish/records"
#define PFISH_DELETES_DIR	".pfish/deletes"
#define PFISH_NOTES_DIR		".pfish/notes"
#define PFISH_VOIDS_DIR		".pfish/voids"
#define PFISH_TMP_DIR		".pfish/tmp"
#define PFISH_HEAD_FILE		".pfish/head"
#define PFISH_EPOCH_FILE	".pfish/epoch"
#define PFISH_HEADMARK_FILE	".pfish/headmark"
#define PFISH_ACCOUNT_DIR_REL	".pfish/account"

/* The same, below the PFISH_STATE_DIR directory. */
#define PFISH_RECORDS		"records"
#define PFISH_DELETES		"deletes"
#define PFISH_NOTES		"notes"
#define PFISH_VOIDS		"voids"
#define PFISH_TMP		"tmp"
#define PFISH_HEAD		"head"
#define PFISH_EPOCH		"epoch"
#define PFISH_HEADMARK		"headmark"
#define PFISH_ACCOUNT		"account"

#define PFISH_AGE_SUFFIX	".age"
#define PFISH_REC_SUFFIX	".rec"
#define PFISH_DEL_SUFFIX	".del"
#define PFISH_NOTE_SUFFIX	".note"
#define PFISH_VOID_SUFFIX	".void"
#define PFISH_STATE_SUFFIX	".state"

#define PFISH_SEQ_WIDTH		12		/* 000000000042.age */
#define PFISH_SEQ_MAX		999999999999ULL
#define PFISH_DELKEY_WIDTH	16		/* hex digits after the '-' */
#define PFISH_EPOCH_LEN		16		/* hex digits in an epoch */
#define PFISH_NAME_MAX		40		/* longest layout name + NUL */

#define PFISH_DIR_MODE		02770
#define PFISH_FILE_MODE		0644		/* signed statements */
#define PFISH_NOTE_MODE		0640		/* server notes */

/*
 * Every function returns 0 on success and -1 on failure; the name
 * functions refuse seq 0 and seq > PFISH_SEQ_MAX, and a name must match
 * exactly (width, digits, suffix): nothing is trimmed or guessed.
 */

/* "NNNNNNNNNNNN" SUFFIX into buf. */
int	layout_seq_name(uint64_t seq, const char *suffix, char *buf,
	    size_t len);
/* The seq of a name made by layout_seq_name with the same suffix. */
int	layout_seq_parse(const char *name, const char *suffix, uint64_t *seq);

/* "NNNNNNNNNNNN.state": an account state's name, by its serial. */
int	layout_state_name(uint64_t serial, char *buf, size_t len);

/* "NNNNNNNNNNNN-HHHHHHHHHHHHHHHH.del": seq, then key as 16 hex. */
int	layout_delete_name(uint64_t seq, uint64_t key, char *buf, size_t len);
int	layout_delete_parse(const char *name, uint64_t *seq, uint64_t *key);

/*
 * PFISH_EPOCH below the state directory pf: exactly PFISH_EPOCH_LEN
 * lowercase hex digits and a newline, returned NUL-terminated.  errno is
 * ENOENT when there is none, EINVAL when it is malformed.
 */
int	layout_epoch_read(int pf, char epoch[PFISH_EPOCH_LEN + 1]);
/* Durably (temp file in tmpfd, rename, fsync), PFISH_FILE_MODE. */
int	layout_epoch_write(int pf, int tmpfd, const char *epoch);

#endif /* LAYOUT_H */
