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

/*
 * verb.h: a program's verbs in one table, looked up by name; the verb of
 * a forced ssh command.
 */

#ifndef VERB_H
#define VERB_H

#include <stddef.h>

#include "sshcmd.h"

/* Room for the words of a forced command (SSH_ORIGINAL_COMMAND). */
struct verb_cmd {
	char	 buf[1024];
	char	*argv[SSHCMD_ARGS_MAX + 2];
};

/*
 * With no verb on the command line (*argcp is 0) and SSH_ORIGINAL_COMMAND
 * set, the verb and its operands are the ssh client's command, split by
 * sshcmd_split into vc: *argcp and *argvp then point at them.  A command
 * that does not split, or names no verb, exits EX_USAGE ("refused ssh
 * command").  Returns 1 when the verb came from the forced command, else 0.
 */
int	verb_forced(const char *prog, int *argcp, char ***argvp,
	    struct verb_cmd *vc);

/*
 * The row named name in tab, nmemb rows of size bytes each, every row a
 * struct whose first member is its const char *name; NULL if none.
 */
const void *verb_find(const void *tab, size_t nmemb, size_t size,
	    const char *name);

#endif /* VERB_H */
