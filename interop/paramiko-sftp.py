#!/usr/bin/python3
# paramiko-sftp.py: interop client: paramiko's SFTPClient on a named subsystem.
#
# usage: paramiko-sftp.py -p PORT -i KEY -k KNOWN_HOSTS [-s SUBSYSTEM]
#            [-u USER] HOST OP ...
# ops, run in order on one session (same as obj/interop/libssh-sftp):
#	ls		print "name size type" per entry (type f d l o)
#	get NAME FILE	download NAME to FILE
#	rm NAME		remove NAME
#	wopen NAME	open NAME for writing must fail with "permission denied"
# Exits 0 if every op succeeded, 1 otherwise.

import getopt
import getpass
import socket
import stat
import sys

import paramiko


def kind(mode):
	if mode is None:
		return "o"
	if stat.S_ISREG(mode):
		return "f"
	if stat.S_ISDIR(mode):
		return "d"
	if stat.S_ISLNK(mode):
		return "l"
	return "o"


def connect(host, port, user, keyfile, known_hosts, subsystem):
	sock = socket.create_connection((host, port), timeout=15)
	t = paramiko.Transport(sock)
	t.start_client(timeout=15)
	# Check the host key against our own known_hosts only.
	hk = paramiko.HostKeys(known_hosts)
	key = t.get_remote_server_key()
	name = "[%s]:%d" % (host, port) if port != 22 else host
	if not hk.check(name, key):
		raise SystemExit("host key of %s not in %s" % (name, known_hosts))
	t.auth_publickey(user, paramiko.Ed25519Key.from_private_key_file(
	    keyfile))
	ch = t.open_session()
	ch.invoke_subsystem(subsystem)
	return t, paramiko.SFTPClient(ch)


def run_ops(sftp, ops):
	fails = 0
	i = 0
	while i < len(ops):
		op = ops[i]
		try:
			if op == "ls":
				for a in sftp.listdir_attr("."):
					print("%s %d %s" % (a.filename, a.st_size or 0,
					    kind(a.st_mode)))
			elif op == "get":
				sftp.get(ops[i + 1], ops[i + 2])
				i += 2
			elif op == "rm":
				i += 1
				sftp.remove(ops[i])
			elif op == "wopen":
				i += 1
				try:
					sftp.open(ops[i], "w").close()
					print("wopen %s: opened" % ops[i])
					fails += 1
				except PermissionError as e:
					print("wopen %s: denied (%s)" % (ops[i], e))
			else:
				raise SystemExit("unknown op %s" % op)
		except (IOError, OSError) as e:
			print("%s failed: %r" % (op, e), file=sys.stderr)
			fails += 1
		i += 1
	return fails


def main():
	try:
		opts, args = getopt.getopt(sys.argv[1:], "i:k:p:s:u:")
	except getopt.GetoptError as e:
		raise SystemExit(str(e))
	o = dict(opts)
	if len(args) < 2 or "-i" not in o or "-k" not in o:
		raise SystemExit("usage: paramiko-sftp.py -p PORT -i KEY "
		    "-k KNOWN_HOSTS [-s SUBSYSTEM] [-u USER] HOST OP ...")
	t, sftp = connect(args[0], int(o.get("-p", "22")),
	    o.get("-u", getpass.getuser()), o["-i"], o["-k"],
	    o.get("-s", "pfish"))
	try:
		fails = run_ops(sftp, args[1:])
	finally:
		sftp.close()
		t.close()
	sys.exit(1 if fails else 0)


if __name__ == "__main__":
	main()
