#!/bin/sh
# run.sh: run pfish's unit tests and interop suite; print one summary.
#
# Every test speaks TAP-like lines.  cmocka binaries do so with
# CMOCKA_MESSAGE_OUTPUT=TAP; interop scripts print them themselves
# (interop/lib.sh):
#
#	ok NAME				passed
#	not ok NAME [# why]		failed
#	ok NAME # SKIP reason		skipped (the reason is summarised)
#	not ok NAME # TODO reason	an expected failure: a known bug kept
#					as a test; counted and named, not a
#					failure
#	ok NAME # TODO reason		an unexpected pass: counted as passed
#					and named, so the TODO can go
#
# A test program that exits non-zero without reporting a failure counts
# as one failure.  Each program's output is kept in one log file under
# $O/check-logs (emptied at the start of each run); the summary names
# the directory.  The summary ends:
#
#	check: N passed, N failed, N skipped, N expected failures
#	expected failure: TEST: NAME: reason	(one line each)
#	unexpected pass: TEST: NAME: reason	(one line each)
#
# Usage: run.sh [all|unit|layers|interop|fuzz]

O=${O:-obj}
B=${B:-bin}
what=${1:-all}
mkdir -p "$B" "$O"
export PFISH_BIN=$(cd "$B" && pwd)
export PFISH_OBJ=$(cd "$O" && pwd)
export PFISH_TOP=$(pwd)
log=$PFISH_OBJ/check-logs
rm -rf "$log"
mkdir -p "$log" || exit 1
pass=0
fail=0
skip=0
todo=0
failed=
: >"$log/.skips"
: >"$log/.todo"
: >"$log/.xpass"

# tally NAME LOG: print "passed failed skipped todo" for one log; append
# "NAME: reason" to .skips, "NAME: TEST: reason" to .todo and .xpass.
tally() {
	awk -v name="$1" -v dir="$log" '
	function rest(s, word,    i) {	# text after "# WORD", trimmed
		i = match(tolower(s), "#[ \t]*" word)
		if (i == 0)
			return ""
		s = substr(s, i + RLENGTH)
		sub(/^[ \t:-]*/, "", s)
		return s
	}
	function test(s, lead,    i) {	# the test name before " #"
		s = substr(s, lead + 1)
		i = index(s, " #")
		return i ? substr(s, 1, i - 1) : s
	}
	/^not ok / {
		if (tolower($0) ~ /#[ \t]*todo/) {
			t++
			print name ": " test($0, 7) ": " rest($0, "todo") \
			    >>(dir "/.todo")
		} else
			f++
		next
	}
	/^ok / {
		l = tolower($0)
		if (l ~ /#[ \t]*skip/) {
			s++
			r = rest($0, "skip")
			print name ": " (r == "" ? "(no reason given)" : r) \
			    >>(dir "/.skips")
		} else {
			p++
			if (l ~ /#[ \t]*todo/)
				print name ": " test($0, 3) ": " \
				    rest($0, "todo") >>(dir "/.xpass")
		}
	}
	END { printf "%d %d %d %d\n", p, f, s, t }' "$2"
}

run_one() {	# name command...
	name=$1
	shift
	out="$log/$(echo "$name" | tr '/' '_').log"
	"$@" >"$out" 2>&1 </dev/null
	rc=$?
	set -- $(tally "$name" "$out")
	p=$1 f=$2 s=$3 t=$4
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok $name (exit $rc)" >>"$out"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	todo=$((todo + t))
	more=
	[ "$s" -gt 0 ] && more="$more, $s skipped"
	[ "$t" -gt 0 ] && more="$more, $t expected failures"
	if [ "$f" -gt 0 ]; then
		failed="$failed $name"
		printf '%-40s %4d passed, %d FAILED%s\n' "$name" "$p" "$f" \
		    "$more"
		grep '^not ok' "$out" | grep -iv '#[[:space:]]*todo' |
		    sed 's/^/    /'
		echo "    log: $out"
		tail -n 15 "$out" | sed 's/^/    | /'
	else
		printf '%-40s %4d passed%s\n' "$name" "$p" "$more"
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
if [ -s "$log/.skips" ]; then
	echo "skipped, by reason:"
	sort "$log/.skips" | uniq -c | sort -rn |
	    awk '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "%6d  %s\n", n, $0 }'
fi
echo "logs: $log"
[ -n "$failed" ] && echo "failed:$failed"
echo "check: $pass passed, $fail failed, $skip skipped, $todo expected failures"
sed 's/^/expected failure: /' "$log/.todo"
sed 's/^/unexpected pass: /' "$log/.xpass"
[ "$fail" -eq 0 ] && [ $((pass + fail)) -gt 0 ]
