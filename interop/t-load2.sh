#!/bin/sh
# t-load2.sh: ordinary use under load never looks like tampering.  For at
# least LOAD2_SECS (120) seconds, through a real sshd with
# "Subsystem pfish pfish-server -S": three pfish-deliver loops; a head
# signed every few seconds (pfish-signer head | pfish-store head) with a
# short retention, and pfish-store expire run every few seconds, so
# messages leave the window while devices work; device A runs
# pfish fetch --delete, device B pfish verify and pfish list, and an
# OpenSSH sftp client lists through the same subsystem.
#
# Every pfish run must exit 0: an exit 3 is a false alarm and an exit 1
# here, where nothing is broken, is one too.  Each failing run is named
# with its command, exit and first lines.  At the end every acknowledged
# delivery is present and matches its record, or is named by a signed
# delete, or lies below the head's low (expired); pfish-store verify and
# every device's pfish verify (and a new device's) exit 0.  Each loop
# also runs at least LOAD2_MIN times, however slow the machine, so no
# count depends on its speed.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
DELIVER=$PFISH_BIN/pfish-deliver
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
SECS=${LOAD2_SECS:-120}		# at least this long
MIN=${LOAD2_MIN:-3}		# runs of every loop, at least
RET=${LOAD2_RETENTION:-40s}	# the heads' retention: messages expire
RUNMAX=600			# seconds one run may take: a hang fails

for p in "$PFISH" "$DELIVER" "$SIGNER" "$STORE" "$SERVER"; do
	[ -x "$p" ] || { notok load2 "not built: $p"; t_done; }
done
command -v sftp >/dev/null || { skip load2 "no sftp"; t_done; }

cd "$T" || exit 1
mkdir runs
mail_setup device || { notok "mail setup"; t_done; }
MBN=$MB
cp "$USER_KEY.pub" rcpts
ST init "$MBN" >/dev/null 2>&1 || { notok "store init"; t_done; }
"$SIGNER" -s state -r "$RET" head "$MBN" | ST head "$MBN" >/dev/null 2>&1 ||
    { notok "first head"; t_done; }
sshd_start "Subsystem pfish $SERVER -S -d $M -k $T/sshd/authorized_keys" ||
    { notok sshd; t_done; }
DEST=$SSHD_USER@127.0.0.1
P="$PFISH -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -i $USER_KEY"

now() { date +%s; }
end=$(($(now) + SECS))
# going N: true while the loop that has made N runs goes on.
going() { [ "$(now)" -lt $end ] || [ "$1" -lt "$MIN" ]; }

# run NAME N cmd...: one run of a loop; "NAME N RC" goes to runs.log and
# the output to runs/NAME.N.
run() {
	_k=$1
	_n=$2
	shift 2
	timeout $RUNMAX "$@" >"runs/$_k.$_n" 2>&1
	_rc=$?
	echo "$_k $_n $_rc" >>runs.log
	return $_rc
}

deliver() {	# loop $1: pfish-deliver; log the acknowledged seqs
	mkdir "sp$1"
	n=0
	while going $n; do
		n=$((n + 1))
		{
			printf 'From: w%s@example.org\nSubject: load2 %s-%s\n\n' "$1" "$1" "$n"
			head -c $((200 + (n * 7919 + $1 * 104729) % 20000)) /dev/urandom | base64
		} >"m$1"
		# (pfish-deliver says "MAILBOX: delivered seq N, ..." on stderr)
		run "deliver$1" $n "$DELIVER" -r rcpts -d "$T/sp$1" \
		    -S "$SIGNER -s $T/state" -A "$STORE -r $ROOT -T $T/allowed" \
		    "$MBN" <"m$1" &&
		    sed -n "s/^pfish-deliver: $MBN: delivered seq \([0-9][0-9]*\),.*/\1/p" \
		    "runs/deliver$1.$n" >>"acked$1"
	done
}
heads() {	# a head every few seconds, with the short retention
	n=0
	while going $n; do
		n=$((n + 1))
		run head $n sh -c "'$SIGNER' -s '$T/state' -r $RET head $MBN |
		    '$STORE' -r '$ROOT' -T '$T/allowed' head $MBN"
		sleep 3		# pacing, not synchronisation
	done
}
expirer() {
	n=0
	while going $n; do
		n=$((n + 1))
		run expire $n "$STORE" -r "$ROOT" -T "$T/allowed" expire "$MBN"
		sleep 5		# pacing
	done
}
devA() {	# fetch --delete
	mkdir A
	n=0
	while going $n; do
		n=$((n + 1))
		run fetchA $n $P -v -s "$T/stA" "$DEST" fetch -d "$T/A" --delete
	done
}
devB() {	# verify and list
	n=0
	while going $n; do
		n=$((n + 1))
		run verifyB $n $P -v -s "$T/stB" "$DEST" verify
		run listB $n $P -v -s "$T/stB" "$DEST" list
	done
}
sftpls() {	# a plain SFTP client listing the same subsystem
	n=0
	while going $n; do
		n=$((n + 1))
		echo "ls -l" | run sftp $n sftp $SSH_OPTS -P "$SSHD_PORT" -q \
		    -s pfish -b - "$DEST"
	done
}
: >runs.log
w=
for i in 1 2 3; do deliver $i & w="$w $!"; done
heads & w="$w $!"
expirer & w="$w $!"
devA & w="$w $!"
devB & w="$w $!"
sftpls & w="$w $!"
t0=$(now)
wait $w			# (sshd is a background job too: by pid)
echo "# the loops ran $(($(now) - t0)) s"

# --- the runs ----------------------------------------------------------
kinds="deliver1 deliver2 deliver3 head expire fetchA verifyB listB sftp"
line=
for k in $kinds; do
	line="$line $k $(awk -v k="$k" '$1 == k' runs.log | grep -c .)"
done
echo "# runs:$line"
# A head not newer than the installed one (a delivery installed a newer
# one meanwhile) is refused by design; anything else a head run says is
# a failure.
: >runs.bad
while read -r k n rc; do
	[ "$rc" -eq 0 ] && continue
	if [ "$k" = head ] && [ "$rc" -eq 65 ] &&
	    [ "$(grep -vc 'not newer than the installed head' "runs/$k.$n")" -eq 0 ]; then
		echo "$k" >>heads.older
		continue
	fi
	echo "$k $n $rc" >>runs.bad
done <runs.log
[ -s heads.older ] &&
    echo "# $(grep -c . heads.older) head runs refused: a newer head was installed"
for k in $kinds; do
	nk=$(awk -v k="$k" '$1 == k' runs.log | grep -c .)
	nb=$(awk -v k="$k" '$1 == k' runs.bad | grep -c .)
	n3=$(awk -v k="$k" '$1 == k && $3 == 3' runs.bad | grep -c .)
	if [ "$nb" -eq 0 ] && [ "$nk" -ge "$MIN" ]; then
		ok "$k: $nk runs, all exit 0"
		continue
	fi
	notok "$k: every run exits 0" "$nb of $nk failed, $n3 of them exit 3"
	awk -v k="$k" '$1 == k' runs.bad | head -n 5 | while read -r _k _n _rc; do
		echo "# $_k run $_n exit $_rc:"
		head -n 6 "runs/$_k.$_n" | sed 's/^/#   /'
	done
done
# The findings of all failing runs, by kind, and the seqs they name.
for f in $(awk '{ print "runs/" $1 "." $2 }' runs.bad); do
	cat "$f"
done | sed -n 's/^\([a-z-]*\) \([0-9][0-9]*\)\b.*/\1 \2/p' | sort -u >findings
if [ -s findings ]; then
	echo "# findings in failing runs (kind: count, seqs):"
	cut -d' ' -f1 findings | sort | uniq -c | while read -r c kd; do
		echo "#   $kd: $c, seqs $(awk -v k="$kd" '$1 == k { print $2 }' findings |
		    sort -n | head -n 12 | tr '\n' ' ')"
	done
fi
# The re-checks the client makes within a run and reports.
nre=$(cat runs/* | grep -c 'during this run')
echo "# $(grep -c . runs.log) runs in all; $nre messages settled by a re-check within a run"
cat runs/* | sed -n 's/^pfish: listed again \([0-9]*\) times.* restarted \([0-9]*\) times.*/\1 \2/p' |
    awk '{ n++; a += $1; b += $2; if ($1 + $2 > 0) r++ }
	END { printf "# transparent retries in %d pfish runs: %d re-listings, %d state listings restarted (%d runs retried)\n", n, a, b, r }'

# --- the mailbox -------------------------------------------------------
cat acked1 acked2 acked3 2>/dev/null | sort -n >acked
na=$(grep -c . acked)
dups=$(uniq -d acked | tr '\n' ' ')
# Every successful delivery names its seq: as many seqs as runs.
nd=$(awk '$1 ~ /^deliver/ && $3 == 0' runs.log | grep -c .)
[ -z "$dups" ] && [ "$na" -gt 0 ] && [ "$na" -eq "$nd" ] &&
    ok "$na acknowledged seqs, one per successful delivery, each unique" ||
    notok "acknowledged seqs" "$na seqs for $nd deliveries; repeated: '$dups'"
cat "$M"/.pfish/deletes/*.del 2>/dev/null |
    awk '$1 == "del" { print $2 }' | sort -u >deleted
low=$(sed -n 's/^low //p' "$M/.pfish/head")
bad=0 nexp=0
while read -r s; do
	f=$(printf %012d "$s")
	if [ -f "$M/$f.age" ]; then
		[ "$(sha256sum <"$M/$f.age" | cut -c1-64)" = \
		    "$(sed -n 's/^sha256 //p' "$M/.pfish/records/$f.rec")" ] ||
		    { bad=$((bad + 1)); echo "# $s: .age does not match its record"; }
	elif grep -qx "$s" deleted; then
		:
	elif [ "$s" -lt "${low:-0}" ]; then
		nexp=$((nexp + 1))
	else
		bad=$((bad + 1)); echo "# $s: gone, neither deleted nor expired (low $low)"
	fi
done <acked
[ $bad -eq 0 ] &&
    ok "every acknowledged message present, deleted by a signed statement ($(grep -c . deleted)) or expired ($nexp, low $low)" ||
    notok "acknowledged messages accounted for" "$bad bad"
"$SIGNER" -s state -r "$RET" head "$MBN" | ST head "$MBN" >/dev/null 2>&1
ST verify "$MBN" >v.out 2>&1
rc=$?
[ $rc -eq 0 ] && ok "pfish-store verify exit 0" ||
    { notok "pfish-store verify" "exit $rc"; sed 's/^/# /' v.out | head -n 10; }
for d in A B C; do
	$P -s "$T/st$d" "$DEST" verify >pv$d.out 2>&1
	rc=$?
	[ $rc -eq 0 ] && ok "device $d: pfish verify exit 0 ($(head -n 1 pv$d.out))" ||
	    { notok "device $d: pfish verify" "exit $rc"; sed 's/^/# /' pv$d.out | head -n 10; }
done
t_done
