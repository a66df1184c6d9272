#!/bin/sh
# t-load.sh: bounded load on loopback.  Part 1, signed deletes only: a
# real sshd with "Subsystem pfish pfish-server -S"; three pfish-deliver
# loops while two pfish clients list and fetch --delete (signed) and an
# OpenSSH sftp client and one long sftp session list and get through the
# same subsystem.  Every pfish run exits 0.  Afterwards every
# acknowledged delivery is present with its record or deleted by a
# signed statement, seqs are unique, pfish-store verify and pfish verify
# both exit 0, and no pfish-server grew past 16 MiB at its peak (the long
# session's RSS is flat).  Part 2: plain REMOVEs (sftp -D) mixed in,
# every removed message has its note and verify reports only those
# unsigned deletes.  Every loop runs for its time and at least LOAD_MIN
# times, so no count depends on the machine's speed.  Throughput as "# "
# lines.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
# Runs below pass -t 300: on a loaded machine a server may well take more
# than pfish's default 30 s I/O timeout to start; t-client-hostile.sh
# tests the timeout itself.
DELIVER=$PFISH_BIN/pfish-deliver
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
SECS=${LOAD_SECS:-40}		# part 1
SECS2=${LOAD_SECS2:-15}		# part 2
MIN=${LOAD_MIN:-5}		# runs of every loop, at least, however slow
RSS_MAX=16384			# kB, any pfish-server process at any sample

for p in "$PFISH" "$DELIVER" "$SIGNER" "$STORE" "$SERVER"; do
	[ -x "$p" ] || { skip load "not built yet: $p"; t_done; }
done
command -v sftp >/dev/null || { skip load "no sftp"; t_done; }
if grep -qa __asan_init "$SERVER"; then
	RSS_MAX=131072	# ASan's shadow and quarantine
fi

cd "$T" || exit 1
mail_setup device || { notok "mail setup"; t_done; }
MBN=$MB
cp "$USER_KEY.pub" rcpts
newhead() { "$SIGNER" -s "$T/state" head "$MBN" | ST head "$MBN" >/dev/null 2>&1; }
ST init "$MBN" >/dev/null 2>&1 && newhead || { notok "store init"; t_done; }
# Every pfish-server runs under this wrapper, which appends "PID PEAK-KB"
# to rss when it exits (getrusage of its child): each process's peak,
# none missed, no sampling.
cat >peakrss <<EOF
#!/bin/sh
exec $PY -c 'import os, resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
with open("$T/rss", "a") as f:
    f.write("%d %d\\n" % (os.getpid(),
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "\$@"
EOF
chmod +x peakrss
# The long session gets a subsystem of its own, the same server with its
# flags in another order, so that its process is told apart from the
# short-lived ones of the other clients by its command line alone.
sshd_start "Subsystem pfish $T/peakrss $SERVER -S -d $M -k $T/sshd/authorized_keys" \
    "Subsystem pfishlong $T/peakrss $SERVER -d $M -S -k $T/sshd/authorized_keys" ||
    { notok sshd; t_done; }
DEST=$SSHD_USER@127.0.0.1
P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -i $USER_KEY"

now() { date +%s; }
end=$(($(now) + SECS))
# going N: true while the loop that has made N runs goes on: until the
# end, and at least MIN runs (the counts checked below need no speed).
going() { [ "$(now)" -lt $end ] || [ "$1" -lt "$MIN" ]; }

deliver() {	# worker $1: pfish-deliver until the end; log the acked seqs
	mkdir "sp$1"
	n=0
	while going $n; do
		n=$((n + 1))
		{
			printf 'From: w%s@example.org\nSubject: load %s-%s\n\n' "$1" "$1" "$n"
			head -c $((200 + (n * 7919 + $1 * 104729) % 20000)) /dev/urandom | base64
		} >"m$1"
		if "$DELIVER" -r rcpts -d "$T/sp$1" -S "$SIGNER -s $T/state" \
		    -A "$STORE -r $ROOT -T $T/allowed" "$MBN" <"m$1" >"d$1.out" 2>"d$1.e"; then
			# (pfish-deliver says "MAILBOX: delivered seq N, ...")
			sed -n "s/^pfish-deliver: $MBN: delivered seq \([0-9][0-9]*\),.*/\1/p" \
			    "d$1.out" "d$1.e" >>"acked$1"
		else
			echo "$n exit $?" >>"dfail$1"
			cat "d$1.e" >>"d$1.err"
		fi
	done
}

pclient() {	# worker $1: pfish list, fetch --delete (signed) until the end
	mkdir "c$1"
	n=0
	while going $n; do
		n=$((n + 1))
		timeout 600 $P -v -s "$T/st$1" "$DEST" list >"c$1.list" 2>&1
		rc=$?
		echo "list $rc" >>"pc$1.rc"
		[ $rc -ne 0 ] && { echo "list exit $rc"; cat "c$1.list"; } >>"pc$1.why"
		timeout 600 $P -v -s "$T/st$1" "$DEST" fetch -d "$T/c$1" \
		    --delete >"c$1.out" 2>&1
		rc=$?
		cat "c$1.list" "c$1.out" | grep '^pfish: listed again' >>"pc$1.retries"
		echo "fetch $rc" >>"pc$1.rc"
		[ $rc -ne 0 ] && { echo "fetch exit $rc"; cat "c$1.out"; } >>"pc$1.why"
	done
}

sclient() {	# worker $1: OpenSSH sftp -s pfish, ls and get, until the end
	mkdir "s$1"
	n=0
	while going $n; do
		n=$((n + 1))
		printf 'ls -l\n-get 0000000000[0-9]1.age s%s/\n' "$1" |
		    sftp_batch -q -s pfish >"s$1.out" 2>&1
		echo "$?" >>"sc$1.rc"
	done
}

: >rss
# (sshd is a background job too: wait for the workers by pid.)
w=
for i in 1 2 3; do deliver $i & w="$w $!"; done
pclient 1 & w="$w $!"
pclient 2 & w="$w $!"
sclient 1 & w="$w $!"

# One long session through sshd: ls and get again and again; its RSS after
# a warm-up and at the end must be the same (within 2 MiB).
mkfifo cmds
mkdir long
timeout 1800 sftp $SSH_OPTS -P "$SSHD_PORT" -s pfishlong "$DEST" \
    <cmds >long.out 2>&1 &
w="$w $!"
exec 3>cmds
longsrv() {	# the long session's pfish-server, in $lsrv
	for p in $(pgrep -f -- "-d $M -S"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = pfish-server ] &&
		    lsrv=$p && return 0
	done
	return 1
}
lsrv=
wait_until 120 longsrv || diag "the long session's server never started"
lrss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$lsrv/status 2>/dev/null; }
i=0
first=
while going $((i / 4)); do
	i=$((i + 1))
	echo "ls -l" >&3
	echo "-get 00000000001*.age long/" >&3
	sleep 0.3
	[ $i -eq 10 ] && first=$(lrss)
done
last=$(lrss)
exec 3>&-
wait $w

# --- the results ------------------------------------------------------
cat acked1 acked2 acked3 2>/dev/null | sort -n >acked
na=$(grep -c . acked)
nf=$(cat dfail* 2>/dev/null | grep -c .)
[ "$na" -ge $((3 * MIN)) ] && [ "$nf" -eq 0 ] && ok "$na deliveries in ${SECS}s, none failed" ||
    notok "deliveries under load" "$na acked, $nf failed: $(cat dfail* d*.err 2>/dev/null | head -c 300)"
dups=$(uniq -d acked | tr '\n' ' ')
[ -z "$dups" ] && ok "every acknowledged seq is unique" || notok "unique seqs" "$dups"
# Each acked seq: its .age present with a matching record, or named in a
# signed delete statement.
cat "$M"/.pfish/deletes/*.del 2>/dev/null | awk '$1 == "del" { print $2 }' | sort -u >deleted
ndel=$(grep -c . deleted)
bad=0
while read -r s; do
	f=$(printf %012d "$s")
	if [ -f "$M/$f.age" ]; then
		[ "$(sha256sum <"$M/$f.age" | cut -c1-64)" = \
		    "$(sed -n 's/^sha256 //p' "$M/.pfish/records/$f.rec")" ] ||
		    { bad=$((bad + 1)); echo "# $s: .age does not match its record"; }
	elif ! grep -qx "$s" deleted; then
		bad=$((bad + 1)); echo "# $s: gone without a signed delete"
	fi
done <acked
[ $bad -eq 0 ] && ok "every acknowledged message present or deleted by a signed statement ($ndel deleted)" ||
    notok "acknowledged messages accounted for" "$bad bad"
# Every deleted message was fetched first, intact.
fetched=$(cat deleted | while read -r s; do
	f=$(printf %012d "$s").age
	for d in c1 c2; do
		[ -f "$d/$f" ] && [ "$(sha256sum <"$d/$f" | cut -c1-64)" = \
		    "$(sed -n 's/^sha256 //p' "$M/.pfish/records/${f%.age}.rec")" ] &&
		    { echo "$s"; break; }
	done
done | grep -c .)
[ "$fetched" -eq "$ndel" ] && ok "every deleted message was fetched intact first" ||
    notok "deleted messages fetched first" "$fetched of $ndel"
[ -z "$(ls "$M/.pfish/notes")" ] && ok "no unsigned notes under -S" ||
    notok "no unsigned notes under -S"
newhead
ST verify "$MBN" >v.out 2>&1
rc=$?
[ $rc -eq 0 ] && ok "pfish-store verify exit 0: chain of $(ls "$M/.pfish/records" | wc -l) records intact" ||
    { notok "pfish-store verify" "exit $rc"; sed 's/^/# /' v.out | head -n 10; }
$P -s "$T/st.final" "$DEST" verify >pv.out 2>&1
rc=$?
[ $rc -eq 0 ] && ok "pfish verify exit 0 ($(head -n 1 pv.out))" ||
    { notok "pfish verify" "exit $rc"; sed 's/^/# /' pv.out | head -n 10; }
$P -s "$T/st1" "$DEST" verify >pv1.out 2>&1
rc=$?
[ $rc -eq 0 ] && ok "device 1's state verifies too" ||
    { notok "device 1 verify" "exit $rc"; sed 's/^/# /' pv1.out | head -n 10; }
# Client runs: every one exits 0.  The other device's signed deletes,
# deliveries being accepted and heads being installed are ordinary use:
# an exit 3 for them is a false alarm, an exit 1 an error that is none.
pn=$(cat pc*.rc | grep -c .)
pf=$(cat pc*.rc | grep -vc ' 0$')
n3=$(cat pc*.rc | grep -c ' 3$')
if [ "$pf" -eq 0 ] && [ "$pn" -ge $((4 * MIN)) ]; then
	ok "$pn pfish client runs, all exit 0"
else
	notok "pfish client runs all exit 0" "$pf of $pn failed, $n3 of them exit 3 (at least $((4 * MIN)) runs wanted)"
	cat pc*.why 2>/dev/null | grep -v '^deleted' | head -n 12 | sed 's/^/# /'
fi
cat pc*.retries 2>/dev/null | sed -n 's/^pfish: listed again \([0-9]*\) times.* restarted \([0-9]*\) times.*/\1 \2/p' |
    awk -v n="$pn" '{ a += $1; b += $2; if ($1 + $2 > 0) r++ }
	END { printf "# transparent retries in %d runs: %d re-listings, %d state listings restarted (%d runs retried)\n", n, a, b, r }'
sf=$(grep -vc '^0$' sc1.rc)
sn=$(grep -c . sc1.rc)
[ "$sf" -eq 0 ] && [ "$sn" -ge "$MIN" ] && ok "$sn sftp -s pfish sessions, all exit 0" ||
    { notok "sftp sessions" "$sf of $sn failed"; sed 's/^/# /' s1.out | head -n 5; }
nfetch=$(cat c1/*.age c2/*.age s1/*.age long/*.age 2>/dev/null | wc -c)
echo "# delivered $na msgs in ${SECS}s: $(awk -v n="$na" -v s="$SECS" 'BEGIN { printf "%.1f", n / s }')/s;" \
    "fetched by pfish $(ls c1 c2 | grep -c '\.age$') files: $(ls c1 c2 | grep -c '\.age$' | awk -v s="$SECS" '{ printf "%.1f", $1 / s }')/s;" \
    "signed-deleted $ndel: $(awk -v n="$ndel" -v s="$SECS" 'BEGIN { printf "%.1f", n / s }')/s;" \
    "$(cat pc*.rc | grep -c .) pfish runs, $sn sftp sessions"
# Every session's server has reported by now: sftp and pfish returned
# only after their session closed, and sshd waits for it.
nproc=$(grep -c . rss)
maxrss=$(cut -d' ' -f2 rss | sort -n | tail -n 1)
if [ "$nproc" -gt 3 ] && [ "${maxrss:-99999999}" -le $RSS_MAX ]; then
	ok "$nproc pfish-server processes: peak RSS at most ${maxrss} kB <= $RSS_MAX"
else
	notok "pfish-server RSS bounded" "$nproc processes, max '$maxrss' kB"
fi
if grep -qa __asan_init "$SERVER"; then
	skip "long session RSS flat" "ASan's quarantine grows by design"
elif [ -n "$first" ] && [ -n "$last" ] && [ "$last" -le $((first + 2048)) ]; then
	ok "long sftp -s pfish session RSS flat: ${first} kB after warm-up, ${last} kB at the end"
else
	notok "long session RSS flat" "'$first' kB -> '$last' kB"
fi

# --- part 2: plain REMOVE mixed in (sftp -D), notes for every removal ---
end=$(($(now) + SECS2))
: >acked1; : >acked2
deliver2() {	# signer + store directly, the other delivery path
	n=0
	while going $n; do
		n=$((n + 1))
		head -c $((1 + (n * 7919 + $1 * 104729) % 65536)) /dev/urandom >"e$1.age"
		sha=$(sha256sum "e$1.age" | cut -c1-64)
		"$SIGNER" -s state record "$MBN" "$(wc -c <"e$1.age" | tr -d ' ')" \
		    "$sha" >"e$1.rec" 2>>"e$1.err" || continue
		cat "e$1.rec" "e$1.age" | ST accept "$MBN" >/dev/null 2>>"e$1.err" ||
		    continue
		_seq=$(sed -n 's/^seq //p' "e$1.rec")
		"$SIGNER" -s state stored "$MBN" "$_seq" 2>>"e$1.err"
		echo "$_seq $sha" >>"acked$1"
	done
}
rclient() {	# sftp -D: list, get, remove a fifth, until the end
	mkdir -p "r$1"
	n=0
	while going $n; do
		n=$((n + 1))
		{
			echo "ls -l"
			echo "-get *.age r$1/"
			ls "$M" | grep '\.age$' | awk -v c="$1" 'NR % 5 == c { print "-rm " $0 }'
		} >"r$1.batch"
		sftp -b "r$1.batch" -D "$SERVER -e -d $M" >"r$1.out" 2>&1 ||
		    echo "session failed" >>"r$1.fail"
	done
}
w=
deliver2 1 & w="$w $!"
deliver2 2 & w="$w $!"
rclient 1 & w="$w $!"
rclient 2 & w="$w $!"
wait $w
cat acked1 acked2 >acked.2
n2=$(grep -c . acked.2)
bad=0
while read -r seq sha; do
	f=$M/$(printf '%012d' "$seq").age
	if [ -f "$f" ]; then
		[ "$(sha256sum <"$f" | cut -c1-64)" = "$sha" ] || { bad=$((bad + 1)); echo "# $seq modified"; }
	elif [ ! -f "$M/.pfish/notes/$(printf '%012d' "$seq").note" ]; then
		bad=$((bad + 1)); echo "# $seq gone without a note"
	fi
done <acked.2
[ "$n2" -ge "$MIN" ] && [ $bad -eq 0 ] &&
    ok "part 2: $n2 deliveries, each present intact or removed with a note" ||
    notok "part 2: acknowledged messages accounted for" "$n2 acked, $bad bad"
newhead
ST verify "$MBN" >v.out 2>&1
rc=$?
other=$(grep 'seq' v.out | grep -vc 'unsigned-delete')
notes=$(ls "$M/.pfish/notes" | wc -l)
if [ $rc -eq 3 ] && [ "$other" -eq 0 ] && [ "$(grep -c unsigned-delete v.out)" -eq "$notes" ]; then
	ok "part 2: verify exit 3 naming only the $notes unsigned deletes"
else
	notok "part 2: verify after REMOVEs" "rc $rc, $other other findings, $notes notes"
	sed 's/^/# /' v.out | head -n 10
fi
nfl=$(cat r*.fail 2>/dev/null | wc -l)
[ "$nfl" -eq 0 ] && ok "part 2: every sftp -D session completed" || notok "part 2: sftp -D sessions" "$nfl failed"
echo "# part 2: $n2 deliveries in ${SECS2}s (signer + store), $notes plain REMOVEs"
t_done
