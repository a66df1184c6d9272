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

#include <dirent.h>
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
#include "hash.h"
#include "layout.h"

/*
 * Files are staged under temporary names and made durable in batches:
 * one syncfs(2) for the batch (it waits for every dirty file of the file
 * system: milliseconds each on a busy machine), then the renames and one
 * fsync of the directory, and only then are they recorded as fetched
 * (and so may be deleted on the server).  A crash leaves temporary
 * files, never a final name over data that is not on disk.  The state
 * file is saved when enough was recorded since its last save
 * (fetch_save), and always before the run ends.
 *
 * With many messages to fetch, a clerk (clerk.c) makes the temporary
 * files ahead and commits each full batch on a thread of its own while
 * the next batch downloads; a batch is recorded as fetched only once its
 * commit has ended, at the next commit or at the end of the run.
 */
#define FETCH_BATCH	1024
/* ... or fewer, when their bytes reach this (what a kill re-fetches). */
#define FETCH_BATCH_BYTES (64 * 1024 * 1024)
/* Larger messages are fetched one at a time, their reads pipelined. */
#define FETCH_SMALL	(1024 * 1024)
/* Bytes a directory entry takes, about, for a message's name. */
#define FETCH_DIRENT	32
/* A directory this large (bytes) is read in a few calls: always read. */
#define FETCH_DIR_SMALL	(64 * 1024)
/* Bytes a recorded message counts for besides its own (fetch_save). */
#define FETCH_FACT	104
/* Fewer messages than this to fetch are fetched without a clerk. */
#define FETCH_CLERK_MIN	64

struct staged {
	uint64_t	 seq;
	uint64_t	 size;
	u_char		 sha256[STMT_HASH_LEN];
	char		 tmp[64];	/* "" when already in place */
	int		 clash;		/* its name now holds other content */
};

/* A batch being committed: the clerk's thread touches only this. */
struct commit {
	int		 dirfd;
	struct staged	*st;
	size_t		 n;
};

struct fetch {
	struct session	*s;
	int		 dirfd;
	int		 outfd;		/* plain fetch: the temp file */
	uint64_t	 left;		/* plain fetch: listed bytes not yet read */
	int		 over;		/* plain fetch: the server sent more */
	struct progress	 pm;
	struct maildir	*md;		/* --decrypt: plaintext goes here */
	size_t		 got, bad;
	struct staged	*st;		/* FETCH_BATCH of them */
	size_t		 nst;
	struct staged	*spare;		/* as many: the batch committing */
	struct commit	 job;		/* that batch */
	int		 pending;	/* job started, not yet recorded */
	struct clerk	*clerk;		/* or NULL: all on this thread */
	uint64_t	 stbytes;	/* downloaded bytes in st */
	uint64_t	*refused;	/* the server would not serve these */
	size_t		 nrefused, refcap;
	int		 second;	/* the re-check within this run */
	struct fs_tmpgen tg;
	uint64_t	*local;		/* seqs named in the directory */
	size_t		 nlocal;
	int		 listed;	/* local holds them: probe only those */
	size_t		 nunsaved;	/* recorded since the state's save */
	uint64_t	 unsaved;	/* their bytes, and FETCH_FACT each */
};

/*
 * 1 when dir already holds name with exactly this content, 0 when it
 * does not hold name, -1 otherwise.
 */
static int
have_local(int dirfd, const char *name, uint64_t size, const u_char *sha256)
{
	struct hash_sha256 h;
	u_char buf[65536], md[STMT_HASH_LEN];
	uint64_t n = 0;
	ssize_t k;
	int fd, r = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return errno == ENOENT ? 0 : -1;
	hash_sha256_init(&h);
	while ((k = read(fd, buf, sizeof(buf))) > 0 && n <= size) {
		hash_sha256_update(&h, buf, (size_t)k);
		n += (uint64_t)k;
	}
	hash_sha256_final(&h, md);
	if (k == 0 && n == size && memcmp(md, sha256, sizeof(md)) == 0)
		r = 1;
	else
		r = -1;
	close(fd);
	return r;
}

static int
cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Messages this run is to fetch. */
static size_t
count_wanted(const struct session *s)
{
	const struct ventry *e;
	size_t i, n = 0;

	for (i = 0; i < s->res.ne; i++) {
		e = &s->res.e[i];
		if (e->status == VST_OK && e->present &&
		    !seqset_has(s->st.fetched, e->seq))
			n++;
	}
	return n;
}

/*
 * The messages' names in the fetch directory, read once before this run
 * writes to it: a name it does not list is not probed for each message.
 * One that appears later is caught by the rename, which never replaces.
 * Reading costs what the directory holds, probing what is to be fetched:
 * a directory far larger (by its size in bytes, about FETCH_DIRENT a
 * name, past FETCH_DIR_SMALL) than the messages wanted is not read, each
 * of them is probed.
 */
static int
list_local(struct fetch *f)
{
	struct dirent *de;
	struct stat st;
	uint64_t seq, *n;
	size_t cap = 0;
	DIR *d;

	if (fstat(f->dirfd, &st) == -1) {
		warn("fetch directory");
		return -1;
	}
	if (st.st_size > FETCH_DIR_SMALL &&
	    (uint64_t)count_wanted(f->s) * 8 * FETCH_DIRENT <
	    (uint64_t)st.st_size)
		return 0;

	if ((d = fs_dir_stream(f->dirfd)) == NULL) {
		warn("listing the fetch directory");
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (layout_seq_parse(de->d_name, PFISH_AGE_SUFFIX, &seq) != 0)
			continue;
		if (f->nlocal == cap) {
			cap = cap ? cap * 2 : 256;
			if ((n = reallocarray(f->local, cap,
			    sizeof(*n))) == NULL) {
				closedir(d);
				warn("listing the fetch directory");
				return -1;
			}
			f->local = n;
		}
		f->local[f->nlocal++] = seq;
	}
	if (errno != 0) {
		warn("listing the fetch directory");
		closedir(d);
		return -1;
	}
	closedir(d);
	if (f->nlocal > 0)
		qsort(f->local, f->nlocal, sizeof(*f->local), cmp_seq);
	f->listed = 1;
	return 0;
}

/* 0 when the listing says the message's name is not there. */
static int
local_has(const struct fetch *f, uint64_t seq)
{
	if (!f->listed)
		return 1;
	return f->nlocal > 0 && bsearch(&seq, f->local, f->nlocal,
	    sizeof(*f->local), cmp_seq) != NULL;
}

/*
 * Decrypt a committed message into the Maildir.  One this run did not
 * download (it was in the directory, from a run that ended before saving
 * it as fetched) may be there already: looked for first.
 */
static int
deliver(struct fetch *f, const struct staged *sf)
{
	char name[PFISH_NAME_MAX];

	if (layout_seq_name(sf->seq, PFISH_AGE_SUFFIX, name,
	    sizeof(name)) != 0)
		return -1;
	return maildir_deliver(f->md, f->dirfd, name, sf->seq, sf->sha256,
	    sf->tmp[0] == '\0');
}


static int
add_refused(struct fetch *f, uint64_t seq)
{
	uint64_t *n;

	if (f->nrefused == f->refcap) {
		if ((n = reallocarray(f->refused, f->refcap ? f->refcap * 2 :
		    16, sizeof(*n))) == NULL)
			return -1;
		f->refused = n;
		f->refcap = f->refcap ? f->refcap * 2 : 16;
	}
	f->refused[f->nrefused++] = seq;
	return 0;
}

/* A message being downloaded: its entry and temporary file. */
struct pending {
	const struct ventry *e;
	char		 tmp[64];
	int		 fd;
};

/* Stage e for the next commit, from tmp ("": already in place). */
static void
stage(struct fetch *f, const struct ventry *e, const char *tmp)
{
	struct staged *sf;

	if (f->nst == 0)
		f->stbytes = 0;
	sf = &f->st[f->nst++];
	if (*tmp != '\0')
		f->stbytes += e->size;
	sf->seq = e->seq;
	sf->size = e->size;
	memcpy(sf->sha256, e->sha256, sizeof(sf->sha256));
	(void)strlcpy(sf->tmp, tmp, sizeof(sf->tmp));
	sf->clash = 0;
}

/*
 * Stage a message already in place (0), or open a temporary file for
 * it (1); -1 on errors.
 */
static int
fetch_begin(struct fetch *f, const struct ventry *e, struct pending *pd)
{
	char name[PFISH_NAME_MAX];
	int r;

	if (layout_seq_name(e->seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0)
		return -1;
	pd->e = e;
	pd->fd = -1;
	r = local_has(f, e->seq) ? have_local(f->dirfd, name, e->size,
	    e->sha256) : 0;
	if (r == 1) {
		/* Its name is made durable with the batch. */
		stage(f, e, "");
		return 0;
	}
	if (r == -1) {
		warnx("%s exists in the fetch directory with other content; "
		    "not overwritten", name);
		return -1;
	}
	if ((pd->fd = f->clerk != NULL ? clerk_take(f->clerk, pd->tmp,
	    sizeof(pd->tmp)) : fs_tmpgen_create(&f->tg, pd->tmp,
	    sizeof(pd->tmp))) == -1) {
		warn("temp file for %s", name);
		return -1;
	}
	return 1;
}

/* Close and remove a temporary file that will not be kept. */
static void
fetch_drop(struct fetch *f, struct pending *pd)
{
	if (pd->fd == -1)
		return;
	close(pd->fd);
	(void)unlinkat(f->dirfd, pd->tmp, 0);
	pd->fd = -1;
}

/*
 * Check a downloaded message against its record and stage it for
 * renaming (0), or drop it with a finding (1); -1 on errors.  r is what
 * the download returned; never keep junk.
 */
static int
fetch_end(struct fetch *f, struct pending *pd, int r, const struct vmsg *m,
    int over)
{
	const struct ventry *e = pd->e;

	/*
	 * Another device may have deleted it (signed) since this run read
	 * the state, or the server withholds it: checked again at the end of
	 * this run (recheck()).  Refused in the re-check too: withheld.
	 */
	if (r == 0 && over == SESSION_VANISHED) {
		fetch_drop(f, pd);
		if (f->second) {
			printf("%s %llu listed, but the server refused to serve "
			    "it twice in this run\n",
			    verify_kind_name(VK_WITHHELD),
			    (unsigned long long)e->seq);
			f->bad++;
		} else if (add_refused(f, e->seq) != 0)
			return -1;
		return 1;
	}
	if (r != 0 || over || m->size != e->size ||
	    memcmp(m->sha256, e->sha256, STMT_HASH_LEN) != 0) {
		fetch_drop(f, pd);
		if (r != 0)
			return -1;
		printf("%s %llu content differs from its signed record; "
		    "not saved\n", m->age_header && m->size != e->size ?
		    "replaced" : "modified", (unsigned long long)e->seq);
		f->bad++;
		return 1;
	}
	if (close(pd->fd) == -1) {
		warn("%llu", (unsigned long long)e->seq);
		(void)unlinkat(f->dirfd, pd->tmp, 0);
		pd->fd = -1;
		return -1;
	}
	pd->fd = -1;
	stage(f, e, pd->tmp);
	return 0;
}

/* Temp file, download, check, then stage for renaming. */
static int
fetch_one(struct fetch *f, const struct ventry *e)
{
	struct pending pd;
	struct vmsg m;
	char name[PFISH_NAME_MAX];
	int over, r;

	if ((r = fetch_begin(f, e, &pd)) <= 0)
		return r;
	if (layout_seq_name(e->seq, PFISH_AGE_SUFFIX, name, sizeof(name)) != 0) {
		fetch_drop(f, &pd);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	progress_start(&f->pm, name, e->size);
	r = session_download(f->s, e->seq, pd.fd, e->size, &f->pm, &m, &over);
	progress_end(&f->pm);
	return fetch_end(f, &pd, r, &m, over);
}

/*
 * Small messages go PSFTP_BATCH_MAX at a time, each step of the
 * transfer one round trip for all of them; then each is checked and
 * staged as fetch_one does.
 */
static int
fetch_batch(struct fetch *f, const struct ventry **e, size_t n)
{
	struct pending pd[PSFTP_BATCH_MAX];
	struct vmsg m[PSFTP_BATCH_MAX];
	uint64_t seq[PSFTP_BATCH_MAX], cap[PSFTP_BATCH_MAX], total = 0;
	int fd[PSFTP_BATCH_MAX], over[PSFTP_BATCH_MAX];
	char what[64];
	size_t i, k = 0;
	int r = 0;

	for (i = 0; i < n && r != -1; i++) {
		if ((r = fetch_begin(f, e[i], &pd[k])) == 1) {
			seq[k] = e[i]->seq;
			fd[k] = pd[k].fd;
			cap[k] = e[i]->size;
			total += e[i]->size;
			k++;
		}
	}
	if (r != -1 && k > 0) {
		memset(m, 0, sizeof(m));
		(void)snprintf(what, sizeof(what), "%zu messages", k);
		progress_start(&f->pm, what, total);
		r = session_download_batch(f->s, k, seq, fd, cap, &f->pm, m,
		    over);
		progress_end(&f->pm);
	}
	for (i = 0; i < k; i++) {
		if (r == -1)
			fetch_drop(f, &pd[i]);
		else if (fetch_end(f, &pd[i], 0, &m[i], over[i]) == -1)
			r = -1;
	}
	return r == -1 ? -1 : 0;
}

/* Remove the temporary files of staged files from "from" on. */
static void
discard(int dirfd, const struct staged *st, size_t n, size_t from)
{
	size_t i;

	for (i = from; i < n; i++)
		if (st[i].tmp[0] != '\0')
			(void)unlinkat(dirfd, st[i].tmp, 0);
}

/* Remove the temporary files of a batch that will not be committed. */
static void
fetch_discard(struct fetch *f, size_t from)
{
	discard(f->dirfd, f->st, f->nst, from);
	f->nst = 0;
}

/*
 * Give a staged file its name, never replacing one: a file may have
 * appeared under it since the directory was listed (a concurrent run, or
 * anything else).  With the same content it stands for the staged one;
 * with other content it stays and the staged file goes.  0, or -1 with
 * errno.
 */
static int
put_name(int dirfd, struct staged *sf, const char *name)
{
	int i, r;

	for (i = 0; i < 3; i++) {
		r = fs_rename_new(dirfd, sf->tmp, dirfd, name);
		if (r == 0 || errno != EEXIST)
			return r;
		/* Gone again before it could be read (0): try once more. */
		if ((r = have_local(dirfd, name, sf->size,
		    sf->sha256)) != 0)
			break;
	}
	(void)unlinkat(dirfd, sf->tmp, 0);
	sf->tmp[0] = '\0';
	if (r == 1)
		return 0;
	sf->clash = 1;
	warnx("%s %s in the fetch directory during this run; not "
	    "overwritten", name, r == 0 ? "kept coming and going" :
	    "appeared with other content");
	return 0;
}

/*
 * Save the state file when it is due (force: whenever anything was
 * recorded since its last save).  A save writes the whole state, about
 * 100 bytes a remembered record (100 MB at a million), so a save after
 * every batch would cost the square of the mailbox.  It is due once what
 * was recorded since the last save amounts (the messages' bytes and
 * FETCH_FACT each) to the state file's size: the saves within a run
 * write at most about what it fetched, and the run's end saves once
 * more.  A message fetched but not yet saved as such is on disk under
 * its name: a run killed before the save finds it there by its size and
 * SHA-256 (have_local) and downloads none of it again; one it decrypted
 * into the Maildir is found there by its name (deliver) and not
 * decrypted again.
 */
static int
fetch_save(struct fetch *f, int force)
{
	struct session *s = f->s;

	if (f->nunsaved == 0)
		return 0;
	if (!force && f->unsaved < s->st.filelen)
		return 0;
	if (cstate_save(s->statepath, &s->st) != 0)
		return -1;
	f->nunsaved = 0;
	f->unsaved = 0;
	return 0;
}

/*
 * Make a batch durable under its names: one syncfs for the data, the
 * renames, one directory fsync.  A name taken by other content keeps it
 * (the file is marked clash).  0; or -1 with a warning, the temporary
 * files not yet renamed removed.  It may run on the clerk's thread: it
 * touches the batch and the file system, nothing else.
 */
static int
commit_files(void *arg)
{
	struct commit *c = arg;
	char name[PFISH_NAME_MAX];
	size_t i;

	if (syncfs(c->dirfd) == -1) {
		warn("syncing the fetched messages");
		discard(c->dirfd, c->st, c->n, 0);
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		if (layout_seq_name(c->st[i].seq, PFISH_AGE_SUFFIX, name,
		    sizeof(name)) != 0) {
			warnx("%llu: no name for this seq",
			    (unsigned long long)c->st[i].seq);
			discard(c->dirfd, c->st, c->n, i);
			return -1;
		}
		if (c->st[i].tmp[0] != '\0' && put_name(c->dirfd, &c->st[i],
		    name) == -1) {
			warn("%s", name);
			discard(c->dirfd, c->st, c->n, i);
			return -1;
		}
	}
	if (fs_fsync_dir(c->dirfd) == -1) {
		warn("syncing the fetch directory");
		return -1;
	}
	return 0;
}

/*
 * Record a committed batch as fetched (and decrypt it, with --decrypt).
 * A file that met a clash is not recorded, and the run fails once the
 * rest is.
 */
static int
commit_record(struct fetch *f, const struct staged *st, size_t n)
{
	struct session *s = f->s;
	size_t i;
	int clash = 0;

	for (i = 0; i < n; i++) {
		if (st[i].clash) {
			clash = 1;
			continue;
		}
		if (st[i].tmp[0] != '\0')
			f->got++;
		f->nunsaved++;
		f->unsaved += FETCH_FACT + st[i].size;
		if ((f->md != NULL && deliver(f, &st[i]) != 0) ||
		    seqset_add(s->st.fetched, st[i].seq) != 0 ||
		    seqset_add(s->st.checked, st[i].seq) != 0)
			return -1;
	}
	/* Resumable: the files are found again until the state is saved. */
	if (fetch_save(f, 0) != 0)
		return -1;
	return clash ? -1 : 0;
}

/* Wait for the batch committing, if any, and record it. */
static int
fetch_commit_finish(struct fetch *f)
{
	int r;

	if (!f->pending)
		return 0;
	f->pending = 0;
	r = f->clerk != NULL ? clerk_join(f->clerk) : commit_files(&f->job);
	if (r != 0)
		return -1;
	return commit_record(f, f->job.st, f->job.n);
}

/*
 * Start committing what is staged: on the clerk's thread if there is one
 * (the caller stages the next batch meanwhile), else now.  The batch
 * before it is finished and recorded first.
 */
static int
fetch_commit_start(struct fetch *f)
{
	struct staged *t;

	if (f->nst == 0)
		return 0;
	if (fetch_commit_finish(f) != 0) {
		fetch_discard(f, 0);
		return -1;
	}
	f->job.dirfd = f->dirfd;
	f->job.st = f->st;
	f->job.n = f->nst;
	t = f->st;
	f->st = f->spare;
	f->spare = t;
	f->nst = 0;
	f->pending = 1;
	if (f->clerk != NULL)
		clerk_run(f->clerk, commit_files, &f->job);
	return 0;
}

/* Everything staged made durable and recorded before this returns. */
static int
fetch_commit(struct fetch *f)
{
	if (fetch_commit_start(f) != 0)
		return -1;
	return fetch_commit_finish(f);
}

static int
batch_full(const struct fetch *f)
{
	return f->nst == FETCH_BATCH || f->stbytes >= FETCH_BATCH_BYTES;
}

/* fetch_one, committing each full batch, and what arrived on failure. */
static int
fetch_stage(struct fetch *f, const struct ventry *e)
{
	if (fetch_one(f, e) < 0) {
		(void)fetch_commit(f);
		return -1;
	}
	if (batch_full(f) && fetch_commit_start(f) != 0)
		return -1;
	return 0;
}

/* fetch_batch, likewise; a commit first if the batch might not fit. */
static int
fetch_stage_batch(struct fetch *f, const struct ventry **e, size_t n)
{
	if (n == 0)
		return 0;
	if (f->nst + n > FETCH_BATCH && fetch_commit_start(f) != 0)
		return -1;
	if (fetch_batch(f, e, n) != 0) {
		(void)fetch_commit(f);
		return -1;
	}
	if (batch_full(f) && fetch_commit_start(f) != 0)
		return -1;
	return 0;
}

static int
was_refused(const struct fetch *f, uint64_t seq)
{
	size_t i;

	for (i = 0; i < f->nrefused; i++)
		if (f->refused[i] == seq)
			return 1;
	return 0;
}

/*
 * What the server refused during this run is decided within it: list
 * again, then each refused message is deleted (signed, by now), missing,
 * withheld (refused again), or fetched after all.
 */
static int
recheck(struct fetch *f)
{
	struct session *s = f->s;
	const struct ventry *e;
	size_t i;

	if (f->nrefused == 0)
		return 0;
	if (session_recheck(s, f->refused, f->nrefused) != 0)
		return -1;
	f->second = 1;
	for (i = 0; i < s->res.nf; i++)
		if (was_refused(f, s->res.f[i].seq))
			printf("%s %llu %s\n",
			    verify_kind_name(s->res.f[i].kind),
			    (unsigned long long)s->res.f[i].seq,
			    s->res.f[i].detail);
	for (i = 0; i < f->nrefused; i++) {
		if ((e = verify_entry(&s->res, f->refused[i])) == NULL ||
		    e->status == VST_DELETED) {
			printf("deleted %llu by a signed delete during this "
			    "run; not fetched\n",
			    (unsigned long long)f->refused[i]);
			continue;
		}
		if (e->status != VST_OK || !e->present)
			continue;
		if (fetch_stage(f, e) != 0)
			return -1;
	}
	return fetch_commit(f);
}

/* Small messages in batches, large ones each with its reads pipelined. */
static int
fetch_verified(struct fetch *f)
{
	struct session *s = f->s;
	const struct ventry *e, *b[PSFTP_BATCH_MAX];
	size_t i, n = 0, want = count_wanted(s);

	/*
	 * Without a clerk (too few messages for it to pay, or no thread to
	 * be had) the same work is done here, in turn with the transfer.
	 */
	if (want >= FETCH_CLERK_MIN)
		f->clerk = clerk_start(&f->tg, want < PSFTP_BATCH_MAX ? want :
		    PSFTP_BATCH_MAX, want);
	for (i = 0; i < s->res.ne; i++) {
		e = &s->res.e[i];
		if (e->status != VST_OK || !e->present ||
		    seqset_has(s->st.fetched, e->seq))
			continue;
		if (e->size > FETCH_SMALL) {
			if (fetch_stage(f, e) != 0)
				return -1;
			continue;
		}
		b[n++] = e;
		if (n == PSFTP_BATCH_MAX) {
			if (fetch_stage_batch(f, b, n) != 0)
				return -1;
			n = 0;
		}
	}
	if (fetch_stage_batch(f, b, n) != 0)
		return -1;
	return fetch_commit(f);
}

/* A plain fetch writes no byte past the size the listing gave. */
static int
plain_sink(void *arg, const u_char *data, size_t len)
{
	struct fetch *f = arg;

	if (len > f->left) {
		f->over = 1;
		return -1;
	}
	f->left -= len;
	progress_update(&f->pm, len);
	return fs_write_all(f->outfd, data, len);
}

/*
 * One listed file into a temp file, then its name, never replacing a
 * file that appeared under it since the listing: 0, 1 when one did (the
 * download is dropped), or -1.
 */
static int
plain_one(struct fetch *f, const struct psftp_entry *en)
{
	struct session *s = f->s;
	char tmp[64];
	int fd, r, saved;

	if (!en->has_size) {
		warnx("%s: listed without a size; not fetched", en->name);
		return -1;
	}
	if ((fd = fs_tmpgen_create(&f->tg, tmp, sizeof(tmp))) == -1) {
		warn("temp file for %s", en->name);
		return -1;
	}
	progress_start(&f->pm, en->name, en->size);
	f->outfd = fd;
	f->left = en->size;
	f->over = 0;
	r = psftp_get(s->p, en->name, en->size, plain_sink, f);
	progress_end(&f->pm);
	if (r == 0 && f->left != 0) {
		warnx("%s: %llu bytes shorter than listed; not kept", en->name,
		    (unsigned long long)f->left);
		r = PSFTP_ERR_ABORT;
	}
	if (r != 0 || fs_commit_new(fd, f->dirfd, tmp, f->dirfd,
	    en->name) == -1) {
		saved = errno;
		if (r != 0)
			close(fd);
		(void)unlinkat(f->dirfd, tmp, 0);
		errno = saved;
		if (r == 0 && errno == EEXIST) {
			warnx("%s appeared in the fetch directory during this "
			    "run; not overwritten", en->name);
			return 1;
		}
		if (f->over)
			warnx("%s: the server sent more than the %llu bytes it "
			    "listed; not kept", en->name,
			    (unsigned long long)en->size);
		else if (r != 0)
			warnx("%s: %s", en->name, psftp_errmsg(s->p));
		else
			warn("%s", en->name);
		return -1;
	}
	return 0;
}

/* Without signed state: copy what is listed, unchecked, and say so. */
static int
fetch_plain(struct fetch *f, int del)
{
	struct session *s = f->s;
	struct psftp_entry *en;
	size_t i, clash = 0;
	int r;

	session_no_state(s, "messages are fetched UNVERIFIED");
	if (session_list(s) != 0)
		return PFISH_EXIT_ERROR;
	for (i = 0; i < s->nents; i++) {
		en = &s->ents[i];
		if (faccessat(f->dirfd, en->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if ((r = plain_one(f, en)) == -1)
			return PFISH_EXIT_ERROR;
		if (r == 1) {
			clash++;	/* not ours to delete on the server */
			continue;
		}
		if (del && psftp_remove(s->p, en->name) != 0)
			warnx("%s", psftp_errmsg(s->p));
		f->got++;
	}
	return clash > 0 ? PFISH_EXIT_ERROR : PFISH_EXIT_NOSTATE;
}

/*
 * --delete: one signed statement for everything fetched and still there,
 * only once the state file saved says so (session_accept).
 */
static int
delete_fetched(const struct fetch *f)
{
	struct session *s = f->s;
	uint64_t *seqs;
	size_t i, n = 0;
	int r;

	if (f->nunsaved != 0) {
		warnx("%zu fetched messages are not saved in the state file; "
		    "nothing deleted on the server", f->nunsaved);
		return -1;
	}
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

/*
 * Without -d, the .age files of an account go next to its state file:
 * STATEDIR/state-ACCOUNT holds the state, STATEDIR/mail-ACCOUNT the mail.
 */
static int
default_dir(const struct session *s, char *dir, size_t len)
{
	const char *base = strrchr(s->statepath, '/');
	size_t plen;
	int n;

	base = base != NULL ? base + 1 : s->statepath;
	if (strncmp(base, "state-", 6) == 0)
		base += 6;
	plen = (size_t)(strrchr(s->statepath, '/') != NULL ?
	    strrchr(s->statepath, '/') - s->statepath : 0);
	n = snprintf(dir, len, "%.*s%smail-%s", (int)plen, s->statepath,
	    plen > 0 ? "/" : "", base);
	if (n < 0 || (size_t)n >= len) {
		warnx("fetch directory name too long");
		return -1;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		warn("mkdir %s", dir);
		return -1;
	}
	return 0;
}

static int
open_dir(struct fetch *f, const char *dir)
{
	if ((f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", dir);
		return -1;
	}
	return 0;
}

int
cmd_fetch(struct client_opts *o, int argc, char **argv)
{
	struct fetch f;
	struct fetch_args a;
	char defdir[PATH_MAX];
	int rc = PFISH_EXIT_ERROR;

	memset(&f, 0, sizeof(f));
	f.dirfd = -1;
	f.pm.on = 1;
	if ((f.st = calloc(FETCH_BATCH, sizeof(*f.st))) == NULL ||
	    (f.spare = calloc(FETCH_BATCH, sizeof(*f.spare))) == NULL) {
		warn("fetch");
		free(f.st);
		return PFISH_EXIT_ERROR;
	}
	if (fetch_args(argc, argv, &a) != 0 ||
	    (a.dir != NULL && open_dir(&f, a.dir) != 0)) {
		free(f.st);
		free(f.spare);
		return PFISH_EXIT_ERROR;
	}
	if (open_maildir(&f, o, &a) != 0 || session_open(o, &f.s) != 0)
		goto out;
	if (!session_signed(f.s) && session_downgraded(f.s)) {
		rc = PFISH_EXIT_TAMPER;
		goto out;
	}
	if (a.dir == NULL) {
		if (default_dir(f.s, defdir, sizeof(defdir)) != 0 ||
		    open_dir(&f, defdir) != 0)
			goto out;
		a.dir = defdir;
	}
	if (fs_tmpgen_init(&f.tg, f.dirfd, 0600) != 0) {
		warn("temp file names");
		goto out;
	}
	if (!session_signed(f.s)) {
		if (a.decrypt)
			warnx("--decrypt needs verified mail; not decrypting");
		rc = fetch_plain(&f, a.del);
		goto out;
	}
	/* Records of messages fetched before: from memory. */
	f.s->remembering = REMEMBER_FETCHED;
	if (session_verify(f.s, 0) != 0)
		goto out;
	session_print_findings(f.s, stdout);
	session_print_notes(f.s, stdout);
	if (list_local(&f) != 0 || fetch_verified(&f) != 0 ||
	    recheck(&f) != 0) {
		/* What was fetched is saved, whatever accepting does. */
		(void)fetch_commit_finish(&f);
		(void)fetch_save(&f, 1);
		(void)session_accept(f.s);
		goto out;
	}
	/* It saves the state file, with everything fetched. */
	if (session_accept(f.s) != 0)
		goto out;
	f.nunsaved = 0;
	f.unsaved = 0;
	if (a.del && delete_fetched(&f) != 0)
		goto out;
	/* Always, terminal or not: where the mail went. */
	fprintf(stderr, "fetched %zu new message%s into %s%s%s\n", f.got,
	    f.got == 1 ? "" : "s", a.dir, a.maildir != NULL ?
	    ", decrypted into " : "", a.maildir != NULL ? a.maildir : "");
	rc = f.bad > 0 ? PFISH_EXIT_TAMPER : session_exit_code(f.s);
 out:
	if (o->verbose > 0 && f.s != NULL)
		fprintf(stderr, "pfish: state file written %u times in this "
		    "run, %llu bytes\n", f.s->st.writes,
		    (unsigned long long)f.s->st.written);
	clerk_stop(f.clerk);
	free(f.refused);
	free(f.local);
	free(f.st);
	free(f.spare);
	session_close(f.s);
	maildir_close(f.md);
	if (f.dirfd != -1)
		close(f.dirfd);
	return rc;
}
