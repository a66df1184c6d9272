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

/* req-state.c: pfish-server's signed-state extensions (PROTOCOL.pfish). */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "pfish.h"
#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"
#include "statepage.h"
#include "stmt.h"
#include "trust.h"

/*
 * A state reply: length, type, id, string headhash (64 hex), string
 * next_cursor, uint32 count, then items of uint8 kind, uint64 seq, string
 * content.  The fixed part is counted at its largest so items can be
 * collected first and the reply still fits PFISH_PACKET_MAX.
 */
#define STATE_FIXED	(SFTP_HDR_LEN + 1 + 4 + (4 + 64) + \
			    (4 + STATEPAGE_CURSOR_MAX) + 4)
#define STATE_ITEMS_MAX	(PFISH_PACKET_MAX - STATE_FIXED)
#define STATE_ITEM_HDR	(1 + 8 + 4)
#define STATE_FILE_MAX	(STATE_ITEMS_MAX - STATE_ITEM_HDR)

/*
 * How a phase is walked in ascending key order, in time linear in the
 * store and memory independent of it:
 *  - a phase keyed by seq (records, notes) opens its files by name from
 *    the cursor's seq on: records are dense, so a page costs its items;
 *  - after STATE_PROBE_MISSES names in a row that do not exist (a hole,
 *    the end, a sparse phase), or for a hashed phase (deletes), one scan
 *    of the directory keeps the STATE_SELECT smallest names above the
 *    cursor, sorted, in the session's cache; later pages of the same
 *    listing continue from the cache without scanning again, as long as
 *    the directory and the head are unchanged.
 * A phase therefore costs one scan at its end plus one per STATE_SELECT
 * names served from scans or per gap of STATE_PROBE_MISSES seqs.
 */
#define STATE_PROBE_MISSES	64
#define STATE_SELECT		8192

struct statecache {
	int			 valid;
	enum statepage_phase	 phase;
	dev_t			 dev;		/* the phase's directory */
	ino_t			 ino;
	struct timespec		 mtime;
	u_char			 head[STMT_HASH_LEN];
	struct statepage_key	 from;		/* scanned above this */
	int			 complete;	/* every name above from */
	size_t			 n;
	struct statepage_key	 k[STATE_SELECT];	/* ascending */
};

struct page {
	int			 pf;		/* .pfish, or -1 */
	struct buf		*items;
	uint32_t		 count;
	uint64_t		 low;		/* of the installed head */
	struct statepage_cursor	 next;
	u_char			*head;
	size_t			 headlen;
	u_char			 headhash[STMT_HASH_LEN];	/* or zeros */
};

/* One phase's walk within one page. */
struct walk {
	enum statepage_phase			 phase;
	const struct statepage_phase_info	*pi;
	int					 dfd;
	struct stat				 st;	/* of dfd */
	struct statecache			*c;
	u_int					 misses;
};

/* Max-heap on the key: the root is the largest of the smallest kept. */
static void
sel_sift_down(struct statecache *c, size_t i)
{
	struct statepage_key t;
	size_t ch;

	for (; (ch = 2 * i + 1) < c->n; i = ch) {
		if (ch + 1 < c->n &&
		    statepage_key_cmp(&c->k[ch + 1], &c->k[ch]) > 0)
			ch++;
		if (statepage_key_cmp(&c->k[ch], &c->k[i]) <= 0)
			break;
		t = c->k[i];
		c->k[i] = c->k[ch];
		c->k[ch] = t;
	}
}

/* 1 when a key was dropped: the selection is no longer complete. */
static int
sel_add(struct statecache *c, const struct statepage_key *k)
{
	struct statepage_key t;
	size_t i, p;

	if (c->n == STATE_SELECT) {
		if (statepage_key_cmp(k, &c->k[0]) < 0) {
			c->k[0] = *k;
			sel_sift_down(c, 0);
		}
		return 1;
	}
	i = c->n++;
	c->k[i] = *k;
	for (; i > 0; i = p) {
		p = (i - 1) / 2;
		if (statepage_key_cmp(&c->k[i], &c->k[p]) <= 0)
			break;
		t = c->k[i];
		c->k[i] = c->k[p];
		c->k[p] = t;
	}
	return 0;
}

static int
key_qsort_cmp(const void *a, const void *b)
{
	return statepage_key_cmp(a, b);
}

/*
 * Fill the cache with the smallest STATE_SELECT canonical names of the
 * phase's directory above after, ascending.  Other names (temporary
 * files, junk) are skipped.
 */
static int
sel_scan(struct walk *w, const struct statepage_key *after)
{
	struct statecache *c = w->c;
	struct statepage_key k;
	struct dirent *de;
	DIR *d;
	int dropped = 0, saved;

	c->valid = 0;
	c->n = 0;
	if ((d = fs_dir_stream(w->dfd)) == NULL)
		return -1;
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (statepage_name_parse(w->phase, de->d_name, &k) != 0 ||
		    statepage_key_cmp(&k, after) <= 0)
			continue;
		dropped |= sel_add(c, &k);
	}
	saved = errno;
	closedir(d);
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	qsort(c->k, c->n, sizeof(c->k[0]), key_qsort_cmp);
	c->phase = w->phase;
	c->dev = w->st.st_dev;
	c->ino = w->st.st_ino;
	c->mtime = w->st.st_mtim;
	c->from = *after;
	c->complete = !dropped;
	c->valid = 1;
	return 0;
}

/* Does the cache know the next name after after, as of now? */
static int
cache_covers(const struct walk *w, const struct page *p,
    const struct statepage_key *after)
{
	const struct statecache *c = w->c;

	if (!c->valid || c->phase != w->phase || c->dev != w->st.st_dev ||
	    c->ino != w->st.st_ino ||
	    c->mtime.tv_sec != w->st.st_mtim.tv_sec ||
	    c->mtime.tv_nsec != w->st.st_mtim.tv_nsec ||
	    memcmp(c->head, p->headhash, sizeof(c->head)) != 0 ||
	    statepage_key_cmp(after, &c->from) < 0)
		return 0;
	return c->complete ||
	    (c->n > 0 && statepage_key_cmp(after, &c->k[c->n - 1]) < 0);
}

/* The first cached name above after: 0, or 1 when there is none. */
static int
cache_next(const struct statecache *c, const struct statepage_key *after,
    struct statepage_key *k)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (statepage_key_cmp(&c->k[mid], after) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->n)
		return 1;
	*k = c->k[lo];
	return 0;
}

/*
 * The next name to try after after: from the cache, by seq, or after a
 * scan.  0 with *k set, 1 when the phase is exhausted, -1 with errno.
 */
static int
walk_next(struct walk *w, const struct page *p,
    const struct statepage_key *after, struct statepage_key *k)
{
	for (;;) {
		if (cache_covers(w, p, after))
			return cache_next(w->c, after, k);
		if (!w->pi->hashed && w->misses < STATE_PROBE_MISSES &&
		    after->a < PFISH_SEQ_MAX) {
			k->a = after->a + 1;
			k->b = 0;
			return 0;
		}
		if (sel_scan(w, after) == -1)
			return -1;
		memcpy(w->c->head, p->headhash, sizeof(w->c->head));
		w->misses = 0;
	}
}

/* 0 added, 1 the page is full. */
static int
add_item(struct page *p, u_int kind, uint64_t seq, const u_char *data,
    size_t len)
{
	int r;

	if (STATE_ITEM_HDR + len > STATE_ITEMS_MAX - buf_len(p->items))
		return 1;
	if ((r = buf_put_u8(p->items, (uint8_t)kind)) != 0 ||
	    (r = buf_put_u64(p->items, seq)) != 0 ||
	    (r = buf_put_string(p->items, data, len)) != 0)
		fatal("cannot add a state item: %s", pfish_strerror(r));
	p->count++;
	return 0;
}

/*
 * 0 added or skipped, 1 the page is full, 2 no such file, -1 with errno.
 * A file that is no regular file, or could never fit a page, is skipped.
 */
static int
add_file(struct page *p, const struct walk *w, const struct statepage_key *k)
{
	char name[PFISH_NAME_MAX];
	u_char *data;
	size_t len;
	int r;

	if (statepage_name_format(w->phase, k, name, sizeof(name)) != 0)
		return 2;
	if (fs_read_file(w->dfd, name, STATE_FILE_MAX, &data, &len) == -1) {
		if (errno == ENOENT)
			return 2;
		if (errno == EFBIG) {
			logit("state: %s/%s is too large for a page, "
			    "not served", w->pi->dir, name);
			return 0;
		}
		if (errno == ELOOP || errno == EINVAL) {
			debug("state: %s/%s skipped: %s", w->pi->dir,
			    name, strerror(errno));
			return 0;
		}
		return -1;
	}
	r = add_item(p, w->pi->kind, k->a, data, len);
	free(data);
	return r;
}

/* 0 the phase is exhausted, 1 the page is full (p->next set), -1. */
static int
serve_phase(struct server *s, struct page *p, enum statepage_phase phase,
    struct statepage_key after)
{
	struct statepage_key k;
	struct walk w;
	int r;

	if (p->pf == -1)
		return 0;
	memset(&w, 0, sizeof(w));
	w.phase = phase;
	if ((w.pi = statepage_phase_info(phase)) == NULL)
		return 0;
	if (s->statecache == NULL &&
	    (s->statecache = calloc(1, sizeof(*s->statecache))) == NULL)
		return -1;
	w.c = s->statecache;
	if ((w.dfd = fs_open_dir(p->pf, w.pi->dir)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(w.dfd, &w.st) == -1) {
		r = -1;
		goto out;
	}
	for (;;) {
		if ((r = walk_next(&w, p, &after, &k)) != 0) {
			if (r == 1)
				r = 0;		/* exhausted */
			break;
		}
		if ((r = add_file(p, &w, &k)) == 1) {
			p->next.phase = phase;
			p->next.after = after;
			break;
		}
		if (r == -1)
			break;
		w.misses = r == 2 ? w.misses + 1 : 0;
		after = k;
	}
 out:
	close(w.dfd);
	return r;
}

void
server_statecache_free(struct statecache *c)
{
	free(c);
}

/* The installed head, its hash, and its low (1 without a usable head). */
static int
page_open(struct server *s, struct page *p)
{
	struct stmt_head h;
	size_t tl;

	p->pf = -1;
	p->low = 1;
	if ((p->items = buf_new_max(STATE_ITEMS_MAX)) == NULL)
		fatal("out of memory");
	if ((p->pf = fs_open_dir(mailbox_fd(s->mb), PFISH_STATE_DIR)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fs_read_file(p->pf, PFISH_HEAD, STATE_FILE_MAX, &p->head,
	    &p->headlen) == -1) {
		p->head = NULL;
		return errno == ENOENT ? 0 : -1;
	}
	stmt_hash(p->head, p->headlen, p->headhash);
	/* No trust check: clients verify; low only saves them work. */
	if (stmt_split_signed(p->head, p->headlen, &tl) == 0 &&
	    stmt_head_parse(p->head, tl, &h) == 0)
		p->low = h.low;
	return 0;
}

static void
page_close(struct page *p)
{
	if (p->pf != -1)
		close(p->pf);
	free(p->head);
	buf_free(p->items);
}

/* Head first on the first page, then each phase from the cursor on. */
static int
page_fill(struct server *s, struct page *p,
    const struct statepage_cursor *cur)
{
	static const struct statepage_key zero = { 0, 0 };
	struct statepage_key after = cur->after;
	enum statepage_phase ph = cur->phase;
	int r;

	if (ph == STATEPAGE_START) {
		/* A new listing sees the store afresh. */
		if (s->statecache != NULL)
			s->statecache->valid = 0;
		if (p->head != NULL)
			(void)add_item(p, STATEPAGE_KIND_HEAD, 0, p->head,
			    p->headlen);
		/* The records from the start, or after the seq it names. */
		ph = STATEPAGE_RECORDS;
	}
	for (; ph < STATEPAGE_DONE; ph = (enum statepage_phase)(ph + 1)) {
		if (ph == STATEPAGE_RECORDS && after.a < p->low - 1) {
			after.a = p->low - 1;
			after.b = 0;
		}
		if ((r = serve_phase(s, p, ph, after)) != 0)
			return r < 0 ? -1 : 0;
		after = zero;
	}
	p->next.phase = STATEPAGE_DONE;
	return 0;
}

static int
state_reply(struct server *s, uint32_t id, const struct page *p)
{
	char hex[65] = "", cursor[STATEPAGE_CURSOR_MAX + 1];
	int r;

	if (p->head != NULL)
		stmt_hash_hex(p->headhash, hex);
	if (statepage_cursor_format(&p->next, cursor, sizeof(cursor)) != 0)
		fatal("cannot format a state cursor");
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_EXTENDED_REPLY, id)) != 0 ||
	    (r = buf_put_cstring(s->reply, hex)) != 0 ||
	    (r = buf_put_cstring(s->reply, cursor)) != 0 ||
	    (r = buf_put_u32(s->reply, p->count)) != 0 ||
	    (r = buf_putb(s->reply, p->items)) != 0 ||
	    (r = sftp_reply_end(s->reply)) != 0)
		fatal("cannot build a state reply: %s", pfish_strerror(r));
	debug("id %u: state page of %u items, next \"%s\"", id, p->count,
	    cursor);
	return server_send(s);
}

int
req_pfish_state(struct server *s, uint32_t id, struct buf *req)
{
	struct statepage_cursor cur;
	struct page p;
	const u_char *cp;
	size_t clen;
	int r, saved;

	if ((r = sftp_get_string(req, &cp, &clen)) != 0)
		return r;
	if (statepage_cursor_parse(cp, clen, &cur) != 0) {
		verbose("id %u: malformed state cursor (%zu bytes)", id, clen);
		return server_status(s, id, SFTP_FX_FAILURE, "bad cursor");
	}
	memset(&p, 0, sizeof(p));
	if (page_open(s, &p) == -1 || page_fill(s, &p, &cur) == -1) {
		saved = errno;
		error_errno("state listing");
		r = server_status_errno(s, id, saved);
	} else
		r = state_reply(s, id, &p);
	page_close(&p);
	return r;
}

/* ---- pfish-delete@pfish ---- */

struct delctx {
	struct server		*s;
	const u_char		*data;		/* the signed statement */
	size_t			 len;
	size_t			 textlen;
	struct stmt_delete	 d;
	int			 pf;		/* .pfish */
	char			 why[160];	/* status message */
};

static u_int
del_fail(struct delctx *c, u_int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static u_int
del_fail(struct delctx *c, u_int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return status;
}

/* The epoch in .pfish/epoch, when the store has one, must match. */
static int
epoch_matches(int pf, const char *epoch)
{
	char have[PFISH_EPOCH_LEN + 1];

	if (layout_epoch_read(pf, have) == -1)
		return errno == ENOENT;
	return strcmp(have, epoch) == 0;
}

/* Signature, key, mailbox, epoch: everything but the records. */
static u_int
del_check_statement(struct delctx *c)
{
	u_char pk[SSHKEY_ED25519_PK];
	int r;

	r = stmt_verify_signed(c->data, c->len, STMT_DELETE,
	    c->s->delete_keys, (uint64_t)time(NULL), &c->textlen, pk);
	if (r == STMT_ERR_SIG || r == STMT_ERR_UNTRUSTED)
		return del_fail(c, SFTP_FX_PERMISSION_DENIED, "%s",
		    r == STMT_ERR_SIG ? "bad signature" :
		    "signing key is not in authorized_keys");
	if (r != 0)
		return del_fail(c, SFTP_FX_FAILURE, "not a signed statement");
	if (stmt_delete_parse(c->data, c->textlen, &c->d) != 0)
		return del_fail(c, SFTP_FX_FAILURE,
		    "not a canonical delete statement");
	if (!stmt_key_matches(c->d.key, pk))
		return del_fail(c, SFTP_FX_PERMISSION_DENIED,
		    "key field does not name the signing key");
	if (strcmp(c->d.mailbox, mailbox_name(c->s->mb)) != 0)
		return del_fail(c, SFTP_FX_FAILURE, "statement is for "
		    "mailbox %.64s", c->d.mailbox);
	if ((c->pf = fs_open_dir(mailbox_fd(c->s->mb), PFISH_STATE_DIR)) == -1)
		return del_fail(c, SFTP_FX_NO_SUCH_FILE, "no state: %s",
		    strerror(errno));
	if (!epoch_matches(c->pf, c->d.epoch))
		return del_fail(c, SFTP_FX_FAILURE, "statement is for epoch "
		    "%s", c->d.epoch);
	return SFTP_FX_OK;
}

/* Every (seq, hash) names the record stored for that seq. */
static u_int
del_check_records(struct delctx *c)
{
	u_char h[STMT_HASH_LEN], *rd;
	char name[PFISH_NAME_MAX];
	size_t i, rl;
	uint64_t seq;
	int rfd, r;
	u_int st = SFTP_FX_OK;

	if ((rfd = fs_open_dir(c->pf, PFISH_RECORDS)) == -1)
		return del_fail(c, SFTP_FX_NO_SUCH_FILE, "no records: %s",
		    strerror(errno));
	for (i = 0; i < c->d.ndel && st == SFTP_FX_OK; i++) {
		seq = c->d.del[i].seq;
		if (layout_seq_name(seq, PFISH_REC_SUFFIX, name, sizeof(name)) != 0 ||
		    fs_read_file(rfd, name, STMT_SIGNED_MAX, &rd, &rl) == -1) {
			st = del_fail(c, errno == ENOENT ? SFTP_FX_NO_SUCH_FILE :
			    SFTP_FX_FAILURE, "seq %llu: no record: %s",
			    (unsigned long long)seq, strerror(errno));
			break;
		}
		r = stmt_signed_hash(rd, rl, h);
		free(rd);
		if (r != 0 || memcmp(h, c->d.del[i].hash, STMT_HASH_LEN) != 0)
			st = del_fail(c, SFTP_FX_FAILURE, "seq %llu: hash does "
			    "not match the stored record",
			    (unsigned long long)seq);
	}
	close(rfd);
	return st;
}

static int
open_state_subdir(int pf, const char *name)
{
	if (mkdirat(pf, name, PFISH_DIR_MODE) == -1 && errno != EEXIST)
		return -1;
	return fs_open_dir(pf, name);
}

/* Statement durable first, then the unlinks, then the directory. */
static u_int
del_apply(struct delctx *c)
{
	char name[PFISH_NAME_MAX];
	int dfd = -1, tfd = -1, mfd = mailbox_fd(c->s->mb), err = 0;
	size_t i;
	u_int st;

	if (stmt_delete_filename(&c->d, c->data, c->textlen, name,
	    sizeof(name)) != 0)
		return del_fail(c, SFTP_FX_FAILURE, "no file name");
	if ((dfd = open_state_subdir(c->pf, PFISH_DELETES)) == -1 ||
	    (tfd = open_state_subdir(c->pf, PFISH_TMP)) == -1 ||
	    fs_write_atomic(dfd, tfd, name, c->data, c->len,
	    PFISH_FILE_MODE) == -1) {
		st = del_fail(c, SFTP_FX_FAILURE, "cannot store the "
		    "statement: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < c->d.ndel; i++) {
		if (layout_seq_name(c->d.del[i].seq, PFISH_AGE_SUFFIX, name,
		    sizeof(name)) != 0)
			continue;
		if (unlinkat(mfd, name, 0) == -1 && errno != ENOENT &&
		    err == 0)
			err = errno;
	}
	if (fs_fsync_dir(mfd) == -1 && err == 0)
		err = errno;
	st = err == 0 ? SFTP_FX_OK : del_fail(c, SFTP_FX_FAILURE,
	    "statement stored, removing messages failed: %s", strerror(err));
 out:
	if (dfd != -1)
		close(dfd);
	if (tfd != -1)
		close(tfd);
	return st;
}

int
req_pfish_delete(struct server *s, uint32_t id, struct buf *req)
{
	struct delctx c;
	u_int st;
	int r;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.pf = -1;
	if ((r = sftp_get_string(req, &c.data, &c.len)) != 0)
		return r;
	if ((st = del_check_statement(&c)) == SFTP_FX_OK &&
	    (st = del_check_records(&c)) == SFTP_FX_OK)
		st = del_apply(&c);
	if (st == SFTP_FX_OK)
		logit("signed delete of %zu messages from seq %llu by %s",
		    c.d.ndel, (unsigned long long)c.d.del[0].seq, c.d.key);
	else
		logit("signed delete refused: %s", c.why);
	if (c.pf != -1)
		close(c.pf);
	stmt_delete_clear(&c.d);
	return server_status(s, id, st, st == SFTP_FX_OK ? NULL : c.why);
}
