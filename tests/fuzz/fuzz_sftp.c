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

/* fuzz_sftp.c: libFuzzer target: bytes through pfish-server's dispatcher. */

/*
 * Build (needs libevent on top of the common line):
 *   clang -fsanitize=fuzzer,address -Iinclude $(pkg-config --cflags
 *   libsodium libbsd-overlay libevent) tests/fuzz/fuzz_sftp.c
 *   proto/sftp.c proto/statepage.c proto/stmt.c proto/stmtsig.c
 *   proto/sshsig.c proto/sshkey.c proto/trust.c subsys/mailbox.c
 *   subsys/srv-*.c subsys/req-*.c subsys/readpool.c lib/buf.c lib/log.c
 *   lib/fsutil.c $(pkg-config --libs libsodium libbsd-overlay libevent)
 *
 * Input: one flags byte, then raw client bytes.  Flag bit 0 suppresses
 * the INIT the harness otherwise sends first; bits 1 and 2 select -R and
 * -S.  The session runs against a real temp mailbox (files, a symlink, a
 * subdirectory, a FIFO) with pfish state files (.pfish: a head, records,
 * a delete, a note, junk) for pfish-state@pfish to page through; removed
 * messages are recreated for the next run.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "pfish.h"
#include "log.h"
#include "mailbox.h"
#include "server.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mailbox *fz_mb;

static void
fz_file(int dfd, const char *name, size_t len)
{
	char buf[4096];
	int fd;

	if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1)
		return;		/* still there from the last run */
	memset(buf, 'm', sizeof(buf));
	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			break;
		len -= n;
	}
	close(fd);
}

/* Contents do not matter to the server; names and sizes do. */
static void
fz_state(int dfd)
{
	static const char *dirs[] = { ".pfish", ".pfish/records",
	    ".pfish/deletes", ".pfish/notes", ".pfish/tmp" };
	static const char *files[] = { ".pfish/head",
	    ".pfish/records/000000000001.rec", ".pfish/records/000000000002.rec",
	    ".pfish/records/junk",
	    ".pfish/deletes/000000000001-0123456789abcdef.del",
	    ".pfish/notes/000000000002.note" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		(void)mkdirat(dfd, dirs[i], 0700);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		fz_file(dfd, files[i], 100 + 50 * i);
}

static int
fz_setup(void)
{
	static char top[] = "/tmp/pfish-fuzz.XXXXXX";
	char path[128];
	int dfd;

	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/mbox", top);
	if (mkdir(path, 0700) == -1 || (dfd = open(path, O_RDONLY)) == -1)
		return -1;
	(void)symlinkat("000000000001.age", dfd, "link.age");
	(void)mkdirat(dfd, "sub.age", 0700);
	(void)mknodat(dfd, "fifo.age", S_IFIFO | 0600, 0);
	fz_file(dfd, "notes.txt", 10);
	fz_state(dfd);
	close(dfd);
	log_init("fuzz_sftp", LOG_LEVEL_QUIET, 0, 1);
	if ((fz_mb = mailbox_open(path, "mbox")) == NULL)
		return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u_char init[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
	struct server_opts o;
	struct server *s;
	struct evbuffer *out;
	uint8_t flags;

	if (fz_mb == NULL && fz_setup() == -1)
		abort();
	fz_file(mailbox_fd(fz_mb), "000000000001.age", 5);
	fz_file(mailbox_fd(fz_mb), "000000000002.age", 70000);
	fz_file(mailbox_fd(fz_mb), "other.age", 1);
	if (size == 0)
		return 0;
	flags = data[0];
	memset(&o, 0, sizeof(o));
	o.max_handles = 4;
	o.flags = ((flags & 2) ? SERVER_READONLY : 0) |
	    ((flags & 4) ? SERVER_SIGNED_ONLY : 0);
	if ((s = server_new(fz_mb, &o, NULL)) == NULL)
		abort();
	out = server_output(s);
	if (!(flags & 1) && server_feed(s, init, sizeof(init)) != 0)
		abort();
	/* Drain like a client that reads everything, until input stalls. */
	if (server_feed(s, data + 1, size - 1) == 0) {
		while (evbuffer_get_length(out) > 0) {
			evbuffer_drain(out, evbuffer_get_length(out));
			if (server_feed(s, NULL, 0) != 0)
				break;
		}
	}
	server_free(s);
	return 0;
}
