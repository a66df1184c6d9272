# t-sftp-d.sh: OpenSSH sftp(1) in batch mode against the server via -D.
#
# sftp -D runs the server directly on a pipe (no sshd): list, long list,
# get of sizes around sftp's 32 KiB request size and pfish's 256 KiB
# packet limit, rm (file gone, note written), refused writes (each in its
# own batch: non-zero exit, an error message, nothing changed on disk),
# and -R / -S refusing rm.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
t_need_server

R=$T/root
MB=$R/mbox
mbox_make "$MB"
# seq -> size: 0 B, 1 B, 32 KiB-1, 32 KiB, 32 KiB+1, 256 KiB-1, 256 KiB,
# 256 KiB+1, 10 MiB.
SIZES="1:0 2:1 3:32767 4:32768 5:32769 6:262143 7:262144 8:262145 9:10485760"
NAMES=
for s in $SIZES; do
	n=$(printf '%012d.age' "${s%%:*}")
	head -c "${s#*:}" /dev/urandom >"$MB/$n"
	NAMES="$NAMES $n"
done
mbox_invisible "$MB"
mkdir "$T/got"

# sftp_d OUT OPTS <batch: run one sftp batch against a fresh server with
# server options OPTS; stdout in OUT, stderr in OUT.err; returns sftp's
# status.
sftp_d() {
	_out=$1
	shift
	timeout 60 sftp -b - -D "$PFISH_SERVER -d $MB $*" >"$_out" 2>"$_out.err"
}

# names FILE: the names an "ls -1a" printed, without sftp's echo, . and ..
names() {
	grep -v '^sftp>' "$1" | grep -vx '\.' | grep -vx '\.\.' | sort
}

expected() {
	for n in $NAMES; do
		echo "$n"
	done | sort
}

# 1. Listing shows exactly the messages.
sftp_d "$T/ls" <<EOF
ls -1a
EOF
if [ $? -eq 0 ] && [ "$(names "$T/ls")" = "$(expected)" ]; then
	ok "ls-exact-names"
else
	notok "ls-exact-names" "got: $(names "$T/ls" | tr '\n' ' ')"
fi
hidden=
for n in $INVISIBLE; do
	grep -qx -- "$n" "$T/ls" && hidden="$hidden $n"
done
if [ -z "$hidden" ]; then
	ok "ls-hides-invisible"
else
	notok "ls-hides-invisible" "shown:$hidden"
fi

# 2. Long listing: regular files with the right sizes, nothing else.
sftp_d "$T/lsl" <<EOF
ls -la
EOF
rc=$?
bad=
for s in $SIZES; do
	n=$(printf '%012d.age' "${s%%:*}")
	awk -v n="$n" -v z="${s#*:}" '
	    $NF == n && $1 ~ /^-r/ && $5 == z { f = 1 } END { exit !f }' \
	    "$T/lsl" || bad="$bad $n"
done
got=$(grep -v '^sftp>' "$T/lsl" | awk '$NF != "." && $NF != ".." { print $NF }' |
    sort)
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$got" = "$(expected)" ]; then
	ok "ls-l-sizes-and-types"
else
	notok "ls-l-sizes-and-types" "rc $rc, wrong:$bad, names: $(echo $got)"
fi

# 3. get, byte-identical.
{
	for n in $NAMES; do
		echo "get $n $T/got/$n"
	done
} | sftp_d "$T/get"
rc=$?
for s in $SIZES; do
	n=$(printf '%012d.age' "${s%%:*}")
	if [ -f "$T/got/$n" ] && cmp -s "$MB/$n" "$T/got/$n"; then
		ok "get-${s#*:}-bytes"
	else
		notok "get-${s#*:}-bytes" "rc $rc, $(cat "$T/get.err" | head -n 3)"
	fi
done

# 3b. What users type: pwd, globs, cd.
sftp_d "$T/pwd" <<EOF
pwd
EOF
if grep -qx 'Remote working directory: /' "$T/pwd"; then
	ok "pwd-is-root"
else
	notok "pwd-is-root" "$(grep -v '^sftp>' "$T/pwd")"
fi
mkdir "$T/glob"
sftp_d "$T/glob.out" <<EOF
ls -1 0000000000[0-9][1-3].age
get 0000000000[0-9][45].age $T/glob/
get 7*.age $T/glob/
EOF
if [ "$(grep -v '^sftp>' "$T/glob.out" | tr '\n' ' ')" = \
    "000000000001.age 000000000002.age 000000000003.age " ] &&
    [ "$(ls "$T/glob" | tr '\n' ' ')" = \
    "000000000004.age 000000000005.age " ] &&
    cmp -s "$T/glob/000000000005.age" "$MB/000000000005.age"; then
	ok "glob-ls-and-get"
else
	notok "glob-ls-and-get" "$(cat "$T/glob.out" "$T/glob.out.err" |
	    tr '\n' ' ')"
fi
for d in sub 888888888888.age .pfish ..; do
	sftp_d "$T/cd" <<EOF
cd $d
pwd
EOF
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q "directory: /$d" "$T/cd"; then
		ok "cd-refused $d"
	else
		notok "cd-refused $d" "rc $rc $(grep -v '^sftp>' "$T/cd")"
	fi
done

# 4. Invisible things cannot be fetched, listed or removed.
for p in 777777777777.age passwd.age 666666666666.age .hidden.age notes.txt \
    888888888888.age/000000000001.age sub/000000000002.age \
    ../mbox/000000000001.age; do
	rm -f "$T/got/x"
	sftp_d "$T/inv" <<EOF
get $p $T/got/x
EOF
	rc=$?
	if [ "$rc" -ne 0 ] && [ ! -s "$T/got/x" ]; then
		ok "get-refused $p"
	else
		notok "get-refused $p" "rc $rc"
	fi
done
for p in sub 888888888888.age; do
	sftp_d "$T/inv" <<EOF
ls $p
EOF
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q 00000000000 "$T/inv"; then
		ok "ls-refused $p"
	else
		notok "ls-refused $p" "rc $rc"
	fi
done
before=$(sha_tree "$R")
for p in 777777777777.age passwd.age 666666666666.age .hidden.age notes.txt \
    sub/000000000002.age; do
	sftp_d "$T/inv" <<EOF
rm $p
EOF
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(sha_tree "$R")" = "$before" ]; then
		ok "rm-refused $p"
	else
		notok "rm-refused $p" "rc $rc"
	fi
	before=$(sha_tree "$R")
done

# 5. Refused writes, one batch each: non-zero, an error, no change.
refused() {	# NAME BATCH-LINE
	_b=$(sha_tree "$R")
	echo "$2" | sftp_d "$T/w"
	_rc=$?
	if [ "$_rc" -eq 0 ]; then
		notok "refused-$1" "sftp exit 0"
	elif ! grep -Eqi 'denied|unsupported|not support' "$T/w.err"; then
		notok "refused-$1" "message: $(head -n 2 "$T/w.err")"
	elif [ "$(sha_tree "$R")" != "$_b" ]; then
		notok "refused-$1" "disk changed"
	else
		ok "refused-$1"
	fi
}
echo new >"$T/new.age"
refused put-new "put $T/new.age 000000000050.age"
refused put-over "put $T/new.age 000000000001.age"
refused mkdir "mkdir newdir"
refused rmdir "rmdir sub"
refused rename "rename 000000000001.age 000000000051.age"
refused symlink "symlink 000000000001.age 000000000052.age"
refused ln-s "ln -s 000000000001.age 000000000053.age"
refused ln "ln 000000000001.age 000000000054.age"
refused chmod "chmod 600 000000000001.age"
refused chgrp "chgrp 1 000000000001.age"

# 6. rm: the file goes, a note stays, the listing no longer shows it.
sftp_d "$T/rm" <<EOF
rm 000000000002.age
ls -1a
EOF
rc=$?
if [ "$rc" -eq 0 ] && [ ! -e "$MB/000000000002.age" ]; then
	ok "rm-removes"
else
	notok "rm-removes" "rc $rc $(head -n 2 "$T/rm.err")"
fi
if [ -f "$MB/.pfish/notes/000000000002.note" ]; then
	ok "rm-writes-note"
else
	notok "rm-writes-note" "notes: $(ls "$MB/.pfish/notes" 2>&1)"
fi
if ! grep -qx 000000000002.age "$T/rm" && grep -qx 000000000001.age "$T/rm"
then
	ok "rm-listing-after"
else
	notok "rm-listing-after"
fi

# 7. -R and -S refuse rm and leave the file and notes alone.
for o in R S; do
	b=$(sha_tree "$R")
	sftp_d "$T/rm$o" -$o <<EOF
rm 000000000003.age
EOF
	rc=$?
	if [ "$rc" -ne 0 ] && [ -f "$MB/000000000003.age" ] &&
	    [ "$(sha_tree "$R")" = "$b" ] &&
	    grep -Eqi 'denied|unsupported' "$T/rm$o.err"; then
		ok "rm-refused-with-$o"
	else
		notok "rm-refused-with-$o" "rc $rc $(head -n 2 "$T/rm$o.err")"
	fi
	# Reading still works in these modes.
	sftp_d "$T/get$o" -$o <<EOF
get 000000000004.age $T/got/r$o
EOF
	if cmp -s "$MB/000000000004.age" "$T/got/r$o"; then
		ok "get-with-$o"
	else
		notok "get-with-$o"
	fi
done

t_done
