#!/bin/sh
# t-runner.sh: tests/run.sh's summary, on a suite of stand-in tests.
#
# Skips are grouped by reason with counts, the log directory is named and
# kept, "not ok NAME # TODO reason" is an expected failure (counted apart,
# named below the summary line, not a failure), "ok NAME # TODO" is named
# as an unexpected pass, and a real failure still fails the run.  Also:
# lib.sh's todo and skip lines, and t_done's exit status with only
# expected failures.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

# suite DIR: stand-in unit tests in DIR/tests (run.sh runs them as unit).
suite() {
	mkdir -p "$1/tests"
	cat >"$1/tests/test_a" <<'EOF'
#!/bin/sh
echo "ok one"
echo "ok two # SKIP no frobnicator here"
echo "ok three # skip no frobnicator here"
echo "not ok four # TODO fixture reason four"
echo "ok five # TODO fixed meanwhile"
echo "ok six #SKIP"
EOF
	cat >"$1/tests/test_b" <<EOF
#!/bin/sh
. "$PFISH_TOP/interop/lib.sh"
t_init
ok b1
todo b2 "fixture reason b2"
notok b3 "TODO fixture reason b3"
skip b4 "needs root"
t_done
EOF
	chmod +x "$1/tests/test_a" "$1/tests/test_b"
}

# runner DIR NAME: run.sh on DIR's suite; output in $T/NAME.out, status
# in $T/NAME.rc.
runner() {
	(cd "$PFISH_TOP" && O="$1" B="$1/bin" sh tests/run.sh unit) \
	    >"$T/$2.out" 2>&1
	echo $? >"$T/$2.rc"
	sed 's/^/# /' "$T/$2.out"
}

# line NAME TEXT: the output holds the exact line TEXT.
line() {
	grep -qxF -- "$2" "$T/$1.out" || { echo "# no line: $2"; return 1; }
}

suite "$T/s1"
runner "$T/s1" s1
check "only-expected-failures-pass" test "$(cat "$T/s1.rc")" -eq 0
check "summary-line" line s1 \
    "check: 3 passed, 0 failed, 4 skipped, 3 expected failures"
# after NAME: below the summary line come only the named expected
# failures and unexpected passes.
after() {
	sed '1,/^check: /d' "$T/$1.out" >"$T/$1.after"
	[ -s "$T/$1.after" ] &&
	    ! grep -v -e '^expected failure: ' -e '^unexpected pass: ' \
	    "$T/$1.after"
}
check "only-names-below-summary" after s1
check "skips-grouped-by-reason" line s1 \
    "     2  unit/test_a: no frobnicator here"
check "skip-without-reason-shown" line s1 \
    "     1  unit/test_a: (no reason given)"
check "lib-skip-reason" line s1 "     1  unit/test_b: needs root"
check "expected-failure-named" line s1 \
    "expected failure: unit/test_a: four: fixture reason four"
check "lib-todo-named" line s1 "expected failure: unit/test_b: b2: fixture reason b2"
check "lib-notok-todo-named" line s1 \
    "expected failure: unit/test_b: b3: fixture reason b3"
check "unexpected-pass-named" line s1 \
    "unexpected pass: unit/test_a: five: fixed meanwhile"
check "logs-named" line s1 "logs: $T/s1/check-logs"
check "logs-kept" test -s "$T/s1/check-logs/unit_test_a.log"

# A real failure, and a program that fails without saying so.
printf '#!/bin/sh\necho "ok c1"\necho "not ok c2 # broken"\n' \
    >"$T/s1/tests/test_c"
printf '#!/bin/sh\necho "not ok d1 # TODO known"\nexit 1\n' \
    >"$T/s1/tests/test_d"
chmod +x "$T/s1/tests/test_c" "$T/s1/tests/test_d"
runner "$T/s1" s2
check "failure-fails-the-run" test "$(cat "$T/s2.rc")" -ne 0
check "failures-counted" line s2 \
    "check: 4 passed, 2 failed, 4 skipped, 4 expected failures"
check "failures-named" line s2 "failed: unit/test_c unit/test_d"
check "silent-exit-status-is-a-failure" \
    grep -q '^not ok unit/test_d (exit 1)$' "$T/s1/check-logs/unit_test_d.log"
t_done
