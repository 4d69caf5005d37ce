#!/usr/bin/env python3
"""Hostile clients against a running server, one measure each (stdlib only).

  hostile.py trickle-proxy HOST PORT [SECONDS_PER_BYTE]
      sends a PROXY v1 header one byte at a time; prints how long until the server closed
  hostile.py trickle-hello HOST PORT [SECONDS_PER_BYTE]
      sends a TLS ClientHello one byte at a time; prints how long until the server closed
  hostile.py renegotiate HOST PORT [TIMES]
      asks openssl s_client -tls1_2 to renegotiate TIMES times on one connection; prints how
      many it asked before the connection closed, and whether the server refused one

Each gives up after 60 s, and says so. Used for the figures of docs/production.md (Limits and
Deadlines) against the sample app: run it against the sample before and after a change.
"""
import socket
import ssl
import subprocess
import sys
import time

GIVE_UP_SECONDS = 60


def trickle(host, port, payload, pace):
    """Sends payload byte by byte every pace seconds; returns (seconds until closed, bytes sent):
    None when still open after GIVE_UP_SECONDS, negative when the whole payload was taken."""
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.settimeout(pace)
        for sent, byte in enumerate(payload):
            if time.monotonic() - started > GIVE_UP_SECONDS:
                return None, sent
            try:
                sock.sendall(bytes([byte]))
                # a closed connection reads as b"" (or a reset) while we wait out the pace
                if sock.recv(4096) == b"":
                    return time.monotonic() - started, sent + 1
            except socket.timeout:
                continue
            except OSError:
                return time.monotonic() - started, sent + 1
        # the server took the whole payload, however slowly it came: not cut
        return -(time.monotonic() - started), len(payload)


def client_hello():
    """The bytes of a real TLS ClientHello, as Python's ssl module would send them."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def report(kind, host, port, pace, payload):
    took, sent = trickle(host, port, payload, pace)
    if took is None:
        print(f"{kind}: still open after {GIVE_UP_SECONDS}s ({sent} of {len(payload)} bytes sent at {pace}s each)")
    elif took < 0:
        print(f"{kind}: not cut: all {sent} bytes taken over {-took:.2f}s at {pace}s each")
    else:
        print(f"{kind}: closed after {took:.2f}s ({sent} of {len(payload)} bytes sent at {pace}s each)")


def renegotiate(host, port, times):
    script = b"PING\r\n" + b"R\n" * times
    process = subprocess.Popen(["openssl", "s_client", "-tls1_2", "-connect", f"{host}:{port}"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # one command at a time, so that each renegotiation is asked on a live connection
    for line in script.splitlines(keepends=True):
        try:
            process.stdin.write(line)
            process.stdin.flush()
        except BrokenPipeError:
            break
        time.sleep(0.3)
    try:
        out, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    lines = out.decode("latin-1").splitlines()
    # s_client goes on to the next R only while the connection lives
    asked = sum(1 for line in lines if "RENEGOTIATING" in line)
    refused = any("handshake failure" in line for line in lines)
    print(f"renegotiate: {asked} renegotiation(s) asked on one connection, refused by the server: "
          f"{'yes' if refused else 'no'}")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    kind, host, port = argv[1], argv[2], int(argv[3])
    if kind == "trickle-proxy":
        pace = float(argv[4]) if len(argv) > 4 else 0.5
        report(kind, host, port, pace, b"PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\n")
    elif kind == "trickle-hello":
        pace = float(argv[4]) if len(argv) > 4 else 0.5
        report(kind, host, port, pace, client_hello())
    elif kind == "renegotiate":
        renegotiate(host, port, int(argv[4]) if len(argv) > 4 else 20)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
