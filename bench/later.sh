# later.sh: benchmark cases for programs that land after the server.
# Sourced by bench/run.sh.  Each case appends finished table rows
#	label pfish anchor anchor_name ratio paired goal met	(tab-separated)
# to $OUT/later.tsv, or an "n/a (not built: ...)" row while a program it
# needs is missing, so the table grows by itself as pfish does.

LATER=$OUT/later.tsv

later_na() {	# label what_is_missing [goal]
	printf '%s\tn/a (not built)\tneeds %s\t-\t-\t-\t%s\t-\n' "$1" "$2" \
	    "${3:--}" >>"$LATER"
}

later_todo() {	# label: the programs exist, the measurement does not yet
	printf '%s\tn/a (not measured yet)\t-\t-\t-\t-\t-\t-\n' "$1" \
	    >>"$LATER"
}

# missing prog ...: print the first program not built, if any.
missing() {
	for m in "$@"; do
		[ -x "$BIN/$m" ] || { echo "bin/$m"; return; }
	done
}

# Small messages through a real sshd (bench/small.sh): stock sftp from
# either server, pfish list, verify (cold, again) and fetch, side by side.
small_cases() {
	miss=$(missing pfish pfish-server)
	if [ -n "$miss" ]; then
		later_na "small messages through sshd" "$miss"
		return
	fi
	echo "bench: $SMALL_SSHD_N x 2 KiB through sshd"
	if ! SMALL_SSHD_N=$SMALL_SSHD_N TMPDIR=$T PFISH_TOP=$TOP \
	    PFISH_BIN=$BIN PFISH_OBJ=$TOP/$O sh "$TOP/bench/small.sh" \
	    "$SMALL_REPS" "$T/small.rows" >"$T/small.out" 2>&1 ||
	    [ ! -s "$T/small.rows" ]; then
		later_na "small messages through sshd" "bench/small.sh to work"
		sed 's/^/small.sh: /' "$T/small.out" >>"$NOTES"
		return
	fi
	cat "$T/small.rows" >>"$LATER"
	grep -v '\t' "$T/small.out" | grep . | sed 's/^/small.sh: /' \
	    >>"$NOTES"
	cp "$T/small.rows.raw" "$OUT/small.tsv"
}

# Delivery: pfish-deliver (age encryption, pfish-signer record, pfish-store
# accept, each durable with fsync) against the floor of the same message
# through the age program, cp into a mailbox and sync.  Each turn delivers
# DELIVER_N messages of 50 KiB; the programs take turns like the others.
deliver_cases() {
	miss=$(missing pfish-deliver pfish-signer pfish-store)
	if [ -n "$miss" ]; then
		later_na "delivery of 50 KiB messages" "$miss"
		return
	fi
	command -v age >/dev/null || { later_na "delivery" "age program"; return; }
	D=$T/deliver
	mkdir -p "$D/state" "$D/root" "$D/spool" "$D/floor" || return
	ssh-keygen -q -t ed25519 -N '' -C signer -f "$D/state/signer_key" &&
	    ssh-keygen -q -t ed25519 -N '' -C alice -f "$D/alice" || return
	echo "signer namespaces=\"pfish-record-v1,pfish-head-v1\"" \
	    "$(cat "$D/state/signer_key.pub")" >"$D/allowed"
	cp "$D/alice.pub" "$D/rcpts"
	"$BIN/pfish-store" -r "$D/root" init -u "$(id -un)" alice || return
	{
		printf 'From: bob@example.org\nTo: alice@example.org\n'
		printf 'Subject: bench\n\n'
		head -c 38000 /dev/urandom | base64
	} >"$D/msg"
	# Every message differs (a last line of its own): the deliverer
	# settles a message it has stored before without storing it again.
	# One turn of each as a script for the timer: deliver.sh, floor.sh.
	{
		echo 'i=0'
		echo "while [ \$i -lt $DELIVER_N ]; do"
		echo "	{ cat $D/msg; echo \$1.\$i; } |"
		echo "	    $BIN/pfish-deliver -r $D/rcpts -d $D/spool \\"
		echo "	    -S '$BIN/pfish-signer -s $D/state' \\"
		echo "	    -A '$BIN/pfish-store -r $D/root -T $D/allowed' \\"
		echo "	    alice >>$D/deliver.log 2>&1 || exit 1"
		echo '	i=$((i + 1))'
		echo 'done'
	} >"$D/deliver.sh"
	{
		echo 'i=0'
		echo "while [ \$i -lt $DELIVER_N ]; do"
		echo "	{ cat $D/msg; echo \$1.\$i; } |"
		echo "	    age -R $D/rcpts >$D/enc || exit 1"
		echo "	cp $D/enc $D/floor/\$1.\$i.age || exit 1"
		echo '	sync'
		echo '	i=$((i + 1))'
		echo 'done'
	} >"$D/floor.sh"
	rep=0
	while [ "$rep" -le "$REPS" ]; do
		for p in $(turns "$((rep + 1))" pfish floor); do
			rm -f "$T/srv.out"	# no server here
			if [ "$p" = pfish ]; then
				$NICE "$RSS" "$T/cli.out" sh "$D/deliver.sh" "$rep"
			else
				$NICE "$RSS" "$T/cli.out" sh "$D/floor.sh" "$rep"
			fi || { note "delivery: $p failed in turn $rep"; continue; }
			# Turn 0 warms up and is not recorded.
			[ "$rep" -gt 0 ] && record deliver "$DELIVER_N x 50 KiB" \
			    "$p" "$rep"
		done
		rep=$((rep + 1))
	done
	got=$(ls "$D/root/alice" | grep -c '\.age$')
	note "delivery: $got messages in the pfish mailbox" \
	    "(want $(( (REPS + 1) * DELIVER_N )))"
}

# age encrypt/decrypt against the age program: bench/age.sh (from the age
# work) runs its own alternating hyperfine rounds and prints a table:
#	LABEL pfish_ms age_ms ratio pfish_cpu_ms age_cpu_ms cpu_ratio
# whose rows become ours; all it prints also goes to the notes.
age_cases() {
	if [ ! -f "$TOP/bench/age.sh" ] || [ ! -x "$TOP/$O/interop/agetool" ]
	then
		for c in "encrypt 1 MiB" "encrypt 256 MiB" "decrypt 1 MiB" \
		    "decrypt 256 MiB"; do
			later_na "age $c" "bench/age.sh, agetool"
		done
		return
	fi
	if ! TMPDIR=$T PFISH_TOP=$TOP PFISH_OBJ=$TOP/$O \
	    sh "$TOP/bench/age.sh" "$REPS" >"$T/age.out" 2>&1; then
		printf 'age\tn/a (bench/age.sh failed)\t-\t-\t-\t-\t-\t-\n' \
		    >>"$LATER"
	fi
	awk '/^(en|de)crypt [0-9]+ MiB / && NF == 9 {
		printf "age %s %s (ms)\t%.1f\t%.1f\tage\t%.2f\t-\t-\t-\n",
		    $1, $2 " " $3, $4, $5, $6
		printf "age %s %s, CPU (ms)\t%.1f\t%.1f\tage\t%.2f\t-\t1.00\t%s\n",
		    $1, $2 " " $3, $7, $8, $9, ($9 <= 1.0) ? "yes" : "NO"
	}' "$T/age.out" >>"$LATER"
	sed 's/^/age.sh: /' "$T/age.out" >>"$NOTES"
}

later_cases() {
	: >"$LATER"
	echo "bench: later cases (small messages via sshd, delivery, age)"
	small_cases
	deliver_cases
	age_cases
}
