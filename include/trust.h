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

/* trust.h: allowed_signers trust files and authorized_keys key lists. */

#ifndef TRUST_H
#define TRUST_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "sshkey.h"
#include "pfisherr.h"

struct trust;

/*
 * allowed_signers(5) subset: "principals [options] ssh-ed25519 BASE64
 * [comment]", options namespaces="a,b", valid-after=, valid-before=
 * (YYYYMMDD[HHMM[SS]][Z]), cert-authority (skipped).  Blank lines and
 * '#' comments allowed.  Lines with other key types are skipped.
 *
 * As ssh-keygen -Y verify reads it: principals may be double-quoted;
 * option names are case-insensitive and values double-quoted (" escapes
 * a quote); namespaces are patterns ('*', '?', a leading '!' excludes);
 * times without Z are local time; a key is valid from valid-after to
 * valid-before inclusive.  cert-authority lines are skipped (pfish uses
 * no certificates).  Errors read "line N: why" (trust_load: "PATH: line
 * N: why"); files are at most 1 MiB, lines 16 KiB.
 */
int	trust_parse(const char *text, size_t len, struct trust **out,
	    char *errbuf, size_t errlen);
int	trust_load(const char *path, struct trust **out, char *errbuf,
	    size_t errlen);

/*
 * authorized_keys(5): every ssh-ed25519 key usable for deletes becomes an
 * entry allowed for namespace ns only; other lines are ignored.  Options
 * (pfish-server(8) DELETE KEYS): expiry-time= becomes the entry's end;
 * from= must match addr, the session's client address ('*' '?' patterns,
 * CIDR, '!' negation); restrict, no-pty and the other options that only
 * limit sessions and forwarding are harmless; a key with command=,
 * principals=, cert-authority or any other option is not a delete key.
 * addr NULL (no session, pfish-store verify): from= and expiry-time= are
 * not applied.  The principal is "authorized_keys line N".
 */
int	trust_load_authorized_keys(const char *path, const char *ns,
	    const char *addr, struct trust **out, char *errbuf, size_t errlen);
int	trust_parse_authorized_keys(const char *text, size_t len,
	    const char *ns, const char *addr, struct trust **out,
	    char *errbuf, size_t errlen);

void	trust_free(struct trust *t);
size_t	trust_count(const struct trust *t);

/*
 * 0 when some entry lists pk, permits namespace ns (no namespaces= option
 * means any) and is valid at unix time now; else TRUST_ERR_NOT_TRUSTED.
 * *principal, if not NULL, points at that entry's principals string.
 */
int	trust_check(const struct trust *t, const u_char pk[SSHKEY_ED25519_PK],
	    const char *ns, uint64_t now, const char **principal);

/* 1 when some entry permits namespace ns (at any time), else 0. */
int	trust_has_ns(const struct trust *t, const char *ns);

#endif /* TRUST_H */
