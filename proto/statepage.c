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

/* statepage.c: pfish-state@pfish cursors and state file names. */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pfish.h"
#include "statepage.h"

#define HEX16_LEN	16

/* Indexed by enum statepage_phase, from STATEPAGE_RECORDS on. */
static const struct statepage_phase_info phases[] = {
	{ 'r', "records", ".rec", STATEPAGE_KIND_RECORD, 0 },
	{ 'd', "deletes", ".del", STATEPAGE_KIND_DELETE, 1 },
	{ 'n', "notes", ".note", STATEPAGE_KIND_NOTE, 0 },
};

const struct statepage_phase_info *
statepage_phase_info(enum statepage_phase phase)
{
	size_t i = (size_t)phase - STATEPAGE_RECORDS;

	if (phase < STATEPAGE_RECORDS || phase >= STATEPAGE_DONE ||
	    i >= sizeof(phases) / sizeof(phases[0]))
		return NULL;
	return &phases[i];
}

static const char *
phase_suffix(enum statepage_phase phase)
{
	const struct statepage_phase_info *pi = statepage_phase_info(phase);

	return pi == NULL ? NULL : pi->suffix;
}

static int
phase_hashed(enum statepage_phase phase)
{
	const struct statepage_phase_info *pi = statepage_phase_info(phase);

	return pi != NULL && pi->hashed;
}

/* Exactly n decimal digits; leading zeros are part of the format here. */
static int
get_dec(const u_char *p, size_t n, uint64_t *out)
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

/* Exactly n lowercase hex digits (n <= 16). */
static int
get_hex(const u_char *p, size_t n, uint64_t *out)
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

/* The fixed-width key text after a phase letter or before a suffix. */
static int
parse_key(enum statepage_phase phase, const u_char *p, size_t len,
    struct statepage_key *k)
{
	k->a = k->b = 0;
	if (phase_hashed(phase)) {
		if (len != PFISH_SEQ_WIDTH + 1 + HEX16_LEN ||
		    p[PFISH_SEQ_WIDTH] != '-' ||
		    get_hex(p + PFISH_SEQ_WIDTH + 1, HEX16_LEN, &k->b) != 0)
			return -1;
	} else if (len != PFISH_SEQ_WIDTH)
		return -1;
	return get_dec(p, PFISH_SEQ_WIDTH, &k->a);
}

int
statepage_cursor_parse(const u_char *p, size_t len,
    struct statepage_cursor *c)
{
	const struct statepage_phase_info *pi;
	enum statepage_phase ph;

	memset(c, 0, sizeof(*c));
	c->phase = STATEPAGE_START;
	if (len == 0)
		return 0;
	for (ph = STATEPAGE_RECORDS; ph < STATEPAGE_DONE;
	    ph = (enum statepage_phase)(ph + 1))
		if ((pi = statepage_phase_info(ph)) != NULL &&
		    pi->letter == (char)p[0])
			break;
	if (ph == STATEPAGE_DONE)
		return -1;
	c->phase = ph;
	if (parse_key(c->phase, p + 1, len - 1, &c->after) != 0) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	return 0;
}

int
statepage_cursor_format(const struct statepage_cursor *c, char *out,
    size_t outlen)
{
	const struct statepage_phase_info *pi;
	char name[STATEPAGE_NAME_MAX];
	size_t n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if ((pi = statepage_phase_info(c->phase)) == NULL)
		return 0;
	if (statepage_name_format(c->phase, &c->after, name,
	    sizeof(name)) != 0)
		return -1;
	/* The name without its suffix is the key text. */
	n = strlen(name) - strlen(phase_suffix(c->phase));
	if (n + 2 > outlen)
		return -1;
	out[0] = pi->letter;
	memcpy(out + 1, name, n);
	out[n + 1] = '\0';
	return 0;
}

int
statepage_name_parse(enum statepage_phase phase, const char *name,
    struct statepage_key *k)
{
	const char *suffix;
	size_t len, sl;

	k->a = k->b = 0;
	if ((suffix = phase_suffix(phase)) == NULL)
		return -1;
	len = strlen(name);
	sl = strlen(suffix);
	if (len <= sl || strcmp(name + len - sl, suffix) != 0)
		return -1;
	if (parse_key(phase, (const u_char *)name, len - sl, k) != 0 ||
	    k->a == 0 || k->a > PFISH_SEQ_MAX) {
		k->a = k->b = 0;
		return -1;
	}
	return 0;
}

int
statepage_name_format(enum statepage_phase phase,
    const struct statepage_key *k, char *out, size_t outlen)
{
	const char *suffix;
	int n;

	if ((suffix = phase_suffix(phase)) == NULL || k->a > PFISH_SEQ_MAX)
		return -1;
	if (phase_hashed(phase))
		n = snprintf(out, outlen, "%0*llu-%0*llx%s", PFISH_SEQ_WIDTH,
		    (unsigned long long)k->a, HEX16_LEN,
		    (unsigned long long)k->b, suffix);
	else
		n = snprintf(out, outlen, "%0*llu%s", PFISH_SEQ_WIDTH,
		    (unsigned long long)k->a, suffix);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
statepage_key_cmp(const struct statepage_key *x, const struct statepage_key *y)
{
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return 0;
}
