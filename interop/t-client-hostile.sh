#!/bin/sh
# t-client-hostile.sh: the pfish client against a hostile server.
#
# interop/fakesftp.py runs as the pfish subsystem of a test sshd.  Each
# hostile case must end with exit 1 and a message naming what the server
# did, within 60 s and 64 MiB of peak RSS (measured with bench/rss and
# printed); a client without bounds fails these checks (the fake stops by
# itself long after a bounded client gave up).  Wrapping modes put the
# fake in front of pfish-server over a real signed mailbox: a message the
# server will not serve (withheld), and a delete, a record stored before
# its message and a new head that land between the client's directory
# listing and its state listing (consistent snapshots).

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
TOOL=$PFISH_OBJ/interop/stmttool
RSS=$PFISH_OBJ/bench/rss
FAKE=$PFISH_TOP/interop/fakesftp.py
NMSG=3
RSS_MAX=65536		# KiB
# ASan's shadow memory and quarantine are not pfish's: a sanitizer build
# gets the bound t-load gives it; the plain build is held to 64 MiB.
if grep -qa __asan_init "$PFISH_BIN/pfish" 2>/dev/null; then
	RSS_MAX=131072
fi
WALL_MAX=60		# seconds

for p in "$PFISH" "$SIGNER" "$STORE" "$SERVER" "$TOOL" "$RSS"; do
	if [ ! -x "$p" ]; then
		skip client-hostile "not built yet: $p"
		t_done
	fi
done
command -v age >/dev/null || { skip client-hostile "no age program"; t_done; }

cd "$T" || exit 1
mkdir msgs
mail_setup device1 || { notok "mail setup"; t_done; }
seqf() { printf '%012d' "$1"; }

ST init "$MB" || { notok "store init"; t_done; }
i=1
while [ "$i" -le "$NMSG" ]; do
	printf 'Subject: message %d\n\nbody %d\n' "$i" "$i" >"msgs/$i"
	mail_deliver "$MB" "msgs/$i" || notok "deliver $i"
	i=$((i + 1))
done
cp -a "$M" clean
restore() { rm -rf "$M" && cp -a clean "$M"; }

CONF=$T/fake.conf
sshd_start "Subsystem pfish $PY $FAKE $CONF" || { notok sshd; t_done; }
DEST=$SSHD_USER@127.0.0.1
P0="$PFISH -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -i $USER_KEY"
# A loaded machine may take many seconds to start the fake (python): the
# hostile cases use an I/O timeout of $TIO s, the others a generous one.
TIO=30
P="$P0 -t 120"
nsess=0

# fake MODE [KEY=VALUE...]: what the next session of the fake does.
# First wait (bounded) until every session so far has started its fake,
# so that a late one cannot read the new configuration.
fake() {
	_i=0
	while [ "$(grep -c '^session' "$T/fake.log" 2>/dev/null || echo 0)" \
	    -lt "$nsess" ] && [ "$_i" -lt 1200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	{
		echo "mode=$1"
		echo "mbox=$M"
		echo "server=$SERVER -d $M -k $T/sshd/authorized_keys"
		echo "log=$T/fake.log"
		shift
		for kv in "$@"; do
			echo "$kv"
		done
	} >"$CONF"
}

# expect NAME RC PATTERN cmd...: lib.sh's expect_ere.
expect() { expect_ere "$@"; }

# hostile NAME MODE PATTERN cmd...: pfish (I/O timeout $TIO s) against the
# fake in MODE exits 1 with PATTERN, within WALL_MAX s and RSS_MAX KiB.
hostile() {
	_hn=$1 _mode=$2 _pat=$3
	shift 3
	fake "$_mode"
	rm -f rss.out
	expect "hostile: $_hn" 1 "$_pat" "$RSS" "$T/rss.out" \
	    timeout 300 $P0 -t "$TIO" -s "$T/st.$_mode" "$DEST" "$@"
	nsess=$((nsess + 1))
	read -r _wall _kib _u _s <rss.out
	diag "$_hn: peak RSS $_kib KiB, wall $_wall s, cpu $_u+$_s s"
	if [ "$_kib" -le "$RSS_MAX" ]; then
		ok "$_hn: peak RSS $_kib KiB <= $RSS_MAX KiB"
	else
		notok "$_hn: peak RSS $_kib KiB <= $RSS_MAX KiB"
	fi
	if awk -v w="$_wall" -v m="$WALL_MAX" 'BEGIN { exit !(w <= m) }'; then
		ok "$_hn: exits within $WALL_MAX s"
	else
		notok "$_hn: exits within $WALL_MAX s" "took $_wall s"
	fi
}

# --- bounds ------------------------------------------------------------
hostile "endless state pages" state-endless \
    'more state than the signed head allows' verify
hostile "tiny items per state page" state-tiny \
    'more state than the signed head allows' verify
hostile "empty state pages that never end" state-empty \
    'empty state page before the end' verify
hostile "state listing larger than the signed head allows" state-excess \
    'more state than the signed head allows' verify
hostile "endless READDIR" readdir-endless \
    'more names than a mailbox may hold' verify
# A mailbox larger than the directory floor (262144 names) lists when a
# head signed by the trusted signer covers it, and only then.  The fake
# has no records, so the verdict is tampering; the listing must pass.
BIGN=270000
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$M/.pfish/head" |
    sed "s/^high .*/high $BIGN/" >bighead.txt
"$TOOL" sign head "$T/state/signer_key" <bighead.txt >bighead ||
    notok "sign a head covering $BIGN seqs"
fake readdir-many "n=$BIGN"
expect "$BIGN names, no signed head: more than a mailbox may hold" 1 \
    'more names than a mailbox may hold' \
    $P -s "$T/st.many0" "$DEST" list
nsess=$((nsess + 1))
fake readdir-many "n=$BIGN" "head=$T/bighead"
expect "$BIGN names under a signed head covering them: listed" 3 \
    "missing.* $BIGN" $P -s "$T/st.many1" "$DEST" verify
nsess=$((nsess + 1))
if grep -q 'more names' "$T/out" 2>/dev/null; then
	notok "$BIGN names under a signed head: no listing refusal"
else
	ok "$BIGN names under a signed head: no listing refusal"
fi
hostile "silent after INIT" silent 'no answer from the server for 30 s' \
    verify
# The I/O timeout from ssh_config: ServerAliveInterval * ServerAliveCountMax.
# alive HOW CONFIG N [ARG...]: with CONFIG (and pfish's ARGs) the silent
# server times out after N s.
alive() {
	_how=$1 _cf=$2 _n=$3
	shift 3
	fake silent
	expect "silent: ServerAliveInterval $_how sets the timeout" 1 \
	    "no answer from the server for $_n s" \
	    timeout 300 "$PFISH" -F "$T/$_cf" "$@" -T "$T/allowed" \
	    -s "$T/st.$_cf" 127.0.0.1 verify
	nsess=$((nsess + 1))
}
{
	cat "$SSH_CONFIG"
	echo "	ServerAliveInterval 7"
	echo "	ServerAliveCountMax 3"
} >alive_config
alive "from ssh_config" alive_config 21
# The same through Include, as Debian's ssh_config includes
# ssh_config.d/*.conf: a glob, inside a Host block that applies; an
# Include in a block that does not apply is not read, and the Host line
# in an included file ends nothing in the file that included it.
mkdir -p alive.d
printf 'Host *\n\tServerAliveCountMax 2\n' >alive.d/10-count.conf
printf 'ServerAliveInterval 4\n' >alive.d/20-interval.conf
printf 'ServerAliveInterval 9\nServerAliveCountMax 9\n' >alive.other
{
	echo "Host elsewhere.example"
	echo "	Include $T/alive.other"
	echo "Host 127.0.0.1"
	echo "	Include $T/alive.d/*.conf"
	cat "$SSH_CONFIG"
} >include_config
alive "through Include" include_config 8
# A relative Include in a file given with -F is read under ~/.ssh, as
# ssh reads it; a file of that name in the working directory is not.
mkdir -p "$HOME/.ssh"
printf 'ServerAliveInterval 5\nServerAliveCountMax 1\n' \
    >"$HOME/.ssh/alive-rel.conf"
printf 'ServerAliveInterval 9\nServerAliveCountMax 9\n' >alive-rel.conf
{
	echo "Host 127.0.0.1"
	echo "	Include alive-rel.conf"
	cat "$SSH_CONFIG"
} >relinclude_config
alive "through a relative Include" relinclude_config 5
# Match blocks: those that do not apply come first (the first value
# obtained wins).  pfish's own reading of these keywords does not follow
# a block with other criteria than host, originalhost, user, localuser
# or all (libssh runs the exec for the options it applies itself; its
# status is not told): the exec block's 1 s is not taken although its
# command succeeds.
{
	echo "Match host elsewhere.example"
	echo "	ServerAliveInterval 9"
	echo "Match exec \"touch $T/match-exec-ran\""
	echo "	ServerAliveInterval 1"
	echo "Match !originalhost 127.0.0.1"
	echo "	ServerAliveInterval 2"
	echo "Match originalhost 127.0.0.*,!127.0.0.2 host 127.0.0.1"
	echo "	ServerAliveInterval 3"
	echo "	ServerAliveCountMax 2"
	echo "Match all"
	cat "$SSH_CONFIG"
} >match_config
alive "from a Match block" match_config 6
# Match user is the user to log in as: -o User here, which a User line
# read later does not change; names match with their case, as in ssh.
ME=$(id -un)
UPPER=$(echo "$SSHD_USER" | tr '[:lower:]' '[:upper:]')
{
	echo "Host 127.0.0.1"
	echo "	User not-$SSHD_USER"
	echo "Match user not-$SSHD_USER"
	echo "	ServerAliveInterval 9"
	if [ "$UPPER" != "$SSHD_USER" ]; then
		echo "Match user $UPPER"
		echo "	ServerAliveInterval 8"
	fi
	echo "Match localuser !$ME"
	echo "	ServerAliveInterval 7"
	echo "Match user $SSHD_USER localuser $ME"
	echo "	ServerAliveInterval 2"
	echo "	ServerAliveCountMax 2"
	echo "Match all"
	cat "$SSH_CONFIG"
} >matchuser_config
alive "from a Match user block" matchuser_config 4 -o "User=$SSHD_USER"
mkdir fb
hostile "fallback: file listed as 10 bytes that never ends" \
    fallback-endless 'more than the 10 bytes it listed' fetch -d fb
n=$(ls -A fb | wc -l)
[ "$n" -eq 0 ] && ok "fallback: nothing kept in the fetch directory" ||
    notok "fallback: nothing kept in the fetch directory" "$(ls -A fb)"

# --- the fake in front of pfish-server over the signed mailbox ----------
fake pass
cp "$CONF" pass.conf
expect "pass-through: the clean mailbox verifies" 0 '^intact' \
    $P -s "$T/st.dev" "$DEST" verify

# Downgrade: the same server without its extensions.
fake noext
mkdir dg
expect "downgrade: no pfish extensions after a signed head (exit 3)" 3 \
    '^downgrade 0 ' $P -s "$T/st.dev" "$DEST" fetch -d dg
n=$(ls -A dg | wc -l)
[ "$n" -eq 0 ] && ok "downgrade: nothing written into the fetch directory" ||
    notok "downgrade: nothing written into the fetch directory" "$(ls -A dg)"
expect "downgrade: list says so too (exit 3)" 3 '^downgrade 0 ' \
    $P -s "$T/st.dev" "$DEST" list
expect "no head yet: the same server is the unverified fallback (exit 2)" \
    2 'no signed state' $P -s "$T/st.nohead" "$DEST" verify
expect "downgrade: --accept-unsigned takes unsigned mail for one run" 2 \
    'UNVERIFIED' $P --accept-unsigned -s "$T/st.dev" "$DEST" fetch -d dg
check "downgrade: --accept-unsigned fetched the files" \
    test -s "dg/$(seqf 2).age"

# Withheld: listed, signed, but OPEN is refused every time.
fake deny name="$(seqf 2).age"
expect "withheld: verify names it (exit 3)" 3 '^withheld 2 ' \
    $P -s "$T/st.w1" "$DEST" verify
mkdir wf
expect "withheld: fetch names it (exit 3)" 3 '^withheld 2 ' \
    $P -s "$T/st.w2" "$DEST" fetch -d wf
if grep -q 'run pfish again' out; then
	notok "withheld: a verdict, not \"run pfish again\""
else
	ok "withheld: a verdict, not \"run pfish again\""
fi
check "withheld: the other messages were fetched" \
    test -s "wf/$(seqf 1).age" -a -s "wf/$(seqf 3).age"
check "withheld: the withheld one was not" test ! -e "wf/$(seqf 2).age"

# Refused once because a signed delete of it (another device) lands at
# that moment: the re-check in the same run finds the delete.
{
	echo "cp '$T/pass.conf' '$CONF'"
	echo "$P -s '$T/st.hookdev' '$DEST' rm 2"
} >hook-rm.sh
fake deny name="$(seqf 2).age" hook="sh $T/hook-rm.sh >>$T/hook.log 2>&1"
mkdir wd
expect "refused, then deleted (signed) during the run: not a finding" 0 \
    '^deleted 2 by a signed delete during this run' \
    $P -s "$T/st.w3" "$DEST" fetch -d wd
restore

# Consistent snapshots: between the client's directory listing and its
# state listing, another device deletes 1 (signed) and a new head is
# installed; then a record is stored before its message, with a head.
newhead="'$SIGNER' -k '$T/state/signer_key' -s '$T/state' head '$MB' |
    '$STORE' -r '$ROOT' -T '$T/allowed' head '$MB'"
{
	echo "cp '$T/pass.conf' '$CONF'"
	echo "$P -s '$T/st.hookdev2' '$DEST' rm 1 &&"
	echo "$newhead"
} >hook-del.sh
fake interleave hook="sh $T/hook-del.sh >>$T/hook.log 2>&1"
expect "snapshot: a delete and a head between the listings: intact" 0 \
    '^intact.* 1 deleted by you' $P -s "$T/st.i1" "$DEST" verify
check "snapshot: the hook ran between the listings" \
    grep -q 'hook ran, exit 0' "$T/fake.log"
restore

printf 'Subject: message 4\n\nbody 4\n' >msgs/4
age -R "$USER_KEY.pub" -o enc4.age msgs/4
{
	echo "'$SIGNER' -k '$T/state/signer_key' -s '$T/state' record '$MB' \
	    $(wc -c <enc4.age | tr -d ' ') $(sha256sum enc4.age | cut -c1-64) \
	    >'$M/.pfish/records/$(seqf 4).rec' &&"
	echo "$newhead"
} >hook-rec.sh
fake interleave hook="sh $T/hook-rec.sh >>$T/hook.log 2>&1"
$P -s "$T/st.i2" "$DEST" verify >out 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q '^missing 4' out; then
	ok "snapshot: a record stored before its message is not missing"
else
	notok "snapshot: a record stored before its message is not missing" \
	    "exit $rc"
	sed 's/^/# /' out
fi
restore

# Signed, its delivery not at the store yet (the mail system will retry),
# while a head covering it is installed: neither record nor message.
printf 'Subject: message 5\n\nbody 5\n' >msgs/5
age -R "$USER_KEY.pub" -o enc5.age msgs/5
{
	echo "'$SIGNER' -k '$T/state/signer_key' -s '$T/state' record '$MB' \
	    $(wc -c <enc5.age | tr -d ' ') $(sha256sum enc5.age | cut -c1-64) \
	    >/dev/null &&"
	echo "$newhead"
} >hook-inflight.sh
fake interleave hook="sh $T/hook-inflight.sh >>$T/hook.log 2>&1"
$P -s "$T/st.i3" "$DEST" verify >out 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q '^missing 5' out &&
    grep -q 'pending.* 5' out; then
	ok "snapshot: a signed seq a head covers before its delivery is pending"
else
	notok "snapshot: a signed seq a head covers before its delivery is pending" \
	    "exit $rc"
	sed 's/^/# /' out
fi
restore
expect "in flight for longer than the bound: missing" 3 '^missing 5 ' \
    env PFISH_NOW=$(($(date +%s) + 3 * 3600)) $P -s "$T/st.i3" "$DEST" verify

# A signed message that never ends: the download stops at its signed
# size, not a byte more is written, and it is a finding.
fake endless name="$(seqf 2).age"
mkdir ef
expect "endless signed message: fetch stops at its signed size (exit 3)" 3 \
    '^(modified|replaced) 2 ' $P -s "$T/st.endless" "$DEST" fetch -d ef
check "endless signed message: not kept, no temp file left" \
    test "$(ls -A ef | tr '\n' ' ')" = "$(seqf 1).age $(seqf 3).age "
restore

# Short reads (each DATA reply half of what the server read), as SFTP
# allows: a read that returns less than asked is not the end of the
# file; reading goes on from where it ended, every byte in order.
fake short
mkdir sh
expect "short reads: verify reads every message whole" 0 '^intact' \
    $P -s "$T/st.short1" "$DEST" verify
nsess=$((nsess + 1))
fake short
expect "short reads: fetch" 0 '' $P -s "$T/st.short2" "$DEST" fetch -d sh
nsess=$((nsess + 1))
n=0
for i in 1 2 3; do
	cmp -s "sh/$(seqf $i).age" "$M/$(seqf $i).age" && n=$((n + 1))
done
[ "$n" -eq 3 ] && ok "short reads: fetched bytes equal the store's" ||
    notok "short reads: fetched bytes equal the store's" "$n of 3"

# A name that appears in the fetch directory after the client listed it
# and before its rename (another run, or anything else) is never
# replaced: other content stays and that message is not recorded as
# fetched; the same content stands for the download.
# taken LABEL DIR STORE: what a fetch into DIR leaves when message 2's
# name was taken by other content during it; STORE holds the messages.
taken() {
	check "$1: the other content is kept" \
	    test "$(cat "$2/$(seqf 2).age")" = other
	check "$1: the rest fetched, no temp file left" \
	    test "$(ls -A "$2" | tr '\n' ' ')" = \
	    "$(seqf 1).age $(seqf 2).age $(seqf 3).age "
	check "$1: the rest equals the store's" \
	    cmp -s "$2/$(seqf 3).age" "$3/$(seqf 3).age"
}
mkdir cf
fake readhook name="$(seqf 2).age" hook="echo other >$T/cf/$(seqf 2).age"
expect "name taken during the fetch: not overwritten (exit 1)" 1 \
    "$(seqf 2).age appeared with other content.*not overwritten" \
    $P -s "$T/st.cf" "$DEST" fetch -d cf
nsess=$((nsess + 1))
taken "name taken during the fetch" cf "$M"
rm "cf/$(seqf 2).age"
fake pass
expect "name taken during the fetch: not recorded, fetched next run" 0 '' \
    $P -s "$T/st.cf" "$DEST" fetch -d cf
nsess=$((nsess + 1))
check "name taken during the fetch: the next run fetched the store's" \
    cmp -s "cf/$(seqf 2).age" "$M/$(seqf 2).age"
mkdir cs
fake readhook name="$(seqf 2).age" \
    hook="cp $M/$(seqf 2).age $T/cs/$(seqf 2).age"
expect "name taken by the same content during the fetch: fine" 0 '' \
    $P -s "$T/st.cs" "$DEST" fetch -d cs
nsess=$((nsess + 1))
check "same content: every message there once, no temp file left" \
    test "$(ls -A cs | tr '\n' ' ')" = \
    "$(seqf 1).age $(seqf 2).age $(seqf 3).age "
check "same content: the hook ran" grep -q 'hook ran, exit 0' "$T/fake.log"

# The same without signed state (the unverified fallback, --delete): the
# file that appeared stays, the download is dropped, and that message is
# not deleted on the server.
mkdir pc
fake readhook name="$(seqf 2).age" hook="echo other >$T/pc/$(seqf 2).age" \
    noext=1
expect "unverified fallback, name taken during the fetch: not overwritten" \
    1 "$(seqf 2).age appeared in the fetch directory during this run; not overwritten" \
    $P -s "$T/st.pc" "$DEST" fetch -d pc --delete
nsess=$((nsess + 1))
taken "unverified fallback, name taken" pc clean
check "unverified fallback, name taken: not deleted on the server" \
    test -e "$M/$(seqf 2).age"
restore

# A message already in the fetch directory with its signed content is
# taken as it is, not written again; with other content it is not
# overwritten.  A small directory is read once; in one far larger than
# what is wanted each wanted name is probed instead.
inode() { ls -i "$1" | cut -d' ' -f1; }
for kind in read probe; do
	mkdir "ip$kind"
	if [ "$kind" = probe ]; then
		i=0
		while [ "$i" -lt 4000 ]; do
			: >"ip$kind/not-a-message-$i"
			i=$((i + 1))
		done
		check "in place ($kind): the directory is over 64 KiB" \
		    test "$(stat -c %s "ip$kind")" -gt 65536
	fi
	cp "$M/$(seqf 1).age" "ip$kind/"
	ino=$(inode "ip$kind/$(seqf 1).age")
	fake pass
	expect "in place ($kind): fetch" 0 '' \
	    $P -s "$T/st.ip$kind" "$DEST" fetch -d "ip$kind"
	nsess=$((nsess + 1))
	check "in place ($kind): the file there kept, not rewritten" \
	    test "$(inode "ip$kind/$(seqf 1).age")" = "$ino"
	check "in place ($kind): the rest fetched" \
	    cmp -s "ip$kind/$(seqf 3).age" "$M/$(seqf 3).age"
	echo other >"ip$kind/$(seqf 2).age"
	rm "ip$kind/$(seqf 3).age"
	fake pass
	expect "in place ($kind): other content is not overwritten" 1 \
	    "$(seqf 2).age exists in the fetch directory with other content" \
	    $P -s "$T/st.ip2$kind" "$DEST" fetch -d "ip$kind"
	nsess=$((nsess + 1))
	check "in place ($kind): the other content kept" \
	    test "$(cat "ip$kind/$(seqf 2).age")" = other
done

# --- a server that lets a client hold few files open ----------------------
# pfish-server -n 2 states its limit in limits@openssh.com; the client
# reads small messages in batches no larger, so no OPEN is refused.
fake pass server="$SERVER -d $M -n 2 -k $T/sshd/authorized_keys"
cp "$T/fake.log" "$T/fake.log.before"
expect "two handles: verify reads every message" 0 '^intact' \
    $P -s "$T/st.n2" "$DEST" verify
nsess=$((nsess + 1))
n=$(diff "$T/fake.log.before" "$T/fake.log" | grep -c 'open refused')
[ "$n" -eq 0 ] && ok "two handles: no OPEN refused" ||
    notok "two handles: no OPEN refused" "$n refused"

# --- pfish-server honours the options of delete keys ---------------------
# The test user's key signs deletes only through pfish-server -k delkeys,
# so sshd's own authorized_keys (its login) stays as it is.
# delkey NAME RC OPTIONS: rm 1 with the user's key listed under OPTIONS.
delkey() {
	echo "$3 $(cat "$USER_KEY.pub")" >"$T/delkeys"
	fake pass server="$SERVER -d $M -k $T/delkeys"
	$P -s "$T/st.dk.$1" "$DEST" rm 1 >out 2>&1
	_rc=$?
	if [ "$2" -eq 0 ] && [ "$_rc" -eq 0 ] && [ ! -e "$M/$(seqf 1).age" ]; then
		ok "delete key $3: accepted"
	elif [ "$2" -ne 0 ] && [ "$_rc" -ne 0 ] && [ -e "$M/$(seqf 1).age" ]
	then
		ok "delete key $3: refused"
	else
		notok "delete key $3" "exit $_rc"
		sed 's/^/# /' out
	fi
	restore
}
delkey from-other 1 'from="10.9.9.9"'
delkey from-negated 1 'from="!127.0.0.1,127.0.0.*"'
delkey expired 1 'expiry-time="20200101"'
delkey command 1 'command="/bin/true"'
delkey unknown 1 'no-such-option'
delkey from-cidr 0 'restrict,from="127.0.0.0/8"'
delkey expiry-later 0 'no-pty,expiry-time="20991231Z",from="127.0.0.?"'

t_done
