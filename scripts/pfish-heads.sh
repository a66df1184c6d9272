#!/bin/sh
# pfish-heads: sign a fresh head for every mailbox the signer knows and
# hand each to the store, so that no head goes stale.  Run as the signer
# user from pfish-heads.timer or cron(8), more often than the heads'
# lifetime (pfish-signer -L, default 24h); see pfish-signer(8).
#
# usage: pfish-heads [-s statedir] store_cmd ...
#	store_cmd is run as "store_cmd head MAILBOX" with the head on its
#	standard input, for example
#	pfish-heads ssh -F /var/lib/pfish-signer/ssh_config pfish-store
#
# Exits 0 if every head was stored, 1 if any failed (each is named on
# standard error); one failure does not stop the others.

signer=/usr/local/bin/pfish-signer
statedir=/var/lib/pfish-signer

usage() {
	echo "usage: pfish-heads [-s statedir] store_cmd ..." >&2
	exit 64
}

while getopts s:h opt; do
	case $opt in
	s) statedir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
[ -d "$statedir" ] || { echo "pfish-heads: $statedir: no such directory" >&2; exit 1; }

rc=0
for f in "$statedir"/*.state; do
	[ -e "$f" ] || continue
	m=$(basename "$f" .state)
	if ! "$signer" -s "$statedir" head "$m" | "$@" head "$m" >/dev/null
	then
		echo "pfish-heads: $m: the head was not stored" >&2
		rc=1
	fi
done
exit $rc
