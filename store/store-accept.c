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
 * store-accept.c: pfish-store accept: a signed record, perhaps a head,
 * then its message.
 */

#include <sys/types.h>
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
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "fsutil.h"
#include "hash.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"
#include "trust.h"

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
	struct hash_sha256 hs;
	u_char chunk[65536];
	uint64_t size = 0;
	ssize_t r;
	int fd;

	*fdp = -1;
	if ((fd = fs_tmp_create(m->tmp, PFISH_FILE_MODE, tmpname,
	    tmplen)) == -1) {
		warn("temp file");
		return EX_TEMPFAIL;
	}
	*fdp = fd;
	hash_sha256_init(&hs);
	if (buf_len(prefix) > want) {
		warnx("accept: message longer than its record says");
		return EX_DATAERR;
	}
	if (buf_len(prefix) > 0) {
		hash_sha256_update(&hs, buf_ptr(prefix),
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
			return EX_DATAERR;
		}
		hash_sha256_update(&hs, chunk, (size_t)r);
		if (fs_write_all(fd, chunk, (size_t)r) == -1)
			goto ioerr;
		size += (uint64_t)r;
	}
	hash_sha256_final(&hs, sha);
	if (size != want) {
		warnx("accept: message is %llu bytes, record says %llu",
		    (unsigned long long)size, (unsigned long long)want);
		return EX_DATAERR;
	}
	return 0;
 ioerr:
	warn("accept: writing message");
	return EX_TEMPFAIL;
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
			ret = EX_DATAERR;
		}
	}
	store_record_free(&nb);
	if (ret == 0 && (r = store_record_load(s, m, rec->seq + 1, &nb)) == 0) {
		if (memcmp(nb.rec.prev, hash, STMT_HASH_LEN) != 0) {
			warnx("accept: seq %llu does not chain to seq %llu",
			    (unsigned long long)rec->seq + 1,
			    (unsigned long long)rec->seq);
			ret = EX_DATAERR;
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
		warnx("accept: %s", pfish_strerror(r));
		return EX_DATAERR;
	}
	if (!stmt_key_matches(rec->key, pk) ||
	    strcmp(rec->mailbox, name) != 0) {
		warnx("accept: record is for %s, signed by another key?",
		    rec->mailbox);
		return EX_DATAERR;
	}
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
			ret = EX_DATAERR;
		}
		*existing = 1;
	} else if (store_head_load(s, m, &h, &hd, &hl) == 0 && rec->seq < h.low) {
		warnx("accept: seq %llu is below the head's low %llu",
		    (unsigned long long)rec->seq, (unsigned long long)h.low);
		ret = EX_DATAERR;
	}
	free(hd);
	store_record_free(&sr);
	return ret;
}

/* One delivery in progress. */
struct delivery {
	const char		*name;
	struct stmt_record	 rec;
	struct stmt_head	 h;
	struct buf		*b;	/* the signed record */
	struct buf		*head;	/* the signed head after it, if any */
	struct buf		*rest;	/* message bytes read with it */
	u_char			 hash[STMT_HASH_LEN];
	struct mbdir		 m;
	int			 existing, newepoch, fd;
	char			 tmpname[64];
};

/* A head may follow the record (pfish-signer deliver): check it now. */
static int
accept_head(const struct store *s, struct delivery *d)
{
	int r;

	if (store_fill_to(STDIN_FILENO, d->rest,
	    strlen(STORE_HEAD_START)) != 0) {
		warn("accept: reading");
		return EX_TEMPFAIL;
	}
	if (!store_starts_with(d->rest, STORE_HEAD_START))
		return 0;
	if ((d->head = buf_new_max(STORE_SIGNED_IN_MAX)) == NULL ||
	    store_read_next(STDIN_FILENO, d->head, d->rest) != 0) {
		warnx("accept: no signed head after the record");
		return EX_DATAERR;
	}
	if ((r = store_head_check(s, d->name, buf_ptr(d->head),
	    buf_len(d->head), &d->h)) != 0) {
		warnx("accept: head: %s", pfish_strerror(r));
		return EX_DATAERR;
	}
	if (strcmp(d->h.epoch, d->rec.epoch) != 0 ||
	    d->h.high < d->rec.seq) {
		warnx("accept: the head does not cover the record");
		return EX_DATAERR;
	}
	return 0;
}

/* Read and check the record, then lock the mailbox and check against it. */
static int
accept_prepare(struct store *s, struct delivery *d)
{
	size_t textlen;
	int ret;

	if ((d->b = buf_new_max(STORE_SIGNED_IN_MAX)) == NULL ||
	    (d->rest = buf_new()) == NULL)
		return 1;
	if (store_read_signed(STDIN_FILENO, d->b, d->rest) != 0) {
		warnx("accept: no signed record on stdin");
		return EX_DATAERR;
	}
	if ((ret = accept_record(s, d->name, d->b, &d->rec, &textlen)) != 0 ||
	    (ret = accept_head(s, d)) != 0)
		return ret;
	stmt_hash(buf_ptr(d->b), textlen, d->hash);
	if (mbdir_open(s, d->name, &d->m) == -1) {
		if (errno != ENOENT) {
			warn("accept: mailbox %s", d->name);
			return 1;
		}
		warnx("accept: no mailbox %s (never initialised: pfish-store "
		    "init %s)", d->name, d->name);
		return EX_NOUSER;
	}
	if (mbdir_lock(&d->m) == -1)
		return EX_TEMPFAIL;
	if ((ret = store_epoch_check(&d->m, d->rec.epoch, &d->newepoch)) != 0) {
		if (ret == EX_DATAERR)
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
		return EX_TEMPFAIL;
	}
	if (layout_seq_name(d->rec.seq, PFISH_REC_SUFFIX, recname,
	    sizeof(recname)) != 0 ||
	    layout_seq_name(d->rec.seq, PFISH_AGE_SUFFIX, agename,
	    sizeof(agename)) != 0)
		return 1;
	if (!d->existing && fs_write_atomic(d->m.rec, d->m.tmp, recname,
	    buf_ptr(d->b), buf_len(d->b), PFISH_FILE_MODE) == -1) {
		warn("accept: record");
		return EX_TEMPFAIL;
	}
	d->fd = -1;	/* fs_commit closes it either way */
	if (fs_commit(fd, d->m.tmp, d->tmpname, d->m.dir, agename) == -1) {
		warn("accept: message");
		return EX_TEMPFAIL;
	}
	printf("accepted %s %llu\n", d->name,
	    (unsigned long long)d->rec.seq);
	syslog(LOG_INFO, "accepted %s seq %llu, %llu bytes", d->name,
	    (unsigned long long)d->rec.seq, (unsigned long long)d->rec.size);
	return 0;
}

static int
accept_one(struct store *s, const char *name)
{
	struct delivery d = { .name = name, .fd = -1, .m = { .dir = -1,
	    .pf = -1, .rec = -1, .del = -1, .notes = -1, .tmp = -1 } };
	u_char sha[STMT_HASH_LEN];
	int ret = EX_DATAERR;

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
		ret = EX_DATAERR;
	} else if (d.existing && store_age_matches(&d.m, &d.rec)) {
		printf("duplicate %s %llu\n", name,
		    (unsigned long long)d.rec.seq);
		syslog(LOG_INFO, "duplicate %s seq %llu, already stored", name,
		    (unsigned long long)d.rec.seq);
		ret = 0;
	} else
		ret = accept_commit(&d);
	/* The message is in: the head that came with it, if due. */
	if (ret == 0 && d.head != NULL)
		ret = store_head_offer(s, &d.m, &d.h, d.head);
 out:
	if (d.fd != -1) {
		close(d.fd);
		unlinkat(d.m.tmp, d.tmpname, 0);
	}
	if (ret == 0 || ret == EX_DATAERR || ret == EX_NOUSER)
		drain(STDIN_FILENO);
	mbdir_close(&d.m);
	buf_free(d.b);
	buf_free(d.head);
	buf_free(d.rest);
	return ret;
}

int
store_accept(struct store *s, int argc, char **argv)
{
	(void)argc;
	return accept_one(s, argv[0]);
}
