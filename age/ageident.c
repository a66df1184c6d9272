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

/* ageident.c: age identity files: AGE-SECRET-KEY-1 lines or OpenSSH keys. */

#include <sys/types.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "sshkey.h"

#define PASS_MAX	1024
#define OPENSSH_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"

static int
add_identity_line(void *ctx, const char *line)
{
	return age_identities_add_x25519(ctx, line);
}

/*
 * libssh, for passphrase-protected OpenSSH keys only: loaded when the
 * first such key is opened, so a program that never opens one (an
 * encrypting one, or one given an unprotected key) does not pay for
 * loading libssh and what it links (Kerberos, zlib) at every start.  In
 * the pfish client, which links libssh for its connection, the name
 * finds the library already loaded.  PFISH_LIBSSH_SONAME is the name the
 * build's libssh carries (the Makefile reads it off the library); the
 * pointers take their types from libssh's header.
 */
static struct {
	__typeof__(&ssh_pki_import_privkey_base64)	import;
	__typeof__(&ssh_pki_export_privkey_base64)	export;
	__typeof__(&ssh_string_free_char)		free_char;
	__typeof__(&ssh_key_free)			key_free;
} libssh;

static int
libssh_load(void)
{
	void *h;

	if (libssh.key_free != NULL)
		return 0;
	if ((h = dlopen(PFISH_LIBSSH_SONAME, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL)
		return -1;
	/* The handle stays open: the functions are used until exit. */
	if ((*(void **)&libssh.import = dlsym(h,
	    "ssh_pki_import_privkey_base64")) == NULL ||
	    (*(void **)&libssh.export = dlsym(h,
	    "ssh_pki_export_privkey_base64")) == NULL ||
	    (*(void **)&libssh.free_char = dlsym(h,
	    "ssh_string_free_char")) == NULL ||
	    (*(void **)&libssh.key_free = dlsym(h, "ssh_key_free")) == NULL) {
		libssh.key_free = NULL;
		return -1;
	}
	return 0;
}

/*
 * A passphrase-protected OpenSSH key: libssh decrypts it, exports it
 * unencrypted into memory, and the ordinary parser reads that.
 */
static int
ssh_encrypted(struct age_identities *ids, const char *path,
    const u_char *data, age_pass_cb passcb, void *arg)
{
	struct sshkey_priv *k = NULL;
	ssh_key key = NULL;
	char *pass = NULL, *plain = NULL, prompt[256];
	int r = AGE_ERR_KEY;

	if (passcb == NULL)
		return AGE_ERR_KEY;
	if (libssh_load() != 0)
		return AGE_ERR_LIBSSH;
	if ((pass = sodium_malloc(PASS_MAX)) == NULL)
		return AGE_ERR_ALLOC;
	r = snprintf(prompt, sizeof(prompt), "Enter passphrase for %.200s: ",
	    path);
	if (r < 0 || (size_t)r >= sizeof(prompt)) {
		r = AGE_ERR_INVALID;
		goto out;
	}
	r = AGE_ERR_KEY;
	if (passcb(prompt, pass, PASS_MAX, arg) != 0)
		goto out;
	if (libssh.import((const char *)data, pass, NULL, NULL, &key) !=
	    SSH_OK)
		goto out;
	if (libssh.export(key, NULL, NULL, NULL, &plain) != SSH_OK)
		goto out;
	if (sshkey_parse_private((u_char *)plain, strlen(plain), &k) != 0)
		goto out;
	r = age_identities_add_ssh(ids, k);
out:
	if (plain != NULL) {
		explicit_bzero(plain, strlen(plain));
		libssh.free_char(plain);
	}
	if (key != NULL)
		libssh.key_free(key);
	sshkey_priv_free(k);
	sodium_free(pass);
	return r;
}

int
age_identities_load(struct age_identities *ids, const char *path,
    age_pass_cb passcb, void *arg)
{
	struct sshkey_priv *k = NULL;
	u_char *data;
	size_t len, before = age_identities_count(ids);
	int r;

	if ((r = age_read_keyfile(path, &data, &len)) != 0)
		return r;
	if (strstr((char *)data, OPENSSH_BEGIN) != NULL) {
		if ((r = sshkey_parse_private(data, len, &k)) == 0)
			r = age_identities_add_ssh(ids, k);
		else if (r == SSHKEY_ERR_ENCRYPTED)
			r = ssh_encrypted(ids, path, data, passcb, arg);
		else
			r = AGE_ERR_KEY;
	} else
		r = age_for_each_line((char *)data, len, ids,
		    add_identity_line);
	if (r == 0 && age_identities_count(ids) == before)
		r = AGE_ERR_KEY;
	sshkey_priv_free(k);
	sodium_free(data);
	return r;
}
