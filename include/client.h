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

/* client.h: the pfish client's connection, SFTP, state file and commands. */

#ifndef CLIENT_H
#define CLIENT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "acchain.h"
#include "pfish.h"
#include "pstate.h"
#include "sshkey.h"
#include "sshsig.h"
#include "stmt.h"
#include "verify.h"
#include "pfisherr.h"

struct buf;
struct seqset;

/* Exit codes (pfish(1) EXIT STATUS); 0, 1 and 3 as in pfish.h. */
#define PFISH_EXIT_NOSTATE	2	/* server offers no signed state */

#define PFISH_MSG_MAX		(1ULL << 40)	/* no message is larger */
#define CLIENT_SKEW		300	/* seconds a head may be past expiry */
#define CLIENT_READ_LEN		(64 * 1024)
#define CLIENT_READ_WINDOW	16	/* READ requests in flight */

/*
 * What a server may send (pfish(1) LIMITS).  A state listing holds at most
 * 1 + 4 * N items and CLIENT_STATE_AVG * that many bytes, where N is the
 * span of seqs the signed heads (served and remembered) cover plus
 * CLIENT_STATE_AHEAD records not yet in a head.  A directory listing
 * holds at most CLIENT_DIR_MAX + N names, CLIENT_DIR_AVG bytes of message
 * names apiece.
 */
#define CLIENT_IOTIMEOUT	30	/* seconds without an answer */
#define CLIENT_DIR_MAX		262144
#define CLIENT_DIR_AVG		32
#define CLIENT_STATE_AHEAD	1024
#define CLIENT_STATE_AVG	4096
/*
 * An account chain (pfish-account@pfish) holds at most CLIENT_ACCT_STATES
 * states and CLIENT_ACCT_BYTES bytes, each state at most
 * ACCOUNT_SIGNED_MAX bytes.
 */
#define CLIENT_ACCT_STATES	10000
#define CLIENT_ACCT_BYTES	(16 * 1024 * 1024)

enum strict_mode {
	STRICT_YES = 0,		/* default: refuse unknown and changed keys */
	STRICT_ACCEPT_NEW,	/* add unknown keys, refuse changed ones */
	STRICT_NO		/* like accept-new; changed keys still refused */
};

struct client_opts {
	const char	*identity;	/* -i */
	const char	*port;		/* -p */
	const char	*config;	/* -F */
	char		**sshopts;	/* -o, nsshopts of them */
	size_t		 nsshopts;
	const char	*trustfile;	/* -T */
	const char	*statefile;	/* -s */
	char		*user;		/* from user@host, or NULL */
	char		*host;
	int		 verbose;	/* -v */
	int		 batch;		/* BatchMode yes: never prompt */
	int		 iotimeout;	/* -t: seconds without an answer */
	int		 accept_unsigned; /* take plain SFTP after a head */
	const char	*remotedir;	/* -r: the fallback's directory */
	enum strict_mode strict;
};

/* conn.c: one SSH session, set up like ssh(1) would. */
struct conn;
int	 conn_open(struct client_opts *o, struct conn **out);
void	 conn_close(struct conn *c);
const char *conn_user(const struct conn *c);
const char *conn_host(const struct conn *c);
unsigned int conn_port(const struct conn *c);
void	*conn_session(struct conn *c);	/* the libssh ssh_session */
int	 conn_hostkey_fp(struct conn *c, char *buf, size_t len);
int	 conn_iotimeout(const struct conn *c);	/* seconds */

/* psftp.c: a minimal SFTP v3 client over one channel of the session. */
struct psftp;
struct psftp_entry {
	char		*name;
	uint64_t	 size;
	int		 has_size;
};
typedef int (*psftp_sink)(void *arg, const u_char *data, size_t len);
typedef int (*psftp_item_cb)(void *arg, int kind, uint64_t seq,
	    const u_char *content, size_t len);

int	 psftp_start(struct conn *c, struct psftp **out);
int	 psftp_set_dir(struct psftp *p, const char *dir);
void	 psftp_free(struct psftp *p);
int	 psftp_is_pfish(const struct psftp *p);	/* pfish subsystem + state */
int	 psftp_can_delete(const struct psftp *p);
const char *psftp_subsystem(const struct psftp *p);	/* "pfish", "sftp" */
/* -1: failed; PSFTP_LIST_FULL: more than max names (session usable). */
#define PSFTP_LIST_FULL		(-2)
int	 psftp_list(struct psftp *p, uint64_t max, struct psftp_entry **out,
	    size_t *nout);
void	 psftp_entries_free(struct psftp_entry *e, size_t n);
/* -1: session broken; PSFTP_ERR_*: this file failed, session usable. */
int	 psftp_get(struct psftp *p, const char *name, uint64_t hint,
	    psftp_sink sink, void *arg);
struct psftp_batch {
	const char	*name;
	uint64_t	 size;		/* the length expected, 0: unknown */
	int		 status;	/* out: 0 or PSFTP_ERR_* */
};
typedef int (*psftp_bsink)(void *arg, size_t idx, const u_char *data,
	    size_t len);
#define PSFTP_BATCH_MAX		256
int	 psftp_get_batch(struct psftp *p, struct psftp_batch *b, size_t n,
	    psftp_bsink sink, void *arg);
int	 psftp_remove(struct psftp *p, const char *name);
/*
 * How a listing may leave out records the caller already holds
 * (PROTOCOL.pfish 2.5); any member may be NULL.  start, before each
 * (re)start of a listing: the seq to begin the records after, 0 for
 * none.  started, after the first page of such a start: 0 to go on, -1
 * to list again without it.  skip, at each records cursor of
 * pfish-server's form, given that the records up to seq after were
 * served: the seq to continue after (after itself: no skip).
 */
struct psftp_skip {
	uint64_t (*start)(void *arg);
	int	 (*started)(void *arg, uint64_t start);
	uint64_t (*skip)(void *arg, uint64_t after);
};
/*
 * Calls reset (kind 0) before each (re)start of a consistent listing.
 * A server that refuses a start or a moved cursor, or a start that
 * started refuses, gets the listing again from the beginning without it.
 */
int	 psftp_state(struct psftp *p, psftp_item_cb cb,
	    const struct psftp_skip *skip, void *arg);
/* The first page's head, if it starts with one (*len 0 if not); malloc'd. */
int	 psftp_state_head(struct psftp *p, u_char **head, size_t *len);
/* State listings begun again because the head changed (PROTOCOL 2.6). */
unsigned int psftp_restarts(const struct psftp *p);
int	 psftp_delete(struct psftp *p, const u_char *stmt, size_t len);
/* pfish-account@pfish: every state served, serial 1 first, to cb. */
int	 psftp_can_account(const struct psftp *p);
typedef int (*psftp_state_cb)(void *arg, uint64_t serial,
	    const u_char *state, size_t len);
int	 psftp_account(struct psftp *p, psftp_state_cb cb, void *arg);
const char *psftp_errmsg(const struct psftp *p);

/* statefile.c: what this device accepted before, per account. */
struct cstate {
	int		 have_head;
	struct stmt_head head;		/* last accepted head */
	u_char		*headtext;	/* its canonical text */
	size_t		 headtextlen;
	struct seqset	*fetched;	/* downloaded and kept */
	struct seqset	*checked;	/* content hash checked on server */
	struct pstate_mem mem;		/* records and deletes authenticated */
	int		 loaded;	/* filehash is the file's, read or written */
	u_char		 filehash[32];	/* SHA-256 of the file's bytes */
	size_t		 filelen;	/* its size, as read or last written */
	unsigned int	 writes;	/* times written by this process */
	uint64_t	 written;	/* bytes written by this process */
};
int	 cstate_account_path(const char *user, const char *hostkey_fp,
	    unsigned int port, const char *typed_host,
	    const char *resolved_host, char *path, size_t len);
int	 cstate_default_path(const char *user, const char *host,
	    unsigned int port, char *path, size_t len);
int	 cstate_default_trust(char *path, size_t len);
int	 cstate_load(const char *path, struct cstate *st);
int	 cstate_save(const char *path, struct cstate *st);
void	 cstate_clear(struct cstate *st);

/* bounds.c: what a state listing may hold (pfish(1) LIMITS). */
struct sbudget {
	const struct stmt_head *prior;	/* the head this device remembers */
	uint64_t	 items_max, bytes_max;
	uint64_t	 items, bytes;
};
void	 sbudget_init(struct sbudget *b, const struct stmt_head *prior);
void	 sbudget_head(struct sbudget *b, const struct stmt_head *served);
int	 sbudget_take(struct sbudget *b, size_t len);
uint64_t dir_bound(const struct stmt_head *h1, const struct stmt_head *h2);
/* The account chain served: -1 past CLIENT_ACCT_STATES / _BYTES. */
struct abudget {
	uint64_t	 states, bytes;
};
int	 abudget_take(struct abudget *b, size_t len);

/* The user's key: -i, else ~/.ssh/id_ed25519. */
int	 client_identity(const struct client_opts *o, char *path, size_t len);

/* progress.c: a transfer meter on a terminal, silence otherwise. */
struct progress {
	int		 on;
	char		 name[32];
	uint64_t	 total;		/* bytes expected */
	uint64_t	 done;
	uint64_t	 start_ms;
	uint64_t	 last_ms;
};
void	 progress_start(struct progress *pm, const char *name,
	    uint64_t total);
void	 progress_update(struct progress *pm, size_t n);
void	 progress_end(struct progress *pm);

/*
 * clerk.c: a fetch's temporary files made ahead and its commits run on a
 * thread of their own, beside the transfer.  It keeps up to ahead files
 * ready and makes total at most.  clerk_take gives a new temporary file
 * (its fd, its name in name), made now if none is ready;
 * clerk_run starts job(arg) (one at a time), clerk_join waits for it (or
 * runs it, if not started) and returns what it returned, with its errno;
 * clerk_stop joins and removes the temporary files not taken.
 */
#define CLERK_NAME_LEN		64
struct fs_tmpgen;
struct clerk;
struct clerk *clerk_start(struct fs_tmpgen *tg, size_t ahead,
	    size_t total);
int	 clerk_take(struct clerk *c, char *name, size_t len);
void	 clerk_run(struct clerk *c, int (*job)(void *), void *arg);
int	 clerk_join(struct clerk *c);
void	 clerk_stop(struct clerk *c);

#define AGE_MAGIC		"age-encryption.org/v1\n"
#define AGE_MAGIC_LEN		(sizeof(AGE_MAGIC) - 1)

/* maildir.c: decrypted copies of fetched mail in a Maildir. */
struct maildir;
int	 maildir_open(const char *dir, const char *identity,
	    struct maildir **out);
int	 maildir_deliver(struct maildir *md, int dirfd, const char *name,
	    uint64_t seq, const u_char *sha256, int look);
void	 maildir_close(struct maildir *md);

/* session.c: connect, fetch and verify the state; shared by commands. */
struct sitem {
	int		 kind;		/* STATEPAGE_KIND_* */
	uint64_t	 seq;
	u_char		*data;
	size_t		 len;
	size_t		 textlen;	/* signed statements: text part */
};

/*
 * A record's signature, read as it was served; the record's text is
 * dropped (its parsed fields re-encode it exactly) and the signature is
 * checked only when the engine asks (rec_sig).
 */
struct srsig {
	struct sshsig_parsed sig;
	int		 ok;		/* sig was readable */
};

struct session {
	struct client_opts *o;
	struct conn	*c;
	struct psftp	*p;
	const char	*mailbox;	/* the login name */
	char		 statepath[1024];
	char		 trustpath[1024];
	struct cstate	 st;
	struct trust	*trust;
	uint64_t	 now;		/* fixed once per run */
	struct psftp_entry *ents;	/* the listing, sorted by name */
	size_t		 nents;
	struct sitem	*items;		/* the signed state as served */
	size_t		 nitems, itemcap;
	struct vinput	 in;
	struct vrec	*recs;		/* collected as served */
	struct srsig	*rsigs;		/* of the served: their ctx */
	size_t		 nrecs, reccap, sigcap;
	struct vdel	*dels;
	struct vnote	*notes;
	struct vvoid	*voids;
	struct vmsg	*msgs;
	struct vresult	 res;
	const u_char	*headtext;	/* the served head's text */
	size_t		 headtextlen;
	const char	**odd;		/* names no seq explains */
	struct vknown	*known;		/* device memory, engine form */
	struct vgone	*gone;
	int		 cfgerr;	/* trust set-up error: exit 1 */
	int		 verified;
	struct sbudget	 budget;	/* of the state listing */
	int		 excess;	/* the listing went past it */
	uint64_t	*refused;	/* seqs the server would not serve */
	size_t		 nrefused;
	unsigned int	 relists;	/* listed again within this run */
	/*
	 * Remembering: records this device authenticated before are not
	 * asked for again when their messages need nothing this run (verify
	 * and list: checked, fetched or deleted; fetch: fetched or
	 * deleted); the listing skipped skip_lo..skip_hi, taken from memory
	 * (session.c: skip_start and skip_started at a listing's start,
	 * skip_to at a records cursor).
	 */
	enum { REMEMBER_NONE, REMEMBER_PROVEN, REMEMBER_FETCHED } remembering;
	struct stmt_head lhead;		/* the listing's head, if trusted */
	int		 lhead_ok;
	uint64_t	 skip_lo, skip_hi;	/* 0, 0: nothing skipped */
	/* The account chain (acctrust.c), when the trust file pins masters. */
	struct acct_chain acct;		/* served and verified */
	int		 acct_ok;	/* acct is verified and consistent */
	struct vfinding	 acct_f;	/* about the chain; kind VK_NONE: none */
	struct abudget	 abudget;
};

int	 session_open(struct client_opts *o, struct session **out);
void	 session_close(struct session *s);
int	 session_signed(const struct session *s);
void	 session_no_state(const struct session *s, const char *what);
int	 session_downgraded(const struct session *s);
int	 session_list(struct session *s);
/* content: also hash messages whose content was never checked. */
int	 session_verify(struct session *s, int content);
int	 session_recheck(struct session *s, const uint64_t *seqs, size_t n);
int	 session_accept(struct session *s);
void	 session_print_findings(const struct session *s, FILE *fp);
void	 session_print_notes(const struct session *s, FILE *fp);
int	 session_exit_code(const struct session *s);
int	 session_delete(struct session *s, const uint64_t *seqs, size_t n);
#define SESSION_VANISHED	2	/* session_download: file gone meanwhile */
int	 session_download(struct session *s, uint64_t seq, int fd,
	    uint64_t cap, struct progress *pm, struct vmsg *m, int *over);
int	 session_download_batch(struct session *s, size_t n,
	    const uint64_t *seq, const int *fd, const uint64_t *cap,
	    struct progress *pm, struct vmsg *m, int *over);

/*
 * acctrust.c: delete trust from the verified account chain.  acct_fetch
 * reads and checks the served chain when the trust file pins masters
 * (-1: transport or set-up error, exit 1; a finding goes to s->acct_f);
 * acct_delete_trusted says whether a delete by pk is trusted through it;
 * acct_findings adds the chain's finding to a verification result;
 * acct_remember moves the device's memory to the verified chain.
 */
int	 acct_pinned(const struct session *s);
int	 acct_fetch(struct session *s);
int	 acct_delete_trusted(const struct session *s,
	    const u_char pk[SSHKEY_ED25519_PK], const struct stmt_delete *d,
	    const u_char hash[STMT_HASH_LEN]);
/* pk has the delete right in the last state of the verified chain. */
int	 acct_key_may_delete(const struct session *s,
	    const u_char pk[SSHKEY_ED25519_PK]);
int	 acct_findings(struct session *s);
void	 acct_remember(struct session *s);

/* Commands: each returns an exit code. */
int	 cmd_list(struct client_opts *o, int argc, char **argv);
int	 cmd_verify(struct client_opts *o, int argc, char **argv);
int	 cmd_fetch(struct client_opts *o, int argc, char **argv);
int	 cmd_rm(struct client_opts *o, int argc, char **argv);

int	 pfish_main(int argc, char **argv);

#endif /* CLIENT_H */
