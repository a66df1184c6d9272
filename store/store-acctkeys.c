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
 * store-acctkeys.c: a mailbox's copy of its account chain
 * (.pfish/account/NNNNNNNNNNNN.state), as the store reads it: the states
 * that chain from serial 1 (state/acchain.c checks each), and, when the
 * store's trust file pins the chain (lists, for pfish-account-v1, a key
 * that signed one of its states), the delete keys of its last state.  A
 * chain nothing in the trust file pins is data the store carries for the
 * clients, who pin it themselves; the store trusts no key of it.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acchain.h"
#include "buf.h"
#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "trust.h"

int
store_account_load(int mbdir, const char *name, struct acct_chain *ch,
    char *why, size_t whylen)
{
	char fn[PFISH_NAME_MAX];
	u_char *data;
	size_t len;
	uint64_t s;
	int fd, r = 0;

	acchain_init(ch, name);
	why[0] = '\0';
	if ((fd = fs_open_dir(mbdir, PFISH_ACCOUNT_DIR_REL)) == -1)
		return errno == ENOENT ? 0 : -1;
	for (s = 1; s <= ACCHAIN_MAX; s++) {
		if (layout_state_name(s, fn, sizeof(fn)) != 0)
			break;
		if (fs_read_file(fd, fn, ACCOUNT_SIGNED_MAX, &data,
		    &len) == -1) {
			if (errno != ENOENT)
				r = -1;
			break;
		}
		if (acchain_append_mem(ch, data, len, why, whylen) != 0)
			s = ACCHAIN_MAX;	/* the chain ends here */
		else if (acchain_last(ch)->st.serial != s) {
			acchain_pop(ch);
			(void)snprintf(why, whylen, "%s holds another serial",
			    fn);
			s = ACCHAIN_MAX;
		}
		free(data);
	}
	close(fd);
	return r;
}

int
store_account_pinned(const struct store *s, const struct acct_chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		if (trust_check(s->trust, ch->link[i].signer, ACCOUNT_NS,
		    s->now, NULL) == 0)
			return 1;
	return 0;
}

int
store_account_delkeys(const struct acct_chain *ch, struct trust **out)
{
	const struct acct_link *l;
	struct buf *b;
	char *line, err[128];
	size_t i;
	int r = -1;

	*out = NULL;
	if ((l = acchain_last(ch)) == NULL)
		return 0;
	if ((b = buf_new()) == NULL)
		return -1;
	for (i = 0; i < l->st.nkeys; i++) {
		if (l->st.keys[i].role != ACCOUNT_MAIL ||
		    !(l->st.keys[i].ops & ACCOUNT_OP_DELETE))
			continue;
		if (sshkey_pub_format(l->st.keys[i].pk, NULL, &line) != 0)
			goto out;
		if (buf_putf(b, "account:%s namespaces=\"%s\" %s\n",
		    l->st.keys[i].label, PFISH_NS_DELETE, line) != 0) {
			free(line);
			goto out;
		}
		free(line);
	}
	r = buf_len(b) == 0 ? 0 : trust_parse((const char *)buf_ptr(b),
	    buf_len(b), out, err, sizeof(err)) == 0 ? 0 : -1;
 out:
	buf_free(b);
	return r;
}

struct trust *
store_account_trust(const struct store *s, int mbdir, const char *name)
{
	struct acct_chain ch;
	struct trust *t = NULL;
	char why[160];

	if (store_account_load(mbdir, name, &ch, why, sizeof(why)) == 0 &&
	    store_account_pinned(s, &ch) &&
	    store_account_delkeys(&ch, &t) != 0)
		t = NULL;
	acchain_free(&ch);
	return t;
}
