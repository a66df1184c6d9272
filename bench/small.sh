#!/bin/sh
# small.sh: many small messages through a real sshd, pfish against the
# stock OpenSSH tools on the same mailbox in the same run.
#
# Usage (after make):  sh bench/small.sh REPS OUTFILE
# Environment: PFISH_TOP, PFISH_BIN, PFISH_OBJ (as for interop/),
#	SMALL_SSHD_N=10000	messages in the mailbox
#	SMALL_SSHD_SIZE=2048	bytes per message
# One throwaway sshd serves the mailbox twice: Subsystem sftp is
# OpenSSH's sftp-server started in it, Subsystem pfish is pfish-server.
# Each repetition runs every step once, in order on odd repetitions and
# reversed on even ones; the steps:
#	get-sftp	stock sftp "get *.age" from sftp-server
#	get-pfish	the same from pfish-server
#	ls-sftp		stock sftp "ls -l" from sftp-server
#	list		pfish list (cold: no device state)
#	verify		pfish verify, cold (downloads and hashes everything)
#	verify-again	pfish verify once more: nothing new
#	fetch		pfish fetch, cold, into a fresh directory
#	connect		stock sftp connecting to the pfish subsystem and
#			quitting
#	connect-libssh	the same with libssh and TCP_NODELAY, as pfish
#			connects (obj/interop/libssh-sftp -N, no op): what
#			any pfish run pays for the connection
# OUTFILE gets rows for bench/later.sh's table (tab-separated):
#	label pfish anchor anchor_name ratio paired goal met
# and OUTFILE.raw every timing.  A benchmark, not a test.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
REPS=${1:-3}
ROWS=${2:-$T/rows}
N=${SMALL_SSHD_N:-10000}
SIZE=${SMALL_SSHD_SIZE:-2048}
RSS=$PFISH_OBJ/bench/rss
LIBSSH=$PFISH_OBJ/interop/libssh-sftp
ANCHOR=${ANCHOR_SERVER:-/usr/lib/openssh/sftp-server}
cd "$T" || exit 1
export HOME=$T/home
mkdir -p home
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f signer || exit 1
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat signer.pub)" \
    >allowed
MB=$(id -un)
"$PFISH_OBJ/bench/mkmailbox" signer "$T/mbox" "$MB" "$N" "$SIZE" \
    >/dev/null || exit 1
sshd_start "Subsystem pfish $PFISH_BIN/pfish-server -d $T/mbox" \
    "Subsystem sftp $ANCHOR -d $T/mbox" || exit 1
P="$PFISH_BIN/pfish -F /dev/null -p $SSHD_PORT -i $USER_KEY
    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -s $T/state"
# shellcheck disable=SC2086
SFTP="sftp -q $SSH_OPTS -P $SSHD_PORT"
printf 'get *.age dest/\n' >get.batch
printf 'ls -l\n' >ls.batch
: >empty.batch
RAW=$ROWS.raw
printf 'step\trep\twall_s\trss_kib\tuser_s\tsys_s\texit\n' >"$RAW"
sync

# step NAME REP cmd...: run once under rss, append its line to RAW.
step() {
	_s=$1 _r=$2
	shift 2
	"$RSS" "$T/rss.out" "$@" >"$T/step.out" 2>&1
	_rc=$?
	read -r _w _m _u _y <"$T/rss.out" || { _w=0 _m=0 _u=0 _y=0; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$_s" "$_r" "$_w" "$_m" "$_u" \
	    "$_y" "$_rc" >>"$RAW"
	if [ "$_rc" != 0 ]; then
		echo "small.sh: $_s failed in turn $_r:" >&2
		tail -n 3 "$T/step.out" >&2
	fi
}

# A new, empty destination.  The old one is set aside, not removed: ext4
# skips inodes freed in the last 30 s when it allocates one, reading each
# from the inode table, so creating 10 000 files right after removing
# 10 000 costs several times the system time of a real first fetch (seen
# with perf: most of it in __ext4_new_inode).  The spent copies go at the
# end.
NSPENT=0
fresh() {
	if [ -d dest ]; then
		NSPENT=$((NSPENT + 1))
		mv dest "spent.$NSPENT" || exit 1
	fi
	mkdir dest && sync
}

run() {	# NAME REP: one step with its setup
	case $1 in
	get-sftp)	fresh; step "$1" "$2" $SFTP -b get.batch \
			    "$MB@127.0.0.1" ;;
	get-pfish)	fresh; step "$1" "$2" $SFTP -s pfish -b get.batch \
			    "$MB@127.0.0.1" ;;
	ls-sftp)	step "$1" "$2" $SFTP -b ls.batch "$MB@127.0.0.1" ;;
	list)		rm -f state; step "$1" "$2" $P "$MB@127.0.0.1" list ;;
	verify)		rm -f state; sync
			step "$1" "$2" $P "$MB@127.0.0.1" verify ;;
	verify-again)	step "$1" "$2" $P "$MB@127.0.0.1" verify ;;
	fetch)		fresh; rm -f state
			step "$1" "$2" $P "$MB@127.0.0.1" fetch -d "$T/dest" ;;
	connect)	step "$1" "$2" $SFTP -s pfish -b empty.batch \
			    "$MB@127.0.0.1" ;;
	connect-libssh)	step "$1" "$2" "$LIBSSH" -N -p "$SSHD_PORT" \
			    -i "$USER_KEY" -k "$KNOWN_HOSTS" -u "$MB" 127.0.0.1 ;;
	esac
}

STEPS="get-sftp get-pfish ls-sftp list verify verify-again fetch connect
    connect-libssh"
# Warm-up, not recorded: the page cache holds the mailbox for everybody.
for s in $STEPS; do
	run "$s" 0
done
if [ "$(ls dest | wc -l)" != "$N" ]; then
	echo "small.sh: fetch left $(ls dest | wc -l) files, want $N" >&2
fi
rep=1
while [ "$rep" -le "$REPS" ]; do
	if [ $((rep % 2)) = 1 ]; then
		order=$STEPS
	else
		order=$(echo "$STEPS" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' ')
	fi
	for s in $order; do
		run "$s" "$rep"
	done
	rep=$((rep + 1))
done
rm -rf dest spent.*

# Medians (failed runs left out) and the rows.
awk -F '\t' -v n="$N" -v size="$SIZE" '
function median(s,    k, i, j, t, v) {
	k = split(vals[s], v, " ")
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	if (k == 0) return -1
	return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
}
function row(label, s1, s2, aname, goal,    a, b, r) {
	a = median(s1); b = median(s2)
	if (a < 0 || b <= 0) {
		printf "%s\tn/a (failed)\t-\t%s\t-\t-\t%.2f\t-\n", label, aname, goal
		return
	}
	r = a / b
	printf "%s\t%.3f\t%.3f\t%s\t%.2f\t-\t%.2f\t%s\n", label, a, b, aname, \
	    r, goal, r <= goal ? "yes" : "NO"
}
NR > 1 && $2 > 0 && $7 == 0 { vals[$1] = vals[$1] " " $3; rss[$1] = $4 > rss[$1] ? $4 : rss[$1] }
END {
	what = n " x " size / 1024 " KiB, sshd"
	row("sftp get * " what " (s)", "get-pfish", "get-sftp",
	    "sftp-server", 0.90)
	row("pfish fetch cold vs verify cold, " what, "fetch", "verify",
	    "pfish verify", 1.20)
	row("pfish verify cold vs sftp get *, " what, "verify", "get-sftp",
	    "sftp get *", 0.10)
	row("pfish list vs sftp ls -l, " what, "list", "ls-sftp",
	    "sftp ls -l", 1.00)
	a = median("verify-again"); b = median("connect-libssh")
	if (a < 0 || b < 0)
		printf "pfish verify again, s beyond connecting\tn/a (failed)\t-\t-\t-\t-\t0.15\t-\n"
	else
		printf "pfish verify again, s beyond connecting\t%.3f\t%.3f\tlibssh connect\t%.3f\t-\t0.15\t%s\n",
		    a, b, a - b, a - b <= 0.15 ? "yes" : "NO"
	b = median("connect")
	if (b > 0)
		printf "connecting, libssh as pfish vs stock sftp (s)\t%.3f\t%.3f\tsftp connect\t%.2f\t-\t-\t-\n",
		    median("connect-libssh"), b, median("connect-libssh") / b
	printf "client peak RSS (KiB), pfish verify / fetch, %d msgs\t%d\t%d\tpfish fetch\t-\t-\t-\t-\n",
	    n, rss["verify"], rss["fetch"]
}' "$RAW" >"$ROWS"
cat "$ROWS"
