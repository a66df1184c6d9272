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

/* sshsig.h: SSH signatures (OpenSSH PROTOCOL.sshsig), Ed25519 only. */

#ifndef SSHSIG_H
#define SSHSIG_H

#include <sys/types.h>
#include <stddef.h>

#include "sshkey.h"
#include "pfisherr.h"

struct buf;

#define SSHSIG_BEGIN	"-----BEGIN SSH SIGNATURE-----"
#define SSHSIG_END	"-----END SSH SIGNATURE-----"
#define SSHSIG_ARMOR_MAX 4096	/* an armored Ed25519 sshsig is ~300 B */


/*
 * Sign msg under namespace ns with hash sha512; append the armored
 * signature (ending in "-----END SSH SIGNATURE-----\n") to out.  Output is
 * byte-identical to ssh-keygen -Y sign.  Verifies its own signature.
 */
int	sshsig_sign(const struct sshkey_priv *key, const char *ns,
	    const void *msg, size_t msglen, struct buf *out);

/*
 * Check an armored signature over msg under namespace ns (sha512 or
 * sha256).  On success the signer's public key is copied to pk; the caller
 * decides whether that key is trusted (trust.h).
 */
int	sshsig_verify(const char *armor, size_t armorlen, const char *ns,
	    const void *msg, size_t msglen, u_char pk[SSHKEY_ED25519_PK]);

/*
 * sshsig_verify in two steps, for a caller that keeps many signatures
 * until it knows which it must check: sshsig_parse reads an armored
 * signature under namespace ns into its fields (about 100 bytes, where
 * the armor is about 300); sshsig_check checks them over msg.  Together
 * they decide exactly as sshsig_verify.
 */
struct sshsig_parsed {
	u_char		 pk[SSHKEY_ED25519_PK];
	u_char		 sig[64];
	u_char		 sha256;	/* hash sha256, else sha512 */
};

int	sshsig_parse(const char *armor, size_t armorlen, const char *ns,
	    struct sshsig_parsed *out);
int	sshsig_check(const struct sshsig_parsed *sig, const char *ns,
	    const void *msg, size_t msglen, u_char pk[SSHKEY_ED25519_PK]);

#endif /* SSHSIG_H */
