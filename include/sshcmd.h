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

/* sshcmd.h: run as an ssh forced command: argv from SSH_ORIGINAL_COMMAND. */

#ifndef SSHCMD_H
#define SSHCMD_H

#define SSHCMD_ARGS_MAX		8

/*
 * Split cmd (the client's command line) into words at spaces, without a
 * shell: no quoting, and every character must be one of [A-Za-z0-9_.-],
 * so no option, path or metacharacter gets through.  A first word equal
 * to prog (or ending in "/prog") is dropped.  Fills argv (prog first, then
 * the words, then NULL) and returns argc, or -1 if cmd is unacceptable.
 */
int	sshcmd_split(const char *cmd, const char *prog, char *buf,
	    size_t buflen, char *argv[SSHCMD_ARGS_MAX + 2]);

#endif /* SSHCMD_H */
