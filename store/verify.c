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

/* verify.c: pfish-store verify: check a whole mailbox against the rules. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"
#include "trust.h"

/* What verify knows about one seq. */
struct vent {
	uint64_t	seq;
	int		has_age, has_rec, rec_ok, has_note, deleted;
	uint64_t	agesize;
	u_char		agesha[STMT_HASH_LEN];
	struct stmt_record rec;
	u_char		hash[STMT_HASH_LEN];
};

struct vstate {
	const struct store *s;
	struct mbdir	 m;
	const char	*name;
	struct vent	*v;
	size_t		 nv;
	size_t		 cap;		/* entries allocated at v */
	int		 findings;
	int		 have_head;
	struct stmt_head head;
	char		 epoch[STMT_EPOCH_LEN + 1];
	struct trust	*ak;		/* the user's authorized_keys */
	int		 ak_tried;
};

static void
finding(struct vstate *vs, uint64_t seq, const char *kind, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct vstate *vs, uint64_t seq, const char *kind, const char *fmt,
    ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);	/* truncation ok */
	va_end(ap);
	if (seq > 0)
		printf("%s: seq %llu: %s: %s\n", vs->name,
		    (unsigned long long)seq, kind, detail);
	else
		printf("%s: %s: %s\n", vs->name, kind, detail);
	vs->findings++;
}

static int
vent_cmp(const void *a, const void *b)
{
	const struct vent *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static struct vent *
vent_find(const struct vstate *vs, uint64_t seq)
{
	struct vent key = { .seq = seq };

	if (vs->nv == 0)
		return NULL;
	return bsearch(&key, vs->v, vs->nv, sizeof(*vs->v), vent_cmp);
}

/* Append; the scans may add one seq several times, vent_merge joins them. */
static struct vent *
vent_get(struct vstate *vs, uint64_t seq)
{
	struct vent *n;
	size_t cap;

	/* Grow by doubling: one entry per file, 100 000s of files. */
	if (vs->nv == vs->cap) {
		cap = vs->cap == 0 ? 256 : vs->cap * 2;
		if ((n = reallocarray(vs->v, cap, sizeof(*n))) == NULL)
			return NULL;
		vs->v = n;
		vs->cap = cap;
	}
	n = vs->v;
	memset(&n[vs->nv], 0, sizeof(*n));
	n[vs->nv].seq = seq;
	return &n[vs->nv++];
}

/* Sort by seq and fold entries of the same seq into one. */
static void
vent_merge(struct vstate *vs)
{
	struct vent *d, *e;
	size_t i, j;

	if (vs->nv == 0)
		return;
	qsort(vs->v, vs->nv, sizeof(*vs->v), vent_cmp);
	for (i = 1, j = 0; i < vs->nv; i++) {
		d = &vs->v[j];
		e = &vs->v[i];
		if (e->seq != d->seq) {
			vs->v[++j] = *e;
			continue;
		}
		if (e->has_age) {
			d->has_age = 1;
			d->agesize = e->agesize;
			memcpy(d->agesha, e->agesha, STMT_HASH_LEN);
		}
		d->has_rec |= e->has_rec;
		d->has_note |= e->has_note;
	}
	vs->nv = j + 1;
}

static int
is_dot(const char *n)
{
	return strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

/* sha256 and size of a message file. */
static int
hash_age(int dirfd, const char *name, uint64_t *size,
    u_char sha[STMT_HASH_LEN])
{
	crypto_hash_sha256_state hs;
	u_char chunk[65536];
	struct stat st;
	ssize_t r;
	int fd;

	*size = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	crypto_hash_sha256_init(&hs);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		crypto_hash_sha256_update(&hs, chunk, (size_t)r);
		*size += (uint64_t)r;
	}
	close(fd);
	crypto_hash_sha256_final(&hs, sha);
	return r == 0 ? 0 : -1;
}

/* The mailbox top: NNNNNNNNNNNN.age and .pfish, nothing else. */
static int
scan_top(struct vstate *vs)
{
	struct dirent *de;
	struct vent *e;
	uint64_t seq;
	DIR *d;

	if ((d = fs_dir_stream(vs->m.dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (is_dot(de->d_name) ||
		    strcmp(de->d_name, PFISH_STATE_DIR) == 0)
			continue;
		if (seq_from_name(de->d_name, PFISH_AGE_SUFFIX, &seq) != 0) {
			finding(vs, 0, "unknown-file", "%.100s", de->d_name);
			continue;
		}
		if ((e = vent_get(vs, seq)) == NULL)
			break;
		e->has_age = 1;
		if (hash_age(vs->m.dir, de->d_name, &e->agesize,
		    e->agesha) == -1)
			finding(vs, seq, "modified", "message unreadable or "
			    "not a regular file");
	}
	closedir(d);
	return de == NULL ? 0 : -1;
}

static int
scan_pfish(struct vstate *vs)
{
	static const char *known[] = { "records", "deletes", "notes", "tmp",
	    "head", "epoch", "headmark" };
	struct dirent *de;
	size_t i;
	DIR *d;

	if ((d = fs_dir_stream(vs->m.pf)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(de->d_name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			finding(vs, 0, "unknown-file", "%s/%.100s",
			    PFISH_STATE_DIR, de->d_name);
	}
	closedir(d);
	return 0;
}

/* records/ and notes/: SEQ<suffix> names only. */
static int
scan_seqdir(struct vstate *vs, int dirfd, const char *dirname,
    const char *suffix, int isrec)
{
	struct dirent *de;
	struct vent *e;
	uint64_t seq;
	DIR *d;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		if (seq_from_name(de->d_name, suffix, &seq) != 0) {
			finding(vs, 0, "unknown-file", "%s/%.100s", dirname,
			    de->d_name);
			continue;
		}
		if ((e = vent_get(vs, seq)) == NULL)
			break;
		if (isrec)
			e->has_rec = 1;
		else
			e->has_note = 1;
	}
	closedir(d);
	return de == NULL ? 0 : -1;
}

static void
load_records(struct vstate *vs)
{
	struct stored_record sr;
	size_t i;
	int r;

	for (i = 0; i < vs->nv; i++) {
		struct vent *e = &vs->v[i];

		if (!e->has_rec)
			continue;
		r = record_load(vs->s, &vs->m, e->seq, &sr);
		if (r == 0 && vs->epoch[0] != '\0' &&
		    strcmp(sr.rec.epoch, vs->epoch) != 0)
			finding(vs, e->seq, "forged", "record of epoch %s",
			    sr.rec.epoch);
		else if (r == 0) {
			e->rec_ok = 1;
			e->rec = sr.rec;
			memcpy(e->hash, sr.hash, STMT_HASH_LEN);
		} else if (r == STMT_ERR_FORMAT)
			finding(vs, e->seq, "forged", "record is not for this "
			    "mailbox and seq, or not canonical");
		else
			finding(vs, e->seq, "forged", "record: %s",
			    r == -1 ? strerror(errno) : stmt_strerror(r));
		record_free(&sr);
	}
}

static void
check_note(struct vstate *vs, struct vent *e)
{
	struct stmt_note n;
	u_char *data;
	char name[32];
	size_t len;

	if (seq_name(e->seq, STORE_NOTE_SUFFIX, name, sizeof(name)) != 0 ||
	    fs_read_file(vs->m.notes, name, 4096, &data, &len) == -1) {
		e->has_note = 0;
		return;
	}
	if (stmt_note_parse(data, len, &n) != 0 ||
	    strcmp(n.mailbox, vs->name) != 0 || n.seq != e->seq) {
		finding(vs, e->seq, "unknown-file", "%s/%s is not a note for "
		    "this mailbox and seq", PFISH_NOTES_DIR, name);
		e->has_note = 0;
	}
	free(data);
}

/* The name says N (first seq) and H (16 hex of the text's sha256). */
static int
delete_name_ok(const char *fname, const struct stmt_delete *d,
    const u_char *text, size_t tl)
{
	char want[64];

	return stmt_delete_filename(d, text, tl, want, sizeof(want)) == 0 &&
	    strcmp(want, fname) == 0;
}

/*
 * Delete keys: the trust file's pfish-delete-v1 keys, or else the keys in
 * the mailbox user's ~/.ssh/authorized_keys, which pfish-server accepts.
 */
static int
verify_delete(struct vstate *vs, const u_char *data, size_t len, size_t *tl)
{
	struct passwd *pw;
	char path[1024], errbuf[256];
	int r, n;

	r = stmt_verify_signed(data, len, STMT_DELETE, vs->s->trust,
	    vs->s->now, tl, NULL);
	if (r != STMT_ERR_UNTRUSTED)
		return r;
	if (!vs->ak_tried) {
		vs->ak_tried = 1;
		if ((pw = getpwnam(vs->name)) != NULL && pw->pw_dir != NULL &&
		    (n = snprintf(path, sizeof(path), "%s/.ssh/authorized_keys",
		    pw->pw_dir)) > 0 && (size_t)n < sizeof(path) &&
		    trust_load_authorized_keys(path, PFISH_NS_DELETE, NULL,
		    &vs->ak, errbuf, sizeof(errbuf)) != 0)
			vs->ak = NULL;
	}
	if (vs->ak == NULL)
		return r;
	return stmt_verify_signed(data, len, STMT_DELETE, vs->ak, vs->s->now,
	    tl, NULL);
}

static void
check_delete(struct vstate *vs, const char *fname)
{
	struct stmt_delete d;
	struct vent *e;
	u_char *data;
	size_t len, tl, i;
	int r;

	memset(&d, 0, sizeof(d));
	if (fs_read_file(vs->m.del, fname, STMT_SIGNED_MAX, &data, &len) == -1) {
		finding(vs, 0, "bad-delete", "%.100s: unreadable", fname);
		return;
	}
	if ((r = verify_delete(vs, data, len, &tl)) != 0 ||
	    (r = stmt_delete_parse(data, tl, &d)) != 0) {
		finding(vs, 0, "bad-delete", "%.100s: %s", fname,
		    stmt_strerror(r));
		goto out;
	}
	if (strcmp(d.mailbox, vs->name) != 0 ||
	    (vs->epoch[0] != '\0' && strcmp(d.epoch, vs->epoch) != 0)) {
		finding(vs, d.del[0].seq, "bad-delete", "%.100s: for mailbox "
		    "%s epoch %s", fname, d.mailbox, d.epoch);
		goto out;
	}
	if (!delete_name_ok(fname, &d, data, tl)) {
		finding(vs, d.del[0].seq, "bad-delete", "%.100s: file name "
		    "does not match the statement", fname);
		goto out;
	}
	for (i = 0; i < d.ndel; i++) {
		e = vent_find(vs, d.del[i].seq);
		if (e != NULL && e->rec_ok &&
		    memcmp(e->hash, d.del[i].hash, STMT_HASH_LEN) != 0) {
			finding(vs, d.del[i].seq, "bad-delete", "%.100s names "
			    "another record", fname);
			continue;
		}
		if (e != NULL)
			e->deleted = 1;
	}
 out:
	stmt_delete_clear(&d);
	free(data);
}

static int
scan_deletes(struct vstate *vs)
{
	struct dirent *de;
	DIR *d;

	if ((d = fs_dir_stream(vs->m.del)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		check_delete(vs, de->d_name);
	}
	closedir(d);
	return 0;
}

/* The installed head: signed, for us, current, not older than seen. */
static void
check_head(struct vstate *vs)
{
	u_char *data = NULL, *mark = NULL;
	unsigned long long mh, mi;
	size_t len, mlen;
	int r;

	if ((r = head_load(vs->s, &vs->m, &vs->head, &data, &len)) != 0) {
		if (r == -1 && errno == ENOENT && vs->nv == 0)
			return;	/* a fresh mailbox */
		finding(vs, 0, "bad-head", "%s", r == -1 ?
		    strerror(errno) : stmt_strerror(r));
		return;
	}
	free(data);
	vs->have_head = 1;
	if (vs->epoch[0] != '\0' && strcmp(vs->head.epoch, vs->epoch) != 0)
		finding(vs, 0, "bad-head", "epoch %s, mailbox has %s",
		    vs->head.epoch, vs->epoch);
	if (vs->epoch[0] == '\0')
		strlcpy(vs->epoch, vs->head.epoch, sizeof(vs->epoch));
	if (vs->head.expires <= vs->s->now)
		finding(vs, 0, "stale", "head expired at %llu",
		    (unsigned long long)vs->head.expires);
	if (fs_read_file(vs->m.dir, STORE_HEADMARK_FILE, 128, &mark,
	    &mlen) == 0) {
		if (sscanf((char *)mark, "high %llu issued %llu", &mh,
		    &mi) == 2 && (vs->head.high < mh || vs->head.issued < mi))
			finding(vs, 0, "rollback", "head high %llu issued %llu"
			    " is older than the installed high %llu issued "
			    "%llu", (unsigned long long)vs->head.high,
			    (unsigned long long)vs->head.issued, mh, mi);
		free(mark);
	}
}

/* One seq with a valid record: chain links, then its message. */
static void
check_record(struct vstate *vs, struct vent *e)
{
	struct vent *p = e->seq > 1 ? vent_find(vs, e->seq - 1) : NULL;
	const struct stmt_head *h = &vs->head;
	size_t i;

	if (p != NULL && p->rec_ok &&
	    memcmp(p->hash, e->rec.prev, STMT_HASH_LEN) != 0)
		finding(vs, e->seq, "chain", "prev is not the hash of seq %llu",
		    (unsigned long long)p->seq);
	if (vs->have_head && e->seq == h->low &&
	    memcmp(h->lowprev, e->rec.prev, STMT_HASH_LEN) != 0)
		finding(vs, e->seq, "fork", "prev differs from head lowprev");
	if (vs->have_head && e->seq == h->high &&
	    memcmp(h->highhash, e->hash, STMT_HASH_LEN) != 0)
		finding(vs, e->seq, "fork", "hash differs from head highhash");
	if (vs->have_head && e->seq > h->high && e->rec.time < h->issued)
		finding(vs, e->seq, "rollback", "head issued %llu omits this "
		    "record of %llu", (unsigned long long)h->issued,
		    (unsigned long long)e->rec.time);
	if (!e->has_age) {
		if (e->deleted || (vs->have_head && e->seq < h->low))
			return;
		if (e->has_note)
			finding(vs, e->seq, "unsigned-delete", "removed "
			    "without a signed delete");
		else
			finding(vs, e->seq, "missing", "message absent");
		return;
	}
	if (e->agesize == e->rec.size &&
	    memcmp(e->agesha, e->rec.sha256, STMT_HASH_LEN) == 0)
		return;
	for (i = 0; i < vs->nv; i++)
		if (vs->v[i].rec_ok && &vs->v[i] != e &&
		    memcmp(vs->v[i].rec.sha256, e->agesha,
		    STMT_HASH_LEN) == 0) {
			finding(vs, e->seq, "replaced", "holds the message "
			    "of seq %llu", (unsigned long long)vs->v[i].seq);
			return;
		}
	if (e->agesize != e->rec.size)
		finding(vs, e->seq, "replaced", "another message: %llu "
		    "bytes, record says %llu",
		    (unsigned long long)e->agesize,
		    (unsigned long long)e->rec.size);
	else
		finding(vs, e->seq, "modified", "sha256 differs from record");
}

/* Every seq from low (or the first record) to the newest one. */
static void
check_range(struct vstate *vs)
{
	struct vent *e;
	uint64_t lo, hi = 0, seq;
	size_t i;

	/* Without a head (already reported) the window is what is stored. */
	lo = vs->have_head ? vs->head.low : UINT64_MAX;
	if (vs->have_head)
		hi = vs->head.high;
	for (i = 0; i < vs->nv; i++) {
		if (!vs->v[i].rec_ok)
			continue;
		if (vs->v[i].seq > hi)
			hi = vs->v[i].seq;
		if (!vs->have_head && vs->v[i].seq < lo)
			lo = vs->v[i].seq;
	}
	for (i = 0; i < vs->nv; i++) {
		e = &vs->v[i];
		if (e->rec_ok)
			check_record(vs, e);
		else if (e->has_age)
			finding(vs, e->seq, "forged", "message without a "
			    "valid record");
	}
	for (seq = lo; seq <= hi; seq++) {
		e = vent_find(vs, seq);
		if (e == NULL)
			finding(vs, seq, "missing", "record and message "
			    "absent");
		else if (!e->has_rec && !e->has_age)
			finding(vs, seq, "missing", "record absent");
	}
}

static int
verify_one(struct store *s, const char *name)
{
	struct vstate vs;
	size_t i;
	int ret = PFISH_EXIT_ERROR;

	memset(&vs, 0, sizeof(vs));
	vs.s = s;
	vs.name = name;
	if (mbdir_open(s, name, &vs.m) == -1) {
		fprintf(stderr, "pfish-store: %s: %s\n", name,
		    strerror(errno));
		return PFISH_EXIT_ERROR;
	}
	if (read_epoch(&vs.m, vs.epoch) == -1 && errno != ENOENT)
		finding(&vs, 0, "unknown-file", "%s is not an epoch",
		    STORE_EPOCH_FILE);
	if (scan_top(&vs) == -1 || scan_pfish(&vs) == -1 ||
	    scan_seqdir(&vs, vs.m.rec, PFISH_RECORDS_DIR,
	    STORE_RECORD_SUFFIX, 1) == -1 ||
	    scan_seqdir(&vs, vs.m.notes, PFISH_NOTES_DIR,
	    STORE_NOTE_SUFFIX, 0) == -1) {
		fprintf(stderr, "pfish-store: %s: %s\n", name,
		    strerror(errno));
		goto out;
	}
	vent_merge(&vs);
	check_head(&vs);
	load_records(&vs);
	for (i = 0; i < vs.nv; i++)
		if (vs.v[i].has_note)
			check_note(&vs, &vs.v[i]);
	if (scan_deletes(&vs) == -1) {
		fprintf(stderr, "pfish-store: %s: deletes: %s\n", name,
		    strerror(errno));
		goto out;
	}
	check_range(&vs);
	ret = vs.findings > 0 ? PFISH_EXIT_TAMPER : PFISH_EXIT_OK;
 out:
	trust_free(vs.ak);
	free(vs.v);
	mbdir_close(&vs.m);
	return ret;
}

int
store_verify(struct store *s, int argc, char **argv)
{
	int i, r, ret = PFISH_EXIT_OK;

	if (argc == 0)
		return store_each_mailbox(s, verify_one);
	for (i = 0; i < argc; i++) {
		r = verify_one(s, argv[i]);
		if (r == PFISH_EXIT_ERROR || ret == PFISH_EXIT_OK)
			ret = r == PFISH_EXIT_ERROR ? r : (r > ret ? r : ret);
	}
	return ret;
}
