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

/* stmt.h: pfish's signed statements (record, head, delete) and notes. */

#ifndef STMT_H
#define STMT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "pfish.h"
#include "sshkey.h"
#include "pfisherr.h"

struct buf;
struct trust;

/*
 * Canonical text, one "key value" per line, fixed order, LF only,
 * decimal without leading zeros (0 itself is "0"), lowercase hex.
 * man/pfish-state.5 is the reference; PROTOCOL.pfish summarises it.
 *
 * record                     head                     delete
 *   statement record           statement head           statement delete
 *   version 1                  version 1                version 1
 *   mailbox NAME               mailbox NAME             mailbox NAME
 *   epoch HEX16                epoch HEX16              epoch HEX16
 *   seq N                      low N                    seen N HASH
 *   prev HASH                  lowprev HASH             time T
 *   time T                     high N                   key SHA256:...
 *   size N                     highhash HASH            del N HASH  (1..)
 *   sha256 HASH                issued T
 *   key SHA256:...             expires T
 *                              key SHA256:...
 * note (unsigned, written by pfish-server on plain REMOVE)
 *   statement note / version 1 / mailbox NAME / seq N / time T
 * void (signed by the signer, record namespace: delivery of seq N was
 * abandoned; HASH is record N's text hash)
 *   statement void / version 1 / mailbox NAME / epoch HEX16 / seq N /
 *   hash HASH / time T / key SHA256:...
 *
 * HASH is 64 lowercase hex: the SHA-256 of a record's canonical text (the
 * text only, not its signature).  The chain: record N's prev is the hash of
 * record N-1; record 1's prev is 64 zeros.  seq starts at 1.  A head with
 * no records has low 1, high 0, zeros for both hashes.  A head satisfies
 * 1 <= low <= high + 1 and issued < expires.  lowprev is the hash of record
 * low-1 (zeros when low is 1).  Delete entries are in strictly ascending
 * seq, each <= seen, at most STMT_DELETE_MAX of them.
 *
 * The parsers also enforce what follows from the above: seq, high, seen
 * and every del seq are at most PFISH_SEQ_MAX (file names have twelve
 * digits); seq, low, seen, del seq and note seq are >= 1; a head with low =
 * high + 1 (all expired) has lowprev = highhash; the mailbox passes
 * stmt_valid_mailbox(); key is "SHA256:" and 43 canonical unpadded base64
 * characters; epoch is exactly 16 lowercase hex digits.
 */

#define STMT_VERSION		1
#define STMT_HASH_LEN		32
#define STMT_EPOCH_LEN		16	/* hex digits */
#define STMT_TEXT_MAX		(256 * 1024)	/* any statement's text */
#define STMT_DELETE_MAX		2000	/* entries in one delete */
#define STMT_SIGNED_MAX		(STMT_TEXT_MAX + 4096)

enum stmt_type {
	STMT_RECORD = 1,
	STMT_HEAD,
	STMT_DELETE,
	STMT_NOTE,
	STMT_VOID
};

struct stmt_record {
	char		mailbox[PFISH_MAILBOX_MAX + 1];
	char		epoch[STMT_EPOCH_LEN + 1];
	uint64_t	seq;
	u_char		prev[STMT_HASH_LEN];
	uint64_t	time;
	uint64_t	size;
	u_char		sha256[STMT_HASH_LEN];
	char		key[SSHKEY_FP_LEN];
};

struct stmt_head {
	char		mailbox[PFISH_MAILBOX_MAX + 1];
	char		epoch[STMT_EPOCH_LEN + 1];
	uint64_t	low;
	u_char		lowprev[STMT_HASH_LEN];
	uint64_t	high;
	u_char		highhash[STMT_HASH_LEN];
	uint64_t	issued;
	uint64_t	expires;
	char		key[SSHKEY_FP_LEN];
};

struct stmt_del_entry {
	uint64_t	seq;
	u_char		hash[STMT_HASH_LEN];
};

struct stmt_delete {
	char		mailbox[PFISH_MAILBOX_MAX + 1];
	char		epoch[STMT_EPOCH_LEN + 1];
	uint64_t	seen;
	u_char		seenhash[STMT_HASH_LEN];
	uint64_t	time;
	char		key[SSHKEY_FP_LEN];
	size_t		ndel;
	struct stmt_del_entry *del;	/* allocated; stmt_delete_clear() */
};

/* The signer closes a seq whose delivery was abandoned. */
struct stmt_void {
	char		mailbox[PFISH_MAILBOX_MAX + 1];
	char		epoch[STMT_EPOCH_LEN + 1];
	uint64_t	seq;
	u_char		hash[STMT_HASH_LEN];	/* of record seq's text */
	uint64_t	time;
	char		key[SSHKEY_FP_LEN];
};

struct stmt_note {
	char		mailbox[PFISH_MAILBOX_MAX + 1];
	uint64_t	seq;
	uint64_t	time;
};

const char	*stmt_namespace(enum stmt_type type);	/* NULL for notes */

/* Mailbox names: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most PFISH_MAILBOX_MAX. */
int	stmt_valid_mailbox(const char *name);

/* Parsers reject every non-canonical variant; encoders append to out. */
int	stmt_record_parse(const u_char *text, size_t len,
	    struct stmt_record *out);
int	stmt_record_encode(const struct stmt_record *r, struct buf *out);
int	stmt_head_parse(const u_char *text, size_t len, struct stmt_head *out);
int	stmt_head_encode(const struct stmt_head *h, struct buf *out);
int	stmt_delete_parse(const u_char *text, size_t len,
	    struct stmt_delete *out);
int	stmt_delete_encode(const struct stmt_delete *d, struct buf *out);
void	stmt_delete_clear(struct stmt_delete *d);
int	stmt_note_parse(const u_char *text, size_t len, struct stmt_note *out);
int	stmt_note_encode(const struct stmt_note *n, struct buf *out);
int	stmt_void_parse(const u_char *text, size_t len, struct stmt_void *out);
int	stmt_void_encode(const struct stmt_void *v, struct buf *out);

/* SHA-256 of a statement's canonical text. */
void	stmt_hash(const u_char *text, size_t len, u_char out[STMT_HASH_LEN]);
void	stmt_hash_hex(const u_char hash[STMT_HASH_LEN], char hex[65]);
/* Exactly 64 lowercase hex digits and a NUL; 0 or STMT_ERR_FORMAT. */
int	stmt_hash_from_hex(const char *hex, u_char out[STMT_HASH_LEN]);
/* Decimal as in statements (no sign, no leading zeros), whole string. */
int	stmt_u64_from_dec(const char *s, uint64_t *out);
/*
 * A deliverer's request to the signer, "SIZE SHA256" (no newline): the
 * size in decimal as above, one space, 64 lowercase hex digits.  0, or
 * STMT_ERR_FORMAT with *size and sha256 zeroed.
 */
int	stmt_request_parse(const u_char *line, size_t len, uint64_t *size,
	    u_char sha256[STMT_HASH_LEN]);

/* SHA-256 of the text part of a signed statement (a stored .rec file). */
int	stmt_signed_hash(const u_char *data, size_t len,
	    u_char out[STMT_HASH_LEN]);

/*
 * A delete's file name (layout.h): its first seq and the first
 * PFISH_DELKEY_WIDTH hex digits of the SHA-256 of its text.
 */
int	stmt_delete_filename(const struct stmt_delete *d, const u_char *text,
	    size_t textlen, char *buf, size_t len);

/*
 * A signed statement is its text followed directly by an armored SSH
 * signature.  Split at the line that starts SSHSIG_BEGIN; the armor must
 * run to the end of the data and end in "\n".
 */
int	stmt_split_signed(const u_char *data, size_t len, size_t *textlen);

/*
 * Split, check the signature under type's namespace, and check the signer
 * against trust at time now.  On success *textlen is the text's length and
 * pk (if not NULL) the signer's key; on STMT_ERR_UNTRUSTED pk is the key
 * whose good signature the trust file does not allow.  The caller parses the text and checks
 * that the statement's key field names pk (stmt_key_matches).
 */
int	stmt_verify_signed(const u_char *data, size_t len, enum stmt_type type,
	    const struct trust *trust, uint64_t now, size_t *textlen,
	    u_char pk[SSHKEY_ED25519_PK]);
/*
 * stmt_verify_signed in two steps, for a caller that keeps many statements
 * and drops their text: stmt_sig_parse splits and reads the signature
 * (the text stays unchecked); stmt_sig_check checks it over the text and
 * the signer against trust.  Together they decide as stmt_verify_signed.
 */
struct sshsig_parsed;
int	stmt_sig_parse(const u_char *data, size_t len, enum stmt_type type,
	    size_t *textlen, struct sshsig_parsed *sig);
int	stmt_sig_check(const struct sshsig_parsed *sig, enum stmt_type type,
	    const u_char *text, size_t tlen, const struct trust *trust,
	    uint64_t now, u_char pk[SSHKEY_ED25519_PK]);
/*
 * A record kept without its text (stmtsig.c).  stmt_record_keep parses a
 * signed record into its fields, its text's hash and its signature: 0 when
 * the text is a canonical record; *sigok says whether the signature could
 * be read.  stmt_record_sig_check: 0 when validly signed.
 */
int	stmt_record_keep(const u_char *data, size_t len, struct stmt_record *r,
	    u_char hash[STMT_HASH_LEN], struct sshsig_parsed *sig, int *sigok);
int	stmt_record_sig_check(const struct stmt_record *r,
	    const u_char hash[STMT_HASH_LEN], const struct sshsig_parsed *sig,
	    const struct trust *trust, uint64_t now);
int	stmt_key_matches(const char *keyfield,
	    const u_char pk[SSHKEY_ED25519_PK]);

/* Append text and its armored signature under type's namespace to out. */
int	stmt_sign(const struct sshkey_priv *key, enum stmt_type type,
	    const u_char *text, size_t len, struct buf *out);

#endif /* STMT_H */
