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

/* test_verify.c: the verification engine (state/verdict.c) on synthesized input. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verify.h"

#define N	8
#define MBOX	"alice"
#define EPOCH	"0123456789abcdef"
#define NOW	1800000000ULL

struct fix {
	struct vrec	 recs[N + 4];
	size_t		 nrecs;
	struct vmsg	 msgs[N + 4];
	size_t		 nmsgs;
	struct vdel	 dels[4];
	size_t		 ndels;
	struct vnote	 notes[4];
	size_t		 nnotes;
	struct vknown	 known[N + 4];
	size_t		 nknown;
	struct vgone	 gone[4];
	size_t		 ngone;
	struct vvoid	 voids[4];
	size_t		 nvoids;
	const char	*odd[4];
	size_t		 nodd;
	struct stmt_head prior;
	struct vinput	 in;
	struct vresult	 res;
	int		 badsig[N + 4];	/* record signature fails */
};

static void
fake_hash(u_char h[STMT_HASH_LEN], uint64_t seq, int salt)
{
	memset(h, 0, STMT_HASH_LEN);
	if (seq == 0 && salt == 0)
		return;
	memset(h, (int)(seq & 0xff), STMT_HASH_LEN);
	h[0] = (u_char)salt;
	h[1] = 0x5a;
}

static int
sig_cb(void *arg, const struct vrec *rec)
{
	struct fix *f = arg;

	return rec->seq < N + 4 && f->badsig[rec->seq] ? -1 : 0;
}

static void
make_rec(struct vrec *v, const char *mbox, uint64_t seq)
{
	memset(v, 0, sizeof(*v));
	v->seq = seq;
	v->parsed = 1;
	strlcpy(v->r.mailbox, mbox, sizeof(v->r.mailbox));
	strlcpy(v->r.epoch, EPOCH, sizeof(v->r.epoch));
	v->r.seq = seq;
	fake_hash(v->r.prev, seq - 1, 0);
	v->r.time = NOW - 1000 + seq;
	v->r.size = 100 + seq;
	fake_hash(v->r.sha256, seq, 7);
	fake_hash(v->hash, seq, 0);
}

static void
make_msg(struct vmsg *m, uint64_t seq)
{
	memset(m, 0, sizeof(*m));
	m->seq = seq;
	m->has_size = 1;
	m->size = 100 + seq;
	m->hashed = 1;
	m->age_header = 1;
	fake_hash(m->sha256, seq, 7);
}

/* A clean mailbox of N messages, head covering all of them. */
static struct fix *
fixture(void)
{
	struct fix *f;
	uint64_t s;

	assert_non_null(f = calloc(1, sizeof(*f)));
	for (s = 1; s <= N; s++) {
		make_rec(&f->recs[f->nrecs++], MBOX, s);
		make_msg(&f->msgs[f->nmsgs++], s);
	}
	strlcpy(f->in.head.mailbox, MBOX, sizeof(f->in.head.mailbox));
	strlcpy(f->in.head.epoch, EPOCH, sizeof(f->in.head.epoch));
	f->in.head.low = 1;
	f->in.head.high = N;
	fake_hash(f->in.head.highhash, N, 0);
	f->in.head.issued = NOW - 1000 + N;	/* signed with record N */
	f->in.head.expires = NOW + 3600;
	f->in.mailbox = MBOX;
	f->in.now = NOW;
	f->in.skew = 300;
	f->in.head_state = VHEAD_OK;
	f->in.rec_sig = sig_cb;
	f->in.arg = f;
	return f;
}

static void
run(struct fix *f)
{
	f->in.recs = f->recs;
	f->in.nrecs = f->nrecs;
	f->in.msgs = f->msgs;
	f->in.nmsgs = f->nmsgs;
	f->in.dels = f->dels;
	f->in.ndels = f->ndels;
	f->in.notes = f->notes;
	f->in.nnotes = f->nnotes;
	f->in.known = f->known;
	f->in.nknown = f->nknown;
	f->in.gone = f->gone;
	f->in.ngone = f->ngone;
	f->in.voids = f->voids;
	f->in.nvoids = f->nvoids;
	f->in.odd = f->odd;
	f->in.nodd = f->nodd;
	assert_int_equal(verify_run(&f->in, &f->res), 0);
}

static void
done(struct fix *f)
{
	size_t i;

	verify_result_free(&f->res);
	for (i = 0; i < f->ndels; i++)
		free(f->dels[i].d.del);
	free(f);
}

/* Exactly one finding, of this kind at this seq. */
static void
assert_one(struct fix *f, enum vkind kind, uint64_t seq)
{
	if (f->res.nf != 1 || f->res.f[0].kind != kind ||
	    f->res.f[0].seq != seq) {
		size_t i;

		for (i = 0; i < f->res.nf; i++)
			print_message("finding %s %llu %s\n",
			    verify_kind_name(f->res.f[i].kind),
			    (unsigned long long)f->res.f[i].seq,
			    f->res.f[i].detail);
	}
	assert_int_equal(f->res.nf, 1);
	assert_string_equal(verify_kind_name(f->res.f[0].kind),
	    verify_kind_name(kind));
	assert_int_equal(f->res.f[0].seq, seq);
}

static int
has_finding(struct fix *f, enum vkind kind, uint64_t seq)
{
	size_t i;

	for (i = 0; i < f->res.nf; i++)
		if (f->res.f[i].kind == kind && f->res.f[i].seq == seq)
			return 1;
	return 0;
}

static void
remove_msg(struct fix *f, uint64_t seq)
{
	size_t i;

	for (i = 0; i < f->nmsgs; i++)
		if (f->msgs[i].seq == seq) {
			memmove(&f->msgs[i], &f->msgs[i + 1],
			    (f->nmsgs - i - 1) * sizeof(f->msgs[0]));
			f->nmsgs--;
			return;
		}
	fail();
}

static void
remove_rec(struct fix *f, uint64_t seq)
{
	size_t i;

	for (i = 0; i < f->nrecs; i++)
		if (f->recs[i].seq == seq) {
			memmove(&f->recs[i], &f->recs[i + 1],
			    (f->nrecs - i - 1) * sizeof(f->recs[0]));
			f->nrecs--;
			return;
		}
	fail();
}

static void
add_delete(struct fix *f, const char *mbox, int sig_ok, uint64_t seq,
    const u_char hash[STMT_HASH_LEN])
{
	struct vdel *d = &f->dels[f->ndels++];

	memset(d, 0, sizeof(*d));
	d->seq = seq;
	d->parsed = 1;
	d->sig_ok = sig_ok;
	strlcpy(d->d.mailbox, mbox, sizeof(d->d.mailbox));
	strlcpy(d->d.epoch, EPOCH, sizeof(d->d.epoch));
	d->d.seen = N;
	fake_hash(d->d.seenhash, N, 0);
	d->d.time = NOW - 10;
	d->d.ndel = 1;
	assert_non_null(d->d.del = calloc(1, sizeof(*d->d.del)));
	d->d.del[0].seq = seq;
	memcpy(d->d.del[0].hash, hash, STMT_HASH_LEN);
}

static void
test_clean(void **state)
{
	struct fix *f = fixture();
	size_t i;

	(void)state;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_true(f->res.head_ok);
	assert_int_equal(f->res.ne, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(f->res.e[i].seq, i + 1);
		assert_int_equal(f->res.e[i].status, VST_OK);
		assert_true(f->res.e[i].authentic);
		assert_true(f->res.e[i].present);
		assert_int_equal(f->res.e[i].size, 100 + i + 1);
	}
	done(f);
}

static void
test_empty_mailbox(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->nrecs = f->nmsgs = 0;
	f->in.head.high = 0;
	fake_hash(f->in.head.highhash, 0, 0);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(f->res.ne, 0);
	done(f);
}

static void
test_missing_message(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 3);
	run(f);
	assert_one(f, VK_MISSING, 3);
	assert_int_equal(verify_entry(&f->res, 3)->status, VST_FINDING);
	assert_int_equal(verify_entry(&f->res, 4)->status, VST_OK);
	done(f);
}

static void
test_missing_message_and_record(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 3);
	remove_rec(f, 3);
	run(f);
	/* Records 1 and 2 are still proven, by their own signatures. */
	assert_one(f, VK_MISSING, 3);
	assert_true(verify_entry(&f->res, 2)->authentic);
	done(f);
}

static void
test_missing_record_below_gap_unsigned(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_rec(f, 3);
	f->badsig[2] = 1;
	run(f);
	assert_true(has_finding(f, VK_MISSING, 3));
	assert_true(has_finding(f, VK_FORGED, 2));
	assert_int_equal(f->res.nf, 2);
	done(f);
}

static void
test_modified(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->msgs[1].sha256[5] ^= 1;
	run(f);
	assert_one(f, VK_MODIFIED, 2);
	done(f);
}

static void
test_modified_size_only(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->msgs[1].hashed = 0;
	f->msgs[1].size++;
	run(f);
	assert_one(f, VK_MODIFIED, 2);
	done(f);
}

static void
test_replaced(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->msgs[4].size += 40;
	f->msgs[4].sha256[0] ^= 0xff;
	run(f);
	assert_one(f, VK_REPLACED, 5);
	done(f);
}

static void
test_forged_record(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->recs[3].hash[9] ^= 1;	/* its text was changed */
	f->recs[3].r.size = 1;
	f->badsig[4] = 1;
	run(f);
	assert_true(has_finding(f, VK_FORGED, 4));
	assert_false(has_finding(f, VK_FORGED, 3));
	done(f);
}

static void
test_record_wrong_mailbox_in_chain(void **state)
{
	struct fix *f = fixture();

	(void)state;
	strlcpy(f->recs[5].r.mailbox, "bob", sizeof(f->recs[5].r.mailbox));
	run(f);
	assert_true(has_finding(f, VK_FORGED, 6));
	done(f);
}

static void
test_added_message(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	run(f);
	assert_one(f, VK_ADDED, N + 1);
	done(f);
}

static void
test_added_from_other_mailbox(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_rec(&f->recs[f->nrecs++], "bob", N + 1);
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	run(f);
	assert_true(has_finding(f, VK_ADDED, N + 1));
	assert_false(has_finding(f, VK_MISSING, N + 1));
	done(f);
}

static void
test_newer_than_head(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_rec(&f->recs[f->nrecs++], MBOX, N + 1);
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(f->res.ne, N + 1);
	assert_int_equal(verify_entry(&f->res, N + 1)->status, VST_OK);
	done(f);
}

static void
test_newer_than_head_forged(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_rec(&f->recs[f->nrecs++], MBOX, N + 1);
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	f->badsig[N + 1] = 1;
	run(f);
	assert_true(has_finding(f, VK_FORGED, N + 1));
	assert_true(has_finding(f, VK_ADDED, N + 1));
	done(f);
}

static void
test_newer_than_head_fork(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_rec(&f->recs[f->nrecs++], MBOX, N + 1);
	f->recs[f->nrecs - 1].r.prev[3] ^= 1;
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	run(f);
	assert_true(has_finding(f, VK_FORK, N + 1));
	done(f);
}

static void
test_rollback(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->prior = f->in.head;
	f->prior.high = N + 2;
	f->prior.issued = NOW - 50;
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_ROLLBACK, N);
	assert_false(f->res.head_ok);
	done(f);
}

static void
test_rollback_issued(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->prior = f->in.head;
	f->prior.issued = f->in.head.issued + 1;
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_ROLLBACK, N);
	done(f);
}

static void
test_stale(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.now = f->in.head.expires + f->in.skew;
	run(f);
	assert_int_equal(f->res.nf, 0);	/* within the skew allowance */
	verify_result_free(&f->res);
	f->in.now++;
	run(f);
	assert_one(f, VK_STALE, N);
	assert_false(f->res.head_ok);
	/* Said in the unit a person reads, with the likely cause. */
	assert_non_null(strstr(f->res.f[0].detail, "minutes ago"));
	assert_non_null(strstr(f->res.f[0].detail, "head job may have "
	    "stopped"));
	verify_result_free(&f->res);
	f->in.now = f->in.head.expires + 5 * 3600;
	run(f);
	assert_non_null(strstr(f->res.f[0].detail, "expired 5 hours ago"));
	verify_result_free(&f->res);
	f->in.now = f->in.head.expires + 3 * 86400 + 7;
	run(f);
	assert_non_null(strstr(f->res.f[0].detail, "expired 3 days ago"));
	done(f);
}

static void
test_fork_same_high(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->prior = f->in.head;
	f->prior.highhash[4] ^= 1;
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_FORK, N);
	done(f);
}

static void
test_fork_history(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->prior = f->in.head;
	f->prior.high = 4;
	f->prior.issued = NOW - 1000 + 4;
	fake_hash(f->prior.highhash, 4, 1);
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_FORK, 4);
	verify_result_free(&f->res);
	fake_hash(f->prior.highhash, 4, 0);	/* the true history */
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_true(f->res.head_ok);
	done(f);
}

static void
test_epoch(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->prior = f->in.head;
	strlcpy(f->prior.epoch, "fedcba9876543210", sizeof(f->prior.epoch));
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_EPOCH, 0);
	done(f);
}

static void
test_unsigned_delete(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	f->notes[0].seq = 5;
	f->notes[0].parsed = 1;
	strlcpy(f->notes[0].n.mailbox, MBOX, sizeof(f->notes[0].n.mailbox));
	f->notes[0].n.seq = 5;
	f->nnotes = 1;
	run(f);
	assert_one(f, VK_UNSIGNED_DELETE, 5);
	done(f);
}

static void
test_signed_delete(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	add_delete(f, MBOX, 1, 5, f->recs[4].hash);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, 5)->status, VST_DELETED);
	done(f);
}

static void
test_untrusted_delete(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	add_delete(f, MBOX, 0, 5, f->recs[4].hash);
	run(f);
	assert_int_equal(f->res.nf, 2);
	assert_true(has_finding(f, VK_BAD_DELETE, 5));
	assert_true(has_finding(f, VK_MISSING, 5));
	done(f);
}

static void
test_replayed_delete(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	add_delete(f, "bob", 1, 5, f->recs[4].hash);
	f->dels[0].seq = 0;	/* however the server filed it */
	run(f);
	assert_true(has_finding(f, VK_BAD_DELETE, 5));
	assert_true(has_finding(f, VK_MISSING, 5));
	done(f);
}

static void
test_delete_wrong_hash(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	add_delete(f, MBOX, 1, 5, f->recs[3].hash);
	run(f);
	assert_true(has_finding(f, VK_BAD_DELETE, 5));
	assert_true(has_finding(f, VK_MISSING, 5));
	done(f);
}

static void
test_delete_reveals_rollback(void **state)
{
	struct fix *f = fixture();

	(void)state;
	add_delete(f, MBOX, 1, 5, f->recs[4].hash);
	f->dels[0].d.seen = N + 3;
	run(f);
	assert_one(f, VK_ROLLBACK, N);
	done(f);
}

static void
test_bad_head(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.head_state = VHEAD_BAD;
	run(f);
	assert_one(f, VK_FORGED, 0);
	assert_false(f->res.head_ok);
	verify_result_free(&f->res);
	f->in.head_state = VHEAD_NONE;
	run(f);
	assert_one(f, VK_FORGED, 0);
	verify_result_free(&f->res);
	f->in.head_state = VHEAD_OK;
	strlcpy(f->in.head.mailbox, "bob", sizeof(f->in.head.mailbox));
	run(f);
	assert_one(f, VK_FORGED, 0);
	done(f);
}

static void
test_no_head_yet(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.head_state = VHEAD_NONE;
	f->nrecs = f->nmsgs = 0;
	run(f);
	assert_int_equal(f->res.nf, 0);	/* never delivered to */
	assert_false(f->res.head_ok);
	verify_result_free(&f->res);
	make_msg(&f->msgs[f->nmsgs++], 1);
	run(f);
	assert_true(has_finding(f, VK_FORGED, 0));	/* mail but no head */
	assert_true(has_finding(f, VK_ADDED, 1));
	verify_result_free(&f->res);
	f->nmsgs = 0;
	f->prior = f->in.head;
	f->in.prior = &f->prior;
	run(f);
	assert_one(f, VK_FORGED, 0);	/* had a head before */
	done(f);
}

static void
test_unsorted_input(void **state)
{
	struct fix *f = fixture();
	struct vmsg m;

	(void)state;
	m = f->msgs[0];
	f->msgs[0] = f->msgs[1];
	f->msgs[1] = m;
	f->in.msgs = f->msgs;
	f->in.nmsgs = f->nmsgs;
	f->in.recs = f->recs;
	f->in.nrecs = f->nrecs;
	assert_int_equal(verify_run(&f->in, &f->res), VERIFY_ERR_ORDER);
	done(f);
}

static void
test_expired_low(void **state)
{
	struct fix *f = fixture();

	(void)state;
	/* Records below low are not served; their messages may linger. */
	f->in.head.low = 4;
	fake_hash(f->in.head.lowprev, 3, 0);
	remove_rec(f, 1);
	remove_rec(f, 2);
	remove_rec(f, 3);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(f->res.ne, N - 3);
	done(f);
}

/* A second record for seq at position pos of recs, signed, other hash. */
static void
insert_rec(struct fix *f, size_t pos, uint64_t seq)
{
	memmove(&f->recs[pos + 1], &f->recs[pos],
	    (f->nrecs - pos) * sizeof(f->recs[0]));
	f->nrecs++;
	make_rec(&f->recs[pos], MBOX, seq);
	f->recs[pos].r.size += 1;
	fake_hash(f->recs[pos].hash, seq, 9);
}

/* 10.5: two differently signed records for one seq, either order. */
static void
test_fork_two_records_any_order(void **state)
{
	struct fix *f = fixture();

	(void)state;
	insert_rec(f, 2, 3);		/* the other one first */
	run(f);
	assert_true(has_finding(f, VK_FORK, 3));
	verify_result_free(&f->res);
	f->recs[2] = f->recs[3];	/* the true one first */
	insert_rec(f, 3, 3);
	memmove(&f->recs[4], &f->recs[5], (f->nrecs - 5) * sizeof(f->recs[0]));
	f->nrecs--;
	run(f);
	assert_true(has_finding(f, VK_FORK, 3));
	done(f);
}

static void
test_fork_two_records_beyond_head(void **state)
{
	struct fix *f = fixture();
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		make_rec(&f->recs[f->nrecs], MBOX, N + 1);
		f->recs[f->nrecs].r.time = f->in.head.issued + 1;
		f->nrecs++;
	}
	fake_hash(f->recs[f->nrecs - 1 - (size_t)0].hash, N + 1, 9);
	run(f);
	assert_true(has_finding(f, VK_FORK, N + 1));
	verify_result_free(&f->res);
	fake_hash(f->recs[f->nrecs - 1].hash, N + 1, 0);
	fake_hash(f->recs[f->nrecs - 2].hash, N + 1, 9);
	run(f);
	assert_true(has_finding(f, VK_FORK, N + 1));
	done(f);
}

static void
test_fork_two_heads(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.head_fork = 1;
	run(f);
	assert_one(f, VK_FORK, N);
	assert_false(f->res.head_ok);
	done(f);
}

/* 10.6: the claim is exact on first use. */
static void
test_first_use(void **state)
{
	struct fix *f = fixture();

	(void)state;
	run(f);
	assert_true(f->res.first_use);
	verify_result_free(&f->res);
	f->prior = f->in.head;
	f->in.prior = &f->prior;
	run(f);
	assert_false(f->res.first_use);
	done(f);
}

static void
test_withheld(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->msgs[2].withheld = 1;
	f->msgs[2].hashed = 0;
	run(f);
	assert_one(f, VK_WITHHELD, 3);
	done(f);
}

/* 11: a record whose message is not stored yet is pending, for a while. */
static void
test_pending(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	remove_msg(f, N);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, N)->status, VST_PENDING);
	verify_result_free(&f->res);
	f->in.now = f->recs[N - 1].r.time + PFISH_PENDING_MAX + 1;
	f->in.head.expires = f->in.now + 10;
	run(f);
	assert_one(f, VK_MISSING, N);
	done(f);
}

/* A message this device fetched is never pending again. */
static void
test_pending_not_after_fetch(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	f->known[0].seq = N;
	memcpy(f->known[0].hash, f->recs[N - 1].hash, STMT_HASH_LEN);
	f->known[0].fetched = 1;
	f->nknown = 1;
	remove_msg(f, N);
	run(f);
	assert_one(f, VK_MISSING, N);
	done(f);
}

/*
 * 11.1: seq 1 signed, its delivery not at the store yet, while seq 2's
 * delivery installed a head covering both: neither record nor message,
 * and nothing proves seq 1 old.  In flight, not missing.
 */
static void
test_unrecorded_pending(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	remove_msg(f, 1);
	remove_rec(f, 1);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, 1)->status, VST_PENDING);
	assert_false(verify_entry(&f->res, 1)->authentic);
	done(f);
}

/* The same hole under an old later record: proven old, missing. */
static void
test_unrecorded_old_above(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	remove_msg(f, 4);
	remove_rec(f, 4);
	f->in.now = f->recs[3].r.time + PFISH_PENDING_MAX + 1;	/* seq 5 */
	f->in.head.issued = f->in.now;		/* re-signed just now */
	f->in.head.expires = f->in.now + 3600;
	run(f);
	assert_one(f, VK_MISSING, 4);
	done(f);
}

/* The newest seq gone with its record, under an old head: missing. */
static void
test_unrecorded_old_head(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	remove_msg(f, N);
	remove_rec(f, N);
	f->in.now = f->in.head.issued + PFISH_PENDING_MAX + 1;
	f->in.head.expires = f->in.now + 3600;
	run(f);
	assert_one(f, VK_MISSING, N);
	done(f);
}

/*
 * The newest seq with neither record nor message under a fresh head, on
 * first use: in flight.  The device accepts that head; once it is older
 * than the bound, the same absence is missing although the server now
 * serves a freshly re-signed head: the wait is bounded from first sight.
 */
static void
test_unrecorded_bounded_by_memory(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	remove_msg(f, N);
	remove_rec(f, N);
	f->in.now = f->recs[N - 2].r.time + PFISH_PENDING_MAX + 100;
	f->in.head.issued = f->in.now - 10;
	f->in.head.expires = f->in.now + 3600;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, N)->status, VST_PENDING);
	verify_result_free(&f->res);
	f->prior = f->in.head;
	f->in.prior = &f->prior;
	f->in.now += PFISH_PENDING_MAX;
	f->in.head.issued = f->in.now - 10;
	f->in.head.expires = f->in.now + 3600;
	run(f);
	assert_one(f, VK_MISSING, N);
	done(f);
}

/* A head this device accepted before did not cover it: signed since. */
static void
test_unrecorded_after_prior(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	f->prior = f->in.head;
	f->prior.high = N - 1;
	fake_hash(f->prior.highhash, N - 1, 0);
	f->in.prior = &f->prior;
	remove_msg(f, N);
	remove_rec(f, N);
	f->in.now = f->recs[N - 2].r.time + PFISH_PENDING_MAX + 100;
	f->prior.issued = f->in.now - 60;
	f->in.head.issued = f->in.now - 30;
	f->in.head.expires = f->in.now + 3600;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, N)->status, VST_PENDING);
	done(f);
}

/* A record this device authenticated, now gone with its message. */
static void
test_unrecorded_known(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	f->known[0].seq = 3;
	memcpy(f->known[0].hash, f->recs[2].hash, STMT_HASH_LEN);
	f->nknown = 1;
	remove_msg(f, 3);
	remove_rec(f, 3);
	run(f);
	assert_one(f, VK_MISSING, 3);
	done(f);
}

/* 11.3: records and no head yet: pending, not forged, for a while. */
static void
test_no_head_pending(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.pending_max = PFISH_PENDING_MAX;
	f->in.head_state = VHEAD_NONE;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_true(f->res.no_head_yet);
	assert_false(f->res.head_ok);
	assert_int_equal(f->res.ne, N);
	verify_result_free(&f->res);
	f->in.now = NOW + PFISH_PENDING_MAX;
	run(f);
	assert_one(f, VK_FORGED, 0);
	done(f);
}

/* INTERFACES 3: a void closes a seq whose delivery was abandoned. */
static void
test_void(void **state)
{
	struct fix *f = fixture();
	struct vvoid *v = &f->voids[0];

	(void)state;
	remove_msg(f, 5);
	remove_rec(f, 5);
	v->seq = 5;
	v->parsed = v->sig_ok = 1;
	strlcpy(v->v.mailbox, MBOX, sizeof(v->v.mailbox));
	strlcpy(v->v.epoch, EPOCH, sizeof(v->v.epoch));
	v->v.seq = 5;
	fake_hash(v->v.hash, 5, 0);
	f->nvoids = 1;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(verify_entry(&f->res, 5)->status, VST_VOID);
	verify_result_free(&f->res);
	v->sig_ok = 0;
	run(f);
	assert_true(has_finding(f, VK_MISSING, 5));
	done(f);
}

static void
remember_rec(struct fix *f, uint64_t seq, int salt)
{
	f->known[f->nknown].seq = seq;
	fake_hash(f->known[f->nknown].hash, seq, salt);
	f->nknown++;
}

/* 10.1: records the device authenticated beyond the served head. */
static void
test_memory_beyond_served_head(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remember_rec(f, N - 1, 0);
	remember_rec(f, N + 1, 0);
	remember_rec(f, N + 2, 0);
	f->known[1].fetched = f->known[2].fetched = 1;
	run(f);
	assert_one(f, VK_ROLLBACK, N + 2);
	done(f);
}

static void
test_memory_fork(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remember_rec(f, 3, 4);
	run(f);
	assert_one(f, VK_FORK, 3);
	done(f);
}

/* 10.2: a delete this device saw is undone. */
static void
test_resurrected(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->gone[0].seq = 2;
	fake_hash(f->gone[0].stmt, 2, 3);
	f->ngone = 1;
	run(f);			/* message back, delete gone */
	assert_one(f, VK_RESURRECTED, 2);
	verify_result_free(&f->res);
	remove_msg(f, 2);	/* delete gone, message still absent */
	run(f);
	assert_one(f, VK_RESURRECTED, 2);
	verify_result_free(&f->res);
	add_delete(f, MBOX, 1, 2, f->recs[1].hash);
	run(f);
	assert_int_equal(f->res.nf, 0);
	done(f);
}

/* 11.6: left the window before this device fetched it: said, not found. */
static void
test_expired_unread(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remember_rec(f, 1, 0);
	remember_rec(f, 2, 0);
	remember_rec(f, 3, 0);
	f->known[1].fetched = 1;
	f->gone[0].seq = 3;
	f->ngone = 1;
	f->in.head.low = 4;
	fake_hash(f->in.head.lowprev, 3, 0);
	remove_rec(f, 1);
	remove_rec(f, 2);
	remove_rec(f, 3);
	remove_msg(f, 1);
	remove_msg(f, 2);
	remove_msg(f, 3);
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_int_equal(f->res.nexpired, 1);
	assert_int_equal(f->res.expired[0], 1);
	done(f);
}

static void
test_unknown_file(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->odd[0] = "x.age";
	f->nodd = 1;
	run(f);
	assert_one(f, VK_UNKNOWN_FILE, 0);
	verify_result_free(&f->res);
	f->in.head_state = VHEAD_BAD;	/* reported even without a head */
	run(f);
	assert_true(has_finding(f, VK_UNKNOWN_FILE, 0));
	done(f);
}

/* The store's marks: the installed head, the epoch file. */
static void
test_store_marks(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->in.has_mark = 1;
	f->in.mark_high = N;
	f->in.mark_issued = f->in.head.issued;
	f->in.mark_epoch = EPOCH;
	run(f);
	assert_int_equal(f->res.nf, 0);
	assert_false(f->res.first_use);
	verify_result_free(&f->res);
	f->in.mark_high = N + 1;
	run(f);
	assert_one(f, VK_ROLLBACK, N);
	verify_result_free(&f->res);
	f->in.mark_high = N;
	f->in.mark_epoch = "fedcba9876543210";
	run(f);
	assert_one(f, VK_EPOCH, 0);
	verify_result_free(&f->res);
	f->in.mark_epoch = NULL;
	f->in.head_state = VHEAD_NONE;	/* head removed */
	run(f);
	assert_one(f, VK_FORGED, 0);
	done(f);
}

static void
test_head_omits_record(void **state)
{
	struct fix *f = fixture();

	(void)state;
	make_rec(&f->recs[f->nrecs++], MBOX, N + 1);
	make_msg(&f->msgs[f->nmsgs++], N + 1);
	f->recs[f->nrecs - 1].r.time = f->in.head.issued - 1;
	run(f);
	assert_one(f, VK_ROLLBACK, N + 1);
	done(f);
}

static void
test_replaced_names_seq(void **state)
{
	struct fix *f = fixture();

	(void)state;
	f->msgs[1] = f->msgs[2];
	f->msgs[1].seq = 2;
	f->msgs[1].age_header = 0;
	run(f);
	assert_one(f, VK_REPLACED, 2);
	assert_non_null(strstr(f->res.f[0].detail, "seq 3"));
	done(f);
}

static void
test_misfiled_delete(void **state)
{
	struct fix *f = fixture();

	(void)state;
	remove_msg(f, 5);
	add_delete(f, MBOX, 1, 5, f->recs[4].hash);
	f->dels[0].misfiled = 1;
	run(f);
	assert_true(has_finding(f, VK_BAD_DELETE, 5));
	assert_true(has_finding(f, VK_MISSING, 5));
	done(f);
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(verify_kind_name(VK_MISSING), "missing");
	assert_string_equal(verify_kind_name(VK_UNSIGNED_DELETE),
	    "unsigned-delete");
	assert_string_equal(verify_kind_name(VK_BAD_DELETE), "bad-delete");
	assert_string_equal(verify_kind_name(VK_STALE), "stale");
	assert_string_equal(verify_kind_name(VK_WITHHELD), "withheld");
	assert_string_equal(verify_kind_name(VK_DOWNGRADE), "downgrade");
	assert_string_equal(verify_kind_name(VK_UNKNOWN_FILE),
	    "unknown-file");
	assert_string_equal(verify_kind_name(VK_RESURRECTED), "resurrected");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_empty_mailbox),
		cmocka_unit_test(test_missing_message),
		cmocka_unit_test(test_missing_message_and_record),
		cmocka_unit_test(test_missing_record_below_gap_unsigned),
		cmocka_unit_test(test_modified),
		cmocka_unit_test(test_modified_size_only),
		cmocka_unit_test(test_replaced),
		cmocka_unit_test(test_forged_record),
		cmocka_unit_test(test_record_wrong_mailbox_in_chain),
		cmocka_unit_test(test_added_message),
		cmocka_unit_test(test_added_from_other_mailbox),
		cmocka_unit_test(test_newer_than_head),
		cmocka_unit_test(test_newer_than_head_forged),
		cmocka_unit_test(test_newer_than_head_fork),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_rollback_issued),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_fork_same_high),
		cmocka_unit_test(test_fork_history),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_unsigned_delete),
		cmocka_unit_test(test_signed_delete),
		cmocka_unit_test(test_untrusted_delete),
		cmocka_unit_test(test_replayed_delete),
		cmocka_unit_test(test_delete_wrong_hash),
		cmocka_unit_test(test_delete_reveals_rollback),
		cmocka_unit_test(test_bad_head),
		cmocka_unit_test(test_no_head_yet),
		cmocka_unit_test(test_unsorted_input),
		cmocka_unit_test(test_expired_low),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_fork_two_records_any_order),
		cmocka_unit_test(test_fork_two_records_beyond_head),
		cmocka_unit_test(test_fork_two_heads),
		cmocka_unit_test(test_first_use),
		cmocka_unit_test(test_withheld),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_pending_not_after_fetch),
		cmocka_unit_test(test_no_head_pending),
		cmocka_unit_test(test_unrecorded_pending),
		cmocka_unit_test(test_unrecorded_old_above),
		cmocka_unit_test(test_unrecorded_old_head),
		cmocka_unit_test(test_unrecorded_bounded_by_memory),
		cmocka_unit_test(test_unrecorded_after_prior),
		cmocka_unit_test(test_unrecorded_known),
		cmocka_unit_test(test_void),
		cmocka_unit_test(test_memory_beyond_served_head),
		cmocka_unit_test(test_memory_fork),
		cmocka_unit_test(test_resurrected),
		cmocka_unit_test(test_expired_unread),
		cmocka_unit_test(test_unknown_file),
		cmocka_unit_test(test_store_marks),
		cmocka_unit_test(test_head_omits_record),
		cmocka_unit_test(test_replaced_names_seq),
		cmocka_unit_test(test_misfiled_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
