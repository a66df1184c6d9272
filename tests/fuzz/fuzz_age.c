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

/* fuzz_age.c: libFuzzer target for age headers, armor, STREAM and Bech32. */

/*
 * Sources it needs: proto/age.c proto/sshkey.c age/agecrypt.c
 * age/agestream.c age/agecrew.c lib/buf.c (libsodium, libbsd-overlay).
 */

#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The identity of the C2SP vectors, so seeds reach the payload. */
#define FUZZ_IDENTITY \
	"AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

static struct age_identities *ids;
static int devnull = -1;

static void
fuzz_header(const uint8_t *data, size_t size)
{
	struct age_header *hdr;
	struct buf *b;
	size_t i;

	if (age_header_parse(data, size, &hdr) != 0)
		return;
	if (hdr->len > size || hdr->maclen > hdr->len || hdr->nstanzas == 0)
		abort();
	/* What parses must serialize back to the same bytes. */
	if ((b = buf_new()) == NULL || age_header_put_version(b) != 0)
		abort();
	for (i = 0; i < hdr->nstanzas; i++)
		if (age_header_put_stanza(b, (const char *const *)
		    hdr->stanzas[i].args, hdr->stanzas[i].nargs,
		    hdr->stanzas[i].body, hdr->stanzas[i].bodylen) != 0)
			abort();
	if (age_header_put_mac_mark(b) != 0 || buf_len(b) != hdr->maclen ||
	    memcmp(buf_ptr(b), data, hdr->maclen) != 0 ||
	    age_header_put_mac(b, hdr->mac) != 0 || buf_len(b) != hdr->len ||
	    memcmp(buf_ptr(b), data, hdr->len) != 0)
		abort();
	buf_free(b);
	age_header_free(hdr);
}

/* Feed armor in two pieces split at the first byte's value. */
static void
fuzz_armor(const uint8_t *data, size_t size)
{
	struct age_armor *a;
	u_char out[(4096 / 64 + 2) * 48];
	size_t split, pos = 0, consumed, n;

	if (size > 4096 || (a = age_armor_new()) == NULL)
		return;
	split = size > 0 ? data[0] % (size + 1) : 0;
	if (age_armor_decode(a, data, split, 0, &consumed, out, sizeof(out),
	    &n) == 0) {
		if (consumed > split || n > sizeof(out))
			abort();
		pos = consumed;
		(void)age_armor_decode(a, data + pos, size - pos, 1, &consumed,
		    out, sizeof(out), &n);
	}
	age_armor_free(a);
}

static void
fuzz_bech32(const uint8_t *data, size_t size)
{
	char s[256], hrp[64], again[256];
	u_char v[160];
	size_t n;

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (age_bech32_decode(s, hrp, sizeof(hrp), v, sizeof(v), &n) != 0)
		return;
	if (age_bech32_encode(hrp, v, n, 0, again, sizeof(again)) != 0 ||
	    strcasecmp(again, s) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_opts opts;

	if (ids == NULL) {
		if (sodium_init() < 0 || (ids = age_identities_new()) == NULL ||
		    age_identities_add_x25519(ids, FUZZ_IDENTITY) != 0 ||
		    (devnull = open("/dev/null", O_WRONLY)) == -1)
			abort();
	}
	fuzz_header(data, size);
	fuzz_armor(data, size);
	fuzz_bech32(data, size);
	memset(&opts, 0, sizeof(opts));
	(void)age_decrypt_mem(ids, data, size, devnull, &opts);
	if (opts.in_bytes > size)
		abort();
	return 0;
}
