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

/* test_sftp_client.c: the SFTP codec's client side: replies, names, pages. */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "pfish.h"
#include "sftp.h"
#include "statepage.h"

static void
test_version_extensions(void **state)
{
	struct buf *b;
	uint32_t v, ext;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, SFTP_FXP_VERSION), 0);
	assert_int_equal(buf_put_u32(b, 3), 0);
	assert_int_equal(buf_put_cstring(b, PFISH_EXT_STATE), 0);
	assert_int_equal(buf_put_cstring(b, "1"), 0);
	assert_int_equal(buf_put_cstring(b, PFISH_EXT_DELETE), 0);
	assert_int_equal(buf_put_cstring(b, "2"), 0);	/* wrong version */
	assert_int_equal(sftp_parse_version(buf_ptr(b), buf_len(b), &v,
	    &ext), 0);
	assert_int_equal(v, 3);
	assert_int_equal(ext, SFTP_EXT_STATE);
	/* A truncated extension pair is malformed. */
	assert_int_equal(sftp_parse_version(buf_ptr(b), buf_len(b) - 1, &v,
	    &ext), SFTP_ERR_FORMAT);
	buf_free(b);
}

static void
test_status_and_trailing(void **state)
{
	struct buf *b;
	struct sftp_reply r;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u8(b, SFTP_FXP_STATUS), 0);
	assert_int_equal(buf_put_u32(b, 7), 0);
	assert_int_equal(buf_put_u32(b, SFTP_FX_NO_SUCH_FILE), 0);
	assert_int_equal(buf_put_cstring(b, "gone\x1b[31m"), 0);
	assert_int_equal(buf_put_cstring(b, ""), 0);
	assert_int_equal(sftp_parse_reply(buf_ptr(b), buf_len(b), &r, NULL),
	    0);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.status, SFTP_FX_NO_SUCH_FILE);
	assert_string_equal(r.msg, "gone?[31m");	/* no escapes pass */
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(sftp_parse_reply(buf_ptr(b), buf_len(b), &r, NULL),
	    SFTP_ERR_FORMAT);
	buf_free(b);
}

static void
test_state_page(void **state)
{
	struct buf *b;
	struct sftp_state_page sp;
	struct sftp_item it;
	char hh[65];

	(void)state;
	memset(hh, 'a', 64);
	hh[64] = '\0';
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_cstring(b, hh), 0);
	assert_int_equal(buf_put_cstring(b, "next"), 0);
	assert_int_equal(buf_put_u32(b, 2), 0);
	assert_int_equal(buf_put_u8(b, STATEPAGE_KIND_HEAD), 0);
	assert_int_equal(buf_put_u64(b, 0), 0);
	assert_int_equal(buf_put_cstring(b, "head"), 0);
	assert_int_equal(buf_put_u8(b, STATEPAGE_KIND_RECORD), 0);
	assert_int_equal(buf_put_u64(b, 42), 0);
	assert_int_equal(buf_put_cstring(b, "rec"), 0);
	assert_int_equal(sftp_parse_state_page(buf_ptr(b), buf_len(b), &sp),
	    0);
	assert_int_equal(sp.cursorlen, 4);
	assert_int_equal(sftp_item_next(&sp.items, &it), 1);
	assert_int_equal(it.kind, STATEPAGE_KIND_HEAD);
	assert_int_equal(sftp_item_next(&sp.items, &it), 1);
	assert_int_equal(it.seq, 42);
	assert_int_equal(it.contentlen, 3);
	assert_int_equal(sftp_item_next(&sp.items, &it), 0);
	/* Count says 2 but a third item follows: malformed. */
	assert_int_equal(buf_put_u8(b, STATEPAGE_KIND_NOTE), 0);
	assert_int_equal(sftp_parse_state_page(buf_ptr(b), buf_len(b), &sp),
	    0);
	assert_int_equal(sftp_item_next(&sp.items, &it), 1);
	assert_int_equal(sftp_item_next(&sp.items, &it), 1);
	assert_int_equal(sftp_item_next(&sp.items, &it), SFTP_ERR_FORMAT);
	buf_free(b);
}

static void
test_limits(void **state)
{
	struct buf *b;
	struct sftp_limits l;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_put_u64(b, 262144), 0);
	assert_int_equal(buf_put_u64(b, 122880), 0);
	assert_int_equal(buf_put_u64(b, 0), 0);
	/* One byte short of the handle limit: malformed, all zero. */
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(sftp_parse_limits(buf_ptr(b), buf_len(b), &l),
	    SFTP_ERR_FORMAT);
	assert_int_equal(l.packet, 0);
	assert_int_equal(buf_put_u8(b, 40), 0);
	assert_int_equal(sftp_parse_limits(buf_ptr(b), buf_len(b), &l), 0);
	assert_int_equal(l.packet, 262144);
	assert_int_equal(l.read, 122880);
	assert_int_equal(l.write, 0);
	assert_int_equal(l.handles, 40);
	/* Fields a later version adds are not read. */
	assert_int_equal(buf_put_u64(b, 7), 0);
	assert_int_equal(sftp_parse_limits(buf_ptr(b), buf_len(b), &l), 0);
	assert_int_equal(l.handles, 40);
	buf_free(b);
}

/* The limits request is its name alone: no string follows it. */
static void
test_ext_name_alone(void **state)
{
	static const u_char want[] = {
		0, 0, 0, 27, SFTP_FXP_EXTENDED, 0, 0, 0, 5,
		0, 0, 0, 18, 'l', 'i', 'm', 'i', 't', 's', '@',
		'o', 'p', 'e', 'n', 's', 's', 'h', '.', 'c', 'o', 'm'
	};
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(sftp_put_string_req(b, SFTP_FXP_EXTENDED, 5,
	    SFTP_EXT_LIMITS_NAME, NULL, 0), 0);
	assert_int_equal(buf_len(b), sizeof(want));
	assert_memory_equal(buf_ptr(b), want, sizeof(want));
	buf_free(b);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(sftp_age_name((const u_char *)"x.age", 5));
	assert_false(sftp_age_name((const u_char *)".x.age", 6));
	assert_false(sftp_age_name((const u_char *)"a/b.age", 7));
	assert_false(sftp_age_name((const u_char *)".age", 4));
	assert_false(sftp_age_name((const u_char *)"x.ag", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_extensions),
		cmocka_unit_test(test_status_and_trailing),
		cmocka_unit_test(test_state_page),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_ext_name_alone),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
