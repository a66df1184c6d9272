#!/bin/sh
# run.sh: pfish's speed and memory side by side with OpenSSH's sftp-server.
#
# Usage (from the top of the tree, after make):  sh bench/run.sh
# Environment:
#	REPS=5			timed repetitions per program and case
#	PFISH_SERVER=path	the pfish side (default bin/pfish-server; if
#				that is not built, sftp-server stands in so
#				the harness itself can be checked)
#	ANCHOR_SERVER=path	the anchor (/usr/lib/openssh/sftp-server)
#	PFISH_ARGS, ANCHOR_ARGS	extra options for either server
#	BENCH_OUT=dir		results (bench/out)
#	BENCH_TMP=dir		where data and copies go (/var/tmp); all on
#				one file system, about 3 GiB
#	BENCH_TIMEOUT=120	seconds before one run counts as hung
#	BENCH_QUICK=1		small data, to debug the harness only
#	BENCH_ONLY="small big list fair later scale"	the cases to run
#	SCALE_SIZES="1000 10000 100000"	sizes of the scale section
#				(bench/scale.sh; add 1000000 for the million)
#	SCALE_CACHE=warm	its file system cache: warm, or drop (root)
#	SCALE_RUNS=1		its runs at each size (cells: the median)
#	SMALL_SSHD_N=10000	messages (2 KiB) of the small-message rows
#				through a real sshd (bench/small.sh)
#	SMALL_REPS=3		their repetitions (each is minutes of stock sftp)
#
# Every case runs all programs on the same data in the same run, taking
# turns (A B A B ...) after one untimed warm-up each, so the page cache is
# warm for everybody.  The table gives median (min-max) and the ratio
# pfish / anchor of the medians; below 1.0 means pfish is faster.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
O=${O:-obj}
B=${B:-bin}
BIN=$TOP/$B
REPS=${REPS:-5}
OUT=${BENCH_OUT:-$TOP/bench/out}
ANCHOR=${ANCHOR_SERVER:-/usr/lib/openssh/sftp-server}
PFISH=${PFISH_SERVER:-$BIN/pfish-server}
RSS=$TOP/$O/bench/rss
# Timed runs get a little more CPU than the rest of a shared machine
# (root only); every program gets the same.
NICE=
[ "$(id -u)" = 0 ] && NICE="nice -n -5"
# A run that hangs is killed (its whole process group) and counts as failed.
NICE="$NICE timeout ${BENCH_TIMEOUT:-120}"
MKFILES=$TOP/$O/bench/mkfiles

die() {
	echo "bench: $*" >&2
	exit 1
}

for p in "$RSS" "$MKFILES"; do
	[ -x "$p" ] || die "$p missing: run make first"
done
[ -x "$ANCHOR" ] || die "$ANCHOR missing (Debian: openssh-sftp-server)"
command -v sftp >/dev/null || die "sftp missing (Debian: openssh-client)"
case $TOP in
*[[:space:]]*) die "sftp -D splits on spaces: move the tree to a path without" ;;
esac
STANDIN=
if [ ! -x "$PFISH" ]; then
	STANDIN="$PFISH not built; sftp-server stands in for pfish"
	PFISH=$ANCHOR
fi
# pfish-server confines itself to one mailbox; sftp-server gets the same
# directory as its start directory.
srv_cmd() {	# prog mailbox -> server command line for sftp -D
	case $1 in
	pfish)	echo "$RSS $T/srv.out $PFISH ${PFISH_ARGS:-} -d $2" ;;
	sftp-server) echo "$RSS $T/srv.out $ANCHOR ${ANCHOR_ARGS:-} -d $2" ;;
	esac
}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SMALL_N=200 BIG_N=2 BIG_SIZE=$((8 * 1024 * 1024)) LIST_SIZES="100 1000"
	FAIR_N=1000 DELIVER_N=10 SMALL_SSHD_N=${SMALL_SSHD_N:-200}
	SMALL_REPS=${SMALL_REPS:-1}
else
	SMALL_N=2000 BIG_N=4 BIG_SIZE=$((64 * 1024 * 1024))
	LIST_SIZES="1000 10000 100000" FAIR_N=100000 DELIVER_N=${DELIVER_N:-50}
	SMALL_SSHD_N=${SMALL_SSHD_N:-10000} SMALL_REPS=${SMALL_REPS:-3}
fi
SMALL_SIZE=$((50 * 1024))

mkdir -p "$OUT" || exit 1
# Not /tmp: its directory's inode group is where every test on the
# machine creates and deletes files (see DESTS below).
T=$(mktemp -d "${BENCH_TMP:-/var/tmp}/pfish-bench.XXXXXX") || exit 1
# A shorter "recently deleted" window for whoever creates files next.
trap 'rm -rf "$T"; sync' EXIT
# ext4: spread the directories made below over the inode groups (Orlov,
# as for top-level directories) rather than packing them into the group
# of /var/tmp, where many files were freed recently (see DESTS below).
chattr +T "$T" 2>/dev/null
trap 'exit 1' INT TERM HUP PIPE
RAW=$OUT/raw.tsv
printf 'case\tparam\tprog\trep\twall_s\tsrv_rss_kib\tsrv_user_s\tsrv_sys_s\n' \
    >"$RAW"
NOTES=$T/notes
: >"$NOTES"
note() {
	echo "$*" >>"$NOTES"
}
[ -n "$STANDIN" ] && note "pfish: $STANDIN"

# record case param prog rep: append the last run's numbers to RAW.
record() {
	read -r wall crss cu cs <"$T/cli.out" || die "no timing for $1 $3"
	srss=- su=- ss=-
	if [ "$3" != cp ] && [ -s "$T/srv.out" ]; then
		read -r _ srss su ss <"$T/srv.out"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
	    "$wall" "$srss" "$su" "$ss" >>"$RAW"
}

# turns rep prog ...: the programs in order on odd repetitions, reversed
# on even ones (A B C, C B A, ...), so neither profits from its place.
turns() {
	if [ $(($1 % 2)) = 1 ]; then
		shift
		echo "$@"
	else
		shift
		for x in "$@"; do
			r="$x${r:+ $r}"
		done
		echo "$r"
		r=
	fi
}

# ---------------------------------------------------------------- bulk get

# Destinations: a fresh directory per run.  On ext4 without a journal
# (as on the machine this was written on) each file creation scans past
# every inode of its group freed in the last minute (6 if the inode table
# is not yet written back), so deleting 2000 files between runs would
# make the next run's creations several times slower.  The small set's
# copies are therefore kept until the end; the big set's (4 files a run)
# are dropped each time.
DESTS=0

# bulk_once prog mailbox: one timed copy of every .age into a fresh dir.
bulk_once() {
	DESTS=$((DESTS + 1))
	dest=$T/dest$DESTS
	rm -f "$T/srv.out"
	mkdir "$dest"
	printf 'get *.age %s/\n' "$dest" >"$T/get.batch"
	sync
	case $1 in
	cp)	$NICE "$RSS" "$T/cli.out" cp "$2"/*.age "$dest/" ;;
	*)	$NICE "$RSS" "$T/cli.out" sftp -q -b "$T/get.batch" \
		    -D "$(srv_cmd "$1" "$2")" >/dev/null ;;
	esac
}

# bulk_case name mailbox keep: warm up, check the bytes once, then take
# turns; keep=0 drops each destination after its run.
bulk_case() {
	cat "$2"/*.age >/dev/null
	for p in pfish sftp-server cp; do
		if ! bulk_once "$p" "$2"; then
			note "$1: $p failed"
		elif ! diff -rq -x .pfish "$2" "$dest" >"$T/diff.out" 2>&1
		then
			sed 's/^/    /' "$T/diff.out" >&2
			note "$1: $p copied wrong bytes"
		fi
		[ "$3" = 1 ] || rm -rf "$dest"
	done
	rep=1
	while [ "$rep" -le "$REPS" ]; do
		for p in $(turns "$rep" pfish sftp-server cp); do
			if bulk_once "$p" "$2"; then
				record bulk "$1" "$p" "$rep"
			else
				note "$1: $p failed in turn $rep"
			fi
			[ "$3" = 1 ] || rm -rf "$dest"
		done
		rep=$((rep + 1))
	done
}

# ---------------------------------------------------------------- listing

list_once() {	# prog mailbox
	rm -f "$T/srv.out"
	$NICE "$RSS" "$T/cli.out" sftp -q -b "$T/ls.batch" \
	    -D "$(srv_cmd "$1" "$2")" >"$T/ls.out"
}

list_case() {	# n mailbox
	printf 'ls -l\n' >"$T/ls.batch"
	for p in pfish sftp-server; do
		list_once "$p" "$2" || note "listing $1: $p failed"
		seen=$(grep -c '^-' "$T/ls.out")
		note "listing $1: $p shows $seen entries"
	done
	rep=1
	while [ "$rep" -le "$REPS" ]; do
		for p in $(turns "$rep" pfish sftp-server); do
			if list_once "$p" "$2"; then
				record list "$1" "$p" "$rep"
			else
				note "listing $1: $p failed in turn $rep"
			fi
		done
		rep=$((rep + 1))
	done
}

# ---------------------------------------------------------------- later items

# Cases whose programs other parts of pfish provide; each one prints
# "n/a" rows until its program exists, so the table grows by itself.
. "$TOP/bench/later.sh"

# ---------------------------------------------------------------- run

want() {	# case: is it selected by BENCH_ONLY?
	case " ${BENCH_ONLY:-small big list fair later scale} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

SMALL_NAME="$SMALL_N x $((SMALL_SIZE / 1024)) KiB"
BIG_NAME="$BIG_N x $((BIG_SIZE / 1048576)) MiB"
echo "bench: generating data in $T"
if want small; then
	mkdir "$T/small"
	"$MKFILES" "$T/small" 1 "$SMALL_N" "$SMALL_SIZE" .age || die mkfiles
fi
if want big; then
	mkdir "$T/big"
	"$MKFILES" "$T/big" 1 "$BIG_N" "$BIG_SIZE" .age || die mkfiles
fi
if want list; then
	for n in $LIST_SIZES; do
		mkdir "$T/list$n"
		"$MKFILES" "$T/list$n" 1 "$n" 256 .age || die mkfiles
		"$MKFILES" "$T/list$n" 1 "$n" 256 .tmp || die mkfiles
	done
fi
if want fair; then
	mkdir "$T/fair"
	"$MKFILES" "$T/fair" 1 "$FAIR_N" 256 .age || die mkfiles
fi
sync

if want small; then
	echo "bench: bulk get $SMALL_NAME"
	bulk_case "$SMALL_NAME" "$T/small" 1
fi
if want big; then
	echo "bench: bulk get $BIG_NAME"
	bulk_case "$BIG_NAME" "$T/big" 0
fi
if want list; then
	for n in $LIST_SIZES; do
		echo "bench: listing $n .age + $n other"
		list_case "$n" "$T/list$n"
	done
fi
# The same entries for both servers: what each costs per entry.
if want fair; then
	echo "bench: listing $FAIR_N .age only"
	list_case "$FAIR_N only" "$T/fair"
fi
want later && later_cases
# How costs grow with the mailbox: its own table, slopes and plot.
if want scale; then
	echo "bench: scale section (${SCALE_SIZES:-1000 10000 100000})"
	PFISH_TOP=$TOP PFISH_BIN=$BIN PFISH_OBJ=$TOP/$O \
	    sh "$TOP/bench/scale.sh" "$OUT" || note "scale section failed"
fi

# ---------------------------------------------------------------- report

export REPS LIST_SIZES SMALL_NAME BIG_NAME FAIR_N DELIVER_N
sh "$TOP/bench/report.sh" "$RAW" "$NOTES" "$OUT" || die "report failed"
if want scale && [ -s "$OUT/scale.txt" ]; then
	{
		echo
		echo "scale section (fresh device state, over sshd; sizes ${SCALE_SIZES:-1000 10000 100000}):"
		cat "$OUT/scale.txt"
	} | tee -a "$OUT/results.txt"
fi
