#!/bin/sh
# t-limits.sh: slowloris-style clients cannot grow pfish-server's memory
# beyond its caps (pfish-server(8) CAVEATS): input trickled a byte at a
# time, every handle held open, many sessions that never read a reply.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
t_need_server

M=$T/mbox
mbox_make "$M"
printf 'message one\n' >"$M/000000000001.age"
printf 'message two\n' >"$M/000000000002.age"
head -c 1048576 /dev/urandom >"$M/000000000003.age"
grep -qa __asan_init "$PFISH_SERVER" && export PFISH_ASAN=1
# The server's default handle cap, as the header sets it.
cap=$(awk '$1 == "#define" && $2 == "PFISH_HANDLES_DEFAULT" { print $3 }' \
    "$PFISH_TOP/include/pfish.h")
timeout 100 "$PY" "$PFISH_TOP/interop/limits.py" "$PFISH_SERVER" "$M" "$cap"
rc=$?
[ $rc -eq 0 ] && ok "limits held" || notok "limits held" "limits.py exit $rc"
t_done
