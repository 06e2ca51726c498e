#!/usr/bin/env python3
"""A scripted NBD server for the TLS negative tests: it greets (fixed
newstyle), reads options and answers NBD_OPT_STARTTLS as MODE says.

  fake-nbd-tls.py PORT MODE [CERT KEY]
  MODE  err      NBD_REP_ERR_POLICY with a message
        weird    a reply type that is neither ACK nor an error
        tls11    ACK, then TLS offering only TLS 1.0/1.1 (OpenSSL)
        clear    ACK, then go on in clear text (a downgrade attempt)
Listens on 127.0.0.1 only; serves connections one after another."""
import socket
import ssl
import struct
import sys

MAGIC = b"NBDMAGIC"
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
OPT_STARTTLS = 5


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


def serve(c, mode, cert, key):
    c.sendall(MAGIC + struct.pack(">QH", IHAVEOPT, 3))
    recv_exact(c, 4)
    magic, opt, ln = struct.unpack(">QII", recv_exact(c, 16))
    recv_exact(c, ln)
    if opt != OPT_STARTTLS:
        reply(c, opt, 0x80000005, b"this fake server only knows STARTTLS")
        return
    if mode == "err":
        reply(c, opt, 0x80000002, b"no TLS here")
    elif mode == "weird":
        reply(c, opt, 3)  # NBD_REP_INFO, empty
    elif mode == "clear":
        reply(c, opt, 1)
        # Pretend TLS happened and answer the next option in clear text.
        c.sendall(struct.pack(">QIII", REPLY_MAGIC, 7, 1, 0))
    elif mode == "tls11":
        reply(c, opt, 1)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.load_cert_chain(cert, key)
        try:
            ctx.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError):
            pass


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    cert = sys.argv[3] if len(sys.argv) > 3 else None
    key = sys.argv[4] if len(sys.argv) > 4 else None
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        try:
            serve(c, mode, cert, key)
        except (EOFError, OSError):
            pass
        finally:
            c.close()


if __name__ == "__main__":
    main()
