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

/* req-dir.c: pfish-server's directory requests: OPENDIR and READDIR. */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "pfish.h"
#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "sftp.h"
#include "server.h"

/*
 * Entries per NAME reply: as many as fit in READDIR_BYTES (every SFTP
 * client takes packets of 34000 bytes), at most READDIR_BATCH.  About
 * 270 of a mailbox's names a reply: a 10 000-message listing is 37 round
 * trips, not the 100 of 100-entry replies.
 */
#define READDIR_BATCH	1024
#define READDIR_BYTES	(32 * 1024)
/* Room one more entry may need: two strings and the largest ATTRS. */
#define READDIR_ENTRY_MAX (8 + MAILBOX_NAME_MAX + SFTP_LONGNAME_MAX + 64)

int
req_opendir(struct server *s, uint32_t id, struct buf *req)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct mailbox_dir *d;
	const u_char *path;
	struct handle *h;
	size_t len;
	int r;

	if ((r = sftp_get_string(req, &path, &len)) != 0)
		return r;
	if ((r = mailbox_resolve(s->mb, path, len, name)) < 0)
		return server_status_errno(s, id, -r);
	if (r != MAILBOX_ROOT)
		return server_status_errno(s, id, ENOTDIR);
	if ((d = mailbox_opendir(s->mb)) == NULL)
		return server_status_errno(s, id, errno);
	if ((h = handle_new(s, HANDLE_DIR)) == NULL) {
		mailbox_closedir(d);
		verbose("id %u: too many open handles", id);
		return server_status(s, id, SFTP_FX_FAILURE,
		    "Too many open handles");
	}
	h->dir = d;
	verbose("opendir");
	return handle_send(s, id, h);
}

static int
put_entry(struct server *s, const char *name, const struct stat *st,
    time_t now)
{
	char longname[SFTP_LONGNAME_MAX];
	const char *owner = NULL, *group = NULL;
	struct sftp_attrs a;

	if (s->opts.owner != NULL && st->st_uid == s->opts.owner_uid)
		owner = s->opts.owner;
	else if (s->opts.store_owner != NULL && st->st_uid ==
	    s->opts.store_uid)
		owner = s->opts.store_owner;
	if (s->opts.group != NULL && st->st_gid == s->opts.group_gid)
		group = s->opts.group;
	else if (s->opts.store_group != NULL && st->st_gid ==
	    s->opts.store_gid)
		group = s->opts.store_group;
	if (sftp_longname(longname, sizeof(longname), name, st, owner, group,
	    now) != 0)
		longname[0] = '\0';
	sftp_attrs_from_stat(&a, st);
	return sftp_put_name_entry(s->reply, name, longname, &a);
}

/* Many entries per reply, one fstatat each, nothing kept in memory. */
int
req_readdir(struct server *s, uint32_t id, struct buf *req)
{
	const u_char *hs;
	const char *name;
	struct handle *h;
	struct stat st;
	time_t now = time(NULL);
	uint32_t count = 0;
	size_t hlen;
	int r, more = 1, err = 0;

	if ((r = sftp_get_string(req, &hs, &hlen)) != 0)
		return r;
	if ((h = handle_lookup(s, hs, hlen, HANDLE_DIR)) == NULL)
		return server_status(s, id, SFTP_FX_FAILURE, "Invalid handle");
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_NAME, id)) != 0 ||
	    (r = buf_put_u32(s->reply, 0)) != 0)
		goto fail;
	while (count < READDIR_BATCH &&
	    buf_len(s->reply) + READDIR_ENTRY_MAX <= READDIR_BYTES) {
		if ((more = mailbox_readdir(h->dir, &name, &st)) <= 0) {
			err = more == -1 ? errno : 0;
			break;
		}
		if ((r = put_entry(s, name, &st, now)) != 0)
			goto fail;
		count++;
	}
	if (count == 0) {
		if (err != 0)
			return server_status_errno(s, id, err);
		return server_status(s, id, SFTP_FX_EOF, NULL);
	}
	/* The count sits after length, type and id. */
	buf_store_u32(buf_mutable_ptr(s->reply) + SFTP_HDR_LEN + 5, count);
	if ((r = sftp_reply_end(s->reply)) != 0)
		goto fail;
	return server_send(s);
 fail:
	fatal("cannot build NAME: %s", pfish_strerror(r));
}
