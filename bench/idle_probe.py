#!/usr/bin/env python3
"""Idle-connection probe: opens N connections to a RESP server, PINGs each once, holds them
all, reports the server's RSS growth and (for a JVM, with --jcmd) its live heap growth per held
connection, and threads, then checks that every held connection still answers. Both memory
figures are reported because either can hide the cost: a JVM whose heap is already expanded
takes new objects without growing its RSS, and a native server has no heap to count. Source
addresses rotate over 127.0.0.1..127.0.0.K so that more than ~28k connections fit in the
ephemeral port range."""
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
    p.add_argument("--jcmd", default="", help="the target JDK's jcmd: live heap via GC.class_histogram (Java)")
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    # the live heap first (its histogram runs a full GC), so that RSS is read with the garbage gone
    heap_before = live_heap_kib(args.jcmd, args.pid)
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
    heap_after = live_heap_kib(args.jcmd, args.pid)
    rss_after = status(args.pid, "VmRSS")
    threads_after = status(args.pid, "Threads")
    answered = ping_all(conns, 120)
    for c in conns:
        c.close()
    result = {
        "connections": args.n,
        "rss_kib_per_connection": round((rss_after - rss_before) / args.n, 2),
        "heap_kib_per_connection": (round((heap_after - heap_before) / args.n, 2)
                                    if heap_before is not None and heap_after is not None else None),
        "threads_before": threads_before,
        "threads_after": threads_after,
        "answered_after_holding": answered,
    }
    print(json.dumps(result))
    return 0 if answered == args.n else 1


def live_heap_kib(jcmd, pid):
    """The bytes of reachable objects, in KiB: GC.class_histogram (without -all) runs a full GC
    first and counts only what survived it, whatever the collector and however far the heap has
    expanded; its last line is "Total <instances> <bytes>"."""
    if not jcmd:
        return None
    out = subprocess.run([jcmd, str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=300).stdout
    for line in reversed(out.splitlines()):
        fields = line.split()
        if len(fields) == 3 and fields[0] == "Total" and fields[2].isdigit():
            return int(fields[2]) / 1024
    raise RuntimeError(f"{jcmd} {pid} GC.class_histogram printed no Total line:\n{out[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
