# demo-account.sh: the account-key part of `make demo` (sourced by demo.sh).
#
# After step_pfish_rm: the devices' trust file pins the account's master
# key instead of listing device keys; a second device is added with one
# signed state change (pfish-account add-key), accepted by the key host,
# shipped to the fetch host (pfish-store account) and served by
# pfish-server; its delete is trusted by the first device with no
# trust-file edit.  Uses demo.sh's step, say, run and expect.

step_pfish_account() {
	step "11. A second device, added by one signed state change"
	say "Which keys may fetch, delete and receive mail is the user's" \
	    "signed intent: a chain of account states signed by a master key" \
	    "the user keeps offline.  The devices' trust file names only the" \
	    "signer and that master key (namespaces=\"pfish-account-v1\"):"
	ssh-keygen -q -t ed25519 -N '' -C master -f "$T/master"
	ssh-keygen -q -t ed25519 -N '' -C phone -f "$T/phone"
	{
		echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\"" \
		    "$(cat "$T/signer/key.pub")"
		echo "$SUSER namespaces=\"pfish-account-v1\" $(cat "$T/master.pub")"
	} >"$TRUST"
	run cut -c1-60 "$TRUST"
	cp "$TRUST" "$T/trust.before"
	ACC=$PFISH_BIN/pfish-account
	KHOST="$ACC -r $T/keyhost"
	mkdir -p "$T/keyhost" "$T/device" "$T/gen"
	say "The user creates the account (serial 1) and adds the laptop" \
	    "(serial 2); each state is uploaded to the key host, which" \
	    "accepts it only if it chains from the last one (in production" \
	    "an ssh forced command):"
	echo "    \$ pfish-account -k master -U 'ssh keyhost pfish-account" \
	    "accept $SUSER' init $SUSER main"
	$ACC -r "$T/device" -k "$T/master" -U "$KHOST accept $SUSER" \
	    init "$SUSER" main 2>&1 | sed 's/^/      /'
	echo "    \$ pfish-account -k master -U ... add-key $SUSER laptop" \
	    "id_ed25519.pub fetch,delete,recipient"
	$ACC -r "$T/device" -k "$T/master" -U "$KHOST accept $SUSER" \
	    add-key "$SUSER" laptop "$USER_KEY.pub" fetch,delete,recipient \
	    2>&1 | sed 's/^/      /'
	demo_publish
	say "Now the phone: one signed state change, nothing else."
	echo "    \$ pfish-account -k master -U ... add-key $SUSER phone" \
	    "phone.pub fetch,delete"
	$ACC -r "$T/device" -k "$T/master" -U "$KHOST accept $SUSER" \
	    add-key "$SUSER" phone "$T/phone.pub" fetch,delete 2>&1 |
	    sed 's/^/      /'
	expect "the key host accepted serial 3" \
	    test -f "$T/keyhost/$SUSER/000000000003.state"
	demo_publish
	say "The phone deletes message 2 with its own key:"
	echo "    \$ pfish -i phone $SUSER@127.0.0.1 rm 2"
	$PF -i "$T/phone" -s "$T/phone.state" "$SUSER@127.0.0.1" rm 2 2>&1 |
	    sed 's/^/      /'
	expect "message 2 is gone" test ! -e "$SROOT/$SUSER/000000000002.age"
	say "The laptop verifies: the phone's delete is signed by a key the" \
	    "verified account chain gives the delete right, so it is trusted" \
	    "with no edit of the laptop's trust file:"
	echo "    \$ pfish $SUSER@127.0.0.1 verify; echo exit \$?"
	$PF "$SUSER@127.0.0.1" verify >"$T/v.out" 2>&1
	_rc=$?
	sed 's/^/      /' "$T/v.out"
	echo "      exit $_rc"
	expect "the laptop's pfish verify exits 0" test "$_rc" -eq 0
	expect "the trust file is unchanged" cmp -s "$TRUST" "$T/trust.before"
	say "A key root adds on the fetch host is in no signed state: no" \
	    "device trusts its deletes."
}

# demo_publish: the fetch host takes the chain and regenerates its files.
demo_publish() {
	say "The chain goes to the fetch host's store, which checks every" \
	    "state the same way; pfish-server's files are generated from the" \
	    "last verified state, and pfish-server serves the chain to the" \
	    "devices:"
	echo "    \$ pfish-account chain $SUSER | ssh fetchhost pfish-store" \
	    "account $SUSER"
	$KHOST chain "$SUSER" | "$PFISH_BIN/pfish-store" -r "$SROOT" \
	    -T "$TRUST" account "$SUSER" 2>&1 | sed 's/^/      /'
	echo "    \$ pfish-account -o gen generate $SUSER"
	$KHOST -c "$PFISH_SERVER -d $SROOT/$SUSER -k $T/gen/delete_keys" \
	    -o "$T/gen" generate "$SUSER" 2>&1 | sed 's/^/      /'
	say "The fetch host installs the generated authorized_keys (each key" \
	    "restricted to pfish-server) and delete-key list:"
	sshd_stop
	sshd_start "Subsystem pfish $PFISH_SERVER -d $SROOT/%u -k $T/gen/delete_keys" ||
	    exit 1
	cp "$T/gen/authorized_keys" "$T/sshd/authorized_keys"
	run cut -c1-72 "$T/sshd/authorized_keys"
	PF="$PFISH_BIN/pfish -F /dev/null -i $USER_KEY -p $SSHD_PORT
	    -o UserKnownHostsFile=$KNOWN_HOSTS"
}
