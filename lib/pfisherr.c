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

/* pfisherr.c: one message for every error code in pfisherr.h. */

#include <stddef.h>

#include "pfisherr.h"

static const struct {
	int		 code;
	const char	*msg;
} errs[] = {
	{ BUF_OK,			"success" },

	{ BUF_ERR_ALLOC,		"out of memory" },
	{ BUF_ERR_NO_SPACE,		"buffer size limit reached" },
	{ BUF_ERR_SHORT,		"truncated data" },
	{ BUF_ERR_STRING_TOO_LONG,	"string too long" },
	{ BUF_ERR_NUL,			"embedded NUL in string" },
	{ BUF_ERR_READONLY,		"buffer is read-only" },
	{ BUF_ERR_INVALID,		"invalid argument" },
	{ BUF_ERR_FORMAT,		"formatting failed" },

	{ SSHKEY_ERR_FORMAT,		"invalid key format" },
	{ SSHKEY_ERR_TYPE,		"key type is not ssh-ed25519" },
	{ SSHKEY_ERR_ENCRYPTED,		"private key is passphrase-protected" },
	{ SSHKEY_ERR_IO,		"cannot read key file" },
	{ SSHKEY_ERR_ALLOC,		"out of memory" },
	{ SSHKEY_ERR_CHECK,
	    "private key is corrupt (check failed)" },

	{ SFTP_ERR_TOO_LONG,		"packet too long" },
	{ SFTP_ERR_EMPTY,		"empty packet" },
	{ SFTP_ERR_ATTRS,		"malformed attributes" },
	{ SFTP_ERR_FORMAT,		"malformed SFTP reply" },
	{ SFTP_ERR_TYPE,		"unexpected SFTP reply type" },

	{ SSHSIG_ERR_FORMAT,		"malformed SSH signature" },
	{ SSHSIG_ERR_NAMESPACE,		"SSH signature namespace mismatch" },
	{ SSHSIG_ERR_BAD_SIG,		"SSH signature does not verify" },
	{ SSHSIG_ERR_UNSUPPORTED,
	    "unsupported SSH signature (key type, hash or version)" },
	{ SSHSIG_ERR_ALLOC,		"out of memory" },

	{ TRUST_ERR_FORMAT,		"malformed trusted-signers line" },
	{ TRUST_ERR_IO,			"cannot read trusted-signers file" },
	{ TRUST_ERR_ALLOC,		"out of memory" },
	{ TRUST_ERR_NOT_TRUSTED,
	    "key not trusted for this namespace at this time" },

	{ STMT_ERR_FORMAT,		"statement is not canonical" },
	{ STMT_ERR_ALLOC,		"out of memory" },
	{ STMT_ERR_SIG,			"signature missing or invalid" },
	{ STMT_ERR_UNTRUSTED,
	    "signer not trusted for this statement" },

	{ AGE_ERR_HEADER,		"malformed age header" },
	{ AGE_ERR_VERSION,		"unsupported age version" },
	{ AGE_ERR_SHORT,		"truncated age header" },
	{ AGE_ERR_NO_MATCH,		"no identity matched any recipient" },
	{ AGE_ERR_HMAC,			"header MAC does not verify" },
	{ AGE_ERR_NONCE,		"payload nonce missing" },
	{ AGE_ERR_PAYLOAD,		"payload chunk does not verify" },
	{ AGE_ERR_TRUNCATED,		"payload truncated (no last chunk)" },
	{ AGE_ERR_TRAILING,		"data after the last payload chunk" },
	{ AGE_ERR_ARMOR,		"malformed ASCII armor" },
	{ AGE_ERR_STANZA,		"malformed recipient stanza" },
	{ AGE_ERR_KEY,			"malformed recipient or identity" },
	{ AGE_ERR_IO,			"I/O error" },
	{ AGE_ERR_ALLOC,		"out of memory" },
	{ AGE_ERR_CRYPTO,		"key agreement failed" },
	{ AGE_ERR_INVALID,		"invalid argument" },
	{ AGE_ERR_TOOBIG,		"input too large" },
	{ AGE_ERR_LIBSSH,
	    "cannot load libssh, which opens passphrase-protected keys" },

	{ VERIFY_ERR_ALLOC,		"out of memory" },
	{ VERIFY_ERR_RANGE,		"signed range too large" },
	{ VERIFY_ERR_ORDER,		"verifier input not sorted" },

	{ PSTATE_ERR_FORMAT,		"malformed client state file" },
	{ PSTATE_ERR_ALLOC,		"out of memory" },

	{ PSFTP_ERR_STATUS,		"server refused the request" },
	{ PSFTP_ERR_ABORT,		"the sink refused the data" },

	{ ACCOUNT_ERR_FORMAT,		"account state is not canonical" },
	{ ACCOUNT_ERR_ALLOC,		"out of memory" },
	{ ACCOUNT_ERR_SIG,		"signature missing or invalid" },
	{ ACCOUNT_ERR_GENESIS,		"a first state must be serial 1, "
	    "prev zeros, signed by one of its own masters" },
	{ ACCOUNT_ERR_NAME,		"state is for another account" },
	{ ACCOUNT_ERR_SERIAL,
	    "serial is not the previous serial plus one" },
	{ ACCOUNT_ERR_PREV,
	    "prev is not the hash of the previous state" },
	{ ACCOUNT_ERR_TIME,
	    "time is earlier than the previous state's" },
	{ ACCOUNT_ERR_SIGNER,
	    "not signed by a master key of the previous state" },
	{ ACCOUNT_ERR_RECOVERY,
	    "a recovery key may only sign a change of the masters" },

	{ ACCHAIN_ERR_IO,		"cannot read the account chain" },
	{ ACCHAIN_ERR_GAP,
	    "a serial of the account chain is missing" },
	{ ACCHAIN_ERR_TOOMANY,		"account chain longer than allowed" },
	{ ACCHAIN_ERR_ALLOC,		"out of memory" },
};

const char *
pfish_strerror(int code)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].code == code)
			return errs[i].msg;
	return "unknown error";
}
