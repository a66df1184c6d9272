# demo-client.sh: the pfish client part of `make demo` (sourced by demo.sh).
#
# Steps (call after step_sshd ... step_refused): a signed mailbox made by
# pfish-signer and pfish-store, pfish list / fetch / verify over sshd, a
# decrypted message, then the fetch host's root deletes a message behind
# the user's back and pfish verify names it.  Uses demo.sh's step, say,
# run and expect, and interop/lib.sh's sshd_start.

step_pfish_deliver() {
	step "8. Signed mail: pfish-signer and pfish-store"
	say "Now the real chain: each message gets a record signed by the" \
	    "signer (seq, hash chain, SHA-256 of the .age) and pfish-store" \
	    "accepts it only with a valid record.  The signer also signs a" \
	    "head: the newest seq and its hash, valid for a day."
	SROOT=$T/signed
	SUSER=$(id -un)
	mkdir -p "$SROOT" "$T/signer" "$T/home/.config/pfish"
	ssh-keygen -q -t ed25519 -N '' -C signer -f "$T/signer/key"
	{
		echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\"" \
		    "$(cat "$T/signer/key.pub")"
		echo "laptop namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
	} >"$T/home/.config/pfish/allowed_signers"
	"$PFISH_BIN/pfish-store" -r "$SROOT" \
	    -T "$T/home/.config/pfish/allowed_signers" init "$SUSER" ||
	    exit 1
	for subj in "Train tickets" "Draft contract" "Holiday photos"; do
		printf 'From: bob@example.org\nSubject: %s\n\nSee attached.\n' \
		    "$subj" | age -R "$USER_KEY.pub" -o "$T/m.age" || exit 1
		"$PFISH_BIN/pfish-signer" -k "$T/signer/key" -s "$T/signer" \
		    record "$SUSER" "$(wc -c <"$T/m.age" | tr -d ' ')" \
		    "$(sha256sum "$T/m.age" | cut -c1-64)" >"$T/m.rec" &&
		    cat "$T/m.rec" "$T/m.age" | "$PFISH_BIN/pfish-store" \
		    -r "$SROOT" -T "$T/home/.config/pfish/allowed_signers" \
		    accept "$SUSER" >/dev/null || exit 1
	done
	"$PFISH_BIN/pfish-signer" -k "$T/signer/key" -s "$T/signer" head \
	    "$SUSER" | "$PFISH_BIN/pfish-store" -r "$SROOT" \
	    -T "$T/home/.config/pfish/allowed_signers" head "$SUSER" >/dev/null ||
	    exit 1
	run ls -a "$SROOT/$SUSER" "$SROOT/$SUSER/.pfish/records"
	say "The user's device trusts the signer's key and its own keys, in" \
	    "an ssh-keygen allowed_signers file:"
	run cut -c1-60 "$T/home/.config/pfish/allowed_signers"
}

step_pfish_client() {
	step "9. pfish: list, fetch and verify"
	sshd_stop
	sshd_start "Subsystem pfish $PFISH_SERVER -d $SROOT/%u" || exit 1
	PF="$PFISH_BIN/pfish -F /dev/null -i $USER_KEY -p $SSHD_PORT
	    -o UserKnownHostsFile=$KNOWN_HOSTS"
	export HOME=$T/home
	say "pfish logs in like ssh, fetches the signed state and proves the" \
	    "mailbox intact with one head signature and a hash chain:"
	echo "    \$ pfish $SUSER@127.0.0.1 list"
	$PF "$SUSER@127.0.0.1" list 2>&1 | sed 's/^/      /'
	mkdir -p "$T/laptop"
	echo "    \$ pfish $SUSER@127.0.0.1 fetch -d laptop"
	$PF "$SUSER@127.0.0.1" fetch -d "$T/laptop" 2>&1 | sed 's/^/      /'
	run ls "$T/laptop"
	say "Each file was checked against its signed record before it was" \
	    "kept.  Decrypt one:"
	run age -d -i "$USER_KEY" "$T/laptop/000000000002.age"
	echo "    \$ pfish $SUSER@127.0.0.1 verify"
	$PF "$SUSER@127.0.0.1" verify 2>&1 | sed 's/^/      /'
	expect "pfish verify: intact" $PF "$SUSER@127.0.0.1" verify >/dev/null
}

step_pfish_attack() {
	step "10. The fetch host's root deletes a message"
	say "An attacker with root on the fetch host removes message 3 (and" \
	    "its record, to cover the tracks):"
	run rm "$SROOT/$SUSER/000000000003.age" \
	    "$SROOT/$SUSER/.pfish/records/000000000003.rec"
	echo "    \$ pfish $SUSER@127.0.0.1 verify; echo exit \$?"
	$PF "$SUSER@127.0.0.1" verify >"$T/v.out" 2>&1
	_rc=$?
	sed 's/^/      /' "$T/v.out"
	echo "      exit $_rc"
	expect "pfish verify names the deleted message" \
	    grep -q '^missing 3 ' "$T/v.out"
	expect "pfish verify exits 3" test "$_rc" -eq 3
	say "The signed head says there were three messages and the chain" \
	    "proves which; nothing the server can do hides a deletion."
}
