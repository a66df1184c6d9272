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

/* test_pstate.c: seq sets and the client state file format. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "pstate.h"

static char *
fmt(struct seqset *s)
{
	struct buf *b;
	char *r;

	assert_non_null(b = buf_new());
	assert_int_equal(seqset_format(s, b), 0);
	assert_non_null(r = buf_dup_string(b));
	buf_free(b);
	return r;
}

static void
test_seqset_add_merge(void **state)
{
	struct seqset *s;
	char *t;

	(void)state;
	assert_non_null(s = seqset_new());
	t = fmt(s);
	assert_string_equal(t, "-");
	free(t);
	assert_int_equal(seqset_add(s, 5), 0);
	assert_int_equal(seqset_add(s, 3), 0);
	assert_int_equal(seqset_add(s, 7), 0);
	assert_int_equal(seqset_add(s, 4), 0);	/* joins 3 and 5 */
	assert_int_equal(seqset_add(s, 4), 0);	/* no-op */
	t = fmt(s);
	assert_string_equal(t, "3-5,7");
	free(t);
	assert_int_equal(seqset_add(s, 6), 0);
	t = fmt(s);
	assert_string_equal(t, "3-7");
	free(t);
	assert_true(seqset_has(s, 3));
	assert_true(seqset_has(s, 7));
	assert_false(seqset_has(s, 2));
	assert_false(seqset_has(s, 8));
	assert_int_equal(seqset_count(s), 5);
	seqset_free(s);
}

static void
test_seqset_parse(void **state)
{
	struct seqset *s;
	static const char *bad[] = {
		"", "0", "01", "1,", ",1", "3-2", "1-1", "1,1", "1,2", "1-3,3",
		"5,4", "1 2", "1000000000000", "x"
	};
	size_t i;
	char *t;

	(void)state;
	assert_non_null(s = seqset_new());
	assert_int_equal(seqset_parse(s, "1-40,42,50-51", 13), 0);
	assert_int_equal(seqset_count(s), 43);
	t = fmt(s);
	assert_string_equal(t, "1-40,42,50-51");
	free(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(seqset_parse(s, bad[i], strlen(bad[i])),
		    PSTATE_ERR_FORMAT);
	assert_int_equal(seqset_count(s), 0);
	seqset_free(s);
}

#define H1	"0101010101010101010101010101010101010101010101010101010101010101"
#define H2	"0202020202020202020202020202020202020202020202020202020202020202"

/* A state file's parts, parsed or to format: pst_open, then pst_close. */
struct pst {
	struct pstate_mem m;
	struct seqset	*f, *c;		/* fetched, checked */
	struct buf	*b;		/* formatted */
	size_t		 off, len;	/* the head statement in the text */
};

static void
pst_open(struct pst *p)
{
	memset(p, 0, sizeof(*p));
	assert_non_null(p->f = seqset_new());
	assert_non_null(p->c = seqset_new());
	assert_non_null(p->b = buf_new());
}

/* pstate_parse of the first len bytes of text into p. */
static int
pst_parse(struct pst *p, const char *text, size_t len)
{
	return pstate_parse((const u_char *)text, len, p->f, p->c, &p->m,
	    &p->off, &p->len);
}

/* pstate_format of p, with the head statement of the text it parsed. */
static int
pst_format(struct pst *p, const char *text)
{
	return pstate_format(p->f, p->c, &p->m, (const u_char *)text + p->off,
	    p->len, p->b);
}

static void
pst_close(struct pst *p)
{
	pstate_mem_clear(&p->m);
	buf_free(p->b);
	seqset_free(p->f);
	seqset_free(p->c);
}

static void
test_state_roundtrip(void **state)
{
	static const char text[] = "pfish-client-state 2\nfetched 1-3\n"
	    "checked 1-9\nknown 2\n4 " H1 "\n7 " H2 "\ngone 1\n5 " H1 "\n"
	    "head\nstatement head\n";
	struct pst p;

	(void)state;
	pst_open(&p);
	assert_int_equal(pst_parse(&p, text, strlen(text)), 0);
	assert_int_equal(seqset_count(p.f), 3);
	assert_int_equal(seqset_count(p.c), 9);
	assert_int_equal(p.m.nknown, 2);
	assert_int_equal(p.m.known[1].seq, 7);
	assert_int_equal(p.m.known[1].hash[31], 2);
	assert_int_equal(p.m.ngone, 1);
	assert_int_equal(p.m.gone[0].seq, 5);
	assert_int_equal(p.len, strlen("statement head\n"));
	assert_memory_equal(text + p.off, "statement head\n", p.len);
	assert_int_equal(pst_format(&p, text), 0);
	assert_int_equal(buf_len(p.b), strlen(text));
	assert_memory_equal(buf_ptr(p.b), text, strlen(text));
	pstate_mem_clear(&p.m);
	assert_int_equal(pst_parse(&p, text, 30), PSTATE_ERR_FORMAT);
	assert_int_equal(pst_parse(&p, "pfish-client-state 3\n"
	    "fetched -\nchecked -\n", 41), PSTATE_ERR_FORMAT);
	/* Facts out of order, or a short hash: refused. */
	assert_int_equal(pst_parse(&p, "pfish-client-state 2\n"
	    "fetched -\nchecked -\nknown 2\n7 " H1 "\n4 " H2 "\ngone 0\n",
	    strlen("pfish-client-state 2\nfetched -\nchecked -\nknown 2\n7 "
	    H1 "\n4 " H2 "\ngone 0\n")), PSTATE_ERR_FORMAT);
	assert_int_equal(p.m.nknown, 0);
	pst_close(&p);
}

/* The account line: the last account state verified, kept as read. */
static void
test_state_account(void **state)
{
	static const char with[] = "pfish-client-state 2\nfetched -\n"
	    "checked -\nknown 0\ngone 0\naccount 7 " H2 "\n";
	static const char head[] = "pfish-client-state 2\nfetched -\n"
	    "checked -\nknown 0\ngone 0\naccount 3 " H1 "\nhead\nstatement "
	    "head\n";
	static const char *bad[] = {
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 0\ngone 0\n"
	    "account 0 " H1 "\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 0\ngone 0\n"
	    "account 3 0101\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 0\ngone 0\n"
	    "account 3 " H1 "\naccount 4 " H1 "\n",
	    "pfish-client-state 1\nfetched -\nchecked -\naccount 3 " H1 "\n",
	};
	struct pstate_mem m;
	struct seqset *f, *c;
	struct buf *b;
	size_t off, len, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_non_null(f = seqset_new());
	assert_non_null(c = seqset_new());
	assert_non_null(b = buf_new());
	assert_int_equal(pstate_parse((const u_char *)with, strlen(with), f, c,
	    &m, &off, &len), 0);
	assert_int_equal(m.acct_serial, 7);
	assert_int_equal(m.acct_hash[0], 2);
	assert_int_equal(len, 0);
	assert_int_equal(pstate_format(f, c, &m, NULL, 0, b), 0);
	assert_int_equal(buf_len(b), strlen(with));
	assert_memory_equal(buf_ptr(b), with, strlen(with));
	pstate_mem_clear(&m);
	buf_reset(b);
	assert_int_equal(pstate_parse((const u_char *)head, strlen(head), f, c,
	    &m, &off, &len), 0);
	assert_int_equal(m.acct_serial, 3);
	assert_int_equal(pstate_format(f, c, &m, (const u_char *)head + off,
	    len, b), 0);
	assert_int_equal(buf_len(b), strlen(head));
	assert_memory_equal(buf_ptr(b), head, strlen(head));
	pstate_mem_clear(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(pstate_parse((const u_char *)bad[i],
		    strlen(bad[i]), f, c, &m, &off, &len), 0);
		assert_int_equal(m.acct_serial, 0);
	}
	buf_free(b);
	seqset_free(f);
	seqset_free(c);
}

/*
 * A known record may carry the time and size it signs; a gone line may
 * not, and neither number may be missing, zero or past PFISH_SEQ_MAX.
 */
static void
test_state_times(void **state)
{
	static const char with[] = "pfish-client-state 2\nfetched -\n"
	    "checked 1-2\nknown 2\n1 " H1 " 1700000000 200\n2 " H2 "\n"
	    "gone 0\n";
	static const char *bad[] = {
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    " 1700000000\ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    " 1700000000 \ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    " 0 200\ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    " 1700000000 200 5\ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    " 1700000000 1000000000000\ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 1\n1 " H1
	    "  1700000000 200\ngone 0\n",
	    "pfish-client-state 2\nfetched -\nchecked -\nknown 0\ngone 1\n"
	    "1 " H1 " 1700000000 200\n",
	};
	struct pst p;
	size_t i;

	(void)state;
	pst_open(&p);
	assert_int_equal(pst_parse(&p, with, strlen(with)), 0);
	assert_int_equal(p.m.nknown, 2);
	assert_int_equal(p.m.known[0].time, 1700000000);
	assert_int_equal(p.m.known[0].size, 200);
	assert_int_equal(p.m.known[1].time, 0);
	assert_int_equal(p.m.known[1].size, 0);
	assert_int_equal(pst_format(&p, with), 0);
	assert_int_equal(buf_len(p.b), strlen(with));
	assert_memory_equal(buf_ptr(p.b), with, strlen(with));
	pst_close(&p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pst_open(&p);
		assert_int_not_equal(pst_parse(&p, bad[i], strlen(bad[i])), 0);
		pst_close(&p);
	}
}

/* A version 1 file (no memory) is read, and written back as version 2. */
static void
test_state_migrate_v1(void **state)
{
	static const char v1[] = "pfish-client-state 1\nfetched 1-3\n"
	    "checked 1-9\nhead\nstatement head\n";
	static const char v2[] = "pfish-client-state 2\nfetched 1-3\n"
	    "checked 1-9\nknown 0\ngone 0\nhead\nstatement head\n";
	struct pst p;

	(void)state;
	pst_open(&p);
	assert_int_equal(pst_parse(&p, v1, strlen(v1)), 0);
	assert_int_equal(p.m.nknown + p.m.ngone, 0);
	assert_int_equal(pst_format(&p, v1), 0);
	assert_int_equal(buf_len(p.b), strlen(v2));
	assert_memory_equal(buf_ptr(p.b), v2, strlen(v2));
	pst_close(&p);
}

/*
 * Memory only grows: a known seq keeps its first fact, which may learn
 * the time and size it lacked (same hash only); prune below low.
 */
static void
test_facts_merge(void **state)
{
	struct pstate_fact add[3];
	struct pstate_mem m;
	size_t dropped;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(add, 0, sizeof(add));
	add[0].seq = 2;
	add[1].seq = 5;
	add[2].seq = 5;
	add[0].hash[0] = add[1].hash[0] = 1;
	assert_int_equal(pstate_facts_merge(&m.known, &m.nknown, add, 3,
	    &dropped), 0);
	assert_int_equal(m.nknown, 2);
	assert_int_equal(dropped, 0);
	add[0].seq = 1;
	add[1].seq = 5;
	add[1].hash[0] = 9;
	assert_int_equal(pstate_facts_merge(&m.known, &m.nknown, add, 2,
	    &dropped), 0);
	assert_int_equal(m.nknown, 3);
	assert_int_equal(m.known[0].seq, 1);
	assert_int_equal(m.known[2].seq, 5);
	assert_int_equal(m.known[2].hash[0], 1);	/* the older fact */
	assert_int_equal(m.known[2].time, 0);
	add[0].seq = 5;
	add[0].time = 77;
	add[0].size = 200;
	assert_int_equal(pstate_facts_merge(&m.known, &m.nknown, add, 1,
	    &dropped), 0);
	assert_int_equal(m.known[2].time, 77);	/* learnt: same hash */
	assert_int_equal(m.known[2].size, 200);
	add[0].seq = 2;
	add[0].hash[0] = 3;
	assert_int_equal(pstate_facts_merge(&m.known, &m.nknown, add, 1,
	    &dropped), 0);
	assert_int_equal(m.known[1].time, 0);	/* another hash: not */
	assert_int_equal(m.known[1].hash[0], 1);
	pstate_mem_prune(&m, 2);
	assert_int_equal(m.nknown, 2);
	assert_int_equal(m.known[0].seq, 2);
	pstate_mem_clear(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqset_add_merge),
		cmocka_unit_test(test_seqset_parse),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_migrate_v1),
		cmocka_unit_test(test_state_account),
		cmocka_unit_test(test_state_times),
		cmocka_unit_test(test_facts_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
