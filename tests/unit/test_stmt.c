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

/* test_stmt.c: unit tests for statement text (proto/stmt.c). */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "layout.h"
#include "pfish.h"
#include "stmt.h"

#define H0 "0000000000000000000000000000000000000000000000000000000000000000"
#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define KEY "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

static const char rec_text[] =
    "statement record\n"
    "version 1\n"
    "mailbox alice\n"
    "epoch 0123456789abcdef\n"
    "seq 2\n"
    "prev " HA "\n"
    "time 1764000000\n"
    "size 1234\n"
    "sha256 " HB "\n"
    "key " KEY "\n";

static const char head_text[] =
    "statement head\n"
    "version 1\n"
    "mailbox alice\n"
    "epoch 0123456789abcdef\n"
    "low 3\n"
    "lowprev " HA "\n"
    "high 7\n"
    "highhash " HB "\n"
    "issued 1764000000\n"
    "expires 1764086400\n"
    "key " KEY "\n";

static const char del_text[] =
    "statement delete\n"
    "version 1\n"
    "mailbox alice\n"
    "epoch 0123456789abcdef\n"
    "seen 7 " HB "\n"
    "time 1764000100\n"
    "key " KEY "\n"
    "del 3 " HA "\n"
    "del 5 " HB "\n";

static const char note_text[] =
    "statement note\n"
    "version 1\n"
    "mailbox alice\n"
    "seq 4\n"
    "time 1764000200\n";

static const char void_text[] =
    "statement void\n"
    "version 1\n"
    "mailbox alice\n"
    "epoch 0123456789abcdef\n"
    "seq 4\n"
    "hash " HB "\n"
    "time 1764600000\n"
    "key " KEY "\n";

static int
parse_any(enum stmt_type t, const char *s, size_t len)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct stmt_delete del;
	struct stmt_note note;
	struct stmt_void vd;
	int r;

	switch (t) {
	case STMT_RECORD:
		return stmt_record_parse((const u_char *)s, len, &rec);
	case STMT_HEAD:
		return stmt_head_parse((const u_char *)s, len, &head);
	case STMT_DELETE:
		r = stmt_delete_parse((const u_char *)s, len, &del);
		stmt_delete_clear(&del);
		return r;
	case STMT_VOID:
		return stmt_void_parse((const u_char *)s, len, &vd);
	default:
		return stmt_note_parse((const u_char *)s, len, &note);
	}
}

/* Replace the first occurrence of from with to in base; expect a reject. */
static void
reject_edit(enum stmt_type t, const char *base, const char *from,
    const char *to)
{
	char buf[8192];
	const char *p;
	size_t pre;
	int n;

	p = strstr(base, from);
	if (p == NULL)
		fail_msg("fixture lacks \"%s\"", from);
	pre = (size_t)(p - base);
	n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, base, to,
	    p + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	if (parse_any(t, buf, (size_t)n) != STMT_ERR_FORMAT)
		fail_msg("accepted edit \"%s\" -> \"%s\"", from, to);
}

static void
accept_edit(enum stmt_type t, const char *base, const char *from,
    const char *to)
{
	char buf[8192];
	const char *p;
	int n;

	assert_non_null(p = strstr(base, from));
	n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to,
	    p + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	if (parse_any(t, buf, (size_t)n) != 0)
		fail_msg("rejected edit \"%s\" -> \"%s\"", from, to);
}

static void
test_record_fields(void **state)
{
	struct stmt_record rec;

	(void)state;
	assert_int_equal(stmt_record_parse((const u_char *)rec_text,
	    strlen(rec_text), &rec), 0);
	assert_string_equal(rec.mailbox, "alice");
	assert_string_equal(rec.epoch, "0123456789abcdef");
	assert_true(rec.seq == 2);
	assert_true(rec.time == 1764000000ULL);
	assert_true(rec.size == 1234);
	assert_int_equal(rec.prev[0], 0xaa);
	assert_int_equal(rec.sha256[0], 0x01);
	assert_int_equal(rec.sha256[31], 0xef);
	assert_string_equal(rec.key, KEY);
}

static void
test_record_rejects(void **state)
{
	enum stmt_type t = STMT_RECORD;
	const char *b = rec_text;

	(void)state;
	/* Order, missing, duplicated, extra lines. */
	reject_edit(t, b, "seq 2\nprev " HA "\n", "prev " HA "\nseq 2\n");
	reject_edit(t, b, "size 1234\n", "");
	reject_edit(t, b, "size 1234\n", "size 1234\nsize 1234\n");
	reject_edit(t, b, "key " KEY "\n", "key " KEY "\nextra 1\n");
	reject_edit(t, b, "key " KEY "\n", "key " KEY "\n\n");
	reject_edit(t, b, "statement record\n", "");
	reject_edit(t, b, "statement record", "statement head");
	reject_edit(t, b, "version 1", "version 2");
	reject_edit(t, b, "version 1", "version 01");
	/* CR, trailing and doubled spaces, tabs, missing final LF. */
	reject_edit(t, b, "seq 2\n", "seq 2\r\n");
	reject_edit(t, b, "seq 2\n", "seq 2 \n");
	reject_edit(t, b, "seq 2\n", "seq  2\n");
	reject_edit(t, b, "seq 2\n", "seq\t2\n");
	reject_edit(t, b, "seq 2\n", " seq 2\n");
	reject_edit(t, b, "seq 2\n", "Seq 2\n");
	reject_edit(t, b, "seq 2\n", "seq \n");
	reject_edit(t, b, "seq 2\n", "seq\n");
	reject_edit(t, b, KEY "\n", KEY);
	/* Numbers. */
	reject_edit(t, b, "seq 2\n", "seq 02\n");
	reject_edit(t, b, "seq 2\n", "seq -0\n");
	reject_edit(t, b, "seq 2\n", "seq +2\n");
	reject_edit(t, b, "seq 2\n", "seq 0\n");
	reject_edit(t, b, "seq 2\n", "seq 1000000000000\n");
	reject_edit(t, b, "size 1234\n", "size 18446744073709551616\n");
	reject_edit(t, b, "size 1234\n", "size 99999999999999999999\n");
	reject_edit(t, b, "size 1234\n", "size 0x10\n");
	reject_edit(t, b, "size 1234\n", "size 1e3\n");
	reject_edit(t, b, "time 1764000000\n", "time 01764000000\n");
	accept_edit(t, b, "size 1234\n", "size 18446744073709551615\n");
	accept_edit(t, b, "size 1234\n", "size 0\n");
	accept_edit(t, b, "seq 2\n", "seq 999999999999\n");
	/* Hex: case, length, characters. */
	reject_edit(t, b, "prev aa", "prev Aa");
	reject_edit(t, b, "sha256 0123", "sha256 0123A");
	reject_edit(t, b, "sha256 0123", "sha256 012");
	reject_edit(t, b, "sha256 0123", "sha256 00123");
	reject_edit(t, b, "sha256 0123", "sha256 g123");
	reject_edit(t, b, "epoch 0123456789abcdef", "epoch 0123456789ABCDEF");
	reject_edit(t, b, "epoch 0123456789abcdef", "epoch 0123456789abcde");
	reject_edit(t, b, "epoch 0123456789abcdef", "epoch 0123456789abcdef0");
	/* Key fingerprint. */
	reject_edit(t, b, "key SHA256:", "key sha256:");
	reject_edit(t, b, "key SHA256:", "key MD5:");
	reject_edit(t, b, "D2s\n", "D2s=\n");
	reject_edit(t, b, "D2s\n", "D2\n");
	reject_edit(t, b, "D2s\n", "D2t\n");	/* non-zero padding bits */
	reject_edit(t, b, "D2s\n", "D2-\n");
	/* First record must chain to zeros. */
	reject_edit(t, b, "seq 2\n", "seq 1\n");
	/* Trailing garbage and NUL. */
	reject_edit(t, b, "key " KEY "\n", "key " KEY "\nx");
	assert_int_equal(stmt_record_parse((const u_char *)rec_text,
	    strlen(rec_text) + 1, &(struct stmt_record){ 0 }),
	    STMT_ERR_FORMAT);
}

static void
test_mailbox_names(void **state)
{
	char longname[PFISH_MAILBOX_MAX + 2];

	(void)state;
	assert_true(stmt_valid_mailbox("alice"));
	assert_true(stmt_valid_mailbox("a.b-c_d9"));
	assert_true(stmt_valid_mailbox("_x"));
	assert_false(stmt_valid_mailbox(""));
	assert_false(stmt_valid_mailbox(NULL));
	assert_false(stmt_valid_mailbox("."));
	assert_false(stmt_valid_mailbox(".."));
	assert_false(stmt_valid_mailbox(".pfish"));
	assert_false(stmt_valid_mailbox("-rf"));
	assert_false(stmt_valid_mailbox("a/b"));
	assert_false(stmt_valid_mailbox("a b"));
	assert_false(stmt_valid_mailbox("a\nb"));
	assert_false(stmt_valid_mailbox("caf\xc3\xa9"));
	memset(longname, 'a', sizeof(longname));
	longname[PFISH_MAILBOX_MAX] = '\0';
	assert_true(stmt_valid_mailbox(longname));
	longname[PFISH_MAILBOX_MAX] = 'a';
	longname[PFISH_MAILBOX_MAX + 1] = '\0';
	assert_false(stmt_valid_mailbox(longname));
	reject_edit(STMT_RECORD, rec_text, "mailbox alice", "mailbox ../x");
	reject_edit(STMT_RECORD, rec_text, "mailbox alice", "mailbox a/b");
	reject_edit(STMT_RECORD, rec_text, "mailbox alice", "mailbox .pfish");
	reject_edit(STMT_RECORD, rec_text, "mailbox alice\n", "mailbox \n");
}

static void
test_head(void **state)
{
	struct stmt_head h;
	enum stmt_type t = STMT_HEAD;
	const char *b = head_text;

	(void)state;
	assert_int_equal(stmt_head_parse((const u_char *)b, strlen(b), &h), 0);
	assert_true(h.low == 3 && h.high == 7);
	assert_true(h.issued == 1764000000ULL && h.expires == 1764086400ULL);
	reject_edit(t, b, "low 3\n", "low 0\n");
	reject_edit(t, b, "low 3\n", "low 9\n");	/* > high + 1 */
	accept_edit(t, b, "low 3\n", "low 7\n");
	reject_edit(t, b, "low 3\nlowprev " HA, "low 1\nlowprev " HA);
	accept_edit(t, b, "low 3\nlowprev " HA, "low 1\nlowprev " H0);
	/* low = high + 1: everything expired; lowprev must be highhash. */
	reject_edit(t, b, "low 3\n", "low 8\n");
	reject_edit(t, b, "expires 1764086400", "expires 1764000000");
	reject_edit(t, b, "expires 1764086400", "expires 1");
	reject_edit(t, b, "issued 1764000000\nexpires 1764086400\n",
	    "expires 1764086400\nissued 1764000000\n");
	reject_edit(t, b, "high 7\n", "high 007\n");
	reject_edit(t, b, "highhash " HB, "highhash " HB "0");
	reject_edit(t, b, "statement head", "statement record");
}

static void
test_head_empty(void **state)
{
	static const char empty[] =
	    "statement head\nversion 1\nmailbox bob\nepoch 0000000000000000\n"
	    "low 1\nlowprev " H0 "\nhigh 0\nhighhash " H0 "\n"
	    "issued 0\nexpires 1\nkey " KEY "\n";
	struct stmt_head h;

	(void)state;
	assert_int_equal(stmt_head_parse((const u_char *)empty,
	    strlen(empty), &h), 0);
	assert_true(h.low == 1 && h.high == 0);
	reject_edit(STMT_HEAD, empty, "highhash " H0, "highhash " HA);
}

static void
test_delete(void **state)
{
	struct stmt_delete d;
	enum stmt_type t = STMT_DELETE;
	const char *b = del_text;

	(void)state;
	assert_int_equal(stmt_delete_parse((const u_char *)b, strlen(b), &d),
	    0);
	assert_true(d.seen == 7 && d.ndel == 2);
	assert_true(d.del[0].seq == 3 && d.del[1].seq == 5);
	assert_int_equal(d.del[1].hash[0], 0x01);
	stmt_delete_clear(&d);
	assert_null(d.del);
	/* Entries not ascending, duplicated, beyond seen, zero, none. */
	reject_edit(t, b, "del 5 ", "del 3 ");
	reject_edit(t, b, "del 5 ", "del 2 ");
	reject_edit(t, b, "del 5 ", "del 8 ");
	reject_edit(t, b, "del 3 ", "del 0 ");
	reject_edit(t, b, "del 3 " HA "\ndel 5 " HB "\n", "");
	reject_edit(t, b, "del 3 ", "del  3 ");
	reject_edit(t, b, "del 3 ", "del 03 ");
	reject_edit(t, b, "del 3 " HA, "del 3 " HA " ");
	reject_edit(t, b, "del 3 " HA, "del 3");
	reject_edit(t, b, "seen 7 ", "seen 0 ");
	reject_edit(t, b, "seen 7 " HB, "seen 7");
	reject_edit(t, b, "seen 7 " HB "\n", "seen 7 " HB "\nseen 7 " HB "\n");
	reject_edit(t, b, "time 1764000100\nkey " KEY,
	    "key " KEY "\ntime 1764000100");
	reject_edit(t, b, "del 5 " HB "\n", "del 5 " HB "\nnote 1\n");
	reject_edit(t, b, "del 5 " HB "\n", "del 5 " HB);
}

/* STMT_DELETE_MAX entries parse; one more does not. */
static void
test_delete_max(void **state)
{
	struct stmt_delete d;
	struct buf *b;
	size_t i;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(buf_putf(b, "statement delete\nversion 1\n"
	    "mailbox alice\nepoch 0123456789abcdef\nseen 999999 " HB "\n"
	    "time 5\nkey " KEY "\n"), 0);
	for (i = 1; i <= STMT_DELETE_MAX; i++)
		assert_int_equal(buf_putf(b, "del %zu " HA "\n", i), 0);
	assert_int_equal(stmt_delete_parse(buf_ptr(b), buf_len(b), &d), 0);
	assert_int_equal(d.ndel, STMT_DELETE_MAX);
	stmt_delete_clear(&d);
	assert_int_equal(buf_putf(b, "del %d " HA "\n", STMT_DELETE_MAX + 1),
	    0);
	assert_int_equal(stmt_delete_parse(buf_ptr(b), buf_len(b), &d),
	    STMT_ERR_FORMAT);
	assert_null(d.del);
	assert_int_equal(d.ndel, 0);
	buf_free(b);
}

static void
test_note(void **state)
{
	struct stmt_note n;
	enum stmt_type t = STMT_NOTE;

	(void)state;
	assert_int_equal(stmt_note_parse((const u_char *)note_text,
	    strlen(note_text), &n), 0);
	assert_true(n.seq == 4 && n.time == 1764000200ULL);
	reject_edit(t, note_text, "seq 4\n", "seq 0\n");
	reject_edit(t, note_text, "seq 4\n", "");
	reject_edit(t, note_text, "mailbox alice\n",
	    "mailbox alice\nepoch 0123456789abcdef\n");
	reject_edit(t, note_text, "time 1764000200\n", "time 1764000200\n\n");
	assert_null(stmt_namespace(STMT_NOTE));
	assert_string_equal(stmt_namespace(STMT_RECORD), "pfish-record-v1");
	assert_string_equal(stmt_namespace(STMT_HEAD), "pfish-head-v1");
	assert_string_equal(stmt_namespace(STMT_DELETE), "pfish-delete-v1");
}

/* A void: strict like the others, signed under the record namespace. */
static void
test_void(void **state)
{
	struct stmt_void v;
	struct buf *b;
	enum stmt_type t = STMT_VOID;

	(void)state;
	assert_int_equal(stmt_void_parse((const u_char *)void_text,
	    strlen(void_text), &v), 0);
	assert_true(v.seq == 4 && v.time == 1764600000ULL);
	assert_string_equal(v.mailbox, "alice");
	assert_string_equal(v.key, KEY);
	assert_non_null(b = buf_new());
	assert_int_equal(stmt_void_encode(&v, b), 0);
	assert_int_equal(buf_len(b), strlen(void_text));
	assert_memory_equal(buf_ptr(b), void_text, strlen(void_text));
	v.seq = 0;
	buf_reset(b);
	assert_int_not_equal(stmt_void_encode(&v, b), 0);
	buf_free(b);
	reject_edit(t, void_text, "seq 4\n", "seq 0\n");
	reject_edit(t, void_text, "seq 4\n", "seq 04\n");
	reject_edit(t, void_text, "seq 4\n", "seq 1000000000000\n");
	reject_edit(t, void_text, "seq 4\n", "");
	reject_edit(t, void_text, "hash 0123", "hash 0A23");
	reject_edit(t, void_text, "statement void", "statement record");
	reject_edit(t, void_text, "version 1", "version 2");
	reject_edit(t, void_text, "time 1764600000\n", "");
	reject_edit(t, void_text, "key SHA256:", "key SHA512:");
	reject_edit(t, void_text, "mailbox alice\n", "mailbox ../x\n");
	reject_edit(t, void_text, "epoch 0123456789abcdef",
	    "epoch 0123456789ABCDEF");
	reject_edit(t, void_text, "time 1764600000\n",
	    "hash " HB "\ntime 1764600000\n");
	reject_edit(t, void_text, "\nkey", "\r\nkey");
	accept_edit(t, void_text, "seq 4\n", "seq 999999999999\n");
	assert_string_equal(stmt_namespace(STMT_VOID), "pfish-record-v1");
	/* A void never parses as a record, nor a record as a void. */
	assert_int_equal(parse_any(STMT_RECORD, void_text, strlen(void_text)),
	    STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_VOID, rec_text, strlen(rec_text)),
	    STMT_ERR_FORMAT);
}

static void
test_empty_and_types(void **state)
{
	(void)state;
	assert_int_equal(parse_any(STMT_RECORD, "", 0), STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_HEAD, "\n", 1), STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_DELETE, "", 0), STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_NOTE, "", 0), STMT_ERR_FORMAT);
	/* Each text parses only as its own type. */
	assert_int_equal(parse_any(STMT_HEAD, rec_text, strlen(rec_text)),
	    STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_RECORD, head_text, strlen(head_text)),
	    STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_NOTE, del_text, strlen(del_text)),
	    STMT_ERR_FORMAT);
	assert_int_equal(parse_any(STMT_DELETE, note_text, strlen(note_text)),
	    STMT_ERR_FORMAT);
}

/* parse(text) then encode gives the same bytes, for every type. */
static void
test_roundtrip(void **state)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct stmt_delete del;
	struct stmt_note note;
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(stmt_record_parse((const u_char *)rec_text,
	    strlen(rec_text), &rec), 0);
	assert_int_equal(stmt_record_encode(&rec, b), 0);
	assert_int_equal(buf_len(b), strlen(rec_text));
	assert_memory_equal(buf_ptr(b), rec_text, strlen(rec_text));
	buf_reset(b);
	assert_int_equal(stmt_head_parse((const u_char *)head_text,
	    strlen(head_text), &head), 0);
	assert_int_equal(stmt_head_encode(&head, b), 0);
	assert_int_equal(buf_len(b), strlen(head_text));
	assert_memory_equal(buf_ptr(b), head_text, strlen(head_text));
	buf_reset(b);
	assert_int_equal(stmt_delete_parse((const u_char *)del_text,
	    strlen(del_text), &del), 0);
	assert_int_equal(stmt_delete_encode(&del, b), 0);
	assert_int_equal(buf_len(b), strlen(del_text));
	assert_memory_equal(buf_ptr(b), del_text, strlen(del_text));
	stmt_delete_clear(&del);
	buf_reset(b);
	assert_int_equal(stmt_note_parse((const u_char *)note_text,
	    strlen(note_text), &note), 0);
	assert_int_equal(stmt_note_encode(&note, b), 0);
	assert_memory_equal(buf_ptr(b), note_text, strlen(note_text));
	buf_free(b);
}

/* Encoders refuse structs that would not parse back. */
static void
test_encode_rejects(void **state)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct buf *b;

	(void)state;
	assert_non_null(b = buf_new());
	assert_int_equal(stmt_record_parse((const u_char *)rec_text,
	    strlen(rec_text), &rec), 0);
	rec.seq = 0;
	assert_int_equal(stmt_record_encode(&rec, b), STMT_ERR_FORMAT);
	rec.seq = 2;
	strlcpy(rec.mailbox, "a/b", sizeof(rec.mailbox));
	assert_int_equal(stmt_record_encode(&rec, b), STMT_ERR_FORMAT);
	strlcpy(rec.mailbox, "alice", sizeof(rec.mailbox));
	rec.key[7] = '\0';
	assert_int_equal(stmt_record_encode(&rec, b), STMT_ERR_FORMAT);
	memset(rec.epoch, 'a', sizeof(rec.epoch));	/* unterminated */
	assert_int_equal(stmt_record_encode(&rec, b), STMT_ERR_FORMAT);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(stmt_head_parse((const u_char *)head_text,
	    strlen(head_text), &head), 0);
	head.expires = head.issued;
	assert_int_equal(stmt_head_encode(&head, b), STMT_ERR_FORMAT);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

static void
test_hash(void **state)
{
	u_char h[STMT_HASH_LEN];
	char hex[65];

	(void)state;
	stmt_hash((const u_char *)"abc", 3, h);
	stmt_hash_hex(h, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_split(void **state)
{
	static const char armor[] = "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lH\n-----END SSH SIGNATURE-----\n";
	char buf[2048];
	size_t tl;
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "%s%s", note_text, armor);
	assert_int_equal(stmt_split_signed((u_char *)buf, (size_t)n, &tl), 0);
	assert_int_equal(tl, strlen(note_text));
	/* Missing final LF, trailing data, no armor, armor only. */
	assert_int_not_equal(stmt_split_signed((u_char *)buf, (size_t)n - 1,
	    &tl), 0);
	assert_int_equal(tl, 0);
	n = snprintf(buf, sizeof(buf), "%s%sx\n", note_text, armor);
	assert_int_not_equal(stmt_split_signed((u_char *)buf, (size_t)n,
	    &tl), 0);
	assert_int_not_equal(stmt_split_signed((u_char *)note_text,
	    strlen(note_text), &tl), 0);
	assert_int_not_equal(stmt_split_signed((u_char *)armor,
	    strlen(armor), &tl), 0);
	/* BEGIN not at a line start is text, and then no armor follows. */
	n = snprintf(buf, sizeof(buf), "x%s", armor);
	assert_int_not_equal(stmt_split_signed((u_char *)buf, (size_t)n,
	    &tl), 0);
}

static void
test_filenames(void **state)
{
	struct stmt_delete d;
	char name[64];
	u_char h[STMT_HASH_LEN];

	(void)state;
	assert_int_equal(stmt_delete_parse((const u_char *)del_text,
	    strlen(del_text), &d), 0);
	assert_int_equal(stmt_delete_filename(&d, (const u_char *)del_text,
	    strlen(del_text), name, sizeof(name)), 0);
	stmt_hash((const u_char *)del_text, strlen(del_text), h);
	assert_int_equal(strlen(name), 12 + 1 + 16 + 4);
	assert_memory_equal(name, "000000000003-", 13);
	assert_string_equal(name + 29, ".del");
	stmt_delete_clear(&d);
}

static void
test_signed_hash(void **state)
{
	char buf[2048];
	u_char h1[STMT_HASH_LEN], h2[STMT_HASH_LEN];
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "%s-----BEGIN SSH SIGNATURE-----\n"
	    "AAAA\n-----END SSH SIGNATURE-----\n", rec_text);
	assert_int_equal(stmt_signed_hash((u_char *)buf, (size_t)n, h1), 0);
	stmt_hash((const u_char *)rec_text, strlen(rec_text), h2);
	assert_memory_equal(h1, h2, STMT_HASH_LEN);
	assert_int_not_equal(stmt_signed_hash((const u_char *)rec_text,
	    strlen(rec_text), h1), 0);
}

static void
test_helpers(void **state)
{
	u_char h[STMT_HASH_LEN];
	uint64_t v;

	(void)state;
	assert_int_equal(stmt_hash_from_hex(HB, h), 0);
	assert_int_equal(h[1], 0x23);
	assert_int_not_equal(stmt_hash_from_hex(HB "0", h), 0);
	assert_int_not_equal(stmt_hash_from_hex("0123456789ABCDEF"
	    "0123456789abcdef0123456789abcdef0123456789abcdef", h), 0);
	assert_int_equal(stmt_u64_from_dec("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_not_equal(stmt_u64_from_dec("18446744073709551616", &v),
	    0);
	assert_int_not_equal(stmt_u64_from_dec("012", &v), 0);
	assert_int_not_equal(stmt_u64_from_dec("", &v), 0);
	assert_int_not_equal(stmt_u64_from_dec("-1", &v), 0);
	assert_int_not_equal(stmt_u64_from_dec("12 ", &v), 0);
	assert_int_equal(stmt_u64_from_dec("0", &v), 0);
	assert_true(v == 0);
	assert_int_not_equal(stmt_u64_from_dec("123456789012345678901", &v),
	    0);
}

/* The deliverer's "SIZE SHA256" request to the signer. */
static int
request(const char *line, uint64_t *size, u_char h[STMT_HASH_LEN])
{
	return stmt_request_parse((const u_char *)line, strlen(line), size, h);
}

static void
test_request(void **state)
{
	static const char *bad[] = { "", " " HB, "12 ", "12", HB, "012 " HB,
	    "12  " HB, "12 " HB " ", "12 " HB "0", "-1 " HB,
	    "18446744073709551616 " HB, "12\t" HB,
	    "12 0123456789ABCDEF0123456789abcdef0123456789abcdef"
	    "0123456789abcdef" };
	u_char h[STMT_HASH_LEN];
	uint64_t size;
	size_t i;

	(void)state;
	assert_int_equal(request("51614 " HB, &size, h), 0);
	assert_true(size == 51614);
	assert_int_equal(h[0], 0x01);
	assert_int_equal(h[31], 0xef);
	assert_int_equal(request("0 " HB, &size, h), 0);
	assert_true(size == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(request(bad[i], &size, h), STMT_ERR_FORMAT);
		assert_true(size == 0 && h[0] == 0 && h[31] == 0);
	}
	/* The length given counts, not a NUL: a NUL inside is refused. */
	assert_int_equal(stmt_request_parse((const u_char *)"12 " HB "\0x",
	    3 + 64 + 2, &size, h), STMT_ERR_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_record_rejects),
		cmocka_unit_test(test_mailbox_names),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_head_empty),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_delete_max),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_void),
		cmocka_unit_test(test_empty_and_types),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_filenames),
		cmocka_unit_test(test_signed_hash),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
