#!/bin/sh
# t-migrate.sh: the weekly rebuild.  pfish-store migrate carries only what
# verifies from an old store root to a new one, and pfish-store forget
# makes a backup forget what the user deleted, never more.
#
# A store is built through pfish-signer and pfish-store, with a signed
# delete and an account chain pinned by the trust file.  Each attack on
# the old root (a tampered .age, an extra file, a removed or forged
# record, a forged head, a forged account state, a planted delete) is
# migrated: what the attack planted is left behind and reported, and
# where the result would show a finding the migration is refused with
# nothing written.  The old root is never changed.  Each attack on a
# backup (a delete by an untrusted key, a note, a forged head) removes
# nothing.  Then a device that verified the old server over a real sshd
# verifies the migrated one clean, as the same server address.  Both
# verbs run as the operator runs them: locally, on the new host.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

TOOL=$PFISH_OBJ/interop/stmttool
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
ACCT=$PFISH_BIN/pfish-account
PFISH=$PFISH_BIN/pfish
SERVER=$PFISH_BIN/pfish-server
for p in "$TOOL" "$SIGNER" "$STORE" "$ACCT" "$PFISH" "$SERVER"; do
	[ -x "$p" ] || { skip t-migrate "not built: $p"; t_done; }
done

cd "$T" || exit 1
export HOME=$T/home
mkdir -p home state
unset SSH_AUTH_SOCK
user_key || exit 1
MB=$(id -un)
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
for k in master phone mallory; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$k" || exit 1
done
# The device key (USER_KEY) signs deletes through the trust file; the
# phone's deletes are trusted through the account chain, which the trust
# file pins by its master key.
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "device namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
	echo "$MB namespaces=\"pfish-account-v1\" $(cut -d' ' -f1,2 master.pub)"
} >allowed
S() { "$SIGNER" -s "$T/state" "$@"; }
ST() { "$STORE" -r "$T/$1" -T "$T/allowed" "$2" ${3:+"$3"}; }
MIG() { "$STORE" -T "$T/allowed" migrate "$@"; }
FORGET() { "$STORE" -T "$T/allowed" forget "$@"; }
seqf() { printf '%012d' "$1"; }

# deliver ROOT USER N: a message of N lines through signer and store.
deliver() {
	i=0; echo "age-encryption.org/v1" >msg
	while [ "$i" -lt "$3" ]; do echo "line $i of $2" >>msg; i=$((i + 1)); done
	S record "$2" "$(wc -c <msg | tr -d ' ')" "$(sha256sum msg | cut -c1-64)" >rec || return 1
	cat rec msg | "$STORE" -r "$T/$1" -T "$T/allowed" accept "$2" >/dev/null || return 1
	S head "$2" | "$STORE" -r "$T/$1" -T "$T/allowed" head "$2" >/dev/null
}
rhash() { "$TOOL" texthash <"$T/$1/$2/.pfish/records/$(seqf "$3").rec"; }
# signdel KEY ROOT MAILBOX SEQ: d.signed, a delete of SEQ; prints its name.
signdel() {
	_h=$(rhash "$2" "$3" "$4")
	_fp=$(ssh-keygen -lf "$1.pub" | awk '{print $2}')
	"$TOOL" delete "$3" "$(cat "$T/$2/$3/.pfish/epoch")" "$4" "$_h" \
	    "$(date +%s)" "$_fp" "$4:$_h" >d.txt || return 1
	rm -f d.txt.sig
	ssh-keygen -q -Y sign -f "$1" -n pfish-delete-v1 d.txt || return 1
	cat d.txt d.txt.sig >d.signed
	echo "$(seqf "$4")-$(sha256sum d.txt | cut -c1-16).del"
}

mkdir root
"$STORE" -r root -T allowed init -u "$MB" "$MB" >/dev/null &&
    "$STORE" -r root -T allowed init -u "$MB" bob >/dev/null ||
    { notok "store init"; t_done; }
for n in 3 4 5 6 7; do deliver root "$MB" "$n" || notok "deliver $n"; done
deliver root bob 2 || notok "deliver bob"
# The account chain: the master, then the phone with the delete right.
"$ACCT" -r acct -k master -t 1796000000 init "$MB" main >/dev/null 2>&1 &&
    "$ACCT" -r acct -k master -t 1796000100 add-key "$MB" phone phone.pub \
    fetch,delete >/dev/null 2>&1 || notok "account chain"
mkdir -m 2770 "root/$MB/.pfish/account"
cp acct/"$MB"/*.state "root/$MB/.pfish/account/"
# Signed deletes: seq 5 by the device (trust file), 2 by the phone
# (account chain); the messages removed as pfish-server does.
cp "root/$MB/$(seqf 5).age" msg5
cp "root/$MB/$(seqf 2).age" msg2
name=$(signdel "$USER_KEY" root "$MB" 5) && cp d.signed "root/$MB/.pfish/deletes/$name"
rm "root/$MB/$(seqf 5).age"
name=$(signdel phone root "$MB" 2) && cp d.signed "root/$MB/.pfish/deletes/$name"
rm "root/$MB/$(seqf 2).age"
check "the old root verifies (account deletes trusted through the pin)" \
    ST root verify
nstates=$(ls "root/$MB/.pfish/account" | wc -l)
check "the account chain has two states" test "$nstates" -eq 2

# --- A clean migration ------------------------------------------------
sha_tree root >root.sha
# The old server's own files: an unsigned note, an extra file, a temp file.
cp -a root old
printf 'statement note\nversion 1\nmailbox %s\nseq 1\ntime 5\n' "$MB" \
    >"old/$MB/.pfish/notes/$(seqf 99).note"
echo hi >"old/$MB/notes.txt"
echo hi >"old/$MB/.pfish/tmp/.tmp.x"
echo hi >old/README
sha_tree old >old.sha
MIG old new >out 2>&1; rc=$?
if [ "$rc" -eq 0 ] && grep -q "^migrated 2 mailboxes" out; then
	ok "clean migration exits 0"
else
	notok "clean migration exits 0" "exit $rc"; sed 's/^/# /' out
fi
for f in "$MB/notes.txt" "$MB/.pfish/notes/$(seqf 99).note" \
    "$MB/.pfish/tmp/.tmp.x" README; do
	check "left behind and reported: $f" sh -c \
	    "grep -q '^left behind: $f: ' out && test ! -e 'new/$f'"
done
check "the new root verifies with pfish-store verify" ST new verify
sha_tree new >new.sha
check "the new root holds exactly the old verified files" cmp -s root.sha new.sha
sha_tree old >old.sha2
check "the old root is unchanged" cmp -s old.sha old.sha2
check "no temporary root left beside it" sh -c "! ls -a | grep -q migrate"
expect_refused() {	# NAME PATTERN: refused, exit 3, nothing written
	if [ "$rc" -eq 3 ] && grep -q -- "$2" out && [ ! -e new2 ] &&
	    ! ls -a | grep -q '\.new2\.migrate' &&
	    sha_tree case | cmp -s - case.sha; then
		ok "$1"
	else
		notok "$1" "exit $rc"; sed 's/^/# /' out
	fi
}
MIG old new >out 2>&1; rc=$?
check "migrate refuses an existing new root" test "$rc" -eq 1

MIG old >/dev/null 2>&1; rc=$?
check "migrate without a new root is a usage error" test "$rc" -eq 64
SSH_ORIGINAL_COMMAND="pfish-store migrate $T/old $T/x" "$STORE" -T allowed \
    >/dev/null 2>&1; rc=$?
check "migrate and forget are not forced commands" sh -c \
    "[ $rc -eq 64 ] && [ ! -e x ] && ! SSH_ORIGINAL_COMMAND='pfish-store forget $T/old' '$STORE' -T allowed >/dev/null 2>&1"

# attack NAME RC PATTERN SETUP: SETUP in a copy of root, migrate it.
attack() {
	rm -rf case new2; cp -a root case
	(cd "case/$MB" && eval "$4") || { notok "$1" "setup"; return; }
	sha_tree case >case.sha
	MIG case new2 >out 2>&1; rc=$?
	if [ "$2" -eq 3 ]; then
		expect_refused "$1" "$3"
	elif [ "$rc" -eq 0 ] && grep -q -- "$3" out &&
	    ST new2 verify >vout 2>&1 && sha_tree case | cmp -s - case.sha; then
		ok "$1"
	else
		notok "$1" "exit $rc"; sed 's/^/# /' out vout 2>/dev/null
	fi
}
attack "tampered .age: refused, the seq named" 3 \
    "^refused: $MB: seq 3: message differs from its signed record" \
    'printf X | dd of=000000000003.age bs=1 seek=3 conv=notrunc 2>/dev/null'
attack "extra .age without a record: refused" 3 \
    "^refused: $MB: seq 40: message without a valid record" \
    'cp 000000000001.age 000000000040.age'
attack "removed record: refused" 3 "^refused: .*seq 4: " \
    'rm .pfish/records/000000000004.rec'
attack "removed lowest record: refused" 3 \
    "^refused: $MB: seq 1: message without a valid record" \
    'rm .pfish/records/000000000001.rec'
attack "forged record (text edited): left behind, refused" 3 \
    "^left behind: $MB/.pfish/records/$(seqf 3).rec: " \
    'sed -i "s/^time .*/time 1/" .pfish/records/000000000003.rec'
attack "forged head: refused" 3 "^refused: $MB: the head does not verify" \
    'sed -i "s/^low 1$/low 4/" .pfish/head'
attack "a head signed by an untrusted key: refused" 3 \
    "^refused: $MB: the mailbox cannot be verified" \
    "sed '/^-----BEGIN/,\$d' .pfish/head >h.txt && ssh-keygen -q -Y sign -f '$T/mallory' -n pfish-head-v1 h.txt && cat h.txt h.txt.sig >.pfish/head && rm h.txt h.txt.sig"
attack "record of another mailbox planted: left behind" 0 \
    "^left behind: $MB/.pfish/records/$(seqf 50).rec: " \
    'cp ../bob/.pfish/records/000000000001.rec .pfish/records/000000000050.rec'
attack "extra file: left behind, the rest migrated" 0 \
    "^left behind: $MB/.pfish/evil: not part of the layout" \
    'echo x >.pfish/evil'
name=$(signdel mallory root "$MB" 3)
attack "delete by an untrusted key, message kept: left behind" 0 \
    "^left behind: $MB/.pfish/deletes/$name: explains no absence" \
    "cp '$T/d.signed' .pfish/deletes/$name"
attack "delete by an untrusted key, message removed: refused" 3 \
    "^refused: new root: $MB: seq 3: missing" \
    "cp '$T/d.signed' .pfish/deletes/$name && rm 000000000003.age"
attack "an unsigned note for a removed message: refused" 3 \
    "^refused: new root: $MB: seq 3: missing" \
    "printf 'statement note\nversion 1\nmailbox $MB\nseq 3\ntime 5\n' >.pfish/notes/000000000003.note && rm 000000000003.age"
# Forged account states: one appended, signed by the phone (a mail key);
# the first state replaced by one signed by mallory.
rm -rf acopy; cp -a acct acopy
"$ACCT" -r acopy -k master -t 1796000200 add-key "$MB" evil mallory.pub \
    fetch,delete >/dev/null 2>&1
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "acopy/$MB/$(seqf 3).state" |
    sed "s|^key SHA256:.*|key $(ssh-keygen -lf phone.pub | awk '{print $2}')|" >a3.txt
rm -f a3.txt.sig; ssh-keygen -q -Y sign -f phone -n pfish-account-v1 a3.txt
cat a3.txt a3.txt.sig >a3.state
attack "forged account state (signed by a mail key): refused" 3 \
    "^left behind: $MB/.pfish/account/$(seqf 3).state: .*" \
    "cp '$T/a3.state' .pfish/account/$(seqf 3).state"
check "the forged state's reason is given" grep -q "refused: $MB: an account state does not chain" out
sed "s/^time .*/time 1796000001/" "root/$MB/.pfish/account/$(seqf 1).state" >a1.state
attack "account state edited: refused" 3 \
    "^left behind: $MB/.pfish/account/$(seqf 1).state: " \
    "cp '$T/a1.state' .pfish/account/$(seqf 1).state"

# A delivery the old root never completed (record stored, message not:
# the store calls it missing, as verify does): refused, the seq named.
rm -rf case new2; cp -a root case
echo "age-encryption.org/v1 in flight" >msg
S record "$MB" "$(wc -c <msg | tr -d ' ')" "$(sha256sum msg | cut -c1-64)" >rec &&
    cat rec msg | "$STORE" -r case -T allowed accept "$MB" >/dev/null ||
    notok "deliver to the copy"
rm "case/$MB/$(seqf 6).age"
sha_tree case >case.sha
MIG case new2 >out 2>&1; rc=$?
expect_refused "a record without its message: refused" \
    "^refused: new root: $MB: seq 6: missing"

# --- Backups forget what the user deleted, and nothing else ----------------
# The backup was taken before the deletes: messages 2 and 5 still in it.
rm -rf backup; cp -a root backup
cp msg5 "backup/$MB/$(seqf 5).age"
cp msg2 "backup/$MB/$(seqf 2).age"
# battack NAME SETUP: SETUP in a copy of the backup; forget removes nothing.
battack() {
	rm -rf bcase; cp -a backup bcase
	(cd "bcase/$MB" && rm -f .pfish/deletes/* && eval "$2") ||
	    { notok "$1" "setup"; return; }
	sha_tree bcase >bcase.sha
	FORGET bcase >out 2>&1; rc=$?
	if [ "$rc" -eq 0 ] && sha_tree bcase | cmp -s - bcase.sha &&
	    ! grep -q '^removed' out; then
		ok "$1"
	else
		notok "$1" "exit $rc"; sed 's/^/# /' out
	fi
}
name=$(signdel mallory backup "$MB" 5)
battack "forget: a delete signed by an untrusted key removes nothing" \
    "cp '$T/d.signed' .pfish/deletes/$name"
check "forget: the untrusted delete is reported" grep -q "^ignored: $MB/.pfish/deletes/$name: not signed by a trusted delete key" out
battack "forget: an unsigned note removes nothing" \
    "printf 'statement note\nversion 1\nmailbox $MB\nseq 5\ntime 5\n' >.pfish/notes/000000000005.note"
battack "forget: a forged head (low raised) removes nothing" \
    'sed -i "s/^low 1$/low 6/" .pfish/head'
check "forget: the forged head is reported" grep -q "^kept: $MB: no verified head" out
battack "forget: a head signed by an untrusted key removes nothing" \
    "sed 's/^low 1\$/low 6/; /^-----BEGIN/,\$d' .pfish/head >h.txt && ssh-keygen -q -Y sign -f '$T/mallory' -n pfish-head-v1 h.txt && cat h.txt h.txt.sig >.pfish/head && rm h.txt h.txt.sig"
# An account chain of the backup alone (not pinned) makes no key trusted.
rm -rf unp; mkdir unp
"$ACCT" -r unp -k mallory -t 1796000000 init "$MB" main >/dev/null 2>&1 &&
    "$ACCT" -r unp -k mallory -t 1796000100 add-key "$MB" evil mallory.pub \
    fetch,delete >/dev/null 2>&1
name=$(signdel mallory backup "$MB" 5)
battack "forget: deletes by a key of an unpinned account chain remove nothing" \
    "rm .pfish/account/* && cp '$T'/unp/$MB/*.state .pfish/account/ && cp '$T/d.signed' .pfish/deletes/$name"
# The real deletes: 5 (device key, trust file) and 2 (phone, pinned chain).
rm -rf bcase; cp -a backup bcase
FORGET bcase >out 2>&1; rc=$?
if [ "$rc" -eq 0 ] && grep -q "^removed: $MB/$(seqf 5).age: deleted by " out &&
    [ ! -e "bcase/$MB/$(seqf 5).age" ] && [ -e "bcase/$MB/$(seqf 4).age" ]; then
	ok "forget: a delete by a trust-file key removes its message"
else
	notok "forget: a delete by a trust-file key removes its message" "exit $rc"
	sed 's/^/# /' out
fi
if grep -q "^removed: $MB/$(seqf 2).age: deleted by " out &&
    [ ! -e "bcase/$MB/$(seqf 2).age" ]; then
	ok "forget: a delete by a key of the pinned account chain removes its message"
else
	notok "forget: a delete by a key of the pinned account chain removes its message"
fi
check "forget: exactly two messages removed" test "$(grep -c '^removed' out)" -eq 2
check "forget: the backup then verifies" ST bcase verify

# Retention: a head with low 3 (30-second retention) removes 1 and 2,
# signed a minute before the rest (the signer's clock moved by PFISH_NOW,
# not waited for).
mkdir rroot
"$STORE" -r rroot -T allowed init -u "$MB" carol >/dev/null
t0=$(date +%s)
PFISH_NOW=$((t0 - 60)); export PFISH_NOW
deliver rroot carol 2 && deliver rroot carol 3
PFISH_NOW=$t0
deliver rroot carol 4
S -r 30s head carol | "$STORE" -r rroot -T allowed head carol >/dev/null
unset PFISH_NOW
check "retention: the head's low is 3" grep -qx "low 3" rroot/carol/.pfish/head
FORGET rroot carol >out 2>&1; rc=$?
if [ "$rc" -eq 0 ] && [ ! -e "rroot/carol/$(seqf 1).age" ] &&
    [ ! -e "rroot/carol/.pfish/records/$(seqf 2).rec" ] &&
    [ -e "rroot/carol/$(seqf 3).age" ]; then
	ok "forget: below the verified head's low, removed as expire does"
else
	notok "forget: below the verified head's low, removed as expire does" "exit $rc"
	sed 's/^/# /' out
fi

# --- A device that knew the old server verifies the migrated one --------
# The server serves "live/MB"; the operator swaps live for the new root.
rm -rf live new3 retired
cp -a root live
if ! sshd_start "Subsystem pfish $SERVER -d $T/live/$MB -k $T/sshd/authorized_keys"; then
	notok "sshd starts"
	t_done
fi
# The device's trust file names the phone's delete key itself.
{ cat allowed; echo "phone namespaces=\"pfish-delete-v1\" $(cat phone.pub)"; } >allowed.dev
P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed.dev"
DEST=$SSHD_USER@127.0.0.1
pf() { $P -i "$USER_KEY" -s "$T/st.dev" "$DEST" "$@"; }
pf verify >out 2>&1; rc=$?
if [ "$rc" -eq 0 ]; then ok "device verifies the old server"
else notok "device verifies the old server" "exit $rc"; sed 's/^/# /' out; fi
pf rm 4 >out 2>&1 || { notok "device deletes seq 4"; sed 's/^/# /' out; }
MIG live new3 >mout 2>&1; rc=$?
check "migrate the live root after the device's delete" test "$rc" -eq 0
mv live retired && mv new3 live
pf verify >out 2>&1; rc=$?
if [ "$rc" -eq 0 ] && grep -q '^intact' out; then
	ok "the device verifies the new server clean"
else
	notok "the device verifies the new server clean" "exit $rc"
	sed 's/^/# /' out mout
fi
sshd_stop

t_done
