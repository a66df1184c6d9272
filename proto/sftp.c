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
 * sftp.c: the SFTP v3 codec of both sides: framing, type and status
 * names, ATTRS, the server's replies and request fields, the client's
 * requests and reply parsing.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "layout.h"
#include "pfish.h"
#include "sftp.h"
#include "statepage.h"

static const struct {
	u_int		 type;
	const char	*name;
} sftp_types[] = {
	{ SFTP_FXP_INIT, "INIT" },
	{ SFTP_FXP_VERSION, "VERSION" },
	{ SFTP_FXP_OPEN, "OPEN" },
	{ SFTP_FXP_CLOSE, "CLOSE" },
	{ SFTP_FXP_READ, "READ" },
	{ SFTP_FXP_WRITE, "WRITE" },
	{ SFTP_FXP_LSTAT, "LSTAT" },
	{ SFTP_FXP_FSTAT, "FSTAT" },
	{ SFTP_FXP_SETSTAT, "SETSTAT" },
	{ SFTP_FXP_FSETSTAT, "FSETSTAT" },
	{ SFTP_FXP_OPENDIR, "OPENDIR" },
	{ SFTP_FXP_READDIR, "READDIR" },
	{ SFTP_FXP_REMOVE, "REMOVE" },
	{ SFTP_FXP_MKDIR, "MKDIR" },
	{ SFTP_FXP_RMDIR, "RMDIR" },
	{ SFTP_FXP_REALPATH, "REALPATH" },
	{ SFTP_FXP_STAT, "STAT" },
	{ SFTP_FXP_RENAME, "RENAME" },
	{ SFTP_FXP_READLINK, "READLINK" },
	{ SFTP_FXP_SYMLINK, "SYMLINK" },
	{ SFTP_FXP_STATUS, "STATUS" },
	{ SFTP_FXP_HANDLE, "HANDLE" },
	{ SFTP_FXP_DATA, "DATA" },
	{ SFTP_FXP_NAME, "NAME" },
	{ SFTP_FXP_ATTRS, "ATTRS" },
	{ SFTP_FXP_EXTENDED, "EXTENDED" },
	{ SFTP_FXP_EXTENDED_REPLY, "EXTENDED_REPLY" },
};

const char *
sftp_type_name(u_int type)
{
	size_t i;

	for (i = 0; i < sizeof(sftp_types) / sizeof(sftp_types[0]); i++)
		if (sftp_types[i].type == type)
			return sftp_types[i].name;
	return "unknown";
}

const char *
sftp_status_text(u_int status)
{
	switch (status) {
	case SFTP_FX_OK:
		return "Success";
	case SFTP_FX_EOF:
		return "End of file";
	case SFTP_FX_NO_SUCH_FILE:
		return "No such file";
	case SFTP_FX_PERMISSION_DENIED:
		return "Permission denied";
	case SFTP_FX_FAILURE:
		return "Failure";
	case SFTP_FX_BAD_MESSAGE:
		return "Bad message";
	case SFTP_FX_NO_CONNECTION:
		return "No connection";
	case SFTP_FX_CONNECTION_LOST:
		return "Connection lost";
	case SFTP_FX_OP_UNSUPPORTED:
		return "Operation unsupported";
	default:
		return "Unknown status";
	}
}

int
sftp_frame_check(const u_char hdr[SFTP_HDR_LEN], size_t *bodylen)
{
	uint32_t len;

	*bodylen = 0;
	len = buf_load_u32(hdr);
	if (len == 0)
		return SFTP_ERR_EMPTY;
	if (len > SFTP_BODY_MAX)
		return SFTP_ERR_TOO_LONG;
	*bodylen = len;
	return 0;
}

/* A packet appended to b: length placeholder, type, id (INIT has none). */
static int
sftp_packet_begin(struct buf *b, uint8_t type, uint32_t id, size_t *start)
{
	int r;

	*start = buf_len(b);
	if ((r = buf_put_u32(b, 0)) != 0 || (r = buf_put_u8(b, type)) != 0)
		return r;
	if (type != SFTP_FXP_INIT && (r = buf_put_u32(b, id)) != 0)
		return r;
	return 0;
}

/* The length of the packet that starts at start. */
static int
sftp_packet_end(struct buf *b, size_t start)
{
	u_char *p;
	size_t len;

	if (buf_len(b) < start + SFTP_HDR_LEN + 1)
		return SFTP_ERR_TOO_LONG;
	if ((p = buf_mutable_ptr(b)) == NULL)
		return BUF_ERR_READONLY;
	len = buf_len(b) - start - SFTP_HDR_LEN;
	if (len > SFTP_BODY_MAX)
		return SFTP_ERR_TOO_LONG;
	buf_store_u32(p + start, (uint32_t)len);
	return 0;
}

int
sftp_reply_begin(struct buf *b, u_int type, uint32_t id)
{
	size_t start;

	buf_reset(b);
	/* VERSION carries the version where other replies carry the id. */
	return sftp_packet_begin(b, (uint8_t)type, id, &start);
}

int
sftp_reply_end(struct buf *b)
{
	return sftp_packet_end(b, 0);
}

int
sftp_put_status(struct buf *b, uint32_t id, u_int status, const char *msg)
{
	int r;

	if (msg == NULL)
		msg = sftp_status_text(status);
	if ((r = sftp_reply_begin(b, SFTP_FXP_STATUS, id)) != 0 ||
	    (r = buf_put_u32(b, status)) != 0 ||
	    (r = buf_put_cstring(b, msg)) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0)
		return r;
	return sftp_reply_end(b);
}

int
sftp_put_handle(struct buf *b, uint32_t id, const void *handle, size_t len)
{
	int r;

	if ((r = sftp_reply_begin(b, SFTP_FXP_HANDLE, id)) != 0 ||
	    (r = buf_put_string(b, handle, len)) != 0)
		return r;
	return sftp_reply_end(b);
}

void
sftp_data_header(u_char hdr[SFTP_DATA_HDR_LEN], uint32_t id,
    uint32_t datalen)
{
	buf_store_u32(hdr, (uint32_t)(SFTP_DATA_HDR_LEN - SFTP_HDR_LEN) +
	    datalen);
	hdr[4] = SFTP_FXP_DATA;
	buf_store_u32(hdr + 5, id);
	buf_store_u32(hdr + 9, datalen);
}

void
sftp_attrs_clear(struct sftp_attrs *a)
{
	memset(a, 0, sizeof(*a));
}

/* Clients need the S_IFMT bits to tell files from directories. */
void
sftp_attrs_from_stat(struct sftp_attrs *a, const struct stat *st)
{
	sftp_attrs_clear(a);
	a->flags = SFTP_ATTR_SIZE | SFTP_ATTR_UIDGID | SFTP_ATTR_PERMISSIONS |
	    SFTP_ATTR_ACMODTIME;
	a->size = st->st_size < 0 ? 0 : (uint64_t)st->st_size;
	a->uid = (uint32_t)st->st_uid;
	a->gid = (uint32_t)st->st_gid;
	a->perm = (uint32_t)(st->st_mode & (S_IFMT | 07777));
	a->atime = (uint32_t)st->st_atime;
	a->mtime = (uint32_t)st->st_mtime;
}

int
sftp_attrs_encode(struct buf *b, const struct sftp_attrs *a)
{
	uint32_t flags = a->flags & ~SFTP_ATTR_EXTENDED;
	int r;

	if ((r = buf_put_u32(b, flags)) != 0)
		return r;
	if ((flags & SFTP_ATTR_SIZE) && (r = buf_put_u64(b, a->size)) != 0)
		return r;
	if ((flags & SFTP_ATTR_UIDGID) && ((r = buf_put_u32(b, a->uid)) != 0 ||
	    (r = buf_put_u32(b, a->gid)) != 0))
		return r;
	if ((flags & SFTP_ATTR_PERMISSIONS) &&
	    (r = buf_put_u32(b, a->perm)) != 0)
		return r;
	if ((flags & SFTP_ATTR_ACMODTIME) &&
	    ((r = buf_put_u32(b, a->atime)) != 0 ||
	    (r = buf_put_u32(b, a->mtime)) != 0))
		return r;
	return 0;
}

/* Extended pairs are parsed and dropped: pfish sets no attributes. */
static int
attrs_skip_extended(struct buf *b)
{
	uint32_t i, count;
	int r;

	if ((r = buf_get_u32(b, &count)) != 0)
		return r;
	if (count > SFTP_ATTRS_EXT_MAX)
		return SFTP_ERR_ATTRS;
	for (i = 0; i < count; i++) {
		if ((r = buf_get_string_direct(b, NULL, NULL)) != 0 ||
		    (r = buf_get_string_direct(b, NULL, NULL)) != 0)
			return r;
	}
	return 0;
}

int
sftp_attrs_decode(struct buf *b, struct sftp_attrs *a)
{
	int r;

	sftp_attrs_clear(a);
	if ((r = buf_get_u32(b, &a->flags)) != 0)
		return r;
	if ((a->flags & SFTP_ATTR_SIZE) && (r = buf_get_u64(b, &a->size)) != 0)
		goto out;
	if ((a->flags & SFTP_ATTR_UIDGID) &&
	    ((r = buf_get_u32(b, &a->uid)) != 0 ||
	    (r = buf_get_u32(b, &a->gid)) != 0))
		goto out;
	if ((a->flags & SFTP_ATTR_PERMISSIONS) &&
	    (r = buf_get_u32(b, &a->perm)) != 0)
		goto out;
	if ((a->flags & SFTP_ATTR_ACMODTIME) &&
	    ((r = buf_get_u32(b, &a->atime)) != 0 ||
	    (r = buf_get_u32(b, &a->mtime)) != 0))
		goto out;
	if ((a->flags & SFTP_ATTR_EXTENDED) &&
	    (r = attrs_skip_extended(b)) != 0)
		goto out;
	r = 0;
 out:
	if (r != 0)
		sftp_attrs_clear(a);
	return r;
}

int
sftp_put_name_entry(struct buf *b, const char *name, const char *longname,
    const struct sftp_attrs *a)
{
	int r;

	if ((r = buf_put_cstring(b, name)) != 0 ||
	    (r = buf_put_cstring(b, longname)) != 0)
		return r;
	return sftp_attrs_encode(b, a);
}

static void
mode_string(mode_t m, char s[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	s[0] = S_ISDIR(m) ? 'd' : S_ISREG(m) ? '-' : S_ISLNK(m) ? 'l' : '?';
	for (i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & S_IXOTH) ? 't' : 'T';
	s[10] = '\0';
}

int
sftp_longname(char *out, size_t outsz, const char *name,
    const struct stat *st, const char *owner, const char *group, time_t now)
{
	char mode[11], date[32], uid[16], gid[16];
	struct tm tm;
	size_t dn = 0;
	int n;

	mode_string(st->st_mode, mode);
	/* Like ls(1): the year instead of the time beyond six months. */
	if (localtime_r(&st->st_mtime, &tm) != NULL) {
		if (st->st_mtime + 182 * 86400 > now &&
		    st->st_mtime < now + 86400)
			dn = strftime(date, sizeof(date), "%b %e %H:%M", &tm);
		else
			dn = strftime(date, sizeof(date), "%b %e  %Y", &tm);
	}
	if (dn == 0)
		strlcpy(date, "?", sizeof(date));
	if (owner == NULL) {
		snprintf(uid, sizeof(uid), "%u", (u_int)st->st_uid);
		owner = uid;
	}
	if (group == NULL) {
		snprintf(gid, sizeof(gid), "%u", (u_int)st->st_gid);
		group = gid;
	}
	n = snprintf(out, outsz, "%s %3u %-8.32s %-8.32s %8llu %s %s", mode,
	    (u_int)st->st_nlink, owner, group,
	    (unsigned long long)(st->st_size < 0 ? 0 : st->st_size), date, name);
	if (n < 0 || (size_t)n >= outsz)
		return BUF_ERR_NO_SPACE;
	return 0;
}

int
sftp_get_string(struct buf *b, const u_char **p, size_t *len)
{
	return buf_get_string_direct(b, p, len);
}

int
sftp_get_open(struct buf *b, const u_char **path, size_t *pathlen,
    uint32_t *pflags, struct sftp_attrs *a)
{
	int r;

	*pflags = 0;
	if ((r = buf_get_string_direct(b, path, pathlen)) != 0 ||
	    (r = buf_get_u32(b, pflags)) != 0 ||
	    (r = sftp_attrs_decode(b, a)) != 0)
		return r;
	return 0;
}

int
sftp_get_read(struct buf *b, const u_char **handle, size_t *hlen,
    uint64_t *off, uint32_t *len)
{
	int r;

	*off = 0;
	*len = 0;
	if ((r = buf_get_string_direct(b, handle, hlen)) != 0 ||
	    (r = buf_get_u64(b, off)) != 0 ||
	    (r = buf_get_u32(b, len)) != 0)
		return r;
	return 0;
}

/* The client side: requests out, replies parsed and checked. */

int
sftp_put_init(struct buf *b)
{
	size_t start;
	int r;

	if ((r = sftp_packet_begin(b, SFTP_FXP_INIT, 0, &start)) != 0 ||
	    (r = buf_put_u32(b, SFTP_VERSION)) != 0)
		return r;
	return sftp_packet_end(b, start);
}

int
sftp_put_open(struct buf *b, uint32_t id, const char *path, uint32_t pflags)
{
	size_t start;
	int r;

	if ((r = sftp_packet_begin(b, SFTP_FXP_OPEN, id, &start)) != 0 ||
	    (r = buf_put_cstring(b, path)) != 0 ||
	    (r = buf_put_u32(b, pflags)) != 0 ||
	    (r = buf_put_u32(b, 0)) != 0)	/* ATTRS: no flags */
		return r;
	return sftp_packet_end(b, start);
}

int
sftp_put_read(struct buf *b, uint32_t id, const u_char *handle, size_t hlen,
    uint64_t off, uint32_t len)
{
	size_t start;
	int r;

	if ((r = sftp_packet_begin(b, SFTP_FXP_READ, id, &start)) != 0 ||
	    (r = buf_put_string(b, handle, hlen)) != 0 ||
	    (r = buf_put_u64(b, off)) != 0 ||
	    (r = buf_put_u32(b, len)) != 0)
		return r;
	return sftp_packet_end(b, start);
}

int
sftp_put_string_req(struct buf *b, uint8_t type, uint32_t id, const char *ext,
    const void *arg, size_t arglen)
{
	size_t start;
	int r;

	if ((r = sftp_packet_begin(b, type, id, &start)) != 0 ||
	    (ext != NULL && (r = buf_put_cstring(b, ext)) != 0) ||
	    (arg != NULL && (r = buf_put_string(b, arg, arglen)) != 0))
		return r;
	return sftp_packet_end(b, start);
}

/*
 * The body of a limits@openssh.com reply: uint64 packet, read, write and
 * open-handle limits, 0 for none.  Later fields may follow; they are
 * not read.
 */
int
sftp_parse_limits(const u_char *p, size_t len, struct sftp_limits *l)
{
	struct buf *b;
	int r;

	memset(l, 0, sizeof(*l));
	if ((b = buf_from(p, len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u64(b, &l->packet)) != 0 ||
	    (r = buf_get_u64(b, &l->read)) != 0 ||
	    (r = buf_get_u64(b, &l->write)) != 0 ||
	    (r = buf_get_u64(b, &l->handles)) != 0) {
		memset(l, 0, sizeof(*l));
		r = SFTP_ERR_FORMAT;
	}
	buf_free(b);
	return r;
}

static int
strmatch(const u_char *p, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(p, s, len) == 0;
}

/* VERSION: uint32 version, then (string name, string data) pairs to the end. */
int
sftp_parse_version(const u_char *pkt, size_t len, uint32_t *version,
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
	if (type != SFTP_FXP_VERSION) {
		r = SFTP_ERR_TYPE;
		goto out;
	}
	while (buf_len(b) > 0) {
		if ((r = buf_get_string_direct(b, &name, &nlen)) != 0 ||
		    (r = buf_get_string_direct(b, &data, &dlen)) != 0)
			goto out;
		if (strmatch(name, nlen, PFISH_EXT_STATE) &&
		    strmatch(data, dlen, PFISH_EXT_VERSION))
			*exts |= SFTP_EXT_STATE;
		else if (strmatch(name, nlen, PFISH_EXT_DELETE) &&
		    strmatch(data, dlen, PFISH_EXT_VERSION))
			*exts |= SFTP_EXT_DELETE;
		else if (strmatch(name, nlen, PFISH_EXT_ACCOUNT) &&
		    strmatch(data, dlen, PFISH_EXT_VERSION))
			*exts |= SFTP_EXT_ACCOUNT;
		else if (strmatch(name, nlen, SFTP_EXT_LIMITS_NAME))
			*exts |= SFTP_EXT_LIMITS;
	}
	r = 0;
 out:
	buf_free(b);
	if (r == BUF_ERR_SHORT || r == BUF_ERR_STRING_TOO_LONG)
		r = SFTP_ERR_FORMAT;
	return r;
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
parse_body(struct buf *b, struct sftp_reply *r, struct sftp_iter *names)
{
	const u_char *p;
	size_t len;
	int e;

	switch (r->type) {
	case SFTP_FXP_STATUS:
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
	case SFTP_FXP_HANDLE:
		if ((e = buf_get_string_direct(b, &r->handle,
		    &r->handlelen)) != 0)
			return e;
		if (r->handlelen == 0 || r->handlelen > SFTP_HANDLE_MAX)
			return SFTP_ERR_FORMAT;
		return 0;
	case SFTP_FXP_DATA:
		return buf_get_string_direct(b, &r->data, &r->datalen);
	case SFTP_FXP_NAME:
		if ((e = buf_get_u32(b, &r->count)) != 0)
			return e;
		if (names != NULL) {
			names->p = buf_ptr(b);
			names->len = buf_len(b);
			names->left = r->count;
		}
		return buf_consume(b, buf_len(b));
	case SFTP_FXP_ATTRS:
		return sftp_attrs_decode(b, &r->attrs);
	case SFTP_FXP_EXTENDED_REPLY:
		r->data = buf_ptr(b);
		r->datalen = buf_len(b);
		return buf_consume(b, buf_len(b));
	default:
		return SFTP_ERR_TYPE;
	}
}

int
sftp_parse_reply(const u_char *pkt, size_t len, struct sftp_reply *r,
    struct sftp_iter *names)
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
		e = SFTP_ERR_FORMAT;
 out:
	buf_free(b);
	if (e == BUF_ERR_SHORT || e == BUF_ERR_STRING_TOO_LONG ||
	    e == BUF_ERR_NUL)
		e = SFTP_ERR_FORMAT;
	return e;
}

int
sftp_name_next(struct sftp_iter *it, const u_char **name, size_t *namelen,
    struct sftp_attrs *a)
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
	    (r = sftp_attrs_decode(b, a)) != 0) {
		*name = NULL;
		*namelen = 0;
		r = SFTP_ERR_FORMAT;
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
sftp_parse_state_page(const u_char *p, size_t len, struct sftp_state_page *sp)
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
		r = SFTP_ERR_FORMAT;
		goto out;
	}
	if (sp->headhashlen != 0 && sp->headhashlen != 64) {
		r = SFTP_ERR_FORMAT;
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
sftp_item_next(struct sftp_iter *it, struct sftp_item *item)
{
	struct buf *b;
	int r;

	memset(item, 0, sizeof(*item));
	if (it->left == 0)
		return it->len == 0 ? 0 : SFTP_ERR_FORMAT;
	if ((b = buf_from(it->p, it->len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u8(b, &item->kind)) != 0 ||
	    (r = buf_get_u64(b, &item->seq)) != 0 ||
	    (r = buf_get_string_direct(b, &item->content,
	    &item->contentlen)) != 0 ||
	    item->kind < STATEPAGE_KIND_HEAD || item->kind > STATEPAGE_KIND_VOID ||
	    item->seq > PFISH_SEQ_MAX) {
		memset(item, 0, sizeof(*item));
		r = SFTP_ERR_FORMAT;
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
sftp_parse_account_page(const u_char *p, size_t len, struct sftp_iter *states)
{
	struct buf *b;
	int r;

	memset(states, 0, sizeof(*states));
	if ((b = buf_from(p, len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u32(b, &states->left)) != 0)
		r = SFTP_ERR_FORMAT;
	else {
		states->p = buf_ptr(b);
		states->len = buf_len(b);
	}
	buf_free(b);
	return r;
}

int
sftp_account_next(struct sftp_iter *it, uint64_t *after,
    const u_char **state, size_t *statelen)
{
	struct buf *b;
	uint64_t serial;
	int r;

	*state = NULL;
	*statelen = 0;
	if (it->left == 0)
		return it->len == 0 ? 0 : SFTP_ERR_FORMAT;
	if (*after >= PFISH_SEQ_MAX)
		return SFTP_ERR_FORMAT;
	if ((b = buf_from(it->p, it->len)) == NULL)
		return BUF_ERR_ALLOC;
	if ((r = buf_get_u64(b, &serial)) != 0 ||
	    (r = buf_get_string_direct(b, state, statelen)) != 0 ||
	    serial != *after + 1) {
		*state = NULL;
		*statelen = 0;
		r = SFTP_ERR_FORMAT;
		goto out;
	}
	it->p = buf_ptr(b);
	it->len = buf_len(b);
	it->left--;
	*after = serial;
	r = 1;
 out:
	buf_free(b);
	return r;
}

int
sftp_age_name(const u_char *n, size_t len)
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
