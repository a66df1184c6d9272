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
 * statefile.c: the per-account client state: last head, fetched seqs, and
 * the device's memory of what it authenticated (pstate.h).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "hash.h"
#include "fsutil.h"
#include "pstate.h"

/* $XDG_CONFIG_HOME/pfish, else ~/.config/pfish; created mode 0700. */
static int
config_dir(char *path, size_t len, int create)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char parent[PATH_MAX];
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(parent, sizeof(parent), "%s", x);
	else if (home != NULL && home[0] == '/')
		n = snprintf(parent, sizeof(parent), "%s/.config", home);
	else {
		warnx("neither XDG_CONFIG_HOME nor HOME is set");
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof(parent) ||
	    (n = snprintf(path, len, "%s/pfish", parent)) < 0 ||
	    (size_t)n >= len) {
		warnx("configuration path too long");
		return -1;
	}
	if (create && ((mkdir(parent, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(path, 0700) == -1 && errno != EEXIST))) {
		warn("mkdir %s", path);
		return -1;
	}
	return 0;
}

int
cstate_default_path(const char *user, const char *host, unsigned int port,
    char *path, size_t len)
{
	char dir[PATH_MAX], portstr[16] = "";
	int n;

	if (config_dir(dir, sizeof(dir), 1) != 0)
		return -1;
	if (port != 0 && port != 22)
		(void)snprintf(portstr, sizeof(portstr), ":%u", port);
	if (strchr(user, '/') != NULL || strchr(host, '/') != NULL) {
		warnx("user or host name contains '/'");
		return -1;
	}
	n = snprintf(path, len, "%s/state-%s@%s%s", dir, user, host, portstr);
	if (n < 0 || (size_t)n >= len) {
		warnx("state file path too long");
		return -1;
	}
	return 0;
}

/*
 * The state follows the account, not how it was spelled: the file is
 * named by the login, the server's host key and the port, all as the
 * connection resolved them (an ssh_config alias, the host's name and its
 * address are one state).  A state file from before, named by the host
 * as typed or as resolved, is moved there once.
 */
int
cstate_account_path(const char *user, const char *hostkey_fp,
    unsigned int port, const char *typed_host, const char *resolved_host,
    char *path, size_t len)
{
	char dir[PATH_MAX], key[128], old[PATH_MAX], portstr[16] = "";
	const char *hosts[2] = { typed_host, resolved_host };
	struct stat st;
	size_t i;
	int fd, n;

	if (strlcpy(key, hostkey_fp, sizeof(key)) >= sizeof(key))
		return -1;
	for (i = 0; key[i] != '\0'; i++)	/* base64: no '/' in a name */
		if (key[i] == '/')
			key[i] = '_';
	if (config_dir(dir, sizeof(dir), 1) != 0)
		return -1;
	if (port != 0 && port != 22)
		(void)snprintf(portstr, sizeof(portstr), ":%u", port);
	if (strchr(user, '/') != NULL) {
		warnx("user name contains '/'");
		return -1;
	}
	n = snprintf(path, len, "%s/state-%s@%s%s", dir, user, key, portstr);
	if (n < 0 || (size_t)n >= len) {
		warnx("state file path too long");
		return -1;
	}
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return 0;
	for (i = 0; i < 2; i++) {
		if (hosts[i] == NULL || cstate_default_path(user, hosts[i], port,
		    old, sizeof(old)) != 0 || lstat(old, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (rename(old, path) == -1) {
			warn("moving state file %s to %s", old, path);
			return -1;
		}
		if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
			(void)fs_fsync_dir(fd);
			close(fd);
		}
		warnx("state file %s is now %s (named by the host key)", old,
		    path);
		break;
	}
	return 0;
}

int
cstate_default_trust(char *path, size_t len)
{
	char dir[PATH_MAX];
	int n;

	if (config_dir(dir, sizeof(dir), 0) != 0)
		return -1;
	n = snprintf(path, len, "%s/allowed_signers", dir);
	if (n < 0 || (size_t)n >= len) {
		warnx("trust file path too long");
		return -1;
	}
	return 0;
}

/* Open the directory holding path; *base points at the last component. */
static int
open_parent(const char *path, const char **base)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	*base = slash ? slash + 1 : path;
	if (**base == '\0' || strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp)) {
		errno = EINVAL;
		return -1;
	}
	if (slash == NULL)
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (slash == path)
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		tmp[slash - path] = '\0';
		fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return fd;
}

static int
cstate_init(struct cstate *st)
{
	memset(st, 0, sizeof(*st));
	if ((st->fetched = seqset_new()) == NULL ||
	    (st->checked = seqset_new()) == NULL) {
		warnx("out of memory");
		return -1;
	}
	return 0;
}

int
cstate_load(const char *path, struct cstate *st)
{
	const char *base;
	u_char *data = NULL;
	size_t len, hoff, hlen;
	int dfd = -1, r = -1;

	if (cstate_init(st) != 0)
		return -1;
	if ((dfd = open_parent(path, &base)) == -1 ||
	    fs_read_file(dfd, base, PSTATE_MAX, &data, &len) == -1) {
		if (errno == ENOENT)
			r = 0;		/* first run for this account */
		else
			warn("%s", path);
		goto out;
	}
	if (pstate_parse(data, len, st->fetched, st->checked, &st->mem, &hoff,
	    &hlen) != 0) {
		warnx("%s: not a valid pfish state file", path);
		goto out;
	}
	hash_sha256(st->filehash, data, len);
	st->loaded = 1;
	st->filelen = len;
	if (hlen > 0) {
		if (stmt_head_parse(data + hoff, hlen, &st->head) != 0 ||
		    (st->headtext = malloc(hlen)) == NULL) {
			warnx("%s: bad head in state file", path);
			goto out;
		}
		memcpy(st->headtext, data + hoff, hlen);
		st->headtextlen = hlen;
		st->have_head = 1;
	}
	r = 0;
 out:
	free(data);
	if (dfd != -1)
		close(dfd);
	return r;
}

/*
 * Write the state file atomically and durably; not at all when it would
 * hold the very bytes it held when loaded or last written (a run with
 * nothing new: at a million records that is about 100 MB not written and
 * synced again).  Every save formats and hashes the whole state, so a
 * caller saving as it goes spaces its saves by st->filelen (cmd-fetch.c).
 */
int
cstate_save(const char *path, struct cstate *st)
{
	struct buf *b = NULL;
	u_char h[32];
	const char *base;
	int dfd = -1, r = -1;

	if ((b = buf_new_max(PSTATE_MAX)) == NULL ||
	    pstate_format(st->fetched, st->checked, &st->mem,
	    st->have_head ? st->headtext : NULL, st->headtextlen, b) != 0) {
		warnx("cannot format state");
		goto out;
	}
	hash_sha256(h, buf_ptr(b), buf_len(b));
	if (st->loaded && memcmp(h, st->filehash, sizeof(h)) == 0) {
		r = 0;
		goto out;
	}
	if ((dfd = open_parent(path, &base)) == -1 ||
	    fs_write_atomic(dfd, dfd, base, buf_ptr(b), buf_len(b),
	    0600) == -1) {
		warn("cannot write state file %s", path);
		goto out;
	}
	memcpy(st->filehash, h, sizeof(st->filehash));
	st->loaded = 1;
	st->filelen = buf_len(b);
	st->writes++;
	st->written += buf_len(b);
	r = 0;
 out:
	if (dfd != -1)
		close(dfd);
	buf_free(b);
	return r;
}

void
cstate_clear(struct cstate *st)
{
	seqset_free(st->fetched);
	seqset_free(st->checked);
	pstate_mem_clear(&st->mem);
	free(st->headtext);
	memset(st, 0, sizeof(*st));
}
