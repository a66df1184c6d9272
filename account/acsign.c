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

/* acsign.c: sign account states with a key file, or with ssh-keygen. */

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "sshkey.h"
#include "sshsig.h"

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The key's public half: KEY.pub, KEY itself if a .pub, or the private. */
int
acct_identity_pub(const char *identity, u_char pk[SSHKEY_ED25519_PK])
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

/* ssh-keygen -Y sign: the text on its stdin, the armor on its stdout. */
static int
keygen_sign(const char *identity, const u_char *text, size_t len,
    struct buf *armor)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0, r = -1;
	u_char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(in) == -1 || pipe(out) == -1) {
		warn("pipe");
		goto out;
	}
	if ((pid = fork()) == -1) {
		warn("fork");
		goto out;
	}
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) == -1 ||
		    dup2(out[1], STDOUT_FILENO) == -1)
			_exit(127);
		close(in[1]);
		close(out[0]);
		execlp("ssh-keygen", "ssh-keygen", "-q", "-Y", "sign", "-n",
		    ACCOUNT_NS, "-f", identity, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* A state is small: ssh-keygen reads it all before it writes. */
	if (write(in[1], text, len) != (ssize_t)len)
		warn("write to ssh-keygen");
	close(in[1]);
	in[1] = -1;
	while ((n = read(out[0], chunk, sizeof(chunk))) > 0)
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
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (out[0] != -1)
		close(out[0]);
	if (out[1] != -1)
		close(out[1]);
	return r;
}

int
acct_sign(const char *identity, const u_char *text, size_t len,
    struct buf *out)
{
	struct sshkey_priv *k = NULL;
	struct buf *armor = NULL;
	u_char want[SSHKEY_ED25519_PK], got[SSHKEY_ED25519_PK];
	int r = -1, e;

	if (acct_identity_pub(identity, want) != 0) {
		warnx("%s: cannot read the ssh-ed25519 key (also tried %s.pub)",
		    identity, identity);
		return -1;
	}
	if ((armor = buf_new()) == NULL) {
		warn("buf_new");
		return -1;
	}
	e = ends_with(identity, ".pub") ? SSHKEY_ERR_ENCRYPTED :
	    sshkey_load_private(identity, &k);
	if (e == 0)
		e = sshsig_sign(k, ACCOUNT_NS, text, len, armor);
	else if (e == SSHKEY_ERR_ENCRYPTED)
		e = keygen_sign(identity, text, len, armor);
	if (e != 0) {
		warnx("%s: cannot sign the account state", identity);
		goto out;
	}
	/* Whatever signed it, the result must verify under the key named. */
	if (sshsig_verify((const char *)buf_ptr(armor), buf_len(armor),
	    ACCOUNT_NS, text, len, got) != 0 ||
	    memcmp(got, want, sizeof(got)) != 0) {
		warnx("%s: the signature does not verify", identity);
		goto out;
	}
	if (buf_put(out, text, len) != 0 || buf_putb(out, armor) != 0) {
		warnx("out of memory");
		goto out;
	}
	r = 0;
 out:
	sshkey_priv_free(k);
	buf_free(armor);
	return r;
}
