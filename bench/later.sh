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

# Signed state: pfish verify, cold and incremental, against mailbox size.
verify_cases() {
	miss=$(missing pfish pfish-signer pfish-store pfish-server)
	for n in $LIST_SIZES; do
		if [ -n "$miss" ]; then
			later_na "pfish verify $n cold" "$miss"
			later_na "pfish verify $n incr (10 new)" \
			    "$miss"
			continue
		fi
		later_todo "pfish verify $n cold"
	done
}

# Delivery rate: pfish-deliver -> signer -> store against age+cp+sync.
deliver_cases() {
	miss=$(missing pfish-deliver pfish-signer pfish-store)
	if [ -n "$miss" ]; then
		later_na "delivery, messages/s" "$miss"
		return
	fi
	later_todo "delivery, messages/s"
}

# age encrypt/decrypt against the age program: bench/age.sh, written by
# the age work, prints rows in the later.tsv format (8 tab-separated
# fields: label pfish anchor anchor_name ratio paired goal met); other
# lines go to the notes.
age_cases() {
	if [ ! -f "$TOP/bench/age.sh" ]; then
		later_na "age encrypt 1 MiB" bench/age.sh
		later_na "age encrypt 256 MiB" bench/age.sh
		later_na "age decrypt 1 MiB" bench/age.sh
		later_na "age decrypt 256 MiB" bench/age.sh
		return
	fi
	if ! BENCH_TMP=$T REPS=$REPS BIN=$BIN O=$O sh "$TOP/bench/age.sh" \
	    >"$T/age.out" 2>&1; then
		printf 'age\tn/a (bench/age.sh failed)\t-\t-\t-\t-\t-\t-\n' \
		    >>"$LATER"
	fi
	awk -F '\t' 'NF == 8' "$T/age.out" >>"$LATER"
	awk -F '\t' 'NF != 8 { print "age.sh: " $0 }' "$T/age.out" >>"$NOTES"
}

later_cases() {
	: >"$LATER"
	echo "bench: later cases (signed state, delivery, age)"
	verify_cases
	deliver_cases
	age_cases
}
