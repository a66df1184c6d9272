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

/* fuzz_mdname.c: libFuzzer target for Maildir message names. */

/*
 * Build: clang -fsanitize=fuzzer,address -Iinclude $(pkg-config --cflags
 * libbsd-overlay) tests/fuzz/fuzz_mdname.c proto/mdname.c
 * $(pkg-config --libs libbsd-overlay)
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdname.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/*
 * A name that parses formats back to the same tag bytes, and a tag made
 * from the input's bytes parses back from the name it formats to.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct mdname_tag zero;
	struct mdname_tag t, t2;
	char name[2 * (MDNAME_NAME_MAX + 1)], out[MDNAME_TAG_MAX];
	const char *tag;
	uint64_t seq;
	long pid;

	if (len >= sizeof(name) || memchr(data, '\0', len) != NULL)
		return 0;
	memcpy(name, data, len);
	name[len] = '\0';
	if (mdname_parse(name, &pid, &t) != 0) {
		if (pid != 0 || memcmp(&t, &zero, sizeof(t)) != 0)
			abort();
	} else {
		tag = strchr(name, '.') + 1;
		if (mdname_tag_format(pid, &t, out, sizeof(out)) != 0 ||
		    strncmp(tag, out, strlen(out)) != 0 ||
		    tag[strlen(out)] != '.')
			abort();
	}

	/* The other way: a tag of seq and hash bytes from the input. */
	if (len < 8 + sizeof(seq))
		return 0;
	memcpy(&seq, data + 8, sizeof(seq));
	seq %= 1000000000000ULL;
	if (mdname_tag_make(seq, data, &t) != 0) {
		if (seq != 0)
			abort();
		return 0;
	}
	pid = (long)(data[0] | 1);
	if (mdname_tag_format(pid, &t, out, sizeof(out)) != 0 ||
	    snprintf(name, sizeof(name), "1.%s.h:2,S", out) < 0 ||
	    mdname_parse(name, &pid, &t2) != 0 ||
	    pid != (long)(data[0] | 1) || mdname_tag_cmp(&t, &t2) != 0)
		abort();
	return 0;
}
