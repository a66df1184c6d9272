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

/* test_server.c: pfish-server's dispatcher driven packet by packet. */

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

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"
#include "testlib.h"

struct ctx {
	struct mbfixture	 fx;
	struct mailbox		*mb;
	struct tl_session	 t;	/* the server and its last reply */
};

static struct server *
new_session(struct ctx *c, int flags, u_int maxh)
{
	struct server_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	o.max_handles = maxh;
	return server_new(c->mb, &o, NULL);
}

/* The 8-byte handle of a HANDLE reply. */
static void
expect_handle(struct ctx *c, uint32_t id, u_char h[PFISH_HANDLE_LEN])
{
	const u_char *p;
	uint32_t rid;
	size_t len;

	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_HANDLE);
	assert_int_equal(buf_get_u32(c->t.rep, &rid), 0);
	assert_int_equal(rid, id);
	assert_int_equal(buf_get_string_direct(c->t.rep, &p, &len), 0);
	assert_int_equal(len, PFISH_HANDLE_LEN);
	memcpy(h, p, len);
}

static int
setup_flags(void **state, int flags, u_int maxh)
{
	struct ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	log_init("test_server", LOG_LEVEL_QUIET, 0, 1);
	fx_setup(&c->fx);
	if ((c->mb = mailbox_open(c->fx.mailbox, "alice")) == NULL ||
	    (c->t.s = new_session(c, flags, maxh)) == NULL)
		return -1;
	*state = c;
	return 0;
}

static int
setup(void **state)
{
	return setup_flags(state, 0, PFISH_HANDLES_DEFAULT);
}

static int
setup_readonly(void **state)
{
	return setup_flags(state, SERVER_READONLY, PFISH_HANDLES_DEFAULT);
}

static int
setup_signed(void **state)
{
	return setup_flags(state, SERVER_SIGNED_ONLY, PFISH_HANDLES_DEFAULT);
}

static int
setup_two(void **state)
{
	return setup_flags(state, 0, 2);
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	tl_session_free(&c->t);
	mailbox_close(c->mb);
	fx_teardown(&c->fx);
	free(c);
	return 0;
}

static void
open_file(struct ctx *c, uint32_t id, const char *path, uint32_t flags)
{
	struct buf *b = tl_req(SFTP_FXP_OPEN, id);

	assert_int_equal(buf_put_cstring(b, path), 0);
	assert_int_equal(buf_put_u32(b, flags), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);	/* empty ATTRS */
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
}

static void
send_handle_req(struct ctx *c, uint8_t type, uint32_t id, const void *h,
    size_t hlen)
{
	struct buf *b = tl_req(type, id);

	assert_int_equal(buf_put_string(b, h, hlen), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
}

static void
send_read(struct ctx *c, uint32_t id, const u_char *h, uint64_t off,
    uint32_t len)
{
	struct buf *b = tl_req(SFTP_FXP_READ, id);

	assert_int_equal(buf_put_string(b, h, PFISH_HANDLE_LEN), 0);
	assert_int_equal(buf_put_u64(b, off), 0);
	assert_int_equal(buf_put_u32(b, len), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
}

static void
send_path_req(struct ctx *c, uint8_t type, uint32_t id, const char *path)
{
	struct buf *b = tl_req(type, id);

	assert_int_equal(buf_put_cstring(b, path), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
}

/* DATA reply: returns the data length, copies up to max bytes. */
static size_t
expect_data(struct ctx *c, uint32_t id, void *dst, size_t max)
{
	const u_char *p;
	uint32_t rid;
	size_t len;

	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_DATA);
	assert_int_equal(buf_get_u32(c->t.rep, &rid), 0);
	assert_int_equal(rid, id);
	assert_int_equal(buf_get_string_direct(c->t.rep, &p, &len), 0);
	if (dst != NULL)
		memcpy(dst, p, len < max ? len : max);
	return len;
}

static void
test_version_extensions(void **state)
{
	struct ctx *c = *state;
	const u_char *n, *v;
	size_t nl, vl;
	int limits = 0, state_ext = 0, delete_ext = 0, account_ext = 0;

	tl_init_session(&c->t);
	while (buf_len(c->t.rep) > 0) {
		assert_int_equal(buf_get_string_direct(c->t.rep, &n, &nl), 0);
		assert_int_equal(buf_get_string_direct(c->t.rep, &v, &vl), 0);
		assert_true(vl == 1 && v[0] == '1');
		if (nl == 18 && memcmp(n, "limits@openssh.com", 18) == 0)
			limits++;
		else if (nl == strlen(PFISH_EXT_STATE) &&
		    memcmp(n, PFISH_EXT_STATE, nl) == 0)
			state_ext++;
		else if (nl == strlen(PFISH_EXT_DELETE) &&
		    memcmp(n, PFISH_EXT_DELETE, nl) == 0)
			delete_ext++;
		else if (nl == strlen(PFISH_EXT_ACCOUNT) &&
		    memcmp(n, PFISH_EXT_ACCOUNT, nl) == 0)
			account_ext++;
		else
			fail_msg("unexpected extension %.*s", (int)nl, n);
	}
	assert_int_equal(limits, 1);
	assert_int_equal(state_ext, 1);
	assert_int_equal(delete_ext, 1);
	assert_int_equal(account_ext, 1);
	assert_false(tl_next_reply(&c->t));
}

static void
test_before_init(void **state)
{
	struct ctx *c = *state;

	server_feed(c->t.s, NULL, 0);
	assert_int_equal(tl_send_pkt(&c->t, tl_req(SFTP_FXP_OPENDIR, 1)), -1);
	assert_false(tl_next_reply(&c->t));
}

static void
test_second_init(void **state)
{
	struct ctx *c = *state;
	struct buf *b;

	tl_init_session(&c->t);
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, SFTP_FXP_INIT), 0);
	assert_int_equal(buf_put_u32(b, 3), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), -1);
}

static void
test_bad_lengths(void **state)
{
	struct ctx *c = *state;
	static const u_char huge[] = { 0xff, 0xff, 0xff, 0xff, 1 };
	static const u_char over[] = { 0x00, 0x04, 0x00, 0x00, 1 };
	static const u_char zero[] = { 0, 0, 0, 0 };
	struct server *s = c->t.s;

	assert_int_equal(server_feed(c->t.s, huge, sizeof(huge)), -1);
	server_free(s);
	assert_non_null(c->t.s = new_session(c, 0, 4));
	assert_int_equal(server_feed(c->t.s, over, sizeof(over)), -1);
	server_free(c->t.s);
	assert_non_null(c->t.s = new_session(c, 0, 4));
	assert_int_equal(server_feed(c->t.s, zero, sizeof(zero)), -1);
	server_free(c->t.s);
	/* A partial packet is simply waited for. */
	assert_non_null(c->t.s = new_session(c, 0, 4));
	assert_int_equal(server_feed(c->t.s, over, 3), 0);
	assert_false(tl_next_reply(&c->t));
}

static void
test_truncated_fields(void **state)
{
	struct ctx *c = *state;
	struct buf *b;

	tl_init_session(&c->t);
	/* OPEN whose path string claims more bytes than the packet has. */
	b = tl_req(SFTP_FXP_OPEN, 5);
	assert_int_equal(buf_put_u32(b, 1000), 0);
	assert_int_equal(buf_put(b, "/x.age", 6), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), -1);
	assert_false(tl_next_reply(&c->t));
}

static void
test_missing_id(void **state)
{
	struct ctx *c = *state;
	struct buf *b;

	tl_init_session(&c->t);
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, SFTP_FXP_STAT), 0);
	assert_int_equal(buf_put(b, "\0\0", 2), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), -1);
}

static void
test_unsupported(void **state)
{
	struct ctx *c = *state;
	static const struct {
		uint8_t type;
		uint32_t status;
	} cases[] = {
		{ SFTP_FXP_WRITE, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_SETSTAT, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_FSETSTAT, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_MKDIR, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_RMDIR, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_RENAME, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_SYMLINK, SFTP_FX_PERMISSION_DENIED },
		{ SFTP_FXP_READLINK, SFTP_FX_OP_UNSUPPORTED },
		{ 0, SFTP_FX_OP_UNSUPPORTED },
		{ 99, SFTP_FX_OP_UNSUPPORTED },
		{ SFTP_FXP_STATUS, SFTP_FX_OP_UNSUPPORTED },
		{ SFTP_FXP_VERSION, SFTP_FX_OP_UNSUPPORTED },
		{ 255, SFTP_FX_OP_UNSUPPORTED },
	};
	struct buf *b;
	size_t i;

	tl_init_session(&c->t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = tl_req(cases[i].type, 100 + (uint32_t)i);
		assert_int_equal(buf_put_cstring(b, "/new.age"), 0);
		assert_int_equal(tl_send_pkt(&c->t, b), 0);
		tl_expect_status(&c->t, 100 + (uint32_t)i, cases[i].status);
	}
	assert_false(fx_exists(&c->fx, "new.age"));
}

static void
send_ext(struct ctx *c, uint32_t id, const char *name)
{
	struct buf *b = tl_req(SFTP_FXP_EXTENDED, id);

	assert_int_equal(buf_put_cstring(b, name), 0);
	assert_int_equal(buf_put_cstring(b, "/other.age"), 0);
	assert_int_equal(buf_put_cstring(b, "/moved.age"), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
}

static void
test_extensions(void **state)
{
	struct ctx *c = *state;
	uint64_t v[4];
	uint32_t id;
	int i;

	tl_init_session(&c->t);
	send_ext(c, 1, "posix-rename@openssh.com");
	tl_expect_status(&c->t, 1, SFTP_FX_PERMISSION_DENIED);
	send_ext(c, 2, "hardlink@openssh.com");
	tl_expect_status(&c->t, 2, SFTP_FX_PERMISSION_DENIED);
	send_ext(c, 3, "no-such@example.com");
	tl_expect_status(&c->t, 3, SFTP_FX_OP_UNSUPPORTED);
	send_ext(c, 4, "pfish-nosuch@pfish");
	tl_expect_status(&c->t, 4, SFTP_FX_OP_UNSUPPORTED);
	send_ext(c, 5, "statvfs@openssh.com");
	tl_expect_status(&c->t, 5, SFTP_FX_OP_UNSUPPORTED);
	assert_true(fx_exists(&c->fx, "other.age"));
	assert_false(fx_exists(&c->fx, "moved.age"));
	send_ext(c, 6, "limits@openssh.com");
	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_EXTENDED_REPLY);
	assert_int_equal(buf_get_u32(c->t.rep, &id), 0);
	assert_int_equal(id, 6);
	for (i = 0; i < 4; i++)
		assert_int_equal(buf_get_u64(c->t.rep, &v[i]), 0);
	assert_true(v[0] == PFISH_PACKET_MAX - 4);
	assert_true(v[1] == PFISH_READ_MAX && v[1] != 0);
	assert_true(v[2] == 0);
	assert_true(v[3] == PFISH_HANDLES_DEFAULT);
}

static void
test_open_write_flags(void **state)
{
	struct ctx *c = *state;
	static const uint32_t flags[] = { SFTP_FXF_WRITE,
	    SFTP_FXF_READ | SFTP_FXF_WRITE, SFTP_FXF_APPEND, SFTP_FXF_CREAT,
	    SFTP_FXF_READ | SFTP_FXF_TRUNC, SFTP_FXF_EXCL,
	    SFTP_FXF_WRITE | SFTP_FXF_CREAT | SFTP_FXF_TRUNC, 0x40,
	    0xffffffff };
	char buf[8];
	size_t i;
	int fd;

	tl_init_session(&c->t);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		open_file(c, 10 + (uint32_t)i, "/other.age", flags[i]);
		tl_expect_status(&c->t, 10 + (uint32_t)i,
		    SFTP_FX_PERMISSION_DENIED);
		open_file(c, 20 + (uint32_t)i, "/new.age", flags[i]);
		tl_expect_status(&c->t, 20 + (uint32_t)i,
		    SFTP_FX_PERMISSION_DENIED);
	}
	assert_false(fx_exists(&c->fx, "new.age"));
	fd = open(c->fx.mailbox, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(openat(fd, "other.age", O_RDONLY), buf, 8, 0), 2);
	close(fd);
}

static void
test_open_hidden(void **state)
{
	struct ctx *c = *state;
	char p[512];
	const char *noent[] = { "/link.age", "/outside.age", "/sub.age",
	    "/fifo.age", "/.hidden.age", "/notes.txt", "/sub/inner.age",
	    "/missing.age", NULL };
	const char *denied[] = { "/../secret.age", "../alice2/000000000001.age",
	    "/x/../other.age", NULL };
	uint32_t id = 1;
	size_t i;

	tl_init_session(&c->t);
	for (i = 0; noent[i] != NULL; i++) {
		open_file(c, id, noent[i], SFTP_FXF_READ);
		tl_expect_status(&c->t, id++, SFTP_FX_NO_SUCH_FILE);
		send_path_req(c, SFTP_FXP_STAT, id, noent[i]);
		tl_expect_status(&c->t, id++, SFTP_FX_NO_SUCH_FILE);
		send_path_req(c, SFTP_FXP_LSTAT, id, noent[i]);
		tl_expect_status(&c->t, id++, SFTP_FX_NO_SUCH_FILE);
	}
	for (i = 0; denied[i] != NULL; i++) {
		open_file(c, id, denied[i], SFTP_FXF_READ);
		tl_expect_status(&c->t, id++, SFTP_FX_PERMISSION_DENIED);
	}
	snprintf(p, sizeof(p), "%s/000000000001.age", c->fx.sibling);
	open_file(c, id, p, SFTP_FXF_READ);
	tl_expect_status(&c->t, id++, SFTP_FX_NO_SUCH_FILE);
	open_file(c, id, "/", SFTP_FXF_READ);
	tl_expect_status(&c->t, id++, SFTP_FX_FAILURE);
}

static void
test_nul_in_path(void **state)
{
	struct ctx *c = *state;
	struct buf *b;

	tl_init_session(&c->t);
	b = tl_req(SFTP_FXP_STAT, 9);
	assert_int_equal(buf_put_string(b, "other.age\0.txt", 14), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
	tl_expect_status(&c->t, 9, SFTP_FX_PERMISSION_DENIED);
	b = tl_req(SFTP_FXP_REMOVE, 10);
	assert_int_equal(buf_put_string(b, "other.age\0", 10), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
	tl_expect_status(&c->t, 10, SFTP_FX_PERMISSION_DENIED);
	assert_true(fx_exists(&c->fx, "other.age"));
}

static void
test_read_file(void **state)
{
	struct ctx *c = *state;
	u_char h[PFISH_HANDLE_LEN], *data;
	size_t got = 0, n;

	tl_init_session(&c->t);
	open_file(c, 1, "/000000000002.age", SFTP_FXF_READ);
	expect_handle(c, 1, h);
	assert_non_null(data = malloc(300000));
	while (got < 300000) {
		/* Ask for more than the cap: the reply is capped. */
		send_read(c, 2, h, got, 1024 * 1024);
		n = expect_data(c, 2, data + got, 300000 - got);
		assert_true(n > 0 && n <= PFISH_READ_MAX);
		if (got == 0)
			assert_int_equal(n, PFISH_READ_MAX);
		got += n;
	}
	assert_int_equal(got, 300000);
	for (size_t i = 0; i < 300000; i++)
		if (data[i] != (u_char)(i * 7 + i / 251))
			fail_msg("byte %zu differs", i);
	free(data);
	send_read(c, 3, h, 300000, 100);	/* at EOF */
	tl_expect_status(&c->t, 3, SFTP_FX_EOF);
	send_read(c, 4, h, UINT64_MAX, 100);	/* far past EOF */
	tl_expect_status(&c->t, 4, SFTP_FX_EOF);
	send_read(c, 5, h, (uint64_t)INT64_MAX, 100);
	tl_expect_status(&c->t, 5, SFTP_FX_EOF);
	send_read(c, 6, h, 10, 0);		/* 0 bytes inside the file */
	assert_int_equal(expect_data(c, 6, NULL, 0), 0);
	send_read(c, 7, h, 300000, 0);		/* 0 bytes at EOF */
	tl_expect_status(&c->t, 7, SFTP_FX_EOF);
	send_handle_req(c, SFTP_FXP_CLOSE, 8, h, sizeof(h));
	tl_expect_status(&c->t, 8, SFTP_FX_OK);
}

static void
test_handles(void **state)
{
	struct ctx *c = *state;
	u_char h1[PFISH_HANDLE_LEN], h2[PFISH_HANDLE_LEN], bad[16];
	struct buf *b;

	tl_init_session(&c->t);
	open_file(c, 1, "/000000000001.age", SFTP_FXF_READ);
	expect_handle(c, 1, h1);
	/* Wrong lengths, unknown slots and bit flips are all refused. */
	b = tl_req(SFTP_FXP_READ, 2);
	assert_int_equal(buf_put_string(b, h1, 7), 0);
	assert_int_equal(buf_put_u64(b, 0), 0);
	assert_int_equal(buf_put_u32(b, 10), 0);
	assert_int_equal(tl_send_pkt(&c->t, b), 0);
	tl_expect_status(&c->t, 2, SFTP_FX_FAILURE);
	memset(bad, 0, sizeof(bad));
	memcpy(bad, h1, sizeof(h1));
	send_handle_req(c, SFTP_FXP_CLOSE, 3, bad, 9);
	tl_expect_status(&c->t, 3, SFTP_FX_FAILURE);
	send_handle_req(c, SFTP_FXP_CLOSE, 4, bad, 4);
	tl_expect_status(&c->t, 4, SFTP_FX_FAILURE);
	bad[7] ^= 1;
	send_handle_req(c, SFTP_FXP_CLOSE, 5, bad, 8);
	tl_expect_status(&c->t, 5, SFTP_FX_FAILURE);
	memset(bad, 0xff, 8);
	send_handle_req(c, SFTP_FXP_FSTAT, 6, bad, 8);
	tl_expect_status(&c->t, 6, SFTP_FX_FAILURE);
	/* A file handle is not a directory handle. */
	send_handle_req(c, SFTP_FXP_READDIR, 7, h1, 8);
	tl_expect_status(&c->t, 7, SFTP_FX_FAILURE);
	send_handle_req(c, SFTP_FXP_FSTAT, 8, h1, 8);
	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_ATTRS);
	send_handle_req(c, SFTP_FXP_CLOSE, 9, h1, 8);
	tl_expect_status(&c->t, 9, SFTP_FX_OK);
	/* Closed: gone, and the slot's next handle is a different string. */
	send_read(c, 10, h1, 0, 10);
	tl_expect_status(&c->t, 10, SFTP_FX_FAILURE);
	send_handle_req(c, SFTP_FXP_CLOSE, 11, h1, 8);
	tl_expect_status(&c->t, 11, SFTP_FX_FAILURE);
	open_file(c, 12, "/000000000001.age", SFTP_FXF_READ);
	expect_handle(c, 12, h2);
	assert_memory_equal(h1, h2, 4);		/* same slot */
	assert_memory_not_equal(h1, h2, 8);	/* new generation */
	send_read(c, 13, h1, 0, 10);
	tl_expect_status(&c->t, 13, SFTP_FX_FAILURE);
	send_read(c, 14, h2, 0, 10);
	assert_int_equal(expect_data(c, 14, NULL, 0), 5);
}

static void
test_handle_exhaustion(void **state)
{
	struct ctx *c = *state;
	u_char h1[PFISH_HANDLE_LEN], h2[PFISH_HANDLE_LEN], h3[PFISH_HANDLE_LEN];

	tl_init_session(&c->t);
	open_file(c, 1, "/000000000001.age", SFTP_FXF_READ);
	expect_handle(c, 1, h1);
	send_path_req(c, SFTP_FXP_OPENDIR, 2, "/");
	expect_handle(c, 2, h2);
	open_file(c, 3, "/other.age", SFTP_FXF_READ);
	tl_expect_status(&c->t, 3, SFTP_FX_FAILURE);
	send_path_req(c, SFTP_FXP_OPENDIR, 4, "/");
	tl_expect_status(&c->t, 4, SFTP_FX_FAILURE);
	send_handle_req(c, SFTP_FXP_CLOSE, 5, h1, 8);
	tl_expect_status(&c->t, 5, SFTP_FX_OK);
	open_file(c, 6, "/other.age", SFTP_FXF_READ);
	expect_handle(c, 6, h3);
}

/* Names of one READDIR reply, checked against the visible set. */
static void
test_readdir(void **state)
{
	struct ctx *c = *state;
	u_char h[PFISH_HANDLE_LEN];
	struct sftp_attrs a;
	const u_char *name, *lname;
	size_t nl, ll;
	uint32_t id, count, i;
	int seen = 0;

	tl_init_session(&c->t);
	send_path_req(c, SFTP_FXP_OPENDIR, 1, ".");
	expect_handle(c, 1, h);
	send_handle_req(c, SFTP_FXP_READDIR, 2, h, 8);
	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_NAME);
	assert_int_equal(buf_get_u32(c->t.rep, &id), 0);
	assert_int_equal(buf_get_u32(c->t.rep, &count), 0);
	assert_int_equal(count, 3);
	for (i = 0; i < count; i++) {
		assert_int_equal(buf_get_string_direct(c->t.rep, &name, &nl),
		    0);
		assert_int_equal(buf_get_string_direct(c->t.rep, &lname, &ll),
		    0);
		assert_int_equal(sftp_attrs_decode(c->t.rep, &a), 0);
		assert_true(S_ISREG(a.perm));
		assert_true(ll > nl);
		assert_memory_equal(lname + ll - nl, name, nl);
		if (nl == 16 && memcmp(name, "000000000001.age", 16) == 0)
			seen |= 1;
		else if (nl == 16 && memcmp(name, "000000000002.age", 16) == 0)
			seen |= 2;
		else if (nl == 9 && memcmp(name, "other.age", 9) == 0)
			seen |= 4;
		else
			fail_msg("unexpected %.*s", (int)nl, name);
	}
	assert_int_equal(seen, 7);
	send_handle_req(c, SFTP_FXP_READDIR, 3, h, 8);
	tl_expect_status(&c->t, 3, SFTP_FX_EOF);
	send_path_req(c, SFTP_FXP_OPENDIR, 4, "/sub");
	tl_expect_status(&c->t, 4, SFTP_FX_NO_SUCH_FILE);
	send_path_req(c, SFTP_FXP_OPENDIR, 5, "/other.age");
	tl_expect_status(&c->t, 5, SFTP_FX_NO_SUCH_FILE);
	send_path_req(c, SFTP_FXP_OPENDIR, 6, "/..");
	tl_expect_status(&c->t, 6, SFTP_FX_PERMISSION_DENIED);
}

static void
expect_name(struct ctx *c, uint32_t id, const char *want)
{
	const u_char *name;
	uint32_t rid, count;
	size_t nl;

	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_NAME);
	assert_int_equal(buf_get_u32(c->t.rep, &rid), 0);
	assert_int_equal(rid, id);
	assert_int_equal(buf_get_u32(c->t.rep, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(buf_get_string_direct(c->t.rep, &name, &nl), 0);
	assert_int_equal(nl, strlen(want));
	assert_memory_equal(name, want, nl);
}

static void
test_realpath(void **state)
{
	struct ctx *c = *state;
	char p[512];

	tl_init_session(&c->t);
	send_path_req(c, SFTP_FXP_REALPATH, 1, ".");
	expect_name(c, 1, "/");
	send_path_req(c, SFTP_FXP_REALPATH, 2, "");
	expect_name(c, 2, "/");
	send_path_req(c, SFTP_FXP_REALPATH, 3, c->fx.mailbox);
	expect_name(c, 3, "/");
	snprintf(p, sizeof(p), "%s/other.age", c->fx.mailbox);
	send_path_req(c, SFTP_FXP_REALPATH, 4, p);
	expect_name(c, 4, "/other.age");
	send_path_req(c, SFTP_FXP_REALPATH, 5, "other.age");
	expect_name(c, 5, "/other.age");
	send_path_req(c, SFTP_FXP_REALPATH, 6, "/..");
	tl_expect_status(&c->t, 6, SFTP_FX_PERMISSION_DENIED);
	send_path_req(c, SFTP_FXP_REALPATH, 7, "/tmp");
	tl_expect_status(&c->t, 7, SFTP_FX_NO_SUCH_FILE);
	send_path_req(c, SFTP_FXP_REALPATH, 8, "/link.age");
	tl_expect_status(&c->t, 8, SFTP_FX_NO_SUCH_FILE);
}

static void
test_stat(void **state)
{
	struct ctx *c = *state;
	struct sftp_attrs a;
	uint32_t id;

	tl_init_session(&c->t);
	send_path_req(c, SFTP_FXP_STAT, 1, "/");
	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_ATTRS);
	assert_int_equal(buf_get_u32(c->t.rep, &id), 0);
	assert_int_equal(sftp_attrs_decode(c->t.rep, &a), 0);
	assert_true(S_ISDIR(a.perm));
	send_path_req(c, SFTP_FXP_LSTAT, 2, "/000000000002.age");
	assert_true(tl_next_reply(&c->t));
	assert_int_equal(c->t.type, SFTP_FXP_ATTRS);
	assert_int_equal(buf_get_u32(c->t.rep, &id), 0);
	assert_int_equal(sftp_attrs_decode(c->t.rep, &a), 0);
	assert_true(S_ISREG(a.perm));
	assert_true(a.size == 300000);
}

static void
test_remove(void **state)
{
	struct ctx *c = *state;

	tl_init_session(&c->t);
	send_path_req(c, SFTP_FXP_REMOVE, 1, "/000000000001.age");
	tl_expect_status(&c->t, 1, SFTP_FX_OK);
	assert_false(fx_exists(&c->fx, "000000000001.age"));
	assert_true(fx_exists(&c->fx, ".pfish/notes/000000000001.note"));
	send_path_req(c, SFTP_FXP_REMOVE, 2, "/000000000001.age");
	tl_expect_status(&c->t, 2, SFTP_FX_NO_SUCH_FILE);
	send_path_req(c, SFTP_FXP_REMOVE, 3, "/link.age");
	tl_expect_status(&c->t, 3, SFTP_FX_NO_SUCH_FILE);
	send_path_req(c, SFTP_FXP_REMOVE, 4, "/../secret.age");
	tl_expect_status(&c->t, 4, SFTP_FX_PERMISSION_DENIED);
	send_path_req(c, SFTP_FXP_REMOVE, 5, "/");
	tl_expect_status(&c->t, 5, SFTP_FX_PERMISSION_DENIED);
	send_path_req(c, SFTP_FXP_REMOVE, 6, "/sub.age");
	tl_expect_status(&c->t, 6, SFTP_FX_NO_SUCH_FILE);
	assert_true(fx_exists(&c->fx, "link.age"));
	assert_true(fx_exists(&c->fx, "sub.age"));
	assert_true(fx_exists(&c->fx, "../secret.age"));
	assert_true(fx_exists(&c->fx, "../alice2/000000000001.age"));
}

static void
test_remove_refused(void **state)
{
	struct ctx *c = *state;

	tl_init_session(&c->t);
	send_path_req(c, SFTP_FXP_REMOVE, 1, "/000000000001.age");
	tl_expect_status(&c->t, 1, SFTP_FX_PERMISSION_DENIED);
	send_path_req(c, SFTP_FXP_REMOVE, 2, "/other.age");
	tl_expect_status(&c->t, 2, SFTP_FX_PERMISSION_DENIED);
	assert_true(fx_exists(&c->fx, "000000000001.age"));
	assert_true(fx_exists(&c->fx, "other.age"));
	assert_false(fx_exists(&c->fx, ".pfish/notes/000000000001.note"));
}

/* A client that never reads: input stops being consumed at the mark. */
static void
test_backpressure(void **state)
{
	struct ctx *c = *state;
	u_char h[PFISH_HANDLE_LEN];
	struct buf *b;
	size_t i, n = 2 * PFISH_OUTPUT_HIWAT / PFISH_READ_MAX + 3;

	tl_init_session(&c->t);
	open_file(c, 1, "/000000000002.age", SFTP_FXF_READ);
	expect_handle(c, 1, h);
	for (i = 0; i < n; i++) {
		b = tl_req(SFTP_FXP_READ, 100 + (uint32_t)i);
		assert_int_equal(buf_put_string(b, h, 8), 0);
		assert_int_equal(buf_put_u64(b, 0), 0);
		assert_int_equal(buf_put_u32(b, PFISH_READ_MAX), 0);
		assert_int_equal(tl_send_pkt(&c->t, b), 0);
	}
	assert_true(server_output_full(c->t.s));
	assert_true(evbuffer_get_length(server_output(c->t.s)) <
	    PFISH_OUTPUT_HIWAT + PFISH_PACKET_MAX);
	/* Draining lets the rest through, every request answered. */
	for (i = 0; i < n; i++) {
		if (!tl_next_reply(&c->t)) {
			assert_int_equal(server_feed(c->t.s, NULL, 0), 0);
			assert_true(tl_next_reply(&c->t));
		}
		assert_int_equal(c->t.type, SFTP_FXP_DATA);
	}
	assert_false(tl_next_reply(&c->t));
}

/* -Q prints what the table implements, nothing refused or unfinished. */
static void
test_list_requests(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(f = open_memstream(&text, &len));
	server_list_requests(f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "open\nclose\nread\nlstat\nfstat\n"
	    "opendir\nreaddir\nremove\nrealpath\nstat\n"
	    "limits@openssh.com\n" PFISH_EXT_STATE "\n" PFISH_EXT_DELETE "\n"
	    PFISH_EXT_ACCOUNT "\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_version_extensions),
		T(test_before_init),
		T(test_second_init),
		T(test_bad_lengths),
		T(test_truncated_fields),
		T(test_missing_id),
		T(test_unsupported),
		T(test_extensions),
		T(test_open_write_flags),
		T(test_open_hidden),
		T(test_nul_in_path),
		T(test_read_file),
		T(test_handles),
		cmocka_unit_test_setup_teardown(test_handle_exhaustion,
		    setup_two, teardown),
		T(test_readdir),
		T(test_realpath),
		T(test_stat),
		T(test_remove),
		cmocka_unit_test_setup_teardown(test_remove_refused,
		    setup_readonly, teardown),
		cmocka_unit_test_setup_teardown(test_remove_refused,
		    setup_signed, teardown),
		T(test_backpressure),
		cmocka_unit_test(test_list_requests),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
