#!/bin/sh
# t-store-crash.sh: kill -9 at random points of pfish-signer and
# pfish-store accept, and a full disk under each: nothing acknowledged is
# lost, nothing half-written becomes visible, and retries complete.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
ROUNDS=${ROUNDS:-25}
mounted=
t_atexit 'for m in $mounted; do umount "$m" 2>/dev/null; done'

# A random delay of 0 to 20 ms, as sleep(1) accepts it.
rdelay() { printf '0.%03d' "$(awk -v s="$1" 'BEGIN { srand(s); print int(rand() * 20) }')"; }

cd "$T" || exit 1
mkdir state root
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" >allowed
"$STORE" -r root init alice

# Each round: sign (killing the first attempt at a random moment), then
# deliver (killing the first attempt too), then retry both to the end.
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	head -c $((4000 + i * 997)) /dev/urandom >m.age
	size=$(wc -c <m.age | tr -d ' ')
	sha=$(sha256sum m.age | cut -c1-64)
	# A kill before the shell opens rec.try must not leave last round's.
	rm -f rec.try
	"$SIGNER" -s state record alice "$size" "$sha" >rec.try 2>/dev/null &
	p=$!
	sleep "$(rdelay "$i")"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	# The retry re-prints the same record if the first one got through.
	"$SIGNER" -s state record alice "$size" "$sha" >rec || { notok "round $i: signer retry"; continue; }
	if [ -s rec.try ] && ! cmp -s rec.try rec && grep -q END rec.try; then
		notok "round $i: retry signed something else"
	fi
	{ cat rec; sleep 0.01; cat m.age; } | "$STORE" -r root -T allowed accept alice >/dev/null 2>&1 &
	p=$!
	sleep "$(rdelay "$((i + 1000))")"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	cat rec m.age | "$STORE" -r root -T allowed accept alice >out 2>&1 ||
	    { notok "round $i: store retry"; sed 's/^/# /' out; }
	seq=$(sed -n 's/^seq //p' rec)
	cmp -s m.age "root/alice/$(printf %012d "$seq").age" ||
	    notok "round $i: message $seq stored intact"
done
ok "$ROUNDS rounds of killed signers and stores retried"
"$SIGNER" -s state head alice | "$STORE" -r root -T allowed head alice >/dev/null
n=$(ls root/alice/*.age | wc -l)
if [ "$n" -eq "$ROUNDS" ] && grep -qx "high $ROUNDS" root/alice/.pfish/head; then
	ok "every round is one seq, no seq skipped"
else notok "every round is one seq, no seq skipped" "$n messages"; fi
if "$STORE" -r root -T allowed verify alice >vout 2>&1; then ok "store verifies after the kills"
else notok "store verifies after the kills"; sed 's/^/# /' vout; fi

# Full disks: only as root, where a small tmpfs can be mounted.
mkdir full
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
	skip "full disk" "cannot mount a tmpfs (needs root)"
	t_done
fi
mounted="$T/full"
mkdir full/state full/root
cp state/signer_key full/state/
"$STORE" -r full/root init bob
# Deliver until the store says EX_TEMPFAIL.
k=0
rc=0
while [ "$k" -lt 100 ]; do
	k=$((k + 1))
	head -c 20000 /dev/urandom >f.age
	"$SIGNER" -s state record bob 20000 "$(sha256sum f.age | cut -c1-64)" >frec
	cat frec f.age | "$STORE" -r full/root -T allowed accept bob >/dev/null 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && break
done
if [ "$rc" -eq 75 ]; then ok "full disk: accept exits 75"; else notok "full disk: accept exits 75" "exit $rc after $k"; fi
seq=$(sed -n 's/^seq //p' frec)
if [ ! -e "full/root/bob/$(printf %012d "$seq").age" ] && [ -z "$(ls full/root/bob/.pfish/tmp)" ]; then
	ok "full disk: nothing half-written visible or left in tmp"
else notok "full disk: nothing half-written visible or left in tmp"; fi
"$SIGNER" -s state head bob >fhead
"$STORE" -r full/root -T allowed head bob <fhead >/dev/null 2>&1
# Make room, then the same delivery goes through.
rm -f full/root/bob/000000000001.age full/root/bob/000000000002.age
if cat frec f.age | "$STORE" -r full/root -T allowed accept bob >/dev/null 2>&1 &&
    cmp -s f.age "full/root/bob/$(printf %012d "$seq").age"; then
	ok "full disk: retry after making room stores the message"
else notok "full disk: retry after making room stores the message"; fi
"$STORE" -r full/root -T allowed verify bob >vout 2>&1
if [ "$(grep -c 'missing: message is gone' vout)" -eq 2 ] && [ "$(wc -l <vout)" -eq 2 ]; then
	ok "full disk: only the two removed messages are missing"
else notok "full disk: only the two removed messages are missing"; sed 's/^/# /' vout; fi
# The signer on a full disk prints nothing and exits 75.
head -c 300000 /dev/zero >full/filler 2>/dev/null
"$SIGNER" -s full/state record carol 1 "$(printf x | sha256sum | cut -c1-64)" >sout 2>/dev/null
rc=$?
if [ "$rc" -eq 75 ] && [ ! -s sout ]; then ok "full disk: signer exits 75 and prints nothing"
else notok "full disk: signer exits 75 and prints nothing" "exit $rc"; fi
rm -f full/filler
if "$SIGNER" -s full/state record carol 1 "$(printf x | sha256sum | cut -c1-64)" | grep -qx "seq 1"; then
	ok "full disk: signer retry after making room gets seq 1"
else notok "full disk: signer retry after making room gets seq 1"; fi
t_done
