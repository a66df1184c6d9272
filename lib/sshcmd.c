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

/* sshcmd.c: run as an ssh forced command: argv from SSH_ORIGINAL_COMMAND. */

#include <stddef.h>
#include <string.h>

#include "sshcmd.h"

static int
safe_word(const char *w)
{
	const char *p;

	if (*w == '\0' || *w == '-' || *w == '.')
		return 0;
	for (p = w; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		    *p == '-'))
			return 0;
	return 1;
}

int
sshcmd_split(const char *cmd, const char *prog, char *buf, size_t buflen,
    char *argv[SSHCMD_ARGS_MAX + 2])
{
	char *p, *w, *slash;
	int argc = 0, first = 1;

	if (cmd == NULL || strlcpy(buf, cmd, buflen) >= buflen)
		return -1;
	argv[argc++] = (char *)prog;
	p = buf;
	while ((w = strsep(&p, " ")) != NULL) {
		if (*w == '\0')
			continue;	/* runs of spaces */
		if (first) {
			first = 0;
			slash = strrchr(w, '/');
			if (strcmp(slash != NULL ? slash + 1 : w, prog) == 0)
				continue;
		}
		if (!safe_word(w) || argc > SSHCMD_ARGS_MAX)
			return -1;
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc > 1 ? argc : -1;
}
