#!/bin/sh
# t-retry.sh: no permanent hole.  A delivery that fails between signing
# and storing, retried by the mail system after other mail went through,
# completes the SAME seq; a kill after the store accepted never gives the
# retry a second seq; a delivery given up is closed by a signed void.

. "${PFISH_TOP:-.}/interop/lib.sh"

DELIVER=$PFISH_BIN/pfish-deliver
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
for p in "$DELIVER" "$SIGNER" "$STORE"; do
	[ -x "$p" ] || { echo "ok retry # SKIP $(basename "$p") not built"; exit 0; }
done

t_init
cd "$T" || exit 1
mkdir state root spool
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key || exit 1
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" >allowed
ssh-keygen -q -t ed25519 -N '' -C alice -f alice || exit 1
cp alice.pub rcpts
"$STORE" -r root init -u "$(id -un)" alice >/dev/null || exit 1

S="$SIGNER -s $T/state"
A="$STORE -r $T/root -T $T/allowed"
dl() {	# deliver with the working setup plus any options
	"$DELIVER" -r rcpts -d spool -S "$S" -A "$A" "$@" 2>>deliver.log
}
msg() {	# a message with marker $1
	printf 'From: bob@example.org\nTo: alice@example.org\nSubject: %s\n\n' "$1"
	head -c 600 /dev/urandom | base64
}
expect() {	# name wanted-exit actual-exit
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "exit $3, wanted $2"; fi
}
# The seqs of the stored messages, one line: "1 2 3".
stored() {
	ls root/alice | sed -n 's/^0*\([0-9][0-9]*\)\.age$/\1/p' | sort -n | tr '\n' ' ' | sed 's/ $//'
}
status() { "$SIGNER" -s state status alice; }
headjob() { "$SIGNER" -s state "$@" head alice | "$STORE" -r root -T allowed head alice >/dev/null; }

# --- 0. a new mailbox verifies clean after its first delivery: the
# delivery installs a head that covers it, no head job needed
"$STORE" -r root init -u "$(id -un)" bob >/dev/null || exit 1
msg "to bob" >mb
"$DELIVER" -r rcpts -d spool -S "$S" -A "$A" bob <mb 2>>deliver.log
expect first-delivery-0 0 $?
check "the first delivery installed a head with high 1" grep -qx 'high 1' root/bob/.pfish/head
check "pfish-store verify of the new mailbox exits 0" "$STORE" -r root -T allowed verify bob
msg "to bob again" >mb
"$DELIVER" -r rcpts -d spool -S "$S -L 2s" -A "$A" bob <mb 2>>deliver.log
check "a fresh head is kept: no new head per delivery" grep -qx 'high 1' root/bob/.pfish/head
"$SIGNER" -s state -L 2s head bob | "$STORE" -r root -T allowed head bob >/dev/null
t0=$(date +%s)
i=0	# past half of the 2 s lifetime: wait for the clock, bounded
while [ "$(date +%s)" -le $((t0 + 1)) ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
msg "to bob a third time" >mb
"$DELIVER" -r rcpts -d spool -S "$S" -A "$A" bob <mb 2>>deliver.log
check "a half-expired head is replaced by the delivery's" grep -qx 'high 3' root/bob/.pfish/head

# --- 1. store down for one delivery, three more succeed, then the retry
msg one >m1
expect store-down-75 75 "$(dl -A false alice <m1; echo $?)"
for i in 2 3 4; do
	msg "other $i" >"m$i"
	dl alice <"m$i" || notok "delivery $i" "exit $?"
done
check "three later deliveries stored as 2 3 4" test "$(stored)" = "2 3 4"
headjob
dl alice <m1
expect retry-exit-0 0 $?
check "the retry completes seq 1, no seq 5" test "$(stored)" = "1 2 3 4"
check "signer: next 5, nothing pending" sh -c "'$SIGNER' -s state status alice | grep -q ' next 5 .* pending 0 void 0\$'"
headjob
check "pfish-store verify exits 0" "$STORE" -r root -T allowed verify alice

# --- 2. killed after the store accepted, before pfish-deliver exits
# The store command kills its parent (pfish-deliver) once it accepted.
cat >killstore <<EOF
#!/bin/sh
$A "\$@" || exit \$?
kill -KILL \$PPID
EOF
chmod +x killstore
msg five >m5
"$DELIVER" -r rcpts -d spool -S "$S" -A "$T/killstore" alice <m5 2>>deliver.log
rc=$?
check "pfish-deliver killed after the store accepted" test "$rc" -gt 128
msg six >m6
dl alice <m6 || notok "delivery 6" "exit $?"
dl alice <m5
expect kill-window-retry-0 0 $?
check "the retry gets no second seq" test "$(stored)" = "1 2 3 4 5 6"
check "signer: next 7, nothing pending" sh -c "'$SIGNER' -s state status alice | grep -q ' next 7 .* pending 0 void 0\$'"

# --- 3. killed after the spool marker, before the signer heard "stored"
# The signer gets the deliverer's request but no input to report to; the
# wrapper takes the deliverer's report itself and kills the deliverer
# instead.
cat >killsigner <<EOF
#!/bin/sh
if [ "\$1" = deliver ]; then
	read -r req && echo "\$req" | $S "\$@" || exit 1
	read -r line && echo "\$line" >report7 && kill -KILL \$PPID
	exit 1
fi
exec $S "\$@"
EOF
chmod +x killsigner
msg seven >m7
"$DELIVER" -r rcpts -d spool -S "$T/killsigner" -A "$A" alice <m7 2>>deliver.log
rc=$?
check "pfish-deliver killed before the signer heard its report" test "$rc" -gt 128
check "the report was 'stored 7'" grep -qx 'stored 7' report7
check "signer: seq 7 pending" sh -c "'$SIGNER' -s state status alice | grep -q ' pending 1 '"
dl alice <m7
expect marker-retry-0 0 $?
check "the retry only reports it stored" test "$(stored)" = "1 2 3 4 5 6 7"
check "signer: next 8, nothing pending" sh -c "'$SIGNER' -s state status alice | grep -q ' next 8 .* pending 0 void 0\$'"

# --- 4. killed after the signer signed, before the store; two more
cat >killstore2 <<EOF
#!/bin/sh
# Started beside the signer: wait for the signed record first.
head -c 1 >/dev/null
kill -KILL \$PPID
exit 75
EOF
chmod +x killstore2
msg eight >m8
"$DELIVER" -r rcpts -d spool -S "$S" -A "$T/killstore2" alice <m8 2>>deliver.log
check "pfish-deliver killed after signing" test "$?" -gt 128
check "signer: seq 8 pending, its run ended with the deliverer" sh -c \
    "'$SIGNER' -s state status alice | grep -q ' next 9 .* pending 1 '"
for i in 9 10; do
	msg "other $i" >"m$i"
	dl alice <"m$i" || notok "delivery $i" "exit $?"
done
dl alice <m8
expect signed-retry-0 0 $?
check "the retry completes seq 8" test "$(stored)" = "1 2 3 4 5 6 7 8 9 10"
headjob
check "pfish-store verify exits 0 after the kills" "$STORE" -r root -T allowed verify alice

# --- 5. given up: a record never stored is voided after the give-up time
msg lost >m11
expect given-up-75 75 "$(dl -A false alice <m11; echo $?)"
t0=$(date +%s)
i=0	# the record must be older than -G 1s: wait for the clock, bounded
while [ "$(date +%s)" -le $((t0 + 1)) ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
headjob -G 1s
check "signer: seq 11 voided" sh -c "'$SIGNER' -s state status alice | grep -q ' next 12 .* pending 0 void 1\$'"
check "the store holds void 11" test -f root/alice/.pfish/voids/000000000011.void
awk '/^-----BEGIN SSH SIGNATURE-----$/ { s = 1 } !s' root/alice/.pfish/voids/000000000011.void >v.txt
awk '/^-----BEGIN SSH SIGNATURE-----$/ { s = 1 } s' root/alice/.pfish/voids/000000000011.void >v.sig
check "void verifies with ssh-keygen under pfish-record-v1" sh -c \
    "ssh-keygen -Y verify -f allowed -I signer -n pfish-record-v1 -s v.sig <v.txt"
check "void names seq 11" grep -qx 'seq 11' v.txt
headjob -G 1s
check "voids are re-sent with every head, idempotently" test -f root/alice/.pfish/voids/000000000011.void
check "pfish-store verify exits 0: the void closes seq 11" "$STORE" -r root -T allowed verify alice

# --- 6. the report rides in the signer's own run; a signer that does
# not take it (its input closed) is told in a run of its own
cat >logsigner <<EOF
#!/bin/sh
echo "\$1" >>verbs
exec $S "\$@"
EOF
cat >mutesigner <<EOF
#!/bin/sh
echo "\$1" >>verbs
[ "\$1" = deliver ] || exec $S "\$@" </dev/null
read -r req && echo "\$req" | $S "\$@"
EOF
chmod +x logsigner mutesigner
# reported NAME WRAPPER VERBS NEXT: a delivery through that signer
# wrapper exits 0, the signer ran VERBS, and then holds nothing pending
# with NEXT as its next seq.
reported() {
	: >verbs
	msg "$1" >mr
	"$DELIVER" -r rcpts -d spool -S "$T/$2" -A "$A" alice <mr 2>>deliver.log
	expect "$1: exit 0" 0 $?
	check "$1: signer runs '$3'" test "$(tr '\n' ' ' <verbs)" = "$3"
	check "$1: next $4, nothing pending" sh -c \
	    "'$SIGNER' -s state status alice | grep -q ' next $4 .* pending 0 void 1\$'"
}
reported "inline report, one signer run" logsigner "deliver " 13
reported "a signer that cannot take the report gets a stored run" \
    mutesigner "deliver stored " 14
check "both stored" test "$(stored)" = "1 2 3 4 5 6 7 8 9 10 12 13"
cat >refusestore <<EOF
#!/bin/sh
cat >/dev/null
exit 65
EOF
chmod +x refusestore
: >verbs
msg "refused for good" >mr
"$DELIVER" -r rcpts -d spool -S "$T/logsigner" -A "$T/refusestore" alice <mr 2>>deliver.log
expect refused-65 65 $?
check "a refusal is voided in the same signer run" test "$(tr '\n' ' ' <verbs)" = "deliver "
check "signer: seq 14 voided inline" sh -c \
    "'$SIGNER' -s state status alice | grep -q ' next 15 .* pending 0 void 2\$'"
headjob
check "pfish-store verify exits 0 with the void" "$STORE" -r root -T allowed verify alice

t_done
