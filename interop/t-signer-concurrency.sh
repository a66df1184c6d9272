#!/bin/sh
# t-signer-concurrency.sh: parallel pfish-signer calls on one mailbox give
# distinct, gap-free, chained seqs, and the store takes them in any order.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

TOOL=$PFISH_OBJ/interop/stmttool
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
WORKERS=8
EACH=10

cd "$T" || exit 1
mkdir state root out
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" >allowed

# worker W: EACH records of distinct messages; output files out/W-I.
worker() {
	i=0
	while [ "$i" -lt "$EACH" ]; do
		printf 'age-encryption.org/v1 worker %s message %s\n' "$1" "$i" >"out/$1-$i.age"
		"$SIGNER" -s state record alice "$(wc -c <"out/$1-$i.age" | tr -d ' ')" \
		    "$(sha256sum "out/$1-$i.age" | cut -c1-64)" >"out/$1-$i.rec" || return 1
		i=$((i + 1))
	done
}
w=0
pids=
while [ "$w" -lt "$WORKERS" ]; do
	worker "$w" &
	pids="$pids $!"
	w=$((w + 1))
done
wfail=0
for p in $pids; do wait "$p" || wfail=1; done
[ "$wfail" -eq 0 ] && ok "$WORKERS parallel signers finished" || notok "$WORKERS parallel signers finished"

total=$((WORKERS * EACH))
sed -n 's/^seq //p' out/*.rec | sort -n >seqs
seq 1 "$total" >want
if cmp -s seqs want; then ok "$total records have seqs 1..$total, each once"
else notok "$total records have seqs 1..$total, each once"; fi

# Chain: record N's prev is the hash of record N-1's text.
for f in out/*.rec; do
	echo "$(sed -n 's/^seq //p' "$f") $("$TOOL" texthash <"$f") $(sed -n 's/^prev //p' "$f") $f"
done | sort -n >chain
if awk 'BEGIN { h = "0000000000000000000000000000000000000000000000000000000000000000" }
    { if ($3 != h) exit 1; h = $2 }' chain; then ok "records form one hash chain"
else notok "records form one hash chain"; fi

# The store takes them in reverse order (parallel deliveries may overtake).
"$STORE" -r root init -u "$(id -un)" alice
bad=0
sort -rn chain | while read -r s h p f; do
	cat "$f" "${f%.rec}.age" | "$STORE" -r root -T allowed accept alice >/dev/null || exit 1
done || bad=1
[ "$bad" -eq 0 ] && ok "store accepts all $total out of order" || notok "store accepts all $total out of order"
"$SIGNER" -s state head alice | "$STORE" -r root -T allowed head alice >/dev/null
if grep -qx "high $total" root/alice/.pfish/head; then ok "head covers all records"
else notok "head covers all records"; fi
if "$STORE" -r root -T allowed verify alice >vout 2>&1; then ok "store verifies"
else notok "store verifies"; sed 's/^/# /' vout; fi
# A validly signed record that does not chain onto its stored neighbour
# (same epoch, seq 81, wrong prev) is refused with EX_DATAERR.
mkdir state2
cp state/signer_key state2/
sed "s/^chain .*/chain $(printf 'x' | sha256sum | cut -c1-64)/" state/alice.state >state2/alice.state
printf 'x\n' >x.age
"$SIGNER" -s state2 record alice 2 "$(sha256sum x.age | cut -c1-64)" >x.rec
cat x.rec x.age | "$STORE" -r root -T allowed accept alice >/dev/null 2>&1
rc=$?
if grep -qx "seq $((total + 1))" x.rec && [ "$rc" -eq 65 ]; then ok "record off the chain refused"
else notok "record off the chain refused" "exit $rc"; fi
if [ ! -e "root/alice/$(printf %012d $((total + 1))).age" ]; then ok "refused record left no message"
else notok "refused record left no message"; fi

# A run whose clock reads before the last head's issued (it took its
# clock, then waited for the lock while a head was signed) signs no
# record older than that head: a verifier would read the head as
# omitting a record signed before it (rollback).
now=$(date +%s)
later=$((now + 100))
PFISH_NOW=$later "$SIGNER" -s state head alice |
    PFISH_NOW=$later "$STORE" -r root -T allowed head alice >/dev/null ||
    notok "a head signed at now + 100"
printf 'age-encryption.org/v1 late\n' >late.age
PFISH_NOW=$now "$SIGNER" -s state record alice \
    "$(wc -c <late.age | tr -d ' ')" "$(sha256sum late.age | cut -c1-64)" \
    >late.rec
t=$(sed -n 's/^time //p' late.rec)
if [ -n "$t" ] && [ "$t" -ge "$later" ]; then
	ok "a record signed by an earlier clock is not older than the head"
else
	notok "a record signed by an earlier clock is not older than the head" \
	    "time $t, head issued $later"
fi
cat late.rec late.age |
    PFISH_NOW=$later "$STORE" -r root -T allowed accept alice >/dev/null ||
    notok "store accepts the late record"
if PFISH_NOW=$later "$STORE" -r root -T allowed verify alice >vout 2>&1
then ok "store verifies: no head omits a record signed before it"
else notok "store verifies: no head omits a record signed before it"
	sed 's/^/# /' vout; fi
t_done
