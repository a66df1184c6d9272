#!/bin/sh
# t-sshsig.sh: pfish's SSH signatures, keys and trust files against OpenSSH.
#
# Our signatures must be byte-identical to ssh-keygen -Y sign and verify
# with ssh-keygen -Y verify; signatures ssh-keygen makes (key file,
# passphrase-protected key, ssh-agent, sha256) must verify in pfish; both
# must reject the same forgeries and honour the same validity windows.

set -u
. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

sigtool=$PFISH_OBJ/interop/sigtool
agent_pid=
unset SSH_AUTH_SOCK SSH_AGENT_PID
log=$T/log

# expect NAME yes|no COMMAND...: the command must succeed (yes) or fail
# (no); its output goes to $log, whose tail is shown on a failure.
expect() {
	name=$1 want=$2
	shift 2
	if "$@" >>"$log" 2>&1; then got=yes; else got=no; fi
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		notok "$name" "wanted $want, got $got"
		tail -n 5 "$log" | sed 's/^/#   /'
	fi
}
theirs_verify() {	# SIGNERS PRINCIPAL NS SIG MSG [TIME]
	ssh-keygen -Y verify -f "$1" -I "$2" -n "$3" -s "$4" \
	    ${6:+-Overify-time=$6} <"$5"
}
ours_verify() {		# SIGNERS PRINCIPAL NS SIG MSG [UNIXTIME]
	"$sigtool" verify "$1" "$2" "$3" "$4" ${6:+"$6"} <"$5"
}

if [ ! -x "$sigtool" ]; then
	notok sigtool-built "no $sigtool (make builds it)"
	t_done
fi
cd "$T" || exit 1

# Keys: two plain, one passphrase-protected, one only in the agent.
for k in k1 k2 k3; do
	ssh-keygen -q -t ed25519 -N '' -C "pfish interop $k" -f $k || exit 1
done
ssh-keygen -q -t ed25519 -N 'pfish pass' -C 'pfish interop kp' -f kp || exit 1
printf '#!/bin/sh\necho "pfish pass"\n' >askpass
chmod 700 askpass

# Messages: empty, one byte, text, 100 KB binary.
: >m-empty
printf 'x' >m-byte
printf 'statement record\nversion 1\nmailbox alice\n' >m-text
head -c 102400 /dev/urandom >m-binary

nss="pfish-record-v1 pfish-head-v1 pfish-delete-v1"
{
	echo "# pfish interop trust file"
	echo "alice namespaces=\"pfish-record-v1,pfish-head-v1,pfish-delete-v1\" $(cat k1.pub)"
	echo "bob $(cat k2.pub)"
	echo "carol namespaces=\"pfish-delete-v1\" $(cat kp.pub)"
	echo "dave namespaces=\"pfish-*\" $(cat k3.pub)"
} >signers
echo "alice $(cat k2.pub)" >signers-wrong

# 1. Byte-identical output, and each side verifies the other's.
for m in empty byte text binary; do
	for ns in $nss; do
		n=$m-$ns
		"$sigtool" sign k1 "$ns" <m-$m >ours-$n.sig 2>>"$log"
		ssh-keygen -Y sign -f k1 -n "$ns" <m-$m >theirs-$n.sig 2>>"$log"
		expect "identical-$n" yes cmp ours-$n.sig theirs-$n.sig
		expect "ssh-keygen-verifies-ours-$n" yes \
		    theirs_verify signers alice "$ns" ours-$n.sig m-$m
		expect "ours-verifies-ssh-keygen-$n" yes \
		    ours_verify signers alice "$ns" theirs-$n.sig m-$m
	done
done
# Namespace lengths that make the base64 end exactly on a line boundary.
for n in 37 38 40; do
	ns=$(printf '%*s' $n '' | tr ' ' n)
	"$sigtool" sign k1 "$ns" <m-byte >ours-wrap.sig 2>>"$log"
	ssh-keygen -Y sign -f k1 -n "$ns" <m-byte >theirs-wrap.sig 2>>"$log"
	expect "identical-wrap-namespace-length-$n" yes \
	    cmp ours-wrap.sig theirs-wrap.sig
done
expect "signature-ends-in-newline" yes \
    sh -c '[ "$(tail -c 1 ours-text-pfish-record-v1.sig | od -An -c | tr -d " ")" = "\\n" ]'

# 2. ssh-keygen signatures from other sources.
ssh-keygen -Y sign -O hashalg=sha256 -f k1 -n pfish-delete-v1 <m-text \
    >sha256.sig 2>>"$log"
expect "sha256-made" yes grep -q BEGIN sha256.sig
expect "ours-verifies-sha256" yes \
    ours_verify signers alice pfish-delete-v1 sha256.sig m-text
expect "ours-rejects-sha256-tampered" no \
    ours_verify signers alice pfish-delete-v1 sha256.sig m-byte
SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
    ssh-keygen -Y sign -f kp -n pfish-delete-v1 <m-text >pass.sig 2>>"$log"
expect "ours-verifies-passphrase-key" yes \
    ours_verify signers carol pfish-delete-v1 pass.sig m-text
expect "ours-refuses-encrypted-key" no "$sigtool" sign kp pfish-delete-v1 \
    <m-text
expect "encrypted-key-error-named" yes grep -q "passphrase-protected" "$log"

ssh-agent -a "$T/agent.sock" -s >agent.env 2>>"$log"
agent_pid=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' agent.env)
[ -n "$agent_pid" ] && echo "$agent_pid" >>"$T/.pids"
export SSH_AUTH_SOCK="$T/agent.sock"
expect "agent-add" yes ssh-add k3
expect "agent-add-passphrase-key" yes env SSH_ASKPASS="$T/askpass" \
    SSH_ASKPASS_REQUIRE=force DISPLAY=:0 ssh-add kp </dev/null
rm -f k3 kp			# from now on only the agent can sign
ssh-keygen -Y sign -f k3.pub -n pfish-head-v1 <m-binary >agent.sig 2>>"$log"
ssh-keygen -Y sign -f kp.pub -n pfish-delete-v1 <m-text >agentp.sig 2>>"$log"
unset SSH_AUTH_SOCK
expect "ours-verifies-agent" yes \
    ours_verify signers dave pfish-head-v1 agent.sig m-binary
expect "ours-verifies-agent-passphrase-key" yes \
    ours_verify signers carol pfish-delete-v1 agentp.sig m-text
expect "agent-passphrase-key-same-as-askpass" yes cmp agentp.sig pass.sig
kill "$agent_pid" 2>/dev/null
agent_pid=

# 3. Forgeries: both sides must reject each one.
corrupt() {	# change one base64 character in the signature's last line
	awk 'NR == 5 { c = substr($0, 10, 1); r = (c == "A") ? "B" : "A";
	    $0 = substr($0, 1, 9) r substr($0, 11) } { print }' "$1"
}
sig=ours-text-pfish-record-v1.sig
corrupt $sig >corrupt.sig
head -n 4 $sig >truncated.sig
"$sigtool" sign k1 file <m-text >file-ns.sig 2>>"$log"
"$sigtool" sign k2 pfish-record-v1 <m-text >k2.sig 2>>"$log"
expect "corrupt-differs" no cmp -s corrupt.sig $sig
for who in ours theirs; do
	v=${who}_verify
	expect "$who-rejects-tampered-message" no \
	    $v signers alice pfish-record-v1 $sig m-byte
	expect "$who-rejects-wrong-namespace" no \
	    $v signers alice pfish-head-v1 $sig m-text
	expect "$who-rejects-wrong-key" no \
	    $v signers-wrong alice pfish-record-v1 $sig m-text
	expect "$who-rejects-corrupted-armor" no \
	    $v signers alice pfish-record-v1 corrupt.sig m-text
	expect "$who-rejects-truncated-armor" no \
	    $v signers alice pfish-record-v1 truncated.sig m-text
	expect "$who-rejects-namespace-not-allowed" no \
	    $v signers alice file file-ns.sig m-text
	expect "$who-rejects-other-principal" no \
	    $v signers bob pfish-record-v1 $sig m-text
	expect "$who-accepts-unrestricted-key" yes \
	    $v signers bob pfish-record-v1 k2.sig m-text
done

# 4. Fingerprints and public key lines as ssh-keygen prints them.
for k in k1 k2 k3 kp; do
	want=$(ssh-keygen -lf $k.pub | awk '{ print $2 }')
	got=$("$sigtool" fp $k.pub 2>>"$log" | awk '{ print $1 }')
	expect "fingerprint-$k" yes [ -n "$want" -a "$want" = "$got" ]
done
expect "public-line-from-private" yes \
    sh -c "\"$sigtool\" pub k1 | cmp - k1.pub"

# 5. valid-after / valid-before, at and around the limits.
echo "erin valid-after=\"20300101Z\",valid-before=\"20310101Z\" $(cat k1.pub)" \
    >signers-time
echo "fred valid-after=\"20300101\" $(cat k1.pub)" >signers-local
for c in "20291231235959Z:2029-12-31T23:59:59:no" \
    "20300101000000Z:2030-01-01T00:00:00:yes" \
    "20300601Z:2030-06-01T00:00:00:yes" \
    "20310101000000Z:2031-01-01T00:00:00:yes" \
    "20310101000001Z:2031-01-01T00:00:01:no"; do
	ts=${c%%:*}
	rest=${c#*:}
	want=${rest##*:}
	unix=$(date -u -d "${rest%:*}" +%s)
	expect "theirs-valid-$ts-$want" $want \
	    theirs_verify signers-time erin pfish-record-v1 $sig m-text $ts
	expect "ours-valid-$ts-$want" $want \
	    ours_verify signers-time erin pfish-record-v1 $sig m-text $unix
done
expect "ours-rejects-now-before-valid-after" no \
    ours_verify signers-time erin pfish-record-v1 $sig m-text
# Without Z the time is local: in UTC+2, local midnight is 22:00 UTC.
for c in "20291231215959Z:2029-12-31T21:59:59:no" \
    "20291231220000Z:2029-12-31T22:00:00:yes"; do
	ts=${c%%:*}
	rest=${c#*:}
	want=${rest##*:}
	unix=$(date -u -d "${rest%:*}" +%s)
	expect "theirs-localtime-$ts-$want" $want env TZ=XST-2 ssh-keygen \
	    -Y verify -f signers-local -I fred -n pfish-record-v1 -s $sig \
	    -Overify-time=$ts <m-text
	expect "ours-localtime-$ts-$want" $want env TZ=XST-2 "$sigtool" \
	    verify signers-local fred pfish-record-v1 $sig $unix <m-text
done

# 6. Trust files: other key types skipped, errors name the line.
{
	cat signers
	echo "rsa-user ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7"
	echo "ca-user cert-authority $(cat k2.pub)"
} >signers-mixed
expect "mixed-trust-file-count" yes \
    sh -c "[ \"\$(\"$sigtool\" check signers-mixed)\" = 4 ]"
printf 'x %s\ny namespaces=nope %s\n' "$(cat k1.pub)" "$(cat k1.pub)" \
    >signers-bad
expect "bad-trust-file-rejected" no "$sigtool" check signers-bad
expect "bad-trust-file-names-line" yes grep -q "signers-bad: line 2:" "$log"

t_done
