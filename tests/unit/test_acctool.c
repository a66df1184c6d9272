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

/* test_acctool.c: unit tests for the stored chain (account/chain.c). */

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

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "sshkey.h"
#include "stmt.h"
#include "testlib.h"

enum { K_MASTER, K_LAPTOP, K_MALLORY, NKEYS };
static struct sshkey_priv *keys[NKEYS];
static char root[] = "/tmp/pfish-acctool.XXXXXX";
static struct acct_ctx ctx;

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL || tl_keys_seeded(keys, NKEYS, 'k') != 0)
		return -1;
	ctx.root = root;
	if ((ctx.rootfd = open(root, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	tl_keys_free(keys, NKEYS);
	close(ctx.rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
add_key(struct account_state *st, enum account_role role, const char *label,
    int k, int ops)
{
	tl_account_add_key(st, role, label, keys[k], ops);
}

/* st signed by key k (its key line set to k). */
static struct buf *
sign_state(struct account_state *st, int k)
{
	return tl_account_sign(st, keys[k]);
}

/* The next state after st, as a device would build it. */
static void
next_of(struct account_state *st, int signk)
{
	struct buf *t;

	sshkey_fingerprint(keys[signk]->pk, st->key);
	assert_non_null(t = buf_new());
	assert_int_equal(account_encode(st, t), 0);
	stmt_hash(buf_ptr(t), buf_len(t), st->prev);
	st->serial++;
	st->time += 10;
	buf_free(t);
}

static int
offer(const char *name, struct buf *s, int *already)
{
	struct acct_chain ch;
	int dirfd, r;

	if ((r = acct_chain_open(&ctx, name, 1, &dirfd, &ch)) != 0)
		return r;
	r = acct_chain_offer(&ctx, name, dirfd, &ch, buf_ptr(s), buf_len(s),
	    already);
	close(dirfd);
	acchain_free(&ch);
	return r;
}

static size_t
chain_len(const char *name)
{
	struct acct_chain ch;
	size_t n;
	int dirfd;

	if (acct_chain_open(&ctx, name, 0, &dirfd, &ch) != 0)
		return (size_t)-1;
	n = ch.n;
	close(dirfd);
	acchain_free(&ch);
	return n;
}

static void
test_offer(void **state)
{
	struct account_state st, fork;
	struct buf *s1, *s2, *s2b, *s3, *s4;
	int already;

	(void)state;
	memset(&st, 0, sizeof(st));
	strlcpy(st.account, "alice", sizeof(st.account));
	st.serial = 1;
	st.time = 1796000000;
	add_key(&st, ACCOUNT_MASTER, "main", K_MASTER, 0);
	s1 = sign_state(&st, K_MASTER);
	assert_int_equal(offer("alice", s1, &already), 0);
	assert_int_equal(already, 0);
	assert_int_equal(offer("alice", s1, &already), 0);
	assert_int_equal(already, 1);
	assert_int_equal(chain_len("alice"), 1);
	/* Serial 2 adds the laptop; a fork adds Mallory instead. */
	next_of(&st, K_MASTER);
	fork = st;
	add_key(&st, ACCOUNT_MAIL, "laptop", K_LAPTOP, ACCOUNT_OP_FETCH);
	add_key(&fork, ACCOUNT_MAIL, "x", K_MALLORY, ACCOUNT_OP_FETCH);
	s2 = sign_state(&st, K_MASTER);
	s2b = sign_state(&fork, K_MASTER);
	/* Serial 3 before 2: a gap. */
	next_of(&st, K_MASTER);
	st.nkeys--;
	s3 = sign_state(&st, K_MASTER);
	assert_int_equal(offer("alice", s3, &already), ACCT_EX_REFUSED);
	assert_int_equal(offer("alice", s2, &already), 0);
	assert_int_equal(offer("alice", s2b, &already), ACCT_EX_REFUSED);
	assert_int_equal(offer("alice", s1, &already), ACCT_EX_REFUSED);
	assert_int_equal(offer("bob", s1, &already), ACCT_EX_REFUSED);
	/* Serial 4 signed by the laptop (a mail key): refused. */
	assert_int_equal(offer("alice", s3, &already), 0);
	next_of(&st, K_MASTER);
	add_key(&st, ACCOUNT_MAIL, "x", K_MALLORY, ACCOUNT_OP_ALL);
	s4 = sign_state(&st, K_LAPTOP);
	assert_int_equal(offer("alice", s4, &already), ACCT_EX_REFUSED);
	assert_int_equal(chain_len("alice"), 3);
	buf_free(s1);
	buf_free(s2);
	buf_free(s2b);
	buf_free(s3);
	buf_free(s4);
}

static void
write_file(const char *name, const void *d, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/alice/%s", root, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(d, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static u_char *
read_file(const char *name, size_t *len)
{
	char path[256];
	u_char *d;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/alice/%s", root, name);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(d = malloc((size_t)n));
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return d;
}

/* A stored chain edited by hand is refused as a whole, and restored. */
static void
test_damaged(void **state)
{
	u_char *d;
	size_t len;
	char path[256], moved[256];

	(void)state;
	assert_int_equal(chain_len("alice"), 3);
	d = read_file("000000000002.state", &len);
	d[20] ^= 1;	/* inside "account alice" */
	write_file("000000000002.state", d, len);
	assert_true(chain_len("alice") == (size_t)-1);
	d[20] ^= 1;
	write_file("000000000002.state", d, len);
	assert_int_equal(chain_len("alice"), 3);
	free(d);
	/* A missing serial. */
	snprintf(path, sizeof(path), "%s/alice/000000000001.state", root);
	snprintf(moved, sizeof(moved), "%s/alice/moved", root);
	assert_int_equal(rename(path, moved), 0);
	assert_true(chain_len("alice") == (size_t)-1);
	assert_int_equal(rename(moved, path), 0);
	/* A later serial copied over an earlier one. */
	d = read_file("000000000003.state", &len);
	write_file("000000000004.state", d, len);
	assert_true(chain_len("alice") == (size_t)-1);
	free(d);
	snprintf(path, sizeof(path), "%s/alice/000000000004.state", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(chain_len("alice"), 3);
	/* Unknown names beside the chain are not states. */
	write_file("notes.txt", "hello\n", 6);
	assert_int_equal(chain_len("alice"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
