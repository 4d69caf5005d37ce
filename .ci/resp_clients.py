#!/usr/bin/env python3
"""Raw RESP clients for the end-to-end checks: they see every byte, so a reply cut in the middle
is told apart from a connection closed between replies.

  resp_clients.py load --port P --clients N --requests M [--reconnect] [--deadline S] [--go-file F]
      N clients each send M requests (PING <unique payload>, one at a time) and check that every
      reply is exactly the payload. A connection closed before any byte of a reply is "cut": with
      --reconnect the client reconnects (retrying until the deadline) and sends the same request
      again; without it the client stops. A reply that ends part-way is "half" and fails the run.
      With --go-file, the path is written once every client has had a reply (so the caller
      knows the load is running), and clients without --requests loop until cut.
      Prints one JSON line: acknowledged, cut, half, wrong, reconnects, clients_finished.
  resp_clients.py fresh --port P --clients N --stop-file F [--deadline S] [--go-file G]
      N clients each loop on a fresh connection per request (connect, PING <unique payload>,
      read the reply, close) until F exists (or the deadline passes), as clients behind a load
      balancer do; G is written once every client has had a reply. Any failure counts: a refused
      or failed connect, a connection closed before or during the reply, a wrong reply.
      Prints one JSON line: acknowledged, connect_failures, cut, half, wrong.
  resp_clients.py clientinfo --port P
      Sends CLIENT INFO and checks that addr= is this client's own address (the real client,
      even through a PROXY-protocol load balancer) and prints the reply.
  resp_clients.py hold --port P --count N --hold-file F
      Opens up to N connections (without waiting for them to be accepted), writes how many it
      opened to F, and holds them until F is deleted.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def command(*args):
    out = b"*%d\r\n" % len(args)
    for arg in args:
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return out


def read_reply(sock, expected_length):
    """Reads up to expected_length bytes: returns the bytes (fewer when the peer closed)."""
    data = b""
    while len(data) < expected_length:
        chunk = sock.recv(expected_length - len(data))
        if not chunk:
            break
        data += chunk
    return data


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = dict(acknowledged=0, cut=0, half=0, wrong=0, reconnects=0, clients_finished=0,
                           connect_failures=0)

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n


def run_client(index, args, totals, first_reply, stop):
    sock = None
    had_reply = False
    i = 0
    deadline = time.monotonic() + args.deadline
    while (args.requests is None or i < args.requests) and not stop.is_set():
        if sock is None:
            try:
                sock = connect(args.port)
            except OSError:
                totals.add("connect_failures")
                if not args.reconnect or time.monotonic() > deadline:
                    return
                time.sleep(0.05)
                continue
        payload = b"c%d-r%d-%s" % (index, i, b"x" * (i % 37))
        expected = b"$%d\r\n%s\r\n" % (len(payload), payload)
        try:
            sock.sendall(command(b"PING", payload))
            reply = read_reply(sock, len(expected))
        except OSError:
            reply = b""
        if len(reply) == 0:
            # closed between replies: the request was not acknowledged, so it may be sent again
            totals.add("cut")
            sock.close()
            sock = None
            if not args.reconnect:
                return
            totals.add("reconnects")
            continue
        if len(reply) < len(expected):
            totals.add("half")
            sys.stderr.write("half reply to client %d request %d: %r\n" % (index, i, reply[:80]))
            sock.close()
            return
        if reply != expected:
            totals.add("wrong")
            sys.stderr.write("wrong reply to client %d request %d: %r\n" % (index, i, reply[:80]))
            sock.close()
            return
        totals.add("acknowledged")
        i += 1
        if not had_reply:
            had_reply = True
            first_reply()
    if sock is not None:
        sock.close()
    totals.add("clients_finished")


def start_clients(target, args, totals, stop):
    """Starts args.clients threads running target; writes args.go_file once each has had a first reply."""
    lock = threading.Lock()
    replied = [0]

    def first_reply():
        with lock:
            replied[0] += 1
            if replied[0] == args.clients and args.go_file:
                with open(args.go_file, "w") as f:
                    f.write("go\n")

    threads = [threading.Thread(target=target, args=(n, args, totals, first_reply, stop), daemon=True)
               for n in range(args.clients)]
    for t in threads:
        t.start()
    return threads


def load(args):
    totals = Totals()
    stop = threading.Event()
    threads = start_clients(run_client, args, totals, stop)
    end = time.monotonic() + args.deadline
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    stop.set()
    for t in threads:
        t.join(5)
    print(json.dumps(totals.counts))
    return 0


def run_fresh_client(index, args, totals, first_reply, stop):
    i = 0
    while not stop.is_set():
        payload = b"f%d-r%d" % (index, i)
        expected = b"$%d\r\n%s\r\n" % (len(payload), payload)
        try:
            sock = connect(args.port)
        except OSError:
            totals.add("connect_failures")
            time.sleep(0.05)
            continue
        try:
            sock.sendall(command(b"PING", payload))
            reply = read_reply(sock, len(expected))
        except OSError:
            reply = b""
        finally:
            sock.close()
        if len(reply) == 0:
            totals.add("cut")
        elif len(reply) < len(expected):
            totals.add("half")
        elif reply != expected:
            totals.add("wrong")
        else:
            totals.add("acknowledged")
            if i == 0:
                first_reply()
            i += 1


def fresh(args):
    totals = Totals()
    stop = threading.Event()
    threads = start_clients(run_fresh_client, args, totals, stop)
    end = time.monotonic() + args.deadline
    while not os.path.exists(args.stop_file) and time.monotonic() < end:
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(10)
    counts = totals.counts
    del counts["reconnects"], counts["clients_finished"]
    print(json.dumps(counts))
    return 0


def clientinfo(args):
    sock = connect(args.port)
    sock.settimeout(10)
    host, port = sock.getsockname()[:2]
    sock.sendall(command(b"CLIENT", b"INFO"))
    data = b""
    while not data.endswith(b"\n\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    text = data.decode("utf-8", "replace")
    print(text.strip())
    own = "addr=%s:%d " % (host, port)
    if own not in text:
        sys.stderr.write("CLIENT INFO does not show this client's address %s\n" % own.strip())
        return 1
    return 0


def hold(args):
    socks = []
    for _ in range(args.count):
        try:
            s = socket.socket()
            s.settimeout(1.0)
            s.connect(("127.0.0.1", args.port))
            socks.append(s)
        except OSError:
            s.close()
            break
    with open(args.hold_file, "w") as f:
        f.write("%d\n" % len(socks))
    while os.path.exists(args.hold_file):
        time.sleep(0.1)
    for s in socks:
        s.close()
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("load")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int)
    p.add_argument("--reconnect", action="store_true")
    p.add_argument("--deadline", type=float, default=60.0)
    p.add_argument("--go-file")
    p = sub.add_parser("fresh")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--deadline", type=float, default=120.0)
    p.add_argument("--go-file")
    p = sub.add_parser("clientinfo")
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("hold")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--hold-file", required=True)
    args = parser.parse_args()
    return {"load": load, "fresh": fresh, "clientinfo": clientinfo, "hold": hold}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
