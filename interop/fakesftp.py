#!/usr/bin/env python3
# fakesftp.py: a hostile SFTP server for the pfish client's tests.
#
# Run by the test sshd as "Subsystem pfish python3 fakesftp.py CONF".
# CONF is re-read by every session; its lines are KEY=VALUE:
#	mode=NAME	what to do (below)
#	mbox=DIR	the mailbox a mode serves or wraps
#	server=CMD	pfish-server command line for the wrapping modes
#	name=FILE	the file deny refuses to open
#	hook=CMD	the shell command interleave runs
#	log=FILE	where to note what was done (appended)
#	n=N, head=FILE	for readdir-many
#
# Hostile modes (every one stops by itself after far more than a correct
# client accepts, so a client without bounds fails a test instead of
# filling the disk):
#	state-endless	state pages of one big item each, never ending
#	state-tiny	state pages of 15000 empty items each, never ending
#	state-empty	empty state pages that never end the listing
#	readdir-endless	READDIR answers names with long names, never EOF
#	silent		VERSION, then never another answer
#	fallback-endless plain SFTP; 000000000001.age is listed as 10 bytes
#			and every READ answers as much as asked, forever
#	state-excess	serves mbox with its real head and records, then
#			10000 more records than the head allows
#	readdir-many	lists n= (a number) message names, then EOF; its
#			state is the head in the file head= alone, or
#			nothing without head=
# Wrapping modes run pfish-server (server=) and change one thing:
#	deny		OPEN of name= is refused (SSH_FX_PERMISSION_DENIED);
#			hook=, if given, runs after the first refusal
#	noext		VERSION without the pfish extensions
#	endless		name= never ends: every READ past its end is answered
#			with as many bytes as asked instead of EOF (stops
#			after 64 MiB)
#	interleave	when the first directory listing ends (READDIR EOF),
#			run hook= before the client sees that EOF
#	short		every DATA reply longer than one byte is cut to its
#			first half: short reads, as SFTP allows
#	readhook	when the first READ of name= arrives, run hook=
#			before the server sees it (the client has listed its
#			fetch directory and made its temp file by then)
#	noskip		a state cursor the server did not give is refused
#			(a server whose cursors are its own)
#	nostart		a state listing's start past a seq ("s" N) is sent
#			on as the empty cursor: every record is served
#	headmove	hook= runs before every state request that continues
#			a listing (its cursor neither empty nor a start)
#	pass		nothing
# Every wrapping mode notes in log= each OPEN the server refused, and
# with noext=1 sends VERSION without the pfish extensions as noext does.

import os
import shlex
import struct
import subprocess
import sys
import threading

FXP_INIT, FXP_VERSION, FXP_OPEN, FXP_CLOSE, FXP_READ = 1, 2, 3, 4, 5
FXP_LSTAT, FXP_FSTAT, FXP_OPENDIR, FXP_READDIR = 7, 8, 11, 12
FXP_STAT, FXP_REALPATH = 17, 16
FXP_STATUS, FXP_HANDLE, FXP_DATA, FXP_NAME, FXP_ATTRS = 101, 102, 103, 104, 105
FXP_EXTENDED, FXP_EXTENDED_REPLY = 200, 201
FX_OK, FX_EOF, FX_NO_SUCH_FILE, FX_DENIED, FX_FAILURE = 0, 1, 2, 3, 4
FX_UNSUPPORTED = 8
STATE_EXT = b"pfish-state@pfish"

out_lock = threading.Lock()


def conf_read(path):
    c = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                c[k] = v
    return c


def note(conf, text):
    if "log" in conf:
        with open(conf["log"], "a") as f:
            f.write(text + "\n")


def read_exact(fd, n):
    b = b""
    while len(b) < n:
        k = os.read(fd, n - len(b))
        if not k:
            return None
        b += k
    return b


def read_packet(fd):
    h = read_exact(fd, 4)
    if h is None:
        return None
    (n,) = struct.unpack(">I", h)
    return read_exact(fd, n)


def write_all(fd, data):
    while data:
        k = os.write(fd, data)
        data = data[k:]


def send(body):
    with out_lock:
        write_all(1, struct.pack(">I", len(body)) + body)


def s_str(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def g_str(p, off):
    (n,) = struct.unpack(">I", p[off:off + 4])
    return p[off + 4:off + 4 + n], off + 4 + n


def status(rid, code, msg=""):
    send(bytes([FXP_STATUS]) + struct.pack(">II", rid, code) + s_str(msg) +
         s_str(""))


def version(exts):
    b = bytes([FXP_VERSION]) + struct.pack(">I", 3)
    for k, v in exts:
        b += s_str(k) + s_str(v)
    send(b)


def attrs_size(n):
    return struct.pack(">IQ", 1, n)


def name_reply(rid, names):
    b = [bytes([FXP_NAME]) + struct.pack(">II", rid, len(names))]
    for n, size in names:
        b.append(s_str(n) + s_str(n) + attrs_size(size))
    return b"".join(b)


def state_reply(rid, headhash, cursor, items):
    b = [bytes([FXP_EXTENDED_REPLY]) + struct.pack(">I", rid),
         s_str(headhash) + s_str(cursor) + struct.pack(">I", len(items))]
    for kind, seq, content in items:
        b.append(bytes([kind]) + struct.pack(">Q", seq) + s_str(content))
    return b"".join(b)


class Fake:
    """The self-contained hostile modes."""

    def __init__(self, conf):
        self.conf = conf
        self.mode = conf["mode"]
        self.sent = 0           # pages, names or bytes so far
        self.handles = {}

    def exts(self):
        if self.mode == "fallback-endless":
            return []
        return [("pfish-state@pfish", "1")]

    def run(self):
        p = read_packet(0)
        if p is None or p[0] != FXP_INIT:
            return
        version(self.exts())
        while True:
            p = read_packet(0)
            if p is None:
                return
            if self.mode == "silent":
                continue
            t = p[0]
            (rid,) = struct.unpack(">I", p[1:5])
            self.dispatch(t, rid, p)

    def dispatch(self, t, rid, p):
        if t == FXP_OPENDIR:
            self.handles[b"d"] = 0
            if self.mode == "readdir-many":
                self.sent = 0
            send(bytes([FXP_HANDLE]) + struct.pack(">I", rid) + s_str(b"d"))
        elif t == FXP_READDIR:
            self.readdir(rid)
        elif t == FXP_OPEN:
            send(bytes([FXP_HANDLE]) + struct.pack(">I", rid) + s_str(b"f"))
        elif t == FXP_READ:
            self.read(rid, p)
        elif t == FXP_CLOSE:
            status(rid, FX_OK)
        elif t == FXP_EXTENDED:
            ext, off = g_str(p, 5)
            cursor, off = g_str(p, off)
            if ext == STATE_EXT:
                self.state(rid, cursor)
            else:
                status(rid, FX_UNSUPPORTED, "unsupported")
        else:
            status(rid, FX_UNSUPPORTED, "unsupported")

    def readdir(self, rid):
        if self.mode == "readdir-endless":
            if self.sent >= 600000:
                status(rid, FX_EOF, "end")
                return
            names = []
            for i in range(500):
                n = "%0200d.age" % (self.sent + i)
                names.append((n, 10))
            self.sent += len(names)
            send(name_reply(rid, names))
            return
        if self.mode == "readdir-many":
            n = int(self.conf["n"])
            if self.sent >= n:
                status(rid, FX_EOF, "end")
                return
            k = min(500, n - self.sent)
            names = [("%012d.age" % (self.sent + i + 1), 10)
                     for i in range(k)]
            self.sent += k
            send(name_reply(rid, names))
            return
        if self.mode == "fallback-endless" and self.handles[b"d"] == 0:
            self.handles[b"d"] = 1
            send(name_reply(rid, [("000000000001.age", 10)]))
            return
        status(rid, FX_EOF, "end")

    def read(self, rid, p):
        h, off = g_str(p, 5)
        (roff, n) = struct.unpack(">QI", p[off:off + 12])
        if self.sent >= 64 * 1024 * 1024:
            status(rid, FX_EOF, "end")
            return
        self.sent += n
        send(bytes([FXP_DATA]) + struct.pack(">I", rid) + s_str(b"A" * n))

    def state(self, rid, cursor):
        m = self.mode
        if m == "state-excess":
            return self.excess(rid, cursor)
        if m in ("readdir-many", "readdir-endless"):
            items = []
            if self.conf.get("head"):
                with open(self.conf["head"], "rb") as f:
                    items.append((1, 0, f.read()))
            send(state_reply(rid, "", "", items))
            return
        limit = {"state-endless": 512, "state-tiny": 140,
                 "state-empty": 100000}[m]
        if self.sent >= limit:
            send(state_reply(rid, "", "", []))
            return
        self.sent += 1
        cur = "r%012d" % self.sent
        if m == "state-endless":
            items = [(2, self.sent, b"x" * 200000)]
        elif m == "state-tiny":
            items = [(4, self.sent, b"")] * 15000
        else:
            items = []
        send(state_reply(rid, "", cur, items))

    def excess(self, rid, cursor):
        """The real head and records, then far too many more."""
        mb = self.conf["mbox"]
        if cursor == b"":
            items = []
            with open(os.path.join(mb, ".pfish/head"), "rb") as f:
                items.append((1, 0, f.read()))
            rd = os.path.join(mb, ".pfish/records")
            for n in sorted(os.listdir(rd)):
                with open(os.path.join(rd, n), "rb") as f:
                    items.append((2, int(n[:12]), f.read()))
            self.first = items[1][2]
            send(state_reply(rid, "", "r1", items))
            return
        k = int(cursor[1:])
        if k > 50:
            send(state_reply(rid, "", "", []))
            return
        items = [(2, 1000 + k * 200 + i, self.first) for i in range(200)]
        send(state_reply(rid, "", "r%d" % (k + 1), items))


class Wrap:
    """Run pfish-server and change one thing on the way."""

    def __init__(self, conf):
        self.conf = conf
        self.mode = conf["mode"]
        self.readdirs = set()
        self.denied = set()
        self.opens = {}         # OPEN id -> name
        self.handles = set()    # handles of name=
        self.reads = {}         # READ id -> length, on those handles
        self.sent = 0
        self.opens = {}
        self.hooked = False
        self.states = set()     # pfish-state request ids
        self.cursors = {b""}    # the cursors the server gave
        self.refused = 0
        self.child = subprocess.Popen(shlex.split(conf["server"]),
                                      stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)

    def hook(self):
        r = subprocess.run(self.conf["hook"], shell=True)
        note(self.conf, "hook ran, exit %d" % r.returncode)

    def to_server(self):
        cin = self.child.stdin.fileno()
        while True:
            p = read_packet(0)
            if p is None:
                break
            t = p[0]
            if t != FXP_INIT:
                (rid,) = struct.unpack(">I", p[1:5])
                if t == FXP_READDIR:
                    self.readdirs.add(rid)
                if t == FXP_OPEN and self.mode == "deny":
                    name, _ = g_str(p, 5)
                    if name.decode() == self.conf["name"]:
                        # Answered in order: the server's reply to this
                        # OPEN is replaced by a refusal (to_client).
                        note(self.conf, "denied %s" % name.decode())
                        if "hook" in self.conf and not self.hooked:
                            self.hooked = True
                            self.hook()
                        self.denied.add(rid)
                if t == FXP_OPEN:
                    name, _ = g_str(p, 5)
                    self.opens[rid] = name.decode()
                if t == FXP_READ:
                    h, off = g_str(p, 5)
                    if h in self.handles:
                        self.reads[rid] = struct.unpack(
                            ">I", p[off + 8:off + 12])[0]
                        if self.mode == "readhook" and not self.hooked:
                            self.hooked = True
                            self.hook()
                if t == FXP_EXTENDED and g_str(p, 5)[0] == STATE_EXT:
                    self.states.add(rid)
                    ext, off = g_str(p, 5)
                    cur, _ = g_str(p, off)
                    if self.mode == "noskip" and cur not in self.cursors:
                        # A server whose cursors are its own: one it did
                        # not give is refused (pfish-server's "bad cursor").
                        self.refused += 1
                        note(self.conf, "refused cursor %s" % cur.decode())
                        p = p[:5] + s_str(STATE_EXT) + s_str(b"?")
                    if (self.mode == "headmove" and cur != b"" and
                            not cur.startswith(b"s")):
                        # Before each later page of a listing: the head
                        # may change under it (hook= installs another).
                        self.hook()
                    if self.mode == "nostart" and cur.startswith(b"s"):
                        # A server that takes a start for the beginning:
                        # every record is served, from the head's low.
                        note(self.conf, "start taken as %s" % "empty")
                        p = p[:5] + s_str(STATE_EXT) + s_str(b"")
            write_all(cin, struct.pack(">I", len(p)) + p)
        self.child.stdin.close()

    def to_client(self):
        cout = self.child.stdout.fileno()
        while True:
            p = read_packet(cout)
            if p is None:
                return
            if p[0] == FXP_STATUS and \
                    struct.unpack(">I", p[1:5])[0] in self.opens:
                # Every mode notes an OPEN the server refused.
                (rid, code) = struct.unpack(">II", p[1:9])
                msg, _ = g_str(p, 9)
                note(self.conf, "open refused %s: %d %s" %
                     (self.opens[rid], code, msg.decode(errors="replace")))
            if p[0] == FXP_VERSION and (self.mode == "noext" or
                                        self.conf.get("noext") == "1"):
                p = bytes([FXP_VERSION]) + struct.pack(">I", 3)
            elif (p[0] == FXP_HANDLE and
                    self.mode in ("endless", "readhook") and
                    self.opens.get(struct.unpack(">I", p[1:5])[0]) ==
                    self.conf["name"]):
                self.handles.add(g_str(p, 5)[0])
            elif (p[0] == FXP_STATUS and self.mode == "endless" and
                    struct.unpack(">I", p[1:5])[0] in self.reads and
                    self.sent < 64 * 1024 * 1024):
                (rid,) = struct.unpack(">I", p[1:5])
                n = self.reads[rid]
                self.sent += n
                p = bytes([FXP_DATA]) + struct.pack(">I", rid) + s_str(b"A" * n)
            elif p[0] == FXP_DATA and self.mode == "short":
                (rid,) = struct.unpack(">I", p[1:5])
                data, _ = g_str(p, 5)
                if len(data) > 1:
                    data = data[:len(data) // 2]
                p = bytes([FXP_DATA]) + struct.pack(">I", rid) + s_str(data)
            elif p[0] == FXP_HANDLE and \
                    struct.unpack(">I", p[1:5])[0] in self.denied:
                (rid,) = struct.unpack(">I", p[1:5])
                p = (bytes([FXP_STATUS]) + struct.pack(">II", rid, FX_DENIED)
                     + s_str("permission denied") + s_str(""))
            elif (p[0] == FXP_EXTENDED_REPLY and
                    struct.unpack(">I", p[1:5])[0] in self.states):
                _, off = g_str(p, 5)
                cur, _ = g_str(p, off)
                self.cursors.add(cur)
            elif p[0] == FXP_STATUS:
                (rid, code) = struct.unpack(">II", p[1:9])
                if (rid in self.readdirs and code == FX_EOF and
                        self.mode == "interleave" and not self.hooked):
                    self.hooked = True
                    self.hook()
            send(p)

    def run(self):
        t = threading.Thread(target=self.to_server, daemon=True)
        t.start()
        self.to_client()
        self.child.wait()


def main():
    conf = conf_read(sys.argv[1])
    note(conf, "session mode %s" % conf.get("mode"))
    if conf["mode"] in ("deny", "noext", "interleave", "pass", "endless",
                        "noskip", "nostart", "headmove", "readhook",
                        "short"):
        Wrap(conf).run()
    else:
        Fake(conf).run()


if __name__ == "__main__":
    main()
