#!/bin/sh
# demo.sh: a guided tour of pfish on loopback (run by `make demo`).
#
# Starts a throwaway sshd on 127.0.0.1 that offers pfish-server as the
# "pfish" subsystem, fills a temp mailbox with age-encrypted messages (and
# files a client must never see), then lists, fetches, decrypts and
# deletes with stock OpenSSH sftp.  Everything lives in one temp dir that
# is removed at the end.  Each step is one function; later parts of pfish
# add steps to the list at the bottom.

. "${PFISH_TOP:-$(pwd)}/interop/lib.sh"

if [ -t 1 ]; then
	B=$(printf '\033[1m')
	N=$(printf '\033[0m')
else
	B=
	N=
fi

# expect MESSAGE CMD...: the tour also checks itself; stop if CMD fails.
expect() {
	_m=$1
	shift
	"$@" && return 0
	echo "demo: FAILED: $_m" >&2
	exit 1
}

# step TITLE: a heading.
step() {
	echo
	echo "${B}==> $*${N}"
}

# say TEXT: explanation.
say() {
	echo "$*" | fold -s -w 76 | sed 's/^/    /'
}

# run CMD...: show the command, run it, indent its output.
run() {
	echo "    \$ $*"
	"$@" 2>&1 | sed 's/^/      /'
}

# sftp_pfish COMMAND...: OpenSSH sftp on the pfish subsystem, as a user
# would type it; each command runs in its own session so its output (or
# error) shows right below it.
sftp_pfish() {
	echo "    \$ sftp -s pfish -P $SSHD_PORT $SSHD_USER@127.0.0.1"
	for _c in "$@"; do
		echo "      sftp> $_c"
		echo "$_c" | sftp $SSH_OPTS -P "$SSHD_PORT" -s pfish -q \
		    -b - "$SSHD_USER@127.0.0.1" 2>&1 | grep -v '^sftp>' |
		    sed 's/^/      /'
	done
}

step_intro() {
	step "pfish demo"
	say "pfish is the fetch side of a privacy-first mail service: mail" \
	    "waits on the server only as age-encrypted .age files, and users" \
	    "list, get and delete them over SSH with any SFTP client." \
	    "pfish-server is the restricted SFTP subsystem that serves them."
	say "Working in $T (removed at the end)."
}

step_keys() {
	step "1. The user's SSH key"
	say "Mail is encrypted to the user's ordinary ssh-ed25519 key; the" \
	    "same key logs in over SSH."
	user_key || exit 1
	run ssh-keygen -l -f "$USER_KEY.pub"
}

step_mailbox() {
	step "2. A mailbox with three messages"
	MB=$T/mail/$(id -un)
	mbox_make "$MB"
	i=1
	for subj in "Lunch on Friday?" "Your invoice" "Meeting notes"; do
		f=$MB/$(printf '%012d.age' $i)
		printf 'From: alice@example.org\nSubject: %s\n\nHello from ' \
		    "$subj" >"$T/msg"
		printf 'message %d.\n' $i >>"$T/msg"
		age -R "$USER_KEY.pub" -o "$f" "$T/msg" || exit 1
		i=$((i + 1))
	done
	rm -f "$T/msg"
	say "Each message is encrypted with the age program:"
	echo "    \$ age -R id_ed25519.pub -o 000000000001.age message"
	say "Also put there: things a client must never see (a symlink to a" \
	    "message, a symlink to /etc/passwd, directories, dotfiles, other" \
	    "names, and pfish's own .pfish directory):"
	mbox_invisible "$MB"
	run ls -la "$MB"
}

step_sshd() {
	step "3. An sshd on 127.0.0.1 with the pfish subsystem"
	sshd_start "Subsystem pfish $PFISH_SERVER -d $T/mail/%u" || {
		echo "demo: sshd did not start" >&2
		exit 1
	}
	say "sshd listens on 127.0.0.1:$SSHD_PORT; the line that matters in" \
	    "its config:"
	grep '^Subsystem' "$T/sshd/sshd_config" | sed 's/^/      /'
}

step_list() {
	step "4. List the mailbox"
	say "Only the regular .age files in the mailbox exist for the client:"
	sftp_pfish "ls -la"
	echo "ls -1a" | sftp $SSH_OPTS -P "$SSHD_PORT" -s pfish -q -b - \
	    "$SSHD_USER@127.0.0.1" 2>&1 | grep -v -e '^sftp>' -e '^\.\.*$' \
	    >"$T/listed"
	expect "exactly three messages listed" test "$(cat "$T/listed")" = \
	    "$(printf '%012d.age\n' 1 2 3)"
}

step_get() {
	step "5. Fetch a message and decrypt it on the user's device"
	mkdir -p "$T/device"
	sftp_pfish "get 000000000001.age $T/device/"
	say "What the server stored (and served) is ciphertext:"
	run head -c 60 "$T/device/000000000001.age"
	echo
	say "Only the user's private key opens it:"
	run age -d -i "$USER_KEY" "$T/device/000000000001.age"
	age -d -i "$USER_KEY" -o "$T/device/1.txt" "$T/device/000000000001.age"
	expect "message 1 decrypts" grep -q 'message 1' "$T/device/1.txt"
}

step_delete() {
	step "6. Delete a message"
	sftp_pfish "rm 000000000002.age" "ls -1"
	say "A plain SFTP remove leaves an unsigned note in the mailbox, so a" \
	    "pfish client can later tell this deletion apart from tampering:"
	run ls "$MB/.pfish/notes"
	expect "000000000002.age is deleted" test ! -e "$MB/000000000002.age"
	expect "a note is left" test -f "$MB/.pfish/notes/000000000002.note"
}

step_refused() {
	step "7. Everything else is refused"
	echo "new mail" >"$T/device/forged.age"
	sftp_pfish "put $T/device/forged.age 000000000004.age" \
	    "get ../../etc/passwd $T/device/passwd" \
	    "get 777777777777.age $T/device/"
	say "Nothing was written, and nothing outside the mailbox was read:"
	run ls "$MB"
	expect "no upload" test ! -e "$MB/000000000004.age"
	expect "no escape" test ! -e "$T/device/passwd"
	expect "no symlink followed" test ! -e "$T/device/777777777777.age"
}

step_done() {
	step "Done"
	say "Stopping sshd and removing $T."
}

if [ ! -x "$PFISH_SERVER" ]; then
	echo "demo: $PFISH_SERVER is not built (run make first)" >&2
	exit 1
fi
t_init
. "$PFISH_TOP/scripts/demo-client.sh"
. "$PFISH_TOP/scripts/demo-account.sh"
for s in intro keys mailbox sshd list get delete refused \
    pfish_deliver pfish_client pfish_rm pfish_account pfish_attack done; do
	"step_$s"
done
