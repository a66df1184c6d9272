# t-sshd.sh: the server behind a real sshd, driven by three SSH stacks.
#
# A throwaway sshd on 127.0.0.1 serves the server under test both as
# "Subsystem pfish" and as "Subsystem sftp".  OpenSSH sftp (-s pfish and
# plain), libssh (obj/interop/libssh-sftp: the pfish subsystem requested
# on a channel) and paramiko (interop/paramiko-sftp.py) each list (exact
# names, sizes, types; also a listing of 1500, many replies long), get
# (byte-identical), fail to open for writing, and remove one message
# (gone, note written).

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
t_need_server

LIBSSH=$PFISH_OBJ/interop/libssh-sftp
PARAMIKO=$PFISH_TOP/interop/paramiko-sftp.py
R=$T/root
MB=$R/mbox
mbox_make "$MB"
SIZES="1:0 2:1 3:300000 4:1048577 5:100 6:200 7:300 8:400"
for s in $SIZES; do
	head -c "${s#*:}" /dev/urandom >"$MB/$(printf '%012d.age' "${s%%:*}")"
done
mbox_invisible "$MB"
mkdir "$T/got"

printf 'Subject: x\n\nSECRET-CONTENT-MARKER\n' >"$MB/000000000010.age"
# pfishlog: the same server logging to stderr; sshd discards a
# subsystem's stderr, so the shell that runs it sends it to a file.
# A mailbox of 1500 messages, for listings that span many replies.
BIG=$R/big
mbox_make "$BIG"
i=1
while [ "$i" -le 1500 ]; do
	echo "$i" >"$BIG/$(printf '%012d.age' "$i")"
	i=$((i + 1))
done
if ! sshd_start "Subsystem pfish $PFISH_SERVER -d $MB" \
    "Subsystem sftp $PFISH_SERVER -d $MB" \
    "Subsystem pfishbig $PFISH_SERVER -d $BIG" \
    "Subsystem pfishlog $PFISH_SERVER -e -l INFO -d $MB 2>>$T/server.log" \
    "Subsystem pfishacc $PFISH_SERVER -e -d $MB 2>>$T/access.log"
then
	notok "sshd-start"
	t_done
fi
ok "sshd-start"
HOST=127.0.0.1

# expect_ls [-l]: the names (with -l: "name size f") that should be
# listed now, sorted.
expect_ls() {
	for f in "$MB"/*.age; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		if [ "${1:-}" = -l ]; then
			echo "$(basename "$f") $(wc -c <"$f") f"
		else
			basename "$f"
		fi
	done | LC_ALL=C sort
}

# got_ls FILE: listing output without sftp's echo, "server version", . ..
got_ls() {
	grep -v -e '^sftp>' -e '^server version' -e '^wopen' "$1" |
	    grep -v -e '^\.\{1,2\}$' -e '^\.\{1,2\} ' | LC_ALL=C sort
}

# cmp_all TAG: every message got into $T/got/TAG.NAME is identical.
cmp_all() {
	_bad=
	for f in "$MB"/*.age; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		cmp -s "$f" "$T/got/$1.$(basename "$f")" ||
		    _bad="$_bad $(basename "$f")"
	done
	[ -z "$_bad" ] || { diag "$1 differs:$_bad"; return 1; }
}

# rm_checked TAG NAME RC: NAME gone, its note written, client said ok.
rm_checked() {
	_seq=${2%.age}
	if [ "$3" -eq 0 ] && [ ! -e "$MB/$2" ] &&
	    [ -f "$MB/.pfish/notes/$_seq.note" ]; then
		ok "$1-rm"
	else
		notok "$1-rm" "rc $3, file $( [ -e "$MB/$2" ] && echo stays ||
		    echo gone), notes: $(ls "$MB/.pfish/notes" | tr '\n' ' ')"
	fi
}

# OpenSSH sftp, both subsystems.
for sub in pfish sftp; do
	tag=openssh-$sub
	if [ "$sub" = pfish ]; then
		sopt="-s pfish"
	else
		sopt=
	fi
	{
		echo "ls -1a"
		for f in $(expect_ls); do
			echo "get $f $T/got/$tag.$f"
		done
	} | timeout 60 sftp $SSH_OPTS -P "$SSHD_PORT" $sopt -b - \
	    "$SSHD_USER@$HOST" >"$T/$tag.out" 2>"$T/$tag.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(got_ls "$T/$tag.out")" = "$(expect_ls)" ]
	then
		ok "$tag-ls"
	else
		notok "$tag-ls" "rc $rc: $(got_ls "$T/$tag.out" | tr '\n' ' ')"
		sed 's/^/# /' "$T/$tag.err" | head -n 5
	fi
	check "$tag-get" cmp_all "$tag"
	echo new >"$T/new.age"
	echo "put $T/new.age 000000000099.age" | timeout 60 sftp $SSH_OPTS \
	    -P "$SSHD_PORT" $sopt -b - "$SSHD_USER@$HOST" >"$T/$tag.put" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && [ ! -e "$MB/000000000099.age" ] &&
	    grep -qi 'denied' "$T/$tag.put"; then
		ok "$tag-put-refused"
	else
		notok "$tag-put-refused" "rc $rc"
	fi
done
echo "rm 000000000005.age" | timeout 60 sftp $SSH_OPTS -P "$SSHD_PORT" \
    -s pfish -b - "$SSHD_USER@$HOST" >"$T/rm.out" 2>&1
rm_checked openssh-pfish 000000000005.age $?

# libssh, requesting the pfish subsystem on its own channel.
if [ -x "$LIBSSH" ]; then
	set -- ls
	for f in $(expect_ls); do
		set -- "$@" get "$f" "$T/got/libssh.$f"
	done
	timeout 60 "$LIBSSH" -p "$SSHD_PORT" -i "$USER_KEY" \
	    -k "$KNOWN_HOSTS" -s pfish -u "$SSHD_USER" "$HOST" "$@" \
	    wopen 000000000001.age wopen 000000000098.age \
	    >"$T/libssh.out" 2>"$T/libssh.err"
	rc=$?
	if [ "$(got_ls "$T/libssh.out")" = "$(expect_ls -l)" ]; then
		ok "libssh-ls"
	else
		notok "libssh-ls" "rc $rc: $(got_ls "$T/libssh.out" |
		    tr '\n' ',')"
		sed 's/^/# /' "$T/libssh.err" | head -n 5
	fi
	check "libssh-get" cmp_all libssh
	if [ "$rc" -eq 0 ] && [ "$(grep -c '^wopen.*error 3$' \
	    "$T/libssh.out")" -eq 2 ] && [ ! -e "$MB/000000000098.age" ]; then
		ok "libssh-write-refused"
	else
		notok "libssh-write-refused" "rc $rc"
		sed 's/^/# /' "$T/libssh.err" | head -n 5
	fi
	timeout 60 "$LIBSSH" -p "$SSHD_PORT" -i "$USER_KEY" \
	    -k "$KNOWN_HOSTS" -u "$SSHD_USER" "$HOST" rm 000000000006.age \
	    >"$T/libssh.rm" 2>&1
	rm_checked libssh 000000000006.age $?
	# The host key check must be real: a wrong known_hosts fails.
	ssh-keygen -q -t ed25519 -N '' -f "$T/other"
	echo "[$HOST]:$SSHD_PORT $(cut -d' ' -f1,2 "$T/other.pub")" \
	    >"$T/other_known"
	if ! timeout 60 "$LIBSSH" -p "$SSHD_PORT" -i "$USER_KEY" \
	    -k "$T/other_known" -u "$SSHD_USER" "$HOST" ls \
	    >"$T/libssh.kh" 2>&1; then
		ok "libssh-hostkey-mismatch-refused"
	else
		notok "libssh-hostkey-mismatch-refused"
	fi
else
	notok "libssh-built" "no $LIBSSH (make builds it)"
fi

# paramiko, invoking the pfish subsystem on a channel.
set -- ls
for f in $(expect_ls); do
	set -- "$@" get "$f" "$T/got/paramiko.$f"
done
timeout 60 "$PY" "$PARAMIKO" -p "$SSHD_PORT" -i "$USER_KEY" \
    -k "$KNOWN_HOSTS" -s pfish -u "$SSHD_USER" "$HOST" "$@" \
    wopen 000000000001.age wopen 000000000098.age \
    >"$T/paramiko.out" 2>"$T/paramiko.err"
rc=$?
if [ "$(got_ls "$T/paramiko.out")" = "$(expect_ls -l)" ]; then
	ok "paramiko-ls"
else
	notok "paramiko-ls" "rc $rc: $(got_ls "$T/paramiko.out" | tr '\n' ',')"
	sed 's/^/# /' "$T/paramiko.err" | tail -n 5
fi
check "paramiko-get" cmp_all paramiko
if [ "$rc" -eq 0 ] && [ "$(grep -c '^wopen.*denied' "$T/paramiko.out")" \
    -eq 2 ] && [ ! -e "$MB/000000000098.age" ]; then
	ok "paramiko-write-refused"
else
	notok "paramiko-write-refused" "rc $rc"
	sed 's/^/# /' "$T/paramiko.err" | tail -n 5
fi
timeout 60 "$PY" "$PARAMIKO" -p "$SSHD_PORT" -i "$USER_KEY" \
    -k "$KNOWN_HOSTS" -u "$SSHD_USER" "$HOST" rm 000000000007.age \
    >"$T/paramiko.rm" 2>&1
rm_checked paramiko 000000000007.age $?

# A listing of many replies (a NAME reply holds a few hundred entries):
# each client gets every name once, in full.
(cd "$BIG" && ls -1 | LC_ALL=C sort) >"$T/big.want"
echo "ls -1" | timeout 60 sftp $SSH_OPTS -P "$SSHD_PORT" -s pfishbig -b - \
    "$SSHD_USER@$HOST" >"$T/big.openssh" 2>&1
check "openssh-ls-1500" test "$(got_ls "$T/big.openssh")" = "$(cat "$T/big.want")"
if [ -x "$LIBSSH" ]; then
	timeout 60 "$LIBSSH" -p "$SSHD_PORT" -i "$USER_KEY" \
	    -k "$KNOWN_HOSTS" -s pfishbig -u "$SSHD_USER" "$HOST" ls \
	    >"$T/big.libssh" 2>&1
	check "libssh-ls-1500" test "$(got_ls "$T/big.libssh" |
	    cut -d' ' -f1)" = "$(cat "$T/big.want")"
fi
timeout 60 "$PY" "$PARAMIKO" -p "$SSHD_PORT" -i "$USER_KEY" \
    -k "$KNOWN_HOSTS" -s pfishbig -u "$SSHD_USER" "$HOST" ls \
    >"$T/big.paramiko" 2>&1
check "paramiko-ls-1500" test "$(got_ls "$T/big.paramiko" | cut -d' ' -f1)" = \
    "$(cat "$T/big.want")"

# The server's log: session with user and client address, one line per
# get and delete, never message content.
printf 'get 000000000010.age %s\nrm 000000000008.age\n' "$T/got/log.10" |
    sftp_batch -s pfishlog >"$T/log.out" 2>&1
rc=$?
# The server may write its session-closed line after sftp exits.
wait_until 60 grep -q 'session closed' "$T/server.log" ||
    diag "no session-closed line in the server's log"
cp "$T/server.log" "$T/log.err"
if [ "$rc" -eq 0 ] && grep -q 'session opened' "$T/log.err" &&
    grep 'session opened' "$T/log.err" | grep -q "127\.0\.0\.1" &&
    grep 'session opened' "$T/log.err" | grep -q "$SSHD_USER"; then
	ok "log-session-user-and-address"
else
	notok "log-session-user-and-address" "rc $rc"
	sed 's/^/# /' "$T/log.err" | head -n 5
fi
if grep -q 000000000010 "$T/log.err" && grep -q 000000000008 "$T/log.err"
then
	ok "log-get-and-delete"
else
	notok "log-get-and-delete"
fi
if [ -s "$T/log.err" ] && ! grep -q SECRET-CONTENT "$T/log.err" &&
    cmp -s "$MB/000000000010.age" "$T/got/log.10"; then
	ok "log-no-content"
else
	notok "log-no-content"
fi

# The access log: at the default level (ERROR) each session still logs
# one start and one end line, "access: ", with the client's address and
# port, the user and what it did (pfish-server(8), the legal-access rule).
printf 'get 000000000010.age %s\n' "$T/got/acc.10" |
    sftp_batch -s pfishacc >"$T/acc.out" 2>&1
rc=$?
wait_until 60 grep -q 'access: end' "$T/access.log" ||
    diag "no access end line in the server's log"
tr -d '\r' <"$T/access.log" >"$T/acc.err"	# stderr lines end in CR LF
re_from="from 127\.0\.0\.1 port [0-9][0-9]* to 127\.0\.0\.1 port $SSHD_PORT"
if [ "$rc" -eq 0 ] &&
    [ "$(grep -c 'access: start' "$T/acc.err")" -eq 1 ] &&
    grep -q "^pfish-server: access: start user $SSHD_USER $re_from\$" \
    "$T/acc.err" &&
    grep -q "^pfish-server: access: end user $SSHD_USER $re_from seconds [0-9]* requests [1-9][0-9]* bytes-in [1-9][0-9]* bytes-read $(wc -c <"$MB/000000000010.age" | tr -d ' ') status 0\$" \
    "$T/acc.err" && [ "$(wc -l <"$T/acc.err")" -eq 2 ]; then
	ok "access-log-start-end"
else
	notok "access-log-start-end" "rc $rc"
	sed 's/^/# /' "$T/acc.err" | head -n 5
fi
# Without SSH_CONNECTION the line says so; -l QUIET logs nothing.
env -u SSH_CONNECTION "$PFISH_SERVER" -e -d "$MB" </dev/null \
    2>"$T/acc2.raw" >/dev/null
tr -d '\r' <"$T/acc2.raw" >"$T/acc2.err"
env -u SSH_CONNECTION "$PFISH_SERVER" -e -l QUIET -d "$MB" </dev/null \
    2>"$T/acc3.err" >/dev/null
if grep -q "access: start user .* from unknown (no SSH_CONNECTION)\$" \
    "$T/acc2.err" && grep -q "access: end user .* from unknown" \
    "$T/acc2.err" && [ ! -s "$T/acc3.err" ]; then
	ok "access-log-no-connection"
else
	notok "access-log-no-connection"
	sed 's/^/# /' "$T/acc2.err" "$T/acc3.err" | head -n 5
fi

# Nothing outside the messages changed: invisible files all still there.
missing=
for n in $INVISIBLE; do
	[ -e "$MB/$n" ] || [ -L "$MB/$n" ] || missing="$missing $n"
done
if [ -z "$missing" ] && [ -f "$MB/sub/000000000002.age" ]; then
	ok "invisible-untouched"
else
	notok "invisible-untouched" "missing:$missing"
fi

t_done
