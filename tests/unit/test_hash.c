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
 * test_hash.c: pfish's SHA-256, each block function it has: the FIPS
 * 180-2 examples, and every length up to a few blocks, whole and in
 * pieces, against libsodium's SHA-256.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "hash.h"

static const struct {
	const char	*in;
	size_t		 repeat;
	const char	*out;
} vectors[] = {
	{ "", 1,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

/* Switch to impl, or skip the test if this CPU lacks it. */
static void
use(int impl)
{
	if (hash_sha256_use(impl) == -1) {
		hash_sha256_use(HASH_SHA256_AUTO);
		skip();
	}
}

static void
vectors_with(int impl)
{
	struct hash_sha256 h;
	u_char md[HASH_SHA256_LEN];
	char got[2 * HASH_SHA256_LEN + 1];
	size_t i, r;

	use(impl);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hash_sha256_init(&h);
		for (r = 0; r < vectors[i].repeat; r++)
			hash_sha256_update(&h, vectors[i].in,
			    strlen(vectors[i].in));
		hash_sha256_final(&h, md);
		sodium_bin2hex(got, sizeof(got), md, sizeof(md));
		assert_string_equal(got, vectors[i].out);
		if (vectors[i].repeat == 1) {
			hash_sha256(md, vectors[i].in, strlen(vectors[i].in));
			sodium_bin2hex(got, sizeof(got), md, sizeof(md));
			assert_string_equal(got, vectors[i].out);
		}
	}
	hash_sha256_use(HASH_SHA256_AUTO);
}

/*
 * Every length from 0 to 4 blocks and some longer, at an odd offset,
 * hashed whole and fed in pieces of pseudo-random sizes (0 included):
 * the buffering of partial blocks and the padding at every position.
 */
static void
against_libsodium(int impl)
{
	static u_char data[70000];
	struct hash_sha256 h;
	u_char want[HASH_SHA256_LEN], got[HASH_SHA256_LEN];
	size_t len, off, piece;
	uint32_t seed = 1;

	use(impl);
	randombytes_buf(data, sizeof(data));
	for (len = 0; len <= sizeof(data) - 1; len = len < 300 ? len + 1 :
	    len * 3 + 7) {
		crypto_hash_sha256(want, data + 1, len);
		hash_sha256(got, data + 1, len);
		assert_memory_equal(got, want, sizeof(want));

		hash_sha256_init(&h);
		for (off = 0; off < len; off += piece) {
			seed = seed * 1103515245 + 12345;
			piece = (seed >> 16) % 150;
			if (piece > len - off)
				piece = len - off;
			hash_sha256_update(&h, data + 1 + off, piece);
		}
		hash_sha256_final(&h, got);
		assert_memory_equal(got, want, sizeof(want));
	}
	hash_sha256_use(HASH_SHA256_AUTO);
}

static void
test_vectors_portable(void **state)
{
	(void)state;
	vectors_with(HASH_SHA256_PORTABLE);
}

static void
test_vectors_shani(void **state)
{
	(void)state;
	vectors_with(HASH_SHA256_SHANI);
}

static void
test_libsodium_portable(void **state)
{
	(void)state;
	against_libsodium(HASH_SHA256_PORTABLE);
}

static void
test_libsodium_shani(void **state)
{
	(void)state;
	against_libsodium(HASH_SHA256_SHANI);
}

/*
 * An empty update (NULL allowed) changes nothing; the context is wiped
 * at the end; unknown choices are refused; the automatic choice is the
 * fastest code this CPU runs.
 */
static void
test_wipe_and_use(void **state)
{
	struct hash_sha256 h, zero;
	u_char md[HASH_SHA256_LEN];
	char got[2 * HASH_SHA256_LEN + 1];
	int shani;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	hash_sha256_init(&h);
	hash_sha256_update(&h, "ab", 2);
	hash_sha256_update(&h, NULL, 0);	/* nothing, in a partial block */
	hash_sha256_update(&h, "c", 1);
	hash_sha256_final(&h, md);
	assert_memory_equal(&h, &zero, sizeof(h));
	sodium_bin2hex(got, sizeof(got), md, sizeof(md));
	assert_string_equal(got, vectors[1].out);	/* "abc" */
	assert_int_equal(hash_sha256_use(3), -1);
	assert_int_equal(hash_sha256_use(-1), -1);
	assert_int_equal(hash_sha256_use(HASH_SHA256_PORTABLE), 0);
	assert_string_equal(hash_sha256_impl(), "portable C");
	/* the automatic choice is the SHA extensions exactly where they run */
	shani = hash_sha256_use(HASH_SHA256_SHANI) == 0;
	assert_int_equal(hash_sha256_use(HASH_SHA256_AUTO), 0);
	assert_string_equal(hash_sha256_impl(), shani ? "x86 SHA extensions" :
	    "portable C");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_portable),
		cmocka_unit_test(test_vectors_shani),
		cmocka_unit_test(test_libsodium_portable),
		cmocka_unit_test(test_libsodium_shani),
		cmocka_unit_test(test_wipe_and_use),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
