#!/bin/sh
# client-verify.sh: time pfish verify, list and fetch on a large mailbox.
#
# Usage: sh bench/client-verify.sh [COUNT [SIZE]] (defaults 10000, 2000).
# Builds a signed mailbox with obj/bench/mkmailbox, serves it through a
# throwaway sshd with Subsystem pfish, and prints one line per step.
# PFISH_E2E_SERVER overrides the server.  A benchmark, not a test.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
N=${1:-10000}
SIZE=${2:-2000}
SERVER=${PFISH_E2E_SERVER:-$PFISH_BIN/pfish-server}
cd "$T" || exit 1
export HOME=$T/home
mkdir -p home out
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f signer
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat signer.pub)" \
    >allowed
MB=$(id -un)
"$PFISH_OBJ/bench/mkmailbox" signer "$T/mbox" "$MB" "$N" "$SIZE" || exit 1
sshd_start "Subsystem pfish $SERVER -d $T/mbox" || exit 1
P="$PFISH_BIN/pfish -F /dev/null -p $SSHD_PORT -i $USER_KEY
    -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -s $T/state"

step() {	# NAME cmd...: run once, print wall time and exit status
	_n=$1
	shift
	_t0=$(date +%s.%N)
	"$@" >"$T/step.out" 2>&1
	_rc=$?
	_t1=$(date +%s.%N)
	printf '%-44s %8.3f s  exit %d\n' "$_n" \
	    "$(echo "$_t1 - $_t0" | bc)" "$_rc"
}

echo "# $N messages of $SIZE bytes, loopback sshd, $(basename "$SERVER")"
step "verify, first run (hashes every message)" $P "$MB@127.0.0.1" verify
tail -n 1 "$T/step.out" | sed 's/^/# /'
step "verify, second run (only what is new)" $P "$MB@127.0.0.1" verify
step "list" $P "$MB@127.0.0.1" list
rm -f state
step "verify, fresh state, statements only: list" $P "$MB@127.0.0.1" list
step "fetch (download, check, fsync, rename)" $P "$MB@127.0.0.1" fetch \
    -d "$T/out"
echo "# fetched $(ls out | wc -l) files"
