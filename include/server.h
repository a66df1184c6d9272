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

/* server.h: pfish-server, the mailbox SFTP subsystem: session and dispatch. */

#ifndef SERVER_H
#define SERVER_H

#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>

#include "mailbox.h"

struct buf;
struct evbuffer;
struct readpool;
struct server;
struct statecache;
struct trust;

/* Policy flags (-R, -S). */
#define SERVER_READONLY		0x01	/* no REMOVE, no pfish-delete */
#define SERVER_SIGNED_ONLY	0x02	/* REMOVE refused, pfish-delete ok */
#define SERVER_CONFINE_REQUIRED	0x04	/* exit if Landlock is missing (-L) */

struct server_opts {
	int		 flags;
	u_int		 max_handles;	/* 1 .. PFISH_HANDLES_MAX */
	/* Names for listings; NULL prints the number (no lookups later). */
	uid_t		 owner_uid;
	const char	*owner;
	gid_t		 group_gid;
	const char	*group;
	uid_t		 store_uid;	/* owner of the files the store wrote */
	const char	*store_owner;
	gid_t		 store_gid;
	const char	*store_group;
	/* authorized_keys whose keys may sign deletes; NULL: none. */
	const char	*keys_path;
	/* The client's address (SSH_CONNECTION) for from=; NULL: unknown. */
	const char	*client_addr;
};

/*
 * A session.  The caller owns mb (it outlives the session).  Output goes to
 * out, or to an evbuffer of the session's own when out is NULL (tests and
 * fuzzers read it with server_output()).  No event loop is needed: feed
 * bytes, read replies.
 */
/* What a session did, for its access-log line. */
struct server_stats {
	uint64_t	 requests;	/* packets processed */
	uint64_t	 bytes_in;	/* SFTP bytes received */
	uint64_t	 bytes_read;	/* message bytes served by READ */
};

struct server	*server_new(struct mailbox *mb, const struct server_opts *o,
		    struct evbuffer *out);
void		 server_free(struct server *s);
struct evbuffer	*server_output(struct server *s);
const struct server_stats *server_stats(const struct server *s);

/*
 * Process every complete packet in in, stopping early while the output
 * holds more than PFISH_OUTPUT_HIWAT bytes.  0: carry on (more input may
 * be needed); -1: protocol violation, reason logged, end the session.
 */
int		 server_input(struct server *s, struct evbuffer *in);
/* The same for bytes in memory (appended to an input buffer of its own). */
int		 server_feed(struct server *s, const u_char *data, size_t len);
/* Output above the high-water mark: stop reading input. */
int		 server_output_full(struct server *s);
void		 server_list_requests(FILE *f);

/* pfish-server(8): the whole program. */
int		 server_main(int argc, char **argv);

/* ---- Internal to subsys/: dispatch table and handles. ---- */

enum req_write {
	REQ_NOWRITE = 0,
	REQ_WRITE,		/* refused by -R and -S */
	REQ_SIGNED_WRITE	/* refused by -R only */
};

/* Returns 0 when a reply is queued, < 0 (buf.h) for a malformed request. */
typedef int req_handler(struct server *s, uint32_t id, struct buf *req);

struct server_request {
	const char	*name;
	u_int		 type;		/* SFTP_FXP_*, 0 for extensions */
	req_handler	*handler;	/* NULL: unsupported, status reply */
	enum req_write	 does_write;
	int		 advertise;	/* extensions: list in VERSION */
};

enum handle_kind {
	HANDLE_FREE = 0,
	HANDLE_FILE,
	HANDLE_DIR
};

struct handle {
	enum handle_kind	 kind;
	uint32_t		 gen;
	int			 fd;
	struct mailbox_dir	*dir;
	uint64_t		 bytes;		/* read through this handle */
	char			 name[MAILBOX_NAME_MAX + 1];
};

struct server {
	struct mailbox		*mb;
	struct server_opts	 opts;
	struct evbuffer		*out;
	struct evbuffer		*own_out;
	struct evbuffer		*in;		/* for server_feed() */
	struct buf		*reply;
	struct readpool		*readpool;
	struct handle		*handles;
	u_int			 nopen;
	uint32_t		 next_gen;
	int			 inited;
	struct server_stats	 stats;		/* for the access log */
	struct trust		*delete_keys;	/* NULL: deletes refused */
	struct statecache	*statecache;	/* state listing, or NULL */
};

/* The tables and the dispatch of EXTENDED (subsys/srv-requests.c). */
extern const struct server_request server_extensions[];

int	request_permitted(const struct server *s,
	    const struct server_request *r);
const struct server_request *server_find_request(u_int type);

/* Replies: queue s->reply, or build and queue a STATUS (srv-reply.c). */
int	server_send(struct server *s);
int	server_status(struct server *s, uint32_t id, u_int status,
	    const char *msg);
int	server_status_errno(struct server *s, uint32_t id, int errnum);

/* Handles: 8 bytes on the wire (slot, generation), checked exactly. */
struct handle *handle_new(struct server *s, enum handle_kind kind);
struct handle *handle_lookup(struct server *s, const u_char *h, size_t len,
	    enum handle_kind kind);
int	handle_send(struct server *s, uint32_t id, const struct handle *h);
void	handle_close(struct server *s, struct handle *h);

/* READ buffers queued by reference (subsys/readpool.c). */
struct readpool *readpool_new(void);
void	readpool_close(struct readpool *p);
u_char	*readpool_get(struct readpool *p);
void	readpool_put(struct readpool *p, u_char *b);
void	readpool_queue(struct readpool *p, struct evbuffer *out, u_char *b,
	    size_t len);

/* Request families: subsys/req-file.c, req-dir.c, req-ext.c, req-state.c. */
req_handler	req_open, req_close, req_read, req_stat, req_lstat,
		req_fstat, req_realpath, req_remove;
req_handler	req_opendir, req_readdir;
req_handler	req_limits;
req_handler	req_pfish_state, req_pfish_delete;
req_handler	req_pfish_account;
/* The state listing's cache between pages (subsys/req-state.c). */
void	server_statecache_free(struct statecache *c);

#endif /* SERVER_H */
