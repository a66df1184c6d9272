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

/* clock.h: the time a run works with. */

#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/*
 * A test hook: PFISH_NOW (seconds since the epoch, digits only, 1 to
 * 2^63-1) stands for the clock where a program documents it: pfish(1),
 * pfish-signer(8) unless the verb came from a forced ssh command, and
 * pfish-store(8) for verify only, which changes nothing.
 */
#define PFISH_NOW_ENV	"PFISH_NOW"

/*
 * The clock, or PFISH_NOW when set and non-empty; ignored in a set-id
 * program (secure_getenv).  -1 (said) when it does not parse.
 */
int	pfish_clock(uint64_t *now);

#endif /* CLOCK_H */
