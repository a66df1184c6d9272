#!/usr/bin/python3
# stateclient.py: a small SFTP client of pfish-state@pfish and
# pfish-delete@pfish over a pipe to pfish-server, for t-state-ext.sh.
#
#   stateclient.py pages MAILBOXDIR N -- SERVER ARGS...
#       fetch the whole state; check the head comes first with the hash
#       it is announced with, every page fits 256 KiB, every record 1..N
#       arrives exactly once in ascending order with the stored bytes.
#       Prints "pages P records R items I largest B".
#   stateclient.py delete FILE -- SERVER ARGS...
#       send FILE as a signed delete; prints "status CODE MESSAGE".

import hashlib
import os
import struct
import subprocess
import sys

PACKET_MAX = 256 * 1024
FXP_INIT, FXP_VERSION, FXP_STATUS = 1, 2, 101
FXP_EXTENDED, FXP_EXTENDED_REPLY = 200, 201


def fail(msg):
    sys.stderr.write("stateclient: %s\n" % msg)
    sys.exit(1)


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, n):
        if self.o + n > len(self.d):
            fail("truncated reply")
        v = self.d[self.o:self.o + n]
        self.o += n
        return v

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def string(self):
        return self.take(self.u32())

    def done(self):
        return self.o == len(self.d)


def sstr(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


class Session:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.id = 0
        self.send(bytes([FXP_INIT]) + struct.pack(">I", 3))
        t, r, _ = self.recv()
        if t != FXP_VERSION or r.u32() != 3:
            fail("no VERSION 3")
        self.ext = {}
        while not r.done():
            name = r.string().decode()
            self.ext[name] = r.string().decode()

    def send(self, body):
        self.p.stdin.write(struct.pack(">I", len(body)) + body)
        self.p.stdin.flush()

    def recv(self):
        hdr = self.p.stdout.read(4)
        if len(hdr) != 4:
            fail("server closed the connection")
        n = struct.unpack(">I", hdr)[0]
        body = self.p.stdout.read(n)
        if len(body) != n:
            fail("short packet")
        return body[0], Reader(body[1:]), 4 + n

    def extended(self, name, payload):
        self.id += 1
        self.send(bytes([FXP_EXTENDED]) + struct.pack(">I", self.id) +
                  sstr(name) + payload)
        t, r, total = self.recv()
        if r.u32() != self.id:
            fail("reply id mismatch")
        return t, r, total

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def cmd_pages(mbdir, n, argv):
    s = Session(argv)
    if s.ext.get("pfish-state@pfish") != "1":
        fail("pfish-state@pfish not advertised with \"1\"")
    with open(os.path.join(mbdir, ".pfish/head"), "rb") as f:
        head = f.read()
    want_hash = hashlib.sha256(head).hexdigest()
    cursor, pages, items, largest, last, nbytes = b"", 0, 0, 0, 0, 0
    seen = set()
    while True:
        t, r, total = s.extended("pfish-state@pfish", sstr(cursor))
        if t != FXP_EXTENDED_REPLY:
            fail("page %d: reply type %d" % (pages, t))
        if total > PACKET_MAX:
            fail("page %d is %d bytes" % (pages, total))
        largest = max(largest, total)
        hh, nxt, count = r.string().decode(), r.string(), r.u32()
        if hh != want_hash:
            fail("page %d: headhash %s, want %s" % (pages, hh, want_hash))
        for i in range(count):
            kind, seq, content = r.u8(), r.u64(), r.string()
            items += 1
            nbytes += 13 + len(content)
            if pages == 0 and i == 0:
                if kind != 1 or content != head:
                    fail("the head is not the first item")
                continue
            if kind != 2:
                continue
            if seq <= last or seq in seen:
                fail("record %d out of order or twice" % seq)
            last = seq
            seen.add(seq)
            with open(os.path.join(mbdir, ".pfish/records/%012d.rec" % seq),
                      "rb") as f:
                if f.read() != content:
                    fail("record %d differs from the stored file" % seq)
        if not r.done():
            fail("trailing bytes in page %d" % pages)
        pages += 1
        if nxt == b"":
            break
        if pages > 10000:
            fail("the listing does not end")
        cursor = nxt
    missing = set(range(1, n + 1)) - seen
    if missing or len(seen) != n:
        fail("%d records missing (first %s)" % (len(missing),
             min(missing) if missing else "-"))
    # Pages are packed: no more than the bytes need, with 4 KiB slack each.
    if pages > nbytes // (PACKET_MAX - 4096) + 1:
        fail("%d pages for %d bytes of items" % (pages, nbytes))
    s.close()
    print("pages %d records %d items %d largest %d" %
          (pages, len(seen), items, largest))


def cmd_delete(path, argv):
    with open(path, "rb") as f:
        stmt = f.read()
    s = Session(argv)
    if s.ext.get("pfish-delete@pfish") != "1":
        fail("pfish-delete@pfish not advertised with \"1\"")
    t, r, _ = s.extended("pfish-delete@pfish", sstr(stmt))
    if t != FXP_STATUS:
        fail("reply type %d" % t)
    code, msg = r.u32(), r.string().decode()
    s.close()
    print("status %d %s" % (code, msg))


def main():
    a = sys.argv[1:]
    if "--" not in a:
        fail("usage: pages MAILBOXDIR N -- SERVER... | delete FILE -- SERVER...")
    k = a.index("--")
    args, server = a[:k], a[k + 1:]
    if args[:1] == ["pages"] and len(args) == 3:
        cmd_pages(args[1], int(args[2]), server)
    elif args[:1] == ["delete"] and len(args) == 2:
        cmd_delete(args[1], server)
    else:
        fail("bad usage")


main()
