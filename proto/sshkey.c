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

/* sshkey.c: OpenSSH ed25519 public key lines, blobs and private key files. */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hash.h"
#include "buf.h"
#include "sshkey.h"

#define PRIV_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"
#define PRIV_END	"-----END OPENSSH PRIVATE KEY-----"
#define PRIV_MAGIC	"openssh-key-v1"	/* with its NUL: 15 bytes */
#define PRIV_BLOCK	8		/* padding block of cipher "none" */
#define PUB_BLOB_LEN	(4 + 11 + 4 + SSHKEY_ED25519_PK)
#define PUB_B64_MAX	1024		/* longest base64 field we decode */
#define COMMENT_MAX	4096

int
sshkey_pub_from_blob(const u_char *blob, size_t len,
    u_char pk[SSHKEY_ED25519_PK])
{
	struct buf *b;
	const u_char *type, *key;
	size_t tlen, klen;
	int r = SSHKEY_ERR_FORMAT;

	memset(pk, 0, SSHKEY_ED25519_PK);
	if ((b = buf_from(blob, len)) == NULL)
		return SSHKEY_ERR_ALLOC;
	if (buf_get_string_direct(b, &type, &tlen) != 0)
		goto out;
	if (tlen != strlen(SSHKEY_TYPE_ED25519) ||
	    memcmp(type, SSHKEY_TYPE_ED25519, tlen) != 0) {
		r = SSHKEY_ERR_TYPE;
		goto out;
	}
	if (buf_get_string_direct(b, &key, &klen) != 0 ||
	    klen != SSHKEY_ED25519_PK || buf_len(b) != 0)
		goto out;
	memcpy(pk, key, SSHKEY_ED25519_PK);
	r = 0;
 out:
	buf_free(b);
	return r;
}

int
sshkey_pub_to_blob(const u_char pk[SSHKEY_ED25519_PK], struct buf *out)
{
	if (buf_put_cstring(out, SSHKEY_TYPE_ED25519) != 0 ||
	    buf_put_string(out, pk, SSHKEY_ED25519_PK) != 0)
		return SSHKEY_ERR_ALLOC;
	return 0;
}

/* The blob in a fixed array; cannot fail. */
static void
pub_blob(const u_char pk[SSHKEY_ED25519_PK], u_char blob[PUB_BLOB_LEN])
{
	buf_store_u32(blob, 11);
	memcpy(blob + 4, SSHKEY_TYPE_ED25519, 11);
	buf_store_u32(blob + 15, SSHKEY_ED25519_PK);
	memcpy(blob + 19, pk, SSHKEY_ED25519_PK);
}

static int
is_field_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
sshkey_pub_parse_line(const char *line, u_char pk[SSHKEY_ED25519_PK],
    const char **endp)
{
	u_char blob[PUB_B64_MAX];
	const char *p = line, *b64;
	size_t tlen, blen, bloblen;

	memset(pk, 0, SSHKEY_ED25519_PK);
	if (endp != NULL)
		*endp = NULL;
	p += strspn(p, " \t");
	for (tlen = 0; !is_field_end(p[tlen]); tlen++)
		;
	if (tlen == 0)
		return SSHKEY_ERR_FORMAT;
	if (tlen != strlen(SSHKEY_TYPE_ED25519) ||
	    strncmp(p, SSHKEY_TYPE_ED25519, tlen) != 0)
		return SSHKEY_ERR_TYPE;
	p += tlen;
	if (*p != ' ' && *p != '\t')
		return SSHKEY_ERR_FORMAT;
	p += strspn(p, " \t");
	b64 = p;
	for (blen = 0; !is_field_end(b64[blen]); blen++)
		if (blen >= PUB_B64_MAX)
			return SSHKEY_ERR_FORMAT;
	if (blen == 0 || sodium_base642bin(blob, sizeof(blob), b64, blen,
	    NULL, &bloblen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return SSHKEY_ERR_FORMAT;
	/* The type outside must match the one inside. */
	if (sshkey_pub_from_blob(blob, bloblen, pk) != 0) {
		memset(pk, 0, SSHKEY_ED25519_PK);
		return SSHKEY_ERR_FORMAT;
	}
	if (endp != NULL)
		*endp = b64 + blen;
	return 0;
}

int
sshkey_pub_format(const u_char pk[SSHKEY_ED25519_PK], const char *comment,
    char **out)
{
	u_char blob[PUB_BLOB_LEN];
	char b64[sodium_base64_ENCODED_LEN(PUB_BLOB_LEN,
	    sodium_base64_VARIANT_ORIGINAL)];
	struct buf *b;
	int r = SSHKEY_ERR_ALLOC;

	*out = NULL;
	pub_blob(pk, blob);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b = buf_new()) == NULL)
		return SSHKEY_ERR_ALLOC;
	if (buf_putf(b, "%s %s", SSHKEY_TYPE_ED25519, b64) != 0)
		goto out;
	if (comment != NULL && *comment != '\0' &&
	    buf_putf(b, " %s", comment) != 0)
		goto out;
	if ((*out = buf_dup_string(b)) == NULL)
		goto out;
	r = 0;
 out:
	buf_free(b);
	return r;
}

void
sshkey_fingerprint(const u_char pk[SSHKEY_ED25519_PK], char fp[SSHKEY_FP_LEN])
{
	u_char blob[PUB_BLOB_LEN], h[HASH_SHA256_LEN];
	char b64[sodium_base64_ENCODED_LEN(HASH_SHA256_LEN,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	pub_blob(pk, blob);
	hash_sha256(h, blob, sizeof(blob));
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	memcpy(fp, "SHA256:", 7);
	memcpy(fp + 7, b64, sizeof(b64));	/* 43 chars and the NUL */
}

/* Allocate len + 1 bytes, in guarded memory if secret. */
static u_char *
file_alloc(size_t len, int secret)
{
	if (secret)
		return sodium_malloc(len + 1);
	return malloc(len + 1);
}

void
sshkey_file_free(u_char *data, size_t len, int secret)
{
	if (data == NULL)
		return;
	if (secret)
		sodium_free(data);
	else
		freezero(data, len + 1);
}

/* Exactly the file's cap bytes or fewer; a file that grew is an error. */
static int
read_all(int fd, u_char *d, size_t cap, size_t *lenp)
{
	u_char extra;
	size_t len = 0;
	ssize_t n;

	*lenp = 0;
	for (;;) {
		n = len < cap ? read(fd, d + len, cap - len) : read(fd, &extra, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		if (len == cap) {
			errno = EFBIG;
			return -1;
		}
		len += (size_t)n;
	}
	*lenp = len;
	return 0;
}

int
sshkey_read_file(const char *path, size_t max, int secret, u_char **datap,
    size_t *lenp)
{
	struct stat st;
	u_char *d = NULL;
	size_t len = 0, cap = 0;
	int fd, r = SSHKEY_ERR_IO, saved;

	*datap = NULL;
	*lenp = 0;
	if (secret && sodium_init() < 0)
		return SSHKEY_ERR_ALLOC;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return SSHKEY_ERR_IO;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uintmax_t)st.st_size > max) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto out;
	}
	cap = (size_t)st.st_size;
	if ((d = file_alloc(cap, secret)) == NULL) {
		r = SSHKEY_ERR_ALLOC;
		goto out;
	}
	if (read_all(fd, d, cap, &len) == -1)
		goto out;
	d[len] = '\0';
	*datap = d;
	*lenp = len;
	d = NULL;
	r = 0;
 out:
	saved = errno;
	sshkey_file_free(d, cap, secret);
	close(fd);
	errno = saved;
	return r;
}

int
sshkey_load_public(const char *path, u_char pk[SSHKEY_ED25519_PK],
    char **comment)
{
	u_char *data = NULL;
	const char *end;
	size_t len, clen;
	int r;

	memset(pk, 0, SSHKEY_ED25519_PK);
	if (comment != NULL)
		*comment = NULL;
	if ((r = sshkey_read_file(path, SSHKEY_FILE_MAX, 0, &data, &len)) != 0)
		return r;
	if (strlen((char *)data) != len) {
		r = SSHKEY_ERR_FORMAT;
		goto out;
	}
	if ((r = sshkey_pub_parse_line((char *)data, pk, &end)) != 0)
		goto out;
	end += strspn(end, " \t");
	clen = strcspn(end, "\r\n");
	/* One key per .pub file: only blank space may follow its line. */
	if (end[clen + strspn(end + clen, " \t\r\n")] != '\0') {
		memset(pk, 0, SSHKEY_ED25519_PK);
		r = SSHKEY_ERR_FORMAT;
		goto out;
	}
	while (clen > 0 && (end[clen - 1] == ' ' || end[clen - 1] == '\t'))
		clen--;
	if (comment != NULL && (*comment = strndup(end, clen)) == NULL) {
		memset(pk, 0, SSHKEY_ED25519_PK);
		r = SSHKEY_ERR_ALLOC;
		goto out;
	}
 out:
	sshkey_file_free(data, len, 0);
	return r;
}

/*
 * The base64 body between the armor lines, decoded into guarded memory.
 * Only whitespace may follow the end line.
 */
static int
priv_dearmor(const u_char *data, size_t len, u_char **blobp, size_t *bloblenp)
{
	const char *p = (const char *)data, *body, *end;
	size_t blen = sizeof(PRIV_BEGIN) - 1, i, maxlen;
	u_char *blob;

	*blobp = NULL;
	*bloblenp = 0;
	if (len < blen || memcmp(p, PRIV_BEGIN, blen) != 0)
		return SSHKEY_ERR_FORMAT;
	i = blen;
	if (i < len && data[i] == '\r')
		i++;
	if (i >= len || data[i] != '\n')
		return SSHKEY_ERR_FORMAT;
	body = p + i + 1;
	/* The end line follows a newline. */
	for (end = body; end < p + len; end++) {
		if ((size_t)(p + len - end) < sizeof(PRIV_END) - 1)
			return SSHKEY_ERR_FORMAT;
		if (end[-1] == '\n' &&
		    memcmp(end, PRIV_END, sizeof(PRIV_END) - 1) == 0)
			break;
	}
	if (end == p + len || end == body)
		return SSHKEY_ERR_FORMAT;
	for (i = (size_t)(end - (const char *)data) + sizeof(PRIV_END) - 1;
	    i < len; i++)
		if (strchr(" \t\r\n", data[i]) == NULL || data[i] == '\0')
			return SSHKEY_ERR_FORMAT;
	maxlen = (size_t)(end - body) / 4 * 3 + 3;
	if ((blob = sodium_malloc(maxlen)) == NULL)
		return SSHKEY_ERR_ALLOC;
	if (sodium_base642bin(blob, maxlen, body, (size_t)(end - body),
	    "\r\n", bloblenp, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		sodium_free(blob);
		*bloblenp = 0;
		return SSHKEY_ERR_FORMAT;
	}
	*blobp = blob;
	return 0;
}

static int
string_is(const u_char *s, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* The outer, unencrypted part: cipher, kdf, one public key. */
static int
priv_parse_outer(struct buf *b, u_char pk[SSHKEY_ED25519_PK])
{
	const u_char *cipher, *kdf, *kdfopt, *blob;
	size_t clen, klen, olen, blen;
	uint32_t nkeys;
	int r;

	if (buf_cmp(b, 0, PRIV_MAGIC, sizeof(PRIV_MAGIC)) != 0 ||
	    buf_consume(b, sizeof(PRIV_MAGIC)) != 0)
		return SSHKEY_ERR_FORMAT;
	if (buf_get_string_direct(b, &cipher, &clen) != 0 ||
	    buf_get_string_direct(b, &kdf, &klen) != 0 ||
	    buf_get_string_direct(b, &kdfopt, &olen) != 0 ||
	    buf_get_u32(b, &nkeys) != 0)
		return SSHKEY_ERR_FORMAT;
	if (!string_is(cipher, clen, "none"))
		return SSHKEY_ERR_ENCRYPTED;
	if (!string_is(kdf, klen, "none") || olen != 0 || nkeys != 1)
		return SSHKEY_ERR_FORMAT;
	if (buf_get_string_direct(b, &blob, &blen) != 0)
		return SSHKEY_ERR_FORMAT;
	if ((r = sshkey_pub_from_blob(blob, blen, pk)) != 0)
		return r;
	return 0;
}

/* The private section: check ints, the key pair, comment, padding. */
static int
priv_parse_inner(struct buf *b, const u_char pk[SSHKEY_ED25519_PK],
    struct sshkey_priv *k)
{
	u_char derived_pk[SSHKEY_ED25519_PK];
	const u_char *type, *ipk, *isk, *comment;
	size_t tlen, plen, slen, clen, i;
	uint32_t check1, check2;
	uint8_t pad;

	if (buf_len(b) % PRIV_BLOCK != 0 ||
	    buf_get_u32(b, &check1) != 0 || buf_get_u32(b, &check2) != 0)
		return SSHKEY_ERR_FORMAT;
	if (check1 != check2)
		return SSHKEY_ERR_CHECK;
	if (buf_get_string_direct(b, &type, &tlen) != 0)
		return SSHKEY_ERR_FORMAT;
	if (!string_is(type, tlen, SSHKEY_TYPE_ED25519))
		return SSHKEY_ERR_TYPE;
	if (buf_get_string_direct(b, &ipk, &plen) != 0 ||
	    plen != SSHKEY_ED25519_PK ||
	    buf_get_string_direct(b, &isk, &slen) != 0 ||
	    slen != SSHKEY_ED25519_SK ||
	    buf_get_string_direct(b, &comment, &clen) != 0 ||
	    clen > COMMENT_MAX || memchr(comment, '\0', clen) != NULL)
		return SSHKEY_ERR_FORMAT;
	/* libssh pads to 16 even for "none"; OpenSSH takes any length. */
	for (i = 0; buf_len(b) > 0; i++) {
		if (buf_get_u8(b, &pad) != 0 || i >= 255 ||
		    pad != i + 1)
			return SSHKEY_ERR_FORMAT;
	}
	/* Outer key, inner key, the seed's key: all must agree. */
	if (sodium_memcmp(ipk, pk, SSHKEY_ED25519_PK) != 0 ||
	    sodium_memcmp(isk + 32, pk, SSHKEY_ED25519_PK) != 0)
		return SSHKEY_ERR_CHECK;
	if (crypto_sign_ed25519_seed_keypair(derived_pk, k->sk, isk) != 0 ||
	    sodium_memcmp(derived_pk, pk, SSHKEY_ED25519_PK) != 0)
		return SSHKEY_ERR_CHECK;
	memcpy(k->pk, pk, SSHKEY_ED25519_PK);
	if ((k->comment = strndup((const char *)comment, clen)) == NULL)
		return SSHKEY_ERR_ALLOC;
	return 0;
}

int
sshkey_parse_private(const u_char *data, size_t len, struct sshkey_priv **out)
{
	struct sshkey_priv *k = NULL;
	struct buf *b = NULL, *inner = NULL;
	u_char pk[SSHKEY_ED25519_PK], *blob = NULL;
	const u_char *sect;
	size_t bloblen = 0, slen;
	int r;

	*out = NULL;
	if (sodium_init() < 0)
		return SSHKEY_ERR_ALLOC;
	if ((r = priv_dearmor(data, len, &blob, &bloblen)) != 0)
		return r;
	r = SSHKEY_ERR_ALLOC;
	if ((b = buf_from(blob, bloblen)) == NULL)
		goto out;
	if ((r = priv_parse_outer(b, pk)) != 0)
		goto out;
	if (buf_get_string_direct(b, &sect, &slen) != 0 || buf_len(b) != 0) {
		r = SSHKEY_ERR_FORMAT;
		goto out;
	}
	r = SSHKEY_ERR_ALLOC;
	if ((inner = buf_from(sect, slen)) == NULL ||
	    (k = calloc(1, sizeof(*k))) == NULL ||
	    (k->sk = sodium_malloc(SSHKEY_ED25519_SK)) == NULL)
		goto out;
	if ((r = priv_parse_inner(inner, pk, k)) != 0)
		goto out;
	*out = k;
	k = NULL;
 out:
	sshkey_priv_free(k);
	buf_free(inner);
	buf_free(b);
	if (blob != NULL)
		sodium_free(blob);
	return r;
}

int
sshkey_load_private(const char *path, struct sshkey_priv **out)
{
	u_char *data = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if ((r = sshkey_read_file(path, SSHKEY_FILE_MAX, 1, &data, &len)) != 0)
		return r;
	r = sshkey_parse_private(data, len, out);
	sshkey_file_free(data, len, 1);
	return r;
}

void
sshkey_priv_free(struct sshkey_priv *k)
{
	if (k == NULL)
		return;
	if (k->sk != NULL)
		sodium_free(k->sk);
	free(k->comment);
	explicit_bzero(k, sizeof(*k));
	free(k);
}
