# demo-client.sh: the signed-mail part of `make demo` (sourced by demo.sh).
#
# Steps (after step_sshd ... step_refused): mail delivered by pfish-deliver
# through pfish-signer and pfish-store, pfish list / fetch --decrypt into a
# Maildir / verify over sshd, a signed delete, then the fetch host's root
# deletes a message behind the user's back and pfish verify names it.
# Uses demo.sh's step, say, run and expect, and interop/lib.sh's sshd.

step_pfish_deliver() {
	step "8. Signed delivery: pfish-deliver, pfish-signer, pfish-store"
	say "Now the real chain.  The mail server hands each message to" \
	    "pfish-deliver, which encrypts it (age, in C) to the user's keys," \
	    "asks pfish-signer for a record (seq, hash chain, SHA-256 of the" \
	    ".age; signed) and gives both to pfish-store, which stores the" \
	    "message only with a valid record.  Here all three run locally;" \
	    "in production they are ssh forced commands."
	SROOT=$T/signed
	SUSER=$(id -un)
	TRUST=$T/home/.config/pfish/allowed_signers
	mkdir -p "$SROOT" "$T/signer" "$T/home/.config/pfish"
	ssh-keygen -q -t ed25519 -N '' -C signer -f "$T/signer/key"
	{
		echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\"" \
		    "$(cat "$T/signer/key.pub")"
		echo "laptop namespaces=\"pfish-delete-v1\" $(cat "$USER_KEY.pub")"
	} >"$TRUST"
	cp "$USER_KEY.pub" "$T/recipients"
	"$PFISH_BIN/pfish-store" -r "$SROOT" -T "$TRUST" init "$SUSER" ||
	    exit 1
	SIGNER="$PFISH_BIN/pfish-signer -k $T/signer/key -s $T/signer"
	STORE="$PFISH_BIN/pfish-store -r $SROOT -T $TRUST"
	echo "    \$ pfish-deliver -r recipients -S 'pfish-signer ...'" \
	    "-A 'pfish-store ...' $SUSER < message"
	for subj in "Train tickets" "Draft contract" "Holiday photos"; do
		printf 'From: bob@example.org\nTo: %s@example.org\nSubject: %s\n\nSee attached.\n' \
		    "$SUSER" "$subj" | "$PFISH_BIN/pfish-deliver" \
		    -r "$T/recipients" -d "$T/spool" -S "$SIGNER" -A "$STORE" \
		    "$SUSER" 2>&1 | sed 's/^/      /'
		expect "delivery of '$subj'" test -s \
		    "$SROOT/$SUSER/$(printf '%012d' \
		    "$(ls "$SROOT/$SUSER" | grep -c '\.age$')").age"
	done
	say "On a timer (cron) the signer also signs a head: the newest seq" \
	    "and its hash, valid for a day, so a frozen server is caught:"
	echo "    \$ pfish-signer head $SUSER | pfish-store head $SUSER"
	$SIGNER head "$SUSER" | $STORE head "$SUSER" >/dev/null || exit 1
	run ls -a "$SROOT/$SUSER" "$SROOT/$SUSER/.pfish/records"
	say "The user's device trusts the signer's key and its own keys, in" \
	    "an ssh-keygen allowed_signers file:"
	run cut -c1-60 "$TRUST"
}

step_pfish_client() {
	step "9. pfish: list, fetch into a Maildir, verify"
	sshd_stop
	sshd_start "Subsystem pfish $PFISH_SERVER -d $SROOT/%u -k $T/sshd/authorized_keys" ||
	    exit 1
	PF="$PFISH_BIN/pfish -F /dev/null -i $USER_KEY -p $SSHD_PORT
	    -o UserKnownHostsFile=$KNOWN_HOSTS"
	export HOME=$T/home
	say "pfish logs in like ssh, fetches the signed state and proves the" \
	    "mailbox intact with one head signature and a hash chain:"
	echo "    \$ pfish $SUSER@127.0.0.1 list"
	$PF "$SUSER@127.0.0.1" list 2>&1 | sed 's/^/      /'
	say "fetch checks every file against its signed record before it is" \
	    "kept, then decrypts it into a Maildir any mail reader opens:"
	mkdir -p "$T/laptop"
	echo "    \$ pfish $SUSER@127.0.0.1 fetch -d laptop --decrypt" \
	    "--maildir Maildir"
	$PF "$SUSER@127.0.0.1" fetch -d "$T/laptop" --decrypt \
	    --maildir "$T/Maildir" 2>&1 | sed 's/^/      /'
	run ls "$T/laptop" "$T/Maildir/new"
	expect "three messages in the Maildir" \
	    test "$(ls "$T/Maildir/new" | wc -l)" -eq 3
	_mf=$(grep -l 'Draft contract' "$T/Maildir/new"/* | head -n 1)
	expect "the Maildir holds the plaintext" test -n "$_mf"
	run cat "$_mf"
	echo "    \$ pfish $SUSER@127.0.0.1 verify"
	$PF "$SUSER@127.0.0.1" verify 2>&1 | sed 's/^/      /'
	expect "pfish verify: intact" $PF "$SUSER@127.0.0.1" verify >/dev/null
}

step_pfish_rm() {
	step "10. A signed delete"
	say "The user deletes message 1.  pfish signs a delete statement with" \
	    "the user's own key (the server cannot forge one) and the server" \
	    "stores it before it unlinks the file:"
	echo "    \$ pfish $SUSER@127.0.0.1 rm 1"
	$PF "$SUSER@127.0.0.1" rm 1 2>&1 | sed 's/^/      /'
	expect "message 1 is gone" test ! -e "$SROOT/$SUSER/000000000001.age"
	run ls "$SROOT/$SUSER/.pfish/deletes"
	echo "    \$ pfish $SUSER@127.0.0.1 list"
	$PF "$SUSER@127.0.0.1" list 2>&1 | sed 's/^/      /'
	expect "pfish verify: still intact" \
	    $PF "$SUSER@127.0.0.1" verify >/dev/null
}

step_pfish_attack() {
	step "12. The fetch host's root deletes a message"
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
	    "proves which; message 1 was deleted by the user's signature, so" \
	    "only message 3 is reported.  Nothing the server can do hides a" \
	    "deletion."
}
