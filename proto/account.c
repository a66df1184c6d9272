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

/* account.c: account-key state: strict text, signature, chain rules. */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "account.h"
#include "buf.h"
#include "pfish.h"
#include "sshkey.h"
#include "sshsig.h"
#include "stmt.h"

#define LINE_MAX_LEN	512	/* longest line: mail LABEL key OPS */
#define WORDS_MAX	5

static const u_char zerohash[ACCOUNT_HASH_LEN];

static const struct {
	int		 op;
	const char	*name;
} opnames[] = {
	{ ACCOUNT_OP_FETCH, "fetch" },
	{ ACCOUNT_OP_DELETE, "delete" },
	{ ACCOUNT_OP_RECIPIENT, "recipient" },
};
#define NOPS	(sizeof(opnames) / sizeof(opnames[0]))

const char *
account_role_name(enum account_role role)
{
	switch (role) {
	case ACCOUNT_MASTER:
		return "master";
	case ACCOUNT_RECOVERY:
		return "recovery";
	case ACCOUNT_MAIL:
		return "mail";
	default:
		return "?";
	}
}

const char *
account_ops_string(int ops, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return "";
	buf[0] = '\0';
	for (i = 0; i < NOPS; i++) {
		if ((ops & opnames[i].op) == 0)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ",", len);
		strlcat(buf, opnames[i].name, len);
	}
	return buf;
}

/* Any order, no repeats, no empty item; -1 if bad. */
int
account_ops_parse(const char *s)
{
	const char *p = s, *comma;
	size_t i, n;
	int ops = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		comma = strchr(p, ',');
		n = comma == NULL ? strlen(p) : (size_t)(comma - p);
		for (i = 0; i < NOPS; i++)
			if (strlen(opnames[i].name) == n &&
			    strncmp(p, opnames[i].name, n) == 0)
				break;
		if (i == NOPS || (ops & opnames[i].op) != 0)
			return -1;
		ops |= opnames[i].op;
		if (comma == NULL)
			return ops;
		p = comma + 1;
	}
}

/* One line of the text: printable ASCII, split into single-space words. */
struct line {
	char	 buf[LINE_MAX_LEN + 1];
	char	*w[WORDS_MAX];
	size_t	 nw;
};

static int
next_line(const u_char *text, size_t len, size_t *off, struct line *l)
{
	const u_char *nl;
	size_t n, i;
	char *p;

	memset(l, 0, sizeof(*l));
	if (*off >= len ||
	    (nl = memchr(text + *off, '\n', len - *off)) == NULL)
		return ACCOUNT_ERR_FORMAT;
	n = (size_t)(nl - (text + *off));
	if (n == 0 || n > LINE_MAX_LEN)
		return ACCOUNT_ERR_FORMAT;
	for (i = 0; i < n; i++)
		if (text[*off + i] < 0x20 || text[*off + i] > 0x7e)
			return ACCOUNT_ERR_FORMAT;
	memcpy(l->buf, text + *off, n);
	*off += n + 1;
	/* Single spaces only: no empty word anywhere. */
	for (p = l->buf; p != NULL; ) {
		if (l->nw == WORDS_MAX)
			return ACCOUNT_ERR_FORMAT;
		l->w[l->nw++] = strsep(&p, " ");
		if (*l->w[l->nw - 1] == '\0')
			return ACCOUNT_ERR_FORMAT;
	}
	return 0;
}

/* A "key value" line whose key is want; *val points at the value. */
static int
get_field(const u_char *text, size_t len, size_t *off, const char *want,
    struct line *l)
{
	int r;

	if ((r = next_line(text, len, off, l)) != 0)
		return r;
	if (l->nw != 2 || strcmp(l->w[0], want) != 0)
		return ACCOUNT_ERR_FORMAT;
	return 0;
}

static int
get_u64(const u_char *text, size_t len, size_t *off, const char *want,
    uint64_t *v)
{
	struct line l;
	int r;

	*v = 0;
	if ((r = get_field(text, len, off, want, &l)) != 0)
		return r;
	return stmt_u64_from_dec(l.w[1], v) == 0 ? 0 : ACCOUNT_ERR_FORMAT;
}

/* "SHA256:" and 43 characters of canonical unpadded base64. */
static int
valid_fingerprint(const char *s)
{
	u_char raw[32];
	size_t n;

	if (strlen(s) != SSHKEY_FP_LEN - 1 || strncmp(s, "SHA256:", 7) != 0)
		return 0;
	if (sodium_base642bin(raw, sizeof(raw), s + 7, 43, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 || n != 32)
		return 0;
	/* The last character carries two unused bits, which must be 0. */
	return strchr("AEIMQUYcgkosw048", s[SSHKEY_FP_LEN - 2]) != NULL;
}

static int
parse_header(const u_char *text, size_t len, size_t *off,
    struct account_state *st)
{
	struct line l;
	int r;

	if ((r = get_field(text, len, off, "statement", &l)) != 0)
		return r;
	if (strcmp(l.w[1], "account") != 0)
		return ACCOUNT_ERR_FORMAT;
	if ((r = get_field(text, len, off, "version", &l)) != 0)
		return r;
	if (strcmp(l.w[1], "1") != 0)
		return ACCOUNT_ERR_FORMAT;
	if ((r = get_field(text, len, off, "account", &l)) != 0)
		return r;
	if (!stmt_valid_mailbox(l.w[1]))
		return ACCOUNT_ERR_FORMAT;
	strlcpy(st->account, l.w[1], sizeof(st->account));
	if ((r = get_u64(text, len, off, "serial", &st->serial)) != 0)
		return r;
	if ((r = get_field(text, len, off, "prev", &l)) != 0)
		return r;
	if (stmt_hash_from_hex(l.w[1], st->prev) != 0)
		return ACCOUNT_ERR_FORMAT;
	if ((r = get_u64(text, len, off, "time", &st->time)) != 0)
		return r;
	if ((r = get_field(text, len, off, "key", &l)) != 0)
		return r;
	if (!valid_fingerprint(l.w[1]))
		return ACCOUNT_ERR_FORMAT;
	strlcpy(st->key, l.w[1], sizeof(st->key));
	if (st->serial < 1 || st->serial > PFISH_SEQ_MAX)
		return ACCOUNT_ERR_FORMAT;
	/* Serial 1 and only serial 1 starts the chain. */
	if ((st->serial == 1) !=
	    (memcmp(st->prev, zerohash, ACCOUNT_HASH_LEN) == 0))
		return ACCOUNT_ERR_FORMAT;
	return 0;
}

/* "ssh-ed25519 BASE64", and BASE64 exactly as pfish would write it. */
static int
parse_pub(const char *type, const char *b64, u_char pk[SSHKEY_ED25519_PK])
{
	char line[LINE_MAX_LEN + 16], *canon = NULL;
	int n, ok;

	if (strcmp(type, SSHKEY_TYPE_ED25519) != 0)
		return ACCOUNT_ERR_FORMAT;
	n = snprintf(line, sizeof(line), "%s %s", type, b64);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    sshkey_pub_parse_line(line, pk, NULL) != 0)
		return ACCOUNT_ERR_FORMAT;
	if (sshkey_pub_format(pk, NULL, &canon) != 0)
		return ACCOUNT_ERR_ALLOC;
	ok = strcmp(canon, line) == 0;
	free(canon);
	return ok ? 0 : ACCOUNT_ERR_FORMAT;
}

static int
role_from_name(const char *s, enum account_role *role)
{
	if (strcmp(s, "master") == 0)
		*role = ACCOUNT_MASTER;
	else if (strcmp(s, "recovery") == 0)
		*role = ACCOUNT_RECOVERY;
	else if (strcmp(s, "mail") == 0)
		*role = ACCOUNT_MAIL;
	else
		return -1;
	return 0;
}

/* The canonical spelling of ops: the order of opnames[]. */
static int
parse_ops(const char *s)
{
	char buf[32];
	int ops;

	if ((ops = account_ops_parse(s)) <= 0)
		return -1;
	account_ops_string(ops, buf, sizeof(buf));
	return strcmp(buf, s) == 0 ? ops : -1;
}

static int
parse_key_line(struct line *l, struct account_key *k)
{
	int r;

	memset(k, 0, sizeof(*k));
	if (l->nw < 4 || role_from_name(l->w[0], &k->role) != 0)
		return ACCOUNT_ERR_FORMAT;
	if (l->nw != (k->role == ACCOUNT_MAIL ? 5U : 4U))
		return ACCOUNT_ERR_FORMAT;
	if (!stmt_valid_mailbox(l->w[1]) ||
	    strlen(l->w[1]) > ACCOUNT_LABEL_MAX)
		return ACCOUNT_ERR_FORMAT;
	strlcpy(k->label, l->w[1], sizeof(k->label));
	if ((r = parse_pub(l->w[2], l->w[3], k->pk)) != 0)
		return r;
	if (k->role == ACCOUNT_MAIL && (k->ops = parse_ops(l->w[4])) < 0)
		return ACCOUNT_ERR_FORMAT;
	return 0;
}

/* Canonical order: by role, then label bytewise. */
static int
key_cmp(const struct account_key *a, const struct account_key *b)
{
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	return strcmp(a->label, b->label);
}

static int
key_cmp_qsort(const void *a, const void *b)
{
	return key_cmp(a, b);
}

/* Order, uniqueness of labels and keys, at least one master. */
static int
check_keys(const struct account_state *st)
{
	size_t i, j;

	if (st->nkeys == 0 || st->keys[0].role != ACCOUNT_MASTER)
		return ACCOUNT_ERR_FORMAT;
	for (i = 0; i < st->nkeys; i++) {
		if (i > 0 && key_cmp(&st->keys[i - 1], &st->keys[i]) >= 0)
			return ACCOUNT_ERR_FORMAT;
		for (j = 0; j < i; j++)
			if (strcmp(st->keys[i].label, st->keys[j].label) == 0 ||
			    memcmp(st->keys[i].pk, st->keys[j].pk,
			    SSHKEY_ED25519_PK) == 0)
				return ACCOUNT_ERR_FORMAT;
		if ((st->keys[i].role == ACCOUNT_MAIL) !=
		    (st->keys[i].ops != 0) ||
		    (st->keys[i].ops & ~ACCOUNT_OP_ALL) != 0)
			return ACCOUNT_ERR_FORMAT;
	}
	return 0;
}

int
account_parse(const u_char *text, size_t len, struct account_state *st)
{
	struct line l;
	size_t off = 0;
	int r;

	memset(st, 0, sizeof(*st));
	r = ACCOUNT_ERR_FORMAT;
	if (text == NULL || len == 0 || len > ACCOUNT_TEXT_MAX)
		goto out;
	if ((r = parse_header(text, len, &off, st)) != 0)
		goto out;
	while (off < len) {
		r = ACCOUNT_ERR_FORMAT;
		if (st->nkeys == ACCOUNT_KEYS_MAX ||
		    (r = next_line(text, len, &off, &l)) != 0 ||
		    (r = parse_key_line(&l, &st->keys[st->nkeys])) != 0)
			goto out;
		st->nkeys++;
	}
	r = check_keys(st);
 out:
	if (r != 0)
		memset(st, 0, sizeof(*st));
	return r;
}

void
account_sort(struct account_state *st)
{
	if (st->nkeys > 1)
		qsort(st->keys, st->nkeys, sizeof(st->keys[0]), key_cmp_qsort);
}

static int
put_key(struct buf *b, const struct account_key *k)
{
	char ops[32], *pub = NULL;
	int r;

	if (sshkey_pub_format(k->pk, NULL, &pub) != 0)
		return ACCOUNT_ERR_ALLOC;
	if (k->role == ACCOUNT_MAIL)
		r = buf_putf(b, "mail %s %s %s\n", k->label, pub,
		    account_ops_string(k->ops, ops, sizeof(ops)));
	else
		r = buf_putf(b, "%s %s %s\n", account_role_name(k->role),
		    k->label, pub);
	free(pub);
	return r == 0 ? 0 : ACCOUNT_ERR_FORMAT;
}

/*
 * Print into a scratch buffer and run the strict parser over the result,
 * so pfish never signs a state its own parser would refuse.
 */
int
account_encode(struct account_state *st, struct buf *out)
{
	struct account_state check;
	struct buf *b;
	char hex[65];
	size_t i;
	int r = ACCOUNT_ERR_FORMAT;

	if (memchr(st->account, '\0', sizeof(st->account)) == NULL ||
	    memchr(st->key, '\0', sizeof(st->key)) == NULL ||
	    st->nkeys > ACCOUNT_KEYS_MAX)
		return ACCOUNT_ERR_FORMAT;
	for (i = 0; i < st->nkeys; i++)
		if (memchr(st->keys[i].label, '\0',
		    sizeof(st->keys[i].label)) == NULL)
			return ACCOUNT_ERR_FORMAT;
	account_sort(st);
	if ((b = buf_new_max(ACCOUNT_TEXT_MAX)) == NULL)
		return ACCOUNT_ERR_ALLOC;
	stmt_hash_hex(st->prev, hex);
	if (buf_putf(b, "statement account\nversion %d\naccount %s\n"
	    "serial %llu\nprev %s\ntime %llu\nkey %s\n", ACCOUNT_VERSION,
	    st->account, (unsigned long long)st->serial, hex,
	    (unsigned long long)st->time, st->key) != 0)
		goto out;
	for (i = 0; i < st->nkeys; i++)
		if ((r = put_key(b, &st->keys[i])) != 0)
			goto out;
	if ((r = account_parse(buf_ptr(b), buf_len(b), &check)) != 0)
		goto out;
	r = buf_putb(out, b) == 0 ? 0 : ACCOUNT_ERR_ALLOC;
 out:
	buf_free(b);
	return r;
}

const struct account_key *
account_find_pk(const struct account_state *st,
    const u_char pk[SSHKEY_ED25519_PK])
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		if (memcmp(st->keys[i].pk, pk, SSHKEY_ED25519_PK) == 0)
			return &st->keys[i];
	return NULL;
}

const struct account_key *
account_find_label(const struct account_state *st, const char *label)
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		if (strcmp(st->keys[i].label, label) == 0)
			return &st->keys[i];
	return NULL;
}

/* Every master of a is a master of b. */
static int
masters_within(const struct account_state *a, const struct account_state *b)
{
	const struct account_key *k;
	size_t i;

	for (i = 0; i < a->nkeys; i++) {
		if (a->keys[i].role != ACCOUNT_MASTER)
			continue;
		if ((k = account_find_pk(b, a->keys[i].pk)) == NULL ||
		    k->role != ACCOUNT_MASTER)
			return 0;
	}
	return 1;
}

int
account_same_masters(const struct account_state *a,
    const struct account_state *b)
{
	return masters_within(a, b) && masters_within(b, a);
}

int
account_verify_signed(const u_char *data, size_t len,
    struct account_state *st, u_char signer[SSHKEY_ED25519_PK],
    u_char hash[ACCOUNT_HASH_LEN])
{
	size_t tl;
	int r;

	memset(st, 0, sizeof(*st));
	memset(signer, 0, SSHKEY_ED25519_PK);
	memset(hash, 0, ACCOUNT_HASH_LEN);
	if (len > ACCOUNT_SIGNED_MAX ||
	    stmt_split_signed(data, len, &tl) != 0)
		return ACCOUNT_ERR_SIG;
	if (tl > ACCOUNT_TEXT_MAX)
		return ACCOUNT_ERR_FORMAT;
	if (sshsig_verify((const char *)data + tl, len - tl, ACCOUNT_NS,
	    data, tl, signer) != 0)
		return ACCOUNT_ERR_SIG;
	if ((r = account_parse(data, tl, st)) != 0)
		goto fail;
	if (!stmt_key_matches(st->key, signer)) {
		r = ACCOUNT_ERR_SIG;
		goto fail;
	}
	stmt_hash(data, tl, hash);
	return 0;
 fail:
	memset(st, 0, sizeof(*st));
	memset(signer, 0, SSHKEY_ED25519_PK);
	return r;
}

int
account_sign(const struct sshkey_priv *key, const u_char *text, size_t len,
    struct buf *out)
{
	if (buf_put(out, text, len) != 0)
		return ACCOUNT_ERR_ALLOC;
	if (sshsig_sign(key, ACCOUNT_NS, text, len, out) != 0)
		return ACCOUNT_ERR_SIG;
	return 0;
}

static int
has_role(const struct account_state *st, const u_char pk[SSHKEY_ED25519_PK],
    enum account_role role)
{
	const struct account_key *k;

	return (k = account_find_pk(st, pk)) != NULL && k->role == role;
}

int
account_chain_check(const struct account_state *prev,
    const u_char prevhash[ACCOUNT_HASH_LEN],
    const struct account_state *next, const u_char signer[SSHKEY_ED25519_PK])
{
	if (prev == NULL) {
		if (next->serial != 1 ||
		    memcmp(next->prev, zerohash, ACCOUNT_HASH_LEN) != 0 ||
		    !has_role(next, signer, ACCOUNT_MASTER))
			return ACCOUNT_ERR_GENESIS;
		return 0;
	}
	if (strcmp(prev->account, next->account) != 0)
		return ACCOUNT_ERR_NAME;
	if (prev->serial >= PFISH_SEQ_MAX || next->serial != prev->serial + 1)
		return ACCOUNT_ERR_SERIAL;
	if (memcmp(next->prev, prevhash, ACCOUNT_HASH_LEN) != 0)
		return ACCOUNT_ERR_PREV;
	if (next->time < prev->time)
		return ACCOUNT_ERR_TIME;
	if (has_role(prev, signer, ACCOUNT_MASTER))
		return 0;
	if (has_role(prev, signer, ACCOUNT_RECOVERY))
		return account_same_masters(prev, next) ?
		    ACCOUNT_ERR_RECOVERY : 0;
	return ACCOUNT_ERR_SIGNER;
}
