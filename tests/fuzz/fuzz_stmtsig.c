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


/* fuzz_stmtsig.c: libFuzzer target for signed statements (proto/stmtsig.c). */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsig.h"
#include "stmt.h"
#include "trust.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key that signed the seed corpus in tests/fuzz/corpus/stmtsig/. */
static const char trusted[] =
    "fuzz namespaces=\"pfish-record-v1,pfish-head-v1,pfish-delete-v1\" "
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF/BjLHusorUXjHQaoG3j/Yh/5ypXek0"
    "OJN74fanhsR1 fuzz\n";

static struct trust *
fuzz_trust(void)
{
	static struct trust *t;
	char err[256];

	if (t == NULL && trust_parse(trusted, sizeof(trusted) - 1, &t, err,
	    sizeof(err)) != 0)
		abort();
	return t;
}

/* Whatever verifies must also parse as the statement its namespace says. */
static void
parse_verified(enum stmt_type type, const uint8_t *data, size_t tl)
{
	struct stmt_record r;
	struct stmt_head h;
	struct stmt_delete d;

	switch (type) {
	case STMT_RECORD:
		(void)stmt_record_parse(data, tl, &r);
		break;
	case STMT_HEAD:
		(void)stmt_head_parse(data, tl, &h);
		break;
	case STMT_DELETE:
		memset(&d, 0, sizeof(d));
		if (stmt_delete_parse(data, tl, &d) == 0)
			stmt_delete_clear(&d);
		break;
	default:
		break;
	}
}

/*
 * A record kept without its text (stmt_record_keep, stmt_record_sig_check)
 * decides as stmt_verify_signed with the parse and key check after it.
 */
static void
kept_record(const uint8_t *data, size_t size)
{
	struct sshsig_parsed sig;
	struct stmt_record r, r2;
	u_char hash[STMT_HASH_LEN], pk[SSHKEY_ED25519_PK];
	size_t tl;
	int sigok, kept, direct;

	kept = stmt_record_keep(data, size, &r, hash, &sig, &sigok) == 0 &&
	    sigok && stmt_record_sig_check(&r, hash, &sig, fuzz_trust(),
	    1800000000ULL) == 0;
	direct = stmt_verify_signed(data, size, STMT_RECORD, fuzz_trust(),
	    1800000000ULL, &tl, pk) == 0 &&
	    stmt_record_parse(data, tl, &r2) == 0 &&
	    stmt_key_matches(r2.key, pk);
	if (kept != direct)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum stmt_type types[] = {
		STMT_RECORD, STMT_HEAD, STMT_DELETE
	};
	u_char pk[SSHKEY_ED25519_PK];
	char *keyfield;
	size_t i, tl;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (stmt_verify_signed(data, size, types[i], fuzz_trust(),
		    1800000000ULL, &tl, pk) != 0)
			continue;
		if (tl > size)
			abort();	/* the split must stay inside the input */
		parse_verified(types[i], data, tl);
	}
	kept_record(data, size);
	/* The key field comparison takes any C string. */
	if (size < 256 && (keyfield = malloc(size + 1)) != NULL) {
		memcpy(keyfield, data, size);
		keyfield[size] = '\0';
		memset(pk, 0x5a, sizeof(pk));
		(void)stmt_key_matches(keyfield, pk);
		free(keyfield);
	}
	return 0;
}
