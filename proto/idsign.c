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
 * idsign.c: sign with the user's key file, or with ssh-keygen for keys
 * pfish cannot read itself (passphrase, agent via KEY.pub).
 *
 * The key files are parsed by sshkey.c (fuzz_sshkey).  The outside bytes
 * this file takes itself are the signer's output: collected into a buffer
 * bounded by SSHSIG_ARMOR_MAX, then judged by sshsig_accept_armor, which
 * uses them only when they verify under the identity's own public key
 * (fuzz_idsign drives it).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "idsign.h"
#include "sshkey.h"
#include "sshsig.h"

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* KEY.pub, KEY itself if a .pub, or the private key; quiet. */
static int
load_pub(const char *identity, u_char pk[SSHKEY_ED25519_PK])
{
	struct sshkey_priv *k = NULL;
	char path[PATH_MAX];
	int n;

	if (ends_with(identity, ".pub"))
		return sshkey_load_public(identity, pk, NULL) == 0 ? 0 : -1;
	n = snprintf(path, sizeof(path), "%s.pub", identity);
	if (n > 0 && (size_t)n < sizeof(path) &&
	    sshkey_load_public(path, pk, NULL) == 0)
		return 0;
	if (sshkey_load_private(identity, &k) != 0)
		return -1;
	memcpy(pk, k->pk, SSHKEY_ED25519_PK);
	sshkey_priv_free(k);
	return 0;
}

int
sshsig_identity_pub(const char *identity, u_char pk[SSHKEY_ED25519_PK])
{
	if (load_pub(identity, pk) != 0) {
		warnx("%s: cannot read the ssh-ed25519 key (also tried %s.pub)",
		    identity, identity);
		return -1;
	}
	return 0;
}

int
sshsig_identity_fp(const char *identity, char fp[SSHKEY_FP_LEN])
{
	u_char pk[SSHKEY_ED25519_PK];

	if (sshsig_identity_pub(identity, pk) != 0)
		return -1;
	sshkey_fingerprint(pk, fp);
	return 0;
}

/* Child side: stdin and stdout are the pipes; no shell involved. */
static void
run_keygen(const char *identity, const char *ns, int in, int out)
{
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1)
		_exit(127);
	execlp("ssh-keygen", "ssh-keygen", "-q", "-Y", "sign", "-n", ns,
	    "-f", identity, (char *)NULL);
	_exit(127);
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* ssh-keygen -Y sign: the text on its stdin, the armor on its stdout. */
static int
keygen_sign(const char *identity, const char *ns, const u_char *text,
    size_t len, struct buf *armor)
{
	int tochild[2] = { -1, -1 }, fromchild[2] = { -1, -1 };
	int status = 0, r = -1;
	u_char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(tochild) == -1 || pipe(fromchild) == -1) {
		warn("pipe");
		goto out;
	}
	if ((pid = fork()) == -1) {
		warn("fork");
		goto out;
	}
	if (pid == 0) {
		close(tochild[1]);
		close(fromchild[0]);
		run_keygen(identity, ns, tochild[0], fromchild[1]);
	}
	close(tochild[0]);
	close(fromchild[1]);
	tochild[0] = fromchild[1] = -1;
	/* The text is small: ssh-keygen reads it all before it writes. */
	if (len > 0 && write(tochild[1], text, len) != (ssize_t)len)
		warn("write to ssh-keygen");
	close(tochild[1]);
	tochild[1] = -1;
	while ((n = read(fromchild[0], chunk, sizeof(chunk))) > 0)
		if (buf_put(armor, chunk, (size_t)n) != 0 ||
		    buf_len(armor) > SSHSIG_ARMOR_MAX)
			break;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		warnx("ssh-keygen -Y sign failed for %s", identity);
	else
		r = 0;
 out:
	close_pair(tochild);
	close_pair(fromchild);
	return r;
}

int
sshsig_accept_armor(const u_char *armor, size_t alen, const char *ns,
    const u_char *text, size_t len, const u_char want[SSHKEY_ED25519_PK],
    struct buf *out)
{
	u_char got[SSHKEY_ED25519_PK];

	if (alen > SSHSIG_ARMOR_MAX ||
	    sshsig_verify((const char *)armor, alen, ns, text, len, got) != 0 ||
	    memcmp(got, want, sizeof(got)) != 0)
		return SSHSIG_ERR_BAD_SIG;
	if (buf_put(out, text, len) != 0 || buf_put(out, armor, alen) != 0)
		return SSHSIG_ERR_ALLOC;
	return 0;
}

int
sshsig_sign_identity(const char *identity, const char *ns, const char *what,
    const u_char *text, size_t len, struct buf *out)
{
	struct sshkey_priv *k = NULL;
	struct buf *armor = NULL;
	u_char want[SSHKEY_ED25519_PK];
	int r = -1, e;

	if (load_pub(identity, want) != 0) {
		warnx("%s: cannot read the ssh-ed25519 key (also tried %s.pub) "
		    "to sign the %s", identity, identity, what);
		return -1;
	}
	if ((armor = buf_new()) == NULL) {
		warn("buf_new");
		return -1;
	}
	e = ends_with(identity, ".pub") ? SSHKEY_ERR_ENCRYPTED :
	    sshkey_load_private(identity, &k);
	if (e == 0)
		e = sshsig_sign(k, ns, text, len, armor);
	else if (e == SSHKEY_ERR_ENCRYPTED)
		e = keygen_sign(identity, ns, text, len, armor);
	if (e != 0) {
		warnx("%s: cannot sign the %s", identity, what);
		goto out;
	}
	/* Whatever signed it, the result must verify under the key named. */
	if ((e = sshsig_accept_armor(buf_ptr(armor), buf_len(armor), ns, text,
	    len, want, out)) != 0) {
		warnx("%s: the %s signature %s", identity, what,
		    e == SSHSIG_ERR_ALLOC ? "cannot be kept: out of memory" :
		    "does not verify");
		goto out;
	}
	r = 0;
 out:
	sshkey_priv_free(k);
	buf_free(armor);
	return r;
}
