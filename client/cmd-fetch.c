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

/* cmd-fetch.c: download new messages, checked against their records. */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "client.h"
#include "fsutil.h"
#include "layout.h"

struct fetch {
	struct session	*s;
	int		 dirfd;
	int		 outfd;		/* plain fetch: the temp file */
	struct progress	 pm;
	struct maildir	*md;		/* --decrypt: plaintext goes here */
	size_t		 got, bad;
	size_t		 vanished;	/* removed on the server meanwhile */
};

/* 1 when dir already holds name with exactly the record's content. */
static int
have_local(int dirfd, const char *name, const struct ventry *e)
{
	crypto_hash_sha256_state h;
	u_char buf[65536], md[STMT_HASH_LEN];
	uint64_t n = 0;
	ssize_t k;
	int fd, r = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return errno == ENOENT ? 0 : -1;
	crypto_hash_sha256_init(&h);
	while ((k = read(fd, buf, sizeof(buf))) > 0 && n <= e->size) {
		crypto_hash_sha256_update(&h, buf, (size_t)k);
		n += (uint64_t)k;
	}
	crypto_hash_sha256_final(&h, md);
	if (k == 0 && n == e->size && memcmp(md, e->sha256, sizeof(md)) == 0)
		r = 1;
	else
		r = -1;
	close(fd);
	return r;
}

/* Temp file, download, check, then rename into place; never keep junk. */
static int
fetch_one(struct fetch *f, const struct ventry *e)
{
	struct vmsg m;
	char name[PFISH_NAME_MAX], tmp[64];
	int fd, over, r;

	if (layout_seq_name(e->seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0)
		return -1;
	if ((r = have_local(f->dirfd, name, e)) == 1)
		return 0;
	if (r == -1) {
		warnx("%s exists in the fetch directory with other content; "
		    "not overwritten", name);
		return -1;
	}
	if ((fd = fs_tmp_create(f->dirfd, 0600, tmp, sizeof(tmp))) == -1) {
		warn("temp file for %s", name);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	progress_start(&f->pm, name, e->size);
	r = session_download(f->s, e->seq, fd, e->size + 1, &f->pm, &m, &over);
	progress_end(&f->pm);
	/*
	 * Another device may have deleted it (signed) since this run read
	 * the state.  That is no proof of tampering either way: say so, and
	 * let the next run's verification decide.
	 */
	if (r == 0 && over == SESSION_VANISHED) {
		close(fd);
		(void)unlinkat(f->dirfd, tmp, 0);
		printf("vanished %llu removed on the server during this run; "
		    "not fetched\n", (unsigned long long)e->seq);
		f->vanished++;
		return 1;
	}
	if (r != 0 || over || m.size != e->size ||
	    memcmp(m.sha256, e->sha256, STMT_HASH_LEN) != 0) {
		close(fd);
		(void)unlinkat(f->dirfd, tmp, 0);
		if (r != 0)
			return -1;
		printf("%s %llu content differs from its signed record; "
		    "not saved\n", m.age_header && m.size != e->size ?
		    "replaced" : "modified", (unsigned long long)e->seq);
		f->bad++;
		return 1;
	}
	if (fs_commit(fd, f->dirfd, tmp, f->dirfd, name) == -1) {
		warn("%s", name);
		return -1;
	}
	f->got++;
	return 0;
}

static int
deliver(struct fetch *f, uint64_t seq)
{
	char name[PFISH_NAME_MAX];

	if (layout_seq_name(seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0)
		return -1;
	return maildir_deliver(f->md, f->dirfd, name, seq);
}

static int
fetch_verified(struct fetch *f)
{
	struct session *s = f->s;
	const struct ventry *e;
	size_t i, since = 0;
	int r;

	for (i = 0; i < s->res.ne; i++) {
		e = &s->res.e[i];
		if (e->status != VST_OK || !e->present ||
		    seqset_has(s->st.fetched, e->seq))
			continue;
		if ((r = fetch_one(f, e)) < 0)
			return -1;
		if (r == 0 && f->md != NULL && deliver(f, e->seq) != 0)
			return -1;
		if (r == 0 && (seqset_add(s->st.fetched, e->seq) != 0 ||
		    seqset_add(s->st.checked, e->seq) != 0))
			return -1;
		/* Resumable: the state follows the files every so often. */
		if (++since >= 256) {
			since = 0;
			if (cstate_save(s->statepath, &s->st) != 0)
				return -1;
		}
	}
	return 0;
}

static int
plain_sink(void *arg, const u_char *data, size_t len)
{
	struct fetch *f = arg;

	progress_update(&f->pm, len);
	return fs_write_all(f->outfd, data, len);
}

/* Without signed state: copy what is listed, unchecked, and say so. */
static int
fetch_plain(struct fetch *f, int del)
{
	struct session *s = f->s;
	struct psftp_entry *en;
	char tmp[64];
	size_t i;
	int fd, r;

	session_no_state(s, "messages are fetched UNVERIFIED");
	if (session_list(s) != 0)
		return PFISH_EXIT_ERROR;
	for (i = 0; i < s->nents; i++) {
		en = &s->ents[i];
		if (faccessat(f->dirfd, en->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if ((fd = fs_tmp_create(f->dirfd, 0600, tmp, sizeof(tmp))) == -1)
			return PFISH_EXIT_ERROR;
		progress_start(&f->pm, en->name, en->size);
		f->outfd = fd;
		r = psftp_get(s->p, en->name, en->has_size ? en->size :
		    UINT64_MAX, plain_sink, f);
		progress_end(&f->pm);
		if (r != 0 || fs_commit(fd, f->dirfd, tmp, f->dirfd,
		    en->name) == -1) {
			if (r != 0)
				close(fd);
			(void)unlinkat(f->dirfd, tmp, 0);
			warnx("%s: %s", en->name, psftp_errmsg(s->p));
			return PFISH_EXIT_ERROR;
		}
		if (del && psftp_remove(s->p, en->name) != 0)
			warnx("%s", psftp_errmsg(s->p));
		f->got++;
	}
	return PFISH_EXIT_NOSTATE;
}

/* --delete: one signed statement for everything fetched and still there. */
static int
delete_fetched(struct session *s)
{
	uint64_t *seqs;
	size_t i, n = 0;
	int r;

	if ((seqs = calloc(s->res.ne + 1, sizeof(*seqs))) == NULL)
		return -1;
	for (i = 0; i < s->res.ne; i++)
		if (s->res.e[i].status == VST_OK && s->res.e[i].present &&
		    seqset_has(s->st.fetched, s->res.e[i].seq))
			seqs[n++] = s->res.e[i].seq;
	r = session_delete(s, seqs, n);
	if (r == 0 && n > 0)
		fprintf(stderr, "deleted %zu fetched message%s on the server "
		    "(signed)\n", n, n == 1 ? "" : "s");
	free(seqs);
	return r;
}

struct fetch_args {
	const char	*dir;
	const char	*maildir;
	int		 decrypt;
	int		 del;
};

static int
fetch_args(int argc, char **argv, struct fetch_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->dir = ".";
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			a->dir = argv[++i];
		else if (strcmp(argv[i], "--maildir") == 0 && i + 1 < argc)
			a->maildir = argv[++i];
		else if (strcmp(argv[i], "--decrypt") == 0)
			a->decrypt = 1;
		else if (strcmp(argv[i], "--delete") == 0)
			a->del = 1;
		else {
			warnx("fetch: unknown argument %s", argv[i]);
			return -1;
		}
	}
	if (a->decrypt != (a->maildir != NULL)) {
		warnx("fetch: --decrypt and --maildir go together");
		return -1;
	}
	return 0;
}

static int
open_maildir(struct fetch *f, const struct client_opts *o,
    const struct fetch_args *a)
{
	char identity[PATH_MAX];

	if (!a->decrypt)
		return 0;
	if (client_identity(o, identity, sizeof(identity)) != 0)
		return -1;
	return maildir_open(a->maildir, identity, &f->md);
}

int
cmd_fetch(struct client_opts *o, int argc, char **argv)
{
	struct fetch f;
	struct fetch_args a;
	int rc = PFISH_EXIT_ERROR;

	memset(&f, 0, sizeof(f));
	f.dirfd = -1;
	f.pm.on = 1;
	if (fetch_args(argc, argv, &a) != 0)
		return PFISH_EXIT_ERROR;
	if ((f.dirfd = open(a.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", a.dir);
		return PFISH_EXIT_ERROR;
	}
	if (open_maildir(&f, o, &a) != 0 || session_open(o, &f.s) != 0)
		goto out;
	if (!session_signed(f.s)) {
		if (a.decrypt)
			warnx("--decrypt needs verified mail; not decrypting");
		rc = fetch_plain(&f, a.del);
		goto out;
	}
	if (session_verify(f.s, 0) != 0)
		goto out;
	session_print_findings(f.s, stdout);
	session_print_notes(f.s, stdout);
	if (fetch_verified(&f) != 0) {
		(void)session_accept(f.s);
		goto out;
	}
	if (session_accept(f.s) != 0 || (a.del && delete_fetched(f.s) != 0))
		goto out;
	if (f.pm.on && isatty(STDERR_FILENO))
		fprintf(stderr, "fetched %zu message%s into %s\n", f.got,
		    f.got == 1 ? "" : "s", a.dir);
	rc = f.bad > 0 ? PFISH_EXIT_TAMPER : session_exit_code(f.s);
	if (rc == PFISH_EXIT_OK && f.vanished > 0) {
		warnx("the mailbox changed during this run; run pfish again "
		    "to verify it");
		rc = PFISH_EXIT_ERROR;
	}
 out:
	session_close(f.s);
	maildir_close(f.md);
	close(f.dirfd);
	return rc;
}
