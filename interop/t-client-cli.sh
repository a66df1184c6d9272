#!/bin/sh
# t-client-cli.sh: the command line as an ssh user expects it.  Every
# program answers --help, -h and --version (exit 0, on stdout); pfish
# takes options after the host; the state follows the account (an
# ssh_config alias and the address it stands for share one state, so
# nothing is fetched twice, and an old state file is moved over); fetch
# without -d keeps mail next to the state and always says where it went;
# the plain-SFTP fallback names the directory it reads.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
for p in pfish pfish-server pfish-signer pfish-store pfish-deliver pfish-account; do
	if [ ! -x "$PFISH_BIN/$p" ]; then
		skip client-cli "not built yet: $p"
		t_done
	fi
done

# --help, -h, --version: stdout, exit 0, for every program.
for p in pfish pfish-server pfish-signer pfish-store pfish-deliver pfish-account; do
	for a in --help -h; do
		"$PFISH_BIN/$p" $a >"$T/out" 2>"$T/err"
		rc=$?
		if [ "$rc" -eq 0 ] && grep -q "^usage: $p " "$T/out" &&
		    [ ! -s "$T/err" ]; then
			ok "$p $a: usage on stdout, exit 0"
		else
			notok "$p $a: usage on stdout, exit 0" "exit $rc"
		fi
	done
	"$PFISH_BIN/$p" --version >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -Eq "^$p [0-9]+\.[0-9]+" "$T/out"; then
		ok "$p --version"
	else
		notok "$p --version" "exit $rc: $(cat "$T/out")"
	fi
done
"$PFISH" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q '^usage:' "$T/err" && [ ! -s "$T/out" ] &&
    ok "pfish without arguments: usage on stderr, failure" ||
    notok "pfish without arguments: usage on stderr, failure" "exit $rc"

command -v age >/dev/null || { skip client-cli-session "no age program"; t_done; }

# A signed mailbox of three messages, served over a real sshd.
cd "$T" || exit 1
MB=$(id -un)
ROOT=$T/store
mkdir -p "$ROOT" state home
export HOME=$T/home
unset XDG_CONFIG_HOME SSH_AUTH_SOCK
user_key || exit 1
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)" \
    >allowed
S() { "$PFISH_BIN/pfish-signer" -s "$T/state" "$@"; }
ST() { "$PFISH_BIN/pfish-store" -r "$ROOT" -T "$T/allowed" "$@"; }
ST init "$MB" || { notok "store init"; t_done; }
for i in 1 2 3; do
	printf 'From: a@example.org\nSubject: %s\n\nbody %s\n' "$i" "$i" >m
	age -R "$USER_KEY.pub" -o enc.age m &&
	    S record "$MB" "$(wc -c <enc.age | tr -d ' ')" \
	    "$(sha256sum enc.age | cut -c1-64)" >rec &&
	    cat rec enc.age | ST accept "$MB" >/dev/null ||
	    notok "deliver $i"
done
S head "$MB" | ST head "$MB" >/dev/null || notok "head"
sshd_start "Subsystem pfish $PFISH_BIN/pfish-server -d $ROOT/%u" ||
    { notok "sshd"; t_done; }

# An alias for the account, as a user's ~/.ssh/config would have it.
cat >"$T/alias_config" <<EOF
Host mail
	HostName 127.0.0.1
	Port $SSHD_PORT
	User $MB
	IdentityFile $USER_KEY
	IdentitiesOnly yes
	UserKnownHostsFile $KNOWN_HOSTS
	StrictHostKeyChecking yes
EOF
ADDR="-F /dev/null -i $USER_KEY -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed"

# Options after the host, as ssh takes them.
if $PFISH $ADDR "$MB@127.0.0.1" -p "$SSHD_PORT" verify >out 2>&1; then
	ok "options after the host: pfish user@host -p PORT verify"
else
	notok "options after the host: pfish user@host -p PORT verify" "$(cat out)"
fi
if $PFISH "$MB@127.0.0.1" -p "$SSHD_PORT" $ADDR list >out 2>&1 &&
    [ "$(grep -Ec '^ +[123] ' out)" -eq 3 ]; then
	ok "options before and after the host mix"
else
	notok "options before and after the host mix" "$(cat out)"
fi
# No user anywhere (command line, -o, configuration): the local user's
# name, as ssh(1) takes it; the mailbox here is named after it.
if $PFISH $ADDR -p "$SSHD_PORT" 127.0.0.1 list >out 2>&1 &&
    [ "$(grep -Ec '^ +[123] ' out)" -eq 3 ]; then
	ok "no user given: the local user's name"
else
	notok "no user given: the local user's name" "$(cat out)"
fi
rm -rf "$HOME/.config"

# The state follows the account: the alias first, then the address.
$PFISH -F "$T/alias_config" -i "$USER_KEY" -T "$T/allowed" mail fetch --decrypt \
    --maildir "$T/Maildir" >out 2>err
rc=$?
n=$(ls "$T/Maildir/new" 2>/dev/null | wc -l)
[ "$rc" -eq 0 ] && [ "$n" -eq 3 ] &&
    ok "fetch through an ssh_config alias" ||
    notok "fetch through an ssh_config alias" "exit $rc, $n messages: $(cat err)"
if grep -q "fetched 3 new messages into $HOME/.config/pfish/mail-$MB@SHA256:.*, decrypted into $T/Maildir" err; then
	ok "without -d: mail next to the state, and a summary line off a terminal"
else
	notok "without -d: mail next to the state, and a summary line off a terminal" "$(cat err)"
fi
nage=$(ls "$HOME"/.config/pfish/mail-*/ 2>/dev/null | grep -c '\.age$')
check "the default directory holds the 3 .age files" test "$nage" -eq 3
check "no .age files in the current directory" \
    test -z "$(ls "$T" | grep '\.age$' | grep -v '^enc\.age$')"
$PFISH $ADDR -p "$SSHD_PORT" "$MB@127.0.0.1" fetch --decrypt \
    --maildir "$T/Maildir" >out 2>err
rc=$?
n=$(ls "$T/Maildir/new" | wc -l)
if [ "$rc" -eq 0 ] && [ "$n" -eq 3 ] && grep -q 'fetched 0 new messages' err; then
	ok "the same account by address: same state, nothing fetched twice"
else
	notok "the same account by address: same state, nothing fetched twice" \
	    "exit $rc, $n messages: $(cat err)"
fi
nstate=$(ls "$HOME/.config/pfish" | grep -c '^state-')
check "one state file for the account" test "$nstate" -eq 1

# A state file named the old way (by the host as typed) is moved over.
new=$(ls "$HOME"/.config/pfish/state-*)
mv "$new" "$HOME/.config/pfish/state-$MB@127.0.0.1:$SSHD_PORT"
$PFISH $ADDR -p "$SSHD_PORT" "$MB@127.0.0.1" fetch --decrypt \
    --maildir "$T/Maildir" >out 2>err
rc=$?
if [ "$rc" -eq 0 ] && [ -f "$new" ] && grep -q 'is now' err &&
    [ ! -e "$HOME/.config/pfish/state-$MB@127.0.0.1:$SSHD_PORT" ] &&
    grep -q 'fetched 0 new messages' err; then
	ok "an old state file is moved to the account's name"
else
	notok "an old state file is moved to the account's name" "exit $rc: $(cat err)"
fi

# A missing trust file is named once, before connecting (port 1: a
# connection attempt would fail with another message).
$PFISH -F /dev/null -T "$T/no-such-trust" -p 1 "$MB@127.0.0.1" verify \
    >out 2>&1
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c "no-such-trust: no trust file" out)" -eq 1 ] &&
    [ "$(wc -l <out)" -eq 1 ]; then
	ok "missing trust file: named once, before connecting"
else
	notok "missing trust file: named once, before connecting" "exit $rc: $(cat out)"
fi

# The plain-SFTP fallback says which directory it reads.
sshd_stop
SFTPSRV=/usr/lib/openssh/sftp-server
if [ -x "$SFTPSRV" ]; then
	mkdir -p plain && cp "$ROOT/$MB"/*.age plain/
	sshd_start "Subsystem sftp $SFTPSRV -d $T/plain" ||
	    { notok "sshd (plain)"; t_done; }
	$PFISH $ADDR -p "$SSHD_PORT" "$MB@127.0.0.1" list >out 2>err
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q 'SFTP start directory' err; then
		ok "fallback names the directory it reads"
	else
		notok "fallback names the directory it reads" "exit $rc: $(cat err)"
	fi
	# -r names the directory: the server starts elsewhere (its root).
	sshd_stop
	sshd_start "Subsystem sftp $SFTPSRV -d /" ||
	    { notok "sshd (plain, -r)"; t_done; }
	$PFISH $ADDR -p "$SSHD_PORT" -r "$T/plain" "$MB@127.0.0.1" list >out 2>err
	rc=$?
	n=$(grep -c '^[0-9]\{12\}\.age' out)
	if [ "$rc" -eq 2 ] && [ "$n" -eq "$(ls plain | grep -c '\.age$')" ] &&
	    [ "$n" -gt 0 ] && grep -q "reading the .age files of $T/plain" err; then
		ok "fallback -r: lists the named directory and says so ($n messages)"
	else
		notok "fallback -r: lists the named directory" "exit $rc, $n listed: $(cat err)"
	fi
	mkdir -p rfetch
	$PFISH $ADDR -p "$SSHD_PORT" -r "$T/plain" "$MB@127.0.0.1" fetch -d rfetch >out 2>err
	rc=$?
	if [ "$rc" -eq 2 ] && [ -n "$(ls rfetch)" ] &&
	    diff -r plain rfetch >/dev/null 2>&1; then
		ok "fallback -r: fetch reads the named directory"
	else
		notok "fallback -r: fetch reads the named directory" "exit $rc: $(cat err)"
	fi
else
	skip "fallback directory" "no $SFTPSRV"
fi

t_done
