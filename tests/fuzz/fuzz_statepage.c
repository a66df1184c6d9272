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

/* fuzz_statepage.c: libFuzzer target for state cursors and file names. */

/*
 * Build: clang -fsanitize=fuzzer,address -Iinclude $(pkg-config --cflags
 * libsodium libbsd-overlay) tests/fuzz/fuzz_statepage.c proto/statepage.c
 * $(pkg-config --libs libsodium libbsd-overlay)
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "statepage.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* What parses formats back to the same bytes, for cursors and names. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct statepage_cursor c;
	struct statepage_key k, k2;
	char out[64], name[256];
	enum statepage_phase ph;

	if (statepage_cursor_parse(data, len, &c) == 0) {
		if (statepage_cursor_format(&c, out, sizeof(out)) != 0 ||
		    strlen(out) != len || memcmp(out, data, len) != 0)
			__builtin_trap();
	}
	if (len >= sizeof(name) || memchr(data, '\0', len) != NULL)
		return 0;
	memcpy(name, data, len);
	name[len] = '\0';
	for (ph = STATEPAGE_RECORDS; ph <= STATEPAGE_VOIDS;
	    ph = (enum statepage_phase)(ph + 1)) {
		if (statepage_name_parse(ph, name, &k) != 0)
			continue;
		if (statepage_name_format(ph, &k, out, sizeof(out)) != 0 ||
		    strcmp(out, name) != 0 ||
		    statepage_name_parse(ph, out, &k2) != 0 ||
		    statepage_key_cmp(&k, &k2) != 0)
			__builtin_trap();
	}
	return 0;
}
