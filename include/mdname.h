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

/* mdname.h: the tag in the names of messages pfish writes to a Maildir. */

#ifndef MDNAME_H
#define MDNAME_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/*
 * pfish names a message it delivers to a Maildir TIME.TAG.HOST, where
 * TAG is "P" pid "Q" seq "H" hash: pid and seq in decimal without
 * leading zeros (pid at least 1, seq 1 to PFISH_SEQ_MAX), hash the
 * first MDNAME_HASH_BYTES of the message's SHA-256 in lowercase hex.  A
 * mail reader may move the file to cur/ and append ":2,FLAGS" to HOST.
 * The seq and hash tell a message delivered before; the rest is there
 * to keep names unique.
 */
#define MDNAME_HASH_BYTES	8
#define MDNAME_HASH		(MDNAME_HASH_BYTES * 2)	/* hex digits */
/* "P", 19 digits, "Q", 12 digits, "H", the hash and a NUL. */
#define MDNAME_TAG_MAX		(1 + 19 + 1 + 12 + 1 + MDNAME_HASH + 1)
/* The longest directory entry name mdname_parse reads. */
#define MDNAME_NAME_MAX		255

struct mdname_tag {
	uint64_t	 seq;
	char		 h[MDNAME_HASH];	/* lowercase hex, no NUL */
};

/* The tag of message seq with that SHA-256; -1 for a seq out of range. */
int	mdname_tag_make(uint64_t seq, const u_char *sha256,
	    struct mdname_tag *t);
/*
 * "P" pid "Q" seq "H" hash into out, NUL-terminated: -1 for a pid below
 * 1, a seq out of range, a hash that is not lowercase hex, or a short out.
 */
int	mdname_tag_format(long pid, const struct mdname_tag *t, char *out,
	    size_t outlen);
/*
 * The pid and tag of a whole directory entry name TIME.TAG.HOST[:2,...]
 * as above (TIME and HOST are not read; pid may be NULL), or -1 for
 * any other name, one longer than MDNAME_NAME_MAX included.  What it accepts,
 * mdname_tag_format writes back byte for byte.
 */
int	mdname_parse(const char *name, long *pid, struct mdname_tag *t);
/* -1, 0, 1 as a is before, equal to or after b: by seq, then hash. */
int	mdname_tag_cmp(const struct mdname_tag *a,
	    const struct mdname_tag *b);

#endif /* MDNAME_H */
