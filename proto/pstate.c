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

/* pstate.c: parse and format the client state file and its seq ranges. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "layout.h"
#include "pfish.h"
#include "pstate.h"
#include "stmt.h"

struct range {
	uint64_t	lo, hi;
};

struct seqset {
	struct range	*r;
	size_t		 n, cap;
};

struct seqset *
seqset_new(void)
{
	return calloc(1, sizeof(struct seqset));
}

void
seqset_free(struct seqset *s)
{
	if (s == NULL)
		return;
	free(s->r);
	free(s);
}

/* Index of the first range with hi >= seq. */
static size_t
find(const struct seqset *s, uint64_t seq)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->r[mid].hi < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
seqset_has(const struct seqset *s, uint64_t seq)
{
	size_t i = find(s, seq);

	return i < s->n && s->r[i].lo <= seq;
}

static int
insert_at(struct seqset *s, size_t i, uint64_t lo, uint64_t hi)
{
	struct range *nr;

	if (s->n == s->cap) {
		if ((nr = reallocarray(s->r, s->cap ? s->cap * 2 : 8,
		    sizeof(*nr))) == NULL)
			return PSTATE_ERR_ALLOC;
		s->r = nr;
		s->cap = s->cap ? s->cap * 2 : 8;
	}
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	s->n++;
	return 0;
}

int
seqset_add(struct seqset *s, uint64_t seq)
{
	size_t i = find(s, seq);

	if (i < s->n && s->r[i].lo <= seq)
		return 0;
	if (i > 0 && s->r[i - 1].hi + 1 == seq) {
		s->r[i - 1].hi = seq;
		/* Bridge to the next range when the gap closes. */
		if (i < s->n && s->r[i].lo == seq + 1) {
			s->r[i - 1].hi = s->r[i].hi;
			memmove(&s->r[i], &s->r[i + 1],
			    (s->n - i - 1) * sizeof(*s->r));
			s->n--;
		}
		return 0;
	}
	if (i < s->n && s->r[i].lo == seq + 1) {
		s->r[i].lo = seq;
		return 0;
	}
	return insert_at(s, i, seq, seq);
}

uint64_t
seqset_count(const struct seqset *s)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		c += s->r[i].hi - s->r[i].lo + 1;
	return c;
}

int
seqset_format(const struct seqset *s, struct buf *out)
{
	size_t i;
	int r;

	if (s->n == 0)
		return buf_put(out, "-", 1);
	for (i = 0; i < s->n; i++) {
		if (s->r[i].lo == s->r[i].hi)
			r = buf_putf(out, "%s%llu", i ? "," : "",
			    (unsigned long long)s->r[i].lo);
		else
			r = buf_putf(out, "%s%llu-%llu", i ? "," : "",
			    (unsigned long long)s->r[i].lo,
			    (unsigned long long)s->r[i].hi);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Decimal without leading zeros, 1..PFISH_SEQ_MAX; advances *pp. */
static int
get_num(const char **pp, const char *end, uint64_t *v)
{
	const char *p = *pp;

	*v = 0;
	if (p == end || *p < '1' || *p > '9')
		return PSTATE_ERR_FORMAT;
	while (p < end && *p >= '0' && *p <= '9') {
		*v = *v * 10 + (uint64_t)(*p - '0');
		if (*v > PFISH_SEQ_MAX)
			return PSTATE_ERR_FORMAT;
		p++;
	}
	*pp = p;
	return 0;
}

int
seqset_parse(struct seqset *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	uint64_t lo, hi;
	int r;

	s->n = 0;
	if (len == 1 && text[0] == '-')
		return 0;
	while (p < end) {
		if ((r = get_num(&p, end, &lo)) != 0)
			goto bad;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			if ((r = get_num(&p, end, &hi)) != 0 || hi <= lo)
				goto bad;
		}
		/* Ascending, disjoint and not adjacent: one canonical form. */
		if (s->n > 0 && lo <= s->r[s->n - 1].hi + 1)
			goto bad;
		if ((r = insert_at(s, s->n, lo, hi)) != 0)
			return r;
		if (p < end && (*p != ',' || ++p == end))
			goto bad;
	}
	if (s->n > 0)
		return 0;
 bad:
	s->n = 0;
	return PSTATE_ERR_FORMAT;
}

/* The next LF-terminated line at *off; *off moves past it. */
static int
next_line(const u_char *d, size_t len, size_t *off, const char **line,
    size_t *linelen)
{
	const u_char *nl;

	if (*off >= len ||
	    (nl = memchr(d + *off, '\n', len - *off)) == NULL)
		return PSTATE_ERR_FORMAT;
	*line = (const char *)d + *off;
	*linelen = (size_t)(nl - (d + *off));
	*off += *linelen + 1;
	if (memchr(*line, '\0', *linelen) != NULL)
		return PSTATE_ERR_FORMAT;
	return 0;
}

static int
keyed_set(const u_char *d, size_t len, size_t *off, const char *key,
    struct seqset *s)
{
	const char *line;
	size_t ll, kl = strlen(key);
	int r;

	if ((r = next_line(d, len, off, &line, &ll)) != 0)
		return r;
	if (ll <= kl + 1 || memcmp(line, key, kl) != 0 || line[kl] != ' ')
		return PSTATE_ERR_FORMAT;
	return seqset_parse(s, line + kl + 1, ll - kl - 1);
}

/* A fact without time and size takes them from the same record's. */
static void
learn(struct pstate_fact *old, const struct pstate_fact *add)
{
	if (old->time == 0 &&
	    memcmp(old->hash, add->hash, PSTATE_HASH_LEN) == 0) {
		old->time = add->time;
		old->size = add->size;
	}
}

int
pstate_facts_merge(struct pstate_fact **list, size_t *n,
    const struct pstate_fact *add, size_t nadd, size_t *dropped)
{
	struct pstate_fact *out;
	size_t i = 0, j = 0, k = 0, cut;

	if (dropped != NULL)
		*dropped = 0;
	if (nadd == 0)
		return 0;
	if ((out = reallocarray(NULL, *n + nadd, sizeof(*out))) == NULL)
		return PSTATE_ERR_ALLOC;
	while (i < *n || j < nadd) {
		if (j == nadd || (i < *n && (*list)[i].seq <= add[j].seq)) {
			if (j < nadd && (*list)[i].seq == add[j].seq) {
				/* The older fact stays, maybe learning more. */
				learn(&(*list)[i], &add[j]);
				j++;
			} else
				out[k++] = (*list)[i++];
			continue;
		}
		if (k == 0 || out[k - 1].seq != add[j].seq)
			out[k++] = add[j];
		j++;
	}
	cut = k > PSTATE_FACTS_MAX ? k - PSTATE_FACTS_MAX : 0;
	if (cut > 0)
		memmove(out, out + cut, (k - cut) * sizeof(*out));
	if (dropped != NULL)
		*dropped = cut;
	free(*list);
	*list = out;
	*n = k - cut;
	return 0;
}

static void
prune(struct pstate_fact *v, size_t *n, uint64_t low)
{
	size_t i = 0;

	while (i < *n && v[i].seq < low)
		i++;
	if (i == 0)
		return;		/* also an empty (NULL) list */
	memmove(v, v + i, (*n - i) * sizeof(*v));
	*n -= i;
}

void
pstate_mem_prune(struct pstate_mem *m, uint64_t low)
{
	prune(m->known, &m->nknown, low);
	prune(m->gone, &m->ngone, low);
}

void
pstate_mem_clear(struct pstate_mem *m)
{
	free(m->known);
	free(m->gone);
	memset(m, 0, sizeof(*m));
}

/*
 * "KEY N" and N lines "SEQ HASH", ascending, one fact per seq; with times,
 * a line may end " TIME SIZE" (both from 1 to PFISH_SEQ_MAX).
 */
static int
fact_list(const u_char *d, size_t len, size_t *off, const char *key,
    int times, struct pstate_fact **out, size_t *nout)
{
	const char *line, *p;
	char num[24], hex[65];
	size_t ll, kl = strlen(key), i, n;
	uint64_t v;
	int r;

	if ((r = next_line(d, len, off, &line, &ll)) != 0)
		return r;
	if (ll <= kl + 1 || ll - kl - 1 >= sizeof(num) ||
	    memcmp(line, key, kl) != 0 || line[kl] != ' ')
		return PSTATE_ERR_FORMAT;
	memcpy(num, line + kl + 1, ll - kl - 1);
	num[ll - kl - 1] = '\0';
	if (stmt_u64_from_dec(num, &v) != 0 || v > PSTATE_FACTS_MAX)
		return PSTATE_ERR_FORMAT;
	n = (size_t)v;
	if (n > 0 && (*out = calloc(n, sizeof(**out))) == NULL)
		return PSTATE_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = next_line(d, len, off, &line, &ll)) != 0)
			return r;
		p = line;
		if ((r = get_num(&p, line + ll, &(*out)[i].seq)) != 0)
			return r;
		if (line + ll - p < 65 || *p != ' ')
			return PSTATE_ERR_FORMAT;
		memcpy(hex, p + 1, 64);
		hex[64] = '\0';
		if (stmt_hash_from_hex(hex, (*out)[i].hash) != 0 ||
		    (i > 0 && (*out)[i].seq <= (*out)[i - 1].seq))
			return PSTATE_ERR_FORMAT;
		p += 65;
		if (p < line + ll && (!times || *p++ != ' ' ||
		    get_num(&p, line + ll, &(*out)[i].time) != 0 ||
		    p == line + ll || *p++ != ' ' ||
		    get_num(&p, line + ll, &(*out)[i].size) != 0 ||
		    p != line + ll))
			return PSTATE_ERR_FORMAT;
		*nout = i + 1;
	}
	return 0;
}

static int
format_facts(struct buf *out, const char *key, const struct pstate_fact *v,
    size_t n)
{
	char hex[65];
	size_t i;
	int r;

	if ((r = buf_putf(out, "%s %zu\n", key, n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		stmt_hash_hex(v[i].hash, hex);
		if (v[i].time > 0 && v[i].time <= PFISH_SEQ_MAX &&
		    v[i].size > 0 && v[i].size <= PFISH_SEQ_MAX)
			r = buf_putf(out, "%llu %s %llu %llu\n",
			    (unsigned long long)v[i].seq, hex,
			    (unsigned long long)v[i].time,
			    (unsigned long long)v[i].size);
		else
			r = buf_putf(out, "%llu %s\n",
			    (unsigned long long)v[i].seq, hex);
		if (r != 0)
			return r;
	}
	return 0;
}

/* "SERIAL HASH" of the account line: a serial of 1 or more. */
static int
account_line(const char *p, size_t len, struct pstate_mem *mem)
{
	const char *end = p + len;
	char hex[65];
	uint64_t v;

	if (get_num(&p, end, &v) != 0 || v == 0 || end - p != 65 ||
	    *p != ' ')
		return -1;
	memcpy(hex, p + 1, 64);
	hex[64] = '\0';
	if (stmt_hash_from_hex(hex, mem->acct_hash) != 0)
		return -1;
	mem->acct_serial = v;
	return 0;
}

int
pstate_parse(const u_char *data, size_t len, struct seqset *fetched,
    struct seqset *checked, struct pstate_mem *mem, size_t *headoff,
    size_t *headlen)
{
	const char *line;
	size_t off = 0, ll;
	int r, v1;

	*headoff = *headlen = 0;
	if (len > PSTATE_MAX)
		return PSTATE_ERR_FORMAT;
	if ((r = next_line(data, len, &off, &line, &ll)) != 0)
		return PSTATE_ERR_FORMAT;
	v1 = ll == strlen(PSTATE_MAGIC_V1) &&
	    memcmp(line, PSTATE_MAGIC_V1, ll) == 0;
	if (!v1 && (ll != strlen(PSTATE_MAGIC) ||
	    memcmp(line, PSTATE_MAGIC, ll) != 0))
		return PSTATE_ERR_FORMAT;
	if ((r = keyed_set(data, len, &off, "fetched", fetched)) != 0 ||
	    (r = keyed_set(data, len, &off, "checked", checked)) != 0)
		return r;
	if (!v1 && ((r = fact_list(data, len, &off, "known", 1, &mem->known,
	    &mem->nknown)) != 0 || (r = fact_list(data, len, &off, "gone", 0,
	    &mem->gone, &mem->ngone)) != 0)) {
		pstate_mem_clear(mem);
		return r;
	}
	if (off == len)
		return 0;
	if ((r = next_line(data, len, &off, &line, &ll)) != 0) {
		pstate_mem_clear(mem);
		return PSTATE_ERR_FORMAT;
	}
	if (!v1 && ll > 8 && memcmp(line, "account ", 8) == 0) {
		if (account_line(line + 8, ll - 8, mem) != 0) {
			pstate_mem_clear(mem);
			return PSTATE_ERR_FORMAT;
		}
		if (off == len)
			return 0;
		if (next_line(data, len, &off, &line, &ll) != 0) {
			pstate_mem_clear(mem);
			return PSTATE_ERR_FORMAT;
		}
	}
	if (ll != 4 || memcmp(line, "head", 4) != 0 || off == len) {
		pstate_mem_clear(mem);
		return PSTATE_ERR_FORMAT;
	}
	*headoff = off;
	*headlen = len - off;
	return 0;
}

int
pstate_format(const struct seqset *fetched, const struct seqset *checked,
    const struct pstate_mem *mem, const u_char *head, size_t headlen,
    struct buf *out)
{
	char hex[65];
	int r;

	if ((r = buf_putf(out, "%s\nfetched ", PSTATE_MAGIC)) != 0 ||
	    (r = seqset_format(fetched, out)) != 0 ||
	    (r = buf_putf(out, "\nchecked ")) != 0 ||
	    (r = seqset_format(checked, out)) != 0 ||
	    (r = buf_put(out, "\n", 1)) != 0 ||
	    (r = format_facts(out, "known", mem->known, mem->nknown)) != 0 ||
	    (r = format_facts(out, "gone", mem->gone, mem->ngone)) != 0)
		return r;
	if (mem->acct_serial > 0) {
		stmt_hash_hex(mem->acct_hash, hex);
		if ((r = buf_putf(out, "account %llu %s\n",
		    (unsigned long long)mem->acct_serial, hex)) != 0)
			return r;
	}
	if (head == NULL || headlen == 0)
		return 0;
	if ((r = buf_put(out, "head\n", 5)) != 0 ||
	    (r = buf_put(out, head, headlen)) != 0)
		return r;
	return 0;
}
