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

/* testlib.h: helpers every unit test may use (tests/unit/testlib.c). */

#ifndef TESTLIB_H
#define TESTLIB_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct account_state;
struct buf;
struct server;
struct sshkey_priv;

/* Test data: the path of tests/unit/data/NAME under $PFISH_TOP (or .). */
const char	*tl_data_path(const char *name);
/* Its bytes, NUL-terminated; the test fails if it cannot be read. */
char		*tl_data_file(const char *name, size_t *lenp);

/* A whole file, NUL-terminated, via stdio; NULL if it cannot be opened. */
u_char		*tl_read_file(const char *path, size_t *lenp);
/* Create or replace DIR/NAME with LEN bytes; aborts on failure. */
void		 tl_write_file(const char *dir, const char *name,
		    const void *data, size_t len);
/* rm -rf DIR; 0 on success. */
int		 tl_rm_rf(const char *dir);

/*
 * A throwaway mailbox with files that must stay invisible:
 * TOP/alice      the mailbox: 000000000001.age (5 bytes "hello"),
 *                000000000002.age (300000 bytes), other.age ("x\n"),
 *                notes.txt, .hidden.age, link.age -> 000000000001.age,
 *                outside.age -> ../secret.age, sub.age/ (a directory),
 *                sub/inner.age, fifo.age (a FIFO)
 * TOP/alice2     a prefix sibling with 000000000001.age
 * TOP/secret.age outside every mailbox
 */
struct mbfixture {
	char	top[64];
	char	mailbox[128];
	char	sibling[128];
};

void	fx_setup(struct mbfixture *fx);
void	fx_teardown(struct mbfixture *fx);
void	fx_path(const struct mbfixture *fx, const char *name, char *out,
	    size_t sz);
int	fx_exists(const struct mbfixture *fx, const char *name);

/*
 * An in-process pfish-server session: the test feeds it packets and takes
 * its replies off the output buffer, with no process or socket between.
 * The test makes the server (server_new) and frees it; tl_session_free
 * frees the last reply.
 */
struct tl_session {
	struct server	*s;
	struct buf	*rep;	/* last reply, positioned after its type */
	uint8_t		 type;	/* its packet type */
	size_t		 total;	/* its length, including the length field */
};

/* A request packet body: type and id; add fields, then send it. */
struct buf	*tl_req(uint8_t type, uint32_t id);
/* An SSH_FXP_EXTENDED request for NAME. */
struct buf	*tl_ext_req(uint32_t id, const char *name);
/* Frame B (length first), feed it to the server, free B; server_feed's
 * result. */
int		 tl_send_pkt(struct tl_session *t, struct buf *b);
/* The same, and the server must accept it. */
void		 tl_send(struct tl_session *t, struct buf *b);
/* Take the next reply off the output into t->rep; 0 if there is none. */
int		 tl_next_reply(struct tl_session *t);
/* The next reply must be a STATUS for ID with CODE. */
void		 tl_expect_status(struct tl_session *t, uint32_t id,
		    uint32_t code);
/* INIT version 3; the reply must be VERSION 3. */
void		 tl_init_session(struct tl_session *t);
/* Free the last reply and the server. */
void		 tl_session_free(struct tl_session *t);

/*
 * N Ed25519 keys from fixed seeds: key i's seed is 32 bytes of FIRST + i.
 * 0, or -1 if memory ran out (a cmocka setup's result).
 */
int		 tl_keys_seeded(struct sshkey_priv **keys, int n, int first);
void		 tl_keys_free(struct sshkey_priv **keys, int n);
/* Append K's public key to ST's keys, with ROLE, LABEL and OPS. */
void		 tl_account_add_key(struct account_state *st, int role,
		    const char *label, const struct sshkey_priv *k, int ops);
/* ST's canonical text signed by K, its key line set to K's fingerprint. */
struct buf	*tl_account_sign(struct account_state *st,
		    const struct sshkey_priv *k);

#endif /* TESTLIB_H */
