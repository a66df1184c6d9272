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

/* sshsig.c: SSH signatures (PROTOCOL.sshsig) with Ed25519 via libsodium. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hash.h"
#include "buf.h"
#include "sshkey.h"
#include "sshsig.h"

#define SIG_MAGIC	"SSHSIG"
#define SIG_MAGIC_LEN	6
#define SIG_VERSION	1
#define SIG_WRAP	70		/* base64 columns, as ssh-keygen */
#define SIG_NS_MAX	256
#define HASH_SHA512	"sha512"
#define HASH_SHA256	"sha256"
#define ED25519_SIGLEN	crypto_sign_BYTES

/*
 * The data Ed25519 actually signs: the magic, namespace, an empty
 * reserved string, the hash name and the message's hash.
 */
static int
signed_data(const char *ns, const char *hashalg, const void *msg,
    size_t msglen, struct buf *out)
{
	u_char h[crypto_hash_sha512_BYTES];
	size_t hlen;

	if (strcmp(hashalg, HASH_SHA512) == 0) {
		crypto_hash_sha512(h, msg, msglen);
		hlen = crypto_hash_sha512_BYTES;
	} else {
		hash_sha256(h, msg, msglen);
		hlen = HASH_SHA256_LEN;
	}
	if (buf_put(out, SIG_MAGIC, SIG_MAGIC_LEN) != 0 ||
	    buf_put_cstring(out, ns) != 0 ||
	    buf_put_string(out, NULL, 0) != 0 ||
	    buf_put_cstring(out, hashalg) != 0 ||
	    buf_put_string(out, h, hlen) != 0)
		return SSHSIG_ERR_ALLOC;
	return 0;
}

static int
valid_namespace(const char *ns)
{
	size_t len = strlen(ns);

	return len > 0 && len <= SIG_NS_MAX;
}

/* BEGIN line, base64 of blob wrapped at 70 columns, END line. */
static int
armor(const struct buf *blob, struct buf *out)
{
	char *b64;
	size_t b64len, i, n;
	int r = SSHSIG_ERR_ALLOC;

	b64len = sodium_base64_ENCODED_LEN(buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL)
		return SSHSIG_ERR_ALLOC;
	sodium_bin2base64(b64, b64len, buf_ptr(blob), buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	b64len = strlen(b64);
	if (buf_putf(out, "%s\n", SSHSIG_BEGIN) != 0)
		goto out;
	for (i = 0; i < b64len; i += n) {
		n = b64len - i < SIG_WRAP ? b64len - i : SIG_WRAP;
		if (buf_put(out, b64 + i, n) != 0 || buf_put_u8(out, '\n') != 0)
			goto out;
	}
	if (buf_putf(out, "%s\n", SSHSIG_END) != 0)
		goto out;
	r = 0;
 out:
	free(b64);
	return r;
}

int
sshsig_sign(const struct sshkey_priv *key, const char *ns, const void *msg,
    size_t msglen, struct buf *out)
{
	struct buf *data = NULL, *blob = NULL, *sigb = NULL, *arm = NULL;
	u_char sig[ED25519_SIGLEN], pk[SSHKEY_ED25519_PK];
	int r = SSHSIG_ERR_ALLOC;

	if (sodium_init() < 0)
		return SSHSIG_ERR_ALLOC;
	if (!valid_namespace(ns))
		return SSHSIG_ERR_NAMESPACE;
	if ((data = buf_new()) == NULL || (blob = buf_new()) == NULL ||
	    (sigb = buf_new()) == NULL ||
	    (arm = buf_new_max(SSHSIG_ARMOR_MAX)) == NULL)
		goto out;
	if ((r = signed_data(ns, HASH_SHA512, msg, msglen, data)) != 0)
		goto out;
	r = SSHSIG_ERR_ALLOC;
	if (crypto_sign_ed25519_detached(sig, NULL, buf_ptr(data),
	    buf_len(data), key->sk) != 0)
		goto out;
	if (buf_put_cstring(sigb, SSHKEY_TYPE_ED25519) != 0 ||
	    buf_put_string(sigb, sig, sizeof(sig)) != 0)
		goto out;
	if (buf_put(blob, SIG_MAGIC, SIG_MAGIC_LEN) != 0 ||
	    buf_put_u32(blob, SIG_VERSION) != 0 ||
	    buf_put_u32(blob, 4 + 11 + 4 + SSHKEY_ED25519_PK) != 0 ||
	    sshkey_pub_to_blob(key->pk, blob) != 0 ||
	    buf_put_cstring(blob, ns) != 0 ||
	    buf_put_string(blob, NULL, 0) != 0 ||
	    buf_put_cstring(blob, HASH_SHA512) != 0 ||
	    buf_put_stringb(blob, sigb) != 0)
		goto out;
	if ((r = armor(blob, arm)) != 0)
		goto out;
	/* A key whose halves disagree must never produce a signature. */
	if ((r = sshsig_verify((const char *)buf_ptr(arm), buf_len(arm), ns,
	    msg, msglen, pk)) != 0)
		goto out;
	if (sodium_memcmp(pk, key->pk, sizeof(pk)) != 0) {
		r = SSHSIG_ERR_BAD_SIG;
		goto out;
	}
	r = buf_putb(out, arm) == 0 ? 0 : SSHSIG_ERR_ALLOC;
 out:
	buf_free(arm);
	buf_free(sigb);
	buf_free(blob);
	buf_free(data);
	return r;
}

/*
 * Strip the armor: BEGIN line, base64 lines, END line, at most one final
 * newline.  Line breaks inside the base64 are ignored, anything else is
 * an error.
 */
static int
dearmor(const char *armor_text, size_t len, struct buf *blob)
{
	const size_t blen = sizeof(SSHSIG_BEGIN) - 1;
	const size_t elen = sizeof(SSHSIG_END) - 1;
	const char *body;
	size_t bodylen, outlen;
	u_char *p;

	if (len > SSHSIG_ARMOR_MAX)
		return SSHSIG_ERR_FORMAT;
	if (len > 0 && armor_text[len - 1] == '\n')
		len--;
	if (len < blen + 1 + elen ||
	    memcmp(armor_text, SSHSIG_BEGIN, blen) != 0 ||
	    armor_text[blen] != '\n' ||
	    memcmp(armor_text + len - elen, SSHSIG_END, elen) != 0)
		return SSHSIG_ERR_FORMAT;
	body = armor_text + blen + 1;
	bodylen = len - elen - blen - 1;
	if (bodylen == 0 || body[bodylen - 1] != '\n')
		return SSHSIG_ERR_FORMAT;
	if (buf_reserve(blob, bodylen, &p) != 0)
		return SSHSIG_ERR_ALLOC;
	if (sodium_base642bin(p, bodylen, body, bodylen, "\n", &outlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return SSHSIG_ERR_FORMAT;
	return buf_consume_end(blob, bodylen - outlen) == 0 ? 0 :
	    SSHSIG_ERR_FORMAT;
}

/* The inner signature: string "ssh-ed25519", string 64 bytes, no more. */
static int
parse_ed25519_sig(const u_char *s, size_t len, u_char sig[ED25519_SIGLEN])
{
	struct buf *b;
	const u_char *type, *raw;
	size_t tlen, rlen;
	int r = SSHSIG_ERR_FORMAT;

	if ((b = buf_from(s, len)) == NULL)
		return SSHSIG_ERR_ALLOC;
	if (buf_get_string_direct(b, &type, &tlen) != 0)
		goto out;
	if (tlen != strlen(SSHKEY_TYPE_ED25519) ||
	    memcmp(type, SSHKEY_TYPE_ED25519, tlen) != 0) {
		r = SSHSIG_ERR_UNSUPPORTED;
		goto out;
	}
	if (buf_get_string_direct(b, &raw, &rlen) != 0 ||
	    rlen != ED25519_SIGLEN || buf_len(b) != 0)
		goto out;
	memcpy(sig, raw, ED25519_SIGLEN);
	r = 0;
 out:
	buf_free(b);
	return r;
}

struct sig_fields {
	u_char		 pk[SSHKEY_ED25519_PK];
	char		*ns;
	char		*hashalg;
	u_char		 sig[ED25519_SIGLEN];
};

static int
parse_blob(struct buf *b, struct sig_fields *f)
{
	const u_char *pkblob, *reserved, *sig;
	size_t pklen, rlen, slen;
	uint32_t version;
	int r;

	if (buf_cmp(b, 0, SIG_MAGIC, SIG_MAGIC_LEN) != 0 ||
	    buf_consume(b, SIG_MAGIC_LEN) != 0 ||
	    buf_get_u32(b, &version) != 0)
		return SSHSIG_ERR_FORMAT;
	if (version != SIG_VERSION)
		return SSHSIG_ERR_UNSUPPORTED;
	if (buf_get_string_direct(b, &pkblob, &pklen) != 0)
		return SSHSIG_ERR_FORMAT;
	if ((r = sshkey_pub_from_blob(pkblob, pklen, f->pk)) != 0)
		return r == SSHKEY_ERR_TYPE ? SSHSIG_ERR_UNSUPPORTED :
		    SSHSIG_ERR_FORMAT;
	if (buf_get_cstring(b, &f->ns, NULL) != 0 ||
	    buf_get_string_direct(b, &reserved, &rlen) != 0 ||
	    buf_get_cstring(b, &f->hashalg, NULL) != 0 ||
	    buf_get_string_direct(b, &sig, &slen) != 0 ||
	    buf_len(b) != 0)
		return SSHSIG_ERR_FORMAT;
	/* Nothing defines the reserved field yet; refuse what we can't read. */
	if (rlen != 0)
		return SSHSIG_ERR_UNSUPPORTED;
	if (strcmp(f->hashalg, HASH_SHA512) != 0 &&
	    strcmp(f->hashalg, HASH_SHA256) != 0)
		return SSHSIG_ERR_UNSUPPORTED;
	return parse_ed25519_sig(sig, slen, f->sig);
}

int
sshsig_parse(const char *armor_text, size_t armorlen, const char *ns,
    struct sshsig_parsed *out)
{
	struct sig_fields f;
	struct buf *blob = NULL;
	int r = SSHSIG_ERR_ALLOC;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	if (sodium_init() < 0)
		return SSHSIG_ERR_ALLOC;
	if ((blob = buf_new_max(SSHSIG_ARMOR_MAX)) == NULL)
		goto out;
	if ((r = dearmor(armor_text, armorlen, blob)) != 0 ||
	    (r = parse_blob(blob, &f)) != 0)
		goto out;
	if (strcmp(f.ns, ns) != 0) {
		r = SSHSIG_ERR_NAMESPACE;
		goto out;
	}
	memcpy(out->pk, f.pk, SSHKEY_ED25519_PK);
	memcpy(out->sig, f.sig, ED25519_SIGLEN);
	out->sha256 = strcmp(f.hashalg, HASH_SHA256) == 0;
	r = 0;
 out:
	free(f.ns);
	free(f.hashalg);
	buf_free(blob);
	return r;
}

int
sshsig_check(const struct sshsig_parsed *sig, const char *ns,
    const void *msg, size_t msglen, u_char pk[SSHKEY_ED25519_PK])
{
	struct buf *data;
	int r;

	memset(pk, 0, SSHKEY_ED25519_PK);
	if (sodium_init() < 0 || (data = buf_new()) == NULL)
		return SSHSIG_ERR_ALLOC;
	if ((r = signed_data(ns, sig->sha256 ? HASH_SHA256 : HASH_SHA512,
	    msg, msglen, data)) != 0)
		goto out;
	if (crypto_sign_ed25519_verify_detached(sig->sig, buf_ptr(data),
	    buf_len(data), sig->pk) != 0) {
		r = SSHSIG_ERR_BAD_SIG;
		goto out;
	}
	memcpy(pk, sig->pk, SSHKEY_ED25519_PK);
	r = 0;
 out:
	buf_free(data);
	return r;
}

int
sshsig_verify(const char *armor_text, size_t armorlen, const char *ns,
    const void *msg, size_t msglen, u_char pk[SSHKEY_ED25519_PK])
{
	struct sshsig_parsed sig;
	int r;

	memset(pk, 0, SSHKEY_ED25519_PK);
	if ((r = sshsig_parse(armor_text, armorlen, ns, &sig)) != 0)
		return r;
	return sshsig_check(&sig, ns, msg, msglen, pk);
}
