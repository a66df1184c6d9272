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

/* cmd-rm.c: delete messages with a statement signed by the user's key. */

#include <sys/types.h>

#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "idsign.h"
#include "layout.h"
#include "sshkey.h"
#include "trust.h"

int
client_identity(const struct client_opts *o, char *path, size_t len)
{
	const char *home = getenv("HOME");
	int n;

	if (o->identity != NULL)
		n = snprintf(path, len, "%s", o->identity);
	else if (home != NULL)
		n = snprintf(path, len, "%s/.ssh/id_ed25519", home);
	else {
		warnx("no -i identity and no HOME");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		warnx("identity path too long");
		return -1;
	}
	return 0;
}

/* This device now knows these seqs deleted, by this statement. */
static int
remember_delete(struct session *s, const struct stmt_delete *d,
    const struct buf *text)
{
	struct pstate_fact *g;
	u_char h[STMT_HASH_LEN];
	size_t i;
	int r;

	if ((g = calloc(d->ndel, sizeof(*g))) == NULL)
		return -1;
	stmt_hash(buf_ptr(text), buf_len(text), h);
	for (i = 0; i < d->ndel; i++) {
		g[i].seq = d->del[i].seq;
		memcpy(g[i].hash, h, STMT_HASH_LEN);
	}
	r = pstate_facts_merge(&s->st.mem.gone, &s->st.mem.ngone, g, d->ndel,
	    NULL);
	free(g);
	return r == 0 ? 0 : -1;
}

/* One statement for seqs[0..n), n <= STMT_DELETE_MAX, all proven. */
static int
delete_chunk(struct session *s, const char *identity, const char *fp,
    const uint64_t *seqs, size_t n)
{
	struct stmt_delete d;
	const struct ventry *e, *top = &s->res.e[s->res.ne - 1];
	struct buf *text = NULL, *signed_ = NULL;
	size_t i;
	int r = -1;

	memset(&d, 0, sizeof(d));
	if ((d.del = calloc(n, sizeof(*d.del))) == NULL ||
	    (text = buf_new()) == NULL || (signed_ = buf_new()) == NULL)
		goto out;
	(void)strlcpy(d.mailbox, s->mailbox, sizeof(d.mailbox));
	(void)strlcpy(d.epoch, s->in.head.epoch, sizeof(d.epoch));
	(void)strlcpy(d.key, fp, sizeof(d.key));
	d.seen = top->seq;
	memcpy(d.seenhash, top->hash, STMT_HASH_LEN);
	d.time = s->now;
	for (i = 0; i < n; i++) {
		e = verify_entry(&s->res, seqs[i]);
		d.del[i].seq = seqs[i];
		memcpy(d.del[i].hash, e->hash, STMT_HASH_LEN);
	}
	d.ndel = n;
	if (stmt_delete_encode(&d, text) != 0) {
		warnx("cannot encode the delete statement");
		goto out;
	}
	if (sshsig_sign_identity(identity, PFISH_NS_DELETE, "delete statement",
	    buf_ptr(text), buf_len(text), signed_) != 0)
		goto out;
	if (psftp_delete(s->p, buf_ptr(signed_), buf_len(signed_)) != 0) {
		warnx("%s: %s", conn_host(s->c), psftp_errmsg(s->p));
		goto out;
	}
	r = remember_delete(s, &d, text);
 out:
	stmt_delete_clear(&d);
	buf_free(text);
	buf_free(signed_);
	return r;
}

static void
warn_untrusted(const struct session *s, const char *identity)
{
	u_char pk[SSHKEY_ED25519_PK];
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s%s", identity,
	    strstr(identity, ".pub") ? "" : ".pub");
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    sshkey_load_public(path, pk, NULL) != 0)
		return;
	if (trust_check(s->trust, pk, PFISH_NS_DELETE, s->now, NULL) == 0 ||
	    acct_key_may_delete(s, pk))
		return;
	if (acct_pinned(s))
		warnx("warning: %s is neither trusted for %s in %s nor a "
		    "mail key with the delete right in the account's last "
		    "state; your other devices and later runs will report "
		    "this delete as bad-delete", path, PFISH_NS_DELETE,
		    s->trustpath);
	else
		warnx("warning: %s is not trusted for %s in %s; your other "
		    "devices and later runs will report this delete as "
		    "bad-delete", path, PFISH_NS_DELETE, s->trustpath);
}

/* seqs ascending, each with an authentic record in the verified state. */
int
session_delete(struct session *s, const uint64_t *seqs, size_t n)
{
	char identity[PATH_MAX], fp[SSHKEY_FP_LEN];
	size_t i, k;

	if (n == 0)
		return 0;
	if (!s->verified || s->res.ne == 0 || !psftp_can_delete(s->p)) {
		warnx("%s: signed deletes are not available",
		    conn_host(s->c));
		return -1;
	}
	if (client_identity(s->o, identity, sizeof(identity)) != 0 ||
	    sshsig_identity_fp(identity, fp) != 0)
		return -1;
	warn_untrusted(s, identity);
	for (i = 0; i < n; i += k) {
		k = n - i > STMT_DELETE_MAX ? STMT_DELETE_MAX : n - i;
		if (delete_chunk(s, identity, fp, seqs + i, k) != 0)
			return -1;
	}
	return 0;
}

static int
parse_seqs(int argc, char **argv, uint64_t **out, size_t *nout)
{
	uint64_t *v;
	const char *e;
	int i;

	*out = NULL;
	*nout = 0;
	if (argc < 1) {
		warnx("rm: which seq?");
		return -1;
	}
	if ((v = calloc((size_t)argc, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < argc; i++) {
		v[i] = (uint64_t)strtonum(argv[i], 1, (long long)PFISH_SEQ_MAX,
		    &e);
		if (e != NULL) {
			warnx("rm: seq %s is %s", argv[i], e);
			free(v);
			return -1;
		}
	}
	*out = v;
	*nout = (size_t)argc;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Without signed state: plain REMOVE, said plainly. */
static int
rm_plain(struct session *s, const uint64_t *seqs, size_t n)
{
	char name[PFISH_NAME_MAX];
	size_t i;
	int rc = PFISH_EXIT_NOSTATE;

	session_no_state(s, "removing with plain SFTP REMOVE (unsigned, "
	    "unverifiable)");
	for (i = 0; i < n; i++) {
		if (layout_seq_name(seqs[i], PFISH_AGE_SUFFIX, name,
		    sizeof(name)) != 0 || psftp_remove(s->p, name) != 0) {
			warnx("%s", psftp_errmsg(s->p));
			rc = PFISH_EXIT_ERROR;
		}
	}
	return rc;
}

/*
 * Keep only seqs that are proven and not deleted yet; refuse the rest.  A
 * message already removed with only a server note (unsigned-delete: a
 * plain SFTP REMOVE, yours or not) is kept too: the signed delete
 * acknowledges that removal.  A message gone without even a note is not:
 * that is for pfish verify to report.
 */
static int
rm_select(struct session *s, uint64_t *seqs, size_t *n, size_t *nack)
{
	const struct ventry *e;
	size_t i, k = 0;

	*nack = 0;
	qsort(seqs, *n, sizeof(*seqs), cmp_u64);
	for (i = 0; i < *n; i++) {
		if (k > 0 && seqs[k - 1] == seqs[i])
			continue;
		e = verify_entry(&s->res, seqs[i]);
		if (e == NULL || !e->authentic) {
			warnx("rm: seq %llu has no proven record; not deleted",
			    (unsigned long long)seqs[i]);
			return -1;
		}
		if (e->status == VST_DELETED)
			continue;
		if (e->status == VST_FINDING && e->kind != VK_UNSIGNED_DELETE) {
			warnx("rm: seq %llu is %s; not deleted (see pfish "
			    "verify)", (unsigned long long)seqs[i],
			    verify_kind_name(e->kind));
			return -1;
		}
		if (e->status == VST_FINDING)
			(*nack)++;
		seqs[k++] = seqs[i];
	}
	*n = k;
	return 0;
}

static int
has_seq(const uint64_t *seqs, size_t n, uint64_t seq)
{
	return bsearch(&seq, seqs, n, sizeof(*seqs), cmp_u64) != NULL;
}

/* Findings this run's delete did not settle; exit status from them. */
static int
rm_report(const struct session *s, const uint64_t *seqs, size_t n)
{
	const struct vfinding *f;
	size_t i, left = 0;

	for (i = 0; i < s->res.nf; i++) {
		f = &s->res.f[i];
		if (f->kind == VK_UNSIGNED_DELETE && has_seq(seqs, n, f->seq))
			continue;
		fprintf(stderr, "%s %llu %s\n", verify_kind_name(f->kind),
		    (unsigned long long)f->seq, f->detail);
		left++;
	}
	return left == 0 ? PFISH_EXIT_OK : PFISH_EXIT_TAMPER;
}

int
cmd_rm(struct client_opts *o, int argc, char **argv)
{
	struct session *s = NULL;
	uint64_t *seqs = NULL;
	size_t n, nack;
	int rc = PFISH_EXIT_ERROR;

	if (parse_seqs(argc, argv, &seqs, &n) != 0 ||
	    session_open(o, &s) != 0)
		goto out;
	if (!session_signed(s) && session_downgraded(s)) {
		rc = PFISH_EXIT_TAMPER;
		goto out;
	}
	if (!session_signed(s)) {
		rc = rm_plain(s, seqs, n);
		goto out;
	}
	if (session_verify(s, 0) != 0 || rm_select(s, seqs, &n, &nack) != 0)
		goto out;
	if (session_delete(s, seqs, n) != 0)
		goto out;
	(void)session_accept(s);
	printf("deleted %zu message%s with a signed delete\n", n,
	    n == 1 ? "" : "s");
	if (nack > 0)
		printf("of which %zu already removed without one (an "
		    "unsigned-delete), now acknowledged\n", nack);
	rc = rm_report(s, seqs, n);
 out:
	free(seqs);
	session_close(s);
	return rc;
}
