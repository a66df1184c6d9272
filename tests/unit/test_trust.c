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

/* test_trust.c: unit tests for allowed_signers and authorized_keys files. */

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "pfish.h"
#include "sshkey.h"
#include "trust.h"

#define KEY_A	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMekk1jseE3NcYONiEpOxxH3" \
		"qNCxKjCKSErcT7G18df6"
#define KEY_B	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOzQ5vvryC+FGv+fwcdpI2vT" \
		"z+EnyJFnrfufdX8h+qcZ"
#define KEY_RSA	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7"
#define T_2030	1893456000ULL		/* 2030-01-01T00:00:00Z */

static u_char pk_a[SSHKEY_ED25519_PK], pk_b[SSHKEY_ED25519_PK];

static int
setup(void **state)
{
	(void)state;
	if (sshkey_pub_parse_line(KEY_A, pk_a, NULL) != 0 ||
	    sshkey_pub_parse_line(KEY_B, pk_b, NULL) != 0)
		return -1;
	return 0;
}

static struct trust *
parse_ok(const char *text)
{
	struct trust *t = NULL;
	char ebuf[256];

	if (trust_parse(text, strlen(text), &t, ebuf, sizeof(ebuf)) != 0)
		fail_msg("unexpected error: %s", ebuf);
	assert_non_null(t);
	return t;
}

/* Parsing fails and the message is exactly want. */
static void
parse_err(const char *text, const char *want)
{
	struct trust *t = (struct trust *)1;
	char ebuf[256];

	assert_int_equal(trust_parse(text, strlen(text), &t, ebuf,
	    sizeof(ebuf)), TRUST_ERR_FORMAT);
	assert_null(t);
	assert_string_equal(ebuf, want);
}

static int
check(const struct trust *t, const u_char *pk, const char *ns, uint64_t now)
{
	return trust_check(t, pk, ns, now, NULL);
}

static void
test_basic(void **state)
{
	struct trust *t;
	const char *who;

	(void)state;
	t = parse_ok("# pfish trust file\n"
	    "\n"
	    "   \t\n"
	    "signer@example.org namespaces=\"pfish-record-v1,pfish-head-v1\" "
	    KEY_A " delivery key\n"
	    "alice,alice@laptop namespaces=\"pfish-delete-v1\" " KEY_B "\n");
	assert_int_equal(trust_count(t), 2);
	assert_int_equal(trust_check(t, pk_a, PFISH_NS_RECORD, 0, &who), 0);
	assert_string_equal(who, "signer@example.org");
	assert_int_equal(check(t, pk_a, PFISH_NS_HEAD, 0), 0);
	assert_int_equal(trust_check(t, pk_a, PFISH_NS_DELETE, 0, &who),
	    TRUST_ERR_NOT_TRUSTED);
	assert_null(who);
	assert_int_equal(trust_check(t, pk_b, PFISH_NS_DELETE, 0, &who), 0);
	assert_string_equal(who, "alice,alice@laptop");
	assert_int_equal(check(t, pk_b, PFISH_NS_RECORD, 0),
	    TRUST_ERR_NOT_TRUSTED);
	/* Namespace match is whole-string, not a prefix. */
	assert_int_equal(check(t, pk_a, "pfish-record-v", 0),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_a, "pfish-record-v11", 0),
	    TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
	assert_int_equal(check(NULL, pk_a, PFISH_NS_RECORD, 0),
	    TRUST_ERR_NOT_TRUSTED);
}

static void
test_no_namespaces_means_any(void **state)
{
	struct trust *t;

	(void)state;
	t = parse_ok("anyone " KEY_A);	/* no final newline */
	assert_int_equal(trust_count(t), 1);
	assert_int_equal(check(t, pk_a, PFISH_NS_DELETE, 0), 0);
	assert_int_equal(check(t, pk_a, "file", 0), 0);
	assert_int_equal(check(t, pk_b, "file", 0), TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
}

static void
test_patterns_and_quoting(void **state)
{
	struct trust *t;
	const char *who;

	(void)state;
	t = parse_ok("\"Alice Example,alice\" NameSpaces=\"pfish-*,"
	    "!pfish-head-v1\" " KEY_A "\r\n"
	    "b cert-authority " KEY_B "\n");
	assert_int_equal(trust_count(t), 1);	/* the CA line is skipped */
	assert_int_equal(trust_check(t, pk_a, PFISH_NS_DELETE, 0, &who), 0);
	assert_string_equal(who, "Alice Example,alice");
	assert_int_equal(check(t, pk_a, PFISH_NS_RECORD, 0), 0);
	assert_int_equal(check(t, pk_a, PFISH_NS_HEAD, 0),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_a, "file", 0), TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_b, PFISH_NS_RECORD, 0),
	    TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
	t = parse_ok("x namespaces=\"a?c,*-v1\" " KEY_A "\n");
	assert_int_equal(check(t, pk_a, "abc", 0), 0);
	assert_int_equal(check(t, pk_a, "abbc", 0), TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_a, PFISH_NS_HEAD, 0), 0);
	trust_free(t);
}

static void
test_validity(void **state)
{
	struct trust *t;

	(void)state;
	t = parse_ok("a valid-after=\"20300101Z\",valid-before=\"203001011200Z\""
	    " " KEY_A "\n"
	    "b valid-before=\"20300101000030Z\" " KEY_B "\n");
	assert_int_equal(check(t, pk_a, "x", T_2030 - 1),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_a, "x", T_2030), 0);
	assert_int_equal(check(t, pk_a, "x", T_2030 + 12 * 3600), 0);
	assert_int_equal(check(t, pk_a, "x", T_2030 + 12 * 3600 + 1),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_b, "x", 0), 0);
	assert_int_equal(check(t, pk_b, "x", T_2030 + 30), 0);
	assert_int_equal(check(t, pk_b, "x", T_2030 + 31),
	    TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
}

static void
test_local_time(void **state)
{
	struct trust *t;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	(void)state;
	/* Two hours east of UTC: local midnight is 22:00 UTC the day before. */
	setenv("TZ", "XST-2", 1);
	tzset();
	t = parse_ok("a valid-after=\"20300101\" " KEY_A "\n");
	assert_int_equal(check(t, pk_a, "x", T_2030 - 7200 - 1),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_a, "x", T_2030 - 7200), 0);
	trust_free(t);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

static void
test_other_key_types_skipped(void **state)
{
	struct trust *t;

	(void)state;
	t = parse_ok("r " KEY_RSA "\n"
	    "e namespaces=\"x\" ecdsa-sha2-nistp256 AAAAE2VjZHNh\n"
	    "s sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5\n"
	    "c ssh-ed25519-cert-v01@openssh.com AAAA\n"
	    "a " KEY_A "\n");
	assert_int_equal(trust_count(t), 1);
	trust_free(t);
}

static void
test_errors_name_the_line(void **state)
{
	char nul[] = "a " KEY_A "\n\0", ebuf[256];
	struct trust *t;

	(void)state;
	parse_err("# ok\na\n", "line 2: missing key");
	parse_err("a " KEY_A "\nb namespaces=pfish " KEY_A "\n",
	    "line 2: option value needs double quotes");
	parse_err("b namespaces=\"pfish " KEY_A "\n",
	    "line 1: option value needs double quotes");
	parse_err("b namespaces=\"x\",namespaces=\"y\" " KEY_A "\n",
	    "line 1: option given twice");
	parse_err("b namespaces=\"x\",bogus=\"y\" " KEY_A "\n",
	    "line 1: unsupported option");
	parse_err("b namespaces=\"x\", " KEY_A "\n",
	    "line 1: bad option list");
	parse_err("b valid-after=\"2030\" " KEY_A "\n",
	    "line 1: invalid time (want YYYYMMDD[HHMM[SS]][Z])");
	parse_err("b valid-after=\"20301301\" " KEY_A "\n",
	    "line 1: invalid time (want YYYYMMDD[HHMM[SS]][Z])");
	parse_err("b valid-after=\"2030010a\" " KEY_A "\n",
	    "line 1: invalid time (want YYYYMMDD[HHMM[SS]][Z])");
	parse_err("b valid-after=\"20300102Z\",valid-before=\"20300101Z\" "
	    KEY_A "\n", "line 1: valid-before is not after valid-after");
	parse_err("\n\n\nb ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM\n",
	    "line 4: invalid ssh-ed25519 key");
	parse_err("b bogus-type AAAA\n", "line 1: unknown key type or option");
	parse_err("\"b " KEY_A "\n", "line 1: missing closing quote");
	t = (struct trust *)1;
	assert_int_equal(trust_parse(nul, sizeof(nul), &t, ebuf, sizeof(ebuf)),
	    TRUST_ERR_FORMAT);
	assert_null(t);
	assert_string_equal(ebuf, "NUL byte in trust file");
	parse_err("b\tnamespaces=\"x\"\n", "line 1: missing key");
}

static void
test_nul_and_long_lines(void **state)
{
	struct trust *t;
	char ebuf[64], *big;

	(void)state;
	assert_non_null(big = malloc(20000));
	memset(big, 'a', 20000);
	assert_int_equal(trust_parse(big, 20000, &t, ebuf, sizeof(ebuf)),
	    TRUST_ERR_FORMAT);
	assert_string_equal(ebuf, "line 1: too long");
	free(big);
	/* A tiny error buffer truncates, never overflows. */
	assert_int_equal(trust_parse("a\n", 2, &t, ebuf, 5), TRUST_ERR_FORMAT);
	assert_string_equal(ebuf, "line");
	assert_int_equal(trust_parse("a\n", 2, &t, NULL, 0), TRUST_ERR_FORMAT);
}

/* Write text to a fresh temp file; returns its path (static). */
static const char *
temp_file(const char *text)
{
	static char path[] = "/tmp/pfish-trust.XXXXXX";
	FILE *f;
	int fd;

	memcpy(path + sizeof(path) - 7, "XXXXXX", 6);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
	return path;
}

static void
test_load(void **state)
{
	struct trust *t;
	char ebuf[256], want[300], link[64];
	const char *path;

	(void)state;
	path = temp_file("x " KEY_A "\ny\n");
	assert_int_equal(trust_load(path, &t, ebuf, sizeof(ebuf)),
	    TRUST_ERR_FORMAT);
	snprintf(want, sizeof(want), "%s: line 2: missing key", path);
	assert_string_equal(ebuf, want);
	unlink(path);
	path = temp_file("x " KEY_A "\n");
	assert_int_equal(trust_load(path, &t, ebuf, sizeof(ebuf)), 0);
	assert_int_equal(trust_count(t), 1);
	trust_free(t);
	snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(trust_load(link, &t, ebuf, sizeof(ebuf)),
	    TRUST_ERR_IO);
	assert_null(t);
	unlink(link);
	unlink(path);
	assert_int_equal(trust_load(path, &t, ebuf, sizeof(ebuf)),
	    TRUST_ERR_IO);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	assert_string_equal(ebuf, want);
}

static void
test_authorized_keys(void **state)
{
	struct trust *t;
	char ebuf[256];
	const char *path, *who;

	(void)state;
	path = temp_file("# keys\n"
	    KEY_RSA " rsa@host\n"
	    "restrict,no-pty,environment=\"A=a, b \\\"quoted\\\" c\" " KEY_A
	    " a@x\n"
	    "cert-authority,principals=\"u\" " KEY_B "\n"
	    "from=\"10.0.0.1\" ssh-ed25519 AAAA broken\n"
	    "garbage line\n"
	    "command=\"unterminated " KEY_B "\n");
	assert_int_equal(trust_load_authorized_keys(path, PFISH_NS_DELETE,
	    "10.0.0.1", &t, ebuf, sizeof(ebuf)), 0);
	assert_int_equal(trust_count(t), 1);
	assert_int_equal(trust_check(t, pk_a, PFISH_NS_DELETE, 0, &who), 0);
	assert_string_equal(who, "authorized_keys line 3");
	assert_int_equal(check(t, pk_a, PFISH_NS_RECORD, 0),
	    TRUST_ERR_NOT_TRUSTED);
	assert_int_equal(check(t, pk_b, PFISH_NS_DELETE, 0),
	    TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
	unlink(path);
	path = temp_file(KEY_B "\nno-pty\t" KEY_A "\n");
	assert_int_equal(trust_load_authorized_keys(path, PFISH_NS_DELETE,
	    NULL, &t, ebuf, sizeof(ebuf)), 0);
	assert_int_equal(trust_count(t), 2);
	assert_int_equal(check(t, pk_a, PFISH_NS_DELETE, 0), 0);
	assert_int_equal(check(t, pk_b, PFISH_NS_DELETE, 0), 0);
	trust_free(t);
	unlink(path);
}

/* Keys of one line "OPTIONS KEY_A" that a session from addr may use. */
static size_t
ak_count(const char *opts, const char *addr)
{
	struct trust *t;
	char line[1024], ebuf[256];
	size_t n;

	(void)snprintf(line, sizeof(line), "%s " KEY_A "\n", opts);
	assert_int_equal(trust_parse_authorized_keys(line, strlen(line),
	    PFISH_NS_DELETE, addr, &t, ebuf, sizeof(ebuf)), 0);
	n = trust_count(t);
	trust_free(t);
	return n;
}

static void
test_authorized_keys_from(void **state)
{
	(void)state;
	assert_int_equal(ak_count("from=\"10.0.0.1\"", "10.0.0.1"), 1);
	assert_int_equal(ak_count("from=\"10.0.0.1\"", "10.0.0.2"), 0);
	assert_int_equal(ak_count("from=\"10.0.0.*\"", "10.0.0.2"), 1);
	assert_int_equal(ak_count("from=\"10.0.0.?\"", "10.0.0.22"), 0);
	assert_int_equal(ak_count("from=\"192.168.1.1,10.0.*\"", "10.0.3.4"),
	    1);
	assert_int_equal(ak_count("from=\"!10.0.0.5,10.0.0.*\"", "10.0.0.5"),
	    0);
	assert_int_equal(ak_count("from=\"!10.0.0.5,10.0.0.*\"", "10.0.0.6"),
	    1);
	assert_int_equal(ak_count("from=\"10.1.0.0/16\"", "10.1.200.3"), 1);
	assert_int_equal(ak_count("from=\"10.1.0.0/16\"", "10.2.0.3"), 0);
	assert_int_equal(ak_count("from=\"10.1.0.0/33\"", "10.1.0.3"), 0);
	assert_int_equal(ak_count("from=\"2001:db8::/32\"", "2001:db8::7"), 1);
	assert_int_equal(ak_count("from=\"2001:db8::/32\"", "10.1.0.3"), 0);
	assert_int_equal(ak_count("restrict,from=\"*\"", ""), 1);
	/* No session (pfish-store verify): from= is not applied. */
	assert_int_equal(ak_count("from=\"10.0.0.1\"", NULL), 1);
}

static void
test_authorized_keys_options(void **state)
{
	struct trust *t;
	char line[512], ebuf[256];
	uint64_t at;

	(void)state;
	assert_int_equal(ak_count("command=\"/bin/true\"", "10.0.0.1"), 0);
	assert_int_equal(ak_count("cert-authority", "10.0.0.1"), 0);
	assert_int_equal(ak_count("principals=\"a\"", "10.0.0.1"), 0);
	assert_int_equal(ak_count("no-such-option", "10.0.0.1"), 0);
	assert_int_equal(ak_count("restrict,no-pty,no-port-forwarding,"
	    "no-agent-forwarding,no-X11-forwarding,no-user-rc,"
	    "permitopen=\"h:1\",tunnel=\"1\"", "10.0.0.1"), 1);
	assert_int_equal(ak_count("expiry-time=\"2026\"", "10.0.0.1"), 0);
	/* expiry-time: usable until then, inclusive, and not after. */
	(void)snprintf(line, sizeof(line),
	    "expiry-time=\"20300101Z\" " KEY_A "\n");
	assert_int_equal(trust_parse_authorized_keys(line, strlen(line),
	    PFISH_NS_DELETE, "10.0.0.1", &t, ebuf, sizeof(ebuf)), 0);
	at = 1893456000;	/* 2030-01-01 00:00:00 UTC */
	assert_int_equal(check(t, pk_a, PFISH_NS_DELETE, at), 0);
	assert_int_equal(check(t, pk_a, PFISH_NS_DELETE, at + 1),
	    TRUST_ERR_NOT_TRUSTED);
	trust_free(t);
	/* Without a session the key's end is not applied. */
	assert_int_equal(trust_parse_authorized_keys(line, strlen(line),
	    PFISH_NS_DELETE, NULL, &t, ebuf, sizeof(ebuf)), 0);
	assert_int_equal(check(t, pk_a, PFISH_NS_DELETE, at + 1), 0);
	trust_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_no_namespaces_means_any),
		cmocka_unit_test(test_patterns_and_quoting),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_local_time),
		cmocka_unit_test(test_other_key_types_skipped),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_nul_and_long_lines),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_authorized_keys),
		cmocka_unit_test(test_authorized_keys_from),
		cmocka_unit_test(test_authorized_keys_options),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
