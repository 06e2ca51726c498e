#!/usr/bin/env python3
"""A hostile NBD server for the "what a server says is untrusted" tests:
export names, descriptions and error texts with newlines, tabs, terminal
escape sequences, NUL, invalid UTF-8, shell metacharacters, and sizes no
block device can have. No nbdkit plugin can send these bytes (its names
are C strings, its sizes int64_t).

  fake-nbd-evil.py PORT [MODE]
  MODE  evil  (default) the exports in EXPORTS; LIST, INFO, GO answered,
              GO/INFO on an unknown name refused with a hostile message
        long  a LIST entry and a description longer than 4096 bytes
        flip  every export CAN_MULTI_CONN; every second connection
              connections 2, 6, 10... answer with another size,
              4, 8, 12... read-only
        endless  LIST answered with NBD_REP_SERVER replies without end,
              INFO/GO with NBD_REP_INFO replies without end, at full speed
        trickle  the same, one byte every 0.3 s: no single wait is long
              enough to time out
        flood  like endless, but each LIST reply a 4096-byte name and a
              4000-byte description
        errflood  structured replies agreed; every NBD_CMD_READ answered
              with NBD_REPLY_TYPE_ERROR chunks without end (no DONE flag)
Fixed newstyle; STRUCTURED_REPLY (but for errflood) and meta contexts
refused (ERR_UNSUP).
Listens on 127.0.0.1 only; one thread per connection."""
import socket
import struct
import sys
import threading
import time

IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
ACK, SERVER, INFO = 1, 2, 3
ERR_UNSUP, ERR_UNKNOWN = 0x80000001, 0x80000006
OPT_ABORT, OPT_LIST, OPT_INFO, OPT_GO, OPT_STRUCTURED_REPLY = 2, 3, 6, 7, 8
STRUCTURED_MAGIC = 0x668E33EF
CMD_READ, CMD_WRITE, CMD_DISC = 0, 1, 2
FLAGS = 1 | 4  # HAS_FLAGS, SEND_FLUSH

EXPORTS = [
    (b"plain", b"a disk", 1 << 20),
    (b"two\nlines", b"fake\tfield\nnext", 1 << 20),
    (b"esc\x1b[2J\x1b]0;pwned\x07", b"\x1b[31mred", 1 << 20),
    (b"nul\x00byte", b"d\x00d", 1 << 20),
    (b"bad\xff\xfeutf8", b"\xc0\xaf\xed\xa0\x80", 1 << 20),
    (b"c1\xc2\x9b2J", b"del\x7f rlo\xe2\x80\xaeexe.txt", 1 << 20),
    (b"q'$(touch PWNED)`touch PWNED`", b"it's \"$HOME\" ;\n touch PWNED", 1 << 20),
    (b"big", b"", (1 << 64) - 1),
    (b"big63", b"", 1 << 63),
]
LONG = b"L" * 4097
conns = [0]


def reply(c, opt, rtype, data=b""):
    c.sendall(struct.pack(">QIII", REPLY_MAGIC, opt, rtype, len(data)) + data)


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def endless(c, opt, mode):
    trickle = mode == "trickle"
    if opt == OPT_LIST:
        name, desc = (b"n" * 4096, b"d" * 4000) if mode == "flood" else (b"more", b"")
        one = struct.pack(">QIII", REPLY_MAGIC, opt, SERVER, 4 + len(name) + len(desc)) + \
            struct.pack(">I", len(name)) + name + desc
    else:
        one = struct.pack(">QIII", REPLY_MAGIC, opt, INFO, 12) + struct.pack(">HQH", 0, 1 << 20, FLAGS)
    while True:
        if trickle:
            for i in range(len(one)):
                c.sendall(one[i:i + 1])
                time.sleep(0.3)
        else:
            c.sendall(one * 256)


def errflood(c):
    while True:
        _, _, typ, cookie, _, ln = struct.unpack(">IHHQQI", recv_exact(c, 28))
        if typ == CMD_WRITE:
            recv_exact(c, ln)
        if typ == CMD_DISC:
            return
        # NBD_REPLY_TYPE_ERROR, EIO, no message; never the DONE flag.
        one = struct.pack(">IHHQI", STRUCTURED_MAGIC, 0, 0x8001, cookie, 6) + struct.pack(">IH", 5, 0)
        if typ != CMD_READ:
            c.sendall(struct.pack(">IHHQI", STRUCTURED_MAGIC, 1, 0, cookie, 0))
            continue
        while True:
            c.sendall(one * 512)


def serve(c, mode):
    c.sendall(b"NBDMAGIC" + struct.pack(">QH", IHAVEOPT, 3))
    recv_exact(c, 4)
    while True:
        _, opt, ln = struct.unpack(">QII", recv_exact(c, 16))
        data = recv_exact(c, ln)
        if opt == OPT_ABORT:
            reply(c, opt, ACK)
            return
        if mode in ("endless", "trickle", "flood") and opt in (OPT_LIST, OPT_INFO, OPT_GO):
            endless(c, opt, mode)
        if opt == OPT_LIST:
            if mode == "long":
                reply(c, opt, SERVER, struct.pack(">I", len(LONG)) + LONG)
            else:
                for name, desc, _ in EXPORTS:
                    reply(c, opt, SERVER, struct.pack(">I", len(name)) + name + desc)
            reply(c, opt, ACK)
            continue
        if opt in (OPT_INFO, OPT_GO):
            (n,) = struct.unpack(">I", data[:4])
            want = data[4:4 + n]
            exp = [e for e in EXPORTS if e[0] == want]
            if not exp:
                reply(c, opt, ERR_UNKNOWN, b"no export \x1b[2J\nnbd-probe: fake line \xff")
                continue
            name, desc, size = exp[0]
            flags = FLAGS
            if mode == "long":
                desc = b"D" * 5000
            if mode == "flip":
                conns[0] += 1
                flags |= 1 << 8  # CAN_MULTI_CONN
                if conns[0] % 4 == 2:
                    size *= 2
                elif conns[0] % 4 == 0:
                    flags |= 2  # READ_ONLY
            reply(c, opt, INFO, struct.pack(">HQH", 0, size, flags))
            reply(c, opt, INFO, struct.pack(">H", 1) + name)
            reply(c, opt, INFO, struct.pack(">H", 2) + desc)
            reply(c, opt, ACK)
            if opt == OPT_GO and mode == "errflood":
                errflood(c)
                return
            if opt == OPT_GO:
                # Transmission: wait for NBD_CMD_DISC (or the close).
                try:
                    c.recv(28)
                except OSError:
                    pass
                return
            continue
        if opt == OPT_STRUCTURED_REPLY and mode == "errflood":
            reply(c, opt, ACK)
            continue
        reply(c, opt, ERR_UNSUP)


def handle(c, mode):
    try:
        serve(c, mode)
    except (EOFError, OSError):
        pass
    finally:
        c.close()


def main():
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "evil"
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c, mode), daemon=True).start()


main()
