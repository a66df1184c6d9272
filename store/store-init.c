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

/* store-init.c: pfish-store init: a mailbox's directories, owned right. */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <grp.h>
#include <pwd.h>

#include "fsutil.h"
#include "layout.h"
#include "pfish.h"
#include "store.h"
#include "stmt.h"

static int
make_dir(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	int fd, ret = -1;

	if (mkdirat(dirfd, name, PFISH_DIR_MODE) == -1 && errno != EEXIST) {
		warn("mkdir %s", name);
		return -1;
	}
	/* Change what we opened without following links, not a path. */
	if ((fd = fs_open_dir(dirfd, name)) == -1) {
		warn("%s", name);
		return -1;
	}
	if (uid != (uid_t)-1 && fchown(fd, uid, gid) == -1) {
		warn("chown %s", name);
		goto out;
	}
	/* After chown (which clears setgid) and whatever the umask was. */
	if (fchmod(fd, PFISH_DIR_MODE) == -1) {
		warn("chmod %s", name);
		goto out;
	}
	ret = 0;
 out:
	close(fd);
	return ret;
}

/* Owner: the user of that name when run as root; group pfish if any. */
static void
init_owner(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0 || (pw = getpwnam(name)) == NULL)
		return;
	*uid = pw->pw_uid;
	*gid = (gr = getgrnam("pfish")) != NULL ? gr->gr_gid : pw->pw_gid;
}

static int
init_one(struct store *s, const char *name)
{
	static const char *sub[] = { PFISH_STATE_DIR, PFISH_RECORDS_DIR,
	    PFISH_DELETES_DIR, PFISH_NOTES_DIR, PFISH_VOIDS_DIR, PFISH_TMP_DIR };
	uid_t uid;
	gid_t gid;
	size_t i;
	int dfd, ret = 1;

	if (!stmt_valid_mailbox(name)) {
		warnx("init: bad mailbox name");
		return EX_DATAERR;
	}
	init_owner(name, &uid, &gid);
	if (make_dir(s->rootfd, name, uid, gid) != 0)
		return 1;
	if ((dfd = fs_open_dir(s->rootfd, name)) == -1) {
		warn("%s", name);
		return 1;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (make_dir(dfd, sub[i], uid, gid) != 0)
			goto out;
	if (fs_fsync_dir(dfd) == -1 || fs_fsync_dir(s->rootfd) == -1) {
		warn("fsync");
		goto out;
	}
	ret = 0;
 out:
	close(dfd);
	return ret;
}

int
store_init(struct store *s, int argc, char **argv)
{
	(void)argc;
	return init_one(s, argv[0]);
}
