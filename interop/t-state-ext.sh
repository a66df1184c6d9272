#!/bin/sh
# t-state-ext.sh: pfish-server's pfish-state@pfish and pfish-delete@pfish
# against a real store: 20 000 records paged out completely, and deletes
# signed by ssh-keygen -Y sign accepted or refused by the extension.
#
# Records 1 and 2 come through pfish-signer and pfish-store; statetool
# continues the same chain to 20 000 (signing 20 000 records with the
# library instead of 20 000 process pairs), and pfish-store verify must
# find the result intact before the server is asked anything.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

SIGNER=$PFISH_BIN/pfish-signer
STORE=$PFISH_BIN/pfish-store
SERVER=$PFISH_BIN/pfish-server
STMTTOOL=$PFISH_OBJ/interop/stmttool
STATETOOL=$PFISH_OBJ/interop/statetool
CLIENT="$PY $PFISH_TOP/interop/stateclient.py"
N=20000

cd "$T" || exit 1
mkdir state root
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
ssh-keygen -q -t ed25519 -N '' -C laptop -f laptop
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
ssh-keygen -q -t rsa -b 1024 -N '' -C rsa -f rsakey 2>/dev/null
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "alice-laptop namespaces=\"pfish-delete-v1\" $(cat laptop.pub)"
} >allowed
# The user's authorized_keys: an RSA key (ignored), the laptop with options.
{
	cat rsakey.pub 2>/dev/null
	echo "no-pty,from=\"127.0.0.1\" $(cat laptop.pub)"
} >authorized_keys
ST() { "$STORE" -r "$T/root" -T "$T/allowed" "$@"; }
MB=$T/root/alice
srv() { echo "$SERVER" -e -l error -d "$MB" -k "$T/authorized_keys" "$@"; }
# The server runs over a pipe, not under sshd: it plays a session from
# 127.0.0.1, which the laptop key's from= allows (pfish-server(8) -k).
SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 22"
export SSH_CONNECTION

deliver() {
	echo "age-encryption.org/v1 real $1" >msg
	"$SIGNER" -s "$T/state" record alice "$(wc -c <msg | tr -d ' ')" \
	    "$(sha256sum msg | cut -c1-64)" >rec &&
	    cat rec msg | ST accept alice >/dev/null &&
	    "$SIGNER" -s "$T/state" head alice | ST head alice >/dev/null
}
ST init -u "$(id -un)" alice || notok "init"
deliver 1 && deliver 2 || notok "real deliveries"
start=$(date +%s)
check "statetool writes records 3..$N" "$STATETOOL" "$MB" 3 $N state/signer_key
echo "# store of $N records built in $(($(date +%s) - start)) s"
# pfish-store verify of 20 000 records takes seconds, but minutes under
# ASan; the sanitizer builds skip it (the paging checks still run).
# clang links the sanitizer runtime statically, so look in the binary.
if grep -aq -e __asan_init -e __tsan_init "$STORE" 2>/dev/null; then
	verify() { skip "$1" "pfish-store built with a sanitizer (minutes)"; }
else
	verify() { check "$1" ST verify alice; }
fi
verify "pfish-store verify finds the $N-record store intact"

# Paging: everything once, in order, head first, pages within 256 KiB.
start=$(date +%s)
if $CLIENT pages "$MB" $N -- $(srv) >"$T/out" 2>&1 &&
    grep -q "^pages .* records $N " "$T/out"; then
	ok "all $N records paged out exactly once"
	echo "# $(cat "$T/out") in $(($(date +%s) - start)) s"
else
	notok "all $N records paged out exactly once"; sed 's/^/# /' "$T/out"
fi
pages=$(awk '/^pages/ {print $2}' "$T/out")
check "more than one page ($pages)" test "${pages:-0}" -gt 40
check "listing works under -R" sh -c "$CLIENT pages '$MB' $N -- $(srv -R) >/dev/null"

# Deletes: statement text by stmttool, signature by ssh-keygen -Y sign.
epoch=$(cat "$MB/.pfish/epoch")
rh() { "$STMTTOOL" texthash <"$MB/.pfish/records/$(printf %012d "$1").rec"; }
# mkdel KEY NS OUT SEQ...: a signed delete of SEQs into OUT.
mkdel() {
	key=$1 ns=$2 out=$3; shift 3
	fp=$(ssh-keygen -lf "$key.pub" | awk '{print $2}')
	pairs=
	for s in "$@"; do pairs="$pairs $s:$(rh "$s")"; done
	"$STMTTOOL" delete alice "$epoch" $N "$(rh $N)" "$(date +%s)" "$fp" \
	    $pairs >"$out.txt" || return 1
	rm -f "$out.txt.sig"
	ssh-keygen -q -Y sign -f "$key" -n "$ns" "$out.txt" 2>/dev/null || return 1
	cat "$out.txt" "$out.txt.sig" >"$out"
}
# status FILE [server options]: the status code the server answers.
status() {
	f=$1; shift
	$CLIENT delete "$f" -- $(srv "$@") 2>&1 | awk '/^status/ {print $2}'
}
present() { test -f "$MB/$(printf %012d "$1").age"; }

mkdel laptop pfish-delete-v1 good 7 8 12 || notok "make delete"
delname=$(printf %012d 7)-$(sha256sum good.txt | cut -c1-16).del
check "ssh-keygen-signed delete accepted" test "$(status good)" = 0
check "deleted messages are gone" sh -c "! test -e '$MB/000000000007.age' && ! test -e '$MB/000000000008.age' && ! test -e '$MB/000000000012.age'"
check "neighbours stay" sh -c "test -f '$MB/000000000006.age' && test -f '$MB/000000000009.age' && test -f '$MB/000000000013.age'"
check "statement stored under its name" cmp good "$MB/.pfish/deletes/$delname"
check "records stay" test -f "$MB/.pfish/records/000000000007.rec"
check "stored delete verifies with ssh-keygen -Y verify" sh -c "ssh-keygen -Y verify -f allowed -I alice-laptop -n pfish-delete-v1 -s good.txt.sig <good.txt"
check "replaying the delete is OK" test "$(status good)" = 0
verify "pfish-store verify accepts the store after the delete"

mkdel mallory pfish-delete-v1 evil 9 || notok "make evil delete"
check "key not in authorized_keys: PERMISSION_DENIED" test "$(status evil)" = 3
mkdel laptop pfish-record-v1 wrongns 9 || notok "make wrong-ns delete"
check "wrong namespace: PERMISSION_DENIED" test "$(status wrongns)" = 3
mkdel laptop pfish-delete-v1 ro 9 || notok "make delete 9"
check "-R refuses pfish-delete" test "$(status ro -R)" = 3
sed 's/^mailbox alice$/mailbox bob/' ro.txt >bob.txt
rm -f bob.txt.sig
ssh-keygen -q -Y sign -f laptop -n pfish-delete-v1 bob.txt 2>/dev/null
cat bob.txt bob.txt.sig >bob
check "other mailbox: FAILURE" test "$(status bob)" = 4
check "no key file: PERMISSION_DENIED" sh -c "test \"\$($CLIENT delete ro -- $SERVER -e -l error -d '$MB' -k '$T/nonexistent' | awk '{print \$2}')\" = 3"
check "refused deletes removed nothing" present 9
check "only the accepted statement is stored" test "$(ls "$MB/.pfish/deletes" | wc -l)" -eq 1
check "-S takes the signed delete" test "$(status ro -S)" = 0
check "message 9 gone after -S delete" sh -c "! test -e '$MB/000000000009.age'"

t_done
