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

/* psftp.c: a minimal SFTP v3 client over a libssh channel, pfish-aware. */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>

#include "buf.h"
#include "client.h"
#include "layout.h"
#include "sftp.h"
#include "statepage.h"

struct psftp {
	ssh_session	 s;
	ssh_channel	 ch;
	uint32_t	 nextid;
	uint32_t	 version;
	uint32_t	 exts;
	int		 subsys_pfish;	/* the pfish subsystem answered */
	int		 timeout_ms;	/* for each whole reply */
	struct buf	*out;
	struct buf	*in;		/* last packet, type first */
	size_t		 batch;		/* files a batch opens; 0: not asked */
	uint32_t	 closeid;	/* first of the CLOSEs not answered */
	uint32_t	 nclose;	/* CLOSEs sent with the next requests */
	char		 dir[1024];	/* "" or the directory names are in */
	unsigned int	 restarts;	/* state listings begun again */
	char		 err[256];
};

static void
seterr(struct psftp *p, const char *what, const struct sftp_reply *r)
{
	if (r != NULL && r->type == SFTP_FXP_STATUS)
		(void)snprintf(p->err, sizeof(p->err), "%s: %s%s%s", what,
		    sftp_status_text(r->status), r->msg[0] ? ": " : "",
		    r->msg);
	else
		(void)snprintf(p->err, sizeof(p->err), "%s", what);
}

const char *
psftp_errmsg(const struct psftp *p)
{
	return p->err;
}

static int
chan_write(struct psftp *p, const u_char *d, size_t len)
{
	int n;

	while (len > 0) {
		n = ssh_channel_write(p->ch, d, len > 32768 ? 32768 :
		    (uint32_t)len);
		if (n <= 0) {
			seterr(p, ssh_get_error(p->s), NULL);
			return -1;
		}
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read exactly len bytes before the deadline (monotonic milliseconds). */
static int
chan_read(struct psftp *p, u_char *d, size_t len, uint64_t deadline)
{
	uint64_t now;
	int n;

	while (len > 0) {
		if ((now = mono_ms()) >= deadline) {
			(void)snprintf(p->err, sizeof(p->err), "no answer from "
			    "the server for %d s", p->timeout_ms / 1000);
			return -1;
		}
		n = ssh_channel_read_timeout(p->ch, d, (uint32_t)len, 0,
		    (int)(deadline - now));
		if (n < 0 || (n == 0 && ssh_channel_is_eof(p->ch))) {
			seterr(p, n < 0 ? ssh_get_error(p->s) :
			    "server closed the SFTP channel", NULL);
			return -1;
		}
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_out(struct psftp *p)
{
	int r;

	r = chan_write(p, buf_ptr(p->out), buf_len(p->out));
	buf_reset(p->out);
	return r;
}

/*
 * Read one packet into p->in (type first); the length is capped, and the
 * whole packet must arrive within the I/O timeout.
 */
static int
recv_packet(struct psftp *p)
{
	u_char lenb[4], *d;
	uint32_t len;
	uint64_t deadline = mono_ms() + (uint64_t)p->timeout_ms;

	buf_reset(p->in);
	if (chan_read(p, lenb, sizeof(lenb), deadline) != 0)
		return -1;
	len = buf_load_u32(lenb);
	if (len == 0 || len > PFISH_PACKET_MAX) {
		seterr(p, "server sent an oversized or empty packet", NULL);
		return -1;
	}
	if (buf_reserve(p->in, len, &d) != 0) {
		seterr(p, "out of memory", NULL);
		return -1;
	}
	return chan_read(p, d, len, deadline);
}

static int
recv_reply(struct psftp *p, uint32_t id, struct sftp_reply *r,
    struct sftp_iter *names)
{
	int e;

	for (;;) {
		if (recv_packet(p) != 0)
			return -1;
		if ((e = sftp_parse_reply(buf_ptr(p->in), buf_len(p->in), r,
		    names)) != 0) {
			seterr(p, pfish_strerror(e), NULL);
			return -1;
		}
		if (p->nclose == 0 || r->id != p->closeid)
			break;
		/* A batch's deferred CLOSE: the handle is gone either way. */
		if (r->type != SFTP_FXP_STATUS) {
			seterr(p, "server answered a close with data", NULL);
			return -1;
		}
		p->closeid++;
		p->nclose--;
	}
	if (r->id != id) {
		seterr(p, "reply to an unknown request", NULL);
		return -1;
	}
	return 0;
}

static int
open_subsystem(struct psftp *p, const char *name)
{
	if ((p->ch = ssh_channel_new(p->s)) == NULL)
		return -1;
	if (ssh_channel_open_session(p->ch) != SSH_OK)
		goto bad;
	if (ssh_channel_request_subsystem(p->ch, name) != SSH_OK)
		goto bad;
	return 0;
 bad:
	ssh_channel_free(p->ch);
	p->ch = NULL;
	return -1;
}

static int
do_init(struct psftp *p)
{
	int e;

	if (sftp_put_init(p->out) != 0 || send_out(p) != 0 ||
	    recv_packet(p) != 0)
		return -1;
	if ((e = sftp_parse_version(buf_ptr(p->in), buf_len(p->in),
	    &p->version, &p->exts)) != 0) {
		seterr(p, pfish_strerror(e), NULL);
		return -1;
	}
	if (p->version < SFTP_VERSION) {
		seterr(p, "server speaks an SFTP version below 3", NULL);
		return -1;
	}
	return 0;
}

int
psftp_start(struct conn *c, struct psftp **out)
{
	struct psftp *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->out = buf_new_max(PFISH_PACKET_MAX)) == NULL ||
	    (p->in = buf_new_max(PFISH_PACKET_MAX)) == NULL) {
		warnx("out of memory");
		goto bad;
	}
	p->s = conn_session(c);
	p->nextid = 1;
	p->timeout_ms = conn_iotimeout(c) * 1000;
	if (open_subsystem(p, "pfish") == 0)
		p->subsys_pfish = 1;
	else if (open_subsystem(p, "sftp") != 0) {
		warnx("%s: neither the pfish nor the sftp subsystem is "
		    "available: %s", conn_host(c), ssh_get_error(p->s));
		goto bad;
	}
	if (do_init(p) != 0) {
		warnx("%s: SFTP start failed: %s", conn_host(c), p->err);
		goto bad;
	}
	*out = p;
	return 0;
 bad:
	psftp_free(p);
	return -1;
}

void
psftp_free(struct psftp *p)
{
	if (p == NULL)
		return;
	if (p->ch != NULL) {
		ssh_channel_send_eof(p->ch);
		ssh_channel_close(p->ch);
		ssh_channel_free(p->ch);
	}
	buf_free(p->out);
	buf_free(p->in);
	free(p);
}

int
psftp_is_pfish(const struct psftp *p)
{
	return (p->exts & SFTP_EXT_STATE) != 0;
}

const char *
psftp_subsystem(const struct psftp *p)
{
	return p->subsys_pfish ? "pfish" : "sftp";
}

int
psftp_can_delete(const struct psftp *p)
{
	return (p->exts & SFTP_EXT_DELETE) != 0;
}

/*
 * Send a request with one string argument and read its reply; ext, when
 * not NULL, makes it an SSH_FXP_EXTENDED request of that name
 * (PROTOCOL.pfish: the extension name, then the one argument).
 */
/* Send a request of one string; its answer is read by recv_reply. */
static int
send_string_req(struct psftp *p, uint8_t type, const char *ext,
    const void *arg, size_t arglen, uint32_t *id)
{
	*id = p->nextid++;
	if (sftp_put_string_req(p->out, type, *id, ext, arg, arglen) != 0) {
		buf_reset(p->out);
		seterr(p, "request too large", NULL);
		return -1;
	}
	return send_out(p);
}

static int
string_req(struct psftp *p, uint8_t type, const char *ext, const void *arg,
    size_t arglen, struct sftp_reply *r, struct sftp_iter *names)
{
	uint32_t id;

	if (send_string_req(p, type, ext, arg, arglen, &id) != 0)
		return -1;
	return recv_reply(p, id, r, names);
}

static int
simple_req(struct psftp *p, uint8_t type, const void *arg, size_t arglen,
    struct sftp_reply *r, struct sftp_iter *names)
{
	return string_req(p, type, NULL, arg, arglen, r, names);
}

static int
close_handle(struct psftp *p, const u_char *h, size_t hlen)
{
	struct sftp_reply r;

	if (simple_req(p, SFTP_FXP_CLOSE, h, hlen, &r, NULL) != 0)
		return -1;
	if (r.type != SFTP_FXP_STATUS || r.status != SFTP_FX_OK) {
		seterr(p, "close", &r);
		return -1;
	}
	return 0;
}

/* Handles are copied: the reply buffer is reused by the next packet. */
static int
get_handle(struct psftp *p, const char *what, const struct sftp_reply *r,
    u_char *h, size_t *hlen)
{
	if (r->type != SFTP_FXP_HANDLE) {
		seterr(p, what, r);
		return -1;
	}
	memcpy(h, r->handle, r->handlelen);
	*hlen = r->handlelen;
	return 0;
}

/* The listing so far, bounded by max names, CLIENT_DIR_AVG bytes each. */
struct dirlist {
	struct psftp_entry	*e;
	size_t			 n, cap;
	uint64_t		 max;
	uint64_t		 names;		/* every name, kept or not */
	uint64_t		 bytes;		/* of the names kept */
	int			 full;		/* went past max */
};

static int
add_entry(struct dirlist *dl, const u_char *name, size_t len,
    const struct sftp_attrs *a)
{
	struct psftp_entry *ne;
	char *s;

	if (dl->n == dl->cap) {
		if ((ne = reallocarray(dl->e, dl->cap ? dl->cap * 2 : 64,
		    sizeof(*dl->e))) == NULL)
			return -1;
		dl->e = ne;
		dl->cap = dl->cap ? dl->cap * 2 : 64;
	}
	if ((s = strndup((const char *)name, len)) == NULL)
		return -1;
	dl->e[dl->n].name = s;
	dl->e[dl->n].size = a->size;
	dl->e[dl->n].has_size = (a->flags & SFTP_ATTR_SIZE) != 0;
	dl->n++;
	dl->bytes += len + 1;
	return 0;
}

/* One NAME reply; more names than a mailbox may hold is an error. */
static int
dir_page(struct psftp *p, struct sftp_iter *it, uint32_t count,
    struct dirlist *dl)
{
	struct sftp_attrs a;
	const u_char *name;
	size_t nlen;
	int k;

	if (count == 0) {
		seterr(p, "server sent an empty directory page", NULL);
		return -1;
	}
	while ((k = sftp_name_next(it, &name, &nlen, &a)) == 1) {
		if (++dl->names > dl->max ||
		    dl->bytes + nlen >= dl->max * CLIENT_DIR_AVG) {
			seterr(p, "server listed more names than a mailbox "
			    "may hold", NULL);
			dl->full = 1;
			return -1;
		}
		if (sftp_age_name(name, nlen) &&
		    add_entry(dl, name, nlen, &a) != 0) {
			seterr(p, "out of memory", NULL);
			return -1;
		}
	}
	if (k < 0) {
		seterr(p, "malformed directory listing", NULL);
		return -1;
	}
	return 0;
}

static int
read_dir(struct psftp *p, const u_char *h, size_t hlen, struct dirlist *dl)
{
	struct sftp_reply r;
	struct sftp_iter it;

	for (;;) {
		if (simple_req(p, SFTP_FXP_READDIR, h, hlen, &r, &it) != 0)
			return -1;
		if (r.type == SFTP_FXP_STATUS && r.status == SFTP_FX_EOF)
			return 0;
		if (r.type != SFTP_FXP_NAME) {
			seterr(p, "readdir", &r);
			return -1;
		}
		if (dir_page(p, &it, r.count, dl) != 0)
			return -1;
	}
}

int
psftp_list(struct psftp *p, uint64_t max, struct psftp_entry **out,
    size_t *nout)
{
	struct sftp_reply r;
	struct dirlist dl;
	u_char h[SFTP_HANDLE_MAX];
	size_t hlen;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	memset(&dl, 0, sizeof(dl));
	dl.max = max;
	if (simple_req(p, SFTP_FXP_OPENDIR, p->dir[0] ? p->dir : ".",
	    p->dir[0] ? strlen(p->dir) : 1, &r, NULL) != 0 ||
	    get_handle(p, "opendir", &r, h, &hlen) != 0)
		goto out;
	rc = read_dir(p, h, hlen, &dl);
	/*
	 * A listing past its bound may be listed again with a higher one:
	 * the handle is closed (the rest unread).  After any other failure
	 * the session is not worth a CLOSE.
	 */
	if ((rc == 0 || dl.full) && close_handle(p, h, hlen) != 0) {
		rc = -1;
		dl.full = 0;
	}
 out:
	if (rc != 0) {
		psftp_entries_free(dl.e, dl.n);
		return dl.full ? PSFTP_LIST_FULL : -1;
	}
	*out = dl.e;
	*nout = dl.n;
	return 0;
}

void
psftp_entries_free(struct psftp_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

struct readq {
	uint32_t	id;
	uint64_t	off;
};

static int
send_reads(struct psftp *p, const u_char *h, size_t hlen, struct readq *q,
    size_t *nq, uint64_t *off, size_t window)
{
	while (*nq < window) {
		q[*nq].id = p->nextid++;
		q[*nq].off = *off;
		if (sftp_put_read(p->out, q[*nq].id, h, hlen, *off,
		    CLIENT_READ_LEN) != 0) {
			seterr(p, "request too large", NULL);
			return -1;
		}
		*off += CLIENT_READ_LEN;
		(*nq)++;
	}
	return send_out(p);
}

/*
 * Keep CLIENT_READ_WINDOW reads in flight; replies come in request order.
 * A short read drains the window and restarts after the bytes received.
 * hint is the expected size (UINT64_MAX: unknown).
 * When the sink refuses data or the server fails a read, the replies still
 * in flight are drained so the session stays usable.
 */
static int
read_file(struct psftp *p, const u_char *h, size_t hlen, uint64_t hint,
    psftp_sink sink, void *arg)
{
	struct readq q[CLIENT_READ_WINDOW];
	struct sftp_reply r;
	uint64_t off = 0;
	size_t nq = 0, i;
	size_t window = CLIENT_READ_WINDOW;
	int eof = 0, drain = 0, fail = 0;

	/* A known size needs no more reads in flight than it has chunks. */
	if (hint / CLIENT_READ_LEN + 1 < window)
		window = (size_t)(hint / CLIENT_READ_LEN) + 1;
	for (;;) {
		if (!eof && !drain && !fail && nq < window &&
		    send_reads(p, h, hlen, q, &nq, &off, window) != 0)
			return -1;
		if (nq == 0)
			return fail;
		if (recv_reply(p, q[0].id, &r, NULL) != 0)
			return -1;
		if (!drain && !fail && r.type == SFTP_FXP_DATA) {
			/* An empty DATA would make no progress, forever. */
			if (r.datalen == 0 || r.datalen > CLIENT_READ_LEN) {
				seterr(p, "server sent an empty read reply or "
				    "more than asked", NULL);
				return -1;
			}
			if (r.datalen > 0 && sink(arg, r.data, r.datalen) != 0)
				fail = PSFTP_ERR_ABORT;
			else if (r.datalen < CLIENT_READ_LEN) {
				drain = nq > 1;
				off = q[0].off + r.datalen;
			}
		} else if (r.type == SFTP_FXP_STATUS && r.status == SFTP_FX_EOF)
			eof = eof || !drain;
		else if (!drain && !fail) {
			seterr(p, "read", &r);
			fail = PSFTP_ERR_STATUS;
		}
		for (i = 1; i < nq; i++)
			q[i - 1] = q[i];
		if (--nq == 0)
			drain = 0;
	}
}

/* The directory list, get and remove work in (the fallback's -r). */
int
psftp_set_dir(struct psftp *p, const char *dir)
{
	if (strlcpy(p->dir, dir, sizeof(p->dir)) >= sizeof(p->dir)) {
		p->dir[0] = '\0';
		return -1;
	}
	return 0;
}

/* name as the server sees it: in p->dir when one was set. */
static const char *
rpath(const struct psftp *p, const char *name, char *buf, size_t len)
{
	int n;

	if (p->dir[0] == '\0')
		return name;
	n = snprintf(buf, len, "%s/%s", p->dir, name);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}

int
psftp_get(struct psftp *p, const char *name, uint64_t hint, psftp_sink sink,
    void *arg)
{
	struct sftp_reply r;
	u_char h[SFTP_HANDLE_MAX];
	size_t hlen;
	uint32_t id = p->nextid++;
	char pbuf[1280];
	const char *path;
	int rc;

	if ((path = rpath(p, name, pbuf, sizeof(pbuf))) == NULL) {
		seterr(p, "path too long", NULL);
		return -1;
	}
	if (sftp_put_open(p->out, id, path, SFTP_FXF_READ) != 0) {
		buf_reset(p->out);
		seterr(p, "request too large", NULL);
		return -1;
	}
	if (send_out(p) != 0 || recv_reply(p, id, &r, NULL) != 0)
		return -1;
	if (get_handle(p, name, &r, h, &hlen) != 0)
		return PSFTP_ERR_STATUS;
	rc = read_file(p, h, hlen, hint, sink, arg);
	if (rc != -1 && close_handle(p, h, hlen) != 0 && rc == 0)
		rc = PSFTP_ERR_STATUS;
	return rc;
}

int
psftp_remove(struct psftp *p, const char *name)
{
	struct sftp_reply r;
	char pbuf[1280];
	const char *path;

	if ((path = rpath(p, name, pbuf, sizeof(pbuf))) == NULL) {
		seterr(p, "path too long", NULL);
		return -1;
	}
	if (simple_req(p, SFTP_FXP_REMOVE, path, strlen(path), &r, NULL) != 0)
		return -1;
	if (r.type != SFTP_FXP_STATUS || r.status != SFTP_FX_OK) {
		seterr(p, name, &r);
		return -1;
	}
	return 0;
}

static int
ext_req(struct psftp *p, const char *ext, const void *arg, size_t arglen,
    struct sftp_reply *r)
{
	return string_req(p, SFTP_FXP_EXTENDED, ext, arg, arglen, r, NULL);
}

/*
 * One page's header: *changed when the head moved, else the next cursor
 * and, on the first page of a listing, the headhash the others must
 * carry.  The items are left in sp for state_items.
 */
static int
state_page(struct psftp *p, const struct sftp_reply *r, int first,
    char *headhash, u_char *cursor, size_t *cursorlen, size_t cursorsz,
    int *changed, struct sftp_state_page *sp)
{
	*changed = 0;
	if (sftp_parse_state_page(r->data, r->datalen, sp) != 0 ||
	    sp->cursorlen >= cursorsz) {
		seterr(p, "malformed state page", NULL);
		return -1;
	}
	if (!first && (sp->headhashlen != strlen(headhash) ||
	    memcmp(sp->headhash, headhash, sp->headhashlen) != 0)) {
		*changed = 1;
		return 0;
	}
	/* Pages are never empty unless the listing ends (PROTOCOL.pfish). */
	if (sp->items.left == 0 && sp->cursorlen != 0) {
		seterr(p, "server sent an empty state page before the end",
		    NULL);
		return -1;
	}
	memcpy(headhash, sp->headhash, sp->headhashlen);
	headhash[sp->headhashlen] = '\0';
	memcpy(cursor, sp->cursor, sp->cursorlen);
	*cursorlen = sp->cursorlen;
	return 0;
}

/* A page's items to cb. */
static int
state_items(struct psftp *p, struct sftp_state_page *sp, psftp_item_cb cb,
    void *arg)
{
	struct sftp_item it;
	int k;

	while ((k = sftp_item_next(&sp->items, &it)) == 1)
		if (cb(arg, it.kind, it.seq, it.content, it.contentlen) != 0) {
			seterr(p, "state item rejected", NULL);
			return -1;
		}
	if (k < 0) {
		seterr(p, "malformed state item", NULL);
		return -1;
	}
	return 0;
}

/* A cursor of pfish-server's form (PROTOCOL.pfish 2.5) into cursor. */
static int
put_cursor(const struct statepage_cursor *c, u_char *cursor,
    size_t *cursorlen, size_t cursorsz)
{
	char out[STATEPAGE_CURSOR_MAX + 1];

	if (statepage_cursor_format(c, out, sizeof(out)) != 0 ||
	    strlen(out) >= cursorsz)
		return -1;
	*cursorlen = strlen(out);
	memcpy(cursor, out, *cursorlen);
	return 0;
}

/* A records cursor moved on to after the seq skip names: 1 if it was. */
static int
skip_records(u_char *cursor, size_t *cursorlen, size_t cursorsz,
    const struct psftp_skip *skip, void *arg)
{
	struct statepage_cursor c;
	uint64_t to;

	if (skip == NULL || skip->skip == NULL ||
	    statepage_cursor_parse(cursor, *cursorlen, &c) != 0 ||
	    c.phase != STATEPAGE_RECORDS ||
	    (to = skip->skip(arg, c.after.a)) <= c.after.a ||
	    to > PFISH_SEQ_MAX)
		return 0;
	c.after.a = to;
	return put_cursor(&c, cursor, cursorlen, cursorsz) == 0;
}

/* The first cursor of a listing: "", or a start past the seq start names. */
static uint64_t
start_cursor(const struct psftp_skip *skip, void *arg, u_char *cursor,
    size_t *cursorlen, size_t cursorsz)
{
	struct statepage_cursor c;

	*cursorlen = 0;
	memset(&c, 0, sizeof(c));
	c.phase = STATEPAGE_START;
	if (skip == NULL || skip->start == NULL || skip->started == NULL ||
	    (c.after.a = skip->start(arg)) == 0 || c.after.a > PFISH_SEQ_MAX ||
	    put_cursor(&c, cursor, cursorlen, cursorsz) != 0) {
		*cursorlen = 0;
		return 0;
	}
	return c.after.a;
}

/*
 * Our own cursors are tried once: a server that refuses a start or a
 * moved records cursor, or a start the caller finds it cannot use, gets
 * the listing again without them.  Only a head that changed counts as a
 * restart.
 */
int
psftp_state(struct psftp *p, psftp_item_cb cb, const struct psftp_skip *skip,
    void *arg)
{
	struct psftp_skip sk = { NULL, NULL, NULL };
	struct sftp_state_page sp;
	struct sftp_reply r;
	char headhash[65];
	u_char cursor[1024];
	size_t cursorlen;
	uint64_t start;
	uint32_t id;
	int tries = 0, first, changed, ours, moved, sent;

	if (skip != NULL)
		sk = *skip;
	while (tries < 4) {
		headhash[0] = '\0';
		moved = sent = changed = 0;
		start = start_cursor(&sk, arg, cursor, &cursorlen,
		    sizeof(cursor));
		if (cb(arg, 0, 0, NULL, 0) != 0)
			return -1;
		first = 1;
		do {
			ours = (first && start != 0) || moved;
			if (!sent && send_string_req(p, SFTP_FXP_EXTENDED,
			    PFISH_EXT_STATE, cursor, cursorlen, &id) != 0)
				return -1;
			if (recv_reply(p, id, &r, NULL) != 0)
				return -1;
			sent = 0;
			if (r.type == SFTP_FXP_STATUS && ours)
				break;
			if (r.type != SFTP_FXP_EXTENDED_REPLY) {
				seterr(p, "signed state", &r);
				return -1;
			}
			if (state_page(p, &r, first, headhash, cursor,
			    &cursorlen, sizeof(cursor), &changed, &sp) != 0)
				return -1;
			if (changed) {
				ours = 0;	/* a restart, counted */
				break;
			}
			/*
			 * After the first page, the next is asked for before
			 * this one's items are taken: the server reads it
			 * while they are.  The first page's items decide
			 * whether a start or a skip may be used.
			 */
			if (!first) {
				moved = skip_records(cursor, &cursorlen,
				    sizeof(cursor), &sk, arg);
				if (cursorlen != 0 && send_string_req(p,
				    SFTP_FXP_EXTENDED, PFISH_EXT_STATE, cursor,
				    cursorlen, &id) != 0)
					return -1;
				sent = cursorlen != 0;
			}
			if (state_items(p, &sp, cb, arg) != 0) {
				if (sent)
					(void)recv_reply(p, id, &r, NULL);
				return -1;
			}
			if (first && start != 0 && sk.started(arg, start) != 0)
				break;
			if (first)
				moved = skip_records(cursor, &cursorlen,
				    sizeof(cursor), &sk, arg);
			ours = first = 0;
		} while (cursorlen != 0);
		if (ours) {
			/* Refused or not usable: without that cursor. */
			if (first && start != 0)
				sk.start = NULL;
			else
				sk.skip = NULL;
			continue;
		}
		if (!changed)
			return 0;
		p->restarts++;
		tries++;
	}
	seterr(p, "the signed state kept changing while being listed", NULL);
	return -1;
}

int
psftp_state_head(struct psftp *p, u_char **head, size_t *len)
{
	struct sftp_reply r;
	struct sftp_state_page sp;
	struct sftp_item it;
	int k;

	*head = NULL;
	*len = 0;
	if (ext_req(p, PFISH_EXT_STATE, "", 0, &r) != 0)
		return -1;
	if (r.type != SFTP_FXP_EXTENDED_REPLY) {
		seterr(p, "signed state", &r);
		return -1;
	}
	if (sftp_parse_state_page(r.data, r.datalen, &sp) != 0 ||
	    (k = sftp_item_next(&sp.items, &it)) < 0) {
		seterr(p, "malformed state page", NULL);
		return -1;
	}
	if (k == 0 || it.kind != STATEPAGE_KIND_HEAD)
		return 0;
	if ((*head = malloc(it.contentlen ? it.contentlen : 1)) == NULL) {
		seterr(p, "out of memory", NULL);
		return -1;
	}
	memcpy(*head, it.content, it.contentlen);
	*len = it.contentlen;
	return 0;
}

unsigned int
psftp_restarts(const struct psftp *p)
{
	return p->restarts;
}

int
psftp_delete(struct psftp *p, const u_char *stmt, size_t len)
{
	struct sftp_reply r;

	if (ext_req(p, PFISH_EXT_DELETE, stmt, len, &r) != 0)
		return -1;
	if (r.type != SFTP_FXP_STATUS || r.status != SFTP_FX_OK) {
		seterr(p, "signed delete", &r);
		return -1;
	}
	return 0;
}

int
psftp_can_account(const struct psftp *p)
{
	return (p->exts & SFTP_EXT_ACCOUNT) != 0;
}

/* Pages of states after the last one received, until an empty page. */
int
psftp_account(struct psftp *p, psftp_state_cb cb, void *arg)
{
	struct sftp_reply r;
	struct sftp_iter it;
	const u_char *st;
	size_t stlen;
	uint64_t after = 0;
	char cur[PFISH_SEQ_WIDTH + 1];
	int k;

	for (;;) {
		snprintf(cur, sizeof(cur), "%0*llu", PFISH_SEQ_WIDTH,
		    (unsigned long long)after);
		if (ext_req(p, PFISH_EXT_ACCOUNT, cur, PFISH_SEQ_WIDTH,
		    &r) != 0)
			return -1;
		if (r.type != SFTP_FXP_EXTENDED_REPLY) {
			seterr(p, "account chain", &r);
			return -1;
		}
		if (sftp_parse_account_page(r.data, r.datalen, &it) != 0) {
			seterr(p, "malformed account page", NULL);
			return -1;
		}
		if (it.left == 0 && it.len == 0)
			return 0;
		while ((k = sftp_account_next(&it, &after, &st,
		    &stlen)) == 1)
			if (cb(arg, after, st, stlen) != 0) {
				seterr(p, "account state rejected", NULL);
				return -1;
			}
		if (k < 0) {
			seterr(p, "malformed account page", NULL);
			return -1;
		}
	}
}

/* One file of a batch: its handle and how far it has been read. */
struct bfile {
	u_char		 h[SFTP_HANDLE_MAX];
	size_t		 hlen;
	uint32_t	 id;
	uint32_t	 endid;		/* the READ at the expected end */
	int		 ahead;		/* endid was asked for this round */
	uint64_t	 off;
	int		 open;
	int		 done;
};

static int
batch_open(struct psftp *p, struct psftp_batch *b, struct bfile *f, size_t n)
{
	struct sftp_reply r;
	size_t i;

	for (i = 0; i < n; i++) {
		f[i].id = p->nextid++;
		if (sftp_put_open(p->out, f[i].id, b[i].name,
		    SFTP_FXF_READ) != 0) {
			buf_reset(p->out);
			seterr(p, "request too large", NULL);
			return -1;
		}
	}
	if (send_out(p) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (recv_reply(p, f[i].id, &r, NULL) != 0)
			return -1;
		if (get_handle(p, b[i].name, &r, f[i].h, &f[i].hlen) != 0) {
			b[i].status = PSFTP_ERR_STATUS;
			f[i].done = 1;
		} else
			f[i].open = 1;
	}
	return 0;
}

/* A READ reply's data must be there and no longer than asked. */
static int
read_reply_ok(struct psftp *p, const struct sftp_reply *r)
{
	if (r->type == SFTP_FXP_DATA && (r->datalen == 0 ||
	    r->datalen > CLIENT_READ_LEN)) {
		seterr(p, "server sent an empty read reply or more than asked",
		    NULL);
		return -1;
	}
	return 0;
}

/*
 * The answer to a READ at the offset the whole file was expected to end
 * at.  It counts only if the first READ brought exactly that much: then
 * end of file means the file is whole, and data follows on from it.
 * Anything else is left for the next round to ask again.
 */
static int
batch_ahead(struct psftp *p, struct psftp_batch *b, struct bfile *f,
    size_t idx, psftp_bsink sink, void *arg)
{
	struct sftp_reply r;

	if (recv_reply(p, f->endid, &r, NULL) != 0 ||
	    read_reply_ok(p, &r) != 0)
		return -1;
	if (f->done || f->off != b->size)
		return 0;
	if (r.type == SFTP_FXP_STATUS && r.status == SFTP_FX_EOF)
		f->done = 1;
	else if (r.type == SFTP_FXP_DATA) {
		if (sink(arg, idx, r.data, r.datalen) != 0) {
			b->status = PSFTP_ERR_ABORT;
			f->done = 1;
		}
		f->off += r.datalen;
	}
	return 0;
}

/*
 * One READ per unfinished file per round trip, until each hits EOF.  A
 * file expected to fit in one READ gets a second at its expected end in
 * the first round, so that a whole file takes one round trip, not two.
 */
static int
batch_round(struct psftp *p, struct psftp_batch *b, struct bfile *f,
    size_t n, size_t base, psftp_bsink sink, void *arg, int *more)
{
	struct sftp_reply r;
	size_t i;

	*more = 0;
	for (i = 0; i < n; i++) {
		if (f[i].done)
			continue;
		f[i].id = p->nextid++;
		f[i].ahead = f[i].off == 0 && b[i].size > 0 &&
		    b[i].size <= CLIENT_READ_LEN;
		if (sftp_put_read(p->out, f[i].id, f[i].h, f[i].hlen,
		    f[i].off, CLIENT_READ_LEN) != 0 || (f[i].ahead &&
		    sftp_put_read(p->out, f[i].endid = p->nextid++, f[i].h,
		    f[i].hlen, b[i].size, CLIENT_READ_LEN) != 0)) {
			buf_reset(p->out);
			seterr(p, "request too large", NULL);
			return -1;
		}
	}
	if (send_out(p) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i].done)
			continue;
		if (recv_reply(p, f[i].id, &r, NULL) != 0 ||
		    read_reply_ok(p, &r) != 0)
			return -1;
		if (r.type == SFTP_FXP_DATA) {
			if (sink(arg, base + i, r.data, r.datalen) != 0) {
				b[i].status = PSFTP_ERR_ABORT;
				f[i].done = 1;
			}
			f[i].off += r.datalen;
		} else if (r.type == SFTP_FXP_STATUS && r.status == SFTP_FX_EOF)
			f[i].done = 1;
		else {
			b[i].status = PSFTP_ERR_STATUS;
			f[i].done = 1;
		}
		if (f[i].ahead && batch_ahead(p, &b[i], &f[i], base + i, sink,
		    arg) != 0)
			return -1;
		*more |= !f[i].done;
	}
	return 0;
}

/*
 * The CLOSEs go out with whatever is sent next (the next batch's OPENs),
 * and recv_reply takes their answers first: a batch costs one round trip
 * fewer.  Handles are closed in the order opened, before any new OPEN.
 */
static int
batch_close(struct psftp *p, struct bfile *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f[i].open)
			continue;
		if (p->nclose == 0)
			p->closeid = p->nextid;
		else if (p->closeid + p->nclose != p->nextid) {
			seterr(p, "closes out of order", NULL);
			return -1;
		}
		f[i].id = p->nextid++;
		if (sftp_put_string_req(p->out, SFTP_FXP_CLOSE, f[i].id, NULL,
		    f[i].h, f[i].hlen) != 0) {
			buf_reset(p->out);
			return -1;
		}
		p->nclose++;
	}
	return 0;
}

/*
 * How many files a batch may hold open: the open-handle limit the server
 * states in limits@openssh.com, if lower than PSFTP_BATCH_MAX.  Asked
 * once, by the first batch.
 */
static int
batch_max(struct psftp *p, size_t *max)
{
	struct sftp_reply r;
	struct sftp_limits l;

	if (p->batch == 0) {
		p->batch = PSFTP_BATCH_MAX;
		if ((p->exts & SFTP_EXT_LIMITS) == 0)
			goto done;
		if (string_req(p, SFTP_FXP_EXTENDED, SFTP_EXT_LIMITS_NAME,
		    NULL, 0, &r, NULL) != 0)
			return -1;
		if (r.type != SFTP_FXP_EXTENDED_REPLY)
			goto done;	/* refused: no limit stated */
		if (sftp_parse_limits(r.data, r.datalen, &l) != 0) {
			seterr(p, "malformed limits reply", NULL);
			return -1;
		}
		if (l.handles > 0 && l.handles < p->batch)
			p->batch = (size_t)l.handles;
	}
 done:
	*max = p->batch;
	return 0;
}

/*
 * Read up to PSFTP_BATCH_MAX small files at once, as many at a time as
 * the server lets a client hold open: every step (open, each read) is
 * one round trip for all of them, and the closes go with the next
 * step.  Per-file failures land in b[i].status; -1 means the session is
 * broken.
 */
int
psftp_get_batch(struct psftp *p, struct psftp_batch *b, size_t n,
    psftp_bsink sink, void *arg)
{
	struct bfile f[PSFTP_BATCH_MAX];
	size_t i, k, max;
	int more;

	if (n > PSFTP_BATCH_MAX) {
		seterr(p, "batch too large", NULL);
		return -1;
	}
	if (batch_max(p, &max) != 0)
		return -1;
	memset(f, 0, sizeof(f));
	for (i = 0; i < n; i++)
		b[i].status = 0;
	for (i = 0; i < n; i += k) {
		k = n - i < max ? n - i : max;
		if (batch_open(p, b + i, f + i, k) != 0)
			return -1;
		more = 1;
		while (more)
			if (batch_round(p, b + i, f + i, k, i, sink, arg,
			    &more) != 0)
				return -1;
		if (batch_close(p, f + i, k) != 0)
			return -1;
	}
	return 0;
}
