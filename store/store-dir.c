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

/* store-dir.c: a mailbox's directories, its records and head, the walk. */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "hash.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"
#include "sshsig.h"

#define END_LINE	"\n" SSHSIG_END "\n"

int
mbdir_open(const struct store *s, const char *name, struct mbdir *m)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->pf = m->rec = m->del = m->notes = m->tmp = -1;
	if (!stmt_valid_mailbox(name)) {
		errno = EINVAL;
		return (m->dir = -1);
	}
	if ((m->dir = fs_open_dir(s->rootfd, name)) == -1 ||
	    (m->pf = fs_open_dir(m->dir, PFISH_STATE_DIR)) == -1 ||
	    (m->rec = fs_open_dir(m->dir, PFISH_RECORDS_DIR)) == -1 ||
	    (m->del = fs_open_dir(m->dir, PFISH_DELETES_DIR)) == -1 ||
	    (m->notes = fs_open_dir(m->dir, PFISH_NOTES_DIR)) == -1 ||
	    (m->tmp = fs_open_dir(m->dir, PFISH_TMP_DIR)) == -1) {
		int saved = errno;

		mbdir_close(m);
		errno = saved;
		return -1;
	}
	return 0;
}

void
mbdir_close(struct mbdir *m)
{
	int *fds[] = { &m->dir, &m->pf, &m->rec, &m->del, &m->notes,
	    &m->tmp };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Writers of one mailbox (accept, head, expire) take turns. */
int
mbdir_lock(const struct mbdir *m)
{
	while (flock(m->pf, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

void
store_record_free(struct stored_record *sr)
{
	free(sr->data);
	memset(sr, 0, sizeof(*sr));
}

int
store_record_load(const struct store *s, const struct mbdir *m, uint64_t seq,
    struct stored_record *sr)
{
	u_char pk[SSHKEY_ED25519_PK];
	char name[32];
	int r;

	memset(sr, 0, sizeof(*sr));
	if (layout_seq_name(seq, PFISH_REC_SUFFIX, name, sizeof(name)) != 0)
		return -1;
	if (fs_read_file(m->rec, name, STMT_SIGNED_MAX, &sr->data,
	    &sr->len) == -1)
		return -1;
	if ((r = stmt_verify_signed(sr->data, sr->len, STMT_RECORD, s->trust,
	    s->now, &sr->textlen, pk)) == 0 &&
	    (r = stmt_record_parse(sr->data, sr->textlen, &sr->rec)) == 0 &&
	    !stmt_key_matches(sr->rec.key, pk))
		r = STMT_ERR_SIG;
	if (r == 0) {
		stmt_hash(sr->data, sr->textlen, sr->hash);
		if (strcmp(sr->rec.mailbox, m->name) != 0 ||
		    sr->rec.seq != seq)
			r = STMT_ERR_FORMAT;
	}
	if (r != 0)
		store_record_free(sr);	/* a failed load holds nothing */
	return r;
}

int
store_head_check(const struct store *s, const char *mailbox, const u_char *data,
    size_t len, struct stmt_head *h)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t tl;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = stmt_verify_signed(data, len, STMT_HEAD, s->trust, s->now,
	    &tl, pk)) != 0 ||
	    (r = stmt_head_parse(data, tl, h)) != 0)
		return r;
	if (!stmt_key_matches(h->key, pk))
		return STMT_ERR_SIG;
	if (strcmp(h->mailbox, mailbox) != 0)
		return STMT_ERR_FORMAT;
	return 0;
}

int
store_head_load(const struct store *s, const struct mbdir *m, struct stmt_head *h,
    u_char **data, size_t *len)
{
	int r;

	memset(h, 0, sizeof(*h));
	if (fs_read_file(m->dir, PFISH_HEAD_FILE, STMT_SIGNED_MAX, data,
	    len) == -1)
		return -1;
	if ((r = store_head_check(s, m->name, *data, *len, h)) != 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return r;
}

int
store_void_check(const struct store *s, const char *mailbox, const u_char *data,
    size_t len, struct stmt_void *v)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t tl;
	int r;

	memset(v, 0, sizeof(*v));
	if ((r = stmt_verify_signed(data, len, STMT_VOID, s->trust, s->now,
	    &tl, pk)) != 0 ||
	    (r = stmt_void_parse(data, tl, v)) != 0)
		return r;
	if (!stmt_key_matches(v->key, pk))
		return STMT_ERR_SIG;
	if (strcmp(v->mailbox, mailbox) != 0)
		return STMT_ERR_FORMAT;
	return 0;
}

/* Every mailbox under the root: valid names with a .pfish directory. */
int
store_each_mailbox(struct store *s,
    int (*fn)(struct store *, const char *, void *), void *arg)
{
	struct dirent *de;
	struct stat st;
	char path[PFISH_MAILBOX_MAX + sizeof(PFISH_STATE_DIR) + 2];
	DIR *d;
	int n;

	if ((d = fs_dir_stream(s->rootfd)) == NULL) {
		warn("%s", s->root);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!stmt_valid_mailbox(de->d_name))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", de->d_name,
		    PFISH_STATE_DIR);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (fn(s, de->d_name, arg) != 0)
			break;
	}
	closedir(d);
	return 0;
}

/*
 * Read one signed statement from fd: up to and including the END line.
 * Whatever was read beyond it stays in rest (the start of the .age).
 */
int
store_read_signed(int fd, struct buf *stmt, struct buf *rest)
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

/* 1 when NNN.age exists with exactly this size and sha256. */
int
store_age_matches(const struct mbdir *m, const struct stmt_record *rec)
{
	struct hash_sha256 hs;
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
	hash_sha256_init(&hs);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		hash_sha256_update(&hs, chunk, (size_t)r);
	if (r != 0)
		goto out;
	hash_sha256_final(&hs, sha);
	ok = memcmp(sha, rec->sha256, STMT_HASH_LEN) == 0;
 out:
	close(fd);
	return ok;
}

/* Read from fd into b until it holds n bytes or the input ends. */
int
store_fill_to(int fd, struct buf *b, size_t n)
{
	u_char chunk[64];
	ssize_t r;

	while (buf_len(b) < n) {
		if ((r = read(fd, chunk, n - buf_len(b))) == -1 &&
		    errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		if (buf_put(b, chunk, (size_t)r) != 0)
			return -1;
	}
	return 0;
}

int
store_starts_with(const struct buf *b, const char *s)
{
	size_t n = strlen(s);

	return buf_len(b) >= n && memcmp(buf_ptr(b), s, n) == 0;
}

/* The next statement: what was read beyond the last one, then more. */
int
store_read_next(int fd, struct buf *stmt, struct buf *rest)
{
	buf_reset(stmt);
	if (buf_putb(stmt, rest) != 0)
		return -1;
	buf_reset(rest);
	return store_read_signed(fd, stmt, rest);
}

/* The record's epoch must be the mailbox's; the first record sets it. */
int
store_epoch_check(const struct mbdir *m, const char *epoch, int *isnew)
{
	char have[STMT_EPOCH_LEN + 1];

	*isnew = 0;
	if (layout_epoch_read(m->pf, have) == 0)
		return strcmp(have, epoch) == 0 ? 0 : EX_DATAERR;
	if (errno != ENOENT) {
		warn("%s/%s", m->name, PFISH_EPOCH_FILE);
		return 1;
	}
	*isnew = 1;
	return 0;
}
