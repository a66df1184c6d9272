#!/bin/sh
# t-durability.sh: kill -9 at random moments, hundreds of times, during
# pfish-deliver (with its signer and store), the signed delete through
# pfish-server, plain REMOVE, pfish-store expire and pfish-signer record.
# After every kill: verify reports only the honest truth (a seq the signer
# consumed but the store never got is "missing", a REMOVE leaves an
# unsigned-delete, nothing else), nothing acknowledged is lost, every .age
# in the mailbox has a durable record of its size and sha256 and nothing
# else is at the top; at the end, no seq was ever printed by the signer
# with two different texts.  (t-store-crash.sh and t-crash.sh kill the
# same programs fewer times and cover the full disk.)

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

DELIVER=$PFISH_BIN/pfish-deliver
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
STMTTOOL=$PFISH_OBJ/interop/stmttool
COUNT=${COUNT:-40}		# kills per operation (5 operations)
ROUNDS=$((COUNT * 3))		# rounds per operation, at most: a kill
				# must hit at least one round in three
LIMIT=${LIMIT:-1800}		# seconds per operation: a safety stop only
WANT=200			# injections in all, whatever the build
survived=0
survived_finding=0

for p in "$DELIVER" "$SIGNER" "$STORE" "$SERVER" "$STMTTOOL"; do
	if [ ! -x "$p" ]; then
		notok durability "no $p (make builds it)"
		t_done
	fi
done
for c in age setsid; do
	if ! command -v "$c" >/dev/null; then
		skip durability "no $c installed"
		t_done
	fi
done

cd "$T" || exit 1
mkdir state root recs spool
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
ssh-keygen -q -t ed25519 -N '' -C alice -f alice
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "alice namespaces=\"pfish-delete-v1\" $(cat alice.pub)"
} >allowed
cp alice.pub rcpts
cp alice.pub authorized_keys
"$STORE" -r root init -u "$(id -un)" alice >/dev/null 2>&1 || { notok init; exit 1; }
MB=$T/root/alice
ST() { "$STORE" -r "$T/root" -T "$T/allowed" "$@"; }
newhead() { "$SIGNER" -s "$T/state" "$@" head alice | ST head alice >/dev/null 2>&1; }

# Every record the signer prints is kept (recs/), to compare texts by seq.
# Its output passes on as it comes: after "deliver" the signer waits for
# the deliverer's report on its input.
cat >signwrap <<EOF
#!/bin/sh
f=$T/recs/\$\$.\$(date +%s%N)
{ "$SIGNER" -s "$T/state" "\$@"; echo \$? >"\$f.rc"; } | tee "\$f"
rc=\$(cat "\$f.rc" 2>/dev/null)
rm -f "\$f.rc"
exit \${rc:-1}
EOF
chmod +x signwrap

# delays MS: the kill points of an operation, one per round: a random
# fraction of DMS, which starts at MS ms (most of one run) and shrinks by
# a tenth after every round the kill missed, so a run measured while the
# machine was busier than later still gets its kills.
delays() {
	DMS=$1
	awk -v n="$ROUNDS" 'BEGIN { srand(); for (i = 0; i < n; i++)
	    printf "%.4f\n", rand() }' >delays
}
# ms cmd...: how long cmd takes, in ms (at least 1).
ms() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	echo $((($(date +%s%N) - t0) / 1000000 + 1))
}
# killat N cmd...: run cmd in a session of its own, kill -9 the whole
# session at the Nth kill point; true if the kill hit it before it ended
# (KRC is its exit status: 137 when killed).
killat() {
	_d=$(awk -v f="$(sed -n "${1}p" delays)" -v ms="$DMS" \
	    'BEGIN { printf "%.4f", f * ms / 1000 }')
	shift
	setsid "$@" >/dev/null 2>&1 &
	_p=$!
	sleep "$_d"
	kill -9 "-$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	KRC=$?
	[ $KRC -eq 137 ] && return 0
	DMS=$((DMS * 9 / 10 + 1))
	return 1
}
# more START ROUND KILLED: true while the operation still needs kills.
# It stops early only when ROUNDS rounds or LIMIT seconds have passed, and
# says so in $why; the operation then fails (no lower bar on slow builds).
more() {
	[ "$3" -ge "$COUNT" ] && return 1
	if [ "$2" -ge "$ROUNDS" ]; then
		why="only $3 of $COUNT kills hit in $2 rounds"
		return 1
	fi
	if [ $(($(date +%s) - $1)) -ge "$LIMIT" ]; then
		why="safety limit of $LIMIT s reached after $2 rounds, $3 of $COUNT kills"
		return 1
	fi
	return 0
}
# verdict NAME BAD KILLED ROUNDS: ok when nothing was bad and all COUNT
# kills hit.
verdict() {
	if [ "$2" -eq 0 ] && [ "$3" -ge "$COUNT" ]; then
		ok "$1 killed $3 times in $4 rounds: $5"
	else
		notok "$1 killed at random points" "$2 bad, $3 kills in $4 rounds${why:+; $why}"
	fi
	echo "# $1: $(($(date +%s) - start)) s"
}

seqs() { ls "$MB" | sed -n 's/^0*\([0-9][0-9]*\)\.age$/\1/p' | sort; }

# state_ok WHAT ALLOWED: the invariants after a kill.  ALLOWED is an ERE
# of "SEQ KIND" verify may report besides "missing" of a seq that was
# never acknowledged (its record stored by a killed accept that had not
# yet made the .age visible) and "pending" (said on standard error, not
# a finding) of a seq never acknowledged (signed but never stored, under
# a head a later delivery installed).  Prints why not; false if bad.
state_ok() {
	_bad=0
	ls -A "$MB" | grep -v '^\.pfish$' | grep -Ev '^[0-9]{12}\.age$' >odd
	if [ -s odd ]; then
		echo "# $1: visible: $(tr '\n' ' ' <odd)"; _bad=1
	fi
	# Every .age: a durable record with its size and sha256.
	awk 'FNR == 1 { s = z = "" } /^seq / { s = $2 } /^size / { z = $2 }
	    /^sha256 / { print s, z, $2 }' "$MB"/.pfish/records/*.rec >recsz 2>/dev/null
	(cd "$MB" && stat -c '%n %s' -- *.age 2>/dev/null) >sizes
	(cd "$MB" && sha256sum -- *.age 2>/dev/null) >sums
	awk 'FILENAME == "recsz" { r[$1 + 0] = $2 " " $3; next }
	    FILENAME == "sizes" { sz[$1] = $2; next }
	    { k = $2; sub(/\.age$/, "", k); k += 0
	      if (!(k in r) || r[k] != sz[$2] " " $1) print $2 }' \
	    recsz sizes sums >torn
	if [ -s torn ]; then
		echo "# $1: no matching record: $(tr '\n' ' ' <torn)"; _bad=1
	fi
	ST verify alice >v.out 2>&1
	_rc=$?
	sed -n 's/^alice: seq \([0-9]*\): \([a-z-]*\):.*/\1 \2/p' v.out >found
	sed -n 's/^pfish-store: alice: seq \([0-9]*\): pending:.*/\1/p' v.out |
	    sort >pend
	_other=$(grep -v '^pfish-store: alice: seq [0-9]*: pending:' v.out |
	    grep -vc '^alice: seq [0-9]*: [a-z-]*:')
	_packed=$(sort acked | comm -12 - pend | tr '\n' ' ')
	if [ -n "$_packed" ]; then
		echo "# $1: acknowledged yet pending: $_packed"; _bad=1
	fi
	while read -r _s _k; do
		[ -n "$2" ] && echo "$_s $_k" | grep -Eqx "$2" && continue
		if [ "$_k" = missing ] && ! grep -qx "$_s" acked; then
			continue
		fi
		_other=$((_other + 1))
	done <found
	if [ "$_other" -ne 0 ] || { [ -s found ] && [ $_rc -ne 3 ]; } ||
	    { [ ! -s found ] && [ $_rc -ne 0 ]; }; then
		echo "# $1: verify exit $_rc:"; sed 's/^/#   /' v.out | head -n 8
		_bad=1
	fi
	# Nothing acknowledged lost: every seq in acked is there, unless a
	# note (an unsigned-delete finding) or a stored signed delete covers
	# it (verify reports a missing seq that no statement covers).
	seqs >present
	sort acked | comm -23 - present >gone
	grep -- '-delete$' found | cut -d' ' -f1 | sort >noted
	comm -23 gone noted >gone2
	[ -n "$(ls "$MB/.pfish/deletes")" ] &&
	    grep ' missing$' found | cut -d' ' -f1 | sort | comm -12 - gone2 >gone3 &&
	    mv gone3 gone2
	if [ -s gone2 ]; then
		echo "# $1: acknowledged seqs lost: $(tr '\n' ' ' <gone2)"; _bad=1
	fi
	[ -s found ] && survived_finding=$((survived_finding + 1))
	return $_bad
}

: >acked

# --- 1. pfish-deliver -> signer -> store, killed as a whole -------------
msg() {	# a message with marker $1
	printf 'From: bob@example.org\nSubject: durability %s\n\n' "$1"
	head -c $((2000 + $1 * 211 % 30000)) /dev/urandom | base64
}
dl() { $DELIVER -r "$T/rcpts" -d "$T/spool" -S "$T/signwrap" \
    -A "$STORE -r $T/root -T $T/allowed" alice <"$1"; }
msg 0 >m && dl m >/dev/null 2>&1 && newhead || { notok "first delivery"; exit 1; }
echo 1 >acked
msg 1000 >m	# (a second message, seq 2; the same one again is a retry)
t=$(ms dl m)
echo 2 >>acked
delays $((t * 9 / 10)); echo "# one run: $t ms"
start=$(date +%s)
r=0 killed=0 bad=0 dups=0 why=
while more "$start" "$r" "$killed"; do
	r=$((r + 1))
	msg "$r" >m
	seqs >before
	cat >k.sh <<EOF
exec $DELIVER -r $T/rcpts -d $T/spool -S $T/signwrap -A "$STORE -r $T/root -T $T/allowed" alice <$T/m
EOF
	killat "$r" sh k.sh && killed=$((killed + 1))
	newhead
	state_ok "deliver round $r (killed)" || bad=$((bad + 1))
	# smtpd retries unless the delivery got through: exactly one new
	# message, and it is this one.
	if [ $KRC -eq 0 ]; then
		:
	elif [ $KRC -ne 137 ]; then
		bad=$((bad + 1)); echo "# deliver round $r: exit $KRC"
	elif ! dl m >dl.out 2>&1; then
		bad=$((bad + 1)); echo "# deliver round $r: retry failed: $(head -c 200 dl.out)"
		continue
	fi
	seqs >after
	# Exactly one new message, wherever the kill fell: a retry after
	# the store accepted finds the spool's marker and adds nothing.
	new=$(comm -13 before after | tr '\n' ' ')
	nn=$(echo $new | wc -w)
	[ "$nn" -eq 2 ] && dups=$((dups + 1))
	for s in $new; do
		age -d -i alice "$MB/$(printf %012d "$s").age" 2>/dev/null |
		    cmp -s - m || nn=0
		echo "$s" >>acked
	done
	if [ "$nn" -ne 1 ]; then
		bad=$((bad + 1)); echo "# deliver round $r: new seqs '$new' not this message once"
	fi
	[ -n "$(comm -23 before after)" ] && { bad=$((bad + 1)); echo "# deliver round $r: lost $(comm -23 before after)"; }
	newhead
	state_ok "deliver round $r (retried)" || bad=$((bad + 1))
done
survived=$((survived + killed))
verdict pfish-deliver $bad $killed $r "retries arrive intact, none lost"
[ "$dups" -eq 0 ] && ok "no retry stored a second copy" ||
    notok "no retry stored a second copy" "$dups duplicates"
[ -z "$(ls spool/alice 2>/dev/null | grep '\.age$')" ] && ok "spool empty after the retries" ||
    notok "spool empty after the retries" "$(ls spool/alice | grep -c '\.age$') left"

# --- 2. pfish-signer record, killed; the retry is the same or another ---
start=$(date +%s)
printf x >m.age
t=$(ms ./signwrap record alice 1 "$(sha256sum m.age | cut -c1-64)")
delays $((t * 9 / 10)); echo "# one run: $t ms"
r=0 killed=0 bad=0 why=
while more "$start" "$r" "$killed"; do
	r=$((r + 1))
	head -c $((100 + r)) /dev/urandom >m.age
	sz=$(wc -c <m.age | tr -d ' ')
	killat "$r" ./signwrap record alice "$sz" "$(sha256sum m.age | cut -c1-64)" &&
	    killed=$((killed + 1))
	# Odd rounds: the same message again (a lost reply); even rounds:
	# another one (the first gave up), so a consumed seq may stay missing.
	[ $((r % 2)) -eq 0 ] && head -c $((100 + r)) /dev/urandom >m.age
	./signwrap record alice "$sz" "$(sha256sum m.age | cut -c1-64)" >rec 2>/dev/null ||
	    { bad=$((bad + 1)); echo "# signer round $r: retry failed"; continue; }
	if ! cat rec m.age | ST accept alice >/dev/null 2>&1; then
		bad=$((bad + 1)); echo "# signer round $r: accept failed"; continue
	fi
	sed -n 's/^seq //p' rec >>acked
	newhead
	state_ok "signer round $r" || bad=$((bad + 1))
done
survived=$((survived + killed))
verdict "pfish-signer record" $bad $killed $r "retries store, only unstored seqs missing"
nmiss=$(grep -c ' missing' found)
echo "# $nmiss seqs consumed by killed signers and never stored: verify names each as missing"

# No seq ever printed with two texts (stored records count as printed).
for f in recs/* "$MB"/.pfish/records/*.rec; do
	grep -q -- '-----END SSH SIGNATURE-----' "$f" || continue
	# (the record: the first statement; pfish-signer deliver adds a head)
	awk '{ print } /^-----END SSH SIGNATURE-----$/ { exit }' "$f" >first
	echo "$(sed -n 's/^seq //p' first) $(sha256sum <first | cut -c1-64)"
done | sort -u >seqtexts
nrec=$(cut -d' ' -f1 seqtexts | sort -u | wc -l)
twice=$(cut -d' ' -f1 seqtexts | uniq -d | tr '\n' ' ')
[ -z "$twice" ] && ok "no seq signed twice with different content ($nrec seqs, $(ls recs | wc -l) signer outputs)" ||
    notok "no seq signed twice with different content" "seqs $twice"

# --- 3. signed delete and plain REMOVE through pfish-server, killed ----
newhead
cp -a "$MB" tmpl
cp acked acked.tmpl
high=$(tail -n 1 acked)
epoch=$(cat "$MB/.pfish/epoch")
victims=$(seqs | sort -n | awk 'NR % 9 == 2' | head -n 12 | tr '\n' ' ')
rh() { "$STMTTOOL" texthash <"$MB/.pfish/records/$(printf %012d "$1").rec"; }
pairs=
for s in $victims; do pairs="$pairs $s:$(rh "$s")"; done
"$STMTTOOL" delete alice "$epoch" "$high" "$(rh "$high")" "$(date +%s)" \
    "$(ssh-keygen -lf alice.pub | awk '{print $2}')" $pairs >del.txt &&
    ssh-keygen -q -Y sign -f alice -n pfish-delete-v1 del.txt 2>/dev/null &&
    cat del.txt del.txt.sig >del || { notok "make the signed delete"; exit 1; }
# The packets: INIT, then one pfish-delete@pfish; INIT, then a REMOVE each.
/usr/bin/python3 - "$victims" <<'EOF' || { notok "packets"; exit 1; }
import struct, sys
def pkt(t, body): return struct.pack(">IB", 1 + len(body), t) + body
def s(b): return struct.pack(">I", len(b)) + b
init = pkt(1, struct.pack(">I", 3))
stmt = open("del", "rb").read()
open("del.pkt", "wb").write(init + pkt(200, struct.pack(">I", 1) +
    s(b"pfish-delete@pfish") + s(stmt)))
rm = b"".join(pkt(13, struct.pack(">I", i + 2) + s(b"%012d.age" % int(v)))
    for i, v in enumerate(sys.argv[1].split()))
open("rm.pkt", "wb").write(init + rm)
EOF
SRV="$SERVER -e -l error -d $MB -k $T/authorized_keys"
restore() { rm -rf "$MB" && cp -a tmpl "$MB" && cp acked.tmpl acked; }

# kill_server NAME PACKETS ALLOWED DONE: the round loop for one request kind.
kill_server() {
	restore
	t=$(ms sh -c "$SRV <$2")
	delays $((t * 3 / 4)); echo "# one run: $t ms"
	start=$(date +%s)
	r=0 killed=0 bad=0 why=
	while more "$start" "$r" "$killed"; do
		r=$((r + 1))
		restore
		killat "$r" sh -c "exec $SRV <$T/$2" && killed=$((killed + 1))
		state_ok "$1 round $r (killed)" "$3" || bad=$((bad + 1))
		$SRV <"$2" >/dev/null 2>&1	# the client tries again
		state_ok "$1 round $r (again)" "$3" || bad=$((bad + 1))
		for s in $victims; do
			[ -e "$MB/$(printf %012d "$s").age" ] &&
			    { bad=$((bad + 1)); echo "# $1 round $r: $s still there"; break; }
		done
		[ "$(grep -c "$4" found)" -eq "$5" ] ||
		    { bad=$((bad + 1)); echo "# $1 round $r: $(grep -c "$4" found) '$4' findings, want $5"; }
	done
	survived=$((survived + killed))
	verdict "$1" $bad $killed $r "only the honest findings, retry completes"
}
nv=$(echo $victims | wc -w)
vre=$(echo $victims | tr ' ' '|')
kill_server "signed delete" del.pkt "" "unsigned-delete" 0
kill_server "plain REMOVE" rm.pkt "($vre) unsigned-delete" "unsigned-delete" "$nv"

# --- 4. pfish-store expire, killed ----------------------------------------
# Fifteen more records a minute later, then a head with a 30 s retention:
# its low is the first of them.  The clock is PFISH_NOW, moved once for
# the signer and for pfish-store verify alike (verify never sees a
# statement from its future), not waited for.
restore
export PFISH_NOW=$(($(date +%s) + 60))
: >acked.new
k=0
while [ $k -lt 15 ]; do
	k=$((k + 1))
	head -c $((300 + k)) /dev/urandom >m.age
	./signwrap record alice "$(wc -c <m.age | tr -d ' ')" "$(sha256sum m.age | cut -c1-64)" >rec &&
	    cat rec m.age | ST accept alice >/dev/null 2>&1 ||
	    { notok "expire fixture"; exit 1; }
	sed -n 's/^seq //p' rec >>acked
	sed -n 's/^seq //p' rec >>acked.new
done
newhead -r 30s
low=$(sed -n 's/^low //p' "$MB/.pfish/head")
if [ -z "$low" ] || [ "$low" -ne "$(head -n 1 acked.new)" ]; then
	notok "expire fixture" "head low '$low'"; exit 1
fi
awk -v l="$low" '$1 >= l' acked >acked.tmpl
cp acked.tmpl acked
rm -rf tmpl && cp -a "$MB" tmpl
t=$(ms ST expire alice)
restore
delays $((t * 3 / 4)); echo "# one run: $t ms"
start=$(date +%s)
r=0 killed=0 bad=0 why=
while more "$start" "$r" "$killed"; do
	r=$((r + 1))
	restore
	killat "$r" "$STORE" -r "$T/root" -T "$T/allowed" expire alice && killed=$((killed + 1))
	state_ok "expire round $r (killed)" || bad=$((bad + 1))
	ST expire alice >/dev/null 2>&1
	state_ok "expire round $r (again)" || bad=$((bad + 1))
	left=$(seqs | awk -v l="$low" '$1 < l' | wc -l)
	[ "$left" -eq 0 ] || { bad=$((bad + 1)); echo "# expire round $r: $left below low $low left"; }
done
survived=$((survived + killed))
verdict expire $bad $killed $r "verify clean, rerun completes"

echo "# $survived kill -9 injections survived; $survived_finding checks saw an honest finding (an unstored seq missing, a note)"
# The same bar for every build (a sanitizer build only takes longer).
[ "$survived" -ge $WANT ] && ok "hundreds of injections ($survived)" ||
    notok "hundreds of injections" "only $survived of $WANT"
t_done
