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

/* sshkey.h: OpenSSH ed25519 public and private key formats. */

#ifndef SSHKEY_H
#define SSHKEY_H

#include <sys/types.h>
#include <stddef.h>

#include "pfisherr.h"

struct buf;

#define SSHKEY_ED25519_PK	32
#define SSHKEY_ED25519_SK	64	/* libsodium layout: seed || pk */
#define SSHKEY_FP_LEN		51	/* "SHA256:" + 43 base64 + NUL */
#define SSHKEY_TYPE_ED25519	"ssh-ed25519"

/* A private key; sk lives in sodium_malloc memory. */
struct sshkey_priv {
	u_char	 pk[SSHKEY_ED25519_PK];
	u_char	*sk;			/* SSHKEY_ED25519_SK bytes */
	char	*comment;		/* may be "" */
};


/* Public keys: wire blob (string "ssh-ed25519", string pk). */
int	sshkey_pub_from_blob(const u_char *blob, size_t len,
	    u_char pk[SSHKEY_ED25519_PK]);
int	sshkey_pub_to_blob(const u_char pk[SSHKEY_ED25519_PK], struct buf *out);

/*
 * One text line "ssh-ed25519 BASE64 [comment]" (no options).  *endp, if
 * not NULL, is set past the base64 field so callers can read the comment.
 */
int	sshkey_pub_parse_line(const char *line, u_char pk[SSHKEY_ED25519_PK],
	    const char **endp);
/* "ssh-ed25519 BASE64[ comment]", allocated. */
int	sshkey_pub_format(const u_char pk[SSHKEY_ED25519_PK],
	    const char *comment, char **out);
/* "SHA256:..." exactly as ssh-keygen -l prints it. */
void	sshkey_fingerprint(const u_char pk[SSHKEY_ED25519_PK],
	    char fp[SSHKEY_FP_LEN]);

/* Files: opened O_NOFOLLOW; public is a .pub line, private is PEM-ish. */
int	sshkey_load_public(const char *path, u_char pk[SSHKEY_ED25519_PK],
	    char **comment);
int	sshkey_parse_private(const u_char *data, size_t len,
	    struct sshkey_priv **out);
int	sshkey_load_private(const char *path, struct sshkey_priv **out);
void	sshkey_priv_free(struct sshkey_priv *k);

/*
 * Read a whole regular file (O_NOFOLLOW, at most max bytes) and
 * NUL-terminate it.  With secret set the copy lives in sodium_malloc
 * memory; release it with sshkey_file_free() and the same flag.
 */
#define SSHKEY_FILE_MAX		(64 * 1024)
int	sshkey_read_file(const char *path, size_t max, int secret,
	    u_char **datap, size_t *lenp);
void	sshkey_file_free(u_char *data, size_t len, int secret);

#endif /* SSHKEY_H */
