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

/* test_sshsig.c: unit tests for SSH signatures (sshsig.c). */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "buf.h"
#include "pfish.h"
#include "sshkey.h"
#include "sshsig.h"
#include "testlib.h"

static struct sshkey_priv *
key_a(void)
{
	struct sshkey_priv *k;

	assert_int_equal(sshkey_load_private(tl_data_path("test_ed25519"), &k),
	    0);
	return k;
}

/* ssh-keygen -Y sign made msg.txt.sig; ours must match it byte for byte. */
static void
test_sign_matches_ssh_keygen(void **state)
{
	struct sshkey_priv *k = key_a();
	struct buf *out;
	char *msg, *want;
	size_t mlen, wlen;

	(void)state;
	msg = tl_data_file("msg.txt", &mlen);
	want = tl_data_file("msg.txt.sig", &wlen);
	assert_non_null(out = buf_new());
	assert_int_equal(buf_put(out, "prefix", 6), 0);
	assert_int_equal(sshsig_sign(k, PFISH_NS_RECORD, msg, mlen, out), 0);
	assert_int_equal(buf_len(out), 6 + wlen);
	assert_memory_equal(buf_ptr(out) + 6, want, wlen);
	buf_free(out);
	free(msg);
	free(want);
	sshkey_priv_free(k);
}

static void
test_verify_ssh_keygen(void **state)
{
	u_char pk[SSHKEY_ED25519_PK], want[SSHKEY_ED25519_PK];
	char *msg, *sig, *sig256;
	size_t mlen, slen, s256len;

	(void)state;
	assert_int_equal(sshkey_load_public(tl_data_path("test_ed25519.pub"),
	    want, NULL), 0);
	msg = tl_data_file("msg.txt", &mlen);
	sig = tl_data_file("msg.txt.sig", &slen);
	sig256 = tl_data_file("msg.txt.sha256.sig", &s256len);
	assert_int_equal(sshsig_verify(sig, slen, PFISH_NS_RECORD, msg, mlen,
	    pk), 0);
	assert_memory_equal(pk, want, sizeof(pk));
	assert_int_equal(sshsig_verify(sig256, s256len, PFISH_NS_DELETE, msg,
	    mlen, pk), 0);
	assert_memory_equal(pk, want, sizeof(pk));
	/* Wrong namespace, changed message, without the final newline. */
	assert_int_equal(sshsig_verify(sig, slen, PFISH_NS_HEAD, msg, mlen,
	    pk), SSHSIG_ERR_NAMESPACE);
	assert_true(sodium_is_zero(pk, sizeof(pk)));
	assert_int_equal(sshsig_verify(sig256, s256len, PFISH_NS_RECORD, msg,
	    mlen, pk), SSHSIG_ERR_NAMESPACE);
	assert_int_equal(sshsig_verify(sig, slen, PFISH_NS_RECORD, msg,
	    mlen - 1, pk), SSHSIG_ERR_BAD_SIG);
	msg[0] ^= 1;
	assert_int_equal(sshsig_verify(sig256, s256len, PFISH_NS_DELETE, msg,
	    mlen, pk), SSHSIG_ERR_BAD_SIG);
	msg[0] ^= 1;
	assert_int_equal(sshsig_verify(sig, slen - 1, PFISH_NS_RECORD, msg,
	    mlen, pk), 0);
	free(msg);
	free(sig);
	free(sig256);
}

static void
test_roundtrip_sizes(void **state)
{
	struct sshkey_priv *k = key_a();
	u_char pk[SSHKEY_ED25519_PK], *msg;
	struct buf *out;
	size_t sizes[] = { 0, 1, 2, 69, 70, 71, 1000, 100000 }, i;

	(void)state;
	assert_non_null(msg = malloc(100000));
	randombytes_buf(msg, 100000);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_non_null(out = buf_new());
		assert_int_equal(sshsig_sign(k, PFISH_NS_HEAD, msg, sizes[i],
		    out), 0);
		assert_true(buf_len(out) < SSHSIG_ARMOR_MAX);
		assert_int_equal(buf_ptr(out)[buf_len(out) - 1], '\n');
		assert_int_equal(sshsig_verify((const char *)buf_ptr(out),
		    buf_len(out), PFISH_NS_HEAD, msg, sizes[i], pk), 0);
		assert_memory_equal(pk, k->pk, sizeof(pk));
		if (sizes[i] > 0) {
			msg[sizes[i] - 1] ^= 0x80;
			assert_int_equal(sshsig_verify(
			    (const char *)buf_ptr(out), buf_len(out),
			    PFISH_NS_HEAD, msg, sizes[i], pk),
			    SSHSIG_ERR_BAD_SIG);
			msg[sizes[i] - 1] ^= 0x80;
		}
		buf_free(out);
	}
	free(msg);
	sshkey_priv_free(k);
}

static void
test_sign_refuses(void **state)
{
	struct sshkey_priv *k = key_a();
	struct buf *out;

	(void)state;
	assert_non_null(out = buf_new());
	assert_int_equal(sshsig_sign(k, "", "m", 1, out),
	    SSHSIG_ERR_NAMESPACE);
	/* A key whose public half is not its secret's: no signature. */
	k->pk[0] ^= 1;
	assert_int_not_equal(sshsig_sign(k, PFISH_NS_RECORD, "m", 1, out), 0);
	assert_int_equal(buf_len(out), 0);
	buf_free(out);
	sshkey_priv_free(k);
}

struct sigspec {
	uint32_t	 version;
	const char	*ns;
	const char	*reserved;
	const char	*hashalg;
	const char	*sigtype;
	int		 trailing;	/* append a byte to the blob */
};

static const struct sigspec good = {
	1, PFISH_NS_DELETE, "", "sha512", "ssh-ed25519", 0
};

/* Build a signature blob by hand, armored like ssh-keygen. */
static char *
make_sig(const struct sshkey_priv *k, const struct sigspec *s,
    const void *msg, size_t mlen, u_char **rawp, size_t *rawlen)
{
	u_char h[64], sig[64];
	struct buf *d, *blob, *sb;
	char *b64, *armored;
	size_t hlen = strcmp(s->hashalg, "sha256") == 0 ? 32 : 64, i, blen;

	if (hlen == 32)
		crypto_hash_sha256(h, msg, mlen);
	else
		crypto_hash_sha512(h, msg, mlen);
	assert_non_null(d = buf_new());
	assert_non_null(blob = buf_new());
	assert_non_null(sb = buf_new());
	assert_int_equal(buf_put(d, "SSHSIG", 6), 0);
	assert_int_equal(buf_put_cstring(d, s->ns), 0);
	assert_int_equal(buf_put_cstring(d, s->reserved), 0);
	assert_int_equal(buf_put_cstring(d, s->hashalg), 0);
	assert_int_equal(buf_put_string(d, h, hlen), 0);
	crypto_sign_detached(sig, NULL, buf_ptr(d), buf_len(d), k->sk);
	assert_int_equal(buf_put_cstring(sb, s->sigtype), 0);
	assert_int_equal(buf_put_string(sb, sig, 64), 0);
	assert_int_equal(buf_put(blob, "SSHSIG", 6), 0);
	assert_int_equal(buf_put_u32(blob, s->version), 0);
	assert_int_equal(buf_put_u32(blob, 51), 0);
	assert_int_equal(sshkey_pub_to_blob(k->pk, blob), 0);
	assert_int_equal(buf_put_cstring(blob, s->ns), 0);
	assert_int_equal(buf_put_cstring(blob, s->reserved), 0);
	assert_int_equal(buf_put_cstring(blob, s->hashalg), 0);
	assert_int_equal(buf_put_stringb(blob, sb), 0);
	if (s->trailing)
		assert_int_equal(buf_put_u8(blob, 0), 0);
	blen = sodium_base64_ENCODED_LEN(buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	assert_non_null(b64 = malloc(blen));
	sodium_bin2base64(b64, blen, buf_ptr(blob), buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	buf_reset(d);
	assert_int_equal(buf_putf(d, "%s\n", SSHSIG_BEGIN), 0);
	for (i = 0; i < strlen(b64); i += 70)
		assert_int_equal(buf_putf(d, "%.70s\n", b64 + i), 0);
	assert_int_equal(buf_putf(d, "%s\n", SSHSIG_END), 0);
	assert_non_null(armored = buf_dup_string(d));
	if (rawp != NULL) {
		assert_non_null(*rawp = malloc(buf_len(blob)));
		memcpy(*rawp, buf_ptr(blob), buf_len(blob));
		*rawlen = buf_len(blob);
	}
	free(b64);
	buf_free(sb);
	buf_free(blob);
	buf_free(d);
	return armored;
}

static int
verify_spec(const struct sshkey_priv *k, const struct sigspec *s)
{
	u_char pk[SSHKEY_ED25519_PK];
	char *a;
	int r;

	a = make_sig(k, s, "msg", 3, NULL, NULL);
	r = sshsig_verify(a, strlen(a), PFISH_NS_DELETE, "msg", 3, pk);
	free(a);
	return r;
}

static void
test_blob_fields(void **state)
{
	struct sshkey_priv *k = key_a();
	struct sigspec s;
	struct buf *out;
	char *a;

	(void)state;
	/* The hand-made signature is the same bytes sshsig_sign makes. */
	a = make_sig(k, &good, "msg", 3, NULL, NULL);
	assert_non_null(out = buf_new());
	assert_int_equal(sshsig_sign(k, PFISH_NS_DELETE, "msg", 3, out), 0);
	assert_int_equal(buf_len(out), strlen(a));
	assert_memory_equal(buf_ptr(out), a, strlen(a));
	free(a);
	buf_free(out);
	assert_int_equal(verify_spec(k, &good), 0);
	s = good;
	s.hashalg = "sha256";
	assert_int_equal(verify_spec(k, &s), 0);
	s = good;
	s.version = 2;
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_UNSUPPORTED);
	s = good;
	s.hashalg = "sha1";
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_UNSUPPORTED);
	s = good;
	s.reserved = "x";
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_UNSUPPORTED);
	s = good;
	s.sigtype = "rsa-sha2-512";
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_UNSUPPORTED);
	s = good;
	s.trailing = 1;
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_FORMAT);
	s = good;
	s.ns = PFISH_NS_RECORD;
	assert_int_equal(verify_spec(k, &s), SSHSIG_ERR_NAMESPACE);
	sshkey_priv_free(k);
}

/* Re-armor a raw blob and verify it. */
static int
verify_raw(const u_char *raw, size_t len)
{
	u_char pk[SSHKEY_ED25519_PK];
	char b64[1024], armored[1200];
	int n;

	sodium_bin2base64(b64, sizeof(b64), raw, len,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(armored, sizeof(armored), "%s\n%s\n%s\n", SSHSIG_BEGIN,
	    b64, SSHSIG_END);
	assert_true(n > 0 && (size_t)n < sizeof(armored));
	return sshsig_verify(armored, (size_t)n, PFISH_NS_DELETE, "msg", 3,
	    pk);
}

static void
test_every_byte_matters(void **state)
{
	struct sshkey_priv *k = key_a();
	u_char *raw;
	size_t len, i;
	char *a;

	(void)state;
	a = make_sig(k, &good, "msg", 3, &raw, &len);
	/* One long base64 line is fine too. */
	assert_int_equal(verify_raw(raw, len), 0);
	for (i = 0; i < len; i++) {
		raw[i] ^= 0x01;
		assert_int_not_equal(verify_raw(raw, len), 0);
		raw[i] ^= 0x01;
		raw[i] ^= 0x80;
		assert_int_not_equal(verify_raw(raw, len), 0);
		raw[i] ^= 0x80;
	}
	for (i = 0; i < len; i++)
		assert_int_not_equal(verify_raw(raw, i), 0);
	free(raw);
	free(a);
	sshkey_priv_free(k);
}

static void
test_armor_strict(void **state)
{
	struct sshkey_priv *k = key_a();
	u_char pk[SSHKEY_ED25519_PK];
	char *a, big[SSHSIG_ARMOR_MAX + 100], *crlf, *p;
	size_t len, i, j;

	(void)state;
	a = make_sig(k, &good, "msg", 3, NULL, NULL);
	len = strlen(a);
	for (i = 0; i < len - 1; i++)
		assert_int_equal(sshsig_verify(a, i, PFISH_NS_DELETE, "msg", 3,
		    pk), SSHSIG_ERR_FORMAT);
	assert_int_equal(sshsig_verify(a, len - 1, PFISH_NS_DELETE, "msg", 3,
	    pk), 0);
	/* Text after the end line, blank before the begin line. */
	memcpy(big, a, len);
	memcpy(big + len, "x\n", 2);
	assert_int_equal(sshsig_verify(big, len + 2, PFISH_NS_DELETE, "msg",
	    3, pk), SSHSIG_ERR_FORMAT);
	big[0] = '\n';
	memcpy(big + 1, a, len);
	assert_int_equal(sshsig_verify(big, len + 1, PFISH_NS_DELETE, "msg",
	    3, pk), SSHSIG_ERR_FORMAT);
	/* CR LF line ends, as ssh-keygen never writes them. */
	assert_non_null(crlf = malloc(2 * len));
	for (i = j = 0; i < len; i++) {
		if (a[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = a[i];
	}
	assert_int_equal(sshsig_verify(crlf, j, PFISH_NS_DELETE, "msg", 3,
	    pk), SSHSIG_ERR_FORMAT);
	/* A base64 character swapped for a space or a stray '='. */
	p = strchr(a, '\n') + 5;
	*p = ' ';
	assert_int_equal(sshsig_verify(a, len, PFISH_NS_DELETE, "msg", 3, pk),
	    SSHSIG_ERR_FORMAT);
	*p = '=';
	assert_int_equal(sshsig_verify(a, len, PFISH_NS_DELETE, "msg", 3, pk),
	    SSHSIG_ERR_FORMAT);
	memset(big, 'A', sizeof(big));
	assert_int_equal(sshsig_verify(big, sizeof(big), PFISH_NS_DELETE,
	    "msg", 3, pk), SSHSIG_ERR_FORMAT);
	free(crlf);
	free(a);
	sshkey_priv_free(k);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(pfish_strerror(SSHSIG_ERR_BAD_SIG),
	    "SSH signature does not verify");
	assert_string_equal(pfish_strerror(12345), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_matches_ssh_keygen),
		cmocka_unit_test(test_verify_ssh_keygen),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_blob_fields),
		cmocka_unit_test(test_every_byte_matters),
		cmocka_unit_test(test_armor_strict),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
