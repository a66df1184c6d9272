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

/* acchain.c: an account's chain of states, loaded and verified (acchain.h). */

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acchain.h"
#include "account.h"
#include "fsutil.h"
#include "layout.h"
#include "pfisherr.h"
#include "sshsig.h"

#define END_LINE	"\n" SSHSIG_END "\n"

static void
say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

void
acchain_init(struct acct_chain *ch, const char *account)
{
	memset(ch, 0, sizeof(*ch));
	if (account != NULL)
		strlcpy(ch->account, account, sizeof(ch->account));
}

void
acchain_free(struct acct_chain *ch)
{
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < ch->n; i++)
		free(ch->link[i].data);
	free(ch->link);
	ch->link = NULL;
	ch->n = 0;
}

const struct acct_link *
acchain_last(const struct acct_chain *ch)
{
	return ch->n == 0 ? NULL : &ch->link[ch->n - 1];
}

void
acchain_pop(struct acct_chain *ch)
{
	if (ch->n == 0)
		return;
	ch->n--;
	free(ch->link[ch->n].data);
	memset(&ch->link[ch->n], 0, sizeof(ch->link[ch->n]));
}

/*
 * Check data as the next state of ch into l (data not copied): signature,
 * account, then the chain rules against the last link.
 */
static int
check_next(const struct acct_chain *ch, const u_char *data, size_t len,
    struct acct_link *l, char *why, size_t whylen)
{
	const struct acct_link *prev = acchain_last(ch);
	uint64_t want = (uint64_t)ch->n + 1;
	int r;

	memset(l, 0, sizeof(*l));
	if ((r = account_verify_signed(data, len, &l->st, l->signer,
	    l->hash)) != 0) {
		say(why, whylen, "serial %llu: %s", (unsigned long long)want,
		    pfish_strerror(r));
		return r;
	}
	if (ch->account[0] != '\0' && strcmp(l->st.account,
	    ch->account) != 0) {
		say(why, whylen, "serial %llu: the state is for account %s",
		    (unsigned long long)l->st.serial, l->st.account);
		return ACCOUNT_ERR_NAME;
	}
	if ((r = account_chain_check(prev != NULL ? &prev->st : NULL,
	    prev != NULL ? prev->hash : NULL, &l->st, l->signer)) != 0) {
		say(why, whylen, "serial %llu: %s",
		    (unsigned long long)l->st.serial, pfish_strerror(r));
		return r;
	}
	return 0;
}

/* Room for one more link. */
static int
grow(struct acct_chain *ch, char *why, size_t whylen)
{
	struct acct_link *v;

	if (ch->n >= ACCHAIN_MAX) {
		say(why, whylen, "more than %d states", ACCHAIN_MAX);
		return ACCHAIN_ERR_TOOMANY;
	}
	if ((v = reallocarray(ch->link, ch->n + 1, sizeof(*v))) == NULL) {
		say(why, whylen, "%s", pfish_strerror(ACCHAIN_ERR_ALLOC));
		return ACCHAIN_ERR_ALLOC;
	}
	ch->link = v;
	return 0;
}

/* Append l, taking its data. */
static void
push(struct acct_chain *ch, const struct acct_link *l)
{
	ch->link[ch->n++] = *l;
	if (ch->account[0] == '\0')
		strlcpy(ch->account, l->st.account, sizeof(ch->account));
}

int
acchain_append_mem(struct acct_chain *ch, const u_char *data, size_t len,
    char *why, size_t whylen)
{
	struct acct_link l;
	int r;

	if ((r = check_next(ch, data, len, &l, why, whylen)) != 0 ||
	    (r = grow(ch, why, whylen)) != 0)
		return r;
	if ((l.data = malloc(len == 0 ? 1 : len)) == NULL) {
		say(why, whylen, "%s", pfish_strerror(ACCHAIN_ERR_ALLOC));
		return ACCHAIN_ERR_ALLOC;
	}
	memcpy(l.data, data, len);
	l.len = len;
	push(ch, &l);
	return 0;
}

size_t
acchain_split(const u_char *p, size_t len)
{
	const size_t el = sizeof(END_LINE) - 1;
	const u_char *e;

	if (len < el || (e = memmem(p, len, END_LINE, el)) == NULL)
		return 0;
	return (size_t)(e - p) + el;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The serials named in dirfd, sorted; they must be 1..n, n <= max. */
static int
list_serials(int dirfd, uint64_t max, uint64_t **out, size_t *np, char *why,
    size_t whylen)
{
	struct dirent *de;
	uint64_t *v = NULL, *nv, s;
	size_t n = 0, i;
	DIR *d;

	*out = NULL;
	*np = 0;
	if ((d = fs_dir_stream(dirfd)) == NULL) {
		say(why, whylen, "%s", strerror(errno));
		return ACCHAIN_ERR_IO;
	}
	while ((de = readdir(d)) != NULL) {
		if (layout_seq_parse(de->d_name, PFISH_STATE_SUFFIX, &s) != 0)
			continue;
		if (n >= max || n >= ACCHAIN_MAX) {
			closedir(d);
			free(v);
			say(why, whylen, "more than %llu states",
			    (unsigned long long)(max < ACCHAIN_MAX ? max :
			    ACCHAIN_MAX));
			return ACCHAIN_ERR_TOOMANY;
		}
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			closedir(d);
			free(v);
			say(why, whylen, "%s",
			    pfish_strerror(ACCHAIN_ERR_ALLOC));
			return ACCHAIN_ERR_ALLOC;
		}
		v = nv;
		v[n++] = s;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), u64_cmp);
	for (i = 0; i < n; i++)
		if (v[i] != i + 1) {
			say(why, whylen, "serial %llu is missing",
			    (unsigned long long)(i + 1));
			free(v);
			return ACCHAIN_ERR_GAP;
		}
	*out = v;
	*np = n;
	return 0;
}

/* Read serial s from dirfd and append it; it must follow the chain. */
static int
load_one(int dirfd, uint64_t s, struct acct_chain *ch, char *why,
    size_t whylen)
{
	struct acct_link l;
	u_char *data = NULL;
	size_t len = 0;
	char fn[PFISH_NAME_MAX];
	int r;

	if (layout_state_name(s, fn, sizeof(fn)) != 0 ||
	    fs_read_file(dirfd, fn, ACCOUNT_SIGNED_MAX, &data, &len) == -1) {
		say(why, whylen, "%s: %s", fn, strerror(errno));
		return ACCHAIN_ERR_IO;
	}
	if ((r = check_next(ch, data, len, &l, why, whylen)) == 0 &&
	    l.st.serial != s) {
		say(why, whylen, "%s holds serial %llu", fn,
		    (unsigned long long)l.st.serial);
		r = ACCOUNT_ERR_SERIAL;
	}
	if (r != 0) {
		free(data);
		return r;
	}
	l.data = data;
	l.len = len;
	push(ch, &l);
	return 0;
}

int
acchain_load(int dirfd, const char *account, uint64_t max,
    struct acct_chain *ch, char *why, size_t whylen)
{
	uint64_t *serials = NULL;
	size_t n, i;
	int r;

	acchain_init(ch, account);
	if ((r = list_serials(dirfd, max, &serials, &n, why, whylen)) != 0)
		return r;
	if (n > 0 && (ch->link = calloc(n, sizeof(*ch->link))) == NULL) {
		free(serials);
		say(why, whylen, "%s", pfish_strerror(ACCHAIN_ERR_ALLOC));
		return ACCHAIN_ERR_ALLOC;
	}
	for (i = 0; i < n; i++)
		if ((r = load_one(dirfd, serials[i], ch, why, whylen)) != 0)
			break;
	free(serials);
	if (r != 0)
		acchain_free(ch);
	return r;
}
