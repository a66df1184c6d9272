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
 * store-migrate.c: pfish-store migrate OLDROOT NEWROOT.  Build a fresh
 * store root from an old one (a copy of another server's) carrying only
 * what verifies: the engine (state/verdict.c, through store-verify.c)
 * judges every mailbox of the old root, and a file is carried only when
 * the engine proved it: records in the signed chain, their messages
 * (hashed again while copied), the deletes and voids that explain an
 * absence, the head that verifies, and the store's marks.  Everything
 * else is reported, one line each, and left behind.  The new root is
 * built in a temporary directory beside NEWROOT, every file and
 * directory fsynced, the same engine run over it, and renamed into place
 * only when no mailbox of it has a finding and no message was lost.
 *
 * Exit: 0 migrated, 3 refused (the result would show a finding; nothing
 * written), 1 error (nothing written), 64 usage.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acchain.h"
#include "fsutil.h"
#include "hash.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"
#include "verify.h"

struct carried {
	uint64_t	 seq;
	uint64_t	 size;
	u_char		 sha256[STMT_HASH_LEN];
};

struct mig {
	struct store	 old;		/* rootfd: OLDROOT */
	struct store	 nw;		/* rootfd: the root being built */
	const char	*oldpath;
	int		 parentfd;	/* NEWROOT's parent directory */
	char		 tmpname[NAME_MAX + 1];	/* in parentfd */
	int		 refused;
	int		 err;
	unsigned	 nbox, nmsg, nleft;
};

/* One mailbox being carried. */
struct mbox {
	struct mig	*g;
	const char	*name;
	struct mbdir	 om;		/* old */
	int		 dir, pf, rec, del, notes, voids, tmp;	/* new */
	struct vresult	 res;		/* the engine on the old mailbox */
	int		 has_head;
	struct stmt_head h;
	struct carried	*recs;		/* records carried, by seq */
	size_t		 nrecs, crecs;
	unsigned	 nmsg, nrec, ndel, nvoid, nacct;
};

static void
left(struct mig *g, const char *mb, const char *dir, const char *file,
    const char *why)
{
	printf("left behind: %s%s%s%s%s: %s\n", mb ? mb : "", mb ? "/" : "",
	    dir ? dir : "", dir ? "/" : "", file, why);
	g->nleft++;
}

static void
refuse(struct mig *g, const char *mb, uint64_t seq, const char *why)
{
	if (seq > 0)
		printf("refused: %s: seq %llu: %s\n", mb,
		    (unsigned long long)seq, why);
	else
		printf("refused: %s: %s\n", mb, why);
	g->refused = 1;
}

static int
is_dot(const char *n)
{
	return strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

/* Owner and group of what we copy, when we may give them (root). */
static void
own_like(int fd, const struct stat *st)
{
	if (geteuid() == 0 && fchown(fd, st->st_uid, st->st_gid) == -1)
		warn("chown");
}

/* A new directory below dirfd, owned as the old one at oldst. */
static int
mkdir_like(int dirfd, const char *name, const struct stat *oldst, mode_t mode)
{
	int fd;

	if (mkdirat(dirfd, name, 0700) == -1 ||
	    (fd = fs_open_dir(dirfd, name)) == -1) {
		warn("mkdir %s", name);
		return -1;
	}
	if (oldst != NULL)
		own_like(fd, oldst);
	/* After chown, which clears set-group-ID. */
	if (fchmod(fd, mode) == -1) {
		warn("chmod %s", name);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Copy old dirfd/name to new dirfd/name, durably, owned as the old one.
 * With want, the copy must have exactly its size and SHA-256: 0 copied,
 * 1 it differs (nothing left in the new root), -1 error.
 */
static int
copy_file(int odir, int ndir, const char *name, mode_t mode,
    const struct carried *want)
{
	struct hash_sha256 hs;
	u_char chunk[65536], sha[STMT_HASH_LEN];
	struct stat st;
	uint64_t size = 0;
	ssize_t r;
	int in, out, ret = -1;

	if ((in = openat(odir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return want != NULL ? 1 : -1;
	if (fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(in);
		return want != NULL ? 1 : -1;
	}
	if ((out = openat(ndir, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, mode)) == -1) {
		warn("create %s", name);
		close(in);
		return -1;
	}
	hash_sha256_init(&hs);
	while ((r = read(in, chunk, sizeof(chunk))) > 0) {
		hash_sha256_update(&hs, chunk, (size_t)r);
		size += (uint64_t)r;
		if (fs_write_all(out, chunk, (size_t)r) == -1) {
			warn("write %s", name);
			goto out;
		}
	}
	if (r == -1) {
		warn("read %s", name);
		goto out;
	}
	hash_sha256_final(&hs, sha);
	if (want != NULL && (size != want->size ||
	    memcmp(sha, want->sha256, STMT_HASH_LEN) != 0)) {
		ret = 1;
		goto out;
	}
	own_like(out, &st);
	if (fchmod(out, mode) == -1 || fsync(out) == -1) {
		warn("%s", name);
		goto out;
	}
	ret = 0;
 out:
	close(in);
	if (close(out) == -1 && ret == 0) {
		warn("close %s", name);
		ret = -1;
	}
	if (ret != 0)
		(void)unlinkat(ndir, name, 0);
	return ret;
}

/* Remove the tree we built (regular files and directories only). */
static void
rm_tree(int dirfd, const char *name)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlinkat(dirfd, name, 0);
		return;
	}
	if ((fd = fs_open_dir(dirfd, name)) == -1)
		return;
	if ((d = fs_dir_stream(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (!is_dot(de->d_name))
				rm_tree(fd, de->d_name);
		closedir(d);
	}
	close(fd);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

static int
cmp_carried(const void *a, const void *b)
{
	const struct carried *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* b->recs is sorted once do_records is done. */
static const struct carried *
carried_rec(const struct mbox *b, uint64_t seq)
{
	struct carried key;

	if (b->nrecs == 0)
		return NULL;
	key.seq = seq;
	return bsearch(&key, b->recs, b->nrecs, sizeof(*b->recs),
	    cmp_carried);
}

static void
close_new(struct mbox *b)
{
	int *fds[] = { &b->dir, &b->pf, &b->rec, &b->del, &b->notes,
	    &b->voids, &b->tmp };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The new mailbox's directories, each owned as its old counterpart. */
static int
make_new(struct mbox *b)
{
	struct stat st, pst;
	int *fds[] = { &b->rec, &b->del, &b->notes, &b->voids, &b->tmp };
	const char *names[] = { PFISH_RECORDS, PFISH_DELETES, PFISH_NOTES,
	    PFISH_VOIDS, PFISH_TMP };
	size_t i;

	if (fstat(b->om.dir, &st) == -1 || fstat(b->om.pf, &pst) == -1 ||
	    (b->dir = mkdir_like(b->g->nw.rootfd, b->name, &st,
	    PFISH_DIR_MODE)) == -1 ||
	    (b->pf = mkdir_like(b->dir, PFISH_STATE_DIR, &pst,
	    PFISH_DIR_MODE)) == -1)
		return -1;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if ((*fds[i] = mkdir_like(b->pf, names[i], &pst,
		    PFISH_DIR_MODE)) == -1)
			return -1;
	return 0;
}

/* records/: those the engine proved (in the chain from the head). */
static int
do_records(struct mbox *b)
{
	struct stored_record sr;
	const struct ventry *e;
	struct carried *c;
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int r, ret = 0;

	if ((d = fs_dir_stream(b->om.rec)) == NULL)
		return -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		if (layout_seq_parse(de->d_name, PFISH_REC_SUFFIX, &seq) != 0) {
			left(b->g, b->name, PFISH_RECORDS_DIR, de->d_name,
			    "not part of the layout");
			continue;
		}
		if ((r = store_record_load(&b->g->old, &b->om, seq,
		    &sr)) != 0) {
			left(b->g, b->name, PFISH_RECORDS_DIR, de->d_name,
			    r == -1 ? strerror(errno) : r == STMT_ERR_FORMAT ?
			    "not a record of this mailbox and seq" :
			    pfish_strerror(r));
			continue;
		}
		e = verify_entry(&b->res, seq);
		if (e == NULL && b->has_head && seq < b->h.low)
			left(b->g, b->name, PFISH_RECORDS_DIR, de->d_name,
			    "below the head's low (expired)");
		else if (e == NULL || !e->authentic ||
		    memcmp(e->hash, sr.hash, STMT_HASH_LEN) != 0)
			left(b->g, b->name, PFISH_RECORDS_DIR, de->d_name,
			    "signed, but not in the chain from the head");
		else if (b->nrecs == b->crecs && (c = reallocarray(b->recs,
		    b->crecs ? b->crecs * 2 : 256, sizeof(*c))) == NULL)
			ret = -1;
		else {
			if (b->nrecs == b->crecs) {
				b->recs = c;
				b->crecs = b->crecs ? b->crecs * 2 : 256;
			}
			c = &b->recs[b->nrecs++];
			c->seq = seq;
			c->size = sr.rec.size;
			memcpy(c->sha256, sr.rec.sha256, STMT_HASH_LEN);
			if (copy_file(b->om.rec, b->rec, de->d_name,
			    PFISH_FILE_MODE, NULL) != 0)
				ret = -1;
			else
				b->nrec++;
		}
		store_record_free(&sr);
	}
	closedir(d);
	if (b->nrecs > 1)
		qsort(b->recs, b->nrecs, sizeof(*b->recs), cmp_carried);
	return ret;
}

/*
 * The mailbox top: messages whose record was carried, hashed again while
 * copied.  A message left behind that is not below low, deleted or
 * voided would be lost: the migration is refused.
 */
static int
do_messages(struct mbox *b)
{
	const struct carried *c;
	const struct ventry *e;
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int r, ret = 0;

	if ((d = fs_dir_stream(b->om.dir)) == NULL)
		return -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name) ||
		    strcmp(de->d_name, PFISH_STATE_DIR) == 0)
			continue;
		if (layout_seq_parse(de->d_name, PFISH_AGE_SUFFIX, &seq) != 0) {
			left(b->g, b->name, NULL, de->d_name,
			    "not part of the layout");
			continue;
		}
		e = verify_entry(&b->res, seq);
		if (e == NULL && b->has_head && seq < b->h.low) {
			left(b->g, b->name, NULL, de->d_name,
			    "below the head's low (expired)");
			continue;
		}
		if (e != NULL && e->status == VST_DELETED) {
			left(b->g, b->name, NULL, de->d_name,
			    "deleted by a signed delete");
			continue;
		}
		if ((c = carried_rec(b, seq)) == NULL) {
			left(b->g, b->name, NULL, de->d_name,
			    "no valid record in the signed chain");
			refuse(b->g, b->name, seq, "message without a valid "
			    "record (its record removed or forged, or the "
			    "message added): not carried, not guessed");
			continue;
		}
		if ((r = copy_file(b->om.dir, b->dir, de->d_name,
		    PFISH_FILE_MODE, c)) == 1) {
			left(b->g, b->name, NULL, de->d_name,
			    "size or SHA-256 differs from its record");
			refuse(b->g, b->name, seq, "message differs from its "
			    "signed record (the .age was changed): the "
			    "message is lost");
		} else if (r == -1)
			ret = -1;
		else
			b->nmsg++;
	}
	closedir(d);
	return ret;
}

/* The text hash of a signed statement file, 0 or -1. */
static int
file_text_hash(int dirfd, const char *name, u_char hash[STMT_HASH_LEN])
{
	u_char *data;
	size_t len, tl;
	int r = -1;

	if (fs_read_file(dirfd, name, STMT_SIGNED_MAX, &data, &len) == -1)
		return -1;
	if (stmt_split_signed(data, len, &tl) == 0) {
		stmt_hash(data, tl, hash);
		r = 0;
	}
	free(data);
	return r;
}

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, STMT_HASH_LEN);
}

/* deletes/: those the engine credited with an absence. */
static int
do_deletes(struct mbox *b)
{
	u_char hash[STMT_HASH_LEN], (*cred)[STMT_HASH_LEN];
	struct dirent *de;
	size_t i, n = 0;
	DIR *d;
	int ret = 0;

	/* The hashes of the deletes the engine credited, sorted. */
	if ((cred = calloc(b->res.ne + 1, sizeof(*cred))) == NULL)
		return -1;
	for (i = 0; i < b->res.ne; i++)
		if (b->res.e[i].status == VST_DELETED)
			memcpy(cred[n++], b->res.e[i].delhash, STMT_HASH_LEN);
	if (n > 1)
		qsort(cred, n, sizeof(*cred), cmp_hash);
	if ((d = fs_dir_stream(b->om.del)) == NULL) {
		free(cred);
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		if (file_text_hash(b->om.del, de->d_name, hash) == -1) {
			left(b->g, b->name, PFISH_DELETES_DIR, de->d_name,
			    "not a signed statement");
			continue;
		}
		if (n == 0 || bsearch(hash, cred, n, sizeof(*cred),
		    cmp_hash) == NULL) {
			left(b->g, b->name, PFISH_DELETES_DIR, de->d_name,
			    "explains no absence in the window (not signed "
			    "by a trusted delete key, misfiled, or expired)");
			continue;
		}
		if (copy_file(b->om.del, b->del, de->d_name, PFISH_FILE_MODE,
		    NULL) != 0)
			ret = -1;
		else
			b->ndel++;
	}
	closedir(d);
	free(cred);
	return ret;
}

/* voids/: those that close a seq the engine judged void. */
static int
do_voids(struct mbox *b)
{
	const struct ventry *e;
	struct stmt_void v;
	struct dirent *de;
	u_char *data;
	uint64_t seq;
	size_t len;
	DIR *d;
	int fd, ok, ret = 0;

	if ((fd = fs_open_dir(b->om.dir, PFISH_VOIDS_DIR)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((d = fs_dir_stream(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		ok = layout_seq_parse(de->d_name, PFISH_VOID_SUFFIX,
		    &seq) == 0 && (e = verify_entry(&b->res, seq)) != NULL &&
		    e->status == VST_VOID && fs_read_file(fd, de->d_name,
		    STMT_SIGNED_MAX, &data, &len) == 0;
		if (ok) {
			ok = store_void_check(&b->g->old, b->name, data, len,
			    &v) == 0 && v.seq == seq;
			free(data);
		}
		if (!ok)
			left(b->g, b->name, PFISH_VOIDS_DIR, de->d_name,
			    "closes no seq of the signed chain");
		else if (copy_file(fd, b->voids, de->d_name, PFISH_FILE_MODE,
		    NULL) != 0)
			ret = -1;
		else
			b->nvoid++;
	}
	closedir(d);
	close(fd);
	return ret;
}

/* notes/ and tmp/: nothing in them is carried. */
static int
leave_all(struct mbox *b, int dirfd, const char *dir, const char *why)
{
	struct dirent *de;
	DIR *d;

	if ((d = fs_dir_stream(dirfd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (!is_dot(de->d_name))
			left(b->g, b->name, dir, de->d_name, why);
	closedir(d);
	return 0;
}

/*
 * .pfish/account: the states that chain from serial 1 (state/acchain.c).
 * A state that does not chain is left behind and the migration refused:
 * it may be a forgery, or a state devices accepted that was changed; the
 * key host holds the chain to put back.
 */
static int
do_account(struct mbox *b)
{
	struct acct_chain ch;
	struct stat st;
	struct dirent *de;
	char why[200], rel[sizeof(PFISH_ACCOUNT_DIR_REL) + PFISH_NAME_MAX];
	uint64_t serial;
	DIR *d;
	int ofd, nfd = -1, ret = -1;

	if ((ofd = fs_open_dir(b->om.dir, PFISH_ACCOUNT_DIR_REL)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (store_account_load(b->om.dir, b->name, &ch, why,
	    sizeof(why)) != 0 || (d = fs_dir_stream(ofd)) == NULL) {
		close(ofd);
		acchain_free(&ch);
		return -1;
	}
	if (fstat(ofd, &st) == -1 ||
	    (nfd = mkdir_like(b->pf, PFISH_ACCOUNT, &st, PFISH_DIR_MODE)) ==
	    -1)
		goto out;
	ret = 0;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		(void)snprintf(rel, sizeof(rel), "%s", PFISH_ACCOUNT_DIR_REL);
		if (layout_seq_parse(de->d_name, PFISH_STATE_SUFFIX,
		    &serial) != 0)
			left(b->g, b->name, rel, de->d_name,
			    "not part of the layout");
		else if (serial > ch.n) {
			left(b->g, b->name, rel, de->d_name, serial ==
			    ch.n + 1 && why[0] != '\0' ? why :
			    "does not follow a state that chains");
			refuse(b->g, b->name, 0, "an account state does not "
			    "chain: put the key host's chain back in the old "
			    "root, then migrate again");
		} else if (copy_file(ofd, nfd, de->d_name, PFISH_FILE_MODE,
		    NULL) != 0)
			ret = -1;
		else
			b->nacct++;
	}
	if (ret == 0 && fs_fsync_dir(nfd) == -1)
		ret = -1;
 out:
	closedir(d);
	close(ofd);
	if (nfd != -1)
		close(nfd);
	acchain_free(&ch);
	return ret;
}

/* .pfish itself: the head that verified, the marks; nothing unknown. */
static int
do_state(struct mbox *b)
{
	static const char *dirs[] = { PFISH_RECORDS, PFISH_DELETES,
	    PFISH_NOTES, PFISH_TMP, PFISH_VOIDS };
	char epoch[PFISH_EPOCH_LEN + 1];
	unsigned long long mh, mi;
	struct dirent *de;
	u_char *mark;
	size_t i, mlen;
	DIR *d;
	int ret = 0;

	if ((d = fs_dir_stream(b->om.pf)) == NULL)
		return -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			if (strcmp(de->d_name, dirs[i]) == 0)
				break;
		if (i < sizeof(dirs) / sizeof(dirs[0]))
			continue;
		if (strcmp(de->d_name, PFISH_ACCOUNT) == 0) {
			ret = do_account(b);
		} else if (strcmp(de->d_name, PFISH_HEAD) == 0) {
			/* Loaded (and verified) in migrate_one. */
			if (copy_file(b->om.pf, b->pf, PFISH_HEAD,
			    PFISH_FILE_MODE, NULL) != 0)
				ret = -1;
		} else if (strcmp(de->d_name, PFISH_EPOCH) == 0) {
			if (layout_epoch_read(b->om.pf, epoch) != 0)
				left(b->g, b->name, PFISH_STATE_DIR,
				    de->d_name, "not an epoch");
			else if (copy_file(b->om.pf, b->pf, PFISH_EPOCH,
			    PFISH_FILE_MODE, NULL) != 0)
				ret = -1;
		} else if (strcmp(de->d_name, PFISH_HEADMARK) == 0) {
			mark = NULL;
			if (fs_read_file(b->om.pf, PFISH_HEADMARK, 128, &mark,
			    &mlen) != 0 || sscanf((char *)mark,
			    "high %llu issued %llu", &mh, &mi) != 2)
				left(b->g, b->name, PFISH_STATE_DIR,
				    de->d_name, "not a head mark");
			else if (copy_file(b->om.pf, b->pf, PFISH_HEADMARK,
			    PFISH_FILE_MODE, NULL) != 0)
				ret = -1;
			free(mark);
		} else
			left(b->g, b->name, PFISH_STATE_DIR, de->d_name,
			    "not part of the layout");
	}
	closedir(d);
	return ret;
}

static int
fsync_new(struct mbox *b)
{
	int fds[] = { b->rec, b->del, b->notes, b->voids, b->tmp, b->pf,
	    b->dir };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fs_fsync_dir(fds[i]) == -1) {
			warn("fsync %s", b->name);
			return -1;
		}
	return 0;
}

static int
migrate_one(struct mig *g, const char *name)
{
	struct mbox b;
	u_char *hd = NULL;
	size_t hl;
	int r, ret = -1;

	memset(&b, 0, sizeof(b));
	b.g = g;
	b.name = name;
	b.dir = b.pf = b.rec = b.del = b.notes = b.voids = b.tmp = -1;
	if (mbdir_open(&g->old, name, &b.om) == -1) {
		left(g, NULL, NULL, name, "not a mailbox (no complete .pfish)");
		return 0;
	}
	if (store_verify_run(&g->old, name, &b.res) != 0) {
		refuse(g, name, 0, "the mailbox cannot be verified (see "
		    "above): nothing of it is carried");
		mbdir_close(&b.om);
		return 0;
	}
	if ((r = store_head_load(&g->old, &b.om, &b.h, &hd, &hl)) == 0)
		b.has_head = 1;
	else if (r != -1 || errno != ENOENT) {
		left(g, name, PFISH_STATE_DIR, PFISH_HEAD, r == -1 ?
		    strerror(errno) : pfish_strerror(r));
		refuse(g, name, 0, "the head does not verify: nothing of the "
		    "mailbox can be proven");
		ret = 0;
		goto out;
	}
	if (make_new(&b) == -1 || do_records(&b) == -1 ||
	    do_messages(&b) == -1 || do_deletes(&b) == -1 ||
	    do_voids(&b) == -1 ||
	    leave_all(&b, b.om.notes, PFISH_NOTES_DIR, "a note proves "
	    "nothing") == -1 ||
	    leave_all(&b, b.om.tmp, PFISH_TMP_DIR, "a temporary file") ==
	    -1 || do_state(&b) == -1 || fsync_new(&b) == -1)
		goto out;
	printf("carried: %s: %u messages, %u records, %u deletes, %u voids, "
	    "%u account states, head %s\n", name, b.nmsg, b.nrec, b.ndel,
	    b.nvoid, b.nacct, b.has_head ? "verified" : "none");
	g->nbox++;
	g->nmsg += b.nmsg;
	ret = 0;
 out:
	free(hd);
	free(b.recs);
	verify_result_free(&b.res);
	close_new(&b);
	mbdir_close(&b.om);
	return ret;
}

/* The same engine over the result: any finding refuses it. */
static int
check_result(struct store *s, const char *name, void *arg)
{
	struct mig *g = arg;
	struct vresult res;

	if (store_verify_run(s, name, &res) != 0) {
		g->err = 1;
		return 1;
	}
	if (res.nf > 0) {
		store_print_findings(stdout, "refused: new root: ", name,
		    &res);
		g->refused = 1;
	}
	/* Seqs whose record has not arrived yet, as verify says them. */
	store_print_pending(name, &res);
	verify_result_free(&res);
	return 0;
}

/* Every entry of OLDROOT: mailboxes are carried, the rest reported. */
static int
migrate_all(struct mig *g)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	if ((d = fs_dir_stream(g->old.rootfd)) == NULL) {
		warn("%s", g->oldpath);
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name))
			continue;
		if (!stmt_valid_mailbox(de->d_name) ||
		    fstatat(g->old.rootfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
			left(g, NULL, NULL, de->d_name, "not a mailbox");
		else
			ret = migrate_one(g, de->d_name);
	}
	closedir(d);
	if (ret == 0 && fs_fsync_dir(g->nw.rootfd) == -1) {
		warn("fsync");
		ret = -1;
	}
	return ret;
}

/* NEWROOT's parent and last component; NEWROOT must not exist. */
static int
open_parent(const char *path, char *base, size_t blen)
{
	char dir[PATH_MAX];
	const char *slash;
	struct stat st;
	int fd;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return -1;
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL) {
		if (strlcpy(base, dir, blen) >= blen)
			return -1;
		strlcpy(dir, ".", sizeof(dir));
	} else {
		if (strlcpy(base, slash + 1, blen) >= blen)
			return -1;
		dir[slash == dir ? 1 : slash - dir] = '\0';
	}
	if (*base == '\0' || is_dot(base)) {
		warnx("%s: not a directory name", path);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warn("%s", dir);
		return -1;
	}
	if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT) {
		warnx("%s: exists; migrate builds a new root", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
store_migrate(struct store *s, int argc, char **argv)
{
	struct mig g;
	struct stat st;
	char base[NAME_MAX + 1];
	int ret = PFISH_EXIT_ERROR;

	if (argc != 2)
		return 64;
	memset(&g, 0, sizeof(g));
	g.old = *s;
	g.nw = *s;
	g.oldpath = g.old.root = argv[0];
	g.nw.root = argv[1];
	g.nw.rootfd = g.parentfd = -1;
	if ((g.old.rootfd = open(argv[0], O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		warn("%s", argv[0]);
		return PFISH_EXIT_ERROR;
	}
	if ((g.parentfd = open_parent(argv[1], base, sizeof(base))) == -1)
		goto out;
	if (snprintf(g.tmpname, sizeof(g.tmpname), ".%s.migrate.%ld", base,
	    (long)getpid()) >= (int)sizeof(g.tmpname) ||
	    fstat(g.old.rootfd, &st) == -1 ||
	    (g.nw.rootfd = mkdir_like(g.parentfd, g.tmpname, &st,
	    st.st_mode & 07777)) == -1)
		goto out;
	if (migrate_all(&g) == -1)
		goto out;
	/* The result, read back from disk as the new server will see it. */
	if (!g.refused && store_each_mailbox(&g.nw, check_result, &g) != 0)
		goto out;
	if (g.err)
		goto out;
	if (g.refused) {
		fprintf(stderr, "pfish-store: migrate: refused: the new root "
		    "would make a device report a finding (lines above); "
		    "%s not written\n", argv[1]);
		ret = PFISH_EXIT_TAMPER;
		goto out;
	}
	if (renameat(g.parentfd, g.tmpname, g.parentfd, base) == -1 ||
	    fs_fsync_dir(g.parentfd) == -1) {
		warn("rename to %s", argv[1]);
		goto out;
	}
	g.tmpname[0] = '\0';
	printf("migrated %u mailboxes, %u messages, to %s; %u files left "
	    "behind\n", g.nbox, g.nmsg, argv[1], g.nleft);
	syslog(LOG_INFO, "migrated %s to %s: %u mailboxes, %u messages, %u "
	    "files left behind", argv[0], argv[1], g.nbox, g.nmsg, g.nleft);
	ret = PFISH_EXIT_OK;
 out:
	if (g.nw.rootfd != -1)
		close(g.nw.rootfd);
	if (g.parentfd != -1 && g.tmpname[0] != '\0') {
		rm_tree(g.parentfd, g.tmpname);
		(void)fs_fsync_dir(g.parentfd);
	}
	if (g.parentfd != -1)
		close(g.parentfd);
	close(g.old.rootfd);
	return ret;
}
