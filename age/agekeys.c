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

/* agekeys.c: age recipient strings and files, and the key file reader. */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "sshkey.h"

#define KEYFILE_MAX	(64 * 1024)

int
age_recipients_add(struct age_recipients *rc, const char *s)
{
	u_char pk[32];
	char hrp[8];
	size_t n;

	if (strncmp(s, AGE_X25519_HRP "1", 4) == 0) {
		if (age_bech32_decode(s, hrp, sizeof(hrp), pk, sizeof(pk),
		    &n) != 0 || n != 32 || strcmp(hrp, AGE_X25519_HRP) != 0)
			return AGE_ERR_KEY;
		return age_recipients_add_x25519(rc, pk);
	}
	if (strncmp(s, SSHKEY_TYPE_ED25519 " ", 12) == 0) {
		if (sshkey_pub_parse_line(s, pk, NULL) != 0)
			return AGE_ERR_KEY;
		return age_recipients_add_ssh(rc, pk);
	}
	return AGE_ERR_KEY;
}

/* Call fn on each line that is not blank or a '#' comment. */
int
age_for_each_line(const char *text, size_t len, void *ctx,
    int (*fn)(void *, const char *))
{
	char *line = NULL;
	const char *p = text, *end = text + len, *nl;
	size_t n;
	int r = 0;

	while (r == 0 && p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
		    p[n - 1] == '\t'))
			n--;
		if (n > 0 && p[0] != '#') {
			if (memchr(p, '\0', n) != NULL)
				return AGE_ERR_KEY;
			if ((line = sodium_malloc(n + 1)) == NULL)
				return AGE_ERR_ALLOC;
			memcpy(line, p, n);
			line[n] = '\0';
			r = fn(ctx, line);
			sodium_memzero(line, n);
			sodium_free(line);
		}
		p = nl + 1;
	}
	return r;
}

static int
add_recipient_line(void *ctx, const char *line)
{
	return age_recipients_add(ctx, line);
}

int
age_recipients_add_text(struct age_recipients *rc, const char *text,
    size_t len)
{
	return age_for_each_line(text, len, rc, add_recipient_line);
}

/* Read a small regular file (O_NOFOLLOW) into sodium_malloc memory. */
int
age_read_keyfile(const char *path, u_char **datap, size_t *lenp)
{
	struct stat st;
	u_char *data = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r = AGE_ERR_IO;

	*datap = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return AGE_ERR_IO;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > KEYFILE_MAX) {
		errno = EINVAL;
		goto out;
	}
	if ((data = sodium_malloc(KEYFILE_MAX + 1)) == NULL) {
		r = AGE_ERR_ALLOC;
		goto out;
	}
	while (len < KEYFILE_MAX) {
		if ((n = read(fd, data + len, KEYFILE_MAX - len)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0)
		goto out;
	data[len] = '\0';
	*datap = data;
	*lenp = len;
	data = NULL;
	r = 0;
out:
	sodium_free(data);
	close(fd);
	return r;
}

int
age_recipients_load(struct age_recipients *rc, const char *path)
{
	u_char *data;
	size_t len;
	int r;

	if ((r = age_read_keyfile(path, &data, &len)) != 0)
		return r;
	r = age_recipients_add_text(rc, (char *)data, len);
	sodium_free(data);
	return r;
}
