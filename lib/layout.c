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

/* layout.c: names and formats of a mailbox's files (layout.h). */

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "layout.h"

/* Exactly n decimal digits (leading zeros are part of the format). */
static int
get_dec(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Exactly n lowercase hex digits, n <= 16. */
static int
get_hex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			v = (v << 4) | (uint64_t)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v = (v << 4) | (uint64_t)(p[i] - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
seq_ok(uint64_t seq)
{
	return seq >= 1 && seq <= PFISH_SEQ_MAX;
}

int
layout_seq_name(uint64_t seq, const char *suffix, char *buf, size_t len)
{
	int n;

	if (!seq_ok(seq))
		return -1;
	n = snprintf(buf, len, "%0*llu%s", PFISH_SEQ_WIDTH,
	    (unsigned long long)seq, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
layout_state_name(uint64_t serial, char *buf, size_t len)
{
	return layout_seq_name(serial, PFISH_STATE_SUFFIX, buf, len);
}

int
layout_seq_parse(const char *name, const char *suffix, uint64_t *seq)
{
	uint64_t v;

	*seq = 0;
	if (strlen(name) != PFISH_SEQ_WIDTH + strlen(suffix) ||
	    strcmp(name + PFISH_SEQ_WIDTH, suffix) != 0 ||
	    get_dec(name, PFISH_SEQ_WIDTH, &v) != 0 || !seq_ok(v))
		return -1;
	*seq = v;
	return 0;
}

int
layout_delete_name(uint64_t seq, uint64_t key, char *buf, size_t len)
{
	int n;

	if (!seq_ok(seq))
		return -1;
	n = snprintf(buf, len, "%0*llu-%0*llx%s", PFISH_SEQ_WIDTH,
	    (unsigned long long)seq, PFISH_DELKEY_WIDTH,
	    (unsigned long long)key, PFISH_DEL_SUFFIX);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
layout_delete_parse(const char *name, uint64_t *seq, uint64_t *key)
{
	const size_t stem = PFISH_SEQ_WIDTH + 1 + PFISH_DELKEY_WIDTH;
	uint64_t s, k;

	*seq = *key = 0;
	if (strlen(name) != stem + strlen(PFISH_DEL_SUFFIX) ||
	    strcmp(name + stem, PFISH_DEL_SUFFIX) != 0 ||
	    name[PFISH_SEQ_WIDTH] != '-' ||
	    get_dec(name, PFISH_SEQ_WIDTH, &s) != 0 || !seq_ok(s) ||
	    get_hex(name + PFISH_SEQ_WIDTH + 1, PFISH_DELKEY_WIDTH, &k) != 0)
		return -1;
	*seq = s;
	*key = k;
	return 0;
}

int
layout_epoch_read(int pf, char epoch[PFISH_EPOCH_LEN + 1])
{
	u_char *data;
	size_t len;
	uint64_t v;
	int r = -1;

	memset(epoch, 0, PFISH_EPOCH_LEN + 1);
	if (fs_read_file(pf, PFISH_EPOCH, 64, &data, &len) == -1)
		return -1;
	if (len == PFISH_EPOCH_LEN + 1 && data[PFISH_EPOCH_LEN] == '\n' &&
	    get_hex((const char *)data, PFISH_EPOCH_LEN, &v) == 0) {
		memcpy(epoch, data, PFISH_EPOCH_LEN);
		r = 0;
	}
	free(data);
	if (r != 0)
		errno = EINVAL;
	return r;
}

int
layout_epoch_write(int pf, int tmpfd, const char *epoch)
{
	char line[PFISH_EPOCH_LEN + 2];
	uint64_t v;

	if (strlen(epoch) != PFISH_EPOCH_LEN ||
	    get_hex(epoch, PFISH_EPOCH_LEN, &v) != 0) {
		errno = EINVAL;
		return -1;
	}
	(void)snprintf(line, sizeof(line), "%s\n", epoch);
	return fs_write_atomic(pf, tmpfd, PFISH_EPOCH, line,
	    PFISH_EPOCH_LEN + 1, PFISH_FILE_MODE);
}
