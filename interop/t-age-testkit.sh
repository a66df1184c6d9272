#!/bin/sh
# t-age-testkit.sh: run every C2SP age conformance vector through pfish's
# age code.
#
# The vectors are vendored in tests/age-vectors/testdata (origin and
# licence in tests/age-vectors/README.md).  Each is one "ok"/"not ok"
# line from interop/agetool; vectors for recipient types pfish does not
# decrypt (scrypt passphrases, hybrid ML-KEM) are reported as SKIP with
# that reason, never as passes.  Every vector runs twice: on libsodium's
# ChaCha20-Poly1305, which a process starts with, and as "libcrypto: NAME"
# on libcrypto's, which takes over past 2 MiB (lib/aead.c; agetool opens
# it from the first byte under AGETOOL_AEAD=libcrypto).

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init

kit=$PFISH_TOP/tests/age-vectors/testdata
tool=$PFISH_OBJ/interop/agetool
if [ ! -d "$kit" ]; then
	notok "age-testkit" "no vectors at $kit"
	t_done
fi
if [ ! -x "$tool" ]; then
	notok "age-testkit" "no $tool (make builds it)"
	t_done
fi

# inflate VECTOR OUT: write the zlib-compressed body of VECTOR to OUT,
# decompressed.
inflate() {
	"$PY" - "$1" "$2" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
body = data[data.index(b"\n\n") + 2:]
open(sys.argv[2], "wb").write(zlib.decompress(body))
PY
}

# run_kit PREFIX: every vector, its test named PREFIX NAME.
run_kit() {
	n=0
	for v in "$kit"/*; do
		name=$(basename "$v")
		n=$((n + 1))
		if grep -aq '^compressed: zlib' "$v"; then
			if ! inflate "$v" "$T/body"; then
				notok "$1$name" "cannot inflate the body"
				continue
			fi
			out=$("$tool" vector "$v" "$T/body" 2>&1)
		else
			out=$("$tool" vector "$v" 2>&1)
		fi
		case "$out" in
		"ok $name # SKIP "*)
			# Said once: the second pass decrypts no more.
			[ -n "$1" ] ||
			    skip "$name" "${out#"ok $name # SKIP "}" ;;
		"ok $name")
			ok "$1$name" ;;
		*)
			notok "$1$name" "$(echo "$out" | tr '\n' ' ')" ;;
		esac
	done
}

run_kit ""
export AGETOOL_AEAD=libcrypto
run_kit "libcrypto: "
unset AGETOOL_AEAD
[ "$n" -ge 100 ] && ok "age-testkit-count" ||
    notok "age-testkit-count" "only $n vectors in $kit"
t_done
