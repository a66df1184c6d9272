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

/* testlib.c: helpers shared by the unit tests (see testlib.h). */

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "account.h"
#include "buf.h"
#include "sftp.h"
#include "server.h"
#include "sshkey.h"
#include "testlib.h"

const char *
tl_data_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("PFISH_TOP");
	int n;

	n = snprintf(path, sizeof(path), "%s/tests/unit/data/%s",
	    top != NULL ? top : ".", name);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	return path;
}

char *
tl_data_file(const char *name, size_t *lenp)
{
	char *d;

	assert_non_null(d = (char *)tl_read_file(tl_data_path(name), lenp));
	return d;
}

u_char *
tl_read_file(const char *path, size_t *lenp)
{
	FILE *f;
	u_char *d;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(d = malloc((size_t)n + 1));
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	d[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return d;
}

void
tl_write_file(const char *dir, const char *name, const void *data,
    size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, data, len) != (ssize_t)len || close(fd) != 0) {
		perror(path);
		abort();
	}
}

int
tl_rm_rf(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void
fx_path(const struct mbfixture *fx, const char *name, char *out, size_t sz)
{
	snprintf(out, sz, "%s/%s", fx->mailbox, name);
}

int
fx_exists(const struct mbfixture *fx, const char *name)
{
	char path[512];
	struct stat st;

	fx_path(fx, name, path, sizeof(path));
	return lstat(path, &st) == 0;
}

/* The 300000-byte message: a pattern that is not periodic in 4 KiB. */
static void
fx_big(const char *dir, const char *name)
{
	char *big;
	size_t i;

	if ((big = malloc(300000)) == NULL)
		abort();
	for (i = 0; i < 300000; i++)
		big[i] = (char)(i * 7 + i / 251);
	tl_write_file(dir, name, big, 300000);
	free(big);
}

void
fx_setup(struct mbfixture *fx)
{
	char path[512];

	strlcpy(fx->top, "/tmp/pfish-unit.XXXXXX", sizeof(fx->top));
	if (mkdtemp(fx->top) == NULL)
		abort();
	snprintf(fx->mailbox, sizeof(fx->mailbox), "%s/alice", fx->top);
	snprintf(fx->sibling, sizeof(fx->sibling), "%s/alice2", fx->top);
	if (mkdir(fx->mailbox, 0700) != 0 || mkdir(fx->sibling, 0700) != 0)
		abort();
	tl_write_file(fx->mailbox, "000000000001.age", "hello", 5);
	fx_big(fx->mailbox, "000000000002.age");
	tl_write_file(fx->mailbox, "other.age", "x\n", 2);
	tl_write_file(fx->mailbox, "notes.txt", "n\n", 2);
	tl_write_file(fx->mailbox, ".hidden.age", "h\n", 2);
	tl_write_file(fx->sibling, "000000000001.age", "sibling", 7);
	tl_write_file(fx->top, "secret.age", "secret", 6);
	fx_path(fx, "link.age", path, sizeof(path));
	if (symlink("000000000001.age", path) != 0)
		abort();
	fx_path(fx, "outside.age", path, sizeof(path));
	if (symlink("../secret.age", path) != 0)
		abort();
	fx_path(fx, "sub.age", path, sizeof(path));
	if (mkdir(path, 0700) != 0)
		abort();
	fx_path(fx, "sub", path, sizeof(path));
	if (mkdir(path, 0700) != 0)
		abort();
	tl_write_file(path, "inner.age", "inner", 5);
	fx_path(fx, "fifo.age", path, sizeof(path));
	if (mkfifo(path, 0600) != 0)
		abort();
}

void
fx_teardown(struct mbfixture *fx)
{
	if (tl_rm_rf(fx->top) != 0)
		abort();
}

struct buf *
tl_req(uint8_t type, uint32_t id)
{
	struct buf *b;

	if ((b = buf_new()) == NULL || buf_put_u8(b, type) != 0 ||
	    buf_put_u32(b, id) != 0)
		abort();
	return b;
}

struct buf *
tl_ext_req(uint32_t id, const char *name)
{
	struct buf *b = tl_req(SFTP_FXP_EXTENDED, id);

	if (buf_put_cstring(b, name) != 0)
		abort();
	return b;
}

int
tl_send_pkt(struct tl_session *t, struct buf *b)
{
	u_char hdr[4];
	int r;

	buf_store_u32(hdr, (uint32_t)buf_len(b));
	if ((r = server_feed(t->s, hdr, 4)) == 0)
		r = server_feed(t->s, buf_ptr(b), buf_len(b));
	buf_free(b);
	return r;
}

void
tl_send(struct tl_session *t, struct buf *b)
{
	assert_int_equal(tl_send_pkt(t, b), 0);
}

int
tl_next_reply(struct tl_session *t)
{
	struct evbuffer *out = server_output(t->s);
	u_char hdr[4], *p;
	uint32_t len;

	buf_free(t->rep);
	t->rep = NULL;
	t->type = 0;
	t->total = 0;
	if (evbuffer_copyout(out, hdr, 4) != 4)
		return 0;
	len = buf_load_u32(hdr);
	assert_true(len >= 1 && evbuffer_get_length(out) >= 4 + len);
	t->total = 4 + (size_t)len;
	assert_non_null(t->rep = buf_new_max(len));
	assert_int_equal(buf_reserve(t->rep, len, &p), 0);
	evbuffer_drain(out, 4);
	assert_int_equal(evbuffer_remove(out, p, len), (int)len);
	assert_int_equal(buf_get_u8(t->rep, &t->type), 0);
	return 1;
}

void
tl_expect_status(struct tl_session *t, uint32_t id, uint32_t code)
{
	uint32_t rid, rcode;

	assert_true(tl_next_reply(t));
	assert_int_equal(t->type, SFTP_FXP_STATUS);
	assert_int_equal(buf_get_u32(t->rep, &rid), 0);
	assert_int_equal(rid, id);
	assert_int_equal(buf_get_u32(t->rep, &rcode), 0);
	assert_int_equal(rcode, code);
}

void
tl_init_session(struct tl_session *t)
{
	struct buf *b;
	uint32_t v;

	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, SFTP_FXP_INIT), 0);
	assert_int_equal(buf_put_u32(b, 3), 0);
	tl_send(t, b);
	assert_true(tl_next_reply(t));
	assert_int_equal(t->type, SFTP_FXP_VERSION);
	assert_int_equal(buf_get_u32(t->rep, &v), 0);
	assert_int_equal(v, 3);
}

void
tl_session_free(struct tl_session *t)
{
	buf_free(t->rep);
	t->rep = NULL;
	server_free(t->s);
	t->s = NULL;
}

int
tl_keys_seeded(struct sshkey_priv **keys, int n, int first)
{
	u_char seed[crypto_sign_SEEDBYTES];
	int i;

	if (sodium_init() < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(seed, first + i, sizeof(seed));
		if ((keys[i] = calloc(1, sizeof(*keys[i]))) == NULL ||
		    (keys[i]->sk = sodium_malloc(SSHKEY_ED25519_SK)) == NULL)
			return -1;
		crypto_sign_seed_keypair(keys[i]->pk, keys[i]->sk, seed);
	}
	return 0;
}

void
tl_keys_free(struct sshkey_priv **keys, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sshkey_priv_free(keys[i]);
}

void
tl_account_add_key(struct account_state *st, int role, const char *label,
    const struct sshkey_priv *k, int ops)
{
	struct account_key *e;

	assert_true(st->nkeys < ACCOUNT_KEYS_MAX);
	e = &st->keys[st->nkeys++];
	memset(e, 0, sizeof(*e));
	e->role = role;
	strlcpy(e->label, label, sizeof(e->label));
	memcpy(e->pk, k->pk, SSHKEY_ED25519_PK);
	e->ops = ops;
}

struct buf *
tl_account_sign(struct account_state *st, const struct sshkey_priv *k)
{
	struct buf *t, *out;

	sshkey_fingerprint(k->pk, st->key);
	assert_non_null(t = buf_new());
	assert_non_null(out = buf_new());
	assert_int_equal(account_encode(st, t), 0);
	assert_int_equal(account_sign(k, buf_ptr(t), buf_len(t), out), 0);
	buf_free(t);
	return out;
}
