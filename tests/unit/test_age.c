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

/* test_age.c: unit tests for the age format and crypto (proto/age.c, age/age*.c). */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "buf.h"
#include "sshkey.h"

static void
hex2bin(const char *hex, u_char *out, size_t outsz, size_t *lenp)
{
	assert_int_equal(sodium_hex2bin(out, outsz, hex, strlen(hex), NULL,
	    lenp, NULL), 0);
}

static void
range(u_char *p, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		p[i - from] = (u_char)i;
}

/* RFC 5869 appendix A, the three SHA-256 cases. */
static void
test_hkdf_rfc5869(void **state)
{
	u_char ikm[80], salt[80], info[80], okm[82], want[82];
	size_t wlen;

	(void)state;
	memset(ikm, 0x0b, 22);
	range(salt, 0, 13);
	range(info, 0xf0, 0xfa);
	hex2bin("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4"
	    "c5bf34007208d5b887185865", want, sizeof(want), &wlen);
	assert_int_equal(age_hkdf(salt, 13, ikm, 22, info, 10, okm, 42), 0);
	assert_memory_equal(okm, want, 42);

	range(ikm, 0, 0x50);
	range(salt, 0x60, 0xb0);
	range(info, 0xb0, 0x100);
	hex2bin("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19af"
	    "a97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9ac"
	    "a3db71cc30c58179ec3e87c14c01d5c1f3434f1d87", want, sizeof(want),
	    &wlen);
	assert_int_equal(wlen, 82);
	assert_int_equal(age_hkdf(salt, 80, ikm, 80, info, 80, okm, 82), 0);
	assert_memory_equal(okm, want, 82);

	memset(ikm, 0x0b, 22);
	hex2bin("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c73"
	    "8d2d9d201395faa4b61a96c8", want, sizeof(want), &wlen);
	assert_int_equal(age_hkdf(NULL, 0, ikm, 22, "", 0, okm, 42), 0);
	assert_memory_equal(okm, want, 42);
	/* More than 255 blocks is not HKDF. */
	assert_int_equal(age_hkdf(NULL, 0, ikm, 22, "", 0, okm,
	    255 * 32 + 1), AGE_ERR_INVALID);
}

static void
test_base64_canonical(void **state)
{
	u_char out[64];
	char enc[96];
	size_t n, len;

	(void)state;
	assert_int_equal(age_b64_decode("AA", 2, out, sizeof(out), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0);
	/* Non-zero unused bits, padding, impossible lengths. */
	assert_int_not_equal(age_b64_decode("AB", 2, out, sizeof(out), &n), 0);
	assert_int_not_equal(age_b64_decode("AAB", 3, out, sizeof(out), &n), 0);
	assert_int_not_equal(age_b64_decode("AA==", 4, out, sizeof(out), &n),
	    0);
	assert_int_not_equal(age_b64_decode("AAAAA", 5, out, sizeof(out), &n),
	    0);
	assert_int_not_equal(age_b64_decode("AA-_", 4, out, sizeof(out), &n),
	    0);
	/* Output space is checked before writing. */
	assert_int_not_equal(age_b64_decode("AAAA", 4, out, 2, &n), 0);
	for (len = 0; len < 40; len++) {
		randombytes_buf(out, len);
		assert_int_equal(age_b64_encode(out, len, enc, sizeof(enc)), 0);
		assert_int_equal(strlen(enc), age_b64_enclen(len));
		assert_int_equal(age_b64_decode(enc, strlen(enc), out + 40,
		    24, &n), len <= 24 ? 0 : AGE_ERR_INVALID);
		if (len <= 24) {
			assert_int_equal(n, len);
			assert_memory_equal(out, out + 40, len);
		}
	}
}

/* A header with one stanza of the given body length. */
static struct buf *
make_header(size_t bodylen)
{
	const char *args[] = { "test", "arg1", "a+/=" };
	u_char body[200], mac[AGE_MAC_LEN];
	struct buf *b;

	memset(body, 0x5a, sizeof(body));
	memset(mac, 0xa5, sizeof(mac));
	assert_non_null(b = buf_new());
	assert_int_equal(age_header_put_version(b), 0);
	assert_int_equal(age_header_put_stanza(b, args, 3, body, bodylen), 0);
	assert_int_equal(age_header_put_mac_mark(b), 0);
	assert_int_equal(age_header_put_mac(b, mac), 0);
	return b;
}

static void
test_header_roundtrip(void **state)
{
	struct age_header *hdr;
	struct buf *b;
	size_t bodylen, cut, lines;
	const char *p;

	(void)state;
	for (bodylen = 0; bodylen <= 150; bodylen++) {
		b = make_header(bodylen);
		/* Full 48-byte groups make full lines, then a short one. */
		for (lines = 0, p = (const char *)buf_ptr(b);
		    (p = memchr(p, '\n', buf_len(b) - (size_t)(p -
		    (const char *)buf_ptr(b)))) != NULL; p++)
			lines++;
		assert_int_equal(lines, 3 + bodylen / 48 + 1);
		assert_int_equal(age_header_parse(buf_ptr(b), buf_len(b), &hdr),
		    0);
		assert_int_equal(hdr->len, buf_len(b));
		assert_int_equal(hdr->maclen, buf_len(b) - 1 - 43 - 1);
		assert_int_equal(hdr->nstanzas, 1);
		assert_int_equal(hdr->stanzas[0].nargs, 3);
		assert_string_equal(hdr->stanzas[0].args[2], "a+/=");
		assert_int_equal(hdr->stanzas[0].bodylen, bodylen);
		age_header_free(hdr);
		/* Every proper prefix asks for more, nothing else. */
		for (cut = 0; cut < buf_len(b); cut++)
			assert_int_equal(age_header_parse(buf_ptr(b), cut,
			    &hdr), AGE_ERR_SHORT);
		buf_free(b);
	}
}

static int
parse_str(const char *s)
{
	struct age_header *hdr;
	int r;

	r = age_header_parse((const u_char *)s, strlen(s), &hdr);
	age_header_free(hdr);
	return r;
}

#define V1	"age-encryption.org/v1\n"
#define MAC	"--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"

static void
test_header_rejects(void **state)
{
	(void)state;
	assert_int_equal(parse_str(V1 "-> a b\nAA\n" MAC), 0);
	assert_int_equal(parse_str(V1 "-> a b\n\n" MAC "payload"), 0);
	assert_int_equal(parse_str("age-encryption.org/v2\n-> a\n\n" MAC),
	    AGE_ERR_VERSION);
	assert_int_equal(parse_str("not-age\n"), AGE_ERR_HEADER);
	assert_int_equal(parse_str("x"), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 MAC), AGE_ERR_HEADER);	/* no stanza */
	assert_int_equal(parse_str(V1 "->\n\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> \n\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a  b\n\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a \n\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\r\n\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\nAA==\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\nAB\n" MAC), AGE_ERR_HEADER);
	/* A short line ends the body: a following full line is garbage. */
	assert_int_equal(parse_str(V1 "-> a\nAA\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "\n" MAC), AGE_ERR_HEADER);
	/* A full body line must be followed by a final line. */
	assert_int_equal(parse_str(V1 "-> a\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "\n" MAC), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n\n---\n"), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n\n--- AAAA\n"), AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n\n"
	    "---  AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"),
	    AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n\n"
	    "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\n"),
	    AGE_ERR_HEADER);
	assert_int_equal(parse_str(V1 "-> a\n\n" MAC) , 0);
	assert_int_equal(parse_str(V1 "-> a\n\n--- AAAA"), AGE_ERR_SHORT);
	/* Writing refuses arguments that could not be parsed back. */
	{
		const char *bad[] = { "a b" }, *empty[] = { "" };
		struct buf *b = buf_new();

		assert_int_equal(age_header_put_stanza(b, bad, 1, NULL, 0),
		    AGE_ERR_INVALID);
		assert_int_equal(age_header_put_stanza(b, empty, 1, NULL, 0),
		    AGE_ERR_INVALID);
		buf_free(b);
	}
}

/* Decode armor fed one byte at a time; returns the decoder's verdict. */
static int
armor_trickle(const u_char *in, size_t len, struct buf *out)
{
	struct age_armor *a;
	u_char dec[96];
	size_t pos = 0, fed, consumed, n;
	int r = 0;

	assert_non_null(a = age_armor_new());
	for (fed = 1; fed <= len && r == 0; fed++) {
		r = age_armor_decode(a, in + pos, fed - pos, fed == len,
		    &consumed, dec, sizeof(dec), &n);
		pos += consumed;
		assert_int_equal(buf_put(out, dec, n), 0);
	}
	if (len == 0)
		r = age_armor_decode(a, in, 0, 1, &consumed, dec, sizeof(dec),
		    &n);
	if (r == 0 && !age_armor_done(a))
		r = AGE_ERR_ARMOR;
	age_armor_free(a);
	return r;
}

static int
armor_str(const char *s)
{
	struct buf *out = buf_new();
	int r;

	r = armor_trickle((const u_char *)s, strlen(s), out);
	buf_free(out);
	return r;
}

#define BEGIN	AGE_ARMOR_BEGIN "\n"
#define END	AGE_ARMOR_END "\n"

static void
test_armor(void **state)
{
	u_char data[1000];
	struct buf *enc, *dec;
	size_t len;

	(void)state;
	for (len = 0; len <= 200; len += 1) {
		randombytes_buf(data, len);
		assert_non_null(enc = buf_new());
		assert_non_null(dec = buf_new());
		assert_int_equal(age_armor_encode(data, len, enc), 0);
		assert_true(age_armor_detect(buf_ptr(enc), buf_len(enc)));
		assert_int_equal(armor_trickle(buf_ptr(enc), buf_len(enc), dec),
		    0);
		assert_int_equal(buf_len(dec), len);
		assert_memory_equal(buf_ptr(dec), data, len);
		buf_free(enc);
		buf_free(dec);
	}
	assert_int_equal(armor_str(BEGIN "AAAA\n" END), 0);
	assert_int_equal(armor_str(" \r\n\t" BEGIN "AAAA\r\n" END "\n \n"), 0);
	assert_int_equal(armor_str(BEGIN "AAAA\n" AGE_ARMOR_END), 0);
	assert_int_equal(armor_str(BEGIN END), 0);
	assert_int_equal(armor_str(""), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAAA\n"), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAAA\n" END "x"), AGE_ERR_ARMOR);
	assert_int_equal(armor_str("x" BEGIN "AAAA\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAA=\n" END), 0);
	assert_int_equal(armor_str(BEGIN "AAB=\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAA\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "\nAAAA\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAAA\n\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAAA \n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str(BEGIN "AAAA\nAAAA\n" END), AGE_ERR_ARMOR);
	assert_int_equal(armor_str("-----BEGIN age encrypted file-----\n"
	    "AAAA\n" END), AGE_ERR_ARMOR);
	assert_false(age_armor_detect((const u_char *)"age-encryption.org/v1",
	    21));
}

static void
test_bech32(void **state)
{
	u_char data[64], back[64];
	char s[200], hrp[32], *c;
	size_t len, n;
	struct age_identities *ids;

	(void)state;
	for (len = 0; len <= 40; len++) {
		randombytes_buf(data, len);
		assert_int_equal(age_bech32_encode("test", data, len, len & 1,
		    s, sizeof(s)), 0);
		assert_int_equal(age_bech32_decode(s, hrp, sizeof(hrp), back,
		    sizeof(back), &n), 0);
		assert_string_equal(hrp, "test");
		assert_int_equal(n, len);
		assert_memory_equal(back, data, len);
		/* One changed character breaks the checksum. */
		c = &s[strlen(s) - 1];
		if (len & 1)
			*c = *c == 'Q' ? 'P' : 'Q';
		else
			*c = *c == 'q' ? 'p' : 'q';
		assert_int_not_equal(age_bech32_decode(s, hrp, sizeof(hrp),
		    back, sizeof(back), &n), 0);
	}
	/* BIP 173 test vectors. */
	assert_int_equal(age_bech32_decode("A12UEL5L", hrp, sizeof(hrp), back,
	    sizeof(back), &n), 0);
	assert_string_equal(hrp, "a");
	assert_int_equal(n, 0);
	assert_int_not_equal(age_bech32_decode("A12uEL5L", hrp, sizeof(hrp),
	    back, sizeof(back), &n), 0);
	assert_int_not_equal(age_bech32_decode("pzry9x0s0muk", hrp,
	    sizeof(hrp), back, sizeof(back), &n), 0);
	/* The age spec's example identity and its recipient. */
	assert_non_null(ids = age_identities_new());
	assert_int_equal(age_identities_add_x25519(ids, "AGE-SECRET-KEY-1GFPYY"
	    "SJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"), 0);
	assert_int_equal(age_identities_add_x25519(ids, "AGE-SECRET-KEY-1GFPYY"
	    "SJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEY"),
	    AGE_ERR_KEY);
	age_identities_free(ids);
	assert_int_equal(age_bech32_decode("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZ"
	    "GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX", hrp, sizeof(hrp),
	    data, sizeof(data), &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(crypto_scalarmult_base(back, data), 0);
	assert_int_equal(age_bech32_encode("age", back, 32, 0, s, sizeof(s)),
	    0);
	assert_string_equal(s,
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
}

/* A temporary file with n bytes of (position-derived) plaintext. */
static FILE *
plain_file(size_t n)
{
	FILE *f;
	size_t i;

	assert_non_null(f = tmpfile());
	for (i = 0; i < n; i++)
		fputc((int)((i * 7 + i / 65536) & 0xff), f);
	fflush(f);
	rewind(f);
	return f;
}

static void
roundtrip(const struct age_recipients *rc, const struct age_identities *ids,
    size_t n, size_t nrecipients)
{
	struct age_opts eo, dopts;
	FILE *pt, *ct, *back;
	size_t chunks = n == 0 ? 1 : (n + AGE_CHUNK_LEN - 1) / AGE_CHUNK_LEN;
	u_char want[32];
	crypto_hash_sha256_state sh;
	int c;

	memset(&eo, 0, sizeof(eo));
	memset(&dopts, 0, sizeof(dopts));
	pt = plain_file(n);
	assert_non_null(ct = tmpfile());
	assert_non_null(back = tmpfile());
	eo.want_in_sha256 = 1;
	assert_int_equal(age_encrypt_fd(rc, fileno(pt), fileno(ct), &eo), 0);
	assert_int_equal(eo.in_bytes, n);
	/* Header, nonce, one tag per chunk: nothing else. */
	assert_true(eo.out_bytes > n + AGE_NONCE_LEN + chunks * AGE_TAG_LEN +
	    nrecipients * 80);
	assert_true(eo.out_bytes < n + AGE_NONCE_LEN + chunks * AGE_TAG_LEN +
	    nrecipients * 160 + 80);
	rewind(ct);
	dopts.want_sha256 = 1;
	assert_int_equal(age_decrypt_fd(ids, fileno(ct), fileno(back), &dopts),
	    0);
	assert_int_equal(dopts.out_bytes, n);
	assert_int_equal(dopts.in_bytes, eo.out_bytes);
	rewind(pt);
	crypto_hash_sha256_init(&sh);
	while ((c = fgetc(pt)) != EOF) {
		u_char b = (u_char)c;
		crypto_hash_sha256_update(&sh, &b, 1);
	}
	crypto_hash_sha256_final(&sh, want);
	assert_memory_equal(dopts.sha256, want, 32);
	assert_memory_equal(eo.in_sha256, want, 32);
	fclose(pt);
	fclose(ct);
	fclose(back);
}

static void
test_stream_boundaries(void **state)
{
	static const size_t sizes[] = { 0, 1, 16, 65535, 65536, 65537,
	    2 * 65536, AGE_IO_CHUNKS * 65536 - 1, AGE_IO_CHUNKS * 65536,
	    AGE_IO_CHUNKS * 65536 + 1, (AGE_IO_CHUNKS + 1) * 65536,
	    /* Several full batches, a full last chunk, and one byte more. */
	    4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1,
	    3 * AGE_IO_CHUNKS * 65536 + 12345 };
	struct age_recipients *rc;
	struct age_identities *ids;
	char sk[AGE_IDENTITY_STR_MAX], pk[AGE_RECIPIENT_STR_MAX];
	size_t i;

	(void)state;
	assert_non_null(rc = age_recipients_new());
	assert_non_null(ids = age_identities_new());
	assert_int_equal(age_x25519_generate(sk, pk), 0);
	assert_int_equal(age_recipients_add(rc, pk), 0);
	assert_int_equal(age_identities_add_x25519(ids, sk), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		roundtrip(rc, ids, sizes[i], 1);
	age_recipients_free(rc);
	age_identities_free(ids);
}

/*
 * A small file is read a few chunks at a time; a header longer than that
 * (here one unknown stanza of 200 KiB) must still be read whole: the file
 * fails for want of an identity, not as a malformed header.  Cut inside
 * the header, it is malformed.
 */
static void
test_long_header_small_file(void **state)
{
	struct age_identities *ids;
	char sk[AGE_IDENTITY_STR_MAX], pk[AGE_RECIPIENT_STR_MAX];
	const char *mac = "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	FILE *f, *out;
	size_t i, full;

	(void)state;
	assert_non_null(ids = age_identities_new());
	assert_int_equal(age_x25519_generate(sk, pk), 0);
	assert_int_equal(age_identities_add_x25519(ids, sk), 0);
	assert_non_null(out = tmpfile());
	assert_non_null(f = tmpfile());
	fputs("age-encryption.org/v1\n-> pfish-test-long\n", f);
	for (i = 0; i < 200 * 1024 / 48; i++)
		fputs("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		    f);
	fputs("AAAA\n", f);
	fputs(mac, f);
	for (i = 0; i < 100; i++)
		fputc(i, f);
	fflush(f);
	full = (size_t)ftell(f);
	assert_true(full > 3 * AGE_CHUNK_CT_LEN);
	rewind(f);
	assert_int_equal(age_decrypt_fd(ids, fileno(f), fileno(out), NULL),
	    AGE_ERR_NO_MATCH);
	assert_int_equal(ftruncate(fileno(f), (off_t)(full - 100 -
	    strlen(mac))), 0);
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	assert_int_equal(age_decrypt_fd(ids, fileno(f), fileno(out), NULL),
	    AGE_ERR_HEADER);
	fclose(f);
	fclose(out);
	age_identities_free(ids);
}

/* ssh-ed25519 recipients from raw keys, several per file. */
static void
test_ssh_multi(void **state)
{
	struct sshkey_priv k[2];
	struct age_recipients *rc;
	struct age_identities *ids;
	char sk[AGE_IDENTITY_STR_MAX], pk[AGE_RECIPIENT_STR_MAX];
	int i;

	(void)state;
	assert_non_null(rc = age_recipients_new());
	for (i = 0; i < 2; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		assert_non_null(k[i].sk = sodium_malloc(64));
		crypto_sign_keypair(k[i].pk, k[i].sk);
		assert_int_equal(age_recipients_add_ssh(rc, k[i].pk), 0);
	}
	assert_int_equal(age_x25519_generate(sk, pk), 0);
	assert_int_equal(age_recipients_add(rc, pk), 0);
	for (i = 0; i < 2; i++) {
		assert_non_null(ids = age_identities_new());
		assert_int_equal(age_identities_add_ssh(ids, &k[i]), 0);
		roundtrip(rc, ids, 70000, 3);
		age_identities_free(ids);
	}
	assert_non_null(ids = age_identities_new());
	assert_int_equal(age_identities_add_x25519(ids, sk), 0);
	roundtrip(rc, ids, 1, 3);
	age_identities_free(ids);
	for (i = 0; i < 2; i++)
		sodium_free(k[i].sk);
	age_recipients_free(rc);
}

/* The sink: the file appears under its name only when all verified. */
static void
test_decrypt_to_path(void **state)
{
	struct age_recipients *rc;
	struct age_identities *ids;
	char sk[AGE_IDENTITY_STR_MAX], pk[AGE_RECIPIENT_STR_MAX];
	char dir[] = "/tmp/pfish-test-age.XXXXXX", tmp[64], fin[64];
	struct stat st;
	FILE *pt, *ct;
	long end;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	snprintf(fin, sizeof(fin), "%s/final", dir);
	assert_non_null(rc = age_recipients_new());
	assert_non_null(ids = age_identities_new());
	assert_int_equal(age_x25519_generate(sk, pk), 0);
	assert_int_equal(age_recipients_add(rc, pk), 0);
	assert_int_equal(age_identities_add_x25519(ids, sk), 0);
	pt = plain_file(200000);
	assert_non_null(ct = tmpfile());
	assert_int_equal(age_encrypt_fd(rc, fileno(pt), fileno(ct), NULL), 0);

	/* Cut off the last byte: nothing may appear. */
	fseek(ct, 0, SEEK_END);
	end = ftell(ct);
	assert_int_equal(ftruncate(fileno(ct), end - 1), 0);
	lseek(fileno(ct), 0, SEEK_SET);
	assert_int_equal(age_decrypt_to_path(ids, fileno(ct), tmp, fin, NULL),
	    AGE_ERR_PAYLOAD);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(stat(fin, &st), -1);

	rewind(pt);
	assert_int_equal(ftruncate(fileno(ct), 0), 0);
	lseek(fileno(ct), 0, SEEK_SET);
	assert_int_equal(age_encrypt_fd(rc, fileno(pt), fileno(ct), NULL), 0);
	lseek(fileno(ct), 0, SEEK_SET);
	assert_int_equal(age_decrypt_to_path(ids, fileno(ct), tmp, fin, NULL),
	    0);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(stat(fin, &st), 0);
	assert_int_equal(st.st_size, 200000);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* An existing temporary name is never reused or followed. */
	assert_int_equal(symlink(fin, tmp), 0);
	lseek(fileno(ct), 0, SEEK_SET);
	assert_int_equal(age_decrypt_to_path(ids, fileno(ct), tmp, fin, NULL),
	    AGE_ERR_IO);
	unlink(tmp);
	unlink(fin);
	rmdir(dir);
	fclose(pt);
	fclose(ct);
	age_recipients_free(rc);
	age_identities_free(ids);
}

/* Recipient and identity text: comments, blank lines, bad keys. */
static void
test_key_text(void **state)
{
	struct age_recipients *rc;
	struct age_identities *ids;
	const char *good =
	    "# alice\n"
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIXQmDi6pigFrEpLWLAVuDb2gCch5LXKAFcym+C6/z+O alice@host\r\n"
	    "\n"
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n";

	(void)state;
	assert_non_null(rc = age_recipients_new());
	assert_int_equal(age_recipients_add_text(rc, good, strlen(good)), 0);
	assert_int_equal(age_recipients_count(rc), 2);
	assert_int_equal(age_recipients_add(rc, "ssh-rsa AAAAB3NzaC1yc2E"),
	    AGE_ERR_KEY);
	assert_int_equal(age_recipients_add(rc,
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk"),
	    AGE_ERR_KEY);
	assert_int_equal(age_recipients_add(rc, "AGE-SECRET-KEY-1GFPYYSJZGFPYY"
	    "SJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"),
	    AGE_ERR_KEY);
	assert_int_equal(age_recipients_count(rc), 2);
	age_recipients_free(rc);
	assert_non_null(ids = age_identities_new());
	/* A recipient is not an identity. */
	assert_int_equal(age_identities_add_x25519(ids,
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"),
	    AGE_ERR_KEY);
	assert_int_equal(age_identities_count(ids), 0);
	age_identities_free(ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_base64_canonical),
		cmocka_unit_test(test_header_roundtrip),
		cmocka_unit_test(test_header_rejects),
		cmocka_unit_test(test_armor),
		cmocka_unit_test(test_bech32),
		cmocka_unit_test(test_stream_boundaries),
		cmocka_unit_test(test_long_header_small_file),
		cmocka_unit_test(test_ssh_multi),
		cmocka_unit_test(test_decrypt_to_path),
		cmocka_unit_test(test_key_text),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
