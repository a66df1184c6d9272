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
 * test_acchain.c: unit tests for state/acchain.c, the one checker of an
 * account chain, and the wire form the client reads it in (proto/sftp.c).
 */

#include <sys/types.h>
#include <sys/stat.h>

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

#include "acchain.h"
#include "account.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "sftp.h"
#include "sshkey.h"
#include "stmt.h"

enum { K_MASTER, K_LAPTOP, K_MALLORY, K_NEWMASTER, NKEYS };
static struct sshkey_priv *keys[NKEYS];
static char root[] = "/tmp/pfish-acchain.XXXXXX";
static int rootfd = -1;
/* A valid chain of three: master; + laptop; + phone (mallory's key). */
static struct buf *s1, *s2, *s3;

static void
add_key(struct account_state *st, enum account_role role, const char *label,
    int k, int ops)
{
	struct account_key *e = &st->keys[st->nkeys++];

	memset(e, 0, sizeof(*e));
	e->role = role;
	strlcpy(e->label, label, sizeof(e->label));
	memcpy(e->pk, keys[k]->pk, SSHKEY_ED25519_PK);
	e->ops = ops;
}

static struct buf *
sign_state(struct account_state *st, int k)
{
	struct buf *t, *out;

	sshkey_fingerprint(keys[k]->pk, st->key);
	if ((t = buf_new()) == NULL || (out = buf_new()) == NULL ||
	    account_encode(st, t) != 0 ||
	    account_sign(keys[k], buf_ptr(t), buf_len(t), out) != 0)
		abort();
	buf_free(t);
	return out;
}

/* st becomes the successor of itself as signed by signk. */
static void
next_of(struct account_state *st, int signk)
{
	struct buf *t;

	sshkey_fingerprint(keys[signk]->pk, st->key);
	if ((t = buf_new()) == NULL || account_encode(st, t) != 0)
		abort();
	stmt_hash(buf_ptr(t), buf_len(t), st->prev);
	st->serial++;
	st->time += 10;
	buf_free(t);
}

static struct account_state base;

static int
setup(void **state)
{
	u_char seed[crypto_sign_SEEDBYTES];
	int i;

	(void)state;
	if (sodium_init() < 0 || mkdtemp(root) == NULL ||
	    (rootfd = open(root, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		memset(seed, 'a' + i, sizeof(seed));
		if ((keys[i] = calloc(1, sizeof(*keys[i]))) == NULL ||
		    (keys[i]->sk = sodium_malloc(SSHKEY_ED25519_SK)) == NULL)
			return -1;
		crypto_sign_seed_keypair(keys[i]->pk, keys[i]->sk, seed);
	}
	memset(&base, 0, sizeof(base));
	strlcpy(base.account, "alice", sizeof(base.account));
	base.serial = 1;
	base.time = 1796000000;
	add_key(&base, ACCOUNT_MASTER, "main", K_MASTER, 0);
	s1 = sign_state(&base, K_MASTER);
	next_of(&base, K_MASTER);
	add_key(&base, ACCOUNT_MAIL, "laptop", K_LAPTOP,
	    ACCOUNT_OP_FETCH | ACCOUNT_OP_DELETE);
	s2 = sign_state(&base, K_MASTER);
	next_of(&base, K_MASTER);
	add_key(&base, ACCOUNT_MAIL, "phone", K_MALLORY, ACCOUNT_OP_FETCH);
	s3 = sign_state(&base, K_MASTER);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	int i;

	(void)state;
	for (i = 0; i < NKEYS; i++)
		sshkey_priv_free(keys[i]);
	buf_free(s1);
	buf_free(s2);
	buf_free(s3);
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int
append(struct acct_chain *ch, const struct buf *b)
{
	char why[256];

	return acchain_append_mem(ch, buf_ptr(b), buf_len(b), why,
	    sizeof(why));
}

static void
test_append(void **state)
{
	struct acct_chain ch;
	struct account_state st;
	struct buf *b;
	char why[256];

	(void)state;
	acchain_init(&ch, "alice");
	assert_null(acchain_last(&ch));
	/* Serial 2 first: no first state. */
	assert_int_equal(acchain_append_mem(&ch, buf_ptr(s2), buf_len(s2),
	    why, sizeof(why)), ACCOUNT_ERR_GENESIS);
	assert_non_null(strstr(why, "serial 2"));
	assert_int_equal(ch.n, 0);
	assert_int_equal(append(&ch, s1), 0);
	assert_int_equal(append(&ch, s1), ACCOUNT_ERR_SERIAL);	/* replay */
	assert_int_equal(append(&ch, s3), ACCOUNT_ERR_SERIAL);	/* gap */
	assert_int_equal(append(&ch, s2), 0);
	assert_int_equal(append(&ch, s3), 0);
	assert_int_equal(ch.n, 3);
	assert_int_equal(acchain_last(&ch)->st.serial, 3);
	assert_memory_equal(acchain_last(&ch)->signer, keys[K_MASTER]->pk,
	    SSHKEY_ED25519_PK);
	/* Serial 4 changing the master, signed by a mail key: refused. */
	st = base;
	next_of(&st, K_MASTER);
	memcpy(st.keys[0].pk, keys[K_NEWMASTER]->pk, SSHKEY_ED25519_PK);
	b = sign_state(&st, K_LAPTOP);
	assert_int_equal(acchain_append_mem(&ch, buf_ptr(b), buf_len(b),
	    why, sizeof(why)), ACCOUNT_ERR_SIGNER);
	assert_non_null(strstr(why, "serial 4"));
	buf_free(b);
	/* The same, signed by the master: accepted. */
	b = sign_state(&st, K_MASTER);
	assert_int_equal(append(&ch, b), 0);
	buf_free(b);
	/* Dropping the last link, and a damaged state. */
	acchain_pop(&ch);
	assert_int_equal(ch.n, 3);
	b = buf_new();
	assert_int_equal(buf_put(b, buf_ptr(s1), buf_len(s1)), 0);
	((u_char *)buf_ptr(b))[10] ^= 1;
	acchain_free(&ch);
	acchain_init(&ch, "alice");
	assert_int_not_equal(append(&ch, b), 0);
	assert_int_equal(ch.n, 0);
	buf_free(b);
	/* Another account's chain. */
	acchain_init(&ch, "bob");
	assert_int_equal(append(&ch, s1), ACCOUNT_ERR_NAME);
	/* No name given: taken from serial 1, then held to. */
	acchain_init(&ch, NULL);
	assert_int_equal(append(&ch, s1), 0);
	assert_string_equal(ch.account, "alice");
	acchain_free(&ch);
}

static void
put(int dfd, uint64_t serial, const struct buf *b)
{
	char fn[PFISH_NAME_MAX];

	assert_int_equal(layout_state_name(serial, fn, sizeof(fn)), 0);
	assert_int_equal(fs_write_atomic(dfd, dfd, fn, buf_ptr(b), buf_len(b),
	    0644), 0);
}

static int
load(int dfd, uint64_t max, struct acct_chain *ch, char *why, size_t len)
{
	return acchain_load(dfd, "alice", max, ch, why, len);
}

static void
test_load(void **state)
{
	struct acct_chain ch;
	char why[256], fn[PFISH_NAME_MAX];
	int dfd;

	(void)state;
	assert_int_equal(mkdirat(rootfd, "alice", 0755), 0);
	assert_true((dfd = openat(rootfd, "alice", O_RDONLY |
	    O_DIRECTORY)) != -1);
	assert_int_equal(load(dfd, ACCHAIN_MAX, &ch, why, sizeof(why)), 0);
	assert_int_equal(ch.n, 0);
	put(dfd, 1, s1);
	put(dfd, 2, s2);
	put(dfd, 3, s3);
	assert_int_equal(fs_write_atomic(dfd, dfd, "README", "x\n", 2, 0644),
	    0);
	assert_int_equal(load(dfd, ACCHAIN_MAX, &ch, why, sizeof(why)), 0);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.link[2].len, buf_len(s3));
	assert_memory_equal(ch.link[2].data, buf_ptr(s3), buf_len(s3));
	acchain_free(&ch);
	/* More than allowed. */
	assert_int_equal(load(dfd, 2, &ch, why, sizeof(why)),
	    ACCHAIN_ERR_TOOMANY);
	assert_int_equal(ch.n, 0);
	/* A gap. */
	assert_int_equal(layout_state_name(2, fn, sizeof(fn)), 0);
	assert_int_equal(unlinkat(dfd, fn, 0), 0);
	assert_int_equal(load(dfd, ACCHAIN_MAX, &ch, why, sizeof(why)),
	    ACCHAIN_ERR_GAP);
	assert_non_null(strstr(why, "serial 2 is missing"));
	/* Serial 3's state filed as serial 2. */
	put(dfd, 2, s3);
	assert_int_not_equal(load(dfd, ACCHAIN_MAX, &ch, why, sizeof(why)),
	    0);
	assert_non_null(strstr(why, "serial"));
	assert_int_equal(ch.n, 0);
	/* Serial 1 of another account's name under alice. */
	put(dfd, 2, s2);
	assert_int_equal(acchain_load(dfd, "bob", ACCHAIN_MAX, &ch, why,
	    sizeof(why)), ACCOUNT_ERR_NAME);
	assert_int_equal(load(dfd, ACCHAIN_MAX, &ch, why, sizeof(why)), 0);
	assert_int_equal(ch.n, 3);
	acchain_free(&ch);
	close(dfd);
}

static void
test_split(void **state)
{
	struct buf *b;
	size_t l1, l2;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put(b, buf_ptr(s1), buf_len(s1)), 0);
	assert_int_equal(buf_put(b, buf_ptr(s2), buf_len(s2)), 0);
	l1 = acchain_split(buf_ptr(b), buf_len(b));
	assert_int_equal(l1, buf_len(s1));
	l2 = acchain_split((const u_char *)buf_ptr(b) + l1, buf_len(b) - l1);
	assert_int_equal(l2, buf_len(s2));
	/* A state cut short is no state. */
	assert_int_equal(acchain_split(buf_ptr(s1), buf_len(s1) - 1), 0);
	assert_int_equal(acchain_split((const u_char *)"", 0), 0);
	buf_free(b);
}

/* The client's reader of pfish-account@pfish pages: serials in order. */
static void
test_account_page(void **state)
{
	struct buf *b;
	struct sftp_iter it;
	const u_char *st;
	size_t len;
	uint64_t after = 0;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u32(b, 2), 0);
	assert_int_equal(buf_put_u64(b, 1), 0);
	assert_int_equal(buf_put_string(b, "one", 3), 0);
	assert_int_equal(buf_put_u64(b, 2), 0);
	assert_int_equal(buf_put_string(b, "two", 3), 0);
	assert_int_equal(sftp_parse_account_page(buf_ptr(b), buf_len(b), &it),
	    0);
	assert_int_equal(sftp_account_next(&it, &after, &st, &len), 1);
	assert_int_equal(after, 1);
	assert_int_equal(len, 3);
	assert_memory_equal(st, "one", 3);
	assert_int_equal(sftp_account_next(&it, &after, &st, &len), 1);
	assert_int_equal(after, 2);
	assert_int_equal(sftp_account_next(&it, &after, &st, &len), 0);
	/* The same page read after serial 1: out of order. */
	after = 1;
	assert_int_equal(sftp_parse_account_page(buf_ptr(b), buf_len(b), &it),
	    0);
	assert_true(sftp_account_next(&it, &after, &st, &len) < 0);
	/* Trailing bytes, and a count larger than the page. */
	assert_int_equal(buf_put_u8(b, 0), 0);
	after = 0;
	assert_int_equal(sftp_parse_account_page(buf_ptr(b), buf_len(b), &it),
	    0);
	assert_int_equal(sftp_account_next(&it, &after, &st, &len), 1);
	assert_int_equal(sftp_account_next(&it, &after, &st, &len), 1);
	assert_true(sftp_account_next(&it, &after, &st, &len) < 0);
	buf_reset(b);
	assert_int_equal(buf_put_u32(b, 5), 0);
	assert_int_equal(sftp_parse_account_page(buf_ptr(b), buf_len(b), &it),
	    0);
	after = 0;
	assert_true(sftp_account_next(&it, &after, &st, &len) < 0);
	assert_true(sftp_parse_account_page(buf_ptr(b), 3, &it) < 0);
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_account_page),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
