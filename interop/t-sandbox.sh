#!/bin/sh
# t-sandbox.sh: a confined process cannot leave its mailbox, exec, or open
# sockets; the running pfish-server shows its seccomp filter.
#
# Drives obj/interop/sandbox-probe, which calls sandbox_server() exactly
# as pfish-server does and then tries one thing.  A control run without
# confinement shows that each refused thing is otherwise possible.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

P=$PFISH_OBJ/interop/sandbox-probe
srvpid=
mb=$T/mb

fresh() {	# a mailbox in the store layout
	rm -rf "$mb"
	mkdir -p "$mb/.pfish/records" "$mb/.pfish/tmp" "$mb/.pfish/notes" \
	    "$mb/.pfish/deletes"
	echo one >"$mb/000000000001.age"
	echo two >"$mb/000000000002.age"
	echo record >"$mb/.pfish/records/000000000001.rec"
	echo secret >"$T/outside"
	ln -s "$T/outside" "$mb/000000000003.age"
}

# expect NAME WANT [probe args...]: WANT is the result word or "killed".
expect() {
	name=$1
	want=$2
	shift 2
	out=$("$P" "$@" 2>"$T/err"; echo "rc $?")
	rc=$(echo "$out" | sed -n 's/^rc //p')
	got=$(echo "$out" | sed -n '2p' | cut -d' ' -f2-)
	[ $rc -ge 128 ] && got="killed($((rc - 128)))"
	case "$want" in
	killed) [ $rc -eq 159 ] && got=killed ;;	# SIGSYS
	esac
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		notok "$name" "want '$want', got '$got' (rc $rc) $(head -c 200 "$T/err")"
	fi
}

if [ ! -x "$P" ]; then
	notok sandbox-probe-built "no $P (make builds it)"
	t_done
fi
fresh
status=$("$P" "$mb" read 000000000001.age | sed -n '1s/^confined //p')
echo "# sandbox: $status"
case "$status" in
landlock-*+seccomp*) ok sandbox-landlock-and-seccomp ;;
*)	skip sandbox-landlock-and-seccomp "kernel gives only '$status'" ;;
esac

# Control runs: without confinement every refused thing works.
expect control-read-outside "ok secret" -n "$mb" read "$T/outside"
expect control-create-top "ok" -n "$mb" create 000000000009.age
expect control-socket "ok" -n "$mb" socket-inet
expect control-symlink "ok secret" -n "$mb" read 000000000003.age
expect control-ioctl "ok" -n "$mb" fionread 000000000001.age
fresh

# Read-only-and-remove server (no -w).
expect read-message "ok one" "$mb" read 000000000001.age
expect read-state-tree "ok record" "$mb" read .pfish/records/000000000001.rec
if [ "${status#landlock}" != "$status" ]; then
	expect deny-etc-passwd EACCES "$mb" read /etc/passwd
	expect deny-read-outside EACCES "$mb" read "$T/outside"
	expect deny-dotdot EACCES "$mb" read ../outside
	expect deny-symlink-out EACCES "$mb" read 000000000003.age
	expect deny-create-top EACCES "$mb" create 000000000009.age
	[ -e "$mb/000000000009.age" ] && notok no-file-created-top || \
	    ok no-file-created-top
	expect deny-write-message EACCES "$mb" write 000000000002.age
	expect deny-truncate EACCES "$mb" trunc 000000000002.age
	[ "$(cat "$mb/000000000002.age")" = two ] && ok message-intact || \
	    notok message-intact
	expect deny-create-tmp-ro EACCES "$mb" create .pfish/tmp/t
	expect deny-create-records EACCES "$mb" create .pfish/records/x
	expect deny-mkdir EACCES "$mb" mkdir newdir
	expect mkdir-existing-eexist EEXIST "$mb" mkdir .pfish
else
	for t in etc-passwd dotdot symlink-out create-top write-message \
	    truncate create-tmp-ro create-records mkdir mkdir-existing; do
		skip "deny-$t" "no landlock"
	done
fi
expect unlink-message ok "$mb" unlink 000000000001.age
[ -e "$mb/000000000001.age" ] && notok message-gone || ok message-gone
expect deny-socket-inet EACCES "$mb" socket-inet
expect deny-socket-unix EACCES "$mb" socket-unix
expect deny-ioctl ENOTTY "$mb" fionread 000000000002.age
expect kill-exec killed "$mb" exec /bin/sh -c "touch $T/pwned"
[ -e "$T/pwned" ] && notok exec-did-nothing || ok exec-did-nothing
expect kill-fork killed "$mb" fork
expect kill-signal killed "$mb" kill-parent
expect kill-mmap-exec killed "$mb" mmap-exec
expect syslog-survives ok "$mb" syslog
expect sodium-verify-confined ok "$mb" sodium
case "$status" in
*+sanitizer)
	# LeakSanitizer must still report from inside the sandbox, both to
	# stderr and to a log_path file (as make check-asan sets it).
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS= "$P" "$mb" leak \
	    >/dev/null 2>"$T/leak"
	rc=$?
	grep -q "detected memory leaks" "$T/leak" && [ $rc -ne 0 ] && \
	    ok asan-leak-check-confined || notok asan-leak-check-confined "rc $rc"
	mkdir "$T/san"
	ASAN_OPTIONS=detect_leaks=1:log_path=$T/san/asan UBSAN_OPTIONS= \
	    "$P" "$mb" leak >/dev/null 2>&1
	grep -qs "detected memory leaks" "$T"/san/asan.* && \
	    ok asan-log-path-confined || notok asan-log-path-confined
	;;
esac

# With state writes (-w): a note via .pfish/tmp, nothing anywhere else.
fresh
if [ "${status#landlock}" != "$status" ]; then
	expect write-tmp ok -w "$mb" create .pfish/tmp/n1
	expect rename-tmp-notes ok -w "$mb" rename .pfish/tmp/n1 \
	    .pfish/notes/000000000001.note
	[ "$(cat "$mb/.pfish/notes/000000000001.note")" = x ] && \
	    ok note-written || notok note-written
	expect write-deletes ok -w "$mb" create .pfish/deletes/d1
	expect deny-w-create-top EACCES -w "$mb" create 000000000009.age
	expect deny-w-rename-to-top EACCES -w "$mb" rename \
	    .pfish/deletes/d1 000000000009.age
	expect deny-w-create-records EACCES -w "$mb" create .pfish/records/x
	expect deny-w-head EACCES -w "$mb" create .pfish/head
	expect deny-w-etc EACCES -w "$mb" create "$T/x"
fi

# Tools (pfish-store, pfish-signer): rights on one tree, nothing else.
fresh
if [ "${status#landlock}" != "$status" ]; then
	expect tool-r-read "ok one" -t r "$mb" read 000000000001.age
	expect tool-r-deny-create EACCES -t r "$mb" create .pfish/tmp/x
	expect tool-r-deny-unlink EACCES -t r "$mb" unlink 000000000001.age
	expect tool-rdc-create ok -t rdc "$mb" create .pfish/tmp/x
	expect tool-rdc-rename ok -t rdc "$mb" rename .pfish/tmp/x 000000000009.age
	expect tool-rdc-unlink ok -t rdc "$mb" unlink 000000000009.age
	expect tool-rdc-deny-mkdir EACCES -t rdc "$mb" mkdir newdir
	expect tool-rdcm-mkdir ok -t rdcm "$mb" mkdir newdir
	expect tool-deny-etc EACCES -t rdc "$mb" read /etc/passwd
	expect tool-deny-outside EACCES -t rdc "$mb" create "$T/x"
fi
expect tool-kill-exec killed -t rdc "$mb" exec /bin/true
expect tool-deny-socket EACCES -t rdc "$mb" socket-inet

# /proc shows the filter on a live confined process.
mkfifo "$T/in"
"$P" "$mb" wait <"$T/in" >"$T/wait.out" 2>&1 &
srvpid=$!
echo "$srvpid" >>"$T/.pids"
exec 3>"$T/in"
wait_until 120 grep -qs ready "$T/wait.out" || diag "the probe never said ready"
sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$srvpid/status)
nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/$srvpid/status)
[ "$sc" = 2 ] && ok probe-seccomp-filter-mode || notok probe-seccomp-filter-mode "Seccomp: $sc"
[ "$nnp" = 1 ] && ok probe-no-new-privs || notok probe-no-new-privs "NoNewPrivs: $nnp"
exec 3>&-
wait $srvpid
srvpid=

# The real pfish-server confines itself before reading any request.
S=$PFISH_BIN/pfish-server
if [ ! -x "$S" ]; then
	notok server-seccomp-filter-mode "no $S (make builds it)"
	t_done
fi
fresh
rm -f "$T/in"
mkfifo "$T/in"
"$S" -e -l DEBUG3 -d "$mb" <"$T/in" >/dev/null 2>"$T/srv.err" &
srvpid=$!
echo "$srvpid" >>"$T/.pids"
exec 3>"$T/in"
wait_until 120 grep -qs confined "$T/srv.err" ||
    diag "the server never logged that it is confined"
sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$srvpid/status)
nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/$srvpid/status)
[ "$sc" = 2 ] && ok server-seccomp-filter-mode || \
    notok server-seccomp-filter-mode "Seccomp: $sc; $(head -c 300 "$T/srv.err")"
[ "$nnp" = 1 ] && ok server-no-new-privs || notok server-no-new-privs "NoNewPrivs: $nnp"
if [ "${status#landlock}" = "$status" ]; then
	skip server-landlock "no landlock"
elif grep -q "confined: landlock-" "$T/srv.err"; then
	ok server-landlock
else
	notok server-landlock "$(head -c 300 "$T/srv.err")"
fi
exec 3>&-
wait $srvpid
srvpid=

# -L: where Landlock exists the server runs as before; it only refuses to
# run with less.  (A kernel without Landlock would make it exit 1.)
if [ "${status#landlock}" != "$status" ]; then
	echo ls | sftp -q -b - -D "$S -L -d $mb" >"$T/L.out" 2>&1 &&
	    grep -q '\.age' "$T/L.out" && ok server-L-runs-confined ||
	    notok server-L-runs-confined "$(head -c 300 "$T/L.out")"
else
	"$S" -L -d "$mb" </dev/null >/dev/null 2>&1 &&
	    notok server-L-refuses-without-landlock ||
	    ok server-L-refuses-without-landlock
fi

t_done
