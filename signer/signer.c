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

/* signer.c: pfish-signer: assign seqs, chain and sign records and heads. */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "clock.h"
#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "pfish.h"
#include "sandbox.h"
#include "signer.h"
#include "stdopts.h"
#include "sshkey.h"
#include "sshsig.h"
#include "stmt.h"
#include "verb.h"

struct signer_opts {
	const char	*keypath;
	const char	*statedir;
	uint64_t	 retention;
	uint64_t	 lifetime;
	uint64_t	 giveup;
	uint64_t	 now;
	int		 remote;	/* run as a forced command */
};

/* One locked mailbox: its state directory, lock and state. */
struct mbox {
	int			 dirfd;
	int			 lockfd;
	int			 existed;
	struct signer_state	 st;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pfish-signer [-G giveup] [-k key] [-L lifetime] "
	    "[-r retention]\n"
	    "                    [-s statedir] record mailbox size sha256\n"
	    "       pfish-signer [-G giveup] [-k key] [-L lifetime] "
	    "[-r retention]\n"
	    "                    [-s statedir] deliver mailbox "
	    "[size sha256]\n"
	    "       pfish-signer [-G giveup] [-k key] [-L lifetime] "
	    "[-r retention]\n"
	    "                    [-s statedir] head mailbox\n"
	    "       pfish-signer [-s statedir] stored | void mailbox seq\n"
	    "       pfish-signer [-r retention] [-s statedir] status "
	    "[mailbox]\n");
}

/* "90", "90s", "15m", "24h", "14d", "2w": seconds, at most ten years. */
static int
parse_duration(const char *s, uint64_t *out)
{
	char num[24];
	size_t len = strlen(s);
	uint64_t v, mul = 1;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: len++; break;
	}
	num[len - 1] = '\0';
	if (stmt_u64_from_dec(num, &v) != 0 || v == 0 ||
	    v > 10ULL * 366 * 86400 / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int
state_name(const char *mailbox, const char *suffix, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s%s", mailbox, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void
new_epoch(char epoch[STMT_EPOCH_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	u_char rnd[STMT_EPOCH_LEN / 2];
	size_t i;

	randombytes_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		epoch[2 * i] = digits[rnd[i] >> 4];
		epoch[2 * i + 1] = digits[rnd[i] & 0xf];
	}
	epoch[STMT_EPOCH_LEN] = '\0';
}

/* Load statedir/MAILBOX.state; a missing file is a new mailbox. */
static int
load_state(int dirfd, const char *mailbox, struct signer_state *st,
    int *existed)
{
	char name[PFISH_MAILBOX_MAX + 16];
	u_char *data;
	size_t len;
	int r;

	*existed = 0;
	signer_state_init(st, mailbox);
	if (state_name(mailbox, ".state", name, sizeof(name)) != 0)
		return -1;
	if (fs_read_file(dirfd, name, SIGNER_STATE_MAX, &data, &len) == -1) {
		if (errno != ENOENT) {
			warn("%s", name);
			return -1;
		}
		new_epoch(st->epoch);
		return 0;
	}
	r = signer_state_parse((const char *)data, len, st);
	free(data);
	if (r != 0) {
		warnx("%s: corrupt state file", name);
		return -1;
	}
	*existed = 1;
	return 0;
}

static int
save_state(int dirfd, const struct signer_state *st)
{
	char name[PFISH_MAILBOX_MAX + 16];
	struct buf *b;
	int r = -1;

	if (state_name(st->mailbox, ".state", name, sizeof(name)) != 0 ||
	    (b = buf_new_max(SIGNER_STATE_MAX)) == NULL)
		return -1;
	if (signer_state_format(st, b) != 0) {
		warnx("%s: state too large", name);
		goto out;
	}
	if (fs_write_atomic(dirfd, dirfd, name, buf_ptr(b), buf_len(b),
	    0600) == -1) {
		warn("%s", name);
		goto out;
	}
	r = 0;
 out:
	buf_free(b);
	return r;
}

/* Open the state dir, take MAILBOX's lock, read its state. */
static int
mbox_open(const struct signer_opts *o, const char *mailbox, struct mbox *m)
{
	struct sandbox_path sp;
	char name[PFISH_MAILBOX_MAX + 16];

	memset(m, 0, sizeof(*m));
	m->lockfd = -1;
	signer_state_init(&m->st, mailbox);
	if ((m->dirfd = open(o->statedir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		warn("%s", o->statedir);
		return -1;
	}
	/* The key is loaded: from here on only the state dir is reachable. */
	sp.fd = m->dirfd;
	sp.path = o->statedir;
	sp.rights = SANDBOX_READ | SANDBOX_CREATE | SANDBOX_REMOVE;
	if (sandbox_tool(&sp, 1, 0) != 0) {
		warn("sandbox");
		return -1;
	}
	if (state_name(mailbox, ".lock", name, sizeof(name)) != 0)
		return -1;
	if ((m->lockfd = openat(m->dirfd, name, O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		warn("%s", name);
		return -1;
	}
	while (flock(m->lockfd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			warn("lock %s", name);
			return -1;
		}
	}
	return load_state(m->dirfd, mailbox, &m->st, &m->existed);
}

static void
mbox_close(struct mbox *m)
{
	signer_state_free(&m->st);
	if (m->lockfd != -1)
		close(m->lockfd);	/* drops the lock */
	if (m->dirfd != -1)
		close(m->dirfd);
	m->lockfd = m->dirfd = -1;
}

static int
load_key(const struct signer_opts *o, struct sshkey_priv **key,
    char fp[SSHKEY_FP_LEN])
{
	int r;

	if ((r = sshkey_load_private(o->keypath, key)) != 0) {
		warnx("%s: %s", o->keypath, pfish_strerror(r));
		return -1;
	}
	sshkey_fingerprint((*key)->pk, fp);
	return 0;
}

static int
print_out(const struct buf *b)
{
	if (fs_write_all(STDOUT_FILENO, buf_ptr(b), buf_len(b)) == -1) {
		warn("stdout");
		return EX_TEMPFAIL;
	}
	return 0;
}

/* Advance the low floor to retention and forget what no head needs. */
static void
retire(struct signer_state *st, const struct signer_opts *o)
{
	u_char lowprev[STMT_HASH_LEN];
	uint64_t low;

	signer_state_low(st, o->now, o->retention, &low, lowprev);
	signer_state_prune(st, low, lowprev);
}

/* Slices of the retention window that get one time mark each. */
static uint64_t
mark_width(const struct signer_opts *o)
{
	return o->retention / SIGNER_MARKS > 0 ?
	    o->retention / SIGNER_MARKS : 1;
}

/*
 * The record to sign.  A message (size and sha256 of its ciphertext)
 * that is still pending, or was the last one signed, gets the very
 * record it got before: same seq and time, and, Ed25519 being
 * deterministic, the same signature.  That is a retry: a ciphertext is
 * freshly random for every message, so equal ones are the same delivery.
 * Anything else gets the next seq.
 */
static int
next_record(const struct signer_opts *o, const struct signer_state *st,
    const char *fp, struct stmt_record *rec, int *reprint)
{
	const struct signer_pending *p;

	p = signer_state_find(st, rec->size, rec->sha256);
	*reprint = p != NULL || (st->have_last &&
	    st->last.size == rec->size &&
	    memcmp(st->last.sha256, rec->sha256, STMT_HASH_LEN) == 0);
	if (*reprint) {
		*rec = p != NULL ? p->rec : st->last;
		if (strcmp(rec->key, fp) != 0) {
			warnx("record: seq %llu was signed by %s",
			    (unsigned long long)rec->seq, rec->key);
			return -1;
		}
		return 0;
	}
	strlcpy(rec->mailbox, st->mailbox, sizeof(rec->mailbox));
	strlcpy(rec->epoch, st->epoch, sizeof(rec->epoch));
	strlcpy(rec->key, fp, sizeof(rec->key));
	rec->seq = st->next;
	/*
	 * Record times never go back: the marks rely on it.  Nor before the
	 * last head's issued: a run that waited for the lock while another
	 * signed a head must not sign a record older than that head, which
	 * a verifier reads as a head omitting what was signed before it.
	 */
	rec->time = st->have_last && st->last.time > o->now ?
	    st->last.time : o->now;
	if (rec->time < st->issued)
		rec->time = st->issued;
	memcpy(rec->prev, st->chain, STMT_HASH_LEN);
	return rec->seq > PFISH_SEQ_MAX ? -1 : 0;
}

/* Sign a head for the state as it is; the caller saves issued. */
static int
sign_head(const struct signer_opts *o, struct signer_state *st,
    const struct sshkey_priv *key, const char *fp, struct buf *out)
{
	struct stmt_head h;
	struct buf *text;
	int r = -1;

	memset(&h, 0, sizeof(h));
	if ((text = buf_new()) == NULL)
		return -1;
	strlcpy(h.mailbox, st->mailbox, sizeof(h.mailbox));
	strlcpy(h.epoch, st->epoch, sizeof(h.epoch));
	strlcpy(h.key, fp, sizeof(h.key));
	signer_state_low(st, o->now, o->retention, &h.low, h.lowprev);
	h.high = st->next - 1;
	memcpy(h.highhash, st->chain, STMT_HASH_LEN);
	/* issued never goes back, even if the clock does. */
	h.issued = o->now > st->issued ? o->now : st->issued;
	h.expires = h.issued + o->lifetime;
	if (stmt_head_encode(&h, text) == 0 &&
	    stmt_sign(key, STMT_HEAD, buf_ptr(text), buf_len(text), out) == 0) {
		st->issued = h.issued;
		r = 0;
	} else
		warnx("head: cannot sign");
	buf_free(text);
	return r;
}

/* Every void still in retention, oldest seq first. */
static int
sign_voids(const struct signer_state *st, const struct sshkey_priv *key,
    const char *fp, struct buf *out)
{
	struct stmt_void v;
	struct buf *text;
	size_t i;
	int r = 0;

	if ((text = buf_new()) == NULL)
		return -1;
	memset(&v, 0, sizeof(v));
	strlcpy(v.mailbox, st->mailbox, sizeof(v.mailbox));
	strlcpy(v.epoch, st->epoch, sizeof(v.epoch));
	strlcpy(v.key, fp, sizeof(v.key));
	for (i = 0; i < st->nvoid && r == 0; i++) {
		v.seq = st->vd[i].seq;
		v.time = st->vd[i].time;
		memcpy(v.hash, st->vd[i].hash, STMT_HASH_LEN);
		buf_reset(text);
		if (stmt_void_encode(&v, text) != 0 || stmt_sign(key,
		    STMT_VOID, buf_ptr(text), buf_len(text), out) != 0) {
			warnx("void: cannot sign seq %llu",
			    (unsigned long long)v.seq);
			r = -1;
		}
	}
	buf_free(text);
	return r;
}

/*
 * Records pending longer than the mail system keeps trying are given
 * up: void them, so their seq is closed rather than missing for ever.
 */
static void
void_overdue(const struct signer_opts *o, struct signer_state *st)
{
	size_t i = 0;
	uint64_t seq;

	while (i < st->npend) {
		if (st->pend[i].rec.time + o->giveup > o->now) {
			i++;
			continue;
		}
		seq = st->pend[i].rec.seq;
		if (signer_state_void(st, seq, o->now) != 0) {
			i++;
			continue;
		}
		logit("void %s seq %llu: not reported stored within %llu s",
		    st->mailbox, (unsigned long long)seq,
		    (unsigned long long)o->giveup);
	}
}

/*
 * Settle seq in the locked mailbox: stored (the deliverer's report) or
 * void (the store refused it for good, or the operator).  0 when done or
 * nothing was left to do, else an exit code.
 */
static int
settle_locked(const struct signer_opts *o, struct mbox *m, uint64_t seq,
    int isvoid)
{
	const char *verb = isvoid ? "void" : "stored";
	size_t i;
	int r;

	r = isvoid ? signer_state_void(&m->st, seq, o->now) :
	    signer_state_stored(&m->st, seq);
	if (r == 0) {
		if (save_state(m->dirfd, &m->st) != 0)
			return EX_TEMPFAIL;
		logit("%s %s seq %llu", verb, m->st.mailbox,
		    (unsigned long long)seq);
		return 0;
	}
	for (i = 0; i < m->st.nvoid && m->st.vd[i].seq != seq; i++)
		;
	if (i < m->st.nvoid)
		warnx("%s: %s seq %llu was voided already", verb,
		    m->st.mailbox, (unsigned long long)seq);
	else if (isvoid) {
		warnx("void: %s seq %llu is not pending", m->st.mailbox,
		    (unsigned long long)seq);
		return EX_DATAERR;
	}
	/* Reported stored twice, or never pending: nothing to do. */
	return 0;
}

/* "stored" from the deliverer, or "void" from the operator. */
static int
cmd_settle(const struct signer_opts *o, const char *mailbox,
    const char *seqarg, int isvoid)
{
	struct mbox m = { .dirfd = -1, .lockfd = -1 };
	uint64_t seq;
	int ret;

	if (!stmt_valid_mailbox(mailbox) ||
	    stmt_u64_from_dec(seqarg, &seq) != 0 || seq == 0) {
		warnx("%s: bad mailbox or seq", isvoid ? "void" : "stored");
		return EX_DATAERR;
	}
	ret = EX_TEMPFAIL;
	if (mbox_open(o, mailbox, &m) == 0)
		ret = settle_locked(o, &m, seq, isvoid);
	mbox_close(&m);
	return ret;
}

/*
 * Standard input, read in blocks: the deliverer's lines are the only
 * input this program has (a pipe, or ssh's channel), so reading ahead
 * takes nothing from anyone, and a line costs a poll and a read rather
 * than one of each per byte.
 */
static struct {
	char	 buf[256];
	size_t	 off, len;
} in;

/*
 * One line from the deliverer on standard input, waiting at most wait_ms
 * for each read (-1: for ever): 1, the line without its newline and its
 * length in *lenp; 0 if input ended (or the wait ran out) before the
 * first byte; -1 if it ended inside a line, the line is too long, or
 * reading failed.
 */
static int
stdin_line(char *line, size_t len, size_t *lenp, int wait_ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	while (n < len - 1) {
		if (in.off == in.len) {
			if ((r = poll(&pfd, 1, wait_ms)) == -1 &&
			    errno == EINTR)
				continue;
			if (r <= 0)
				return n == 0 ? 0 : -1;
			if ((r = read(STDIN_FILENO, in.buf,
			    sizeof(in.buf))) == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				return n == 0 && r == 0 ? 0 : -1;
			in.off = 0;
			in.len = (size_t)r;
		}
		line[n] = in.buf[in.off++];
		if (line[n] == '\n') {
			line[n] = '\0';
			*lenp = n;
			return 1;
		}
		n++;
	}
	return -1;
}

/*
 * After "deliver" prints seq's record, the deliverer may report the
 * store's answer in the same run: "stored SEQ" or "void SEQ" on standard
 * input (a pipe or socket), answered "settled SEQ" on standard output.
 * That spares it a second run of the signer (over ssh, a second
 * connection).  Neither the lock nor the key is held while the store
 * works.  End of input with no line (the store failed for now, or a
 * deliverer that reports in a run of its own) or no line within
 * SIGNER_SETTLE_WAIT leaves the record pending, as before.
 */
static int
settle_inline(const struct signer_opts *o, struct mbox *m, uint64_t seq)
{
	char line[64], stored[32], voided[32], out[48];
	char mailbox[PFISH_MAILBOX_MAX + 1];
	size_t n;
	int isvoid, r;

	strlcpy(mailbox, m->st.mailbox, sizeof(mailbox));
	signer_state_free(&m->st);
	if (flock(m->lockfd, LOCK_UN) == -1 || stdin_line(line,
	    sizeof(line), &n, SIGNER_SETTLE_WAIT * 1000) != 1)
		return 0;
	/* The whole line by its length: a NUL inside is no answer. */
	snprintf(stored, sizeof(stored), "stored %llu",
	    (unsigned long long)seq);
	snprintf(voided, sizeof(voided), "void %llu", (unsigned long long)seq);
	if (n == strlen(stored) && memcmp(line, stored, n) == 0)
		isvoid = 0;
	else if (n == strlen(voided) && memcmp(line, voided, n) == 0)
		isvoid = 1;
	else {
		warnx("deliver: expected \"%s\" or \"%s\"", stored, voided);
		return EX_DATAERR;
	}
	while (flock(m->lockfd, LOCK_EX) == -1)
		if (errno != EINTR) {
			warn("lock");
			return EX_TEMPFAIL;
		}
	if (load_state(m->dirfd, mailbox, &m->st, &m->existed) != 0)
		return EX_TEMPFAIL;
	if ((r = settle_locked(o, m, seq, isvoid)) != 0)
		return r;
	snprintf(out, sizeof(out), "settled %llu\n", (unsigned long long)seq);
	if (fs_write_all(STDOUT_FILENO, out, strlen(out)) == -1) {
		warn("stdout");
		return EX_TEMPFAIL;
	}
	return 0;
}

/* The time records and heads carry: PFISH_NOW never from a forced command. */
static int
read_clock(struct signer_opts *o)
{
	o->now = (uint64_t)time(NULL);
	return !o->remote && pfish_clock(&o->now) != 0 ? -1 : 0;
}

/*
 * "deliver MAILBOX" alone: the deliverer starts the signer before it has
 * the message and, once the ciphertext is spooled, sends "SIZE SHA256" on
 * standard input (stmt_request_parse).  The key is loaded while it waits,
 * the lock is taken only after the request (waiting deliveries must not
 * hold up others), and the clock is read then.  1 with rec's size and
 * sha256 set; 0 if input ended before the first byte (the deliverer
 * needed no record: nothing is signed); -1 on anything else.
 */
static int
read_request(struct signer_opts *o, struct stmt_record *rec)
{
	char line[128];
	size_t n;
	int r;

	if ((r = stdin_line(line, sizeof(line), &n, -1)) != 1)
		return r;
	if (stmt_request_parse((const u_char *)line, n, &rec->size,
	    rec->sha256) != 0 || read_clock(o) != 0)
		return -1;
	return 1;
}

/*
 * Sign the record of a message of size bytes with SHA-256 sha (both NULL:
 * they come on standard input, read_request()), and with withhead a head
 * that covers it.
 */
static int
cmd_record(const struct signer_opts *opts, const char *mailbox,
    const char *size, const char *sha, int withhead)
{
	struct signer_opts ro = *opts, *o = &ro;
	struct stmt_record rec;
	struct sshkey_priv *key = NULL;
	struct buf *text = NULL, *out = NULL;
	struct mbox m = { .dirfd = -1, .lockfd = -1 };
	u_char hash[STMT_HASH_LEN];
	struct stat sb;
	char fp[SSHKEY_FP_LEN], hex[65];
	int ret = EX_DATAERR, reprint, report, r;

	/* A deliverer's pipe (or ssh's) may report; a terminal does not. */
	report = fstat(STDIN_FILENO, &sb) == 0 && (S_ISFIFO(sb.st_mode) ||
	    S_ISSOCK(sb.st_mode));
	memset(&rec, 0, sizeof(rec));
	if (!stmt_valid_mailbox(mailbox) || (size != NULL &&
	    (stmt_u64_from_dec(size, &rec.size) != 0 ||
	    stmt_hash_from_hex(sha, rec.sha256) != 0))) {
		warnx("record: bad mailbox, size or sha256");
		goto out;
	}
	ret = 1;
	if (load_key(o, &key, fp) != 0)
		goto out;
	if (size == NULL) {
		ret = EX_DATAERR;
		if ((r = read_request(o, &rec)) == 0) {
			ret = 0;	/* nothing asked */
			goto out;
		}
		if (r != 1) {
			warnx("deliver: expected \"SIZE SHA256\" on "
			    "standard input");
			goto out;
		}
	}
	ret = EX_TEMPFAIL;
	if ((text = buf_new()) == NULL || (out = buf_new()) == NULL ||
	    mbox_open(o, mailbox, &m) != 0)
		goto out;
	if (next_record(o, &m.st, fp, &rec, &reprint) != 0 ||
	    stmt_record_encode(&rec, text) != 0 ||
	    stmt_sign(key, STMT_RECORD, buf_ptr(text), buf_len(text),
	    out) != 0) {
		warnx("record: cannot sign seq %llu",
		    (unsigned long long)rec.seq);
		ret = 1;
		goto out;
	}
	stmt_hash(buf_ptr(text), buf_len(text), hash);
	if (!reprint && signer_state_add(&m.st, &rec, hash,
	    mark_width(o)) != 0) {
		warnx("record: state refuses seq %llu",
		    (unsigned long long)rec.seq);
		goto out;
	}
	retire(&m.st, o);
	if (withhead && sign_head(o, &m.st, key, fp, out) != 0) {
		ret = 1;
		goto out;
	}
	/* The seq consumed: durable before anyone sees the signature. */
	if ((!reprint || withhead) && save_state(m.dirfd, &m.st) != 0)
		goto out;
	stmt_hash_hex(rec.sha256, hex);
	logit("record %s seq %llu size %llu sha256 %s%s", mailbox,
	    (unsigned long long)rec.seq, (unsigned long long)rec.size, hex,
	    reprint ? " (again)" : "");
	if ((ret = print_out(out)) == 0 && withhead && report) {
		sshkey_priv_free(key);	/* not needed to settle */
		key = NULL;
		ret = settle_inline(o, &m, rec.seq);
	}
 out:
	mbox_close(&m);
	sshkey_priv_free(key);
	buf_free(text);
	buf_free(out);
	return ret;
}

static int
cmd_head(const struct signer_opts *o, const char *mailbox)
{
	struct sshkey_priv *key = NULL;
	struct buf *out = NULL;
	struct mbox m = { .dirfd = -1, .lockfd = -1 };
	char fp[SSHKEY_FP_LEN];
	int ret = EX_DATAERR;

	if (!stmt_valid_mailbox(mailbox)) {
		warnx("head: bad mailbox name");
		goto out;
	}
	ret = 1;
	if (load_key(o, &key, fp) != 0)
		goto out;
	ret = EX_TEMPFAIL;
	if ((out = buf_new()) == NULL || mbox_open(o, mailbox, &m) != 0)
		goto out;
	void_overdue(o, &m.st);
	retire(&m.st, o);
	if (sign_voids(&m.st, key, fp, out) != 0 ||
	    sign_head(o, &m.st, key, fp, out) != 0) {
		ret = 1;
		goto out;
	}
	if (save_state(m.dirfd, &m.st) != 0)
		goto out;
	ret = print_out(out);
 out:
	mbox_close(&m);
	sshkey_priv_free(key);
	buf_free(out);
	return ret;
}

static int
status_one(const struct signer_opts *o, int dirfd, const char *mailbox)
{
	struct signer_state st;
	u_char lowprev[STMT_HASH_LEN];
	uint64_t low;
	int existed;

	if (load_state(dirfd, mailbox, &st, &existed) != 0)
		return 1;
	if (!existed) {
		warnx("%s: no state", mailbox);
		signer_state_free(&st);
		return 1;
	}
	signer_state_low(&st, o->now, o->retention, &low, lowprev);
	printf("%s epoch %s next %llu low %llu records %llu pending %zu "
	    "void %zu\n", mailbox, st.epoch, (unsigned long long)st.next,
	    (unsigned long long)low, (unsigned long long)(st.next - low),
	    st.npend, st.nvoid);
	signer_state_free(&st);
	return 0;
}

static int
cmd_status(const struct signer_opts *o, const char *mailbox)
{
	struct dirent *de;
	DIR *d;
	char name[PFISH_MAILBOX_MAX + 1];
	size_t len;
	int dirfd, ret = 0;

	if ((dirfd = open(o->statedir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		warn("%s", o->statedir);
		return 1;
	}
	if (mailbox != NULL) {
		ret = stmt_valid_mailbox(mailbox) ?
		    status_one(o, dirfd, mailbox) : EX_DATAERR;
		close(dirfd);
		return ret;
	}
	if ((d = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 6 || strcmp(de->d_name + len - 6, ".state") != 0 ||
		    len - 6 > PFISH_MAILBOX_MAX)
			continue;
		memcpy(name, de->d_name, len - 6);
		name[len - 6] = '\0';
		if (stmt_valid_mailbox(name) &&
		    status_one(o, dirfd, name) != 0)
			ret = 1;
	}
	closedir(d);
	return ret;
}

/* The verbs' operands, as the table below counted them. */
static int
verb_record(const struct signer_opts *o, char **av)
{
	return cmd_record(o, av[0], av[1], av[2], 0);
}

static int
verb_deliver(const struct signer_opts *o, char **av)
{
	if (av[1] != NULL && av[2] == NULL) {
		usage(stderr);
		return EX_USAGE;
	}
	return cmd_record(o, av[0], av[1], av[2], 1);
}

static int
verb_stored(const struct signer_opts *o, char **av)
{
	return cmd_settle(o, av[0], av[1], 0);
}

static int
verb_void(const struct signer_opts *o, char **av)
{
	return cmd_settle(o, av[0], av[1], 1);
}

static int
verb_head(const struct signer_opts *o, char **av)
{
	return cmd_head(o, av[0]);
}

static int
verb_status(const struct signer_opts *o, char **av)
{
	return cmd_status(o, av[0]);	/* NULL: every mailbox */
}

static const struct signer_verb {
	const char	*name;
	int		 minargs, maxargs;	/* operands after the verb */
	int		 remote;		/* allowed as a forced command */
	int		(*fn)(const struct signer_opts *, char **);
} verbs[] = {
	{ "record",	3, 3, 1, verb_record },
	{ "deliver",	1, 3, 1, verb_deliver },
	{ "stored",	2, 2, 1, verb_stored },
	{ "void",	2, 2, 1, verb_void },
	{ "head",	1, 1, 1, verb_head },
	{ "status",	0, 1, 0, verb_status },
};

static const struct signer_verb *
find_verb(const char *name, int nargs, int remote)
{
	const struct signer_verb *v;

	v = verb_find(verbs, sizeof(verbs) / sizeof(verbs[0]),
	    sizeof(verbs[0]), name);
	if (v == NULL || nargs < v->minargs || nargs > v->maxargs ||
	    (remote && !v->remote))
		return NULL;
	return v;
}

int
signer_main(int argc, char **argv)
{
	struct signer_opts o;
	struct verb_cmd vc;
	char keybuf[4096];
	const struct signer_verb *v;
	int ch, n, remote;

	switch (stdopts(argc, argv, "pfish-signer")) {
	case STDOPT_HELP:
		usage(stdout);
		return 0;
	case STDOPT_VERSION:
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.statedir = PFISH_SIGNER_DIR;
	o.retention = SIGNER_RETENTION;
	o.lifetime = SIGNER_LIFETIME;
	o.giveup = SIGNER_GIVEUP;
	if (sodium_init() < 0)
		errx(1, "libsodium init failed");
	log_init("pfish-signer", LOG_LEVEL_INFO, LOG_MAIL, 0);
	while ((ch = getopt(argc, argv, "G:k:L:r:s:")) != -1) {
		switch (ch) {
		case 'G':
			if (parse_duration(optarg, &o.giveup) != 0)
				errx(EX_USAGE, "bad give-up time: %.100s",
				    optarg);
			break;
		case 'k':
			o.keypath = optarg;
			break;
		case 'L':
			if (parse_duration(optarg, &o.lifetime) != 0)
				errx(EX_USAGE, "bad lifetime: %.100s",
				    optarg);
			break;
		case 'r':
			if (parse_duration(optarg, &o.retention) != 0)
				errx(EX_USAGE, "bad retention: %.100s",
				    optarg);
			break;
		case 's':
			o.statedir = optarg;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/*
	 * A forced command with no verb of its own: the ssh client's command
	 * supplies the verb and its operands, never an option.
	 */
	remote = verb_forced("pfish-signer", &argc, &argv, &vc);
	if (o.keypath == NULL) {
		n = snprintf(keybuf, sizeof(keybuf), "%s/%s", o.statedir,
		    SIGNER_KEY_FILE);
		if (n < 0 || (size_t)n >= sizeof(keybuf))
			errx(EX_USAGE, "state directory name too long");
		o.keypath = keybuf;
	}
	/* PFISH_NOW (a test hook) never from a forced command. */
	o.remote = remote;
	if (read_clock(&o) != 0)
		return EX_USAGE;
	if (argc >= 1 && (v = find_verb(argv[0], argc - 1, remote)) != NULL)
		return v->fn(&o, argv + 1);
	usage(stderr);
	return EX_USAGE;
}
