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

/*
 * test_stmtsig.c: a record kept as its fields, its text's hash and its
 * parsed signature (stmt_sig_parse, stmt_record_sig_check) is judged
 * exactly as stmt_verify_signed judges the whole signed text.
 */

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
#include "stmt.h"
#include "testlib.h"
#include "trust.h"

#define NOW	1764000000ULL

struct ctx {
	struct sshkey_priv	*a;	/* trusted for records */
	struct sshkey_priv	*b;	/* not in the trust file */
	struct trust		*trust;
};

/* A record for seq whose key field names fpkey, signed by signer. */
static struct buf *
signed_record(const struct sshkey_priv *signer, const struct sshkey_priv *fpkey,
    enum stmt_type type, uint64_t seq)
{
	struct stmt_record r;
	struct buf *text, *out;

	memset(&r, 0, sizeof(r));
	strlcpy(r.mailbox, "alice", sizeof(r.mailbox));
	strlcpy(r.epoch, "0123456789abcdef", sizeof(r.epoch));
	r.seq = seq;
	r.time = NOW;
	r.size = 5;
	sshkey_fingerprint(fpkey->pk, r.key);
	assert_non_null(text = buf_new());
	assert_non_null(out = buf_new());
	assert_int_equal(stmt_record_encode(&r, text), 0);
	assert_int_equal(stmt_sign(signer, type, buf_ptr(text),
	    buf_len(text), out), 0);
	buf_free(text);
	return out;
}

/*
 * Keep data as the client and the store now do, and judge it both ways;
 * the two verdicts must agree.  Returns the kept form's verdict (0: good).
 */
static int
judge(const struct ctx *c, const u_char *data, size_t len,
    struct stmt_record *r, u_char hash[STMT_HASH_LEN], int tamper)
{
	struct sshsig_parsed sig;
	u_char pk[SSHKEY_ED25519_PK];
	size_t tl, tl2;
	int whole, kept = -1;

	whole = stmt_verify_signed(data, len, STMT_RECORD, c->trust, NOW,
	    &tl, pk) == 0 && stmt_key_matches(r->key, pk) ? 0 : -1;
	if (stmt_sig_parse(data, len, STMT_RECORD, &tl2, &sig) == 0) {
		if (tamper == 1)
			r->time++;
		if (tamper == 2)
			hash[0] ^= 1;
		kept = stmt_record_sig_check(r, hash, &sig, c->trust, NOW) == 0 ?
		    0 : -1;
	}
	if (tamper == 0)
		assert_int_equal(whole, kept);
	return kept;
}

static int
keep(const struct ctx *c, struct buf *b, int tamper)
{
	struct stmt_record r;
	u_char hash[STMT_HASH_LEN];
	size_t tl;
	int v;

	assert_int_equal(stmt_split_signed(buf_ptr(b), buf_len(b), &tl), 0);
	assert_int_equal(stmt_record_parse(buf_ptr(b), tl, &r), 0);
	stmt_hash(buf_ptr(b), tl, hash);
	v = judge(c, buf_ptr(b), buf_len(b), &r, hash, tamper);
	buf_free(b);
	return v;
}

static void
test_good(void **state)
{
	const struct ctx *c = *state;

	assert_int_equal(keep(c, signed_record(c->a, c->a, STMT_RECORD, 7), 0),
	    0);
}

static void
test_fields_and_hash_bound(void **state)
{
	const struct ctx *c = *state;

	/* Fields that no longer encode the signed text; a wrong hash. */
	assert_int_equal(keep(c, signed_record(c->a, c->a, STMT_RECORD, 7), 1),
	    -1);
	assert_int_equal(keep(c, signed_record(c->a, c->a, STMT_RECORD, 7), 2),
	    -1);
}

static void
test_untrusted_and_mismatched(void **state)
{
	const struct ctx *c = *state;

	/* Signed by a key the trust file does not list. */
	assert_int_equal(keep(c, signed_record(c->b, c->b, STMT_RECORD, 7), 0),
	    -1);
	/* Signed by the trusted key, but the key field names another. */
	assert_int_equal(keep(c, signed_record(c->a, c->b, STMT_RECORD, 7), 0),
	    -1);
	/* Signed under the head namespace: not a record signature. */
	assert_int_equal(keep(c, signed_record(c->a, c->a, STMT_HEAD, 7), 0),
	    -1);
}

static void
test_bad_signature(void **state)
{
	const struct ctx *c = *state;
	struct buf *b;
	u_char *p;
	size_t tl, i;

	/* Flip one base64 digit inside the signature's last line. */
	b = signed_record(c->a, c->a, STMT_RECORD, 7);
	assert_int_equal(stmt_split_signed(buf_ptr(b), buf_len(b), &tl), 0);
	p = (u_char *)buf_ptr(b);
	i = buf_len(b) - sizeof(SSHSIG_END) - 8;
	p[i] = p[i] == 'A' ? 'B' : 'A';
	assert_int_equal(keep(c, b, 0), -1);
}

static int
setup(void **state)
{
	struct ctx *c;
	char *line = NULL, *text = NULL, err[128];

	if (sodium_init() < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if (sshkey_load_private(tl_data_path("test_ed25519"), &c->a) != 0 ||
	    sshkey_load_private(tl_data_path("test_ed25519_b"), &c->b) != 0 ||
	    sshkey_pub_format(c->a->pk, NULL, &line) != 0 ||
	    asprintf(&text, "signer namespaces=\"%s\" %s\n", PFISH_NS_RECORD,
	    line) < 0 ||
	    trust_parse(text, strlen(text), &c->trust, err, sizeof(err)) != 0)
		return -1;
	free(line);
	free(text);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	sshkey_priv_free(c->a);
	sshkey_priv_free(c->b);
	trust_free(c->trust);
	free(c);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_fields_and_hash_bound),
		cmocka_unit_test(test_untrusted_and_mismatched),
		cmocka_unit_test(test_bad_signature),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
