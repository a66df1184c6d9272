#!/usr/bin/python3
# hostile.py: hand-built SFTP packets against the server, one named test each.
#
# Usage: hostile.py SERVER WORKDIR [TEST...]
# Each test starts a fresh server on a pipe (SERVER -d MAILBOX -e), sends
# hostile bytes and checks: the right STATUS or a clean disconnect (exit
# 1..127 on its own), never a signal or a hang, and no change to any file
# under WORKDIR/root (the mailbox, its prefix sibling and its parent).
# Prints "ok NAME" / "not ok NAME # why"; exits 1 if any failed.
# Standard library only (runs under /usr/bin/python3).

import errno
import fcntl
import hashlib
import os
import select
import shutil
import stat
import struct
import subprocess
import sys
import time

# SFTP v3 (draft-ietf-secsh-filexfer-02) numbers.
INIT, VERSION, OPEN, CLOSE, READ, WRITE, LSTAT, FSTAT = 1, 2, 3, 4, 5, 6, 7, 8
SETSTAT, FSETSTAT, OPENDIR, READDIR, REMOVE, MKDIR = 9, 10, 11, 12, 13, 14
RMDIR, REALPATH, STAT, RENAME, READLINK, SYMLINK = 15, 16, 17, 18, 19, 20
STATUS, HANDLE, DATA, NAME, ATTRS = 101, 102, 103, 104, 105
EXTENDED, EXTENDED_REPLY = 200, 201
FX_OK, FX_EOF, FX_NO_SUCH_FILE, FX_PERMISSION_DENIED = 0, 1, 2, 3
FX_FAILURE, FX_BAD_MESSAGE, FX_OP_UNSUPPORTED = 4, 5, 8
FXF_READ, FXF_WRITE, FXF_APPEND, FXF_CREAT = 1, 2, 4, 8
FXF_TRUNC, FXF_EXCL = 0x10, 0x20

REFUSED = (FX_NO_SUCH_FILE, FX_PERMISSION_DENIED)
UNSUPPORTED = (FX_PERMISSION_DENIED, FX_OP_UNSUPPORTED)
TIMEOUT = 5.0
PACKET_MAX = 256 * 1024
READ_MAX = 255 * 1024
READ_ADVISE = 120 * 1024	# max-read-length advised by limits@openssh.com
HANDLES = 8		# -n for the exhaustion test


def header_limit(name, default):
	"""A #define from include/pfish.h, so the tests follow the header."""
	top = os.environ.get("PFISH_TOP", ".")
	try:
		with open(os.path.join(top, "include", "pfish.h")) as f:
			for line in f:
				w = line.split()
				if len(w) >= 3 and w[0] == "#define" and w[1] == name:
					return int(w[2])
	except (OSError, ValueError):
		pass
	return default


HANDLES_DEFAULT = header_limit("PFISH_HANDLES_DEFAULT", 64)
HANDLES_MAX = header_limit("PFISH_HANDLES_MAX", 1024)
MIB = 1024 * 1024


class Fail(Exception):
	pass


def u32(v):
	return struct.pack(">I", v)


def u64(v):
	return struct.pack(">Q", v)


def sstr(s):
	if isinstance(s, str):
		s = s.encode()
	return u32(len(s)) + s


def packet(ptype, body=b""):
	return u32(1 + len(body)) + bytes([ptype]) + body


class Reader:
	"""Pulls typed fields off a reply payload; raises Fail if short."""

	def __init__(self, data):
		self.d, self.o = data, 0

	def take(self, n):
		if self.o + n > len(self.d):
			raise Fail("short reply")
		v = self.d[self.o:self.o + n]
		self.o += n
		return v

	def u32(self):
		return struct.unpack(">I", self.take(4))[0]

	def u64(self):
		return struct.unpack(">Q", self.take(8))[0]

	def str(self):
		return self.take(self.u32())

	def attrs(self):
		flags = self.u32()
		a = {}
		if flags & 1:
			a["size"] = self.u64()
		if flags & 2:
			a["uid"], a["gid"] = self.u32(), self.u32()
		if flags & 4:
			a["perm"] = self.u32()
		if flags & 8:
			a["atime"], a["mtime"] = self.u32(), self.u32()
		if flags & 0x80000000:
			for _ in range(self.u32()):
				self.str()
				self.str()
		return a


class Server:
	"""One server process on a pipe."""

	def __init__(self, server, mbox, log, extra=()):
		self.logf = open(log, "ab")
		self.p = subprocess.Popen([server, "-d", mbox, "-e", "-l",
		    "DEBUG3"] + list(extra), stdin=subprocess.PIPE,
		    stdout=subprocess.PIPE, stderr=self.logf)
		self.buf = b""
		self.nextid = 1
		self.eof = False
		self.exts = {}
		self.disconnected = False
		self.killed = False

	def send(self, data):
		try:
			self.p.stdin.write(data)
			self.p.stdin.flush()
		except BrokenPipeError:
			pass

	def fill(self, deadline):
		left = deadline - time.time()
		if left <= 0:
			raise Fail("timeout waiting for the server")
		r, _, _ = select.select([self.p.stdout], [], [], left)
		if not r:
			raise Fail("timeout waiting for the server")
		chunk = os.read(self.p.stdout.fileno(), 1 << 20)
		if not chunk:
			self.eof = True
		self.buf += chunk

	def recv(self, timeout=TIMEOUT):
		"""Next reply as (type, Reader), or None at EOF."""
		end = time.time() + timeout
		while len(self.buf) < 4 and not self.eof:
			self.fill(end)
		if len(self.buf) < 4:
			return None
		n = struct.unpack(">I", self.buf[:4])[0]
		if n < 1 or n > PACKET_MAX:
			raise Fail("server sent a bad length %d" % n)
		while len(self.buf) < 4 + n and not self.eof:
			self.fill(end)
		if len(self.buf) < 4 + n:
			raise Fail("server sent a truncated packet")
		body, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
		return body[0], Reader(body[1:])

	def init(self):
		self.send(packet(INIT, u32(3)))
		r = self.recv()
		if r is None or r[0] != VERSION:
			raise Fail("no VERSION reply to INIT")
		rd = r[1]
		if rd.u32() != 3:
			raise Fail("server version is not 3")
		while rd.o < len(rd.d):
			k = rd.str().decode()
			self.exts[k] = rd.str()
		return self

	def request(self, ptype, body=b""):
		"""Send one request with a fresh id; return (type, Reader)."""
		rid = self.nextid
		self.nextid += 1
		self.send(packet(ptype, u32(rid) + body))
		r = self.recv()
		if r is None:
			raise Fail("server closed the session on request type %d" %
			    ptype)
		if r[1].u32() != rid:
			raise Fail("reply id mismatch")
		return r

	def status(self, ptype, body=b""):
		"""Request expected to give STATUS; return its code."""
		t, rd = self.request(ptype, body)
		if t != STATUS:
			raise Fail("type %d reply to request %d, want STATUS" %
			    (t, ptype))
		return rd.u32()

	def open(self, path, flags=FXF_READ):
		t, rd = self.request(OPEN, sstr(path) + u32(flags) + u32(0))
		if t == HANDLE:
			return rd.str()
		if t != STATUS:
			raise Fail("OPEN reply type %d" % t)
		return rd.u32()

	def opendir(self, path):
		t, rd = self.request(OPENDIR, sstr(path))
		if t == HANDLE:
			return rd.str()
		if t != STATUS:
			raise Fail("OPENDIR reply type %d" % t)
		return rd.u32()

	def readdir_all(self, h):
		names = []
		while True:
			t, rd = self.request(READDIR, sstr(h))
			if t == STATUS:
				c = rd.u32()
				if c != FX_EOF:
					raise Fail("READDIR status %d" % c)
				return names
			if t != NAME:
				raise Fail("READDIR reply type %d" % t)
			for _ in range(rd.u32()):
				n = rd.str().decode("utf-8", "replace")
				rd.str()
				rd.attrs()
				names.append(n)

	def alive(self):
		return self.p.poll() is None

	def wait_disconnect(self, timeout=TIMEOUT):
		"""The server must end the session on its own: exit 1..127."""
		end = time.time() + timeout
		try:
			while not self.eof:
				self.fill(end)
				self.buf = b""
			rc = self.p.wait(max(0.1, end - time.time()))
		except (Fail, subprocess.TimeoutExpired):
			raise Fail("server did not disconnect")
		self.disconnected = True
		if rc <= 0 or rc >= 128:
			raise Fail("server exit status %d, want 1..127" % rc)

	def finish(self):
		"""Close stdin, drain, reap.  Returns exit code or None (hung)."""
		try:
			self.p.stdin.close()
		except BrokenPipeError:
			pass
		end = time.time() + TIMEOUT
		try:
			while not self.eof:
				self.fill(end)
				self.buf = b""
		except Fail:
			pass
		try:
			return self.p.wait(max(0.1, end - time.time()))
		except subprocess.TimeoutExpired:
			self.p.kill()
			self.p.wait()
			return None
		finally:
			self.logf.close()

	def sanitized(self):
		"""True when the server runs under ASan (its quarantine keeps
		freed memory, so RSS bounds get looser)."""
		try:
			with open("/proc/%d/maps" % self.p.pid) as f:
				return "asan" in f.read()
		except OSError:
			return False

	def rss_bound(self, base):
		slack = 96 * MIB if self.sanitized() else 24 * MIB
		return max(32 * MIB, base + slack)

	def vm(self, key):
		with open("/proc/%d/status" % self.p.pid) as f:
			for line in f:
				if line.startswith(key + ":"):
					return int(line.split()[1]) * 1024
		return 0


def tree(top):
	"""Digest of every file, dir and link below top (contents included)."""
	h = hashlib.sha256()
	for root, dirs, files in os.walk(top):
		dirs.sort()
		for n in sorted(dirs + files):
			p = os.path.join(root, n)
			st = os.lstat(p)
			h.update(("%s %o %d\0" % (p, st.st_mode, st.st_size)).encode())
			if stat.S_ISLNK(st.st_mode):
				h.update(os.readlink(p).encode())
			elif stat.S_ISREG(st.st_mode):
				with open(p, "rb") as f:
					h.update(f.read())
	return h.hexdigest()


# ---- fixtures ----------------------------------------------------------

def writefile(path, data):
	with open(path, "wb") as f:
		f.write(data)


def make_root(work):
	"""root/{x.age, mbox/, mbox2/} with the hostile shapes inside mbox."""
	root = os.path.join(work, "root")
	mbox = os.path.join(root, "mbox")
	for d in ("mbox/.pfish/records", "mbox/.pfish/deletes",
	    "mbox/.pfish/notes", "mbox/.pfish/tmp", "mbox/sub",
	    "mbox/888888888888.age", "mbox2"):
		os.makedirs(os.path.join(root, d))
	writefile(os.path.join(root, "x.age"), b"outside the mailbox\n")
	writefile(os.path.join(root, "mbox2", "x.age"), b"prefix sibling\n")
	writefile(os.path.join(root, "mbox2", "000000000077.age"), b"sib\n")
	writefile(os.path.join(mbox, "000000000001.age"), b"message one\n")
	writefile(os.path.join(mbox, "000000000002.age"), b"")
	writefile(os.path.join(mbox, "000000000003.age"),
	    bytes(range(256)) * (10 * 4096))	# 10 MiB
	writefile(os.path.join(mbox, "sub", "000000000004.age"), b"in sub\n")
	writefile(os.path.join(mbox, "888888888888.age", "x.age"), b"in dir\n")
	writefile(os.path.join(mbox, ".hidden.age"), b"dot\n")
	writefile(os.path.join(mbox, ".pfish", "head"), b"head\n")
	writefile(os.path.join(mbox, "notes.txt"), b"notes\n")
	os.symlink("../x.age", os.path.join(mbox, "500000000001.age"))
	os.symlink("000000000001.age", os.path.join(mbox, "500000000002.age"))
	os.symlink(os.path.join(root, "x.age"),
	    os.path.join(mbox, "500000000003.age"))
	os.symlink("../mbox2", os.path.join(mbox, "dirlink"))
	os.symlink("../mbox2", os.path.join(mbox, "500000000004.age"))
	os.mkfifo(os.path.join(mbox, "500000000005.age"))	# open would block
	return root, mbox


VISIBLE = {"000000000001.age", "000000000002.age", "000000000003.age"}


# ---- tests -------------------------------------------------------------

def escape_paths(root):
	return [
	    ("dotdot", ".."),
	    ("dotdot-file", "../x.age"),
	    ("dotdot-slash", "../"),
	    ("slash-dotdot-file", "/../x.age"),
	    ("slash-dotdot-dotdot", "/../../x.age"),
	    ("dot-dotdot-file", "./../x.age"),
	    ("through-file-dotdot", "000000000001.age/../../x.age"),
	    ("dotdot-back-in", "../mbox/000000000001.age/../../x.age"),
	    ("abs-outside", os.path.join(root, "x.age")),
	    ("abs-etc-passwd", "/etc/passwd"),
	    ("prefix-sibling-abs", os.path.join(root, "mbox2", "x.age")),
	    ("prefix-sibling-abs-seq",
		os.path.join(root, "mbox2", "000000000077.age")),
	    ("prefix-sibling-rel", "../mbox2/000000000077.age"),
	    ("symlink-final-out", "500000000001.age"),
	    ("symlink-final-in", "500000000002.age"),
	    ("symlink-final-abs", "500000000003.age"),
	    ("symlink-final-dir", "500000000004.age"),
	    ("symlink-intermediate", "dirlink/x.age"),
	    ("symlink-intermediate-seq", "500000000004.age/000000000077.age"),
	    ("fifo-named-age", "500000000005.age"),
	    ("subdir-file", "sub/000000000004.age"),
	    ("subdir-named-age", "888888888888.age"),
	    ("subdir-named-age-file", "888888888888.age/x.age"),
	    ("dotfile-age", ".hidden.age"),
	    ("state-dir", ".pfish"),
	    ("state-file", ".pfish/head"),
	    ("other-suffix", "notes.txt"),
	    ("nul-in-name", "000000000001.age\0/../x.age"),
	    ("nul-then-suffix", "../x\0.age"),
	    ("long-name", "a" * 5000 + ".age"),
	    ("many-slashes", "//" * 2000 + "x.age"),
	]


def t_escape(path, root):
	"""Every request on an escaping path is refused; realpath hides root.

	A name with a NUL in it may instead end the session."""
	def run(s):
		s.init()
		b = sstr(path)
		want = REFUSED
		if len(path) > 4096:	# ENAMETOOLONG may map to any error
			want = tuple(range(1, 32))
		for name, ptype, body in (("OPEN", OPEN, b + u32(FXF_READ) +
		    u32(0)), ("STAT", STAT, b), ("LSTAT", LSTAT, b),
		    ("REMOVE", REMOVE, b), ("OPENDIR", OPENDIR, b)):
			rid = s.nextid
			s.nextid += 1
			s.send(packet(ptype, u32(rid) + body))
			r = s.recv()
			if r is None and "\0" in path:
				s.wait_disconnect()
				return
			if r is None:
				raise Fail("%s ended the session" % name)
			t, rd = r
			if rd.u32() != rid:
				raise Fail("reply id mismatch")
			if t == HANDLE and ptype == OPENDIR:
				names = set(s.readdir_all(rd.str())) - {".", ".."}
				if not names <= VISIBLE:
					raise Fail("OPENDIR lists %s" % sorted(names))
				continue
			if t != STATUS:
				raise Fail("%s answered type %d" % (name, t))
			c = rd.u32()
			if c not in want:
				raise Fail("%s status %d" % (name, c))
		t, rd = s.request(REALPATH, b)
		if t == NAME:
			rd.u32()
			p = rd.str()
			if (root.encode() in p and root not in path) or \
			    b"/../" in p + b"/" or not p.startswith(b"/"):
				raise Fail("REALPATH says %r" % p[:100])
		elif t != STATUS or rd.u32() == FX_OK:
			raise Fail("REALPATH reply type %d" % t)
	return run


def t_controls(s):
	"""Sanity: the visible files open and list; root is '/'."""
	s.init()
	for p in ("000000000001.age", "/000000000001.age"):
		h = s.open(p)
		if not isinstance(h, bytes):
			raise Fail("cannot open %s: %d" % (p, h))
		t, rd = s.request(READ, sstr(h) + u64(0) + u32(100))
		if t != DATA or rd.str() != b"message one\n":
			raise Fail("READ of %s wrong" % p)
		if s.status(CLOSE, sstr(h)) != FX_OK:
			raise Fail("CLOSE failed")
	for p in (".", "/"):
		h = s.opendir(p)
		if not isinstance(h, bytes):
			raise Fail("cannot opendir %s" % p)
		names = set(s.readdir_all(h)) - {".", ".."}
		if names != VISIBLE:
			raise Fail("listing of %s is %s" % (p, sorted(names)))
		s.status(CLOSE, sstr(h))
	t, rd = s.request(REALPATH, sstr("."))
	if t != NAME or rd.u32() != 1 or rd.str() != b"/":
		raise Fail("REALPATH . is not /")


def t_disconnect(data, close=False):
	"""After INIT, data must end the session (exit 1..127)."""
	def run(s):
		s.init()
		s.send(data)
		if close:
			s.p.stdin.close()
		s.wait_disconnect()
	return run


def t_init_twice(s):
	"""A second INIT is a protocol error or a refused request."""
	s.init()
	s.send(packet(INIT, u32(3)))
	r = s.recv()
	if r is None:
		s.wait_disconnect()
	elif r[0] != STATUS or r[1].u32() != 3 or r[1].u32() == FX_OK:
		raise Fail("second INIT answered type %d" % r[0])


def t_init_newer(s):
	"""A client offering version 6 gets version 3."""
	s.send(packet(INIT, u32(6)))
	r = s.recv()
	if r is None or r[0] != VERSION or r[1].u32() != 3:
		raise Fail("no VERSION 3 for a version 6 client")
	still_works(s)


def t_before_init(ptype, body):
	def run(s):
		s.send(packet(ptype, body))
		s.wait_disconnect()
	return run


def still_works(s):
	t, rd = s.request(STAT, sstr("000000000001.age"))
	if t != ATTRS or rd.attrs().get("size") != 12:
		raise Fail("session broken afterwards")


def t_open_flags(path, flags):
	def run(s):
		s.init()
		h = s.open(path, flags)
		if isinstance(h, bytes):
			raise Fail("OPEN flags %#x gave a handle" % flags)
		if h != FX_PERMISSION_DENIED:
			raise Fail("OPEN flags %#x status %d" % (flags, h))
		still_works(s)
	return run


def t_handle_bad(handle, ptype=CLOSE):
	def run(s):
		s.init()
		body = sstr(handle)
		if ptype == READ:
			body += u64(0) + u32(10)
		s.send(packet(ptype, u32(9) + body))
		r = s.recv()
		if r is None:
			s.wait_disconnect()
			return
		t, rd = r
		if rd.u32() != 9 or t != STATUS:
			raise Fail("reply type %d" % t)
		c = rd.u32()
		if c == FX_OK:
			raise Fail("bad handle accepted")
		still_works(s)
	return run


def t_handle_reuse(s):
	s.init()
	h = s.open("000000000001.age")
	if not isinstance(h, bytes):
		raise Fail("open failed")
	if s.status(CLOSE, sstr(h)) != FX_OK:
		raise Fail("close failed")
	for ptype, body in ((READ, sstr(h) + u64(0) + u32(10)),
	    (FSTAT, sstr(h)), (CLOSE, sstr(h))):
		t, rd = s.request(ptype, body)
		if t != STATUS or rd.u32() == FX_OK:
			raise Fail("closed handle worked for type %d" % ptype)
	still_works(s)


def t_handle_kind(s):
	"""A file handle is no directory handle and vice versa."""
	s.init()
	f = s.open("000000000001.age")
	d = s.opendir("/")
	if not isinstance(f, bytes) or not isinstance(d, bytes):
		raise Fail("open failed")
	if f == d:
		raise Fail("two open handles are equal")
	t, rd = s.request(READDIR, sstr(f))
	if t != STATUS or rd.u32() == FX_OK:
		raise Fail("READDIR on a file handle type %d" % t)
	t, rd = s.request(READ, sstr(d) + u64(0) + u32(10))
	if t != STATUS or rd.u32() == FX_OK:
		raise Fail("READ on a dir handle type %d" % t)
	still_works(s)


def t_handle_exhaust(s):
	s.init()
	hs = []
	for i in range(HANDLES):
		h = s.open("000000000001.age") if i % 2 else s.opendir("/")
		if not isinstance(h, bytes):
			raise Fail("open %d of %d failed: %d" % (i + 1, HANDLES, h))
		hs.append(h)
	if len(set(hs)) != HANDLES:
		raise Fail("handles not distinct")
	for p in (s.open("000000000001.age"), s.opendir("/")):
		if isinstance(p, bytes):
			raise Fail("open beyond the cap of %d gave a handle" %
			    HANDLES)
		if p == FX_OK:
			raise Fail("open beyond the cap: status OK")
	if s.status(CLOSE, sstr(hs[3])) != FX_OK:
		raise Fail("close failed")
	h = s.open("000000000002.age")
	if not isinstance(h, bytes):
		raise Fail("open after close failed: %d" % h)
	t, rd = s.request(READ, sstr(hs[1]) + u64(0) + u32(100))
	if t != DATA or rd.str() != b"message one\n":
		raise Fail("old handle broken")


def t_handle_cap(cap):
	"""Without -n, or with a huge -n, handles still run out early (at
	most cap); a huge -n may also be refused at start-up."""
	return lambda s: handle_cap(s, cap)


def handle_cap(s, cap):
	s.send(packet(INIT, u32(3)))
	if s.recv() is None:
		s.wait_disconnect()
		return
	n = 0
	while n < 3000:
		h = s.open("000000000001.age")
		if not isinstance(h, bytes):
			break
		n += 1
	if n == 0 or n > cap:
		raise Fail("%d handles opened, cap %d" % (n, cap))
	print("# %d handles before the cap" % n)


def t_unknown_type(ptype):
	def run(s):
		s.init()
		t, rd = s.request(ptype, b"\0\0\0\0junk")
		if t != STATUS:
			raise Fail("reply type %d" % t)
		c = rd.u32()
		if c not in UNSUPPORTED:
			raise Fail("status %d" % c)
		still_works(s)
	return run


def t_extension(name, body=b""):
	def run(s):
		s.init()
		if name in s.exts:
			raise Fail("server advertises %s" % name)
		t, rd = s.request(EXTENDED, sstr(name) + body)
		if t != STATUS:
			raise Fail("reply type %d" % t)
		c = rd.u32()
		if c not in UNSUPPORTED:
			raise Fail("status %d" % c)
		still_works(s)
	return run


ALLOWED_EXTS = {"limits@openssh.com", "pfish-state@pfish",
    "pfish-delete@pfish", "pfish-account@pfish"}


def t_advertised(s):
	s.init()
	extra = set(s.exts) - ALLOWED_EXTS
	if extra:
		raise Fail("advertises %s" % sorted(extra))
	if "limits@openssh.com" not in s.exts:
		raise Fail("limits@openssh.com not advertised")


def limits(s):
	t, rd = s.request(EXTENDED, sstr("limits@openssh.com"))
	if t != EXTENDED_REPLY:
		raise Fail("reply type %d" % t)
	return rd.u64(), rd.u64(), rd.u64(), rd.u64()


def t_limits(s):
	"""Real limits; READ never returns more than the read limit."""
	s.init()
	pkt, rlen, _, _ = limits(s)
	# OpenSSH counts max-packet-length without the 4-byte length field;
	# the contract says 256 KiB: accept either reading.  The read length
	# advised is 120 KiB (pfish-server(8)), while a READ of up to the read
	# limit is still served whole.
	if pkt not in (PACKET_MAX - 4, PACKET_MAX) or rlen != READ_ADVISE:
		raise Fail("limits packet %d read %d" % (pkt, rlen))
	if pkt != PACKET_MAX:
		print("# limits@openssh.com: max-packet-length %d" % pkt)
	h = s.open("000000000003.age")
	for ask in (READ_MAX, READ_MAX + 1, 0xffffffff):
		t, rd = s.request(READ, sstr(h) + u64(0) + u32(ask))
		if t != DATA:
			raise Fail("READ %d: type %d" % (ask, t))
		got = rd.str()
		if len(got) != READ_MAX or got != (bytes(range(256)) *
		    1024)[:READ_MAX]:
			raise Fail("READ %d returned %d bytes" % (ask, len(got)))


def t_limits_honoured(s):
	"""A packet as long as the advertised max-packet-length is served."""
	s.init()
	pkt = limits(s)[0]
	path = "a" * (pkt - 1 - 4 - 4 - 4 - 4)
	s.send(u32(pkt) + bytes([OPEN]) + u32(5) + sstr(path) +
	    u32(FXF_READ) + u32(0))
	r = s.recv()
	if r is None or r[0] != STATUS or r[1].u32() != 5:
		raise Fail("advertised length %d not served" % pkt)
	if r[1].u32() == FX_OK:
		raise Fail("status OK")
	still_works(s)


def t_bare_readonly(s):
	"""-R on a mailbox without .pfish: a whole session writes nothing."""
	s.init()
	h = s.opendir("/")
	if not isinstance(h, bytes) or \
	    set(s.readdir_all(h)) - {".", ".."} != {"000000000001.age"}:
		raise Fail("listing wrong")
	if s.status(REMOVE, sstr("000000000001.age")) not in UNSUPPORTED:
		raise Fail("REMOVE not refused")


def t_read_zero(s):
	s.init()
	h = s.open("000000000001.age")
	t, rd = s.request(READ, sstr(h) + u64(0) + u32(0))
	if t == DATA:
		if rd.str() != b"":
			raise Fail("READ 0 returned data")
	elif t != STATUS or rd.u32() not in (FX_OK, FX_EOF, FX_FAILURE):
		raise Fail("READ 0 reply type %d" % t)
	still_works(s)


def t_read_eof(s):
	s.init()
	h = s.open("000000000001.age")
	e = s.open("000000000002.age")
	for hh, off in ((h, 12), (h, 13), (h, 1 << 40), (h, (1 << 64) - 1),
	    (h, 1 << 63), (e, 0)):
		t, rd = s.request(READ, sstr(hh) + u64(off) + u32(100))
		if t != STATUS or rd.u32() != FX_EOF:
			raise Fail("READ at %d: not EOF" % off)
	t, rd = s.request(READ, sstr(h) + u64(11) + u32(100))
	if t != DATA or rd.str() != b"\n":
		raise Fail("READ of the last byte wrong")


def t_write_requests(s):
	"""Writes on a read handle and write-type requests are refused."""
	s.init()
	h = s.open("000000000001.age")
	attrs = u32(4) + u32(0o777)
	for name, ptype, body in (
	    ("WRITE", WRITE, sstr(h) + u64(0) + sstr(b"pwned")),
	    ("FSETSTAT", FSETSTAT, sstr(h) + attrs),
	    ("SETSTAT", SETSTAT, sstr("000000000001.age") + attrs),
	    ("SETSTAT-outside", SETSTAT, sstr("../x.age") + attrs),
	    ("MKDIR", MKDIR, sstr("newdir") + u32(0)),
	    ("RMDIR", RMDIR, sstr("sub")),
	    ("RENAME", RENAME, sstr("000000000001.age") +
		sstr("000000000009.age")),
	    ("RENAME-out", RENAME, sstr("000000000001.age") +
		sstr("../y.age")),
	    ("SYMLINK", SYMLINK, sstr("000000000010.age") + sstr("../x.age")),
	    ("READLINK", READLINK, sstr("500000000001.age"))):
		t, rd = s.request(ptype, body)
		if t != STATUS:
			raise Fail("%s reply type %d" % (name, t))
		c = rd.u32()
		if c not in (FX_NO_SUCH_FILE,) + UNSUPPORTED:
			raise Fail("%s status %d" % (name, c))
	still_works(s)


def t_truncated_field(body):
	"""A length that fits the packet, a field that does not."""
	def run(s):
		s.init()
		s.send(u32(len(body)) + body)
		s.wait_disconnect()
	return run


def t_at_limit(s):
	"""The largest allowed packet is served (a status), not fatal."""
	s.init()
	path = "a" * (PACKET_MAX - 21)
	body = u32(5) + sstr(path) + u32(FXF_READ) + u32(0)
	data = packet(OPEN, body)
	if len(data) != PACKET_MAX:
		raise Fail("fixture is %d bytes" % len(data))
	s.send(data)
	r = s.recv()
	if r is None or r[0] != STATUS or r[1].u32() != 5:
		raise Fail("no STATUS for a packet at the limit")
	if r[1].u32() == FX_OK:
		raise Fail("status OK")
	still_works(s)


def t_readdir_big(server, work, n):
	"""n messages: every name exactly once, memory flat."""
	def run(s):
		s.init()
		base = s.vm("VmRSS")
		h = s.opendir("/")
		names = s.readdir_all(h)
		got = [x for x in names if x not in (".", "..")]
		if len(got) != len(set(got)):
			raise Fail("%d duplicate names" % (len(got) -
			    len(set(got))))
		want = {"%012d.age" % i for i in range(1, n + 1)}
		if set(got) != want:
			raise Fail("listing: %d names, %d missing, %d extra" % (
			    len(got), len(want - set(got)), len(set(got) - want)))
		peak = s.vm("VmHWM")
		if peak > s.rss_bound(base):
			raise Fail("peak RSS %d KiB" % (peak >> 10))
		print("# %d names; RSS %d KiB before, peak %d KiB" % (n,
		    base >> 10, peak >> 10))
	return run


def t_no_reader(s):
	"""A client that never reads cannot make the server's memory grow."""
	s.init()
	h = s.open("000000000003.age")
	base = s.vm("VmRSS")
	fd = s.p.stdin.fileno()
	fl = fcntl.fcntl(fd, fcntl.F_GETFL)
	fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
	req = b"".join(packet(READ, u32(1000 + i) + sstr(h) + u64(0) +
	    u32(READ_MAX)) for i in range(64))
	sent, pending, blocked_since = 0, b"", None
	end = time.time() + 4
	while time.time() < end:
		if not pending:
			pending = req
		try:
			k = os.write(fd, pending)
			pending = pending[k:]
			sent += k
			blocked_since = None
		except BlockingIOError:
			if blocked_since is None:
				blocked_since = time.time()
			elif time.time() - blocked_since > 1.5:
				break
			time.sleep(0.02)
	if not s.alive():
		raise Fail("server died")
	rss, peak = s.vm("VmRSS"), s.vm("VmHWM")
	fcntl.fcntl(fd, fcntl.F_SETFL, fl)
	print("# sent %d KiB of READ requests; RSS %d KiB before, %d KiB "
	    "after, peak %d KiB" % (sent >> 10, base >> 10, rss >> 10,
	    peak >> 10))
	if blocked_since is None:
		raise Fail("server kept reading input (%d KiB)" % (sent >> 10))
	if peak > s.rss_bound(base):
		raise Fail("peak RSS %d KiB" % (peak >> 10))
	s.p.kill()	# draining hundreds of MiB of replies is pointless
	s.p.wait()
	s.killed = True


def t_slow_reader(s):
	"""Replies held back by a stalled client all arrive intact, each
	exactly once, once it reads again (SFTP allows any order)."""
	s.init()
	h = s.open("000000000003.age")
	data = bytes(range(256)) * (10 * 4096)
	n, reqs = 200, []
	for i in range(n):
		off = (i * 50021) % len(data)
		reqs.append(packet(READ, u32(5000 + i) + sstr(h) + u64(off) +
		    u32(READ_MAX)))
	s.send(b"".join(reqs))	# 8 KiB: fits the pipe
	time.sleep(1)
	seen = set()
	for i in range(n):
		r = s.recv()
		if r is None:
			raise Fail("session ended after %d replies" % i)
		t, rd = r
		k = rd.u32() - 5000
		if k < 0 or k >= n or k in seen:
			raise Fail("reply %d: unexpected id" % i)
		seen.add(k)
		off = (k * 50021) % len(data)
		if t != DATA or rd.str() != data[off:off + READ_MAX]:
			raise Fail("reply to request %d: wrong data" % k)
	still_works(s)


# ---- driver ------------------------------------------------------------

def tests(root, mbox, work, server):
	out = [("controls", t_controls, ())]
	for name, path in escape_paths(root):
		out.append(("escape-" + name, t_escape(path, root), ()))
	huge = 0xffffffff
	out += [
	    ("length-uint32-max", t_disconnect(u32(huge) + b"\x03abc"), ()),
	    ("length-uint32-max-minus-4", t_disconnect(u32(huge - 4) +
		b"\x05" + b"\0" * 64), ()),
	    ("length-2-31", t_disconnect(u32(1 << 31) + b"\x10" + b"\0" * 8),
		()),
	    ("length-zero", t_disconnect(u32(0) + packet(STAT, u32(1) +
		sstr("000000000001.age"))), ()),
	    ("oversize-packet", t_disconnect(packet(OPEN, u32(1) +
		sstr("a" * PACKET_MAX) + u32(1) + u32(0))), ()),
	    ("oversize-just-over", t_disconnect(u32(PACKET_MAX + 1) + bytes([
		STAT]) + u32(1) + sstr("a" * (PACKET_MAX + 1 - 9))), ()),
	    ("packet-at-limit", t_at_limit, ()),
	    ("truncated-packet-eof", t_disconnect(u32(100) + bytes([STAT]) +
		u32(1) + b"\0\0", close=True), ()),
	    ("truncated-header-eof", t_disconnect(b"\0\0", close=True), ()),
	    ("truncated-string", t_truncated_field(bytes([OPEN]) + u32(1) +
		u32(1000) + b"000000000001.age"), ()),
	    ("string-length-uint32-max", t_truncated_field(bytes([STAT]) +
		u32(1) + u32(huge) + b"abc"), ()),
	    ("truncated-u64", t_truncated_field(bytes([READ]) + u32(1) +
		sstr("12345678") + b"\0\0\0"), ()),
	    ("truncated-id", t_truncated_field(bytes([STAT]) + b"\0\0"), ()),
	    ("truncated-open-flags", t_truncated_field(bytes([OPEN]) + u32(1) +
		sstr("000000000001.age") + b"\0\0"), ()),
	    ("init-missing-version", t_before_init(INIT, b""), ()),
	    ("init-twice", t_init_twice, ()),
	    ("init-version-6", t_init_newer, ()),
	    ("handle-too-long", t_handle_bad(b"h" * 300), ()),
	    ("handle-too-long-read", t_handle_bad(b"\xff" * 5000, READ), ()),
	    ("handle-unknown", t_handle_bad(b"\x01\x02\x03\x04\x05\x06\x07"
		b"\x08"), ()),
	    ("handle-unknown-read", t_handle_bad(b"\x7f" * 8, READ), ()),
	    ("handle-decimal", t_handle_bad(b"0", READ), ()),
	    ("handle-empty", t_handle_bad(b"", READ), ()),
	    ("handle-reused-after-close", t_handle_reuse, ()),
	    ("handle-wrong-kind", t_handle_kind, ()),
	    ("handle-exhaustion", t_handle_exhaust, ("-n", str(HANDLES))),
	    ("handle-default-cap", t_handle_cap(HANDLES_DEFAULT), ()),
	    ("handle-huge-n-capped", t_handle_cap(HANDLES_MAX),
		("-n", "1000000")),
	]
	for name, ptype in (("opendir", OPENDIR), ("stat", STAT),
	    ("open", OPEN), ("realpath", REALPATH), ("remove", REMOVE)):
		body = u32(1) + sstr("000000000001.age")
		if ptype == OPEN:
			body += u32(FXF_READ) + u32(0)
		out.append(("before-init-" + name, t_before_init(ptype, body),
		    ()))
	for ptype in (0, 21, 22, 99, 100, 101, 199, 201, 255):
		out.append(("unknown-type-%d" % ptype, t_unknown_type(ptype),
		    ()))
	for ext in ("foo@example.com", "posix-rename@openssh.com",
	    "hardlink@openssh.com", "fsync@openssh.com",
	    "statvfs@openssh.com", "lsetstat@openssh.com", "copy-data",
	    "expand-path@openssh.com", "home-directory",
	    "users-groups-by-id@openssh.com", ""):
		out.append(("extension-" + (ext or "empty-name"),
		    t_extension(ext, sstr("000000000001.age") +
			sstr("000000000011.age")), ()))
	out += [("extensions-advertised", t_advertised, ()),
	    ("limits-and-read-cap", t_limits, ()),
	    ("limits-packet-honoured", t_limits_honoured, ())]
	for fname, fl in (("write", FXF_WRITE), ("append", FXF_APPEND),
	    ("creat", FXF_CREAT), ("trunc", FXF_TRUNC),
	    ("read-write", FXF_READ | FXF_WRITE),
	    ("read-creat", FXF_READ | FXF_CREAT),
	    ("read-trunc", FXF_READ | FXF_TRUNC),
	    ("read-append", FXF_READ | FXF_APPEND),
	    ("creat-excl", FXF_WRITE | FXF_CREAT | FXF_EXCL),
	    ("all", 0x3f)):
		out.append(("open-flag-" + fname, t_open_flags(
		    "000000000001.age", fl), ()))
		if fl & FXF_CREAT:
			out.append(("open-flag-%s-new" % fname, t_open_flags(
			    "000000000012.age", fl), ()))
	out += [("write-requests-refused", t_write_requests, ()),
	    ("read-zero-bytes", t_read_zero, ()),
	    ("read-past-eof", t_read_eof, ()),
	    ("no-reader-memory-flat", t_no_reader, ()),
	    ("slow-reader-no-loss", t_slow_reader, ())]
	return out


def run_one(name, fn, extra, server, mbox, root, log):
	before = tree(root)
	s = Server(server, mbox, log, extra)
	why = None
	try:
		fn(s)
	except Fail as e:
		why = str(e)
	except Exception as e:		# a harness bug must not pass
		why = "harness: %r" % e
	if s.killed:
		rc = 0
		s.logf.close()
	else:
		rc = s.finish()
	if why is None and rc is None:
		why = "server hung after EOF"
	elif why is None and (rc < 0 or rc >= 128):
		why = "server died: exit %d" % rc
	elif why is None and rc != 0 and not s.disconnected:
		why = "exit %d after a clean session" % rc	# sanitizers
	changed = tree(root) != before
	if why is None and changed:
		why = "files under %s changed" % root
	if why is None:
		print("ok " + name)
		return True, changed
	print("not ok %s # %s" % (name, why))
	with open(log, "rb") as f:
		for line in f.read().decode("utf-8", "replace").splitlines()[-5:]:
			print("#   " + line[:200])
	return False, changed


def big_mailbox(work, n):
	"""n empty messages, on tmpfs when there is one (100 000 creates take
	a minute on a disk, a second in memory)."""
	mbox = os.path.join(work, "big", "mbox")
	shm = "/dev/shm"
	if os.path.isdir(shm) and os.access(shm, os.W_OK):
		fast = os.path.join(shm, "pfish-hostile.%d" % os.getpid())
		os.mkdir(fast, 0o700)
		os.symlink(fast, os.path.join(work, "big"))
		mbox = os.path.join(fast, "mbox")
	for d in ("records", "deletes", "notes", "tmp"):
		os.makedirs(os.path.join(mbox, ".pfish", d))
	for i in range(1, n + 1):
		os.close(os.open(os.path.join(mbox, "%012d.age" % i),
		    os.O_CREAT | os.O_WRONLY, 0o644))
	os.symlink("000000000001.age", os.path.join(mbox, "999999999999.age"))
	os.mkdir(os.path.join(mbox, "999999999998.age"))
	return mbox


def main():
	if len(sys.argv) < 3:
		sys.exit("usage: hostile.py SERVER WORKDIR [TEST...]")
	server, work = sys.argv[1], sys.argv[2]
	only = set(sys.argv[3:])
	root, mbox = make_root(work)
	log = os.path.join(work, "server.log")
	fails = runs = 0
	for name, fn, extra in tests(root, mbox, work, server):
		if only and name not in only:
			continue
		passed, changed = run_one(name, fn, extra, server, mbox, root,
		    log)
		fails += not passed
		runs += 1
		if changed:	# keep the next tests independent
			shutil.rmtree(root)
			root, mbox = make_root(work)
	if not only or "readonly-creates-nothing" in only:
		bare = os.path.join(work, "bare", "mbox")
		os.makedirs(bare)
		writefile(os.path.join(bare, "000000000001.age"), b"one\n")
		passed, _ = run_one("readonly-creates-nothing", t_bare_readonly,
		    ("-R",), server, bare, os.path.dirname(bare), log)
		fails += not passed
		runs += 1
	n = int(os.environ.get("HOSTILE_BIG", "100000"))
	if not only or "readdir-big" in only:
		t0 = time.time()
		big = big_mailbox(work, n)
		print("# made %d files in %.1f s" % (n, time.time() - t0))
		t0 = time.time()
		try:
			passed, _ = run_one("readdir-%d-files" % n,
			    t_readdir_big(server, work, n), (), server, big,
			    os.path.dirname(big), log)
			fails += not passed
			runs += 1
		finally:
			shutil.rmtree(os.path.realpath(os.path.join(work, "big")))
		print("# listed in %.1f s" % (time.time() - t0))
	print("# %d passed, %d failed" % (runs - fails, fails))
	sys.exit(1 if fails or not runs else 0)


if __name__ == "__main__":
	main()
