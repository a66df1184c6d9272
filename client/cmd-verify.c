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

/* cmd-verify.c: prove the mailbox intact, or name what is wrong. */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

static void
summary(const struct session *s)
{
	size_t i, present = 0, deleted = 0, pending = 0, voided = 0;

	for (i = 0; i < s->res.ne; i++) {
		if (s->res.e[i].status == VST_DELETED)
			deleted++;
		else if (s->res.e[i].status == VST_PENDING)
			pending++;
		else if (s->res.e[i].status == VST_VOID)
			voided++;
		else if (s->res.e[i].present)
			present++;
	}
	if (s->res.nf > 0) {
		fflush(stdout);		/* findings first, then the verdict */
		fprintf(stderr, "pfish: %s@%s: %zu finding%s: the mailbox "
		    "is NOT proven intact\n", s->mailbox, s->o->host,
		    s->res.nf, s->res.nf == 1 ? "" : "s");
		return;
	}
	if (s->in.head_state == VHEAD_NONE && !s->res.no_head_yet)
		printf("intact: %s@%s: empty, no mail delivered yet",
		    s->mailbox, s->o->host);
	else if (s->res.no_head_yet)
		printf("intact: %s@%s: %zu message%s, no signed head yet "
		    "(the signer's first head is pending)", s->mailbox,
		    s->o->host, present, present == 1 ? "" : "s");
	else
		printf("intact: %s@%s: %zu message%s, %zu deleted by you, "
		    "head %llu..%llu", s->mailbox, s->o->host, present,
		    present == 1 ? "" : "s", deleted,
		    (unsigned long long)s->in.head.low,
		    (unsigned long long)s->in.head.high);
	if (pending > 0)
		printf(", %zu pending", pending);
	if (voided > 0)
		printf(", %zu void", voided);
	/* The claim is exact: nothing earlier to compare against. */
	if (s->res.first_use)
		printf("; first use: rollback not checked");
	printf("\n");
}

int
cmd_verify(struct client_opts *o, int argc, char **argv)
{
	struct session *s = NULL;
	int rc = PFISH_EXIT_ERROR, full = 0;

	if (argc == 1 && strcmp(argv[0], "--full") == 0)
		full = 1;
	else if (argc != 0) {
		warnx("usage: pfish verify [--full]");
		return PFISH_EXIT_ERROR;
	}
	if (session_open(o, &s) != 0)
		goto out;
	/* Records proven on earlier runs are not asked for again. */
	s->remembering = full ? REMEMBER_NONE : REMEMBER_PROVEN;
	if (!session_signed(s) && session_downgraded(s)) {
		rc = PFISH_EXIT_TAMPER;
		goto out;
	}
	if (!session_signed(s)) {
		session_no_state(s, "the mailbox cannot be verified");
		rc = PFISH_EXIT_NOSTATE;
		goto out;
	}
	if (session_verify(s, 1) != 0)
		goto out;
	session_print_findings(s, stdout);
	session_print_notes(s, stdout);
	if (session_accept(s) != 0)
		goto out;
	summary(s);
	rc = session_exit_code(s);
 out:
	session_close(s);
	return rc;
}
