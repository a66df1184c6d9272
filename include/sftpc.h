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

/* sftpc.h: SFTP v3 client side: request encoding and reply parsing. */

#ifndef SFTPC_H
#define SFTPC_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* Packet types (draft-ietf-secsh-filexfer-02). */
#define SFTPC_INIT		1
#define SFTPC_VERSION		2
#define SFTPC_OPEN		3
#define SFTPC_CLOSE		4
#define SFTPC_READ		5
#define SFTPC_FSTAT		8
#define SFTPC_OPENDIR		11
#define SFTPC_READDIR		12
#define SFTPC_REMOVE		13
#define SFTPC_STAT		17
#define SFTPC_STATUS		101
#define SFTPC_HANDLE		102
#define SFTPC_DATA		103
#define SFTPC_NAME		104
#define SFTPC_ATTRS		105
#define SFTPC_EXTENDED		200
#define SFTPC_EXTENDED_REPLY	201

/* Status codes. */
#define SFTPC_FX_OK			0
#define SFTPC_FX_EOF			1
#define SFTPC_FX_NO_SUCH_FILE		2
#define SFTPC_FX_PERMISSION_DENIED	3
#define SFTPC_FX_FAILURE		4
#define SFTPC_FX_BAD_MESSAGE		5
#define SFTPC_FX_OP_UNSUPPORTED		8

#define SFTPC_FXF_READ		0x00000001

/* Attribute flags. */
#define SFTPC_ATTR_SIZE		0x00000001
#define SFTPC_ATTR_UIDGID	0x00000002
#define SFTPC_ATTR_PERM		0x00000004
#define SFTPC_ATTR_ACMODTIME	0x00000008
#define SFTPC_ATTR_EXTENDED	0x80000000

#define SFTPC_VERSION_3		3
#define SFTPC_HANDLE_MAX	256	/* v3 allows up to 256 bytes */
#define SFTPC_MSG_MAX		128	/* status text kept, truncated */

/* Extensions a server advertised in VERSION that pfish cares about. */
#define SFTPC_EXT_STATE		0x01	/* pfish-state@pfish "1" */
#define SFTPC_EXT_DELETE	0x02	/* pfish-delete@pfish "1" */
#define SFTPC_EXT_LIMITS	0x04	/* limits@openssh.com */

#define SFTPC_ERR_FORMAT	-100	/* malformed reply */
#define SFTPC_ERR_TYPE		-101	/* reply type not expected here */

/* Kinds of item in a pfish-state page. */
#define SFTPC_ITEM_HEAD		1
#define SFTPC_ITEM_RECORD	2
#define SFTPC_ITEM_DELETE	3
#define SFTPC_ITEM_NOTE		4
#define SFTPC_ITEM_VOID		5

struct sftpc_attrs {
	uint32_t	flags;
	uint64_t	size;
	uint32_t	uid, gid;
	uint32_t	perm;
	uint32_t	atime, mtime;
};

/* A parsed reply; pointers borrow from the packet handed to the parser. */
struct sftpc_reply {
	uint8_t		 type;
	uint32_t	 id;
	uint32_t	 status;		/* STATUS */
	char		 msg[SFTPC_MSG_MAX];	/* STATUS, sanitised */
	const u_char	*handle;		/* HANDLE */
	size_t		 handlelen;
	const u_char	*data;			/* DATA, EXTENDED_REPLY rest */
	size_t		 datalen;
	uint32_t	 count;			/* NAME */
	struct sftpc_attrs attrs;		/* ATTRS */
};

/* Iterators over a NAME reply's entries and a state page's items. */
struct sftpc_iter {
	const u_char	*p;
	size_t		 len;
	uint32_t	 left;
};

struct sftpc_state_page {
	const u_char	*headhash;	/* hex or empty */
	size_t		 headhashlen;
	const u_char	*cursor;	/* empty: listing complete */
	size_t		 cursorlen;
	struct sftpc_iter items;
};

struct sftpc_item {
	uint8_t		 kind;
	uint64_t	 seq;
	const u_char	*content;
	size_t		 contentlen;
};

const char	*sftpc_strerror(int r);
const char	*sftpc_status_name(uint32_t status);

/* Requests: begin writes length placeholder, type and id; end fixes length. */
int	sftpc_begin(struct buf *b, uint8_t type, uint32_t id, size_t *start);
int	sftpc_end(struct buf *b, size_t start);
int	sftpc_put_init(struct buf *b);

/* Replies: pkt is the packet after its uint32 length (type first). */
int	sftpc_parse_version(const u_char *pkt, size_t len, uint32_t *version,
	    uint32_t *exts);
int	sftpc_parse_reply(const u_char *pkt, size_t len,
	    struct sftpc_reply *r, struct sftpc_iter *names);
int	sftpc_parse_attrs(struct buf *b, struct sftpc_attrs *a);
/* Next NAME entry: 1 when one was read, 0 at the end, <0 on error. */
int	sftpc_name_next(struct sftpc_iter *it, const u_char **name,
	    size_t *namelen, struct sftpc_attrs *a);
/* The body of a pfish-state EXTENDED_REPLY (after type and id). */
int	sftpc_parse_state_page(const u_char *p, size_t len,
	    struct sftpc_state_page *sp);
int	sftpc_item_next(struct sftpc_iter *it, struct sftpc_item *item);

/* Names: a plain "*.age" at the top of the mailbox (1 yes, 0 no). */
int	sftpc_age_name(const u_char *name, size_t len);
/* "NNNNNNNNNNNN.age", seq >= 1: 0, else -1. */
int	sftpc_seq_from_name(const char *name, uint64_t *seq);

#endif /* SFTPC_H */
