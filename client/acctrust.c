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
 * acctrust.c: the client's delete trust from the signed account chain.
 *
 * The trust file pins the account's master key(s) (namespaces=
 * "pfish-account-v1").  The server serves the chain (pfish-account@pfish);
 * the client checks it with state/acchain.c, the key host's own checker,
 * checks that serial 1 is signed by a pinned master, and holds it against
 * the last serial and hash it remembers: shorter is a rollback, another
 * state at that serial a fork, a state that does not verify or chain is
 * forged.  A chain with a finding grants nothing.
 *
 * A delete is trusted through the chain when its signer is a mail key
 * with the delete right in the last state; or had that right in some
 * state and either this device already took the delete (its memory) or
 * the delete's time lies between the state that granted the right and
 * the state that took it away.  So removing a device keeps the deletes it
 * signed while it held the right, and a key root adds on the fetch host
 * (authorized_keys, the delete-key list) is in no state: never trusted.
 */

#include <sys/types.h>

#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acchain.h"
#include "account.h"
#include "client.h"
#include "sshkey.h"
#include "stmt.h"
#include "trust.h"
#include "verify.h"

int
acct_pinned(const struct session *s)
{
	return s->trust != NULL && trust_has_ns(s->trust, ACCOUNT_NS);
}

static void
acct_finding(struct session *s, enum vkind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
acct_finding(struct session *s, enum vkind kind, const char *fmt, ...)
{
	va_list ap;

	if (s->acct_f.kind != VK_NONE)
		return;		/* the first one found is named */
	s->acct_f.kind = kind;
	s->acct_f.seq = 0;
	va_start(ap, fmt);
	vsnprintf(s->acct_f.detail, sizeof(s->acct_f.detail), fmt, ap);
	va_end(ap);
}

/* psftp_account callback: bound, verify and keep one more state. */
static int
take_state(void *arg, uint64_t serial, const u_char *data, size_t len)
{
	struct session *s = arg;
	const struct acct_link *first;
	char why[160];

	if (abudget_take(&s->abudget, len) != 0) {
		s->excess = 1;
		return -1;
	}
	if (s->acct_f.kind != VK_NONE)
		return 0;	/* broken already: read on, keep nothing */
	if (acchain_append_mem(&s->acct, data, len, why, sizeof(why)) != 0) {
		acct_finding(s, VK_FORGED, "account chain: %s", why);
		return 0;
	}
	first = &s->acct.link[0];
	if (serial == 1 && trust_check(s->trust, first->signer, ACCOUNT_NS,
	    s->now, NULL) != 0)
		acct_finding(s, VK_FORGED, "account chain: serial 1 is not "
		    "signed by a master key %s pins", s->trustpath);
	return 0;
}

/* The chain against what this device verified before. */
static void
check_memory(struct session *s)
{
	const struct pstate_mem *m = &s->st.mem;

	if (m->acct_serial == 0 || s->acct_f.kind != VK_NONE)
		return;
	if (s->acct.n < m->acct_serial)
		acct_finding(s, VK_ROLLBACK, "account chain ends at serial "
		    "%zu; this device verified serial %llu", s->acct.n,
		    (unsigned long long)m->acct_serial);
	else if (memcmp(s->acct.link[m->acct_serial - 1].hash, m->acct_hash,
	    ACCOUNT_HASH_LEN) != 0)
		acct_finding(s, VK_FORK, "account chain serial %llu is not "
		    "the one this device verified",
		    (unsigned long long)m->acct_serial);
}

int
acct_fetch(struct session *s)
{
	const struct pstate_mem *m = &s->st.mem;

	acchain_free(&s->acct);
	acchain_init(&s->acct, s->mailbox);
	memset(&s->acct_f, 0, sizeof(s->acct_f));
	memset(&s->abudget, 0, sizeof(s->abudget));
	s->acct_ok = 0;
	if (!acct_pinned(s))
		return 0;
	if (psftp_can_account(s->p) && psftp_account(s->p, take_state,
	    s) != 0) {
		if (s->excess)
			warnx("%s: server sent a longer account chain than "
			    "allowed (over %d states or %d bytes)",
			    conn_host(s->c), CLIENT_ACCT_STATES,
			    CLIENT_ACCT_BYTES);
		else
			warnx("%s: cannot get the account chain: %s",
			    conn_host(s->c), psftp_errmsg(s->p));
		return -1;
	}
	if (s->acct.n == 0 && s->acct_f.kind == VK_NONE) {
		if (m->acct_serial > 0) {
			acct_finding(s, VK_DOWNGRADE, "no account chain "
			    "served; this device verified serial %llu",
			    (unsigned long long)m->acct_serial);
			return 0;
		}
		/* Never had one: the set-up is not finished. */
		warnx("%s pins account master keys (namespaces=\"%s\") but "
		    "%s serves no account chain for %s: publish it "
		    "(pfish-store account) or remove the pin", s->trustpath,
		    ACCOUNT_NS, conn_host(s->c), s->mailbox);
		return -1;
	}
	check_memory(s);
	s->acct_ok = s->acct_f.kind == VK_NONE && s->acct.n > 0;
	return 0;
}

static int
has_delete(const struct account_state *st, const u_char pk[SSHKEY_ED25519_PK])
{
	const struct account_key *k = account_find_pk(st, pk);

	return k != NULL && k->role == ACCOUNT_MAIL &&
	    (k->ops & ACCOUNT_OP_DELETE) != 0;
}

/* This device took this very delete before (its memory of deletes). */
static int
remembered(const struct session *s, const u_char hash[STMT_HASH_LEN])
{
	const struct pstate_mem *m = &s->st.mem;
	size_t i;

	for (i = 0; i < m->ngone; i++)
		if (memcmp(m->gone[i].hash, hash, STMT_HASH_LEN) == 0)
			return 1;
	return 0;
}

int
acct_delete_trusted(const struct session *s,
    const u_char pk[SSHKEY_ED25519_PK], const struct stmt_delete *d,
    const u_char hash[STMT_HASH_LEN])
{
	const struct acct_chain *ch = &s->acct;
	uint64_t from = 0;
	size_t i;
	int ever = 0, held = 0;

	if (!s->acct_ok)
		return 0;
	if (has_delete(&acchain_last(ch)->st, pk))
		return 1;
	/* Each span of states that gave pk the right: [grant, removal). */
	for (i = 0; i < ch->n; i++) {
		if (has_delete(&ch->link[i].st, pk)) {
			if (!held)
				from = ch->link[i].st.time;
			held = ever = 1;
			continue;
		}
		if (held && d->time >= from && d->time < ch->link[i].st.time)
			return 1;
		held = 0;
	}
	return ever && remembered(s, hash);
}

int
acct_key_may_delete(const struct session *s,
    const u_char pk[SSHKEY_ED25519_PK])
{
	return s->acct_ok && has_delete(&acchain_last(&s->acct)->st, pk);
}

int
acct_findings(struct session *s)
{
	struct vfinding *f;

	if (s->acct_f.kind == VK_NONE)
		return 0;
	if ((f = reallocarray(s->res.f, s->res.nf + 1, sizeof(*f))) == NULL)
		return -1;
	s->res.f = f;
	s->res.f[s->res.nf++] = s->acct_f;
	return 0;
}

void
acct_remember(struct session *s)
{
	const struct acct_link *l;

	if (!s->acct_ok || (l = acchain_last(&s->acct)) == NULL)
		return;
	s->st.mem.acct_serial = l->st.serial;
	memcpy(s->st.mem.acct_hash, l->hash, ACCOUNT_HASH_LEN);
}
