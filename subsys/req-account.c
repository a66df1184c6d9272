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
 * req-account.c: pfish-account@pfish, the account chain the store holds
 * (MAILBOX/.pfish/account), read-only and in pages (PROTOCOL.pfish 4).
 * The server checks nothing: clients verify the chain themselves.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "mailbox.h"
#include "pfish.h"
#include "server.h"
#include "sftp.h"

/* Header, type, id, count; then per state a serial and a string. */
#define ACC_FIXED	(SFTP_HDR_LEN + 1 + 4 + 4)
#define ACC_ITEMS_MAX	(PFISH_PACKET_MAX - ACC_FIXED)
#define ACC_ITEM_HDR	(8 + 4)

/* States after serial after, in order, while they exist and fit. */
static int
fill(int ad, uint64_t after, struct buf *items, uint32_t *count)
{
	char fn[PFISH_NAME_MAX];
	u_char *data;
	size_t len;
	uint64_t serial;
	int r;

	*count = 0;
	for (serial = after + 1; serial <= PFISH_SEQ_MAX; serial++) {
		if (layout_state_name(serial, fn, sizeof(fn)) != 0)
			return -1;
		if (fs_read_file(ad, fn, ACCOUNT_SIGNED_MAX, &data,
		    &len) == -1)
			return errno == ENOENT ? 0 : -1;
		if (buf_len(items) + ACC_ITEM_HDR + len > ACC_ITEMS_MAX) {
			free(data);
			return 0;
		}
		r = buf_put_u64(items, serial);
		if (r == 0)
			r = buf_put_string(items, data, len);
		free(data);
		if (r != 0)
			fatal("cannot build an account page: %s",
			    pfish_strerror(r));
		(*count)++;
	}
	return 0;
}

/* The request's after: exactly PFISH_SEQ_WIDTH decimal digits. */
static int
parse_after(const u_char *p, size_t len, uint64_t *after)
{
	size_t i;

	*after = 0;
	if (len != PFISH_SEQ_WIDTH)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*after = *after * 10 + (uint64_t)(p[i] - '0');
	}
	return *after < PFISH_SEQ_MAX ? 0 : -1;
}

int
req_pfish_account(struct server *s, uint32_t id, struct buf *req)
{
	struct buf *items;
	const u_char *ap;
	size_t alen;
	uint64_t after;
	uint32_t count = 0;
	int ad, r, saved;

	if ((r = sftp_get_string(req, &ap, &alen)) != 0)
		return r;
	if (parse_after(ap, alen, &after) != 0) {
		verbose("id %u: malformed account serial (%zu bytes)", id,
		    alen);
		return server_status(s, id, SFTP_FX_FAILURE, "bad serial");
	}
	if ((items = buf_new_max(ACC_ITEMS_MAX)) == NULL)
		fatal("out of memory");
	ad = fs_open_dir(mailbox_fd(s->mb), PFISH_ACCOUNT_DIR_REL);
	if ((ad == -1 && errno != ENOENT) ||
	    (ad != -1 && fill(ad, after, items, &count) == -1)) {
		saved = errno;
		error_errno("account chain");
		if (ad != -1)
			close(ad);
		buf_free(items);
		return server_status_errno(s, id, saved);
	}
	if (ad != -1)
		close(ad);
	if ((r = sftp_reply_begin(s->reply, SFTP_FXP_EXTENDED_REPLY,
	    id)) != 0 || (r = buf_put_u32(s->reply, count)) != 0 ||
	    (r = buf_putb(s->reply, items)) != 0 ||
	    (r = sftp_reply_end(s->reply)) != 0)
		fatal("cannot build an account reply: %s", pfish_strerror(r));
	buf_free(items);
	debug("id %u: account page of %u states after %llu", id, count,
	    (unsigned long long)after);
	return server_send(s);
}
