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

/* Write all of p, retrying short writes. */
static int
writer_write(struct writer *w, const void *p, size_t len)
{
	const u_char *d = p;
	ssize_t n;

	if (w->hash)
		crypto_hash_sha256_update(&w->sha, d, len);
	while (len > 0) {
		if ((n = write(w->fd, d, len)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return AGE_ERR_IO;
		}
		w->nwritten += (uint64_t)n;
		d += n;
		len -= (size_t)n;
	}
	return 0;
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

/* Decryption -------------------------------------------------------- */

#define MAX_TASKS	(AGE_IO_CHUNKS + 1)

struct payload {
	u_char		*key;		/* sodium_malloc, 32 bytes */
	u_char		*pt;		/* MAX_TASKS chunks of plaintext */
	struct age_crew	*crew;
	struct age_task	 tasks[MAX_TASKS];
	uint64_t	 ctr;
	int		 done;		/* the last chunk was opened */
};

/*
 * Plan the complete chunks in buf: every full-size chunk may be a middle
 * or the last one; at the end of input the rest is the last.  Returns the
 * number of tasks, with *errp set if the plan hit a malformed chunk.
 */
static size_t
plan_open(struct payload *p, const u_char *buf, size_t len, int eof,
    int *errp)
{
	struct age_task *t;
	size_t off = 0, clen, n = 0;

	*errp = 0;
	while (n < MAX_TASKS) {
		if (len - off >= AGE_CHUNK_CT_LEN)
			clen = AGE_CHUNK_CT_LEN;
		else if (eof && len - off > 0)
			clen = len - off;
		else {
			if (eof && n == 0)
				*errp = AGE_ERR_TRUNCATED;
			break;
		}
		/* Too short for a tag, or an empty chunk that is not alone. */
		if (clen < AGE_TAG_LEN ||
		    (clen == AGE_TAG_LEN && p->ctr + n > 0)) {
			*errp = AGE_ERR_PAYLOAD;
			break;
		}
		t = &p->tasks[n];
		t->op = AGE_TASK_OPEN;
		t->in = buf + off;
		t->inlen = clen;
		t->out = p->pt + n * AGE_CHUNK_LEN;
		t->ctr = p->ctr + n;
		off += clen;
		n++;
	}
	return n;
}

/*
 * Open the planned chunks, then use the results in order: plaintext up
 * to the first failure (or the last chunk) is written out, so exactly
 * what verified is released.  Anything after the last chunk is an error.
 */
static int
open_batch(struct payload *p, u_char *buf, size_t *lenp, int eof,
    struct writer *w)
{
	size_t i, n, off = 0, o = 0;
	int r, planerr, wr;

	n = plan_open(p, buf, *lenp, eof, &planerr);
	age_crew_run(p->crew, p->tasks, n);
	r = planerr;
	for (i = 0; i < n; i++) {
		if (p->tasks[i].result != 0) {
			r = p->tasks[i].result;
			break;
		}
		o += p->tasks[i].inlen - AGE_TAG_LEN;
		off += p->tasks[i].inlen;
		p->ctr++;
		if ((p->done = p->tasks[i].last)) {
			if (i + 1 < n)
				r = AGE_ERR_TRAILING;
			break;
		}
	}
	if (o > 0 && (wr = writer_write(w, p->pt, o)) != 0 && r == 0)
		r = wr;
	memmove(buf, buf + off, *lenp - off);
	*lenp -= off;
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

/*
 * Bytes still to come from the source, if known (memory or a regular
 * file), else 0.  Buffers need not be larger than the input (decoding
 * armor only shrinks it), which keeps small files and fuzzing cheap.
 */
static size_t
input_hint(int fd, size_t known)
{
	struct stat st;
	off_t pos;

	if (fd < 0)
		return known;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (pos = lseek(fd, 0, SEEK_CUR)) == -1 || pos > st.st_size)
		return 0;
	return known + (size_t)(st.st_size - pos);
}

static int
decrypt_stream(const struct age_identities *ids, struct reader *rd,
    struct writer *w)
{
	struct age_header *hdr = NULL;
	struct payload p;
	u_char *buf, *filekey = NULL;
	size_t len = 0, cap = CT_BATCH + 1, hint;
	int eof = 0, r;

	hint = input_hint(rd->fd, rd->rawlen + rd->memlen);
	if (hint != 0 && hint < cap)
		cap = hint + 1;

	memset(&p, 0, sizeof(p));
	if ((buf = malloc(cap)) == NULL ||
	    (filekey = sodium_malloc(AGE_FILE_KEY_LEN)) == NULL ||
	    (p.key = sodium_malloc(32)) == NULL ||
	    (p.pt = malloc(cap)) == NULL) {
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
	if ((p.crew = age_crew_new(p.key)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	while (!p.done) {
		if ((r = reader_fill(rd, buf, &len, cap, &eof)) != 0 ||
		    (r = open_batch(&p, buf, &len, eof, w)) != 0)
			goto out;
	}
	r = check_end(rd, buf, cap, len, eof);
out:
	age_crew_free(p.crew);
	age_header_free(hdr);
	if (buf != NULL) {
		sodium_memzero(buf, cap);
		free(buf);
	}
	if (p.pt != NULL) {
		sodium_memzero(p.pt, cap);
		free(p.pt);
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
	struct age_task *t;
	size_t off = 0, o = 0, len = *lenp, n, k = 0;
	int last;

	while (!p->done && k < MAX_TASKS) {
		if (len - off > AGE_CHUNK_LEN) {
			n = AGE_CHUNK_LEN;
			last = 0;
		} else if (eof) {
			n = len - off;
			last = 1;
		} else
			break;
		t = &p->tasks[k++];
		t->op = AGE_TASK_SEAL;
		t->in = in + off;
		t->inlen = n;
		t->out = out + o;
		t->ctr = p->ctr++;
		t->last = last;
		o += n + AGE_TAG_LEN;
		off += n;
		p->done = last;
	}
	age_crew_run(p->crew, p->tasks, k);
	*lenp = len - off;
	return o;
}

static int
encrypt_payload(struct payload *p, int infd, struct writer *w,
    struct age_opts *opts, uint64_t *ninp)
{
	u_char *in = NULL, *out = NULL;
	size_t len = 0, before, o, incap = PT_BATCH + 1, hint, ntasks;
	int eof = 0, r = AGE_ERR_ALLOC;
	crypto_hash_sha256_state sha;
	int hash = opts != NULL && opts->want_in_sha256;

	if (hash)
		crypto_hash_sha256_init(&sha);
	if ((hint = input_hint(infd, 0)) != 0 && hint < incap)
		incap = hint + 1;
	ntasks = incap / AGE_CHUNK_LEN + 2;
	if (ntasks > MAX_TASKS)
		ntasks = MAX_TASKS;
	if ((in = malloc(incap)) == NULL ||
	    (out = malloc(ntasks * AGE_CHUNK_CT_LEN)) == NULL ||
	    (p->crew = age_crew_new(p->key)) == NULL)
		goto out;
	r = 0;
	while (!p->done) {
		before = len;
		if ((r = fd_fill(infd, in, &len, incap, &eof)) != 0)
			goto out;
		*ninp += len - before;
		if (hash)
			crypto_hash_sha256_update(&sha, in + before,
			    len - before);
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
	if (hash)
		crypto_hash_sha256_final(&sha, opts->in_sha256);
out:
	age_crew_free(p->crew);
	p->crew = NULL;
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
