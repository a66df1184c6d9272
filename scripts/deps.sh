#!/bin/sh
# deps.sh: install the Debian packages pfish builds and tests with.
#
# As root, installs what is missing; otherwise prints the exact
# apt-get line and fails.  Called by every make target that builds.
#
# opensmtpd (for interop/t-smtpd.sh) is installed without starting or
# enabling its service, and not at all where another mail server is
# installed (Debian lets only one be): the test then skips.

PKGS="make gcc pkg-config libsodium-dev libevent-dev libbsd-dev libssh-dev
libcmocka-dev openssh-client openssh-server openssh-sftp-server age
python3 python3-paramiko mandoc clang libclang-rt-14-dev valgrind
hyperfine gnuplot-nox opensmtpd"

command -v dpkg-query >/dev/null 2>&1 || exit 0	# not Debian: trust the user

installed() {
	case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" in
	*" installed") return 0 ;;
	esac
	return 1
}

# other_mta: true if a mail server other than opensmtpd is installed.
other_mta() {
	dpkg-query -W -f='${Status}|${Package}|${Provides}\n' 2>/dev/null |
	    grep '^install ok installed|' | grep -v '|opensmtpd|' |
	    grep -q 'mail-transport-agent'
}

missing=
for p in $PKGS; do
	installed "$p" && continue
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
