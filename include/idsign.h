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
 * idsign.h: sign with the user's own key (-i / -k IDENTITY), for delete
 * statements and account states alike.
 */

#ifndef IDSIGN_H
#define IDSIGN_H

#include <sys/types.h>
#include <stddef.h>

#include "sshkey.h"

struct buf;

/*
 * The identity's public half: IDENTITY.pub, IDENTITY itself if it ends in
 * .pub, or the unencrypted private key.  Says on stderr what it could not
 * read.
 */
int	sshsig_identity_pub(const char *identity, u_char pk[SSHKEY_ED25519_PK]);
/* The same, as its SHA256: fingerprint. */
int	sshsig_identity_fp(const char *identity, char fp[SSHKEY_FP_LEN]);

/*
 * Sign text under namespace ns with the identity: an unencrypted private
 * key directly, else (passphrase, agent via IDENTITY.pub) by running
 * ssh-keygen -Y sign.  Whatever signed, the signature must verify under
 * the identity's public key.  Appends text then the armor to out.  what
 * names the text in messages ("delete statement").  0 or -1, said on stderr.
 */
/*
 * A signer's output (armor, from ssh-keygen or sshsig_sign), accepted only
 * when it verifies over text under namespace ns by the key want: then the
 * text and the armor are appended to out.  0, SSHSIG_ERR_BAD_SIG (out
 * untouched) or SSHSIG_ERR_ALLOC.
 */
int	sshsig_accept_armor(const u_char *armor, size_t alen, const char *ns,
	    const u_char *text, size_t len, const u_char want[SSHKEY_ED25519_PK],
	    struct buf *out);
int	sshsig_sign_identity(const char *identity, const char *ns,
	    const char *what, const u_char *text, size_t len, struct buf *out);

#endif /* IDSIGN_H */
