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

/* session.c: pfish-server's session: framing, dispatch table, handles. */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"
#include "trust.h"

/* Every request type the protocol defines; NULL handlers get a status. */
const struct server_request server_requests[] = {
	{ "open", SFTP_FXP_OPEN, req_open, REQ_NOWRITE, 0 },
	{ "close", SFTP_FXP_CLOSE, req_close, REQ_NOWRITE, 0 },
	{ "read", SFTP_FXP_READ, req_read, REQ_NOWRITE, 0 },
	{ "lstat", SFTP_FXP_LSTAT, req_lstat, REQ_NOWRITE, 0 },
	{ "fstat", SFTP_FXP_FSTAT, req_fstat, REQ_NOWRITE, 0 },
	{ "opendir", SFTP_FXP_OPENDIR, req_opendir, REQ_NOWRITE, 0 },
	{ "readdir", SFTP_FXP_READDIR, req_readdir, REQ_NOWRITE, 0 },
	{ "remove", SFTP_FXP_REMOVE, req_remove, REQ_WRITE, 0 },
	{ "realpath", SFTP_FXP_REALPATH, req_realpath, REQ_NOWRITE, 0 },
	{ "stat", SFTP_FXP_STAT, req_stat, REQ_NOWRITE, 0 },
	{ "extended", SFTP_FXP_EXTENDED, req_extended, REQ_NOWRITE, 0 },
	/* Never implemented: pfish creates and changes nothing. */
	{ "write", SFTP_FXP_WRITE, NULL, REQ_WRITE, 0 },
	{ "setstat", SFTP_FXP_SETSTAT, NULL, REQ_WRITE, 0 },
	{ "fsetstat", SFTP_FXP_FSETSTAT, NULL, REQ_WRITE, 0 },
	{ "mkdir", SFTP_FXP_MKDIR, NULL, REQ_WRITE, 0 },
	{ "rmdir", SFTP_FXP_RMDIR, NULL, REQ_WRITE, 0 },
	{ "rename", SFTP_FXP_RENAME, NULL, REQ_WRITE, 0 },
	{ "symlink", SFTP_FXP_SYMLINK, NULL, REQ_WRITE, 0 },
	{ "readlink", SFTP_FXP_READLINK, NULL, REQ_NOWRITE, 0 },
	{ NULL, 0, NULL, REQ_NOWRITE, 0 }
};

/* Extensions; the advertised ones go into VERSION and -Q. */
const struct server_request server_extensions[] = {
	{ "limits@openssh.com", 0, req_limits, REQ_NOWRITE, 1 },
	{ PFISH_EXT_STATE, 0, req_pfish_state, REQ_NOWRITE, 1 },
	{ PFISH_EXT_DELETE, 0, req_pfish_delete, REQ_SIGNED_WRITE, 1 },
	{ "posix-rename@openssh.com", 0, NULL, REQ_WRITE, 0 },
	{ "hardlink@openssh.com", 0, NULL, REQ_WRITE, 0 },
	{ "lsetstat@openssh.com", 0, NULL, REQ_WRITE, 0 },
	{ "copy-data", 0, NULL, REQ_WRITE, 0 },
	{ "fsync@openssh.com", 0, NULL, REQ_WRITE, 0 },
	{ NULL, 0, NULL, REQ_NOWRITE, 0 }
};

/* The one place that applies -R and -S. */
int
request_permitted(const struct server *s, const struct server_request *r)
{
	if (r->does_write == REQ_NOWRITE)
		return 1;
	if (r->handler == NULL || (s->opts.flags & SERVER_READONLY))
		return 0;
	if (r->does_write == REQ_WRITE && (s->opts.flags & SERVER_SIGNED_ONLY))
		return 0;
	return 1;
}

u_int
errno_to_status(int errnum)
{
	switch (errnum) {
	case 0:
		return SFTP_FX_OK;
	case ENOENT:
	case ENOTDIR:
	case EBADF:
	case ELOOP:
	case ENAMETOOLONG:
		return SFTP_FX_NO_SUCH_FILE;
	case EPERM:
	case EACCES:
	case EROFS:
	case EFAULT:
		return SFTP_FX_PERMISSION_DENIED;
	case EINVAL:
		return SFTP_FX_BAD_MESSAGE;
	case ENOSYS:
		return SFTP_FX_OP_UNSUPPORTED;
	default:
		return SFTP_FX_FAILURE;
	}
}

const struct server_request *
server_find_extension(const u_char *name, size_t len)
{
	const struct server_request *r;

	for (r = server_extensions; r->name != NULL; r++)
		if (strlen(r->name) == len && memcmp(r->name, name, len) == 0)
			return r;
	return NULL;
}

void
server_list_requests(FILE *f)
{
	const struct server_request *r;

	for (r = server_requests; r->name != NULL; r++)
		if (r->handler != NULL && r->type != SFTP_FXP_EXTENDED)
			fprintf(f, "%s\n", r->name);
	for (r = server_extensions; r->name != NULL; r++)
		if (r->handler != NULL && r->advertise)
			fprintf(f, "%s\n", r->name);
}

struct server *
server_new(struct mailbox *mb, const struct server_opts *o,
    struct evbuffer *out)
{
	struct server *s;

	if (o->max_handles == 0 || o->max_handles > PFISH_HANDLES_MAX)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->mb = mb;
	s->opts = *o;
	s->next_gen = 0;	/* deterministic: handles are per session anyway */
	if ((s->reply = buf_new_max(PFISH_PACKET_MAX)) == NULL ||
	    (s->readpool = readpool_new()) == NULL ||
	    (s->in = evbuffer_new()) == NULL ||
	    (s->handles = calloc(o->max_handles, sizeof(*s->handles))) == NULL)
		goto fail;
	if (out == NULL && (out = s->own_out = evbuffer_new()) == NULL)
		goto fail;
	s->out = out;
	server_load_delete_keys(s, o->keys_path);
	s->opts.keys_path = NULL;	/* not ours to keep */
	s->opts.client_addr = NULL;
	return s;
 fail:
	server_free(s);
	return NULL;
}

void
server_free(struct server *s)
{
	u_int i;

	if (s == NULL)
		return;
	if (s->handles != NULL)
		for (i = 0; i < s->opts.max_handles; i++)
			handle_close(s, &s->handles[i]);
	free(s->handles);
	trust_free(s->delete_keys);
	buf_free(s->reply);
	if (s->in != NULL)
		evbuffer_free(s->in);
	if (s->own_out != NULL)
		evbuffer_free(s->own_out);
	/* Buffers still queued elsewhere come back to a closed pool. */
	readpool_close(s->readpool);
	free(s);
}

struct evbuffer *
server_output(struct server *s)
{
	return s->out;
}

int
server_output_full(struct server *s)
{
	return evbuffer_get_length(s->out) > PFISH_OUTPUT_HIWAT;
}

int
server_send(struct server *s)
{
	if (evbuffer_add(s->out, buf_ptr(s->reply), buf_len(s->reply)) != 0)
		fatal("out of memory queueing a reply");
	buf_reset(s->reply);
	return 0;
}

int
server_status(struct server *s, uint32_t id, u_int status, const char *msg)
{
	int r;

	if ((r = sftp_put_status(s->reply, id, status, msg)) != 0)
		fatal("cannot build a status reply: %s", sftp_strerror(r));
	debug2("id %u: status %u", id, status);
	return server_send(s);
}

int
server_status_errno(struct server *s, uint32_t id, int errnum)
{
	return server_status(s, id, errno_to_status(errnum), NULL);
}

struct handle *
handle_new(struct server *s, enum handle_kind kind)
{
	struct handle *h;
	u_int i;

	for (i = 0; i < s->opts.max_handles; i++) {
		h = &s->handles[i];
		if (h->kind != HANDLE_FREE)
			continue;
		memset(h, 0, sizeof(*h));
		h->kind = kind;
		h->fd = -1;
		/* A fresh generation: closed handles' strings stay invalid. */
		if (++s->next_gen == 0)
			s->next_gen = 1;
		h->gen = s->next_gen;
		s->nopen++;
		return h;
	}
	return NULL;
}

struct handle *
handle_lookup(struct server *s, const u_char *hs, size_t len,
    enum handle_kind kind)
{
	struct handle *h;
	uint32_t slot, gen;

	if (len != PFISH_HANDLE_LEN)
		return NULL;
	slot = buf_load_u32(hs);
	gen = buf_load_u32(hs + 4);
	if (slot >= s->opts.max_handles)
		return NULL;
	h = &s->handles[slot];
	if (h->kind == HANDLE_FREE || h->gen != gen)
		return NULL;
	if (kind != HANDLE_FREE && h->kind != kind)
		return NULL;
	return h;
}

int
handle_send(struct server *s, uint32_t id, const struct handle *h)
{
	u_char hs[PFISH_HANDLE_LEN];
	int r;

	buf_store_u32(hs, (uint32_t)(h - s->handles));
	buf_store_u32(hs + 4, h->gen);
	if ((r = sftp_put_handle(s->reply, id, hs, sizeof(hs))) != 0)
		fatal("cannot build a handle reply: %s", sftp_strerror(r));
	return server_send(s);
}

void
handle_close(struct server *s, struct handle *h)
{
	if (h->kind == HANDLE_FREE)
		return;
	if (h->kind == HANDLE_FILE)
		logit("get \"%.100s\": %llu bytes read", h->name,
		    (unsigned long long)h->bytes);
	if (h->fd != -1)
		close(h->fd);
	mailbox_closedir(h->dir);
	memset(h, 0, sizeof(*h));
	h->kind = HANDLE_FREE;
	h->fd = -1;
	s->nopen--;
}

/*
 * VERSION: our version and the extensions that really work, each with
 * version data "1" (what limits@openssh.com and PROTOCOL.pfish both use).
 */
static int
do_init(struct server *s, struct buf *pkt)
{
	const struct server_request *r;
	uint32_t version;
	int rc;

	if ((rc = buf_get_u32(pkt, &version)) != 0) {
		error("malformed INIT: %s", sftp_strerror(rc));
		return -1;
	}
	verbose("client version %u", version);
	if ((rc = sftp_reply_begin(s->reply, SFTP_FXP_VERSION,
	    SFTP_VERSION)) != 0)
		goto fail;
	for (r = server_extensions; r->name != NULL; r++) {
		if (r->handler == NULL || !r->advertise)
			continue;
		if ((rc = buf_put_cstring(s->reply, r->name)) != 0 ||
		    (rc = buf_put_cstring(s->reply, PFISH_EXT_VERSION)) != 0)
			goto fail;
	}
	if ((rc = sftp_reply_end(s->reply)) != 0)
		goto fail;
	s->inited = 1;
	return server_send(s);
 fail:
	fatal("cannot build VERSION: %s", sftp_strerror(rc));
}

static const struct server_request *
find_request(u_int type)
{
	const struct server_request *r;

	for (r = server_requests; r->name != NULL; r++)
		if (r->type == type)
			return r;
	return NULL;
}

/* One packet; -1 ends the session (protocol violation, logged). */
static int
process_packet(struct server *s, struct buf *pkt)
{
	const struct server_request *r;
	uint32_t id;
	uint8_t type;
	int rc;

	if ((rc = buf_get_u8(pkt, &type)) != 0) {
		error("packet without type");
		return -1;
	}
	if (!s->inited) {
		if (type == SFTP_FXP_INIT)
			return do_init(s, pkt);
		error("%s (type %u) before INIT", sftp_type_name(type), type);
		return -1;
	}
	if (type == SFTP_FXP_INIT) {
		error("second INIT");
		return -1;
	}
	if ((rc = buf_get_u32(pkt, &id)) != 0) {
		error("request type %u without id", type);
		return -1;
	}
	if ((r = find_request(type)) == NULL) {
		verbose("id %u: unknown request type %u", id, type);
		return server_status(s, id, SFTP_FX_OP_UNSUPPORTED, NULL);
	}
	debug("id %u: %s", id, sftp_type_name(type));
	if (!request_permitted(s, r))
		return server_status(s, id, SFTP_FX_PERMISSION_DENIED, NULL);
	if (r->handler == NULL)
		return server_status(s, id, SFTP_FX_OP_UNSUPPORTED, NULL);
	if ((rc = r->handler(s, id, pkt)) != 0) {
		error("malformed %s request: %s", sftp_type_name(type),
		    sftp_strerror(rc));
		return -1;
	}
	if (buf_len(pkt) > 0)
		debug("id %u: %zu trailing bytes ignored", id, buf_len(pkt));
	return 0;
}

int
server_input(struct server *s, struct evbuffer *in)
{
	u_char hdr[SFTP_HDR_LEN], *p;
	struct buf *pkt;
	size_t avail, blen;
	int r;

	for (;;) {
		if (server_output_full(s))
			return 0;	/* resumed once the output drains */
		if ((avail = evbuffer_get_length(in)) < SFTP_HDR_LEN)
			return 0;
		if (evbuffer_copyout(in, hdr, sizeof(hdr)) != sizeof(hdr))
			fatal("evbuffer_copyout failed");
		if ((r = sftp_frame_check(hdr, &blen)) != 0) {
			error("bad packet length %u: %s", buf_load_u32(hdr),
			    sftp_strerror(r));
			return -1;
		}
		if (avail - SFTP_HDR_LEN < blen)
			return 0;
		if ((p = evbuffer_pullup(in, (ssize_t)(SFTP_HDR_LEN +
		    blen))) == NULL || (pkt = buf_from(p + SFTP_HDR_LEN,
		    blen)) == NULL)
			fatal("out of memory");
		r = process_packet(s, pkt);
		buf_free(pkt);
		evbuffer_drain(in, SFTP_HDR_LEN + blen);
		if (r != 0)
			return -1;
	}
}

int
server_feed(struct server *s, const u_char *data, size_t len)
{
	if (len > 0 && evbuffer_add(s->in, data, len) != 0)
		fatal("out of memory");
	return server_input(s, s->in);
}
