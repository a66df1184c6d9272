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

/* pfishstore.c: pfish-store init, accept, head and expire. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "sshcmd.h"
#include "sshsig.h"
#include "store.h"
#include "sandbox.h"
#include "stmt.h"
#include "trust.h"

#define END_LINE	"\n" SSHSIG_END "\n"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pfish-store [-r root] [-T trustfile] init mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] accept mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] head mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] expire "
	    "[mailbox ...]\n"
	    "       pfish-store [-r root] [-T trustfile] verify "
	    "[mailbox ...]\n");
}

/* errno of a failed write: full disk and I/O are worth a retry. */
static int
io_exit(void)
{
	return STORE_EX_TEMPFAIL;
}

static int
make_dir(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	int fd, ret = -1;

	if (mkdirat(dirfd, name, PFISH_DIR_MODE) == -1 && errno != EEXIST) {
		warn("mkdir %s", name);
		return -1;
	}
	/* Change what we opened without following links, not a path. */
	if ((fd = fs_open_dir(dirfd, name)) == -1) {
		warn("%s", name);
		return -1;
	}
	if (uid != (uid_t)-1 && fchown(fd, uid, gid) == -1) {
		warn("chown %s", name);
		goto out;
	}
	/* After chown (which clears setgid) and whatever the umask was. */
	if (fchmod(fd, PFISH_DIR_MODE) == -1) {
		warn("chmod %s", name);
		goto out;
	}
	ret = 0;
 out:
	close(fd);
	return ret;
}

/* Owner: the user of that name when run as root; group pfish if any. */
static void
init_owner(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0 || (pw = getpwnam(name)) == NULL)
		return;
	*uid = pw->pw_uid;
	*gid = (gr = getgrnam("pfish")) != NULL ? gr->gr_gid : pw->pw_gid;
}

static int
cmd_init(struct store *s, const char *name)
{
	static const char *sub[] = { PFISH_STATE_DIR, PFISH_RECORDS_DIR,
	    PFISH_DELETES_DIR, PFISH_NOTES_DIR, PFISH_TMP_DIR };
	uid_t uid;
	gid_t gid;
	size_t i;
	int dfd, ret = 1;

	if (!stmt_valid_mailbox(name)) {
		warnx("init: bad mailbox name");
		return STORE_EX_DATAERR;
	}
	init_owner(name, &uid, &gid);
	if (make_dir(s->rootfd, name, uid, gid) != 0)
		return 1;
	if ((dfd = fs_open_dir(s->rootfd, name)) == -1) {
		warn("%s", name);
		return 1;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (make_dir(dfd, sub[i], uid, gid) != 0)
			goto out;
	if (fs_fsync_dir(dfd) == -1 || fs_fsync_dir(s->rootfd) == -1) {
		warn("fsync");
		goto out;
	}
	ret = 0;
 out:
	close(dfd);
	return ret;
}

/*
 * Read one signed statement from fd: up to and including the END line.
 * Whatever was read beyond it stays in rest (the start of the .age).
 */
static int
read_signed(int fd, struct buf *stmt, struct buf *rest)
{
	u_char chunk[4096];
	const u_char *p, *e;
	size_t n, el = sizeof(END_LINE) - 1;
	ssize_t r;

	for (;;) {
		n = buf_len(stmt);
		p = n > 0 ? buf_ptr(stmt) : NULL;
		e = n >= el ? memmem(p, n, END_LINE, el) : NULL;
		if (e != NULL) {
			n = (size_t)(e - p) + el;
			if (buf_put(rest, p + n, buf_len(stmt) - n) != 0)
				return -1;
			return buf_consume_end(stmt, buf_len(stmt) - n);
		}
		if (n >= STORE_SIGNED_IN_MAX)
			return -1;
		r = read(fd, chunk, STORE_SIGNED_IN_MAX - n < sizeof(chunk) ?
		    STORE_SIGNED_IN_MAX - n : sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || buf_put(stmt, chunk, (size_t)r) != 0)
			return -1;
	}
}

/* Drain fd to EOF (so a pipe writer never sees EPIPE for a duplicate). */
static void
drain(int fd)
{
	u_char chunk[65536];
	ssize_t r;

	while ((r = read(fd, chunk, sizeof(chunk))) != 0)
		if (r == -1 && errno != EINTR)
			break;
}

/*
 * Copy in (prefix first) to a new temp file, hashing as we go and never
 * taking more than want bytes.  The caller commits or removes the file.
 */
static int
stream_age(int in, const struct buf *prefix, const struct mbdir *m,
    uint64_t want, char *tmpname, size_t tmplen, int *fdp,
    u_char sha[STMT_HASH_LEN])
{
	crypto_hash_sha256_state hs;
	u_char chunk[65536];
	uint64_t size = 0;
	ssize_t r;
	int fd;

	*fdp = -1;
	if ((fd = fs_tmp_create(m->tmp, PFISH_FILE_MODE, tmpname,
	    tmplen)) == -1) {
		warn("temp file");
		return io_exit();
	}
	*fdp = fd;
	crypto_hash_sha256_init(&hs);
	if (buf_len(prefix) > want) {
		warnx("accept: message longer than its record says");
		return STORE_EX_DATAERR;
	}
	if (buf_len(prefix) > 0) {
		crypto_hash_sha256_update(&hs, buf_ptr(prefix),
		    buf_len(prefix));
		if (fs_write_all(fd, buf_ptr(prefix), buf_len(prefix)) == -1)
			goto ioerr;
	}
	size = buf_len(prefix);
	for (;;) {
		if ((r = read(in, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			goto ioerr;
		}
		if (r == 0)
			break;
		if ((uint64_t)r > want - size) {
			warnx("accept: message longer than its record says");
			return STORE_EX_DATAERR;
		}
		crypto_hash_sha256_update(&hs, chunk, (size_t)r);
		if (fs_write_all(fd, chunk, (size_t)r) == -1)
			goto ioerr;
		size += (uint64_t)r;
	}
	crypto_hash_sha256_final(&hs, sha);
	if (size != want) {
		warnx("accept: message is %llu bytes, record says %llu",
		    (unsigned long long)size, (unsigned long long)want);
		return STORE_EX_DATAERR;
	}
	return 0;
 ioerr:
	warn("accept: writing message");
	return io_exit();
}

/* 1 when NNN.age exists with exactly this size and sha256. */
static int
age_matches(const struct mbdir *m, const struct stmt_record *rec)
{
	crypto_hash_sha256_state hs;
	u_char chunk[65536], sha[STMT_HASH_LEN];
	char name[32];
	struct stat st;
	ssize_t r;
	int fd, ok = 0;

	if (layout_seq_name(rec->seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0 ||
	    (fd = openat(m->dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != rec->size)
		goto out;
	crypto_hash_sha256_init(&hs);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		crypto_hash_sha256_update(&hs, chunk, (size_t)r);
	if (r != 0)
		goto out;
	crypto_hash_sha256_final(&hs, sha);
	ok = memcmp(sha, rec->sha256, STMT_HASH_LEN) == 0;
 out:
	close(fd);
	return ok;
}

/*
 * Records may arrive out of order (parallel deliveries) and one may be
 * lost between signer and store; so check the chain links we can see.
 */
static int
check_links(const struct store *s, const struct mbdir *m,
    const struct stmt_record *rec, const u_char hash[STMT_HASH_LEN])
{
	struct stored_record nb;
	int r, ret = 0;

	memset(&nb, 0, sizeof(nb));
	if (rec->seq > 1 && (r = store_record_load(s, m, rec->seq - 1, &nb)) == 0) {
		if (memcmp(nb.hash, rec->prev, STMT_HASH_LEN) != 0) {
			warnx("accept: seq %llu does not chain to seq %llu",
			    (unsigned long long)rec->seq,
			    (unsigned long long)rec->seq - 1);
			ret = STORE_EX_DATAERR;
		}
	}
	store_record_free(&nb);
	if (ret == 0 && (r = store_record_load(s, m, rec->seq + 1, &nb)) == 0) {
		if (memcmp(nb.rec.prev, hash, STMT_HASH_LEN) != 0) {
			warnx("accept: seq %llu does not chain to seq %llu",
			    (unsigned long long)rec->seq + 1,
			    (unsigned long long)rec->seq);
			ret = STORE_EX_DATAERR;
		}
	}
	store_record_free(&nb);
	return ret;
}

/* Verify the signed record on its own: signature, trust, fields. */
static int
accept_record(const struct store *s, const char *name, const struct buf *b,
    struct stmt_record *rec, size_t *textlen)
{
	u_char pk[SSHKEY_ED25519_PK];
	int r;

	if ((r = stmt_verify_signed(buf_ptr(b), buf_len(b), STMT_RECORD,
	    s->trust, s->now, textlen, pk)) != 0 ||
	    (r = stmt_record_parse(buf_ptr(b), *textlen, rec)) != 0) {
		warnx("accept: %s", stmt_strerror(r));
		return STORE_EX_DATAERR;
	}
	if (!stmt_key_matches(rec->key, pk) ||
	    strcmp(rec->mailbox, name) != 0) {
		warnx("accept: record is for %s, signed by another key?",
		    rec->mailbox);
		return STORE_EX_DATAERR;
	}
	return 0;
}

/* The record's epoch must be the mailbox's; the first record sets it. */
static int
accept_epoch(const struct mbdir *m, const char *epoch, int *isnew)
{
	char have[STMT_EPOCH_LEN + 1];

	*isnew = 0;
	if (layout_epoch_read(m->pf, have) == 0)
		return strcmp(have, epoch) == 0 ? 0 : STORE_EX_DATAERR;
	if (errno != ENOENT) {
		warn("%s/%s", m->name, PFISH_EPOCH_FILE);
		return 1;
	}
	*isnew = 1;
	return 0;
}

/* A stored record at this seq: identical = retry, different = refuse. */
static int
accept_existing(const struct store *s, const struct mbdir *m,
    const struct buf *b, const struct stmt_record *rec, int *existing)
{
	struct stored_record sr;
	struct stmt_head h;
	u_char *hd = NULL;
	size_t hl;
	int r, ret = 0;

	*existing = 0;
	if ((r = store_record_load(s, m, rec->seq, &sr)) == 0 ||
	    (r == -1 && errno != ENOENT)) {
		if (r != 0 || sr.len != buf_len(b) ||
		    memcmp(sr.data, buf_ptr(b), sr.len) != 0) {
			warnx("accept: seq %llu already stored, differently",
			    (unsigned long long)rec->seq);
			ret = STORE_EX_DATAERR;
		}
		*existing = 1;
	} else if (store_head_load(s, m, &h, &hd, &hl) == 0 && rec->seq < h.low) {
		warnx("accept: seq %llu is below the head's low %llu",
		    (unsigned long long)rec->seq, (unsigned long long)h.low);
		ret = STORE_EX_DATAERR;
	}
	free(hd);
	store_record_free(&sr);
	return ret;
}

/* One delivery in progress. */
struct delivery {
	const char		*name;
	struct stmt_record	 rec;
	struct buf		*b;	/* the signed record */
	struct buf		*rest;	/* message bytes read with it */
	u_char			 hash[STMT_HASH_LEN];
	struct mbdir		 m;
	int			 existing, newepoch, fd;
	char			 tmpname[64];
};

/* Read and check the record, then lock the mailbox and check against it. */
static int
accept_prepare(struct store *s, struct delivery *d)
{
	size_t textlen;
	int ret;

	if ((d->b = buf_new_max(STORE_SIGNED_IN_MAX)) == NULL ||
	    (d->rest = buf_new()) == NULL)
		return 1;
	if (read_signed(STDIN_FILENO, d->b, d->rest) != 0) {
		warnx("accept: no signed record on stdin");
		return STORE_EX_DATAERR;
	}
	if ((ret = accept_record(s, d->name, d->b, &d->rec, &textlen)) != 0)
		return ret;
	stmt_hash(buf_ptr(d->b), textlen, d->hash);
	if (mbdir_open(s, d->name, &d->m) == -1) {
		warn("accept: mailbox %s", d->name);
		return 1;
	}
	if (mbdir_lock(&d->m) == -1)
		return io_exit();
	if ((ret = accept_epoch(&d->m, d->rec.epoch, &d->newepoch)) != 0) {
		if (ret == STORE_EX_DATAERR)
			warnx("accept: epoch %s is not the mailbox's",
			    d->rec.epoch);
		return ret;
	}
	if ((ret = accept_existing(s, &d->m, d->b, &d->rec,
	    &d->existing)) != 0)
		return ret;
	return d->existing ? 0 : check_links(s, &d->m, &d->rec, d->hash);
}

/* The record is durable before its message becomes visible. */
static int
accept_commit(struct delivery *d)
{
	char agename[32], recname[32];
	int fd = d->fd;

	if (d->newepoch && layout_epoch_write(d->m.pf, d->m.tmp, d->rec.epoch) == -1) {
		warn("accept: epoch");
		return io_exit();
	}
	if (layout_seq_name(d->rec.seq, PFISH_REC_SUFFIX, recname,
	    sizeof(recname)) != 0 ||
	    layout_seq_name(d->rec.seq, PFISH_AGE_SUFFIX, agename,
	    sizeof(agename)) != 0)
		return 1;
	if (!d->existing && fs_write_atomic(d->m.rec, d->m.tmp, recname,
	    buf_ptr(d->b), buf_len(d->b), PFISH_FILE_MODE) == -1) {
		warn("accept: record");
		return io_exit();
	}
	d->fd = -1;	/* fs_commit closes it either way */
	if (fs_commit(fd, d->m.tmp, d->tmpname, d->m.dir, agename) == -1) {
		warn("accept: message");
		return io_exit();
	}
	printf("accepted %s %llu\n", d->name,
	    (unsigned long long)d->rec.seq);
	return 0;
}

static int
cmd_accept(struct store *s, const char *name)
{
	struct delivery d = { .name = name, .fd = -1, .m = { .dir = -1,
	    .pf = -1, .rec = -1, .del = -1, .notes = -1, .tmp = -1 } };
	u_char sha[STMT_HASH_LEN];
	int ret = STORE_EX_DATAERR;

	if (!stmt_valid_mailbox(name)) {
		warnx("accept: bad mailbox name");
		goto out;
	}
	if ((ret = accept_prepare(s, &d)) != 0 ||
	    (ret = stream_age(STDIN_FILENO, d.rest, &d.m, d.rec.size,
	    d.tmpname, sizeof(d.tmpname), &d.fd, sha)) != 0)
		goto out;
	if (memcmp(sha, d.rec.sha256, STMT_HASH_LEN) != 0) {
		warnx("accept: message sha256 differs from the record's");
		ret = STORE_EX_DATAERR;
	} else if (d.existing && age_matches(&d.m, &d.rec)) {
		printf("duplicate %s %llu\n", name,
		    (unsigned long long)d.rec.seq);
		ret = 0;
	} else
		ret = accept_commit(&d);
 out:
	if (d.fd != -1) {
		close(d.fd);
		unlinkat(d.m.tmp, d.tmpname, 0);
	}
	if (ret == 0 || ret == STORE_EX_DATAERR)
		drain(STDIN_FILENO);
	mbdir_close(&d.m);
	buf_free(d.b);
	buf_free(d.rest);
	return ret;
}

/*
 * A head may name records this store has not seen yet (in flight, or
 * lost between signer and store); where it has them they must match.
 */
static int
head_links(const struct store *s, const struct mbdir *m,
    const struct stmt_head *h)
{
	struct stored_record sr;
	int ret = 0;

	memset(&sr, 0, sizeof(sr));
	if (h->high > 0 && store_record_load(s, m, h->high, &sr) == 0 &&
	    memcmp(sr.hash, h->highhash, STMT_HASH_LEN) != 0)
		ret = STORE_EX_DATAERR;
	store_record_free(&sr);
	if (h->low > 1 && store_record_load(s, m, h->low - 1, &sr) == 0 &&
	    memcmp(sr.hash, h->lowprev, STMT_HASH_LEN) != 0)
		ret = STORE_EX_DATAERR;
	store_record_free(&sr);
	if (ret != 0)
		warnx("head: does not match the stored records");
	return ret;
}

/* Newer only: high and issued never go down; same content is a no-op. */
static int
head_newer(const struct store *s, const struct mbdir *m,
    const struct stmt_head *h, const struct buf *b, int *same)
{
	struct stmt_head old;
	u_char *od = NULL;
	size_t ol;
	int ret = 0;

	*same = 0;
	if (store_head_load(s, m, &old, &od, &ol) != 0)
		return 0;	/* none, or not valid: replace it */
	if (ol == buf_len(b) && memcmp(od, buf_ptr(b), ol) == 0)
		*same = 1;
	else if (strcmp(old.epoch, h->epoch) != 0 || h->high < old.high ||
	    h->issued < old.issued || h->low < old.low) {
		warnx("head: not newer than the installed head");
		ret = STORE_EX_DATAERR;
	}
	free(od);
	return ret;
}

/* The head, and the mark that lets verify see it copied back later. */
static int
head_install(const struct mbdir *m, const struct stmt_head *h,
    const struct buf *b, int newepoch)
{
	char mark[64];
	int n;

	n = snprintf(mark, sizeof(mark), "high %llu issued %llu\n",
	    (unsigned long long)h->high, (unsigned long long)h->issued);
	if (n < 0 || (size_t)n >= sizeof(mark))
		return 1;
	if ((newepoch && layout_epoch_write(m->pf, m->tmp, h->epoch) == -1) ||
	    fs_write_atomic(m->pf, m->tmp, PFISH_HEAD, buf_ptr(b), buf_len(b),
	    PFISH_FILE_MODE) == -1 ||
	    fs_write_atomic(m->pf, m->tmp, PFISH_HEADMARK, mark, (size_t)n,
	    PFISH_FILE_MODE) == -1) {
		warn("head: write");
		return io_exit();
	}
	printf("installed %s high %llu\n", m->name,
	    (unsigned long long)h->high);
	return 0;
}

static int
cmd_head(struct store *s, const char *name)
{
	struct stmt_head h;
	struct buf *b = NULL, *rest = NULL;
	struct mbdir m = { .dir = -1, .pf = -1, .rec = -1, .del = -1,
	    .notes = -1, .tmp = -1 };
	int ret = STORE_EX_DATAERR, r, same, newepoch;

	if (!stmt_valid_mailbox(name)) {
		warnx("head: bad mailbox name");
		goto out;
	}
	if ((b = buf_new_max(STORE_SIGNED_IN_MAX)) == NULL ||
	    (rest = buf_new()) == NULL) {
		ret = 1;
		goto out;
	}
	if (read_signed(STDIN_FILENO, b, rest) != 0 || buf_len(rest) != 0) {
		warnx("head: stdin is not one signed head");
		goto out;
	}
	if ((r = store_head_check(s, name, buf_ptr(b), buf_len(b), &h)) != 0) {
		warnx("head: %s", stmt_strerror(r));
		goto out;
	}
	ret = 1;
	if (mbdir_open(s, name, &m) == -1) {
		warn("head: mailbox %s", name);
		goto out;
	}
	if (mbdir_lock(&m) == -1) {
		ret = io_exit();
		goto out;
	}
	if ((ret = accept_epoch(&m, h.epoch, &newepoch)) != 0) {
		if (ret == STORE_EX_DATAERR)
			warnx("head: epoch %s is not the mailbox's", h.epoch);
		goto out;
	}
	if ((ret = head_newer(s, &m, &h, b, &same)) != 0 ||
	    (ret = head_links(s, &m, &h)) != 0)
		goto out;
	if (same)
		printf("unchanged %s\n", name);
	else
		ret = head_install(&m, &h, b, newepoch);
 out:
	mbdir_close(&m);
	buf_free(b);
	buf_free(rest);
	return ret;
}

/* A delete file is expired when every seq it names is below low. */
static int
delete_below(int dirfd, const char *name, uint64_t low)
{
	struct stmt_delete d;
	u_char *data;
	size_t len, tl;
	int below = 0;

	if (fs_read_file(dirfd, name, STMT_SIGNED_MAX, &data, &len) == -1)
		return 0;
	if (stmt_split_signed(data, len, &tl) == 0 &&
	    stmt_delete_parse(data, tl, &d) == 0) {
		below = d.del[d.ndel - 1].seq < low;
		stmt_delete_clear(&d);
	}
	free(data);
	return below;
}

/* Unlink SEQ<suffix> files below low (deletes: see delete_below). */
static int
remove_below(int dirfd, const char *suffix, uint64_t low, int *count)
{
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int ret = 0;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(suffix, PFISH_DEL_SUFFIX) == 0) {
			if (!delete_below(dirfd, de->d_name, low))
				continue;
		} else if (layout_seq_parse(de->d_name, suffix, &seq) != 0 ||
		    seq >= low)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == -1 && errno != ENOENT)
			ret = -1;
		else
			(*count)++;
	}
	closedir(d);
	if (fs_fsync_dir(dirfd) == -1)
		ret = -1;
	return ret;
}

/* Leftovers of crashed writers. */
static void
clean_tmp(const struct store *s, int dirfd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp.", 5) != 0 ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_mtime + STORE_TMP_AGE > s->now)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

static int
expire_one(struct store *s, const char *name)
{
	struct stmt_head h;
	struct mbdir m;
	u_char *hd = NULL;
	size_t hl;
	int n = 0, r, ret = 1;

	if (mbdir_open(s, name, &m) == -1) {
		warn("expire: %s", name);
		return 1;
	}
	if (mbdir_lock(&m) == -1)
		goto out;
	if ((r = store_head_load(s, &m, &h, &hd, &hl)) != 0) {
		warnx("expire: %s: no valid head (%s), nothing removed", name,
		    r == -1 ? strerror(errno) : stmt_strerror(r));
		goto out;
	}
	/* Messages first, records last: never a message without record. */
	if (remove_below(m.dir, PFISH_AGE_SUFFIX, h.low, &n) == -1 ||
	    remove_below(m.notes, PFISH_NOTE_SUFFIX, h.low, &n) == -1 ||
	    remove_below(m.del, PFISH_DEL_SUFFIX, h.low, &n) == -1 ||
	    remove_below(m.rec, PFISH_REC_SUFFIX, h.low, &n) == -1) {
		warn("expire: %s", name);
		goto out;
	}
	clean_tmp(s, m.tmp);
	if (n > 0)
		printf("expired %s below %llu: %d files\n", name,
		    (unsigned long long)h.low, n);
	ret = 0;
 out:
	free(hd);
	mbdir_close(&m);
	return ret;
}

/* store_each_mailbox: the largest return of expire_one wins. */
static int
expire_each(struct store *s, const char *name, void *arg)
{
	int *ret = arg, r;

	if ((r = expire_one(s, name)) > *ret)
		*ret = r;
	return 0;
}

static int
cmd_expire(struct store *s, int argc, char **argv)
{
	int i, r, ret = 0;

	if (argc == 0)
		return store_each_mailbox(s, expire_each, &ret) != 0 ? 1 : ret;
	for (i = 0; i < argc; i++)
		if ((r = expire_one(s, argv[i])) != 0)
			ret = r;
	return ret;
}

static int
load_trust(struct store *s)
{
	char errbuf[256];

	if (trust_load(s->trustpath, &s->trust, errbuf, sizeof(errbuf)) !=
	    0) {
		warnx("%s: %s", s->trustpath, errbuf);
		return -1;
	}
	return 0;
}

/*
 * The writing verbs (the ones a forced command reaches) touch nothing but
 * the store once the trust file is read: no exec, no sockets, no other
 * paths.  verify stays unconfined: it may read users' authorized_keys.
 */
static int
confine(struct store *s)
{
	struct sandbox_path p = { s->rootfd, s->root,
	    SANDBOX_READ | SANDBOX_REMOVE | SANDBOX_CREATE | SANDBOX_MKDIR };

	if (sandbox_tool(&p, 1, 0) != 0) {
		warn("sandbox");
		return -1;
	}
	return 0;
}

int
store_main(int argc, char **argv)
{
	struct store s;
	char cmdbuf[1024], *rargv[SSHCMD_ARGS_MAX + 2];
	const char *cmd, *oc;
	int ch, ret;

	memset(&s, 0, sizeof(s));
	s.root = PFISH_STORE_ROOT;
	s.trustpath = STORE_TRUST_FILE;
	s.rootfd = -1;
	if (sodium_init() < 0)
		errx(1, "libsodium init failed");
	while ((ch = getopt(argc, argv, "r:T:")) != -1) {
		switch (ch) {
		case 'r':
			s.root = optarg;
			break;
		case 'T':
			s.trustpath = optarg;
			break;
		default:
			usage();
			return STORE_EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* A forced command without a verb: the client may accept or head. */
	if (argc == 0 && (oc = getenv("SSH_ORIGINAL_COMMAND")) != NULL) {
		if ((argc = sshcmd_split(oc, "pfish-store", cmdbuf,
		    sizeof(cmdbuf), rargv)) != 3 ||
		    (strcmp(rargv[1], "accept") != 0 &&
		    strcmp(rargv[1], "head") != 0))
			errx(STORE_EX_USAGE, "refused ssh command");
		argc--;
		argv = rargv + 1;
	}
	if (argc < 1)
		goto bad;
	cmd = argv[0];
	s.now = (uint64_t)time(NULL);
	if ((s.rootfd = open(s.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", s.root);
		return strcmp(cmd, "verify") == 0 ? PFISH_EXIT_ERROR : 1;
	}
	if (strcmp(cmd, "init") == 0 && argc == 2)
		ret = cmd_init(&s, argv[1]);
	else if (strcmp(cmd, "init") == 0 || (argc != 2 &&
	    (strcmp(cmd, "accept") == 0 || strcmp(cmd, "head") == 0)))
		goto bad;
	else if (load_trust(&s) != 0)
		ret = strcmp(cmd, "accept") == 0 || strcmp(cmd, "head") == 0 ?
		    STORE_EX_TEMPFAIL : 1;
	else if (strcmp(cmd, "verify") != 0 && confine(&s) != 0)
		ret = 1;
	else if (strcmp(cmd, "accept") == 0)
		ret = cmd_accept(&s, argv[1]);
	else if (strcmp(cmd, "head") == 0)
		ret = cmd_head(&s, argv[1]);
	else if (strcmp(cmd, "expire") == 0)
		ret = cmd_expire(&s, argc - 1, argv + 1);
	else if (strcmp(cmd, "verify") == 0)
		ret = store_verify(&s, argc - 1, argv + 1);
	else
		goto bad;
	trust_free(s.trust);
	close(s.rootfd);
	return ret;
 bad:
	usage();
	if (s.rootfd != -1)
		close(s.rootfd);
	return STORE_EX_USAGE;
}
