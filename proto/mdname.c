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

/* mdname.c: the tag in the names of messages pfish writes to a Maildir. */

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "mdname.h"

static const char hexdigits[] = "0123456789abcdef";

static int
tag_hash_ok(const struct mdname_tag *t)
{
	size_t i;

	for (i = 0; i < sizeof(t->h); i++)
		if (t->h[i] == '\0' || strchr(hexdigits, t->h[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Decimal from 1 to max without leading zeros at *pp, moved past it;
 * -1 for no digits, a leading zero, or more than max.
 */
static int
dec_parse(const char **pp, uint64_t max, uint64_t *v)
{
	const char *p = *pp;

	if (*p < '1' || *p > '9')
		return -1;
	for (*v = 0; *p >= '0' && *p <= '9'; p++) {
		if (*v > (max - (uint64_t)(*p - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	*pp = p;
	return 0;
}

int
mdname_tag_make(uint64_t seq, const u_char *sha256, struct mdname_tag *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (seq == 0 || seq > PFISH_SEQ_MAX)
		return -1;
	t->seq = seq;
	for (i = 0; i < MDNAME_HASH_BYTES; i++) {
		t->h[2 * i] = hexdigits[sha256[i] >> 4];
		t->h[2 * i + 1] = hexdigits[sha256[i] & 0x0f];
	}
	return 0;
}

int
mdname_tag_format(long pid, const struct mdname_tag *t, char *out,
    size_t outlen)
{
	int n;

	if (outlen > 0)
		out[0] = '\0';
	if (pid < 1 || t->seq == 0 || t->seq > PFISH_SEQ_MAX ||
	    !tag_hash_ok(t))
		return -1;
	n = snprintf(out, outlen, "P%ldQ%lluH%.*s", pid,
	    (unsigned long long)t->seq, (int)sizeof(t->h), t->h);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int
mdname_parse(const char *name, long *pid, struct mdname_tag *t)
{
	const char *p;
	uint64_t v;

	if (pid != NULL)
		*pid = 0;
	memset(t, 0, sizeof(*t));
	if (strnlen(name, MDNAME_NAME_MAX + 1) > MDNAME_NAME_MAX ||
	    (p = strchr(name, '.')) == NULL || *++p != 'P')
		return -1;
	p++;
	if (dec_parse(&p, LONG_MAX, &v) != 0 || *p++ != 'Q' ||
	    dec_parse(&p, PFISH_SEQ_MAX, &t->seq) != 0 || *p++ != 'H')
		goto bad;
	/* Short of MDNAME_HASH, the zeros left in t->h are not hex. */
	memcpy(t->h, p, strnlen(p, sizeof(t->h)));
	if (!tag_hash_ok(t) || p[sizeof(t->h)] != '.')
		goto bad;
	if (pid != NULL)
		*pid = (long)v;
	return 0;
 bad:
	memset(t, 0, sizeof(*t));
	return -1;
}

int
mdname_tag_cmp(const struct mdname_tag *a, const struct mdname_tag *b)
{
	int c;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	c = memcmp(a->h, b->h, sizeof(a->h));
	return c < 0 ? -1 : c > 0;
}
