#!/bin/sh
# deps.sh: install the Debian packages one use of pfish needs.
#
# Usage: sh scripts/deps.sh [SET...]	(default: build)
#
#	build	compile every program (what a plain make needs)
#	demo	build, plus what make demo runs (sshd, sftp, age)
#	test	build and demo, plus what make check and make check-asan run
#	bench	build, plus what make bench runs
#	all	every set
#
# As root, installs what is missing; otherwise prints the exact
# apt-get line and fails.  Only make deps, make deps-*, make demo,
# make check, make check-asan and make bench call it: a plain make
# never installs anything.

# binutils (gcc brings it too): readelf, which reads libssh's soname.
BUILD="make gcc binutils pkg-config libsodium-dev libssl-dev libevent-dev libbsd-dev libssh-dev"
DEMO="openssh-client openssh-server age python3"
# make check and make check-asan: cmocka for the unit tests, peers for the
# interop suite, pgrep (procps, not in a minimal Debian), clang for the
# sanitizer builds and brief fuzzing, mandoc for make lint, strace for
# t-fetch-save's count of state file renames.
TEST="libcmocka-dev openssh-sftp-server python3-paramiko procps clang
libclang-rt-14-dev mandoc strace"
# Mail-system peers the end-to-end tests drive: OpenSMTPD hands mail to
# pfish-deliver in interop/t-smtpd.sh.  It is installed without starting
# or enabling its service, and not at all where another mail server is
# installed (Debian allows one; the test then skips).
TEST_MTA="opensmtpd"
BENCH="openssh-client openssh-sftp-server age python3 hyperfine gnuplot-nox"

usage() {
	echo "usage: sh scripts/deps.sh [build|demo|test|bench|all ...]" >&2
	exit 64
}

want=
[ $# -eq 0 ] && set -- build
for s in "$@"; do
	case $s in
	build)	want="$want $BUILD" ;;
	demo)	want="$want $BUILD $DEMO" ;;
	test)	want="$want $BUILD $DEMO $TEST $TEST_MTA" ;;
	bench)	want="$want $BUILD $BENCH" ;;
	all)	want="$want $BUILD $DEMO $TEST $TEST_MTA $BENCH" ;;
	*)	usage ;;
	esac
done

command -v dpkg-query >/dev/null 2>&1 || exit 0	# not Debian: trust the user

# other_mta: true if a mail server other than opensmtpd is installed.
other_mta() {
	dpkg-query -W -f='${Status}|${Package}|${Provides}\n' 2>/dev/null |
	    grep '^install ok installed|' | grep -v '|opensmtpd|' |
	    grep -q 'mail-transport-agent'
}

missing=
for p in $want; do
	case " $missing " in
	*" $p "*) continue ;;
	esac
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$s" in
	*" installed") continue ;;
	esac
	if [ "$p" = opensmtpd ] && other_mta; then
		echo "pfish: another mail server is installed: not" \
		    "installing opensmtpd (t-smtpd.sh will skip)" >&2
		continue
	fi
	missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pfish: missing Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "pfish: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# No service is started while we install (opensmtpd's would take port
# 25): a policy-rc.d that forbids every start, unless one exists.
policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" &&
	    ours=1
fi
# A fresh machine has no package lists yet; refresh them once if needed.
apt-get install -y -q $missing ||
    { apt-get update -q && apt-get install -y -q $missing; }
rc=$?
[ -n "$ours" ] && rm -f "$policy"
# The test runs its own smtpd; the system's stays off at boot too.
case " $missing " in
*" opensmtpd "*)
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now opensmtpd >/dev/null 2>&1
	elif command -v update-rc.d >/dev/null 2>&1; then
		update-rc.d opensmtpd disable >/dev/null 2>&1
	fi ;;
esac
exit $rc
