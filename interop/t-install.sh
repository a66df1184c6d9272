#!/bin/sh
# t-install.sh: make install DESTDIR=... PREFIX=/usr puts every program,
# manual page, example, unit, timer, sysusers.d and tmpfiles.d file where
# README.md says; the installed manual pages, units and scripts name the
# PREFIX paths, never /usr/local; systemd-sysusers and systemd-tmpfiles
# (when present) create the documented users, owners and modes in the
# DESTDIR tree alone.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

for p in pfish pfish-server pfish-deliver pfish-signer pfish-store; do
	if [ ! -x "$PFISH_BIN/$p" ]; then
		skip install "not built yet: $p"
		t_done
	fi
done
command -v make >/dev/null 2>&1 || { skip install "no make"; t_done; }

D=$T/dest
# The programs already built in $PFISH_BIN, named as files so that make
# only copies them and never rebuilds (a sanitizer build stays one).
progs=
for p in pfish pfish-server pfish-deliver pfish-signer pfish-store; do
	progs="$progs $PFISH_BIN/$p"
done
if make -s -C "$PFISH_TOP" install DESTDIR="$D" PREFIX=/usr \
    PROGS="$progs" >"$T/make.out" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	notok "make install DESTDIR PREFIX=/usr"
	sed 's/^/# /' "$T/make.out"
	t_done
fi

missing=
for f in usr/bin/pfish usr/bin/pfish-signer usr/bin/pfish-store \
    usr/libexec/pfish-server usr/libexec/pfish-deliver \
    usr/libexec/pfish-heads \
    usr/share/man/man1/pfish.1 usr/share/man/man5/pfish-state.5 \
    usr/share/man/man8/pfish-server.8 usr/share/man/man8/pfish-store.8 \
    usr/share/man/man8/pfish-signer.8 usr/share/man/man8/pfish-deliver.8 \
    usr/share/examples/pfish/smtpd.conf usr/share/examples/pfish/ssh_config \
    usr/lib/systemd/system/pfish-heads.service \
    usr/lib/systemd/system/pfish-heads.timer \
    usr/lib/systemd/system/pfish-expire.service \
    usr/lib/systemd/system/pfish-expire.timer \
    usr/lib/systemd/system/pfish-spool-clean.service \
    usr/lib/systemd/system/pfish-spool-clean.timer \
    usr/lib/sysusers.d/pfish.conf usr/lib/tmpfiles.d/pfish.conf \
    etc/pfish etc/pfish/recipients var/spool/pfish-deliver \
    var/lib/pfish-signer var/pfish; do
	[ -e "$D/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "every file and directory installed" ||
    notok "every file and directory installed" "missing:$missing"
for x in usr/bin/pfish usr/libexec/pfish-deliver usr/libexec/pfish-heads; do
	[ -x "$D/$x" ] || missing="$missing $x"
done
[ -z "$missing" ] && ok "programs executable" ||
    notok "programs executable" "$missing"
check "spool and signer dir mode 700, store root 751" test \
    "$(stat -c %a "$D/var/spool/pfish-deliver" "$D/var/lib/pfish-signer" \
    "$D/var/pfish" | tr '\n' ' ')" = "700 700 751 "

# The installed text names PREFIX's paths.
left=$(grep -rl /usr/local "$D/usr/share/man" "$D/usr/share/examples" \
    "$D/usr/lib" "$D/usr/libexec/pfish-heads")
[ -z "$left" ] && ok "no /usr/local left in installed text" ||
    notok "no /usr/local left in installed text" "$left"
check "pfish-deliver(8) names /usr/libexec/pfish-deliver" \
    grep -q '/usr/libexec/pfish-deliver' "$D/usr/share/man/man8/pfish-deliver.8"
check "pfish-server(8) names /usr/libexec/pfish-server" \
    grep -q '/usr/libexec/pfish-server' "$D/usr/share/man/man8/pfish-server.8"
check "smtpd.conf example names /usr/libexec/pfish-deliver" \
    grep -q 'mda "/usr/libexec/pfish-deliver ' "$D/usr/share/examples/pfish/smtpd.conf"
check "pfish-heads runs /usr/bin/pfish-signer" \
    grep -q '^signer=/usr/bin/pfish-signer$' "$D/usr/libexec/pfish-heads"
check "units run the installed programs" sh -c "
    grep -q '^ExecStart=/usr/libexec/pfish-heads ' '$D/usr/lib/systemd/system/pfish-heads.service' &&
    grep -q '^ExecStart=/usr/bin/pfish-store expire\$' '$D/usr/lib/systemd/system/pfish-expire.service' &&
    grep -q '^User=pfstore\$' '$D/usr/lib/systemd/system/pfish-expire.service'"
if command -v mandoc >/dev/null 2>&1; then
	check "installed manual pages lint clean" \
	    mandoc -Tlint -Wwarning "$D"/usr/share/man/man*/*
fi
check "pfish-heads is valid sh" sh -n "$D/usr/libexec/pfish-heads"

# Users, owners, modes: the sysusers.d and tmpfiles.d files, applied to
# the DESTDIR tree only.
if command -v systemd-sysusers >/dev/null 2>&1 &&
    command -v systemd-tmpfiles >/dev/null 2>&1; then
	if systemd-sysusers --root="$D" >"$T/su.out" 2>&1 &&
	    systemd-tmpfiles --root="$D" --create >>"$T/su.out" 2>&1; then
		ok "systemd-sysusers and systemd-tmpfiles accept the files"
	else
		notok "systemd-sysusers and systemd-tmpfiles accept the files"
		sed 's/^/# /' "$T/su.out"
	fi
	pw() { awk -F: -v u="$1" -v f="$2" '$1 == u { print $f }' "$D/etc/$3"; }
	gid_pfish=$(pw pfish 3 group)
	check "pfstore's primary group is pfish" \
	    test -n "$gid_pfish" -a "$(pw pfstore 4 passwd)" = "$gid_pfish"
	check "forced-command accounts have a shell, pfdeliver none" test \
	    "$(pw pfsigner 7 passwd) $(pw pfstore 7 passwd) $(pw pfdeliver 7 passwd)" = \
	    "/bin/sh /bin/sh /usr/sbin/nologin"
	check "spool owned by pfdeliver" test \
	    "$(stat -c %u "$D/var/spool/pfish-deliver")" = "$(pw pfdeliver 3 passwd)"
	check "signer dir owned by pfsigner" test \
	    "$(stat -c %u "$D/var/lib/pfish-signer")" = "$(pw pfsigner 3 passwd)"
	check "store root group pfish, mode 751" test \
	    "$(stat -c '%g %a' "$D/var/pfish")" = "$gid_pfish 751"
else
	skip "sysusers/tmpfiles" "systemd-sysusers or systemd-tmpfiles missing"
fi

t_done
