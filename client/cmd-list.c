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

/* cmd-list.c: the verified mailbox as a table. */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client.h"

static const char *
entry_status(const struct session *s, const struct ventry *e)
{
	switch (e->status) {
	case VST_OK:
		return seqset_has(s->st.fetched, e->seq) ? "ok" : "new";
	case VST_DELETED:
		return "deleted-by-you";
	case VST_PENDING:
		return "pending";
	case VST_VOID:
		return "void";
	default:
		return verify_kind_name(e->kind);
	}
}

static void
print_entry(const struct session *s, const struct ventry *e, int porcelain)
{
	char when[32] = "-";
	struct tm tm;
	time_t t = (time_t)e->time;

	if (porcelain) {
		printf("%llu\t%llu\t%llu\t%s\n", (unsigned long long)e->seq,
		    (unsigned long long)e->time, (unsigned long long)e->size,
		    entry_status(s, e));
		return;
	}
	if (e->authentic && localtime_r(&t, &tm) != NULL)
		(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%12llu  %-16s  %10llu  %s\n", (unsigned long long)e->seq,
	    when, (unsigned long long)e->size, entry_status(s, e));
}

/* Without signed state: names and sizes, nothing proven. */
static int
list_plain(struct session *s, int porcelain)
{
	size_t i;

	session_no_state(s, "nothing below is verified");
	if (session_list(s) != 0)
		return PFISH_EXIT_ERROR;
	if (!porcelain)
		printf("%-20s  %10s  %s\n", "FILE", "SIZE", "STATUS");
	for (i = 0; i < s->nents; i++)
		printf(porcelain ? "%s\t%llu\t%s\n" : "%-20s  %10llu  %s\n",
		    s->ents[i].name, (unsigned long long)s->ents[i].size,
		    "unverified");
	return PFISH_EXIT_NOSTATE;
}

int
cmd_list(struct client_opts *o, int argc, char **argv)
{
	struct session *s = NULL;
	size_t i;
	int porcelain = 0, rc = PFISH_EXIT_ERROR;

	for (i = 0; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "-1") == 0 ||
		    strcmp(argv[i], "--porcelain") == 0)
			porcelain = 1;
		else {
			warnx("list: unknown argument %s", argv[i]);
			return PFISH_EXIT_ERROR;
		}
	}
	if (session_open(o, &s) != 0)
		goto out;
	if (!session_signed(s) && session_downgraded(s)) {
		rc = PFISH_EXIT_TAMPER;
		goto out;
	}
	if (!session_signed(s)) {
		rc = list_plain(s, porcelain);
		goto out;
	}
	s->remembering = REMEMBER_PROVEN;	/* proven before: memory */
	if (session_verify(s, 0) != 0)
		goto out;
	if (!porcelain)
		printf("%12s  %-16s  %10s  %s\n", "SEQ", "DELIVERED", "SIZE",
		    "STATUS");
	for (i = 0; i < s->res.ne; i++)
		print_entry(s, &s->res.e[i], porcelain);
	fflush(stdout);
	session_print_findings(s, stderr);
	session_print_notes(s, stderr);
	if (session_accept(s) != 0)
		goto out;
	rc = session_exit_code(s);
 out:
	session_close(s);
	return rc;
}
