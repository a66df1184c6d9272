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

/* stmtsig.c: signing and verifying pfish statements as SSH signatures. */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "pfish.h"
#include "sshkey.h"
#include "sshsig.h"
#include "stmt.h"
#include "trust.h"

int
stmt_key_matches(const char *keyfield, const u_char pk[SSHKEY_ED25519_PK])
{
	char fp[SSHKEY_FP_LEN];

	sshkey_fingerprint(pk, fp);
	return strcmp(keyfield, fp) == 0;
}

int
stmt_sig_parse(const u_char *data, size_t len, enum stmt_type type,
    size_t *textlen, struct sshsig_parsed *sig)
{
	const char *ns;
	size_t tlen;
	int r;

	*textlen = 0;
	memset(sig, 0, sizeof(*sig));
	if ((ns = stmt_namespace(type)) == NULL)
		return STMT_ERR_FORMAT;
	if ((r = stmt_split_signed(data, len, &tlen)) != 0)
		return r;
	if (sshsig_parse((const char *)data + tlen, len - tlen, ns, sig) != 0)
		return STMT_ERR_SIG;
	*textlen = tlen;
	return 0;
}

int
stmt_sig_check(const struct sshsig_parsed *sig, enum stmt_type type,
    const u_char *text, size_t tlen, const struct trust *trust, uint64_t now,
    u_char pk[SSHKEY_ED25519_PK])
{
	u_char key[SSHKEY_ED25519_PK];
	const char *ns;

	if (pk != NULL)
		memset(pk, 0, SSHKEY_ED25519_PK);
	if ((ns = stmt_namespace(type)) == NULL)
		return STMT_ERR_FORMAT;
	if (sshsig_check(sig, ns, text, tlen, key) != 0)
		return STMT_ERR_SIG;
	/* A good signature by an unlisted key: say which key it was. */
	if (pk != NULL)
		memcpy(pk, key, SSHKEY_ED25519_PK);
	if (trust == NULL || trust_check(trust, key, ns, now, NULL) != 0)
		return STMT_ERR_UNTRUSTED;
	return 0;
}

int
stmt_verify_signed(const u_char *data, size_t len, enum stmt_type type,
    const struct trust *trust, uint64_t now, size_t *textlen,
    u_char pk[SSHKEY_ED25519_PK])
{
	struct sshsig_parsed sig;
	size_t tlen;
	int r;

	*textlen = 0;
	if (pk != NULL)
		memset(pk, 0, SSHKEY_ED25519_PK);
	if ((r = stmt_sig_parse(data, len, type, &tlen, &sig)) != 0 ||
	    (r = stmt_sig_check(&sig, type, data, tlen, trust, now, pk)) != 0)
		return r;
	*textlen = tlen;
	return 0;
}

int
stmt_record_keep(const u_char *data, size_t len, struct stmt_record *r,
    u_char hash[STMT_HASH_LEN], struct sshsig_parsed *sig, int *sigok)
{
	size_t tlen;

	*sigok = 0;
	if (stmt_split_signed(data, len, &tlen) != 0 ||
	    stmt_record_parse(data, tlen, r) != 0)
		return STMT_ERR_FORMAT;
	stmt_hash(data, tlen, hash);
	*sigok = stmt_sig_parse(data, len, STMT_RECORD, &tlen, sig) == 0;
	return 0;
}

/*
 * A record kept as its parsed fields, its text's hash and its parsed
 * signature: its text is the fields encoded (the parser takes only the
 * canonical form), proven by the hash.  0 when the signature over that
 * text is good, by a trusted key the record's key field names.
 */
int
stmt_record_sig_check(const struct stmt_record *r,
    const u_char hash[STMT_HASH_LEN], const struct sshsig_parsed *sig,
    const struct trust *trust, uint64_t now)
{
	u_char pk[SSHKEY_ED25519_PK], h[STMT_HASH_LEN];
	struct buf *t;
	int ret = STMT_ERR_SIG;

	if ((t = buf_new()) == NULL)
		return STMT_ERR_ALLOC;
	if (stmt_record_encode(r, t) != 0)
		goto out;
	stmt_hash(buf_ptr(t), buf_len(t), h);
	if (memcmp(h, hash, STMT_HASH_LEN) != 0)
		goto out;
	if ((ret = stmt_sig_check(sig, STMT_RECORD, buf_ptr(t), buf_len(t),
	    trust, now, pk)) != 0)
		goto out;
	ret = stmt_key_matches(r->key, pk) ? 0 : STMT_ERR_UNTRUSTED;
 out:
	buf_free(t);
	return ret;
}

int
stmt_sign(const struct sshkey_priv *key, enum stmt_type type,
    const u_char *text, size_t len, struct buf *out)
{
	const char *ns;

	if ((ns = stmt_namespace(type)) == NULL)
		return STMT_ERR_FORMAT;
	if (buf_put(out, text, len) != 0)
		return STMT_ERR_ALLOC;
	if (sshsig_sign(key, ns, text, len, out) != 0)
		return STMT_ERR_SIG;
	return 0;
}
