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

/* req-ext.c: pfish-server's limits@openssh.com. */

#include <sys/types.h>

#include <stdint.h>

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "sftp.h"
#include "server.h"

/*
 * The real caps, but for the read length: the one that keeps a stock
 * client's heap steady (PFISH_READ_ADVISE).  No writes, so the write
 * length is 0.
 */
int
req_limits(struct server *s, uint32_t id, struct buf *req)
{
	int r;

	(void)req;
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_EXTENDED_REPLY, id)) != 0 ||
	    (r = buf_put_u64(s->reply, SFTP_BODY_MAX)) != 0 ||
	    (r = buf_put_u64(s->reply, PFISH_READ_ADVISE)) != 0 ||
	    (r = buf_put_u64(s->reply, 0)) != 0 ||
	    (r = buf_put_u64(s->reply, s->opts.max_handles)) != 0 ||
	    (r = sftp_reply_end(s->reply)) != 0)
		fatal("cannot build limits reply: %s", pfish_strerror(r));
	return server_send(s);
}
