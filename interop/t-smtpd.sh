#!/bin/sh
# t-smtpd.sh: the documented deployment, end to end, with the real
# OpenSMTPD.  smtpd runs in the foreground on a loopback port with
# examples/smtpd.conf; Python's smtplib sends mail (non-ASCII headers,
# raw UTF-8 headers, dot lines, a 6 MiB attachment); smtpd hands each
# message to pfish-deliver as the dedicated user, which reaches
# pfish-signer and pfish-store through ssh forced commands on a real sshd
# with examples/ssh_config; pfish-heads signs the heads; pfish fetch
# --decrypt --maildir over the same sshd fetches the mail, and every
# message must be exactly what was sent (after smtpd's Received: line).
#
# The configuration files are the shipped examples, changed only in
# paths, ports and the names of the throwaway users (created for this
# run and removed at exit).  smtpd's queue (/var/spool) and control
# socket (/run) are bind mounts of temp directories in a private mount
# namespace, so a system MTA is neither used nor disturbed.  Needs root.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

NAME=smtpd
for p in pfish pfish-deliver pfish-signer pfish-store pfish-server; do
	if [ ! -x "$PFISH_BIN/$p" ]; then
		skip $NAME "not built yet: $p"
		t_done
	fi
done
[ "$(id -u)" -eq 0 ] || { skip $NAME "needs root (test users, smtpd)"; t_done; }
for c in /usr/sbin/smtpd /usr/sbin/smtpctl unshare nsenter runuser useradd userdel groupadd; do
	command -v "$c" >/dev/null 2>&1 ||
	    { skip $NAME "$c missing (scripts/deps.sh installs opensmtpd)"; t_done; }
done
unshare -m --propagation private true 2>/dev/null ||
    { skip $NAME "no private mount namespace (unshare -m)"; t_done; }

# Throwaway users in the documented roles: pfdeliver runs pfish-deliver,
# pfsigner the signer, pfstore (primary group pfish) the store; $UA is the
# mailbox owner.  Unique per run, removed at exit.
id=$$
UD=pfd${id}d UG=pfd${id}g US=pfd${id}s UT=pfd${id}t UA=pfd${id}a
UB=pfd${id}b
made_users=
users_cleanup() {
	for u in $made_users; do
		userdel "$u" >/dev/null 2>&1
	done
	getent group "$UG" >/dev/null && groupdel "$UG" >/dev/null 2>&1
}
trap 'users_cleanup; t_cleanup' EXIT

chmod 711 "$T"			# the users reach their files below it
cd "$T" || exit 1
PFX=$T/usr/local		# PREFIX
ETC=$T/etc/pfish
SPOOL=$T/var/spool/pfish-deliver
SIGNDIR=$T/var/lib/pfish-signer
STOREROOT=$T/var/pfish
SM=$T/smtpd
mkdir -p "$PFX/bin" "$PFX/libexec" "$ETC/recipients" "$T/var/spool" \
    "$T/var/lib" "$SM/spool" "$SM/run" "$SM/origrun" "$T/home" sent ||
    exit 1
for p in pfish pfish-signer pfish-store; do
	install -m 755 "$PFISH_BIN/$p" "$PFX/bin/" || exit 1
done
for p in pfish-deliver pfish-server; do
	install -m 755 "$PFISH_BIN/$p" "$PFX/libexec/" || exit 1
done
sed -e "s|/usr/local|$PFX|g" -e "s|/var/lib/pfish-signer|$SIGNDIR|g" \
    "$PFISH_TOP/scripts/pfish-heads.sh" >"$PFX/libexec/pfish-heads" &&
    chmod 755 "$PFX/libexec/pfish-heads" || exit 1

# The documented step: group pfish, the three service users; the signer
# and store accounts need a shell for their forced commands, pfdeliver
# none (smtpd runs the mda with /bin/sh itself).
groupadd -r "$UG" || { notok "groupadd"; t_done; }
mkuser() {	# NAME HOME SHELL [useradd options]
	_u=$1 _h=$2 _s=$3
	shift 3
	useradd -r -M -d "$_h" -s "$_s" "$@" "$_u" ||
	    { notok "useradd $_u"; t_done; }
	made_users="$made_users $_u"
	# Not locked: this sshd runs without PAM and refuses locked accounts.
	usermod -p '*' "$_u" || { notok "usermod $_u"; t_done; }
}
mkuser "$UD" "$SPOOL" /usr/sbin/nologin -U
mkuser "$US" "$SIGNDIR" /bin/sh -U
mkuser "$UT" "$T/home/$UT" /bin/sh -g "$UG"
mkuser "$UA" "$T/home/$UA" /bin/sh -U
mkuser "$UB" "$T/home/$UA" /bin/sh -U
install -d -o "$UT" -g "$UG" -m 700 "$T/home/$UT"
install -d -o "$UA" -g "$UA" -m 700 "$T/home/$UA"

# Incoming host: spool 0700 and deliver key 0400, both pfdeliver's alone.
install -d -o "$UD" -g "$UD" -m 700 "$SPOOL"
ssh-keygen -q -t ed25519 -N '' -C deliver -f "$ETC/deliver_key" || exit 1
chown "$UD:$UD" "$ETC/deliver_key" && chmod 400 "$ETC/deliver_key"
user_key || exit 1
install -m 644 "$USER_KEY.pub" "$ETC/recipients/$UA"
# Signer host: state directory and signing key, pfsigner's alone; its own
# key for the head job.
install -d -o "$US" -g "$US" -m 700 "$SIGNDIR" "$SIGNDIR/.ssh"
runuser -u "$US" -- ssh-keygen -q -t ed25519 -N '' -C signer \
    -f "$SIGNDIR/signer_key" || exit 1
runuser -u "$US" -- ssh-keygen -q -t ed25519 -N '' -C heads \
    -f "$SIGNDIR/.ssh/id_ed25519" || exit 1
# Fetch host: the trust file, the store root (group pfish may list it,
# users only traverse), the mailbox.
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat "$SIGNDIR/signer_key.pub")" \
    >"$ETC/allowed_signers"
install -d -o root -g "$UG" -m 751 "$STOREROOT"
STORE="$PFX/bin/pfish-store -r $STOREROOT -T $ETC/allowed_signers"
$STORE init -g "$UG" "$UA" || { notok "pfish-store init"; t_done; }

# The forced-command accounts, as pfish-signer(8) and pfish-store(8) say.
mkdir -p "$T/ak"
echo "restrict,command=\"$PFX/bin/pfish-signer -s $SIGNDIR\" $(cat "$ETC/deliver_key.pub")" \
    >"$T/ak/$US"
{
	echo "restrict,command=\"$STORE\" $(cat "$ETC/deliver_key.pub")"
	echo "restrict,command=\"$STORE\" $(cat "$SIGNDIR/.ssh/id_ed25519.pub")"
} >"$T/ak/$UT"
sshd_start "Subsystem pfish $PFX/libexec/pfish-server -l INFO -d $STOREROOT/%u" \
    "Match User $US,$UT" "	AuthorizedKeysFile $T/ak/%u" ||
    { notok "sshd"; t_done; }
install -m 644 "$KNOWN_HOSTS" "$ETC/known_hosts"

# examples/ssh_config for pfdeliver; the same shape for the head job.
sshconf() {	# KEY
	sed -e "s|sign.example.org|127.0.0.1|; s|fetch.example.org|127.0.0.1|" \
	    -e "s|User pfsigner|User $US\\
	Port $SSHD_PORT|" -e "s|User pfstore|User $UT\\
	Port $SSHD_PORT|" -e "s|/etc/pfish/deliver_key|@KEY@|" \
	    -e "s|/etc/pfish/|$ETC/|g" -e "s|@KEY@|$1|" \
	    "$PFISH_TOP/examples/ssh_config"
}
sshconf "$ETC/deliver_key" >"$ETC/ssh_config"
sshconf "$SIGNDIR/.ssh/id_ed25519" >"$SIGNDIR/ssh_config"
chmod 644 "$ETC/ssh_config" "$SIGNDIR/ssh_config"

# pfdeliver reaches both forced commands with its key (an empty ssh
# command: each refuses it with exit 64 after logging in).
for h in pfish-signer pfish-store; do
	runuser -u "$UD" -- ssh -F "$ETC/ssh_config" "$h" </dev/null \
	    >ssh.out 2>&1
	rc=$?
	[ "$rc" -eq 64 ] && ok "$UD logs in to $h" ||
	    notok "$UD logs in to $h" "exit $rc: $(cat ssh.out)"
done

# examples/smtpd.conf: our port, paths and user; -d and -r only because
# the spool and recipients are not at their compiled-in paths here.
SPORT=$(free_port) || exit 1
sed -e "s|^listen on localhost|listen on 127.0.0.1 port $SPORT|" \
    -e "s|/etc/pfish/|$ETC/|g" -e "s|user pfdeliver|user $UD|" \
    -e "s|/usr/local/libexec/pfish-deliver|$PFX/libexec/pfish-deliver -d $SPOOL -r $ETC/recipients/%{user.username}|" \
    "$PFISH_TOP/examples/smtpd.conf" >"$SM/smtpd.conf"
grep -q "user $UD\$" "$SM/smtpd.conf" && grep -q "port $SPORT" "$SM/smtpd.conf" ||
    { notok "smtpd.conf adapted" "$(cat "$SM/smtpd.conf")"; t_done; }
if /usr/sbin/smtpd -n -f "$SM/smtpd.conf" >smtpd-n.out 2>&1; then
	ok "examples/smtpd.conf is valid for smtpd -n"
else
	notok "examples/smtpd.conf is valid for smtpd -n" "$(cat smtpd-n.out)"
	t_done
fi

# smtpd in a private mount namespace: /var/spool and /run are ours; /run
# keeps links to the real entries (resolv.conf, the syslog socket).
cat >"$SM/run.sh" <<EOF
mount --bind /run "$SM/origrun" &&
for e in /run/* /run/.[!.]*; do
	[ -e "\$e" ] || [ -L "\$e" ] || continue
	ln -s "$SM/origrun/\${e#/run/}" "$SM/run/\${e#/run/}"
done
mount --bind "$SM/spool" /var/spool && mount --bind "$SM/run" /run &&
exec /usr/sbin/smtpd -d -f "$SM/smtpd.conf"
EOF
bg_start "$SM/smtpd.log" unshare -m --propagation private sh "$SM/run.sh"
SMTPD_PID=$BG_PID
"$PY" - "$SPORT" <<'EOF' || { notok "smtpd starts" "$(cat "$SM/smtpd.log")"; t_done; }
import socket, sys, time
end = time.time() + 30
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
        if s.recv(4).startswith(b"220"):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF
ok "smtpd starts in the foreground on 127.0.0.1:$SPORT"

# Send: every message also saved as sent/N, byte for byte.
NMSG=5
"$PY" - "$SPORT" "$UA" sent >send.out 2>&1 <<'EOF'
import os, smtplib, sys
from email.message import EmailMessage
from email import policy
port, user, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rcpt = user + "@localhost"
msgs = []

def base(n, pol=policy.SMTP, sender="Bob <bob@example.org>"):
    m = EmailMessage(policy=pol)
    m["From"] = sender
    m["To"] = rcpt
    m["Date"] = "Mon, 30 Nov 2026 01:00:0%d +0000" % n
    m["Message-ID"] = "<pfish-t-smtpd-%d@example.org>" % n
    return m

m = base(1)
m["Subject"] = "plain"
m.set_content("first message\n")
msgs.append((m.as_bytes(), False))

m = base(2, sender="Jürgen Müller <juergen@example.org>")
m["Subject"] = "Grüße aus Köln – 日本語のテスト"
m.set_content("Ümlaute im Text, ½ € ✓\n", cte="8bit")
msgs.append((m.as_bytes(), False))

m = base(3, policy.SMTPUTF8)
m["Subject"] = "raw UTF-8 header: Ünïcödé ✉"
m["Comments"] = "Ελληνικά"
m.set_content("raw headers, 8-bit body: ç\n", cte="8bit")
msgs.append((m.as_bytes(), True))

m = base(4)
m["Subject"] = "dots"
m.set_content(".\n..leading dots\nFrom the start of a line\n.\nend\n")
msgs.append((m.as_bytes(), False))

m = base(5)
m["Subject"] = "large attachment"
m.set_content("6 MiB attached\n")
m.add_attachment(os.urandom(6 * 1024 * 1024), maintype="application",
    subtype="octet-stream", filename="big.bin")
msgs.append((m.as_bytes(), False))

s = smtplib.SMTP("127.0.0.1", port, timeout=120)
for i, (data, utf8) in enumerate(msgs, 1):
    with open(os.path.join(out, str(i)), "wb") as f:
        f.write(data)
    s.sendmail("bob@example.org", [rcpt], data)
s.quit()
EOF
if [ $? -eq 0 ]; then
	ok "smtplib sent $NMSG messages"
else
	notok "smtplib sent $NMSG messages" "$(cat send.out)"
	t_done
fi

# wait_log PATTERN COUNT [FAIL]: until smtpd has logged COUNT lines
# matching PATTERN (bounded); fail early on a line matching FAIL (default:
# any failed delivery).
wait_log() {
	_i=0
	while [ "$_i" -lt 1200 ]; do
		[ "$(grep -c "$1" "$SM/smtpd.log")" -ge "$2" ] && return 0
		grep -q "${3:-result=[PT][a-z]*Fail}" "$SM/smtpd.log" && return 1
		kill -0 "$SMTPD_PID" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
if wait_log 'mda delivery.*result=Ok' "$NMSG"; then
	ok "smtpd: pfish-deliver delivered all $NMSG"
else
	notok "smtpd: pfish-deliver delivered all $NMSG"
	grep -E 'mda|warn' "$SM/smtpd.log" | sed 's/^/# /'
fi
grep 'mda delivery' "$SM/smtpd.log" | grep -v "user=$UA" >other.log
check "smtpd delivered for $UA only, as $UD" test ! -s other.log

# A user with keys but no mailbox on the store: the reason reaches
# smtpd's log, the mail is deferred, and once the operator creates the
# mailbox a retry (smtpctl schedule, in smtpd's namespace) delivers it.
install -m 644 "$USER_KEY.pub" "$ETC/recipients/$UB"
"$PY" - "$SPORT" "$UB" <<'EOF2' || notok "smtplib to $UB"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
s.sendmail("bob@example.org", [sys.argv[2] + "@localhost"],
    b"From: bob@example.org\r\nSubject: early\r\n\r\nbefore init\r\n")
s.quit()
EOF2
if wait_log "user=$UB .*result=TempFail" 1 'result=PermFail' &&
    grep "user=$UB .*result=TempFail" "$SM/smtpd.log" |
    grep -q "no mailbox $UB (never initialised"; then
	ok "no mailbox: deferred, smtpd logs why"
else
	notok "no mailbox: deferred, smtpd logs why"
	grep "user=$UB" "$SM/smtpd.log" | sed 's/^/# /'
fi
$STORE init -g "$UG" "$UB" || notok "pfish-store init $UB"
nsenter -t "$SMTPD_PID" -m /usr/sbin/smtpctl schedule all >/dev/null 2>&1
if wait_log "user=$UB .*result=Ok" 1 'result=PermFail'; then
	ok "no mailbox: delivered after init and a retry"
else
	notok "no mailbox: delivered after init and a retry"
	grep "user=$UB" "$SM/smtpd.log" | sed 's/^/# /'
fi
nb=$(ls "$STOREROOT/$UB" | grep -c '\.age$')
check "no mailbox: stored once" test "$nb" -eq 1

# The child's last error line is the reason pfish-deliver gives.
dl() {	# SIGNER_CMD: deliver one message to $UA as pfdeliver
	printf 'Subject: x\n\nx\n' | runuser -u "$UD" -- \
	    "$PFX/libexec/pfish-deliver" -d "$SPOOL" \
	    -r "$ETC/recipients/$UA" -S "$1" \
	    -A "ssh -F $ETC/ssh_config pfish-store" "$UA" >dl.out 2>&1
}
dl "pfish-nosuch-signer"
rc=$?
if [ "$rc" -eq 75 ] && grep -q 'cannot run signer command pfish-nosuch-signer: not found in PATH' dl.out; then
	ok "signer not in PATH: named, deferred"
else
	notok "signer not in PATH: named, deferred" "exit $rc: $(cat dl.out)"
fi
dl "ssh -F $ETC/ssh_config -p 1 pfish-signer"
rc=$?
if [ "$rc" -eq 75 ] && grep -q 'signer ssh failed (exit 255): .*port 1' dl.out; then
	ok "signer ssh fails: exit and ssh's reason, deferred"
else
	notok "signer ssh fails: exit and ssh's reason, deferred" "exit $rc: $(cat dl.out)"
fi
find "$SPOOL" -type f -delete

n=$(ls "$STOREROOT/$UA" | grep -c '\.age$')
[ "$n" -eq "$NMSG" ] && ok "the store holds $NMSG messages" ||
    notok "the store holds $NMSG messages" "found $n"
check "spool is empty after delivery" \
    test -z "$(find "$SPOOL" -type f)"
check "spool belongs to $UD, mode 700" \
    test "$(stat -c '%U %a' "$SPOOL")" = "$UD 700"
check "mailbox files belong to $UT, group $UG" \
    test "$n" -gt 0 -a -z "$(find "$STOREROOT/$UA" -name '*.age' ! -user "$UT")" -a \
    -z "$(find "$STOREROOT/$UA" -name '*.age' ! -group "$UG")"

# The head job, as the signer user.
if [ -n "$(ls "$SIGNDIR"/*.state 2>/dev/null)" ] && runuser -u "$US" -- "$PFX/libexec/pfish-heads" \
    ssh -F "$SIGNDIR/ssh_config" pfish-store >heads.out 2>&1; then
	ok "pfish-heads stores a fresh head"
else
	notok "pfish-heads stores a fresh head" "$(cat heads.out)"
fi

# The user's device: fetch, decrypt into a Maildir, compare.
unset SSH_AUTH_SOCK
echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\" $(cat "$SIGNDIR/signer_key.pub")" \
    >allowed
P="$PFX/bin/pfish -F /dev/null -p $SSHD_PORT -o UserKnownHostsFile=$KNOWN_HOSTS -T $T/allowed -i $USER_KEY -s $T/pfstate"
mkdir -p "$T/age"
if $P "$UA@127.0.0.1" fetch -d "$T/age" --decrypt --maildir "$T/Maildir" \
    >fetch.out 2>&1; then
	ok "pfish fetch --decrypt --maildir"
else
	notok "pfish fetch --decrypt --maildir" "exit $?"
	sed 's/^/# /' fetch.out
fi
"$PY" - "$T/Maildir" sent "$NMSG" >cmp.out 2>&1 <<'EOF'
import os, re, sys
md, sent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
got = {}
for sub in ("new", "cur"):
    d = os.path.join(md, sub)
    for f in os.listdir(d) if os.path.isdir(d) else []:
        b = open(os.path.join(d, f), "rb").read()
        m = re.search(rb"^Message-ID: <pfish-t-smtpd-(\d+)@", b, re.M | re.I)
        if m:
            got[int(m.group(1))] = b
bad = 0
for i in range(1, n + 1):
    want = open(os.path.join(sent, str(i)), "rb").read().replace(b"\r\n", b"\n")
    b = got.get(i)
    if b is None:
        print("message %d: not in the Maildir" % i)
        bad += 1
        continue
    # smtpd prepends Return-Path:, Delivered-To: and one Received: field
    # (with continuation lines); nothing else may differ.
    m = re.match(rb"Return-Path: <bob@example.org>\nDelivered-To: [^\n]*\n"
        rb"Received: [^\n]*\n(?:[ \t][^\n]*\n)*", b)
    rest = b[m.end():] if m else b
    if rest != want:
        print("message %d: differs (%d bytes, sent %d)" % (i, len(rest), len(want)))
        bad += 1
sys.exit(1 if bad or len(got) != n else 0)
EOF
if [ $? -eq 0 ]; then
	ok "every message in the Maildir is exactly what was sent"
else
	notok "every message in the Maildir is exactly what was sent"
	sed 's/^/# /' cmp.out
fi
# ls -l through sftp -s pfish names owners and groups, as sftp-server.
echo 'ls -l' | timeout 120 sftp $SSH_OPTS -P "$SSHD_PORT" -s pfish -b - \
    "$UA@127.0.0.1" >ls.out 2>&1
nl=$(grep -c "^-.* $UT  *$UG .*\.age\$" ls.out)
[ "$nl" -eq "$NMSG" ] && ok "sftp ls -l shows owner $UT and group $UG" ||
    notok "sftp ls -l shows owner $UT and group $UG" "$(cat ls.out)"

if $P "$UA@127.0.0.1" verify >verify.out 2>&1; then
	ok "pfish verify: intact"
else
	notok "pfish verify: intact" "$(cat verify.out)"
fi

t_done
