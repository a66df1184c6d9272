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

/* progress.c: a one-line transfer meter on stderr when it is a terminal. */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
human(uint64_t n, char *out, size_t len)
{
	const char *u = "KMGT";
	double v = (double)n;
	int i = -1;

	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		(void)snprintf(out, len, "%4llu B", (unsigned long long)n);
	else
		(void)snprintf(out, len, "%5.1f%cB", v, u[i]);
}

static void
draw(struct progress *pm, int final)
{
	char done[16], rate[16];
	uint64_t ms = now_ms() - pm->start_ms;
	unsigned pct = pm->total ? (unsigned)(pm->done * 100 / pm->total) :
	    100;

	human(pm->done, done, sizeof(done));
	human(ms ? pm->done * 1000 / ms : pm->done, rate, sizeof(rate));
	fprintf(stderr, "\r%-20s %3u%% %s %s/s %3llu.%01llus%s", pm->name,
	    pct > 100 ? 100 : pct, done, rate,
	    (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000 / 100), final ? "\n" : "");
	fflush(stderr);
}

void
progress_start(struct progress *pm, const char *name, uint64_t total)
{
	int on = pm->on;

	memset(pm, 0, sizeof(*pm));
	pm->on = on && isatty(STDERR_FILENO);
	(void)snprintf(pm->name, sizeof(pm->name), "%s", name);
	pm->total = total;
	pm->start_ms = pm->last_ms = now_ms();
}

void
progress_update(struct progress *pm, size_t n)
{
	uint64_t t;

	if (pm == NULL)
		return;
	pm->done += n;
	if (!pm->on || (t = now_ms()) - pm->last_ms < 200)
		return;
	pm->last_ms = t;
	draw(pm, 0);
}

void
progress_end(struct progress *pm)
{
	if (pm != NULL && pm->on)
		draw(pm, 1);
}
