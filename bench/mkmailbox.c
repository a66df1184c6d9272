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
 * mkmailbox.c: write a signed mailbox of N messages quickly, for benches
 * and tests.  MKMAILBOX_EPOCH (16 hex digits) and MKMAILBOX_TIME fix the
 * epoch and the records' time, so two runs write the same records.
 * MKMAILBOX_LOW sets the head's low (1 by default), as after an expiry;
 * the records and messages below it are written all the same.
 */

#include <sys/types.h>
#include <sys/stat.h>

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
#include "sshkey.h"
#include "stmt.h"

static void
put_file(const char *dir, const char *name, const void *d, size_t len)
{
	char path[1024];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		errx(1, "path too long");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
	    0600)) == -1 || fs_write_all(fd, d, len) == -1)
		err(1, "%s", path);
	close(fd);
}

static void
one_message(const struct sshkey_priv *k, const char *dir,
    struct stmt_record *r, u_char *msg, size_t size, u_char prev[32])
{
	struct buf *text, *sig;
	char name[64];

	/* Distinct content per message, still starting like an age file. */
	(void)snprintf((char *)msg + 22, size - 22, " %llu\n",
	    (unsigned long long)r->seq);
	crypto_hash_sha256(r->sha256, msg, size);
	memcpy(r->prev, prev, 32);
	r->size = size;
	if ((text = buf_new()) == NULL || (sig = buf_new()) == NULL ||
	    stmt_record_encode(r, text) != 0 ||
	    stmt_sign(k, STMT_RECORD, buf_ptr(text), buf_len(text), sig) != 0)
		errx(1, "record %llu", (unsigned long long)r->seq);
	stmt_hash(buf_ptr(text), buf_len(text), prev);
	(void)snprintf(name, sizeof(name), ".pfish/records/%012llu.rec",
	    (unsigned long long)r->seq);
	put_file(dir, name, buf_ptr(sig), buf_len(sig));
	(void)snprintf(name, sizeof(name), "%012llu.age",
	    (unsigned long long)r->seq);
	put_file(dir, name, msg, size);
	buf_free(text);
	buf_free(sig);
}

static void
make_dirs(const char *top)
{
	const char *dirs[] = { ".pfish", ".pfish/records", ".pfish/deletes",
	    ".pfish/notes", ".pfish/tmp" };
	char path[1024];
	size_t i;

	(void)mkdir(top, 0700);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", top, dirs[i]);
		(void)mkdir(path, 0700);
	}
}

static void
write_head(const struct sshkey_priv *k, const char *dir,
    const struct stmt_record *r, const u_char prev[32], uint64_t low,
    const u_char lowprev[32])
{
	struct stmt_head h;
	struct buf *text, *sig;
	char line[64];

	memset(&h, 0, sizeof(h));
	memcpy(h.mailbox, r->mailbox, sizeof(h.mailbox));
	memcpy(h.epoch, r->epoch, sizeof(h.epoch));
	memcpy(h.key, r->key, sizeof(h.key));
	h.low = low;
	memcpy(h.lowprev, lowprev, 32);
	h.high = r->seq - 1;
	memcpy(h.highhash, prev, 32);
	h.issued = (uint64_t)time(NULL);
	h.expires = h.issued + 86400;
	if ((text = buf_new()) == NULL || (sig = buf_new()) == NULL ||
	    stmt_head_encode(&h, text) != 0 ||
	    stmt_sign(k, STMT_HEAD, buf_ptr(text), buf_len(text), sig) != 0)
		errx(1, "head");
	put_file(dir, ".pfish/head", buf_ptr(sig), buf_len(sig));
	(void)snprintf(line, sizeof(line), "%s\n", r->epoch);
	put_file(dir, ".pfish/epoch", line, strlen(line));
	buf_free(text);
	buf_free(sig);
}

int
main(int argc, char **argv)
{
	struct sshkey_priv *k;
	struct stmt_record r;
	u_char prev[32] = { 0 }, lowprev[32] = { 0 }, *msg, e[8];
	unsigned long long n, size, low = 1;

	if (argc != 6 || sodium_init() < 0)
		errx(1, "usage: mkmailbox key dir mailbox count size");
	n = strtoull(argv[4], NULL, 10);
	size = strtoull(argv[5], NULL, 10);
	if (size < 64 || (msg = malloc(size)) == NULL ||
	    sshkey_load_private(argv[1], &k) != 0)
		errx(1, "bad size or key");
	memset(msg, 'x', size);
	memcpy(msg, "age-encryption.org/v1\n", 22);
	make_dirs(argv[2]);
	memset(&r, 0, sizeof(r));
	randombytes_buf(e, sizeof(e));
	sodium_bin2hex(r.epoch, sizeof(r.epoch), e, sizeof(e));
	if (getenv("MKMAILBOX_EPOCH") != NULL && strlcpy(r.epoch,
	    getenv("MKMAILBOX_EPOCH"), sizeof(r.epoch)) != 16)
		errx(1, "MKMAILBOX_EPOCH: 16 hex digits");
	(void)strlcpy(r.mailbox, argv[3], sizeof(r.mailbox));
	sshkey_fingerprint(k->pk, r.key);
	r.time = (uint64_t)time(NULL);
	if (getenv("MKMAILBOX_TIME") != NULL)
		r.time = strtoull(getenv("MKMAILBOX_TIME"), NULL, 10);
	if (getenv("MKMAILBOX_LOW") != NULL &&
	    ((low = strtoull(getenv("MKMAILBOX_LOW"), NULL, 10)) == 0 ||
	    low > n + 1))
		errx(1, "MKMAILBOX_LOW: 1 to count + 1");
	for (r.seq = 1; r.seq <= n; r.seq++) {
		if (r.seq == low)
			memcpy(lowprev, prev, sizeof(lowprev));
		one_message(k, argv[2], &r, msg, size, prev);
	}
	if (low == n + 1)
		memcpy(lowprev, prev, sizeof(lowprev));
	write_head(k, argv[2], &r, prev, low, lowprev);
	sshkey_priv_free(k);
	free(msg);
	return 0;
}
