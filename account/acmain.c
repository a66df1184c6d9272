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

/* acmain.c: pfish-account: options, the key host's verbs, dispatch. */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "sandbox.h"
#include "sshcmd.h"
#include "stdopts.h"
#include "stmt.h"

static void
usage_print(FILE *f)
{
	fprintf(f,
	    "usage: pfish-account [-r dir] [-a account] accept account\n"
	    "       pfish-account [-r dir] [-a account] show account\n"
	    "       pfish-account [-r dir] [-a account] chain account\n"
	    "       pfish-account [-r dir] [-c command] -o dir generate "
	    "account\n"
	    "       pfish-account [-r dir] [-t time] [-U command] -k key "
	    "init account label\n"
	    "       pfish-account [-r dir] [-t time] [-U command] -k key "
	    "add-key account label pubkey ops\n"
	    "       pfish-account [-r dir] [-t time] [-U command] -k key "
	    "remove-key account label\n"
	    "       pfish-account [-r dir] [-t time] [-U command] -k key "
	    "rotate-master account label pubkey\n"
	    "       pfish-account [-r dir] [-t time] [-U command] -k key "
	    "recover account label pubkey\n"
	    "       pfish-account [-r dir] [-P pubkey] pull account\n"
	    "       pfish-account --help | --version\n");
}

static void
usage(void)
{
	usage_print(stderr);
}

/*
 * Only a valid first state may create an account's directory, so that
 * nothing offered and refused leaves a trace.
 */
static int
may_start(const char *name, const struct buf *in)
{
	struct account_state st;
	u_char signer[SSHKEY_ED25519_PK], hash[ACCOUNT_HASH_LEN];

	return account_verify_signed(buf_ptr(in), buf_len(in), &st, signer,
	    hash) == 0 && strcmp(st.account, name) == 0 &&
	    account_chain_check(NULL, NULL, &st, signer) == 0;
}

static int
cmd_accept(struct acct_ctx *c, const char *name)
{
	struct acct_chain ch;
	struct stat sb;
	struct buf *in;
	int dirfd, already = 0, start, ret;

	if ((in = buf_new()) == NULL || acct_read_stdin(in, ACCOUNT_SIGNED_MAX) == -1) {
		warn("%s: reading the state", name);
		buf_free(in);
		return errno == EFBIG ? ACCT_EX_REFUSED : ACCT_EX_ERROR;
	}
	start = may_start(name, in);
	/* No account yet and no valid first state: refuse it as such. */
	if (!start && stmt_valid_mailbox(name) &&
	    fstatat(c->rootfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT) {
		acchain_init(&ch, name);
		ret = acct_chain_offer(c, name, -1, &ch, buf_ptr(in),
		    buf_len(in), &already);
		acchain_free(&ch);
		buf_free(in);
		return ret == 0 ? ACCT_EX_ERROR : ret;
	}
	if ((ret = acct_chain_open(c, name, start, &dirfd, &ch)) != 0) {
		buf_free(in);
		return ret;
	}
	ret = acct_chain_offer(c, name, dirfd, &ch, buf_ptr(in), buf_len(in),
	    &already);
	if (ret == 0)
		printf("%s: %s serial %zu\n", name, already ?
		    "already at" : "accepted", ch.n);
	close(dirfd);
	acchain_free(&ch);
	buf_free(in);
	return ret;
}

/* show: the last state; chain: every state from serial 1, in order. */
static int
cmd_show(struct acct_ctx *c, const char *name, int all)
{
	const struct acct_link *l;
	struct acct_chain ch;
	size_t i;
	int dirfd, ret;

	if ((ret = acct_chain_open(c, name, 0, &dirfd, &ch)) != 0)
		return ret;
	ret = ACCT_EX_ERROR;
	if ((l = acchain_last(&ch)) == NULL) {
		warnx("%s: no state accepted yet", name);
		goto out;
	}
	for (i = all ? 0 : ch.n - 1; i < ch.n; i++) {
		l = &ch.link[i];
		if (fwrite(l->data, 1, l->len, stdout) != l->len) {
			warn("stdout");
			goto out;
		}
	}
	if (fflush(stdout) != 0) {
		warn("stdout");
		goto out;
	}
	ret = 0;
 out:
	close(dirfd);
	acchain_free(&ch);
	return ret;
}

/*
 * The verbs a forced command reaches touch nothing but the account
 * directory tree: no exec, no sockets, no other paths.
 */
static int
confine(struct acct_ctx *c)
{
	struct sandbox_path p = { c->rootfd, c->root,
	    SANDBOX_READ | SANDBOX_CREATE | SANDBOX_MKDIR | SANDBOX_REMOVE };

	if (sandbox_tool(&p, 1, 0) != 0) {
		warn("sandbox");
		return -1;
	}
	return 0;
}

/* A forced command without a verb: the client may accept, show, chain. */
static int
forced_args(char *buf, size_t len, char *rargv[SSHCMD_ARGS_MAX + 2],
    int *argc, char ***argv)
{
	const char *oc;

	if (*argc != 0 || (oc = getenv("SSH_ORIGINAL_COMMAND")) == NULL)
		return 0;
	if (sshcmd_split(oc, "pfish-account", buf, len, rargv) != 3 ||
	    (strcmp(rargv[1], "accept") != 0 &&
	    strcmp(rargv[1], "show") != 0 &&
	    strcmp(rargv[1], "chain") != 0)) {
		warnx("refused ssh command");
		return -1;
	}
	*argc = 2;
	*argv = rargv + 1;
	return 0;
}

static int
open_root(struct acct_ctx *c, int device)
{
	/* A device's own copy of its chain may start from nothing. */
	if (device && mkdir(c->root, 0700) == -1 && errno != EEXIST) {
		warn("%s", c->root);
		return -1;
	}
	if ((c->rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", c->root);
		return -1;
	}
	return 0;
}

static int
dispatch(struct acct_ctx *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	int keyhost;

	keyhost = strcmp(cmd, "accept") == 0 || strcmp(cmd, "show") == 0 ||
	    strcmp(cmd, "chain") == 0;
	if ((keyhost || strcmp(cmd, "generate") == 0 ||
	    strcmp(cmd, "pull") == 0) && argc != 2)
		return ACCT_SYNTAX;
	if (argc < 2)
		return ACCT_SYNTAX;
	if (c->only != NULL && strcmp(argv[1], c->only) != 0) {
		warnx("%s: this command serves account %s only", argv[1],
		    c->only);
		return ACCT_EX_REFUSED;
	}
	if (open_root(c, !keyhost && strcmp(cmd, "generate") != 0) != 0)
		return ACCT_EX_ERROR;
	if (keyhost && confine(c) != 0)
		return ACCT_EX_ERROR;
	if (strcmp(cmd, "accept") == 0)
		return cmd_accept(c, argv[1]);
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "chain") == 0)
		return cmd_show(c, argv[1], strcmp(cmd, "chain") == 0);
	if (strcmp(cmd, "pull") == 0)
		return acct_pull(c, argv[1]);
	if (strcmp(cmd, "generate") == 0) {
		if (c->outdir == NULL) {
			warnx("generate: the output directory (-o) is "
			    "required");
			return ACCT_EX_USAGE;
		}
		return acct_generate(c, argv[1]);
	}
	return acct_device(c, argc, argv);
}

int
acct_main(int argc, char **argv)
{
	struct acct_ctx c;
	char cmdbuf[1024], *rargv[SSHCMD_ARGS_MAX + 2];
	const char *errstr;
	int ch, ret;

	switch (stdopts(argc, argv, "pfish-account")) {
	case STDOPT_HELP:
		usage_print(stdout);
		return 0;
	case STDOPT_VERSION:
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.root = ACCT_ROOT_DEFAULT;
	c.servercmd = ACCT_SERVER_CMD;
	c.rootfd = -1;
	c.now = (uint64_t)time(NULL);
	if (sodium_init() < 0)
		errx(ACCT_EX_ERROR, "libsodium init failed");
	while ((ch = getopt(argc, argv, "a:c:k:o:P:r:t:U:")) != -1) {
		switch (ch) {
		case 'a':
			c.only = optarg;
			break;
		case 'c':
			c.servercmd = optarg;
			break;
		case 'k':
			c.identity = optarg;
			break;
		case 'o':
			c.outdir = optarg;
			break;
		case 'P':
			c.pin = optarg;
			break;
		case 'r':
			c.root = optarg;
			break;
		case 't':
			c.now = strtonum(optarg, 1, INT64_MAX, &errstr);
			if (errstr != NULL)
				errx(ACCT_EX_USAGE, "-t %s: %s", optarg, errstr);
			break;
		case 'U':
			c.upload = optarg;
			break;
		default:
			usage();
			return ACCT_EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (forced_args(cmdbuf, sizeof(cmdbuf), rargv, &argc, &argv) != 0)
		return ACCT_EX_USAGE;
	if (argc < 1 || (ret = dispatch(&c, argc, argv)) == ACCT_SYNTAX) {
		usage();
		ret = ACCT_EX_USAGE;
	}
	if (c.rootfd != -1)
		close(c.rootfd);
	return ret;
}
