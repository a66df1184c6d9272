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

/* test_sftp.c: unit tests for the SFTP v3 codec (proto/sftp.c). */

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "sftp.h"

static void
test_frame_check(void **state)
{
	u_char hdr[4];
	size_t len = 99;

	(void)state;
	buf_store_u32(hdr, 0);
	assert_int_equal(sftp_frame_check(hdr, &len), SFTP_ERR_EMPTY);
	assert_int_equal(len, 0);
	buf_store_u32(hdr, 1);
	assert_int_equal(sftp_frame_check(hdr, &len), 0);
	assert_int_equal(len, 1);
	buf_store_u32(hdr, SFTP_BODY_MAX);
	assert_int_equal(sftp_frame_check(hdr, &len), 0);
	assert_int_equal(len, SFTP_BODY_MAX);
	assert_int_equal(SFTP_BODY_MAX + 4, 256 * 1024);
	buf_store_u32(hdr, SFTP_BODY_MAX + 1);
	assert_int_equal(sftp_frame_check(hdr, &len), SFTP_ERR_TOO_LONG);
	buf_store_u32(hdr, UINT32_MAX);
	assert_int_equal(sftp_frame_check(hdr, &len), SFTP_ERR_TOO_LONG);
	buf_store_u32(hdr, UINT32_MAX - 3);
	assert_int_equal(sftp_frame_check(hdr, &len), SFTP_ERR_TOO_LONG);
	assert_int_equal(len, 0);
}

static void
test_status_bytes(void **state)
{
	static const u_char want[] = {
		0, 0, 0, 29, SFTP_FXP_STATUS, 0, 0, 0, 7, 0, 0, 0, 2,
		0, 0, 0, 12, 'N', 'o', ' ', 's', 'u', 'c', 'h', ' ', 'f', 'i',
		'l', 'e', 0, 0, 0, 0 };
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_put_status(b, 7, SFTP_FX_NO_SUCH_FILE, NULL), 0);
	assert_int_equal(buf_len(b), sizeof(want));
	assert_memory_equal(buf_ptr(b), want, sizeof(want));
	/* A new reply starts from scratch in the same buffer. */
	assert_int_equal(sftp_put_status(b, 8, SFTP_FX_OK, "ok"), 0);
	assert_int_equal(buf_load_u32(buf_ptr(b)), 1 + 4 + 4 + 6 + 4);
	buf_free(b);
}

static void
test_handle_and_data(void **state)
{
	u_char hdr[SFTP_DATA_HDR_LEN];
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_put_handle(b, 0x01020304, "abcdefgh", 8), 0);
	assert_int_equal(buf_len(b), 4 + 1 + 4 + 4 + 8);
	assert_memory_equal(buf_ptr(b), "\0\0\0\x11\x66\x01\x02\x03\x04"
	    "\0\0\0\x08" "abcdefgh", 21);
	buf_free(b);
	sftp_data_header(hdr, 9, 1000);
	assert_int_equal(buf_load_u32(hdr), 9 + 1000);
	assert_int_equal(hdr[4], SFTP_FXP_DATA);
	assert_int_equal(buf_load_u32(hdr + 5), 9);
	assert_int_equal(buf_load_u32(hdr + 9), 1000);
}

static void
test_reply_end_caps(void **state)
{
	struct buf *b;
	u_char *p;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_reply_begin(b, SFTP_FXP_DATA, 1), 0);
	assert_int_equal(buf_reserve(b, 256 * 1024, &p), 0);
	assert_int_equal(sftp_reply_end(b), SFTP_ERR_TOO_LONG);
	buf_free(b);
}

static void
test_attrs_roundtrip(void **state)
{
	struct sftp_attrs a, d;
	struct stat st;
	struct buf *b;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0640;
	st.st_size = 300000;
	st.st_uid = 1000;
	st.st_gid = 100;
	st.st_mtime = 1700000000;
	st.st_atime = 1700000001;
	sftp_attrs_from_stat(&a, &st);
	assert_int_equal(a.perm, S_IFREG | 0640);	/* clients need S_IFMT */
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_attrs_encode(b, &a), 0);
	assert_int_equal(buf_len(b), 4 + 8 + 8 + 4 + 8);
	assert_int_equal(sftp_attrs_decode(b, &d), 0);
	assert_int_equal(buf_len(b), 0);
	assert_memory_equal(&a, &d, sizeof(a));
	st.st_mode = S_IFDIR | 0755;
	sftp_attrs_from_stat(&a, &st);
	assert_true(S_ISDIR(a.perm));
	buf_free(b);
}

static void
test_attrs_truncated(void **state)
{
	struct sftp_attrs a, d;
	struct buf *b, *v;
	size_t i, len;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.flags = SFTP_ATTR_SIZE | SFTP_ATTR_UIDGID | SFTP_ATTR_PERMISSIONS |
	    SFTP_ATTR_ACMODTIME;
	a.size = 5;
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_attrs_encode(b, &a), 0);
	len = buf_len(b);
	for (i = 0; i < len; i++) {
		assert_non_null(v = buf_from(buf_ptr(b), i));
		assert_int_not_equal(sftp_attrs_decode(v, &d), 0);
		assert_int_equal(d.flags, 0);
		buf_free(v);
	}
	buf_free(b);
}

static void
test_attrs_extended(void **state)
{
	struct sftp_attrs d;
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u32(b, SFTP_ATTR_EXTENDED), 0);
	assert_int_equal(buf_put_u32(b, 1), 0);
	assert_int_equal(buf_put_cstring(b, "k@x"), 0);
	assert_int_equal(buf_put_cstring(b, "v"), 0);
	assert_int_equal(sftp_attrs_decode(b, &d), 0);
	assert_int_equal(buf_len(b), 0);
	/* A huge pair count is refused before any loop runs long. */
	assert_int_equal(buf_put_u32(b, SFTP_ATTR_EXTENDED), 0);
	assert_int_equal(buf_put_u32(b, UINT32_MAX), 0);
	assert_int_equal(sftp_attrs_decode(b, &d), SFTP_ERR_ATTRS);
	buf_free(b);
}

static void
test_request_fields(void **state)
{
	const u_char *p;
	struct sftp_attrs a;
	struct buf *b, *v;
	uint64_t off;
	uint32_t flags, len;
	size_t plen, i, total;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_cstring(b, "/x.age"), 0);
	assert_int_equal(buf_put_u32(b, SFTP_FXF_READ), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	total = buf_len(b);
	for (i = 0; i < total; i++) {
		assert_non_null(v = buf_from(buf_ptr(b), i));
		assert_int_not_equal(sftp_get_open(v, &p, &plen, &flags, &a), 0);
		buf_free(v);
	}
	assert_int_equal(sftp_get_open(b, &p, &plen, &flags, &a), 0);
	assert_int_equal(plen, 6);
	assert_memory_equal(p, "/x.age", 6);
	assert_int_equal(flags, SFTP_FXF_READ);
	/* A string length beyond the packet is an error, not a read. */
	assert_int_equal(buf_put_u32(b, UINT32_MAX), 0);
	assert_int_equal(buf_put(b, "abcd", 4), 0);
	assert_int_not_equal(sftp_get_read(b, &p, &plen, &off, &len), 0);
	buf_free(b);
}

static void
test_longname(void **state)
{
	char out[SFTP_LONGNAME_MAX];
	struct stat st;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0640;
	st.st_size = 1234;
	st.st_nlink = 1;
	st.st_uid = 4242;
	st.st_gid = 77;
	st.st_mtime = 1700000000;
	assert_int_equal(sftp_longname(out, sizeof(out), "000000000001.age",
	    &st, "alice", NULL, 1700000100), 0);
	assert_memory_equal(out, "-rw-r----- ", 11);
	assert_non_null(strstr(out, " alice "));
	assert_non_null(strstr(out, " 77 "));
	assert_non_null(strstr(out, " 1234 "));
	assert_non_null(strstr(out, " 000000000001.age"));
	assert_int_equal(strcmp(out + strlen(out) - 16, "000000000001.age"), 0);
	assert_int_not_equal(sftp_longname(out, 20, "x.age", &st, NULL, NULL,
	    0), 0);
	assert_string_equal(sftp_type_name(SFTP_FXP_REALPATH), "REALPATH");
	assert_string_equal(sftp_type_name(250), "unknown");
}

/* What the client encodes, the server's decoders read back exactly. */
static void
test_requests_both_sides(void **state)
{
	struct buf *b = buf_new(), *in;
	struct sftp_attrs a;
	const u_char *p;
	size_t start, len, plen;
	uint32_t pflags, rlen;
	uint64_t off;
	uint8_t type;
	uint32_t id;

	(void)state;
	assert_non_null(b);
	assert_int_equal(sftp_put_open(b, 7, "000000000001.age",
	    SFTP_FXF_READ), 0);
	start = buf_len(b);
	assert_int_equal(sftp_put_read(b, 8, (const u_char *)"hhhhhhhh", 8,
	    1ULL << 40, 32768), 0);
	assert_int_equal(sftp_put_string_req(b, SFTP_FXP_EXTENDED, 9,
	    "x@pfish", "arg", 3), 0);

	/* OPEN */
	assert_int_equal(sftp_frame_check(buf_ptr(b), &len), 0);
	assert_int_equal(SFTP_HDR_LEN + len, start);
	assert_non_null(in = buf_from(buf_ptr(b) + SFTP_HDR_LEN, len));
	assert_int_equal(buf_get_u8(in, &type), 0);
	assert_int_equal(type, SFTP_FXP_OPEN);
	assert_int_equal(buf_get_u32(in, &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(sftp_get_open(in, &p, &plen, &pflags, &a), 0);
	assert_int_equal(plen, 16);
	assert_memory_equal(p, "000000000001.age", 16);
	assert_int_equal(pflags, SFTP_FXF_READ);
	assert_int_equal(a.flags, 0);
	assert_int_equal(buf_len(in), 0);
	buf_free(in);

	/* READ */
	assert_int_equal(sftp_frame_check(buf_ptr(b) + start, &len), 0);
	assert_non_null(in = buf_from(buf_ptr(b) + start + SFTP_HDR_LEN,
	    len));
	assert_int_equal(buf_get_u8(in, &type), 0);
	assert_int_equal(type, SFTP_FXP_READ);
	assert_int_equal(buf_get_u32(in, &id), 0);
	assert_int_equal(id, 8);
	assert_int_equal(sftp_get_read(in, &p, &plen, &off, &rlen), 0);
	assert_int_equal(plen, 8);
	assert_true(off == 1ULL << 40);
	assert_int_equal(rlen, 32768);
	assert_int_equal(buf_len(in), 0);
	start += SFTP_HDR_LEN + len;
	buf_free(in);

	/* EXTENDED with one string */
	assert_int_equal(sftp_frame_check(buf_ptr(b) + start, &len), 0);
	assert_int_equal(start + SFTP_HDR_LEN + len, buf_len(b));
	assert_non_null(in = buf_from(buf_ptr(b) + start + SFTP_HDR_LEN,
	    len));
	assert_int_equal(buf_get_u8(in, &type), 0);
	assert_int_equal(type, SFTP_FXP_EXTENDED);
	assert_int_equal(buf_get_u32(in, &id), 0);
	assert_int_equal(sftp_get_string(in, &p, &plen), 0);
	assert_int_equal(plen, 7);
	assert_int_equal(sftp_get_string(in, &p, &plen), 0);
	assert_int_equal(plen, 3);
	assert_int_equal(buf_len(in), 0);
	buf_free(in);
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_check),
		cmocka_unit_test(test_status_bytes),
		cmocka_unit_test(test_handle_and_data),
		cmocka_unit_test(test_reply_end_caps),
		cmocka_unit_test(test_attrs_roundtrip),
		cmocka_unit_test(test_attrs_truncated),
		cmocka_unit_test(test_attrs_extended),
		cmocka_unit_test(test_request_fields),
		cmocka_unit_test(test_longname),
		cmocka_unit_test(test_requests_both_sides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
