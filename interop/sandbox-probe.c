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

/* sandbox-probe.c: confine itself as pfish-server does, then try one act. */

/*
 * Usage: sandbox-probe [-nw] [-t rights] mailbox action [arg ...]
 *   -n  do not confine (control run: shows the test can tell)
 *   -w  confine with SANDBOX_ALLOW_WRITE_STATE
 *   -t  confine as a tool (sandbox_tool) with rights on the mailbox tree:
 *       r read, d remove, c create, m mkdir (pfish-store accept: rdc)
 * Prints "confined STATUS", then "ACTION ok [data]" or "ACTION ERRNAME".
 * A system call the seccomp filter refuses kills the process (SIGSYS).
 * Paths are relative to the mailbox unless absolute.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "sandbox.h"

static int dirfd_mb = -1;

static const char *
errname(int e)
{
	static char num[32];

	switch (e) {
	case 0:		return "ok";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case EXDEV:	return "EXDEV";
	case ENOTTY:	return "ENOTTY";
	case ELOOP:	return "ELOOP";
	case EEXIST:	return "EEXIST";
	default:
		snprintf(num, sizeof(num), "errno%d", e);
		return num;
	}
}

static int
do_read(const char *path, char *data, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd_mb, path, O_RDONLY)) == -1)
		return errno;
	n = read(fd, data, len - 1);
	close(fd);
	if (n < 0)
		return errno;
	data[n] = '\0';
	data[strcspn(data, "\n")] = '\0';
	return 0;
}

static int
do_open(const char *path, int how)
{
	int fd;

	if ((fd = openat(dirfd_mb, path, how, 0600)) == -1)
		return errno;
	if ((how & O_ACCMODE) != O_RDONLY && write(fd, "x\n", 2) != 2) {
		close(fd);
		return errno;
	}
	close(fd);
	return 0;
}

/* FIONREAD on a message: the one ioctl libevent's reads used to make. */
static int
do_fionread(const char *path)
{
	int fd, n, r;

	if ((fd = openat(dirfd_mb, path, O_RDONLY)) == -1)
		return errno;
	r = ioctl(fd, FIONREAD, &n) == -1 ? errno : 0;
	close(fd);
	return r;
}

static int
do_socket(int domain)
{
	int s;

	if ((s = socket(domain, SOCK_STREAM, 0)) == -1)
		return errno;
	close(s);
	return 0;
}

/* What verifying a statement needs after confinement: secure memory,
 * randomness, hashing, Ed25519. */
static int
do_sodium(void)
{
	u_char pk[crypto_sign_PUBLICKEYBYTES], *sk, sig[crypto_sign_BYTES];
	u_char h[crypto_hash_sha512_BYTES];
	int r;

	if ((sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return errno;
	randombytes_buf(h, sizeof(h));
	crypto_sign_keypair(pk, sk);
	crypto_hash_sha512(h, h, sizeof(h));
	crypto_sign_detached(sig, NULL, h, sizeof(h), sk);
	r = crypto_sign_verify_detached(sig, h, sizeof(h), pk) == 0 ? 0 : EINVAL;
	sodium_free(sk);
	return r;
}

static int
do_misc(const char *act, char **argv)
{
	void *p;

	if (strcmp(act, "exec") == 0) {
		execv(argv[0], argv);
		return errno;
	}
	if (strcmp(act, "fork") == 0) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		return pid == -1 ? errno : 0;
	}
	if (strcmp(act, "mmap-exec") == 0) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? errno : 0;
	}
	if (strcmp(act, "kill-parent") == 0)
		return kill(getppid(), 0) == -1 ? errno : 0;
	if (strcmp(act, "mkdir") == 0)
		return mkdirat(dirfd_mb, argv[0], 0700) == -1 ? errno : 0;
	if (strcmp(act, "sodium") == 0)
		return do_sodium();
	if (strcmp(act, "leak") == 0) {
		/* for sanitizer builds: the leak checker must still work */
		static void *volatile leaked;
		leaked = malloc(4096);
		memset(leaked, 'x', 4096);
		leaked = NULL;
		return 0;
	}
	if (strcmp(act, "wait") == 0) {
		printf("ready\n");
		fflush(stdout);
		return read(0, &p, 1) == -1 ? errno : 0;
	}
	return -1;
}

static int
act(const char *a, char **argv, int argc, char *data, size_t len)
{
	if (strcmp(a, "read") == 0 && argc == 1)
		return do_read(argv[0], data, len);
	if (strcmp(a, "create") == 0 && argc == 1)
		return do_open(argv[0], O_WRONLY | O_CREAT | O_EXCL);
	if (strcmp(a, "write") == 0 && argc == 1)
		return do_open(argv[0], O_WRONLY | O_APPEND);
	if (strcmp(a, "trunc") == 0 && argc == 1)
		return do_open(argv[0], O_RDONLY | O_TRUNC);
	if (strcmp(a, "unlink") == 0 && argc == 1)
		return unlinkat(dirfd_mb, argv[0], 0) == -1 ? errno : 0;
	if (strcmp(a, "rename") == 0 && argc == 2)
		return renameat(dirfd_mb, argv[0], dirfd_mb, argv[1]) == -1 ?
		    errno : 0;
	if (strcmp(a, "fionread") == 0 && argc == 1)
		return do_fionread(argv[0]);
	if (strcmp(a, "socket-inet") == 0)
		return do_socket(AF_INET);
	if (strcmp(a, "socket-unix") == 0)
		return do_socket(AF_UNIX);
	if (strcmp(a, "syslog") == 0) {
		syslog(LOG_INFO, "sandbox-probe confined syslog test");
		return 0;
	}
	return do_misc(a, argv);
}

static void
usage(void)
{
	fprintf(stderr, "usage: sandbox-probe [-nw] [-t rights] mailbox action "
	    "[arg ...]\n");
	exit(2);
}

static int
tool_rights(const char *s)
{
	int rights = 0;

	for (; *s != '\0'; s++) {
		if (*s == 'r')
			rights |= SANDBOX_READ;
		else if (*s == 'd')
			rights |= SANDBOX_REMOVE;
		else if (*s == 'c')
			rights |= SANDBOX_CREATE;
		else if (*s == 'm')
			rights |= SANDBOX_MKDIR;
		else
			usage();
	}
	return rights;
}

static int
confine_as(int tool, const char *path, int rights, int flags)
{
	struct sandbox_path p;

	if (!tool)
		return sandbox_server(dirfd_mb, path, flags);
	p.fd = dirfd_mb;
	p.path = path;
	p.rights = rights;
	return sandbox_tool(&p, 1, flags);
}

int
main(int argc, char **argv)
{
	char data[256] = "";
	int ch, flags = 0, confine = 1, r, tool = 0, rights = 0;

	log_init("sandbox-probe", LOG_LEVEL_INFO, LOG_USER, 1);
	while ((ch = getopt(argc, argv, "+nt:w")) != -1) {
		if (ch == 'n')
			confine = 0;
		else if (ch == 't') {
			tool = 1;
			rights = tool_rights(optarg);
		} else if (ch == 'w')
			flags |= SANDBOX_ALLOW_WRITE_STATE;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	if ((dirfd_mb = open(argv[0], O_RDONLY | O_DIRECTORY)) == -1)
		return (perror(argv[0]), 1);
	openlog("sandbox-probe", LOG_PID | LOG_NDELAY, LOG_USER);
	if (sodium_init() < 0)
		return (fprintf(stderr, "sodium_init failed\n"), 1);
	if (confine && confine_as(tool, argv[0], rights, flags) == -1)
		return (perror("sandbox"), 1);
	printf("confined %s\n", confine ? sandbox_status() : "no");
	fflush(stdout);
	if ((r = act(argv[1], argv + 2, argc - 2, data, sizeof(data))) == -1)
		usage();
	printf("%s %s%s%s\n", argv[1], errname(r), *data ? " " : "", data);
	return 0;
}
