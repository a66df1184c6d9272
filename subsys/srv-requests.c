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

/*
 * srv-requests.c: pfish-server's request and extension tables, the one
 * place -R and -S are applied, and the EXTENDED dispatcher.  Handlers
 * live in req-*.c; they answer through srv-reply.c, never back here.
 */

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

static req_handler req_extended;

/* Every request type the protocol defines; NULL handlers get a status. */
static const struct server_request server_requests[] = {
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
	{ SFTP_EXT_LIMITS_NAME, 0, req_limits, REQ_NOWRITE, 1 },
	{ PFISH_EXT_STATE, 0, req_pfish_state, REQ_NOWRITE, 1 },
	{ PFISH_EXT_DELETE, 0, req_pfish_delete, REQ_SIGNED_WRITE, 1 },
	{ PFISH_EXT_ACCOUNT, 0, req_pfish_account, REQ_NOWRITE, 1 },
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

static const struct server_request *
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

const struct server_request *
server_find_request(u_int type)
{
	const struct server_request *r;

	for (r = server_requests; r->name != NULL; r++)
		if (r->type == type)
			return r;
	return NULL;
}

static int
req_extended(struct server *s, uint32_t id, struct buf *req)
{
	const struct server_request *e;
	const u_char *name;
	size_t len;
	int r;

	if ((r = sftp_get_string(req, &name, &len)) != 0)
		return r;
	if ((e = server_find_extension(name, len)) == NULL) {
		verbose("id %u: unknown extension (%zu bytes)", id, len);
		return server_status(s, id, SFTP_FX_OP_UNSUPPORTED, NULL);
	}
	debug("id %u: extension %s", id, e->name);
	if (!request_permitted(s, e))
		return server_status(s, id, SFTP_FX_PERMISSION_DENIED, NULL);
	if (e->handler == NULL)
		return server_status(s, id, SFTP_FX_OP_UNSUPPORTED, NULL);
	return e->handler(s, id, req);
}
