#!/bin/sh
# t-account-client.sh: pfish takes its delete trust from the signed
# account chain, over a real sshd.
#
# The devices' trust file pins the account's master key only (and the
# signer).  The key host (pfish-account) accepts each state; the chain is
# shipped to the fetch host through "pfish-store account" reached as an
# ssh forced command; pfish-server serves it (pfish-account@pfish) and
# pfish checks it with the key host's own checker.  A second device's
# deletes are trusted with no trust-file edit; a removed device's earlier
# deletes stay trusted, its later ones do not; a key root adds on the
# fetch host (authorized_keys, the delete-key list) is trusted by no
# device; a rolled-back, forked, forged or withdrawn chain is a finding;
# the store refuses a forked or shorter chain.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

PFISH=$PFISH_BIN/pfish
A=$PFISH_BIN/pfish-account
SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
TOOL=$PFISH_OBJ/interop/stmttool
for p in "$PFISH" "$A" "$SIGNER" "$STORE" "$SERVER" "$TOOL"; do
	if [ ! -x "$p" ]; then
		skip account-client "not built yet: $p"
		t_done
	fi
done
command -v age >/dev/null || { skip account-client "no age program"; t_done; }

cd "$T" || exit 1
MB=$(id -un)
ROOT=$T/store
M=$ROOT/$MB
mkdir -p "$ROOT" state home msgs kh dev out
export HOME=$T/home
unset SSH_AUTH_SOCK
user_key || exit 1
for k in master laptop mallory evil shipper; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$k" || exit 1
done
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
fp() { ssh-keygen -lf "$1.pub" | awk '{print $2}'; }
# The devices pin the signer and the account's master: no device key.
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "$MB namespaces=\"pfish-account-v1\" $(cat master.pub)"
} >allowed
# The store's trust file: the signer only.
head -1 allowed >store-allowed

S() { "$SIGNER" -k "$T/state/signer_key" -s "$T/state" "$@"; }
ST() { "$STORE" -r "$ROOT" -T "$T/store-allowed" "$@"; }
deliver() {
	age -R "$USER_KEY.pub" -o enc.age "$1" || return 1
	S record "$MB" "$(wc -c <enc.age | tr -d ' ')" \
	    "$(sha256sum enc.age | cut -c1-64)" >rec || return 1
	cat rec enc.age | ST accept "$MB" >/dev/null || return 1
	S head "$MB" | ST head "$MB" >/dev/null
}
ST init "$MB" || { notok "store init"; t_done; }
for i in 1 2 3 4 5 6; do
	echo "Subject: message $i" >"msgs/$i"
	deliver "msgs/$i" || notok "deliver $i"
done
epoch=$(cat "$M/.pfish/epoch")

expect() {
	_n=$1 _rc=$2 _pat=$3
	shift 3
	"$@" >out.log 2>&1
	_got=$?
	if [ "$_got" -ne "$_rc" ]; then
		notok "$_n" "exit $_got, want $_rc"
		sed 's/^/# /' out.log
	elif [ -n "$_pat" ] && ! grep -Eq -- "$_pat" out.log; then
		notok "$_n" "output lacks /$_pat/"
		sed 's/^/# /' out.log
	else
		ok "$_n"
	fi
}

# --- The key host's chain: the master, then device 1 (the user's key).
KH="$A -r $T/kh"
D() { "$A" -r "$T/dev" -k "$T/master" -U "$KH accept $MB" "$@"; }
expect "key host accepts serial 1" 0 "accepted serial 1" D init "$MB" main
expect "device 1 (phone) with fetch and delete: serial 2" 0 \
    "accepted serial 2" D add-key "$MB" phone "$USER_KEY.pub" \
    fetch,delete,recipient
gen() { $KH -c "$SERVER" -o "$T/out" generate "$MB"; }
expect "generate the fetch host's files" 0 "generated from serial 2" gen

# The fetch host: pfish-server with the generated delete-key list; the
# shipper key reaches pfish-store as a forced command.
sshd_start "Subsystem pfish $SERVER -d $M -k $T/out/delete_keys" ||
    { notok sshd; t_done; }
AK=$T/sshd/authorized_keys
SHIPLINE="restrict,command=\"$STORE -r $ROOT -T $T/store-allowed\" $(cat shipper.pub)"
echo "$SHIPLINE" >>"$AK"
opts() {
	echo "-F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes" \
	    "-o IdentityAgent=none -o IdentityFile=$T/$1" \
	    "-o UserKnownHostsFile=$KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null" \
	    "-o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o LogLevel=ERROR" \
	    "-o User=$SSHD_USER -p $SSHD_PORT"
}
# ship [FILE]: the key host's chain (or FILE) to the fetch host's store.
ship() {
	if [ $# -eq 0 ]; then
		$KH chain "$MB" >chain.out || return 1
		set -- chain.out
	fi
	timeout 120 ssh $(opts shipper) 127.0.0.1 pfish-store account "$MB" <"$1"
}
expect "ship the chain through the forced command" 0 \
    "account $MB at serial 2, 2 new" ship
check "the store holds serial 1 and 2, as the key host" \
    sh -c "cmp -s kh/$MB/000000000001.state $M/.pfish/account/000000000001.state &&
    cmp -s kh/$MB/000000000002.state $M/.pfish/account/000000000002.state"
expect "ship again: nothing new" 0 "at serial 2, 0 new" ship

P="$PFISH -t 300 -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed"
DEST=$SSHD_USER@127.0.0.1
pf() { _s=$1; shift; $P -i "$USER_KEY" -s "$T/$_s" "$DEST" "$@"; }
pf2() { _s=$1; shift; $P -i "$T/laptop" -s "$T/$_s" "$DEST" "$@"; }
pfm() { _s=$1; shift; $P -i "$T/mallory" -s "$T/$_s" "$DEST" "$@"; }

expect "device 1 verifies with the pinned chain" 0 '^intact' pf st.d1 verify
check "device 1 remembers account serial 2" grep -q '^account 2 ' st.d1
expect "device 1 deletes 1 (its key is in the chain only)" 0 '^deleted 1 ' \
    pf st.d1 rm 1
expect "device 1 verifies its own delete" 0 '^intact' pf st.d1 verify

# --- A second device: one signed state change, no trust-file edit.
expect "add the laptop: serial 3" 0 "accepted serial 3" \
    D add-key "$MB" laptop laptop.pub fetch,delete
expect "regenerate" 0 "generated from serial 3" gen
expect "ship serial 3" 0 "at serial 3, 1 new" ship
cat laptop.pub >>"$AK"
expect "device 2 verifies" 0 '^intact' pf2 st.d2 verify
expect "device 2 deletes 2" 0 '^deleted 1 ' pf2 st.d2 rm 2
check "rm does not call a chain key untrusted" sh -c "! grep -q warning out.log"
check "the server removed message 2" test ! -e "$M/000000000002.age"
cp allowed allowed.before
expect "device 1 trusts device 2's delete: exit 0" 0 '^intact' \
    pf st.d1 verify
check "the trust file was not edited" cmp -s allowed allowed.before
check "device 1 remembers account serial 3" grep -q '^account 3 ' st.d1

# --- Remove the laptop: its earlier delete stays trusted.
expect "remove the laptop: serial 4" 0 "accepted serial 4" \
    "$A" -r "$T/dev" -k "$T/master" -t $(($(date +%s) + 5)) \
    -U "$KH accept $MB" remove-key "$MB" laptop
expect "regenerate" 0 "generated from serial 4" gen
expect "ship serial 4" 0 "at serial 4, 1 new" ship
expect "device 1: the removed laptop's earlier delete is still trusted" 0 \
    '^intact' pf st.d1 verify
expect "a new device: the same, from the chain alone" 0 '^intact' \
    pf st.new verify
cp -a "$M" clean
seqf() { printf '%012d' "$1"; }
rhash() { "$TOOL" texthash <"$M/.pfish/records/$(seqf "$1").rec"; }
# signdel KEY SEQ TIME: a signed delete planted in the store, message gone.
signdel() {
	_h=$(rhash "$2")
	"$TOOL" delete "$MB" "$epoch" "$2" "$_h" "$3" "$(fp "$1")" "$2:$_h" \
	    >d.txt || return 1
	rm -f d.txt.sig
	ssh-keygen -q -Y sign -f "$1" -n pfish-delete-v1 d.txt || return 1
	cat d.txt d.txt.sig >"$M/.pfish/deletes/$(seqf "$2")-$(sha256sum d.txt | cut -c1-16).del"
	rm -f "$M/$(seqf "$2").age"
}
restore() { rm -rf "$M" && cp -a clean "$M"; }
signdel laptop 3 $(($(date +%s) + 60))
expect "a delete the removed laptop signs after its removal: bad-delete" 3 \
    '^bad-delete 3 ' pf st.new2 verify
restore

# --- Root on the fetch host adds a key by hand.
cat mallory.pub >>"$AK"
echo "$(cut -d' ' -f1,2 mallory.pub) root-added" >>out/delete_keys
expect "the server accepts the root-added key's delete" 0 '^deleted 1 ' \
    pfm st.m rm 4
check "message 4 is gone from the store" test ! -e "$M/000000000004.age"
cp st.d1 st.d1.copy
expect "device 1 reports the root-added key's delete (exit 3)" 3 \
    '^bad-delete 4 ' pf st.d1.copy verify
expect "a new device reports it too (exit 3)" 3 '^bad-delete 4 ' \
    pf st.d3 verify
expect "the root-added key's own device reports it too (exit 3)" 3 \
    '^bad-delete 4 ' pfm st.m verify
restore
$KH -c "$SERVER" -o "$T/out" generate "$MB" >/dev/null
grep -v mallory "$AK" >ak.new && cat ak.new >"$AK"

# --- The chain as served, tampered with by root on the fetch host.
AD=$M/.pfish/account
cp st.d1 st.keep
expect "device 1 is at serial 4" 0 '^intact' pf st.d1 verify
check "device 1 remembers account serial 4" grep -q '^account 4 ' st.d1
rm "$AD/000000000004.state"
cp st.d1 st.r
expect "rolled-back chain (serial 4 removed): rollback" 3 \
    '^rollback 0 account chain' pf st.r verify
restore

rm -rf dcopy && cp -a dev dcopy && rm "dcopy/$MB/000000000004.state"
"$A" -r "$T/dcopy" -k "$T/master" add-key "$MB" other mallory.pub fetch \
    >fork.state 2>/dev/null
cp fork.state "$AD/000000000004.state"
cp st.d1 st.f
expect "forked chain (another serial 4, signed by the master): fork" 3 \
    '^fork 0 account chain' pf st.f verify
restore

# A master change signed by device 1's mail key, appended by hand.
rm -rf dcopy && cp -a dev dcopy
"$A" -r "$T/dcopy" -k "$T/master" rotate-master "$MB" evil evil.pub \
    >rot.signed 2>/dev/null
sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' rot.signed |
    sed "s|^key SHA256:.*|key $(ssh-keygen -lf "$USER_KEY.pub" | awk '{print $2}')|" >rot.txt
rm -f rot.txt.sig
ssh-keygen -q -Y sign -f "$USER_KEY" -n pfish-account-v1 rot.txt
cat rot.txt rot.txt.sig >"$AD/000000000005.state"
cp st.d1 st.g
expect "a master change signed by a mail key: forged" 3 \
    '^forged 0 account chain: serial 5' pf st.g verify
expect "... and a new device finds it too" 3 '^forged 0 account chain' \
    pf st.g2 verify
restore

rm -rf "$AD"
cp st.d1 st.w
expect "chain withdrawn after device 1 verified one: downgrade" 3 \
    '^downgrade 0 ' pf st.w verify
expect "pin, but no chain ever served: set-up error (exit 1)" 1 \
    'serves no account chain' pf st.none verify
restore

# --- The store refuses a forked or shorter chain; nothing changes.
sha_tree "$AD" >ad.before
{ cat kh/$MB/000000000001.state kh/$MB/000000000002.state \
    kh/$MB/000000000003.state; cat fork.state; } >forked.chain
expect "store refuses a forked chain" 65 "refused: fork: serial 4" \
    ship forked.chain
cat kh/$MB/000000000001.state kh/$MB/000000000002.state >short.chain
expect "store refuses a shorter chain (replay)" 65 "refused: replay" \
    ship short.chain
cat kh/$MB/000000000001.state kh/$MB/000000000002.state \
    kh/$MB/000000000003.state kh/$MB/000000000004.state rot.txt rot.txt.sig \
    >forged.chain
expect "store refuses a state not signed as the rules say" 65 \
    "refused: serial 5: not signed by a master" ship forged.chain
sha_tree "$AD" >ad.after
check "refused chains leave the store's copy unchanged" cmp -s ad.before ad.after

# --- No pin: exactly as before (trust-file delete keys).
{
	head -1 allowed
	echo "d1 namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
	echo "d2 namespaces=\"pfish-delete-v1\" $(cat laptop.pub)"
} >legacy
expect "no pin, legacy trust file naming both devices: exit 0" 0 '^intact' \
    $PFISH -t 300 -F /dev/null -p "$SSHD_PORT" \
    -o "UserKnownHostsFile=$KNOWN_HOSTS" -T "$T/legacy" -i "$USER_KEY" \
    -s "$T/st.legacy" "$DEST" verify
check "no pin: no account line in the state file" \
    sh -c "! grep -q '^account ' $T/st.legacy"
t_done
