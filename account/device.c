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

/* device.c: the user's verbs: each writes, signs and uploads the next state. */

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "acctool.h"
#include "buf.h"
#include "idsign.h"
#include "sshkey.h"
#include "stmt.h"

/* What one verb needs: the chain so far, the state being built. */
struct change {
	const struct acct_link	*last;		/* NULL: no state yet */
	struct account_state	 next;
	u_char			 signer[SSHKEY_ED25519_PK];
};

static int
load_pub(const char *path, u_char pk[SSHKEY_ED25519_PK])
{
	int r;

	if ((r = sshkey_load_public(path, pk, NULL)) != 0) {
		warnx("%s: %s", path, pfish_strerror(r));
		return -1;
	}
	return 0;
}

static int
add(struct account_state *st, enum account_role role, const char *label,
    const u_char pk[SSHKEY_ED25519_PK], int ops)
{
	const struct account_key *o;
	struct account_key *k;

	if (!stmt_valid_mailbox(label) || strlen(label) > ACCOUNT_LABEL_MAX) {
		warnx("%s: a label is 1 to %d characters of [A-Za-z0-9_.-], "
		    "not starting with '.' or '-'", label, ACCOUNT_LABEL_MAX);
		return -1;
	}
	if (account_find_label(st, label) != NULL) {
		warnx("%s: the account already has a key of that label",
		    label);
		return -1;
	}
	if ((o = account_find_pk(st, pk)) != NULL) {
		warnx("%s: that key is already in the account as %s %s",
		    label, account_role_name(o->role), o->label);
		return -1;
	}
	if (st->nkeys == ACCOUNT_KEYS_MAX) {
		warnx("the account has %d keys, the most it can hold",
		    ACCOUNT_KEYS_MAX);
		return -1;
	}
	k = &st->keys[st->nkeys++];
	memset(k, 0, sizeof(*k));
	k->role = role;
	strlcpy(k->label, label, sizeof(k->label));
	memcpy(k->pk, pk, SSHKEY_ED25519_PK);
	k->ops = ops;
	return 0;
}

static void
drop(struct account_state *st, size_t i)
{
	st->keys[i] = st->keys[--st->nkeys];
}

/* init ACCOUNT LABEL: the signing key becomes the first master. */
static int
verb_init(struct change *x, char **argv)
{
	if (x->last != NULL) {
		warnx("%s: the account already has states; init starts a new "
		    "one only", argv[1]);
		return -1;
	}
	strlcpy(x->next.account, argv[1], sizeof(x->next.account));
	return add(&x->next, ACCOUNT_MASTER, argv[2], x->signer, 0);
}

/* add-key ACCOUNT LABEL PUBFILE OPS|recovery */
static int
verb_add(struct change *x, char **argv)
{
	u_char pk[SSHKEY_ED25519_PK];
	int ops;

	if (load_pub(argv[3], pk) != 0)
		return -1;
	if (strcmp(argv[4], "recovery") == 0)
		return add(&x->next, ACCOUNT_RECOVERY, argv[2], pk, 0);
	if ((ops = account_ops_parse(argv[4])) <= 0) {
		warnx("%s: operations are a comma list of fetch, delete, "
		    "recipient (or the word recovery)", argv[4]);
		return -1;
	}
	return add(&x->next, ACCOUNT_MAIL, argv[2], pk, ops);
}

/* remove-key ACCOUNT LABEL: a mail or recovery key. */
static int
verb_remove(struct change *x, char **argv)
{
	size_t i;

	for (i = 0; i < x->next.nkeys; i++)
		if (strcmp(x->next.keys[i].label, argv[2]) == 0)
			break;
	if (i == x->next.nkeys) {
		warnx("%s: no key of that label in the account", argv[2]);
		return -1;
	}
	if (x->next.keys[i].role == ACCOUNT_MASTER) {
		warnx("%s: a master is replaced with rotate-master, not "
		    "removed", argv[2]);
		return -1;
	}
	drop(&x->next, i);
	return 0;
}

/* rotate-master / recover ACCOUNT LABEL PUBFILE: the new sole master. */
static int
verb_master(struct change *x, char **argv)
{
	u_char pk[SSHKEY_ED25519_PK];
	size_t i;

	if (load_pub(argv[3], pk) != 0)
		return -1;
	for (i = x->next.nkeys; i-- > 0; )
		if (x->next.keys[i].role == ACCOUNT_MASTER)
			drop(&x->next, i);
	return add(&x->next, ACCOUNT_MASTER, argv[2], pk, 0);
}

static const struct verb {
	const char	*name;
	int		 argc;		/* with the verb and the account */
	int		(*fn)(struct change *, char **);
	enum account_role signer;	/* role the signing key must have */
} verbs[] = {
	{ "init", 3, verb_init, 0 },
	{ "add-key", 5, verb_add, ACCOUNT_MASTER },
	{ "remove-key", 3, verb_remove, ACCOUNT_MASTER },
	{ "rotate-master", 4, verb_master, ACCOUNT_MASTER },
	{ "recover", 4, verb_master, ACCOUNT_RECOVERY },
};

static const struct verb *
find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static void
show_key(char sign, const struct account_key *k)
{
	char fp[SSHKEY_FP_LEN], ops[32];

	sshkey_fingerprint(k->pk, fp);
	fprintf(stderr, "  %c %s %s %s%s%s\n", sign, account_role_name(k->role),
	    k->label, fp, k->ops != 0 ? " " : "",
	    account_ops_string(k->ops, ops, sizeof(ops)));
}

/* What changes, key by key (matched by public key), on stderr. */
static void
show_changes(const struct account_state *a, const struct account_state *b)
{
	const struct account_key *k, *o;
	size_t i;

	fprintf(stderr, "%s: serial %llu, signed by %s\n", b->account,
	    (unsigned long long)b->serial, b->key);
	for (i = 0; a != NULL && i < a->nkeys; i++)
		if (account_find_pk(b, a->keys[i].pk) == NULL)
			show_key('-', &a->keys[i]);
	for (i = 0; i < b->nkeys; i++) {
		k = &b->keys[i];
		if (a == NULL || (o = account_find_pk(a, k->pk)) == NULL)
			show_key('+', k);
		else if (o->role != k->role || o->ops != k->ops ||
		    strcmp(o->label, k->label) != 0) {
			show_key('-', o);
			show_key('+', k);
		}
	}
}

/* Run the upload command with the signed state on its stdin. */
static int
upload(const char *cmd, const struct buf *signed_state)
{
	int p[2], status = 0;
	void (*old)(int);
	ssize_t n;
	pid_t pid;

	if (pipe(p) == -1 || (pid = fork()) == -1) {
		warn("upload");
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		if (dup2(p[0], STDIN_FILENO) == -1)
			_exit(127);
		/* The state goes to the key host, never to our stdout. */
		if (dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	old = signal(SIGPIPE, SIG_IGN);
	n = write(p[1], buf_ptr(signed_state), buf_len(signed_state));
	close(p[1]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)buf_len(signed_state) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		warnx("upload failed (%s exited %d); the local chain is "
		    "unchanged", cmd, WIFEXITED(status) ? WEXITSTATUS(status) :
		    -1);
		return -1;
	}
	return 0;
}

/* Build the next state from the last one and the verb. */
static int
build(struct acct_ctx *c, const struct verb *v, char **argv, struct change *x)
{
	const struct account_key *k;
	int r;

	if (x->last != NULL) {
		x->next = x->last->st;
		x->next.serial = x->last->st.serial + 1;
		memcpy(x->next.prev, x->last->hash, ACCOUNT_HASH_LEN);
		if ((k = account_find_pk(&x->last->st, x->signer)) == NULL ||
		    k->role != v->signer) {
			warnx("%s: %s needs a %s key of the account to sign",
			    c->identity, v->name, account_role_name(v->signer));
			return ACCT_EX_USAGE;
		}
	} else if (strcmp(v->name, "init") != 0) {
		warnx("%s: no local state; start with init", argv[1]);
		return ACCT_EX_USAGE;
	} else {
		memset(&x->next, 0, sizeof(x->next));
		x->next.serial = 1;
	}
	x->next.time = c->now;
	if (x->last != NULL && x->next.time < x->last->st.time)
		x->next.time = x->last->st.time;
	sshkey_fingerprint(x->signer, x->next.key);
	if (v->fn(x, argv) != 0)
		return ACCT_EX_USAGE;
	account_sort(&x->next);
	/* Never sign what the key host would refuse. */
	if ((r = account_chain_check(x->last != NULL ? &x->last->st : NULL,
	    x->last != NULL ? x->last->hash : NULL, &x->next,
	    x->signer)) != 0) {
		warnx("%s: not signed: %s", argv[1], pfish_strerror(r));
		return ACCT_EX_REFUSED;
	}
	return 0;
}

static int
sign_and_send(struct acct_ctx *c, const char *name, int dirfd,
    struct acct_chain *ch, struct change *x)
{
	struct buf *text = NULL, *sig = NULL;
	int already, r, ret = ACCT_EX_ERROR;

	if ((text = buf_new()) == NULL || (sig = buf_new()) == NULL)
		goto out;
	if ((r = account_encode(&x->next, text)) != 0) {
		warnx("%s: %s", name, pfish_strerror(r));
		goto out;
	}
	show_changes(x->last != NULL ? &x->last->st : NULL, &x->next);
	if (sshsig_sign_identity(c->identity, ACCOUNT_NS, "account state",
	    buf_ptr(text), buf_len(text), sig) != 0)
		goto out;
	if (c->upload != NULL && upload(c->upload, sig) != 0)
		goto out;
	/* The local chain checks it once more, as the key host does. */
	if ((ret = acct_chain_offer(c, name, dirfd, ch, buf_ptr(sig),
	    buf_len(sig), &already)) != 0)
		goto out;
	if (c->upload == NULL &&
	    fwrite(buf_ptr(sig), 1, buf_len(sig), stdout) != buf_len(sig)) {
		warn("stdout");
		ret = ACCT_EX_ERROR;
	}
 out:
	buf_free(text);
	buf_free(sig);
	return ret;
}

int
acct_device(struct acct_ctx *c, int argc, char **argv)
{
	const struct verb *v;
	struct acct_chain ch;
	struct change x;
	int dirfd = -1, ret;

	if ((v = find_verb(argv[0])) == NULL || argc != v->argc)
		return ACCT_SYNTAX;
	if (c->identity == NULL) {
		warnx("%s: the signing key (-k) is required", v->name);
		return ACCT_EX_USAGE;
	}
	memset(&x, 0, sizeof(x));
	if (sshsig_identity_pub(c->identity, x.signer) != 0)
		return ACCT_EX_ERROR;
	if ((ret = acct_chain_open(c, argv[1], strcmp(v->name, "init") == 0,
	    &dirfd, &ch)) != 0)
		return ret;
	x.last = acchain_last(&ch);
	if ((ret = build(c, v, argv, &x)) == 0)
		ret = sign_and_send(c, argv[1], dirfd, &ch, &x);
	close(dirfd);
	acchain_free(&ch);
	return ret;
}
