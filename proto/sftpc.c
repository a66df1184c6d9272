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

/* sftpc.c: SFTP v3 client codec: requests out, replies parsed and checked. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pfish.h"
#include "sftpc.h"

const char *
sftpc_strerror(int r)
{
	switch (r) {
	case SFTPC_ERR_FORMAT:
		return "malformed SFTP reply";
	case SFTPC_ERR_TYPE:
		return "unexpected SFTP reply type";
	default:
		return buf_strerror(r);
	}
}

const char *
sftpc_status_name(uint32_t status)
{
	static const char *names[] = {
		"ok", "end of file", "no such file", "permission denied",
		"failure", "bad message", "no connection", "connection lost",
		"operation unsupported"
	};

	if (status < sizeof(names) / sizeof(names[0]))
		return names[status];
	return "unknown status";
}

int
sftpc_begin(struct buf *b, uint8_t type, uint32_t id, size_t *start)
{
	int r;

	*start = buf_len(b);
	if ((r = buf_put_u32(b, 0)) != 0 || (r = buf_put_u8(b, type)) != 0)
		return r;
	if (type != SFTPC_INIT && (r = buf_put_u32(b, id)) != 0)
		return r;
	return 0;
}

int
sftpc_end(struct buf *b, size_t start)
{
	u_char *p;
	size_t len;

	if ((p = buf_mutable_ptr(b)) == NULL || buf_len(b) < start + 4)
		return BUF_ERR_INVALID;
	len = buf_len(b) - start - 4;
	if (len > PFISH_PACKET_MAX - 4)
		return BUF_ERR_NO_SPACE;
	buf_store_u32(p + start, (uint32_t)len);
	return 0;
}

int
sftpc_put_init(struct buf *b)
{
	size_t start;
	int r;

	if ((r = sftpc_begin(b, SFTPC_INIT, 0, &start)) != 0 ||
	    (r = buf_put_u32(b, SFTPC_VERSION_3)) != 0)
		return r;
	return sftpc_end(b, start);
}

static int
strmatch(const u_char *p, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(p, s, len) == 0;
}

/* VERSION: uint32 version, then (string name, string data) pairs to the end. */
int
sftpc_parse_version(const u_char *pkt, size_t len, uint32_t *version,
    uint32_t *exts)
{
	struct buf *b;
	const u_char *name, *data;
	size_t nlen, dlen;
	uint8_t type;
	int r;

	*version = 0;
	*exts = 0;
	if ((b = buf_from(pkt, len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u8(b, &type)) != 0 || (r = buf_get_u32(b, version)) != 0)
		goto out;
	if (type != SFTPC_VERSION) {
		r = SFTPC_ERR_TYPE;
		goto out;
	}
	while (buf_len(b) > 0) {
		if ((r = buf_get_string_direct(b, &name, &nlen)) != 0 ||
		    (r = buf_get_string_direct(b, &data, &dlen)) != 0)
			goto out;
		if (strmatch(name, nlen, PFISH_EXT_STATE) &&
		    strmatch(data, dlen, PFISH_EXT_VERSION))
			*exts |= SFTPC_EXT_STATE;
		else if (strmatch(name, nlen, PFISH_EXT_DELETE) &&
		    strmatch(data, dlen, PFISH_EXT_VERSION))
			*exts |= SFTPC_EXT_DELETE;
		else if (strmatch(name, nlen, "limits@openssh.com"))
			*exts |= SFTPC_EXT_LIMITS;
	}
	r = 0;
 out:
	buf_free(b);
	if (r == BUF_ERR_SHORT || r == BUF_ERR_STRING_TOO_LONG)
		r = SFTPC_ERR_FORMAT;
	return r;
}

int
sftpc_parse_attrs(struct buf *b, struct sftpc_attrs *a)
{
	uint32_t n, i;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = buf_get_u32(b, &a->flags)) != 0)
		return r;
	if ((a->flags & SFTPC_ATTR_SIZE) &&
	    (r = buf_get_u64(b, &a->size)) != 0)
		return r;
	if ((a->flags & SFTPC_ATTR_UIDGID) &&
	    ((r = buf_get_u32(b, &a->uid)) != 0 ||
	    (r = buf_get_u32(b, &a->gid)) != 0))
		return r;
	if ((a->flags & SFTPC_ATTR_PERM) &&
	    (r = buf_get_u32(b, &a->perm)) != 0)
		return r;
	if ((a->flags & SFTPC_ATTR_ACMODTIME) &&
	    ((r = buf_get_u32(b, &a->atime)) != 0 ||
	    (r = buf_get_u32(b, &a->mtime)) != 0))
		return r;
	if (a->flags & SFTPC_ATTR_EXTENDED) {
		if ((r = buf_get_u32(b, &n)) != 0)
			return r;
		for (i = 0; i < n; i++) {
			if ((r = buf_get_string_direct(b, NULL, NULL)) != 0 ||
			    (r = buf_get_string_direct(b, NULL, NULL)) != 0)
				return r;
		}
	}
	return 0;
}

/* Copy attacker text for display: printable ASCII only, truncated. */
static void
copy_msg(char *dst, size_t dstlen, const u_char *p, size_t len)
{
	size_t i, n;

	n = len < dstlen - 1 ? len : dstlen - 1;
	for (i = 0; i < n; i++)
		dst[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	dst[n] = '\0';
}

static int
parse_body(struct buf *b, struct sftpc_reply *r, struct sftpc_iter *names)
{
	const u_char *p;
	size_t len;
	int e;

	switch (r->type) {
	case SFTPC_STATUS:
		if ((e = buf_get_u32(b, &r->status)) != 0)
			return e;
		/* v3 servers may omit message and language. */
		if (buf_len(b) == 0)
			return 0;
		if ((e = buf_get_string_direct(b, &p, &len)) != 0 ||
		    (e = buf_get_string_direct(b, NULL, NULL)) != 0)
			return e;
		copy_msg(r->msg, sizeof(r->msg), p, len);
		return 0;
	case SFTPC_HANDLE:
		if ((e = buf_get_string_direct(b, &r->handle,
		    &r->handlelen)) != 0)
			return e;
		if (r->handlelen == 0 || r->handlelen > SFTPC_HANDLE_MAX)
			return SFTPC_ERR_FORMAT;
		return 0;
	case SFTPC_DATA:
		return buf_get_string_direct(b, &r->data, &r->datalen);
	case SFTPC_NAME:
		if ((e = buf_get_u32(b, &r->count)) != 0)
			return e;
		if (names != NULL) {
			names->p = buf_ptr(b);
			names->len = buf_len(b);
			names->left = r->count;
		}
		return buf_consume(b, buf_len(b));
	case SFTPC_ATTRS:
		return sftpc_parse_attrs(b, &r->attrs);
	case SFTPC_EXTENDED_REPLY:
		r->data = buf_ptr(b);
		r->datalen = buf_len(b);
		return buf_consume(b, buf_len(b));
	default:
		return SFTPC_ERR_TYPE;
	}
}

int
sftpc_parse_reply(const u_char *pkt, size_t len, struct sftpc_reply *r,
    struct sftpc_iter *names)
{
	struct buf *b;
	int e;

	memset(r, 0, sizeof(*r));
	if (names != NULL)
		memset(names, 0, sizeof(*names));
	if ((b = buf_from(pkt, len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((e = buf_get_u8(b, &r->type)) != 0 ||
	    (e = buf_get_u32(b, &r->id)) != 0 ||
	    (e = parse_body(b, r, names)) != 0)
		goto out;
	/* Trailing bytes mean the peer and we disagree on the format. */
	if (buf_len(b) != 0)
		e = SFTPC_ERR_FORMAT;
 out:
	buf_free(b);
	if (e == BUF_ERR_SHORT || e == BUF_ERR_STRING_TOO_LONG ||
	    e == BUF_ERR_NUL)
		e = SFTPC_ERR_FORMAT;
	return e;
}

int
sftpc_name_next(struct sftpc_iter *it, const u_char **name, size_t *namelen,
    struct sftpc_attrs *a)
{
	struct buf *b;
	int r;

	*name = NULL;
	*namelen = 0;
	memset(a, 0, sizeof(*a));
	if (it->left == 0)
		return 0;
	if ((b = buf_from(it->p, it->len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_string_direct(b, name, namelen)) != 0 ||
	    (r = buf_get_string_direct(b, NULL, NULL)) != 0 ||
	    (r = sftpc_parse_attrs(b, a)) != 0) {
		*name = NULL;
		*namelen = 0;
		r = SFTPC_ERR_FORMAT;
		goto out;
	}
	it->p = buf_ptr(b);
	it->len = buf_len(b);
	it->left--;
	r = 1;
 out:
	buf_free(b);
	return r;
}

int
sftpc_parse_state_page(const u_char *p, size_t len, struct sftpc_state_page *sp)
{
	struct buf *b;
	int r;

	memset(sp, 0, sizeof(*sp));
	if ((b = buf_from(p, len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_string_direct(b, &sp->headhash,
	    &sp->headhashlen)) != 0 ||
	    (r = buf_get_string_direct(b, &sp->cursor, &sp->cursorlen)) != 0 ||
	    (r = buf_get_u32(b, &sp->items.left)) != 0) {
		r = SFTPC_ERR_FORMAT;
		goto out;
	}
	if (sp->headhashlen != 0 && sp->headhashlen != 64) {
		r = SFTPC_ERR_FORMAT;
		goto out;
	}
	sp->items.p = buf_ptr(b);
	sp->items.len = buf_len(b);
	r = 0;
 out:
	buf_free(b);
	return r;
}

int
sftpc_item_next(struct sftpc_iter *it, struct sftpc_item *item)
{
	struct buf *b;
	int r;

	memset(item, 0, sizeof(*item));
	if (it->left == 0)
		return it->len == 0 ? 0 : SFTPC_ERR_FORMAT;
	if ((b = buf_from(it->p, it->len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u8(b, &item->kind)) != 0 ||
	    (r = buf_get_u64(b, &item->seq)) != 0 ||
	    (r = buf_get_string_direct(b, &item->content,
	    &item->contentlen)) != 0 ||
	    item->kind < SFTPC_ITEM_HEAD || item->kind > SFTPC_ITEM_VOID ||
	    item->seq > PFISH_SEQ_MAX) {
		memset(item, 0, sizeof(*item));
		r = SFTPC_ERR_FORMAT;
		goto out;
	}
	it->p = buf_ptr(b);
	it->len = buf_len(b);
	it->left--;
	r = 1;
 out:
	buf_free(b);
	return r;
}

int
sftpc_age_name(const u_char *n, size_t len)
{
	size_t i, sl = sizeof(PFISH_AGE_SUFFIX) - 1;

	if (len <= sl || len > 255 || n[0] == '.' ||
	    memcmp(n + len - sl, PFISH_AGE_SUFFIX, sl) != 0)
		return 0;
	for (i = 0; i < len; i++)
		if (n[i] <= 0x20 || n[i] >= 0x7f || n[i] == '/')
			return 0;
	return 1;
}

int
sftpc_seq_from_name(const char *name, uint64_t *seq)
{
	size_t i;

	*seq = 0;
	if (strlen(name) != PFISH_SEQ_WIDTH + sizeof(PFISH_AGE_SUFFIX) - 1 ||
	    strcmp(name + PFISH_SEQ_WIDTH, PFISH_AGE_SUFFIX) != 0)
		return -1;
	for (i = 0; i < PFISH_SEQ_WIDTH; i++) {
		if (name[i] < '0' || name[i] > '9') {
			*seq = 0;
			return -1;
		}
		*seq = *seq * 10 + (uint64_t)(name[i] - '0');
	}
	return *seq == 0 ? -1 : 0;
}
