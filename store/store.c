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
 * store.c: pfish-store's options and its verbs, one table: how many
 * mailboxes each takes, whether it needs the trust file (and the exit
 * code when that cannot be read), whether it runs sandboxed and whether
 * a forced ssh command may name it.  The verbs are store-VERB.c.
 */

#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "pfish.h"
#include "sandbox.h"
#include "stdopts.h"
#include "store.h"
#include "trust.h"
#include "verb.h"

#define ANY	-1	/* any number of mailboxes, none meaning all */
/* n root directories and no mailboxes, or (ANY) a root and mailboxes. */
#define ROOTS(n)	(1000 + (n))
#define IS_ROOTS(a)	((a) >= 999)

static const struct store_verb {
	const char	*name;
	int		 argc;		/* mailboxes: exactly this, or ANY */
	int		 trust;		/* 0: not needed, else exit if unread */
	int		 confine;	/* sandboxed to the store first */
	int		 forced;	/* allowed in SSH_ORIGINAL_COMMAND */
	int		(*fn)(struct store *, int, char **);
} verbs[] = {
	{ "init",	ANY, 0,			0, 0, store_init },
	{ "accept",	1,   EX_TEMPFAIL,	1, 1, store_accept },
	{ "account",	1,   0,			1, 1, store_account },
	{ "head",	1,   EX_TEMPFAIL,	1, 1, store_head },
	{ "expire",	ANY, 1,			1, 0, store_expire },
	/* Unconfined: it may read users' authorized_keys. */
	{ "verify",	ANY, 1,			0, 0, store_verify },
	/* Roots as arguments, not -r: the operator's, run by hand. */
	{ "migrate",	ROOTS(2), 1,		0, 0, store_migrate },
	{ "forget",	ROOTS(ANY), 1,		0, 0, store_forget },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pfish-store [-r root] [-T trustfile] init [-g group] "
	    "[-u owner] mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] accept mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] account mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] head mailbox\n"
	    "       pfish-store [-r root] [-T trustfile] expire "
	    "[mailbox ...]\n"
	    "       pfish-store [-r root] [-T trustfile] verify "
	    "[mailbox ...]\n"
	    "       pfish-store [-T trustfile] migrate oldroot newroot\n"
	    "       pfish-store [-T trustfile] forget "
	    "backuproot [mailbox ...]\n");
}

static int
load_trust(struct store *s)
{
	char errbuf[256];

	if (trust_load(s->trustpath, &s->trust, errbuf, sizeof(errbuf)) !=
	    0) {
		warnx("%s: %s", s->trustpath, errbuf);
		return -1;
	}
	return 0;
}

/*
 * The writing verbs (the ones a forced command reaches) touch nothing but
 * the store once the trust file is read: no exec, no sockets, no other
 * paths.
 */
static int
confine(struct store *s)
{
	struct sandbox_path p = { s->rootfd, s->root,
	    SANDBOX_READ | SANDBOX_REMOVE | SANDBOX_CREATE | SANDBOX_MKDIR };

	if (sandbox_tool(&p, 1, 0) != 0) {
		warn("sandbox");
		return -1;
	}
	return 0;
}

static const struct store_verb *
find_verb(const char *name, int forced)
{
	const struct store_verb *v;

	v = verb_find(verbs, sizeof(verbs) / sizeof(verbs[0]),
	    sizeof(verbs[0]), name);
	return v != NULL && (!forced || v->forced) ? v : NULL;
}

static int
run_verb(struct store *s, const struct store_verb *v, int argc, char **argv)
{
	if (IS_ROOTS(v->argc)) {
		if (load_trust(s) != 0)
			return v->trust;
		return v->fn(s, argc, argv);
	}
	if ((s->rootfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", s->root);
		return 1;
	}
	if (v->trust != 0 && load_trust(s) != 0)
		return v->trust;
	if (v->confine && confine(s) != 0)
		return 1;
	return v->fn(s, argc, argv);
}

int
store_main(int argc, char **argv)
{
	const struct store_verb *v;
	struct store s;
	struct verb_cmd vc;
	int ch, forced, ret;

	switch (stdopts(argc, argv, "pfish-store")) {
	case STDOPT_HELP:
		usage(stdout);
		return 0;
	case STDOPT_VERSION:
		return 0;
	}
	memset(&s, 0, sizeof(s));
	s.root = PFISH_STORE_ROOT;
	s.trustpath = STORE_TRUST_FILE;
	s.rootfd = -1;
	if (sodium_init() < 0)
		errx(1, "libsodium init failed");
	openlog("pfish-store", LOG_PID | LOG_NDELAY, LOG_MAIL);
	while ((ch = getopt(argc, argv, "+r:T:")) != -1) {
		switch (ch) {
		case 'r':
			s.root = optarg;
			break;
		case 'T':
			s.trustpath = optarg;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* A forced command without a verb: the client names one of its own. */
	forced = verb_forced("pfish-store", &argc, &argv, &vc);
	if (argc < 1 || (v = find_verb(argv[0], forced)) == NULL ||
	    (!IS_ROOTS(v->argc) && v->argc != ANY && argc - 1 != v->argc) ||
	    (IS_ROOTS(v->argc) && (argc < 2 || (v->argc != ROOTS(ANY) &&
	    argc - 1 != v->argc - 1000)))) {
		if (forced)
			errx(EX_USAGE, "refused ssh command");
		usage(stderr);
		return EX_USAGE;
	}
	/* PFISH_NOW (a test hook) only where nothing is changed. */
	s.now = (uint64_t)time(NULL);
	if (strcmp(v->name, "verify") == 0 && pfish_clock(&s.now) != 0)
		return EX_USAGE;
	ret = run_verb(&s, v, argc - 1, argv + 1);
	trust_free(s.trust);
	if (s.rootfd != -1)
		close(s.rootfd);
	return ret;
}
