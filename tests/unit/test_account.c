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

/* test_account.c: unit tests for the account-key state (proto/account.c). */

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

#include "account.h"
#include "buf.h"
#include "pfish.h"
#include "sshkey.h"
#include "sshsig.h"
#include "stmt.h"
#include "testlib.h"

/* Keys made from fixed seeds: masters, a recovery key, mail keys, Mallory. */
enum { K_M1, K_M2, K_R1, K_LAPTOP, K_PHONE, K_MALLORY, NKEYS };
static struct sshkey_priv *keys[NKEYS];

static int
setup_keys(void **state)
{
	(void)state;
	return tl_keys_seeded(keys, NKEYS, 'a');
}

static int
teardown_keys(void **state)
{
	(void)state;
	tl_keys_free(keys, NKEYS);
	return 0;
}

static void
add_key(struct account_state *st, enum account_role role, const char *label,
    int k, int ops)
{
	tl_account_add_key(st, role, label, keys[k], ops);
}

/* Serial 1 of "alice": master m1, recovery r1, laptop with every op. */
static void
genesis(struct account_state *st)
{
	memset(st, 0, sizeof(*st));
	strlcpy(st->account, "alice", sizeof(st->account));
	st->serial = 1;
	st->time = 1764000000;
	sshkey_fingerprint(keys[K_M1]->pk, st->key);
	add_key(st, ACCOUNT_MAIL, "laptop", K_LAPTOP, ACCOUNT_OP_ALL);
	add_key(st, ACCOUNT_RECOVERY, "paper", K_R1, 0);
	add_key(st, ACCOUNT_MASTER, "m1", K_M1, 0);
}

/* The canonical text of st, NUL-terminated, malloc'd. */
static char *
text_of(struct account_state *st)
{
	struct buf *b;
	char *s;

	assert_non_null(b = buf_new());
	assert_int_equal(account_encode(st, b), 0);
	assert_non_null(s = buf_dup_string(b));
	buf_free(b);
	return s;
}

/* st signed by key k (its key field set to k). */
static struct buf *
signed_by(struct account_state *st, int k)
{
	return tl_account_sign(st, keys[k]);
}

static int
parse_str(const char *s)
{
	struct account_state st;

	return account_parse((const u_char *)s, strlen(s), &st);
}

/* Replace the first from in base by to; the result must be refused. */
static void
reject_edit(const char *base, const char *from, const char *to)
{
	char buf[8192];
	const char *p;
	int n;

	if ((p = strstr(base, from)) == NULL)
		fail_msg("fixture lacks \"%s\"", from);
	n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to,
	    p + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	if (parse_str(buf) != ACCOUNT_ERR_FORMAT)
		fail_msg("accepted edit \"%s\" -> \"%s\"", from, to);
}

static void
accept_edit(const char *base, const char *from, const char *to)
{
	char buf[8192];
	const char *p;
	int n;

	assert_non_null(p = strstr(base, from));
	n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to,
	    p + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	if (parse_str(buf) != 0)
		fail_msg("refused edit \"%s\" -> \"%s\"", from, to);
}

/* Swap the first line starting with l1 and the first with l2: refused. */
static void
reject_swapped(const char *base, const char *l1, const char *l2)
{
	char buf[8192], *a, *b, *ae, *be, tmp[8192];
	size_t alen, blen;

	assert_true(strlen(base) < sizeof(buf));
	strlcpy(buf, base, sizeof(buf));
	assert_non_null(a = strstr(buf, l1));
	assert_non_null(b = strstr(buf, l2));
	assert_true(a < b);
	assert_non_null(ae = strchr(a, '\n'));
	assert_non_null(be = strchr(b, '\n'));
	alen = (size_t)(ae - a) + 1;
	blen = (size_t)(be - b) + 1;
	/* [a][mid][b] becomes [b][mid][a]. */
	snprintf(tmp, sizeof(tmp), "%.*s%.*s%.*s", (int)blen, b,
	    (int)(b - (a + alen)), a + alen, (int)alen, a);
	memcpy(a, tmp, alen + blen + (size_t)(b - (a + alen)));
	if (parse_str(buf) != ACCOUNT_ERR_FORMAT)
		fail_msg("accepted \"%s\" after \"%s\"", l1, l2);
}

static char *
pub_b64(int k)
{
	char *line, *b64;

	assert_int_equal(sshkey_pub_format(keys[k]->pk, NULL, &line), 0);
	assert_non_null(b64 = strdup(line + strlen("ssh-ed25519 ")));
	free(line);
	return b64;
}

static void
test_text(void **state)
{
	struct account_state st, back;
	char *t, *m1, *r1, *lap, want[2048];
	char fp[SSHKEY_FP_LEN];

	(void)state;
	genesis(&st);
	t = text_of(&st);
	m1 = pub_b64(K_M1);
	r1 = pub_b64(K_R1);
	lap = pub_b64(K_LAPTOP);
	sshkey_fingerprint(keys[K_M1]->pk, fp);
	snprintf(want, sizeof(want), "statement account\nversion 1\n"
	    "account alice\nserial 1\nprev "
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "\ntime 1764000000\nkey %s\nmaster m1 ssh-ed25519 %s\n"
	    "recovery paper ssh-ed25519 %s\n"
	    "mail laptop ssh-ed25519 %s fetch,delete,recipient\n", fp, m1, r1,
	    lap);
	assert_string_equal(t, want);
	/* Parse and encode again: the same bytes. */
	assert_int_equal(account_parse((u_char *)t, strlen(t), &back), 0);
	assert_string_equal(back.account, "alice");
	assert_true(back.serial == 1 && back.time == 1764000000ULL);
	assert_int_equal(back.nkeys, 3);
	assert_int_equal(back.keys[0].role, ACCOUNT_MASTER);
	assert_int_equal(back.keys[1].role, ACCOUNT_RECOVERY);
	assert_int_equal(back.keys[2].role, ACCOUNT_MAIL);
	assert_int_equal(back.keys[2].ops, ACCOUNT_OP_ALL);
	assert_memory_equal(back.keys[2].pk, keys[K_LAPTOP]->pk, 32);
	free(text_of(&back));
	free(m1);
	free(r1);
	free(lap);
	free(t);
}

static void
test_rejects(void **state)
{
	struct account_state st;
	char *t, *lap, *phone, from[256], to[256];

	(void)state;
	genesis(&st);
	add_key(&st, ACCOUNT_MAIL, "phone", K_PHONE, ACCOUNT_OP_FETCH);
	t = text_of(&st);
	assert_int_equal(parse_str(t), 0);
	/* Header: order, spelling, values. */
	reject_edit(t, "statement account\n", "statement head\n");
	reject_edit(t, "statement account\n", "");
	reject_edit(t, "version 1\n", "version 2\n");
	reject_edit(t, "version 1\n", "version 01\n");
	reject_edit(t, "account alice\n", "account .alice\n");
	reject_edit(t, "account alice\n", "account al/ice\n");
	reject_edit(t, "serial 1\nprev", "prev");
	reject_edit(t, "serial 1\n", "serial 0\n");
	reject_edit(t, "serial 1\n", "serial 01\n");
	reject_edit(t, "serial 1\n", "serial 2\n");	/* zeros need 1 */
	reject_edit(t, "serial 1\n", "serial 1000000000000\n");
	reject_edit(t, "prev 0000", "prev 1000");	/* serial 1: zeros */
	reject_edit(t, "prev 0000", "prev 000");
	reject_edit(t, "time 1764000000\n", "time -1\n");
	reject_edit(t, "time 1764000000\n", "");
	reject_edit(t, "key SHA256:", "key SHA1:");
	reject_edit(t, "key SHA256:", "key SHA256:A");
	/* Spacing, control characters, line ends. */
	reject_edit(t, "serial 1\n", "serial  1\n");
	reject_edit(t, "serial 1\n", "serial 1 \n");
	reject_edit(t, "serial 1\n", " serial 1\n");
	reject_edit(t, "serial 1\n", "serial\t1\n");
	reject_edit(t, "serial 1\n", "serial 1\r\n");
	reject_edit(t, "serial 1\n", "serial 1\n\n");
	reject_edit(t, "master m1 ", "master  m1 ");
	reject_edit(t, "fetch,delete,recipient\n", "fetch,delete,recipient");
	reject_edit(t, "fetch,delete,recipient\n",
	    "fetch,delete,recipient\nextra line\n");
	/* Roles and order. */
	reject_edit(t, "master m1", "owner m1");
	reject_edit(t, "master m1", "recovery m1");	/* no master first */
	reject_edit(t, "mail laptop", "mail zzz");	/* labels out of order */
	reject_edit(t, "mail phone", "mail laptop");	/* duplicate label */
	reject_edit(t, "recovery paper", "recovery m1");	/* label twice */
	reject_edit(t, "fetch,delete,recipient", "delete,fetch,recipient");
	reject_edit(t, "fetch,delete,recipient", "fetch,fetch");
	reject_edit(t, "fetch,delete,recipient", "fetch,");
	reject_edit(t, "fetch,delete,recipient", "read");
	reject_edit(t, " fetch,delete,recipient\n", "\n");	/* mail w/o ops */
	reject_edit(t, "recovery paper ssh-ed25519 ", "recovery p@per ssh-ed25519 ");
	reject_edit(t, "ssh-ed25519", "ssh-rsa");
	accept_edit(t, "fetch,delete,recipient", "delete");
	accept_edit(t, "fetch,delete,recipient", "fetch,recipient");
	/* A master or recovery line with operations. */
	lap = pub_b64(K_R1);
	snprintf(from, sizeof(from), "%s\n", lap);
	snprintf(to, sizeof(to), "%s fetch\n", lap);
	reject_edit(t, from, to);
	/* Base64 not canonical: padding removed, a bit flipped in the pad. */
	snprintf(to, sizeof(to), "%.*s\n", (int)strlen(lap) - 1, lap);
	reject_edit(t, from, to);
	free(lap);
	/* The same public key twice, under two labels. */
	lap = pub_b64(K_LAPTOP);
	phone = pub_b64(K_PHONE);
	reject_edit(t, phone, lap);
	free(phone);
	free(lap);
	/* Roles out of order: the mail lines before the recovery line. */
	reject_swapped(t, "recovery ", "mail laptop ");
	reject_swapped(t, "master ", "recovery ");
	free(t);
}

static void
test_limits(void **state)
{
	struct account_state st;
	struct buf *b;
	u_char seed[32];
	char label[16];
	size_t i;

	(void)state;
	genesis(&st);
	/* Fill up to the maximum with made-up keys: accepted. */
	for (i = st.nkeys; i < ACCOUNT_KEYS_MAX; i++) {
		struct account_key *k = &st.keys[st.nkeys++];
		u_char sk[64];

		memset(k, 0, sizeof(*k));
		memset(seed, 0, sizeof(seed));
		memcpy(seed, &i, sizeof(i));
		crypto_sign_seed_keypair(k->pk, sk, seed);
		snprintf(label, sizeof(label), "dev%03zu", i);
		strlcpy(k->label, label, sizeof(k->label));
		k->role = ACCOUNT_MAIL;
		k->ops = ACCOUNT_OP_FETCH;
	}
	assert_non_null(b = buf_new());
	assert_int_equal(account_encode(&st, b), 0);
	assert_int_equal(account_parse(buf_ptr(b), buf_len(b), &st), 0);
	assert_int_equal(st.nkeys, ACCOUNT_KEYS_MAX);
	/* One key line more is refused by the parser. */
	assert_int_equal(buf_putf(b, "mail zzz ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIGJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi"
	    " fetch\n"), 0);
	assert_int_equal(account_parse(buf_ptr(b), buf_len(b), &st),
	    ACCOUNT_ERR_FORMAT);
	buf_free(b);
	/* Too long a label. */
	genesis(&st);
	memset(st.keys[0].label, 'x', ACCOUNT_LABEL_MAX);
	st.keys[0].label[ACCOUNT_LABEL_MAX] = '\0';
	assert_non_null(b = buf_new());
	assert_int_equal(account_encode(&st, b), 0);
	buf_free(b);
	assert_int_equal(account_parse(NULL, 0, &st), ACCOUNT_ERR_FORMAT);
}

static void
test_ops(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(account_ops_parse("fetch"), ACCOUNT_OP_FETCH);
	assert_int_equal(account_ops_parse("recipient,fetch"),
	    ACCOUNT_OP_FETCH | ACCOUNT_OP_RECIPIENT);
	assert_int_equal(account_ops_parse("fetch,delete,recipient"),
	    ACCOUNT_OP_ALL);
	assert_int_equal(account_ops_parse(""), -1);
	assert_int_equal(account_ops_parse("fetch,fetch"), -1);
	assert_int_equal(account_ops_parse("fetch,"), -1);
	assert_int_equal(account_ops_parse(",fetch"), -1);
	assert_int_equal(account_ops_parse("fetc"), -1);
	assert_int_equal(account_ops_parse("fetchx"), -1);
	assert_string_equal(account_ops_string(ACCOUNT_OP_RECIPIENT |
	    ACCOUNT_OP_FETCH, buf, sizeof(buf)), "fetch,recipient");
	assert_string_equal(account_ops_string(0, buf, sizeof(buf)), "");
}

static void
test_signed(void **state)
{
	struct account_state st, got;
	struct buf *s, *t;
	u_char signer[32], hash[32], want[32];
	size_t tl;
	u_char *d;

	(void)state;
	genesis(&st);
	s = signed_by(&st, K_M1);
	assert_int_equal(account_verify_signed(buf_ptr(s), buf_len(s), &got,
	    signer, hash), 0);
	assert_memory_equal(signer, keys[K_M1]->pk, 32);
	assert_int_equal(stmt_split_signed(buf_ptr(s), buf_len(s), &tl), 0);
	stmt_hash(buf_ptr(s), tl, want);
	assert_memory_equal(hash, want, 32);
	/* One byte of the text changed. */
	assert_non_null(d = malloc(buf_len(s)));
	memcpy(d, buf_ptr(s), buf_len(s));
	d[strlen("statement account\nversion 1\naccount al")] = 'X';
	assert_int_equal(account_verify_signed(d, buf_len(s), &got, signer,
	    hash), ACCOUNT_ERR_SIG);
	free(d);
	/* Text alone, no signature. */
	assert_int_equal(account_verify_signed(buf_ptr(s), tl, &got, signer,
	    hash), ACCOUNT_ERR_SIG);
	/* Something after the armor. */
	assert_int_equal(buf_put(s, "x\n", 2), 0);
	assert_int_equal(account_verify_signed(buf_ptr(s), buf_len(s), &got,
	    signer, hash), ACCOUNT_ERR_SIG);
	buf_free(s);
	/* The key field names another key than the signer's. */
	genesis(&st);
	sshkey_fingerprint(keys[K_M2]->pk, st.key);
	assert_non_null(t = buf_new());
	assert_non_null(s = buf_new());
	assert_int_equal(account_encode(&st, t), 0);
	assert_int_equal(account_sign(keys[K_M1], buf_ptr(t), buf_len(t), s),
	    0);
	assert_int_equal(account_verify_signed(buf_ptr(s), buf_len(s), &got,
	    signer, hash), ACCOUNT_ERR_SIG);
	buf_reset(s);
	/* Signed under another namespace (a delete's). */
	sshkey_fingerprint(keys[K_M1]->pk, st.key);
	buf_reset(t);
	assert_int_equal(account_encode(&st, t), 0);
	assert_int_equal(buf_putb(s, t), 0);
	assert_int_equal(sshsig_sign(keys[K_M1], PFISH_NS_DELETE, buf_ptr(t),
	    buf_len(t), s), 0);
	assert_int_equal(account_verify_signed(buf_ptr(s), buf_len(s), &got,
	    signer, hash), ACCOUNT_ERR_SIG);
	buf_free(s);
	buf_free(t);
}

/* Run the chain rule for next after prev (both signed by their keys). */
static int
chain(struct account_state *prev, int prevk, struct account_state *next,
    int nextk)
{
	struct account_state p, n;
	struct buf *ps, *ns;
	u_char ph[32], nh[32], psig[32], nsig[32];
	int r;

	ps = signed_by(prev, prevk);
	ns = signed_by(next, nextk);
	assert_int_equal(account_verify_signed(buf_ptr(ps), buf_len(ps), &p,
	    psig, ph), 0);
	assert_int_equal(account_verify_signed(buf_ptr(ns), buf_len(ns), &n,
	    nsig, nh), 0);
	r = account_chain_check(&p, ph, &n, nsig);
	buf_free(ps);
	buf_free(ns);
	return r;
}

/* The state after st: serial + 1, prev = hash of st's text, time + 60. */
static void
successor(struct account_state *st, int signk, struct account_state *next)
{
	struct buf *t;

	sshkey_fingerprint(keys[signk]->pk, st->key);
	assert_non_null(t = buf_new());
	assert_int_equal(account_encode(st, t), 0);
	*next = *st;
	stmt_hash(buf_ptr(t), buf_len(t), next->prev);
	next->serial = st->serial + 1;
	next->time = st->time + 60;
	buf_free(t);
}

/* The result of account_chain_check for st, signed by k, as a first state. */
static int
first_signed_by(struct account_state *st, int k)
{
	struct account_state got;
	struct buf *s;
	u_char signer[32], h[32];
	int r;

	s = signed_by(st, k);
	assert_int_equal(account_verify_signed(buf_ptr(s), buf_len(s), &got,
	    signer, h), 0);
	r = account_chain_check(NULL, NULL, &got, signer);
	buf_free(s);
	return r;
}

static void
test_genesis(void **state)
{
	struct account_state st, got;

	(void)state;
	genesis(&st);
	assert_int_equal(first_signed_by(&st, K_M1), 0);
	/* Signed by its mail key, its recovery key, or an outsider. */
	assert_int_equal(first_signed_by(&st, K_LAPTOP), ACCOUNT_ERR_GENESIS);
	assert_int_equal(first_signed_by(&st, K_R1), ACCOUNT_ERR_GENESIS);
	assert_int_equal(first_signed_by(&st, K_MALLORY), ACCOUNT_ERR_GENESIS);
	/* A later state offered as a first one. */
	successor(&st, K_M1, &got);
	assert_int_equal(account_chain_check(NULL, NULL, &got,
	    keys[K_M1]->pk), ACCOUNT_ERR_GENESIS);
}

static void
test_chain_rules(void **state)
{
	struct account_state a, b, c;

	(void)state;
	genesis(&a);
	/* Add a mail key, signed by the master: valid. */
	successor(&a, K_M1, &b);
	add_key(&b, ACCOUNT_MAIL, "phone", K_PHONE, ACCOUNT_OP_FETCH);
	assert_int_equal(chain(&a, K_M1, &b, K_M1), 0);
	/* The same change signed by a mail key, recovery, outsider. */
	assert_int_equal(chain(&a, K_M1, &b, K_LAPTOP), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&a, K_M1, &b, K_MALLORY), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&a, K_M1, &b, K_R1), ACCOUNT_ERR_RECOVERY);
	/* Signed by the key it adds (not yet a master of the previous). */
	successor(&a, K_M1, &b);
	add_key(&b, ACCOUNT_MASTER, "m2", K_M2, 0);
	assert_int_equal(chain(&a, K_M1, &b, K_M2), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&a, K_M1, &b, K_M1), 0);
	/* Serial: repeated, skipped. */
	successor(&a, K_M1, &b);
	successor(&b, K_M1, &c);
	assert_int_equal(chain(&a, K_M1, &c, K_M1), ACCOUNT_ERR_SERIAL);
	assert_int_equal(chain(&b, K_M1, &b, K_M1), ACCOUNT_ERR_SERIAL);
	c = b;
	c.serial = a.serial;
	c.serial = 1;
	memset(c.prev, 0, sizeof(c.prev));
	assert_int_equal(chain(&a, K_M1, &c, K_M1), ACCOUNT_ERR_SERIAL);
	/* prev names another state. */
	successor(&a, K_M1, &b);
	b.prev[5] ^= 1;
	assert_int_equal(chain(&a, K_M1, &b, K_M1), ACCOUNT_ERR_PREV);
	/* Time runs backwards; equal time is fine. */
	successor(&a, K_M1, &b);
	b.time = a.time - 1;
	assert_int_equal(chain(&a, K_M1, &b, K_M1), ACCOUNT_ERR_TIME);
	b.time = a.time;
	assert_int_equal(chain(&a, K_M1, &b, K_M1), 0);
	/* Another account. */
	successor(&a, K_M1, &b);
	strlcpy(b.account, "bob", sizeof(b.account));
	assert_int_equal(chain(&a, K_M1, &b, K_M1), ACCOUNT_ERR_NAME);
}

/* Replace master m1 by m2 in st. */
static void
swap_master(struct account_state *st)
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		if (st->keys[i].role == ACCOUNT_MASTER) {
			memcpy(st->keys[i].pk, keys[K_M2]->pk, 32);
			strlcpy(st->keys[i].label, "m2",
			    sizeof(st->keys[i].label));
		}
}

static void
test_master_change(void **state)
{
	struct account_state a, b, c;
	size_t i;

	(void)state;
	genesis(&a);
	/* Rotation by the old master, recovery by the recovery key. */
	successor(&a, K_M1, &b);
	swap_master(&b);
	assert_int_equal(chain(&a, K_M1, &b, K_M1), 0);
	assert_int_equal(chain(&a, K_M1, &b, K_R1), 0);
	/* A master change signed by a mail key or an outsider. */
	assert_int_equal(chain(&a, K_M1, &b, K_LAPTOP), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&a, K_M1, &b, K_MALLORY), ACCOUNT_ERR_SIGNER);
	/* ... or by the new master itself. */
	assert_int_equal(chain(&a, K_M1, &b, K_M2), ACCOUNT_ERR_SIGNER);
	/* After the rotation the old master signs nothing more. */
	successor(&b, K_R1, &c);
	add_key(&c, ACCOUNT_MAIL, "phone", K_PHONE, ACCOUNT_OP_DELETE);
	assert_int_equal(chain(&b, K_R1, &c, K_M1), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&b, K_R1, &c, K_M2), 0);
	/* A new label for the same master key is no change of masters. */
	successor(&a, K_M1, &b);
	for (i = 0; i < b.nkeys; i++)
		if (b.keys[i].role == ACCOUNT_MASTER)
			strlcpy(b.keys[i].label, "main", sizeof(b.keys[i].label));
	assert_int_equal(chain(&a, K_M1, &b, K_R1), ACCOUNT_ERR_RECOVERY);
	assert_true(account_same_masters(&a, &b));
	/* Adding a second master is a change; so is dropping one. */
	successor(&a, K_M1, &b);
	add_key(&b, ACCOUNT_MASTER, "m2", K_M2, 0);
	assert_false(account_same_masters(&a, &b));
	assert_int_equal(chain(&a, K_M1, &b, K_R1), 0);
	successor(&b, K_M1, &c);
	for (i = 0; i < c.nkeys; i++)
		if (c.keys[i].role == ACCOUNT_MASTER &&
		    strcmp(c.keys[i].label, "m1") == 0)
			c.keys[i] = c.keys[--c.nkeys];
	assert_int_equal(chain(&b, K_M1, &c, K_M2), 0);
	assert_int_equal(chain(&b, K_M1, &c, K_R1), 0);
	/* A mail key promoted to master: a change of masters. */
	successor(&a, K_M1, &b);
	for (i = 0; i < b.nkeys; i++)
		if (b.keys[i].role == ACCOUNT_MAIL) {
			b.keys[i].role = ACCOUNT_MASTER;
			b.keys[i].ops = 0;
		}
	assert_int_equal(chain(&a, K_M1, &b, K_LAPTOP), ACCOUNT_ERR_SIGNER);
	assert_int_equal(chain(&a, K_M1, &b, K_R1), 0);
}

static void
test_lookup(void **state)
{
	struct account_state st;
	const struct account_key *k;

	(void)state;
	genesis(&st);
	account_sort(&st);
	assert_non_null(k = account_find_label(&st, "laptop"));
	assert_int_equal(k->role, ACCOUNT_MAIL);
	assert_non_null(k = account_find_pk(&st, keys[K_R1]->pk));
	assert_string_equal(k->label, "paper");
	assert_null(account_find_pk(&st, keys[K_MALLORY]->pk));
	assert_null(account_find_label(&st, "nobody"));
	assert_string_equal(account_role_name(ACCOUNT_RECOVERY), "recovery");
	assert_string_equal(pfish_strerror(ACCOUNT_ERR_RECOVERY),
	    "a recovery key may only sign a change of the masters");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_genesis),
		cmocka_unit_test(test_chain_rules),
		cmocka_unit_test(test_master_change),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
