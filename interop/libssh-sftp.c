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

/* libssh-sftp.c: interop client: libssh's sftp over a named subsystem. */

/*
 * usage: libssh-sftp [-N] -p port -i key -k known_hosts [-s subsystem]
 *            [-u user] host [op ...]
 * -N sets TCP_NODELAY on the socket, as pfish does; with no op the
 * session is opened, the SFTP version agreed and the session closed.
 * ops, run in order on one session:
 *	ls		print "name size type" per entry of "." (type f d l o)
 *	get NAME FILE	download NAME to FILE
 *	rm NAME		remove NAME
 *	wopen NAME	try to open NAME for writing; succeeds only if the
 *			server answers PERMISSION_DENIED
 * Exits 0 if every op succeeded, 1 otherwise.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

struct opts {
	const char	*host;
	const char	*user;
	const char	*key;
	const char	*known_hosts;
	const char	*subsystem;
	unsigned int	 port;
	int		 nodelay;
};

static void
usage(void)
{
	fprintf(stderr, "usage: libssh-sftp [-N] -p port -i key "
	    "-k known_hosts [-s subsystem] [-u user] host [op ...]\n");
	exit(2);
}

/* Connect, check the host key against our own file, log in by key. */
static ssh_session
session_open(const struct opts *o)
{
	ssh_session	 s;
	ssh_key		 key = NULL;
	int		 no = 0, ok = 0;

	if ((s = ssh_new()) == NULL)
		return NULL;
	if (ssh_options_set(s, SSH_OPTIONS_HOST, o->host) != 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PORT, &o->port) != 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) != 0 ||
	    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, o->known_hosts) != 0 ||
	    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	    "/dev/null") != 0 ||
	    ssh_options_set(s, SSH_OPTIONS_NODELAY, &o->nodelay) != 0 ||
	    (o->user != NULL &&
	    ssh_options_set(s, SSH_OPTIONS_USER, o->user) != 0))
		goto out;
	if (ssh_connect(s) != SSH_OK) {
		fprintf(stderr, "connect: %s\n", ssh_get_error(s));
		goto out;
	}
	if (ssh_session_is_known_server(s) != SSH_KNOWN_HOSTS_OK) {
		fprintf(stderr, "host key not in %s\n", o->known_hosts);
		goto out;
	}
	if (ssh_pki_import_privkey_file(o->key, NULL, NULL, NULL,
	    &key) != SSH_OK) {
		fprintf(stderr, "cannot load %s\n", o->key);
		goto out;
	}
	if (ssh_userauth_publickey(s, NULL, key) != SSH_AUTH_SUCCESS) {
		fprintf(stderr, "auth: %s\n", ssh_get_error(s));
		goto out;
	}
	ok = 1;
 out:
	ssh_key_free(key);
	if (!ok) {
		ssh_disconnect(s);
		ssh_free(s);
		s = NULL;
	}
	return s;
}

/* SFTP on a channel that asked for the named subsystem itself. */
static sftp_session
sftp_open_subsystem(ssh_session s, const char *subsystem)
{
	ssh_channel	 ch;
	sftp_session	 sftp = NULL;

	if ((ch = ssh_channel_new(s)) == NULL)
		return NULL;
	if (ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_subsystem(ch, subsystem) != SSH_OK) {
		fprintf(stderr, "subsystem %s: %s\n", subsystem,
		    ssh_get_error(s));
		ssh_channel_free(ch);
		return NULL;
	}
	/* From here on sftp_free() owns and frees the channel. */
	if ((sftp = sftp_new_channel(s, ch)) == NULL) {
		ssh_channel_free(ch);
		return NULL;
	}
	if (sftp_init(sftp) != SSH_OK) {
		fprintf(stderr, "sftp_init: %s (%d)\n", ssh_get_error(s),
		    sftp_get_error(sftp));
		sftp_free(sftp);
		return NULL;
	}
	return sftp;
}

static char
type_char(uint8_t type)
{
	switch (type) {
	case SSH_FILEXFER_TYPE_REGULAR:
		return 'f';
	case SSH_FILEXFER_TYPE_DIRECTORY:
		return 'd';
	case SSH_FILEXFER_TYPE_SYMLINK:
		return 'l';
	default:
		return 'o';
	}
}

static int
op_ls(sftp_session sftp)
{
	sftp_dir	 dir;
	sftp_attributes	 a;
	int		 r = -1;

	if ((dir = sftp_opendir(sftp, ".")) == NULL) {
		fprintf(stderr, "opendir: error %d\n", sftp_get_error(sftp));
		return -1;
	}
	while ((a = sftp_readdir(sftp, dir)) != NULL) {
		printf("%s %llu %c\n", a->name,
		    (unsigned long long)a->size, type_char(a->type));
		sftp_attributes_free(a);
	}
	if (!sftp_dir_eof(dir)) {
		fprintf(stderr, "readdir: error %d\n", sftp_get_error(sftp));
		goto out;
	}
	r = 0;
 out:
	sftp_closedir(dir);
	return r;
}

static int
op_get(sftp_session sftp, const char *name, const char *local)
{
	static char	 buf[65536];
	sftp_file	 f;
	ssize_t		 n;
	int		 fd = -1, r = -1;

	if ((f = sftp_open(sftp, name, O_RDONLY, 0)) == NULL) {
		fprintf(stderr, "open %s: error %d\n", name,
		    sftp_get_error(sftp));
		return -1;
	}
	if ((fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
	    0600)) == -1) {
		perror(local);
		goto out;
	}
	while ((n = sftp_read(f, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			perror(local);
			goto out;
		}
	}
	if (n < 0) {
		fprintf(stderr, "read %s: error %d\n", name,
		    sftp_get_error(sftp));
		goto out;
	}
	r = 0;
 out:
	if (fd != -1 && close(fd) == -1)
		r = -1;
	sftp_close(f);
	return r;
}

static int
op_wopen(sftp_session sftp, const char *name)
{
	sftp_file	 f;
	int		 e;

	if ((f = sftp_open(sftp, name, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) != NULL) {
		fprintf(stderr, "open %s for writing succeeded\n", name);
		sftp_close(f);
		return -1;
	}
	e = sftp_get_error(sftp);
	printf("wopen %s: error %d\n", name, e);
	return e == SSH_FX_PERMISSION_DENIED ? 0 : -1;
}

/* Run the ops in argv; return the number that failed. */
static int
run_ops(sftp_session sftp, int argc, char **argv)
{
	int	 i, fails = 0, r;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "ls") == 0)
			r = op_ls(sftp);
		else if (strcmp(argv[i], "get") == 0 && i + 2 < argc) {
			r = op_get(sftp, argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(argv[i], "rm") == 0 && i + 1 < argc) {
			if ((r = sftp_unlink(sftp, argv[++i])) != 0)
				fprintf(stderr, "rm %s: error %d\n", argv[i],
				    sftp_get_error(sftp));
		} else if (strcmp(argv[i], "wopen") == 0 && i + 1 < argc)
			r = op_wopen(sftp, argv[++i]);
		else
			usage();
		if (r != 0)
			fails++;
	}
	return fails;
}

int
main(int argc, char **argv)
{
	struct opts	 o = { .subsystem = "pfish", .port = 22 };
	ssh_session	 s;
	sftp_session	 sftp = NULL;
	const char	*errstr = NULL;
	int		 ch, fails = 1;

	while ((ch = getopt(argc, argv, "Ni:k:p:s:u:")) != -1) {
		switch (ch) {
		case 'N':
			o.nodelay = 1;
			break;
		case 'i':
			o.key = optarg;
			break;
		case 'k':
			o.known_hosts = optarg;
			break;
		case 'p':
			o.port = (unsigned int)strtonum(optarg, 1, 65535,
			    &errstr);
			break;
		case 's':
			o.subsystem = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (errstr != NULL || argc < 1 || o.key == NULL ||
	    o.known_hosts == NULL)
		usage();
	o.host = argv[0];
	if ((s = session_open(&o)) == NULL)
		return 1;
	if ((sftp = sftp_open_subsystem(s, o.subsystem)) == NULL)
		goto out;
	printf("server version %d\n", sftp_server_version(sftp));
	fails = run_ops(sftp, argc - 1, argv + 1);
 out:
	if (sftp != NULL)
		sftp_free(sftp);
	ssh_disconnect(s);
	ssh_free(s);
	return fails == 0 ? 0 : 1;
}
