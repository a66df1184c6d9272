#!/bin/sh
# t-statements.sh: pfish's statements and stock ssh-keygen -Y agree.
#
# Records and heads from pfish-signer and deletes signed by pfish verify
# with ssh-keygen -Y verify; deletes signed by ssh-keygen -Y sign (plain
# and passphrase-protected keys) verify in pfish; tampered, wrong
# namespace and untrusted-key statements are rejected by both.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

TOOL=$PFISH_OBJ/interop/stmttool
SIGNER=$PFISH_BIN/pfish-signer
# refuse NAME cmd...: ok when cmd fails.
refuse() { n=$1; shift; if "$@" >"$T/out" 2>&1; then notok "$n" "accepted"; else ok "$n"; fi; }

# text FILE: the statement text (up to the armor); sig FILE: the armor.
text() { sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1"; }
sig() { sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' "$1"; }
# sshverify SIGNED NS [TRUST]: ssh-keygen -Y verify on a signed statement.
sshverify() {
	text "$1" >"$T/v.txt"; sig "$1" >"$T/v.sig"
	ssh-keygen -Y verify -f "${3:-$T/allowed}" -I "${4:-signer}" -n "$2" \
	    -s "$T/v.sig" <"$T/v.txt"
}

cd "$T" || exit 1
mkdir state
ssh-keygen -q -t ed25519 -N '' -C signer -f state/signer_key
ssh-keygen -q -t ed25519 -N '' -C laptop -f laptop
ssh-keygen -q -t ed25519 -N 'correct horse' -C phone -f phone
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
{
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat state/signer_key.pub)"
	echo "alice-laptop namespaces=\"pfish-delete-v1\" $(cat laptop.pub)"
	echo "alice-phone namespaces=\"pfish-delete-v1\" $(cat phone.pub)"
} >allowed

sha=$(printf 'hello' | sha256sum | cut -c1-64)
check "signer record" sh -c "'$SIGNER' -s state record alice 5 $sha >rec1"
sha2=$(printf 'world!' | sha256sum | cut -c1-64)
check "signer second record" sh -c "'$SIGNER' -s state record alice 6 $sha2 >rec2"
check "signer head" sh -c "'$SIGNER' -s state head alice >head"
check "record verifies with ssh-keygen" sshverify rec1 pfish-record-v1
check "chained record verifies with ssh-keygen" sshverify rec2 pfish-record-v1
check "head verifies with ssh-keygen" sshverify head pfish-head-v1
check "record verifies in pfish" sh -c "'$TOOL' verify record allowed <rec1"
check "head verifies in pfish" sh -c "'$TOOL' verify head allowed <head"
h1=$("$TOOL" texthash <rec1)
h2=$("$TOOL" texthash <rec2)
check "record 2 chains to record 1" grep -qx "prev $h1" rec2
check "head commits to record 2" grep -qx "highhash $h2" head
check "same size and sha256 re-prints the record" sh -c \
    "'$SIGNER' -s state record alice 6 $sha2 | cmp -s - rec2"

epoch=$(sed -n 's/^epoch //p' rec1)
fpl=$(ssh-keygen -lf laptop.pub | awk '{print $2}')
fpp=$(ssh-keygen -lf phone.pub | awk '{print $2}')
fpm=$(ssh-keygen -lf mallory.pub | awk '{print $2}')
"$TOOL" delete alice "$epoch" 2 "$h2" 1764000000 "$fpl" "1:$h1" >del.txt
"$TOOL" delete alice "$epoch" 2 "$h2" 1764000000 "$fpp" "2:$h2" >delp.txt
"$TOOL" delete alice "$epoch" 2 "$h2" 1764000000 "$fpm" "1:$h1" >delm.txt
check "pfish signs a delete" sh -c "'$TOOL' sign delete laptop <del.txt >del.pfish"
check "pfish delete verifies with ssh-keygen" sshverify del.pfish \
    pfish-delete-v1 allowed alice-laptop
# Stock OpenSSH signs the same text; Ed25519 is deterministic.
ssh-keygen -q -Y sign -f laptop -n pfish-delete-v1 del.txt 2>/dev/null
cat del.txt del.txt.sig >del.ssh
check "ssh-keygen delete verifies in pfish" sh -c "'$TOOL' verify delete allowed <del.ssh"
check "pfish and ssh-keygen signatures are identical" cmp -s del.ssh del.pfish
# A passphrase-protected key signs through ssh-keygen (passphrase on tty
# normally; here via SSH_ASKPASS).
printf '#!/bin/sh\necho "correct horse"\n' >askpass
chmod +x askpass
SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
    ssh-keygen -q -Y sign -f phone -n pfish-delete-v1 delp.txt \
    </dev/null >/dev/null 2>&1
cat delp.txt delp.txt.sig >delp.ssh 2>/dev/null
check "passphrase-key delete verifies in pfish" sh -c "'$TOOL' verify delete allowed <delp.ssh"
# ssh-agent holding the key.
eval "$(ssh-agent -s)" >/dev/null
[ -n "${SSH_AGENT_PID:-}" ] && echo "$SSH_AGENT_PID" >>"$T/.pids"
SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
    ssh-add -q phone </dev/null >/dev/null 2>&1
rm -f delp.txt.sig
ssh-keygen -q -Y sign -f phone.pub -n pfish-delete-v1 delp.txt >/dev/null 2>&1
cat delp.txt delp.txt.sig >delagent.ssh 2>/dev/null
ssh-agent -k >/dev/null 2>&1
SSH_AGENT_PID=
check "agent-signed delete verifies in pfish" sh -c "'$TOOL' verify delete allowed <delagent.ssh"
check "agent signature equals key-file signature" cmp -s delagent.ssh delp.ssh

# Tampering: one character of the text.
sed 's/^time 1764000000$/time 1764000001/' del.ssh >del.tampered
refuse "tampered delete rejected by pfish" sh -c "'$TOOL' verify delete allowed <del.tampered"
refuse "tampered delete rejected by ssh-keygen" sshverify del.tampered pfish-delete-v1 allowed alice-laptop
sed 's/^size 5$/size 6/' rec1 >rec.tampered
refuse "tampered record rejected by pfish" sh -c "'$TOOL' verify record allowed <rec.tampered"
refuse "tampered record rejected by ssh-keygen" sshverify rec.tampered pfish-record-v1
# Wrong namespace: a record text signed as a head, and a delete as a record.
text rec1 >rec1.txt
ssh-keygen -q -Y sign -f state/signer_key -n pfish-head-v1 rec1.txt
cat rec1.txt rec1.txt.sig >rec.wrongns
refuse "record under head namespace rejected by pfish" sh -c "'$TOOL' verify record allowed <rec.wrongns"
refuse "record under head namespace rejected by ssh-keygen" sshverify rec.wrongns pfish-record-v1
refuse "delete as record rejected by pfish" sh -c "'$TOOL' verify record allowed <del.ssh"
# A key allowed only for deletes cannot sign records, and vice versa.
rm -f rec1.txt.sig
ssh-keygen -q -Y sign -f laptop -n pfish-record-v1 rec1.txt
cat rec1.txt rec1.txt.sig >rec.laptop
refuse "record by delete-only key rejected by pfish" sh -c "'$TOOL' verify record allowed <rec.laptop"
refuse "record by delete-only key rejected by ssh-keygen" sshverify rec.laptop pfish-record-v1 allowed alice-laptop
# Untrusted key.
ssh-keygen -q -Y sign -f mallory -n pfish-delete-v1 delm.txt
cat delm.txt delm.txt.sig >delm.ssh
refuse "untrusted delete rejected by pfish" sh -c "'$TOOL' verify delete allowed <delm.ssh"
refuse "untrusted delete rejected by ssh-keygen" sshverify delm.ssh pfish-delete-v1 allowed alice-laptop
# Key field naming another key than the signer's.
"$TOOL" delete alice "$epoch" 2 "$h2" 1764000000 "$fpp" "1:$h1" >delx.txt
ssh-keygen -q -Y sign -f laptop -n pfish-delete-v1 delx.txt
cat delx.txt delx.txt.sig >delx.ssh
refuse "delete whose key field names another key rejected by pfish" sh -c "'$TOOL' verify delete allowed <delx.ssh"

# The worked example in pfish-state(5) verifies as printed.
MAN=$PFISH_TOP/man/pfish-state.5
if [ -f "$MAN" ]; then
	awk -v dir="$T" '
	    /^\.Bd -literal/ { n++; f = dir "/man" n; printf "" >f; inb = 1; next }
	    /^\.Ed/ { inb = 0; close(f); next }
	    inb { sub(/^\\&/, ""); print >>f }' "$MAN"
	for f in man*; do
		case "$(head -1 "$f")" in
		"signer namespaces="*AAAA*) cp "$f" man.allowed ;;
		"statement record") grep -q "^seq 1$" "$f" && cp "$f" man.record.txt ;;
		"-----BEGIN SSH SIGNATURE-----") cp "$f" man.record.sig ;;
		"statement head") grep -q BEGIN "$f" && cp "$f" man.head ;;
		"statement void") grep -q BEGIN "$f" && cp "$f" man.void ;;
		esac
	done
	check "pfish-state(5) example record verifies with ssh-keygen" \
	    sh -c "ssh-keygen -Y verify -f man.allowed -I signer -n pfish-record-v1 -s man.record.sig <man.record.txt"
	check "pfish-state(5) example head verifies with ssh-keygen" sshverify man.head pfish-head-v1 man.allowed
	check "pfish-state(5) example head commits to the record" \
	    grep -qx "highhash $(sha256sum man.record.txt | cut -c1-64)" man.head
	check "pfish-state(5) example record verifies in pfish" \
	    sh -c "cat man.record.txt man.record.sig | '$TOOL' verify record man.allowed"
	check "pfish-state(5) example void verifies with ssh-keygen" sshverify man.void pfish-record-v1 man.allowed
	check "pfish-state(5) example void names the record" \
	    grep -qx "hash $(sha256sum man.record.txt | cut -c1-64)" man.void
fi

t_done
