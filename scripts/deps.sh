#!/bin/sh
# deps.sh: install the Debian packages pfish builds and tests with.
#
# As root, installs what is missing; otherwise prints the exact
# apt-get line and fails.  Called by every make target that builds.

PKGS="make gcc pkg-config libsodium-dev libssl-dev libevent-dev libbsd-dev libssh-dev
libcmocka-dev openssh-client openssh-server openssh-sftp-server age
python3 python3-paramiko mandoc clang libclang-rt-14-dev valgrind
hyperfine gnuplot-nox"

command -v dpkg-query >/dev/null 2>&1 || exit 0	# not Debian: trust the user

missing=
for p in $PKGS; do
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
