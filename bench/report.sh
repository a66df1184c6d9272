#!/bin/sh
# report.sh: turn bench/run.sh's raw measurements into the table and plots.
#
# Usage: sh bench/report.sh RAW.tsv NOTES OUTDIR
# RAW.tsv has one row per timed run (see run.sh); NOTES is free text that
# ends up under the table; OUTDIR receives results.txt, results.tsv and
# the PNG plots.  REPS, LIST_SIZES, SMALL_NAME and BIG_NAME come from the
# environment.

set -u
RAW=$1
NOTES=$2
OUT=$3
STATS=$OUT/stats.tsv
TXT=$OUT/results.txt
TSV=$OUT/results.tsv

# Per (case, param, prog): n, median/min/max wall time, median/max server
# peak RSS, median server CPU.  sort puts each group's times in order.
stats() {
	tail -n +2 "$RAW" | sort -t '	' -k1,1 -k2,2 -k3,3 -k5,5g |
	    awk -F '\t' -v OFS='\t' '
	function flush(   m, r, i, j, t, rm) {
		if (n == 0)
			return
		m = (n % 2) ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2
		# RSS and CPU are not sorted; a tiny insertion sort each.
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && r_[j - 1] > r_[j]; j--) {
				t = r_[j]; r_[j] = r_[j - 1]; r_[j - 1] = t
			}
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && c[j - 1] > c[j]; j--) {
				t = c[j]; c[j] = c[j - 1]; c[j - 1] = t
			}
		rm = hasr ? ((n % 2) ? r_[(n + 1) / 2] : \
		    (r_[n / 2] + r_[n / 2 + 1]) / 2) : "-"
		cm = hasr ? ((n % 2) ? c[(n + 1) / 2] : \
		    (c[n / 2] + c[n / 2 + 1]) / 2) : "-"
		print key[1], key[2], key[3], n, m, w[1], w[n], rm, \
		    hasr ? r_[n] : "-", cm
		n = 0
	}
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (k != last) {
			flush()
			last = k
			key[1] = $1; key[2] = $2; key[3] = $3
			hasr = ($6 != "-")
		}
		n++
		w[n] = $5
		r_[n] = $6 + 0
		c[n] = $7 + $8
	}
	END { flush() }'
}

{
	printf 'case\tparam\tprog\tn\twall_med\twall_min\twall_max\t'
	printf 'rss_med_kib\trss_max_kib\tsrv_cpu_med_s\n'
	stats
} >"$STATS"

# get case param prog field: one number from STATS, empty if not measured.
get() {
	awk -F '\t' -v c="$1" -v p="$2" -v g="$3" -v f="$4" '
	    $1 == c && $2 == p && $3 == g { print $f; exit }' "$STATS"
}

fmt_t() {	# case param prog -> "0.412 (0.401-0.430)"
	m=$(get "$1" "$2" "$3" 5)
	[ -n "$m" ] || { echo "-"; return; }
	printf '%.3f (%.3f-%.3f)' "$m" "$(get "$1" "$2" "$3" 6)" \
	    "$(get "$1" "$2" "$3" 7)"
}

# paired case param anchorprog: the median over repetitions of each
# repetition's pfish / anchor, which cancels drift in the machine's load.
paired() {
	awk -F '\t' -v c="$1" -v p="$2" -v g="$3" '
	    $1 == c && $2 == p && $3 == "pfish" { a[$4] = $5 }
	    $1 == c && $2 == p && $3 == g { b[$4] = $5 }
	    END {
		for (r in a)
			if ((r in b) && b[r] > 0)
				print a[r] / b[r]
	    }' "$RAW" | sort -g | awk '{ v[NR] = $1 }
	    END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f", m
	    }'
}

ratio() {	# a b -> a/b with two decimals
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b;
	    else printf "-" }'
}

met() {	# ratio goal -> yes/NO
	awk -v r="$1" -v g="$2" 'BEGIN { if (r == "-") print "-";
	    else print (r + 0 <= g + 0) ? "yes" : "NO" }'
}

ROWFMT='%-40s %-24s %-24s %-12s %6s %6s %6s %4s\n'
row() {	# label pfish anchor anchorname ratio paired goal met
	printf "$ROWFMT" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" >>"$TXT"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
	    "$5" "$6" "$7" "$8" >>"$TSV"
}

# time_row label case param anchorprog goal
time_row() {
	a=$(get "$2" "$3" pfish 5)
	b=$(get "$2" "$3" "$4" 5)
	[ -n "$a$b" ] || return 0	# not run (BENCH_ONLY)
	if [ -z "$a" ] || [ -z "$b" ]; then
		row "$1" "n/a (failed)" "$(fmt_t "$2" "$3" "$4")" "$4" - - "$5" -
		return
	fi
	r=$(ratio "$a" "$b")
	row "$1" "$(fmt_t "$2" "$3" pfish)" "$(fmt_t "$2" "$3" "$4")" "$4" \
	    "$r" "$(paired "$2" "$3" "$4")" "$5" "$(met "$r" "$5")"
}

# rss_row label case param: pfish's peak RSS against sftp-server's.
rss_row() {
	a=$(get "$2" "$3" pfish 9)
	b=$(get "$2" "$3" sftp-server 9)
	[ -n "$a" ] && [ -n "$b" ] || return
	r=$(ratio "$a" "$b")
	row "$1" "$a KiB" "$b KiB" sftp-server "$r" - 1.00 "$(met "$r" 1.00)"
}

: >"$TXT"
printf 'comparison\tpfish\tanchor\tanchor_name\tratio\tpaired\tgoal\tmet\n' \
    >"$TSV"
{
	echo "pfish benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(uname -srm), $(nproc) cores," \
	    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
	    "$(awk '/^MemTotal/ { printf "%d MiB RAM", $2 / 1024 }' \
	    /proc/meminfo), $(ssh -V 2>&1 | cut -d, -f1)"
	echo "times: seconds, median (min-max) of $REPS runs, programs" \
	    "taking turns; ratio = pfish / anchor of the medians (< 1.00:" \
	    "pfish faster); paired = median of each turn's ratio"
	echo
} >>"$TXT"
printf "$ROWFMT" comparison pfish anchor "anchor is" ratio paired goal met \
    >>"$TXT"

for name in "$SMALL_NAME" "$BIG_NAME"; do
	time_row "bulk get $name" bulk "$name" sftp-server 0.90
	time_row "bulk get $name vs cp" bulk "$name" cp 1.40
done
for n in $LIST_SIZES; do
	time_row "ls -l $n .age (+$n other)" list "$n" sftp-server 0.90
done
[ -n "${FAIR_N:-}" ] && time_row "ls -l $FAIR_N .age, nothing else" list \
    "$FAIR_N only" sftp-server 0.90
for n in $LIST_SIZES; do
	rss_row "peak RSS, ls -l $n" list "$n"
done
rss_row "peak RSS, bulk get $SMALL_NAME" bulk "$SMALL_NAME"
rss_row "peak RSS, bulk get $BIG_NAME" bulk "$BIG_NAME"

# Server CPU time (user+sys): the server's own work, whatever the load
# of the machine does to wall times.
cpu_row() {	# label case param
	a=$(get "$2" "$3" pfish 10)
	b=$(get "$2" "$3" sftp-server 10)
	[ -n "$a" ] && [ -n "$b" ] || return 0
	r=$(ratio "$a" "$b")
	row "$1" "$(printf '%.3f' "$a")" "$(printf '%.3f' "$b")" sftp-server \
	    "$r" - - -
}
cpu_row "server CPU s, bulk get $SMALL_NAME" bulk "$SMALL_NAME"
cpu_row "server CPU s, bulk get $BIG_NAME" bulk "$BIG_NAME"
for n in $LIST_SIZES; do
	cpu_row "server CPU s, ls -l $n (+$n other)" list "$n"
done
[ -n "${FAIR_N:-}" ] && cpu_row "server CPU s, ls -l $FAIR_N .age only" list \
    "$FAIR_N only"

# Flat memory: the largest listing against the smallest.
first=$(echo $LIST_SIZES | awk '{ print $1 }')
last=$(echo $LIST_SIZES | awk '{ print $NF }')
a=$(get list "$last" pfish 9)
b=$(get list "$first" pfish 9)
if [ -n "$a" ] && [ -n "$b" ]; then
	r=$(ratio "$a" "$b")
	row "pfish RSS growth, ls -l $last vs $first" "$a KiB" "$b KiB" \
	    "pfish@$first" "$r" - 1.10 "$(met "$r" 1.10)"
fi

# Delivery (bench/later.sh): the time for DELIVER_N messages each way.
time_row "delivery, $DELIVER_N x 50 KiB (s)" deliver "$DELIVER_N x 50 KiB" \
    floor 1.00
a=$(get deliver "$DELIVER_N x 50 KiB" pfish 5)
b=$(get deliver "$DELIVER_N x 50 KiB" floor 5)
if [ -n "$a" ] && [ -n "$b" ]; then
	awk -v n="$DELIVER_N" -v a="$a" -v b="$b" 'BEGIN { printf \
	    "delivery: pfish %.1f messages/s, age+cp+sync floor %.1f/s\n",
	    n / a, n / b }' >>"$NOTES"
fi

# Rows of the later cases (bench/later.sh): measured or n/a.
if [ -s "$OUT/later.tsv" ]; then
	while IFS='	' read -r label pf an aname r pr g m; do
		row "$label" "$pf" "$an" "$aname" "$r" "$pr" "$g" "$m"
	done <"$OUT/later.tsv"
fi

{
	echo
	echo "server CPU (user+sys, median) and peak RSS (max over runs):"
	awk -F '\t' 'NR > 1 && $3 != "cp" && $8 != "-" {
	    printf "  %-5s %-22s %-12s cpu %.3f s  rss %s KiB\n",
	    $1, $2, $3, $10, $9 }' "$STATS"
	echo
	echo "notes:"
	echo "  sftp-server shows the non-.age files too (twice the entries);"
	echo "  pfish filters them.  RSS includes about 1 MiB of libc and"
	echo "  loader that any program pays."
	sed 's/^/  /' "$NOTES"
} >>"$TXT"

plots() {
	command -v gnuplot >/dev/null || return 0
	for n in $LIST_SIZES; do
		printf '%s %s %s %s %s %s %s %s %s\n' "$n" \
		    "$(get list "$n" pfish 5)" "$(get list "$n" pfish 6)" \
		    "$(get list "$n" pfish 7)" \
		    "$(get list "$n" sftp-server 5)" \
		    "$(get list "$n" sftp-server 6)" \
		    "$(get list "$n" sftp-server 7)" \
		    "$(get list "$n" pfish 9)" "$(get list "$n" sftp-server 9)"
	done | awk 'NF == 9' >"$OUT/list.dat"
	[ -s "$OUT/list.dat" ] || return 0
	gnuplot <<EOF
set terminal pngcairo size 800,500
set logscale xy
set grid
set key top left
set xrange [500:200000]
set xlabel "mailbox size (.age files; as many other files besides)"
set output "$OUT/listing.png"
set ylabel "ls -l over sftp -D, seconds (median, min-max)"
plot "$OUT/list.dat" using 1:2:3:4 with yerrorlines title "pfish-server", \
     "$OUT/list.dat" using 1:5:6:7 with yerrorlines title "sftp-server"
set output "$OUT/rss.png"
unset logscale y
set yrange [0:*]
set ylabel "server peak RSS, KiB (ls -l)"
plot "$OUT/list.dat" using 1:8 with linespoints title "pfish-server", \
     "$OUT/list.dat" using 1:9 with linespoints title "sftp-server"
EOF
	if [ -s "$OUT/verify.dat" ]; then
		gnuplot <<EOF
set terminal pngcairo size 800,500
set logscale xy
set grid
set key top left
set xlabel "mailbox size (messages)"
set ylabel "pfish verify, seconds (median)"
set output "$OUT/verify.png"
plot "$OUT/verify.dat" using 1:2 with linespoints title "cold", \
     "$OUT/verify.dat" using 1:3 with linespoints title "incremental (10 new)"
EOF
	fi
}
plots

cat "$TXT"
echo
echo "bench: wrote $TXT, $TSV, $STATS and plots in $OUT"
