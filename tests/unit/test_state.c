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

/* test_state.c: pfish-state@pfish and pfish-delete@pfish through the dispatcher. */

#include <sys/stat.h>

#include <errno.h>
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

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"
#include "sshkey.h"
#include "sshsig.h"
#include "statepage.h"
#include "stmt.h"
#include "testlib.h"

#define EPOCH	"0123456789abcdef"
#define NREC	5	/* records 1..5; the head's low is 2 */

struct ctx {
	char			 top[64];
	char			 mbdir[128];
	char			 keys[160];
	struct mailbox		*mb;
	struct tl_session	 t;	/* the server and its last reply */
	struct sshkey_priv	*user;		/* in authorized_keys */
	struct sshkey_priv	*other;		/* signs records; not a user */
	u_char			 rhash[NREC + 1][STMT_HASH_LEN];
};

/* One state item as it came off the wire. */
struct item {
	uint8_t		 kind;
	uint64_t	 seq;
	const u_char	*data;
	size_t		 len;
};

static void
put_file(struct ctx *c, const char *rel, const void *data, size_t len)
{
	tl_write_file(c->mbdir, rel, data, len);
}

static int
exists(struct ctx *c, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", c->mbdir, rel);
	return lstat(path, &st) == 0;
}

static u_char *
get_file(struct ctx *c, const char *rel, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", c->mbdir, rel);
	return tl_read_file(path, len);
}

static void
fingerprint(const struct sshkey_priv *k, char fp[SSHKEY_FP_LEN])
{
	sshkey_fingerprint(k->pk, fp);
}

/* A signed record for seq (signed by the "signer" key). */
static void
make_record(struct ctx *c, uint64_t seq)
{
	struct stmt_record r;
	struct buf *text, *out;
	char name[32];

	memset(&r, 0, sizeof(r));
	strlcpy(r.mailbox, "alice", sizeof(r.mailbox));
	strlcpy(r.epoch, EPOCH, sizeof(r.epoch));
	r.seq = seq;
	memcpy(r.prev, c->rhash[seq - 1], STMT_HASH_LEN);
	r.time = 1764000000 + seq;
	r.size = 5;
	fingerprint(c->other, r.key);
	assert_non_null(text = buf_new());
	assert_non_null(out = buf_new());
	assert_int_equal(stmt_record_encode(&r, text), 0);
	stmt_hash(buf_ptr(text), buf_len(text), c->rhash[seq]);
	assert_int_equal(stmt_sign(c->other, STMT_RECORD, buf_ptr(text),
	    buf_len(text), out), 0);
	snprintf(name, sizeof(name), ".pfish/records/%012llu.rec",
	    (unsigned long long)seq);
	put_file(c, name, buf_ptr(out), buf_len(out));
	snprintf(name, sizeof(name), "%012llu.age", (unsigned long long)seq);
	put_file(c, name, "hello", 5);
	buf_free(text);
	buf_free(out);
}

static void
make_head(struct ctx *c, uint64_t low, uint64_t high)
{
	struct stmt_head h;
	struct buf *text, *out;

	memset(&h, 0, sizeof(h));
	strlcpy(h.mailbox, "alice", sizeof(h.mailbox));
	strlcpy(h.epoch, EPOCH, sizeof(h.epoch));
	h.low = low;
	memcpy(h.lowprev, c->rhash[low - 1], STMT_HASH_LEN);
	h.high = high;
	memcpy(h.highhash, c->rhash[high], STMT_HASH_LEN);
	h.issued = 1764000000;
	h.expires = 1764086400;
	fingerprint(c->other, h.key);
	assert_non_null(text = buf_new());
	assert_non_null(out = buf_new());
	assert_int_equal(stmt_head_encode(&h, text), 0);
	assert_int_equal(stmt_sign(c->other, STMT_HEAD, buf_ptr(text),
	    buf_len(text), out), 0);
	put_file(c, ".pfish/head", buf_ptr(out), buf_len(out));
	buf_free(text);
	buf_free(out);
}

static struct server *
new_session(struct ctx *c, int flags)
{
	struct server_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	o.max_handles = 4;
	o.keys_path = c->keys;
	return server_new(c->mb, &o, NULL);
}

static void
mkdirs(struct ctx *c)
{
	static const char *dirs[] = { "", "/.pfish", "/.pfish/records",
	    "/.pfish/deletes", "/.pfish/notes", "/.pfish/voids", "/.pfish/tmp" };
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", c->mbdir, dirs[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
}

/* authorized_keys: an RSA line (ignored), an option, the user's key. */
static void
write_keys(struct ctx *c)
{
	char path[512], *line;
	FILE *f;

	snprintf(path, sizeof(path), "%s/home", c->top);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/home/.ssh", c->top);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_non_null(f = fopen(c->keys, "w"));
	assert_int_equal(sshkey_pub_format(c->user->pk, "user", &line), 0);
	fprintf(f, "# keys\nno-pty %s\n", line);
	free(line);
	assert_int_equal(fclose(f), 0);
}

static int
setup_flags(void **state, int flags)
{
	struct ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL || sodium_init() < 0)
		return -1;
	log_init("test_state", getenv("TEST_LOG") ? LOG_LEVEL_DEBUG1 : LOG_LEVEL_QUIET, 0, 1);
	strlcpy(c->top, "/tmp/pfish-state.XXXXXX", sizeof(c->top));
	if (mkdtemp(c->top) == NULL)
		return -1;
	snprintf(c->mbdir, sizeof(c->mbdir), "%s/alice", c->top);
	snprintf(c->keys, sizeof(c->keys), "%s/home/.ssh/authorized_keys",
	    c->top);
	if (sshkey_load_private(tl_data_path("test_ed25519"), &c->user) != 0 ||
	    sshkey_load_private(tl_data_path("test_ed25519_b"), &c->other) != 0)
		return -1;
	mkdirs(c);
	write_keys(c);
	put_file(c, ".pfish/epoch", EPOCH "\n", 17);
	for (uint64_t seq = 1; seq <= NREC; seq++)
		make_record(c, seq);
	make_head(c, 2, NREC);
	if ((c->mb = mailbox_open(c->mbdir, "alice")) == NULL ||
	    (c->t.s = new_session(c, flags)) == NULL)
		return -1;
	*state = c;
	return 0;
}

static int
setup(void **state)
{
	return setup_flags(state, 0);
}

static int
setup_readonly(void **state)
{
	return setup_flags(state, SERVER_READONLY);
}

static int
setup_signed(void **state)
{
	return setup_flags(state, SERVER_SIGNED_ONLY);
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	tl_session_free(&c->t);
	mailbox_close(c->mb);
	sshkey_priv_free(c->user);
	sshkey_priv_free(c->other);
	if (tl_rm_rf(c->top) != 0)
		return -1;
	free(c);
	return 0;
}

/*
 * One page: request it with cursor, check the reply's frame, return its
 * headhash and next cursor (copied) and the items (pointing into c->t.rep).
 */
static size_t
get_page(struct ctx *c, uint32_t id, const char *cursor, char *headhash,
    char *next, struct item *items, size_t maxitems)
{
	struct buf *b = tl_ext_req(id, PFISH_EXT_STATE);
	const u_char *p;
	size_t len, total, i;
	uint32_t rid, count;

	assert_int_equal(buf_put_cstring(b, cursor), 0);
	tl_send(&c->t, b);
	assert_true(tl_next_reply(&c->t));
	total = c->t.total;
	assert_int_equal(c->t.type, SFTP_FXP_EXTENDED_REPLY);
	assert_true(total <= PFISH_PACKET_MAX);
	assert_int_equal(buf_get_u32(c->t.rep, &rid), 0);
	assert_int_equal(rid, id);
	assert_int_equal(buf_get_string_direct(c->t.rep, &p, &len), 0);
	assert_true(len == 0 || len == 64);
	memcpy(headhash, p, len);
	headhash[len] = '\0';
	assert_int_equal(buf_get_string_direct(c->t.rep, &p, &len), 0);
	assert_true(len <= STATEPAGE_CURSOR_MAX);
	memcpy(next, p, len);
	next[len] = '\0';
	assert_int_equal(buf_get_u32(c->t.rep, &count), 0);
	assert_true(count <= maxitems);
	for (i = 0; i < count; i++) {
		assert_int_equal(buf_get_u8(c->t.rep, &items[i].kind), 0);
		assert_int_equal(buf_get_u64(c->t.rep, &items[i].seq), 0);
		assert_int_equal(buf_get_string_direct(c->t.rep, &items[i].data,
		    &items[i].len), 0);
	}
	assert_int_equal(buf_len(c->t.rep), 0);
	return count;
}

static void
assert_item_is_file(struct ctx *c, const struct item *it, const char *rel)
{
	u_char *data;
	size_t len;

	assert_non_null(data = get_file(c, rel, &len));
	assert_int_equal(it->len, len);
	assert_memory_equal(it->data, data, len);
	free(data);
}

/*
 * Head, records from low, deletes, notes, voids; junk and links never
 * served.
 */
static void
test_listing(void **state)
{
	struct ctx *c = *state;
	struct item it[32];
	char hh[65], next[64], hex[65], link[512];
	u_char h[STMT_HASH_LEN], *head;
	size_t n, len;

	put_file(c, ".pfish/notes/000000000003.note", "statement note\n", 15);
	put_file(c, ".pfish/voids/000000000002.void", "statement void\n", 15);
	put_file(c, ".pfish/voids/000000000002.void.tmp", "tmp", 3);
	put_file(c, ".pfish/deletes/000000000004-00000000000000aa.del",
	    "del-a", 5);
	put_file(c, ".pfish/deletes/000000000004-0000000000000001.del",
	    "del-1", 5);
	put_file(c, ".pfish/records/junk", "junk", 4);
	put_file(c, ".pfish/records/00000000007.rec", "short", 5);
	put_file(c, ".pfish/records/.tmp.1.000000000008.rec", "tmp", 3);
	put_file(c, ".pfish/notes/000000000009.note.tmp", "tmp", 3);
	snprintf(link, sizeof(link), "%s/.pfish/records/000000000006.rec",
	    c->mbdir);
	assert_int_equal(symlink("../head", link), 0);
	tl_init_session(&c->t);
	n = get_page(c, 1, "", hh, next, it, 32);
	assert_string_equal(next, "");
	assert_int_equal(n, 1 + 4 + 2 + 1 + 1);
	assert_non_null(head = get_file(c, ".pfish/head", &len));
	stmt_hash(head, len, h);
	stmt_hash_hex(h, hex);
	free(head);
	assert_string_equal(hh, hex);
	assert_int_equal(it[0].kind, STATEPAGE_KIND_HEAD);
	assert_true(it[0].seq == 0);
	assert_item_is_file(c, &it[0], ".pfish/head");
	for (size_t i = 0; i < 4; i++) {
		char rel[64];

		assert_int_equal(it[1 + i].kind, STATEPAGE_KIND_RECORD);
		assert_true(it[1 + i].seq == 2 + i);
		snprintf(rel, sizeof(rel), ".pfish/records/%012zu.rec", 2 + i);
		assert_item_is_file(c, &it[1 + i], rel);
	}
	assert_int_equal(it[5].kind, STATEPAGE_KIND_DELETE);
	assert_true(it[5].seq == 4);
	assert_item_is_file(c, &it[5],
	    ".pfish/deletes/000000000004-0000000000000001.del");
	assert_int_equal(it[6].kind, STATEPAGE_KIND_DELETE);
	assert_item_is_file(c, &it[6],
	    ".pfish/deletes/000000000004-00000000000000aa.del");
	assert_int_equal(it[7].kind, STATEPAGE_KIND_NOTE);
	assert_true(it[7].seq == 3);
	assert_item_is_file(c, &it[7], ".pfish/notes/000000000003.note");
	assert_int_equal(it[8].kind, STATEPAGE_KIND_VOID);
	assert_true(it[8].seq == 2);
	assert_item_is_file(c, &it[8], ".pfish/voids/000000000002.void");
	/* A cursor resumes after the key it names. */
	n = get_page(c, 2, "r000000000003", hh, next, it, 32);
	assert_int_equal(n, 2 + 2 + 1 + 1);
	assert_true(it[0].seq == 4 && it[0].kind == STATEPAGE_KIND_RECORD);
	n = get_page(c, 3, "d000000000004-0000000000000001", hh, next, it, 32);
	assert_int_equal(n, 3);
	assert_int_equal(it[0].kind, STATEPAGE_KIND_DELETE);
	assert_item_is_file(c, &it[0],
	    ".pfish/deletes/000000000004-00000000000000aa.del");
	n = get_page(c, 4, "n000000000003", hh, next, it, 32);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].kind, STATEPAGE_KIND_VOID);
	n = get_page(c, 4, "v000000000002", hh, next, it, 32);
	assert_int_equal(n, 0);
	assert_string_equal(next, "");
	/* A cursor below the head's low still skips expired records. */
	n = get_page(c, 5, "r000000000000", hh, next, it, 32);
	assert_true(n == 8 && it[0].seq == 2);
	/* A start past seq 3: the head, records 4 and 5, then the rest. */
	n = get_page(c, 6, "s000000000003", hh, next, it, 32);
	assert_string_equal(hh, hex);
	assert_int_equal(n, 1 + 2 + 2 + 1 + 1);
	assert_int_equal(it[0].kind, STATEPAGE_KIND_HEAD);
	assert_item_is_file(c, &it[0], ".pfish/head");
	assert_true(it[1].kind == STATEPAGE_KIND_RECORD && it[1].seq == 4);
	assert_item_is_file(c, &it[2], ".pfish/records/000000000005.rec");
	assert_int_equal(it[3].kind, STATEPAGE_KIND_DELETE);
	/* Below the head's low: from low; past every record: none. */
	n = get_page(c, 7, "s000000000001", hh, next, it, 32);
	assert_true(n == 9 && it[1].seq == 2);
	n = get_page(c, 8, "s999999999999", hh, next, it, 32);
	assert_int_equal(n, 1 + 2 + 1 + 1);
	assert_int_equal(it[0].kind, STATEPAGE_KIND_HEAD);
	assert_int_equal(it[1].kind, STATEPAGE_KIND_DELETE);
}

static void
test_no_state(void **state)
{
	struct ctx *c = *state;
	struct item it[4];
	char hh[65], next[64], cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/.pfish'", c->mbdir);
	assert_int_equal(system(cmd), 0);
	tl_init_session(&c->t);
	assert_int_equal(get_page(c, 1, "", hh, next, it, 4), 0);
	assert_string_equal(hh, "");
	assert_string_equal(next, "");
}

static void
test_bad_cursor(void **state)
{
	static const char *bad[] = { "x", "r", "r12", "r0000000000001",
	    "r00000000000a", "d000000000001", "d000000000001-00000000000000A",
	    "d000000000001_0000000000000000", "n-00000000001", "head",
	    "s", "s000000000000", "s00000000001", "s00000000000a",
	    "s000000000001-0000000000000000" };
	struct ctx *c = *state;
	struct item it[16];
	char hh[65], next[64];
	struct buf *b;
	size_t i;

	tl_init_session(&c->t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = tl_ext_req((uint32_t)i, PFISH_EXT_STATE);
		assert_int_equal(buf_put_cstring(b, bad[i]), 0);
		tl_send(&c->t, b);
		tl_expect_status(&c->t, (uint32_t)i, SFTP_FX_FAILURE);
	}
	/* The session goes on. */
	assert_int_equal(get_page(c, 99, "", hh, next, it, 16), 5);
}

/*
 * Many records over several pages: each once, ascending, every page within
 * the packet limit; a file too large for any page is skipped, not looped on.
 */
static void
test_paging(void **state)
{
	enum { N = 1500, ITEMS = 4096 };
	struct ctx *c = *state;
	struct item *it;
	char hh[65], first[65], next[64], cursor[64], rel[64];
	u_char *blob, *seen;
	size_t n, i, pages = 0, records = 0;
	uint64_t last = 0;

	assert_non_null(blob = malloc(300 * 1024));
	assert_non_null(seen = calloc(N + 1, 1));
	assert_non_null(it = calloc(ITEMS, sizeof(*it)));
	for (i = 6; i <= N; i++) {
		memset(blob, (int)(i & 0xff), 400);
		snprintf(rel, sizeof(rel), ".pfish/records/%012zu.rec", i);
		put_file(c, rel, blob, 400 + i % 7);
	}
	memset(blob, 'x', 300 * 1024);
	put_file(c, ".pfish/records/000000000700.rec", blob, 300 * 1024);
	tl_init_session(&c->t);
	cursor[0] = '\0';
	do {
		n = get_page(c, (uint32_t)pages, cursor, hh, next, it, ITEMS);
		if (pages == 0) {
			assert_int_equal(it[0].kind, STATEPAGE_KIND_HEAD);
			strlcpy(first, hh, sizeof(first));
		} else
			assert_string_equal(hh, first);
		assert_true(n > 0 || next[0] == '\0');
		for (i = 0; i < n; i++) {
			if (it[i].kind != STATEPAGE_KIND_RECORD)
				continue;
			assert_true(it[i].seq > last && it[i].seq <= N);
			last = it[i].seq;
			assert_int_equal(seen[last], 0);
			seen[last] = 1;
			records++;
		}
		strlcpy(cursor, next, sizeof(cursor));
		pages++;
		assert_true(pages < 100);
	} while (cursor[0] != '\0');
	assert_int_equal(records, N - 2);	/* 2..N without 700 */
	assert_int_equal(seen[700], 0);
	assert_int_equal(seen[1], 0);
	assert_true(pages >= 3);
	free(it);
	free(seen);
	free(blob);
}

/* The files a listing must return, in its order, as paths in the mailbox. */
struct expect {
	char		 (*rel)[64];
	uint8_t		*kind;
	uint64_t	*seq;
	size_t		 n, cap;
};

static void
expect_add(struct expect *e, uint8_t kind, uint64_t seq, const char *rel)
{
	assert_true(e->n < e->cap);
	strlcpy(e->rel[e->n], rel, sizeof(e->rel[0]));
	e->kind[e->n] = kind;
	e->seq[e->n] = seq;
	e->n++;
}

static int
is_hole(uint64_t seq)
{
	/* A lone hole, one longer than the server probes, the last seqs. */
	return seq == 100 || (seq >= 1000 && seq < 1200) || seq == 2500;
}

/*
 * The walk's awkward cases: records with holes short and long, more
 * deletes than one directory scan keeps, notes dense then sparse.
 * Returns the listing expected from the cursor "" on.
 */
static void
make_walk_store(struct ctx *c, struct expect *e, size_t nrec, size_t ndel,
    size_t nnote)
{
	char rel[64], body[400];
	uint64_t seq, h;
	size_t i;

	memset(body, 'r', sizeof(body));
	for (seq = NREC + 1; seq <= nrec; seq++) {
		if (is_hole(seq))
			continue;
		snprintf(rel, sizeof(rel), ".pfish/records/%012llu.rec",
		    (unsigned long long)seq);
		snprintf(body, sizeof(body), "record %llu",
		    (unsigned long long)seq);
		put_file(c, rel, body, 300 + seq % 50);
	}
	/* Records from the head's low (2) on. */
	for (seq = 2; seq <= nrec; seq++) {
		if (is_hole(seq))
			continue;
		snprintf(rel, sizeof(rel), ".pfish/records/%012llu.rec",
		    (unsigned long long)seq);
		expect_add(e, STATEPAGE_KIND_RECORD, seq, rel);
	}
	/* Several deletes per seq; written in descending order. */
	for (i = ndel; i-- > 0;) {
		seq = 1 + i / 3;
		h = (uint64_t)(i % 3) << 60 | (uint64_t)(i + 1) * 2654435761u;
		snprintf(rel, sizeof(rel), ".pfish/deletes/%012llu-%016llx.del",
		    (unsigned long long)seq, (unsigned long long)h);
		put_file(c, rel, rel, strlen(rel));
	}
	for (i = 0; i < ndel; i++) {
		seq = 1 + i / 3;
		h = (uint64_t)(i % 3) << 60 | (uint64_t)(i + 1) * 2654435761u;
		snprintf(rel, sizeof(rel), ".pfish/deletes/%012llu-%016llx.del",
		    (unsigned long long)seq, (unsigned long long)h);
		expect_add(e, STATEPAGE_KIND_DELETE, seq, rel);
	}
	/* Notes 1..400, then one every 97 seqs. */
	for (i = 0; i < nnote; i++) {
		seq = i < 400 ? i + 1 : 1000 + 97 * (i - 400);
		snprintf(rel, sizeof(rel), ".pfish/notes/%012llu.note",
		    (unsigned long long)seq);
		put_file(c, rel, rel, strlen(rel));
		expect_add(e, STATEPAGE_KIND_NOTE, seq, rel);
	}
}

/* Page through a whole listing, checking it against e item by item. */
static size_t
walk_listing(struct ctx *c, const struct expect *e, struct item *it,
    size_t maxitems)
{
	char hh[65], first[65], next[64], cursor[64];
	size_t n, i, at = 0, pages = 0;

	cursor[0] = '\0';
	do {
		n = get_page(c, (uint32_t)pages, cursor, hh, next, it,
		    maxitems);
		assert_true(n > 0 || next[0] == '\0');
		i = 0;
		if (pages == 0) {
			assert_int_equal(it[0].kind, STATEPAGE_KIND_HEAD);
			strlcpy(first, hh, sizeof(first));
			i = 1;
		} else
			assert_string_equal(hh, first);
		for (; i < n; i++, at++) {
			assert_true(at < e->n);
			if (it[i].kind != e->kind[at] ||
			    it[i].seq != e->seq[at])
				fail_msg("item %zu: kind %u seq %llu, want %s",
				    at, it[i].kind,
				    (unsigned long long)it[i].seq, e->rel[at]);
			assert_item_is_file(c, &it[i], e->rel[at]);
		}
		strlcpy(cursor, next, sizeof(cursor));
		pages++;
		assert_true(pages < 1000);
	} while (cursor[0] != '\0');
	assert_int_equal(at, e->n);
	return pages;
}

/*
 * Whatever way the server walks the store (by name, by scans, from a
 * cache between pages), a listing is every canonical file once, in the
 * protocol's order; and a second listing in the same session sees what
 * was stored after the first.
 */
static void
test_walk(void **state)
{
	enum { NR = 3000, ND = 9000, NN = 9000, ITEMS = 8192 };
	struct ctx *c = *state;
	struct expect e, e2;
	struct item *it;
	size_t i, pages;

	memset(&e, 0, sizeof(e));
	e.cap = NR + ND + NN + 8;
	assert_non_null(e.rel = calloc(e.cap, sizeof(*e.rel)));
	assert_non_null(e.kind = calloc(e.cap, sizeof(*e.kind)));
	assert_non_null(e.seq = calloc(e.cap, sizeof(*e.seq)));
	assert_non_null(it = calloc(ITEMS, sizeof(*it)));
	make_walk_store(c, &e, NR, ND, NN);
	tl_init_session(&c->t);
	pages = walk_listing(c, &e, it, ITEMS);
	assert_true(pages >= 5);

	/* Stored after the first listing, below where it had been. */
	put_file(c, ".pfish/deletes/000000000001-0000000000000000.del",
	    "early", 5);
	put_file(c, ".pfish/notes/000000000500.note", "late", 4);
	memset(&e2, 0, sizeof(e2));
	e2.cap = e.cap + 2;
	assert_non_null(e2.rel = calloc(e2.cap, sizeof(*e2.rel)));
	assert_non_null(e2.kind = calloc(e2.cap, sizeof(*e2.kind)));
	assert_non_null(e2.seq = calloc(e2.cap, sizeof(*e2.seq)));
	for (i = 0; i < e.n; i++) {
		if (e.kind[i] == STATEPAGE_KIND_DELETE &&
		    (i == 0 || e.kind[i - 1] != STATEPAGE_KIND_DELETE))
			expect_add(&e2, STATEPAGE_KIND_DELETE, 1, ".pfish/"
			    "deletes/000000000001-0000000000000000.del");
		if (e.kind[i] == STATEPAGE_KIND_NOTE && e.seq[i] == 1000)
			expect_add(&e2, STATEPAGE_KIND_NOTE, 500,
			    ".pfish/notes/000000000500.note");
		expect_add(&e2, e.kind[i], e.seq[i], e.rel[i]);
	}
	(void)walk_listing(c, &e2, it, ITEMS);
	free(e.rel);
	free(e.kind);
	free(e.seq);
	free(e2.rel);
	free(e2.kind);
	free(e2.seq);
	free(it);
}

/* A delete statement over seqs, signed by key under namespace ns. */
static struct buf *
make_delete(struct ctx *c, const struct sshkey_priv *key, const char *ns,
    const char *mailbox, const char *epoch, const uint64_t *seqs, size_t n)
{
	struct stmt_delete d;
	struct buf *text, *out;
	size_t i;

	memset(&d, 0, sizeof(d));
	strlcpy(d.mailbox, mailbox, sizeof(d.mailbox));
	strlcpy(d.epoch, epoch, sizeof(d.epoch));
	d.seen = n > 0 && seqs[n - 1] > NREC ? seqs[n - 1] : NREC;
	memcpy(d.seenhash, c->rhash[NREC], STMT_HASH_LEN);
	d.time = 1764000500;
	fingerprint(key, d.key);
	assert_non_null(d.del = calloc(n, sizeof(*d.del)));
	for (i = 0; i < n; i++) {
		d.del[i].seq = seqs[i];
		if (seqs[i] <= NREC)
			memcpy(d.del[i].hash, c->rhash[seqs[i]], STMT_HASH_LEN);
	}
	d.ndel = n;
	assert_non_null(text = buf_new());
	assert_non_null(out = buf_new());
	assert_int_equal(stmt_delete_encode(&d, text), 0);
	assert_int_equal(buf_put(out, buf_ptr(text), buf_len(text)), 0);
	assert_int_equal(sshsig_sign(key, ns, buf_ptr(text), buf_len(text),
	    out), 0);
	stmt_delete_clear(&d);
	buf_free(text);
	return out;
}

static void
send_delete(struct ctx *c, uint32_t id, const struct buf *stmt)
{
	struct buf *b = tl_ext_req(id, PFISH_EXT_DELETE);

	assert_int_equal(buf_put_string(b, buf_ptr(stmt), buf_len(stmt)), 0);
	tl_send(&c->t, b);
}

/* The .del file name the store layout gives this statement. */
static void
delete_name(const struct buf *stmt, char *rel, size_t len)
{
	struct stmt_delete d;
	char name[64];
	size_t tl;

	memset(&d, 0, sizeof(d));
	assert_int_equal(stmt_split_signed(buf_ptr(stmt), buf_len(stmt), &tl),
	    0);
	assert_int_equal(stmt_delete_parse(buf_ptr(stmt), tl, &d), 0);
	assert_int_equal(stmt_delete_filename(&d, buf_ptr(stmt), tl, name,
	    sizeof(name)), 0);
	snprintf(rel, len, ".pfish/deletes/%s", name);
	stmt_delete_clear(&d);
}

static void
test_delete(void **state)
{
	static const uint64_t seqs[] = { 2, 3 };
	struct ctx *c = *state;
	struct buf *stmt;
	struct item it[16];
	char rel[128], hh[65], next[64];
	u_char *data;
	size_t len, n;

	stmt = make_delete(c, c->user, PFISH_NS_DELETE, "alice", EPOCH, seqs, 2);
	delete_name(stmt, rel, sizeof(rel));
	/* seq 3's message is already gone: still fine. */
	put_file(c, "000000000003.age", "", 0);
	assert_int_equal(unlink(c->mbdir), -1);
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/000000000003.age", c->mbdir);
		assert_int_equal(unlink(p), 0);
	}
	tl_init_session(&c->t);
	send_delete(c, 1, stmt);
	tl_expect_status(&c->t, 1, SFTP_FX_OK);
	assert_false(exists(c, "000000000002.age"));
	assert_false(exists(c, "000000000003.age"));
	assert_true(exists(c, "000000000004.age"));
	assert_true(exists(c, ".pfish/records/000000000002.rec"));
	assert_non_null(data = get_file(c, rel, &len));
	assert_int_equal(len, buf_len(stmt));
	assert_memory_equal(data, buf_ptr(stmt), len);
	free(data);
	/* The same delete again: idempotent. */
	send_delete(c, 2, stmt);
	tl_expect_status(&c->t, 2, SFTP_FX_OK);
	assert_true(exists(c, rel));
	/* And the listing serves it. */
	n = get_page(c, 3, "", hh, next, it, 16);
	assert_int_equal(n, 1 + 4 + 1);
	assert_int_equal(it[5].kind, STATEPAGE_KIND_DELETE);
	assert_true(it[5].seq == 2);
	assert_int_equal(it[5].len, buf_len(stmt));
	buf_free(stmt);
}

/* Every refused delete leaves the mailbox exactly as it was. */
static void
assert_untouched(struct ctx *c)
{
	char rel[32];
	uint64_t seq;

	for (seq = 1; seq <= NREC; seq++) {
		snprintf(rel, sizeof(rel), "%012llu.age",
		    (unsigned long long)seq);
		assert_true(exists(c, rel));
	}
}

static int
deletes_empty(struct ctx *c)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/.pfish/deletes')\"",
	    c->mbdir);
	return system(cmd) == 0;
}

static void
try_delete(struct ctx *c, uint32_t id, struct buf *stmt, uint32_t code)
{
	send_delete(c, id, stmt);
	tl_expect_status(&c->t, id, code);
	buf_free(stmt);
	assert_untouched(c);
	assert_true(deletes_empty(c));
}

static void
test_delete_refused(void **state)
{
	static const uint64_t seqs[] = { 2, 3 }, missing[] = { 2, 9 };
	struct ctx *c = *state;
	struct buf *stmt;
	size_t tl;

	tl_init_session(&c->t);
	/* Not in authorized_keys. */
	try_delete(c, 1, make_delete(c, c->other, PFISH_NS_DELETE, "alice",
	    EPOCH, seqs, 2), SFTP_FX_PERMISSION_DENIED);
	/* The user's key, but a record signature's namespace. */
	try_delete(c, 2, make_delete(c, c->user, PFISH_NS_RECORD, "alice",
	    EPOCH, seqs, 2), SFTP_FX_PERMISSION_DENIED);
	try_delete(c, 3, make_delete(c, c->user, PFISH_NS_DELETE, "bob",
	    EPOCH, seqs, 2), SFTP_FX_FAILURE);
	try_delete(c, 4, make_delete(c, c->user, PFISH_NS_DELETE, "alice",
	    "fedcba9876543210", seqs, 2), SFTP_FX_FAILURE);
	try_delete(c, 5, make_delete(c, c->user, PFISH_NS_DELETE, "alice",
	    EPOCH, missing, 2), SFTP_FX_NO_SUCH_FILE);
	/* A hash that is not the stored record's. */
	c->rhash[3][0] ^= 1;
	try_delete(c, 6, make_delete(c, c->user, PFISH_NS_DELETE, "alice",
	    EPOCH, seqs, 2), SFTP_FX_FAILURE);
	c->rhash[3][0] ^= 1;
	/* A flipped text byte breaks the signature. */
	stmt = make_delete(c, c->user, PFISH_NS_DELETE, "alice", EPOCH, seqs, 2);
	assert_int_equal(stmt_split_signed(buf_ptr(stmt), buf_len(stmt), &tl),
	    0);
	buf_mutable_ptr(stmt)[tl - 2] ^= 1;
	try_delete(c, 7, stmt, SFTP_FX_PERMISSION_DENIED);
	/* No signature at all. */
	assert_non_null(stmt = buf_new());
	assert_int_equal(buf_put(stmt, "statement delete\n", 17), 0);
	try_delete(c, 8, stmt, SFTP_FX_PERMISSION_DENIED);
	/* Signed by the user but not canonical (a trailing blank line). */
	assert_non_null(stmt = buf_new());
	{
		struct buf *good = make_delete(c, c->user, PFISH_NS_DELETE,
		    "alice", EPOCH, seqs, 2), *text;

		assert_int_equal(stmt_split_signed(buf_ptr(good),
		    buf_len(good), &tl), 0);
		assert_non_null(text = buf_new());
		assert_int_equal(buf_put(text, buf_ptr(good), tl), 0);
		assert_int_equal(buf_put(text, "\n", 1), 0);
		assert_int_equal(stmt_sign(c->user, STMT_DELETE, buf_ptr(text),
		    buf_len(text), stmt), 0);
		buf_free(text);
		buf_free(good);
	}
	try_delete(c, 9, stmt, SFTP_FX_FAILURE);
}

static void
test_delete_readonly(void **state)
{
	static const uint64_t seqs[] = { 2 };
	struct ctx *c = *state;

	tl_init_session(&c->t);
	try_delete(c, 1, make_delete(c, c->user, PFISH_NS_DELETE, "alice",
	    EPOCH, seqs, 1), SFTP_FX_PERMISSION_DENIED);
}

/* -S refuses plain REMOVE but takes signed deletes. */
static void
test_delete_signed_only(void **state)
{
	static const uint64_t seqs[] = { 4 };
	struct ctx *c = *state;
	struct buf *stmt;

	tl_init_session(&c->t);
	stmt = make_delete(c, c->user, PFISH_NS_DELETE, "alice", EPOCH, seqs, 1);
	send_delete(c, 1, stmt);
	tl_expect_status(&c->t, 1, SFTP_FX_OK);
	assert_false(exists(c, "000000000004.age"));
	buf_free(stmt);
}

/* Keys are read once: a missing authorized_keys means no delete keys. */
static void
test_delete_no_keys(void **state)
{
	static const uint64_t seqs[] = { 2 };
	struct ctx *c = *state;

	server_free(c->t.s);
	assert_int_equal(unlink(c->keys), 0);
	assert_non_null(c->t.s = new_session(c, 0));
	tl_init_session(&c->t);
	try_delete(c, 1, make_delete(c, c->user, PFISH_NS_DELETE, "alice",
	    EPOCH, seqs, 1), SFTP_FX_PERMISSION_DENIED);
}

/* Truncated requests are protocol violations: the session ends. */
static void
test_malformed(void **state)
{
	struct ctx *c = *state;
	struct buf *b;
	u_char hdr[4];

	tl_init_session(&c->t);
	b = tl_ext_req(1, PFISH_EXT_STATE);
	assert_int_equal(buf_put_u32(b, 100), 0);	/* string cut short */
	buf_store_u32(hdr, (uint32_t)buf_len(b));
	assert_int_equal(server_feed(c->t.s, hdr, 4), 0);
	assert_int_equal(server_feed(c->t.s, buf_ptr(b), buf_len(b)), -1);
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_listing),
		T(test_no_state),
		T(test_bad_cursor),
		T(test_paging),
		T(test_walk),
		T(test_delete),
		T(test_delete_refused),
		cmocka_unit_test_setup_teardown(test_delete_readonly,
		    setup_readonly, teardown),
		cmocka_unit_test_setup_teardown(test_delete_signed_only,
		    setup_signed, teardown),
		T(test_delete_no_keys),
		T(test_malformed),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
