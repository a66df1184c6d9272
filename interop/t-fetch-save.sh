#!/bin/sh
# t-fetch-save.sh: pfish fetch saves its state file as it goes, but not
# after every batch: a device that remembers many records would write
# its whole state file (about 100 bytes a record) once per batch of 1024
# messages, the square of the mailbox.  Over a fetch of N messages by a
# device that verified them first (its state file holds N records), the
# bytes written to the state file stay within what the run fetched plus
# the state twice (pfish -v says what it wrote).  A fetch killed (-9)
# while files it committed are not yet saved in the state loses
# nothing: the next run finds them on disk by their SHA-256, downloads
# only the rest, every message is there once with its content, and the
# state records them all.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
SERVER=$PFISH_BIN/pfish-server
MK=$PFISH_OBJ/bench/mkmailbox
N=${FETCH_SAVE_N:-20000}
for p in "$PFISH" "$SERVER" "$MK"; do
	if [ ! -x "$p" ]; then
		skip fetch-save "not built yet: $p"
		t_done
	fi
done

cd "$T" || exit 1
export HOME=$T/home
mkdir -p home
unset SSH_AUTH_SOCK
mbox_signed "$N" 200 || { notok mkmailbox; t_done; }
sshd_start "Subsystem pfish $SERVER -d $T/mbox" || { notok sshd; t_done; }
P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -i $USER_KEY
    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed"
# shellcheck disable=SC2086
pf() { _s=$1; shift; $P -v -s "$T/$_s" "$MB@127.0.0.1" "$@"; }
expect() { expect_ere "$@"; }

# sizeof FILE: its size in bytes.
sizeof() { wc -c <"$1" | tr -d ' '; }
# recorded STATE: how many seqs its fetched line holds.
recorded() {
	sed -n 's/^fetched //p' "$1" | tr ',' '\n' | awk -F- '
	    $0 == "-" || $0 == "" { next }
	    NF == 1 { n++; next }
	    { n += $2 - $1 + 1 }
	    END { print n + 0 }'
}
# agecount DIR: the messages' files in DIR.
agecount() { find "$1" -maxdepth 1 -name '*.age' | wc -l | tr -d ' '; }
# same DIR: DIR holds every message of the mailbox once, each with its
# content, and nothing else by a message's name.
same() {
	(cd mbox && sha256sum -- *.age) >want.sum || return 1
	(cd "$1" && sha256sum -- *.age) >got.sum || return 1
	cmp -s want.sum got.sum
}

expect "verify: the device remembers $N records" 0 \
    "^intact: .* $N messages" pf st verify
cp st st.mem
MEM=$(sizeof st.mem)
diag "state file after verify: $MEM bytes"

# --- 1. saves spaced by what was fetched, not one per batch -------------
mkdir mail
BATCHES=$(((N + 1023) / 1024))
# Under strace(1) when it works here: the state file's renames counted
# apart from what pfish says.
TRACE=
if strace -f -o /dev/null -e trace=renameat true 2>/dev/null; then
	TRACE="strace -f -o $T/trace -e trace=rename,renameat,renameat2"
	strace --seccomp-bpf -o /dev/null true 2>/dev/null &&
	    TRACE="$TRACE --seccomp-bpf"
	# LeakSanitizer cannot run under ptrace (make check-asan): the
	# traced run leaves leaks to the other runs, ASan still watches it.
	[ -n "${ASAN_OPTIONS:-}" ] &&
	    TRACE="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 $TRACE"
fi
expect "fetch $N messages with a remembering state" 0 \
    "^fetched $N new messages into" $TRACE $P -v -s "$T/st" \
    "$MB@127.0.0.1" fetch -d mail
W=$(sed -n 's/^pfish: state file written \([0-9]*\) times in this run, \([0-9]*\) bytes$/\1 \2/p' out)
set -- $W
if [ $# -ne 2 ]; then
	notok "fetch says what it wrote to the state file" "no such line"
	sed 's/^/# /' out
else
	ok "fetch says what it wrote to the state file"
	FETCHED=$(cat mbox/*.age | wc -c | tr -d ' ')
	WORK=$((FETCHED + 104 * N))
	FINAL=$(sizeof st)
	diag "state written $1 times, $2 bytes; final $FINAL bytes;" \
	    "fetched $FETCHED bytes in $BATCHES batches"
	if [ "$1" -lt "$BATCHES" ] && [ "$2" -le $((WORK + 2 * FINAL)) ]
	then
		ok "state written $1 times for $BATCHES batches, $2 bytes"
	else
		notok "state written less than once a batch" \
		    "$1 times, $2 bytes, for $BATCHES batches" \
		    "(at most $((WORK + 2 * FINAL)) bytes)"
	fi
fi
if [ -n "$TRACE" ]; then
	RN=$(grep -c ', "st") = 0' trace)
	if [ "$RN" -lt "$BATCHES" ]; then
		ok "strace: the state file renamed into place $RN times"
	else
		notok "strace: the state file renamed less than once a batch" \
		    "$RN times for $BATCHES batches"
	fi
else
	skip "strace: the state file's renames" "strace does not run here"
fi
if same mail; then ok "every message fetched once, intact"
else notok "every message fetched once, intact"; fi
# Temporary files made ahead of need and not needed are removed.
check "no temporary file left in the fetch directory" \
    test -z "$(find mail -maxdepth 1 -name '.tmp.*' | head -n 1)"
check "the state records all $N as fetched" \
    test "$(recorded st)" -eq "$N"
expect "fetch again: nothing new" 0 "^fetched 0 new messages" \
    pf st fetch -d mail

# --- 2. killed while committed files are not saved yet ------------------
# The client is stopped once it has committed some files; while the state
# records all of them (just saved), it goes on until it has not.  Then
# killed -9.
cp st.mem st.k
mkdir mailk
# shellcheck disable=SC2086
bg_start k.out $P -s "$T/st.k" "$MB@127.0.0.1" fetch -d "$T/mailk"
KPID=$BG_PID
enough() { [ "$(agecount mailk)" -ge 2048 ] || ! kill -0 "$KPID" 2>/dev/null; }
wait_until 600 enough
i=0
D=0 R=0
while kill -STOP "$KPID" 2>/dev/null; do
	D=$(agecount mailk)
	R=$(recorded st.k)
	[ "$R" -lt "$D" ] && break
	i=$((i + 1))
	[ "$i" -ge 50 ] && break
	kill -CONT "$KPID"
	more() { [ "$(agecount mailk)" -gt "$D" ] || ! kill -0 "$KPID" 2>/dev/null; }
	wait_until 600 more
done
kill -9 "$KPID" 2>/dev/null
wait "$KPID" 2>/dev/null
diag "killed with $D files in place, $R recorded in the state"
if [ "$R" -lt "$D" ] && [ "$D" -lt "$N" ]; then
	ok "killed while $((D - R)) committed files were not saved yet"
else
	notok "killed while committed files were not saved yet" \
	    "$D files, $R recorded, of $N"
fi
expect "fetch after the kill: the rest" 0 \
    "^fetched $((N - D)) new messages into" pf st.k fetch -d mailk
if same mailk; then ok "after the kill: every message once, intact"
else notok "after the kill: every message once, intact"; fi
check "after the kill: the state records all $N as fetched" \
    test "$(recorded st.k)" -eq "$N"
expect "after the kill: fetch again fetches nothing" 0 \
    "^fetched 0 new messages" pf st.k fetch -d mailk

t_done
