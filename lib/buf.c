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

/* buf.c: the bounds-checked byte buffer for wire data. */

#include <sys/types.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct buf {
	u_char		*d;		/* owned storage, NULL for a view */
	const u_char	*cd;		/* what readers see */
	size_t		 off;		/* first unread byte */
	size_t		 size;		/* end of data */
	size_t		 alloc;		/* bytes allocated at d */
	size_t		 dirty;		/* d's bytes written since wiped */
	size_t		 max;		/* cap on size - off */
	int		 readonly;
};

#define BUF_GROW	256

struct buf *
buf_new_max(size_t max)
{
	struct buf *b;

	if (max > BUF_SIZE_MAX)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->max = max;
	return b;
}

struct buf *
buf_new(void)
{
	return buf_new_max(BUF_SIZE_DEFAULT);
}

struct buf *
buf_from(const void *data, size_t len)
{
	struct buf *b;

	if (len > BUF_SIZE_MAX || (data == NULL && len != 0))
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->cd = data;
	b->size = len;
	b->max = len;
	b->readonly = 1;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->d != NULL) {
		explicit_bzero(b->d, b->dirty);
		free(b->d);
	}
	explicit_bzero(b, sizeof(*b));
	free(b);
}

void
buf_reset(struct buf *b)
{
	if (b->readonly) {
		b->off = b->size;
		return;
	}
	/*
	 * Only what was written since the last wipe: a reply buffer that
	 * once held a long listing is reset for every short reply after it.
	 */
	if (b->d != NULL)
		explicit_bzero(b->d, b->dirty);
	b->off = b->size = b->dirty = 0;
}

int
buf_set_max(struct buf *b, size_t max)
{
	if (b->readonly)
		return BUF_ERR_READONLY;
	if (max > BUF_SIZE_MAX || max < b->size - b->off)
		return BUF_ERR_NO_SPACE;
	b->max = max;
	return 0;
}

size_t
buf_len(const struct buf *b)
{
	return b->size - b->off;
}

/* Storage may not exist yet; NULL + 0 is undefined, so say so plainly. */
const u_char *
buf_ptr(const struct buf *b)
{
	if (b->cd == NULL)
		return NULL;
	return b->cd + b->off;
}

u_char *
buf_mutable_ptr(struct buf *b)
{
	if (b->readonly || b->d == NULL)
		return NULL;
	return b->d + b->off;
}

int
buf_consume(struct buf *b, size_t len)
{
	if (len > b->size - b->off)
		return BUF_ERR_SHORT;
	b->off += len;
	if (b->off == b->size && !b->readonly)
		b->off = b->size = 0;
	return 0;
}

int
buf_consume_end(struct buf *b, size_t len)
{
	if (len > b->size - b->off)
		return BUF_ERR_SHORT;
	b->size -= len;
	return 0;
}

/* Make room for len more bytes at the end; returns where they go. */
int
buf_reserve(struct buf *b, size_t len, u_char **dpp)
{
	size_t need, nalloc;
	u_char *nd;

	*dpp = NULL;
	if (b->readonly)
		return BUF_ERR_READONLY;
	if (len > b->max || b->size - b->off > b->max - len)
		return BUF_ERR_NO_SPACE;
	/* Slide unread data to the front before growing. */
	if (b->off > 0 && b->size + len > b->alloc) {
		memmove(b->d, b->d + b->off, b->size - b->off);
		b->size -= b->off;
		b->off = 0;
	}
	need = b->size + len;
	if (need > b->alloc) {
		nalloc = b->alloc < BUF_GROW ? BUF_GROW : b->alloc;
		while (nalloc < need)
			nalloc = nalloc > SIZE_MAX / 2 ? need : nalloc * 2;
		if (nalloc > b->max + b->off)
			nalloc = need > b->max + b->off ? need : b->max + b->off;
		/* Not realloc: the old storage is wiped before it is freed. */
		if ((nd = malloc(nalloc)) == NULL)
			return BUF_ERR_ALLOC;
		if (b->d != NULL) {
			memcpy(nd, b->d, b->size);
			explicit_bzero(b->d, b->dirty);
			free(b->d);
		}
		b->dirty = b->size;
		b->d = nd;
		b->cd = nd;
		b->alloc = nalloc;
	}
	*dpp = b->d + b->size;
	b->size += len;
	if (b->size > b->dirty)
		b->dirty = b->size;
	return 0;
}

char *
buf_dup_string(const struct buf *b)
{
	size_t len = buf_len(b);
	char *s;

	if (len > 0 && memchr(buf_ptr(b), '\0', len) != NULL)
		return NULL;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(s, buf_ptr(b), len);
	s[len] = '\0';
	return s;
}

int
buf_cmp(const struct buf *b, size_t off, const void *s, size_t len)
{
	if (off > buf_len(b) || len > buf_len(b) - off)
		return BUF_ERR_SHORT;
	if (len == 0)
		return 0;
	return memcmp(buf_ptr(b) + off, s, len) == 0 ? 0 : BUF_ERR_INVALID;
}

int
buf_put(struct buf *b, const void *v, size_t len)
{
	u_char *p;
	int r;

	if (len == 0)
		return 0;
	if ((r = buf_reserve(b, len, &p)) != 0)
		return r;
	memcpy(p, v, len);
	return 0;
}

int
buf_putb(struct buf *b, const struct buf *v)
{
	return buf_put(b, buf_ptr(v), buf_len(v));
}

static int __attribute__((format(printf, 2, 0)))
buf_putfv(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	u_char *p;
	int len, r;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return BUF_ERR_FORMAT;
	/* Room for vsnprintf's NUL, which we then drop. */
	if ((r = buf_reserve(b, (size_t)len + 1, &p)) != 0)
		return r;
	if (vsnprintf((char *)p, (size_t)len + 1, fmt, ap) != len) {
		buf_consume_end(b, (size_t)len + 1);
		return BUF_ERR_FORMAT;
	}
	return buf_consume_end(b, 1);
}

int
buf_putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_putfv(b, fmt, ap);
	va_end(ap);
	return r;
}

uint32_t
buf_load_u32(const u_char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void
buf_store_u32(u_char *p, uint32_t v)
{
	p[0] = (u_char)(v >> 24);
	p[1] = (u_char)(v >> 16);
	p[2] = (u_char)(v >> 8);
	p[3] = (u_char)v;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	u_char p[4];

	buf_store_u32(p, v);
	return buf_put(b, p, sizeof(p));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	u_char p[8];

	buf_store_u32(p, (uint32_t)(v >> 32));
	buf_store_u32(p + 4, (uint32_t)v);
	return buf_put(b, p, sizeof(p));
}

int
buf_put_string(struct buf *b, const void *v, size_t len)
{
	u_char *p;
	int r;

	if (len > BUF_STRING_MAX)
		return BUF_ERR_STRING_TOO_LONG;
	if ((r = buf_reserve(b, 4 + len, &p)) != 0)
		return r;
	buf_store_u32(p, (uint32_t)len);
	if (len > 0)
		memcpy(p + 4, v, len);
	return 0;
}

int
buf_put_cstring(struct buf *b, const char *v)
{
	return buf_put_string(b, v, v == NULL ? 0 : strlen(v));
}

int
buf_put_stringb(struct buf *b, const struct buf *v)
{
	return buf_put_string(b, buf_ptr(v), buf_len(v));
}

static int
buf_get(struct buf *b, void *v, size_t len)
{
	const u_char *p = buf_ptr(b);
	int r;

	if ((r = buf_consume(b, len)) != 0)
		return r;
	if (v != NULL && len > 0)
		memcpy(v, p, len);
	return 0;
}

int
buf_get_u8(struct buf *b, uint8_t *valp)
{
	if (valp != NULL)
		*valp = 0;
	return buf_get(b, valp, 1);
}

static int
buf_peek_u32(const struct buf *b, size_t off, uint32_t *valp)
{
	*valp = 0;
	if (off > buf_len(b) || buf_len(b) - off < 4)
		return BUF_ERR_SHORT;
	*valp = buf_load_u32(buf_ptr(b) + off);
	return 0;
}

int
buf_get_u32(struct buf *b, uint32_t *valp)
{
	uint32_t v;
	int r;

	if (valp != NULL)
		*valp = 0;
	if ((r = buf_peek_u32(b, 0, &v)) != 0)
		return r;
	(void)buf_consume(b, 4);
	if (valp != NULL)
		*valp = v;
	return 0;
}

int
buf_get_u64(struct buf *b, uint64_t *valp)
{
	uint32_t hi, lo;

	if (valp != NULL)
		*valp = 0;
	if (buf_len(b) < 8)
		return BUF_ERR_SHORT;
	(void)buf_get_u32(b, &hi);
	(void)buf_get_u32(b, &lo);
	if (valp != NULL)
		*valp = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Look at the string at the front without consuming it. */
static int
peek_string(const struct buf *b, const u_char **pp, size_t *lenp)
{
	uint32_t len;
	int r;

	*pp = NULL;
	*lenp = 0;
	if ((r = buf_peek_u32(b, 0, &len)) != 0)
		return r;
	if (len > BUF_STRING_MAX)
		return BUF_ERR_STRING_TOO_LONG;
	if (buf_len(b) - 4 < len)
		return BUF_ERR_SHORT;
	*pp = buf_ptr(b) + 4;
	*lenp = len;
	return 0;
}

/* A pointer into the buffer, valid until it is next modified. */
int
buf_get_string_direct(struct buf *b, const u_char **valp, size_t *lenp)
{
	const u_char *p;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if ((r = peek_string(b, &p, &len)) != 0)
		return r;
	(void)buf_consume(b, 4 + len);
	if (valp != NULL)
		*valp = p;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

/*
 * An allocated copy, always NUL-terminated for the caller's convenience;
 * buf_get_cstring additionally refuses embedded NULs.
 */
static int
get_string_copy(struct buf *b, int cstring, u_char **valp, size_t *lenp)
{
	const u_char *p;
	size_t len;
	u_char *v = NULL;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if ((r = peek_string(b, &p, &len)) != 0)
		return r;
	if (cstring && len > 0 && memchr(p, '\0', len) != NULL)
		return BUF_ERR_NUL;
	if (valp != NULL) {
		if ((v = malloc(len + 1)) == NULL)
			return BUF_ERR_ALLOC;
		if (len > 0)
			memcpy(v, p, len);
		v[len] = '\0';
		*valp = v;
	}
	if (lenp != NULL)
		*lenp = len;
	(void)buf_consume(b, 4 + len);
	return 0;
}

int
buf_get_string(struct buf *b, u_char **valp, size_t *lenp)
{
	return get_string_copy(b, 0, valp, lenp);
}

int
buf_get_cstring(struct buf *b, char **valp, size_t *lenp)
{
	return get_string_copy(b, 1, (u_char **)valp, lenp);
}

int
buf_get_stringb(struct buf *b, struct buf *v)
{
	const u_char *p;
	size_t len;
	int r;

	if ((r = peek_string(b, &p, &len)) != 0)
		return r;
	if ((r = buf_put(v, p, len)) != 0)
		return r;
	(void)buf_consume(b, 4 + len);
	return 0;
}
