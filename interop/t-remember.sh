#!/bin/sh
# t-remember.sh: a device that authenticated records on an earlier run
# does not ask for them again (pfish verify and pfish list), and still
# finds what it must: a message gone or resized, a served chain that does
# not link to what it remembers.  A record file removed alone, its
# message kept, is for pfish verify --full (and any device that never saw
# it), as pfish(1) says.  The mailbox is large enough (1200 records,
# about 700 KB) that its records span many state pages.  A listing
# starts past the records remembered only under a head that allows it
# (a new delivery, an expiry); an older head is listed from the start.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
SERVER=$PFISH_BIN/pfish-server
MK=$PFISH_OBJ/bench/mkmailbox
N=1200
for p in "$PFISH" "$SERVER" "$MK"; do
	if [ ! -x "$p" ]; then
		skip remember "not built yet: $p"
		t_done
	fi
done

cd "$T" || exit 1
export HOME=$T/home
mkdir -p home
unset SSH_AUTH_SOCK
mbox_signed "$N" 200 || { notok mkmailbox; t_done; }
cp -a mbox clean
sshd_start "Subsystem pfish $SERVER -d $T/mbox" || { notok sshd; t_done; }
P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -i $USER_KEY
    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed"
# pf STATE cmd...: pfish with its own state file, -v for the skip line.
# shellcheck disable=SC2086
pf() { _s=$1; shift; $P -v -s "$T/$_s" "$MB@127.0.0.1" "$@"; }
expect() { expect_ere "$@"; }
# seen NAME PATTERN: the last expect's output has PATTERN.
seen() {
	if grep -Eq "$2" out; then ok "$1"; else notok "$1" "output lacks /$2/"; sed 's/^/# /' out; fi
}
restore() { rm -rf mbox && cp -a clean mbox; }
seqf() { printf '%012d' "$1"; }
SKIPPED='records [0-9]+ to 1200 not listed again'

# --- a device learns, then remembers ------------------------------------
expect "first verify lists every record: intact" 0 \
    "^intact: .* $N messages" pf st verify
grep -Eq "$SKIPPED" out && notok "first verify skips nothing" ||
    ok "first verify skips nothing"
cp st st.clean
expect "verify again: most records from memory" 0 "$SKIPPED" pf st verify
seen "verify again: still intact, $N messages" "^intact: .* $N messages"
seen "... the listing starts past all of them" "records 1 to $N not listed again"
expect "list: records from memory, with their size" 0 \
    "^ +700 +[0-9-]+ [0-9:]+ +200  ok|^ +700 .* 200 +new" pf st list
seen "list skipped them too" "$SKIPPED"
expect "verify --full lists every record" 0 "^intact: .* $N messages" \
    pf st verify --full
grep -Eq "$SKIPPED" out && notok "--full skips nothing" ||
    ok "--full skips nothing"

# --- what a remembering device must still find ------------------------
cp st.clean st.a1
rm "mbox/$(seqf 700).age"
expect "a remembered message removed: missing" 3 "^missing 700( |\$)" \
    pf st.a1 verify
seen "... while its record was not listed again" "$SKIPPED"
restore

cp st.clean st.a2
printf 'x' >>"mbox/$(seqf 701).age"
expect "a remembered message grown by a byte: modified" 3 \
    "^modified 701( |\$)" pf st.a2 verify
restore

# The records after the first page come from memory; a record the
# server serves after them must link to the one remembered below it.
# Here the server extends another history: records 1101 to 1201 of a
# mailbox written with other messages, same signer, epoch and times.
cp st.clean st.a3
E=$(cat clean/.pfish/epoch)
export MKMAILBOX_EPOCH=$E MKMAILBOX_TIME=$(sed -n 's/^time //p' \
    "clean/.pfish/records/$(seqf 1).rec")
"$MK" signer "$T/same" "$MB" "$N" 200 >/dev/null &&
    "$MK" signer "$T/other" "$MB" $((N + 1)) 201 >/dev/null ||
    notok "mkmailbox with a fixed epoch and time"
unset MKMAILBOX_EPOCH MKMAILBOX_TIME
cmp -s same/.pfish/records/$(seqf 5).rec clean/.pfish/records/$(seqf 5).rec &&
    ok "a fixed epoch and time write the same records" ||
    notok "a fixed epoch and time write the same records"
i=1101
while [ "$i" -le $((N + 1)) ]; do
	cp "other/$(seqf $i).age" mbox/ &&
	    cp "other/.pfish/records/$(seqf $i).rec" mbox/.pfish/records/ ||
	    notok "stage record $i"
	i=$((i + 1))
done
cp other/.pfish/head mbox/.pfish/head
expect "a served record that does not link to memory: fork" 3 \
    "^fork 1200( |\$)" pf st.a3 verify
seen "... found with the records from memory" "records [0-9]+ to 1200 not listed again"
restore
rm -rf same other

# --- a listing that starts past what this device proved ------------
# The records up to the accepted head's high come from memory only when
# the head served first allows it; else the listing starts again.
cp st.clean st.g
export MKMAILBOX_EPOCH=$E MKMAILBOX_TIME=$(sed -n 's/^time //p' \
    "clean/.pfish/records/$(seqf 1).rec")
"$MK" signer "$T/grown" "$MB" $((N + 1)) 200 >/dev/null &&
    MKMAILBOX_LOW=101 "$MK" signer "$T/expired" "$MB" "$N" 200 >/dev/null ||
    notok "mkmailbox grown and expired"
unset MKMAILBOX_EPOCH MKMAILBOX_TIME
cp "grown/$(seqf 1201).age" mbox/ &&
    cp "grown/.pfish/records/$(seqf 1201).rec" mbox/.pfish/records/ &&
    cp grown/.pfish/head mbox/.pfish/head || notok "stage message 1201"
expect "a message delivered since: intact, $((N + 1)) messages" 0 \
    "^intact: .* $((N + 1)) messages" pf st.g verify
seen "... 1 to $N from memory, the new record served" \
    "records 1 to $N not listed again"
cp st.g st.g2
restore
expect "the head before served again: rollback, not intact" 3 \
    "^rollback " pf st.g verify
grep -Eq "records 1 to [0-9]+ not listed again" out &&
    notok "... the start past its high is not used" ||
    ok "... the start past its high is not used"
cp st.clean st.e
cp expired/.pfish/head mbox/.pfish/head
i=1
while [ "$i" -le 100 ]; do
	rm "mbox/$(seqf $i).age" "mbox/.pfish/records/$(seqf $i).rec"
	i=$((i + 1))
done
expect "expired up to 100: intact, from the head's low on" 0 \
    "^intact: .* 1100 messages.* head 101\.\.$N" pf st.e verify
seen "... 101 to $N from memory" "records 101 to $N not listed again"
rm "mbox/$(seqf 101).age"
expect "... the lowest of them removed: missing" 3 "^missing 101( |\$)" \
    pf st.e verify
restore
rm -rf grown expired

# A record file removed alone, its message still there: a device that
# remembers the record does not ask for it (its message is there with
# the size it signed); --full, as a new device, finds it.
cp st.clean st.a4
rm "mbox/.pfish/records/$(seqf 702).rec"
expect "a remembered record removed alone: this device's messages intact" 0 \
    "^intact: .* $N messages" pf st.a4 verify
expect "... and verify --full finds it" 3 "^missing 702( |\$)" \
    pf st.a4 verify --full
expect "... as does a device that never saw it" 3 "^missing 702( |\$)" \
    pf st.a4.new verify
restore

# --- a state file from before times and sizes were remembered ---------
cp st.clean st.old
awk '/^known [0-9]+$/ { k = 1; print; next } /^gone [0-9]+$/ { k = 0 }
    k && NF == 4 { print $1, $2; next } { print }' st.clean >st.old
cmp -s st.clean st.old && notok "old state: the times were stripped" ||
    ok "old state: the times were stripped"
expect "old state: verify lists every record once" 0 "^intact" pf st.old verify
grep -Eq "$SKIPPED" out && notok "old state: nothing skipped on the first run" ||
    ok "old state: nothing skipped on the first run"
expect "old state: the next run remembers" 0 "$SKIPPED" pf st.old verify

# --- fetch: only records of messages fetched before come from memory ---
cp st.clean st.v
mkdir dest1
expect "a device that only verified fetches every message" 0 "" \
    pf st.v fetch -d "$T/dest1"
grep -Eq "$SKIPPED" out && notok "verified is not fetched: nothing skipped" ||
    ok "verified is not fetched: nothing skipped"
[ "$(ls dest1 | grep -c '\.age$')" -eq "$N" ] && ok "all $N fetched" ||
    notok "all $N fetched" "$(ls dest1 | grep -c '\.age$')"
expect "fetch again: records from memory, nothing to get" 0 "$SKIPPED" \
    pf st.v fetch -d "$T/dest1"
rm "mbox/$(seqf 704).age"
expect "fetch again after a fetched message was removed: missing" 3 \
    "^missing 704( |\$)" pf st.v fetch -d "$T/dest1"
restore
rm -rf dest1

# wrapped MODE NAME [LINE...]: sshd serving pfish-server through
# fakesftp.py in MODE, with NAME.conf (and each LINE in it) and NAME.log.
wrapped() {
	_m=$1 _n=$2
	shift 2
	sshd_stop
	{ printf 'mode=%s\nserver=%s -d %s\nlog=%s\n' "$_m" "$SERVER" \
	    "$T/mbox" "$T/$_n.log"; for _l in "$@"; do echo "$_l"; done; } \
	    >"$_n.conf"
	sshd_start "Subsystem pfish $PY $PFISH_TOP/interop/fakesftp.py $T/$_n.conf" ||
	    return 1
	P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -i $USER_KEY
	    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed"
}

# --- a server whose cursors are its own -------------------------------
# It refuses the records cursor pfish moves on: pfish lists again from
# the start, skipping nothing, and the verdict is the same.
if [ -x "$PY" ]; then
	wrapped noskip fake || { notok "sshd with the wrapper"; t_done; }
	cp st.clean st.f
	expect "cursor refused: verify lists in full, intact" 0 \
	    "^intact: .* $N messages" pf st.f verify
	grep -Eq "$SKIPPED" out && notok "cursor refused: nothing skipped" ||
	    ok "cursor refused: nothing skipped"
	grep -q "^refused cursor s" fake.log && ok "the wrapper refused the start" ||
	    notok "the wrapper refused the start" "$(cat fake.log 2>/dev/null)"
	grep -q "^refused cursor r" fake.log && ok "the wrapper refused the cursor" ||
	    notok "the wrapper refused the cursor" "$(cat fake.log 2>/dev/null)"
	rm "mbox/$(seqf 703).age"
	expect "cursor refused: a removed message is still missing" 3 \
	    "^missing 703( |\$)" pf st.f verify
	restore
	# A server that takes the start for the beginning serves every
	# record: those this device remembers are served as well, the same,
	# and a different one among them is still found.
	wrapped nostart fake2 ||
	    { notok "sshd with the nostart wrapper"; t_done; }
	cp st.clean st.n
	expect "start ignored: every record served, intact" 0 \
	    "^intact: .* $N messages" pf st.n verify
	grep -q "^start taken as empty" fake2.log && ok "the wrapper ignored the start" ||
	    notok "the wrapper ignored the start" "$(cat fake2.log 2>/dev/null)"
	cp "clean/.pfish/records/$(seqf 11).rec" "mbox/.pfish/records/$(seqf 10).rec"
	expect "start ignored: a record served in another's place is found" 3 \
	    "^forged 10( |\$)" pf st.n verify
	restore
	# A head installed while a listing is under way: the listing starts
	# again and describes the new head.  One that changes before every
	# page is an error, not a finding.
	E=$(cat clean/.pfish/epoch)
	MKMAILBOX_EPOCH=$E MKMAILBOX_TIME=$(sed -n 's/^time //p' \
	    "clean/.pfish/records/$(seqf 1).rec") \
	    "$MK" signer "$T/grown" "$MB" $((N + 1)) 200 >/dev/null ||
	    notok "mkmailbox grown"
	cp "grown/$(seqf 1201).age" mbox/ &&
	    cp "grown/.pfish/records/$(seqf 1201).rec" mbox/.pfish/records/ ||
	    notok "stage message 1201"
	cp clean/.pfish/head head.old && cp grown/.pfish/head head.new
	cat >swap.sh <<-EOF
	#!/bin/sh
	# Install the other head, up to \$1 times in all.
	n=\$(cat "$T/swaps" 2>/dev/null || echo 0)
	[ "\$n" -lt "\$1" ] || exit 0
	echo \$((n + 1)) >"$T/swaps"
	if cmp -s "$T/mbox/.pfish/head" "$T/head.new"; then
		cp "$T/head.old" "$T/mbox/.pfish/head.tmp"
	else
		cp "$T/head.new" "$T/mbox/.pfish/head.tmp"
	fi
	mv "$T/mbox/.pfish/head.tmp" "$T/mbox/.pfish/head"
	EOF
	wrapped headmove fake3 "hook=sh $T/swap.sh 1" ||
	    { notok "sshd with the headmove wrapper"; t_done; }
	expect "a head installed mid-listing: listed again, intact" 0 \
	    "^intact: .* $((N + 1)) messages.* head 1\.\.$((N + 1))" \
	    pf st.h verify
	seen "... the state listing restarted once" "restarted 1 times"
	cmp -s mbox/.pfish/head head.new && ok "... the new head was served" ||
	    notok "... the new head was served"
	sed -i "s|^hook=.*|hook=sh $T/swap.sh 99|" fake3.conf
	rm -f swaps
	expect "a head that keeps changing: an error, not tampering" 1 \
	    "kept changing" pf st.h2 verify
	[ "$(cat swaps)" -eq 4 ] && ok "... after four listings, three restarts" ||
	    notok "... after four listings, three restarts" "$(cat swaps)"
	restore
	rm -rf grown
else
	skip "cursor refused" "no python3"
fi

t_done
