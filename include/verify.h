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
 * verify.h: the one verification engine, pure functions on statements.
 * pfish verify (client/session.c) and pfish-store verify
 * (store/store-verify.c) are adapters: each turns what it can see (an SFTP
 * listing, or the files of a store) into a struct vinput and prints the
 * findings of verify_run().
 */

#ifndef VERIFY_H
#define VERIFY_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "stmt.h"
#include "pfisherr.h"

/* Kinds of finding; each names a seq (0: the mailbox as a whole). */
enum vkind {
	VK_NONE = 0,
	VK_MISSING,		/* message (and/or record) gone, no delete */
	VK_MODIFIED,		/* content or size differs from its record */
	VK_REPLACED,		/* another well-formed .age in its place */
	VK_FORGED,		/* statement not signed / not in the chain */
	VK_ADDED,		/* message with no record of this mailbox */
	VK_ROLLBACK,		/* head older than one accepted before */
	VK_STALE,		/* head expired: state frozen */
	VK_FORK,		/* head disagrees with history seen before */
	VK_EPOCH,		/* mailbox epoch changed */
	VK_UNSIGNED_DELETE,	/* removed with only a server note */
	VK_BAD_DELETE,		/* delete statement not valid for us */
	VK_WITHHELD,		/* listed, but not served on request */
	VK_DOWNGRADE,		/* signed state once seen, now not offered */
	VK_UNKNOWN_FILE,	/* a file no seq or layout rule explains */
	VK_RESURRECTED		/* a delete this device saw is undone */
};

enum vhead {
	VHEAD_OK = 0,		/* parsed, signed by a trusted signer */
	VHEAD_NONE,		/* server had none */
	VHEAD_BAD		/* unparsable or signature/trust failed */
};

enum vstatus {
	VST_OK = 0,		/* present and proven */
	VST_DELETED,		/* deleted by a trusted signed delete */
	VST_FINDING,		/* see kind */
	VST_PENDING,		/* signed, message not stored yet (in flight) */
	VST_VOID,		/* closed by the signer's void statement */
	VST_EXPIRED_UNREAD	/* left the window before this device fetched it */
};

/*
 * How long a signed record may wait for its message before the absence is
 * a finding: two head refresh intervals (hourly, pfish-signer(8)), so a
 * fetch host that drops new mail is caught within about two hours, while
 * a delivery in flight or retried soon by the mail system is not.
 */
#define PFISH_PENDING_MAX	7200

/*
 * A record: served, or remembered.  A remembered record is one this device
 * authenticated on an earlier run and did not ask for again (its message
 * was checked, fetched or deleted since): r holds the mailbox, epoch, seq,
 * time and size, prev is the hash it remembers for seq - 1, and the
 * message SHA-256 is not known (zero).
 */
struct vrec {
	uint64_t	 seq;		/* the seq the server filed it under */
	int		 parsed;	/* text is a canonical record */
	int		 remembered;	/* not served: from device memory */
	struct stmt_record r;
	u_char		 hash[STMT_HASH_LEN];	/* of its text */
	const void	*ctx;		/* for the signature callback */
};

struct vdel {
	uint64_t	 seq;		/* as filed (lowest seq it deletes) */
	int		 parsed;
	int		 sig_ok;	/* signed by a key trusted for deletes */
	int		 misfiled;	/* stored under a name not its own */
	u_char		 hash[STMT_HASH_LEN];	/* of its text */
	struct stmt_delete d;
};

struct vnote {
	uint64_t	 seq;
	int		 parsed;
	struct stmt_note n;
};

struct vmsg {
	uint64_t	 seq;		/* from its file name */
	int		 has_size;
	uint64_t	 size;
	int		 hashed;	/* content was read and hashed */
	u_char		 sha256[STMT_HASH_LEN];
	int		 age_header;	/* content is a well-formed age file */
	int		 withheld;	/* listed, but not served on request */
};

/* A void statement: the signer closed a seq whose delivery was abandoned. */
struct vvoid {
	uint64_t	 seq;		/* as filed */
	int		 parsed;
	int		 sig_ok;	/* signed by the trusted signer */
	struct stmt_void v;
};

/*
 * What this device authenticated on earlier runs (its state file), within
 * the retention window: records (seq and record hash) and the seqs trusted
 * deletes removed (with the delete statement's hash).
 */
struct vknown {
	uint64_t	 seq;
	u_char		 hash[STMT_HASH_LEN];	/* record text hash */
	int		 fetched;	/* message downloaded and kept here */
	int		 checked;	/* message content hashed on the server */
};

struct vgone {
	uint64_t	 seq;
	u_char		 stmt[STMT_HASH_LEN];	/* hash of the delete's text */
};

struct vinput {
	const char	*mailbox;	/* the account logged in as */
	uint64_t	 now;		/* fixed once per run */
	uint64_t	 skew;		/* allowance past expires */
	uint64_t	 pending_max;	/* PFISH_PENDING_MAX, or 0: no pending */
	int		 unrecorded_only; /* only a seq with no record waits */
	enum vhead	 head_state;
	struct stmt_head head;
	const struct stmt_head *prior;	/* last accepted head, or NULL */
	const struct vrec *recs;	/* ascending seq */
	size_t		 nrecs;
	const struct vdel *dels;
	size_t		 ndels;
	const struct vnote *notes;
	size_t		 nnotes;
	const struct vmsg *msgs;	/* ascending seq */
	size_t		 nmsgs;
	const struct vvoid *voids;
	size_t		 nvoids;
	const char *const *odd;		/* names no seq or layout explains */
	size_t		 nodd;
	int		 head_fork;	/* a second valid head, same high */
	/* The store's own marks: last installed head, its epoch file. */
	int		 has_mark;
	uint64_t	 mark_high, mark_issued;
	const char	*mark_epoch;	/* NULL: none */
	/* Device memory, ascending seq. */
	const struct vknown *known;
	size_t		 nknown;
	const struct vgone *gone;
	size_t		 ngone;
	/* 0 when a record's own signature is good and its signer trusted. */
	int		(*rec_sig)(void *arg, const struct vrec *rec);
	void		*arg;
};

struct vfinding {
	enum vkind	 kind;
	uint64_t	 seq;
	char		 detail[96];
};

struct ventry {
	uint64_t	 seq;
	enum vstatus	 status;
	enum vkind	 kind;		/* when status is VST_FINDING */
	int		 present;	/* message file listed */
	int		 authentic;	/* record proven */
	uint64_t	 time;		/* from the record when authentic */
	uint64_t	 size;
	u_char		 hash[STMT_HASH_LEN];	/* record hash */
	u_char		 sha256[STMT_HASH_LEN];	/* of the message */
	u_char		 delhash[STMT_HASH_LEN];	/* VST_DELETED: its delete */
};

struct vresult {
	struct vfinding	*f;
	size_t		 nf;
	struct ventry	*e;		/* ascending seq, low..top */
	size_t		 ne;
	int		 head_ok;	/* head authentic, fresh, consistent */
	int		 first_use;	/* nothing earlier to check rollback by */
	int		 no_head_yet;	/* records, no head: pending */
	uint64_t	*expired;	/* VST_EXPIRED_UNREAD seqs, ascending */
	size_t		 nexpired;
};

#define VERIFY_SPAN_MAX		50000000ULL

const char	*verify_kind_name(enum vkind k);
int		 verify_run(const struct vinput *in, struct vresult *out);
void		 verify_result_free(struct vresult *res);
const struct ventry *verify_entry(const struct vresult *res, uint64_t seq);

#endif /* VERIFY_H */
