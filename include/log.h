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

/* log.h: syslog/stderr logging with sftp-server's levels and facilities. */

#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_FATAL,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_INFO,
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_DEBUG1,
	LOG_LEVEL_DEBUG2,
	LOG_LEVEL_DEBUG3
};

/*
 * to_stderr: 0 logs to syslog, 1 (-e) to stderr instead, LOG_TO_BOTH to
 * both (an MDA: its stderr is the reason the mail system records).
 */
#define LOG_TO_BOTH	2
void	log_init(const char *progname, enum log_level level, int facility,
	    int to_stderr);
int	log_level_from_name(const char *name);	/* -1 if unknown */
int	log_facility_from_name(const char *name);	/* -1 if unknown */
void	log_msg(enum log_level level, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_fatal(const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* One access-log line, at INFO whatever the level (but QUIET). */
void	log_access(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#define logit(...)	log_msg(LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define verbose(...)	log_msg(LOG_LEVEL_VERBOSE, __func__, __VA_ARGS__)
#define error(...)	log_msg(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
#define debug(...)	log_msg(LOG_LEVEL_DEBUG1, __func__, __VA_ARGS__)
#define debug2(...)	log_msg(LOG_LEVEL_DEBUG2, __func__, __VA_ARGS__)
#define debug3(...)	log_msg(LOG_LEVEL_DEBUG3, __func__, __VA_ARGS__)
#define fatal(...)	log_fatal(__func__, __VA_ARGS__)
/* Variants that append ": strerror(errno)". */
#define error_errno(...) log_msg_errno(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
void	log_msg_errno(enum log_level level, const char *func,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* LOG_H */
