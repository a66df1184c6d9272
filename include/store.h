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

/* store.h: pfish-store, the mailbox writer on the fetch host. */

#ifndef STORE_H
#define STORE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stmt.h"

#define STORE_TRUST_FILE	"/etc/pfish/allowed_signers"
#define STORE_GROUP		"pfish"		/* may write every mailbox */
#define STORE_SIGNED_IN_MAX	16384	/* a signed record or head on stdin */
#define STORE_ACCOUNT_IN_MAX	(16 * 1024 * 1024)	/* a whole chain */
#define STORE_TMP_AGE		86400	/* stale temp files, seconds */
#define STORE_HEAD_START	"statement head\n"
#define STORE_VOID_START	"statement void\n"

struct buf;
struct trust;

struct store {
	const char	*root;
	const char	*trustpath;
	struct trust	*trust;
	int		 no_ak;		/* never authorized_keys for deletes */
	int		 rootfd;
	uint64_t	 now;
};

/* Directory fds of one mailbox; -1 when not open. */
struct mbdir {
	const char	*name;
	int		 dir;	/* ROOT/NAME */
	int		 pf;	/* .pfish */
	int		 rec;	/* .pfish/records */
	int		 del;	/* .pfish/deletes */
	int		 notes;	/* .pfish/notes */
	int		 tmp;	/* .pfish/tmp */
};

/* A stored record, its text hash and whether it verified. */
struct stored_record {
	struct stmt_record	rec;
	u_char			hash[STMT_HASH_LEN];
	u_char			*data;	/* signed file contents */
	size_t			len;
	size_t			textlen;
};

int	store_main(int argc, char **argv);

/*
 * pfish-store runs as a forced command, where its stderr reaches only the
 * caller: every warning also goes to syslog, facility mail (store.c), as
 * do the decisions (stored, duplicate, head installed, expired).
 */
#include <err.h>
void	store_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	store_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
#define warn	store_warn
#define warnx	store_warnx

/*
 * The verbs (store/store-VERB.c), run by store_main's table: argv holds
 * the mailboxes named after the verb.  They return the exit status.
 */
int	store_init(struct store *s, int argc, char **argv);
int	store_accept(struct store *s, int argc, char **argv);
int	store_account(struct store *s, int argc, char **argv);
int	store_head(struct store *s, int argc, char **argv);
int	store_expire(struct store *s, int argc, char **argv);
int	store_verify(struct store *s, int argc, char **argv);
int	store_migrate(struct store *s, int argc, char **argv);
int	store_forget(struct store *s, int argc, char **argv);

/*
 * store-verify.c: the engine over one mailbox of s's root, as verify
 * runs it: 0 with *res filled (verify_result_free it), or -1 (said on
 * stderr).  Findings one a line as verify prints them, after prefix.
 */
struct vresult;
int	store_verify_run(const struct store *s, const char *name,
	    struct vresult *res);
void	store_print_findings(FILE *out, const char *prefix, const char *name,
	    const struct vresult *res);
/* Seqs pending (signed, message not stored yet), on stderr. */
void	store_print_pending(const char *name, const struct vresult *res);
/*
 * store-acctkeys.c: the account chain below mailbox directory mbdir, its
 * states from serial 1 as far as they chain (why: where it stopped);
 * 0 or -1 (I/O).  Pinned: the trust file lists, for pfish-account-v1, a
 * key that signed one of its states.  Delete keys: the last state's mail
 * keys with the delete operation, as a trust list (NULL when none).
 */
struct acct_chain;
int	store_account_load(int mbdir, const char *name, struct acct_chain *ch,
	    char *why, size_t whylen);
int	store_account_pinned(const struct store *s,
	    const struct acct_chain *ch);
int	store_account_delkeys(const struct acct_chain *ch,
	    struct trust **out);
/* The delete keys of mailbox mbdir's account chain if pinned, or NULL. */
struct trust *store_account_trust(const struct store *s, int mbdir,
	    const char *name);
/* store-expire.c: expire one mailbox below its verified head's low. */
int	store_expire_one(struct store *s, const char *name);

/* store/store-dir.c */
int	mbdir_open(const struct store *s, const char *name, struct mbdir *m);
void	mbdir_close(struct mbdir *m);
int	mbdir_lock(const struct mbdir *m);
/*
 * One signed statement from fd, up to and including its END line, into
 * stmt; what was read beyond it goes to rest.  0 or -1.
 */
int	store_read_signed(int fd, struct buf *stmt, struct buf *rest);
/* The next statement after store_read_signed left rest. */
int	store_read_next(int fd, struct buf *stmt, struct buf *rest);
/* Read from fd into b until it holds n bytes or the input ends. */
int	store_fill_to(int fd, struct buf *b, size_t n);
int	store_starts_with(const struct buf *b, const char *s);
/* 1 when the record's NNN.age exists with exactly its size and sha256. */
int	store_age_matches(const struct mbdir *m, const struct stmt_record *rec);
/* store-head.c: install a head that came with a record, if due. */
int	store_head_offer(const struct store *s, const struct mbdir *m,
	    const struct stmt_head *h, const struct buf *b);
/* The mailbox's epoch must be this; none yet: *isnew.  0 or an exit. */
int	store_epoch_check(const struct mbdir *m, const char *epoch,
	    int *isnew);
/* Run fn on every mailbox under the root until it returns nonzero. */
int	store_each_mailbox(struct store *s,
	    int (*fn)(struct store *, const char *, void *), void *arg);
/*
 * Load records/SEQ.rec and check it: signature and trust (record
 * namespace), canonical text, key field, mailbox name, seq = file name.
 * Returns 0, -1 with errno (ENOENT: no such record) or a STMT_ERR_*;
 * on failure sr holds nothing (store_record_free is then a no-op).
 */
int	store_record_load(const struct store *s, const struct mbdir *m, uint64_t seq,
	    struct stored_record *sr);
void	store_record_free(struct stored_record *sr);
/* Verify a signed head for mailbox m (signature, trust, key, name). */
int	store_head_check(const struct store *s, const char *mailbox,
	    const u_char *data, size_t len, struct stmt_head *h);
int	store_head_load(const struct store *s, const struct mbdir *m,
	    struct stmt_head *h, u_char **data, size_t *len);
/* Verify a signed void for mailbox m (signature, trust, key, name). */
int	store_void_check(const struct store *s, const char *mailbox,
	    const u_char *data, size_t len, struct stmt_void *v);

#endif /* STORE_H */
