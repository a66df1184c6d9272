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

/* test_statefile.c: the client state file: paths, atomic save, reload. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "client.h"

static char dir[] = "/tmp/pfish-test-state.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	return setenv("XDG_CONFIG_HOME", dir, 1);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_default_paths(void **state)
{
	char p[1024], want[1024];
	struct stat st;

	(void)state;
	assert_int_equal(cstate_default_path("alice", "mail.example.org", 22,
	    p, sizeof(p)), 0);
	(void)snprintf(want, sizeof(want),
	    "%s/pfish/state-alice@mail.example.org", dir);
	assert_string_equal(p, want);
	assert_int_equal(stat(want, &st), -1);	/* not created yet */
	(void)snprintf(want, sizeof(want), "%s/pfish", dir);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cstate_default_path("alice", "h", 2222, p,
	    sizeof(p)), 0);
	assert_non_null(strstr(p, "/state-alice@h:2222"));
	assert_int_equal(cstate_default_path("a/b", "h", 22, p, sizeof(p)),
	    -1);
	assert_int_equal(cstate_default_trust(p, sizeof(p)), 0);
	(void)snprintf(want, sizeof(want), "%s/pfish/allowed_signers", dir);
	assert_string_equal(p, want);
}

static void
make_head(struct stmt_head *h, struct buf *text)
{
	memset(h, 0, sizeof(*h));
	(void)strlcpy(h->mailbox, "alice", sizeof(h->mailbox));
	(void)strlcpy(h->epoch, "0123456789abcdef", sizeof(h->epoch));
	h->low = 3;
	memset(h->lowprev, 0x11, sizeof(h->lowprev));
	h->high = 40;
	memset(h->highhash, 0x22, sizeof(h->highhash));
	h->issued = 1800000000;
	h->expires = 1800086400;
	(void)strlcpy(h->key, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    sizeof(h->key));
	assert_int_equal(stmt_head_encode(h, text), 0);
}

static void
test_save_load(void **state)
{
	struct cstate st, st2;
	struct stmt_head h;
	struct buf *text;
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char p[1024];
	int n = 0;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/state-x", dir);
	assert_int_equal(cstate_load(p, &st), 0);	/* absent: empty */
	assert_false(st.have_head);
	assert_non_null(text = buf_new());
	make_head(&h, text);
	assert_non_null(st.headtext = malloc(buf_len(text)));
	memcpy(st.headtext, buf_ptr(text), buf_len(text));
	st.headtextlen = buf_len(text);
	st.head = h;
	st.have_head = 1;
	assert_int_equal(seqset_add(st.fetched, 4), 0);
	assert_int_equal(seqset_add(st.fetched, 5), 0);
	assert_int_equal(seqset_add(st.checked, 9), 0);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(cstate_load(p, &st2), 0);
	assert_true(st2.have_head);
	assert_int_equal(st2.head.high, 40);
	assert_memory_equal(st2.head.highhash, h.highhash, 32);
	assert_string_equal(st2.head.epoch, h.epoch);
	assert_true(seqset_has(st2.fetched, 5));
	assert_false(seqset_has(st2.fetched, 9));
	assert_true(seqset_has(st2.checked, 9));
	/* Nothing but the state file itself is left in the directory. */
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "state-x", 7) != 0 &&
		    de->d_name[0] != '.' && strcmp(de->d_name, "pfish") != 0)
			n++;
	closedir(d);
	assert_int_equal(n, 0);
	cstate_clear(&st);
	cstate_clear(&st2);
	buf_free(text);
}

/*
 * A full memory (PSTATE_FACTS_MAX records and as many deletes, well past
 * the 16 MiB of a default buffer), every line as long as it can be, is
 * saved and read back whole.
 */
static void
test_save_load_full(void **state)
{
	struct cstate st, st2;
	struct pstate_fact *f;
	char p[1024];
	size_t i, n = PSTATE_FACTS_MAX;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/state-full", dir);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_non_null(f = calloc(n, sizeof(*f)));
	for (i = 0; i < n; i++) {
		f[i].seq = PFISH_SEQ_MAX - n + 1 + i;	/* the longest lines */
		memset(f[i].hash, (int)(i & 0xff), sizeof(f[i].hash));
		f[i].time = f[i].size = PFISH_SEQ_MAX;
	}
	assert_int_equal(pstate_facts_merge(&st.mem.known, &st.mem.nknown, f,
	    n, NULL), 0);
	for (i = 0; i < n; i++)
		f[i].time = f[i].size = 0;	/* a gone fact has none */
	assert_int_equal(pstate_facts_merge(&st.mem.gone, &st.mem.ngone, f,
	    n, NULL), 0);
	free(f);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(cstate_load(p, &st2), 0);
	assert_int_equal(st2.mem.nknown, n);
	assert_int_equal(st2.mem.ngone, n);
	assert_int_equal(st2.mem.known[n - 1].seq, PFISH_SEQ_MAX);
	assert_int_equal(st2.mem.known[n - 1].size, PFISH_SEQ_MAX);
	assert_int_equal(st2.mem.gone[n - 1].hash[0], (n - 1) & 0xff);
	cstate_clear(&st);
	cstate_clear(&st2);
	assert_int_equal(unlink(p), 0);
}

/*
 * A run with nothing new leaves the file alone (the same inode: not
 * rewritten); a new fact writes it again, by rename.
 */
static void
test_save_unchanged(void **state)
{
	struct cstate st;
	struct pstate_fact f;
	struct stat a, b;
	char p[1024];

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/state-same", dir);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_int_equal(seqset_add(st.fetched, 3), 0);
	assert_int_equal(cstate_save(p, &st), 0);	/* no file yet */
	cstate_clear(&st);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	memset(&f, 0, sizeof(f));
	f.seq = 3;
	assert_int_equal(pstate_facts_merge(&st.mem.known, &st.mem.nknown, &f,
	    1, NULL), 0);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_not_equal(a.st_ino, b.st_ino);
	cstate_clear(&st);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_int_equal(st.mem.nknown, 1);
	cstate_clear(&st);
	assert_int_equal(unlink(p), 0);
}

/*
 * A save after a save with nothing new writes nothing (a run saving as it
 * goes, cmd-fetch.c), and the counters say what was written.
 */
static void
test_save_again(void **state)
{
	struct cstate st;
	struct stat a, b;
	char p[1024];

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/state-again", dir);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_int_equal(st.filelen, 0);
	assert_int_equal(seqset_add(st.fetched, 7), 0);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.filelen, (size_t)a.st_size);
	assert_int_equal(st.written, (uint64_t)a.st_size);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(st.writes, 1);
	assert_int_equal(seqset_add(st.fetched, 8), 0);
	assert_int_equal(cstate_save(p, &st), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_not_equal(a.st_ino, b.st_ino);
	assert_int_equal(st.writes, 2);
	assert_int_equal(st.written, (uint64_t)(a.st_size + b.st_size));
	cstate_clear(&st);
	assert_int_equal(cstate_load(p, &st), 0);
	assert_int_equal(st.filelen, (size_t)b.st_size);
	assert_int_equal(seqset_has(st.fetched, 8), 1);
	assert_int_equal(st.writes, 0);
	cstate_clear(&st);
	assert_int_equal(unlink(p), 0);
}

static void
test_load_garbage(void **state)
{
	struct cstate st;
	char p[1024];
	FILE *fp;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/state-bad", dir);
	assert_non_null(fp = fopen(p, "w"));
	fputs("pfish-client-state 1\nfetched 3-1\nchecked -\n", fp);
	fclose(fp);
	assert_int_equal(cstate_load(p, &st), -1);
	cstate_clear(&st);
	assert_non_null(fp = fopen(p, "w"));
	fputs("pfish-client-state 1\nfetched -\nchecked -\nhead\nnonsense\n",
	    fp);
	fclose(fp);
	assert_int_equal(cstate_load(p, &st), -1);
	cstate_clear(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_paths),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_save_load_full),
		cmocka_unit_test(test_save_unchanged),
		cmocka_unit_test(test_save_again),
		cmocka_unit_test(test_load_garbage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
