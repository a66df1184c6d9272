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

/* verify.c: decide what the signed state proves about a mailbox listing. */

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

struct slot {
	const struct vrec	*rec;
	const struct vmsg	*msg;
	int			 authentic;
	int			 forged;
	int			 covered;
	int			 noted;
};

struct vctx {
	const struct vinput	*in;
	struct vresult		*res;
	struct slot		*s;
	uint64_t		 low, top;	/* slots cover [low, top] */
	size_t			 fcap;
	int			 err;
};

static const char *vkind_names[] = {
	"none", "missing", "modified", "replaced", "forged", "added",
	"rollback", "stale", "fork", "epoch", "unsigned-delete", "bad-delete",
	"withheld", "downgrade"
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

/* First record filed under seq, or NULL; recs are in ascending order. */
static const struct vrec *
find_rec(const struct vinput *in, uint64_t seq)
{
	size_t lo = 0, hi = in->nrecs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (in->recs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < in->nrecs && in->recs[lo].seq == seq)
		return &in->recs[lo];
	return NULL;
}

static int
rec_fields_ok(const struct vinput *in, const struct vrec *rec)
{
	return rec->parsed && rec->r.seq == rec->seq &&
	    strcmp(rec->r.mailbox, in->mailbox) == 0 &&
	    strcmp(rec->r.epoch, in->head.epoch) == 0;
}

static int
rec_signed(const struct vinput *in, const struct vrec *rec)
{
	return rec->parsed && in->rec_sig != NULL &&
	    in->rec_sig(in->arg, rec) == 0;
}

/* The head itself and its relation to the head accepted last time. */
static int
check_head(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct stmt_head *h = &in->head, *p = in->prior;

	if (in->head_state == VHEAD_NONE) {
		/* A mailbox nothing was ever delivered to has no head yet. */
		if (p == NULL && in->nrecs == 0 && in->nmsgs == 0 &&
		    in->ndels == 0)
			return -1;
		finding(v, VK_FORGED, 0, "server has no signed head");
		return -1;
	}
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
	if (in->now > h->expires && in->now - h->expires > in->skew) {
		finding(v, VK_STALE, h->high, "head expired %llu seconds ago",
		    (unsigned long long)(in->now - h->expires));
		v->res->head_ok = 0;
	}
	return 0;
}

/*
 * Records newer than the head carry their own signatures; each must extend
 * the chain from the head's highhash.  Sets ok[i] and returns the highest
 * authentic seq (the head's high if none).
 */
static uint64_t
check_beyond(struct vctx *v, u_char *ok)
{
	const struct vinput *in = v->in;
	const struct vrec *rec;
	const u_char *exp = in->head.highhash;
	uint64_t expseq = in->head.high + 1, top = in->head.high;
	size_t i;

	for (i = 0; i < in->nrecs; i++) {
		rec = &in->recs[i];
		if (rec->seq <= in->head.high)
			continue;
		if (i > 0 && in->recs[i - 1].seq == rec->seq) {
			finding(v, VK_FORGED, rec->seq, "second record filed "
			    "under the same seq");
			continue;
		}
		if (!rec_signed(in, rec)) {
			finding(v, VK_FORGED, rec->seq, "record is not validly "
			    "signed by a trusted signer");
			continue;
		}
		if (!rec_fields_ok(in, rec)) {
			finding(v, VK_ADDED, rec->seq, "record belongs to "
			    "mailbox %.64s epoch %s seq %llu", rec->r.mailbox,
			    rec->r.epoch, (unsigned long long)rec->r.seq);
			continue;
		}
		if (rec->seq == expseq &&
		    memcmp(rec->r.prev, exp, STMT_HASH_LEN) != 0) {
			finding(v, VK_FORK, rec->seq, "signed record does not "
			    "extend the signed chain");
			continue;
		}
		ok[i] = 1;
		exp = rec->hash;
		expseq = rec->seq + 1;
		top = rec->seq;
	}
	return top;
}

/* Walk down from the head's highhash; a gap falls back to signatures. */
static void
walk_chain(struct vctx *v)
{
	const struct vinput *in = v->in;
	const struct vrec *rec;
	struct slot *sl;
	const u_char *exp = in->head.highhash;
	uint64_t s;
	int known = 1;

	for (s = in->head.high; s >= in->head.low && s >= 1; s--) {
		sl = &v->s[s - v->low];
		if ((rec = find_rec(in, s)) == NULL) {
			known = 0;
			continue;
		}
		sl->rec = rec;
		if (known && rec_fields_ok(in, rec) &&
		    memcmp(rec->hash, exp, STMT_HASH_LEN) == 0)
			sl->authentic = 1;
		else if (!known && rec_fields_ok(in, rec) &&
		    rec_signed(in, rec))
			sl->authentic = 1;
		if (sl->authentic) {
			exp = rec->r.prev;
			known = 1;
			continue;
		}
		sl->forged = 1;
		finding(v, VK_FORGED, s, "%s", known ? "record does not match "
		    "the signed chain" : "record is not validly signed by a "
		    "trusted signer for this mailbox");
		known = 0;
		if (rec + 1 < in->recs + in->nrecs && rec[1].seq == s)
			finding(v, VK_FORGED, s, "second record filed under "
			    "the same seq");
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
	    p->high >= in->head.high)
		return;
	if (p->high + 1 == in->head.low) {
		if (memcmp(in->head.lowprev, p->highhash, STMT_HASH_LEN) != 0)
			goto fork;
		return;
	}
	if (p->high < in->head.low)
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
	    strcmp(d->d.epoch, in->head.epoch) != 0) {
		finding(v, VK_BAD_DELETE, first, "delete is for mailbox "
		    "%.64s epoch %s", d->d.mailbox, d->d.epoch);
		return;
	}
	if (d->d.seen > v->top && v->res->head_ok) {
		finding(v, VK_ROLLBACK, in->head.high, "a delete signed after "
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
		else
			sl->covered = 1;
	}
}

static void
place_items(struct vctx *v)
{
	const struct vinput *in = v->in;
	struct slot *sl;
	size_t i;

	for (i = 0; i < in->ndels; i++)
		apply_delete(v, &in->dels[i]);
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
}

static enum vkind
judge_content(const struct slot *sl, struct ventry *e)
{
	const struct vmsg *m = sl->msg;
	const struct stmt_record *r = &sl->rec->r;
	int size_bad, hash_bad;

	size_bad = m->has_size && m->size != r->size;
	hash_bad = m->hashed && memcmp(m->sha256, r->sha256,
	    STMT_HASH_LEN) != 0;
	if (!size_bad && !hash_bad) {
		memcpy(e->sha256, r->sha256, STMT_HASH_LEN);
		return VK_NONE;
	}
	if (m->hashed && m->age_header && size_bad)
		return VK_REPLACED;
	return VK_MODIFIED;
}

static void
judge_slot(struct vctx *v, uint64_t seq, struct ventry *e)
{
	struct slot *sl = &v->s[seq - v->low];
	const char *what = NULL;

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
	if (sl->forged)
		e->kind = VK_FORGED;
	else if (sl->covered) {
		e->status = VST_DELETED;
		return;
	} else if (sl->rec == NULL && sl->msg != NULL) {
		e->kind = VK_MISSING;
		what = "record is gone, message still listed";
	} else if (sl->msg == NULL && sl->noted) {
		e->kind = VK_UNSIGNED_DELETE;
		what = "removed with only an unsigned server note";
	} else if (sl->msg == NULL) {
		e->kind = VK_MISSING;
		what = sl->rec == NULL ? "message and its record are gone" :
		    "message is gone";
	} else if ((e->kind = judge_content(sl, e)) != VK_NONE)
		what = e->kind == VK_REPLACED ? "another age file in its "
		    "place" : "content differs from its signed record";
	if (e->kind != VK_NONE)
		e->status = VST_FINDING;
	if (what != NULL)
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
	return 1;
}

static int
run_slots(struct vctx *v)
{
	const struct vinput *in = v->in;
	u_char *ok;
	uint64_t s;
	size_t i;

	if ((ok = calloc(in->nrecs + 1, 1)) == NULL)
		return VERIFY_ERR_ALLOC;
	v->low = in->head.low;
	v->top = check_beyond(v, ok);
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
	for (i = 0; i < in->nrecs; i++)
		if (ok[i]) {
			v->s[in->recs[i].seq - v->low].rec = &in->recs[i];
			v->s[in->recs[i].seq - v->low].authentic = 1;
		}
	free(ok);
	walk_chain(v);
	check_fork(v);
	place_items(v);
	for (s = v->low; s <= v->top && s >= v->low; s++)
		judge_slot(v, s, &v->res->e[s - v->low]);
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
