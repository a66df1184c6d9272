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

/* serve.c: pfish-server's start-up, options and its I/O loop on fd 0/1. */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>

#include "layout.h"
#include "pfish.h"
#include "log.h"
#include "mailbox.h"
#include "sandbox.h"
#include "server.h"
#include "stdopts.h"

struct serve_io {
	struct event_base	*base;
	struct event		*rd;		/* fd 0 readable */
	struct event		*wr;		/* fd 1 writable */
	struct evbuffer		*in;
	struct evbuffer		*out;
	struct server		*s;
	int			 reading;	/* rd is pending */
	int			 writing;	/* wr is pending */
	int			 eof;
	int			 stopped;
	int			 status;
};

/*
 * Input is read in pieces of this size: a request is tens of bytes, a
 * client's pipelined burst a few KiB.  The heap serves it; the largest
 * packet arrives in a few reads.
 */
#define SERVE_READ_LEN		(16 * 1024)
/* At most this much output goes to one writev. */
#define SERVE_WRITE_MAX		(4 * PFISH_PACKET_MAX)

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr, "usage: pfish-server "
	    "[-ehLQRS] [-d dir] [-f facility] [-k keyfile] [-l level]\n"
	    "                   [-n maxhandles]\n");
	exit(status);
}

static void
serve_stop(struct serve_io *io, int status)
{
	if (status != 0)
		io->status = status;
	io->stopped = 1;
	event_base_loopbreak(io->base);
}

static void
serve_want(struct event *ev, int *pending, int want)
{
	if (want == *pending)
		return;
	if ((want ? event_add(ev, NULL) : event_del(ev)) == -1)
		fatal("cannot %s an event", want ? "add" : "remove");
	*pending = want;
}

/*
 * Write what the session queued.  What the descriptor does not take waits
 * for it to become writable.
 */
static int
serve_flush(struct serve_io *io)
{
	if (evbuffer_get_length(io->out) > 0 &&
	    evbuffer_write_atmost(io->out, 1, SERVE_WRITE_MAX) == -1 &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		error("write error: %s", strerror(errno));
		serve_stop(io, 1);
		return -1;
	}
	serve_want(io->wr, &io->writing, evbuffer_get_length(io->out) > 0);
	return 0;
}

/*
 * Run the session as far as it can go.  Replies below the high-water mark
 * are written at once, in the turn of the loop that read their requests:
 * a client that waits for each reply (the stock sftp client does) gets it
 * with no wait for the next poll.  Above the mark (large READs) reading
 * stops and the output is written when poll finds room in the descriptor,
 * in large writes; the write callback resumes at half the mark.
 */
static void
serve_pump(struct serve_io *io)
{
	if (io->stopped)
		return;
	if (server_input(io->s, io->in) != 0) {
		serve_stop(io, 1);
		return;
	}
	if (server_output_full(io->s)) {
		serve_want(io->rd, &io->reading, 0);
		serve_want(io->wr, &io->writing, 1);
		return;
	}
	if (!io->writing && serve_flush(io) == -1)
		return;
	if (!io->eof) {
		serve_want(io->rd, &io->reading, 1);
		return;
	}
	if (evbuffer_get_length(io->in) > 0) {
		error("truncated packet at end of input (%zu bytes)",
		    evbuffer_get_length(io->in));
		serve_stop(io, 1);
	} else if (evbuffer_get_length(io->out) == 0)
		serve_stop(io, 0);
}

/* One read(2) a wake-up, into the input buffer's own space. */
static void
serve_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct serve_io *io = arg;
	struct evbuffer_iovec v;
	ssize_t n;

	(void)what;
	if (io->stopped)
		return;
	if (evbuffer_reserve_space(io->in, SERVE_READ_LEN, &v, 1) != 1)
		fatal("out of memory");
	if ((n = read(fd, v.iov_base, SERVE_READ_LEN)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		error("read error: %s", strerror(errno));
		serve_stop(io, 1);
		return;
	}
	if (n == 0) {
		debug("end of input");
		io->eof = 1;
		serve_want(io->rd, &io->reading, 0);
	} else {
		v.iov_len = (size_t)n;
		if (evbuffer_commit_space(io->in, &v, 1) != 0)
			fatal("evbuffer_commit_space failed");
	}
	serve_pump(io);
}

static void
serve_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct serve_io *io = arg;

	(void)fd;
	(void)what;
	if (io->stopped || serve_flush(io) == -1)
		return;
	if (evbuffer_get_length(io->out) <= PFISH_OUTPUT_HIWAT / 2)
		serve_pump(io);
}

/* epoll refuses regular files and /dev/null; poll takes any fd. */
static struct event_base *
serve_base(void)
{
	struct event_config *cfg;
	struct event_base *base;

	if ((cfg = event_config_new()) == NULL)
		return NULL;
	event_config_avoid_method(cfg, "epoll");
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static int
serve_setup(struct serve_io *io)
{
	if ((io->base = serve_base()) == NULL ||
	    evutil_make_socket_nonblocking(0) == -1 ||
	    evutil_make_socket_nonblocking(1) == -1 ||
	    (io->in = evbuffer_new()) == NULL ||
	    (io->out = evbuffer_new()) == NULL ||
	    (io->rd = event_new(io->base, 0, EV_READ | EV_PERSIST,
	    serve_read_cb, io)) == NULL ||
	    (io->wr = event_new(io->base, 1, EV_WRITE | EV_PERSIST,
	    serve_write_cb, io)) == NULL)
		return -1;
	serve_want(io->rd, &io->reading, 1);
	return 0;
}

static int
serve(struct mailbox *mb, const struct server_opts *o,
    struct server_stats *st)
{
	struct serve_io io;

	memset(&io, 0, sizeof(io));
	if (serve_setup(&io) == -1) {
		error("cannot set up the event loop");
		io.status = 1;
		goto out;
	}
	if ((io.s = server_new(mb, o, io.out)) == NULL) {
		error("cannot create the session");
		io.status = 1;
		goto out;
	}
	/*
	 * Confine once the log, the mailbox fd and the event loop are open
	 * and before any client byte is read (lib/sandbox.c).
	 */
	if (sandbox_server(mailbox_fd(mb), mailbox_path(mb),
	    ((o->flags & SERVER_READONLY) ? 0 : SANDBOX_ALLOW_WRITE_STATE) |
	    ((o->flags & SERVER_CONFINE_REQUIRED) ? SANDBOX_REQUIRED : 0)) ==
	    -1) {
		error("cannot confine the process");
		io.status = 1;
		goto out;
	}
	if (event_base_dispatch(io.base) == -1) {
		error("event loop failed");
		io.status = 1;
	}
 out:
	if (io.s != NULL)
		*st = *server_stats(io.s);
	/*
	 * The session first: READ buffers still queued in out go back to
	 * its pool, which frees them, when out is freed after it.
	 */
	server_free(io.s);
	if (io.rd != NULL)
		event_free(io.rd);
	if (io.wr != NULL)
		event_free(io.wr);
	if (io.in != NULL)
		evbuffer_free(io.in);
	if (io.out != NULL)
		evbuffer_free(io.out);
	if (io.base != NULL)
		event_base_free(io.base);
	return io.status;
}

/* -d: %d is the home directory, %u the user name, %% a percent sign. */
static int
expand_dir(const char *fmt, const char *user, const char *home, char *out,
    size_t outsz)
{
	const char *add;
	char one[2] = { 0, 0 };
	size_t len = 0;

	out[0] = '\0';
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			one[0] = *fmt;
			add = one;
		} else if (*++fmt == 'd')
			add = home;
		else if (*fmt == 'u')
			add = user;
		else if (*fmt == '%')
			add = "%";
		else
			return -1;
		if ((len = strlcat(out, add, outsz)) >= outsz)
			return -1;
	}
	return len == 0 ? -1 : 0;
}

/* The mailbox is named by the last component of its directory. */
static const char *
dir_basename(const char *path)
{
	static char name[MAILBOX_NAME_MAX + 1];
	const char *p, *end = path + strlen(path);
	size_t len;

	while (end > path + 1 && end[-1] == '/')
		end--;
	for (p = end; p > path && p[-1] != '/'; p--)
		;
	if ((len = (size_t)(end - p)) > MAILBOX_NAME_MAX)
		len = MAILBOX_NAME_MAX;
	memcpy(name, p, len);
	name[len] = '\0';
	return name;
}

/* Resolve the names listings show now: no passwd lookups later. */
static void
owner_names(struct mailbox *mb, struct server_opts *o)
{
	struct passwd *pw;
	struct group *gr;
	struct stat st;

	if (mailbox_stat_root(mb, &st) == -1)
		return;
	o->owner_uid = st.st_uid;
	o->group_gid = st.st_gid;
	if ((pw = getpwuid(st.st_uid)) != NULL)
		o->owner = strdup(pw->pw_name);
	if ((gr = getgrgid(st.st_gid)) != NULL)
		o->group = strdup(gr->gr_name);
	/* Messages are the store account's files, like its head. */
	if (mailbox_stat_head(mb, &st) == -1)
		return;
	o->store_uid = st.st_uid;
	o->store_gid = st.st_gid;
	if ((pw = getpwuid(st.st_uid)) != NULL)
		o->store_owner = strdup(pw->pw_name);
	if ((gr = getgrgid(st.st_gid)) != NULL)
		o->store_group = strdup(gr->gr_name);
}

/*
 * The access log's "from": SSH_CONNECTION is "client port server port";
 * without it, say so rather than guess.
 */
static void
access_from(const char *conn, char *from, size_t len)
{
	char ca[64], cp[8], sa[64], sp[8];

	if (conn == NULL)
		strlcpy(from, "unknown (no SSH_CONNECTION)", len);
	else if (sscanf(conn, "%63s %7s %63s %7s", ca, cp, sa, sp) != 4)
		snprintf(from, len, "unknown (SSH_CONNECTION \"%.60s\")",
		    conn);
	else
		snprintf(from, len, "%s port %s to %s port %s", ca, cp, sa,
		    sp);
}

struct main_opts {
	const char	*dir;
	const char	*keys;
	int		 level;
	int		 facility;
	int		 to_stderr;
	int		 list;
};

static void
parse_opts(int argc, char **argv, struct main_opts *m, struct server_opts *o)
{
	const char *errstr;
	int ch;

	switch (stdopts(argc, argv, "pfish-server")) {
	case STDOPT_HELP:
		usage(0);
	case STDOPT_VERSION:
		exit(0);
	}
	while ((ch = getopt(argc, argv, "d:ef:hk:l:Ln:QRS")) != -1) {
		switch (ch) {
		case 'd':
			m->dir = optarg;
			break;
		case 'e':
			m->to_stderr = 1;
			break;
		case 'f':
			if ((m->facility = log_facility_from_name(optarg)) == -1)
				errx(1, "unknown log facility: %s", optarg);
			break;
		case 'h':
			usage(0);
		case 'k':
			m->keys = optarg;
			break;
		case 'l':
			if ((m->level = log_level_from_name(optarg)) == -1)
				errx(1, "unknown log level: %s", optarg);
			break;
		case 'n':
			o->max_handles = (u_int)strtonum(optarg, 1,
			    PFISH_HANDLES_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "maxhandles %s: %s", errstr, optarg);
			break;
		case 'L':
			o->flags |= SERVER_CONFINE_REQUIRED;
			break;
		case 'Q':
			m->list = 1;
			break;
		case 'R':
			o->flags |= SERVER_READONLY;
			break;
		case 'S':
			o->flags |= SERVER_SIGNED_ONLY;
			break;
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

int
server_main(int argc, char **argv)
{
	struct main_opts m = { PFISH_SERVER_DEFAULT_DIR,
	    PFISH_SERVER_DEFAULT_KEYS, LOG_LEVEL_ERROR, LOG_AUTH, 0, 0 };
	struct server_opts o;
	struct mailbox *mb = NULL;
	struct passwd *pw;
	char dir[MAILBOX_PATH_MAX], keys[MAILBOX_PATH_MAX], user[64], addr[128];
	char from[200];
	struct server_stats st;
	time_t start;
	const char *conn;
	int status = 1;

	memset(&o, 0, sizeof(o));
	o.max_handles = PFISH_HANDLES_DEFAULT;
	parse_opts(argc, argv, &m, &o);
	if (m.list) {
		server_list_requests(stdout);
		return 0;
	}
	log_init("pfish-server", (enum log_level)m.level, m.facility,
	    m.to_stderr);
	if ((pw = getpwuid(getuid())) == NULL)
		fatal("no user for uid %u", (u_int)getuid());
	strlcpy(user, pw->pw_name, sizeof(user));
	if (expand_dir(m.dir, pw->pw_name, pw->pw_dir, dir, sizeof(dir)) == -1)
		fatal("bad mailbox directory: %.100s", m.dir);
	if (expand_dir(m.keys, pw->pw_name, pw->pw_dir, keys,
	    sizeof(keys)) == -1)
		fatal("bad delete key file: %.100s", m.keys);
	o.keys_path = keys;
	conn = getenv("SSH_CONNECTION");
	access_from(conn, from, sizeof(from));
	memset(&st, 0, sizeof(st));
	start = time(NULL);
	log_access("start user %s from %s", user, from);
	if (conn == NULL || sscanf(conn, "%127s", addr) != 1)
		strlcpy(addr, "UNKNOWN", sizeof(addr));
	else
		o.client_addr = addr;	/* for from= of delete keys */
	logit("session opened for local user %s from [%.100s]", user, addr);
	signal(SIGPIPE, SIG_IGN);
	tzset();
	if ((mb = mailbox_open(dir, dir_basename(dir))) == NULL) {
		error_errno("mailbox %.100s", dir);
		goto out;
	}
	if (!(o.flags & SERVER_READONLY) && mailbox_prepare_state(mb) == -1)
		verbose("cannot prepare %s in the mailbox: %s",
		    PFISH_STATE_DIR, strerror(errno));
	owner_names(mb, &o);
	status = serve(mb, &o, &st);
 out:
	logit("session closed for local user %s from [%.100s]", user, addr);
	log_access("end user %s from %s seconds %lld requests %llu "
	    "bytes-in %llu bytes-read %llu status %d", user, from,
	    (long long)(time(NULL) - start),
	    (unsigned long long)st.requests,
	    (unsigned long long)st.bytes_in,
	    (unsigned long long)st.bytes_read, status);
	mailbox_close(mb);
	free((char *)o.owner);
	free((char *)o.group);
	free((char *)o.store_owner);
	free((char *)o.store_group);
	return status;
}
