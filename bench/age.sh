#!/bin/sh
# age.sh: pfish's age encryption and decryption against the age program.
#
# ssh-ed25519 recipient, 1 MiB and 256 MiB payloads, both directions.
# Each case runs as several hyperfine rounds that alternate which program
# goes first, so drift in machine load hits both alike; the table shows
# the median wall time and the ratio pfish/age (below 1.0: pfish faster).
# Usage: bench/age.sh [rounds]   (PFISH_OBJ: the build's obj/ directory)

top=${PFISH_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
obj=${PFISH_OBJ:-$top/obj}
tool=$obj/interop/agetool
rounds=${1:-5}

for c in age hyperfine /usr/bin/python3; do
	command -v "$c" >/dev/null 2>&1 || { echo "age.sh: needs $c" >&2; exit 1; }
done
[ -x "$tool" ] || { echo "age.sh: build first (no $tool)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfish-agebench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 1
ssh-keygen -q -t ed25519 -N '' -f key || exit 1
head -c 1M /dev/urandom > p1
head -c 256M /dev/urandom > p256
age -R key.pub < p1 > c1
age -R key.pub < p256 > c256
rcpt=$(cat key.pub)
sync
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# One hyperfine round: JSON to NAME.ROUND.json, commands in the given order.
round() {
	hyperfine -N -w 1 -r 3 --style none --export-json "$1.$2.json" \
	    "$3" "$4" >/dev/null 2>&1
}

# bench NAME PFISH_CMD AGE_CMD: rounds alternate which one goes first.
bench() {
	i=1
	while [ "$i" -le "$rounds" ]; do
		if [ $((i % 2)) -eq 1 ]; then
			round "$1" "$i" "$2" "$3" || exit 1
		else
			round "$1" "$i" "$3" "$2" || exit 1
		fi
		i=$((i + 1))
	done
}

# hyperfine -N runs without a shell, so redirections go through sh -c.
p_enc() { echo "sh -c \"$tool encrypt -r '$rcpt' < $1 > /dev/null\""; }
a_enc() { echo "sh -c \"age -R key.pub < $1 > /dev/null\""; }
p_dec() { echo "sh -c \"$tool decrypt -i key < $1 > /dev/null\""; }
a_dec() { echo "sh -c \"age -d -i key < $1 > /dev/null\""; }

bench enc1 "$(p_enc p1)" "$(a_enc p1)"
bench dec1 "$(p_dec c1)" "$(a_dec c1)"
bench enc256 "$(p_enc p256)" "$(a_enc p256)"
bench dec256 "$(p_dec c256)" "$(a_dec c256)"

echo "# $(nproc) CPUs; load average before/after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$tool" <<'PY'
import glob, json, statistics, sys
tool = sys.argv[1]
cases = [("enc1", "encrypt 1 MiB"), ("dec1", "decrypt 1 MiB"),
    ("enc256", "encrypt 256 MiB"), ("dec256", "decrypt 256 MiB")]
print("%-17s %10s %10s %7s %12s %12s %7s" % ("ssh-ed25519",
    "pfish ms", "age ms", "ratio", "pfish cpu ms", "age cpu ms", "ratio"))
for key, label in cases:
    t = {"pfish": [], "age": []}
    cpu = {"pfish": [], "age": []}
    for f in glob.glob(key + ".*.json"):
        for r in json.load(open(f))["results"]:
            who = "pfish" if tool in r["command"] else "age"
            t[who] += r["times"]
            cpu[who].append(r["user"] + r["system"])
    p, a = statistics.median(t["pfish"]), statistics.median(t["age"])
    cp, ca = statistics.median(cpu["pfish"]), statistics.median(cpu["age"])
    print("%-17s %10.1f %10.1f %7.2f %12.1f %12.1f %7.2f" % (label,
        p * 1e3, a * 1e3, p / a, cp * 1e3, ca * 1e3, cp / ca))
print("(median of %d runs each; ratio = pfish/age, wall time then CPU time"
    " (user+sys);\n below 1.0 means pfish is faster / cheaper)" % len(t["age"]))
PY
