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

/* req-state.c: pfish-server's signed-state extensions (not yet served). */

#include <sys/types.h>

#include <stdint.h>

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "sftp.h"
#include "server.h"

/*
 * pfish-state@pfish and pfish-delete@pfish (PROTOCOL.pfish) have their
 * slots in the dispatch table but are neither advertised in VERSION nor
 * listed by -Q until they are implemented; until then they answer
 * OP_UNSUPPORTED like any unknown extension.
 */

int
req_pfish_state(struct server *s, uint32_t id, struct buf *req)
{
	(void)req;
	return server_status(s, id, SFTP_FX_OP_UNSUPPORTED,
	    "pfish-state not yet implemented");
}

int
req_pfish_delete(struct server *s, uint32_t id, struct buf *req)
{
	(void)req;
	return server_status(s, id, SFTP_FX_OP_UNSUPPORTED,
	    "pfish-delete not yet implemented");
}
