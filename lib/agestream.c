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

/* agestream.c: age payload STREAM over file descriptors, bounded memory. */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "buf.h"

#define PT_BATCH	(AGE_IO_CHUNKS * AGE_CHUNK_LEN)
#define CT_BATCH	(AGE_IO_CHUNKS * AGE_CHUNK_CT_LEN)
#define RAW_LEN		(64 * 1024)	/* armored input staging */
#define DETECT_LEN	(AGE_ARMOR_WS_MAX + 64)

/*
 * Where ciphertext comes from: a descriptor or memory, optionally through
 * the armor decoder.  raw holds bytes read but not yet handed out (the
 * armor-detection peek, or undecoded armor).
 */
struct reader {
	int		 fd;
	const u_char	*mem;
	size_t		 memlen;
	struct age_armor *armor;
	u_char		*raw;
	size_t		 rawoff;
	size_t		 rawlen;
	int		 raweof;
	u_char		 stash[48];	/* decoded armor line not yet read */
	size_t		 stashoff;
	size_t		 stashlen;
	uint64_t	 nread;
};

/* Output side: a descriptor, with optional hashing. */
struct writer {
	int				 fd;
	int				 hash;
	crypto_hash_sha256_state	 sha;
	uint64_t			 nwritten;
};

static ssize_t
read_some(struct reader *rd, u_char *dst, size_t n)
{
	ssize_t got;

	if (rd->fd < 0) {
		got = (ssize_t)(n < rd->memlen ? n : rd->memlen);
		if (got > 0)
			memcpy(dst, rd->mem, (size_t)got);
		rd->mem += got;
		rd->memlen -= (size_t)got;
		return got;
	}
	for (;;) {
		if ((got = read(rd->fd, dst, n)) >= 0)
			return got;
		if (errno != EINTR && errno != EAGAIN)
			return AGE_ERR_IO;
	}
}

/* Fill raw (for armor or detection) up to want bytes or EOF. */
static int
raw_fill(struct reader *rd, size_t want)
{
	ssize_t got;

	if (rd->rawoff > 0) {
		memmove(rd->raw, rd->raw + rd->rawoff, rd->rawlen);
		rd->rawoff = 0;
	}
	while (!rd->raweof && rd->rawlen < want && rd->rawlen < RAW_LEN) {
		if ((got = read_some(rd, rd->raw + rd->rawlen,
		    RAW_LEN - rd->rawlen)) < 0)
			return (int)got;
		if (got == 0)
			rd->raweof = 1;
		rd->rawlen += (size_t)got;
		if (rd->armor != NULL)
			break;	/* the decoder takes what is there */
	}
	return 0;
}

static ssize_t
armor_read(struct reader *rd, u_char *dst, size_t n)
{
	size_t consumed, outlen, k;
	u_char *out;
	int r;

	for (;;) {
		if (rd->stashlen > 0) {
			k = n < rd->stashlen ? n : rd->stashlen;
			memcpy(dst, rd->stash + rd->stashoff, k);
			rd->stashoff += k;
			rd->stashlen -= k;
			return (ssize_t)k;
		}
		out = n >= sizeof(rd->stash) ? dst : rd->stash;
		r = age_armor_decode(rd->armor, rd->raw + rd->rawoff,
		    rd->rawlen, rd->raweof, &consumed, out,
		    out == dst ? n : sizeof(rd->stash), &outlen);
		rd->rawoff += consumed;
		rd->rawlen -= consumed;
		if (r != 0)
			return r;
		if (outlen > 0 && out == dst)
			return (ssize_t)outlen;
		if (outlen > 0) {
			rd->stashoff = 0;
			rd->stashlen = outlen;
			continue;
		}
		if (rd->raweof)
			return 0;
		if ((r = raw_fill(rd, rd->rawlen + 1)) != 0)
			return r;
	}
}

/* Up to n bytes of ciphertext; 0 at the (verified) end. */
static ssize_t
reader_read(struct reader *rd, u_char *dst, size_t n)
{
	ssize_t got;

	if (n == 0)
		return 0;
	if (rd->armor != NULL)
		got = armor_read(rd, dst, n);
	else if (rd->rawlen > 0) {
		got = (ssize_t)(n < rd->rawlen ? n : rd->rawlen);
		memcpy(dst, rd->raw + rd->rawoff, (size_t)got);
		rd->rawoff += (size_t)got;
		rd->rawlen -= (size_t)got;
	} else
		got = read_some(rd, dst, n);
	if (got > 0)
		rd->nread += (uint64_t)got;
	return got;
}

/* Read until len == cap or the end; *eofp is set at the end. */
static int
reader_fill(struct reader *rd, u_char *buf, size_t *lenp, size_t cap,
    int *eofp)
{
	ssize_t got;

	while (*lenp < cap && !*eofp) {
		if ((got = reader_read(rd, buf + *lenp, cap - *lenp)) < 0)
			return (int)got;
		if (got == 0)
			*eofp = 1;
		*lenp += (size_t)got;
	}
	return 0;
}

static int
reader_init(struct reader *rd, int fd, const u_char *mem, size_t memlen,
    int armor)
{
	int r;

	memset(rd, 0, sizeof(*rd));
	rd->fd = fd;
	rd->mem = mem;
	rd->memlen = memlen;
	if ((rd->raw = malloc(RAW_LEN)) == NULL)
		return AGE_ERR_ALLOC;
	if (armor == AGE_ARMOR_AUTO) {
		if ((r = raw_fill(rd, DETECT_LEN)) != 0)
			return r;
		armor = age_armor_detect(rd->raw, rd->rawlen) ?
		    AGE_ARMOR_YES : AGE_ARMOR_NO;
	}
	if (armor == AGE_ARMOR_YES && (rd->armor = age_armor_new()) == NULL)
		return AGE_ERR_ALLOC;
	return 0;
}

static void
reader_clear(struct reader *rd)
{
	free(rd->raw);
	age_armor_free(rd->armor);
	memset(rd, 0, sizeof(*rd));
}

static void
writer_init(struct writer *w, int fd, const struct age_opts *opts)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->hash = opts != NULL && opts->want_sha256;
	if (w->hash)
		crypto_hash_sha256_init(&w->sha);
}

/* Write all of iov, retrying short writes. */
static int
writer_writev(struct writer *w, struct iovec *iov, int iovcnt)
{
	ssize_t n;
	int i;

	if (w->hash)
		for (i = 0; i < iovcnt; i++)
			crypto_hash_sha256_update(&w->sha, iov[i].iov_base,
			    iov[i].iov_len);
	while (iovcnt > 0) {
		if (iov[0].iov_len == 0) {
			iov++;
			iovcnt--;
			continue;
		}
		if ((n = writev(w->fd, iov, iovcnt)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return AGE_ERR_IO;
		}
		w->nwritten += (uint64_t)n;
		for (; iovcnt > 0 && (size_t)n >= iov[0].iov_len; iov++, iovcnt--)
			n -= (ssize_t)iov[0].iov_len;
		if (iovcnt > 0) {
			iov[0].iov_base = (u_char *)iov[0].iov_base + n;
			iov[0].iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int
writer_write(struct writer *w, const void *p, size_t len)
{
	struct iovec iov;

	iov.iov_base = (void *)p;
	iov.iov_len = len;
	return writer_writev(w, &iov, 1);
}

static void
writer_done(struct writer *w, struct age_opts *opts, uint64_t nin)
{
	if (opts == NULL)
		return;
	opts->in_bytes = nin;
	opts->out_bytes = w->nwritten;
	if (w->hash)
		crypto_hash_sha256_final(&w->sha, opts->sha256);
}

/* The 12-byte chunk nonce: 11-byte big-endian counter, last flag. */
static void
chunk_nonce(u_char nonce[12], uint64_t ctr, int last)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 10; i >= 3; i--, ctr >>= 8)
		nonce[i] = (u_char)ctr;
	nonce[11] = last ? 1 : 0;
}

/* Decryption -------------------------------------------------------- */

struct payload {
	u_char		*key;		/* sodium_malloc, 32 bytes */
	uint64_t	 ctr;
	int		 done;		/* the last chunk was opened */
};

static int
open_chunk(struct payload *p, u_char *c, size_t clen, int last)
{
	u_char nonce[12];

	chunk_nonce(nonce, p->ctr, last);
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(c, NULL, c,
	    clen - AGE_TAG_LEN, c + clen - AGE_TAG_LEN, NULL, 0, nonce, p->key);
}

/*
 * Open the complete chunks in buf in place.  A full-size chunk is tried
 * as a middle chunk, then as the last one; a shorter chunk can only be
 * the last.  The reference implementation does the same, so both release
 * the same plaintext before a failure.  libsodium checks the tag before
 * it decrypts, so a failed attempt leaves the chunk intact.  Whatever
 * verified is written out even when a later chunk fails.
 */
static int
open_batch(struct payload *p, u_char *buf, size_t *lenp, int eof,
    struct writer *w)
{
	struct iovec iov[AGE_IO_CHUNKS + 2];
	size_t off = 0, len = *lenp, clen;
	int niov = 0, last = 0, r = 0, wr;

	while (!p->done && niov < AGE_IO_CHUNKS + 2) {
		if (len - off >= AGE_CHUNK_CT_LEN)
			clen = AGE_CHUNK_CT_LEN;
		else if (eof)
			clen = len - off;
		else
			break;
		if (clen == 0) {
			r = AGE_ERR_TRUNCATED;
			break;
		}
		/* Too short for a tag, or an empty chunk that is not alone. */
		if (clen < AGE_TAG_LEN || (clen == AGE_TAG_LEN && p->ctr > 0)) {
			r = AGE_ERR_PAYLOAD;
			break;
		}
		if (clen == AGE_CHUNK_CT_LEN && open_chunk(p, buf + off, clen,
		    0) == 0)
			last = 0;
		else if (open_chunk(p, buf + off, clen, 1) == 0)
			last = 1;
		else {
			r = AGE_ERR_PAYLOAD;
			break;
		}
		iov[niov].iov_base = buf + off;
		iov[niov++].iov_len = clen - AGE_TAG_LEN;
		p->ctr++;
		off += clen;
		p->done = last;
	}
	if (niov > 0 && (wr = writer_writev(w, iov, niov)) != 0 && r == 0)
		r = wr;
	memmove(buf, buf + off, len - off);
	*lenp = len - off;
	return r;
}

/* After the last chunk: nothing may follow (this also ends the armor). */
static int
check_end(struct reader *rd, u_char *buf, size_t cap, size_t len, int eof)
{
	ssize_t got;

	if (len > 0)
		return AGE_ERR_TRAILING;
	if (eof)
		return 0;
	if ((got = reader_read(rd, buf, cap)) < 0)
		return (int)got;
	return got == 0 ? 0 : AGE_ERR_TRAILING;
}

/* Read and parse the header; on success it is consumed from buf. */
static int
read_header(struct reader *rd, u_char *buf, size_t cap, size_t *lenp,
    int *eofp, struct age_header **hdrp)
{
	ssize_t got;
	int r;

	for (;;) {
		if ((r = age_header_parse(buf, *lenp, hdrp)) != AGE_ERR_SHORT)
			return r;
		if (*eofp || *lenp >= AGE_HEADER_MAX)
			return AGE_ERR_HEADER;
		if ((got = reader_read(rd, buf + *lenp, cap - *lenp)) < 0)
			return (int)got;
		if (got == 0)
			*eofp = 1;
		*lenp += (size_t)got;
	}
}

static void
consume(u_char *buf, size_t *lenp, size_t n)
{
	memmove(buf, buf + n, *lenp - n);
	*lenp -= n;
}

static int
decrypt_stream(const struct age_identities *ids, struct reader *rd,
    struct writer *w)
{
	struct age_header *hdr = NULL;
	struct payload p;
	u_char *buf, *filekey = NULL;
	size_t len = 0, cap = CT_BATCH + 1;
	int eof = 0, r;

	memset(&p, 0, sizeof(p));
	if ((buf = malloc(cap)) == NULL ||
	    (filekey = sodium_malloc(AGE_FILE_KEY_LEN)) == NULL ||
	    (p.key = sodium_malloc(32)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	if ((r = read_header(rd, buf, cap, &len, &eof, &hdr)) != 0 ||
	    (r = age_header_open(ids, hdr, buf, filekey)) != 0)
		goto out;
	consume(buf, &len, hdr->len);
	if ((r = reader_fill(rd, buf, &len, AGE_NONCE_LEN, &eof)) != 0)
		goto out;
	if (len < AGE_NONCE_LEN) {
		r = AGE_ERR_NONCE;
		goto out;
	}
	if ((r = age_payload_key(filekey, buf, p.key)) != 0)
		goto out;
	consume(buf, &len, AGE_NONCE_LEN);
	while (!p.done) {
		if ((r = reader_fill(rd, buf, &len, cap, &eof)) != 0 ||
		    (r = open_batch(&p, buf, &len, eof, w)) != 0)
			goto out;
	}
	r = check_end(rd, buf, cap, len, eof);
out:
	age_header_free(hdr);
	if (buf != NULL) {
		sodium_memzero(buf, cap);
		free(buf);
	}
	sodium_free(filekey);
	sodium_free(p.key);
	return r;
}

static int
decrypt_common(const struct age_identities *ids, int infd, const u_char *in,
    size_t inlen, int outfd, struct age_opts *opts)
{
	struct reader rd;
	struct writer w;
	int r;

	if (sodium_init() < 0)
		return AGE_ERR_CRYPTO;
	writer_init(&w, outfd, opts);
	if ((r = reader_init(&rd, infd, in, inlen,
	    opts != NULL ? opts->armor : AGE_ARMOR_AUTO)) == 0)
		r = decrypt_stream(ids, &rd, &w);
	writer_done(&w, opts, rd.nread);
	reader_clear(&rd);
	return r;
}

int
age_decrypt_fd(const struct age_identities *ids, int infd, int outfd,
    struct age_opts *opts)
{
	if (infd < 0)
		return AGE_ERR_INVALID;
	return decrypt_common(ids, infd, NULL, 0, outfd, opts);
}

int
age_decrypt_mem(const struct age_identities *ids, const u_char *in,
    size_t inlen, int outfd, struct age_opts *opts)
{
	return decrypt_common(ids, -1, in, inlen, outfd, opts);
}

static int
fsync_parent(const char *path)
{
	char copy[PATH_MAX];
	int dfd, r = 0;

	if (strlcpy(copy, path, sizeof(copy)) >= sizeof(copy))
		return AGE_ERR_INVALID;
	if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return AGE_ERR_IO;
	if (fsync(dfd) == -1)
		r = AGE_ERR_IO;
	close(dfd);
	return r;
}

int
age_decrypt_to_path(const struct age_identities *ids, int infd,
    const char *tmppath, const char *path, struct age_opts *opts)
{
	int fd, r;

	if ((fd = open(tmppath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return AGE_ERR_IO;
	r = age_decrypt_fd(ids, infd, fd, opts);
	if (r == 0 && fsync(fd) == -1)
		r = AGE_ERR_IO;
	if (close(fd) == -1 && r == 0)
		r = AGE_ERR_IO;
	if (r == 0 && rename(tmppath, path) == -1)
		r = AGE_ERR_IO;
	if (r != 0) {
		unlink(tmppath);
		return r;
	}
	return fsync_parent(path);
}

/* Encryption -------------------------------------------------------- */

static int
fd_fill(int fd, u_char *buf, size_t *lenp, size_t cap, int *eofp)
{
	ssize_t got;

	while (*lenp < cap && !*eofp) {
		if ((got = read(fd, buf + *lenp, cap - *lenp)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return AGE_ERR_IO;
		}
		if (got == 0)
			*eofp = 1;
		*lenp += (size_t)got;
	}
	return 0;
}

/* Seal the complete chunks of in into out; returns bytes of out used. */
static size_t
seal_batch(struct payload *p, const u_char *in, size_t *lenp, int eof,
    u_char *out)
{
	u_char nonce[12];
	size_t off = 0, o = 0, len = *lenp, n;
	int last;

	while (!p->done) {
		if (len - off > AGE_CHUNK_LEN) {
			n = AGE_CHUNK_LEN;
			last = 0;
		} else if (eof) {
			n = len - off;
			last = 1;
		} else
			break;
		chunk_nonce(nonce, p->ctr, last);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(out + o,
		    out + o + n, NULL, in + off, n, NULL, 0, NULL, nonce,
		    p->key);
		o += n + AGE_TAG_LEN;
		off += n;
		p->ctr++;
		p->done = last;
	}
	*lenp = len - off;
	return o;
}

static int
encrypt_payload(struct payload *p, int infd, struct writer *w,
    struct age_opts *opts, uint64_t *ninp)
{
	u_char *in = NULL, *out = NULL;
	size_t len = 0, before, o, incap = PT_BATCH + 1;
	int eof = 0, r = AGE_ERR_ALLOC;

	if ((in = malloc(incap)) == NULL ||
	    (out = malloc(CT_BATCH + 2 * AGE_CHUNK_CT_LEN)) == NULL)
		goto out;
	r = 0;
	while (!p->done) {
		before = len;
		if ((r = fd_fill(infd, in, &len, incap, &eof)) != 0)
			goto out;
		*ninp += len - before;
		if (opts != NULL && opts->max_in != 0 && *ninp > opts->max_in) {
			r = AGE_ERR_TOOBIG;
			goto out;
		}
		before = len;
		o = seal_batch(p, in, &len, eof, out);
		memmove(in, in + (before - len), len);
		if ((r = writer_write(w, out, o)) != 0)
			goto out;
	}
out:
	if (in != NULL) {
		sodium_memzero(in, incap);
		free(in);
	}
	free(out);
	return r;
}

int
age_encrypt_fd(const struct age_recipients *rc, int infd, int outfd,
    struct age_opts *opts)
{
	struct payload p;
	struct writer w;
	struct buf *hdr = NULL;
	u_char *filekey = NULL, nonce[AGE_NONCE_LEN];
	uint64_t nin = 0;
	int r = AGE_ERR_ALLOC;

	memset(&p, 0, sizeof(p));
	writer_init(&w, outfd, opts);
	if (sodium_init() < 0)
		return AGE_ERR_CRYPTO;
	if ((hdr = buf_new_max(AGE_HEADER_MAX)) == NULL ||
	    (filekey = sodium_malloc(AGE_FILE_KEY_LEN)) == NULL ||
	    (p.key = sodium_malloc(32)) == NULL)
		goto out;
	randombytes_buf(filekey, AGE_FILE_KEY_LEN);
	randombytes_buf(nonce, sizeof(nonce));
	if ((r = age_header_build(rc, filekey, hdr)) != 0 ||
	    (r = age_payload_key(filekey, nonce, p.key)) != 0)
		goto out;
	if ((r = buf_put(hdr, nonce, sizeof(nonce))) != 0) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	if ((r = writer_write(&w, buf_ptr(hdr), buf_len(hdr))) != 0 ||
	    (r = encrypt_payload(&p, infd, &w, opts, &nin)) != 0)
		goto out;
out:
	writer_done(&w, opts, nin);
	buf_free(hdr);
	sodium_free(filekey);
	sodium_free(p.key);
	return r;
}
