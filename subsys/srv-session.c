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

/* srv-session.c: pfish-server's session: start, framing, dispatch. */

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

/* Once at start-up, before the sandbox closes the file system. */
static void
load_delete_keys(struct server *s, const char *path)
{
	char errbuf[256];
	int r, saved;

	if (path == NULL)
		return;
	/* An unknown client matches no from= but "*". */
	r = trust_load_authorized_keys(path, PFISH_NS_DELETE,
	    s->opts.client_addr != NULL ? s->opts.client_addr : "",
	    &s->delete_keys, errbuf, sizeof(errbuf));
	saved = errno;
	if (r == 0)
		verbose("%zu delete keys from %.100s",
		    trust_count(s->delete_keys), path);
	else if (r == TRUST_ERR_IO && saved == ENOENT)
		verbose("no %.100s: every signed delete is refused", path);
	else
		error("delete keys: %.200s; every signed delete is refused",
		    errbuf);
	if (r != 0)
		s->delete_keys = NULL;
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
	load_delete_keys(s, o->keys_path);
	s->opts.keys_path = NULL;	/* not ours to keep */
	s->opts.client_addr = NULL;
	return s;
 fail:
	server_free(s);
	return NULL;
}

const struct server_stats *
server_stats(const struct server *s)
{
	return &s->stats;
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
	server_statecache_free(s->statecache);
	buf_free(s->reply);
	if (s->in != NULL)
		evbuffer_free(s->in);
	if (s->own_out != NULL)
		evbuffer_free(s->own_out);
	/* Buffers still queued elsewhere come back to a closed pool. */
	readpool_close(s->readpool);
	free(s);
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
		error("malformed INIT: %s", pfish_strerror(rc));
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
	fatal("cannot build VERSION: %s", pfish_strerror(rc));
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
	if ((r = server_find_request(type)) == NULL) {
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
		    pfish_strerror(rc));
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
			    pfish_strerror(r));
			return -1;
		}
		if (avail - SFTP_HDR_LEN < blen)
			return 0;
		if ((p = evbuffer_pullup(in, (ssize_t)(SFTP_HDR_LEN +
		    blen))) == NULL || (pkt = buf_from(p + SFTP_HDR_LEN,
		    blen)) == NULL)
			fatal("out of memory");
		s->stats.requests++;
		s->stats.bytes_in += SFTP_HDR_LEN + blen;
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
