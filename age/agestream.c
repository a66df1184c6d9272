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
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hash.h"
#include "age.h"
#include "agecrypt.h"
#include "buf.h"

#define PT_BATCH	(AGE_IO_CHUNKS * AGE_CHUNK_LEN)
#define CT_BATCH	(AGE_IO_CHUNKS * AGE_CHUNK_CT_LEN)
#define RAW_LEN		(64 * 1024)	/* armored input staging */
#define SOLO_CHUNKS	1		/* a slot's chunks without the crew */
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
	struct hash_sha256	 sha;
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
		hash_sha256_init(&w->sha);
}

/* Write all of p, retrying short writes. */
static int
writer_write(struct writer *w, const void *p, size_t len)
{
	const u_char *d = p;
	ssize_t n;

	if (w->hash)
		hash_sha256_update(&w->sha, d, len);
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
		hash_sha256_final(&w->sha, opts->sha256);
}

/* Decryption -------------------------------------------------------- */

#define MAX_TASKS	(AGE_IO_CHUNKS + 1)

struct payload {
	u_char		*key;		/* sodium_malloc, 32 bytes */
	struct age_crew	*crew;
	struct age_task	 tasks[MAX_TASKS];
	size_t		 ntasks;
	uint64_t	 ctr;
	int		 done;		/* the last chunk is planned/opened */
};

/*
 * Two slots of input and output: while the crew works on slot b, the
 * caller writes out slot 1-b's result and reads the next batch into it,
 * so I/O overlaps the crypto.
 */
struct lanes {
	u_char		*in[2];
	u_char		*out[2];
	size_t		 inmap[2];	/* mapped length, or 0: malloc */
	size_t		 outmap[2];
	size_t		 len[2];	/* bytes in in[] */
	size_t		 olen[2];	/* bytes in out[] to write */
	size_t		 incap;
	size_t		 outcap;
	size_t		 fill;		/* bytes a slot is filled to */
	size_t		 inused[2];	/* high-water marks, for wiping */
	size_t		 outused[2];
	int		 advise_later;	/* mapped, not yet advised */
};

#define LANE_HUGE	((size_t)2 * 1024 * 1024)

/*
 * A slot's buffer.  One of a whole batch or more is mapped on its own,
 * aligned for transparent huge pages and advised to use them: reading a
 * batch into 4 KiB pages spent most of encryption's system time on TLB
 * misses in a virtual machine (256 MiB read into a 2 MiB buffer: 151 ms
 * of system time; 30 ms into huge pages, as into a 128 KiB buffer).
 * Smaller ones, for small messages, come from malloc: a huge page would
 * only cost its zeroing.  With advise 0 the advice waits for
 * lanes_advise: an input of unknown size may yet prove small.
 */
static u_char *
lane_alloc(size_t n, size_t *mapped, int advise)
{
#if defined(MADV_HUGEPAGE)
	uintptr_t a;
	size_t len, head;
	u_char *p;
	long pg;

	if (n >= LANE_HUGE && (pg = sysconf(_SC_PAGESIZE)) > 0) {
		len = (n + (size_t)pg - 1) & ~((size_t)pg - 1);
		p = mmap(NULL, len + LANE_HUGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		a = ((uintptr_t)p + LANE_HUGE - 1) & ~(uintptr_t)(LANE_HUGE - 1);
		head = a - (uintptr_t)p;
		if (head > 0)
			munmap(p, head);
		if (LANE_HUGE - head > 0)
			munmap((u_char *)a + len, LANE_HUGE - head);
		if (advise)
			(void)madvise((void *)a, len, MADV_HUGEPAGE);
		*mapped = len;
		return (u_char *)a;
	}
#endif
	*mapped = 0;
	return malloc(n);
}

static void
lane_free(u_char *p, size_t mapped)
{
	if (p != NULL && mapped > 0)
		munmap(p, mapped);
	else
		free(p);
}

static int
lanes_alloc(struct lanes *l, size_t incap, size_t outcap, int advise)
{
	int i;

	memset(l, 0, sizeof(*l));
	l->incap = incap;
	l->outcap = outcap;
	l->fill = incap;
	l->advise_later = !advise;
	for (i = 0; i < 2; i++)
		if ((l->in[i] = lane_alloc(incap, &l->inmap[i],
		    advise)) == NULL ||
		    (l->out[i] = lane_alloc(outcap, &l->outmap[i],
		    advise)) == NULL)
			return AGE_ERR_ALLOC;
	return 0;
}

/*
 * The advice lanes_alloc held back, once the input is known to fill a
 * batch.  Pages already touched (the first batch's input) stay small;
 * the rest fault in as huge pages.
 */
static void
lanes_advise(struct lanes *l)
{
#if defined(MADV_HUGEPAGE)
	int i;

	for (i = 0; l->advise_later && i < 2; i++) {
		if (l->inmap[i] > 0)
			(void)madvise(l->in[i], l->inmap[i], MADV_HUGEPAGE);
		if (l->outmap[i] > 0)
			(void)madvise(l->out[i], l->outmap[i], MADV_HUGEPAGE);
	}
#endif
	l->advise_later = 0;
}

static void
lanes_free(struct lanes *l)
{
	int i;

	/* Wipe what held data; untouched pages need no faulting in. */
	for (i = 0; i < 2; i++) {
		if (l->in[i] != NULL)
			sodium_memzero(l->in[i], l->inused[i]);
		if (l->out[i] != NULL)
			sodium_memzero(l->out[i], l->outused[i]);
		lane_free(l->in[i], l->inmap[i]);
		lane_free(l->out[i], l->outmap[i]);
	}
	memset(l, 0, sizeof(*l));
}

static void
lanes_mark(struct lanes *l, int b, size_t in, size_t out)
{
	if (in > l->inused[b])
		l->inused[b] = in;
	if (out > l->outused[b])
		l->outused[b] = out;
}

/*
 * Move what a batch leaves unplanned (from off) to the other slot; the
 * planned bytes stay in place for the crew but no longer count.
 */
static void
lanes_carry(struct lanes *l, int b, size_t off)
{
	memcpy(l->in[1 - b], l->in[b] + off, l->len[b] - off);
	l->len[1 - b] = l->len[b] - off;
	lanes_mark(l, b, l->len[b], off);
	lanes_mark(l, 1 - b, l->len[1 - b], 0);
	l->len[b] = 0;
}

/* Write out a slot's finished output, if any. */
static int
lanes_flush(struct lanes *l, int b, struct writer *w)
{
	size_t n = l->olen[b];

	l->olen[b] = 0;
	return n > 0 ? writer_write(w, l->out[b], n) : 0;
}

/*
 * Plan the complete chunks of slot b: every full-size chunk may be a
 * middle or the last one; at the end of input the rest is the last.
 * Returns where the plan ends, with *errp set if it hit a malformed
 * chunk.
 */
static size_t
plan_open(struct payload *p, struct lanes *l, int b, int eof, int *errp)
{
	struct age_task *t;
	size_t off = 0, clen, len = l->len[b];

	*errp = 0;
	for (p->ntasks = 0; p->ntasks < MAX_TASKS; p->ntasks++) {
		if (len - off >= AGE_CHUNK_CT_LEN)
			clen = AGE_CHUNK_CT_LEN;
		else if (eof && len - off > 0)
			clen = len - off;
		else {
			if (eof && p->ntasks == 0)
				*errp = AGE_ERR_TRUNCATED;
			break;
		}
		/* Too short for a tag, or an empty chunk that is not alone. */
		if (clen < AGE_TAG_LEN ||
		    (clen == AGE_TAG_LEN && p->ctr + p->ntasks > 0)) {
			*errp = AGE_ERR_PAYLOAD;
			break;
		}
		t = &p->tasks[p->ntasks];
		t->op = AGE_TASK_OPEN;
		t->in = l->in[b] + off;
		t->inlen = clen;
		t->out = l->out[b] + p->ntasks * AGE_CHUNK_LEN;
		t->ctr = p->ctr + p->ntasks;
		off += clen;
	}
	if (p->ntasks == 0 && *errp == 0 && !eof)
		*errp = AGE_ERR_IO;	/* the input grew past its buffer */
	return off;
}

/*
 * Use the opened chunks in order: plaintext up to the first failure (or
 * the last chunk) counts as output, so exactly what verified is
 * released.  Anything after the last chunk is an error.
 */
static int
open_results(struct payload *p, struct lanes *l, int b, int planerr)
{
	size_t i;

	l->olen[b] = 0;
	for (i = 0; i < p->ntasks; i++) {
		if (p->tasks[i].result != 0)
			return p->tasks[i].result;
		l->olen[b] += p->tasks[i].inlen - AGE_TAG_LEN;
		p->ctr++;
		if ((p->done = p->tasks[i].last))
			return i + 1 < p->ntasks ? AGE_ERR_TRAILING : 0;
	}
	return planerr;
}

/* Open batches until the last chunk, reading ahead while the crew works. */
static int
open_payload(struct payload *p, struct lanes *l, struct reader *rd,
    struct writer *w, int *eofp)
{
	size_t end;
	int b = 0, r, planerr, wr, fr = 0;

	r = reader_fill(rd, l->in[0], &l->len[0], l->fill, eofp);
	lanes_mark(l, 0, l->len[0], 0);
	if (r != 0)
		return r;
	for (;;) {
		end = plan_open(p, l, b, *eofp, &planerr);
		lanes_carry(l, b, end);
		age_crew_begin(p->crew, p->tasks, p->ntasks);
		wr = lanes_flush(l, 1 - b, w);
		if (wr == 0 && planerr == 0)
			fr = reader_fill(rd, l->in[1 - b], &l->len[1 - b],
			    l->fill, eofp);
		lanes_mark(l, 1 - b, l->len[1 - b], 0);
		age_crew_end(p->crew);
		r = open_results(p, l, b, planerr);
		if (wr != 0)
			return wr;
		if (r != 0 || fr != 0 || p->done) {
			wr = lanes_flush(l, b, w);
			return r != 0 ? r : fr != 0 ? fr : wr;
		}
		b = 1 - b;
	}
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

/*
 * Read and parse the header, step bytes at a time (the payload behind it
 * stays unread); on success it is consumed from buf.
 */
static int
read_header(struct reader *rd, u_char *buf, size_t cap, size_t step,
    size_t *lenp, int *eofp, struct age_header **hdrp)
{
	ssize_t got;
	size_t n;
	int r;

	for (;;) {
		if ((r = age_header_parse(buf, *lenp, hdrp)) != AGE_ERR_SHORT)
			return r;
		if (*eofp || *lenp >= AGE_HEADER_MAX)
			return AGE_ERR_HEADER;
		n = cap - *lenp < step ? cap - *lenp : step;
		if ((got = reader_read(rd, buf + *lenp, n)) < 0)
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
	struct lanes l;
	u_char *filekey = NULL;
	size_t cap = CT_BATCH + 1, hint;
	int eof = 0, solo, r;

	memset(&p, 0, sizeof(p));
	/*
	 * As for sealing, an input smaller than a batch never wakes the
	 * crew; its slots are sized to hold it all (a header may take up
	 * most of it) but filled SOLO_CHUNKS chunks at a time, so only
	 * those pages are touched.
	 */
	hint = input_hint(rd->fd, rd->rawlen + rd->memlen);
	if ((solo = hint != 0 && hint < cap))
		cap = hint + 1 > AGE_CHUNK_CT_LEN + 1 ? hint + 1 :
		    AGE_CHUNK_CT_LEN + 1;
	if ((r = lanes_alloc(&l, cap, cap, 1)) != 0 ||
	    (filekey = sodium_malloc(AGE_FILE_KEY_LEN)) == NULL ||
	    (p.key = sodium_malloc(32)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	if (solo && cap > SOLO_CHUNKS * AGE_CHUNK_CT_LEN + 1)
		l.fill = SOLO_CHUNKS * AGE_CHUNK_CT_LEN + 1;
	r = read_header(rd, l.in[0], cap, l.fill, &l.len[0], &eof, &hdr);
	lanes_mark(&l, 0, l.len[0], 0);
	if (r != 0 || (r = age_header_open(ids, hdr, l.in[0], filekey)) != 0)
		goto out;
	consume(l.in[0], &l.len[0], hdr->len);
	if ((r = reader_fill(rd, l.in[0], &l.len[0], AGE_NONCE_LEN,
	    &eof)) != 0)
		goto out;
	if (l.len[0] < AGE_NONCE_LEN) {
		r = AGE_ERR_NONCE;
		goto out;
	}
	if ((r = age_payload_key(filekey, l.in[0], p.key)) != 0)
		goto out;
	consume(l.in[0], &l.len[0], AGE_NONCE_LEN);
	if ((p.crew = age_crew_new(p.key)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	if ((r = open_payload(&p, &l, rd, w, &eof)) != 0)
		goto out;
	/* Whatever was carried after the last chunk sits in one slot. */
	r = check_end(rd, l.in[0], cap, l.len[0] + l.len[1], eof);
out:
	age_crew_free(p.crew);
	age_header_free(hdr);
	lanes_free(&l);
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

/* Encryption state: the plaintext source and its two slots. */
struct sealer {
	struct payload			*p;
	struct lanes			 l;
	struct writer			*w;
	int				 infd;
	int				 eof;
	uint64_t			 nin;
	uint64_t			 max_in;
	int				 hash;
	struct hash_sha256	 sha;
};

/* Read into slot b of the plaintext; count, hash and cap the input. */
static int
seal_fill(struct sealer *s, int b)
{
	size_t before = s->l.len[b];
	int r;

	r = fd_fill(s->infd, s->l.in[b], &s->l.len[b], s->l.incap, &s->eof);
	lanes_mark(&s->l, b, s->l.len[b], 0);
	if (r != 0)
		return r;
	s->nin += s->l.len[b] - before;
	if (s->hash)
		hash_sha256_update(&s->sha, s->l.in[b] + before,
		    s->l.len[b] - before);
	if (s->max_in != 0 && s->nin > s->max_in)
		return AGE_ERR_TOOBIG;
	return 0;
}

/*
 * Plan the complete chunks of slot b: a chunk is the last one exactly
 * when the input ends within it, so a full chunk needs a byte behind it
 * to be a middle one.  Returns where the plan ends.
 */
static size_t
plan_seal(struct payload *p, struct lanes *l, int b, int eof)
{
	struct age_task *t;
	size_t off = 0, n, len = l->len[b];

	l->olen[b] = 0;
	for (p->ntasks = 0; !p->done && p->ntasks < MAX_TASKS; p->ntasks++) {
		if (len - off > AGE_CHUNK_LEN)
			n = AGE_CHUNK_LEN;
		else if (eof)
			n = len - off;
		else
			break;
		t = &p->tasks[p->ntasks];
		t->op = AGE_TASK_SEAL;
		t->in = l->in[b] + off;
		t->inlen = n;
		t->out = l->out[b] + l->olen[b];
		t->ctr = p->ctr++;
		t->last = p->done = eof && len - off <= AGE_CHUNK_LEN;
		l->olen[b] += n + AGE_TAG_LEN;
		off += n;
	}
	return off;
}

/* Seal batches until the last chunk, reading ahead while the crew works. */
static int
seal_payload(struct sealer *s)
{
	struct payload *p = s->p;
	struct lanes *l = &s->l;
	int b = 0, r, wr;

	if ((r = seal_fill(s, 0)) != 0)
		return r;
	if (!s->eof)
		lanes_advise(l);
	while (!p->done) {
		lanes_carry(l, b, plan_seal(p, l, b, s->eof));
		lanes_mark(l, b, 0, l->olen[b]);
		age_crew_begin(p->crew, p->tasks, p->ntasks);
		wr = lanes_flush(l, 1 - b, s->w);
		r = wr == 0 && !p->done ? seal_fill(s, 1 - b) : 0;
		age_crew_end(p->crew);
		if (wr != 0 || r != 0)
			return wr != 0 ? wr : r;
		b = 1 - b;
	}
	return lanes_flush(l, 1 - b, s->w);
}

static int
encrypt_payload(struct payload *p, int infd, struct writer *w,
    struct age_opts *opts, uint64_t *ninp)
{
	struct sealer s;
	size_t incap = PT_BATCH + 1, hint, ntasks;
	int r;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.infd = infd;
	s.w = w;
	s.max_in = opts != NULL ? opts->max_in : 0;
	if ((s.hash = opts != NULL && opts->want_in_sha256))
		hash_sha256_init(&s.sha);
	/*
	 * A full chunk and a byte always fit, so a batch never stalls.  An
	 * input smaller than one full batch never wakes the crew: it is
	 * sealed in slots of SOLO_CHUNKS chunks, reused, because touching
	 * fresh pages costs more than the extra reads.
	 */
	if ((hint = input_hint(infd, 0)) != 0 && hint < incap) {
		incap = hint + 1 > AGE_CHUNK_LEN + 1 ? hint + 1 :
		    AGE_CHUNK_LEN + 1;
		if (incap > SOLO_CHUNKS * AGE_CHUNK_LEN + 1)
			incap = SOLO_CHUNKS * AGE_CHUNK_LEN + 1;
	}
	ntasks = incap / AGE_CHUNK_LEN + 2;
	if (ntasks > MAX_TASKS)
		ntasks = MAX_TASKS;
	/*
	 * Of unknown size (a pipe: a delivery), the input may be a small
	 * message: huge pages are advised only once it fills a batch, or
	 * each would be zeroed whole for a few kilobytes (pfish-deliver of
	 * 50 KiB: 0.2 ms of its 5.3 ms of CPU, median of 60 runs).
	 */
	if ((r = lanes_alloc(&s.l, incap, ntasks * AGE_CHUNK_CT_LEN,
	    hint != 0)) != 0 ||
	    (p->crew = age_crew_new(p->key)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	if ((r = seal_payload(&s)) == 0 && s.hash)
		hash_sha256_final(&s.sha, opts->in_sha256);
out:
	*ninp = s.nin;
	age_crew_free(p->crew);
	p->crew = NULL;
	lanes_free(&s.l);
	sodium_memzero(&s.sha, sizeof(s.sha));
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
