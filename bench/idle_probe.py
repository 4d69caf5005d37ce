#!/usr/bin/env python3
"""Idle-connection probe: opens N connections to a RESP server, PINGs each once, holds them
all, reports the server's RSS and threads per held connection, then checks that every held
connection still answers. Source addresses rotate over 127.0.0.1..127.0.0.K so that more than
~28k connections fit in the ephemeral port range."""
import argparse
import json
import os
import resource
import selectors
import socket
import subprocess
import sys
import time


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def ping_all(conns, timeout):
    """Sends PING on every connection and waits for +PONG on each; returns how many answered."""
    sel = selectors.DefaultSelector()
    pending = {}
    for c in conns:
        c.sendall(b"PING\r\n")
        sel.register(c, selectors.EVENT_READ)
        pending[c] = b""
    answered = 0
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.fileobj
            data = c.recv(64)
            pending[c] += data
            if pending[c].endswith(b"\r\n") or not data:
                if pending[c] == b"+PONG\r\n":
                    answered += 1
                sel.unregister(c)
                del pending[c]
    sel.close()
    return answered


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="the server process, for RSS and threads")
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("--sources", type=int, default=1, help="source addresses 127.0.0.1..127.0.0.K")
    p.add_argument("--heap-command", default="", help="prints the live heap in KiB after a GC (Java)")
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    # a full GC first (Java), so that RSS and heap are read with the start-up garbage gone
    heap_before = heap(args.heap_command)
    rss_before = status(args.pid, "VmRSS")
    threads_before = status(args.pid, "Threads")
    conns = []
    for i in range(args.n):
        c = socket.socket()
        if args.sources > 1:
            # IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect, which may reuse TIME_WAIT ones
            c.setsockopt(socket.SOL_IP, getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24), 1)
            c.bind((f"127.0.0.{1 + i % args.sources}", 0))
        c.connect(("127.0.0.1", args.port))
        conns.append(c)
        if len(conns) % 1000 == 0:
            # PING in batches, so that accepting keeps pace with connecting
            ping_all(conns[-1000:], 60)
    first = ping_all(conns[len(conns) - len(conns) % 1000:], 60) if len(conns) % 1000 else 0
    time.sleep(2)  # let the server settle before reading its memory (a measurement, not a sync)
    heap_after = heap(args.heap_command)
    rss_after = status(args.pid, "VmRSS")
    threads_after = status(args.pid, "Threads")
    answered = ping_all(conns, 120)
    for c in conns:
        c.close()
    result = {
        "connections": args.n,
        "rss_kib_per_connection": round((rss_after - rss_before) / args.n, 2),
        "heap_kib_per_connection": round((heap_after - heap_before) / args.n, 2) if heap_before is not None else None,
        "threads_before": threads_before,
        "threads_after": threads_after,
        "answered_after_holding": answered,
    }
    print(json.dumps(result))
    return 0 if answered == args.n else 1


def heap(command):
    if not command:
        return None
    out = subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()
    return int(out) if out.isdigit() else None


if __name__ == "__main__":
    sys.exit(main())
