# lib.sh: shared helpers for pfish's interop scripts (POSIX sh).
#
# Source it from a script run by tests/run.sh:
#
#	. "${PFISH_TOP:-.}/interop/lib.sh"
#	t_init			# temp dir $T, cleanup trap, counters
#	check "name" cmd ...	# "ok name" if cmd exits 0, else "not ok name"
#	ok "name" / notok "name" "why"
#	skip "name" "reason"	# "ok name # SKIP reason"
#	todo "name" "reason"	# "not ok name # TODO reason": an expected
#				# failure, counted and named by the runner
#	t_done			# prints the count, exits non-zero on failure
#	t_atexit 'cmd'		# also run cmd at exit (before $T goes)
#	wait_until SECS cmd ...	# poll cmd until true, at most SECS seconds
#
# tests/run.sh counts SKIP and TODO lines apart and names them in the
# summary; an expected failure does not fail the script.
#
# Servers: $PFISH_SERVER is the SFTP server under test (default
# $PFISH_BIN/pfish-server); set it to /usr/lib/openssh/sftp-server to try
# a script's mechanics against OpenSSH.  t_need_server skips the whole
# script (one "ok ... # SKIP" line) when it is not built yet.
#
# sshd: sshd_start starts a throwaway sshd on 127.0.0.1 at a free port with
# a temp host key and a temp test user key, then sets:
#	SSHD_PORT	the port
#	SSHD_USER	the login name (the user running the test)
#	USER_KEY	private key file of the test user ($USER_KEY.pub public)
#	KNOWN_HOSTS	known_hosts file already holding the host key
#	SSH_OPTS	options for ssh/sftp/scp: -F /dev/null, batch mode,
#			identity, known hosts; add "-p $SSHD_PORT" (ssh) or
#			"-P $SSHD_PORT" (sftp, scp) yourself
#	SSH_CONFIG	the same as an ssh_config file, including Port and
#			User, for "Host 127.0.0.1" (for tools taking -F)
# and sftp_batch [SFTP_OPTION...] runs sftp on it with a batch on stdin,
# e.g. echo ls | sftp_batch -s pfish.
# Everything lives under $T and is removed, and every process started
# through bg_start (sshd included) killed, when the script exits.

PFISH_TOP=${PFISH_TOP:-$(pwd)}
PFISH_BIN=${PFISH_BIN:-$PFISH_TOP/bin}
PFISH_OBJ=${PFISH_OBJ:-$PFISH_TOP/obj}
PFISH_SERVER=${PFISH_SERVER:-$PFISH_BIN/pfish-server}
PY=/usr/bin/python3		# the system python: paramiko lives there
export PFISH_TOP PFISH_BIN PFISH_OBJ PFISH_SERVER

t_pass=0
t_fail=0
t_skip=0
t_todo=0
T=

# t_init: make the temp dir $T and arrange cleanup on every exit path.
t_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/pfish-interop.XXXXXX") || exit 1
	: >"$T/.pids"
	trap 't_cleanup' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# t_atexit CMD: run the shell command CMD at exit, before $T is removed
# (unmount a file system mounted under $T, say).
T_ATEXIT=
t_atexit() {
	T_ATEXIT="$T_ATEXIT$1
"
}

# t_cleanup: run the t_atexit commands, kill what bg_start started (by
# pid), remove $T.
t_cleanup() {
	[ -n "$T_ATEXIT" ] && eval "$T_ATEXIT"
	[ -n "$T" ] && [ -d "$T" ] || return 0
	if [ -s "$T/.pids" ]; then
		while read -r p; do
			kill "$p" 2>/dev/null
		done <"$T/.pids"
		sleep 0.2
		while read -r p; do
			kill -9 "$p" 2>/dev/null
		done <"$T/.pids"
	fi
	[ -n "${T_KEEP:-}" ] && { echo "# kept $T"; return 0; }
	rm -rf "$T"
}

# bg_start LOG cmd...: start cmd in the background, output to LOG; the pid
# is in $BG_PID and is killed at exit.
bg_start() {
	_log=$1
	shift
	"$@" >"$_log" 2>&1 &
	BG_PID=$!
	echo "$BG_PID" >>"$T/.pids"
}

# ok NAME, notok NAME [WHY...], skip NAME WHY, todo NAME WHY: report one
# test.  notok NAME "TODO why" is the same as todo NAME why.
ok() {
	t_pass=$((t_pass + 1))
	echo "ok $1"
}
notok() {
	_n=$1
	shift
	case "$*" in
	TODO\ *)
		_w=$*
		todo "$_n" "${_w#TODO }"
		return
		;;
	esac
	t_fail=$((t_fail + 1))
	# One line, whatever the reason holds.
	echo "not ok $_n${1:+ # $(printf '%s' "$*" | tr '\n\t' '  ')}"
}
skip() {
	t_skip=$((t_skip + 1))
	echo "ok $1 # SKIP $2"
}
todo() {
	t_todo=$((t_todo + 1))
	echo "not ok $1 # TODO $2"
}

# check NAME cmd...: ok when cmd exits 0.  Its output is kept aside and
# shown as comment lines ("# ...") only when it fails, so nothing it
# prints is taken for a result line.
check() {
	_t_check=$1		# a name the command cannot clobber
	shift
	if "$@" >"$T/.check.out" 2>&1; then
		ok "$_t_check"
	else
		notok "$_t_check" "failed: $*"
		sed 's/^/# /' "$T/.check.out"
	fi
}

# wait_until SECONDS cmd...: wait for a condition instead of sleeping:
# run cmd every 0.1 s until it succeeds (true) or SECONDS have passed
# (false).  Pick SECONDS far above what the condition needs on a loaded
# machine: it bounds a hang, it is no timing assumption.
wait_until() {
	_wu_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_wu_end" ] && return 1
		sleep 0.1
	done
	return 0
}

# diag TEXT...: a comment line in the log ("# ...").
diag() {
	echo "# $*"
}

# t_done: print the counts; exit 0 only if something passed, was skipped
# or failed as expected, and nothing else failed.
t_done() {
	echo "# $t_pass passed, $t_fail failed, $t_skip skipped," \
	    "$t_todo expected failures"
	[ "$t_fail" -eq 0 ] || exit 1
	[ $((t_pass + t_skip + t_todo)) -gt 0 ] || exit 1
	exit 0
}

# t_need_server: skip the whole script if the server under test is
# missing (until pfish-server lands).
t_need_server() {
	if [ ! -x "$PFISH_SERVER" ]; then
		skip "$(basename "$0" .sh)" "no server at $PFISH_SERVER"
		t_done
	fi
}

# server_is_pfish: true unless the server under test is OpenSSH's.
server_is_pfish() {
	case "$PFISH_SERVER" in
	*sftp-server*) return 1 ;;
	esac
	return 0
}

# free_port: print a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_banner PORT [SECONDS]: wait until PORT on 127.0.0.1 sends an SSH
# banner.
wait_banner() {
	"$PY" - "$1" "${2:-10}" <<'EOF'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        if s.recv(8).startswith(b"SSH-"):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
EOF
}

# sha_tree DIR: one line per file, dir and symlink below DIR (type, mode,
# size, sha256 or link target, path), sorted; to compare before/after.
sha_tree() {
	"$PY" - "$1" <<'EOF'
import hashlib, os, stat, sys
top = sys.argv[1]
out = []
for root, dirs, files in os.walk(top):
    for n in sorted(dirs + files):
        p = os.path.join(root, n)
        st = os.lstat(p)
        rel = os.path.relpath(p, top)
        if stat.S_ISLNK(st.st_mode):
            d = "l " + os.readlink(p)
        elif stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                d = "f %d %s" % (st.st_size, hashlib.sha256(f.read()).hexdigest())
        elif stat.S_ISDIR(st.st_mode):
            d = "d"
        else:
            d = "o"
        out.append("%s %o %s" % (d, st.st_mode & 0o7777, rel))
print("\n".join(sorted(out)))
EOF
}

# user_key: make the test user's ed25519 key pair once ($USER_KEY).
user_key() {
	USER_KEY=$T/id_ed25519
	[ -f "$USER_KEY" ] && return 0
	ssh-keygen -q -t ed25519 -N '' -C pfish-test -f "$USER_KEY" || return 1
}

# expect_ere NAME RC ERE cmd...: cmd (its output in ./out) exits RC and
# prints a line matching the extended regular expression ERE (if not
# empty).
expect_ere() {
	_n=$1 _rc=$2 _pat=$3
	shift 3
	"$@" >out 2>&1
	_got=$?
	if [ "$_got" -ne "$_rc" ]; then
		notok "$_n" "exit $_got, want $_rc"
		sed 's/^/# /' out
	elif [ -n "$_pat" ] && ! grep -Eq "$_pat" out; then
		notok "$_n" "output lacks /$_pat/"
		sed 's/^/# /' out
	else
		ok "$_n"
	fi
}

# mail_setup LABEL: the mail side of a test, in $T (the current
# directory): MB, the mailbox (the user's login); ROOT, the store
# ($T/store); M, the mailbox's directory; HOME=$T/home and no ssh agent;
# the user's key (user_key); a signer key, state/signer_key; and a trust
# file, allowed, that trusts the signer for records and heads and the
# user's key, named LABEL, for deletes (append more lines as needed).
# S runs pfish-signer ($SIGNER) on state/, ST pfish-store ($STORE) on
# ROOT with allowed.  False if a step fails.
mail_setup() {
	MB=$(id -un)
	ROOT=$T/store
	M=$ROOT/$MB
	mkdir -p "$ROOT" "$T/state" "$T/home" || return 1
	export HOME=$T/home
	unset SSH_AUTH_SOCK
	user_key || return 1
	ssh-keygen -q -t ed25519 -N '' -C signer -f "$T/state/signer_key" ||
	    return 1
	{
		echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat "$T/state/signer_key.pub")"
		echo "$1 namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
	} >"$T/allowed"
	S() { "$SIGNER" -s "$T/state" "$@"; }
	ST() { "$STORE" -r "$ROOT" -T "$T/allowed" "$@"; }
}

# mail_record MAILBOX FILE: FILE encrypted to the user's key with age
# (enc.age), signed (rec) and stored, no new head (mail_setup first).
mail_record() {
	age -R "$USER_KEY.pub" -o "$T/enc.age" "$2" || return 1
	S record "$1" "$(wc -c <"$T/enc.age" | tr -d ' ')" \
	    "$(sha256sum "$T/enc.age" | cut -c1-64)" >"$T/rec" || return 1
	cat "$T/rec" "$T/enc.age" | ST accept "$1" >/dev/null
}

# mail_deliver MAILBOX FILE: mail_record, then a new head.
mail_deliver() {
	mail_record "$1" "$2" || return 1
	S head "$1" | ST head "$1" >/dev/null
}

# sshd_start [SUBSYSTEM_LINE...]: start a throwaway sshd, each argument
# one sshd_config line such as
#	"Subsystem pfish $PFISH_SERVER -d $T/mbox".
# Sets SSHD_PORT, SSHD_USER, USER_KEY, KNOWN_HOSTS, SSH_OPTS, SSHD_PID,
# SSHD_LOG.  Returns non-zero (and prints the log) if sshd does not come up.
sshd_start() {
	user_key || return 1
	_d=$T/sshd
	mkdir -p "$_d" || return 1
	[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd 2>/dev/null
	rm -f "$_d/host_ed25519" "$_d/host_ed25519.pub"
	ssh-keygen -q -t ed25519 -N '' -f "$_d/host_ed25519" || return 1
	cp "$USER_KEY.pub" "$_d/authorized_keys"
	SSHD_USER=$(id -un)
	SSHD_LOG=$_d/sshd.log
	# The port was free a moment ago; if another test took it since,
	# sshd exits and we try the next one.
	_try=1
	while :; do
		SSHD_PORT=$(free_port) || return 1
		sshd_config_write "$_d" "$@" || return 1
		/usr/sbin/sshd -t -f "$_d/sshd_config" || return 1
		bg_start "$SSHD_LOG" /usr/sbin/sshd -D -e -f "$_d/sshd_config"
		SSHD_PID=$BG_PID
		sshd_listening && break
		kill "$SSHD_PID" 2>/dev/null
		if [ "$_try" -ge 3 ]; then
			echo "# sshd did not come up:"
			sed 's/^/# /' "$SSHD_LOG"
			return 1
		fi
		_try=$((_try + 1))
	done
	KNOWN_HOSTS=$_d/known_hosts
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$_d/host_ed25519.pub")" \
	    >"$KNOWN_HOSTS"
	SSH_OPTS="-F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes
	    -o IdentityFile=$USER_KEY -o UserKnownHostsFile=$KNOWN_HOSTS
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
	    -o ConnectTimeout=10 -o LogLevel=ERROR"
	ssh_config_write "$_d/ssh_config"
	wait_banner "$SSHD_PORT" 10
}

# sshd_config_write DIR LINE...: the temp sshd_config for sshd_start.
sshd_config_write() {
	_cd=$1
	shift
	{
		echo "ListenAddress 127.0.0.1:$SSHD_PORT"
		echo "HostKey $_cd/host_ed25519"
		echo "PidFile $_cd/sshd.pid"
		echo "AuthorizedKeysFile $_cd/authorized_keys"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin yes"
		echo "StrictModes no"
		echo "UsePAM no"
		echo "LogLevel ${SSHD_LOGLEVEL:-VERBOSE}"	# INFO at least
		echo "PrintMotd no"
		echo "AcceptEnv LANG"
		for _l in "$@"; do
			echo "$_l"
		done
	} >"$_cd/sshd_config"
}

# sshd_listening: wait up to 10 s until sshd logs that it listens; fail
# at once if it exits (port taken).
sshd_listening() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" \
		    "$SSHD_LOG" 2>/dev/null && return 0
		kill -0 "$SSHD_PID" 2>/dev/null || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# ssh_config_write FILE: an ssh_config for the test sshd ($SSH_CONFIG).
ssh_config_write() {
	SSH_CONFIG=$1
	cat >"$SSH_CONFIG" <<EOF
Host 127.0.0.1
	Port $SSHD_PORT
	User $SSHD_USER
	IdentityFile $USER_KEY
	IdentitiesOnly yes
	UserKnownHostsFile $KNOWN_HOSTS
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 10
	LogLevel ERROR
EOF
}

# sftp_batch [SFTP_OPTION...]: OpenSSH sftp to the test sshd, batch from
# stdin (aborts at the first failing command unless it starts with "-").
sftp_batch() {
	timeout 120 sftp $SSH_OPTS -P "$SSHD_PORT" "$@" -b - \
	    "$SSHD_USER@127.0.0.1"
}

# sshd_stop: stop the sshd started by sshd_start (cleanup does it too).
sshd_stop() {
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

# mbox_make DIR: an initialised, empty mailbox directory (the layout
# pfish-store init leaves).
mbox_make() {
	mkdir -p "$1/.pfish/records" "$1/.pfish/deletes" \
	    "$1/.pfish/notes" "$1/.pfish/tmp"
}

# mbox_signed N SIZE: in the current directory, a signer key "signer", a
# trust file "allowed" for it and "mbox", N signed messages of SIZE bytes
# written by bench/mkmailbox (PFISH_OBJ), for the login name MB (set).
mbox_signed() {
	MB=$(id -un)
	ssh-keygen -q -t ed25519 -N '' -C signer -f signer || return 1
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat signer.pub)" \
	    >allowed
	"$PFISH_OBJ/bench/mkmailbox" signer "$PWD/mbox" "$MB" "$1" "$2" \
	    >/dev/null
}

# mbox_invisible DIR: add the things a client must never see: a symlink to
# a .age and one to /etc/passwd, a subdirectory named like a message with a
# file in it, a FIFO named like a message, a dotfile .age, files with other
# suffixes.  Prints nothing.
mbox_invisible() {
	_first=$(cd "$1" && ls | grep '\.age$' | head -n 1)
	ln -s "${_first:-000000000001.age}" "$1/777777777777.age"
	ln -s /etc/passwd "$1/passwd.age"
	mkdir -p "$1/888888888888.age" "$1/sub"
	echo inside >"$1/888888888888.age/000000000001.age"
	echo inside >"$1/sub/000000000002.age"
	echo hidden >"$1/.hidden.age"
	echo notes >"$1/notes.txt"
	echo almost >"$1/000000000009.ag"
	mkfifo "$1/666666666666.age"	# opening it would block
}

# INVISIBLE: names mbox_invisible makes at the top of the mailbox.
INVISIBLE="777777777777.age passwd.age 888888888888.age 666666666666.age sub
.hidden.age notes.txt 000000000009.ag .pfish"
