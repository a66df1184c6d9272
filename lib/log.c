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

/* log.c: syslog/stderr logging with sftp-server's levels and facilities. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "pfish";
static enum log_level log_lvl = LOG_LEVEL_INFO;
static int log_stderr = 1;

static const struct {
	const char	*name;
	enum log_level	 level;
} log_levels[] = {
	{ "QUIET", LOG_LEVEL_QUIET },
	{ "FATAL", LOG_LEVEL_FATAL },
	{ "ERROR", LOG_LEVEL_ERROR },
	{ "INFO", LOG_LEVEL_INFO },
	{ "VERBOSE", LOG_LEVEL_VERBOSE },
	{ "DEBUG", LOG_LEVEL_DEBUG1 },
	{ "DEBUG1", LOG_LEVEL_DEBUG1 },
	{ "DEBUG2", LOG_LEVEL_DEBUG2 },
	{ "DEBUG3", LOG_LEVEL_DEBUG3 },
};

static const struct {
	const char	*name;
	int		 facility;
} log_facilities[] = {
	{ "DAEMON", LOG_DAEMON },
	{ "USER", LOG_USER },
	{ "AUTH", LOG_AUTH },
	{ "AUTHPRIV", LOG_AUTHPRIV },
	{ "MAIL", LOG_MAIL },
	{ "LOCAL0", LOG_LOCAL0 },
	{ "LOCAL1", LOG_LOCAL1 },
	{ "LOCAL2", LOG_LOCAL2 },
	{ "LOCAL3", LOG_LOCAL3 },
	{ "LOCAL4", LOG_LOCAL4 },
	{ "LOCAL5", LOG_LOCAL5 },
	{ "LOCAL6", LOG_LOCAL6 },
	{ "LOCAL7", LOG_LOCAL7 },
};

void
log_init(const char *progname, enum log_level level, int facility,
    int to_stderr)
{
	log_prog = progname;
	log_lvl = level;
	log_stderr = to_stderr;
	if (to_stderr != 1)
		openlog(progname, LOG_PID | LOG_NDELAY, facility);
}

int
log_level_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcasecmp(log_levels[i].name, name) == 0)
			return (int)log_levels[i].level;
	return -1;
}

int
log_facility_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]); i++)
		if (strcasecmp(log_facilities[i].name, name) == 0)
			return log_facilities[i].facility;
	return -1;
}

static void __attribute__((format(printf, 4, 0)))
log_vmsg(enum log_level level, const char *func, int errnum,
    const char *fmt, va_list ap)
{
	char msg[1024];
	int pri;

	if (level > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);	/* truncation is fine here */
	if (log_stderr) {
		if (level >= LOG_LEVEL_DEBUG1)
			fprintf(stderr, "%s: %s: %s%s%s\r\n", log_prog, func, msg,
			    errnum ? ": " : "", errnum ? strerror(errnum) : "");
		else
			fprintf(stderr, "%s: %s%s%s\r\n", log_prog, msg,
			    errnum ? ": " : "", errnum ? strerror(errnum) : "");
		if (log_stderr == 1)
			return;
	}
	switch (level) {
	case LOG_LEVEL_FATAL:
		pri = LOG_CRIT;
		break;
	case LOG_LEVEL_ERROR:
		pri = LOG_ERR;
		break;
	case LOG_LEVEL_INFO:
	case LOG_LEVEL_VERBOSE:
		pri = LOG_INFO;
		break;
	default:
		pri = LOG_DEBUG;
		break;
	}
	syslog(pri, "%s%s%s", msg, errnum ? ": " : "",
	    errnum ? strerror(errnum) : "");
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, func, 0, fmt, ap);
	va_end(ap);
}

void
log_msg_errno(enum log_level level, const char *func, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, func, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * The access log: "access: " and the line, at syslog's INFO at every
 * level but QUIET, so that an operator's legal-access rule depends
 * neither on -l nor on other messages' wording.
 */
void
log_access(const char *fmt, ...)
{
	enum log_level saved = log_lvl;
	char msg[900];
	va_list ap;

	if (log_lvl == LOG_LEVEL_QUIET)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);	/* truncation is fine */
	va_end(ap);
	if (log_lvl < LOG_LEVEL_INFO)
		log_lvl = LOG_LEVEL_INFO;
	log_msg(LOG_LEVEL_INFO, "access", "access: %s", msg);
	log_lvl = saved;
}

void
log_fatal(const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, func, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
