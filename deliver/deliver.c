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

/* deliver.c: pfish-deliver: encrypt one message, get it signed and stored. */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hash.h"
#include "agecrypt.h"
#include "deliver.h"
#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "pfish.h"
#include "stdopts.h"
#include "stmt.h"

#define SIG_END		"-----END SSH SIGNATURE-----\n"

struct delivery {
	const char	*user;
	const char	*rcptfile;
	const char	*signer_cmd;
	const char	*store_cmd;
	const char	*spool;
	uint64_t	 maxsize;
	int		 bounce_nombox;	/* -b: no mailbox on the store is final */
	int		 dirfd;		/* SPOOL/USER */
	int		 errfd;		/* a child's stderr, for its last line */
	char		 name[80];	/* HEX.age, named by the plaintext */
	uint64_t	 size;		/* of the .age */
	char		 sha[65];	/* of the .age */
	char		*record;	/* signed record, then signed head */
	size_t		 recordlen;
	uint64_t	 seq;		/* the record's */
	pid_t		 sigpid;	/* the signer, waiting for our report */
	int		 sigin;		/* its stdin: "stored SEQ" */
	int		 sigout;	/* its stdout: "settled SEQ" */
	int		 sigerr;	/* its stderr file */
	char		 sigprog[256];	/* its command's program */
	pid_t		 stpid;		/* the store, waiting for the record */
	int		 stin;		/* its stdin */
	int		 sterr;		/* its stderr file */
	char		 stprog[256];	/* its command's program */
};

extern char **environ;

static volatile sig_atomic_t timed_out;

static void
usage_print(FILE *f)
{
	fprintf(f, "usage: pfish-deliver [-b] [-r recipients] "
	    "[-S signer_cmd] [-A store_cmd]\n"
	    "                     [-d spooldir] [-m maxsize] [-t timeout] "
	    "user\n");
}

static void __attribute__((noreturn))
usage(void)
{
	usage_print(stderr);
	exit(EX_USAGE);
}

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* No recipients file means no such user here; a bad one is our fault. */
static int
load_recipients(struct delivery *d, struct age_recipients *rc)
{
	char path[1024];
	const char *p = d->rcptfile;
	int n, r;

	if (p == NULL) {
		n = snprintf(path, sizeof(path), "%s/%s", PFISH_RECIPIENTS_DIR,
		    d->user);
		if (n < 0 || (size_t)n >= sizeof(path))
			return EX_NOUSER;
		p = path;
	}
	if ((r = age_recipients_load(rc, p)) == AGE_ERR_IO && errno == ENOENT) {
		error("%s: no recipients for %s", p, d->user);
		return EX_NOUSER;
	}
	if (r == AGE_ERR_IO) {
		error_errno("%s", p);
		return EX_TEMPFAIL;
	}
	if (r != 0 || age_recipients_count(rc) == 0) {
		error("%s: %s", p, r != 0 ? pfish_strerror(r) : "no recipients");
		return EX_CONFIG;
	}
	return 0;
}

static int
open_spool(struct delivery *d)
{
	int fd;

	if (mkdir(d->spool, 0700) == -1 && errno != EEXIST)
		goto fail;
	if ((fd = open(d->spool, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		goto fail;
	if (mkdirat(fd, d->user, 0700) == -1 && errno != EEXIST) {
		close(fd);
		goto fail;
	}
	d->dirfd = fs_open_dir(fd, d->user);
	close(fd);
	if (d->dirfd != -1)
		return 0;
fail:
	error_errno("spool %s", d->spool);
	return EX_TEMPFAIL;
}

/* Size and SHA-256 of a spooled ciphertext from an earlier attempt. */
static int
hash_spooled(struct delivery *d)
{
	struct hash_sha256 sha;
	u_char buf[65536], h[32];
	ssize_t n;
	int fd;

	if ((fd = openat(d->dirfd, d->name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return EX_TEMPFAIL;
	hash_sha256_init(&sha);
	d->size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n == -1 &&
	    errno == EINTR)) {
		if (n <= 0)
			continue;
		hash_sha256_update(&sha, buf, (size_t)n);
		d->size += (uint64_t)n;
	}
	close(fd);
	if (n == -1)
		return EX_TEMPFAIL;
	hash_sha256_final(&sha, h);
	sodium_bin2hex(d->sha, sizeof(d->sha), h, sizeof(h));
	return 0;
}

static int
encrypt_error(int r, int fd, int dirfd, const char *tmpname)
{
	close(fd);
	unlinkat(dirfd, tmpname, 0);
	if (r == AGE_ERR_TOOBIG) {
		error("message larger than allowed");
		return EX_DATAERR;
	}
	error("encrypt: %s", pfish_strerror(r));
	return EX_TEMPFAIL;
}

/*
 * Encrypt standard input into the spool, named by the plaintext's hash.
 * If an earlier attempt at this very message left its ciphertext (the
 * signer or store failed), that one is used again: the signer then hands
 * out the same record and the store sees a duplicate, not a new seq.
 */
static int
encrypt_to_spool(struct delivery *d, const struct age_recipients *rc)
{
	struct age_opts o;
	struct stat st;
	char tmpname[64], hex[65];
	int fd, r;

	memset(&o, 0, sizeof(o));
	o.want_sha256 = o.want_in_sha256 = 1;
	o.max_in = d->maxsize;
	if ((fd = fs_tmp_create(d->dirfd, 0600, tmpname, sizeof(tmpname))) ==
	    -1) {
		error_errno("spool");
		return EX_TEMPFAIL;
	}
	if ((r = age_encrypt_fd(rc, STDIN_FILENO, fd, &o)) != 0)
		return encrypt_error(r, fd, d->dirfd, tmpname);
	if (o.in_bytes == 0) {
		close(fd);
		unlinkat(d->dirfd, tmpname, 0);
		error("empty message");
		return EX_DATAERR;
	}
	sodium_bin2hex(hex, sizeof(hex), o.in_sha256, sizeof(o.in_sha256));
	r = snprintf(d->name, sizeof(d->name), "%s%s", hex, PFISH_AGE_SUFFIX);
	if (r < 0 || (size_t)r >= sizeof(d->name))
		return encrypt_error(AGE_ERR_INVALID, fd, d->dirfd, tmpname);
	/* Never replace: a concurrent attempt may be sending that file. */
	r = fsync(fd);
	if (close(fd) == -1 || r == -1 ||
	    (renameat2(d->dirfd, tmpname, d->dirfd, d->name,
	    RENAME_NOREPLACE) == -1 && errno != EEXIST)) {
		error_errno("spool commit");
		unlinkat(d->dirfd, tmpname, 0);
		return EX_TEMPFAIL;
	}
	if (fstatat(d->dirfd, tmpname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		unlinkat(d->dirfd, tmpname, 0);
		verbose("%s: retrying an earlier attempt", d->user);
		return hash_spooled(d);
	}
	if (fs_fsync_dir(d->dirfd) == -1) {
		error_errno("spool commit");
		return EX_TEMPFAIL;
	}
	d->size = o.out_bytes;
	sodium_bin2hex(d->sha, sizeof(d->sha), o.sha256, sizeof(o.sha256));
	return 0;
}

/*
 * argv for a configured command: its words (split at spaces, no shell),
 * then extra.  buf holds the words.  Returns 0 or -1 if too many.
 */
static int
build_argv(const char *cmd, char *buf, size_t buflen, char **argv,
    const char *const *extra)
{
	char *p, *last;
	int argc = 0;

	if (strlcpy(buf, cmd, buflen) >= buflen)
		return -1;
	for (p = strtok_r(buf, " ", &last); p != NULL;
	    p = strtok_r(NULL, " ", &last)) {
		if (argc >= DELIVER_ARGS_MAX)
			return -1;
		argv[argc++] = p;
	}
	for (; *extra != NULL; extra++) {
		if (argc >= DELIVER_ARGS_MAX)
			return -1;
		argv[argc++] = (char *)*extra;
	}
	argv[argc] = NULL;
	return argc > 0 ? 0 : -1;
}

/*
 * Is cmd something execvp can run?  Names without a slash are looked up
 * in PATH (smtpd gives an MDA only /bin:/usr/bin).
 */
static int
runnable(const char *cmd)
{
	char dir[1024], path[2048];
	const char *p, *e;
	size_t n;

	if (strchr(cmd, '/') != NULL)
		return access(cmd, X_OK) == 0;
	if ((p = getenv("PATH")) == NULL)
		p = "/bin:/usr/bin";
	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || n >= sizeof(dir))
			continue;
		memcpy(dir, p, n);
		dir[n] = '\0';
		if (snprintf(path, sizeof(path), "%s/%s", dir, cmd) <
		    (int)sizeof(path) && access(path, X_OK) == 0)
			return 1;
	}
	return 0;
}

/*
 * Start argv with stdin from infd, stdout to outfd (-1: /dev/null) and
 * stderr to errfd (-1: ours); -1, said, if it cannot be started.
 * posix_spawn shares our memory until the exec, where fork would copy
 * the page tables and then fault in every page either side writes.  The
 * descriptors passed are close-on-exec; the dup2 actions give the child
 * its own copies.
 */
static pid_t
spawn(char **argv, int infd, int outfd, int errfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def;
	pid_t pid = -1;
	int r;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	if ((r = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGALRM);
	if ((r = infd != -1 ?
	    posix_spawn_file_actions_adddup2(&fa, infd, STDIN_FILENO) :
	    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDWR, 0)) == 0 &&
	    (r = outfd != -1 ?
	    posix_spawn_file_actions_adddup2(&fa, outfd, STDOUT_FILENO) :
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_RDWR, 0)) == 0 &&
	    (errfd == -1 || (r = posix_spawn_file_actions_adddup2(&fa, errfd,
	    STDERR_FILENO)) == 0) &&
	    (r = posix_spawnattr_setsigdefault(&at, &def)) == 0 &&
	    (r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF)) == 0)
		r = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
 out:
	if (r != 0) {
		errno = r;
		error_errno("cannot run %s", argv[0]);
		return -1;
	}
	return pid;
}

/* A fresh, already unlinked file in the spool for a child's stderr. */
static int
err_open(struct delivery *d)
{
	char name[64];
	int i;

	if (d->errfd != -1)
		close(d->errfd);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), ".err.%ld.%08x", (long)getpid(),
		    randombytes_random());
		d->errfd = openat(d->dirfd, name, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (d->errfd != -1) {
			unlinkat(d->dirfd, name, 0);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	error_errno("spool: stderr file");
	return -1;
}

/* The last non-empty line a child wrote to its stderr file fd, or "". */
static void
err_last(int fd, char *line, size_t linelen)
{
	char buf[1024], *p, *e;
	off_t end;
	ssize_t n;

	line[0] = '\0';
	if (fd == -1 || (end = lseek(fd, 0, SEEK_END)) <= 0)
		return;
	n = pread(fd, buf, sizeof(buf) - 1, end > (off_t)sizeof(buf) - 1 ?
	    end - (off_t)sizeof(buf) + 1 : 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (e = buf + n; e > buf && (e[-1] == '\n' || e[-1] == '\r'); e--)
		e[-1] = '\0';
	p = strrchr(buf, '\n');
	p = p != NULL ? p + 1 : buf;
	strlcpy(line, p, linelen);
	for (p = line; *p != '\0'; p++)	/* the peer's text, into logs */
		if ((u_char)*p < 0x20 || (u_char)*p == 0x7f)
			*p = '?';
}

/*
 * Wait for child pid; once the delivery's time is up (the alarm), kill it
 * first, and again if the alarm comes during the wait.
 */
static int
wait_child(pid_t pid, int *status)
{
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1) {
		if (errno != EINTR)
			return -1;
		if (timed_out)
			kill(pid, SIGKILL);
	}
	return 0;
}

/*
 * The peer's verdict as our exit code: its 65 and 67 are final answers,
 * anything else (75, an ssh failure, a crash, a timeout) may pass.  A
 * failure is logged with the command's name and the last line it wrote
 * to stderr, which becomes the reason the mail system logs.  The
 * store's 67 (no such mailbox) is final only with -b.  errfd is the
 * child's stderr file.
 */
static int
reap(struct delivery *d, pid_t pid, const char *what, const char *prog,
    int errfd)
{
	char last[512];
	const char *base;
	int status, code;

	if (wait_child(pid, &status) == -1) {
		error_errno("waitpid");
		return EX_TEMPFAIL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !timed_out)
		return 0;
	err_last(errfd, last, sizeof(last));
	base = strrchr(prog, '/') != NULL ? strrchr(prog, '/') + 1 : prog;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (timed_out)
		error("%s %s timed out%s%s", what, base, last[0] ? ": " : "",
		    last);
	else if (code == -1)
		error("%s %s killed by signal %d%s%s", what, base,
		    WTERMSIG(status), last[0] ? ": " : "", last);
	else if (code == EX_NOUSER && strcmp(what, "store") == 0)
		error("%s: mailbox not on the store (never initialised? "
		    "pfish-store init %s)%s: %s%s%s", d->user, d->user,
		    d->bounce_nombox ? "" : ", deferred", base,
		    last[0] ? ": " : "", last);
	else
		error("%s %s failed (exit %d)%s%s", what, base, code,
		    last[0] ? ": " : "", last);
	if (timed_out || code == -1)
		return EX_TEMPFAIL;
	if (code == EX_NOUSER && strcmp(what, "store") == 0)
		return d->bounce_nombox ? EX_NOUSER : EX_TEMPFAIL;
	if (code == EX_DATAERR || code == EX_NOUSER)
		return code;
	return EX_TEMPFAIL;
}

/* The command's program can be run; else say why, and defer. */
static int
check_runnable(const char *what, char **argv)
{
	if (runnable(argv[0]))
		return 0;
	if (strchr(argv[0], '/') != NULL)
		error_errno("cannot run %s command %s", what, argv[0]);
	else
		error("cannot run %s command %s: not found in PATH (%s)", what,
		    argv[0], getenv("PATH") != NULL ? getenv("PATH") : "");
	return EX_TEMPFAIL;
}

/* The seq of the signed record at the start of d->record. */
static int
record_seq(struct delivery *d)
{
	char *p, *e;

	if ((p = strstr(d->record, "\nseq ")) == NULL ||
	    (e = strchr(p + 5, '\n')) == NULL)
		return -1;
	*e = '\0';
	if (stmt_u64_from_dec(p + 5, &d->seq) != 0 || d->seq == 0) {
		*e = '\n';
		return -1;
	}
	*e = '\n';
	return 0;
}

/* The record and the head that follow it are whole. */
static int
signed_whole(const struct delivery *d)
{
	const char *p;

	d->record[d->recordlen] = '\0';
	if (d->recordlen < strlen(SIG_END) || strcmp(d->record +
	    d->recordlen - strlen(SIG_END), SIG_END) != 0)
		return 0;
	p = strstr(d->record, SIG_END);
	return p != NULL && p + strlen(SIG_END) < d->record + d->recordlen;
}

/*
 * Start "signer_cmd deliver USER" before the message is read, as the store
 * is, so that its start-up (over ssh, a connection to the signing host)
 * overlaps reading, encrypting and spooling.  It waits for sign()'s
 * request on its standard input and has spent no seq until then; closing
 * that input unasked lets it go.  A signer that cannot be run is found
 * before anything is read.
 */
static int
signer_start(struct delivery *d)
{
	char buf[1024], *argv[DELIVER_ARGS_MAX + 1];
	const char *extra[] = { "deliver", d->user, NULL };
	int p[2], q[2], r;

	if (build_argv(d->signer_cmd, buf, sizeof(buf), argv, extra) == -1) {
		error("bad signer command");
		return EX_CONFIG;
	}
	if ((r = check_runnable("signer", argv)) != 0)
		return r;
	strlcpy(d->sigprog, argv[0], sizeof(d->sigprog));
	if ((d->record = malloc(DELIVER_RECORD_MAX + 1)) == NULL ||
	    err_open(d) == -1 || pipe2(p, O_CLOEXEC) == -1)
		return EX_TEMPFAIL;
	if (pipe2(q, O_CLOEXEC) == -1) {
		close(p[0]);
		close(p[1]);
		return EX_TEMPFAIL;
	}
	d->sigpid = spawn(argv, q[0], p[1], d->errfd);
	close(p[1]);
	close(q[0]);
	d->sigin = q[1];
	d->sigout = p[0];
	d->sigerr = d->errfd;
	d->errfd = -1;
	return d->sigpid == -1 ? EX_TEMPFAIL : 0;
}

/*
 * "SIZE SHA256" of the spooled ciphertext to the waiting signer; its
 * stdout is the record and a head that covers it, both for the store.
 * The signer then waits for signer_report() on its stdin; it is not
 * reaped here unless it failed.
 */
static int
sign(struct delivery *d)
{
	char req[96];
	ssize_t n;
	int r;

	r = snprintf(req, sizeof(req), "%llu %s\n",
	    (unsigned long long)d->size, d->sha);
	if (r < 0 || (size_t)r >= sizeof(req))
		return EX_SOFTWARE;
	/* A signer already gone: EPIPE; its exit says why, below. */
	if (fs_write_all(d->sigin, req, (size_t)r) == 0)
		while (d->recordlen < DELIVER_RECORD_MAX && !timed_out &&
		    !signed_whole(d) && ((n = read(d->sigout, d->record +
		    d->recordlen, DELIVER_RECORD_MAX - d->recordlen)) > 0 ||
		    (n == -1 && errno == EINTR)))
			d->recordlen += n > 0 ? (size_t)n : 0;
	if (signed_whole(d) && record_seq(d) == 0)
		return 0;
	close(d->sigin);
	d->sigin = -1;
	r = reap(d, d->sigpid, "signer", d->sigprog, d->sigerr);
	d->sigpid = -1;
	if (r != 0)
		return r;
	error("signer: no signed record in its output");
	return EX_TEMPFAIL;
}

/*
 * "signer_cmd stored USER SEQ": the signer stops holding the record for a
 * retry; "void": it signs a void for it (the store refused it for good).
 */
static int
settle(struct delivery *d, const char *verb, uint64_t seq)
{
	char buf[1024], seqs[32], *argv[DELIVER_ARGS_MAX + 1];
	const char *extra[] = { verb, d->user, seqs, NULL };
	pid_t pid;
	int r;

	r = snprintf(seqs, sizeof(seqs), "%llu", (unsigned long long)seq);
	if (r < 0 || (size_t)r >= sizeof(seqs))
		return EX_SOFTWARE;
	if (build_argv(d->signer_cmd, buf, sizeof(buf), argv, extra) == -1) {
		error("bad signer command");
		return EX_CONFIG;
	}
	if (err_open(d) == -1 || (pid = spawn(argv, -1, -1, d->errfd)) == -1)
		return EX_TEMPFAIL;
	return reap(d, pid, verb, argv[0], d->errfd);
}

/*
 * Report the store's answer to the signer still waiting since sign():
 * "VERB SEQ" on its stdin, "settled SEQ" back on its stdout, in the run
 * that signed the record (over ssh, the same connection).  A signer
 * that does not answer (an older one reports only in a run of its own)
 * is asked in a second run.  verb NULL: nothing to report (the store
 * failed for now); the record stays pending for the retry.
 */
static int
signer_report(struct delivery *d, const char *verb)
{
	char line[48], ack[48];
	size_t n = 0;
	ssize_t r;
	int code, acked = 0;

	if (d->sigpid == -1)
		return verb != NULL ? settle(d, verb, d->seq) : 0;
	snprintf(line, sizeof(line), "%s %llu\n", verb != NULL ? verb : "",
	    (unsigned long long)d->seq);
	/* An older signer may be gone: EPIPE, and no answer below. */
	if (verb != NULL)
		(void)fs_write_all(d->sigin, line, strlen(line));
	close(d->sigin);
	d->sigin = -1;
	while (verb != NULL && n < sizeof(ack) - 1 && !timed_out &&
	    ((r = read(d->sigout, ack + n, sizeof(ack) - 1 - n)) > 0 ||
	    (r == -1 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	ack[n] = '\0';
	snprintf(line, sizeof(line), "settled %llu\n",
	    (unsigned long long)d->seq);
	acked = strcmp(ack, line) == 0;
	close(d->sigout);
	d->sigout = -1;
	code = reap(d, d->sigpid, verb != NULL ? verb : "signer", d->sigprog,
	    d->sigerr);
	d->sigpid = -1;
	if (verb == NULL || code != 0 || acked)
		return verb == NULL ? 0 : code;
	return settle(d, verb, d->seq);
}

/* The marker's name: the spool file's, without ".age". */
static int
done_name(const struct delivery *d, uint64_t day, char *buf, size_t len)
{
	size_t n = strlen(d->name) - strlen(PFISH_AGE_SUFFIX);
	int r;

	r = snprintf(buf, len, "%s/%llu/%.*s", DELIVER_DONE_DIR,
	    (unsigned long long)day, (int)n, d->name);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/*
 * The store accepted this very message on an earlier attempt (the marker
 * DONE/DAY/HEX holds its seq): 1 and *seq, else 0.
 */
static int
done_lookup(const struct delivery *d, uint64_t *seq)
{
	char path[160], link[32];
	u_char *data;
	size_t len;
	ssize_t n;
	uint64_t i, today = (uint64_t)time(NULL) / 86400;
	int found = 0;

	for (i = 0; i <= DELIVER_DONE_DAYS && i <= today && !found; i++) {
		if (done_name(d, today - i, path, sizeof(path)) != 0)
			continue;
		if ((n = readlinkat(d->dirfd, path, link, sizeof(link) - 1)) >
		    0) {
			link[n] = '\0';
			found = stmt_u64_from_dec(link, seq) == 0;
			continue;
		}
		/* A marker file, as earlier versions wrote. */
		if (errno != EINVAL ||
		    fs_read_file(d->dirfd, path, 32, &data, &len) == -1)
			continue;
		if (len > 1 && data[len - 1] == '\n') {
			data[len - 1] = '\0';
			found = stmt_u64_from_dec((char *)data, seq) == 0;
		}
		free(data);
	}
	return found;
}

/* mkdir name below dirfd (made durable) and open it. */
static int
sub_dir(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0700) == 0) {
		if (fs_fsync_dir(dirfd) == -1)
			return -1;
	} else if (errno != EEXIST)
		return -1;
	return fs_open_dir(dirfd, name);
}

/*
 * The marker is a symbolic link whose target is the seq: made under a
 * temporary name and renamed, it is whole or absent, and one fsync of
 * its directory makes it durable (a short link lives in its inode).
 */
static int
mark_link(int dayfd, const char *name, const char *seq)
{
	char tmp[64];
	int r;

	r = snprintf(tmp, sizeof(tmp), ".tmp.%ld.mark", (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -1;
	(void)unlinkat(dayfd, tmp, 0);	/* left by a killed attempt */
	if (symlinkat(seq, dayfd, tmp) == -1)
		return -1;
	if (renameat(dayfd, tmp, dayfd, name) == -1) {
		(void)unlinkat(dayfd, tmp, 0);
		return -1;
	}
	return fs_fsync_dir(dayfd);
}

/* Durably remember that the store has this message, under today. */
static int
done_mark(const struct delivery *d)
{
	char day[32], path[160], line[32];
	int donefd, dayfd = -1, r = -1;

	snprintf(day, sizeof(day), "%llu",
	    (unsigned long long)(time(NULL) / 86400));
	snprintf(line, sizeof(line), "%llu", (unsigned long long)d->seq);
	if (done_name(d, 0, path, sizeof(path)) != 0)
		return EX_SOFTWARE;
	if ((donefd = sub_dir(d->dirfd, DELIVER_DONE_DIR)) != -1 &&
	    (dayfd = sub_dir(donefd, day)) != -1 &&
	    mark_link(dayfd, strrchr(path, '/') + 1, line) == 0)
		r = 0;
	if (r != 0)
		error_errno("spool: delivered marker");
	if (dayfd != -1)
		close(dayfd);
	if (donefd != -1)
		close(donefd);
	return r == 0 ? 0 : EX_TEMPFAIL;
}

/* Forget markers older than any retry the mail system still makes. */
static void
done_prune(const struct delivery *d)
{
	struct dirent *de, *fe;
	DIR *dd, *fd;
	uint64_t day, today = (uint64_t)time(NULL) / 86400;
	int donefd, dayfd;

	if ((donefd = fs_open_dir(d->dirfd, DELIVER_DONE_DIR)) == -1)
		return;
	if ((dd = fdopendir(donefd)) == NULL) {
		close(donefd);
		return;
	}
	while ((de = readdir(dd)) != NULL) {
		if (stmt_u64_from_dec(de->d_name, &day) != 0 ||
		    day + DELIVER_DONE_DAYS >= today ||
		    (dayfd = fs_open_dir(donefd, de->d_name)) == -1)
			continue;
		if ((fd = fdopendir(dayfd)) == NULL) {
			close(dayfd);
			continue;
		}
		while ((fe = readdir(fd)) != NULL)
			if (strcmp(fe->d_name, ".") != 0 &&
			    strcmp(fe->d_name, "..") != 0)
				unlinkat(dayfd, fe->d_name, 0);
		closedir(fd);
		unlinkat(donefd, de->d_name, AT_REMOVEDIR);
	}
	closedir(dd);
}

/* The record, then the ciphertext, into the store's standard input. */
static int
feed_store(struct delivery *d, int out)
{
	u_char buf[65536];
	ssize_t n = 0;
	int fd, r = 0;

	if (fs_write_all(out, d->record, d->recordlen) == -1)
		return -1;
	if ((fd = openat(d->dirfd, d->name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	while (r == 0 && !timed_out && ((n = read(fd, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)))
		if (n > 0 && fs_write_all(out, buf, (size_t)n) == -1)
			r = -1;
	if (n == -1 || timed_out)
		r = -1;
	close(fd);
	return r;
}

/*
 * Start "store_cmd accept USER" before there is a record to give it, so
 * that its start-up (over ssh, a connection to the fetch host) overlaps
 * the signer's run.  It waits on its standard input: store_feed gives it
 * the record and message, store_stop lets it go unfed.  A store command
 * that cannot be run is found before the signer spends a seq.
 */
static int
store_start(struct delivery *d)
{
	char buf[1024], *argv[DELIVER_ARGS_MAX + 1];
	const char *extra[] = { "accept", d->user, NULL };
	int p[2], r;

	if (build_argv(d->store_cmd, buf, sizeof(buf), argv, extra) == -1) {
		error("bad store command");
		return EX_CONFIG;
	}
	if ((r = check_runnable("store", argv)) != 0)
		return r;
	strlcpy(d->stprog, argv[0], sizeof(d->stprog));
	if (err_open(d) == -1 || pipe2(p, O_CLOEXEC) == -1)
		return EX_TEMPFAIL;
	d->stpid = spawn(argv, p[0], d->errfd, d->errfd);
	close(p[0]);
	d->stin = p[1];
	d->sterr = d->errfd;	/* the signer gets a file of its own */
	d->errfd = -1;
	return d->stpid == -1 ? EX_TEMPFAIL : 0;
}

/* The signed record and the message to the waiting store; its answer. */
static int
store_feed(struct delivery *d)
{
	int fed, r;

	fed = feed_store(d, d->stin);
	close(d->stin);
	d->stin = -1;
	r = reap(d, d->stpid, "store", d->stprog, d->sterr);
	d->stpid = -1;
	if (r != 0)
		return r;
	if (fed == -1) {
		error_errno("store: feeding");
		return EX_TEMPFAIL;
	}
	return 0;
}

/*
 * A store started but never fed (no signed record came): it has read
 * nothing and so done nothing; stop it without a word in the log (and
 * for good if it outlives the time the delivery may take).
 */
static void
store_stop(struct delivery *d)
{
	int status;

	if (d->stin != -1)
		close(d->stin);
	d->stin = -1;
	if (d->stpid == -1)
		return;
	kill(d->stpid, SIGTERM);
	(void)wait_child(d->stpid, &status);
	d->stpid = -1;
}

static void
parse_args(struct delivery *d, int argc, char **argv, int *timeout)
{
	const char *errstr;
	int ch;

	while ((ch = getopt(argc, argv, "A:bd:m:r:S:t:")) != -1) {
		switch (ch) {
		case 'b':
			d->bounce_nombox = 1;
			break;
		case 'A':
			d->store_cmd = optarg;
			break;
		case 'd':
			d->spool = optarg;
			break;
		case 'm':
			d->maxsize = strtonum(optarg, 1, INT64_MAX, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'r':
			d->rcptfile = optarg;
			break;
		case 'S':
			d->signer_cmd = optarg;
			break;
		case 't':
			*timeout = (int)strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	d->user = argv[optind];
}

/* Encrypt, sign, store; then the spooled ciphertext is no longer needed. */
static int
deliver(struct delivery *d, int timeout)
{
	struct age_recipients *rc;
	int r, spooled = 0;

	if ((rc = age_recipients_new()) == NULL)
		return EX_TEMPFAIL;
	if ((r = load_recipients(d, rc)) != 0 || (r = open_spool(d)) != 0)
		goto out;
	if ((r = store_start(d)) == 0 && (r = signer_start(d)) == 0 &&
	    (r = encrypt_to_spool(d, rc)) == 0)
		spooled = 1;
	/* The signer's and store's time, and that of stopping them. */
	alarm((unsigned)timeout);
	if (spooled && done_lookup(d, &d->seq)) {
		/* Stored before; only the signer may not have heard. */
		if ((r = settle(d, "stored", d->seq)) == 0)
			logit("%s: already delivered as seq %llu", d->user,
			    (unsigned long long)d->seq);
	} else if (spooled && (r = sign(d)) == 0 &&
	    (r = store_feed(d)) == 0 && (r = done_mark(d)) == 0 &&
	    (r = signer_report(d, "stored")) == 0)
		logit("%s: delivered seq %llu, %llu bytes, sha256 %.16s",
		    d->user, (unsigned long long)d->seq,
		    (unsigned long long)d->size, d->sha);
	/* The store refused it for good: close its seq with a void. */
	if ((r == EX_DATAERR || r == EX_NOUSER) && d->seq != 0 &&
	    signer_report(d, "void") == 0)
		logit("%s: seq %llu voided", d->user,
		    (unsigned long long)d->seq);
	(void)signer_report(d, NULL);	/* still waiting: let it go */
	store_stop(d);
	alarm(0);
	if (r == 0)
		done_prune(d);
	/*
	 * Keep the ciphertext only for a retry that can succeed.  Its
	 * removal need not be durable: a spool file that comes back after a
	 * crash is one the marker (or the store's refusal) already settles,
	 * should the same message come again; otherwise it only takes space.
	 */
	if (spooled && r != EX_TEMPFAIL)
		unlinkat(d->dirfd, d->name, 0);
out:
	age_recipients_free(rc);
	return r;
}

int
deliver_main(int argc, char **argv)
{
	struct delivery d;
	struct sigaction sa;
	int timeout = DELIVER_TIMEOUT, r;

	switch (stdopts(argc, argv, "pfish-deliver")) {
	case STDOPT_HELP:
		usage_print(stdout);
		return 0;
	case STDOPT_VERSION:
		return 0;
	}
	memset(&d, 0, sizeof(d));
	d.signer_cmd = DELIVER_SIGNER_CMD;
	d.store_cmd = DELIVER_STORE_CMD;
	d.spool = PFISH_DELIVER_SPOOL;
	d.dirfd = d.errfd = d.sigin = d.sigout = d.sigerr = -1;
	d.stin = d.sterr = -1;
	d.sigpid = d.stpid = -1;
	/* stderr for the mail system's log of this delivery, and syslog. */
	log_init("pfish-deliver", LOG_LEVEL_INFO, LOG_MAIL, LOG_TO_BOTH);
	parse_args(&d, argc, argv, &timeout);
	/* The login name, as every statement names the mailbox. */
	if (!stmt_valid_mailbox(d.user)) {
		error("bad user name");
		return EX_NOUSER;
	}
	if (sodium_init() < 0)
		return EX_SOFTWARE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: I/O is interrupted */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = deliver(&d, timeout);
	if (d.dirfd != -1)
		close(d.dirfd);
	if (d.errfd != -1)
		close(d.errfd);
	if (d.sigerr != -1)
		close(d.sigerr);
	if (d.sterr != -1)
		close(d.sterr);
	free(d.record);
	return r;
}
