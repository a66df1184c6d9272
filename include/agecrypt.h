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

/* agecrypt.h: age encryption and decryption with bounded memory. */

#ifndef AGECRYPT_H
#define AGECRYPT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "age.h"

#define AGE_X25519_HRP		"age"
#define AGE_SECRET_HRP		"AGE-SECRET-KEY-"
#define AGE_X25519_LABEL	"age-encryption.org/v1/X25519"
#define AGE_SSH_ED25519_LABEL	"age-encryption.org/v1/ssh-ed25519"
#define AGE_RECIPIENT_STR_MAX	128	/* "age1..." or an ssh line */
#define AGE_IDENTITY_STR_MAX	80	/* "AGE-SECRET-KEY-1..." + NUL */
#define AGE_IO_CHUNKS		32	/* chunks per read/write batch */
#define AGE_CREW_MIN		AGE_IO_CHUNKS	/* fewer chunks: no threads */
#define AGE_CREW_MAX		4	/* threads sharing the chunk crypto;
					   one per CPU, or $PFISH_AGE_THREADS */

/* Armor handling on decryption. */
#define AGE_ARMOR_AUTO		0	/* decide from the first bytes */
#define AGE_ARMOR_NO		1
#define AGE_ARMOR_YES		2

struct sshkey_priv;
struct age_recipients;		/* a list of X25519 / ssh-ed25519 keys */
struct age_identities;		/* secrets in sodium_malloc memory */

/* Options in, statistics out; all fields optional (zero = default). */
struct age_opts {
	int		armor;		/* AGE_ARMOR_*, decryption only */
	int		want_sha256;	/* hash the bytes written */
	uint64_t	max_in;		/* refuse longer input, 0 = none */
	uint64_t	in_bytes;	/* out: bytes read */
	uint64_t	out_bytes;	/* out: bytes written */
	u_char		sha256[32];	/* out: SHA-256 of the bytes written */
	int		want_in_sha256;	/* encryption: hash the plaintext */
	u_char		in_sha256[32];	/* out: SHA-256 of the bytes read */
};

/* HKDF-SHA-256 (RFC 5869) from libsodium's HMAC-SHA-256. */
int	age_hkdf(const u_char *salt, size_t saltlen, const u_char *ikm,
	    size_t ikmlen, const void *info, size_t infolen, u_char *out,
	    size_t outlen);

/* Recipients. */
struct age_recipients *age_recipients_new(void);
void	age_recipients_free(struct age_recipients *rc);
size_t	age_recipients_count(const struct age_recipients *rc);
/* "age1..." or "ssh-ed25519 AAAA... [comment]". */
int	age_recipients_add(struct age_recipients *rc, const char *s);
int	age_recipients_add_ssh(struct age_recipients *rc, const u_char pk[32]);
int	age_recipients_add_x25519(struct age_recipients *rc,
	    const u_char pk[32]);
/* One recipient a line; blank lines and '#' comments are skipped. */
int	age_recipients_add_text(struct age_recipients *rc, const char *text,
	    size_t len);
int	age_recipients_load(struct age_recipients *rc, const char *path);

/* Identities. */
struct age_identities *age_identities_new(void);
void	age_identities_free(struct age_identities *ids);
size_t	age_identities_count(const struct age_identities *ids);
/* "AGE-SECRET-KEY-1...". */
int	age_identities_add_x25519(struct age_identities *ids, const char *s);
int	age_identities_add_ssh(struct age_identities *ids,
	    const struct sshkey_priv *k);
/*
 * An identity file: AGE-SECRET-KEY-1 lines, or an OpenSSH ed25519
 * private key.  A passphrase-protected key asks passcb (may be NULL:
 * then such a key fails with AGE_ERR_KEY).
 */
typedef int (*age_pass_cb)(const char *prompt, char *buf, size_t len,
    void *arg);
int	age_identities_load(struct age_identities *ids, const char *path,
	    age_pass_cb passcb, void *arg);
/* Encode a fresh X25519 key pair as strings (keygen, tests). */
int	age_x25519_generate(char sk[AGE_IDENTITY_STR_MAX],
	    char pk[AGE_RECIPIENT_STR_MAX]);

/* Streams: read infd to EOF, write outfd; memory stays ~2 MiB. */
int	age_encrypt_fd(const struct age_recipients *rc, int infd, int outfd,
	    struct age_opts *opts);
int	age_decrypt_fd(const struct age_identities *ids, int infd, int outfd,
	    struct age_opts *opts);
/* Decrypt into a memory image of an age file (tests, fuzzing). */
int	age_decrypt_mem(const struct age_identities *ids, const u_char *in,
	    size_t inlen, int outfd, struct age_opts *opts);
/*
 * Decrypt infd into tmppath (created O_EXCL|O_NOFOLLOW, mode 0600),
 * fsync it and only then rename it to path and fsync path's directory.
 * On any failure tmppath is removed and path is untouched.
 */
int	age_decrypt_to_path(const struct age_identities *ids, int infd,
	    const char *tmppath, const char *path, struct age_opts *opts);

/* Internal to age/age*.c: key files (sodium_malloc'd, NUL-terminated). */
int	age_read_keyfile(const char *path, u_char **datap, size_t *lenp);
int	age_for_each_line(const char *text, size_t len, void *ctx,
	    int (*fn)(void *, const char *));

/* Internal to age/age*.c: the header and its key wrapping. */
struct buf;
int	age_header_build(const struct age_recipients *rc,
	    const u_char filekey[AGE_FILE_KEY_LEN], struct buf *out);
int	age_header_open(const struct age_identities *ids,
	    const struct age_header *hdr, const u_char *raw,
	    u_char filekey[AGE_FILE_KEY_LEN]);
int	age_payload_key(const u_char filekey[AGE_FILE_KEY_LEN],
	    const u_char nonce[AGE_NONCE_LEN], u_char key[32]);

/*
 * Internal to age/age*.c: STREAM chunks sealed or opened by a small crew
 * of threads (chunks are independent; results are used in order).
 */
#define AGE_TASK_SEAL		1	/* in: plaintext, out: ct || tag */
#define AGE_TASK_OPEN		2	/* in: ct || tag, out: plaintext */

struct age_task {
	int		 op;
	const u_char	*in;
	size_t		 inlen;
	u_char		*out;
	uint64_t	 ctr;		/* chunk number */
	int		 last;		/* seal: last flag; open: result */
	int		 result;	/* open: 0 or AGE_ERR_PAYLOAD */
};

struct age_crew;
struct age_crew *age_crew_new(const u_char key[32]);
/* Publish a batch; the helpers start on it while the caller does I/O. */
void	age_crew_begin(struct age_crew *crew, struct age_task *t, size_t n);
/* Take part in the batch and return when all of it is done. */
void	age_crew_end(struct age_crew *crew);
void	age_crew_free(struct age_crew *crew);

#endif /* AGECRYPT_H */
