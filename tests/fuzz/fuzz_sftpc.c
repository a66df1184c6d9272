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
 * fuzz_sftpc.c: libFuzzer target for the SFTP codec's reply parsers
 * (VERSION, replies, pfish-state and pfish-account pages).
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "sftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sftp_reply r;
	struct sftp_iter it;
	struct sftp_state_page sp;
	struct sftp_item item;
	struct sftp_attrs a;
	struct sftp_limits lim;
	const u_char *name;
	size_t namelen;
	uint32_t version, exts;
	uint64_t seq;
	char buf[256];

	(void)sftp_parse_version(data, size, &version, &exts);
	if (sftp_parse_reply(data, size, &r, &it) == 0) {
		if (r.type == SFTP_FXP_NAME) {
			while (sftp_name_next(&it, &name, &namelen, &a) == 1)
				if (sftp_age_name(name, namelen) &&
				    namelen < sizeof(buf)) {
					memcpy(buf, name, namelen);
					buf[namelen] = '\0';
					(void)layout_seq_parse(buf,
					    PFISH_AGE_SUFFIX, &seq);
				}
		}
		if (r.type == SFTP_FXP_EXTENDED_REPLY &&
		    sftp_parse_state_page(r.data, r.datalen, &sp) == 0) {
			while (sftp_item_next(&sp.items, &item) == 1)
				;
		}
	}
	/* pfish-account@pfish pages, raw and as the reply's body. */
	if (sftp_parse_account_page(data, size, &it) == 0) {
		seq = 0;
		while (sftp_account_next(&it, &seq, &name, &namelen) == 1)
			;
	}
	if (sftp_parse_limits(data, size, &lim) == 0 && size < 32)
		abort();	/* four uint64s or nothing */
	/* The state page parser also sees raw input directly. */
	if (sftp_parse_state_page(data, size, &sp) == 0) {
		while (sftp_item_next(&sp.items, &item) == 1)
			;
	}
	return 0;
}
