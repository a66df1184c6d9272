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
 * store-verify.c: pfish-store verify, an adapter to the one verification
 * engine (state/verdict.c): scan a mailbox on disk (messages, records,
 * deletes, notes, head, headmark, epoch), build the engine's input, and
 * print its findings.
 *
 * Exit status, whether mailboxes are named or all are checked: 0 when
 * every mailbox verified clean, 1 when any could not be verified (an
 * error wins: exit 3 then always means every mailbox was verified), else
 * 3 when there are findings.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "fsutil.h"
#include "hash.h"
#include "layout.h"
#include "pfish.h"
#include "sshsig.h"
#include "store.h"
#include "stmt.h"
#include "trust.h"
#include "verify.h"

/*
 * A record's signature as read, for the signature callback; the text is
 * not kept (stmt_record_sig_check re-encodes it from the parsed fields).
 */
struct raw {
	struct sshsig_parsed sig;
	int		 ok;		/* sig was readable */
};

struct sv {
	const struct store *s;
	struct mbdir	 m;
	const char	*name;
	struct vrec	*recs;
	struct raw	*raws;		/* parallel to recs until sorted */
	size_t		 nrecs, crecs;
	struct vmsg	*msgs;
	size_t		 nmsgs, cmsgs;
	struct vdel	*dels;
	size_t		 ndels, cdels;
	struct vnote	*notes;
	size_t		 nnotes, cnotes;
	struct vvoid	*voids;
	size_t		 nvoids, cvoids;
	char		**odd;
	size_t		 nodd, codd;
	char		 epoch[STMT_EPOCH_LEN + 1];
	struct trust	*ak;		/* the user's authorized_keys */
	int		 ak_tried;
	struct trust	*acct;		/* the pinned account's delete keys */
	int		 acct_tried;
	int		 err;
};

/*
 * Room for one more element of an array of size sz.  The new room is not
 * cleared (pages never touched cost no memory); callers clear the element
 * they take.
 */
static int
grow(void *pp, size_t *n, size_t *cap, size_t sz)
{
	void **p = pp, *np;
	size_t nc;

	if (*n < *cap)
		return 0;
	nc = *cap == 0 ? 64 : *cap * 2;
	if ((np = reallocarray(*p, nc, sz)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static void
add_odd(struct sv *v, const char *dir, const char *name)
{
	char buf[160];

	(void)snprintf(buf, sizeof(buf), "%s%s%.100s", dir ? dir : "",
	    dir ? "/" : "", name);
	if (grow(&v->odd, &v->nodd, &v->codd, sizeof(*v->odd)) != 0 ||
	    (v->odd[v->nodd] = strdup(buf)) == NULL) {
		v->err = ENOMEM;
		return;
	}
	v->nodd++;
}

static int
is_dot(const char *n)
{
	return strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

/* Size, sha256 and age header of a message file. */
static int
hash_age(int dirfd, const char *name, struct vmsg *m)
{
	struct hash_sha256 hs;
	u_char chunk[65536];
	size_t want = sizeof(AGE_VERSION_LINE), got = 0;
	char head[sizeof(AGE_VERSION_LINE)];
	struct stat st;
	ssize_t r;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	hash_sha256_init(&hs);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		if (got < want) {
			memcpy(head + got, chunk, (size_t)r < want - got ?
			    (size_t)r : want - got);
			got += (size_t)r < want - got ? (size_t)r : want - got;
		}
		hash_sha256_update(&hs, chunk, (size_t)r);
		m->size += (uint64_t)r;
	}
	close(fd);
	hash_sha256_final(&hs, m->sha256);
	m->has_size = m->hashed = r == 0;
	m->age_header = got == want &&
	    memcmp(head, AGE_VERSION_LINE "\n", want) == 0;
	return r == 0 ? 0 : -1;
}

/* The mailbox top: NNNNNNNNNNNN.age and .pfish, nothing else. */
static int
scan_top(struct sv *v)
{
	struct dirent *de;
	struct vmsg *m;
	uint64_t seq;
	DIR *d;

	if ((d = fs_dir_stream(v->m.dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && v->err == 0) {
		if (is_dot(de->d_name) ||
		    strcmp(de->d_name, PFISH_STATE_DIR) == 0)
			continue;
		if (layout_seq_parse(de->d_name, PFISH_AGE_SUFFIX, &seq) != 0) {
			add_odd(v, NULL, de->d_name);
			continue;
		}
		if (grow(&v->msgs, &v->nmsgs, &v->cmsgs, sizeof(*m)) != 0) {
			v->err = ENOMEM;
			break;
		}
		m = &v->msgs[v->nmsgs++];
		memset(m, 0, sizeof(*m));
		m->seq = seq;
		/* Not a readable regular file: nobody can be served it. */
		if (hash_age(v->m.dir, de->d_name, m) == -1)
			m->withheld = 1;
	}
	closedir(d);
	return v->err == 0 ? 0 : -1;
}

static int
scan_pfish(struct sv *v)
{
	static const char *known[] = { PFISH_RECORDS, PFISH_DELETES, PFISH_NOTES,
	    PFISH_TMP, PFISH_VOIDS, PFISH_HEAD, PFISH_EPOCH, PFISH_HEADMARK,
	    PFISH_ACCOUNT };
	struct dirent *de;
	size_t i;
	DIR *d;

	if ((d = fs_dir_stream(v->m.pf)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(de->d_name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			add_odd(v, PFISH_STATE_DIR, de->d_name);
	}
	closedir(d);
	return v->err == 0 ? 0 : -1;
}

static void
load_record(struct sv *v, const char *fname, uint64_t seq)
{
	struct vrec *r;
	struct raw *w;
	u_char *data = NULL;
	size_t len;

	if (grow(&v->recs, &v->nrecs, &v->crecs, sizeof(*r)) != 0) {
		v->err = ENOMEM;
		return;
	}
	if ((w = reallocarray(v->raws, v->crecs, sizeof(*w))) == NULL) {
		v->err = ENOMEM;
		return;
	}
	v->raws = w;
	w = &v->raws[v->nrecs];
	memset(w, 0, sizeof(*w));
	r = &v->recs[v->nrecs++];
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	if (fs_read_file(v->m.rec, fname, STMT_SIGNED_MAX, &data, &len) == -1)
		return;
	r->parsed = stmt_record_keep(data, len, &r->r, r->hash, &w->sig,
	    &w->ok) == 0;
	free(data);
}

static void
load_note(struct sv *v, const char *fname, uint64_t seq)
{
	struct vnote *n;
	u_char *data;
	size_t len;

	if (fs_read_file(v->m.notes, fname, 4096, &data, &len) == -1) {
		add_odd(v, PFISH_NOTES_DIR, fname);
		return;
	}
	if (grow(&v->notes, &v->nnotes, &v->cnotes, sizeof(*n)) != 0) {
		v->err = ENOMEM;
		free(data);
		return;
	}
	n = &v->notes[v->nnotes];
	memset(n, 0, sizeof(*n));
	n->seq = seq;
	if (stmt_note_parse(data, len, &n->n) == 0 &&
	    strcmp(n->n.mailbox, v->name) == 0 && n->n.seq == seq) {
		n->parsed = 1;
		v->nnotes++;
	} else
		add_odd(v, PFISH_NOTES_DIR, fname);
	free(data);
}

/* A void: parsed, and signed by a key the trust file trusts for it. */
static void
load_void(struct sv *v, int dirfd, const char *fname, uint64_t seq)
{
	struct vvoid *vd;
	u_char *data;
	size_t len, tl;

	if (fs_read_file(dirfd, fname, STMT_SIGNED_MAX, &data, &len) == -1) {
		add_odd(v, PFISH_VOIDS_DIR, fname);
		return;
	}
	if (grow(&v->voids, &v->nvoids, &v->cvoids, sizeof(*vd)) != 0) {
		v->err = ENOMEM;
		free(data);
		return;
	}
	vd = &v->voids[v->nvoids++];
	memset(vd, 0, sizeof(*vd));
	vd->seq = seq;
	if (store_void_check(v->s, v->name, data, len, &vd->v) == 0)
		vd->parsed = vd->sig_ok = 1;
	else if (stmt_split_signed(data, len, &tl) == 0 &&
	    stmt_void_parse(data, tl, &vd->v) == 0)
		vd->parsed = 1;
	free(data);
}

/* voids/, which mailboxes from before voids do not have. */
static int
scan_voids(struct sv *v)
{
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int fd;

	if ((fd = fs_open_dir(v->m.dir, PFISH_VOIDS_DIR)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((d = fs_dir_stream(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && v->err == 0) {
		if (is_dot(de->d_name))
			continue;
		if (layout_seq_parse(de->d_name, PFISH_VOID_SUFFIX, &seq) != 0)
			add_odd(v, PFISH_VOIDS_DIR, de->d_name);
		else
			load_void(v, fd, de->d_name, seq);
	}
	closedir(d);
	close(fd);
	return v->err == 0 ? 0 : -1;
}

/* records/ and notes/: SEQ<suffix> names only. */
static int
scan_seqdir(struct sv *v, int dirfd, const char *dirname, const char *suffix)
{
	struct dirent *de;
	uint64_t seq;
	DIR *d;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && v->err == 0) {
		if (is_dot(de->d_name))
			continue;
		if (layout_seq_parse(de->d_name, suffix, &seq) != 0)
			add_odd(v, dirname, de->d_name);
		else if (dirfd == v->m.rec)
			load_record(v, de->d_name, seq);
		else
			load_note(v, de->d_name, seq);
	}
	closedir(d);
	return v->err == 0 ? 0 : -1;
}

/*
 * Delete keys: the trust file's pfish-delete-v1 keys, the delete keys of the mailbox's account chain when the trust
 * file pins it (store-acctkeys.c), or else (unless no_ak) the keys in the
 * mailbox user's ~/.ssh/authorized_keys, which pfish-server accepts.
 */
static int
verify_delete(struct sv *v, const u_char *data, size_t len, size_t *tl,
    u_char pk[SSHKEY_ED25519_PK])
{
	struct passwd *pw;
	char path[1024], errbuf[256];
	int r, n;

	r = stmt_verify_signed(data, len, STMT_DELETE, v->s->trust,
	    v->s->now, tl, pk);
	if (r != STMT_ERR_UNTRUSTED)
		return r;
	/* The account chain's delete keys, when the trust file pins it. */
	if (!v->acct_tried) {
		v->acct_tried = 1;
		v->acct = store_account_trust(v->s, v->m.dir, v->name);
	}
	if (v->acct != NULL && (r = stmt_verify_signed(data, len,
	    STMT_DELETE, v->acct, v->s->now, tl, pk)) != STMT_ERR_UNTRUSTED)
		return r;
	if (v->s->no_ak)
		return r;
	if (!v->ak_tried) {
		v->ak_tried = 1;
		if ((pw = getpwnam(v->name)) != NULL && pw->pw_dir != NULL &&
		    (n = snprintf(path, sizeof(path), "%s/.ssh/authorized_keys",
		    pw->pw_dir)) > 0 && (size_t)n < sizeof(path) &&
		    trust_load_authorized_keys(path, PFISH_NS_DELETE, NULL,
		    &v->ak, errbuf, sizeof(errbuf)) != 0)
			v->ak = NULL;
	}
	if (v->ak == NULL)
		return r;
	return stmt_verify_signed(data, len, STMT_DELETE, v->ak, v->s->now,
	    tl, pk);
}

static void
load_delete(struct sv *v, const char *fname)
{
	u_char pk[SSHKEY_ED25519_PK], *data = NULL;
	char want[64];
	struct vdel *d;
	size_t len, tl;
	int sig;

	if (grow(&v->dels, &v->ndels, &v->cdels, sizeof(*d)) != 0) {
		v->err = ENOMEM;
		return;
	}
	d = &v->dels[v->ndels++];
	memset(d, 0, sizeof(*d));
	if (fs_read_file(v->m.del, fname, STMT_SIGNED_MAX, &data, &len) == -1)
		return;		/* unreadable: reported as malformed */
	sig = verify_delete(v, data, len, &tl, pk);
	if ((sig != 0 && stmt_split_signed(data, len, &tl) != 0) ||
	    stmt_delete_parse(data, tl, &d->d) != 0)
		goto out;
	d->parsed = 1;
	d->seq = d->d.del[0].seq;
	d->sig_ok = sig == 0 && stmt_key_matches(d->d.key, pk);
	stmt_hash(data, tl, d->hash);
	d->misfiled = stmt_delete_filename(&d->d, data, tl, want,
	    sizeof(want)) != 0 || strcmp(want, fname) != 0;
 out:
	free(data);
}

static int
scan_deletes(struct sv *v)
{
	struct dirent *de;
	DIR *d;

	if ((d = fs_dir_stream(v->m.del)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && v->err == 0)
		if (!is_dot(de->d_name))
			load_delete(v, de->d_name);
	closedir(d);
	return v->err == 0 ? 0 : -1;
}

static int
rec_sig(void *arg, const struct vrec *rec)
{
	struct sv *v = arg;
	const struct raw *w = rec->ctx;

	if (!rec->parsed || !w->ok)
		return -1;
	return stmt_record_sig_check(&rec->r, rec->hash, &w->sig,
	    v->s->trust, v->s->now) == 0 ? 0 : -1;
}

static int
cmp_vrec(const void *a, const void *b)
{
	const struct vrec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
cmp_vmsg(const void *a, const void *b)
{
	const struct vmsg *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The installed head and the marks the store keeps beside it. */
static int
load_head(struct sv *v, struct vinput *in)
{
	u_char pk[SSHKEY_ED25519_PK], *data = NULL, *mark = NULL;
	unsigned long long mh, mi;
	size_t len, mlen, tl;
	int r;

	in->head_state = VHEAD_NONE;
	if (fs_read_file(v->m.dir, PFISH_HEAD_FILE, STMT_SIGNED_MAX, &data,
	    &len) == 0) {
		r = stmt_verify_signed(data, len, STMT_HEAD, v->s->trust,
		    v->s->now, &tl, pk);
		if (r == STMT_ERR_UNTRUSTED) {
			fprintf(stderr, "pfish-store: %s: head signed by a key "
			    "which %s does not list for %s\n", v->name,
			    v->s->trustpath, PFISH_NS_HEAD);
			free(data);
			return -1;
		}
		in->head_state = r == 0 && stmt_head_parse(data, tl,
		    &in->head) == 0 && stmt_key_matches(in->head.key, pk) ?
		    VHEAD_OK : VHEAD_BAD;
		free(data);
	} else if (errno != ENOENT)
		in->head_state = VHEAD_BAD;
	if (fs_read_file(v->m.dir, PFISH_HEADMARK_FILE, 128, &mark,
	    &mlen) == 0) {
		if (sscanf((char *)mark, "high %llu issued %llu", &mh,
		    &mi) == 2) {
			in->has_mark = 1;
			in->mark_high = mh;
			in->mark_issued = mi;
		} else
			add_odd(v, NULL, PFISH_HEADMARK_FILE);
		free(mark);
	}
	if (layout_epoch_read(v->m.pf, v->epoch) == 0)
		in->mark_epoch = v->epoch;
	else if (errno != ENOENT)
		add_odd(v, NULL, PFISH_EPOCH_FILE " (not an epoch)");
	return 0;
}

static int
scan(struct sv *v)
{
	struct vrec *r;
	size_t i;

	if (scan_top(v) == -1 || scan_pfish(v) == -1 ||
	    scan_seqdir(v, v->m.rec, PFISH_RECORDS_DIR,
	    PFISH_REC_SUFFIX) == -1 ||
	    scan_seqdir(v, v->m.notes, PFISH_NOTES_DIR,
	    PFISH_NOTE_SUFFIX) == -1 || scan_deletes(v) == -1 ||
	    scan_voids(v) == -1)
		return -1;
	/* The signature callback finds the file through ctx. */
	for (i = 0; i < v->nrecs; i++)
		v->recs[i].ctx = &v->raws[i];
	if (v->nrecs > 1)
		qsort(v->recs, v->nrecs, sizeof(*r), cmp_vrec);
	if (v->nmsgs > 1)
		qsort(v->msgs, v->nmsgs, sizeof(*v->msgs), cmp_vmsg);
	return 0;
}

void
store_print_findings(FILE *out, const char *prefix, const char *name,
    const struct vresult *res)
{
	const struct vfinding *f;
	size_t i;

	for (i = 0; i < res->nf; i++) {
		f = &res->f[i];
		if (f->seq > 0)
			fprintf(out, "%s%s: seq %llu: %s: %s\n", prefix, name,
			    (unsigned long long)f->seq,
			    verify_kind_name(f->kind), f->detail);
		else
			fprintf(out, "%s%s: %s: %s\n", prefix, name,
			    verify_kind_name(f->kind), f->detail);
	}
}

/* Seqs in flight are said on standard error: they are not findings. */
void
store_print_pending(const char *name, const struct vresult *res)
{
	size_t i;

	for (i = 0; i < res->ne; i++)
		if (res->e[i].status == VST_PENDING)
			fprintf(stderr, "pfish-store: %s: seq %llu: pending: "
			    "signed, not stored yet (a delivery in flight or "
			    "to be retried; missing after %d hours)\n", name,
			    (unsigned long long)res->e[i].seq,
			    PFISH_PENDING_MAX / 3600);
}

static void
sv_free(struct sv *v)
{
	size_t i;

	for (i = 0; i < v->ndels; i++)
		stmt_delete_clear(&v->dels[i].d);
	for (i = 0; i < v->nodd; i++)
		free(v->odd[i]);
	free(v->recs);
	free(v->raws);
	free(v->msgs);
	free(v->dels);
	free(v->notes);
	free(v->voids);
	free(v->odd);
	trust_free(v->ak);
	trust_free(v->acct);
	mbdir_close(&v->m);
}

int
store_verify_run(const struct store *s, const char *name,
    struct vresult *res)
{
	struct vinput in;
	struct sv v;
	int r, ret = -1;

	memset(&v, 0, sizeof(v));
	memset(&in, 0, sizeof(in));
	v.s = s;
	v.name = name;
	memset(res, 0, sizeof(*res));
	if (mbdir_open(s, name, &v.m) == -1) {
		fprintf(stderr, "pfish-store: %s: %s\n", name,
		    strerror(errno));
		return -1;
	}
	if (scan(&v) == -1) {
		fprintf(stderr, "pfish-store: %s: %s\n", name,
		    strerror(v.err ? v.err : errno));
		goto out;
	}
	if (load_head(&v, &in) != 0)
		goto out;
	in.mailbox = name;
	in.now = s->now;
	/*
	 * A record and its message arrive in one accept, so a record
	 * without its message is never in flight here; a seq with neither
	 * is, when a later delivery's head covers it before its own
	 * delivery (retried by the mail system) arrives.
	 */
	in.pending_max = PFISH_PENDING_MAX;
	in.unrecorded_only = 1;
	in.recs = v.recs;
	in.nrecs = v.nrecs;
	in.msgs = v.msgs;
	in.nmsgs = v.nmsgs;
	in.dels = v.dels;
	in.ndels = v.ndels;
	in.notes = v.notes;
	in.nnotes = v.nnotes;
	in.odd = (const char *const *)v.odd;
	in.nodd = v.nodd;
	in.rec_sig = rec_sig;
	in.arg = &v;
	in.voids = v.voids;
	in.nvoids = v.nvoids;
	if ((r = verify_run(&in, res)) != 0) {
		fprintf(stderr, "pfish-store: %s: verification failed (%d)\n",
		    name, r);
		goto out;
	}
	ret = 0;
 out:
	sv_free(&v);
	return ret;
}

static int
verify_one(struct store *s, const char *name)
{
	struct vresult res;
	int ret;

	if (store_verify_run(s, name, &res) != 0)
		return PFISH_EXIT_ERROR;
	store_print_findings(stdout, "", name, &res);
	store_print_pending(name, &res);
	ret = res.nf > 0 ? PFISH_EXIT_TAMPER : PFISH_EXIT_OK;
	verify_result_free(&res);
	return ret;
}

/* One rule for every form: an error wins, then findings, then clean. */
static void
combine(int *acc, int r)
{
	if (r == PFISH_EXIT_ERROR || *acc == PFISH_EXIT_ERROR)
		*acc = PFISH_EXIT_ERROR;
	else if (r == PFISH_EXIT_TAMPER)
		*acc = PFISH_EXIT_TAMPER;
}

static int
verify_each(struct store *s, const char *name, void *arg)
{
	combine(arg, verify_one(s, name));
	return 0;
}

int
store_verify(struct store *s, int argc, char **argv)
{
	int i, ret = PFISH_EXIT_OK;

	if (argc == 0) {
		if (store_each_mailbox(s, verify_each, &ret) != 0)
			return PFISH_EXIT_ERROR;
		return ret;
	}
	for (i = 0; i < argc; i++)
		combine(&ret, verify_one(s, argv[i]));
	return ret;
}
