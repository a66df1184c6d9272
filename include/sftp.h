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
 * sftp.h: the SFTP version 3 wire format (draft-ietf-secsh-filexfer-02),
 * one codec for both sides: pfish-server's replies and request fields,
 * pfish's requests and reply parsing.
 */

#ifndef SFTP_H
#define SFTP_H

#include <sys/types.h>
#include <sys/stat.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pfish.h"
#include "pfisherr.h"

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

struct sftp_attrs {
	uint32_t	flags;
	uint64_t	size;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	perm;
	uint32_t	atime;
	uint32_t	mtime;
};

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

/* The client side: requests out, replies parsed and checked. */

#define SFTP_HANDLE_MAX	256	/* v3 allows up to 256 bytes */
#define SFTP_MSG_MAX		128	/* status text kept, truncated */

/* Extensions a server advertised in VERSION that pfish cares about. */
#define SFTP_EXT_STATE		0x01	/* pfish-state@pfish "1" */
#define SFTP_EXT_DELETE	0x02	/* pfish-delete@pfish "1" */
#define SFTP_EXT_LIMITS	0x04	/* limits@openssh.com */
#define SFTP_EXT_LIMITS_NAME	"limits@openssh.com"
#define SFTP_EXT_ACCOUNT	0x08	/* pfish-account@pfish "1" */

/* A parsed reply; pointers borrow from the packet handed to the parser. */
struct sftp_reply {
	uint8_t		 type;
	uint32_t	 id;
	uint32_t	 status;		/* STATUS */
	char		 msg[SFTP_MSG_MAX];	/* STATUS, sanitised */
	const u_char	*handle;		/* HANDLE */
	size_t		 handlelen;
	const u_char	*data;			/* DATA, EXTENDED_REPLY rest */
	size_t		 datalen;
	uint32_t	 count;			/* NAME */
	struct sftp_attrs attrs;		/* ATTRS */
};

/* Iterators over a NAME reply's entries and a state page's items. */
struct sftp_iter {
	const u_char	*p;
	size_t		 len;
	uint32_t	 left;
};

struct sftp_state_page {
	const u_char	*headhash;	/* hex or empty */
	size_t		 headhashlen;
	const u_char	*cursor;	/* empty: listing complete */
	size_t		 cursorlen;
	struct sftp_iter items;
};

struct sftp_item {
	uint8_t		 kind;
	uint64_t	 seq;
	const u_char	*content;
	size_t		 contentlen;
};

/* Requests, each appended to b (several may be queued). */
int	sftp_put_init(struct buf *b);
int	sftp_put_open(struct buf *b, uint32_t id, const char *path,
	    uint32_t pflags);
int	sftp_put_read(struct buf *b, uint32_t id, const u_char *handle,
	    size_t hlen, uint64_t off, uint32_t len);
/*
 * A request of one string (a path or handle); ext: EXTENDED's name.  arg
 * NULL: no string, an EXTENDED that is its name alone.
 */
int	sftp_put_string_req(struct buf *b, uint8_t type, uint32_t id,
	    const char *ext, const void *arg, size_t arglen);

/* Replies: pkt is the packet after its uint32 length (type first). */
int	sftp_parse_version(const u_char *pkt, size_t len, uint32_t *version,
	    uint32_t *exts);
int	sftp_parse_reply(const u_char *pkt, size_t len,
	    struct sftp_reply *r, struct sftp_iter *names);
/* Next NAME entry: 1 when one was read, 0 at the end, <0 on error. */
int	sftp_name_next(struct sftp_iter *it, const u_char **name,
	    size_t *namelen, struct sftp_attrs *a);
/* The body of a pfish-state EXTENDED_REPLY (after type and id). */
int	sftp_parse_state_page(const u_char *p, size_t len,
	    struct sftp_state_page *sp);
int	sftp_item_next(struct sftp_iter *it, struct sftp_item *item);
/* The body of a limits@openssh.com EXTENDED_REPLY; 0 in a field: none. */
struct sftp_limits {
	uint64_t	 packet;
	uint64_t	 read;
	uint64_t	 write;
	uint64_t	 handles;
};
int	sftp_parse_limits(const u_char *p, size_t len, struct sftp_limits *l);
/*
 * The body of a pfish-account EXTENDED_REPLY: uint32 count, then count
 * of uint64 serial, string state.  Each state must carry serial after +
 * 1, after + 2, ...: sftp_account_next checks it, *after moves on.
 */
int	sftp_parse_account_page(const u_char *p, size_t len,
	    struct sftp_iter *states);
int	sftp_account_next(struct sftp_iter *it, uint64_t *after,
	    const u_char **state, size_t *statelen);

/* Names: a plain "*.age" at the top of the mailbox (1 yes, 0 no). */
int	sftp_age_name(const u_char *name, size_t len);

#endif /* SFTP_H */
