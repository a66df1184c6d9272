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

/* Bytes of the message's SHA-256 a delivered name carries. */
#define MAILDIR_TAG	8

/* A message delivered before, by its name: seq and hash prefix (hex). */
struct mtag {
	uint64_t		 seq;
	char			 h[MAILDIR_TAG * 2];
};

struct maildir {
	char			 dir[PATH_MAX];
	char			 host[64];
	struct age_identities	*ids;
	struct mtag		*tags;		/* sorted; read on first need */
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
	const struct mtag *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return memcmp(x->h, y->h, sizeof(x->h));
}

/*
 * The tag of a name this file delivers, TIME.PpidQseqHhash.HOST (and
 * any :2,FLAGS a reader adds): 0, or -1 for any other name.  The hash
 * is kept as text: a name whose text is not hex matches no message.
 */
static int
parse_tag(const char *name, struct mtag *t)
{
	const char *p;
	size_t i;

	if ((p = strchr(name, '.')) == NULL || p[1] != 'P' ||
	    (p = strchr(p + 1, 'Q')) == NULL)
		return -1;
	t->seq = 0;
	for (p++; *p >= '0' && *p <= '9'; p++) {
		if (t->seq > (UINT64_MAX - 9) / 10)
			return -1;
		t->seq = t->seq * 10 + (uint64_t)(*p - '0');
	}
	if (*p++ != 'H')
		return -1;
	for (i = 0; i < sizeof(t->h); i++, p++) {
		if (*p == '\0' || *p == '.')
			return -1;
		t->h[i] = *p;
	}
	return *p == '.' ? 0 : -1;
}

/* The tags of every message in new/ and cur/, read once. */
static int
scan_tags(struct maildir *md)
{
	const char *sub[] = { "new", "cur" };
	char path[PATH_MAX];
	struct dirent *de;
	struct mtag t, *n;
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
			if (parse_tag(de->d_name, &t) != 0)
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
	char hex[MAILDIR_TAG * 2 + 1];
	struct mtag t;
	size_t i;
	int fd, n, r;

	for (i = 0; i < MAILDIR_TAG; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
	t.seq = seq;
	memcpy(t.h, hex, sizeof(t.h));
	if (look && !md->scanned && scan_tags(md) != 0)
		return -1;
	if (look && md->ntags > 0 && bsearch(&t, md->tags, md->ntags,
	    sizeof(t), cmp_tag) != NULL)
		return 0;
	n = snprintf(base, sizeof(base), "%lld.P%ldQ%lluH%s.%s",
	    (long long)time(NULL), (long)getpid(), (unsigned long long)seq,
	    hex, md->host);
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
