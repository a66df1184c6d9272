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

/* deliver.h: pfish-deliver, the MDA that encrypts and hands mail on. */

#ifndef DELIVER_H
#define DELIVER_H

#ifndef PFISH_RECIPIENTS_DIR
#define PFISH_RECIPIENTS_DIR	"/etc/pfish/recipients"	/* DIR/USER */
#endif
#ifndef PFISH_DELIVER_SPOOL
#define PFISH_DELIVER_SPOOL	"/var/spool/pfish-deliver"
#endif
#define DELIVER_SIGNER_CMD	"pfish-signer"
#define DELIVER_STORE_CMD	"pfish-store"
#define DELIVER_TIMEOUT		600	/* seconds for signer and store */
#define DELIVER_RECORD_MAX	(16 * 1024)	/* record and head, ~2 KiB */
#define DELIVER_ARGS_MAX	32	/* words in a -S / -A command */
#define DELIVER_DONE_DIR	"done"	/* SPOOL/USER/done/DAY/HEX */
#define DELIVER_DONE_DAYS	8	/* > the signer's give-up time */

int	deliver_main(int argc, char **argv);

#endif /* DELIVER_H */
