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

/* req-file.c: pfish-server's file requests: OPEN, READ, CLOSE, STAT, REMOVE. */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"

static int
send_attrs(struct server *s, uint32_t id, const struct stat *st)
{
	struct sftp_attrs a;
	int r;

	sftp_attrs_from_stat(&a, st);
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_ATTRS, id)) != 0 ||
	    (r = sftp_attrs_encode(s->reply, &a)) != 0 ||
	    (r = sftp_reply_end(s->reply)) != 0)
		fatal("cannot build ATTRS: %s", pfish_strerror(r));
	return server_send(s);
}

static int
invalid_handle(struct server *s, uint32_t id)
{
	verbose("id %u: invalid handle", id);
	return server_status(s, id, SFTP_FX_FAILURE, "Invalid handle");
}

/* STAT and LSTAT are the same: symbolic links do not exist here. */
static int
stat_path(struct server *s, uint32_t id, struct buf *req)
{
	char name[MAILBOX_NAME_MAX + 1];
	const u_char *path;
	struct stat st;
	size_t len;
	int r;

	if ((r = sftp_get_string(req, &path, &len)) != 0)
		return r;
	if ((r = mailbox_resolve(s->mb, path, len, name)) < 0)
		return server_status_errno(s, id, -r);
	if (r == MAILBOX_ROOT)
		r = mailbox_stat_root(s->mb, &st);
	else
		r = mailbox_stat(s->mb, name, &st);
	if (r == -1)
		return server_status_errno(s, id, errno);
	return send_attrs(s, id, &st);
}

int
req_stat(struct server *s, uint32_t id, struct buf *req)
{
	return stat_path(s, id, req);
}

int
req_lstat(struct server *s, uint32_t id, struct buf *req)
{
	return stat_path(s, id, req);
}

int
req_fstat(struct server *s, uint32_t id, struct buf *req)
{
	const u_char *hs;
	struct handle *h;
	struct stat st;
	size_t hlen;
	int r;

	if ((r = sftp_get_string(req, &hs, &hlen)) != 0)
		return r;
	if ((h = handle_lookup(s, hs, hlen, HANDLE_FREE)) == NULL)
		return invalid_handle(s, id);
	if (h->kind == HANDLE_FILE)
		r = fstat(h->fd, &st);
	else
		r = mailbox_stat_root(s->mb, &st);
	if (r == -1)
		return server_status_errno(s, id, errno);
	return send_attrs(s, id, &st);
}

/* The mailbox is "/" to clients; its real location is never shown. */
int
req_realpath(struct server *s, uint32_t id, struct buf *req)
{
	char name[MAILBOX_NAME_MAX + 1], out[MAILBOX_NAME_MAX + 2];
	struct sftp_attrs a;
	const u_char *path;
	struct stat st;
	size_t len;
	int r;

	if ((r = sftp_get_string(req, &path, &len)) != 0)
		return r;
	if ((r = mailbox_resolve(s->mb, path, len, name)) < 0)
		return server_status_errno(s, id, -r);
	if (r == MAILBOX_FILE && mailbox_stat(s->mb, name, &st) == -1)
		return server_status_errno(s, id, errno);
	out[0] = '/';
	strlcpy(out + 1, name, sizeof(out) - 1);
	sftp_attrs_clear(&a);
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_NAME, id)) != 0 ||
	    (r = buf_put_u32(s->reply, 1)) != 0 ||
	    (r = sftp_put_name_entry(s->reply, out, out, &a)) != 0 ||
	    (r = sftp_reply_end(s->reply)) != 0)
		fatal("cannot build NAME: %s", pfish_strerror(r));
	return server_send(s);
}

int
req_open(struct server *s, uint32_t id, struct buf *req)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct sftp_attrs a;
	const u_char *path;
	struct handle *h;
	struct stat st;
	uint32_t pflags;
	size_t len;
	int r, fd;

	if ((r = sftp_get_open(req, &path, &len, &pflags, &a)) != 0)
		return r;
	if ((pflags & ~SFTP_FXF_READ) != 0) {
		verbose("id %u: refused OPEN with flags 0x%x", id, pflags);
		return server_status(s, id, SFTP_FX_PERMISSION_DENIED, NULL);
	}
	if ((r = mailbox_resolve(s->mb, path, len, name)) < 0)
		return server_status_errno(s, id, -r);
	if (r == MAILBOX_ROOT)
		return server_status(s, id, SFTP_FX_FAILURE, "Is a directory");
	if ((fd = mailbox_open_file(s->mb, name, &st)) == -1)
		return server_status_errno(s, id, errno);
	if ((h = handle_new(s, HANDLE_FILE)) == NULL) {
		close(fd);
		verbose("id %u: too many open handles", id);
		return server_status(s, id, SFTP_FX_FAILURE,
		    "Too many open handles");
	}
	h->fd = fd;
	strlcpy(h->name, name, sizeof(h->name));
	verbose("open \"%.100s\"", name);
	return handle_send(s, id, h);
}

/* An empty DATA before the end of the file, EOF at or after it. */
static int
read_nothing(struct server *s, uint32_t id, struct handle *h, uint64_t off)
{
	u_char hdr[SFTP_DATA_HDR_LEN];
	struct stat st;

	if (fstat(h->fd, &st) == -1)
		return server_status_errno(s, id, errno);
	if (off >= (uint64_t)st.st_size)
		return server_status(s, id, SFTP_FX_EOF, NULL);
	sftp_data_header(hdr, id, 0);
	if (evbuffer_add(s->out, hdr, sizeof(hdr)) != 0)
		fatal("out of memory");
	return 0;
}

/* pread into a pooled buffer that the output then sends by reference. */
int
req_read(struct server *s, uint32_t id, struct buf *req)
{
	u_char *data;
	const u_char *hs;
	struct handle *h;
	uint64_t off;
	uint32_t len;
	size_t hlen;
	ssize_t n;
	int r;

	if ((r = sftp_get_read(req, &hs, &hlen, &off, &len)) != 0)
		return r;
	if ((h = handle_lookup(s, hs, hlen, HANDLE_FILE)) == NULL)
		return invalid_handle(s, id);
	/* Past any file there can be; pread would fail on the overflow. */
	if (off > (uint64_t)INT64_MAX - PFISH_READ_MAX)
		return server_status(s, id, SFTP_FX_EOF, NULL);
	if (len > PFISH_READ_MAX)
		len = PFISH_READ_MAX;	/* a shorter reply, as clients allow */
	if (len == 0)
		return read_nothing(s, id, h, off);
	/* Header and data in one buffer: the reply leaves in one piece. */
	data = readpool_get(s->readpool);
	do {
		n = pread(h->fd, data + SFTP_DATA_HDR_LEN, len, (off_t)off);
	} while (n == -1 && errno == EINTR);
	if (n <= 0) {
		r = errno;
		readpool_put(s->readpool, data);
		if (n == 0)
			return server_status(s, id, SFTP_FX_EOF, NULL);
		return server_status_errno(s, id, r);
	}
	sftp_data_header(data, id, (uint32_t)n);
	readpool_queue(s->readpool, s->out, data,
	    SFTP_DATA_HDR_LEN + (size_t)n);
	h->bytes += (uint64_t)n;
	s->stats.bytes_read += (uint64_t)n;
	return 0;
}

int
req_close(struct server *s, uint32_t id, struct buf *req)
{
	const u_char *hs;
	struct handle *h;
	size_t hlen;
	int r;

	if ((r = sftp_get_string(req, &hs, &hlen)) != 0)
		return r;
	if ((h = handle_lookup(s, hs, hlen, HANDLE_FREE)) == NULL)
		return invalid_handle(s, id);
	handle_close(s, h);
	return server_status(s, id, SFTP_FX_OK, NULL);
}

int
req_remove(struct server *s, uint32_t id, struct buf *req)
{
	char name[MAILBOX_NAME_MAX + 1];
	const u_char *path;
	size_t len;
	int r, noted;

	if ((r = sftp_get_string(req, &path, &len)) != 0)
		return r;
	if ((r = mailbox_resolve(s->mb, path, len, name)) < 0)
		return server_status_errno(s, id, -r);
	if (r == MAILBOX_ROOT)
		return server_status(s, id, SFTP_FX_PERMISSION_DENIED, NULL);
	if (mailbox_remove(s->mb, name, (uint64_t)time(NULL), &noted) == -1) {
		r = errno;
		error_errno("remove \"%.100s\"", name);
		return server_status_errno(s, id, r);
	}
	logit("remove \"%.100s\"%s", name, noted ? " (note written)" : "");
	return server_status(s, id, SFTP_FX_OK, NULL);
}
