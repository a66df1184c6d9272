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

/* srv-reply.c: pfish-server's replies (status, handle) and its handles. */

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

static u_int
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
		fatal("cannot build a status reply: %s", pfish_strerror(r));
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
		fatal("cannot build a handle reply: %s", pfish_strerror(r));
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
