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

/* clock.h: the time a program runs at, and its test hook PFISH_NOW. */

#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

#define PFISH_NOW_ENV	"PFISH_NOW"

/*
 * The time, fixed once per run: the clock, or the value of PFISH_NOW
 * (seconds since the epoch) so tests can age statements without
 * sleeping.  PFISH_NOW is ignored where it would let someone else move
 * the clock: in a set-id program (secure_getenv) and when remote is set
 * (the verb came from a forced ssh command); an empty value is unset.
 * A value that is not digits only, from 1 to 2^63-1, is refused: -1
 * after a message naming it.  Returns 1 when PFISH_NOW set the time,
 * else 0.
 */
int	clock_now(uint64_t *now, int remote);

#endif /* CLOCK_H */
