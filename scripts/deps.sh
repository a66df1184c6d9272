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

BUILD="make gcc pkg-config libsodium-dev libevent-dev libbsd-dev libssh-dev"
DEMO="openssh-client openssh-server age python3"
# make check and make check-asan: cmocka for the unit tests, peers for the
# interop suite, pgrep (procps, not in a minimal Debian), clang for the
# sanitizer builds and brief fuzzing, mandoc for make lint.
TEST="libcmocka-dev openssh-sftp-server python3-paramiko procps clang
libclang-rt-14-dev mandoc"
# Mail-system peers the end-to-end tests drive (the MTA that hands mail to
# pfish-deliver) go here, in TEST_MTA.
TEST_MTA=""
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

missing=
for p in $want; do
	case " $missing " in
	*" $p "*) continue ;;
	esac
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$s" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pfish: missing Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "pfish: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if needed.
if ! apt-get install -y -q $missing; then
	apt-get update -q && apt-get install -y -q $missing || exit 1
fi
