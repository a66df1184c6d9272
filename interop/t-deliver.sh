#!/bin/sh
# t-deliver.sh: pfish-deliver end to end with the real pfish-signer and
# pfish-store: messages arrive encrypted (age decrypts them), exit codes
# follow sysexits, a failed peer leaves nothing half-delivered, and a
# retry after a failure delivers exactly once.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

DELIVER=$PFISH_BIN/pfish-deliver
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store

for p in "$DELIVER" "$SIGNER" "$STORE"; do
	if [ ! -x "$p" ]; then
		notok deliver "no $p (make builds it)"
		t_done
	fi
done
if ! command -v age >/dev/null 2>&1; then
	skip deliver "age not installed (Debian: age)"
	t_done
fi
cd "$T" || exit 1

expect() {	# name wanted-exit actual-exit
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "exit $3, wanted $2"; fi
}

mkdir state root spool
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key || exit 1
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" > allowed
"$STORE" -r root init -u "$(id -un)" alice || exit 1
ssh-keygen -q -t ed25519 -N '' -C alice -f alice || exit 1
age-keygen -o alice.x 2>/dev/null || exit 1
{ echo "# alice's devices"; cat alice.pub; age-keygen -y alice.x; } > rcpts

S="$SIGNER -s $T/state"
A="$STORE -r $T/root -T $T/allowed"
dl() {	# deliver with the working setup plus any options
	"$DELIVER" -r rcpts -d spool -S "$S" -A "$A" "$@"
}
msg() {	# a message of $1 body bytes with marker $2
	printf 'From: bob@example.org\nTo: alice@example.org\nSubject: %s\n\n' "$2"
	head -c "$1" /dev/urandom | base64
}
count() { ls root/alice | grep -c '\.age$'; }
spooled() { find spool -type f -name '*.age' | wc -l; }

# Plain deliveries: stored under the next seq, readable by both keys.
msg 1000 first > m1
dl alice < m1
expect deliver-exit-0 0 $?
check_msg() {	# name seq file
	f=root/alice/$(printf %012d "$2").age
	if age -d -i alice < "$f" | cmp -s - "$3" &&
	    age -d -i alice.x < "$f" | cmp -s - "$3"; then
		ok "$1"
	else
		notok "$1"
	fi
}
check_msg deliver-stored-seq1-decrypts 1 m1
test "$(spooled)" -eq 0 && ok deliver-spool-empty || notok deliver-spool-empty
msg 3000000 second > m2
dl alice < m2
expect deliver-large-exit-0 0 $?
check_msg deliver-large-seq2-decrypts 2 m2

# Permanent failures: no such user, bad input, too large.
dl -r nosuchfile alice < m1
expect unknown-user-67 67 $?
dl ../etc < m1
expect bad-user-name-67 67 $?
dl alice < /dev/null
expect empty-message-65 65 $?
dl -m 100 alice < m1
expect too-large-65 65 $?
test "$(count)" -eq 2 && ok permanent-failures-store-nothing || notok permanent-failures-store-nothing
test "$(spooled)" -eq 0 && ok permanent-failures-spool-nothing || notok permanent-failures-spool-nothing

# A signer command that cannot be run is found before the message is
# read: tempfail, nothing spooled (the mail system keeps the message).
msg 5000 third > m3
dl -S /nonexistent/pfish-signer alice < m3
expect signer-missing-75 75 $?
test "$(spooled)" -eq 0 && ok signer-missing-spools-nothing ||
    notok signer-missing-spools-nothing
# Signer unreachable (it runs, as ssh does, and fails): tempfail,
# ciphertext kept (never plaintext), then a retry delivers it once.
dl -S false alice < m3
expect signer-down-75 75 $?
test "$(count)" -eq 2 && ok signer-down-stores-nothing || notok signer-down-stores-nothing
test "$(spooled)" -eq 1 && ok signer-down-keeps-ciphertext || notok signer-down-keeps-ciphertext
if grep -rq third spool; then notok spool-has-no-plaintext; else ok spool-has-no-plaintext; fi
# A signer that can be executed but not run (a script with no #! line;
# commands are run without a shell): deferred, with the reason.
printf 'exit 0\n' > noshebang
chmod +x noshebang
dl -S "$T/noshebang" alice < m3 2> noexec.err
expect signer-noexec-75 75 $?
if grep -q "cannot run $T/noshebang: Exec format error" noexec.err; then
	ok signer-noexec-says-why
else
	notok signer-noexec-says-why "$(cat noexec.err)"
fi
test "$(count)" -eq 2 && ok signer-noexec-stores-nothing || notok signer-noexec-stores-nothing
# The store is started with the signer: one that cannot be run is found
# before the signer spends a seq on the message.
before=$("$SIGNER" -s state status alice)
dl -A /nonexistent/pfish-store alice < m3
expect store-missing-75 75 $?
after=$("$SIGNER" -s state status alice)
test "$after" = "$before" && ok store-missing-spends-no-seq ||
    notok store-missing-spends-no-seq "$before -> $after"
dl alice < m3
expect signer-retry-0 0 $?
check_msg signer-retry-seq3 3 m3

# Store fails after the signer signed: the retry gets the same record
# (same ciphertext, same hash) and nothing is delivered twice.
msg 7000 fourth > m4
dl -A false alice < m4
expect store-down-75 75 $?
test "$(count)" -eq 3 && ok store-down-stores-nothing || notok store-down-stores-nothing
dl alice < m4
expect store-retry-0 0 $?
check_msg store-retry-seq4 4 m4
test "$(count)" -eq 4 && ok store-retry-exactly-once || notok store-retry-exactly-once "$(count) messages"
dl alice < m4
expect redelivery-after-success-0 0 $?
test "$(count)" -eq 4 && ok redelivery-is-the-same-message || notok redelivery-is-the-same-message "$(count) messages"

# A peer that hangs is cut off; one that calls the input bad is final.
msg 2000 fifth > m5
# The hung peer would sleep for 600 s: pfish-deliver returning sooner,
# with the peer gone, cut it off (no guess of how long that may take).
printf '#!/bin/sh\necho $$ >>%s/.pids\necho $$ >%s/hang.pid\nexec sleep 600\n' \
    "$T" "$T" > hang
chmod +x hang
start=$(date +%s)
dl -t 1 -S "$T/hang" alice < m5
expect signer-timeout-75 75 $?
if [ $(($(date +%s) - start)) -lt 600 ] && [ -s hang.pid ] &&
    ! kill -0 "$(cat hang.pid)" 2>/dev/null; then
	ok signer-timeout-prompt
else
	notok signer-timeout-prompt "the hung signer was not cut off"
fi
# The store started beside that signer, one that ignores SIGTERM, goes
# with it when the time is up (timeout(1) only guards the suite).
printf '#!/bin/sh\necho $$ >>%s/.pids\necho $$ >%s/stub.pid\ntrap "" TERM\nexec sleep 600\n' \
    "$T" "$T" > stubborn
chmod +x stubborn
timeout 120 "$DELIVER" -r rcpts -d spool -S "$T/hang" -A "$T/stubborn" -t 1 \
    alice < m5
expect store-unfed-timeout-75 75 $?
if [ -s stub.pid ] && ! kill -0 "$(cat stub.pid)" 2>/dev/null; then
	ok store-unfed-cut-off
else
	notok store-unfed-cut-off "the waiting store was not stopped"
fi
printf '#!/bin/sh\ncat >/dev/null\nexit 65\n' > refuse
chmod +x refuse
dl -A "$T/refuse" alice < m5
expect store-dataerr-65 65 $?
# (the spooled m5 from the timeout is used again, then dropped as final)
test "$(spooled)" -eq 0 && ok final-failure-drops-spool || notok final-failure-drops-spool
"$SIGNER" -s state status alice | grep -q ' pending 0 void 1$' &&
    ok final-failure-voids-its-seq || notok final-failure-voids-its-seq "$("$SIGNER" -s state status alice)"

# The signer is started before the message is read, so that its start-up
# (over ssh, a connection) overlaps reading and encrypting: a signer that
# notes its start runs while the deliverer still waits for its input, and
# has spent no seq and holds no lock while it waits.
printf '#!/bin/sh\necho $$ >>%s/.pids\n: >%s/early.started\nexec %s -s %s/state "$@"\n' \
    "$T" "$T" "$SIGNER" "$T" > early
chmod +x early
msg 4000 early > m6
mkfifo early.in
before=$("$SIGNER" -s state status alice)
dl -S "$T/early" alice < early.in > early.out 2>&1 &
dlpid=$!
exec 3> early.in
n=0
while [ ! -e early.started ] && [ "$n" -lt 600 ]; do
	sleep 0.1
	n=$((n + 1))
done
test -e early.started && ok signer-starts-before-the-message ||
    notok signer-starts-before-the-message "no signer while the input was open"
waiting=$(timeout 60 "$SIGNER" -s state status alice)
test "$waiting" = "$before" && ok signer-waiting-spends-no-seq ||
    notok signer-waiting-spends-no-seq "$before -> $waiting"
cat m6 >&3
exec 3>&-
wait "$dlpid"
expect early-signer-delivers-0 0 $?
check_msg early-signer-seq6 6 m6

# The request on the signer's standard input: none (end of input) signs
# nothing and is no error; a malformed one is refused and signs nothing.
before=$("$SIGNER" -s state status alice)
: | "$SIGNER" -s state deliver alice > req.out
expect signer-request-none-0 0 $?
after=$("$SIGNER" -s state status alice)
test "$after" = "$before" && test ! -s req.out &&
    ok signer-request-none-signs-nothing ||
    notok signer-request-none-signs-nothing "$before -> $after"
printf '7000 %s\n' nothex | "$SIGNER" -s state deliver alice > req.out 2> req.err
expect signer-request-bad-65 65 $?
after=$("$SIGNER" -s state status alice)
test "$after" = "$before" && test ! -s req.out &&
    grep -q 'expected "SIZE SHA256"' req.err &&
    ok signer-request-bad-signs-nothing ||
    notok signer-request-bad-signs-nothing "$before -> $after: $(cat req.err)"
"$SIGNER" -s state deliver alice 7000 < /dev/null 2> /dev/null
expect signer-deliver-one-operand-missing-64 64 $?

# The store's answer after the record is taken whole, by its length: a
# NUL inside "stored SEQ" is no answer, and the record stays pending.
seq=$("$SIGNER" -s state status alice | sed -n 's/.* next \([0-9]*\) .*/\1/p')
pend=$("$SIGNER" -s state status alice | sed -n 's/.* pending \([0-9]*\) .*/\1/p')
printf '7000 %s\nstored %s\000x\n' \
    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
    "$seq" | "$SIGNER" -s state deliver alice > req.out 2> req.err
expect signer-report-with-nul-65 65 $?
now=$("$SIGNER" -s state status alice | sed -n 's/.* pending \([0-9]*\) .*/\1/p')
test -n "$seq" && test "$now" = $((pend + 1)) &&
    ok signer-report-with-nul-leaves-it-pending ||
    notok signer-report-with-nul-leaves-it-pending \
    "seq $seq, pending $pend -> $now: $(cat req.err)"

# The request and the store's answer in one write: the answer is read
# from what came with the request, and the record is settled, not left
# pending; a request split across writes is one request.
seq=$("$SIGNER" -s state status alice | sed -n 's/.* next \([0-9]*\) .*/\1/p')
pend=$("$SIGNER" -s state status alice | sed -n 's/.* pending \([0-9]*\) .*/\1/p')
printf '7001 %s\nstored %s\n' \
    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
    "$seq" | "$SIGNER" -s state deliver alice > req.out 2> req.err
expect signer-request-and-report-together-0 0 $?
now=$("$SIGNER" -s state status alice | sed -n 's/.* pending \([0-9]*\) .*/\1/p')
test -n "$seq" && test "$now" = "$pend" &&
    grep -qx "settled $seq" req.out &&
    ok signer-request-and-report-together-settle ||
    notok signer-request-and-report-together-settle \
    "seq $seq, pending $pend -> $now: $(tail -1 req.out) $(cat req.err)"
seq=$("$SIGNER" -s state status alice | sed -n 's/.* next \([0-9]*\) .*/\1/p')
{ printf '7002 0123456789abcdef'; sleep 1
  printf '0123456789abcdef0123456789abcdef0123456789abcdef\n'; sleep 1
  printf 'stored %s\n' "$seq"; } |
    "$SIGNER" -s state deliver alice > req.out 2> req.err
expect signer-request-split-0 0 $?
now=$("$SIGNER" -s state status alice | sed -n 's/.* pending \([0-9]*\) .*/\1/p')
test "$now" = "$pend" && grep -qx "settled $seq" req.out &&
    ok signer-request-split-settles ||
    notok signer-request-split-settles \
    "seq $seq, pending $pend -> $now: $(tail -1 req.out) $(cat req.err)"

# The whole mailbox verifies: no gaps from the retries, and the refused
# record at seq 5 is closed by a void, installed with the next head.
"$SIGNER" -s state head alice > head && "$STORE" -r root -T allowed head alice < head
test -f root/alice/.pfish/voids/000000000005.void && ok void-installed-by-head ||
    notok void-installed-by-head
"$STORE" -r root -T allowed verify alice > findings
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s findings ]; then
	ok verify-clean-void-closes-refused-seq
else
	notok verify-clean-void-closes-refused-seq "exit $rc: $(tr '\n' ';' < findings)"
fi

t_done
