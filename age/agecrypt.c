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

/* agecrypt.c: age key wrapping: HKDF, X25519 and ssh-ed25519 stanzas. */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "aead.h"
#include "hash.h"
#include "age.h"
#include "agecrypt.h"
#include "buf.h"
#include "sshkey.h"

#define KEY_X25519	1
#define KEY_SSH_ED25519	2
#define SSH_BLOB_LEN	51	/* string "ssh-ed25519", string pk */
#define TAG_B64_LEN	6	/* base64 of 4 bytes */
#define WRAPPED_LEN	(AGE_FILE_KEY_LEN + AGE_TAG_LEN)

struct age_recipient {
	int	type;
	u_char	point[32];		/* X25519 public key */
	u_char	blob[SSH_BLOB_LEN];	/* ssh-ed25519 only */
	char	tag[TAG_B64_LEN + 1];	/* ssh-ed25519 only */
};

struct age_recipients {
	struct age_recipient	*v;
	size_t			 n;
};

struct age_identity {
	int	 type;
	u_char	*scalar;		/* 32 bytes, sodium_malloc */
	u_char	 point[32];		/* our X25519 public key */
	u_char	 blob[SSH_BLOB_LEN];
	char	 tag[TAG_B64_LEN + 1];
};

struct age_identities {
	struct age_identity	*v;
	size_t			 n;
};

int
age_hkdf(const u_char *salt, size_t saltlen, const u_char *ikm, size_t ikmlen,
    const void *info, size_t infolen, u_char *out, size_t outlen)
{
	static const u_char none[1];
	crypto_auth_hmacsha256_state st;
	u_char prk[32], t[32];
	size_t done, n;
	u_char ctr;

	if (outlen > 255 * sizeof(t))
		return AGE_ERR_INVALID;
	/* libsodium wants real pointers even for empty inputs. */
	salt = salt != NULL ? salt : none;
	ikm = ikm != NULL ? ikm : none;
	info = info != NULL ? info : none;
	/* Extract: PRK = HMAC(salt, IKM); an empty salt acts as zeros. */
	crypto_auth_hmacsha256_init(&st, salt, saltlen);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	/* Expand: T(i) = HMAC(PRK, T(i-1) || info || i). */
	for (done = 0, ctr = 1; done < outlen; done += n, ctr++) {
		crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
		if (ctr > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof(t));
		crypto_auth_hmacsha256_update(&st, info, infolen);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		n = outlen - done < sizeof(t) ? outlen - done : sizeof(t);
		memcpy(out + done, t, n);
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return 0;
}

static int
label_hkdf(const u_char *salt, size_t saltlen, const u_char *ikm,
    size_t ikmlen, const char *label, u_char out[32])
{
	return age_hkdf(salt, saltlen, ikm, ikmlen, label, strlen(label),
	    out, 32);
}

/* The ssh-ed25519 key blob and its stanza tag, base64(SHA-256[:4]). */
static int
ssh_blob_tag(const u_char pk[32], u_char blob[SSH_BLOB_LEN],
    char tag[TAG_B64_LEN + 1])
{
	u_char h[HASH_SHA256_LEN];
	struct buf *b;
	int r = AGE_ERR_ALLOC;

	if ((b = buf_new()) == NULL)
		return AGE_ERR_ALLOC;
	if (sshkey_pub_to_blob(pk, b) != 0 || buf_len(b) != SSH_BLOB_LEN)
		goto out;
	memcpy(blob, buf_ptr(b), SSH_BLOB_LEN);
	hash_sha256(h, blob, SSH_BLOB_LEN);
	r = age_b64_encode(h, 4, tag, TAG_B64_LEN + 1);
out:
	buf_free(b);
	return r;
}

/* Recipients ------------------------------------------------------- */

struct age_recipients *
age_recipients_new(void)
{
	return calloc(1, sizeof(struct age_recipients));
}

void
age_recipients_free(struct age_recipients *rc)
{
	if (rc == NULL)
		return;
	free(rc->v);
	free(rc);
}

size_t
age_recipients_count(const struct age_recipients *rc)
{
	return rc->n;
}

static struct age_recipient *
recipients_grow(struct age_recipients *rc)
{
	struct age_recipient *nv;

	if ((nv = reallocarray(rc->v, rc->n + 1, sizeof(*nv))) == NULL)
		return NULL;
	rc->v = nv;
	memset(&nv[rc->n], 0, sizeof(nv[rc->n]));
	return &nv[rc->n];
}

int
age_recipients_add_x25519(struct age_recipients *rc, const u_char pk[32])
{
	struct age_recipient *r;

	if ((r = recipients_grow(rc)) == NULL)
		return AGE_ERR_ALLOC;
	r->type = KEY_X25519;
	memcpy(r->point, pk, 32);
	rc->n++;
	return 0;
}

int
age_recipients_add_ssh(struct age_recipients *rc, const u_char pk[32])
{
	struct age_recipient *r;
	int ret;

	if ((r = recipients_grow(rc)) == NULL)
		return AGE_ERR_ALLOC;
	r->type = KEY_SSH_ED25519;
	if (crypto_sign_ed25519_pk_to_curve25519(r->point, pk) != 0)
		return AGE_ERR_KEY;
	if ((ret = ssh_blob_tag(pk, r->blob, r->tag)) != 0)
		return ret;
	rc->n++;
	return 0;
}

/* Identities ------------------------------------------------------- */

struct age_identities *
age_identities_new(void)
{
	return calloc(1, sizeof(struct age_identities));
}

void
age_identities_free(struct age_identities *ids)
{
	size_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < ids->n; i++)
		sodium_free(ids->v[i].scalar);
	free(ids->v);
	free(ids);
}

size_t
age_identities_count(const struct age_identities *ids)
{
	return ids->n;
}

static struct age_identity *
identities_grow(struct age_identities *ids)
{
	struct age_identity *nv, *id;

	if ((nv = reallocarray(ids->v, ids->n + 1, sizeof(*nv))) == NULL)
		return NULL;
	ids->v = nv;
	id = &nv[ids->n];
	memset(id, 0, sizeof(*id));
	if ((id->scalar = sodium_malloc(32)) == NULL)
		return NULL;
	return id;
}

int
age_identities_add_x25519(struct age_identities *ids, const char *s)
{
	struct age_identity *id;
	char hrp[sizeof(AGE_SECRET_HRP)];
	size_t n;

	if ((id = identities_grow(ids)) == NULL)
		return AGE_ERR_ALLOC;
	if (age_bech32_decode(s, hrp, sizeof(hrp), id->scalar, 32, &n) != 0 ||
	    n != 32 || strcasecmp(hrp, AGE_SECRET_HRP) != 0)
		goto bad;
	if (crypto_scalarmult_base(id->point, id->scalar) != 0)
		goto bad;
	id->type = KEY_X25519;
	ids->n++;
	return 0;
bad:
	sodium_free(id->scalar);
	return AGE_ERR_KEY;
}

int
age_identities_add_ssh(struct age_identities *ids,
    const struct sshkey_priv *k)
{
	struct age_identity *id;
	int r = AGE_ERR_KEY;

	if ((id = identities_grow(ids)) == NULL)
		return AGE_ERR_ALLOC;
	if (crypto_sign_ed25519_sk_to_curve25519(id->scalar, k->sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(id->point, k->pk) != 0)
		goto bad;
	if ((r = ssh_blob_tag(k->pk, id->blob, id->tag)) != 0)
		goto bad;
	id->type = KEY_SSH_ED25519;
	ids->n++;
	return 0;
bad:
	sodium_free(id->scalar);
	return r;
}

int
age_x25519_generate(char sk[AGE_IDENTITY_STR_MAX],
    char pk[AGE_RECIPIENT_STR_MAX])
{
	u_char *scalar, point[32];
	int r = AGE_ERR_CRYPTO;

	if ((scalar = sodium_malloc(32)) == NULL)
		return AGE_ERR_ALLOC;
	randombytes_buf(scalar, 32);
	if (crypto_scalarmult_base(point, scalar) != 0)
		goto out;
	if ((r = age_bech32_encode(AGE_SECRET_HRP, scalar, 32, 1, sk,
	    AGE_IDENTITY_STR_MAX)) != 0 ||
	    (r = age_bech32_encode(AGE_X25519_HRP, point, 32, 0, pk,
	    AGE_RECIPIENT_STR_MAX)) != 0)
		goto out;
out:
	sodium_free(scalar);
	return r;
}

/* Stanzas ---------------------------------------------------------- */

/* Secret scratch space for one key agreement, in sodium_malloc memory. */
struct wrap_secrets {
	u_char	eph[32];
	u_char	shared[32];
	u_char	tweaked[32];
	u_char	wrapkey[32];
};

static const u_char zero_nonce[AEAD_NONCE_LEN];

/*
 * The shared secret both sides compute; ssh-ed25519 multiplies it by a
 * tweak derived from the key blob so it differs from a plain X25519 use
 * of the same key.  salt = share || recipient point.
 */
static int
derive_wrapkey(int type, const u_char *blob, const u_char scalar[32],
    const u_char point[32], const u_char salt[64], struct wrap_secrets *s)
{
	u_char tweak[32];
	const char *label = AGE_X25519_LABEL;
	const u_char *ikm = s->shared;

	if (crypto_scalarmult(s->shared, scalar, point) != 0)
		return AGE_ERR_CRYPTO;
	if (type == KEY_SSH_ED25519) {
		label = AGE_SSH_ED25519_LABEL;
		label_hkdf(blob, SSH_BLOB_LEN, NULL, 0, label, tweak);
		if (crypto_scalarmult(s->tweaked, tweak, s->shared) != 0)
			return AGE_ERR_CRYPTO;
		ikm = s->tweaked;
	}
	return label_hkdf(salt, 64, ikm, 32, label, s->wrapkey);
}

static int
wrap_one(const struct age_recipient *rcpt, const u_char *filekey,
    struct wrap_secrets *s, struct buf *out)
{
	u_char share[32], salt[64], body[WRAPPED_LEN];
	char sharestr[44];
	const char *args[3];
	size_t nargs = 0;
	int r;

	randombytes_buf(s->eph, sizeof(s->eph));
	if (crypto_scalarmult_base(share, s->eph) != 0)
		return AGE_ERR_CRYPTO;
	memcpy(salt, share, 32);
	memcpy(salt + 32, rcpt->point, 32);
	if ((r = derive_wrapkey(rcpt->type, rcpt->blob, s->eph, rcpt->point,
	    salt, s)) != 0)
		return r;
	aead_seal(body, body + AGE_FILE_KEY_LEN, filekey, AGE_FILE_KEY_LEN,
	    zero_nonce, s->wrapkey);
	if ((r = age_b64_encode(share, 32, sharestr, sizeof(sharestr))) != 0)
		return r;
	if (rcpt->type == KEY_SSH_ED25519) {
		args[nargs++] = SSHKEY_TYPE_ED25519;
		args[nargs++] = rcpt->tag;
	} else
		args[nargs++] = "X25519";
	args[nargs++] = sharestr;
	return age_header_put_stanza(out, args, nargs, body, sizeof(body));
}

static int
header_mac(const u_char *filekey, const u_char *data, size_t len,
    u_char mac[AGE_MAC_LEN])
{
	u_char hkey[32];
	int r;

	if ((r = age_hkdf(NULL, 0, filekey, AGE_FILE_KEY_LEN, "header", 6,
	    hkey, sizeof(hkey))) != 0)
		return r;
	crypto_auth_hmacsha256(mac, data, len, hkey);
	sodium_memzero(hkey, sizeof(hkey));
	return 0;
}

int
age_header_build(const struct age_recipients *rc,
    const u_char filekey[AGE_FILE_KEY_LEN], struct buf *out)
{
	struct wrap_secrets *s;
	u_char mac[AGE_MAC_LEN];
	size_t i;
	int r;

	if (rc->n == 0)
		return AGE_ERR_INVALID;
	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		return AGE_ERR_ALLOC;
	if ((r = age_header_put_version(out)) != 0)
		goto out;
	for (i = 0; i < rc->n; i++)
		if ((r = wrap_one(&rc->v[i], filekey, s, out)) != 0)
			goto out;
	if ((r = age_header_put_mac_mark(out)) != 0 ||
	    (r = header_mac(filekey, buf_ptr(out), buf_len(out), mac)) != 0 ||
	    (r = age_header_put_mac(out, mac)) != 0)
		goto out;
out:
	sodium_free(s);
	return r;
}

/*
 * Try one identity on one stanza: AGE_ERR_NO_MATCH if the stanza is not
 * for it, AGE_ERR_STANZA if it is of the identity's type but malformed
 * (the body length is checked before any decryption).
 */
static int
unwrap_one(const struct age_identity *id, const struct age_stanza *st,
    struct wrap_secrets *s, u_char *filekey)
{
	u_char salt[64];
	size_t sharearg = 1, n;
	int r;

	if (id->type == KEY_SSH_ED25519) {
		if (strcmp(st->args[0], SSHKEY_TYPE_ED25519) != 0)
			return AGE_ERR_NO_MATCH;
		if (st->nargs != 3)
			return AGE_ERR_STANZA;
		sharearg = 2;
	} else {
		if (strcmp(st->args[0], "X25519") != 0)
			return AGE_ERR_NO_MATCH;
		if (st->nargs != 2)
			return AGE_ERR_STANZA;
	}
	if (age_b64_decode(st->args[sharearg], strlen(st->args[sharearg]),
	    salt, 32, &n) != 0 || n != 32)
		return AGE_ERR_STANZA;
	if (id->type == KEY_SSH_ED25519 && strcmp(st->args[1], id->tag) != 0)
		return AGE_ERR_NO_MATCH;
	if (st->bodylen != WRAPPED_LEN)
		return AGE_ERR_STANZA;
	memcpy(salt + 32, id->point, 32);
	if ((r = derive_wrapkey(id->type, id->blob, id->scalar, salt, salt,
	    s)) != 0)
		return AGE_ERR_STANZA;
	if (aead_open(filekey, st->body, st->bodylen - AEAD_TAG_LEN,
	    st->body + st->bodylen - AEAD_TAG_LEN, zero_nonce,
	    s->wrapkey) != 0)
		return AGE_ERR_NO_MATCH;
	return 0;
}

static int
find_file_key(const struct age_identities *ids, const struct age_header *hdr,
    struct wrap_secrets *s, u_char *filekey)
{
	size_t i, j;
	int r;

	/* A passphrase stanza must stand alone (age spec, scrypt). */
	for (j = 0; j < hdr->nstanzas; j++)
		if (strcmp(hdr->stanzas[j].args[0], "scrypt") == 0 &&
		    hdr->nstanzas > 1)
			return AGE_ERR_STANZA;
	for (i = 0; i < ids->n; i++) {
		for (j = 0; j < hdr->nstanzas; j++) {
			r = unwrap_one(&ids->v[i], &hdr->stanzas[j], s,
			    filekey);
			if (r != AGE_ERR_NO_MATCH)
				return r;
		}
	}
	return AGE_ERR_NO_MATCH;
}

int
age_header_open(const struct age_identities *ids,
    const struct age_header *hdr, const u_char *raw,
    u_char filekey[AGE_FILE_KEY_LEN])
{
	struct wrap_secrets *s;
	u_char mac[AGE_MAC_LEN];
	int r;

	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		return AGE_ERR_ALLOC;
	if ((r = find_file_key(ids, hdr, s, filekey)) != 0)
		goto out;
	if ((r = header_mac(filekey, raw, hdr->maclen, mac)) != 0)
		goto out;
	if (sodium_memcmp(mac, hdr->mac, AGE_MAC_LEN) != 0)
		r = AGE_ERR_HMAC;
out:
	if (r != 0)
		sodium_memzero(filekey, AGE_FILE_KEY_LEN);
	sodium_free(s);
	return r;
}

int
age_payload_key(const u_char filekey[AGE_FILE_KEY_LEN],
    const u_char nonce[AGE_NONCE_LEN], u_char key[32])
{
	return age_hkdf(nonce, AGE_NONCE_LEN, filekey, AGE_FILE_KEY_LEN,
	    "payload", 7, key, 32);
}
