#!/usr/bin/python3
# state-stub.py: a stand-in SFTP subsystem with pfish's signed-state
# extensions, for t-client-e2e.sh while pfish-server does not serve them.
#
# Test double only: no path checks, no confinement, no limits.  Serves one
# mailbox directory laid out as pfish-store leaves it (DESIGN.md section 5):
# OPENDIR/READDIR/OPEN/READ/CLOSE/STAT/LSTAT/REALPATH/REMOVE (REMOVE writes
# the unsigned note first), pfish-state@pfish (paged, head first, then
# records, deletes, notes) and pfish-delete@pfish (stores the statement,
# unlinks the messages; it checks nothing -- the client must not care).
# Usage: state-stub.py [-Q] -d MAILBOX

import hashlib
import os
import struct
import sys
import time

if "-Q" in sys.argv:
    print("pfish-state@pfish\npfish-delete@pfish")
    sys.exit(0)
MB = sys.argv[sys.argv.index("-d") + 1]
NAME = os.path.basename(MB.rstrip("/"))
IN = sys.stdin.buffer
OUT = sys.stdout.buffer
PAGE = 200000


def rd(n):
    b = b""
    while len(b) < n:
        c = IN.read(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b


def s(b):
    return struct.pack(">I", len(b)) + b


def send(t, body):
    p = bytes([t]) + body
    OUT.write(struct.pack(">I", len(p)) + p)
    OUT.flush()


def status(i, c, m=b""):
    send(101, struct.pack(">II", i, c) + s(m) + s(b""))


class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def u32(self):
        v = struct.unpack(">I", self.b[self.o:self.o + 4])[0]
        self.o += 4
        return v

    def u64(self):
        v = struct.unpack(">Q", self.b[self.o:self.o + 8])[0]
        self.o += 8
        return v

    def str(self):
        n = self.u32()
        v = self.b[self.o:self.o + n]
        self.o += n
        return v


def path(name):
    n = os.path.basename(name.decode())
    return os.path.join(MB, n) if n not in ("", ".", "/") else MB


def attrs(p):
    st = os.stat(p)
    return struct.pack(">IQI", 5, st.st_size, st.st_mode)


def state_items():
    items, hh = [], b""
    hp = os.path.join(MB, ".pfish/head")
    if os.path.exists(hp):
        d = open(hp, "rb").read()
        hh = hashlib.sha256(d).hexdigest().encode()
        items.append(bytes([1]) + struct.pack(">Q", 0) + s(d))
    for kind, sub in ((2, "records"), (3, "deletes"), (4, "notes")):
        for x in sorted(os.listdir(os.path.join(MB, ".pfish", sub))):
            d = open(os.path.join(MB, ".pfish", sub, x), "rb").read()
            seq = int(x[:12]) if kind != 1 else 0
            items.append(bytes([kind]) + struct.pack(">Q", seq) + s(d))
    return hh, items


def ext_state(i, r):
    cur = r.str()
    hh, items = state_items()
    k = int(cur) if cur else 0
    body, cnt = b"", 0
    while k < len(items) and len(body) + len(items[k]) < PAGE:
        body += items[k]
        k += 1
        cnt += 1
    nxt = str(k).encode() if k < len(items) else b""
    send(201, struct.pack(">I", i) + s(hh) + s(nxt) +
         struct.pack(">I", cnt) + body)


def ext_delete(i, r):
    st = r.str()
    text = st[:st.index(b"-----BEGIN SSH SIGNATURE-----")]
    dels = [ln.split() for ln in text.decode().split("\n")
            if ln.startswith("del ")]
    h = hashlib.sha256(text).hexdigest()[:16]
    name = "%012d-%s.del" % (int(dels[0][1]), h)
    open(os.path.join(MB, ".pfish/deletes", name), "wb").write(st)
    for d in dels:
        try:
            os.unlink(os.path.join(MB, "%012d.age" % int(d[1])))
        except OSError:
            pass
    status(i, 0)


def remove(i, r):
    n = os.path.basename(r.str().decode())
    p = os.path.join(MB, n)
    if not n.endswith(".age") or not os.path.isfile(p):
        status(i, 2)
        return
    seq = int(n[:12])
    note = ("statement note\nversion 1\nmailbox %s\nseq %d\ntime %d\n" %
            (NAME, seq, int(time.time())))
    open(os.path.join(MB, ".pfish/notes/%012d.note" % seq), "w").write(note)
    os.unlink(p)
    status(i, 0)


handles, hn = {}, 0
while True:
    n = struct.unpack(">I", rd(4))[0]
    p = rd(n)
    t, r = p[0], Reader(p[1:])
    if t == 1:
        send(2, struct.pack(">I", 3) + s(b"pfish-state@pfish") + s(b"1") +
             s(b"pfish-delete@pfish") + s(b"1"))
        continue
    i = r.u32()
    if t == 11:
        hn += 1
        names = sorted(x for x in os.listdir(MB)
                       if x.endswith(".age") and os.path.isfile(
                           os.path.join(MB, x)))
        handles[str(hn).encode()] = names
        send(102, struct.pack(">I", i) + s(str(hn).encode()))
    elif t == 12:
        h = handles[r.str()]
        if not h:
            status(i, 1)
            continue
        chunk, h[:] = h[:100], h[100:]
        body = struct.pack(">II", i, len(chunk))
        for x in chunk:
            body += s(x.encode()) + s(x.encode()) + attrs(os.path.join(MB, x))
        send(104, body)
    elif t == 4:
        h = handles.pop(r.str(), None)
        if hasattr(h, "close"):
            h.close()
        status(i, 0)
    elif t == 3:
        try:
            f = open(path(r.str()), "rb")
        except OSError:
            status(i, 2)
            continue
        hn += 1
        handles[str(hn).encode()] = f
        send(102, struct.pack(">I", i) + s(str(hn).encode()))
    elif t == 5:
        f = handles[r.str()]
        off, ln = r.u64(), r.u32()
        f.seek(off)
        d = f.read(ln)
        if d:
            send(103, struct.pack(">I", i) + s(d))
        else:
            status(i, 1)
    elif t in (7, 17):
        try:
            send(105, struct.pack(">I", i) + attrs(path(r.str())))
        except OSError:
            status(i, 2)
    elif t == 16:
        r.str()
        send(104, struct.pack(">II", i, 1) + s(b"/") + s(b"/") +
             struct.pack(">I", 0))
    elif t == 13:
        remove(i, r)
    elif t == 200:
        ext = r.str()
        if ext == b"pfish-state@pfish":
            ext_state(i, r)
        elif ext == b"pfish-delete@pfish":
            ext_delete(i, r)
        else:
            status(i, 8)
    else:
        status(i, 8)
