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

/* stmt.c: canonical text of pfish's statements: parse strictly, encode. */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hash.h"
#include "buf.h"
#include "layout.h"
#include "pfish.h"
#include "sshsig.h"
#include "stmt.h"

/* A cursor over statement text; every getter consumes one whole line. */
struct lines {
	const u_char	*p;
	size_t		 len;
	size_t		 off;
};

static const u_char zerohash[STMT_HASH_LEN];

const char *
stmt_namespace(enum stmt_type type)
{
	switch (type) {
	case STMT_RECORD:
	case STMT_VOID:
		return PFISH_NS_RECORD;
	case STMT_HEAD:
		return PFISH_NS_HEAD;
	case STMT_DELETE:
		return PFISH_NS_DELETE;
	default:
		return NULL;
	}
}

int
stmt_valid_mailbox(const char *name)
{
	size_t i;
	char c;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= PFISH_MAILBOX_MAX)
			return 0;
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Take the next line, which must be "key value" with a non-empty value of
 * printable ASCII other than space... except that callers asking for two
 * fields split the value themselves.
 */
static int
next_line(struct lines *l, const char *key, const u_char **val,
    size_t *vlen)
{
	size_t klen = strlen(key), i, end;

	*val = NULL;
	*vlen = 0;
	if (l->off >= l->len || l->len - l->off < klen + 1)
		return STMT_ERR_FORMAT;
	if (memcmp(l->p + l->off, key, klen) != 0 ||
	    l->p[l->off + klen] != ' ')
		return STMT_ERR_FORMAT;
	for (end = l->off + klen + 1; end < l->len; end++)
		if (l->p[end] == '\n')
			break;
	if (end >= l->len || end == l->off + klen + 1)
		return STMT_ERR_FORMAT;	/* no final LF, or empty value */
	for (i = l->off + klen + 1; i < end; i++)
		if (l->p[i] < 0x20 || l->p[i] > 0x7e)
			return STMT_ERR_FORMAT;
	*val = l->p + l->off + klen + 1;
	*vlen = end - (l->off + klen + 1);
	l->off = end + 1;
	return 0;
}

/* Decimal without leading zeros, fits in uint64_t. */
static int
parse_u64(const u_char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	*out = 0;
	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return STMT_ERR_FORMAT;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return STMT_ERR_FORMAT;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return STMT_ERR_FORMAT;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
hexval(u_char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2*n lowercase hex digits. */
static int
parse_hex(const u_char *s, size_t len, u_char *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (len != 2 * n)
		return STMT_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		if ((hi = hexval(s[2 * i])) < 0 ||
		    (lo = hexval(s[2 * i + 1])) < 0)
			return STMT_ERR_FORMAT;
		out[i] = (u_char)(hi << 4 | lo);
	}
	return 0;
}

static int
get_u64(struct lines *l, const char *key, uint64_t *out)
{
	const u_char *v;
	size_t vlen;
	int r;

	*out = 0;
	if ((r = next_line(l, key, &v, &vlen)) != 0)
		return r;
	return parse_u64(v, vlen, out);
}

static int
get_hash(struct lines *l, const char *key, u_char out[STMT_HASH_LEN])
{
	const u_char *v;
	size_t vlen;
	int r;

	memset(out, 0, STMT_HASH_LEN);
	if ((r = next_line(l, key, &v, &vlen)) != 0)
		return r;
	return parse_hex(v, vlen, out, STMT_HASH_LEN);
}

/* "N HASH" on one line (delete's seen and del). */
static int
get_seq_hash(struct lines *l, const char *key, uint64_t *seq,
    u_char hash[STMT_HASH_LEN])
{
	const u_char *v, *sp;
	size_t vlen, nlen;
	int r;

	*seq = 0;
	memset(hash, 0, STMT_HASH_LEN);
	if ((r = next_line(l, key, &v, &vlen)) != 0)
		return r;
	if ((sp = memchr(v, ' ', vlen)) == NULL)
		return STMT_ERR_FORMAT;
	nlen = (size_t)(sp - v);
	if ((r = parse_u64(v, nlen, seq)) != 0 ||
	    (r = parse_hex(sp + 1, vlen - nlen - 1, hash, STMT_HASH_LEN)) != 0)
		return r;
	return 0;
}

static int
get_literal(struct lines *l, const char *key, const char *want)
{
	const u_char *v;
	size_t vlen;
	int r;

	if ((r = next_line(l, key, &v, &vlen)) != 0)
		return r;
	if (vlen != strlen(want) || memcmp(v, want, vlen) != 0)
		return STMT_ERR_FORMAT;
	return 0;
}

/* The three lines every statement starts with: statement, version, mailbox. */
static int
get_preamble(struct lines *l, const char *type, char mailbox[])
{
	const u_char *v;
	size_t vlen;
	int r;

	if ((r = get_literal(l, "statement", type)) != 0 ||
	    (r = get_literal(l, "version", "1")) != 0 ||
	    (r = next_line(l, "mailbox", &v, &vlen)) != 0)
		return r;
	if (vlen > PFISH_MAILBOX_MAX)
		return STMT_ERR_FORMAT;
	memcpy(mailbox, v, vlen);
	mailbox[vlen] = '\0';
	return stmt_valid_mailbox(mailbox) ? 0 : STMT_ERR_FORMAT;
}

static int
get_epoch(struct lines *l, const char *key, char epoch[STMT_EPOCH_LEN + 1])
{
	const u_char *v;
	size_t i, vlen;
	int r;

	memset(epoch, 0, STMT_EPOCH_LEN + 1);
	if ((r = next_line(l, key, &v, &vlen)) != 0)
		return r;
	if (vlen != STMT_EPOCH_LEN)
		return STMT_ERR_FORMAT;
	for (i = 0; i < vlen; i++)
		if (hexval(v[i]) < 0)
			return STMT_ERR_FORMAT;
	memcpy(epoch, v, vlen);
	return 0;
}

/* "SHA256:" and 43 characters of unpadded base64 (32 bytes, canonical). */
static int
get_key(struct lines *l, const char *name, char key[SSHKEY_FP_LEN])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const u_char *v;
	const char *c;
	size_t i, vlen;
	int r;

	memset(key, 0, SSHKEY_FP_LEN);
	if ((r = next_line(l, name, &v, &vlen)) != 0)
		return r;
	if (vlen != SSHKEY_FP_LEN - 1 || memcmp(v, "SHA256:", 7) != 0)
		return STMT_ERR_FORMAT;
	for (i = 7; i < vlen; i++) {
		if ((c = memchr(b64, v[i], 64)) == NULL)
			return STMT_ERR_FORMAT;
		/* 43 chars carry 258 bits: the last two must be zero. */
		if (i == vlen - 1 && ((c - b64) & 3) != 0)
			return STMT_ERR_FORMAT;
	}
	memcpy(key, v, vlen);
	return 0;
}

static int
at_end(const struct lines *l)
{
	return l->off == l->len ? 0 : STMT_ERR_FORMAT;
}

static int
lines_init(struct lines *l, const u_char *text, size_t len)
{
	l->p = text;
	l->len = len;
	l->off = 0;
	if (text == NULL || len == 0 || len > STMT_TEXT_MAX)
		return STMT_ERR_FORMAT;
	return 0;
}

static int
seq_ok(uint64_t seq)
{
	return seq >= 1 && seq <= PFISH_SEQ_MAX ? 0 : STMT_ERR_FORMAT;
}

/*
 * Every statement is the preamble and then one line per field, in the
 * order of its form's table; the parser and the encoder both walk it.
 */
enum field_kind {
	F_U64,		/* decimal */
	F_SEQ,		/* decimal, 1 to PFISH_SEQ_MAX */
	F_HASH,		/* STMT_HASH_LEN bytes as lowercase hex */
	F_SEQ_HASH,	/* "SEQ HASH" on one line, SEQ as F_SEQ */
	F_EPOCH,	/* STMT_EPOCH_LEN lowercase hex digits */
	F_KEY		/* a key fingerprint (get_key) */
};

struct field {
	const char	*key;
	enum field_kind	 kind;
	size_t		 off;	/* of the value in the struct */
	size_t		 off2;	/* F_SEQ_HASH: of the hash */
};

struct form {
	enum stmt_type	 type;
	const char	*word;		/* "statement WORD" */
	size_t		 mailbox;	/* offset of the mailbox name */
	const struct field *fields;
	size_t		 nfields;
	int		 more;		/* del lines follow */
	int		(*check)(const void *);	/* across fields */
};

#define FIELD(st, key, kind, m)	{ key, kind, offsetof(struct st, m), 0 }
#define NFIELDS(a)		(sizeof(a) / sizeof((a)[0]))

static int
record_check(const void *p)
{
	const struct stmt_record *rec = p;

	if (rec->seq == 1 && memcmp(rec->prev, zerohash, STMT_HASH_LEN) != 0)
		return STMT_ERR_FORMAT;
	return 0;
}

static int
head_check(const void *p)
{
	const struct stmt_head *h = p;

	if (h->high > PFISH_SEQ_MAX || h->low < 1 || h->low > h->high + 1 ||
	    h->issued >= h->expires)
		return STMT_ERR_FORMAT;
	if (h->low == 1 && memcmp(h->lowprev, zerohash, STMT_HASH_LEN) != 0)
		return STMT_ERR_FORMAT;
	if (h->high == 0 && memcmp(h->highhash, zerohash, STMT_HASH_LEN) != 0)
		return STMT_ERR_FORMAT;
	/* Nothing left in retention: record low-1 is record high. */
	if (h->low == h->high + 1 &&
	    memcmp(h->lowprev, h->highhash, STMT_HASH_LEN) != 0)
		return STMT_ERR_FORMAT;
	return 0;
}

static const struct field record_fields[] = {
	FIELD(stmt_record, "epoch", F_EPOCH, epoch),
	FIELD(stmt_record, "seq", F_SEQ, seq),
	FIELD(stmt_record, "prev", F_HASH, prev),
	FIELD(stmt_record, "time", F_U64, time),
	FIELD(stmt_record, "size", F_U64, size),
	FIELD(stmt_record, "sha256", F_HASH, sha256),
	FIELD(stmt_record, "key", F_KEY, key),
};
static const struct field head_fields[] = {
	FIELD(stmt_head, "epoch", F_EPOCH, epoch),
	FIELD(stmt_head, "low", F_U64, low),
	FIELD(stmt_head, "lowprev", F_HASH, lowprev),
	FIELD(stmt_head, "high", F_U64, high),
	FIELD(stmt_head, "highhash", F_HASH, highhash),
	FIELD(stmt_head, "issued", F_U64, issued),
	FIELD(stmt_head, "expires", F_U64, expires),
	FIELD(stmt_head, "key", F_KEY, key),
};
static const struct field delete_fields[] = {
	FIELD(stmt_delete, "epoch", F_EPOCH, epoch),
	{ "seen", F_SEQ_HASH, offsetof(struct stmt_delete, seen),
	    offsetof(struct stmt_delete, seenhash) },
	FIELD(stmt_delete, "time", F_U64, time),
	FIELD(stmt_delete, "key", F_KEY, key),
};
static const struct field note_fields[] = {
	FIELD(stmt_note, "seq", F_SEQ, seq),
	FIELD(stmt_note, "time", F_U64, time),
};
static const struct field void_fields[] = {
	FIELD(stmt_void, "epoch", F_EPOCH, epoch),
	FIELD(stmt_void, "seq", F_SEQ, seq),
	FIELD(stmt_void, "hash", F_HASH, hash),
	FIELD(stmt_void, "time", F_U64, time),
	FIELD(stmt_void, "key", F_KEY, key),
};

static const struct form record_form = { STMT_RECORD, "record",
	offsetof(struct stmt_record, mailbox), record_fields,
	NFIELDS(record_fields), 0, record_check };
static const struct form head_form = { STMT_HEAD, "head",
	offsetof(struct stmt_head, mailbox), head_fields,
	NFIELDS(head_fields), 0, head_check };
static const struct form delete_form = { STMT_DELETE, "delete",
	offsetof(struct stmt_delete, mailbox), delete_fields,
	NFIELDS(delete_fields), 1, NULL };
static const struct form note_form = { STMT_NOTE, "note",
	offsetof(struct stmt_note, mailbox), note_fields,
	NFIELDS(note_fields), 0, NULL };
static const struct form void_form = { STMT_VOID, "void",
	offsetof(struct stmt_void, mailbox), void_fields,
	NFIELDS(void_fields), 0, NULL };

/* One line of f's kind into st; numbers are uint64_t members. */
static int
get_field(struct lines *l, const struct field *f, void *st)
{
	u_char *p = (u_char *)st + f->off;
	int r;

	switch (f->kind) {
	case F_U64:
		return get_u64(l, f->key, (uint64_t *)(void *)p);
	case F_SEQ:
		if ((r = get_u64(l, f->key, (uint64_t *)(void *)p)) != 0)
			return r;
		return seq_ok(*(uint64_t *)(void *)p);
	case F_HASH:
		return get_hash(l, f->key, p);
	case F_SEQ_HASH:
		if ((r = get_seq_hash(l, f->key, (uint64_t *)(void *)p,
		    (u_char *)st + f->off2)) != 0)
			return r;
		return seq_ok(*(uint64_t *)(void *)p);
	case F_EPOCH:
		return get_epoch(l, f->key, (char *)p);
	case F_KEY:
		return get_key(l, f->key, (char *)p);
	}
	return STMT_ERR_FORMAT;
}

/* The preamble and fm's fields; the end of the text unless fm->more. */
static int
form_lines(const struct form *fm, struct lines *l, const u_char *text,
    size_t len, void *st)
{
	size_t i;
	int r;

	if ((r = lines_init(l, text, len)) != 0 ||
	    (r = get_preamble(l, fm->word, (char *)st + fm->mailbox)) != 0)
		return r;
	for (i = 0; i < fm->nfields; i++)
		if ((r = get_field(l, &fm->fields[i], st)) != 0)
			return r;
	if (!fm->more && (r = at_end(l)) != 0)
		return r;
	return fm->check != NULL ? fm->check(st) : 0;
}

/* A statement of fm's kind into st (size bytes), zeroed unless it parses. */
static int
form_parse(const struct form *fm, const u_char *text, size_t len, void *st,
    size_t size)
{
	struct lines l;
	int r;

	memset(st, 0, size);
	if ((r = form_lines(fm, &l, text, len, st)) != 0)
		memset(st, 0, size);
	return r;
}

int
stmt_record_parse(const u_char *text, size_t len, struct stmt_record *out)
{
	return form_parse(&record_form, text, len, out, sizeof(*out));
}

int
stmt_head_parse(const u_char *text, size_t len, struct stmt_head *out)
{
	return form_parse(&head_form, text, len, out, sizeof(*out));
}

/* The "del" lines, up to the end of the text. */
static int
get_del_entries(struct lines *l, struct stmt_delete *d)
{
	struct stmt_del_entry e;
	int r;

	while (l->off < l->len) {
		if (d->ndel >= STMT_DELETE_MAX)
			return STMT_ERR_FORMAT;
		if ((r = get_seq_hash(l, "del", &e.seq, e.hash)) != 0)
			return r;
		if (e.seq < 1 || e.seq > d->seen ||
		    (d->ndel > 0 && e.seq <= d->del[d->ndel - 1].seq))
			return STMT_ERR_FORMAT;
		if (d->ndel % 64 == 0) {
			struct stmt_del_entry *n;

			if ((n = reallocarray(d->del, d->ndel + 64,
			    sizeof(*n))) == NULL)
				return STMT_ERR_ALLOC;
			d->del = n;
		}
		d->del[d->ndel++] = e;
	}
	return d->ndel > 0 ? 0 : STMT_ERR_FORMAT;
}

int
stmt_delete_parse(const u_char *text, size_t len, struct stmt_delete *out)
{
	struct lines l;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = form_lines(&delete_form, &l, text, len, out)) == 0)
		r = get_del_entries(&l, out);
	if (r != 0)
		stmt_delete_clear(out);
	return r;
}

void
stmt_delete_clear(struct stmt_delete *d)
{
	if (d == NULL)
		return;
	free(d->del);
	memset(d, 0, sizeof(*d));
}

int
stmt_note_parse(const u_char *text, size_t len, struct stmt_note *out)
{
	return form_parse(&note_form, text, len, out, sizeof(*out));
}

int
stmt_void_parse(const u_char *text, size_t len, struct stmt_void *out)
{
	return form_parse(&void_form, text, len, out, sizeof(*out));
}

void
stmt_hash(const u_char *text, size_t len, u_char out[STMT_HASH_LEN])
{
	hash_sha256(out, text, len);
}

void
stmt_hash_hex(const u_char hash[STMT_HASH_LEN], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < STMT_HASH_LEN; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0xf];
	}
	hex[64] = '\0';
}

int
stmt_hash_from_hex(const char *hex, u_char out[STMT_HASH_LEN])
{
	memset(out, 0, STMT_HASH_LEN);
	if (hex == NULL || strnlen(hex, 65) != 64)
		return STMT_ERR_FORMAT;
	return parse_hex((const u_char *)hex, 64, out, STMT_HASH_LEN);
}

int
stmt_request_parse(const u_char *line, size_t len, uint64_t *size,
    u_char sha256[STMT_HASH_LEN])
{
	const u_char *sp;
	size_t n;

	*size = 0;
	memset(sha256, 0, STMT_HASH_LEN);
	if ((sp = memchr(line, ' ', len)) == NULL)
		return STMT_ERR_FORMAT;
	n = (size_t)(sp - line);
	if (parse_u64(line, n, size) != 0 ||
	    parse_hex(sp + 1, len - n - 1, sha256, STMT_HASH_LEN) != 0) {
		*size = 0;
		memset(sha256, 0, STMT_HASH_LEN);
		return STMT_ERR_FORMAT;
	}
	return 0;
}

int
stmt_u64_from_dec(const char *s, uint64_t *out)
{
	*out = 0;
	if (s == NULL)
		return STMT_ERR_FORMAT;
	return parse_u64((const u_char *)s, strnlen(s, 21), out);
}

/*
 * Encoders print into a scratch buffer and run the strict parser over the
 * result, so pfish never signs a text that its own parser would refuse.
 */
static int
emit_checked(struct buf *tmp, enum stmt_type type, struct buf *out)
{
	struct stmt_record rec;
	struct stmt_head head;
	struct stmt_delete del;
	struct stmt_note note;
	struct stmt_void vd;
	int r;

	switch (type) {
	case STMT_RECORD:
		r = stmt_record_parse(buf_ptr(tmp), buf_len(tmp), &rec);
		break;
	case STMT_HEAD:
		r = stmt_head_parse(buf_ptr(tmp), buf_len(tmp), &head);
		break;
	case STMT_DELETE:
		r = stmt_delete_parse(buf_ptr(tmp), buf_len(tmp), &del);
		stmt_delete_clear(&del);
		break;
	case STMT_VOID:
		r = stmt_void_parse(buf_ptr(tmp), buf_len(tmp), &vd);
		break;
	default:
		r = stmt_note_parse(buf_ptr(tmp), buf_len(tmp), &note);
		break;
	}
	if (r == 0 && buf_putb(out, tmp) != 0)
		r = STMT_ERR_ALLOC;
	buf_free(tmp);
	return r;
}

static int
put_hash(struct buf *b, const char *key, const u_char h[STMT_HASH_LEN])
{
	char hex[65];

	stmt_hash_hex(h, hex);
	return buf_putf(b, "%s %s\n", key, hex);
}

/* Statement strings must be NUL-terminated within their arrays. */
static int
strings_ok(const struct form *fm, const void *st)
{
	const struct field *f;
	const char *p;
	size_t i;

	if (memchr((const char *)st + fm->mailbox, '\0',
	    PFISH_MAILBOX_MAX + 1) == NULL)
		return 0;
	for (i = 0; i < fm->nfields; i++) {
		f = &fm->fields[i];
		p = (const char *)st + f->off;
		if (f->kind == F_EPOCH &&
		    memchr(p, '\0', STMT_EPOCH_LEN + 1) == NULL)
			return 0;
		if (f->kind == F_KEY && memchr(p, '\0', SSHKEY_FP_LEN) == NULL)
			return 0;
	}
	return 1;
}

static int
put_field(struct buf *b, const struct field *f, const void *st)
{
	const u_char *p = (const u_char *)st + f->off;
	uint64_t n;
	char hex[65];

	switch (f->kind) {
	case F_U64:
	case F_SEQ:
		memcpy(&n, p, sizeof(n));
		return buf_putf(b, "%s %llu\n", f->key, (unsigned long long)n);
	case F_HASH:
		return put_hash(b, f->key, p);
	case F_SEQ_HASH:
		memcpy(&n, p, sizeof(n));
		stmt_hash_hex((const u_char *)st + f->off2, hex);
		return buf_putf(b, "%s %llu %s\n", f->key,
		    (unsigned long long)n, hex);
	case F_EPOCH:
	case F_KEY:
		return buf_putf(b, "%s %s\n", f->key, (const char *)p);
	}
	return -1;
}

/* The preamble and fm's fields of st, into a new buffer in *bp. */
static int
form_encode(const struct form *fm, const void *st, struct buf **bp)
{
	size_t i;

	*bp = NULL;
	if (!strings_ok(fm, st))
		return STMT_ERR_FORMAT;
	if ((*bp = buf_new_max(STMT_TEXT_MAX)) == NULL)
		return STMT_ERR_ALLOC;
	if (buf_putf(*bp, "statement %s\nversion %d\nmailbox %s\n", fm->word,
	    STMT_VERSION, (const char *)st + fm->mailbox) != 0)
		goto fail;
	for (i = 0; i < fm->nfields; i++)
		if (put_field(*bp, &fm->fields[i], st) != 0)
			goto fail;
	return 0;
 fail:
	buf_free(*bp);
	*bp = NULL;
	return STMT_ERR_FORMAT;
}

static int
form_emit(const struct form *fm, const void *st, struct buf *out)
{
	struct buf *b;
	int r;

	if ((r = form_encode(fm, st, &b)) != 0)
		return r;
	return emit_checked(b, fm->type, out);
}

int
stmt_record_encode(const struct stmt_record *rec, struct buf *out)
{
	return form_emit(&record_form, rec, out);
}

int
stmt_head_encode(const struct stmt_head *h, struct buf *out)
{
	return form_emit(&head_form, h, out);
}

int
stmt_delete_encode(const struct stmt_delete *d, struct buf *out)
{
	struct buf *b;
	char hex[65];
	size_t i;
	int r;

	if (d->ndel == 0 || d->ndel > STMT_DELETE_MAX || d->del == NULL)
		return STMT_ERR_FORMAT;
	if ((r = form_encode(&delete_form, d, &b)) != 0)
		return r;
	for (i = 0; i < d->ndel; i++) {
		stmt_hash_hex(d->del[i].hash, hex);
		if (buf_putf(b, "del %llu %s\n",
		    (unsigned long long)d->del[i].seq, hex) != 0) {
			buf_free(b);
			return STMT_ERR_FORMAT;
		}
	}
	return emit_checked(b, STMT_DELETE, out);
}

int
stmt_note_encode(const struct stmt_note *n, struct buf *out)
{
	return form_emit(&note_form, n, out);
}

int
stmt_void_encode(const struct stmt_void *v, struct buf *out)
{
	return form_emit(&void_form, v, out);
}

/*
 * The text ends where a line starts with SSHSIG_BEGIN; from there the
 * armor runs to the end of the data: BEGIN line, base64 lines, END line.
 */
int
stmt_split_signed(const u_char *data, size_t len, size_t *textlen)
{
	static const char begin[] = "\n" SSHSIG_BEGIN "\n";
	static const char end[] = "\n" SSHSIG_END "\n";
	const size_t blen = sizeof(begin) - 1, elen = sizeof(end) - 1;
	size_t i, alen;

	*textlen = 0;
	if (data == NULL || len < blen + elen || len > STMT_SIGNED_MAX)
		return STMT_ERR_SIG;
	for (i = 0; i + blen <= len; i++)
		if (data[i] == '\n' && memcmp(data + i, begin, blen) == 0)
			break;
	if (i + blen > len)
		return STMT_ERR_SIG;
	alen = len - (i + 1);
	if (i + 1 > STMT_TEXT_MAX || alen > SSHSIG_ARMOR_MAX ||
	    alen < blen - 1 + elen ||
	    memcmp(data + len - elen, end, elen) != 0)
		return STMT_ERR_SIG;
	*textlen = i + 1;
	return 0;
}

int
stmt_signed_hash(const u_char *data, size_t len, u_char out[STMT_HASH_LEN])
{
	size_t tl;
	int r;

	memset(out, 0, STMT_HASH_LEN);
	if ((r = stmt_split_signed(data, len, &tl)) != 0)
		return r;
	stmt_hash(data, tl, out);
	return 0;
}

int
stmt_delete_filename(const struct stmt_delete *d, const u_char *text,
    size_t textlen, char *buf, size_t len)
{
	u_char h[STMT_HASH_LEN];
	uint64_t key = 0;
	size_t i;

	if (d->ndel == 0)
		return STMT_ERR_FORMAT;
	stmt_hash(text, textlen, h);
	for (i = 0; i < PFISH_DELKEY_WIDTH / 2; i++)
		key = (key << 8) | h[i];
	return layout_delete_name(d->del[0].seq, key, buf, len) == 0 ? 0 :
	    STMT_ERR_FORMAT;
}
