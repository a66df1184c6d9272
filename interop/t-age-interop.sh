#!/bin/sh
# t-age-interop.sh: pfish's age code against the age program, both ways.
#
# ssh-ed25519 (age -R key.pub / age -d -i key) and X25519 (age-keygen),
# payload sizes around the 64 KiB chunk boundaries, several recipients,
# armor, passphrase-protected keys, tampered and truncated files (both
# implementations must refuse them), and a 1 GiB stream through pipes
# with bounded memory.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

tool=$PFISH_OBJ/interop/agetool
stream_mb=${AGE_STREAM_MB:-1024}
rss_max_kb=32768
# A sanitizer build carries ASan's shadow memory and quarantine: its peak
# RSS says nothing about pfish's buffers (the plain build is held to
# 32 MiB), so it gets the bound t-load gives it.
if grep -qa __asan_init "$tool" 2>/dev/null; then
	rss_max_kb=131072
fi

if ! command -v age >/dev/null 2>&1; then
	skip age-interop "age not installed (Debian: age)"
	t_done
fi
if [ ! -x "$tool" ]; then
	notok age-interop "no $tool (make builds it)"
	t_done
fi
cd "$T" || exit 1

ssh-keygen -q -t ed25519 -N '' -C alice -f alice || exit 1
ssh-keygen -q -t ed25519 -N '' -C bob -f bob || exit 1
ssh-keygen -q -t ed25519 -N 'correct horse' -C carol -f carol || exit 1
age-keygen -o dave.key 2>/dev/null || exit 1
dave=$(age-keygen -y dave.key)
"$tool" keygen > erin.key || exit 1
erin=$(sed -n 's/^# public key: //p' erin.key)

# X25519 keys made by pfish must be usable by age, and the reverse.
check keygen-pfish-to-age sh -c "echo hi | age -r '$erin' | age -d -i erin.key | grep -qx hi"

sizes="0 1 65535 65536 65537 131072 200001"
for i in 1 2 3; do
	sizes="$sizes $(od -An -N3 -tu4 /dev/urandom | awk '{print $1 % 400000}')"
done

for n in $sizes; do
	head -c "$n" /dev/urandom > p.$n
	# ssh-ed25519, pfish -> age and age -> pfish.
	check "ssh-pfish-to-age-$n" sh -c "'$tool' encrypt -r '$(cat alice.pub)' < p.$n > c1 &&
	    age -d -i alice < c1 | cmp -s - p.$n"
	check "ssh-age-to-pfish-$n" sh -c "age -R alice.pub < p.$n > c2 &&
	    '$tool' decrypt -i alice < c2 | cmp -s - p.$n"
	# X25519 both ways.
	check "x25519-pfish-to-age-$n" sh -c "'$tool' encrypt -r '$dave' < p.$n > c3 &&
	    age -d -i dave.key < c3 | cmp -s - p.$n"
	check "x25519-age-to-pfish-$n" sh -c "age -r '$dave' < p.$n > c4 &&
	    '$tool' decrypt -i dave.key < c4 | cmp -s - p.$n"
done

# pfish's ciphertext has the size age's has (same format, no extras).
age -R alice.pub < p.200001 > s1
"$tool" encrypt -r "$(cat alice.pub)" < p.200001 > s2
check size-matches-age test "$(wc -c < s1)" -eq "$(wc -c < s2)"

# Several recipients, mixed types, from a recipients file.
{ echo "# recipients of alice's mail"; cat alice.pub; echo; echo "$dave"; cat bob.pub; } > rcpts
"$tool" encrypt -R rcpts < p.131072 > multi.age
for id in alice bob dave.key; do
	check "multi-pfish-to-age-$id" sh -c "age -d -i $id < multi.age | cmp -s - p.131072"
	check "multi-pfish-to-pfish-$id" sh -c "'$tool' decrypt -i $id < multi.age | cmp -s - p.131072"
done
age -R alice.pub -R bob.pub -r "$dave" < p.65537 > multi2.age
for id in alice bob dave.key; do
	check "multi-age-to-pfish-$id" sh -c "'$tool' decrypt -i $id < multi2.age | cmp -s - p.65537"
done
"$tool" decrypt -i erin.key < multi2.age > /dev/null 2>&1
check multi-wrong-identity-no-match test $? -eq 11

# Armor (age -a) and passphrase-protected OpenSSH keys.
age -a -R alice.pub < p.65537 > armored.age
check armor-age-to-pfish sh -c "'$tool' decrypt -i alice < armored.age | cmp -s - p.65537"
age -R carol.pub < p.65536 > carol.age
check passphrase-key sh -c "AGETOOL_PASSPHRASE='correct horse' '$tool' decrypt -i carol < carol.age | cmp -s - p.65536"
AGETOOL_PASSPHRASE=wrong "$tool" decrypt -i carol < carol.age > /dev/null 2>&1
check passphrase-wrong-refused test $? -ne 0
# libssh is loaded for a passphrase-protected key only (glibc's loader
# names each file it loads under LD_DEBUG=files): not to encrypt, nor to
# decrypt with an unprotected key.
LD_DEBUG=files "$tool" encrypt -r "$(cat alice.pub)" < p.1 > /dev/null \
    2> ld.enc
LD_DEBUG=files "$tool" decrypt -i alice < armored.age > /dev/null 2> ld.dec
LD_DEBUG=files AGETOOL_PASSPHRASE='correct horse' "$tool" decrypt -i carol \
    < carol.age > /dev/null 2> ld.pass
check libssh-not-loaded-to-encrypt sh -c "grep -q 'file=libsodium' ld.enc && ! grep -q 'file=libssh' ld.enc"
check libssh-not-loaded-for-plain-key sh -c "grep -q 'file=libsodium' ld.dec && ! grep -q 'file=libssh' ld.dec"
check libssh-loaded-for-protected-key grep -q 'file=libssh.*dynamically loaded' ld.pass
# ChaCha20-Poly1305 is libsodium's for a process's first 2 MiB and
# libcrypto's after (lib/aead.c): a short message never loads libcrypto;
# a longer one switches within the file, and age reads it, both ways.
check libcrypto-not-loaded-to-encrypt-short sh -c "grep -q 'file=libsodium' ld.enc && ! grep -q 'file=libcrypto' ld.enc"
check libcrypto-not-loaded-to-decrypt-short sh -c "grep -q 'file=libsodium' ld.dec && ! grep -q 'file=libcrypto' ld.dec"
head -c 6291579 /dev/urandom > p.6m
LD_DEBUG=files "$tool" encrypt -r "$(cat alice.pub)" < p.6m > c6.pfish 2> ld.enc6
check libcrypto-past-2mib-pfish-to-age sh -c "grep -q 'file=libcrypto.*dynamically loaded' ld.enc6 &&
    age -d -i alice < c6.pfish | cmp -s - p.6m"
age -R alice.pub < p.6m > c6.age
LD_DEBUG=files "$tool" decrypt -i alice < c6.age 2> ld.dec6 | cmp -s - p.6m
check libcrypto-past-2mib-age-to-pfish sh -c "[ $? -eq 0 ] &&
    grep -q 'file=libcrypto.*dynamically loaded' ld.dec6"
# libcrypto's from the first byte (agetool's switch for tests): the same
# files as libsodium's, read by age, and reading age's.
check libcrypto-from-start-pfish-to-age sh -c "AGETOOL_AEAD=libcrypto '$tool' encrypt -r '$(cat alice.pub)' < p.65537 |
    age -d -i alice | cmp -s - p.65537"
check libcrypto-from-start-age-to-pfish sh -c "age -R alice.pub < p.65537 |
    AGETOOL_AEAD=libcrypto '$tool' decrypt -i alice | cmp -s - p.65537"
# A libssh that cannot be loaded is said so, for a protected key only: in
# a mount namespace of its own, an empty file hides the library.
libssh_so=$(readlink -f "$(pkg-config --variable=libdir libssh)/libssh.so")
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare -m true 2>/dev/null; then
	skip libssh-unloadable-said "needs root and unshare -m"
elif [ ! -f "$libssh_so" ]; then
	skip libssh-unloadable-said "no libssh.so found through pkg-config"
else
	: > empty.so
	AGETOOL_PASSPHRASE='correct horse' unshare -m sh -c \
	    'mount --bind empty.so "$1" && shift && exec "$@"' sh \
	    "$libssh_so" "$tool" decrypt -i carol < carol.age > hidden.out \
	    2> hidden.err
	check libssh-unloadable-said sh -c "[ $? -ne 0 ] &&
	    grep -q 'cannot load libssh' hidden.err && [ ! -s hidden.out ]"
	unshare -m sh -c 'mount --bind empty.so "$1" && shift && exec "$@"' \
	    sh "$libssh_so" "$tool" decrypt -i alice < armored.age |
	    cmp -s - p.65537
	check libssh-unloadable-plain-key-still-works test $? -eq 0
fi
"$tool" encrypt -r "$(cat carol.pub)" < p.1 > carol2.age
check passphrase-key-pfish-to-age sh -c "'$tool' decrypt -i alice < carol2.age > /dev/null 2>&1; test \$? -eq 11"

# Tampering: flip one byte (in the header, the MAC, the payload) or cut
# the file; age and pfish must both refuse, pfish with a failure class.
mangle() {	# in out what
	"$PY" - "$1" "$2" "$3" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
what = sys.argv[3]
mac = d.index(b"\n--- ") + 1
end = d.index(b"\n", mac) + 1
if what == "header":
	d[30] ^= 0x01
elif what == "version":
	d[5] ^= 0x20
elif what == "mac":
	d[mac + 10] ^= 0x01
elif what == "nonce":
	d[end + 3] ^= 0x80
elif what == "payload":
	d[end + 16 + 100] ^= 0x01
elif what == "tag":
	d[-1] ^= 0x01
elif what == "truncate-last":
	d = d[:-1]
elif what == "truncate-chunk":
	d = d[:end + 16 + 65536 + 16]
elif what == "truncate-header":
	d = d[:mac]
elif what == "append":
	d += b"\0"
open(sys.argv[2], "wb").write(d)
PY
}
for src in alice-pfish alice-age; do
	case $src in
	alice-pfish) "$tool" encrypt -r "$(cat alice.pub)" < p.200001 > orig.age ;;
	alice-age) age -R alice.pub < p.200001 > orig.age ;;
	esac
	for what in header version mac nonce payload tag truncate-last \
	    truncate-chunk truncate-header append; do
		mangle orig.age bad.age "$what"
		"$tool" decrypt -i alice < bad.age > out 2>/dev/null
		rc=$?
		if [ "$rc" -ge 10 ] && [ "$rc" -le 14 ] && ! cmp -s out p.200001; then
			ok "tamper-$src-$what-pfish-refuses"
		else
			notok "tamper-$src-$what-pfish-refuses" "exit $rc"
		fi
		if age -d -i alice < bad.age > out 2>/dev/null; then
			notok "tamper-$src-$what-age-refuses"
		else
			ok "tamper-$src-$what-age-refuses"
		fi
	done
done

# A long stream through pipes: memory must stay flat on both sides.
# Peak RSS comes from /usr/bin/time when installed, else from the same
# kernel figure read by a wrapper after the tool exits (getrusage of its
# child): exact either way, never a sample that can miss the peak.
peakrss() {	# OUT cmd...: run cmd, write its peak RSS in KiB to OUT
	"$PY" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$@"
}
t0=$(date +%s)
if [ -x /usr/bin/time ] && [ -z "$AGE_RSS_PY" ]; then
	head -c "${stream_mb}M" /dev/zero |
	    /usr/bin/time -f %M -o rss.enc "$tool" encrypt -r "$(cat alice.pub)" |
	    /usr/bin/time -f %M -o rss.dec "$tool" decrypt -i alice |
	    sha256sum > stream.sum
else
	head -c "${stream_mb}M" /dev/zero |
	    peakrss rss.enc "$tool" encrypt -r "$(cat alice.pub)" |
	    peakrss rss.dec "$tool" decrypt -i alice |
	    sha256sum > stream.sum
fi
enc=$(tail -n 1 rss.enc)
dec=$(tail -n 1 rss.dec)
t1=$(date +%s)
want=$(head -c "${stream_mb}M" /dev/zero | sha256sum)
check "stream-${stream_mb}MiB-roundtrip" test "$(cat stream.sum)" = "$want"
echo "# stream ${stream_mb} MiB: $((t1 - t0)) s, max RSS encrypt ${enc} KiB, decrypt ${dec} KiB"
check "stream-encrypt-rss-measured" test "$enc" -gt 0
check "stream-decrypt-rss-measured" test "$dec" -gt 0
check "stream-encrypt-rss-under-${rss_max_kb}KiB" test "$enc" -lt "$rss_max_kb"
check "stream-decrypt-rss-under-${rss_max_kb}KiB" test "$dec" -lt "$rss_max_kb"

# A small message through a pipe (as pfish-deliver gets one) is of
# unknown size until its end: it must cost no more memory than the same
# message from a file, whose size is known (no huge page is touched for
# a few kilobytes).  1 MiB of slack for the allocator.  The peak comes
# from obj/bench/rss (getrusage of its child, a small C program before
# the exec, where a Python wrapper would count its own 10 MiB).
head -c 51200 /dev/urandom >small.in
"$PFISH_OBJ/bench/rss" rss.sfile "$tool" encrypt -r "$(cat alice.pub)" \
    <small.in >small.f.age
cat small.in | "$PFISH_OBJ/bench/rss" rss.spipe "$tool" encrypt \
    -r "$(cat alice.pub)" >small.p.age
sf=$(cut -d' ' -f2 rss.sfile)
sp=$(cut -d' ' -f2 rss.spipe)
echo "# 50 KiB: max RSS encrypt from a file ${sf} KiB, from a pipe ${sp} KiB"
check "small-pipe-rss-measured" test "$sf" -gt 0 -a "$sp" -gt 0
check "small-pipe-rss-as-from-a-file" test "$sp" -le $((sf + 1024))
check "small-pipe-decrypts" sh -c "'$tool' decrypt -i alice <small.p.age |
    cmp -s - small.in"

t_done
