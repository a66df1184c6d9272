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

/* age.c: parse and write the age v1 header, ASCII armor and Bech32. */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "buf.h"

#define AGE_LINE_MAX	(64 * 1024)	/* longest header line we wait for */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *
age_error_class(int r)
{
	switch (r) {
	case AGE_ERR_HEADER:
	case AGE_ERR_VERSION:
	case AGE_ERR_SHORT:
	case AGE_ERR_NONCE:
	case AGE_ERR_STANZA:
	case AGE_ERR_CRYPTO:
		return "header failure";
	case AGE_ERR_NO_MATCH:
		return "no match";
	case AGE_ERR_HMAC:
		return "HMAC failure";
	case AGE_ERR_PAYLOAD:
	case AGE_ERR_TRUNCATED:
	case AGE_ERR_TRAILING:
		return "payload failure";
	case AGE_ERR_ARMOR:
		return "armor failure";
	default:
		return "error";
	}
}

/* Base64 ------------------------------------------------------------ */

static int
b64_value(u_char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
age_b64_enclen(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

/* Encode; with pad, '=' fills the last quantum.  out gets a NUL. */
static int
b64_encode(const u_char *in, size_t len, char *out, size_t outsz, int pad)
{
	size_t i, o = 0, need;
	uint32_t v;

	need = pad ? (len + 2) / 3 * 4 : age_b64_enclen(len);
	if (need >= outsz)
		return AGE_ERR_INVALID;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

int
age_b64_encode(const u_char *in, size_t len, char *out, size_t outsz)
{
	return b64_encode(in, len, out, outsz, 0);
}

/*
 * Strict decoding: only alphabet characters, canonical (unused low bits
 * zero).  Unpadded input may end in a 2- or 3-character group; padded
 * input must be a multiple of 4 with '=' only at the very end.
 */
static int
b64_decode(const char *in, size_t len, u_char *out, size_t outsz,
    size_t *outlen, int padded)
{
	size_t i, o = 0, tail, npad = 0;
	int v[4], k;

	*outlen = 0;
	if (padded) {
		if (len % 4 != 0)
			return AGE_ERR_INVALID;
		while (npad < 2 && npad < len && in[len - 1 - npad] == '=')
			npad++;
		len -= npad;
	}
	tail = len % 4;
	if (tail == 1 || (padded && npad != 0 && tail != 4 - npad))
		return AGE_ERR_INVALID;
	if (len / 4 * 3 + (tail ? tail - 1 : 0) > outsz)
		return AGE_ERR_INVALID;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4 && i + k < len; k++)
			if ((v[k] = b64_value((u_char)in[i + k])) < 0)
				return AGE_ERR_INVALID;
		out[o++] = (u_char)(v[0] << 2 | v[1] >> 4);
		if (k == 2) {
			if ((v[1] & 15) != 0)
				return AGE_ERR_INVALID;
			break;
		}
		out[o++] = (u_char)((v[1] & 15) << 4 | v[2] >> 2);
		if (k == 3) {
			if ((v[2] & 3) != 0)
				return AGE_ERR_INVALID;
			break;
		}
		out[o++] = (u_char)((v[2] & 3) << 6 | v[3]);
	}
	*outlen = o;
	return 0;
}

int
age_b64_decode(const char *in, size_t len, u_char *out, size_t outsz,
    size_t *outlen)
{
	return b64_decode(in, len, out, outsz, outlen, 0);
}

/* Header ------------------------------------------------------------ */

/*
 * The next line at *offp, without its LF.  Header lines hold printable
 * ASCII only, so a control byte (CR included) or high byte is an error at
 * once; a missing LF means the caller has not read far enough yet.
 */
static int
next_line(const u_char *data, size_t len, size_t *offp, const char **linep,
    size_t *linelenp)
{
	size_t i;

	*linep = NULL;
	*linelenp = 0;
	for (i = *offp; i < len; i++) {
		if (data[i] == '\n') {
			*linep = (const char *)data + *offp;
			*linelenp = i - *offp;
			*offp = i + 1;
			return 0;
		}
		if (data[i] < 0x20 || data[i] > 0x7e)
			return AGE_ERR_HEADER;
		if (i - *offp >= AGE_LINE_MAX)
			return AGE_ERR_HEADER;
	}
	return AGE_ERR_SHORT;
}

static int
starts_with(const char *line, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && memcmp(line, prefix, plen) == 0;
}

static void
stanza_clear(struct age_stanza *st)
{
	size_t i;

	for (i = 0; i < st->nargs; i++)
		free(st->args[i]);
	free(st->args);
	free(st->body);
	memset(st, 0, sizeof(*st));
}

void
age_header_free(struct age_header *hdr)
{
	size_t i;

	if (hdr == NULL)
		return;
	for (i = 0; i < hdr->nstanzas; i++)
		stanza_clear(&hdr->stanzas[i]);
	free(hdr->stanzas);
	free(hdr);
}

/* "-> arg arg ...": arguments are 1*VCHAR separated by single spaces. */
static int
parse_args(const char *line, size_t len, struct age_stanza *st)
{
	size_t i, start;

	if (!starts_with(line, len, "-> "))
		return AGE_ERR_HEADER;
	for (start = i = 3; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || st->nargs >= AGE_ARGS_MAX)
			return AGE_ERR_HEADER;
		if ((st->args[st->nargs] = strndup(line + start,
		    i - start)) == NULL)
			return AGE_ERR_ALLOC;
		st->nargs++;
		start = i + 1;
	}
	return 0;
}

/*
 * The body: lines of exactly 64 base64 characters ending with a shorter
 * (possibly empty) one.  A full line decodes to 48 bytes on its own, so
 * each line is decoded as it comes; only the last one has a tail.
 */
static int
parse_body(const u_char *data, size_t len, size_t *offp,
    struct age_stanza *st)
{
	const char *line;
	size_t linelen, n, cap = 0;
	u_char *nb;
	int r;

	for (;;) {
		if ((r = next_line(data, len, offp, &line, &linelen)) != 0)
			return r;
		if (linelen > AGE_BODY_COLUMNS)
			return AGE_ERR_HEADER;
		if (st->bodylen + 48 > cap) {
			cap = cap == 0 ? 48 : cap * 2;
			if ((nb = realloc(st->body, cap)) == NULL)
				return AGE_ERR_ALLOC;
			st->body = nb;
		}
		if (age_b64_decode(line, linelen, st->body + st->bodylen,
		    cap - st->bodylen, &n) != 0)
			return AGE_ERR_HEADER;
		st->bodylen += n;
		if (linelen < AGE_BODY_COLUMNS)
			return 0;
	}
}

static int
parse_stanza(const u_char *data, size_t len, size_t *offp,
    const char *line, size_t linelen, struct age_header *hdr)
{
	struct age_stanza *st;
	int r;

	if (hdr->nstanzas >= AGE_STANZAS_MAX)
		return AGE_ERR_HEADER;
	st = &hdr->stanzas[hdr->nstanzas++];
	if ((st->args = calloc(AGE_ARGS_MAX, sizeof(*st->args))) == NULL)
		return AGE_ERR_ALLOC;
	if ((r = parse_args(line, linelen, st)) != 0)
		return r;
	return parse_body(data, len, offp, st);
}

/* "--- " and the base64 of 32 bytes: exactly 43 characters. */
static int
parse_mac(const char *line, size_t linelen, struct age_header *hdr)
{
	size_t n;

	if (linelen != 4 + 43 || !starts_with(line, linelen, "--- "))
		return AGE_ERR_HEADER;
	if (age_b64_decode(line + 4, 43, hdr->mac, sizeof(hdr->mac), &n) != 0 ||
	    n != AGE_MAC_LEN)
		return AGE_ERR_HEADER;
	return 0;
}

static int
check_version(const u_char *data, size_t len, size_t *offp)
{
	const char *line;
	size_t linelen, plen = strlen(AGE_VERSION_PREFIX);
	int r;

	if (len == 0)
		return AGE_ERR_SHORT;
	/* Refuse a foreign file before waiting for its first LF. */
	if (memcmp(data, AGE_VERSION_PREFIX, len < plen ? len : plen) != 0)
		return AGE_ERR_HEADER;
	if ((r = next_line(data, len, offp, &line, &linelen)) != 0)
		return r;
	if (linelen == strlen(AGE_VERSION_LINE) &&
	    memcmp(line, AGE_VERSION_LINE, linelen) == 0)
		return 0;
	return starts_with(line, linelen, AGE_VERSION_PREFIX) ?
	    AGE_ERR_VERSION : AGE_ERR_HEADER;
}

int
age_header_parse(const u_char *data, size_t len, struct age_header **hdrp)
{
	struct age_header *hdr;
	const char *line;
	size_t off = 0, linelen, lineoff;
	int r;

	*hdrp = NULL;
	if ((hdr = calloc(1, sizeof(*hdr))) == NULL ||
	    (hdr->stanzas = calloc(AGE_STANZAS_MAX,
	    sizeof(*hdr->stanzas))) == NULL) {
		free(hdr);
		return AGE_ERR_ALLOC;
	}
	if ((r = check_version(data, len, &off)) != 0)
		goto out;
	for (;;) {
		lineoff = off;
		if ((r = next_line(data, len, &off, &line, &linelen)) != 0)
			goto out;
		if (starts_with(line, linelen, "---"))
			break;
		if ((r = parse_stanza(data, len, &off, line, linelen,
		    hdr)) != 0)
			goto out;
	}
	if (hdr->nstanzas == 0) {
		r = AGE_ERR_HEADER;
		goto out;
	}
	if ((r = parse_mac(line, linelen, hdr)) != 0)
		goto out;
	hdr->maclen = lineoff + 3;
	hdr->len = off;
	*hdrp = hdr;
	hdr = NULL;
out:
	age_header_free(hdr);
	return r;
}

int
age_header_put_version(struct buf *b)
{
	return buf_putf(b, "%s\n", AGE_VERSION_LINE) == 0 ? 0 : AGE_ERR_ALLOC;
}

static int
valid_arg(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

int
age_header_put_stanza(struct buf *b, const char *const *args, size_t nargs,
    const u_char *body, size_t bodylen)
{
	char line[AGE_BODY_COLUMNS + 1];
	size_t i, chunk = AGE_BODY_COLUMNS / 4 * 3;
	int r = 0;

	if (nargs == 0 || nargs > AGE_ARGS_MAX)
		return AGE_ERR_INVALID;
	for (i = 0; i < nargs; i++)
		if (!valid_arg(args[i]))
			return AGE_ERR_INVALID;
	r |= buf_put(b, "->", 2);
	for (i = 0; i < nargs; i++)
		r |= buf_putf(b, " %s", args[i]);
	r |= buf_put_u8(b, '\n');
	/* Full 48-byte groups give full lines; the rest a short one. */
	for (i = 0; ; i += chunk) {
		if (bodylen - i < chunk)
			chunk = bodylen - i;
		if (b64_encode(body + i, chunk, line, sizeof(line), 0) != 0)
			return AGE_ERR_INVALID;
		r |= buf_putf(b, "%s\n", line);
		if (chunk < AGE_BODY_COLUMNS / 4 * 3)
			break;
	}
	return r == 0 ? 0 : AGE_ERR_ALLOC;
}

int
age_header_put_mac_mark(struct buf *b)
{
	return buf_put(b, "---", 3) == 0 ? 0 : AGE_ERR_ALLOC;
}

int
age_header_put_mac(struct buf *b, const u_char mac[AGE_MAC_LEN])
{
	char enc[48];

	if (b64_encode(mac, AGE_MAC_LEN, enc, sizeof(enc), 0) != 0)
		return AGE_ERR_INVALID;
	return buf_putf(b, " %s\n", enc) == 0 ? 0 : AGE_ERR_ALLOC;
}

/* ASCII armor ------------------------------------------------------- */

enum armor_state {
	ARMOR_LEAD,		/* whitespace before the BEGIN line */
	ARMOR_BEGIN,		/* the BEGIN line */
	ARMOR_BODY,		/* base64 lines, then END */
	ARMOR_TRAIL,		/* whitespace after the END line */
	ARMOR_FAILED
};

struct age_armor {
	enum armor_state state;
	size_t		 ws;		/* whitespace bytes seen around */
	int		 need_end;	/* a short line was seen: END next */
};

#define ARMOR_LINE_MAX	80	/* longer than any valid armor line */

struct age_armor *
age_armor_new(void)
{
	return calloc(1, sizeof(struct age_armor));
}

void
age_armor_free(struct age_armor *a)
{
	free(a);
}

int
age_armor_done(const struct age_armor *a)
{
	return a->state == ARMOR_TRAIL;
}

static int
is_space(u_char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

int
age_armor_detect(const u_char *data, size_t len)
{
	size_t i, blen = strlen(AGE_ARMOR_BEGIN);

	for (i = 0; i < len && i < AGE_ARMOR_WS_MAX && is_space(data[i]); i++)
		;
	return len - i >= blen && memcmp(data + i, AGE_ARMOR_BEGIN, blen) == 0;
}

/* One body line (CR/LF stripped): padded strict base64, or END. */
static int
armor_body_line(struct age_armor *a, const char *line, size_t len,
    u_char *out, size_t *outlen)
{
	*outlen = 0;
	if (len == strlen(AGE_ARMOR_END) && memcmp(line, AGE_ARMOR_END,
	    len) == 0) {
		a->state = ARMOR_TRAIL;
		return 0;
	}
	if (a->need_end || len == 0 || len > AGE_ARMOR_COLUMNS)
		return AGE_ERR_ARMOR;
	if (b64_decode(line, len, out, AGE_ARMOR_COLUMNS / 4 * 3, outlen,
	    1) != 0)
		return AGE_ERR_ARMOR;
	if (*outlen < AGE_ARMOR_COLUMNS / 4 * 3)
		a->need_end = 1;
	return 0;
}

/* Whitespace before BEGIN or after END, at most AGE_ARMOR_WS_MAX bytes. */
static int
armor_space(struct age_armor *a, const u_char *in, size_t inlen, size_t *offp)
{
	while (*offp < inlen && is_space(in[*offp])) {
		if (++a->ws > AGE_ARMOR_WS_MAX)
			return AGE_ERR_ARMOR;
		(*offp)++;
	}
	if (*offp < inlen && a->state == ARMOR_TRAIL)
		return AGE_ERR_ARMOR;
	if (*offp < inlen) {
		a->state = ARMOR_BEGIN;
		a->ws = 0;
	}
	return 0;
}

/*
 * The next whole line at *offp, LF and one CR stripped.  Returns 1 with
 * a line, 0 if more input is needed, or an error.
 */
static int
armor_line(const u_char *in, size_t inlen, int eof, size_t *offp,
    const char **linep, size_t *lenp)
{
	const u_char *p = in + *offp, *nl;
	size_t avail = inlen - *offp, len;

	if (avail == 0)
		return 0;
	if ((nl = memchr(p, '\n', avail)) != NULL)
		len = (size_t)(nl - p);
	else if (avail > ARMOR_LINE_MAX)
		return AGE_ERR_ARMOR;
	else if (eof)
		len = avail;
	else
		return 0;
	if (len > ARMOR_LINE_MAX)
		return AGE_ERR_ARMOR;
	*offp += len + (nl != NULL ? 1 : 0);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	*linep = (const char *)p;
	*lenp = len;
	return 1;
}

int
age_armor_decode(struct age_armor *a, const u_char *in, size_t inlen,
    int eof, size_t *consumed, u_char *out, size_t outsz, size_t *outlen)
{
	const char *line;
	size_t off = 0, len, n;
	int r = 0;

	*consumed = *outlen = 0;
	while (a->state != ARMOR_FAILED) {
		if (a->state == ARMOR_LEAD || a->state == ARMOR_TRAIL) {
			if ((r = armor_space(a, in, inlen, &off)) != 0 ||
			    a->state == ARMOR_TRAIL || off == inlen)
				break;
			continue;
		}
		if (outsz - *outlen < AGE_ARMOR_COLUMNS / 4 * 3)
			break;
		if ((r = armor_line(in, inlen, eof, &off, &line, &len)) <= 0)
			break;
		r = 0;
		if (a->state == ARMOR_BEGIN) {
			if (len != strlen(AGE_ARMOR_BEGIN) ||
			    memcmp(line, AGE_ARMOR_BEGIN, len) != 0)
				r = AGE_ERR_ARMOR;
			a->state = ARMOR_BODY;
		} else {
			r = armor_body_line(a, line, len, out + *outlen, &n);
			*outlen += n;
		}
		if (r != 0)
			break;
	}
	if (r == 0 && eof && off == inlen && a->state != ARMOR_TRAIL)
		r = AGE_ERR_ARMOR;
	if (r != 0)
		a->state = ARMOR_FAILED;
	*consumed = off;
	return a->state == ARMOR_FAILED ? AGE_ERR_ARMOR : r;
}

int
age_armor_encode(const u_char *in, size_t len, struct buf *out)
{
	char line[AGE_ARMOR_COLUMNS + 1];
	size_t i, n;
	int r = 0;

	r |= buf_putf(out, "%s\n", AGE_ARMOR_BEGIN);
	for (i = 0; i < len; i += n) {
		n = len - i < AGE_ARMOR_COLUMNS / 4 * 3 ?
		    len - i : AGE_ARMOR_COLUMNS / 4 * 3;
		if (b64_encode(in + i, n, line, sizeof(line), 1) != 0)
			return AGE_ERR_INVALID;
		r |= buf_putf(out, "%s\n", line);
	}
	r |= buf_putf(out, "%s\n", AGE_ARMOR_END);
	return r == 0 ? 0 : AGE_ERR_ALLOC;
}

/* Bech32 ------------------------------------------------------------ */

static const char bech32_chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
bech32_step(uint32_t chk, u_char v)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
	    0x3d4233dd, 0x2a1462b3 };
	uint32_t top = chk >> 25;
	int i;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

/* Checksum state after the expanded (lower-case) human-readable part. */
static uint32_t
bech32_hrp(const char *hrp, size_t len)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < len; i++)
		chk = bech32_step(chk, (u_char)hrp[i] >> 5);
	chk = bech32_step(chk, 0);
	for (i = 0; i < len; i++)
		chk = bech32_step(chk, (u_char)hrp[i] & 31);
	return chk;
}

static char
to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

int
age_bech32_encode(const char *hrp, const u_char *data, size_t len, int upper,
    char *out, size_t outsz)
{
	char lhrp[128];
	size_t hlen = strlen(hrp), o = 0, i, need;
	uint32_t chk, acc = 0;
	int bits = 0;

	need = hlen + 1 + (len * 8 + 4) / 5 + 6 + 1;
	if (hlen == 0 || hlen >= sizeof(lhrp) || need > outsz)
		return AGE_ERR_INVALID;
	for (i = 0; i < hlen; i++)
		lhrp[i] = to_lower(hrp[i]);
	chk = bech32_hrp(lhrp, hlen);
	memcpy(out, lhrp, hlen);
	o = hlen;
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | data[i]) & 0xfff;
		for (bits += 8; bits >= 5; bits -= 5) {
			chk = bech32_step(chk, (acc >> (bits - 5)) & 31);
			out[o++] = bech32_chars[(acc >> (bits - 5)) & 31];
		}
	}
	if (bits > 0) {
		chk = bech32_step(chk, (acc << (5 - bits)) & 31);
		out[o++] = bech32_chars[(acc << (5 - bits)) & 31];
	}
	for (i = 0; i < 6; i++)
		chk = bech32_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[o++] = bech32_chars[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (i = 0; i < o; i++)
			out[i] = to_upper(out[i]);
	return 0;
}

/* Case must be uniform; returns the position of the separator '1'. */
static int
bech32_check_case(const char *s, size_t len, size_t *seppos)
{
	int lower = 0, upper = 0;
	size_t i;

	*seppos = len;
	for (i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126)
			return AGE_ERR_KEY;
		lower |= s[i] >= 'a' && s[i] <= 'z';
		upper |= s[i] >= 'A' && s[i] <= 'Z';
		if (s[i] == '1')
			*seppos = i;
	}
	if ((lower && upper) || *seppos == 0 || *seppos == len ||
	    len - *seppos - 1 < 6)
		return AGE_ERR_KEY;
	return 0;
}

int
age_bech32_decode(const char *s, char *hrp, size_t hrpsz, u_char *data,
    size_t datasz, size_t *datalen)
{
	const char *p;
	size_t len = strlen(s), sep, i, n = 0, ndata;
	uint32_t chk, acc = 0;
	int bits = 0, r;

	*datalen = 0;
	if ((r = bech32_check_case(s, len, &sep)) != 0)
		return r;
	if (sep >= hrpsz)
		return AGE_ERR_KEY;
	for (i = 0; i < sep; i++)
		hrp[i] = to_lower(s[i]);
	hrp[sep] = '\0';
	chk = bech32_hrp(hrp, sep);
	ndata = len - sep - 1 - 6;
	for (i = sep + 1; i < len; i++) {
		if ((p = strchr(bech32_chars, to_lower(s[i]))) == NULL)
			return AGE_ERR_KEY;
		chk = bech32_step(chk, (u_char)(p - bech32_chars));
		if (i - sep - 1 >= ndata)
			continue;
		acc = (acc << 5 | (uint32_t)(p - bech32_chars)) & 0xfff;
		if ((bits += 5) >= 8) {
			if (n >= datasz)
				return AGE_ERR_KEY;
			data[n++] = (u_char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* Leftover bits are padding: fewer than 5, all zero. */
	if (chk != 1 || bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		return AGE_ERR_KEY;
	*datalen = n;
	return 0;
}
