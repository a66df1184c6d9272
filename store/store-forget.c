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
 * store-forget.c: pfish-store forget BACKUPROOT [mailbox ...].  A backup
 * of a store forgets what the user deleted: every message named by a
 * delete that verifies under the trusted delete keys (the trust file's,
 * and those of the mailbox's account chain when the trust file pins it;
 * never authorized_keys, never a key found only in the backup) and whose (seq, record hash) is a record
 * of the backup that verifies under the trusted signer is removed; then
 * what is below the low of a head that verifies under the trusted signer
 * is removed as expire does.  A note, a delete by another key, a head
 * that does not verify remove nothing.
 */

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"
#include "trust.h"

/* Verify one delete under the trusted delete keys only. */
static int
delete_trusted(const struct store *s, const struct trust *acct,
    const char *name, const u_char *data, size_t len, struct stmt_delete *d)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t tl;
	int r;

	memset(d, 0, sizeof(*d));
	r = stmt_verify_signed(data, len, STMT_DELETE, s->trust, s->now, &tl,
	    pk);
	if (r == STMT_ERR_UNTRUSTED && acct != NULL)
		r = stmt_verify_signed(data, len, STMT_DELETE, acct, s->now,
		    &tl, pk);
	if (r != 0)
		return r;
	if ((r = stmt_delete_parse(data, tl, d)) != 0)
		return r;
	if (!stmt_key_matches(d->key, pk))
		r = STMT_ERR_SIG;
	else if (strcmp(d->mailbox, name) != 0)
		r = STMT_ERR_FORMAT;
	if (r != 0)
		stmt_delete_clear(d);
	return r;
}

/* One (seq, record hash) of a trusted delete: remove its message. */
static int
forget_seq(const struct store *s, const struct mbdir *m, const char *dname,
    const struct stmt_delete *d, const struct stmt_del_entry *e, int *n)
{
	struct stored_record sr;
	char age[32];
	int r;

	if ((r = store_record_load(s, m, e->seq, &sr)) != 0) {
		printf("kept: %s: seq %llu: the record named by %s does not "
		    "verify here (%s)\n", m->name,
		    (unsigned long long)e->seq, dname,
		    r == -1 ? strerror(errno) : pfish_strerror(r));
		return 0;
	}
	if (memcmp(sr.hash, e->hash, STMT_HASH_LEN) != 0 ||
	    strcmp(sr.rec.epoch, d->epoch) != 0) {
		printf("kept: %s: seq %llu: %s names another record\n",
		    m->name, (unsigned long long)e->seq, dname);
		store_record_free(&sr);
		return 0;
	}
	store_record_free(&sr);
	if (layout_seq_name(e->seq, PFISH_AGE_SUFFIX, age, sizeof(age)) != 0)
		return -1;
	if (unlinkat(m->dir, age, 0) == -1) {
		if (errno == ENOENT)
			return 0;
		warn("%s/%s", m->name, age);
		return -1;
	}
	printf("removed: %s/%s: deleted by %s\n", m->name, age, dname);
	syslog(LOG_INFO, "forget: removed %s/%s, deleted by %s", m->name,
	    age, dname);
	(*n)++;
	return 0;
}

static int
forget_deletes(const struct store *s, const struct mbdir *m, int *n)
{
	struct stmt_delete d;
	struct trust *acct;
	struct dirent *de;
	u_char *data;
	size_t len, i;
	DIR *dir;
	int r, ret = 0;

	if ((dir = fs_dir_stream(m->del)) == NULL)
		return -1;
	/* Pinned by the trust file: a chain of the backup alone is not. */
	acct = store_account_trust(s, m->dir, m->name);
	while (ret == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fs_read_file(m->del, de->d_name, STMT_SIGNED_MAX, &data,
		    &len) == -1) {
			printf("ignored: %s/%s/%s: %s\n", m->name,
			    PFISH_DELETES_DIR, de->d_name, strerror(errno));
			continue;
		}
		r = delete_trusted(s, acct, m->name, data, len, &d);
		free(data);
		if (r != 0) {
			printf("ignored: %s/%s/%s: %s\n", m->name,
			    PFISH_DELETES_DIR, de->d_name, r ==
			    STMT_ERR_UNTRUSTED ? "not signed by a trusted "
			    "delete key" : pfish_strerror(r));
			continue;
		}
		for (i = 0; ret == 0 && i < d.ndel; i++)
			ret = forget_seq(s, m, de->d_name, &d, &d.del[i], n);
		stmt_delete_clear(&d);
	}
	closedir(dir);
	trust_free(acct);
	if (fs_fsync_dir(m->dir) == -1)
		ret = -1;
	return ret;
}

static int
forget_one(struct store *s, const char *name)
{
	struct stmt_head h;
	struct mbdir m;
	u_char *hd = NULL;
	size_t hl;
	int n = 0, r, ret = 1;

	if (mbdir_open(s, name, &m) == -1) {
		warn("forget: %s", name);
		return 1;
	}
	if (mbdir_lock(&m) == -1 || forget_deletes(s, &m, &n) == -1)
		goto out;
	printf("forgot %s: %d messages deleted by the user\n", name, n);
	/* The retention low, only from a head the trusted signer signed. */
	if ((r = store_head_load(s, &m, &h, &hd, &hl)) != 0) {
		printf("kept: %s: no verified head (%s): nothing removed "
		    "below a low\n", name, r == -1 ? strerror(errno) :
		    pfish_strerror(r));
		ret = 0;
		goto out;
	}
	mbdir_close(&m);
	ret = store_expire_one(s, name);
 out:
	free(hd);
	mbdir_close(&m);
	return ret;
}

static int
forget_each(struct store *s, const char *name, void *arg)
{
	int *ret = arg;

	if (forget_one(s, name) != 0)
		*ret = 1;
	return 0;
}

int
store_forget(struct store *s, int argc, char **argv)
{
	int i, ret = 0;

	/* Deletes count only under keys named outside the backup. */
	s->no_ak = 1;
	s->root = argv[0];
	if ((s->rootfd = open(argv[0], O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		warn("%s", argv[0]);
		return 1;
	}
	if (argc == 1)
		return store_each_mailbox(s, forget_each, &ret) != 0 ? 1 : ret;
	for (i = 1; i < argc; i++)
		if (forget_one(s, argv[i]) != 0)
			ret = 1;
	return ret;
}
