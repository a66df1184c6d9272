#!/bin/sh
# t-account.sh: the signed account-key state over a real sshd.
#
# A device creates and changes an account with pfish-account, uploading
# each state to "pfish-account accept" reached as an ssh forced command
# (the key host).  The fetch host's authorized_keys, delete keys and
# recipients are generated from the verified chain and installed in the
# same sshd, whose forced command is then pfish-server.  Staged attacks:
# replay, fork, unsigned state, a key added by a state signed by an
# outsider, a master change signed by a mail key, a recovery key signing
# a mail-key change, root on the key host editing, adding or removing
# stored states, rolling back or replacing the chain (found by a second
# device pulling it), root on the fetch host adding a key by hand.  Each
# is refused or reported, with the key host's files unchanged.  The worked
# example of pfish-account(5) verifies with ssh-keygen -Y verify.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
A=$PFISH_BIN/pfish-account
if [ ! -x "$A" ] || [ ! -x "$PFISH_BIN/pfish-server" ]; then
	skip t-account "pfish-account or pfish-server not built"
	t_done
fi
cd "$T" || exit 1

# expect NAME RC PATTERN cmd...: cmd exits RC and its output (stdout and
# stderr, in $T/log) matches the grep pattern PATTERN (none if empty).
expect() {
	_n=$1
	_rc=$2
	_pat=$3
	shift 3
	"$@" >"$T/log" 2>&1
	_got=$?
	if [ "$_got" -ne "$_rc" ]; then
		notok "$_n" "exit $_got, want $_rc"
		sed 's/^/# /' "$T/log"
	elif [ -n "$_pat" ] && ! grep -q -- "$_pat" "$T/log"; then
		notok "$_n" "output lacks \"$_pat\""
		sed 's/^/# /' "$T/log"
	else
		ok "$_n"
	fi
}

for k in master recovery laptop phone mallory m2; do
	ssh-keygen -q -t ed25519 -N '' -C "alice-$k" -f "$k" || exit 1
done
fp() { ssh-keygen -lf "$1.pub" | awk '{print $2}'; }

mkdir kh dev out mbox
mbox_make mbox
echo "age-encryption.org/v1 not really" >mbox/000000000001.age
if ! sshd_start "Subsystem sftp /usr/lib/openssh/sftp-server"; then
	notok "sshd starts"
	t_done
fi
AK=$T/sshd/authorized_keys
# The key host: the test user's key reaches pfish-account for alice only.
KHLINE="restrict,command=\"$A -r $T/kh -a alice\" $(cat "$USER_KEY.pub")"
echo "$KHLINE" >"$AK"
KH="ssh -F $SSH_CONFIG 127.0.0.1"
U="$KH pfish-account accept alice"
D() { "$A" -r "$T/dev" "$@"; }
KEYHOST() { "$A" -r "$T/kh" "$@"; }
# ssh options for logging in with one given key only.
opts() {
	echo "-F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes" \
	    "-o IdentityAgent=none -o IdentityFile=$T/$1" \
	    "-o UserKnownHostsFile=$KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null" \
	    "-o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o LogLevel=ERROR" \
	    "-o User=$SSHD_USER"
}
# fetch_ls KEY: list the mailbox over sftp with that key.
fetch_ls() {
	echo ls | timeout 60 sftp $(opts "$1") -P "$SSHD_PORT" -b - 127.0.0.1
}

# --- The device builds the account, uploading each state over ssh.
expect "init uploads serial 1 through the forced command" 0 \
    "alice: accepted serial 1" \
    D -k master -t 1796000000 -U "$U" init alice main
expect "add a recovery key" 0 "accepted serial 2" \
    D -k master -t 1796000100 -U "$U" add-key alice paper recovery.pub recovery
expect "add the laptop: fetch, delete, recipient" 0 "+ mail laptop" \
    D -k master -t 1796000200 -U "$U" add-key alice laptop laptop.pub \
    fetch,delete,recipient
same_chain() {
	for f in dev/alice/*.state; do
		cmp -s "$f" "kh/alice/$(basename "$f")" || return 1
	done
	[ "$(ls kh/alice | wc -l)" -eq "$(ls dev/alice | wc -l)" ]
}
check "key host and device hold the same three states" same_chain
$KH pfish-account show alice >shown 2>&1
check "show over ssh prints the last state" \
    cmp -s shown dev/alice/000000000003.state
echo "alice namespaces=\"pfish-account-v1\" $(cut -d' ' -f1,2 master.pub)" \
    >allowed
sshverify() {	# FILE: a stored state verifies with ssh-keygen
	sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1" >v.txt
	sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' "$1" >v.sig
	ssh-keygen -Y verify -f allowed -I alice -n pfish-account-v1 \
	    -s v.sig <v.txt >/dev/null 2>&1
}
check "a stored state verifies with ssh-keygen -Y verify" \
    sshverify kh/alice/000000000003.state

# --- The forced command serves accept and show for alice, nothing else.
expect "forced command refuses another account" 65 \
    "serves account alice only" sh -c "$KH pfish-account show bob"
expect "forced command refuses generate" 64 "refused ssh command" \
    sh -c "$KH pfish-account generate alice"
expect "forced command refuses a shell command" 64 "refused ssh command" \
    sh -c "$KH id"

# --- Attacks on the key host through accept; nothing may change.
sha_tree kh >kh.before
# Craft states: a device copy builds a valid text, which is then edited
# and signed with ssh-keygen by whatever key the attack needs.
# craft NAME VERB ARGS...: the text of the next state on a copy of dev.
craft() {
	_name=$1
	shift
	rm -rf "$T/dcopy"
	cp -a "$T/dev" "$T/dcopy"
	"$A" -r "$T/dcopy" -k "$T/master" -t 1796000300 "$@" >"$T/$_name.signed" \
	    2>/dev/null || return 1
	sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$T/$_name.signed" \
	    >"$T/$_name.txt"
}
# resign NAME KEY: NAME.txt with its key line set to KEY's, signed by KEY.
resign() {
	sed "s|^key SHA256:.*|key $(fp "$2")|" "$1.txt" >"$1.$2.txt"
	rm -f "$1.$2.txt.sig"
	ssh-keygen -q -Y sign -f "$2" -n pfish-account-v1 "$1.$2.txt" || return 1
	cat "$1.$2.txt" "$1.$2.txt.sig" >"$1.$2"
}
upload() { $KH pfish-account accept alice <"$1"; }

expect "replay of serial 1 refused" 65 "refused: replay" \
    upload dev/alice/000000000001.state
expect "replay of serial 2 refused" 65 "refused: replay" \
    upload dev/alice/000000000002.state
# A fork: another serial 3, properly signed by the master.
rm -rf dfork
cp -a dev dfork
rm dfork/alice/000000000003.state
"$A" -r dfork -k master -t 1796000250 add-key alice phone phone.pub fetch \
    >fork.signed 2>/dev/null
expect "fork (another serial 3 signed by the master) refused" 65 \
    "refused: fork" upload fork.signed
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' fork.signed >fork.txt
expect "unsigned state refused" 65 "refused: signature" upload fork.txt
craft addmallory add-key alice mallory mallory.pub fetch,delete,recipient
resign addmallory mallory
expect "mail key added by a state signed by an outsider refused" 65 \
    "refused: signer" upload addmallory.mallory
resign addmallory laptop
expect "mail key added by a state signed by a mail key refused" 65 \
    "refused: signer" upload addmallory.laptop
craft rotate rotate-master alice evil mallory.pub
resign rotate laptop
expect "master change signed by a mail key refused" 65 "refused: signer" \
    upload rotate.laptop
resign rotate mallory
expect "master change signed by the new master itself refused" 65 \
    "refused: signer" upload rotate.mallory
resign addmallory recovery
expect "mail-key change signed by the recovery key refused" 65 \
    "refused: recovery" upload addmallory.recovery
sed 's/^time 1796000300$/time 1796000301/' addmallory.signed >tampered
expect "state edited after signing refused" 65 "refused: signature" \
    upload tampered
sed 's/^account alice$/account bob/' addmallory.txt >bob.txt
cp bob.txt addbob.txt
resign addbob master
expect "a state of another account refused" 65 "refused: account" \
    upload addbob.master
sha_tree kh >kh.after
check "refused states leave the key host unchanged" cmp -s kh.before kh.after

# --- Generation from the verified chain; the fetch host uses the files.
SERVER="$PFISH_BIN/pfish-server -e -S -d $T/mbox -k $T/out/delete_keys"
gen() { KEYHOST -c "$SERVER" -o "$T/out" generate alice; }
install_keys() {	# key host line + generated fetch-host lines
	{ echo "$KHLINE"; cat "$T/out/authorized_keys"; } >"$AK"
}
expect "generate from the verified chain" 0 "generated from serial 3" gen
install_keys
check "authorized_keys: the laptop, restricted to pfish-server" \
    grep -q "^restrict,command=\"$SERVER\" $(cut -d' ' -f1,2 laptop.pub) alice-laptop$" \
    out/authorized_keys
check "delete keys and recipients list the laptop" \
    sh -c "grep -q '$(cut -d' ' -f2 laptop.pub)' out/delete_keys &&
    grep -q '$(cut -d' ' -f2 laptop.pub)' out/recipients"
check "no master or recovery key in any generated file" \
    sh -c "test -s out/authorized_keys && test -s out/delete_keys &&
    test -s out/recipients && ! grep -q -e '$(cut -d' ' -f2 master.pub)' \
    -e '$(cut -d' ' -f2 recovery.pub)' out/*"
expect "the laptop fetches through the generated authorized_keys" 0 \
    "000000000001.age" fetch_ls laptop
ssh $(opts laptop) -p "$SSHD_PORT" 127.0.0.1 echo PFISH-SHELL </dev/null \
    >out.shell 2>&1
check "the laptop gets pfish-server, never a shell" \
    sh -c "! grep -q PFISH-SHELL out.shell"
expect "mallory cannot log in" 255 "Permission denied" fetch_ls mallory
# Root on the fetch host adds a key by hand: it works until the next
# generation, which carries only the verified keys.
grep "alice-laptop$" "$T/out/authorized_keys" |
    sed "s|$(cut -d' ' -f2 laptop.pub) alice-laptop|$(cut -d' ' -f2 mallory.pub) x|" \
    >>"$AK"
expect "a key root added by hand logs in (before regeneration)" 0 \
    "000000000001.age" fetch_ls mallory
cp out/authorized_keys ak.before
expect "regenerate" 0 "generated from serial 3" gen
install_keys
check "regeneration gives the same files" cmp -s ak.before out/authorized_keys
expect "the key root added is gone after regeneration" 255 \
    "Permission denied" \
    fetch_ls mallory
expect "the laptop still fetches" 0 "000000000001.age" fetch_ls laptop

# --- Root on the key host edits the stored chain: generation refuses.
sha_tree out >out.before
cp kh/alice/000000000003.state keep3
awk -v line="mail mallory $(cut -d' ' -f1,2 mallory.pub) fetch,delete,recipient" \
    '/^-----BEGIN SSH SIGNATURE-----$/ { print line } { print }' keep3 \
    >kh/alice/000000000003.state
expect "a key added to a stored state by hand: generate refuses" 1 \
    "stored chain is damaged: serial 3: signature" gen
expect "... and accept refuses to build on it" 1 "stored chain is damaged" \
    upload addmallory.signed
cp keep3 kh/alice/000000000003.state
cp addmallory.mallory kh/alice/000000000004.state
expect "a state signed by an outsider stored by hand: generate refuses" 1 \
    "serial 4: not signed by a master" gen
rm kh/alice/000000000004.state
mv kh/alice/000000000002.state keep2
expect "a stored state removed by hand: generate refuses" 1 \
    "serial 2 is missing" gen
mv keep2 kh/alice/000000000002.state
sha_tree out >out.after
check "nothing generated from a damaged chain" cmp -s out.before out.after
expect "fetch host still refuses mallory" 255 "Permission denied" \
    fetch_ls mallory

# --- Removing a device and recovering the account.
expect "remove the laptop" 0 "- mail laptop" \
    D -k master -t 1796000400 -U "$U" remove-key alice laptop
expect "regenerate after the removal" 0 "generated from serial 4" gen
install_keys
expect "the removed laptop can no longer log in" 255 "Permission denied" \
    fetch_ls laptop
check "the removed laptop is no delete key or recipient" \
    sh -c "test -s out/delete_keys && test -s out/recipients &&
    ! grep -q '$(cut -d' ' -f2 laptop.pub)' out/delete_keys out/recipients"
expect "recover: the recovery key installs a new master" 0 \
    "accepted serial 5" \
    D -k recovery -t 1796000500 -U "$U" recover alice main2 m2.pub
expect "the old master may no longer change the account" 64 \
    "needs a master key" \
    D -k master -t 1796000600 -U "$U" add-key alice phone phone.pub fetch
craft oldmaster add-key alice phone phone.pub fetch
expect "the old master's device copy will not sign either" 1 "" \
    test -s oldmaster.signed
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' dev/alice/000000000005.state \
    >s5.txt
{
	sed -e 's/^serial 5$/serial 6/' \
	    -e "s/^prev .*/prev $(sha256sum s5.txt | cut -c1-64)/" \
	    -e 's/^time .*/time 1796000600/' s5.txt
	echo "mail phone $(cut -d' ' -f1,2 phone.pub) fetch"
} >old.txt
resign old master
expect "a state signed by the replaced master refused" 65 "refused: signer" \
    upload old.master
expect "the new master adds the phone" 0 "accepted serial 6" \
    D -k m2 -t 1796000600 -U "$U" add-key alice phone phone.pub fetch
check "key host and device hold the same six states" same_chain

# --- A device key pfish cannot read: signed by ssh-keygen via the agent.
if eval "$(ssh-agent -s)" >/dev/null 2>&1; then
	echo "$SSH_AGENT_PID" >>"$T/.pids"
	ssh-add -q m2 2>/dev/null
	cp m2.pub agentkey.pub
	expect "sign with a key held by ssh-agent (ssh-keygen -Y sign)" 0 \
	    "accepted serial 7" \
	    D -k "$T/agentkey.pub" -t 1796000700 -U "$U" remove-key alice phone
	ssh-agent -k >/dev/null 2>&1
else
	skip "sign with a key held by ssh-agent" "no ssh-agent"
fi

# --- A second device learns the chain from the key host, pinned by the
# master it got from the first device; it notices a key host that rolls
# back or replaces the chain.
PULL() { $KH pfish-account chain alice | "$A" -r "$T/$1" ${2:+-P "$T/$2"} pull alice; }
same_as_kh() {	# DIR: the device in DIR holds exactly the key host's chain
	[ "$(ls "$1/alice" | wc -l)" -eq "$(ls kh/alice | wc -l)" ] || return 1
	for f in kh/alice/*.state; do
		cmp -s "$f" "$1/alice/$(basename "$f")" || return 1
	done
}
n=$(ls kh/alice | wc -l)
expect "a new device pulls the chain, pinned by the first master" 0 \
    "at serial $n, $n new" PULL phone2 master.pub
check "the new device holds the key host's chain" same_as_kh phone2
expect "pulling again takes nothing new" 0 "at serial $n, 0 new" PULL phone2
expect "a chain whose first state another key signed is refused" 65 \
    "refused: pin" PULL phone3 mallory.pub
mv "kh/alice/$(printf %012d "$n").state" lastkept
expect "a key host that rolled back is reported (behind)" 65 \
    "refused: behind" PULL phone2
mv lastkept "kh/alice/$(printf %012d "$n").state"
"$A" -r evil -k mallory -t 1796000000 init alice main >/dev/null 2>&1
mv kh/alice kh.real
mkdir kh/alice
cp evil/alice/* kh/alice/
expect "a chain root replaced on the key host: the device refuses it" 65 \
    "refused: fork" PULL phone2
expect "... and a new device pinning the master refuses it" 65 \
    "refused: pin" PULL phone4 master.pub
rm -rf kh/alice
mv kh.real kh/alice
check "the device's chain is unchanged by what it refused" same_as_kh phone2

# --- Only a valid first state starts an account on the key host.
mkdir kh2
expect "a later state for an unknown account refused" 65 \
    "refused: first-state" sh -c "'$A' -r kh2 accept alice <dev/alice/000000000002.state"
expect "garbage for an unknown account refused" 65 "refused: signature" \
    sh -c "echo hello | '$A' -r kh2 accept alice"
check "refused offers leave no account directory" test ! -e kh2/alice

# --- The worked example of pfish-account(5).
MAN=$PFISH_TOP/man/pfish-account.5
awk -v dir="$T" '
    /^\.Bd -literal/ { n++; f = dir "/man" n; printf "" >f; inb = 1; next }
    /^\.Ed/ { inb = 0; close(f); next }
    inb { sub(/^\\&/, ""); print >>f }' "$MAN"
for f in man[0-9]*; do
	case "$(head -1 "$f")" in
	"alice namespaces="*) cp "$f" ex.allowed ;;
	"statement account")
		if grep -q "^serial 1$" "$f"; then cp "$f" ex.s1.txt
		elif grep -q "^serial 2$" "$f"; then cp "$f" ex.s2
		fi ;;
	"-----BEGIN SSH SIGNATURE-----") cp "$f" ex.s1.sig ;;
	esac
done
check "pfish-account(5) example serial 1 verifies with ssh-keygen" \
    sh -c "ssh-keygen -Y verify -f ex.allowed -I alice -n pfish-account-v1 \
    -s ex.s1.sig <ex.s1.txt"
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' ex.s2 >ex.s2.txt
sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' ex.s2 >ex.s2.sig
check "pfish-account(5) example serial 2 verifies with ssh-keygen" \
    sh -c "ssh-keygen -Y verify -f ex.allowed -I alice -n pfish-account-v1 \
    -s ex.s2.sig <ex.s2.txt"
check "pfish-account(5) example serial 2 chains to serial 1" \
    grep -qx "prev $(sha256sum ex.s1.txt | cut -c1-64)" ex.s2.txt
mkdir ex
cat ex.s1.txt ex.s1.sig >ex.s1
expect "pfish-account accepts the example's serial 1" 0 "accepted serial 1" \
    sh -c "'$A' -r ex accept alice <ex.s1"
expect "pfish-account accepts the example's serial 2" 0 "accepted serial 2" \
    sh -c "'$A' -r ex accept alice <ex.s2"

t_done
