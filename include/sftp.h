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

/* sftp.h: the SFTP version 3 wire format (draft-ietf-secsh-filexfer-02). */

#ifndef SFTP_H
#define SFTP_H

#include <sys/types.h>
#include <sys/stat.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pfish.h"

struct buf;

#define SFTP_VERSION		3

/* Packet types. */
#define SFTP_FXP_INIT		1
#define SFTP_FXP_VERSION	2
#define SFTP_FXP_OPEN		3
#define SFTP_FXP_CLOSE		4
#define SFTP_FXP_READ		5
#define SFTP_FXP_WRITE		6
#define SFTP_FXP_LSTAT		7
#define SFTP_FXP_FSTAT		8
#define SFTP_FXP_SETSTAT	9
#define SFTP_FXP_FSETSTAT	10
#define SFTP_FXP_OPENDIR	11
#define SFTP_FXP_READDIR	12
#define SFTP_FXP_REMOVE		13
#define SFTP_FXP_MKDIR		14
#define SFTP_FXP_RMDIR		15
#define SFTP_FXP_REALPATH	16
#define SFTP_FXP_STAT		17
#define SFTP_FXP_RENAME		18
#define SFTP_FXP_READLINK	19
#define SFTP_FXP_SYMLINK	20
#define SFTP_FXP_STATUS		101
#define SFTP_FXP_HANDLE		102
#define SFTP_FXP_DATA		103
#define SFTP_FXP_NAME		104
#define SFTP_FXP_ATTRS		105
#define SFTP_FXP_EXTENDED	200
#define SFTP_FXP_EXTENDED_REPLY	201

/* Status codes. */
#define SFTP_FX_OK		0
#define SFTP_FX_EOF		1
#define SFTP_FX_NO_SUCH_FILE	2
#define SFTP_FX_PERMISSION_DENIED 3
#define SFTP_FX_FAILURE		4
#define SFTP_FX_BAD_MESSAGE	5
#define SFTP_FX_NO_CONNECTION	6
#define SFTP_FX_CONNECTION_LOST	7
#define SFTP_FX_OP_UNSUPPORTED	8

/* OPEN pflags. */
#define SFTP_FXF_READ		0x01
#define SFTP_FXF_WRITE		0x02
#define SFTP_FXF_APPEND		0x04
#define SFTP_FXF_CREAT		0x08
#define SFTP_FXF_TRUNC		0x10
#define SFTP_FXF_EXCL		0x20

/* ATTRS flags. */
#define SFTP_ATTR_SIZE		0x00000001
#define SFTP_ATTR_UIDGID	0x00000002
#define SFTP_ATTR_PERMISSIONS	0x00000004
#define SFTP_ATTR_ACMODTIME	0x00000008
#define SFTP_ATTR_EXTENDED	0x80000000

/*
 * Framing: uint32 length, then length bytes (type, then the body).  The
 * length counts neither itself nor anything else; PFISH_PACKET_MAX caps
 * the whole packet including the length field.
 */
#define SFTP_HDR_LEN		4
#define SFTP_BODY_MAX		(PFISH_PACKET_MAX - SFTP_HDR_LEN)
#define SFTP_ATTRS_EXT_MAX	64	/* extended pairs accepted in ATTRS */
#define SFTP_LONGNAME_MAX	(NAME_MAX + 128)
/* DATA reply header: length, type, id, data length. */
#define SFTP_DATA_HDR_LEN	(SFTP_HDR_LEN + 1 + 4 + 4)

/* Errors beyond buf.h's. */
#define SFTP_ERR_TOO_LONG	-20	/* length field beyond the cap */
#define SFTP_ERR_EMPTY		-21	/* packet without a type byte */
#define SFTP_ERR_ATTRS		-22	/* malformed ATTRS */

struct sftp_attrs {
	uint32_t	flags;
	uint64_t	size;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	perm;
	uint32_t	atime;
	uint32_t	mtime;
};

const char	*sftp_strerror(int r);
const char	*sftp_type_name(u_int type);	/* "OPEN", or "unknown" */
const char	*sftp_status_text(u_int status);

/* Framing: check the length field at hdr; *bodylen is the body's length. */
int	sftp_frame_check(const u_char hdr[SFTP_HDR_LEN], size_t *bodylen);

/* Replies: begin resets b; end fills in the length field. */
int	sftp_reply_begin(struct buf *b, u_int type, uint32_t id);
int	sftp_reply_end(struct buf *b);
int	sftp_put_status(struct buf *b, uint32_t id, u_int status,
	    const char *msg);
int	sftp_put_handle(struct buf *b, uint32_t id, const void *handle,
	    size_t len);
void	sftp_data_header(u_char hdr[SFTP_DATA_HDR_LEN], uint32_t id,
	    uint32_t datalen);

/* ATTRS. */
void	sftp_attrs_clear(struct sftp_attrs *a);
void	sftp_attrs_from_stat(struct sftp_attrs *a, const struct stat *st);
int	sftp_attrs_encode(struct buf *b, const struct sftp_attrs *a);
int	sftp_attrs_decode(struct buf *b, struct sftp_attrs *a);

/* One NAME entry: filename, longname, ATTRS. */
int	sftp_put_name_entry(struct buf *b, const char *name,
	    const char *longname, const struct sftp_attrs *a);
/* An "ls -l" style line; owner/group NULL print the numeric ids. */
int	sftp_longname(char *out, size_t outsz, const char *name,
	    const struct stat *st, const char *owner, const char *group,
	    time_t now);

/* Request fields (strings stay in the packet: valid until it is freed). */
int	sftp_get_string(struct buf *b, const u_char **p, size_t *len);
int	sftp_get_open(struct buf *b, const u_char **path, size_t *pathlen,
	    uint32_t *pflags, struct sftp_attrs *a);
int	sftp_get_read(struct buf *b, const u_char **handle, size_t *hlen,
	    uint64_t *off, uint32_t *len);

#endif /* SFTP_H */
