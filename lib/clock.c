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

/* clock.c: the time a run works with, fixed once. */

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

int
pfish_clock(uint64_t *now)
{
	const char *v, *e;
	long long t = 0;

	*now = (uint64_t)time(NULL);
	if ((v = secure_getenv(PFISH_NOW_ENV)) == NULL || *v == '\0')
		return 0;
	/* Digits only: no sign, no space (strtonum takes both). */
	if (v[strspn(v, "0123456789")] != '\0')
		e = "not a number";
	else
		t = strtonum(v, 1, LLONG_MAX, &e);
	if (e != NULL) {
		warnx("%s=%.32s is %s", PFISH_NOW_ENV, v, e);
		return -1;
	}
	*now = (uint64_t)t;
	return 0;
}
