#!/bin/sh
# scale.sh: how pfish's costs grow with the mailbox, 1 000 to 1 000 000.
#
# Usage (after make):  sh bench/scale.sh [OUTDIR]
# Environment:
#	SCALE_SIZES="1000 10000 100000"	mailbox sizes (add 1000000 for the
#					million; it takes a few GB and tens
#					of minutes on two cores)
#	SCALE_SIZE=200			message size in bytes
#	SCALE_RUNS=1			runs of the steps at each size;
#					each cell is their median (the
#					million's runs move by 20-40% on a
#					machine that pages out cold memory)
#	SCALE_CACHE=warm		the file system cache before each
#					size's steps: warm (an unmeasured
#					pfish-store verify reads every file
#					first) or drop (sync and drop the
#					kernel's caches before every step;
#					root only: from disk)
# For each size: a signed mailbox of 200-byte messages (obj/bench/
# mkmailbox), served by pfish-server through a throwaway sshd; then, cold
# (fresh device state): pfish list, pfish verify, pfish verify again
# (incremental), pfish-store verify and pfish-store expire, every size in
# the same state of the file system cache: a mailbox just written is
# partly in the page cache, all of it at 100 000 messages, part of it at
# a million, so without that the sizes would not compare.  Prints a
# table, the log-log slope of each operation between the two largest
# sizes and overall (1.0 is linear), each goal met or not, and a log-log
# plot OUTDIR/scale.png (gnuplot).  A benchmark, not a test.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
OUTDIR=${1:-$PFISH_TOP/bench/out}
SIZES=${SCALE_SIZES:-1000 10000 100000}
MSG=${SCALE_SIZE:-200}
CACHE=${SCALE_CACHE:-warm}
RUNS=${SCALE_RUNS:-1}
case $RUNS in
''|*[!0-9]*|0) echo "scale: SCALE_RUNS is a count" >&2; exit 1 ;;
esac
case $CACHE in
warm)	;;
drop)	[ -w /proc/sys/vm/drop_caches ] || {
		echo "scale: SCALE_CACHE=drop needs root" >&2; exit 1; } ;;
*)	echo "scale: SCALE_CACHE is warm or drop" >&2; exit 1 ;;
esac
SERVER=$PFISH_BIN/pfish-server
mkdir -p "$OUTDIR" || exit 1
cd "$T" || exit 1
export HOME=$T/home
mkdir -p home
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f signer
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat signer.pub)" \
    >allowed
MB=$(id -un)
# The server runs under rss too: its peak RSS, per session, in srv.out.
sshd_start "Subsystem pfish $PFISH_OBJ/bench/rss $T/srv.out $SERVER -d $T/root/%u" ||
    exit 1
P="$PFISH_BIN/pfish -F /dev/null -p $SSHD_PORT -i $USER_KEY
    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -s $T/state"
ST="$PFISH_BIN/pfish-store -r $T/root -T $T/allowed"
TSV=$OUTDIR/scale.tsv
printf 'op\tn\tseconds\texit\trss_kib\tserver_rss_kib\n' >"$TSV"

# OP N cmd...: run once, record wall time, exit status and peak RSS
# (the client's, or pfish-store's), and pfish-server's for a client run
# (it writes srv.out as its session ends, which may be just after the
# client's end: waited for, up to 30 s).
step() {
	_op=$1 _n=$2
	shift 2
	rm -f "$T/srv.out"
	if [ "$CACHE" = drop ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches
	fi
	"$PFISH_OBJ/bench/rss" "$T/rss.out" "$@" >"$T/step.out" 2>&1
	_rc=$?
	read -r _w _m _ <"$T/rss.out" || { _w=0 _m=0; }
	_sm=0
	case $_op in
	store-*) ;;
	*)	_i=0
		while [ ! -s "$T/srv.out" ] && [ "$_i" -lt 300 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		read -r _ _sm _ <"$T/srv.out" || _sm=0 ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$_op" "$_n" "$_w" "$_rc" "$_m" \
	    "$_sm" >>"$TSV"
	[ "$_rc" = 0 ] || sed 's/^/#   /' "$T/step.out" | tail -n 3
}

for n in $SIZES; do
	echo "scale: $n messages"
	rm -rf "$T/root" "$T/state"
	mkdir -p "$T/root"
	"$PFISH_OBJ/bench/mkmailbox" signer "$T/root/$MB" "$MB" "$n" "$MSG" \
	    >/dev/null || exit 1
	sync
	[ "$CACHE" = warm ] && { $ST verify "$MB" >/dev/null 2>&1 ||
	    echo "scale: warming: pfish-store verify failed"; }
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		rm -f "$T/state"
		step list "$n" $P "$MB@127.0.0.1" list
		rm -f "$T/state"
		step verify "$n" $P "$MB@127.0.0.1" verify
		step verify-again "$n" $P "$MB@127.0.0.1" verify
		step store-verify "$n" $ST verify "$MB"
		step store-expire "$n" $ST expire "$MB"
		r=$((r + 1))
	done
done

# The table, slopes and goals.  A slope is d log(time) / d log(size).
awk -F '\t' '
# The header of a table with one column per size.
function header(title,    j) {
	print ""
	printf "%-14s", title
	for (j = 1; j <= nn; j++) printf " %10s", ns[j]
	printf " %8s\n", "growth"
}
# The median of the runs of a cell (its values in runs[key, 1..k]).
function median(key, k,    i, j, x, a) {
	for (i = 1; i <= k; i++) a[i] = runs[key, i]
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
NR == 1 { next }
{
	k = ++cnt[$1, $2]; runs[$1, $2, k] = $3
	if ($4 != 0) rc[$1, $2] = $4
	if ($5 > m[$1, $2]) m[$1, $2] = $5
	if ($6 > sm[$1, $2]) sm[$1, $2] = $6
	if (!($1 in seen)) { seen[$1] = 1; ops[++nops] = $1 }
	if (!($2 in seenn)) { seenn[$2] = 1; ns[++nn] = $2 }
}
END {
	for (c in cnt) t[c] = median(c, cnt[c])
	printf "%-14s", "operation"
	for (j = 1; j <= nn; j++) printf " %10s", ns[j]
	printf " %8s %8s\n", "slope", "last"
	for (i = 1; i <= nops; i++) {
		o = ops[i]
		printf "%-14s", o
		sx = sy = sxx = sxy = 0; k = 0
		for (j = 1; j <= nn; j++) {
			v = t[o, ns[j]]
			printf " %9.3fs", v
			if (rc[o, ns[j]] != 0) printf "!"
			if (v > 0) {
				# The medians the plot draws, one file an op.
				print ns[j], v >(plot "." o)
				x = log(ns[j]); y = log(v); k++
				sx += x; sy += y; sxx += x * x; sxy += x * y
			}
		}
		slope = k > 1 ? (k * sxy - sx * sy) / (k * sxx - sx * sx) : 0
		a = t[o, ns[nn - 1]]; b = t[o, ns[nn]]
		last = (nn > 1 && a > 0) ? log(b / a) / log(ns[nn] / ns[nn - 1]) : 0
		printf " %8.2f %8.2f\n", slope, last
		fit[o] = slope
	}
	print ""
	# Goal: each tenfold step costs at most 12x (slope <= log10(12)).
	lim = log(12) / log(10)
	for (i = 1; i <= nops; i++) {
		o = ops[i]
		for (j = 2; j <= nn; j++) {
			a = t[o, ns[j - 1]]; b = t[o, ns[j]]
			if (a <= 0) continue
			r = b / a; f = ns[j] / ns[j - 1]
			printf "goal %-14s %8s -> %-8s %6.1fx (goal <= %.0fx)  %s\n",
			    o, ns[j - 1], ns[j], r, 1.2 * f,
			    r <= 1.2 * f ? "met" : "NOT MET"
		}
	}
	# Memory: peak RSS of each program at each size.
	header("peak RSS KiB")
	for (i = 1; i <= nops; i++) {
		o = ops[i]
		printf "%-14s", o
		for (j = 1; j <= nn; j++) printf " %10d", m[o, ns[j]]
		printf " %7.2fx\n", (m[o, ns[1]] > 0 ? \
		    m[o, ns[nn]] / m[o, ns[1]] : 0)
	}
	# pfish-server serving each client run: flat in the mailbox size.
	header("server RSS KiB")
	for (i = 1; i <= nops; i++) {
		o = ops[i]
		if (sm[o, ns[1]] <= 0) continue
		printf "%-14s", o
		for (j = 1; j <= nn; j++) printf " %10d", sm[o, ns[j]]
		g = sm[o, ns[nn]] / sm[o, ns[1]]
		printf " %7.2fx  (goal <= 1.10x)  %s\n", g, \
		    g <= 1.10 ? "met" : "NOT MET"
	}
}' plot="$T/plot" "$TSV" | tee "$OUTDIR/scale.txt"
echo "scale: errors are marked ! after the time" >>"$OUTDIR/scale.txt"
echo "scale: file system cache $CACHE before the steps (SCALE_CACHE);" \
    "times: the median of $RUNS run(s) (SCALE_RUNS), RSS the largest" |
    tee -a "$OUTDIR/scale.txt"

if command -v gnuplot >/dev/null; then
	ops=$(awk -F '\t' 'NR > 1 && !s[$1]++ { print $1 }' "$TSV")
	{
		echo "set terminal png size 900,600"
		echo "set output '$OUTDIR/scale.png'"
		echo "set logscale xy"
		echo "set xlabel 'messages'"
		echo "set ylabel 'seconds (wall)'"
		echo "set key left top"
		echo "set title 'pfish: time against mailbox size (log-log; slope 1 is linear)'"
		printf 'plot '
		sep=
		for o in $ops; do
			sl=$(awk -v o="$o" '$1 == o { print $(NF - 1) }' \
			    "$OUTDIR/scale.txt" | head -n 1)
			printf "%s'%s' using 1:2 with linespoints title '%s (slope %s)'" \
			    "$sep" "$T/plot.$o" "$o" "$sl"
			sep=', '
		done
		echo
	} >"$T/plot.gp"
	gnuplot "$T/plot.gp" && echo "scale: plot in $OUTDIR/scale.png"
fi
