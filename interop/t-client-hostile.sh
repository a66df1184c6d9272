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
WALL_MAX=60		# seconds

for p in "$PFISH" "$SIGNER" "$STORE" "$SERVER" "$TOOL" "$RSS"; do
	if [ ! -x "$p" ]; then
		skip client-hostile "not built yet: $p"
		t_done
	fi
done
command -v age >/dev/null || { skip client-hostile "no age program"; t_done; }

cd "$T" || exit 1
MB=$(id -un)
ROOT=$T/store
M=$ROOT/$MB
mkdir -p "$ROOT" state home msgs
export HOME=$T/home
unset SSH_AUTH_SOCK
user_key || exit 1
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "device1 namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
} >allowed

S() { "$SIGNER" -k "$T/state/signer_key" -s "$T/state" "$@"; }
ST() { "$STORE" -r "$ROOT" -T "$T/allowed" "$@"; }
seqf() { printf '%012d' "$1"; }

# deliver FILE: encrypt FILE to the user's key, sign, store, new head.
deliver() {
	age -R "$USER_KEY.pub" -o enc.age "$1" || return 1
	S record "$MB" "$(wc -c <enc.age | tr -d ' ')" \
	    "$(sha256sum enc.age | cut -c1-64)" >rec || return 1
	cat rec enc.age | ST accept "$MB" >/dev/null || return 1
	S head "$MB" | ST head "$MB" >/dev/null
}

ST init "$MB" || { notok "store init"; t_done; }
i=1
while [ "$i" -le "$NMSG" ]; do
	printf 'Subject: message %d\n\nbody %d\n' "$i" "$i" >"msgs/$i"
	deliver "msgs/$i" || notok "deliver $i"
	i=$((i + 1))
done
cp -a "$M" clean
restore() { rm -rf "$M" && cp -a clean "$M"; }

CONF=$T/fake.conf
sshd_start "Subsystem pfish $PY $FAKE $CONF" || { notok sshd; t_done; }
DEST=$SSHD_USER@127.0.0.1
P="$PFISH -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -i $USER_KEY"

# fake MODE [KEY=VALUE...]: what the next session of the fake does.
fake() {
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

# expect NAME RC PATTERN cmd...: exit status RC and output matching PATTERN.
expect() {
	_n=$1 _rc=$2 _pat=$3
	shift 3
	"$@" >out 2>&1
	_got=$?
	if [ "$_got" -ne "$_rc" ]; then
		notok "$_n" "exit $_got, want $_rc"
		sed 's/^/# /' out
	elif [ -n "$_pat" ] && ! grep -Eq "$_pat" out; then
		notok "$_n" "output lacks /$_pat/"
		sed 's/^/# /' out
	else
		ok "$_n"
	fi
}

# hostile NAME MODE PATTERN cmd...: pfish (I/O timeout 10 s) against the
# fake in MODE exits 1 with PATTERN, within WALL_MAX s and RSS_MAX KiB.
hostile() {
	_n=$1 _mode=$2 _pat=$3
	shift 3
	fake "$_mode"
	rm -f rss.out
	expect "hostile: $_n" 1 "$_pat" "$RSS" "$T/rss.out" \
	    timeout 300 $P -t 10 -s "$T/st.$_mode" "$DEST" "$@"
	read -r _wall _kib _u _s <rss.out
	diag "$_n: peak RSS $_kib KiB, wall $_wall s, cpu $_u+$_s s"
	if [ "$_kib" -le "$RSS_MAX" ]; then
		ok "$_n: peak RSS $_kib KiB <= $RSS_MAX KiB"
	else
		notok "$_n: peak RSS $_kib KiB <= $RSS_MAX KiB"
	fi
	if awk -v w="$_wall" -v m="$WALL_MAX" 'BEGIN { exit !(w <= m) }'; then
		ok "$_n: exits within $WALL_MAX s"
	else
		notok "$_n: exits within $WALL_MAX s" "took $_wall s"
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
hostile "silent after INIT" silent 'no answer from the server for 10 s' \
    verify
mkdir fb
hostile "fallback: file listed as 10 bytes that never ends" \
    fallback-endless 'more than the 10 bytes it listed' fetch -d fb
n=$(ls -A fb | wc -l)
[ "$n" -eq 0 ] && ok "fallback: nothing kept in the fetch directory" ||
    notok "fallback: nothing kept in the fetch directory" "$(ls -A fb)"

t_done
