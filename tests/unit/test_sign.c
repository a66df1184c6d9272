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

/* test_sign.c: signing with the user's key (idsign.c), directly and through ssh-keygen. */

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "buf.h"
#include "client.h"
#include "idsign.h"
#include "sshsig.h"

static char dir[] = "/tmp/pfish-test-sign.XXXXXX";
static const char text[] = "statement delete\nversion 1\n";

static void
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	assert_true(vsnprintf(cmd, sizeof(cmd), fmt, ap) < (int)sizeof(cmd));
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return -1;
	sh("ssh-keygen -q -t ed25519 -N '' -f %s/plain", dir);
	sh("ssh-keygen -q -t ed25519 -N sesame -f %s/locked", dir);
	sh("printf '#!/bin/sh\\necho sesame\\n' >%s/askpass; chmod +x "
	    "%s/askpass", dir, dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

/* The output is text || armor, and the armor verifies under key. */
static void
check_signed(const char *key)
{
	struct buf *out;
	char path[256], fp[SSHKEY_FP_LEN], fp2[SSHKEY_FP_LEN];
	u_char pk[SSHKEY_ED25519_PK];
	size_t tl = sizeof(text) - 1;

	assert_non_null(out = buf_new());
	(void)snprintf(path, sizeof(path), "%s/%s", dir, key);
	assert_int_equal(sshsig_sign_identity(path, PFISH_NS_DELETE, "delete statement",
	    (const u_char *)text, tl, out), 0);
	assert_true(buf_len(out) > tl);
	assert_memory_equal(buf_ptr(out), text, tl);
	assert_int_equal(sshsig_verify((const char *)buf_ptr(out) + tl,
	    buf_len(out) - tl, PFISH_NS_DELETE, text, tl, pk), 0);
	sshkey_fingerprint(pk, fp);
	assert_int_equal(sshsig_verify((const char *)buf_ptr(out) + tl,
	    buf_len(out) - tl, PFISH_NS_RECORD, text, tl, pk),
	    SSHSIG_ERR_NAMESPACE);
	assert_int_equal(sshsig_identity_fp(path, fp2), 0);
	assert_string_equal(fp, fp2);
	buf_free(out);
}

static void
test_sign_plain_key(void **state)
{
	(void)state;
	check_signed("plain");
}

static void
test_sign_locked_key_via_ssh_keygen(void **state)
{
	char askpass[256];

	(void)state;
	(void)snprintf(askpass, sizeof(askpass), "%s/askpass", dir);
	setenv("SSH_ASKPASS", askpass, 1);
	setenv("SSH_ASKPASS_REQUIRE", "force", 1);
	setenv("DISPLAY", ":0", 1);
	check_signed("locked");
}

static void
test_sign_missing_key(void **state)
{
	struct buf *out;
	char path[256];

	(void)state;
	assert_non_null(out = buf_new());
	(void)snprintf(path, sizeof(path), "%s/nonexistent", dir);
	assert_int_not_equal(sshsig_sign_identity(path, PFISH_NS_DELETE,
	    "delete statement", (const u_char *)text, sizeof(text) - 1, out), 0);
	assert_int_equal(buf_len(out), 0);
	buf_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_plain_key),
		cmocka_unit_test(test_sign_locked_key_via_ssh_keygen),
		cmocka_unit_test(test_sign_missing_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
