# t-hostile.sh: hostile SFTP input over a pipe (interop/hostile.py).
#
# Path escapes, length and packet-size attacks, truncation, handle abuse,
# requests before INIT, unknown types and extensions, write flags, reads
# at the edges, a 100 000-file listing and a client that never reads.
# hostile.py prints one "ok"/"not ok" line per case.

. "${PFISH_TOP:-.}/interop/lib.sh"
t_init
t_need_server

"$PY" "$PFISH_TOP/interop/hostile.py" "$PFISH_SERVER" "$T"
