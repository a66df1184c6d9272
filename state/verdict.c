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
 * verdict.c: the one verification engine.  Decide what the signed state
 * proves about a mailbox listing, and what it does not.  Pure: no I/O, the
 * adapters (client/session.c, store/store-verify.c) build the input.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

/* One a seq, so kept small: a run touches every one of them. */
struct slot {
	const struct vrec	*rec;
	const struct vmsg	*msg;
	const struct vknown	*known;		/* device memory of this seq */
	const u_char		*delhash;	/* covered: the delete's hash */
	uint64_t		 above;		/* time of the next record up */
	enum vkind		 bad;		/* record forged or forked */
	uint8_t			 authentic;
	uint8_t			 covered;	/* by a trusted delete */
	uint8_t			 noted;
	uint8_t			 voided;
	uint8_t			 memdel;	/* a delete this device saw */
};

struct vctx {
	const struct vinput	*in;
	struct vresult		*res;
	const struct stmt_head	*h;		/* served head, or empty */
	struct stmt_head	 nohead;	/* empty head, no head served */
	struct slot		*s;
	uint64_t		 low, top;	/* slots cover [low, top] */
	size_t			 fcap;
	int			 err;
};

static const char *vkind_names[] = {
	"none", "missing", "modified", "replaced", "forged", "added",
	"rollback", "stale", "fork", "epoch", "unsigned-delete", "bad-delete",
	"withheld", "downgrade", "unknown-file", "resurrected"
};

const char *
verify_kind_name(enum vkind k)
{
	if ((size_t)k < sizeof(vkind_names) / sizeof(vkind_names[0]))
		return vkind_names[k];
	return "unknown";
}

static void
finding(struct vctx *v, enum vkind kind, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
finding(struct vctx *v, enum vkind kind, uint64_t seq, const char *fmt, ...)
{
	struct vresult *res = v->res;
	struct vfinding *nf;
	va_list ap;

	if (res->nf == v->fcap) {
		if ((nf = reallocarray(res->f, v->fcap ? v->fcap * 2 : 16,
		    sizeof(*nf))) == NULL) {
			v->err = VERIFY_ERR_ALLOC;
			return;
		}
		res->f = nf;
		v->fcap = v->fcap ? v->fcap * 2 : 16;
	}
	nf = &res->f[res->nf++];
	nf->kind = kind;
	nf->seq = seq;
	va_start(ap, fmt);
	(void)vsnprintf(nf->detail, sizeof(nf->detail), fmt, ap);
	va_end(ap);
}

/* The records filed under seq: *first and how many; recs ascend. */
static size_t
rec_group(const struct vinput *in, uint64_t seq, const struct vrec **first)
{
	size_t lo = 0, hi = in->nrecs, mid, n = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (in->recs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = &in->recs[lo];
	while (lo + n < in->nrecs && in->recs[lo + n].seq == seq)
		n++;
	return n;
}

static int
rec_fields_ok(const struct vctx *v, const struct vrec *rec)
{
	return rec->parsed && rec->r.seq == rec->seq &&
	    strcmp(rec->r.mailbox, v->in->mailbox) == 0 &&
	    strcmp(rec->r.epoch, v->h->epoch) == 0;
}

/* A remembered record's signature was checked on an earlier run. */
static int
rec_signed(const struct vinput *in, const struct vrec *rec)
{
	return rec->parsed && (rec->remembered || (in->rec_sig != NULL &&
	    in->rec_sig(in->arg, rec) == 0));
}

/*
 * Choose the record of seq among those filed under it, in any order: the
 * one whose hash is exp (the chain's), or without exp the one validly
 * signed.  Two validly signed records that differ are a fork: the signer
 * (or its key) said two things about one seq.  Sets *bad to the kind to
 * report when no record is chosen.
 */
static const struct vrec *
choose(struct vctx *v, uint64_t seq, const u_char *exp, enum vkind *bad)
{
	const struct vrec *g, *pick = NULL, *other = NULL, *r;
	size_t n = rec_group(v->in, seq, &g), i, junk = 0;

	*bad = VK_NONE;
	for (i = 0; i < n; i++) {
		r = &g[i];
		if (exp != NULL && rec_fields_ok(v, r) &&
		    memcmp(r->hash, exp, STMT_HASH_LEN) == 0) {
			pick = r;
			continue;
		}
		if (!rec_fields_ok(v, r) || !rec_signed(v->in, r)) {
			junk++;
			continue;
		}
		if (exp == NULL && pick == NULL)
			pick = r;
		else if (pick == NULL ||
		    memcmp(pick->hash, r->hash, STMT_HASH_LEN) != 0)
			other = r;
	}
	if (pick != NULL && other != NULL &&
	    memcmp(pick->hash, other->hash, STMT_HASH_LEN) != 0) {
		finding(v, VK_FORK, seq, "two differently signed records for "
		    "this seq");
		*bad = VK_FORK;
		return NULL;
	}
	if (pick == NULL && other != NULL) {
		finding(v, VK_FORK, seq, "signed record differs from the "
		    "signed chain");
		*bad = VK_FORK;
		return NULL;
	}
	if (junk > 0 && pick != NULL)
		finding(v, VK_FORGED, seq, "second record filed under the "
		    "same seq");
	else if (junk > 0) {
		finding(v, VK_FORGED, seq, "%s", exp != NULL ? "record does "
		    "not match the signed chain" : "record is not validly "
		    "signed by a trusted signer for this mailbox");
		*bad = VK_FORGED;
	}
	return pick;
}

/* The head against what the store marked as installed before. */
static void
check_mark(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct stmt_head *h = v->h;

	if (in->mark_epoch != NULL && strcmp(in->mark_epoch, h->epoch) != 0) {
		finding(v, VK_EPOCH, 0, "head of epoch %s, mailbox has %s",
		    h->epoch, in->mark_epoch);
		v->res->head_ok = 0;
	}
	if (in->has_mark && (h->high < in->mark_high ||
	    h->issued < in->mark_issued)) {
		finding(v, VK_ROLLBACK, h->high, "head (high %llu, issued "
		    "%llu) is older than the one installed before (high %llu, "
		    "issued %llu)", (unsigned long long)h->high,
		    (unsigned long long)h->issued,
		    (unsigned long long)in->mark_high,
		    (unsigned long long)in->mark_issued);
		v->res->head_ok = 0;
	}
}

/* The head against the one this device accepted last time. */
static void
check_prior(struct vctx *v)
{
	const struct stmt_head *h = v->h, *p = v->in->prior;

	if (p != NULL && strcmp(p->epoch, h->epoch) != 0) {
		finding(v, VK_EPOCH, 0, "epoch changed from %s to %s",
		    p->epoch, h->epoch);
		v->res->head_ok = 0;
	} else if (p != NULL && (h->high < p->high || h->issued < p->issued)) {
		finding(v, VK_ROLLBACK, h->high, "head (high %llu, issued "
		    "%llu) is older than one accepted before (high %llu, "
		    "issued %llu)", (unsigned long long)h->high,
		    (unsigned long long)h->issued,
		    (unsigned long long)p->high, (unsigned long long)p->issued);
		v->res->head_ok = 0;
	} else if (p != NULL && h->high == p->high &&
	    memcmp(h->highhash, p->highhash, STMT_HASH_LEN) != 0) {
		finding(v, VK_FORK, h->high, "head names a different record "
		    "%llu than accepted before", (unsigned long long)h->high);
		v->res->head_ok = 0;
	}
}

static int
nothing_served(const struct vinput *in)
{
	return in->nrecs == 0 && in->nmsgs == 0 && in->ndels == 0 &&
	    in->nvoids == 0;
}

/*
 * No head served.  Nothing ever delivered: an empty mailbox.  Records but
 * no head yet, and nothing accepted before: pending (the signer's first
 * head is on its way), with an empty head from which the records' own
 * signatures and chain are checked.  A head accepted before: a finding.
 */
static int
no_head(struct vctx *v)
{
	const struct vinput *in = v->in;
	size_t i;

	if (in->prior == NULL && !in->has_mark && in->nknown == 0 &&
	    in->ngone == 0 && nothing_served(in))
		return -1;
	if (in->prior != NULL || in->has_mark) {
		finding(v, VK_FORGED, 0, "server has no signed head, though "
		    "one was accepted before");
		return -1;
	}
	memset(&v->nohead, 0, sizeof(v->nohead));
	(void)strlcpy(v->nohead.mailbox, in->mailbox,
	    sizeof(v->nohead.mailbox));
	for (i = 0; i < in->nrecs; i++)
		if (in->recs[i].parsed) {
			(void)strlcpy(v->nohead.epoch, in->recs[i].r.epoch,
			    sizeof(v->nohead.epoch));
			break;
		}
	v->nohead.low = 1;
	v->h = &v->nohead;
	v->res->no_head_yet = 1;
	return 0;
}

/* How long ago, in the unit a person reads best: minutes, hours, days. */
static void
stale_finding(struct vctx *v, uint64_t ago)
{
	const char *unit = "minutes";
	uint64_t n = ago / 60;

	if (ago >= 2 * 86400) {
		n = ago / 86400;
		unit = "days";
	} else if (ago >= 2 * 3600) {
		n = ago / 3600;
		unit = "hours";
	}
	finding(v, VK_STALE, v->in->head.high, "head expired %llu %s ago: "
	    "the provider's head job may have stopped", (unsigned long long)n,
	    unit);
}

/* The head itself and its relation to what was accepted before. */
static int
check_head(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct stmt_head *h = &in->head;

	v->h = h;
	v->res->first_use = in->prior == NULL && !in->has_mark &&
	    in->nknown == 0;
	if (in->head_state == VHEAD_NONE)
		return no_head(v);
	if (in->head_state != VHEAD_OK) {
		finding(v, VK_FORGED, 0, "head is not validly signed by a "
		    "trusted signer");
		return -1;
	}
	if (strcmp(h->mailbox, in->mailbox) != 0) {
		finding(v, VK_FORGED, 0, "head is for mailbox %.64s",
		    h->mailbox);
		return -1;
	}
	v->res->head_ok = 1;
	if (in->head_fork) {
		finding(v, VK_FORK, h->high, "two signed heads for high %llu "
		    "name different records", (unsigned long long)h->high);
		v->res->head_ok = 0;
	}
	check_prior(v);
	check_mark(v);
	if (in->now > h->expires && in->now - h->expires > in->skew) {
		stale_finding(v, in->now - h->expires);
		v->res->head_ok = 0;
	}
	return 0;
}

/*
 * Records newer than the head carry their own signatures; each must extend
 * the chain from the head's highhash.  Sets ok[seq - high - 1] and returns
 * the highest authentic seq (the head's high if none).
 */
static uint64_t
check_beyond(struct vctx *v, const struct vrec **ok, size_t nok)
{
	const struct vinput *in = v->in;
	const struct vrec *rec;
	const u_char *exp = v->h->highhash;
	uint64_t expseq = v->h->high + 1, top = v->h->high, seq;
	enum vkind bad;
	size_t i;

	for (i = 0; i < in->nrecs; i++) {
		seq = in->recs[i].seq;
		if (seq <= v->h->high || (i > 0 && in->recs[i - 1].seq == seq))
			continue;
		if (!rec_fields_ok(v, &in->recs[i]) &&
		    rec_signed(in, &in->recs[i])) {
			finding(v, VK_ADDED, seq, "record belongs to mailbox "
			    "%.64s epoch %s seq %llu", in->recs[i].r.mailbox,
			    in->recs[i].r.epoch,
			    (unsigned long long)in->recs[i].r.seq);
			continue;
		}
		if ((rec = choose(v, seq, NULL, &bad)) == NULL)
			continue;
		if (seq == expseq &&
		    memcmp(rec->r.prev, exp, STMT_HASH_LEN) != 0) {
			finding(v, VK_FORK, seq, "signed record does not "
			    "extend the signed chain");
			continue;
		}
		/* An honest signer's head covers what it signed before. */
		if (in->head_state == VHEAD_OK && rec->r.time < v->h->issued)
			finding(v, VK_ROLLBACK, seq, "head issued %llu omits "
			    "this record signed at %llu",
			    (unsigned long long)v->h->issued,
			    (unsigned long long)rec->r.time);
		if (seq - v->h->high - 1 < nok)
			ok[seq - v->h->high - 1] = rec;
		exp = rec->hash;
		expseq = seq + 1;
		top = seq;
	}
	return top;
}

/* A valid void closes seq: its hash names the record the chain expects. */
static const struct vvoid *
void_for(const struct vctx *v, uint64_t seq, const u_char *exp)
{
	const struct vinput *in = v->in;
	size_t i;

	for (i = 0; i < in->nvoids; i++)
		if (in->voids[i].parsed && in->voids[i].sig_ok &&
		    in->voids[i].v.seq == seq && in->voids[i].seq == seq &&
		    strcmp(in->voids[i].v.mailbox, in->mailbox) == 0 &&
		    strcmp(in->voids[i].v.epoch, v->h->epoch) == 0 &&
		    memcmp(in->voids[i].v.hash, exp, STMT_HASH_LEN) == 0)
			return &in->voids[i];
	return NULL;
}

/* Walk down from the head's highhash; a gap falls back to signatures. */
static void
walk_chain(struct vctx *v)
{
	const struct vrec *rec, *g;
	struct slot *sl;
	const u_char *exp = v->h->highhash;
	uint64_t s;
	int known = 1;

	for (s = v->h->high; s >= v->h->low && s >= 1; s--) {
		sl = &v->s[s - v->low];
		if (rec_group(v->in, s, &g) == 0) {
			if (known && void_for(v, s, exp) != NULL)
				sl->voided = 1;
			known = 0;
			continue;
		}
		rec = choose(v, s, known ? exp : NULL, &sl->bad);
		sl->rec = rec != NULL ? rec : g;
		if (rec == NULL) {
			known = 0;
			continue;
		}
		sl->authentic = 1;
		exp = rec->r.prev;
		known = 1;
	}
}

/* The history accepted before must be a prefix of what is served now. */
static void
check_fork(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct stmt_head *p = in->prior;
	const struct slot *sl;

	if (p == NULL || !v->res->head_ok || p->high == 0 ||
	    p->high >= v->h->high)
		return;
	if (p->high + 1 == v->h->low) {
		if (memcmp(v->h->lowprev, p->highhash, STMT_HASH_LEN) != 0)
			goto fork;
		return;
	}
	if (p->high < v->h->low)
		return;		/* expired since: nothing left to compare */
	sl = &v->s[p->high - v->low];
	if (sl->authentic &&
	    memcmp(sl->rec->hash, p->highhash, STMT_HASH_LEN) != 0)
		goto fork;
	return;
 fork:
	finding(v, VK_FORK, p->high, "record %llu differs from the one "
	    "accepted before", (unsigned long long)p->high);
	v->res->head_ok = 0;
}

static struct slot *
slot_at(struct vctx *v, uint64_t seq)
{
	if (seq < v->low || seq > v->top)
		return NULL;
	return &v->s[seq - v->low];
}

static void
apply_delete(struct vctx *v, const struct vdel *d)
{
	const struct vinput *in = v->in;
	struct slot *sl;
	uint64_t first;
	size_t i;

	/* Name the first seq the statement claims, whatever it was filed as. */
	first = d->parsed && d->d.ndel > 0 ? d->d.del[0].seq : d->seq;
	if (!d->parsed || !d->sig_ok) {
		finding(v, VK_BAD_DELETE, first, "delete is %s", !d->parsed ?
		    "malformed" : "not signed by a key trusted for deletes");
		return;
	}
	if (strcmp(d->d.mailbox, in->mailbox) != 0 ||
	    strcmp(d->d.epoch, v->h->epoch) != 0) {
		finding(v, VK_BAD_DELETE, first, "delete is for mailbox "
		    "%.64s epoch %s", d->d.mailbox, d->d.epoch);
		return;
	}
	if (d->misfiled) {
		finding(v, VK_BAD_DELETE, first, "delete is stored under a "
		    "name that is not its own");
		return;
	}
	if (d->d.seen > v->top && v->res->head_ok) {
		finding(v, VK_ROLLBACK, v->h->high, "a delete signed after "
		    "seeing seq %llu is served with an older head",
		    (unsigned long long)d->d.seen);
		v->res->head_ok = 0;
	}
	for (i = 0; i < d->d.ndel; i++) {
		if ((sl = slot_at(v, d->d.del[i].seq)) == NULL ||
		    !sl->authentic)
			continue;
		if (memcmp(sl->rec->hash, d->d.del[i].hash,
		    STMT_HASH_LEN) != 0)
			finding(v, VK_BAD_DELETE, d->d.del[i].seq, "delete "
			    "names a different record");
		else {
			sl->covered = 1;
			sl->delhash = d->hash;
		}
	}
}

/* Voids that close nothing the chain knows are not the signer's. */
static void
check_voids(struct vctx *v)
{
	const struct vvoid *vd;
	struct slot *sl;
	size_t i;

	for (i = 0; i < v->in->nvoids; i++) {
		vd = &v->in->voids[i];
		if ((sl = slot_at(v, vd->seq)) != NULL && sl->authentic &&
		    void_for(v, vd->seq, sl->rec->hash) == vd)
			sl->voided = 1;
		else if (!vd->parsed || !vd->sig_ok)
			finding(v, VK_FORGED, vd->seq, "void is not signed by "
			    "the trusted signer");
		else if (sl != NULL && !sl->voided)
			finding(v, VK_FORGED, vd->seq, "void names another "
			    "record or mailbox");
	}
}

static void
report_odd(struct vctx *v)
{
	size_t i;

	for (i = 0; i < v->in->nodd; i++)
		finding(v, VK_UNKNOWN_FILE, 0, "%.80s", v->in->odd[i]);
}

static void
place_items(struct vctx *v)
{
	const struct vinput *in = v->in;
	struct slot *sl;
	size_t i;

	for (i = 0; i < in->ndels; i++)
		apply_delete(v, &in->dels[i]);
	check_voids(v);
	for (i = 0; i < in->nnotes; i++) {
		if (in->notes[i].parsed &&
		    strcmp(in->notes[i].n.mailbox, in->mailbox) == 0 &&
		    in->notes[i].n.seq == in->notes[i].seq &&
		    (sl = slot_at(v, in->notes[i].seq)) != NULL)
			sl->noted = 1;
	}
	for (i = 0; i < in->nmsgs; i++) {
		if (in->msgs[i].seq < v->low)
			continue;	/* expired, awaiting removal */
		if ((sl = slot_at(v, in->msgs[i].seq)) == NULL)
			finding(v, VK_ADDED, in->msgs[i].seq, "message has "
			    "no signed record");
		else
			sl->msg = &in->msgs[i];
	}
	report_odd(v);
}

static int
add_expired(struct vctx *v, uint64_t seq)
{
	struct vresult *res = v->res;
	uint64_t *n;

	if ((n = reallocarray(res->expired, res->nexpired + 1,
	    sizeof(*n))) == NULL) {
		v->err = VERIFY_ERR_ALLOC;
		return -1;
	}
	res->expired = n;
	res->expired[res->nexpired++] = seq;
	return 0;
}

static int
gone_has(const struct vinput *in, uint64_t seq)
{
	size_t i;

	for (i = 0; i < in->ngone; i++)
		if (in->gone[i].seq == seq)
			return 1;
	return 0;
}

/*
 * What this device authenticated before must still be there: a record it
 * knew beyond the served state is a rollback, one served differently a
 * fork; a delete it saw must still be served.  What left the window
 * unread is said, not a finding.
 */
static void
check_memory(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct vknown *k;
	struct slot *sl;
	uint64_t beyond = 0;
	size_t i;

	for (i = 0; i < in->nknown; i++) {
		k = &in->known[i];
		if (k->seq < v->low) {
			if (!k->fetched && !gone_has(in, k->seq) &&
			    v->h == &in->head && add_expired(v, k->seq) != 0)
				return;
			continue;
		}
		if ((sl = slot_at(v, k->seq)) == NULL) {
			beyond = k->seq;
			continue;
		}
		sl->known = k;
		if (sl->authentic &&
		    memcmp(sl->rec->hash, k->hash, STMT_HASH_LEN) != 0)
			finding(v, VK_FORK, k->seq, "record differs from the "
			    "one this device authenticated before");
	}
	for (i = 0; i < in->ngone; i++) {
		if (in->gone[i].seq < v->low)
			continue;
		if ((sl = slot_at(v, in->gone[i].seq)) == NULL)
			beyond = in->gone[i].seq > beyond ? in->gone[i].seq :
			    beyond;
		else
			sl->memdel = 1;
	}
	if (beyond > 0) {
		finding(v, VK_ROLLBACK, beyond, "this device authenticated "
		    "seq %llu before; the served state ends at %llu",
		    (unsigned long long)beyond, (unsigned long long)v->top);
		v->res->head_ok = 0;
	}
}

/* The content of the message is the one its record signed. */
static enum vkind
judge_content(struct vctx *v, const struct slot *sl, struct ventry *e,
    const char **what, uint64_t *other)
{
	const struct vmsg *m = sl->msg;
	const struct stmt_record *r = &sl->rec->r;
	int size_bad, hash_bad;
	uint64_t s;

	size_bad = m->has_size && m->size != r->size;
	hash_bad = m->hashed && memcmp(m->sha256, r->sha256,
	    STMT_HASH_LEN) != 0;
	if (!size_bad && !hash_bad) {
		memcpy(e->sha256, r->sha256, STMT_HASH_LEN);
		return VK_NONE;
	}
	for (s = v->low; m->hashed && s <= v->top && s >= v->low; s++)
		if (v->s[s - v->low].authentic && s != e->seq &&
		    !v->s[s - v->low].rec->remembered &&
		    memcmp(v->s[s - v->low].rec->r.sha256, m->sha256,
		    STMT_HASH_LEN) == 0) {
			*other = s;
			*what = "holds the message of another seq";
			return VK_REPLACED;
		}
	if (m->hashed && m->age_header && size_bad) {
		*what = "another age file in its place";
		return VK_REPLACED;
	}
	*what = "content differs from its signed record";
	return VK_MODIFIED;
}

/* Signed no longer than the pending bound before now. */
static int
young(const struct vinput *in, uint64_t t)
{
	return t != 0 && (in->now < t || in->now - t <= in->pending_max);
}

/*
 * A seq with neither record nor message under the head: the signer signed
 * it, and a later delivery or head job installed a head that covers it
 * before its own delivery reached the store (a retry the mail system will
 * make, or one still running).  It has no time of its own, only bounds:
 * it was signed after the record below it and after any head this device
 * accepted that did not cover it, and before the record above it and
 * before any head that covers it.  Proven young: in flight.  Proven old
 * (a covering head or later record older than the bound): missing.
 * Neither: in flight; the device then accepts the covering head, so its
 * next run proves the age from that head's issue time, and a seq dropped
 * before any device saw it is caught within the bound of first sight.
 */
static int
unrecorded_in_flight(const struct vctx *v, const struct slot *sl,
    uint64_t seq, uint64_t below)
{
	const struct vinput *in = v->in;
	const struct stmt_head *p = in->prior;
	int same = p != NULL && strcmp(p->epoch, v->h->epoch) == 0;

	if (sl->known != NULL)
		return 0;	/* its record was stored: this device saw it */
	if (young(in, below) ||
	    (same && p->high < seq && young(in, p->issued)))
		return 1;
	if ((sl->above != 0 && !young(in, sl->above)) ||
	    (in->head_state == VHEAD_OK && seq <= v->h->high &&
	    !young(in, v->h->issued)) ||
	    (same && p->high >= seq && !young(in, p->issued)))
		return 0;
	return 1;
}

/* An absent message is in flight while its record is young. */
static int
in_flight(const struct vctx *v, const struct slot *sl, uint64_t seq,
    uint64_t since)
{
	const struct vinput *in = v->in;

	if (in->pending_max == 0 || sl->noted || sl->memdel ||
	    (sl->known != NULL && (sl->known->fetched || sl->known->checked)))
		return 0;
	if (sl->rec == NULL)
		return unrecorded_in_flight(v, sl, seq, since);
	return !in->unrecorded_only && young(in, since);
}

static void
entry_fill(const struct slot *sl, uint64_t seq, struct ventry *e)
{
	e->seq = seq;
	e->present = sl->msg != NULL;
	if (sl->msg != NULL)
		e->size = sl->msg->size;
	if (sl->authentic) {
		e->authentic = 1;
		e->time = sl->rec->r.time;
		e->size = sl->rec->r.size;
		memcpy(e->hash, sl->rec->hash, STMT_HASH_LEN);
	}
}

/* since: the time of seq's record, or of the nearest authentic one below. */
static void
judge_slot(struct vctx *v, uint64_t seq, struct ventry *e, uint64_t since)
{
	struct slot *sl = &v->s[seq - v->low];
	const char *what = NULL;
	uint64_t other = 0;

	entry_fill(sl, seq, e);
	if (sl->bad != VK_NONE)
		e->kind = sl->bad;
	else if (sl->memdel && !sl->covered) {
		e->kind = VK_RESURRECTED;
		what = sl->msg != NULL ? "message this device saw deleted is "
		    "listed again, its delete gone" : "a delete this device "
		    "saw is no longer served";
	} else if (sl->covered) {
		e->status = VST_DELETED;
		memcpy(e->delhash, sl->delhash, STMT_HASH_LEN);
		return;
	} else if (sl->voided) {
		e->status = VST_VOID;
		return;
	} else if (sl->rec == NULL && sl->msg != NULL) {
		e->kind = VK_MISSING;
		what = "record is gone, message still listed";
	} else if (sl->msg == NULL && sl->noted) {
		e->kind = VK_UNSIGNED_DELETE;
		what = "removed with only an unsigned server note";
	} else if (sl->msg == NULL && in_flight(v, sl, seq, since)) {
		e->status = VST_PENDING;
		return;
	} else if (sl->msg == NULL) {
		e->kind = VK_MISSING;
		what = sl->rec == NULL ? "message and its record are gone" :
		    "message is gone";
	} else if (sl->msg->withheld) {
		e->kind = VK_WITHHELD;
		what = "listed, but the server refuses to serve it";
	} else
		e->kind = judge_content(v, sl, e, &what, &other);
	if (e->kind != VK_NONE)
		e->status = VST_FINDING;
	if (what != NULL && other != 0)
		finding(v, e->kind, seq, "holds the message of seq %llu",
		    (unsigned long long)other);
	else if (what != NULL)
		finding(v, e->kind, seq, "%s", what);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct vfinding *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static int
input_sorted(const struct vinput *in)
{
	size_t i;

	for (i = 1; i < in->nrecs; i++)
		if (in->recs[i].seq < in->recs[i - 1].seq)
			return 0;
	for (i = 1; i < in->nmsgs; i++)
		if (in->msgs[i].seq <= in->msgs[i - 1].seq)
			return 0;
	for (i = 1; i < in->nknown; i++)
		if (in->known[i].seq <= in->known[i - 1].seq)
			return 0;
	return 1;
}

/* The head, when there is none yet, must come soon. */
static void
judge_no_head(struct vctx *v)
{
	const struct vinput *in = v->in;
	uint64_t oldest = UINT64_MAX, s;

	for (s = v->low; s <= v->top && s >= v->low; s++)
		if (v->s[s - v->low].authentic &&
		    v->s[s - v->low].rec->r.time < oldest)
			oldest = v->s[s - v->low].rec->r.time;
	if (oldest != UINT64_MAX && in->pending_max > 0 &&
	    (in->now < oldest || in->now - oldest <= in->pending_max))
		return;
	v->res->no_head_yet = 0;
	finding(v, VK_FORGED, 0, "server has no signed head");
}

static int
run_slots(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct vrec **ok;
	uint64_t s, since = 0;
	size_t nok = in->nrecs + 1, i;

	if ((ok = calloc(nok, sizeof(*ok))) == NULL)
		return VERIFY_ERR_ALLOC;
	v->low = v->h->low;
	v->top = check_beyond(v, ok, nok);
	if (v->top + 1 < v->low || v->top + 1 - v->low > VERIFY_SPAN_MAX) {
		free(ok);
		return VERIFY_ERR_RANGE;
	}
	v->res->ne = (size_t)(v->top + 1 - v->low);
	if ((v->s = calloc(v->res->ne + 1, sizeof(*v->s))) == NULL ||
	    (v->res->e = calloc(v->res->ne + 1, sizeof(*v->res->e))) == NULL) {
		free(ok);
		return VERIFY_ERR_ALLOC;
	}
	for (i = 0; i < nok && v->h->high + 1 + i <= v->top; i++)
		if (ok[i] != NULL) {
			v->s[v->h->high + 1 + i - v->low].rec = ok[i];
			v->s[v->h->high + 1 + i - v->low].authentic = 1;
		}
	free(ok);
	walk_chain(v);
	check_fork(v);
	place_items(v);
	check_memory(v);
	if (v->res->no_head_yet)
		judge_no_head(v);
	for (s = v->top; s >= v->low && s > 0; s--) {
		v->s[s - v->low].above = since;
		if (v->s[s - v->low].authentic)
			since = v->s[s - v->low].rec->r.time;
	}
	since = 0;
	for (s = v->low; s <= v->top && s >= v->low; s++) {
		if (v->s[s - v->low].authentic)
			since = v->s[s - v->low].rec->r.time;
		judge_slot(v, s, &v->res->e[s - v->low], since);
	}
	return 0;
}

int
verify_run(const struct vinput *in, struct vresult *res)
{
	struct vctx v;
	int r = 0;

	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	v.in = in;
	v.res = res;
	if (!input_sorted(in))
		return VERIFY_ERR_ORDER;
	if (check_head(&v) == 0)
		r = run_slots(&v);
	else
		report_odd(&v);
	free(v.s);
	if (r == 0)
		r = v.err;
	if (r != 0) {
		verify_result_free(res);
		return r;
	}
	if (res->nf > 1)
		qsort(res->f, res->nf, sizeof(*res->f), cmp_finding);
	return 0;
}

void
verify_result_free(struct vresult *res)
{
	free(res->f);
	free(res->e);
	free(res->expired);
	memset(res, 0, sizeof(*res));
}

const struct ventry *
verify_entry(const struct vresult *res, uint64_t seq)
{
	if (res->ne == 0 || seq < res->e[0].seq ||
	    seq - res->e[0].seq >= res->ne)
		return NULL;
	return &res->e[seq - res->e[0].seq];
}
