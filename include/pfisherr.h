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
 * pfisherr.h: every error code of pfish, one namespace.  Codes are
 * negative and unique across modules, 0 is success; pfish_strerror()
 * names any of them.  Module headers include this file rather than define
 * codes of their own (make check-layers checks the values stay unique).
 */

#ifndef PFISHERR_H
#define PFISHERR_H

/* lib/buf.c: the bounds-checked byte buffer. */
#define BUF_OK			0
#define BUF_ERR_ALLOC		-1	/* out of memory */
#define BUF_ERR_NO_SPACE	-2	/* would exceed the size cap */
#define BUF_ERR_SHORT		-3	/* not enough data (truncated) */
#define BUF_ERR_STRING_TOO_LONG	-4	/* length field beyond a cap */
#define BUF_ERR_NUL		-5	/* embedded NUL in a C string */
#define BUF_ERR_READONLY	-6	/* write to a read-only view */
#define BUF_ERR_INVALID		-7	/* bad argument */
#define BUF_ERR_FORMAT		-8	/* malformed text (buf_putf) */

/* proto/sshkey.c: OpenSSH Ed25519 keys. */
#define SSHKEY_ERR_FORMAT	-20	/* malformed */
#define SSHKEY_ERR_TYPE		-21	/* not ssh-ed25519 */
#define SSHKEY_ERR_ENCRYPTED	-22	/* passphrase-protected private key */
#define SSHKEY_ERR_IO		-23	/* errno says why */
#define SSHKEY_ERR_ALLOC	-24
#define SSHKEY_ERR_CHECK	-25	/* private key check ints/pk mismatch */

/* proto/sftp.c: the SFTP codec. */
#define SFTP_ERR_TOO_LONG	-30	/* length field beyond the cap */
#define SFTP_ERR_EMPTY		-31	/* packet without a type byte */
#define SFTP_ERR_ATTRS		-32	/* malformed ATTRS */
#define SFTP_ERR_FORMAT		-33	/* malformed reply */
#define SFTP_ERR_TYPE		-34	/* reply type not expected here */

/* proto/sshsig.c: SSH signatures (SSHSIG). */
#define SSHSIG_ERR_FORMAT	-40	/* malformed armor or blob */
#define SSHSIG_ERR_NAMESPACE	-41	/* namespace differs */
#define SSHSIG_ERR_BAD_SIG	-42	/* signature does not verify */
#define SSHSIG_ERR_UNSUPPORTED	-43	/* key type / hash / version */
#define SSHSIG_ERR_ALLOC	-44

/* proto/trust.c: the trusted-signers file. */
#define TRUST_ERR_FORMAT	-60	/* bad line; errbuf says which */
#define TRUST_ERR_IO		-61
#define TRUST_ERR_ALLOC		-62
#define TRUST_ERR_NOT_TRUSTED	-63	/* no entry allows key/ns/time */

/* proto/stmt.c: signed statements. */
#define STMT_ERR_FORMAT		-80	/* not canonical */
#define STMT_ERR_ALLOC		-81
#define STMT_ERR_SIG		-82	/* signature missing or bad */
#define STMT_ERR_UNTRUSTED	-83	/* signer not trusted for this */

/* proto/age.c: the age file format. */
#define AGE_ERR_HEADER		-100	/* malformed header */
#define AGE_ERR_VERSION		-101	/* not age-encryption.org/v1 */
#define AGE_ERR_SHORT		-102	/* header incomplete: need more */
#define AGE_ERR_NO_MATCH	-103	/* no identity opens a stanza */
#define AGE_ERR_HMAC		-104	/* header MAC does not verify */
#define AGE_ERR_NONCE		-105	/* payload nonce missing/short */
#define AGE_ERR_PAYLOAD		-106	/* STREAM chunk fails or misplaced */
#define AGE_ERR_TRUNCATED	-107	/* stream ends before a last chunk */
#define AGE_ERR_TRAILING	-108	/* data after the last chunk */
#define AGE_ERR_ARMOR		-109	/* malformed ASCII armor */
#define AGE_ERR_STANZA		-110	/* known stanza type, bad contents */
#define AGE_ERR_KEY		-111	/* bad recipient/identity text */
#define AGE_ERR_IO		-112	/* errno says why */
#define AGE_ERR_ALLOC		-113
#define AGE_ERR_CRYPTO		-114	/* libsodium refused (low order) */
#define AGE_ERR_INVALID		-115	/* bad argument */
#define AGE_ERR_TOOBIG		-116	/* input longer than allowed */
#define AGE_ERR_LIBSSH		-117	/* libssh (protected keys) not loaded */

/* state/verdict.c: the verifier. */
#define VERIFY_ERR_ALLOC	-120
#define VERIFY_ERR_RANGE	-121	/* signed range absurdly large */
#define VERIFY_ERR_ORDER	-122	/* input not sorted */

/* proto/pstate.c: the client's state file. */
#define PSTATE_ERR_FORMAT	-140
#define PSTATE_ERR_ALLOC	-141

/* client/psftp.c: the client's SFTP session; -1 there: session broken. */
#define PSFTP_ERR_STATUS	-150	/* server refused (status reply) */
#define PSFTP_ERR_ABORT		-151	/* the sink refused the data */

/* proto/account.c: the signed account-key state and its chain. */
#define ACCOUNT_ERR_FORMAT	-160	/* text is not canonical */
#define ACCOUNT_ERR_ALLOC	-161
#define ACCOUNT_ERR_SIG		-162	/* signature missing, bad, or not key */
#define ACCOUNT_ERR_GENESIS	-163	/* first state not serial 1 / self-signed */
#define ACCOUNT_ERR_NAME	-164	/* another account */
#define ACCOUNT_ERR_SERIAL	-165	/* serial is not previous + 1 */
#define ACCOUNT_ERR_PREV	-166	/* prev is not the previous state's hash */
#define ACCOUNT_ERR_TIME	-167	/* earlier than the previous state */
#define ACCOUNT_ERR_SIGNER	-168	/* signer is no master of the previous */
#define ACCOUNT_ERR_RECOVERY	-169	/* recovery key, masters unchanged */

/* state/acchain.c: an account's stored or served chain. */
#define ACCHAIN_ERR_IO		-170	/* errno says why */
#define ACCHAIN_ERR_GAP		-171	/* a serial between 1 and the last missing */
#define ACCHAIN_ERR_TOOMANY	-172	/* more states than allowed */
#define ACCHAIN_ERR_ALLOC	-173

/* A message for any code above, "unknown error" for anything else. */
const char	*pfish_strerror(int code);

#endif /* PFISHERR_H */
