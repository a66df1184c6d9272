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

/* session.c: one run against a mailbox: connect, list, verify, remember. */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hash.h"
#include "buf.h"
#include "client.h"
#include "clock.h"
#include "fsutil.h"
#include "layout.h"
#include "sftp.h"
#include "statepage.h"
#include "sshkey.h"
#include "trust.h"

static int
load_trust(struct session *s)
{
	char err[256];

	if (s->o->trustfile != NULL) {
		if (strlcpy(s->trustpath, s->o->trustfile,
		    sizeof(s->trustpath)) >= sizeof(s->trustpath))
			return -1;
	} else if (cstate_default_trust(s->trustpath,
	    sizeof(s->trustpath)) != 0)
		return -1;
	if (trust_load(s->trustpath, &s->trust, err, sizeof(err)) != 0) {
		warnx("%s: %s (the trust file names the signer key with "
		    "namespaces=\"%s,%s\" and your device keys with "
		    "namespaces=\"%s\")", s->trustpath, err[0] ? err :
		    "cannot read", PFISH_NS_RECORD, PFISH_NS_HEAD,
		    PFISH_NS_DELETE);
		return -1;
	}
	/* A set-up mistake, not the server's doing: exit 1, say what. */
	if (!trust_has_ns(s->trust, PFISH_NS_HEAD) ||
	    !trust_has_ns(s->trust, PFISH_NS_RECORD)) {
		warnx("%s lists no key for %s: add the signer key your "
		    "provider published, with namespaces=\"%s,%s\"",
		    s->trustpath, !trust_has_ns(s->trust, PFISH_NS_HEAD) ?
		    PFISH_NS_HEAD : PFISH_NS_RECORD, PFISH_NS_RECORD,
		    PFISH_NS_HEAD);
		return -1;
	}
	return 0;
}

/*
 * A missing trust file is named before connecting, not after a login
 * and a listing; load_trust() reports any other problem with it.
 */
static int
trust_exists(const struct client_opts *o)
{
	char path[1024];
	struct stat st;

	if (o->trustfile != NULL) {
		if (strlcpy(path, o->trustfile, sizeof(path)) >= sizeof(path))
			return -1;
	} else if (cstate_default_trust(path, sizeof(path)) != 0)
		return -1;
	if (stat(path, &st) == 0 || errno != ENOENT)
		return 0;
	warnx("%s: no trust file: it names the signer key (namespaces="
	    "\"%s,%s\"), from your mail provider, and your device keys "
	    "(namespaces=\"%s\"); see pfish(1)", path, PFISH_NS_RECORD,
	    PFISH_NS_HEAD, PFISH_NS_DELETE);
	return -1;
}

int
session_open(struct client_opts *o, struct session **out)
{
	struct session *s;
	char fp[128];

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		warn("calloc");
		return -1;
	}
	s->o = o;
	if (pfish_clock(&s->now) != 0 || trust_exists(o) != 0)
		goto bad;
	if (conn_open(o, &s->c) != 0 || psftp_start(s->c, &s->p) != 0)
		goto bad;
	/* -r names the directory of a plain SFTP server; pfish's is fixed. */
	if (o->remotedir != NULL && !psftp_is_pfish(s->p) &&
	    psftp_set_dir(s->p, o->remotedir) != 0) {
		warnx("-r %s: path too long", o->remotedir);
		goto bad;
	}
	s->mailbox = conn_user(s->c);
	if (o->statefile != NULL) {
		if (strlcpy(s->statepath, o->statefile, sizeof(s->statepath)) >=
		    sizeof(s->statepath)) {
			warnx("state file path too long");
			goto bad;
		}
	} else if (conn_hostkey_fp(s->c, fp, sizeof(fp)) != 0 ||
	    cstate_account_path(s->mailbox, fp, conn_port(s->c), o->host,
	    conn_host(s->c), s->statepath, sizeof(s->statepath)) != 0)
		goto bad;
	if (cstate_load(s->statepath, &s->st) != 0)
		goto bad;
	if (session_signed(s) && load_trust(s) != 0)
		goto bad;
	*out = s;
	return 0;
 bad:
	session_close(s);
	return -1;
}

static void
free_items(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nitems; i++)
		free(s->items[i].data);
	s->nitems = 0;
	s->nrecs = 0;
}

void
session_close(struct session *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->o->verbose > 0 && s->p != NULL)
		fprintf(stderr, "pfish: listed again %u times in this run, the "
		    "signed state restarted %u times as its head changed\n",
		    s->relists, psftp_restarts(s->p));
	verify_result_free(&s->res);
	free_items(s);
	free(s->items);
	for (i = 0; s->dels != NULL && i < s->in.ndels; i++)
		stmt_delete_clear(&s->dels[i].d);
	free(s->recs);
	free(s->rsigs);
	free(s->dels);
	free(s->notes);
	free(s->voids);
	free(s->msgs);
	free(s->refused);
	free(s->odd);
	free(s->known);
	free(s->gone);
	psftp_entries_free(s->ents, s->nents);
	trust_free(s->trust);
	acchain_free(&s->acct);
	cstate_clear(&s->st);
	psftp_free(s->p);
	conn_close(s->c);
	free(s);
}

int
session_signed(const struct session *s)
{
	return psftp_is_pfish(s->p);
}

/* Say plainly that nothing is verified, and why. */
void
session_no_state(const struct session *s, const char *what)
{
	const char *host = conn_host(s->c), *sub = psftp_subsystem(s->p);

	if (strcmp(sub, "pfish") == 0)
		warnx("%s offers no signed state (pfish subsystem without "
		    PFISH_EXT_STATE "): %s", host, what);
	else if (s->o->remotedir != NULL)
		warnx("%s offers no signed state (%s subsystem, plain SFTP): "
		    "%s; reading the .age files of %s", host, sub, what,
		    s->o->remotedir);
	else
		warnx("%s offers no signed state (%s subsystem, plain SFTP): "
		    "%s; reading the .age files of the SFTP start directory "
		    "(the home directory, with sftp-server; -r names "
		    "another)", host, sub, what);
}

/*
 * A server without signed state, for an account this device holds a
 * signed head of, is a downgrade: a finding, and nothing unsigned is
 * taken unless the user said --accept-unsigned for this run.  Returns 1
 * when the caller must stop with PFISH_EXIT_TAMPER.
 */
int
session_downgraded(const struct session *s)
{
	if (!s->st.have_head)
		return 0;
	if (s->o->accept_unsigned) {
		warnx("%s@%s: this device accepted a signed head (%llu..%llu) "
		    "before; taking unsigned mail as told (--accept-unsigned)",
		    s->mailbox, s->o->host,
		    (unsigned long long)s->st.head.low,
		    (unsigned long long)s->st.head.high);
		return 0;
	}
	printf("%s 0 %s offers no signed state (%s subsystem), but this "
	    "device accepted a signed head (%llu..%llu) before\n",
	    verify_kind_name(VK_DOWNGRADE), conn_host(s->c),
	    psftp_subsystem(s->p), (unsigned long long)s->st.head.low,
	    (unsigned long long)s->st.head.high);
	fflush(stdout);
	fprintf(stderr, "pfish: %s@%s: 1 finding: the mailbox is NOT proven "
	    "intact; nothing was fetched or changed (--accept-unsigned takes "
	    "unsigned mail for one run)\n", s->mailbox, s->o->host);
	return 1;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct psftp_entry *)a)->name,
	    ((const struct psftp_entry *)b)->name);
}

/* A head signed by a trusted signer, which may raise the listings' bounds. */
static int
trusted_head(struct session *s, const u_char *content, size_t len,
    struct stmt_head *h)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t tlen;

	if (stmt_verify_signed(content, len, STMT_HEAD, s->trust, s->now,
	    &tlen, pk) == 0 && stmt_head_parse(content, tlen, h) == 0 &&
	    stmt_key_matches(h->key, pk))
		return 0;
	return -1;
}

/*
 * The directory, bounded by the head this device remembers; past that, by
 * the head the server serves now, if a trusted signer signed it.
 */
int
session_list(struct session *s)
{
	const struct stmt_head *prior = s->st.have_head ? &s->st.head : NULL;
	struct stmt_head served;
	uint64_t max = dir_bound(prior, NULL);
	u_char *text = NULL;
	size_t len;
	int r;

	r = psftp_list(s->p, max, &s->ents, &s->nents);
	if (r == PSFTP_LIST_FULL && psftp_is_pfish(s->p) &&
	    psftp_state_head(s->p, &text, &len) == 0 && len > 0 &&
	    trusted_head(s, text, len, &served) == 0 &&
	    dir_bound(prior, &served) > max) {
		max = dir_bound(prior, &served);
		r = psftp_list(s->p, max, &s->ents, &s->nents);
	}
	free(text);
	if (r == PSFTP_LIST_FULL) {
		warnx("%s: listing failed: server listed more names than a "
		    "mailbox may hold (over %llu; the signed head allows no "
		    "more)", conn_host(s->c), (unsigned long long)max);
		return -1;
	}
	if (r != 0) {
		warnx("%s: listing failed: %s", conn_host(s->c),
		    psftp_errmsg(s->p));
		return -1;
	}
	if (s->nents > 1)
		qsort(s->ents, s->nents, sizeof(*s->ents), cmp_entry);
	return 0;
}

/* A listing's first item, a head signed by a trusted signer, sets its bound. */
static void
budget_head(struct session *s, const u_char *content, size_t len)
{
	if (trusted_head(s, content, len, &s->lhead) != 0)
		return;
	s->lhead_ok = 1;
	sbudget_head(&s->budget, &s->lhead);
}

/* The fact for seq in a list ascending by seq, or NULL. */
static const struct pstate_fact *
fact_find(const struct pstate_fact *v, size_t n, uint64_t seq)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].seq == seq ? &v[lo] : NULL;
}

/*
 * A record that need not be served again: one this device authenticated
 * before, remembering its time and size, whose message it checked
 * (verify and list only), fetched or saw deleted, so nothing of it is
 * hashed or downloaded this run.
 */
static int
proven(const struct session *s, const struct pstate_fact *k)
{
	const struct pstate_mem *m = &s->st.mem;

	return k->time != 0 && ((s->remembering == REMEMBER_PROVEN &&
	    seqset_has(s->st.checked, k->seq)) ||
	    seqset_has(s->st.fetched, k->seq) ||
	    fact_find(m->gone, m->ngone, k->seq) != NULL);
}

/* The last seq of the run of proven records from seq on, up to hi. */
static uint64_t
proven_to(const struct session *s, uint64_t seq, uint64_t hi)
{
	const struct pstate_mem *m = &s->st.mem;
	const struct pstate_fact *k;
	uint64_t to = seq - 1;

	if (seq == 0)
		return 0;
	if ((k = fact_find(m->known, m->nknown, seq)) == NULL)
		return to;
	for (; k < m->known + m->nknown && k->seq == to + 1 && to < hi &&
	    proven(s, k); k++)
		to++;
	return to;
}

/*
 * Skipping needs a head a trusted signer signed, first in the listing, in
 * the epoch of the head this device accepted; once a listing.
 */
static int
may_skip(const struct session *s)
{
	return s->remembering && s->lhead_ok && s->skip_hi == 0 &&
	    s->st.have_head && strcmp(s->st.head.epoch, s->lhead.epoch) == 0 &&
	    strcmp(s->lhead.mailbox, s->mailbox) == 0;
}

/*
 * A listing's start: the records from the accepted head's low on that
 * need not be served again, up to its high.  Checked against the head
 * served (started) before anything is taken from memory.
 */
static uint64_t
skip_start(void *arg)
{
	struct session *s = arg;
	uint64_t to;

	if (!s->remembering || !s->st.have_head ||
	    strcmp(s->st.head.mailbox, s->mailbox) != 0)
		return 0;
	to = proven_to(s, s->st.head.low, s->st.head.high);
	return to >= s->st.head.low ? to : 0;
}

/*
 * The first page of a listing begun past seq start: the records from the
 * served head's low up to start come from memory if each is proven and
 * start is within the head.  Else -1: listed again from the beginning.
 */
static int
skip_started(void *arg, uint64_t start)
{
	struct session *s = arg;
	uint64_t low;

	if (!may_skip(s) || start > s->lhead.high)
		return -1;
	low = s->lhead.low;
	if (start < low)
		return 0;	/* served from low on: nothing left out */
	if (proven_to(s, low, start) != start)
		return -1;
	s->skip_lo = low;
	s->skip_hi = start;
	return 0;
}

/*
 * A records cursor: the records after seq after that need not be served
 * again, up to the served head's high; after must be remembered too, so
 * the served chain links to memory by hash.
 */
static uint64_t
skip_to(void *arg, uint64_t after)
{
	struct session *s = arg;
	const struct pstate_mem *m = &s->st.mem;
	uint64_t to;

	if (!may_skip(s) || fact_find(m->known, m->nknown, after) == NULL)
		return after;
	to = proven_to(s, after + 1, s->lhead.high);
	if (to > after) {
		s->skip_lo = after + 1;
		s->skip_hi = to;
	}
	return to;
}

/* Room for n more records, and for their signatures if sigs. */
static int
reserve_recs(struct session *s, size_t n, int sigs)
{
	struct vrec *nv;
	struct srsig *nrs;
	size_t cap;

	if (n > SIZE_MAX / 2 - s->nrecs)
		return -1;
	if (n > s->reccap - s->nrecs) {
		cap = s->reccap ? s->reccap : 256;
		while (cap - s->nrecs < n)
			cap *= 2;
		if ((nv = reallocarray(s->recs, cap, sizeof(*nv))) == NULL)
			return -1;
		s->recs = nv;
		s->reccap = cap;
	}
	if (sigs && (s->sigcap < s->nrecs || n > s->sigcap - s->nrecs)) {
		cap = s->reccap;
		if ((nrs = reallocarray(s->rsigs, cap, sizeof(*nrs))) == NULL)
			return -1;
		s->rsigs = nrs;
		s->sigcap = cap;
	}
	return 0;
}

/*
 * A cleared record and its signature slot at the end of s->recs; only
 * served records come this way, so rsigs[i] stays recs[i]'s until the
 * remembered ones are placed among them (build_inputs).
 */
static int
new_rec(struct session *s, struct vrec **vp, struct srsig **rsp)
{
	if (reserve_recs(s, 1, 1) != 0)
		return -1;
	*vp = &s->recs[s->nrecs];
	*rsp = &s->rsigs[s->nrecs];
	memset(*vp, 0, sizeof(**vp));
	memset(*rsp, 0, sizeof(**rsp));
	s->nrecs++;
	return 0;
}

/*
 * A record as served: its parsed fields, the hash of its text and its
 * signature, not the text itself (about 300 bytes fewer per message).
 */
static int
collect_record(struct session *s, uint64_t seq, const u_char *content,
    size_t len)
{
	struct vrec *v;
	struct srsig *rs;

	if (new_rec(s, &v, &rs) != 0)
		return -1;
	v->seq = seq;
	v->parsed = stmt_record_keep(content, len, &v->r, v->hash, &rs->sig,
	    &rs->ok) == 0;
	return 0;
}

/*
 * The records the listing skipped, from memory: each links to the one
 * below by the hash this device remembers for it.  The one at the head's
 * low (a start, skip_started) takes the head's lowprev: the chain is
 * walked down from the head's highhash and ends at low, so that prev is
 * never what anything is proven by.
 */
static int
add_remembered(struct session *s)
{
	const struct pstate_mem *m = &s->st.mem;
	const struct pstate_fact *k, *below = NULL;
	struct vrec *v;
	size_t n, at, i;

	if (s->skip_hi == 0)
		return 0;
	n = s->skip_hi - s->skip_lo + 1;
	if ((k = fact_find(m->known, m->nknown, s->skip_lo)) == NULL ||
	    (s->skip_lo != s->lhead.low && (below = fact_find(m->known,
	    m->nknown, s->skip_lo - 1)) == NULL) ||
	    n > (size_t)(m->known + m->nknown - k) ||
	    reserve_recs(s, n, 0) != 0)
		return -1;
	/* In seq order among those served, which are then in order too. */
	for (at = s->nrecs; at > 0 && s->recs[at - 1].seq > s->skip_hi; at--)
		;
	memmove(&s->recs[at + n], &s->recs[at],
	    (s->nrecs - at) * sizeof(*s->recs));
	for (i = 0; i < n; i++, below = k++) {
		if (k->seq != s->skip_lo + i)
			return -1;
		v = &s->recs[at + i];
		memset(v, 0, sizeof(*v));
		v->seq = v->r.seq = k->seq;
		v->parsed = v->remembered = 1;
		strlcpy(v->r.mailbox, s->lhead.mailbox, sizeof(v->r.mailbox));
		strlcpy(v->r.epoch, s->lhead.epoch, sizeof(v->r.epoch));
		v->r.time = k->time;
		v->r.size = k->size;
		memcpy(v->r.prev, below != NULL ? below->hash :
		    s->lhead.lowprev, STMT_HASH_LEN);
		memcpy(v->hash, k->hash, STMT_HASH_LEN);
	}
	s->nrecs += n;
	return 0;
}

/* psftp_state callback: keep every item of one listing. */
static int
collect(void *arg, int kind, uint64_t seq, const u_char *content, size_t len)
{
	struct session *s = arg;
	struct sitem *ni;

	if (kind == 0) {
		free_items(s);
		sbudget_init(&s->budget, s->st.have_head ? &s->st.head : NULL);
		s->lhead_ok = 0;
		s->skip_lo = s->skip_hi = 0;
		return 0;
	}
	if (len > STMT_SIGNED_MAX)
		return -1;
	if (kind == STATEPAGE_KIND_HEAD && s->budget.items == 0)
		budget_head(s, content, len);
	if (sbudget_take(&s->budget, len) != 0) {
		s->excess = 1;
		return -1;
	}
	if (kind == STATEPAGE_KIND_RECORD)
		return collect_record(s, seq, content, len);
	if (s->nitems == s->itemcap) {
		if ((ni = reallocarray(s->items, s->itemcap ? s->itemcap * 2 :
		    256, sizeof(*ni))) == NULL)
			return -1;
		s->items = ni;
		s->itemcap = s->itemcap ? s->itemcap * 2 : 256;
	}
	ni = &s->items[s->nitems];
	memset(ni, 0, sizeof(*ni));
	if ((ni->data = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(ni->data, content, len);
	ni->kind = kind;
	ni->seq = seq;
	ni->len = len;
	s->nitems++;
	return 0;
}

static int
rec_sig_cb(void *arg, const struct vrec *rec)
{
	const struct session *s = arg;
	const struct srsig *rs = rec->ctx;

	/* Remembered records carry none: the engine never asks for them. */
	if (!rec->parsed || rs == NULL || !rs->ok)
		return -1;
	return stmt_record_sig_check(&rec->r, rec->hash, &rs->sig, s->trust,
	    s->now) == 0 ? 0 : -1;
}

/* A good signature by a key the trust file does not list: set-up. */
static void
untrusted_head(struct session *s, const u_char pk[SSHKEY_ED25519_PK])
{
	char fp[SSHKEY_FP_LEN];

	sshkey_fingerprint(pk, fp);
	warnx("head signed by key %s which %s does not list: compare it "
	    "with what your provider published", fp, s->trustpath);
	s->cfgerr = 1;
}

static void
parse_head(struct session *s, const struct sitem *it)
{
	struct stmt_head h;
	u_char pk[SSHKEY_ED25519_PK];
	size_t tlen;
	int r, second = s->in.head_state != VHEAD_NONE;

	r = stmt_verify_signed(it->data, it->len, STMT_HEAD, s->trust, s->now,
	    &tlen, pk);
	if (r == STMT_ERR_UNTRUSTED) {
		untrusted_head(s, pk);
		return;
	}
	if (r != 0 || stmt_head_parse(it->data, tlen, &h) != 0 ||
	    !stmt_key_matches(h.key, pk)) {
		s->in.head_state = VHEAD_BAD;
		return;
	}
	if (second) {
		/* Two valid heads for one high that differ: equivocation. */
		if (s->in.head_state == VHEAD_OK && h.high == s->in.head.high &&
		    strcmp(h.mailbox, s->in.head.mailbox) == 0 &&
		    memcmp(h.highhash, s->in.head.highhash,
		    STMT_HASH_LEN) != 0)
			s->in.head_fork = 1;
		else
			s->in.head_state = VHEAD_BAD;
		return;
	}
	s->in.head = h;
	s->in.head_state = VHEAD_OK;
	s->headtext = it->data;
	s->headtextlen = tlen;
}

static void
parse_delete(struct session *s, struct sitem *it, struct vdel *v)
{
	u_char pk[SSHKEY_ED25519_PK], h[STMT_HASH_LEN];
	size_t tlen;
	int sig;

	v->seq = it->seq;
	sig = stmt_verify_signed(it->data, it->len, STMT_DELETE, s->trust,
	    s->now, &tlen, pk);
	if (sig != 0 && stmt_split_signed(it->data, it->len, &tlen) != 0)
		return;
	if (stmt_delete_parse(it->data, tlen, &v->d) != 0)
		return;
	v->parsed = 1;
	v->sig_ok = sig == 0 && stmt_key_matches(v->d.key, pk);
	/* Not in the trust file: maybe a device key of the account chain. */
	if (!v->sig_ok && sig == STMT_ERR_UNTRUSTED &&
	    stmt_key_matches(v->d.key, pk)) {
		stmt_hash(it->data, tlen, h);
		v->sig_ok = acct_delete_trusted(s, pk, &v->d, h);
	}
}

static void
parse_void(struct session *s, struct sitem *it, struct vvoid *v)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t tlen;
	int sig;

	v->seq = it->seq;
	sig = stmt_verify_signed(it->data, it->len, STMT_VOID, s->trust,
	    s->now, &tlen, pk);
	if (sig != 0 && stmt_split_signed(it->data, it->len, &tlen) != 0)
		return;
	if (stmt_void_parse(it->data, tlen, &v->v) != 0)
		return;
	v->parsed = 1;
	v->sig_ok = sig == 0 && stmt_key_matches(v->v.key, pk);
}

static int
cmp_vrec(const void *a, const void *b)
{
	const struct vrec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
alloc_inputs(struct session *s)
{
	size_t n = s->nitems + 1, m = s->nents + 1;

	if ((s->dels = calloc(n, sizeof(*s->dels))) == NULL ||
	    (s->notes = calloc(n, sizeof(*s->notes))) == NULL ||
	    (s->voids = calloc(n, sizeof(*s->voids))) == NULL ||
	    (s->msgs = calloc(m, sizeof(*s->msgs))) == NULL ||
	    (s->odd = calloc(m, sizeof(*s->odd))) == NULL) {
		warnx("out of memory");
		return -1;
	}
	return 0;
}

/* What this device authenticated on earlier runs, for the engine. */
static int
build_memory(struct session *s)
{
	const struct pstate_mem *m = &s->st.mem;
	size_t i;

	if ((s->known = calloc(m->nknown + 1, sizeof(*s->known))) == NULL ||
	    (s->gone = calloc(m->ngone + 1, sizeof(*s->gone))) == NULL) {
		warnx("out of memory");
		return -1;
	}
	for (i = 0; i < m->nknown; i++) {
		s->known[i].seq = m->known[i].seq;
		memcpy(s->known[i].hash, m->known[i].hash, STMT_HASH_LEN);
		s->known[i].fetched = seqset_has(s->st.fetched, m->known[i].seq);
		s->known[i].checked = seqset_has(s->st.checked, m->known[i].seq);
	}
	for (i = 0; i < m->ngone; i++) {
		s->gone[i].seq = m->gone[i].seq;
		memcpy(s->gone[i].stmt, m->gone[i].hash, STMT_HASH_LEN);
	}
	s->in.known = s->known;
	s->in.nknown = m->nknown;
	s->in.gone = s->gone;
	s->in.ngone = m->ngone;
	return 0;
}

/* Turn the served items and the listing into the engine's input. */
static int
build_inputs(struct session *s)
{
	struct vinput *in = &s->in;
	struct sitem *it;
	size_t i;

	if (alloc_inputs(s) != 0)
		return -1;
	in->head_state = VHEAD_NONE;
	for (i = 0; i < s->nitems; i++) {
		it = &s->items[i];
		if (it->kind == STATEPAGE_KIND_HEAD)
			parse_head(s, it);
		else if (it->kind == STATEPAGE_KIND_DELETE)
			parse_delete(s, it, &s->dels[in->ndels++]);
		else if (it->kind == STATEPAGE_KIND_NOTE) {
			s->notes[in->nnotes].seq = it->seq;
			s->notes[in->nnotes].parsed = stmt_note_parse(it->data,
			    it->len, &s->notes[in->nnotes].n) == 0;
			in->nnotes++;
		} else if (it->kind == STATEPAGE_KIND_VOID)
			parse_void(s, it, &s->voids[in->nvoids++]);
	}
	/* The served records' signatures, before memory goes among them. */
	for (i = 0; i < s->nrecs; i++)
		s->recs[i].ctx = &s->rsigs[i];
	if (add_remembered(s) != 0) {
		warnx("out of memory");
		return -1;
	}
	if (s->recs == NULL && (s->recs = calloc(1, sizeof(*s->recs))) == NULL)
		return -1;
	in->nrecs = s->nrecs;
	for (i = 1; i < s->nrecs && s->recs[i - 1].seq <= s->recs[i].seq; i++)
		;
	if (i < s->nrecs)
		qsort(s->recs, in->nrecs, sizeof(*s->recs), cmp_vrec);
	for (i = 0; i < s->nents; i++) {
		/* Names like "x.age" that no seq explains: never trusted. */
		if (layout_seq_parse(s->ents[i].name, PFISH_AGE_SUFFIX,
		    &s->msgs[in->nmsgs].seq) != 0) {
			s->odd[in->nodd++] = s->ents[i].name;
			continue;
		}
		s->msgs[in->nmsgs].has_size = s->ents[i].has_size;
		s->msgs[in->nmsgs].size = s->ents[i].size;
		in->nmsgs++;
	}
	if (build_memory(s) != 0)
		return -1;
	in->mailbox = s->mailbox;
	in->now = s->now;
	in->pending_max = PFISH_PENDING_MAX;
	in->skew = CLIENT_SKEW;
	in->prior = s->st.have_head ? &s->st.head : NULL;
	in->recs = s->recs;
	in->dels = s->dels;
	in->notes = s->notes;
	in->voids = s->voids;
	in->msgs = s->msgs;
	in->odd = s->odd;
	in->rec_sig = rec_sig_cb;
	in->arg = s;
	return 0;
}

struct dl {
	struct hash_sha256 h;
	uint64_t	 n;
	uint64_t	 cap;		/* bytes the record allows */
	int		 over;		/* the server sent more */
	u_char		 head[AGE_MAGIC_LEN];
	int		 fd;
	struct progress	*pm;
};

/* Never a byte past the cap is hashed or written. */
static int
dl_sink(void *arg, const u_char *data, size_t len)
{
	struct dl *d = arg;
	size_t k;

	if (len > d->cap - d->n) {
		d->over = 1;	/* longer than its record allows */
		return -1;
	}
	if (d->n < AGE_MAGIC_LEN) {
		k = AGE_MAGIC_LEN - (size_t)d->n;
		memcpy(d->head + d->n, data, k < len ? k : len);
	}
	hash_sha256_update(&d->h, data, len);
	if (d->fd != -1 && fs_write_all(d->fd, data, len) == -1) {
		warn("write");
		return -1;
	}
	d->n += len;
	progress_update(d->pm, len);
	return 0;
}

static void
dl_init(struct dl *d, int fd, uint64_t cap, struct progress *pm)
{
	memset(d, 0, sizeof(*d));
	hash_sha256_init(&d->h);
	d->cap = cap;
	d->fd = fd;
	d->pm = pm;
}

/* A file cut off at its cap is reported one byte longer than the cap. */
static void
dl_finish(struct dl *d, struct vmsg *m)
{
	hash_sha256_final(&d->h, m->sha256);
	m->hashed = 1;
	m->has_size = 1;
	m->size = d->over ? d->cap + 1 : d->n;
	m->age_header = d->n >= AGE_MAGIC_LEN &&
	    memcmp(d->head, AGE_MAGIC, AGE_MAGIC_LEN) == 0;
}

/*
 * Download message seq, hashing it and writing it to fd (-1: hash only).
 * At most cap bytes are read and written: more aborts the transfer.
 * Returns 0, or -1 on transport errors; a too-long file comes back with
 * *over set, one the server no longer serves with *over = SESSION_VANISHED.
 */
int
session_download(struct session *s, uint64_t seq, int fd, uint64_t cap,
    struct progress *pm, struct vmsg *m, int *over)
{
	struct dl d;
	char name[32];
	int r;

	*over = 0;
	dl_init(&d, fd, cap, pm);
	if (layout_seq_name(seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0)
		return -1;
	r = psftp_get(s->p, name, cap, dl_sink, &d);
	if (r == -1 || (r == PSFTP_ERR_ABORT && !d.over)) {
		warnx("%s: %s", name, psftp_errmsg(s->p));
		return -1;
	}
	*over = r != 0;
	/* Refused (OPEN or READ): gone since the listing, or withheld. */
	if (r == PSFTP_ERR_STATUS)
		*over = SESSION_VANISHED;
	dl_finish(&d, m);
	return 0;
}

static const struct vrec *
parsed_rec(const struct session *s, uint64_t seq)
{
	size_t lo = 0, hi = s->in.nrecs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->recs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->in.nrecs && s->recs[lo].seq == seq && s->recs[lo].parsed)
		return &s->recs[lo];
	return NULL;
}

struct hbatch {
	struct dl		 d[PSFTP_BATCH_MAX];
	struct psftp_batch	 b[PSFTP_BATCH_MAX];
	char			 names[PSFTP_BATCH_MAX][PFISH_NAME_MAX];
	struct vmsg		*m[PSFTP_BATCH_MAX];
	size_t			 n;
};

static int
hb_sink(void *arg, size_t idx, const u_char *data, size_t len)
{
	struct hbatch *hb = arg;

	return dl_sink(&hb->d[idx], data, len);
}

/* A file that vanished since the listing keeps its listed size only. */
static int
hb_flush(struct session *s, struct hbatch *hb)
{
	size_t i;

	if (hb->n == 0)
		return 0;
	if (psftp_get_batch(s->p, hb->b, hb->n, hb_sink, hb) != 0) {
		warnx("%s: %s", conn_host(s->c), psftp_errmsg(s->p));
		return -1;
	}
	for (i = 0; i < hb->n; i++) {
		if (hb->b[i].status == 0 || hb->b[i].status == PSFTP_ERR_ABORT)
			dl_finish(&hb->d[i], hb->m[i]);
		else if (hb->b[i].status == PSFTP_ERR_STATUS)
			s->refused[s->nrefused++] = hb->m[i]->seq;
	}
	hb->n = 0;
	return 0;
}

/*
 * session_download for n messages at once (at most PSFTP_BATCH_MAX), one
 * round trip per step for all of them: seq[i] into fd[i] (-1: hash
 * only), at most cap[i] bytes, results in m[i] and over[i] as there.
 */
int
session_download_batch(struct session *s, size_t n, const uint64_t *seq,
    const int *fd, const uint64_t *cap, struct progress *pm, struct vmsg *m,
    int *over)
{
	struct hbatch *hb;
	size_t i;
	int r = -1;

	if (n > PSFTP_BATCH_MAX || (hb = calloc(1, sizeof(*hb))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (layout_seq_name(seq[i], PFISH_AGE_SUFFIX, hb->names[i],
		    sizeof(hb->names[i])) != 0)
			goto out;
		hb->b[i].name = hb->names[i];
		hb->b[i].size = cap[i];
		dl_init(&hb->d[i], fd[i], cap[i], pm);
	}
	if (psftp_get_batch(s->p, hb->b, n, hb_sink, hb) != 0) {
		warnx("%s: %s", conn_host(s->c), psftp_errmsg(s->p));
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* Aborted without being too long: the write failed. */
		if (hb->b[i].status == PSFTP_ERR_ABORT && !hb->d[i].over)
			goto out;
		over[i] = hb->b[i].status != 0;
		if (hb->b[i].status == PSFTP_ERR_STATUS)
			over[i] = SESSION_VANISHED;
		dl_finish(&hb->d[i], &m[i]);
	}
	r = 0;
 out:
	free(hb);
	return r;
}

/* Hash every listed message whose content this device never checked. */
static int
hash_unchecked(struct session *s)
{
	const struct vrec *rec;
	struct hbatch *hb;
	struct vmsg *m;
	uint64_t cap;
	size_t i;
	int r = -1;

	free(s->refused);
	s->nrefused = 0;
	if ((s->refused = calloc(s->in.nmsgs + 1, sizeof(*s->refused))) ==
	    NULL || (hb = calloc(1, sizeof(*hb))) == NULL)
		return -1;
	for (i = 0; i < s->in.nmsgs; i++) {
		m = &s->msgs[i];
		if (seqset_has(s->st.checked, m->seq) ||
		    seqset_has(s->st.fetched, m->seq))
			continue;
		/* Without a record there is nothing to compare against. */
		if ((rec = parsed_rec(s, m->seq)) == NULL)
			continue;
		/* Record sizes are signed; still, a cap must fit a file. */
		cap = rec->r.size < PFISH_MSG_MAX ? rec->r.size : PFISH_MSG_MAX;
		if (layout_seq_name(m->seq, PFISH_AGE_SUFFIX, hb->names[hb->n],
		    sizeof(hb->names[hb->n])) != 0)
			goto out;
		hb->b[hb->n].name = hb->names[hb->n];
		hb->b[hb->n].size = cap;
		hb->m[hb->n] = m;
		dl_init(&hb->d[hb->n], -1, cap, NULL);
		if (++hb->n == PSFTP_BATCH_MAX && hb_flush(s, hb) != 0)
			goto out;
	}
	r = hb_flush(s, hb);
 out:
	free(hb);
	return r;
}

/* Forget the listing and the state of this run, to list them again. */
static void
forget_listing(struct session *s)
{
	size_t i;

	verify_result_free(&s->res);
	memset(&s->res, 0, sizeof(s->res));
	free_items(s);
	for (i = 0; s->dels != NULL && i < s->in.ndels; i++)
		stmt_delete_clear(&s->dels[i].d);
	free(s->recs);
	free(s->rsigs);
	s->rsigs = NULL;
	s->reccap = s->sigcap = 0;
	free(s->dels);
	free(s->notes);
	free(s->voids);
	free(s->msgs);
	free(s->odd);
	free(s->known);
	free(s->gone);
	s->voids = NULL;
	s->known = NULL;
	s->gone = NULL;
	s->cfgerr = 0;
	s->recs = NULL;
	s->dels = NULL;
	s->notes = NULL;
	s->msgs = NULL;
	s->odd = NULL;
	memset(&s->in, 0, sizeof(s->in));
	psftp_entries_free(s->ents, s->nents);
	s->ents = NULL;
	s->nents = 0;
	s->headtext = NULL;
	s->headtextlen = 0;
	s->verified = 0;
}

/*
 * The directory first, the signed state after it (PROTOCOL.pfish 2.6):
 * everything that excuses a missing file is stored before the file goes,
 * so a state listing that starts after the directory listing sees it.
 */
static int
list_both(struct session *s)
{
	static const struct psftp_skip skip = { skip_start, skip_started,
	    skip_to };

	if (s->ents == NULL && session_list(s) != 0)
		return -1;
	if (psftp_state(s->p, collect, &skip, s) != 0) {
		if (s->excess)
			warnx("%s: server sent more state than the signed head "
			    "allows (over %llu items or %llu bytes)",
			    conn_host(s->c),
			    (unsigned long long)s->budget.items_max,
			    (unsigned long long)s->budget.bytes_max);
		else
			warnx("%s: cannot get the signed state: %s",
			    conn_host(s->c), psftp_errmsg(s->p));
		return -1;
	}
	if (acct_fetch(s) != 0 || build_inputs(s) != 0 || s->cfgerr)
		return -1;
	if (s->o->verbose > 0 && s->skip_hi != 0)
		fprintf(stderr, "pfish: records %llu to %llu not listed again: "
		    "authenticated before, taken from this device's memory\n",
		    (unsigned long long)s->skip_lo,
		    (unsigned long long)s->skip_hi);
	return 0;
}

/* Try each seq once more; refused again while listed is withheld. */
static int
retry_refused(struct session *s, const uint64_t *seqs, size_t n)
{
	const struct vrec *rec;
	struct vmsg *m;
	size_t i, j;
	int over;

	for (i = 0; i < n; i++) {
		for (j = 0; j < s->in.nmsgs && s->msgs[j].seq != seqs[i]; j++)
			;
		if (j == s->in.nmsgs)
			continue;	/* no longer listed */
		m = &s->msgs[j];
		if ((rec = parsed_rec(s, m->seq)) == NULL)
			continue;
		if (session_download(s, m->seq, -1, rec->r.size <
		    PFISH_MSG_MAX ? rec->r.size : PFISH_MSG_MAX, NULL, m,
		    &over) != 0)
			return -1;
		if (over == SESSION_VANISHED) {
			m->hashed = 0;
			m->withheld = 1;
		}
	}
	return 0;
}

static int
finish_verify(struct session *s)
{
	int r;

	if ((r = verify_run(&s->in, &s->res)) != 0) {
		warnx("verification failed: %s", r == VERIFY_ERR_RANGE ?
		    "signed range too large" : "internal error");
		return -1;
	}
	if (acct_findings(s) != 0) {
		warnx("out of memory");
		return -1;
	}
	s->verified = 1;
	return 0;
}

/*
 * Messages the server refused to serve during this run are checked again
 * within it: list the mailbox and its state once more, then try each
 * again.  Covered by a trusted delete by now: fine; no longer listed:
 * the engine says missing; listed and refused again: withheld.
 */
int
session_recheck(struct session *s, const uint64_t *seqs, size_t n)
{
	forget_listing(s);
	s->relists++;
	if (list_both(s) != 0 || retry_refused(s, seqs, n) != 0)
		return -1;
	return finish_verify(s);
}

int
session_verify(struct session *s, int content)
{
	uint64_t *refused;
	int r;

	if (list_both(s) != 0 || (content && hash_unchecked(s) != 0))
		return -1;
	if (s->nrefused == 0)
		return finish_verify(s);
	refused = s->refused;
	s->refused = NULL;
	r = session_recheck(s, refused, s->nrefused);
	free(refused);
	return r;
}

/*
 * The device's memory grows by every record this run authenticated and
 * every seq a trusted delete removed; it forgets only what is below the
 * low of the head it accepts (left the retention window).
 */
static int
remember(struct session *s)
{
	struct pstate_mem *m = &s->st.mem;
	struct pstate_fact *k, *g;
	const struct ventry *e;
	size_t i, j = 0, nk = 0, ng = 0, dk = 0, dg = 0;
	int r = -1;

	k = calloc(s->res.ne + 1, sizeof(*k));
	g = calloc(s->res.ne + 1, sizeof(*g));
	if (k == NULL || g == NULL)
		goto out;
	for (i = 0; i < s->res.ne; i++) {
		e = &s->res.e[i];
		if (!e->authentic)
			continue;
		/* Known already, with its time: the merge would keep it as is. */
		while (j < m->nknown && m->known[j].seq < e->seq)
			j++;
		if (j == m->nknown || m->known[j].seq != e->seq ||
		    m->known[j].time == 0) {
			k[nk].seq = e->seq;
			k[nk].time = e->time;
			k[nk].size = e->size;
			memcpy(k[nk++].hash, e->hash, STMT_HASH_LEN);
		}
		if (e->status != VST_DELETED)
			continue;
		g[ng].seq = e->seq;
		memcpy(g[ng++].hash, e->delhash, STMT_HASH_LEN);
	}
	if (pstate_facts_merge(&m->known, &m->nknown, k, nk, &dk) != 0 ||
	    pstate_facts_merge(&m->gone, &m->ngone, g, ng, &dg) != 0)
		goto out;
	if (dk + dg > 0)
		warnx("state file full: forgot the %zu oldest facts (at most "
		    "%d records and %d deletes are remembered)", dk + dg,
		    PSTATE_FACTS_MAX, PSTATE_FACTS_MAX);
	r = 0;
 out:
	free(k);
	free(g);
	return r;
}

int
session_accept(struct session *s)
{
	const struct ventry *e;
	const struct vmsg *m;
	u_char *t;
	size_t i;

	if (s->verified && s->res.head_ok && s->headtext != NULL) {
		if ((t = malloc(s->headtextlen)) == NULL)
			return -1;
		memcpy(t, s->headtext, s->headtextlen);
		free(s->st.headtext);
		s->st.headtext = t;
		s->st.headtextlen = s->headtextlen;
		s->st.head = s->in.head;
		s->st.have_head = 1;
		pstate_mem_prune(&s->st.mem, s->in.head.low);
	}
	if (s->verified && remember(s) != 0)
		return -1;
	if (s->verified)
		acct_remember(s);
	for (i = 0; s->verified && i < s->in.nmsgs; i++) {
		m = &s->msgs[i];
		if (m->hashed && (e = verify_entry(&s->res, m->seq)) != NULL &&
		    e->status == VST_OK &&
		    seqset_add(s->st.checked, m->seq) != 0)
			return -1;
	}
	return cstate_save(s->statepath, &s->st);
}

void
session_print_findings(const struct session *s, FILE *fp)
{
	size_t i;

	for (i = 0; i < s->res.nf; i++)
		fprintf(fp, "%s %llu %s\n", verify_kind_name(s->res.f[i].kind),
		    (unsigned long long)s->res.f[i].seq, s->res.f[i].detail);
}

/* Seqs of one status as "seq 3, 4, 9" (at most 10 named). */
static void
print_seqs(FILE *fp, const uint64_t *v, size_t n)
{
	size_t i;

	fprintf(fp, ": seq");
	for (i = 0; i < n && i < 10; i++)
		fprintf(fp, "%s %llu", i ? "," : "", (unsigned long long)v[i]);
	fprintf(fp, "%s\n", n > 10 ? ", ..." : "");
}

/* What is not a finding but must be said: pending and expired mail. */
void
session_print_notes(const struct session *s, FILE *fp)
{
	uint64_t *p;
	size_t i, n = 0;

	if (s->res.nexpired > 0) {
		fprintf(fp, "%zu message%s expired before this device fetched "
		    "%s", s->res.nexpired, s->res.nexpired == 1 ? "" : "s",
		    s->res.nexpired == 1 ? "it" : "them");
		print_seqs(fp, s->res.expired, s->res.nexpired);
	}
	if ((p = calloc(s->res.ne + 1, sizeof(*p))) == NULL)
		return;
	for (i = 0; i < s->res.ne; i++)
		if (s->res.e[i].status == VST_PENDING)
			p[n++] = s->res.e[i].seq;
	if (n > 0) {
		fprintf(fp, "%zu message%s pending (signed, not stored yet; a "
		    "finding after %d minutes)", n, n == 1 ? "" : "s",
		    PFISH_PENDING_MAX / 60);
		print_seqs(fp, p, n);
	}
	free(p);
}

int
session_exit_code(const struct session *s)
{
	if (!s->verified)
		return PFISH_EXIT_ERROR;
	return s->res.nf == 0 ? PFISH_EXIT_OK : PFISH_EXIT_TAMPER;
}
