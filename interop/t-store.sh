#!/bin/sh
# t-store.sh: pfish-store accept/head/expire rules, and every attack of
# DESIGN.md section 2 staged on a real store and found by verify.
#
# A clean store is built once through pfish-signer and pfish-store; each
# attack runs on a copy and must produce its finding (kind and seq) and
# exit 3, while the clean store verifies with no output and exit 0.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

TOOL=$PFISH_OBJ/interop/stmttool
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store

# expect_rc NAME RC cmd...: the command exits exactly RC.
expect_rc() {
	n=$1; want=$2; shift 2
	"$@" >"$T/out" 2>&1; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$n"; else
		notok "$n" "exit $rc, want $want"; sed 's/^/# /' "$T/out"; fi
}

cd "$T" || exit 1
mkdir state root
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
ssh-keygen -q -t ed25519 -N '' -C laptop -f laptop
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "alice-laptop namespaces=\"pfish-delete-v1\" $(cat laptop.pub)"
} >allowed
S() { "$SIGNER" -s "$T/state" "$@"; }
ST() { "$STORE" -r "$T/${R:-root}" -T "$T/allowed" "$@"; }

# deliver USER N: a message of N lines through signer and store, then head.
deliver() {
	i=0; echo "age-encryption.org/v1" >msg
	while [ "$i" -lt "$2" ]; do echo "age-encryption.org/v1 line $i of $1" >>msg; i=$((i + 1)); done
	S record "$1" "$(wc -c <msg | tr -d ' ')" "$(sha256sum msg | cut -c1-64)" >rec || return 1
	cat rec msg | ST accept "$1" >/dev/null || return 1
	S head "$1" | ST head "$1" >/dev/null
}
ST init -u "$(id -un)" alice && ST init -u "$(id -un)" bob
for n in 3 4 5 6; do deliver alice $n || notok "deliver alice $n"; done
cp root/alice/.pfish/head head4
for n in 7 8; do deliver alice $n || notok "deliver alice $n"; done
for n in 2 3; do deliver bob $n || notok "deliver bob $n"; done
check "clean store has six messages" test -f root/alice/000000000006.age
epoch=$(cat root/alice/.pfish/epoch)
bepoch=$(cat root/bob/.pfish/epoch)
fpl=$(ssh-keygen -lf laptop.pub | awk '{print $2}')
fpm=$(ssh-keygen -lf mallory.pub | awk '{print $2}')
rhash() { "$TOOL" texthash <"$T/${R:-root}/$1/.pfish/records/$(printf %012d "$2").rec"; }

# signdel KEY MAILBOX EPOCH SEQ: a delete of SEQ, stored under its name.
signdel() {
	h=$(rhash "$2" "$4")
	fp=$(ssh-keygen -lf "$1.pub" | awk '{print $2}')
	"$TOOL" delete "$2" "$3" "$4" "$h" 1764000000 "$fp" "$4:$h" >d.txt
	rm -f d.txt.sig
	ssh-keygen -q -Y sign -f "$1" -n pfish-delete-v1 d.txt
	cat d.txt d.txt.sig >d.signed
	echo "$(printf %012d "$4")-$(sha256sum d.txt | cut -c1-16).del"
}
# A properly signed delete of alice's seq 5 is part of the clean state.
name=$(signdel laptop alice "$epoch" 5)
cp d.signed "root/alice/.pfish/deletes/$name"
rm root/alice/000000000005.age
name=$(signdel laptop bob "$bepoch" 1)
cp d.signed bobdel.signed
bobdelname=$name

expect_rc "clean store verifies" 0 ST verify
check "clean store prints nothing" test ! -s out

# attack NAME WANT SETUP: copy the clean store, run SETUP in it, verify.
attack() {
	n=$1; want=$2; setup=$3
	rm -rf "$T/case"; cp -a "$T/root" "$T/case"
	(cd "$T/case/alice" && eval "$setup") || { notok "$n" "setup"; return; }
	R=case ST verify >"$T/vout" 2>&1; rc=$?
	if [ "$rc" -eq 3 ] && grep -q -- "$want" "$T/vout"; then ok "$n"
	else notok "$n" "exit $rc"; sed 's/^/# /' "$T/vout"; fi
}
attack "modified message" "^alice: seq 2: modified:" \
    'printf X | dd of=000000000002.age bs=1 seek=3 conv=notrunc 2>/dev/null'
attack "message replaced by another of the mailbox" "^alice: seq 2: replaced: holds the message of seq 3" \
    'cp 000000000003.age 000000000002.age'
attack "message replaced by another valid file" "^alice: seq 2: replaced:" \
    'cp ../bob/000000000001.age 000000000002.age'
attack "added message without record" "^alice: seq 99: added:" \
    'cp 000000000001.age 000000000099.age'
attack "added message with record copied from bob" "^alice: seq 7: added:" \
    'cp ../bob/000000000002.age 000000000007.age && cp ../bob/.pfish/records/000000000002.rec .pfish/records/000000000007.rec'
attack "bob's record over alice's" "^alice: seq 2: forged:" \
    'cp ../bob/.pfish/records/000000000002.rec .pfish/records/000000000002.rec'
attack "deleted message" "^alice: seq 3: missing: message is gone" \
    'rm 000000000003.age'
# A seq with neither record nor message is a delivery in flight until a
# bound proves it older than two hours (pfish(1) "pending"): judged three
# hours on (PFISH_NOW, which pfish-store honours for verify only).
PFISH_NOW=$(($(date +%s) + 3 * 3600)); export PFISH_NOW
attack "deleted message and record" "^alice: seq 4: missing: message and its record are gone" \
    'rm 000000000004.age .pfish/records/000000000004.rec'
attack "deleted newest message and record" "^alice: seq 6: missing: message and its record are gone" \
    'rm 000000000006.age .pfish/records/000000000006.rec'
unset PFISH_NOW
# The same hole at once: the signed record of seq 4 has not arrived yet
# (the mail system retries), while seq 5's delivery went through.
rm -rf "$T/case"; cp -a "$T/root" "$T/case"
rm "$T/case/alice/000000000004.age" "$T/case/alice/.pfish/records/000000000004.rec"
R=case ST verify alice >"$T/vout" 2>"$T/verr"; rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/vout" ] &&
    grep -q "^pfish-store: alice: seq 4: pending: signed, not stored yet" "$T/verr" &&
    ok "a seq not stored yet, under a later delivery's head, is pending, not missing" ||
    { notok "in-flight seq pending" "exit $rc"; sed 's/^/# /' "$T/vout" "$T/verr"; }
expect_rc "PFISH_NOW must be a number" 64 env PFISH_NOW=soon "$STORE" -r "$T/root" -T "$T/allowed" verify
attack "older head installed by hand" "^alice: seq 4: rollback:" \
    'cp "$T/head4" .pfish/head'
# A head of the same key and epoch on another history.
mkdir forkstate
cp state/signer_key forkstate/
sed "s/^chain .*/chain $(printf fork | sha256sum | cut -c1-64)/" state/alice.state >forkstate/alice.state
"$SIGNER" -s forkstate head alice >forkhead
attack "head on another history" "^alice: seq 6: fork: signed record differs from the signed chain" \
    'cp "$T/forkhead" .pfish/head'
attack "head of bob installed for alice" "^alice: forged: head is for mailbox bob" \
    'cp ../bob/.pfish/head .pfish/head'
attack "head removed" "^alice: forged: server has no signed head" \
    'rm .pfish/head'
attack "forged head (text edited)" "^alice: forged: head is not validly signed" \
    'sed -i "s/^high 6$/high 9/" .pfish/head'
attack "planted delete by untrusted key" "^alice: seq 3: bad-delete:" \
    'name=$(cd "$T" && R=case signdel mallory alice "$epoch" 3) && cp "$T/d.signed" ".pfish/deletes/$name" && rm 000000000003.age'
attack "planted delete hides nothing" "^alice: seq 3: missing" \
    'name=$(cd "$T" && R=case signdel mallory alice "$epoch" 3) && cp "$T/d.signed" ".pfish/deletes/$name" && rm 000000000003.age'
attack "delete replayed from bob" "^alice: seq 1: bad-delete: .*for mailbox bob" \
    'cp "$T/bobdel.signed" ".pfish/deletes/$bobdelname" && rm 000000000001.age'
attack "unsigned delete (note)" "^alice: seq 2: unsigned-delete:" \
    'printf "statement note\nversion 1\nmailbox alice\nseq 2\ntime 5\n" >.pfish/notes/000000000002.note && rm 000000000002.age'
attack "unknown file in mailbox" "^alice: unknown-file: notes.txt" \
    'echo hi >notes.txt'
attack "unknown file in records" "^alice: unknown-file: .pfish/records/x" \
    'echo hi >.pfish/records/x'
attack "symlink as message" "^alice: seq 2: withheld:" \
    'rm 000000000002.age && ln -s 000000000003.age 000000000002.age'

# A void (INTERFACES point 3) closes a seq whose delivery was abandoned:
# the seq is then not missing.  Signed by hand with the signer's key.
rm -rf "$T/case"; cp -a "$T/root" "$T/case"
vh=$(R=case rhash alice 3)
fps=$(ssh-keygen -lf state/signer_key.pub | awk '{print $2}')
printf 'statement void\nversion 1\nmailbox alice\nepoch %s\nseq 3\nhash %s\ntime 1764000000\nkey %s\n' \
    "$epoch" "$vh" "$fps" >v.txt
rm -f v.txt.sig
ssh-keygen -q -Y sign -f state/signer_key -n pfish-record-v1 v.txt
mkdir -p "$T/case/alice/.pfish/voids"
cat v.txt v.txt.sig >"$T/case/alice/.pfish/voids/000000000003.void"
rm "$T/case/alice/000000000003.age" "$T/case/alice/.pfish/records/000000000003.rec"
R=case ST verify >"$T/vout" 2>&1; rc=$?
[ "$rc" -eq 0 ] && ok "a signed void closes a missing seq" ||
    notok "a signed void closes a missing seq" "exit $rc: $(head -c 300 "$T/vout")"

# Exit status: one rule with and without mailbox arguments: an error (1)
# wins over findings (3), so 3 always means every mailbox was verified.
rm -rf "$T/case"; cp -a "$T/root" "$T/case"
rm "$T/case/alice/000000000003.age"
rm -rf "$T/case/bob/.pfish/records" && : >"$T/case/bob/.pfish/records"
R=case
expect_rc "verify NAMES: findings alone exit 3" 3 ST verify alice
cp "$T/out" "$T/vout"
check "verify NAMES: findings printed" grep -q "^alice: seq 3: missing:" "$T/vout"
expect_rc "verify NAMES: an error wins over findings" 1 ST verify alice bob
expect_rc "verify NAMES: the same in the other order" 1 ST verify bob alice
expect_rc "verify (every mailbox): an error wins over findings" 1 ST verify
cp "$T/out" "$T/vout"
check "verify (every mailbox): findings still printed" grep -q "^alice: seq 3: missing:" "$T/vout"
R=

# Stale: a head that expires in a second, verified an hour on (the
# store's clock moved by PFISH_NOW, not waited for).
rm -rf case; cp -a root case
S -L 1s head alice | R=case ST head alice >/dev/null
R=case PFISH_NOW=$(($(date +%s) + 3600)) ST verify >vout 2>&1; rc=$?
if [ "$rc" -eq 3 ] && grep -q "^alice: seq [0-9]*: stale: head expired" vout; then ok "expired head is stale"
else notok "expired head is stale" "exit $rc"; fi

# accept: what it refuses leaves nothing behind.
printf 'hello there\n' >m
S record alice 12 "$(sha256sum m | cut -c1-64)" >r
sed 's/^size 12$/size 13/' r >r.bad
expect_rc "accept: tampered record" 65 sh -c "cat r.bad m | '$STORE' -r root -T allowed accept alice"
expect_rc "accept: record for another mailbox" 65 sh -c "cat r m | '$STORE' -r root -T allowed accept bob"
expect_rc "accept: message differs from record" 65 sh -c "(cat r; printf 'hello THERE\n') | '$STORE' -r root -T allowed accept alice"
expect_rc "accept: message truncated" 65 sh -c "(cat r; printf 'hello') | '$STORE' -r root -T allowed accept alice"
expect_rc "accept: message too long" 65 sh -c "(cat r m m) | '$STORE' -r root -T allowed accept alice"
expect_rc "accept: no record" 65 sh -c "cat m | '$STORE' -r root -T allowed accept alice"
: >empty
expect_rc "accept: untrusted (empty trust file)" 65 sh -c "cat r m | '$STORE' -r root -T empty accept alice"
seq=$(printf %012d "$(sed -n 's/^seq //p' r)")
check "accept: refused deliveries left nothing" sh -c \
    "test ! -e root/alice/$seq.age && test ! -e root/alice/.pfish/records/$seq.rec && test -z \"\$(ls root/alice/.pfish/tmp)\""
expect_rc "accept: good delivery" 0 sh -c "cat r m | '$STORE' -r root -T allowed accept alice"
check "accept: message stored" cmp -s m root/alice/$seq.age
expect_rc "accept: exact duplicate" 0 sh -c "cat r m | '$STORE' -r root -T allowed accept alice"
cp out dupout
check "accept: duplicate reported" grep -q "^duplicate alice $((1$seq - 1000000000000))$" dupout
rm root/alice/$seq.age
expect_rc "accept: retry completes a half-done delivery" 0 sh -c "cat r m | '$STORE' -r root -T allowed accept alice"
check "accept: completed message stored" cmp -s m root/alice/$seq.age
# A second signer state (other epoch) cannot feed this mailbox.
mkdir state2; cp state/signer_key state2/
"$SIGNER" -s state2 record alice 12 "$(sha256sum m | cut -c1-64)" >r2
expect_rc "accept: record of another epoch" 65 sh -c "cat r2 m | '$STORE' -r root -T allowed accept alice"

# head: newer only.
S head alice >hnew
expect_rc "head: newer head installed" 0 sh -c "'$STORE' -r root -T allowed head alice <hnew"
expect_rc "head: same head again is a no-op" 0 sh -c "'$STORE' -r root -T allowed head alice <hnew"
expect_rc "head: older head refused" 65 sh -c "'$STORE' -r root -T allowed head alice <head4"
expect_rc "head: bob's head refused for alice" 65 sh -c "'$STORE' -r root -T allowed head alice <root/bob/.pfish/head"
# forkhead is newer, but its highhash is not the stored record's.
"$SIGNER" -s forkstate record alice 1 "$(printf x | sha256sum | cut -c1-64)" >/dev/null
"$SIGNER" -s forkstate head alice >forkhead2
check "head: fork head is as new as the installed one" sh -c \
    "grep -qx 'high 7' forkhead2 && grep -qx 'high 7' root/alice/.pfish/head"
expect_rc "head: head on another history refused" 65 sh -c "'$STORE' -r root -T allowed head alice <forkhead2"
cp out forkout
check "head: refused because it does not match the records" grep -q "does not match the stored records" forkout
check "head: installed head unchanged" cmp -s hnew root/alice/.pfish/head
expect_rc "store still verifies" 0 ST verify

# expire: with a 30-second retention, older messages go.  The clock is
# PFISH_NOW, never ahead of the real one: seqs 1-2 a minute back, seq 3
# and the head at one fixed moment.
ST init -u "$(id -un)" carol
now=$(date +%s)
export PFISH_NOW=$((now - 60))
deliver carol 2 && deliver carol 3
PFISH_NOW=$now
deliver carol 4
S -r 30s head carol | ST head carol >/dev/null
unset PFISH_NOW
check "expire: head low is 3" grep -qx "low 3" root/carol/.pfish/head
expect_rc "expire runs" 0 ST expire carol
check "expire: seqs 1-2 gone, 3 kept" sh -c \
    "test ! -e root/carol/000000000001.age && test ! -e root/carol/.pfish/records/000000000002.rec && test -e root/carol/000000000003.age && test -e root/carol/.pfish/records/000000000003.rec"
expect_rc "expired mailbox verifies" 0 ST verify carol
expect_rc "verify of a missing mailbox is an error" 1 ST verify nobody

# As an ssh forced command: the client picks accept/head and a mailbox.
printf 'via ssh\n' >m2
S record alice 8 "$(sha256sum m2 | cut -c1-64)" >r3
expect_rc "forced command: accept" 0 sh -c "cat r3 m2 | SSH_ORIGINAL_COMMAND='pfish-store accept alice' '$STORE' -r root -T allowed"
expect_rc "forced command: verify refused" 64 env SSH_ORIGINAL_COMMAND='pfish-store verify' "$STORE" -r root -T allowed
expect_rc "forced command: option refused" 64 env SSH_ORIGINAL_COMMAND='pfish-store -r / accept alice' "$STORE" -r root -T allowed
expect_rc "forced command: path refused" 64 env SSH_ORIGINAL_COMMAND='pfish-store accept ../alice' "$STORE" -r root -T allowed
expect_rc "forced command: signer head" 0 sh -c "SSH_ORIGINAL_COMMAND='pfish-signer head alice' '$SIGNER' -s state | '$STORE' -r root -T allowed head alice"
expect_rc "forced command: signer status refused" 64 env SSH_ORIGINAL_COMMAND='pfish-signer status' "$SIGNER" -s state

# PFISH_NOW, the test hook: digits only; a forced command ignores it
# (the store's forced verbs never read it: verify alone does).
rtime() { sed -n 's/^time //p' "$1"; }
for v in abc ' 5' +5 -5 0 5x 99999999999999999999; do
	expect_rc "PFISH_NOW='$v' refused by the signer" 64 env PFISH_NOW="$v" "$SIGNER" -s state head alice
	expect_rc "PFISH_NOW='$v' refused by the store" 64 env PFISH_NOW="$v" "$STORE" -r root -T allowed verify alice
done
printf 'clock\n' >m3
h3=$(sha256sum m3 | cut -c1-64)
PFISH_NOW=4000000000 S record dave 6 "$h3" >r4
check "PFISH_NOW sets the signer's clock" test "$(rtime r4)" = 4000000000
PFISH_NOW=4000000000 SSH_ORIGINAL_COMMAND="pfish-signer record erin 6 $h3" "$SIGNER" -s state >r5
t=$(rtime r5)
check "PFISH_NOW ignored by a forced command" test -n "$t" -a "$t" -lt 4000000000
cp root/alice/.pfish/head hcur
expect_rc "PFISH_NOW not even read by a forced store command" 0 sh -c "PFISH_NOW=abc SSH_ORIGINAL_COMMAND='pfish-store head alice' '$STORE' -r root -T allowed <hcur"
expect_rc "PFISH_NOW not even read by a forced signer command" 0 env PFISH_NOW=abc SSH_ORIGINAL_COMMAND='pfish-signer head alice' "$SIGNER" -s state
expect_rc "PFISH_NOW not read by expire" 0 env PFISH_NOW=abc "$STORE" -r root -T allowed expire carol

# init: modes, and owner when run as root for an existing user.
expect_rc "init: bad name refused" 65 ST init ../x
check "init: mailbox mode 2770" sh -c "[ \"\$(stat -c %a root/alice)\" = 2770 ] && [ \"\$(stat -c %a root/alice/.pfish/records)\" = 2770 ]"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	expect_rc "init: as root" 0 ST init nobody
	check "init: owned by the user" sh -c "[ \"\$(stat -c %U root/nobody)\" = nobody ] && [ \"\$(stat -c %U root/nobody/.pfish/tmp)\" = nobody ] && [ \"\$(stat -c %a root/nobody)\" = 2770 ]"
	expect_rc "init: again is harmless" 0 ST init nobody
	expect_rc "empty mailbox verifies" 0 ST verify nobody
	expect_rc "init: as root, no such login" 1 ST init nosuchlogin9
	check "init: no such login creates nothing" test ! -e root/nosuchlogin9
	expect_rc "init: -u names the owner" 0 ST init -u nobody -g root other
	check "init: -u and -g set owner and group" sh -c "[ \"\$(stat -c '%U %G' root/other/.pfish)\" = 'nobody root' ]"
	expect_rc "init: no such group" 1 ST init -g nosuchgroup9 -u nobody g2
else
	skip "init: owner" "not root"
fi

t_done
