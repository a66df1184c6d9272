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

/* rss.c: run a program, then record its wall time, peak RSS and CPU time. */

/*
 * Usage: rss OUTFILE PROGRAM [ARG ...]
 *
 * Runs PROGRAM with the caller's stdin, stdout and stderr, waits for it
 * with wait4(2) and writes one line to OUTFILE:
 *	wall_seconds peak_rss_kib user_seconds system_seconds
 * The rusage covers PROGRAM and the children it waited for.  Exits with
 * PROGRAM's exit status (128 + signal if it was killed).  The benchmark
 * wraps each server in this so the server's own peak RSS is measured,
 * and each client run so its wall time is measured without a shell.
 */

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double
tv_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double
ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int
write_result(const char *path, double wall, const struct rusage *ru)
{
	FILE	*f;
	int	 fd, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1)
		goto out;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto out;
	}
	fprintf(f, "%.6f %ld %.6f %.6f\n", wall, ru->ru_maxrss,
	    tv_seconds(&ru->ru_utime), tv_seconds(&ru->ru_stime));
	if (fclose(f) != 0)
		goto out;
	ret = 0;
 out:
	return ret;
}

int
main(int argc, char *argv[])
{
	struct rusage	 ru;
	struct timespec	 t0, t1;
	pid_t		 pid;
	int		 status;

	if (argc < 3) {
		fprintf(stderr, "usage: rss outfile program [arg ...]\n");
		return 2;
	}
	/* The server's peer may go away first; that is not our business. */
	signal(SIGPIPE, SIG_DFL);
	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		err(2, "clock_gettime");
	if ((pid = fork()) == -1)
		err(2, "fork");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		warn("exec %s", argv[2]);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			err(2, "wait4");
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		err(2, "clock_gettime");
	if (write_result(argv[1], ts_diff(&t0, &t1), &ru) == -1)
		err(2, "%s", argv[1]);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
