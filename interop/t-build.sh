#!/bin/sh
# t-build.sh: a plain make only builds, and installing is explicit.
#
# On a machine where pkg-config finds none of the libraries (here:
# PKG_CONFIG_LIBDIR and PKG_CONFIG_PATH point nowhere; or no pkg-config
# at all), make fails with one line naming the missing pkg-config packages
# and the Debian packages that provide them, builds nothing and installs
# nothing.  scripts/deps.sh installs one set at a time (build, demo, test,
# bench).  apt-get, dpkg, dpkg-query and id are stand-ins on PATH that
# record every call, so nothing here can install anything.  And the tree
# is self-contained: no file refers to one outside it, and the documents
# its comments cite are in it.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

# The make running this suite exports its flags; a make started here
# must not inherit them (jobserver, command-line variables).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

FAKE=$T/fake
mkdir -p "$FAKE"
CALLS=$T/calls
: >"$CALLS"
for c in apt-get apt dpkg sudo; do
	printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >>"%s"\nexit 1\n' "$c" "$CALLS" \
	    >"$FAKE/$c"
done
# dpkg-query: every package is missing.  id: not root.
# (printf, not echo: sh's echo would turn a "\n" in the arguments, as in
# deps.sh's dpkg-query -f format, into a line of its own.)
printf '#!/bin/sh\nprintf "%%s\\n" "dpkg-query $*" >>"%s"\nexit 1\n' "$CALLS" \
    >"$FAKE/dpkg-query"
printf '#!/bin/sh\n[ "$1" = -u ] && { echo 1000; exit 0; }\nexec /usr/bin/id "$@"\n' \
    >"$FAKE/id"
chmod +x "$FAKE"/*

# nomake NAME [VAR=VALUE...] -- MAKE_ARGS...: run make in the tree with
# pkg-config finding nothing and the stand-ins first on PATH; output in
# $T/NAME.out, exit status in $T/NAME.rc.
nomake() {
	_n=$1
	shift
	mkdir -p "$T/$_n.o" "$T/$_n.b"
	env PATH="$FAKE:$PATH" PKG_CONFIG_LIBDIR=/nonexistent \
	    PKG_CONFIG_PATH=/nonexistent "$@" O="$T/$_n.o" B="$T/$_n.b" \
	    >"$T/$_n.out" 2>&1
	echo $? >"$T/$_n.rc"
	sed 's/^/# /' "$T/$_n.out"
}

# failed_cleanly NAME: make failed, printed exactly one line, built
# nothing and called no package tool.
failed_cleanly() {
	[ "$(cat "$T/$1.rc")" -ne 0 ] &&
	    [ "$(wc -l <"$T/$1.out")" -eq 1 ] &&
	    [ -z "$(find "$T/$1.o" "$T/$1.b" -mindepth 1)" ] &&
	    [ ! -s "$CALLS" ]
}

# says NAME TEXT...: the output of NAME holds every TEXT.
says() {
	_f=$T/$1.out
	shift
	for _w in "$@"; do
		grep -qF -- "$_w" "$_f" || { echo "# no \"$_w\""; return 1; }
	done
}

# A plain make, pkg-config finding nothing.
nomake plain make --no-print-directory -C "$PFISH_TOP"
check "make-missing-fails-cleanly" failed_cleanly plain
check "make-missing-names-packages" says plain \
    "pkg-config cannot find: libsodium libcrypto libevent_core libbsd-overlay libssh;" \
    "libsodium-dev libssl-dev libevent-dev libbsd-dev libssh-dev" "make deps"

# The unit tests need cmocka too, and the test set installs it.
nomake unit make --no-print-directory -C "$PFISH_TOP" check-unit
check "check-unit-missing-fails-cleanly" failed_cleanly unit
check "check-unit-names-cmocka" says unit "cmocka;" "libcmocka-dev" \
    "make deps-test"

# No pkg-config at all: a PATH holding make and sh only.
mkdir -p "$T/bare"
ln -s "$(command -v make)" "$T/bare/make"
ln -s "$(command -v sh)" "$T/bare/sh"
nomake bare PATH="$T/bare" make --no-print-directory -C "$PFISH_TOP"
check "no-pkg-config-fails-cleanly" failed_cleanly bare
check "no-pkg-config-named" says bare "pkg-config is not installed" \
    "install the Debian packages pkg-config libsodium-dev"

# With the libraries present, a plain make runs no installer.
noinstall() {
	env -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_PATH make -n --no-print-directory -C "$PFISH_TOP" \
	    O="$T/dry.o" B="$T/dry.b" all >"$T/dry.out" 2>&1 || return 1
	grep -q -e 'deps\.sh' -e apt-get -e dpkg "$T/dry.out" && return 1
	grep -q ' -c ' "$T/dry.out"	# it does compile
}
if pkg-config --exists libsodium libevent_core libbsd-overlay libssh; then
	check "plain-make-installs-nothing" noinstall
else
	skip "plain-make-installs-nothing" "build libraries not installed"
fi

# deps.sh, not root, everything missing: prints the apt-get line for
# its set, fails, installs nothing.
# deps SET...: run it; the apt-get line in $T/deps.out.
deps() {
	PATH="$FAKE:$PATH" sh "$PFISH_TOP/scripts/deps.sh" "$@" \
	    >"$T/deps.out" 2>&1
	_rc=$?
	sed 's/^/# /' "$T/deps.out"
	: >"$CALLS.apt"
	grep -v '^dpkg-query' "$CALLS" >"$CALLS.apt"
	[ "$_rc" -eq 1 ] && [ ! -s "$CALLS.apt" ] &&
	    grep -q '^  apt-get install -y ' "$T/deps.out"
}
# has WORD... / lacks WORD...: the apt-get line names / omits each word.
has() {
	for _w in "$@"; do
		grep -q "^  apt-get install.* $_w\( \|\$\)" "$T/deps.out" ||
		    { echo "# $_w not listed"; return 1; }
	done
}
lacks() {
	for _w in "$@"; do
		grep -q "^  apt-get install.* $_w\( \|\$\)" "$T/deps.out" &&
		    { echo "# $_w listed"; return 1; }
	done
	return 0
}
check "deps-build" deps build
check "deps-build-set" has gcc pkg-config libsodium-dev libssh-dev
check "deps-build-only" lacks libcmocka-dev openssh-server hyperfine clang
check "deps-default-is-build" deps
check "deps-default-set" lacks libcmocka-dev hyperfine
check "deps-demo" deps demo
check "deps-demo-set" has libssh-dev openssh-server age
check "deps-demo-only" lacks libcmocka-dev hyperfine
check "deps-test" deps test
check "deps-test-set" has libssh-dev openssh-server libcmocka-dev \
    python3-paramiko clang libclang-rt-14-dev
check "deps-test-only" lacks hyperfine gnuplot-nox
check "deps-bench" deps bench
check "deps-bench-set" has libssh-dev openssh-sftp-server hyperfine \
    gnuplot-nox
check "deps-bench-only" lacks libcmocka-dev clang
env PATH="$FAKE:$PATH" make -s --no-print-directory -C "$PFISH_TOP" deps-bench >"$T/deps.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && has hyperfine && lacks libcmocka-dev &&
    [ -z "$(grep -v '^dpkg-query' "$CALLS")" ] &&
    ok "make-deps-bench" || notok "make-deps-bench" "rc $rc"
PATH="$FAKE:$PATH" sh "$PFISH_TOP/scripts/deps.sh" nonsense >"$T/u.out" 2>&1
rc=$?
[ "$rc" -eq 64 ] && grep -q '^usage:' "$T/u.out" &&
    ok "deps-unknown-set" || notok "deps-unknown-set" "rc $rc"

# The tree refers to nothing outside itself.
outside() {
	grep -rnI --exclude-dir=.git --exclude=.git --exclude-dir='obj*' \
	    --exclude-dir='bin*' --exclude-dir=out \
	    -e '\.\./shar[e]d' -e 'shared/test[k]it' \
	    -e 'PFISH_TOP[}]*/\.\./' -e '\$top/\.\./' "$PFISH_TOP" &&
	    return 1
	return 0
}
check "tree-refers-to-nothing-outside" outside
cited() {
	_r=0
	_cnt=0
	for _d in $(grep -rhoI --exclude-dir=.git --exclude=.git \
	    --exclude-dir='obj*' --exclude-dir='bin*' \
	    '[A-Z][A-Z]*\.md' "$PFISH_TOP/include" "$PFISH_TOP/interop" \
	    "$PFISH_TOP/tests" | sort -u); do
		[ -e "$PFISH_TOP/$_d" ] || [ -e "$PFISH_TOP/tests/age-vectors/$_d" ] ||
		    { echo "# cited, not in the tree: $_d"; _r=1; }
		_cnt=$((_cnt + 1))
	done
	[ "$_cnt" -gt 0 ] || { echo "# no citations found"; return 1; }
	return $_r
}
check "cited-documents-in-tree" cited
t_done
