#!/bin/sh
# check-layers.sh: the library's dependencies run one way only.
#
# Usage: check-layers.sh OBJDIR "LAYERS" "PROGDIRS"
#
# LAYERS are directories in order, each allowed to call only the ones
# before it (lib proto age state); PROGDIRS are the programs' directories
# on top, which may call every layer but never each other.  The facts
# come from nm(1) on the objects: an undefined symbol in one object that
# another object defines is an arrow.  Prints "ok"/"not ok" lines:
#	layers-one-way		no arrow runs back up or sideways
#	layers-no-cycle		no two objects call each other, directly
#				or round a loop
#	layers-unique-names	no two sources share a basename (ar(1)
#				would keep two members of one name)
#	error-codes-unique	every *_ERR_* code is in include/pfisherr.h
#				and no two share a value, so a code names
#				its one meaning
#	libcrypto-not-linked	no program in B (default bin) links
#				libcrypto: lib/aead.c opens it past a
#				process's first 2 MiB of ChaCha20-Poly1305
#				(pfish has it through libssh); loading it
#				costs a program 1.3 ms of CPU at start

O=${1:?usage: check-layers.sh OBJDIR LAYERS PROGDIRS}
LAYERS=$2
PROGDIRS=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfish-layers.XXXXXX") || exit 1
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT
rc=0

rank() {	# dir -> its rank, printed as "dir rank kind"
	i=0
	for d in $LAYERS; do echo "$d $i layer"; i=$((i + 1)); done
	for d in $PROGDIRS; do echo "$d $i program"; i=$((i + 1)); done
}
rank >"$tmp/ranks"

# The objects of today's sources (a stale object of a moved file is not).
for d in $LAYERS $PROGDIRS; do
	for c in "$d"/*.c; do
		[ -e "$c" ] || continue
		n=${c%.c}.o
		f=$O/$n
		if [ ! -e "$f" ]; then
			echo "not ok layers-one-way # no $f: build first"
			exit 1
		fi
		nm -g --defined-only "$f" | awk -v o="$n" \
		    'NF == 3 { print "D", o, $3 }'
		nm -u "$f" | awk -v o="$n" 'NF == 2 { print "U", o, $2 }'
	done
done >"$tmp/syms"
if ! grep -q '^D ' "$tmp/syms"; then
	echo "not ok layers-one-way # no objects in $O"
	exit 1
fi

# Arrows between objects: "from to symbol".
awk 'NR == FNR { if ($1 == "D") def[$3] = $2; next }
    $1 == "U" && ($3 in def) && def[$3] != $2 { print $2, def[$3], $3 }' \
    "$tmp/syms" "$tmp/syms" | sort -u >"$tmp/edges"

awk 'NR == FNR { r[$1] = $2; kind[$1] = $3; next }
    {
	split($1, a, "/"); split($2, b, "/")
	if (a[1] == b[1])
		next
	if (kind[b[1]] == "layer" && r[b[1]] < r[a[1]])
		next
	print "    " $1 " -> " $2 " (" $3 ")"
    }' "$tmp/ranks" "$tmp/edges" >"$tmp/back"
if [ -s "$tmp/back" ]; then
	echo "not ok layers-one-way"
	cat "$tmp/back"
	rc=1
else
	echo "ok layers-one-way"
fi

# Loops: the transitive closure of the object graph, one line per pair
# of objects that reach each other.
awk '{ if (!($1 in id)) { id[$1] = ++n; name[n] = $1 }
	if (!($2 in id)) { id[$2] = ++n; name[n] = $2 }
	e[id[$1], id[$2]] = 1 }
    END {
	for (k = 1; k <= n; k++)
		for (i = 1; i <= n; i++)
			if ((i, k) in e)
				for (j = 1; j <= n; j++)
					if ((k, j) in e)
						e[i, j] = 1
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if ((i, j) in e && (j, i) in e)
				print "    " name[i] " <-> " name[j]
    }' "$tmp/edges" | sort >"$tmp/loops"
if [ -s "$tmp/loops" ]; then
	echo "not ok layers-no-cycle"
	cat "$tmp/loops"
	rc=1
else
	echo "ok layers-no-cycle"
fi

# One basename, one file: sources and headers anywhere in the tree.
find . \( -name .git -o -name 'obj*' -o -name 'bin*' \) -prune -o \
    \( -name '*.c' -o -name '*.h' \) -type f -print |
    awk '{ n = $0; sub(/.*\//, "", n); seen[n] = seen[n] " " $0; cnt[n]++ }
	END { for (n in cnt) if (cnt[n] > 1) print "    " n ":" seen[n] }' |
    sort >"$tmp/dups"
if [ -s "$tmp/dups" ]; then
	echo "not ok layers-unique-names"
	cat "$tmp/dups"
	rc=1
else
	echo "ok layers-unique-names"
fi

# Error codes: "#define FAMILY_ERR_NAME -N", all in include/pfisherr.h
# (one namespace), one value each.
grep -l '^#define [A-Z0-9_]*_ERR_[A-Z0-9_]*[[:space:]]*-[0-9]' include/*.h |
    grep -v '^include/pfisherr\.h$' |
    sed 's/^/    outside pfisherr.h: /' >"$tmp/errs"
grep -h '^#define [A-Z0-9_]*_ERR_[A-Z0-9_]*[[:space:]]*-[0-9]' \
    include/pfisherr.h |
    awk '{ v = $3; n[v] = n[v] " " $2; c[v]++ }
	END { for (v in c) if (c[v] > 1) print "    " v ":" n[v] }' |
    sort >>"$tmp/errs"
if [ -s "$tmp/errs" ]; then
	echo "not ok error-codes-unique"
	cat "$tmp/errs"
	rc=1
else
	echo "ok error-codes-unique"
fi

# Programs and the shared libraries they load: readelf(1) on the links.
B=${B:-bin}
: >"$tmp/crypto"
nprog=0
for p in "$B"/*; do
	[ -f "$p" ] && [ -x "$p" ] || continue
	nprog=$((nprog + 1))
	if readelf -d "$p" | grep NEEDED | grep -q 'libcrypto\.so'; then
		echo "    $p links libcrypto" >>"$tmp/crypto"
	fi
done
# pfish, -account, -deliver, -server, -signer, -store: none may be missing.
[ "$nprog" -ge 6 ] || echo "    $nprog programs in $B: build first" \
    >>"$tmp/crypto"
if [ -s "$tmp/crypto" ]; then
	echo "not ok libcrypto-not-linked"
	cat "$tmp/crypto"
	rc=1
else
	echo "ok libcrypto-not-linked"
fi

exit $rc
