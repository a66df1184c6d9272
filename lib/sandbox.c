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

/* sandbox.c: confinement after start-up; the one platform-specific file. */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "log.h"
#include "pfish.h"
#include "sandbox.h"

static char sandbox_state[64] = "none";

const char *
sandbox_status(void)
{
	return sandbox_state;
}

#if defined(__linux__)
/*
 * Linux: Landlock limits the file system, a seccomp-bpf allowlist limits
 * the system calls.  Only the kernel's UAPI headers are used; constants
 * newer than the installed headers are defined here, by ABI version.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <stddef.h>

/* The directories pfish-server may write to, relative to the mailbox. */
static const char *const sandbox_state_dirs[] = {
	PFISH_TMP_DIR, PFISH_NOTES_DIR, PFISH_DELETES_DIR
};
#define SANDBOX_NSTATE	(sizeof(sandbox_state_dirs) / sizeof(sandbox_state_dirs[0]))

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)	/* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif
#define SB_LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define SB_LL_NET_CONNECT_TCP		(1ULL << 1)
#define SB_LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define SB_LL_SCOPE_SIGNAL		(1ULL << 1)
#define SB_LL_ABI1_FS			((1ULL << 13) - 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
struct sb_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

static int
sb_landlock_abi(void)
{
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

/* Everything this kernel can deny: handled means denied unless granted. */
static size_t
sb_ruleset_attr(int abi, struct sb_ruleset_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->handled_access_fs = SB_LL_ABI1_FS;
	if (abi >= 2)
		attr->handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr->handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		attr->handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 4)
		attr->handled_access_net = SB_LL_NET_BIND_TCP |
		    SB_LL_NET_CONNECT_TCP;
	if (abi >= 6)
		attr->scoped = SB_LL_SCOPE_ABSTRACT_UNIX | SB_LL_SCOPE_SIGNAL;
	if (abi >= 6)
		return sizeof(*attr);
	if (abi >= 4)
		return offsetof(struct sb_ruleset_attr, scoped);
	return offsetof(struct sb_ruleset_attr, handled_access_net);
}

static uint64_t
sb_rights_to_fs(int rights)
{
	uint64_t fs = 0;

	if (rights & SANDBOX_READ)
		fs |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	if (rights & SANDBOX_REMOVE)
		fs |= LANDLOCK_ACCESS_FS_REMOVE_FILE;
	if (rights & SANDBOX_CREATE)
		fs |= LANDLOCK_ACCESS_FS_MAKE_REG |
		    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REFER |
		    LANDLOCK_ACCESS_FS_TRUNCATE;
	if (rights & SANDBOX_MKDIR)
		fs |= LANDLOCK_ACCESS_FS_MAKE_DIR;
	return fs;
}

/*
 * Returns 1 when Landlock is in force, 0 when this kernel cannot provide
 * it (no Landlock, or ABI 1, which forbids the cross-directory renames
 * every durable write needs), -1 on error.
 */
static int
sb_landlock(const struct sandbox_path *paths, size_t npaths, int *abip)
{
	struct sb_ruleset_attr attr;
	struct landlock_path_beneath_attr pb;
	size_t i, attrlen;
	int abi, rs = -1, ret = -1, needrefer = 0, saved;

	for (i = 0; i < npaths; i++)
		if (paths[i].rights & SANDBOX_CREATE)
			needrefer = 1;
	*abip = abi = sb_landlock_abi();
	if (abi < 1 || (abi < 2 && needrefer))
		return 0;
	attrlen = sb_ruleset_attr(abi, &attr);
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attrlen,
	    0)) == -1)
		goto out;
	for (i = 0; i < npaths; i++) {
		memset(&pb, 0, sizeof(pb));
		pb.parent_fd = paths[i].fd;
		pb.allowed_access = sb_rights_to_fs(paths[i].rights) &
		    attr.handled_access_fs;
		if (syscall(SYS_landlock_add_rule, rs,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
			goto out;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		goto out;
	ret = 1;
 out:
	saved = errno;
	if (rs != -1)
		close(rs);
	errno = saved;
	return ret;
}

#if defined(__x86_64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SB_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define SB_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

/*
 * Sanitizer builds only (make check-asan, fuzzing): LeakSanitizer's exit
 * check runs a CLONE_VM tracer thread that ptraces the process's threads
 * listed under /proc/PID, and reports are symbolized by a child process.
 * Such builds start the symbolizer before confinement and allow exactly
 * that much more; release builds contain none of it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SB_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_SANITIZED	1
#endif
#endif

#ifdef SB_SANITIZED
#include <sched.h>

void	__sanitizer_sandbox_on_notify(void *);
void	__sanitizer_symbolize_pc(void *, const char *, char *, size_t);

static const int sb_sanitizer_allowed[] = {
	__NR_ptrace, __NR_wait4, __NR_prctl, __NR_readlinkat, __NR_getppid,
	__NR_tgkill,	/* abort_on_error */
#ifdef __NR_readlink
	__NR_readlink, __NR_getdents,
#endif
};

/* The directory of log_path in env, where reports are created. */
static int
sb_sanitizer_logdir(const char *env)
{
	const char *opts, *p;
	char dir[1024];
	size_t len;

	if ((opts = getenv(env)) == NULL ||
	    (p = strstr(opts, "log_path=")) == NULL)
		return -1;
	p += strlen("log_path=");
	len = strcspn(p, ":");
	while (len > 0 && p[len - 1] != '/')
		len--;
	if (len == 0 || len >= sizeof(dir))
		return -1;
	memcpy(dir, p, len);
	dir[len] = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Adds /proc/self (read) and the report directories (create) to all. */
static size_t
sb_sanitizer_prepare(struct sandbox_path *all, size_t n)
{
	static const char *const envs[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS" };
	char out[256];
	size_t i;

	__sanitizer_sandbox_on_notify(NULL);
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p %F %L",
	    out, sizeof(out));
	if ((all[n].fd = open("/proc/self", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		all[n].path = "/proc/self";
		all[n++].rights = SANDBOX_READ;
	}
	for (i = 0; i < 2; i++) {
		if ((all[n].fd = sb_sanitizer_logdir(envs[i])) == -1)
			continue;
		all[n].path = envs[i];
		all[n++].rights = SANDBOX_CREATE;
	}
	return n;
}
#endif

/*
 * System calls a confined pfish program may make: the event loop, reading
 * and listing files, the durable-write sequence (temp file, write, fsync,
 * rename, directory fsync), unlink, malloc and sodium_malloc (mlock),
 * time, syslog on the socket opened before confinement.  Which paths they
 * may touch is Landlock's business.  mmap/mprotect are checked for
 * PROT_EXEC below; ioctl fails with ENOTTY and socket with EACCES;
 * anything else kills.
 */
static const int sb_allowed[] = {
	__NR_read, __NR_readv, __NR_pread64, __NR_write, __NR_writev,
	__NR_pwrite64, __NR_lseek, __NR_close, __NR_openat, __NR_fstat,
	__NR_newfstatat, __NR_statx, __NR_getdents64, __NR_fcntl, __NR_dup,
	__NR_dup3, __NR_unlinkat, __NR_renameat, __NR_renameat2,
	__NR_mkdirat, __NR_fsync, __NR_fdatasync, __NR_fadvise64, __NR_flock,
	__NR_ftruncate, __NR_fchmod,
	__NR_brk, __NR_munmap, __NR_mremap, __NR_madvise, __NR_mlock,
	__NR_munlock, __NR_clock_gettime, __NR_clock_getres, __NR_gettimeofday,
	__NR_clock_nanosleep, __NR_nanosleep, __NR_getrandom,
	__NR_epoll_create1, __NR_epoll_ctl, __NR_epoll_pwait, __NR_ppoll,
	__NR_pselect6, __NR_sendto, __NR_sendmsg, __NR_futex,
	__NR_getpid, __NR_gettid, __NR_getuid, __NR_geteuid, __NR_getgid,
	__NR_getegid, __NR_sysinfo, __NR_sched_yield,
	__NR_rt_sigreturn, __NR_rt_sigprocmask, __NR_rt_sigaction,
	__NR_sigaltstack, __NR_restart_syscall, __NR_exit, __NR_exit_group,
#ifdef __NR_epoll_pwait2
	__NR_epoll_pwait2,
#endif
	/* Older names that only some architectures have. */
#ifdef __NR_open
	__NR_open, __NR_stat, __NR_lstat, __NR_unlink, __NR_rename,
	__NR_poll, __NR_select, __NR_epoll_wait, __NR_epoll_create,
	__NR_dup2, __NR_time, __NR_mkdir,
#endif
};
#define SB_NALLOWED	(sizeof(sb_allowed) / sizeof(sb_allowed[0]))

#define SB_PROG_MAX	512
struct sb_prog {
	struct sock_filter	f[SB_PROG_MAX];
	size_t			n;
	int			overflow;
};

static void
sb_emit(struct sb_prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	if (p->n >= SB_PROG_MAX) {
		p->overflow = 1;
		return;
	}
	p->f[p->n].code = code;
	p->f[p->n].k = k;
	p->f[p->n].jt = jt;
	p->f[p->n].jf = jf;
	p->n++;
}

/* System call nr: action set if argument arg (low 32 bits) has a bit of
 * mask, else action clear. */
static void
sb_emit_argmask(struct sb_prog *p, int nr, int arg, uint32_t mask,
    uint32_t set, uint32_t clear)
{
	sb_emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 4);
	sb_emit(p, BPF_LD | BPF_W | BPF_ABS, SB_ARG_LO(arg), 0, 0);
	sb_emit(p, BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1);
	sb_emit(p, BPF_RET | BPF_K, set, 0, 0);
	sb_emit(p, BPF_RET | BPF_K, clear, 0, 0);
}

static void
sb_emit_allow(struct sb_prog *p, const int *nrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sb_emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[i], 0, 1);
		sb_emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	}
}

static void
sb_seccomp_prog(struct sb_prog *p, uint32_t kill)
{
	memset(p, 0, sizeof(*p));
	sb_emit(p, BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch), 0, 0);
	sb_emit(p, BPF_JMP | BPF_JEQ | BPF_K, SB_AUDIT_ARCH, 1, 0);
	sb_emit(p, BPF_RET | BPF_K, kill, 0, 0);
	sb_emit(p, BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr), 0, 0);
#ifdef __X32_SYSCALL_BIT
	sb_emit(p, BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
	sb_emit(p, BPF_RET | BPF_K, kill, 0, 0);
#endif
	sb_emit_argmask(p, __NR_mmap, 2, PROT_EXEC, kill, SECCOMP_RET_ALLOW);
	sb_emit_argmask(p, __NR_mprotect, 2, PROT_EXEC, kill,
	    SECCOMP_RET_ALLOW);
#ifdef SB_SANITIZED
	/* threads (the leak checker's tracer), never processes */
	sb_emit_argmask(p, __NR_clone, 0, CLONE_VM, SECCOMP_RET_ALLOW, kill);
	sb_emit_allow(p, sb_sanitizer_allowed, sizeof(sb_sanitizer_allowed) /
	    sizeof(sb_sanitizer_allowed[0]));
#endif
	/* ioctl: none (stdio's terminal checks are told "not a tty"). */
	sb_emit(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1);
	sb_emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY, 0, 0);
	/* syslog(3) tries to reconnect after an error: let that fail. */
	sb_emit(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 1);
	sb_emit(p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES, 0, 0);
	sb_emit_allow(p, sb_allowed, SB_NALLOWED);
	sb_emit(p, BPF_RET | BPF_K, kill, 0, 0);
}

/* Returns 1 when the filter is installed, 0 if unsupported, -1 on error. */
static int
sb_seccomp(void)
{
#ifdef SB_AUDIT_ARCH
	static struct sb_prog prog;
	struct sock_fprog fprog;
	uint32_t kill = SECCOMP_RET_KILL_PROCESS;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &kill) == -1)
		kill = SECCOMP_RET_KILL_THREAD;	/* before Linux 4.14 */
	sb_seccomp_prog(&prog, kill);
	if (prog.overflow) {
		errno = E2BIG;
		return -1;
	}
	memset(&fprog, 0, sizeof(fprog));
	fprog.len = (unsigned short)prog.n;
	fprog.filter = prog.f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == -1)
		return errno == EINVAL ? 0 : -1;
	return 1;
#else
	return 0;
#endif
}

/* A missing mechanism: logged once, fatal only with SANDBOX_REQUIRED. */
static int
sb_missing(const char *what, int flags)
{
	static int logged;

	if (flags & SANDBOX_REQUIRED) {
		error("%s unavailable and confinement is required", what);
		errno = ENOTSUP;
		return -1;
	}
	if (!logged++)
		logit("%s unavailable: running less confined", what);
	return 0;
}

#define SB_PATHS_MAX	16

static int
sb_apply(const struct sandbox_path *paths, size_t npaths, int flags)
{
	struct sandbox_path all[SB_PATHS_MAX + 3];
	size_t i, n = npaths;
	int abi, ll, sc, ret = -1;

	if (npaths > SB_PATHS_MAX) {
		errno = E2BIG;
		return -1;
	}
	memcpy(all, paths, npaths * sizeof(*paths));
#ifdef SB_SANITIZED
	n = sb_sanitizer_prepare(all, n);
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		error_errno("prctl(PR_SET_NO_NEW_PRIVS)");
		goto out;
	}
	if ((ll = sb_landlock(all, n, &abi)) == -1) {
		error_errno("landlock");
		goto out;
	}
	if (ll == 0 && sb_missing("landlock", flags) == -1)
		goto out;
	if ((sc = sb_seccomp()) == -1) {
		error_errno("seccomp");
		goto out;
	}
	if (sc == 0 && sb_missing("seccomp", flags) == -1)
		goto out;
	if (snprintf(sandbox_state, sizeof(sandbox_state), "%s%d%s%s",
	    ll ? "landlock-" : "nolandlock-", abi, sc ? "+seccomp" : "",
	    n > npaths ? "+sanitizer" : "") < 0)
		sandbox_state[0] = '\0';
	debug("confined: %s", sandbox_state);
	ret = 0;
 out:
	for (i = npaths; i < n; i++)
		close(all[i].fd);
	return ret;
}

static int
sb_server_paths(int mailbox_fd, const char *mailbox_path, int flags,
    struct sandbox_path *paths, size_t *npaths)
{
	size_t i;
	int statefd, fd;

	paths[0].fd = mailbox_fd;
	paths[0].path = mailbox_path;
	paths[0].rights = SANDBOX_READ | SANDBOX_REMOVE;
	*npaths = 1;
	if ((flags & SANDBOX_ALLOW_WRITE_STATE) == 0)
		return 0;
	statefd = openat(mailbox_fd, PFISH_STATE_DIR,
	    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (statefd == -1)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < SANDBOX_NSTATE; i++) {
		/* ".pfish/notes" -> "notes" below the .pfish fd */
		fd = openat(statefd, sandbox_state_dirs[i] +
		    sizeof(PFISH_STATE_DIR), O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 && errno == ENOENT)
			continue;
		if (fd == -1)
			break;
		paths[*npaths].fd = fd;
		paths[*npaths].path = sandbox_state_dirs[i];
		paths[*npaths].rights = SANDBOX_CREATE;
		(*npaths)++;
	}
	close(statefd);
	return i == SANDBOX_NSTATE ? 0 : -1;
}

int
sandbox_server(int mailbox_fd, const char *mailbox_path, int flags)
{
	struct sandbox_path paths[1 + SANDBOX_NSTATE];
	size_t i, n = 0;
	int ret = -1, saved;

	if (sb_server_paths(mailbox_fd, mailbox_path, flags, paths, &n) == -1) {
		error_errno("%s/%s", mailbox_path, PFISH_STATE_DIR);
		goto out;
	}
	ret = sb_apply(paths, n, flags);
 out:
	saved = errno;
	for (i = 1; i < n; i++)
		close(paths[i].fd);
	errno = saved;
	return ret;
}

int
sandbox_tool(const struct sandbox_path *paths, size_t npaths, int flags)
{
	return sb_apply(paths, npaths, flags);
}

#elif defined(__OpenBSD__)
/* OpenBSD: unveil the trees, then pledge the narrowest promises. */

/* tool: command-line tools take file locks; the server does not. */
static int
sb_pledge(const struct sandbox_path *paths, size_t npaths, int tool)
{
	char perm[8], promises[64];
	size_t i;
	int rights = 0;

	for (i = 0; i < npaths; i++) {
		rights |= paths[i].rights;
		if (snprintf(perm, sizeof(perm), "%s%s%s",
		    paths[i].rights & SANDBOX_READ ? "r" : "",
		    paths[i].rights & SANDBOX_CREATE ? "w" : "",
		    paths[i].rights & (SANDBOX_CREATE | SANDBOX_REMOVE |
		    SANDBOX_MKDIR) ? "c" : "") < 0 ||
		    unveil(paths[i].path, perm) == -1)
			return -1;
	}
	if (unveil(NULL, NULL) == -1)
		return -1;
	if (snprintf(promises, sizeof(promises), "stdio rpath%s%s%s",
	    tool ? " flock" : "", rights & SANDBOX_CREATE ? " wpath" : "",
	    rights & (SANDBOX_CREATE | SANDBOX_REMOVE | SANDBOX_MKDIR) ?
	    " cpath" : "") >= (int)sizeof(promises))
		return -1;
	return pledge(promises, NULL);
}

int
sandbox_server(int mailbox_fd, const char *mailbox_path, int flags)
{
	struct sandbox_path p;

	(void)mailbox_fd;
	p.fd = -1;
	p.path = mailbox_path;
	p.rights = SANDBOX_READ | SANDBOX_REMOVE;
	if (flags & SANDBOX_ALLOW_WRITE_STATE)
		p.rights |= SANDBOX_CREATE;
	if (sb_pledge(&p, 1, 0) == -1)
		return -1;
	strlcpy(sandbox_state, "pledge+unveil", sizeof(sandbox_state));
	return 0;
}

int
sandbox_tool(const struct sandbox_path *paths, size_t npaths, int flags)
{
	(void)flags;
	if (sb_pledge(paths, npaths, 1) == -1)
		return -1;
	strlcpy(sandbox_state, "pledge+unveil", sizeof(sandbox_state));
	return 0;
}

#else
/* Elsewhere: nothing to confine with; say so once. */

static int
sb_none(int flags)
{
	static int logged;

	if (flags & SANDBOX_REQUIRED) {
		error("no sandbox on this system and confinement is required");
		errno = ENOTSUP;
		return -1;
	}
	if (!logged++)
		logit("no sandbox on this system: running unconfined");
	return 0;
}

int
sandbox_server(int mailbox_fd, const char *mailbox_path, int flags)
{
	(void)mailbox_fd;
	(void)mailbox_path;
	return sb_none(flags);
}

int
sandbox_tool(const struct sandbox_path *paths, size_t npaths, int flags)
{
	(void)paths;
	(void)npaths;
	return sb_none(flags);
}
#endif
