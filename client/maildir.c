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

/* maildir.c: decrypt fetched messages into a Maildir with the user's key. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "agecrypt.h"
#include "client.h"
#include "mdname.h"

struct maildir {
	char			 dir[PATH_MAX];
	char			 host[64];
	struct age_identities	*ids;
	struct mdname_tag	*tags;		/* sorted; read on first need */
	size_t			 ntags;
	int			 scanned;
};

static int
maildir_pass(const char *prompt, char *buf, size_t len, void *arg)
{
	(void)arg;
	if (!isatty(STDIN_FILENO))
		return -1;
	return ssh_getpass(prompt, buf, len, 0, 0) == 0 ? 0 : -1;
}

/* dir/tmp, dir/new and dir/cur, as every Maildir reader expects. */
static int
make_maildir(const char *dir)
{
	const char *sub[] = { "", "/tmp", "/new", "/cur" };
	char path[PATH_MAX];
	size_t i;
	int n;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		n = snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			warnx("%s: path too long", dir);
			return -1;
		}
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			warn("mkdir %s", path);
			return -1;
		}
	}
	return 0;
}

int
maildir_open(const char *dir, const char *identity, struct maildir **out)
{
	struct maildir *md;
	size_t i;
	int r;

	*out = NULL;
	if ((md = calloc(1, sizeof(*md))) == NULL)
		return -1;
	if (strlcpy(md->dir, dir, sizeof(md->dir)) >= sizeof(md->dir) ||
	    make_maildir(dir) != 0)
		goto bad;
	if (gethostname(md->host, sizeof(md->host)) != 0)
		(void)strlcpy(md->host, "localhost", sizeof(md->host));
	md->host[sizeof(md->host) - 1] = '\0';
	for (i = 0; md->host[i] != '\0'; i++)
		if (md->host[i] == '/' || md->host[i] == ':')
			md->host[i] = '_';
	if ((md->ids = age_identities_new()) == NULL)
		goto bad;
	if ((r = age_identities_load(md->ids, identity, maildir_pass,
	    NULL)) != 0) {
		warnx("%s: cannot load the decryption key: %s", identity,
		    pfish_strerror(r));
		goto bad;
	}
	*out = md;
	return 0;
 bad:
	maildir_close(md);
	return -1;
}

void
maildir_close(struct maildir *md)
{
	if (md == NULL)
		return;
	age_identities_free(md->ids);
	free(md->tags);
	free(md);
}

static int
cmp_tag(const void *a, const void *b)
{
	return mdname_tag_cmp(a, b);
}

/* The tags of every message in new/ and cur/, read once. */
static int
scan_tags(struct maildir *md)
{
	const char *sub[] = { "new", "cur" };
	char path[PATH_MAX];
	struct dirent *de;
	struct mdname_tag t, *n;
	size_t i, cap = 0;
	DIR *d;
	int len;

	for (i = 0; i < 2; i++) {
		len = snprintf(path, sizeof(path), "%s/%s", md->dir, sub[i]);
		if (len < 0 || (size_t)len >= sizeof(path) ||
		    (d = opendir(path)) == NULL) {
			warn("%s/%s", md->dir, sub[i]);
			return -1;
		}
		for (;;) {
			errno = 0;
			if ((de = readdir(d)) == NULL)
				break;
			if (mdname_parse(de->d_name, NULL, &t) != 0)
				continue;
			if (md->ntags == cap) {
				cap = cap ? cap * 2 : 64;
				if ((n = reallocarray(md->tags, cap,
				    sizeof(*n))) == NULL) {
					closedir(d);
					warn("%s", path);
					return -1;
				}
				md->tags = n;
			}
			md->tags[md->ntags++] = t;
		}
		if (errno != 0) {
			warn("%s", path);
			closedir(d);
			return -1;
		}
		closedir(d);
	}
	if (md->ntags > 0)
		qsort(md->tags, md->ntags, sizeof(*md->tags), cmp_tag);
	md->scanned = 1;
	return 0;
}

/*
 * Decrypt dirfd/name into new/ via tmp/: durable before it is visible.
 * Its name carries the seq and the start of the SHA-256 of name: with
 * look, a message whose name new/ or cur/ already holds (delivered by a
 * run that ended before saving it as fetched) is not delivered again.
 */
int
maildir_deliver(struct maildir *md, int dirfd, const char *name,
    uint64_t seq, const u_char *sha256, int look)
{
	char base[PATH_MAX / 4], tmp[PATH_MAX], dst[PATH_MAX];
	char tag[MDNAME_TAG_MAX];
	struct mdname_tag t;
	int fd, n, r;

	if (mdname_tag_make(seq, sha256, &t) != 0 ||
	    mdname_tag_format((long)getpid(), &t, tag, sizeof(tag)) != 0) {
		warnx("%s: no Maildir name for seq %llu", name,
		    (unsigned long long)seq);
		return -1;
	}
	if (look && !md->scanned && scan_tags(md) != 0)
		return -1;
	if (look && md->ntags > 0 && bsearch(&t, md->tags, md->ntags,
	    sizeof(t), cmp_tag) != NULL)
		return 0;
	n = snprintf(base, sizeof(base), "%lld.%s.%s", (long long)time(NULL),
	    tag, md->host);
	if (n < 0 || (size_t)n >= sizeof(base) ||
	    (n = snprintf(tmp, sizeof(tmp), "%s/tmp/%s", md->dir, base)) < 0 ||
	    (size_t)n >= sizeof(tmp) ||
	    (n = snprintf(dst, sizeof(dst), "%s/new/%s", md->dir, base)) < 0 ||
	    (size_t)n >= sizeof(dst)) {
		warnx("%s: Maildir path too long", md->dir);
		return -1;
	}
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1) {
		warn("%s", name);
		return -1;
	}
	r = age_decrypt_to_path(md->ids, fd, tmp, dst, NULL);
	close(fd);
	if (r != 0) {
		warnx("%s: cannot decrypt: %s", name, pfish_strerror(r));
		return -1;
	}
	return 0;
}
