#!/bin/sh
# t-load.sh: several deliveries at once while several clients list, fetch
# and remove through pfish-server, for a bounded time: every acknowledged
# delivery is present intact or removed with its note, seqs are unique,
# verify finds nothing else, and a long server session's memory is flat.

PFISH_TOP=${PFISH_TOP:-$(pwd)}
PFISH_BIN=${PFISH_BIN:-$PFISH_TOP/bin}
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
SECS=${LOAD_SECS:-20}
fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/pfish-load.XXXXXX") || exit 1
trap 'exec 3>&- 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+ # $2}"; fail=$((fail + 1)); }
for p in "$SIGNER" "$STORE" "$SERVER"; do
	[ -x "$p" ] || { echo "ok load # SKIP no $p yet"; exit 0; }
done
command -v sftp >/dev/null || { echo "ok load # SKIP no sftp"; exit 0; }

cd "$T" || exit 1
mkdir state root
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" >allowed
"$STORE" -r root init alice >/dev/null 2>&1 || { notok init; exit 1; }
MB=$T/root/alice
end=$(($(date +%s) + SECS))

deliver() {	# worker: sign and accept until the end; log what was acked
	n=0
	while [ "$(date +%s)" -lt $end ]; do
		n=$((n + 1))
		head -c $((1 + (n * 7919 + $1 * 104729) % 65536)) /dev/urandom >d$1.age
		sha=$(sha256sum d$1.age | cut -c1-64)
		"$SIGNER" -s state record alice "$(wc -c <d$1.age | tr -d ' ')" \
		    "$sha" >d$1.rec 2>>d$1.err || continue
		cat d$1.rec d$1.age | "$STORE" -r root -T allowed accept alice \
		    >/dev/null 2>>d$1.err || continue
		echo "$(sed -n 's/^seq //p' d$1.rec) $sha" >>acked
	done
}

client() {	# worker: list, fetch everything, remove a few, until the end
	mkdir c$1
	while [ "$(date +%s)" -lt $end ]; do
		{
			echo "ls -l"
			echo "-get *.age c$1/"
			ls "$MB" | grep '\.age$' | awk -v c="$1" 'NR % 5 == c { print "-rm " $0 }'
		} >c$1.batch
		sftp -b c$1.batch -D "$SERVER -e -d $MB" >c$1.out 2>&1 ||
		    echo "session failed" >>c$1.fail
	done
}

deliver 1 & deliver 2 & deliver 3 &
client 1 & client 2 &

# One long session: gets of the same messages again and again; its RSS
# sampled after a warm-up and at the end must not grow.
mkfifo cmds
mkdir long
sftp -D "$SERVER -e -d $MB" <cmds >long.out 2>&1 &
spid=$!
exec 3>cmds
sleep 1
srv=$(pgrep -P $spid | head -n 1)
comm=$(cat /proc/$srv/comm 2>/dev/null)
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$srv/status 2>/dev/null; }
i=0
first=
while [ "$(date +%s)" -lt $end ]; do
	i=$((i + 1))
	echo "ls -l" >&3
	echo "-rm nonexistent.age" >&3
	echo "-get *.age long/" >&3
	sleep 0.2
	[ $i -eq 10 ] && first=$(rss)
done
last=$(rss)
exec 3>&-
wait

acked=$(wc -l <acked)
if [ "$acked" -gt 10 ]; then
	ok "$acked deliveries acknowledged in ${SECS}s under load"
else
	notok "deliveries under load" "only $acked"
fi
dups=$(cut -d' ' -f1 acked | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] && ok "every acknowledged seq is unique" || notok "unique seqs" "$dups duplicates"
bad=0
while read -r seq sha; do
	f=$MB/$(printf '%012d' "$seq").age
	if [ -f "$f" ]; then
		[ "$(sha256sum "$f" | cut -c1-64)" = "$sha" ] || { bad=$((bad + 1)); echo "# $seq modified"; }
	elif [ ! -f "$MB/.pfish/notes/$(printf '%012d' "$seq").note" ]; then
		bad=$((bad + 1))
		echo "# $seq gone without a note"
	fi
done <acked
[ $bad -eq 0 ] && ok "every acknowledged message is present intact or removed with a note" ||
    notok "acknowledged messages accounted for" "$bad bad"
"$SIGNER" -s state head alice | "$STORE" -r root -T allowed head alice >/dev/null 2>&1
"$STORE" -r root -T allowed verify alice >v.out 2>&1
rc=$?
other=$(grep 'seq' v.out | grep -vc 'unsigned-delete')
if { [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && [ "$other" -eq 0 ]; then
	ok "verify: chain intact, only the notes' unsigned deletes reported ($(grep -c unsigned-delete v.out))"
else
	notok "verify after load" "rc $rc"; sed 's/^/# /' v.out | head -n 20
fi
nf=$(cat c*.fail 2>/dev/null | wc -l)
[ "$nf" -eq 0 ] && ok "every client session completed" || notok "client sessions" "$nf failed"
if grep -qa __asan_init "$SERVER"; then
	echo "ok long session RSS flat # SKIP ASan's quarantine grows by design"
elif [ -n "$first" ] && [ -n "$last" ] && [ "$last" -le $((first + 2048)) ]; then
	ok "long $comm session RSS flat: ${first} kB after warm-up, ${last} kB at the end"
else
	notok "long session RSS flat" "'$first' kB -> '$last' kB"
fi
exit $fail
