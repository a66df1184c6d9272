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

/* acctool.h: pfish-account, the account-key state on key host and device. */

#ifndef ACCTOOL_H
#define ACCTOOL_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "acchain.h"
#include "account.h"

struct buf;

#ifndef ACCT_ROOT_DEFAULT
#define ACCT_ROOT_DEFAULT	"/var/lib/pfish-account"	/* -r */
#endif
#define ACCT_SERVER_CMD	"/usr/local/libexec/pfish-server -S " \
			    "-k /etc/pfish/delete-keys/%u"
#define ACCT_DIR_MODE		0755
#define ACCT_FILE_MODE		0644
#define ACCT_CHAIN_MAX		ACCHAIN_MAX	/* states kept per account */

/* Exit codes (pfish-account(8) EXIT STATUS). */
#define ACCT_EX_OK		0
#define ACCT_EX_ERROR		1	/* I/O, damaged stored chain */
#define ACCT_EX_USAGE		64
#define ACCT_EX_REFUSED		65	/* the state offered is refused */
#define ACCT_SYNTAX		(-1)	/* internal: print the usage, exit 64 */

struct acct_ctx {
	const char	*root;		/* -r */
	const char	*only;		/* -a: the one account allowed */
	const char	*identity;	/* -k: signing key (device verbs) */
	const char	*upload;	/* -U: upload command */
	const char	*servercmd;	/* -c: generate */
	const char	*outdir;	/* -o: generate */
	const char	*pin;		/* -P: pull's first master */
	uint64_t	 now;		/* -t or the clock */
	int		 rootfd;
};

#define ACCT_PULL_MAX		(16 * 1024 * 1024)	/* a whole chain */

int	acct_main(int argc, char **argv);

/*
 * account/chain.c: the stored chain of one account (ROOT/NAME/
 * NNNNNNNNNNNN.state, layout_state_name); reading stdin.  Loading and
 * checking are state/acchain.c's.
 */
/*
 * Open ROOT/NAME (creating it if create is set), lock it, and load and
 * verify every state from serial 1 (acchain_load).  *dirfd stays open
 * and locked.
 * Returns 0, or ACCT_EX_ERROR after printing which serial is damaged
 * and why.
 */
int	acct_chain_open(struct acct_ctx *c, const char *name, int create,
	    int *dirfd, struct acct_chain *ch);
/* The whole of stdin, at most max bytes (else EFBIG). */
int	acct_read_stdin(struct buf *b, size_t max);
/*
 * Offer a signed state to the chain in dirfd: accepted (stored durably,
 * 0), already the last state (0, *already set), or refused
 * (ACCT_EX_REFUSED, reason printed: replay, fork, signature, rule).
 */
int	acct_chain_offer(struct acct_ctx *c, const char *name, int dirfd,
	    struct acct_chain *ch, const u_char *data, size_t len,
	    int *already);

/* account/generate.c */
int	acct_generate(struct acct_ctx *c, const char *name);

/* account/device.c: the device verbs. */
int	acct_device(struct acct_ctx *c, int argc, char **argv);
/* account/pull.c: take the key host's chain into the device's, checked. */
int	acct_pull(struct acct_ctx *c, const char *name);


#endif /* ACCTOOL_H */
