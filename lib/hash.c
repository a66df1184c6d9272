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

/*
 * hash.c: SHA-256 (FIPS 180-4), pfish's own (hash.h).
 *
 * Two block functions compute the same compression: portable C, and the
 * x86 SHA extensions (SHA256RNDS2 does two rounds, SHA256MSG1/MSG2 the
 * message schedule), chosen once by CPUID.  The padding, the buffering
 * of partial blocks and the output are shared.  Why not libcrypto, whose
 * SHA-256 is as fast: loading libcrypto costs each program 0.6 ms of CPU
 * and 1.5 MiB of resident memory (a program that hashes "abc", perf stat
 * -r 300: 0.48 ms without it, 1.11 ms linked with it; peak RSS 1 576
 * against 3 136 KiB), and pfish-signer, pfish-store and pfish-server,
 * which start once per delivery or connection, need it for nothing else
 * (lib/aead.c opens it only past a process's first 2 MiB).
 */

#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "hash.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HASH_HAVE_SHANI	1
#include <immintrin.h>
#if defined(__GLIBC__) && __has_include(<sys/platform/x86.h>)
/* What glibc read at start-up: a CPUID costs 5-11 us in a VM. */
#define HASH_GLIBC_CPU	1
#include <sys/platform/x86.h>
#else
#include <cpuid.h>
#endif
#endif

typedef void	blocks_fn(uint32_t *, const u_char *, size_t);

/* The first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The same of the square roots of the first 8 primes. */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x)	(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x)	(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x)	(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

static uint32_t
load_be32(const u_char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
store_be32(u_char *p, uint32_t v)
{
	p[0] = (u_char)(v >> 24);
	p[1] = (u_char)(v >> 16);
	p[2] = (u_char)(v >> 8);
	p[3] = (u_char)v;
}

static void
blocks_portable(uint32_t *st, const u_char *p, size_t n)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (; n > 0; n--, p += HASH_SHA256_BLOCK) {
		for (i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		for (; i < 64; i++)
			w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) +
			    w[i - 16];
		a = st[0]; b = st[1]; c = st[2]; d = st[3];
		e = st[4]; f = st[5]; g = st[6]; h = st[7];
		for (i = 0; i < 64; i++) {
			t1 = h + BSIG1(e) + CH(e, f, g) + K[i] + w[i];
			t2 = BSIG0(a) + MAJ(a, b, c);
			h = g; g = f; f = e; e = d + t1;
			d = c; c = b; b = a; a = t1 + t2;
		}
		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
	}
	sodium_memzero(w, sizeof(w));
}

#ifdef HASH_HAVE_SHANI
/*
 * The SHA extensions keep the state as two vectors, ABEF and CDGH (A in
 * the highest lane); each SHA256RNDS2 takes two words of message plus
 * constant from the low half of its third operand.  STEP does four
 * rounds: the ABEF after the first two is the CDGH after the four.
 * SCHED makes the next four words of the schedule from the last sixteen
 * (a: W[t-16..t-13], b, c, d: W[t-4..t-1]), in a's place.
 */
#define STEP(w, k) do {							\
	wk = _mm_add_epi32((w), _mm_load_si128(				\
	    (const __m128i *)(const void *)&K[4 * (k)]));		\
	mid = _mm_sha256rnds2_epu32(cdgh, abef, wk);			\
	abef = _mm_sha256rnds2_epu32(abef, mid,				\
	    _mm_shuffle_epi32(wk, 0x0e));				\
	cdgh = mid;							\
} while (0)
#define SCHED(a, b, c, d)						\
	((a) = _mm_sha256msg2_epu32(_mm_add_epi32(			\
	    _mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d)))
#define FOUR(k)								\
	SCHED(w0, w1, w2, w3); STEP(w0, (k));				\
	SCHED(w1, w2, w3, w0); STEP(w1, (k) + 1);			\
	SCHED(w2, w3, w0, w1); STEP(w2, (k) + 2);			\
	SCHED(w3, w0, w1, w2); STEP(w3, (k) + 3)

/*
 * Legacy SSE encoding, as the SHA instructions have no other.  Upper
 * vector state left dirty by AVX code elsewhere in the process (libcrypto's
 * ChaCha20-Poly1305 returns without VZEROUPPER) slows every instruction
 * here: 1.55 against 1.81 GB/s after one such call (bench/cryptobench's
 * order), until a VZEROUPPER on entry.
 */
__attribute__((target("sha,sse4.1,ssse3"), noinline))
static void
blocks_shani(uint32_t *st, const u_char *p, size_t n, int avx)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i abef, cdgh, abef0, cdgh0, t, wk, mid, w0, w1, w2, w3;

	if (avx)
		__asm__ volatile("vzeroupper");
	/* state: lanes A B C D and E F G H, as memory holds them */
	t = _mm_loadu_si128((const __m128i *)(const void *)&st[0]);
	cdgh = _mm_loadu_si128((const __m128i *)(const void *)&st[4]);
	t = _mm_shuffle_epi32(t, 0xb1);			/* C D A B */
	cdgh = _mm_shuffle_epi32(cdgh, 0x1b);		/* E F G H */
	abef = _mm_alignr_epi8(t, cdgh, 8);		/* A B E F */
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);		/* C D G H */

	for (; n > 0; n--, p += HASH_SHA256_BLOCK) {
		abef0 = abef;
		cdgh0 = cdgh;
		w0 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)p), bswap);
		w1 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 16)), bswap);
		w2 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 32)), bswap);
		w3 = _mm_shuffle_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 48)), bswap);
		STEP(w0, 0);
		STEP(w1, 1);
		STEP(w2, 2);
		STEP(w3, 3);
		FOUR(4);
		FOUR(8);
		FOUR(12);
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	t = _mm_shuffle_epi32(abef, 0x1b);		/* F E B A */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);		/* D C H G */
	_mm_storeu_si128((__m128i *)(void *)&st[0],
	    _mm_blend_epi16(t, cdgh, 0xf0));		/* D C B A */
	_mm_storeu_si128((__m128i *)(void *)&st[4],
	    _mm_alignr_epi8(cdgh, t, 8));		/* H G F E */
}
#undef FOUR
#undef SCHED
#undef STEP
#endif /* HASH_HAVE_SHANI */

#define CPU_KNOWN	0x1
#define CPU_SHANI	0x2	/* SHA extensions, SSSE3 and SSE4.1 */
#define CPU_AVX		0x4	/* VZEROUPPER runs */

static int
cpu_probe(void)
{
	int f = CPU_KNOWN;
#if defined(HASH_GLIBC_CPU)
	if (CPU_FEATURE_ACTIVE(AVX))
		f |= CPU_AVX;
	if (CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1) &&
	    CPU_FEATURE_ACTIVE(SHA))
		f |= CPU_SHANI;
#elif defined(HASH_HAVE_SHANI)
	unsigned int a, b, c, d, lo, hi;
	int ssse, osavx;

	if (__get_cpuid(1, &a, &b, &c, &d) == 0)
		return f;
	ssse = (c & bit_SSSE3) && (c & bit_SSE4_1);
	osavx = (c & bit_AVX) && (c & bit_OSXSAVE);
	if (osavx) {
		/* the system saves the vector registers' upper halves */
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		if ((lo & 0x6) == 0x6)
			f |= CPU_AVX;
	}
	if (ssse && __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 &&
	    (b & bit_SHA))
		f |= CPU_SHANI;
#endif
	return f;
}

/* What the CPU has (0: not asked yet), and the choice of code (0: auto). */
static atomic_int cpu;
static atomic_int chosen;

static int
cpu_flags(void)
{
	int f = atomic_load_explicit(&cpu, memory_order_relaxed);

	if (f == 0) {
		f = cpu_probe();
		atomic_store_explicit(&cpu, f, memory_order_relaxed);
	}
	return f;
}

static int
impl_now(void)
{
	int c = atomic_load_explicit(&chosen, memory_order_relaxed);

	if (c != HASH_SHA256_AUTO)
		return c;
	return (cpu_flags() & CPU_SHANI) ? HASH_SHA256_SHANI :
	    HASH_SHA256_PORTABLE;
}

static void
blocks(uint32_t *st, const u_char *p, size_t n)
{
#ifdef HASH_HAVE_SHANI
	if (impl_now() == HASH_SHA256_SHANI) {
		blocks_shani(st, p, n, cpu_flags() & CPU_AVX);
		return;
	}
#endif
	blocks_portable(st, p, n);
}

int
hash_sha256_use(int impl)
{
	switch (impl) {
	case HASH_SHA256_SHANI:
		if (!(cpu_flags() & CPU_SHANI))
			return -1;
		/* FALLTHROUGH */
	case HASH_SHA256_AUTO:
	case HASH_SHA256_PORTABLE:
		atomic_store(&chosen, impl);
		return 0;
	}
	return -1;
}

const char *
hash_sha256_impl(void)
{
	return impl_now() == HASH_SHA256_SHANI ? "x86 SHA extensions" :
	    "portable C";
}

void
hash_sha256_init(struct hash_sha256 *h)
{
	memcpy(h->h, H0, sizeof(h->h));
	h->len = 0;
}

void
hash_sha256_update(struct hash_sha256 *h, const void *data, size_t len)
{
	const u_char *p = data;
	size_t have = (size_t)(h->len % HASH_SHA256_BLOCK), take;

	if (len == 0)
		return;		/* data may be NULL */
	h->len += len;
	if (have > 0) {
		take = HASH_SHA256_BLOCK - have;
		if (len < take) {
			memcpy(h->buf + have, p, len);
			return;
		}
		memcpy(h->buf + have, p, take);
		blocks(h->h, h->buf, 1);
		p += take;
		len -= take;
	}
	if (len >= HASH_SHA256_BLOCK) {
		blocks(h->h, p, len / HASH_SHA256_BLOCK);
		p += len - len % HASH_SHA256_BLOCK;
		len %= HASH_SHA256_BLOCK;
	}
	if (len > 0)
		memcpy(h->buf, p, len);
}

void
hash_sha256_final(struct hash_sha256 *h, u_char out[HASH_SHA256_LEN])
{
	size_t have = (size_t)(h->len % HASH_SHA256_BLOCK);
	uint64_t bits = h->len * 8;
	int i;

	/* 0x80, zeros, then the length in bits in the last 8 bytes */
	h->buf[have++] = 0x80;
	if (have > HASH_SHA256_BLOCK - 8) {
		memset(h->buf + have, 0, HASH_SHA256_BLOCK - have);
		blocks(h->h, h->buf, 1);
		have = 0;
	}
	memset(h->buf + have, 0, HASH_SHA256_BLOCK - 8 - have);
	for (i = 0; i < 8; i++)
		h->buf[HASH_SHA256_BLOCK - 1 - i] = (u_char)(bits >> (8 * i));
	blocks(h->h, h->buf, 1);
	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, h->h[i]);
	sodium_memzero(h, sizeof(*h));
}

void
hash_sha256(u_char out[HASH_SHA256_LEN], const void *data, size_t len)
{
	struct hash_sha256 h;

	hash_sha256_init(&h);
	hash_sha256_update(&h, data, len);
	hash_sha256_final(&h, out);
}
