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

/* sandbox.h: confinement of pfish programs after start-up (one platform file). */

#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/* Flags for sandbox_server() and sandbox_tool(). */
#define SANDBOX_REQUIRED	0x01	/* fail if the kernel cannot confine */
#define SANDBOX_ALLOW_WRITE_STATE 0x02	/* server: notes, deletes via .pfish/tmp */

/* Rights a tool asks for on one directory tree (sandbox_tool()). */
#define SANDBOX_READ		0x01	/* read files, list directories */
#define SANDBOX_REMOVE		0x02	/* unlink files */
#define SANDBOX_CREATE		0x04	/* create, write, rename files */
#define SANDBOX_MKDIR		0x08	/* create directories */

struct sandbox_path {
	int		 fd;	/* open directory (O_PATH is enough) */
	const char	*path;	/* the same directory by name (unveil) */
	int		 rights;	/* SANDBOX_READ | ... */
};

/*
 * Confine pfish-server: from now on it may read the mailbox tree, remove
 * files in it and, with SANDBOX_ALLOW_WRITE_STATE, create files in the
 * mailbox's .pfish/tmp, .pfish/notes and .pfish/deletes and rename between
 * them.  No exec, no new sockets, no other paths.  Open the syslog socket
 * (LOG_NDELAY) and read everything else first.  Returns 0 when confined
 * (or when the kernel lacks Landlock and SANDBOX_REQUIRED is not set;
 * that is logged once), -1 with errno on failure: the caller must exit.
 */
int	sandbox_server(int mailbox_fd, const char *mailbox_path, int flags);

/*
 * Confine a command-line tool (pfish-store, pfish-signer) to the given
 * trees with the given rights; no exec, no sockets.  Same return values.
 */
int	sandbox_tool(const struct sandbox_path *paths, size_t npaths,
	    int flags);

/* What the last call achieved, for logs and tests: e.g. "landlock-7+seccomp". */
const char *sandbox_status(void);

#endif /* SANDBOX_H */
