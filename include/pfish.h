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

/* pfish.h: formats, names and limits shared by every pfish program. */

#ifndef PFISH_H
#define PFISH_H

#define PFISH_VERSION		"0.1"

/* Where mailboxes live; the layout inside one is layout.h. */
#ifndef PFISH_STORE_ROOT
#define PFISH_STORE_ROOT	"/var/pfish"	/* ROOT/USER is a mailbox */
#endif
#ifndef PFISH_SIGNER_DIR
#define PFISH_SIGNER_DIR	"/var/lib/pfish-signer"
#endif
#define PFISH_SERVER_DEFAULT_DIR PFISH_STORE_ROOT "/%u"
#define PFISH_SERVER_DEFAULT_KEYS "%d/.ssh/authorized_keys" /* delete keys */
#define PFISH_MAILBOX_MAX	64		/* longest mailbox name */

/* sshsig namespaces, one per statement type. */
#define PFISH_NS_RECORD		"pfish-record-v1"
#define PFISH_NS_HEAD		"pfish-head-v1"
#define PFISH_NS_DELETE		"pfish-delete-v1"

/* SFTP vendor extensions served by pfish-server (PROTOCOL.pfish). */
#define PFISH_EXT_STATE		"pfish-state@pfish"
#define PFISH_EXT_DELETE	"pfish-delete@pfish"
#define PFISH_EXT_ACCOUNT	"pfish-account@pfish"
#define PFISH_EXT_VERSION	"1"

/* Subsystem limits (pfish-server(8) CAVEATS documents them). */
#define PFISH_PACKET_MAX	(256 * 1024)	/* whole packet, incl. length */
#define PFISH_READ_MAX		(255 * 1024)	/* largest READ reply payload */
/*
 * The read length limits@openssh.com advises.  OpenSSH's sftp asks for
 * what it is told, and copies every reply into two fresh heap buffers;
 * at 255 KiB glibc moves its trim threshold to about 510 KiB, and
 * whether the heap is given back and regrown on every reply (a
 * thousand minor faults per MiB) then depends on where small allocations
 * happen to land.  Below 128 KiB no buffer is ever mapped on its own, the
 * thresholds stay at their fixed 128 KiB and the heap holds still (6 brk
 * calls for 256 MiB at 64, 96 and 120 KiB, whatever the path lengths,
 * against 15 to 1553 at 255 KiB); 120 KiB stays below with room for
 * the reply's header, in half the replies of 64 KiB.  Larger reads are
 * still served.
 */
#define PFISH_READ_ADVISE	(120 * 1024)
#define PFISH_HANDLES_DEFAULT	256
#define PFISH_HANDLES_MAX	1024
#define PFISH_HANDLE_LEN	8		/* bytes in a handle string */
#define PFISH_OUTPUT_HIWAT	(64 * 1024)	/* stop reading input above */
#define PFISH_LOG_TRUNC		100		/* attacker text in logs */

/* Exit codes of pfish verify and pfish-store verify. */
#define PFISH_EXIT_OK		0
#define PFISH_EXIT_ERROR	1
#define PFISH_EXIT_TAMPER	3

#endif /* PFISH_H */
