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

/* age.h: the age v1 file format (header, stanzas, armor, Bech32). */

#ifndef AGE_H
#define AGE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "pfisherr.h"

struct buf;

#define AGE_VERSION_LINE	"age-encryption.org/v1"
#define AGE_VERSION_PREFIX	"age-encryption.org/"
#define AGE_MAC_LEN		32	/* HMAC-SHA-256 */
#define AGE_FILE_KEY_LEN	16
#define AGE_NONCE_LEN		16	/* payload nonce */
#define AGE_CHUNK_LEN		(64 * 1024)	/* plaintext per chunk */
#define AGE_TAG_LEN		16	/* Poly1305 */
#define AGE_CHUNK_CT_LEN	(AGE_CHUNK_LEN + AGE_TAG_LEN)
#define AGE_BODY_COLUMNS	64	/* stanza body line width */
#define AGE_HEADER_MAX		(1024 * 1024)	/* bigger headers are refused */
#define AGE_STANZAS_MAX		256
#define AGE_ARGS_MAX		64	/* per stanza, type included */

#define AGE_ARMOR_BEGIN		"-----BEGIN AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_END		"-----END AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_COLUMNS	64
#define AGE_ARMOR_WS_MAX	1024	/* whitespace allowed around armor */

/*
 * Each AGE_ERR_* code (pfisherr.h) belongs to one failure class, named as
 * the age conformance vectors name them:
 * "header failure", "no match", "HMAC failure", "payload failure",
 * "armor failure", or "error" for operational errors.
 */
const char	*age_error_class(int r);

/* One recipient stanza: args[0] is the type. */
struct age_stanza {
	char	**args;
	size_t	  nargs;
	u_char	 *body;
	size_t	  bodylen;
};

struct age_header {
	struct age_stanza *stanzas;
	size_t		   nstanzas;
	u_char		   mac[AGE_MAC_LEN];
	size_t		   maclen;	/* bytes the MAC covers ("---" incl.) */
	size_t		   len;		/* whole header, MAC line included */
};

/*
 * Parse the header at the start of data (payload bytes may follow).
 * Returns AGE_ERR_SHORT if data ends inside the header, so a reader can
 * fetch more and call again; the MAC covers data[0, hdr->maclen).
 */
int	age_header_parse(const u_char *data, size_t len,
	    struct age_header **hdrp);
void	age_header_free(struct age_header *hdr);

/* Writing a header: version line, stanzas, then the MAC line. */
int	age_header_put_version(struct buf *b);
int	age_header_put_stanza(struct buf *b, const char *const *args,
	    size_t nargs, const u_char *body, size_t bodylen);
int	age_header_put_mac_mark(struct buf *b);	/* "---" (MAC input ends) */
int	age_header_put_mac(struct buf *b, const u_char mac[AGE_MAC_LEN]);

/* Unpadded canonical base64 (RFC 4648 section 4, no '='). */
size_t	age_b64_enclen(size_t len);
int	age_b64_encode(const u_char *in, size_t len, char *out, size_t outsz);
/* Decode exactly; rejects padding and non-canonical trailing bits. */
int	age_b64_decode(const char *in, size_t len, u_char *out, size_t outsz,
	    size_t *outlen);

/*
 * ASCII armor (strict PEM, "AGE ENCRYPTED FILE"), decoded incrementally.
 * Feed raw input; complete lines are decoded into out (which must hold
 * at least 48 bytes per 64 input bytes, i.e. (inlen / 64 + 1) * 48).
 * Partial lines are left unconsumed unless eof is set.  After eof,
 * age_armor_done() tells whether the armor was complete.
 */
struct age_armor;
struct age_armor *age_armor_new(void);
void	age_armor_free(struct age_armor *a);
int	age_armor_decode(struct age_armor *a, const u_char *in, size_t inlen,
	    int eof, size_t *consumed, u_char *out, size_t outsz,
	    size_t *outlen);
int	age_armor_done(const struct age_armor *a);
/* Is this the start of an armored file (after optional whitespace)? */
int	age_armor_detect(const u_char *data, size_t len);
/* Armor a whole in-memory age file (used for small files and tests). */
int	age_armor_encode(const u_char *in, size_t len, struct buf *out);

/*
 * Bech32 (BIP 173 without the length limit).  Decoding accepts all-lower
 * or all-upper case and returns the human-readable part in lower case.
 */
int	age_bech32_encode(const char *hrp, const u_char *data, size_t len,
	    int upper, char *out, size_t outsz);
int	age_bech32_decode(const char *s, char *hrp, size_t hrpsz,
	    u_char *data, size_t datasz, size_t *datalen);

#endif /* AGE_H */
