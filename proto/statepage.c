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

#include "layout.h"
#include "pfish.h"
#include "statepage.h"

/* Indexed by enum statepage_phase, from STATEPAGE_RECORDS on. */
static const struct statepage_phase_info phases[] = {
	{ 'r', PFISH_RECORDS, PFISH_REC_SUFFIX, STATEPAGE_KIND_RECORD, 0 },
	{ 'd', PFISH_DELETES, PFISH_DEL_SUFFIX, STATEPAGE_KIND_DELETE, 1 },
	{ 'n', PFISH_NOTES, PFISH_NOTE_SUFFIX, STATEPAGE_KIND_NOTE, 0 },
	{ 'v', PFISH_VOIDS, PFISH_VOID_SUFFIX, STATEPAGE_KIND_VOID, 0 },
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

/* A cursor key naming no file: the start of its phase. */
static const char *
zero_key(enum statepage_phase phase)
{
	return phase_hashed(phase) ?
	    "000000000000-0000000000000000" : "000000000000";
}

/* The key text after a phase letter: a file name without its suffix. */
static int
parse_key(enum statepage_phase phase, const u_char *p, size_t len,
    struct statepage_key *k)
{
	char name[PFISH_NAME_MAX];
	const char *suffix = phase_suffix(phase);

	k->a = k->b = 0;
	/* A NUL would end the name early: "N.note\0" is no cursor key. */
	if (suffix == NULL || len + strlen(suffix) >= sizeof(name) ||
	    memchr(p, '\0', len) != NULL)
		return -1;
	if (len == strlen(zero_key(phase)) &&
	    memcmp(p, zero_key(phase), len) == 0)
		return 0;
	memcpy(name, p, len);
	strlcpy(name + len, suffix, sizeof(name) - len);
	return statepage_name_parse(phase, name, k);
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
	/* A start past seq N, N not 0 (that start is the empty cursor). */
	if (p[0] == STATEPAGE_START_LETTER) {
		if (parse_key(STATEPAGE_RECORDS, p + 1, len - 1,
		    &c->after) != 0 || c->after.a == 0) {
			memset(c, 0, sizeof(*c));
			return -1;
		}
		return 0;
	}
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
	enum statepage_phase ph = c->phase;
	char name[PFISH_NAME_MAX], letter;
	size_t n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (ph == STATEPAGE_START && c->after.a != 0) {
		ph = STATEPAGE_RECORDS;
		letter = STATEPAGE_START_LETTER;
	} else if ((pi = statepage_phase_info(ph)) != NULL)
		letter = pi->letter;
	else
		return 0;
	if (c->after.a == 0)
		(void)strlcpy(name, zero_key(ph), sizeof(name));
	else if (statepage_name_format(ph, &c->after, name,
	    sizeof(name)) != 0)
		return -1;
	/* The name without its suffix is the key text. */
	n = strlen(name);
	if (c->after.a != 0)
		n -= strlen(phase_suffix(ph));
	if (n + 2 > outlen)
		return -1;
	out[0] = letter;
	memcpy(out + 1, name, n);
	out[n + 1] = '\0';
	return 0;
}

int
statepage_name_parse(enum statepage_phase phase, const char *name,
    struct statepage_key *k)
{
	const char *suffix;

	k->a = k->b = 0;
	if ((suffix = phase_suffix(phase)) == NULL)
		return -1;
	if (phase_hashed(phase))
		return layout_delete_parse(name, &k->a, &k->b);
	return layout_seq_parse(name, suffix, &k->a);
}

int
statepage_name_format(enum statepage_phase phase,
    const struct statepage_key *k, char *out, size_t outlen)
{
	const char *suffix;

	if ((suffix = phase_suffix(phase)) == NULL)
		return -1;
	if (phase_hashed(phase))
		return layout_delete_name(k->a, k->b, out, outlen);
	return layout_seq_name(k->a, suffix, out, outlen);
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
