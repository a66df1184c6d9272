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

/* trust.c: allowed_signers trust files and authorized_keys key lists. */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sshkey.h"
#include "trust.h"

#define TRUST_FILE_MAX	(1024 * 1024)
#define TRUST_LINE_MAX	(16 * 1024)
#define TRUST_ENTRIES_MAX 100000

struct trust_entry {
	u_char		 pk[SSHKEY_ED25519_PK];
	char		*principals;
	char		*namespaces;	/* NULL: every namespace */
	uint64_t	 valid_after;	/* 0: unset */
	uint64_t	 valid_before;	/* 0: unset */
};

struct trust {
	struct trust_entry *e;
	size_t		 n;
	size_t		 alloc;
};

/* What one line of a trust file says; owned strings. */
struct line_opts {
	char		*namespaces;
	uint64_t	 valid_after;
	uint64_t	 valid_before;
	int		 cert_authority;
};

static void
seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	/* Truncation only shortens a message for humans. */
	(void)vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

void
trust_free(struct trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->e[i].principals);
		free(t->e[i].namespaces);
	}
	free(t->e);
	free(t);
}

size_t
trust_count(const struct trust *t)
{
	return t == NULL ? 0 : t->n;
}

/* Takes ownership of principals and namespaces, even on failure. */
static int
trust_add(struct trust *t, const u_char pk[SSHKEY_ED25519_PK],
    char *principals, struct line_opts *o)
{
	struct trust_entry *ne, *e;
	size_t nalloc;

	if (t->n == t->alloc) {
		nalloc = t->alloc == 0 ? 8 : t->alloc * 2;
		if (t->n >= TRUST_ENTRIES_MAX ||
		    (ne = reallocarray(t->e, nalloc, sizeof(*ne))) == NULL) {
			free(principals);
			free(o->namespaces);
			o->namespaces = NULL;
			return TRUST_ERR_ALLOC;
		}
		t->e = ne;
		t->alloc = nalloc;
	}
	e = &t->e[t->n++];
	memcpy(e->pk, pk, SSHKEY_ED25519_PK);
	e->principals = principals;
	e->namespaces = o->namespaces;
	e->valid_after = o->valid_after;
	e->valid_before = o->valid_before;
	o->namespaces = NULL;
	return 0;
}

/*
 * Wildcard match of one pattern ('*' any run, '?' one character) against
 * s, the way OpenSSH matches namespaces: no character classes.
 */
static int
glob_match(const char *s, const char *pat, size_t patlen)
{
	size_t si = 0, pi = 0, star_pi = (size_t)-1, star_si = 0;
	size_t slen = strlen(s);

	while (si < slen) {
		if (pi < patlen && (pat[pi] == '?' || pat[pi] == s[si])) {
			si++;
			pi++;
		} else if (pi < patlen && pat[pi] == '*') {
			star_pi = pi++;
			star_si = si;
		} else if (star_pi != (size_t)-1) {
			pi = star_pi + 1;
			si = ++star_si;
		} else
			return 0;
	}
	while (pi < patlen && pat[pi] == '*')
		pi++;
	return pi == patlen;
}

/* 1 if s matches a pattern of the comma list and no negated ('!') one. */
static int
match_list(const char *s, const char *list)
{
	const char *p = list, *comma;
	size_t len;
	int neg, got = 0;

	for (;;) {
		comma = strchr(p, ',');
		len = comma == NULL ? strlen(p) : (size_t)(comma - p);
		neg = len > 0 && *p == '!';
		if (len > (size_t)neg &&
		    glob_match(s, p + neg, len - (size_t)neg)) {
			if (neg)
				return 0;
			got = 1;
		}
		if (comma == NULL)
			return got;
		p = comma + 1;
	}
}

int
trust_check(const struct trust *t, const u_char pk[SSHKEY_ED25519_PK],
    const char *ns, uint64_t now, const char **principal)
{
	const struct trust_entry *e;
	size_t i;

	if (principal != NULL)
		*principal = NULL;
	if (t == NULL)
		return TRUST_ERR_NOT_TRUSTED;
	for (i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (memcmp(e->pk, pk, SSHKEY_ED25519_PK) != 0)
			continue;
		if (e->namespaces != NULL && !match_list(ns, e->namespaces))
			continue;
		if (e->valid_after != 0 && now < e->valid_after)
			continue;
		if (e->valid_before != 0 && now > e->valid_before)
			continue;
		if (principal != NULL)
			*principal = e->principals;
		return 0;
	}
	return TRUST_ERR_NOT_TRUSTED;
}

int
trust_has_ns(const struct trust *t, const char *ns)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (t->e[i].namespaces == NULL ||
		    match_list(ns, t->e[i].namespaces))
			return 1;
	return 0;
}

/* n decimal digits at s; -1 if any is not a digit. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYYMMDD[HHMM[SS]][Z]: Z means UTC, otherwise local time. */
static int
parse_time(const char *s, uint64_t *out)
{
	struct tm tm;
	size_t len = strlen(s);
	int utc = 0;
	time_t t;

	*out = 0;
	if (len > 0 && s[len - 1] == 'Z') {
		utc = 1;
		len--;
	}
	if (len != 8 && len != 12 && len != 14)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 4, 2) - 1;
	tm.tm_mday = digits(s + 6, 2);
	if (len >= 12) {
		tm.tm_hour = digits(s + 8, 2);
		tm.tm_min = digits(s + 10, 2);
	}
	if (len == 14)
		tm.tm_sec = digits(s + 12, 2);
	if (tm.tm_year < 70 - 1 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t <= 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

/*
 * A double-quoted option value at *pp (\" escapes a quote); *pp moves past
 * the closing quote.  NULL on a missing quote or allocation failure.
 */
static char *
dequote(const char **pp)
{
	const char *p = *pp;
	char *v;
	size_t i = 0;

	if (*p != '"' || (v = malloc(strlen(p))) == NULL)
		return NULL;
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (p[0] == '\\' && p[1] == '"')
			p++;
		v[i++] = *p;
	}
	if (*p != '"') {
		free(v);
		return NULL;
	}
	v[i] = '\0';
	*pp = p + 1;
	return v;
}

/* Case-insensitive "name=" or bare flag name at p. */
static int
opt_is(const char *p, const char *name, int has_value)
{
	size_t n = strlen(name);

	if (strncasecmp(p, name, n) != 0)
		return 0;
	if (has_value)
		return p[n] == '=';
	return p[n] == ',' || p[n] == ' ' || p[n] == '\t' || p[n] == '\0';
}

/* Does the field at p start an options list (rather than a key type)? */
static int
is_options(const char *p)
{
	return opt_is(p, "namespaces", 1) || opt_is(p, "valid-after", 1) ||
	    opt_is(p, "valid-before", 1) || opt_is(p, "cert-authority", 0);
}

static void
opts_clear(struct line_opts *o)
{
	free(o->namespaces);
	memset(o, 0, sizeof(*o));
}

/* valid-after / valid-before: a quoted time, set once. */
static int
opt_time(const char **pp, uint64_t *tp, const char **why)
{
	char *v;
	int r;

	if (*tp != 0) {
		*why = "option given twice";
		return -1;
	}
	if ((v = dequote(pp)) == NULL) {
		*why = "option value needs double quotes";
		return -1;
	}
	r = parse_time(v, tp);
	free(v);
	if (r != 0)
		*why = "invalid time (want YYYYMMDD[HHMM[SS]][Z])";
	return r;
}

/* The comma-separated options field; *pp ends at the following blank. */
static int
parse_opts(const char **pp, struct line_opts *o, const char **why)
{
	const char *p = *pp;

	for (;;) {
		if (opt_is(p, "cert-authority", 0)) {
			o->cert_authority = 1;
			p += strlen("cert-authority");
		} else if (opt_is(p, "namespaces", 1)) {
			p += strlen("namespaces=");
			if (o->namespaces != NULL) {
				*why = "option given twice";
				return -1;
			}
			if ((o->namespaces = dequote(&p)) == NULL) {
				*why = "option value needs double quotes";
				return -1;
			}
		} else if (opt_is(p, "valid-after", 1)) {
			p += strlen("valid-after=");
			if (opt_time(&p, &o->valid_after, why) != 0)
				return -1;
		} else if (opt_is(p, "valid-before", 1)) {
			p += strlen("valid-before=");
			if (opt_time(&p, &o->valid_before, why) != 0)
				return -1;
		} else {
			*why = "unsupported option";
			return -1;
		}
		if (*p == ' ' || *p == '\t')
			break;
		if (*p != ',' || p[1] == '\0' || p[1] == ' ' || p[1] == '\t') {
			*why = *p == '\0' ? "missing key" : "bad option list";
			return -1;
		}
		p++;
	}
	if (o->valid_after != 0 && o->valid_before != 0 &&
	    o->valid_before <= o->valid_after) {
		*why = "valid-before is not after valid-after";
		return -1;
	}
	*pp = p;
	return 0;
}

/* The principals field: one word, or a double-quoted string. */
static char *
parse_principals(const char **pp, const char **why)
{
	const char *p = *pp, *end;
	char *v;

	if (*p == '"') {
		if ((end = strchr(p + 1, '"')) == NULL) {
			*why = "missing closing quote";
			return NULL;
		}
		v = strndup(p + 1, (size_t)(end - p - 1));
		end++;
	} else {
		end = p + strcspn(p, " \t");
		v = strndup(p, (size_t)(end - p));
	}
	if (v == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (*v == '\0' || (*end != ' ' && *end != '\t')) {
		*why = *v == '\0' ? "empty principals" : "missing key";
		free(v);
		return NULL;
	}
	*pp = end;
	return v;
}

/* Key types other than ssh-ed25519 that OpenSSH knows: skipped. */
static int
is_other_keytype(const char *p)
{
	static const char *const prefixes[] = {
		"ssh-", "ecdsa-", "sk-", "rsa-", "x509v3-"
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/*
 * One NUL-terminated allowed_signers line.  0 with an entry added, 0 for
 * a line that adds nothing (blank, comment, other key type,
 * cert-authority), -1 with *why set.
 */
static int
parse_signers_line(struct trust *t, const char *line, const char **why)
{
	struct line_opts o;
	u_char pk[SSHKEY_ED25519_PK];
	const char *p = line + strspn(line, " \t");
	char *principals = NULL;
	int r = -1;

	memset(&o, 0, sizeof(o));
	if (*p == '#' || *p == '\0')
		return 0;
	if ((principals = parse_principals(&p, why)) == NULL)
		return -1;
	p += strspn(p, " \t");
	if (is_options(p)) {
		if (parse_opts(&p, &o, why) != 0)
			goto out;
		p += strspn(p, " \t");
	}
	if (*p == '\0') {
		*why = "missing key";
		goto out;
	}
	if (sshkey_pub_parse_line(p, pk, NULL) == SSHKEY_ERR_TYPE) {
		if (!is_other_keytype(p)) {
			*why = "unknown key type or option";
			goto out;
		}
		r = 0;		/* a key pfish cannot use; not an error */
		goto out;
	} else if (sshkey_pub_parse_line(p, pk, NULL) != 0) {
		*why = "invalid ssh-ed25519 key";
		goto out;
	}
	if (o.cert_authority) {
		r = 0;		/* certificates are not supported: skip */
		goto out;
	}
	if (trust_add(t, pk, principals, &o) != 0) {
		principals = NULL;
		*why = "out of memory";
		goto out;
	}
	principals = NULL;
	r = 0;
 out:
	free(principals);
	opts_clear(&o);
	return r;
}

/*
 * Feed each line of text to fn.  Lines end in LF (a CR before it is
 * dropped); NUL bytes and overlong lines are errors naming the line.
 */
static int
for_each_line(struct trust *t, const char *text, size_t len,
    int (*fn)(struct trust *, const char *, const char **, void *),
    void *arg, char *errbuf, size_t errlen)
{
	const char *p = text, *nl, *why = NULL;
	char *line;
	size_t n, lineno = 0;

	if (memchr(text, '\0', len) != NULL) {
		seterr(errbuf, errlen, "NUL byte in trust file");
		return TRUST_ERR_FORMAT;
	}
	while (p < text + len) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(text + len - p));
		n = nl == NULL ? (size_t)(text + len - p) : (size_t)(nl - p);
		if (n > TRUST_LINE_MAX) {
			seterr(errbuf, errlen, "line %zu: too long", lineno);
			return TRUST_ERR_FORMAT;
		}
		if ((line = strndup(p, n > 0 && p[n - 1] == '\r' ?
		    n - 1 : n)) == NULL) {
			seterr(errbuf, errlen, "out of memory");
			return TRUST_ERR_ALLOC;
		}
		if (fn(t, line, &why, arg) != 0) {
			free(line);
			seterr(errbuf, errlen, "line %zu: %s", lineno, why);
			return TRUST_ERR_FORMAT;
		}
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static int
signers_line_cb(struct trust *t, const char *line, const char **why,
    void *arg)
{
	(void)arg;
	return parse_signers_line(t, line, why);
}

/* A fresh trust list from text, one line at a time through fn. */
static int
parse_text(const char *text, size_t len,
    int (*fn)(struct trust *, const char *, const char **, void *),
    void *arg, struct trust **out, char *errbuf, size_t errlen)
{
	struct trust *t;
	int r;

	*out = NULL;
	seterr(errbuf, errlen, "no error");
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		seterr(errbuf, errlen, "out of memory");
		return TRUST_ERR_ALLOC;
	}
	if ((r = for_each_line(t, text, len, fn, arg, errbuf, errlen)) != 0) {
		trust_free(t);
		return r;
	}
	*out = t;
	return 0;
}

int
trust_parse(const char *text, size_t len, struct trust **out, char *errbuf,
    size_t errlen)
{
	return parse_text(text, len, signers_line_cb, NULL, out, errbuf,
	    errlen);
}

static int
load_file(const char *path, u_char **datap, size_t *lenp, char *errbuf,
    size_t errlen)
{
	int r;

	if ((r = sshkey_read_file(path, TRUST_FILE_MAX, 0, datap,
	    lenp)) != 0) {
		seterr(errbuf, errlen, "%s: %s", path,
		    r == SSHKEY_ERR_IO ? strerror(errno) : pfish_strerror(r));
		return r == SSHKEY_ERR_IO ? TRUST_ERR_IO : TRUST_ERR_ALLOC;
	}
	return 0;
}

/* Prefix the path to a parser's "line N: ..." message. */
static void
prefix_path(const char *path, char *errbuf, size_t errlen)
{
	char *msg;

	if (errbuf == NULL || errlen == 0 || (msg = strdup(errbuf)) == NULL)
		return;
	seterr(errbuf, errlen, "%s: %s", path, msg);
	free(msg);
}

int
trust_load(const char *path, struct trust **out, char *errbuf, size_t errlen)
{
	u_char *data;
	size_t len;
	int r;

	*out = NULL;
	if ((r = load_file(path, &data, &len, errbuf, errlen)) != 0)
		return r;
	if ((r = trust_parse((char *)data, len, out, errbuf, errlen)) != 0)
		prefix_path(path, errbuf, errlen);
	sshkey_file_free(data, len, 0);
	return r;
}

/* addr (numeric IPv4 or IPv6) inside "net/bits"; -1 if not an address. */
static int
cidr_match(const char *addr, const char *ent, size_t len)
{
	u_char a[16], n[16];
	char net[64];
	const char *slash, *e;
	size_t alen, i;
	int fam, bits;

	if ((slash = memchr(ent, '/', len)) == NULL ||
	    (size_t)(slash - ent) >= sizeof(net))
		return -1;
	memcpy(net, ent, (size_t)(slash - ent));
	net[slash - ent] = '\0';
	fam = strchr(net, ':') != NULL ? AF_INET6 : AF_INET;
	alen = fam == AF_INET6 ? 16 : 4;
	if (inet_pton(fam, net, n) != 1)
		return -1;
	if (inet_pton(fam, addr, a) != 1)
		return 0;	/* the other family */
	if (len - (size_t)(slash - ent) - 1 == 0 ||
	    len - (size_t)(slash - ent) - 1 > 3)
		return -1;
	memcpy(net, slash + 1, len - (size_t)(slash - ent) - 1);
	net[len - (size_t)(slash - ent) - 1] = '\0';
	bits = (int)strtonum(net, 0, (long long)alen * 8, &e);
	if (e != NULL)
		return -1;
	for (i = 0; i < alen && bits > 0; i++, bits -= 8) {
		u_char mask = bits >= 8 ? 0xff : (u_char)(0xff << (8 - bits));

		if ((a[i] & mask) != (n[i] & mask))
			return 0;
	}
	return 1;
}

/*
 * from="pattern-list" against the client's address, as sshd matches it
 * (without host names): entries are '*' and '?' patterns or CIDR
 * net/bits, a leading '!' negates; a negated match refuses, else any
 * match accepts.  A malformed CIDR entry refuses the key.
 */
static int
from_matches(const char *addr, const char *list)
{
	const char *p = list, *comma;
	size_t len;
	int neg, m, got = 0;

	for (;;) {
		comma = strchr(p, ',');
		len = comma == NULL ? strlen(p) : (size_t)(comma - p);
		neg = len > 0 && *p == '!';
		if (memchr(p, '/', len) != NULL) {
			if ((m = cidr_match(addr, p + neg,
			    len - (size_t)neg)) < 0)
				return 0;
		} else
			m = len > (size_t)neg &&
			    glob_match(addr, p + neg, len - (size_t)neg);
		if (m && neg)
			return 0;
		got |= m;
		if (comma == NULL)
			return got;
		p = comma + 1;
	}
}

/*
 * authorized_keys options that restrict other uses of a key (sessions,
 * forwarding, the environment) and so leave signing deletes alone.
 */
static const char *const ak_harmless[] = {
	"restrict", "no-pty", "pty", "no-port-forwarding", "port-forwarding",
	"no-agent-forwarding", "agent-forwarding", "no-x11-forwarding",
	"x11-forwarding", "no-user-rc", "user-rc", "no-touch-required",
	"verify-required", "permitopen", "permitlisten", "environment",
	"tunnel"
};

struct ak_arg {
	const char	*ns;
	const char	*addr;		/* the session's client, or NULL */
	size_t		 lineno;
};

/*
 * One option at *pp: its name into name, its dequoted value (or NULL)
 * into *value.  -1 on a malformed option (unterminated quote, no name).
 */
static int
ak_opt_next(const char **pp, char *name, size_t namesz, char **value)
{
	const char *p = *pp;
	size_t n = strcspn(p, "=, \t");

	*value = NULL;
	if (n == 0 || n >= namesz)
		return -1;
	memcpy(name, p, n);
	name[n] = '\0';
	p += n;
	if (*p == '=') {
		p++;
		if ((*value = dequote(&p)) == NULL)
			return -1;
	}
	*pp = p;
	return 0;
}

/*
 * The options field of an authorized_keys line, for a delete key:
 * 1 usable (o->valid_before from expiry-time=), 0 not a delete key
 * (command=, principals=, cert-authority or an option pfish does not
 * know; from= not matching the client; expiry-time= malformed), -1
 * malformed.  Without a session (addr NULL) from= and expiry-time= are
 * not applied.
 */
static int
ak_opts(const char **pp, const struct ak_arg *a, struct line_opts *o)
{
	char name[32], *v;
	size_t i;
	int usable = 1;

	for (;;) {
		if (ak_opt_next(pp, name, sizeof(name), &v) != 0)
			return -1;
		if (strcasecmp(name, "expiry-time") == 0) {
			if (v == NULL || parse_time(v, &o->valid_before) != 0)
				usable = 0;
			if (a->addr == NULL)
				o->valid_before = 0;
		} else if (strcasecmp(name, "from") == 0) {
			if (v == NULL || (a->addr != NULL &&
			    !from_matches(a->addr, v)))
				usable = 0;
		} else {
			for (i = 0; i < sizeof(ak_harmless) /
			    sizeof(ak_harmless[0]); i++)
				if (strcasecmp(name, ak_harmless[i]) == 0)
					break;
			if (i == sizeof(ak_harmless) / sizeof(ak_harmless[0]))
				usable = 0;
		}
		free(v);
		if (**pp != ',')
			break;
		(*pp)++;
	}
	if (**pp != ' ' && **pp != '\t')
		return -1;
	return usable;
}

/* Like sshd, ignore lines it cannot use; only allocation can fail. */
static int
ak_line_cb(struct trust *t, const char *line, const char **why, void *arg)
{
	struct ak_arg *a = arg;
	struct line_opts o;
	u_char pk[SSHKEY_ED25519_PK];
	const char *p = line + strspn(line, " \t");
	char label[64], *principal;

	a->lineno++;
	if (*p == '#' || *p == '\0')
		return 0;
	memset(&o, 0, sizeof(o));
	if (sshkey_pub_parse_line(p, pk, NULL) == SSHKEY_ERR_TYPE &&
	    !is_other_keytype(p)) {
		if (ak_opts(&p, a, &o) != 1)
			return 0;
		p += strspn(p, " \t");
	}
	if (sshkey_pub_parse_line(p, pk, NULL) != 0)
		return 0;
	/* Cannot truncate: a size_t has at most 20 digits. */
	(void)snprintf(label, sizeof(label), "authorized_keys line %zu",
	    a->lineno);
	if ((principal = strdup(label)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if ((o.namespaces = strdup(a->ns)) == NULL) {
		free(principal);
		*why = "out of memory";
		return -1;
	}
	if (trust_add(t, pk, principal, &o) != 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

int
trust_parse_authorized_keys(const char *text, size_t len, const char *ns,
    const char *addr, struct trust **out, char *errbuf, size_t errlen)
{
	struct ak_arg a = { ns, addr, 0 };

	return parse_text(text, len, ak_line_cb, &a, out, errbuf, errlen);
}

int
trust_load_authorized_keys(const char *path, const char *ns,
    const char *addr, struct trust **out, char *errbuf, size_t errlen)
{
	u_char *data;
	size_t len;
	int r;

	*out = NULL;
	if ((r = load_file(path, &data, &len, errbuf, errlen)) != 0)
		return r;
	if ((r = trust_parse_authorized_keys((char *)data, len, ns, addr, out,
	    errbuf, errlen)) != 0)
		prefix_path(path, errbuf, errlen);
	sshkey_file_free(data, len, 0);
	return r;
}
