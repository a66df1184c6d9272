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

/* sigtool.c: command-line driver of pfish's key, sshsig and trust code. */

#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "sshkey.h"
#include "sshsig.h"
#include "trust.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sigtool sign KEY NS < msg\n"
	    "       sigtool verify ALLOWED_SIGNERS PRINCIPAL NS SIGFILE"
	    " [TIME] < msg\n"
	    "       sigtool verifykey PUBFILE NS SIGFILE < msg\n"
	    "       sigtool fp PUBFILE | pub KEY | check ALLOWED_SIGNERS\n");
	exit(2);
}

static struct buf *
read_stdin(void)
{
	struct buf *b;
	u_char *p;
	ssize_t n;

	if ((b = buf_new()) == NULL)
		errx(1, "out of memory");
	for (;;) {
		if (buf_reserve(b, 65536, &p) != 0)
			errx(1, "message too large");
		while ((n = read(STDIN_FILENO, p, 65536)) == -1 &&
		    errno == EINTR)
			;
		if (n == -1)
			err(1, "read");
		buf_consume_end(b, 65536 - (size_t)n);
		if (n == 0)
			return b;
	}
}

static int
cmd_sign(const char *keyfile, const char *ns)
{
	struct sshkey_priv *k;
	struct buf *msg, *out;
	int r;

	if ((r = sshkey_load_private(keyfile, &k)) != 0)
		errx(1, "%s: %s", keyfile, pfish_strerror(r));
	msg = read_stdin();
	if ((out = buf_new()) == NULL)
		errx(1, "out of memory");
	if ((r = sshsig_sign(k, ns, buf_ptr(msg), buf_len(msg), out)) != 0)
		errx(1, "sign: %s", pfish_strerror(r));
	if (fwrite(buf_ptr(out), 1, buf_len(out), stdout) != buf_len(out))
		err(1, "write");
	sshkey_priv_free(k);
	buf_free(msg);
	buf_free(out);
	return 0;
}

/* Verify the signature in sigfile over stdin; the signer's key in pk. */
static void
verify_sig(const char *sigfile, const char *ns, u_char pk[SSHKEY_ED25519_PK])
{
	struct buf *msg;
	u_char *sig;
	size_t siglen;
	int r;

	if ((r = sshkey_read_file(sigfile, SSHKEY_FILE_MAX, 0, &sig,
	    &siglen)) != 0)
		err(1, "%s", sigfile);
	msg = read_stdin();
	if ((r = sshsig_verify((char *)sig, siglen, ns, buf_ptr(msg),
	    buf_len(msg), pk)) != 0)
		errx(1, "verify: %s", pfish_strerror(r));
	sshkey_file_free(sig, siglen, 0);
	buf_free(msg);
}

static int
principal_listed(const char *list, const char *want)
{
	size_t n = strlen(want);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, want, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static int
cmd_verify(char **argv, int argc)
{
	struct trust *t;
	u_char pk[SSHKEY_ED25519_PK];
	char ebuf[256], fp[SSHKEY_FP_LEN];
	const char *principal, *errstr;
	uint64_t now = (uint64_t)time(NULL);
	int r;

	if (argc == 5) {
		now = strtonum(argv[4], 0, INT64_MAX, &errstr);
		if (errstr != NULL)
			errx(1, "time %s: %s", argv[4], errstr);
	}
	if ((r = trust_load(argv[0], &t, ebuf, sizeof(ebuf))) != 0)
		errx(1, "%s", ebuf);
	verify_sig(argv[3], argv[2], pk);
	if ((r = trust_check(t, pk, argv[2], now, &principal)) != 0)
		errx(1, "signer not trusted");
	if (strcmp(argv[1], "-") != 0 && !principal_listed(principal, argv[1]))
		errx(1, "signer is not principal %s", argv[1]);
	sshkey_fingerprint(pk, fp);
	printf("Good signature for \"%s\" with ED25519 key %s\n", principal, fp);
	trust_free(t);
	return 0;
}

static int
cmd_verifykey(const char *pubfile, const char *ns, const char *sigfile)
{
	u_char want[SSHKEY_ED25519_PK], pk[SSHKEY_ED25519_PK];
	int r;

	if ((r = sshkey_load_public(pubfile, want, NULL)) != 0)
		errx(1, "%s: %s", pubfile, pfish_strerror(r));
	verify_sig(sigfile, ns, pk);
	if (memcmp(pk, want, sizeof(pk)) != 0)
		errx(1, "signed by another key");
	printf("Good signature\n");
	return 0;
}

static int
cmd_fp(const char *pubfile)
{
	u_char pk[SSHKEY_ED25519_PK];
	char fp[SSHKEY_FP_LEN], *comment;
	int r;

	if ((r = sshkey_load_public(pubfile, pk, &comment)) != 0)
		errx(1, "%s: %s", pubfile, pfish_strerror(r));
	sshkey_fingerprint(pk, fp);
	printf("%s %s\n", fp, comment);
	free(comment);
	return 0;
}

static int
cmd_pub(const char *keyfile)
{
	struct sshkey_priv *k;
	char *line;
	int r;

	if ((r = sshkey_load_private(keyfile, &k)) != 0)
		errx(1, "%s: %s", keyfile, pfish_strerror(r));
	if ((r = sshkey_pub_format(k->pk, k->comment, &line)) != 0)
		errx(1, "%s", pfish_strerror(r));
	printf("%s\n", line);
	free(line);
	sshkey_priv_free(k);
	return 0;
}

static int
cmd_check(const char *path)
{
	struct trust *t;
	char ebuf[256];

	if (trust_load(path, &t, ebuf, sizeof(ebuf)) != 0)
		errx(1, "%s", ebuf);
	printf("%zu\n", trust_count(t));
	trust_free(t);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "sign") == 0 && argc == 4)
		return cmd_sign(argv[2], argv[3]);
	if (strcmp(argv[1], "verify") == 0 && (argc == 6 || argc == 7))
		return cmd_verify(argv + 2, argc - 2);
	if (strcmp(argv[1], "verifykey") == 0 && argc == 5)
		return cmd_verifykey(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "fp") == 0 && argc == 3)
		return cmd_fp(argv[2]);
	if (strcmp(argv[1], "pub") == 0 && argc == 3)
		return cmd_pub(argv[2]);
	if (strcmp(argv[1], "check") == 0 && argc == 3)
		return cmd_check(argv[2]);
	usage();
	return 2;
}
