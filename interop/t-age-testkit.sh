#!/bin/sh
# t-age-testkit.sh: run every C2SP age conformance vector through pfish's age code.
#
# The vectors live beside the repository in ../shared/testkit/age.  Each is
# one "ok"/"not ok" line; scrypt and hybrid (ML-KEM) vectors need keys
# pfish does not support and are reported as SKIP, never as passes.

top=${PFISH_TOP:-$(pwd)}
obj=${PFISH_OBJ:-$top/obj}
kit=$top/../shared/testkit/age
tool=$obj/interop/agetool

if [ ! -d "$kit" ]; then
	echo "ok age-testkit # SKIP testkit not found at $kit"
	exit 0
fi
[ -x "$tool" ] || { echo "not ok age-testkit (no $tool)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfish-agekit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Write the zlib-compressed body of vector $1 to $2, decompressed.
inflate() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
body = data[data.index(b"\n\n") + 2:]
open(sys.argv[2], "wb").write(zlib.decompress(body))
PY
}

pass=0
fail=0
skip=0
for v in "$kit"/*; do
	name=$(basename "$v")
	[ "$name" = README.md ] && continue
	if grep -aq '^compressed: zlib' "$v"; then
		inflate "$v" "$tmp/body" || { echo "not ok $name (inflate)"; fail=$((fail + 1)); continue; }
		out=$("$tool" vector "$v" "$tmp/body" 2>&1)
	else
		out=$("$tool" vector "$v" 2>&1)
	fi
	echo "$out"
	case "$out" in
	"ok "*"# SKIP"*) skip=$((skip + 1)) ;;
	"ok "*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done
echo "# age testkit: $pass passed, $fail failed, $skip unsupported"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
