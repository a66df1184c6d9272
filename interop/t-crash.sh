#!/bin/sh
# t-crash.sh: kill -9 pfish-server during plain REMOVEs and pfish-store
# during expire, at random moments, hundreds of times: after each kill
# pfish-store verify reports only the honest truth (a removed message has
# its note), nothing half-written is visible, and a rerun completes.
# (Killed signers and accepts, and the full disk: t-store-crash.sh.)

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
ROUNDS=${ROUNDS:-150}
NMSG=40
for p in "$SIGNER" "$STORE" "$SERVER"; do
	if [ ! -x "$p" ]; then
		notok crash-tests "no $p (make builds it)"
		t_done
	fi
done
# Random delays of 0 to $1 ms, one per line, as sleep(1) takes them.
delays() {
	awk -v n="$ROUNDS" -v ms="$1" 'BEGIN { srand(); for (i = 0; i < n; i++)
	    printf "%.4f\n", rand() * ms / 1000 }'
}
# How long "$@" takes, in ms (at least 1).
ms() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000 + 1))
}

cd "$T" || exit 1
mkdir state root
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" >allowed
"$STORE" -r root init -u "$(id -un)" alice >/dev/null 2>&1 || { notok init; exit 1; }
# Two halves a minute apart: a 30 s retention expires the first.  The
# signer's clock is PFISH_NOW, never ahead of the real one.
now=$(date +%s)
export PFISH_NOW=$((now - 60))
i=0
while [ $i -lt $NMSG ]; do
	i=$((i + 1))
	[ $i -eq $((NMSG / 2 + 1)) ] && PFISH_NOW=$now
	head -c $((500 + i * 131)) /dev/urandom >m.age
	"$SIGNER" -s state record alice "$(wc -c <m.age | tr -d ' ')" \
	    "$(sha256sum m.age | cut -c1-64)" >rec || { notok "sign $i"; exit 1; }
	cat rec m.age | "$STORE" -r root -T allowed accept alice >/dev/null ||
	    { notok "accept $i"; exit 1; }
done
"$SIGNER" -s state head alice |
    "$STORE" -r root -T allowed head alice >/dev/null ||
    { notok "head"; exit 1; }
# For later: a head whose low is past the first half.
"$SIGNER" -r 30s -s state head alice >head.low 2>s.err
unset PFISH_NOW
if "$STORE" -r root -T allowed verify alice >v.out 2>&1; then
	ok "fixture of $NMSG messages verifies"
else
	notok "fixture of $NMSG messages verifies"; sed 's/^/# /' v.out; exit 1
fi
cp -a root tmpl

# SFTP: INIT, then REMOVE of seqs 1..10 (uint32 len, type 13, id, path).
{
	printf '\000\000\000\005\001\000\000\000\003'
	s=1
	while [ $s -le 10 ]; do
		b=$(printf '\\%03o' "$s")
		printf "\\000\\000\\000\\031\\015\\000\\000\\000$b\\000\\000\\000\\020"
		printf '%012d.age' $s
		s=$((s + 1))
	done
} >remove.pkts

# verify's findings, seq and kind, one per line.
findings() { sed -n 's/^.*seq \([0-9]*\)[: ]*\([a-z-]*\).*/\1 \2/p' "$1" | sort -u; }

# Control: an unkilled session removes all ten, each with a note.
rm -rf root && cp -a tmpl root
t=$(ms "$SERVER" -e -d "$T/root/alice" <remove.pkts)
delays $((t + t / 4)) >delays
"$STORE" -r root -T allowed verify alice >v.out 2>&1
rc=$?
n=$(grep -c 'unsigned-delete' v.out)
if [ $rc -eq 3 ] && [ "$n" -eq 10 ] && [ "$(ls root/alice/.pfish/notes | wc -l)" -eq 10 ]; then
	ok "control: ten REMOVEs leave ten notes, verify says unsigned-delete"
else
	notok "control: ten REMOVEs leave ten notes" "rc $rc, $n findings"
	sed 's/^/# /' v.out
fi

# REMOVE, killed.
r=0
bad=0
killed=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	rm -rf root && cp -a tmpl root
	"$SERVER" -e -d "$T/root/alice" <remove.pkts >/dev/null 2>&1 &
	p=$!
	sleep "$(sed -n "${r}p" delays)"
	kill -9 $p 2>/dev/null && killed=$((killed + 1))
	wait $p 2>/dev/null
	"$STORE" -r root -T allowed verify alice >v.out 2>&1
	rc=$?
	other=$(grep -v 'unsigned-delete' v.out | grep -c 'seq')
	if [ $rc -gt 3 ] || [ $rc -eq 1 ] || [ "$other" -ne 0 ]; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && { echo "# round $r: verify rc $rc"; sed 's/^/# /' v.out; }
	fi
	for f in root/alice/*; do
		case "$f" in
		root/alice/[0-9]*[0-9].age) ;;
		*) bad=$((bad + 1)); echo "# round $r: visible $f" ;;
		esac
	done
done
if [ $bad -eq 0 ]; then
	ok "REMOVE killed $killed times in $ROUNDS rounds: every gone message has its note, nothing else reported"
else
	notok "REMOVE killed at random points" "$bad bad rounds"
fi

# expire: below the raised low.
rm -rf root && cp -a tmpl root
low=$(sed -n 's/^low //p' head.low)
if [ -n "$low" ] && [ "$low" -eq $((NMSG / 2 + 1)) ] &&
    "$STORE" -r root -T allowed head alice <head.low >/dev/null 2>&1; then
	ok "head with low $low accepted"
else
	notok "head with a raised low" "low '$low' $(head -c 200 s.err)"
	exit 1
fi
rm -rf tmpl && cp -a root tmpl
t=$(ms "$STORE" -r root -T allowed expire alice)
delays $((t * 3 / 4)) >delays
r=0
bad=0
killed=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	rm -rf root && cp -a tmpl root
	"$STORE" -r root -T allowed expire alice >/dev/null 2>&1 &
	p=$!
	sleep "$(sed -n "${r}p" delays)"
	kill -9 $p 2>/dev/null && killed=$((killed + 1))
	wait $p 2>/dev/null
	if ! "$STORE" -r root -T allowed verify alice >v.out 2>&1; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && { echo "# round $r: after kill"; sed 's/^/# /' v.out; }
	fi
	"$STORE" -r root -T allowed expire alice >/dev/null 2>&1
	"$STORE" -r root -T allowed verify alice >v.out 2>&1 || bad=$((bad + 1))
	# Everything from low up is still there, byte for byte.
	s=$low
	while [ $s -le $NMSG ]; do
		f=$(printf '%012d.age' $s)
		cmp -s "tmpl/alice/$f" "root/alice/$f" || { bad=$((bad + 1)); echo "# round $r: $f"; }
		s=$((s + 1))
	done
	left=$(ls root/alice | awk -v l="$low" '$0 + 0 < l' | wc -l)
	[ "$left" -eq 0 ] || { bad=$((bad + 1)); echo "# round $r: $left below low left"; }
done
if [ $bad -eq 0 ]; then
	ok "expire killed $killed times in $ROUNDS rounds: verify clean after each, rerun completes"
else
	notok "expire killed at random points" "$bad bad checks"
fi

# Full disk: the server still serves reads; REMOVE, which must write its
# note first, fails and leaves the message; nothing half-written shows.
mkdir disk
if ! mount -t tmpfs -o size=2m tmpfs disk 2>/dev/null; then
	skip server-full-disk "cannot mount a tmpfs (needs root)"
	t_done
fi
t_atexit 'umount "$T/disk" 2>/dev/null'
cp -a tmpl/alice disk/alice
dd if=/dev/zero of=disk/fill bs=4k >/dev/null 2>&1
printf 'get 000000000025.age got.age\n-rm 000000000024.age\nls\n' >batch
sftp -b batch -D "$SERVER -e -d $T/disk/alice" >sftp.out 2>&1
rc=$?
if [ $rc -eq 0 ] && cmp -s got.age tmpl/alice/000000000025.age; then
	ok "full disk: server serves a get"
else
	notok "full disk: server serves a get" "sftp exit $rc"
	sed 's/^/# /' sftp.out
fi
if [ -f disk/alice/000000000024.age ] &&
    [ -z "$(ls disk/alice/.pfish/notes)" ] && [ -z "$(ls disk/alice/.pfish/tmp)" ] &&
    grep -q '000000000024.age' sftp.out && grep -qi 'fail\|denied\|space' sftp.out; then
	ok "full disk: REMOVE refused, message kept, no note or temp file"
else
	notok "full disk: REMOVE refused, message kept, no note or temp file"
	sed 's/^/# /' sftp.out
fi
rm -rf root && mkdir root && cp -a disk/alice root/alice
if "$STORE" -r root -T allowed verify alice >v.out 2>&1; then
	ok "full disk: verify clean afterwards"
else
	notok "full disk: verify clean afterwards"; sed 's/^/# /' v.out
fi
t_done
