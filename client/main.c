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

/* main.c: pfish's command line: ssh-like options, then a command. */

#include <sys/types.h>

#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "client.h"

static const struct {
	const char	*name;
	int		(*fn)(struct client_opts *, int, char **);
} commands[] = {
	{ "list", cmd_list },
	{ "verify", cmd_verify },
	{ "fetch", cmd_fetch },
	{ "rm", cmd_rm },
};

static void
usage_print(FILE *f)
{
	fprintf(f,
	    "usage: pfish [-v] [--accept-unsigned] [-F ssh_config] "
	    "[-i identity]\n"
	    "             [-o ssh_option] [-p port] [-r remote_dir] "
	    "[-s statefile]\n"
	    "             [-T trustfile] [-t timeout] [user@]host "
	    "[option ...] command\n"
	    "commands:    list [-1 | --porcelain]\n"
	    "             verify [--full]\n"
	    "             fetch [-d dir] [--decrypt --maildir dir] [--delete]\n"
	    "             rm seq ...\n"
	    "       pfish --help | --version\n");
}

static void __attribute__((noreturn))
usage(void)
{
	usage_print(stderr);
	exit(PFISH_EXIT_ERROR);
}

/* --help and --version anywhere, -h among the options: exit 0. */
static void
help_or_version(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage_print(stdout);
			exit(PFISH_EXIT_OK);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("pfish %s\n", PFISH_VERSION);
			exit(PFISH_EXIT_OK);
		}
	}
}

static int
add_sshopt(struct client_opts *o, char *arg)
{
	char **n;

	if ((n = reallocarray(o->sshopts, o->nsshopts + 1,
	    sizeof(*n))) == NULL)
		return -1;
	o->sshopts = n;
	o->sshopts[o->nsshopts++] = arg;
	return 0;
}

/* "user@host": split at the last '@' like ssh does. */
static void
split_dest(struct client_opts *o, char *dest)
{
	char *at = strrchr(dest, '@');

	if (at != NULL) {
		*at = '\0';
		o->user = dest;
		o->host = at + 1;
	} else
		o->host = dest;
	if (o->host[0] == '\0' || (o->user != NULL && o->user[0] == '\0'))
		usage();
}

static const struct option longopts[] = {
	{ "accept-unsigned", no_argument, NULL, 'U' },
	{ NULL, 0, NULL, 0 }
};

static int
parse_timeout(const char *v)
{
	const char *e;
	int t;

	t = (int)strtonum(v, 1, 86400, &e);
	if (e != NULL) {
		warnx("-t %s: seconds %s", v, e);
		usage();
	}
	return t;
}

/* Options up to the first word that is not one (the host, the command). */
static void
parse_opts(struct client_opts *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "+F:hi:o:p:r:s:T:t:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'U':
			o->accept_unsigned = 1;
			break;
		case 'r':
			o->remotedir = optarg;
			break;
		case 't':
			o->iotimeout = parse_timeout(optarg);
			break;
		case 'F':
			o->config = optarg;
			break;
		case 'h':
			usage_print(stdout);
			exit(PFISH_EXIT_OK);
		case 'i':
			o->identity = optarg;
			break;
		case 'o':
			if (add_sshopt(o, optarg) != 0)
				err(PFISH_EXIT_ERROR, "-o");
			break;
		case 'p':
			o->port = optarg;
			break;
		case 's':
			o->statefile = optarg;
			break;
		case 'T':
			o->trustfile = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			usage();
		}
	}
}

int
pfish_main(int argc, char **argv)
{
	struct client_opts o;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	help_or_version(argc, argv);
	parse_opts(&o, argc, argv);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	/* Options after the host, as ssh takes them: argv[0] is the host. */
	optind = 1;
	parse_opts(&o, argc, argv);
	if (argc - optind < 1)
		usage();
	split_dest(&o, argv[0]);
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 2)
		usage();
	if (sodium_init() < 0)
		errx(PFISH_EXIT_ERROR, "libsodium initialisation failed");
	if (ssh_init() != SSH_OK)
		errx(PFISH_EXIT_ERROR, "libssh initialisation failed");
	(void)signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		warnx("unknown command %s", argv[1]);
		usage();
	}
	rc = commands[i].fn(&o, argc - 2, argv + 2);
	free(o.sshopts);
	ssh_finalize();
	return rc;
}
