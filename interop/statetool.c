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

/* statetool.c: writes a large signed store quickly, for paging tests. */

/*
 * usage: statetool MAILBOXDIR FIRST LAST SIGNERKEY
 *
 * Continues the store in MAILBOXDIR (made by pfish-store init and at least
 * one real delivery, so .pfish/epoch and record FIRST-1 exist) with
 * records FIRST..LAST, each chained to the one before and signed by
 * SIGNERKEY, a small .age per record, and a head over 1..LAST valid for a
 * day.  Files are written the plain way (no fsync): this is test data.
 */

#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
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
#include "sshkey.h"
#include "stmt.h"

struct tool {
	int			 dir;
	int			 rec;
	struct sshkey_priv	*key;
	char			 mailbox[PFISH_MAILBOX_MAX + 1];
	char			 epoch[STMT_EPOCH_LEN + 1];
	char			 fp[SSHKEY_FP_LEN];
	u_char			 prev[STMT_HASH_LEN];
	uint64_t		 now;
};

static void
put(int dfd, const char *name, const void *data, size_t len)
{
	int fd;

	if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
	    0644)) == -1 || fs_write_all(fd, data, len) == -1 || close(fd) == -1)
		err(1, "%s", name);
}

/* Epoch and the hash of record first-1 (zeros before record 1). */
static void
load_start(struct tool *t, uint64_t first)
{
	u_char *data;
	char name[32];
	size_t len;

	if (fs_read_file(t->dir, ".pfish/epoch", 64, &data, &len) == -1 ||
	    len != STMT_EPOCH_LEN + 1)
		errx(1, "no epoch in the mailbox");
	memcpy(t->epoch, data, STMT_EPOCH_LEN);
	free(data);
	memset(t->prev, 0, sizeof(t->prev));
	if (first == 1)
		return;
	if (layout_seq_name(first - 1, PFISH_REC_SUFFIX, name, sizeof(name)) != 0 ||
	    fs_read_file(t->rec, name, STMT_SIGNED_MAX, &data, &len) == -1 ||
	    stmt_signed_hash(data, len, t->prev) != 0)
		errx(1, "no record %llu", (unsigned long long)first - 1);
	free(data);
}

static void
one_record(struct tool *t, uint64_t seq, struct buf *text, struct buf *out)
{
	struct stmt_record r;
	char age[64], name[32];
	int n;

	n = snprintf(age, sizeof(age), "age-encryption.org/v1 %llu\n",
	    (unsigned long long)seq);
	if (n < 0 || (size_t)n >= sizeof(age))
		errx(1, "snprintf");
	memset(&r, 0, sizeof(r));
	strlcpy(r.mailbox, t->mailbox, sizeof(r.mailbox));
	strlcpy(r.epoch, t->epoch, sizeof(r.epoch));
	strlcpy(r.key, t->fp, sizeof(r.key));
	r.seq = seq;
	memcpy(r.prev, t->prev, STMT_HASH_LEN);
	r.time = t->now;
	r.size = (uint64_t)n;
	crypto_hash_sha256(r.sha256, (const u_char *)age, (size_t)n);
	buf_reset(text);
	buf_reset(out);
	if (stmt_record_encode(&r, text) != 0 ||
	    stmt_sign(t->key, STMT_RECORD, buf_ptr(text), buf_len(text),
	    out) != 0)
		errx(1, "record %llu", (unsigned long long)seq);
	stmt_hash(buf_ptr(text), buf_len(text), t->prev);
	if (layout_seq_name(seq, PFISH_REC_SUFFIX, name, sizeof(name)) != 0)
		errx(1, "name");
	put(t->rec, name, buf_ptr(out), buf_len(out));
	if (layout_seq_name(seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0)
		errx(1, "name");
	put(t->dir, name, age, (size_t)n);
}

static void
write_head(struct tool *t, uint64_t high)
{
	struct stmt_head h;
	struct buf *text, *out;

	memset(&h, 0, sizeof(h));
	strlcpy(h.mailbox, t->mailbox, sizeof(h.mailbox));
	strlcpy(h.epoch, t->epoch, sizeof(h.epoch));
	strlcpy(h.key, t->fp, sizeof(h.key));
	h.low = 1;
	h.high = high;
	memcpy(h.highhash, t->prev, STMT_HASH_LEN);
	h.issued = t->now;
	h.expires = t->now + 86400;
	if ((text = buf_new()) == NULL || (out = buf_new()) == NULL ||
	    stmt_head_encode(&h, text) != 0 ||
	    stmt_sign(t->key, STMT_HEAD, buf_ptr(text), buf_len(text),
	    out) != 0)
		errx(1, "head");
	put(t->dir, ".pfish/head", buf_ptr(out), buf_len(out));
	buf_free(text);
	buf_free(out);
}

int
main(int argc, char **argv)
{
	struct tool t;
	struct buf *text, *out;
	const char *errstr, *base;
	uint64_t first, last, seq;

	if (argc != 5)
		errx(2, "usage: statetool MAILBOXDIR FIRST LAST SIGNERKEY");
	if (sodium_init() < 0)
		errx(1, "sodium_init");
	memset(&t, 0, sizeof(t));
	first = (uint64_t)strtonum(argv[2], 1, 1000000, &errstr);
	if (errstr == NULL)
		last = (uint64_t)strtonum(argv[3], 1, 1000000, &errstr);
	if (errstr != NULL || last < first)
		errx(2, "bad range");
	base = strrchr(argv[1], '/') != NULL ? strrchr(argv[1], '/') + 1 :
	    argv[1];
	strlcpy(t.mailbox, base, sizeof(t.mailbox));
	if ((t.dir = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1 ||
	    (t.rec = openat(t.dir, PFISH_RECORDS_DIR, O_RDONLY |
	    O_DIRECTORY)) == -1)
		err(1, "%s", argv[1]);
	if (sshkey_load_private(argv[4], &t.key) != 0)
		errx(1, "%s: cannot load key", argv[4]);
	sshkey_fingerprint(t.key->pk, t.fp);
	t.now = (uint64_t)time(NULL);
	load_start(&t, first);
	if ((text = buf_new()) == NULL || (out = buf_new()) == NULL)
		errx(1, "buf_new");
	for (seq = first; seq <= last; seq++)
		one_record(&t, seq, text, out);
	write_head(&t, last);
	buf_free(text);
	buf_free(out);
	sshkey_priv_free(t.key);
	return 0;
}
