#!/bin/sh
# run.sh: run pfish's unit tests and interop suite; print one summary.
#
# Every test speaks TAP-like lines: "ok NAME" or "not ok NAME".  cmocka
# binaries do so with CMOCKA_MESSAGE_OUTPUT=TAP; interop scripts print them
# themselves (interop/lib.sh).  A script that exits non-zero without
# reporting a failure counts as one failure.
# Usage: run.sh [unit|layers|interop|fuzz]

O=${O:-obj}
B=${B:-bin}
what=${1:-all}
mkdir -p "$B" "$O"
export PFISH_BIN=$(cd "$B" && pwd)
export PFISH_OBJ=$(cd "$O" && pwd)
export PFISH_TOP=$(pwd)
log=$(mktemp -d "${TMPDIR:-/tmp}/pfish-check.XXXXXX")
pass=0
fail=0
skip=0
failed=

run_one() {	# name command...
	name=$1
	shift
	out="$log/$(echo "$name" | tr '/' '_').log"
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	s=$(grep -c '^ok .*# *[Ss][Kk][Ii][Pp]' "$out")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok $name (exit $rc)" >>"$out"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	if [ "$f" -gt 0 ]; then
		failed="$failed $name"
		printf '%-40s %4d passed, %d FAILED\n' "$name" "$p" "$f"
		grep '^not ok' "$out" | sed 's/^/    /'
		echo "    log: $out"
		tail -n 15 "$out" | sed 's/^/    | /'
	else
		printf '%-40s %4d passed%s\n' "$name" "$p" \
		    "$([ "$s" -gt 0 ] && echo ", $s skipped")"
	fi
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$O"/tests/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP run_one "unit/$(basename "$t")" "$t"
	done
fi
if [ "$what" = all ] || [ "$what" = layers ]; then
	run_one layers sh tests/check-layers.sh "$O" "${LAYERS:?}" \
	    "${PROGDIRS:?}"
fi
if [ "$what" = all ] || [ "$what" = interop ]; then
	for t in interop/t-*.sh; do
		[ -e "$t" ] || continue
		run_one "interop/$(basename "$t" .sh)" timeout 1200 sh "$t"
	done
fi
if [ "$what" = all ] || [ "$what" = fuzz ]; then
	for t in "$O"/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		run_one "fuzz/$(basename "$t")" sh tests/fuzz/brief.sh "$t"
	done
fi

echo
[ -n "$failed" ] && echo "failed:$failed"
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + fail)) -gt 0 ]
