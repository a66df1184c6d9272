#!/bin/sh
# brief.sh: replay one fuzz target's seeds and regressions, then fuzz it.
#
# Usage: brief.sh [-k] [-t seconds] BINARY
#   -t  seconds of fuzzing after the replay (default 5; make fuzz: FUZZTIME)
#   -k  keep any crash input as tests/fuzz/regress/NAME/ (make fuzz)
# BINARY is .../fuzz_NAME; seeds are tests/fuzz/corpus/NAME/ (or
# corpus/fuzz_NAME/), earlier crashes tests/fuzz/regress/NAME/.  Prints
# "ok fuzz_NAME-..." lines and a "# fuzz_NAME: N execs, M/s" figure;
# exits non-zero on any finding.

secs=5
keep=0
while getopts kt: o; do
	case $o in
	k)	keep=1 ;;
	t)	secs=$OPTARG ;;
	*)	echo "usage: brief.sh [-k] [-t seconds] binary" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bin=$1
[ -x "$bin" ] || { echo "not ok fuzz-binary # no $bin"; exit 1; }
top=${PFISH_TOP:-$(pwd)}
name=$(basename "$bin")
short=${name#fuzz_}
corpus=$top/tests/fuzz/corpus/$short
# Some seed directories carry the full target name: take either.
[ -d "$corpus" ] || [ ! -d "$top/tests/fuzz/corpus/$name" ] || \
    corpus=$top/tests/fuzz/corpus/$name
regress=$top/tests/fuzz/regress/$short
dict=$top/tests/fuzz/$short.dict
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfish-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/corpus" "$tmp/crash"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
fail=0

# Replay: every seed and every earlier crash, once each.
set --
for f in "$corpus"/* "$regress"/*; do
	[ -f "$f" ] && set -- "$@" "$f"
done
if [ $# -eq 0 ]; then
	echo "ok $name-replay # SKIP no seeds in $corpus"
elif "$bin" -timeout=10 "$@" >"$tmp/replay.log" 2>&1; then
	echo "ok $name-replay ($# inputs)"
else
	echo "not ok $name-replay"
	tail -n 30 "$tmp/replay.log"
	fail=1
fi

# Fuzz from a scratch copy of the corpus, so the repo is never written.
[ -d "$corpus" ] && cp "$corpus"/* "$tmp/corpus/" 2>/dev/null
dopt=
[ -f "$dict" ] && dopt="-dict=$dict"
if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$tmp/crash/" $dopt \
    "$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
	echo "ok $name-fuzz (${secs}s)"
else
	echo "not ok $name-fuzz"
	grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ ' "$tmp/fuzz.log" | \
	    head -n 40
	for c in "$tmp"/crash/*; do
		[ -f "$c" ] || continue
		echo "# crash input: $(od -An -tx1 "$c" | head -n 4 | tr -d '\n')"
		if [ "$keep" = 1 ]; then
			mkdir -p "$regress"
			cp "$c" "$regress/"
			echo "# kept as $regress/$(basename "$c")"
		fi
	done
	fail=1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz.log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/fuzz.log" | tail -n 1)
echo "# $name: ${execs:-?} execs in ${secs}s, ${rate:-?}/s"
exit $fail
