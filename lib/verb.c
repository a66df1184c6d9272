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

/* verb.c: a program's verbs in one table; the verb of a forced command. */

#include <err.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sshcmd.h"
#include "verb.h"

int
verb_forced(const char *prog, int *argcp, char ***argvp, struct verb_cmd *vc)
{
	const char *oc;
	int n;

	if (*argcp != 0 || (oc = getenv("SSH_ORIGINAL_COMMAND")) == NULL)
		return 0;
	if ((n = sshcmd_split(oc, prog, vc->buf, sizeof(vc->buf),
	    vc->argv)) < 2)
		errx(EX_USAGE, "refused ssh command");
	*argcp = n - 1;
	*argvp = vc->argv + 1;
	return 1;
}

const void *
verb_find(const void *tab, size_t nmemb, size_t size, const char *name)
{
	const char *row = tab;
	size_t i;

	for (i = 0; i < nmemb; i++, row += size)
		if (strcmp(*(const char * const *)(const void *)row, name) ==
		    0)
			return row;
	return NULL;
}
