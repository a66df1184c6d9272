#!/usr/bin/python3
# limits.py: slowloris-style clients against pfish-server, for t-limits.sh.
#
#   limits.py SERVER MAILBOXDIR DEFAULT_HANDLES
#
# trickle:  one byte of a packet every 100 ms for a few seconds; the
#           server's memory stays flat and it answers once the packet is
#           complete.
# handles:  open handles until OPEN answers a status (the cap), hold them,
#           keep asking; memory bounded, the server still serves.
# idle:     many sessions at once, each sending READs and never reading a
#           reply; every process stays below a per-process bound.
# Prints "ok NAME" / "not ok NAME # why" and "# " figures.

import os
import struct
import subprocess
import sys
import time

INIT, VERSION, OPEN, CLOSE, READ, STAT = 1, 2, 3, 4, 5, 17
STATUS, HANDLE, DATA, ATTRS = 101, 102, 103, 105
MIB = 1024 * 1024
fails = 0


def u32(v):
	return struct.pack(">I", v)


def sstr(b):
	if isinstance(b, str):
		b = b.encode()
	return u32(len(b)) + b


def packet(t, body=b""):
	return u32(1 + len(body)) + bytes([t]) + body


class Srv:
	def __init__(self, argv, mbox, extra=()):
		self.p = subprocess.Popen(argv + ["-e", "-l", "error", "-d", mbox] +
		    list(extra), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
		    stderr=subprocess.DEVNULL, bufsize=0)
		self.id = 0

	def send(self, b):
		self.p.stdin.write(b)

	def recv(self):
		hdr = self.readn(4)
		n = struct.unpack(">I", hdr)[0]
		body = self.readn(n)
		return body[0], body[1:]

	def readn(self, n):
		b = b""
		while len(b) < n:
			c = self.p.stdout.read(n - len(b))
			if not c:
				raise EOFError("server closed")
			b += c
		return b

	def init(self):
		self.send(packet(INIT, u32(3)))
		t, _ = self.recv()
		assert t == VERSION

	def req(self, t, body):
		self.id += 1
		self.send(packet(t, u32(self.id) + body))
		rt, rb = self.recv()
		if struct.unpack(">I", rb[:4])[0] != self.id:
			raise EOFError("reply id mismatch")
		return rt, rb[4:]

	def rss(self):
		return vm(self.p.pid, "VmRSS")

	def hwm(self):
		return vm(self.p.pid, "VmHWM")

	def end(self):
		self.p.kill()
		self.p.wait()


def vm(pid, key):
	with open("/proc/%d/status" % pid) as f:
		for line in f:
			if line.startswith(key + ":"):
				return int(line.split()[1]) * 1024
	return 0


def result(name, why):
	global fails
	if why:
		fails += 1
		print("not ok %s # %s" % (name, why))
	else:
		print("ok %s" % name)


def bound(base):
	# ASan keeps freed memory in quarantine: looser bounds there.
	asan = "asan" in open("/proc/self/maps").read() or \
	    os.environ.get("PFISH_ASAN")
	return base + (64 if asan else 4) * MIB


def t_trickle(argv, mbox):
	s = Srv(argv, mbox)
	s.init()
	s.req(STAT, sstr("000000000001.age"))
	base = s.rss()
	pkt = packet(STAT, u32(77) + sstr("000000000001.age"))
	samples = []
	for b in pkt:
		s.send(bytes([b]))
		time.sleep(0.1)
		samples.append(s.rss())
	t, body = s.recv()
	peak = max(samples)
	s.end()
	print("# trickle: %d bytes over %.1f s, RSS %d KiB before, peak %d KiB"
	    % (len(pkt), len(pkt) * 0.1, base >> 10, peak >> 10))
	if t != ATTRS or struct.unpack(">I", body[:4])[0] != 77:
		return "no ATTRS reply after the last byte (type %d)" % t
	if peak > bound(base):
		return "RSS grew from %d to %d KiB" % (base >> 10, peak >> 10)
	return None


def t_handles(argv, mbox, cap, opt=True):
	s = Srv(argv, mbox, ("-n", str(cap)) if opt else ())
	s.init()
	base = s.rss()
	hs = []
	refused = None
	while len(hs) < cap + 10:
		t, b = s.req(OPEN, sstr("000000000001.age") + u32(1) + u32(0))
		if t != HANDLE:
			refused = (t, struct.unpack(">I", b[:4])[0])
			break
		hs.append(b)
	# Hold them and keep asking: every further OPEN is a status too.
	extra = 0
	for i in range(200):
		t, b = s.req(OPEN, sstr("000000000002.age") + u32(1) + u32(0))
		if t == HANDLE:
			extra += 1
	still = False
	if hs:
		t, b = s.req(READ, hs[0] + struct.pack(">Q", 0) + u32(100))
		still = t == DATA
	peak = s.hwm()
	s.end()
	print("# handles: %d open at the cap (-n %d), RSS %d KiB before, peak "
	    "%d KiB" % (len(hs), cap, base >> 10, peak >> 10))
	if len(hs) != cap:
		return "%d handles opened, cap %d" % (len(hs), cap)
	if refused is None or refused[0] != STATUS or refused[1] == 0:
		return "OPEN beyond the cap: %r" % (refused,)
	if extra:
		return "%d further OPENs got a handle" % extra
	if not still:
		return "a held handle no longer reads"
	if peak > bound(base) + 4 * MIB:
		return "peak RSS %d KiB" % (peak >> 10)
	return None


def t_idle(argv, mbox, n):
	ss = []
	for i in range(n):
		s = Srv(argv, mbox)
		s.init()
		t, b = s.req(OPEN, sstr("000000000003.age") + u32(1) + u32(0))
		assert t == HANDLE
		s.h = b
		ss.append(s)
	base = max(s.rss() for s in ss)
	reqs = b"".join(packet(READ, u32(1000 + i) + s.h +
	    struct.pack(">Q", 0) + u32(255 * 1024)) for i in range(16))
	for s in ss:
		os.set_blocking(s.p.stdin.fileno(), False)
	end = time.time() + 4
	sent = 0
	while time.time() < end:
		for s in ss:
			try:
				sent += os.write(s.p.stdin.fileno(), reqs)
			except BlockingIOError:
				pass
		time.sleep(0.05)
	alive = sum(1 for s in ss if s.p.poll() is None)
	peaks = [s.hwm() for s in ss if s.p.poll() is None]
	for s in ss:
		s.end()
	peak = max(peaks) if peaks else 0
	print("# idle: %d sessions never reading, %d KiB of READs sent; "
	    "per-process RSS %d KiB at start, peak %d KiB" %
	    (n, sent >> 10, base >> 10, peak >> 10))
	# Each stops reading once 1 MiB of replies wait: what it accepted
	# is a few requests plus what the pipe holds.
	if sent > n * 2 * MIB:
		return "servers kept reading: %d KiB sent" % (sent >> 10)
	if alive != n:
		return "%d of %d servers died" % (n - alive, n)
	if peak > bound(base) + 8 * MIB:
		return "peak RSS %d KiB" % (peak >> 10)
	return None


def main():
	server, mbox, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
	argv = server.split()
	for name, fn in (
	    ("trickle: one byte per 100 ms, RSS flat, then served",
		lambda: t_trickle(argv, mbox)),
	    ("handles: 1024 held, further OPENs get a status, RSS bounded",
		lambda: t_handles(argv, mbox, 1024)),
	    ("handles: default cap %d held, further OPENs get a status" % cap,
		lambda: t_handles(argv, mbox, cap, False)),
	    ("idle: 20 sessions never reading, each RSS bounded",
		lambda: t_idle(argv, mbox, 20))):
		try:
			why = fn()
		except (EOFError, AssertionError, OSError) as e:
			why = "harness: %r" % e
		result(name, why)
	sys.exit(1 if fails else 0)


main()
