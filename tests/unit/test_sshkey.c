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

/* test_sshkey.c: unit tests for OpenSSH ed25519 key formats (sshkey.c). */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "buf.h"
#include "sshkey.h"
#include "testlib.h"

/* Fixtures made with ssh-keygen; fingerprints as ssh-keygen -lf prints. */
#define FP_A	"SHA256:w2QupaKecqRMK+hCZS1K8naKECF0MlEHk6WHneV0kFE"
#define FP_B	"SHA256:8aZZG73IOTgtvR1lWoc89KslT/cXGoxLvEUqU8s+Qco"
#define COMMENT_A "pfish test key A (test only)"
#define PUB_A	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3" \
		"qNCxKjCKSErcT7G18df6"

static void
test_public_file_and_fingerprint(void **state)
{
	u_char pk[SSHKEY_ED25519_PK], pkb[SSHKEY_ED25519_PK];
	char fp[SSHKEY_FP_LEN], *comment;

	(void)state;
	assert_int_equal(sshkey_load_public(tl_data_path("test_ed25519.pub"),
	    pk, &comment), 0);
	assert_string_equal(comment, COMMENT_A);
	sshkey_fingerprint(pk, fp);
	assert_string_equal(fp, FP_A);
	assert_int_equal(strlen(fp) + 1, SSHKEY_FP_LEN);
	free(comment);
	assert_int_equal(sshkey_load_public(tl_data_path("test_ed25519_b.pub"),
	    pkb, NULL), 0);
	sshkey_fingerprint(pkb, fp);
	assert_string_equal(fp, FP_B);
	assert_memory_not_equal(pk, pkb, sizeof(pk));
}

static void
test_public_format_roundtrip(void **state)
{
	u_char pk[SSHKEY_ED25519_PK], pk2[SSHKEY_ED25519_PK];
	char *line, *file;
	const char *end;
	size_t len;

	(void)state;
	file = tl_data_file("test_ed25519.pub", &len);
	assert_int_equal(sshkey_pub_parse_line(file, pk, &end), 0);
	assert_string_equal(end, " " COMMENT_A "\n");
	assert_int_equal(sshkey_pub_format(pk, COMMENT_A, &line), 0);
	file[len - 1] = '\0';		/* drop the newline */
	assert_string_equal(line, file);
	free(line);
	assert_int_equal(sshkey_pub_format(pk, NULL, &line), 0);
	assert_string_equal(line, PUB_A);
	assert_int_equal(sshkey_pub_parse_line(line, pk2, &end), 0);
	assert_memory_equal(pk, pk2, sizeof(pk));
	assert_string_equal(end, "");
	free(line);
	free(file);
}

static void
test_public_line_variants(void **state)
{
	u_char pk[SSHKEY_ED25519_PK];
	const char *end;

	(void)state;
	assert_int_equal(sshkey_pub_parse_line("  " PUB_A, pk, NULL), 0);
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519\t\t"
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8df6\r\n", pk, &end), 0);
	assert_string_equal(end, "\r\n");
	/* Wrong type outside, mismatched type inside, damage. */
	assert_int_equal(sshkey_pub_parse_line("ssh-rsa AAAA", pk, NULL),
	    SSHKEY_ERR_TYPE);
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519x "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8df6", pk, NULL), SSHKEY_ERR_TYPE);
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519", pk, NULL),
	    SSHKEY_ERR_FORMAT);
	assert_int_equal(sshkey_pub_parse_line("", pk, NULL),
	    SSHKEY_ERR_FORMAT);
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8df6=", pk, NULL), SSHKEY_ERR_FORMAT);	/* stray padding */
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8d-6", pk, NULL), SSHKEY_ERR_FORMAT);	/* url-safe alphabet */
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8d", pk, NULL), SSHKEY_ERR_FORMAT);	/* truncated */
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519 "
	    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC", pk, NULL), SSHKEY_ERR_FORMAT);
	assert_int_equal(sshkey_pub_parse_line("ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3qNCxKjCKSErcT7G1"
	    "8df6AA==", pk, NULL), SSHKEY_ERR_FORMAT);	/* trailing data */
	assert_true(sodium_is_zero(pk, sizeof(pk)));
}

static void
test_blob(void **state)
{
	u_char pk[SSHKEY_ED25519_PK], pk2[SSHKEY_ED25519_PK];
	struct buf *b;
	size_t i;

	(void)state;
	assert_int_equal(sshkey_pub_parse_line(PUB_A, pk, NULL), 0);
	assert_non_null(b = buf_new());
	assert_int_equal(sshkey_pub_to_blob(pk, b), 0);
	assert_int_equal(buf_len(b), 51);
	assert_int_equal(sshkey_pub_from_blob(buf_ptr(b), buf_len(b), pk2), 0);
	assert_memory_equal(pk, pk2, sizeof(pk));
	for (i = 0; i < buf_len(b); i++)
		assert_int_not_equal(sshkey_pub_from_blob(buf_ptr(b), i, pk2),
		    0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(sshkey_pub_from_blob(buf_ptr(b), buf_len(b), pk2),
	    SSHKEY_ERR_FORMAT);
	buf_free(b);
}

static void
test_rsa_public_rejected(void **state)
{
	u_char pk[SSHKEY_ED25519_PK];

	(void)state;
	assert_int_equal(sshkey_load_public(tl_data_path("test_rsa.pub"), pk,
	    NULL), SSHKEY_ERR_TYPE);
}

static void
test_private_file(void **state)
{
	struct sshkey_priv *k;
	u_char pk[SSHKEY_ED25519_PK];

	(void)state;
	assert_int_equal(sshkey_load_public(tl_data_path("test_ed25519.pub"),
	    pk, NULL), 0);
	assert_int_equal(sshkey_load_private(tl_data_path("test_ed25519"), &k),
	    0);
	assert_memory_equal(k->pk, pk, sizeof(pk));
	assert_memory_equal(k->sk + 32, pk, sizeof(pk));
	assert_string_equal(k->comment, COMMENT_A);
	sshkey_priv_free(k);
	sshkey_priv_free(NULL);
}

static void
test_private_encrypted(void **state)
{
	struct sshkey_priv *k = (struct sshkey_priv *)1;

	(void)state;
	assert_int_equal(sshkey_load_private(tl_data_path("test_ed25519_enc"),
	    &k), SSHKEY_ERR_ENCRYPTED);
	assert_null(k);
}

/* Offsets in fixture A's decoded private key blob. */
#define OFF_NKEYS	38	/* low byte of nkeys */
#define OFF_CHECK2	102
#define OFF_INNER_PK	125
#define OFF_SEED	161
#define OFF_SK_PK	193
#define OFF_COMMENT	229	/* 28 bytes of comment text */

static u_char *
decode_priv(size_t *lenp)
{
	char *text, *body, *end;
	u_char *blob;
	size_t len;

	text = tl_data_file("test_ed25519", &len);
	body = strchr(text, '\n') + 1;
	assert_non_null(end = strstr(body, "-----END"));
	assert_non_null(blob = malloc(len));
	assert_int_equal(sodium_base642bin(blob, len, body,
	    (size_t)(end - body), "\n", lenp, NULL,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	free(text);
	return blob;
}

/* Armor a blob the way ssh-keygen does; eol is "\n" or "\r\n". */
static char *
armor_priv(const u_char *blob, size_t len, const char *eol, size_t *outlen)
{
	struct buf *b;
	char *b64, *s;
	size_t blen, i;

	assert_non_null(b = buf_new());
	blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	assert_non_null(b64 = malloc(blen));
	sodium_bin2base64(b64, blen, blob, len, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(buf_putf(b, "-----BEGIN OPENSSH PRIVATE KEY-----%s",
	    eol), 0);
	for (i = 0; i < strlen(b64); i += 70)
		assert_int_equal(buf_putf(b, "%.70s%s", b64 + i, eol), 0);
	assert_int_equal(buf_putf(b, "-----END OPENSSH PRIVATE KEY-----%s",
	    eol), 0);
	assert_non_null(s = buf_dup_string(b));
	*outlen = strlen(s);
	free(b64);
	buf_free(b);
	return s;
}

static int
parse_blob_priv(const u_char *blob, size_t len)
{
	struct sshkey_priv *k = NULL;
	char *text;
	size_t tlen;
	int r;

	text = armor_priv(blob, len, "\n", &tlen);
	r = sshkey_parse_private((u_char *)text, tlen, &k);
	assert_true((r == 0) == (k != NULL));
	sshkey_priv_free(k);
	free(text);
	return r;
}

static void
test_private_tampered(void **state)
{
	u_char *blob;
	size_t len, i;

	(void)state;
	blob = decode_priv(&len);
	assert_int_equal(len, 98 + 160);
	assert_int_equal(parse_blob_priv(blob, len), 0);
	blob[OFF_CHECK2] ^= 1;
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_CHECK);
	blob[OFF_CHECK2] ^= 1;
	blob[OFF_INNER_PK] ^= 1;
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_CHECK);
	blob[OFF_INNER_PK] ^= 1;
	blob[OFF_SK_PK] ^= 1;
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_CHECK);
	blob[OFF_SK_PK] ^= 1;
	blob[OFF_SEED] ^= 1;
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_CHECK);
	blob[OFF_SEED] ^= 1;
	blob[len - 1] = 2;		/* padding must be 1, 2, 3, ... */
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_FORMAT);
	blob[len - 1] = 1;
	blob[OFF_NKEYS] = 2;
	assert_int_equal(parse_blob_priv(blob, len), SSHKEY_ERR_FORMAT);
	blob[OFF_NKEYS] = 1;
	/* Every bit flip outside the comment text is caught. */
	for (i = 0; i < len; i++) {
		if (i >= OFF_COMMENT && i < OFF_COMMENT + 28)
			continue;
		blob[i] ^= 0x40;
		assert_int_not_equal(parse_blob_priv(blob, len), 0);
		blob[i] ^= 0x40;
	}
	for (i = 0; i < len; i++)
		assert_int_not_equal(parse_blob_priv(blob, i), 0);
	assert_int_equal(parse_blob_priv(blob, len), 0);
	free(blob);
}

static void
test_private_armor(void **state)
{
	struct sshkey_priv *k;
	u_char *blob;
	char *text, *bad;
	size_t len, tlen;

	(void)state;
	blob = decode_priv(&len);
	text = armor_priv(blob, len, "\r\n", &tlen);
	assert_int_equal(sshkey_parse_private((u_char *)text, tlen, &k), 0);
	sshkey_priv_free(k);
	free(text);
	text = armor_priv(blob, len, "\n", &tlen);
	/* Without the end line; with junk after it; without a begin line. */
	assert_int_equal(sshkey_parse_private((u_char *)text, tlen - 34, &k),
	    SSHKEY_ERR_FORMAT);
	assert_non_null(bad = malloc(tlen + 2));
	memcpy(bad, text, tlen);
	memcpy(bad + tlen, "x", 2);
	assert_int_equal(sshkey_parse_private((u_char *)bad, tlen + 1, &k),
	    SSHKEY_ERR_FORMAT);
	assert_int_equal(sshkey_parse_private((u_char *)text + 1, tlen - 1,
	    &k), SSHKEY_ERR_FORMAT);
	/* Every truncation fails cleanly, none reads past the end. */
	for (len = 0; len < tlen - 1; len++) {
		memcpy(bad, text, len);
		assert_int_not_equal(sshkey_parse_private((u_char *)bad, len,
		    &k), 0);
		assert_null(k);
	}
	free(bad);
	free(text);
	free(blob);
}

static void
test_files_refused(void **state)
{
	char dir[] = "/tmp/pfish-sshkey.XXXXXX", path[4200], link[4200];
	struct sshkey_priv *k;
	u_char pk[SSHKEY_ED25519_PK], *data;
	size_t len;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(tl_data_path("test_ed25519"), link), 0);
	assert_int_equal(sshkey_load_private(link, &k), SSHKEY_ERR_IO);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(sshkey_load_public(dir, pk, NULL), SSHKEY_ERR_IO);
	snprintf(path, sizeof(path), "%s/big", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, SSHKEY_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(sshkey_load_public(path, pk, NULL), SSHKEY_ERR_IO);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(sshkey_read_file(path, SSHKEY_FILE_MAX + 1, 0, &data,
	    &len), 0);
	assert_int_equal(len, SSHKEY_FILE_MAX + 1);
	sshkey_file_free(data, len, 0);
	unlink(path);
	unlink(link);
	rmdir(dir);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(pfish_strerror(SSHKEY_ERR_ENCRYPTED),
	    "private key is passphrase-protected");
	assert_string_equal(pfish_strerror(-999), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_file_and_fingerprint),
		cmocka_unit_test(test_public_format_roundtrip),
		cmocka_unit_test(test_public_line_variants),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_rsa_public_rejected),
		cmocka_unit_test(test_private_file),
		cmocka_unit_test(test_private_encrypted),
		cmocka_unit_test(test_private_tampered),
		cmocka_unit_test(test_private_armor),
		cmocka_unit_test(test_files_refused),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
