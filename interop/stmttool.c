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

/* stmttool.c: command-line driver of pfish's statement code for tests. */

#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "sshkey.h"
#include "stmt.h"
#include "trust.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: stmttool verify record|head|delete TRUSTFILE < signed\n"
	    "       stmttool sign record|head|delete KEY < text\n"
	    "       stmttool texthash < signed\n"
	    "       stmttool delete MAILBOX EPOCH SEEN SEENHASH TIME KEYFP "
	    "SEQ:HASH ...\n");
	exit(2);
}

static struct buf *
read_stdin(void)
{
	struct buf *b;
	u_char chunk[4096];
	ssize_t n;

	if ((b = buf_new()) == NULL)
		err(1, "buf_new");
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		if (buf_put(b, chunk, (size_t)n) != 0)
			errx(1, "stdin too large");
	if (n < 0)
		err(1, "read");
	return b;
}

static enum stmt_type
type_of(const char *s)
{
	if (strcmp(s, "record") == 0)
		return STMT_RECORD;
	if (strcmp(s, "head") == 0)
		return STMT_HEAD;
	if (strcmp(s, "delete") == 0)
		return STMT_DELETE;
	usage();
	return STMT_NOTE;
}

/* Verify signature, trust, canonical text and the key field. */
static int
cmd_verify(enum stmt_type t, const char *trustfile)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct stmt_delete del;
	struct trust *tr;
	struct buf *b = read_stdin();
	u_char pk[SSHKEY_ED25519_PK];
	const char *key;
	char errbuf[256];
	size_t tl;
	int r;

	if (trust_load(trustfile, &tr, errbuf, sizeof(errbuf)) != 0)
		errx(1, "%s: %s", trustfile, errbuf);
	if ((r = stmt_verify_signed(buf_ptr(b), buf_len(b), t, tr,
	    (uint64_t)time(NULL), &tl, pk)) != 0)
		errx(1, "verify: %s", pfish_strerror(r));
	if (t == STMT_RECORD) {
		r = stmt_record_parse(buf_ptr(b), tl, &rec);
		key = rec.key;
	} else if (t == STMT_HEAD) {
		r = stmt_head_parse(buf_ptr(b), tl, &head);
		key = head.key;
	} else {
		memset(&del, 0, sizeof(del));
		r = stmt_delete_parse(buf_ptr(b), tl, &del);
		key = del.key;
	}
	if (r != 0)
		errx(1, "parse: %s", pfish_strerror(r));
	if (!stmt_key_matches(key, pk))
		errx(1, "key field does not name the signer");
	if (t == STMT_DELETE)
		stmt_delete_clear(&del);
	printf("good %s\n", stmt_namespace(t));
	trust_free(tr);
	buf_free(b);
	return 0;
}

static int
cmd_sign(enum stmt_type t, const char *keyfile)
{
	struct sshkey_priv *key;
	struct buf *b = read_stdin(), *out;
	int r;

	if ((r = sshkey_load_private(keyfile, &key)) != 0)
		errx(1, "%s: %s", keyfile, pfish_strerror(r));
	if ((out = buf_new()) == NULL ||
	    (r = stmt_sign(key, t, buf_ptr(b), buf_len(b), out)) != 0)
		errx(1, "sign: %s", pfish_strerror(r));
	fwrite(buf_ptr(out), 1, buf_len(out), stdout);
	sshkey_priv_free(key);
	buf_free(out);
	buf_free(b);
	return 0;
}

static int
cmd_texthash(void)
{
	struct buf *b = read_stdin();
	u_char h[STMT_HASH_LEN];
	char hex[65];
	size_t tl;

	if (stmt_split_signed(buf_ptr(b), buf_len(b), &tl) != 0)
		errx(1, "not a signed statement");
	stmt_hash(buf_ptr(b), tl, h);
	stmt_hash_hex(h, hex);
	printf("%s\n", hex);
	buf_free(b);
	return 0;
}

static int
cmd_delete(int argc, char **argv)
{
	struct stmt_delete d;
	struct buf *out;
	char *colon;
	int i, r = STMT_ERR_ALLOC;

	memset(&d, 0, sizeof(d));
	if (argc < 7)
		usage();
	strlcpy(d.mailbox, argv[0], sizeof(d.mailbox));
	strlcpy(d.epoch, argv[1], sizeof(d.epoch));
	if (stmt_u64_from_dec(argv[2], &d.seen) != 0 ||
	    stmt_hash_from_hex(argv[3], d.seenhash) != 0 ||
	    stmt_u64_from_dec(argv[4], &d.time) != 0)
		errx(1, "bad seen, hash or time");
	strlcpy(d.key, argv[5], sizeof(d.key));
	if ((d.del = calloc((size_t)argc, sizeof(*d.del))) == NULL)
		err(1, "calloc");
	for (i = 6; i < argc; i++) {
		if ((colon = strchr(argv[i], ':')) == NULL)
			errx(1, "want SEQ:HASH");
		*colon = '\0';
		if (stmt_u64_from_dec(argv[i], &d.del[d.ndel].seq) != 0 ||
		    stmt_hash_from_hex(colon + 1, d.del[d.ndel].hash) != 0)
			errx(1, "bad SEQ:HASH");
		d.ndel++;
	}
	if ((out = buf_new()) == NULL ||
	    (r = stmt_delete_encode(&d, out)) != 0)
		errx(1, "encode: %s", pfish_strerror(r));
	fwrite(buf_ptr(out), 1, buf_len(out), stdout);
	stmt_delete_clear(&d);
	buf_free(out);
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		errx(1, "sodium_init");
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(type_of(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(type_of(argv[2]), argv[3]);
	if (argc == 2 && strcmp(argv[1], "texthash") == 0)
		return cmd_texthash();
	if (argc >= 2 && strcmp(argv[1], "delete") == 0)
		return cmd_delete(argc - 2, argv + 2);
	usage();
	return 2;
}
