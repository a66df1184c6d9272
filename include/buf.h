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

/* buf.h: the bounds-checked byte buffer every parser of wire data uses. */

#ifndef BUF_H
#define BUF_H

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pfisherr.h"

/*
 * A buffer holds bytes in [off, size) of its storage.  Getters consume from
 * the front; putters append.  Getters clear their outputs first, check the
 * length before touching anything, and consume nothing on failure.  Every
 * buffer has a maximum size; appending past it fails with BUF_ERR_NO_SPACE.
 * A buffer made by buf_from() is a read-only view of memory it does not own.
 */

#define BUF_SIZE_MAX		(256 * 1024 * 1024)	/* hard cap */
#define BUF_SIZE_DEFAULT	(16 * 1024 * 1024)
#define BUF_STRING_MAX		(16 * 1024 * 1024)	/* one string on wire */

struct buf;

/* Life cycle. */
struct buf	*buf_new(void);
struct buf	*buf_new_max(size_t max);
struct buf	*buf_from(const void *data, size_t len);
void		 buf_free(struct buf *b);
void		 buf_reset(struct buf *b);
int		 buf_set_max(struct buf *b, size_t max);

/* Access. */
size_t		 buf_len(const struct buf *b);
const u_char	*buf_ptr(const struct buf *b);
u_char		*buf_mutable_ptr(struct buf *b);
int		 buf_consume(struct buf *b, size_t len);
int		 buf_consume_end(struct buf *b, size_t len);
int		 buf_reserve(struct buf *b, size_t len, u_char **dpp);
char		*buf_dup_string(const struct buf *b);
int		 buf_cmp(const struct buf *b, size_t off, const void *s,
		    size_t len);

/* Appending. */
int		 buf_put(struct buf *b, const void *v, size_t len);
int		 buf_putb(struct buf *b, const struct buf *v);
int		 buf_putf(struct buf *b, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 buf_put_u8(struct buf *b, uint8_t v);
int		 buf_put_u32(struct buf *b, uint32_t v);
int		 buf_put_u64(struct buf *b, uint64_t v);
int		 buf_put_string(struct buf *b, const void *v, size_t len);
int		 buf_put_cstring(struct buf *b, const char *v);
int		 buf_put_stringb(struct buf *b, const struct buf *v);

/* Consuming (SSH wire encoding: big-endian, uint32 length prefixes). */
int		 buf_get_u8(struct buf *b, uint8_t *valp);
int		 buf_get_u32(struct buf *b, uint32_t *valp);
int		 buf_get_u64(struct buf *b, uint64_t *valp);
int		 buf_get_string(struct buf *b, u_char **valp, size_t *lenp);
int		 buf_get_string_direct(struct buf *b, const u_char **valp,
		    size_t *lenp);
int		 buf_get_cstring(struct buf *b, char **valp, size_t *lenp);
int		 buf_get_stringb(struct buf *b, struct buf *v);

/* Host byte order helpers for code that peeks at raw packets. */
uint32_t	 buf_load_u32(const u_char *p);
void		 buf_store_u32(u_char *p, uint32_t v);

#endif /* BUF_H */
