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

/* agetool.c: drive pfish's age code from scripts (tests and benchmarks). */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "aead.h"
#include "age.h"
#include "agecrypt.h"

#define VECTOR_MAX	(32 * 1024 * 1024)

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: agetool encrypt [-R file] [-r recipient] ...\n"
	    "       agetool decrypt [-a auto|yes|no] -i identity ...\n"
	    "       agetool keygen\n"
	    "       agetool vector file [body]\n");
	exit(2);
}

/* Exit status per failure class, so scripts can compare outcomes. */
static int
class_status(int r)
{
	const char *c = age_error_class(r);

	if (strcmp(c, "header failure") == 0)
		return 10;
	if (strcmp(c, "no match") == 0)
		return 11;
	if (strcmp(c, "HMAC failure") == 0)
		return 12;
	if (strcmp(c, "payload failure") == 0)
		return 13;
	if (strcmp(c, "armor failure") == 0)
		return 14;
	return 1;
}

/* Passphrases come from the environment: this is a test driver. */
static int
env_pass(const char *prompt, char *buf, size_t len, void *arg)
{
	const char *p = getenv("AGETOOL_PASSPHRASE");

	(void)prompt;
	(void)arg;
	if (p == NULL || strlcpy(buf, p, len) >= len)
		return -1;
	return 0;
}

static int
cmd_encrypt(int argc, char **argv)
{
	struct age_recipients *rc;
	int ch, r;

	if ((rc = age_recipients_new()) == NULL)
		errx(1, "out of memory");
	while ((ch = getopt(argc, argv, "R:r:")) != -1) {
		switch (ch) {
		case 'R':
			if ((r = age_recipients_load(rc, optarg)) != 0)
				errx(1, "%s: %s", optarg, pfish_strerror(r));
			break;
		case 'r':
			if ((r = age_recipients_add(rc, optarg)) != 0)
				errx(1, "%s: %s", optarg, pfish_strerror(r));
			break;
		default:
			usage();
		}
	}
	if (optind != argc || age_recipients_count(rc) == 0)
		usage();
	if ((r = age_encrypt_fd(rc, STDIN_FILENO, STDOUT_FILENO, NULL)) != 0)
		errx(1, "encrypt: %s", pfish_strerror(r));
	age_recipients_free(rc);
	return 0;
}

static int
cmd_decrypt(int argc, char **argv)
{
	struct age_identities *ids;
	struct age_opts opts;
	int ch, r;

	memset(&opts, 0, sizeof(opts));
	if ((ids = age_identities_new()) == NULL)
		errx(1, "out of memory");
	while ((ch = getopt(argc, argv, "a:i:")) != -1) {
		switch (ch) {
		case 'a':
			if (strcmp(optarg, "yes") == 0)
				opts.armor = AGE_ARMOR_YES;
			else if (strcmp(optarg, "no") == 0)
				opts.armor = AGE_ARMOR_NO;
			else if (strcmp(optarg, "auto") != 0)
				usage();
			break;
		case 'i':
			if ((r = age_identities_load(ids, optarg, env_pass,
			    NULL)) != 0)
				errx(1, "%s: %s", optarg, pfish_strerror(r));
			break;
		default:
			usage();
		}
	}
	if (optind != argc || age_identities_count(ids) == 0)
		usage();
	r = age_decrypt_fd(ids, STDIN_FILENO, STDOUT_FILENO, &opts);
	age_identities_free(ids);
	if (r != 0) {
		warnx("decrypt: %s: %s", age_error_class(r), pfish_strerror(r));
		return class_status(r);
	}
	return 0;
}

static int
cmd_keygen(void)
{
	char sk[AGE_IDENTITY_STR_MAX], pk[AGE_RECIPIENT_STR_MAX];
	int r;

	if ((r = age_x25519_generate(sk, pk)) != 0)
		errx(1, "keygen: %s", pfish_strerror(r));
	printf("# public key: %s\n%s\n", pk, sk);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

static u_char *
slurp(const char *path, size_t *lenp)
{
	u_char *data;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	if ((data = malloc(VECTOR_MAX + 1)) == NULL)
		err(1, "malloc");
	while ((n = read(fd, data + len, VECTOR_MAX - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		err(1, "%s", path);
	if (len == VECTOR_MAX)
		errx(1, "%s: too large", path);
	close(fd);
	data[len] = '\0';
	*lenp = len;
	return data;
}

struct vector {
	const char	*name;
	char		 expect[32];
	char		 payload[65];
	int		 armored;
	int		 compressed;
	const char	*unsupported;	/* why it cannot run, or NULL */
	struct age_identities *ids;
};

/* One "key: value" line of a vector's header. */
static void
vector_field(struct vector *v, char *line)
{
	char *val;
	int r;

	if ((val = strstr(line, ": ")) == NULL)
		errx(1, "%s: bad header line", v->name);
	*val = '\0';
	val += 2;
	if (strcmp(line, "expect") == 0)
		strlcpy(v->expect, val, sizeof(v->expect));
	else if (strcmp(line, "payload") == 0)
		strlcpy(v->payload, val, sizeof(v->payload));
	else if (strcmp(line, "armored") == 0)
		v->armored = strcmp(val, "yes") == 0;
	else if (strcmp(line, "compressed") == 0)
		v->compressed = 1;
	else if (strcmp(line, "passphrase") == 0)
		v->unsupported = "scrypt passphrase recipient "
		    "(pfish decrypts with X25519 and ssh-ed25519 keys only)";
	else if (strcmp(line, "identity") == 0) {
		if (strncmp(val, "AGE-SECRET-KEY-PQ-", 18) == 0)
			v->unsupported = "hybrid ML-KEM recipient "
			    "(pfish decrypts with X25519 and ssh-ed25519 keys "
			    "only)";
		else if ((r = age_identities_add_x25519(v->ids, val)) != 0)
			errx(1, "%s: identity: %s", v->name, pfish_strerror(r));
	}
}

/* Split the header lines off; returns where the age file starts. */
static size_t
vector_parse(struct vector *v, u_char *data, size_t len)
{
	char *p = (char *)data, *nl;

	for (;;) {
		if ((nl = memchr(p, '\n', len - (size_t)(p - (char *)data))) ==
		    NULL)
			errx(1, "%s: no blank line", v->name);
		if (nl == p)
			return (size_t)(nl + 1 - (char *)data);
		*nl = '\0';
		vector_field(v, p);
		p = nl + 1;
	}
}

static int
cmd_vector(int argc, char **argv)
{
	struct vector v;
	struct age_opts opts;
	u_char *data, *body;
	char hex[65];
	const char *got;
	size_t len, off, bodylen;
	int r, null, ok;

	if (argc != 2 && argc != 3)
		usage();
	memset(&v, 0, sizeof(v));
	memset(&opts, 0, sizeof(opts));
	v.name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	if ((v.ids = age_identities_new()) == NULL)
		errx(1, "out of memory");
	data = slurp(argv[1], &len);
	off = vector_parse(&v, data, len);
	body = data + off;
	bodylen = len - off;
	if (argc == 3)
		body = slurp(argv[2], &bodylen);
	else if (v.compressed)
		errx(1, "%s: compressed body needs a decompressed copy",
		    v.name);
	if (v.unsupported != NULL) {
		printf("ok %s # SKIP %s\n", v.name, v.unsupported);
		age_identities_free(v.ids);
		if (body != data + off)
			free(body);
		free(data);
		return 0;
	}
	if ((null = open("/dev/null", O_WRONLY)) == -1)
		err(1, "/dev/null");
	opts.armor = v.armored ? AGE_ARMOR_YES : AGE_ARMOR_NO;
	opts.want_sha256 = 1;
	r = age_decrypt_mem(v.ids, body, bodylen, null, &opts);
	sodium_bin2hex(hex, sizeof(hex), opts.sha256, sizeof(opts.sha256));
	got = r == 0 ? "success" : age_error_class(r);
	/* On failure, the plaintext released before it must match too. */
	ok = strcmp(got, v.expect) == 0 &&
	    (v.payload[0] == '\0' || strcmp(hex, v.payload) == 0);
	printf("%s %s", ok ? "ok" : "not ok", v.name);
	if (!ok)
		printf(" # expected %s, got %s (%s)", v.expect, got,
		    strcmp(got, v.expect) == 0 ? "plaintext differs" :
		    pfish_strerror(r));
	printf("\n");
	age_identities_free(v.ids);
	if (body != data + off)
		free(body);
	free(data);
	close(null);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *e;

	if (sodium_init() < 0)
		errx(1, "sodium_init");
	/* libcrypto's ChaCha20-Poly1305 from the first byte (lib/aead.c). */
	if ((e = getenv("AGETOOL_AEAD")) != NULL && strcmp(e, "libcrypto") ==
	    0 && aead_bulk_now() != 0)
		errx(1, "cannot open libcrypto");
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "encrypt") == 0)
		return cmd_encrypt(argc - 1, argv + 1);
	if (strcmp(argv[1], "decrypt") == 0)
		return cmd_decrypt(argc - 1, argv + 1);
	if (strcmp(argv[1], "keygen") == 0 && argc == 2)
		return cmd_keygen();
	if (strcmp(argv[1], "vector") == 0)
		return cmd_vector(argc - 1, argv + 1);
	usage();
}
