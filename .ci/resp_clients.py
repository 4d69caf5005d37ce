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
  resp_clients.py keyed --port P --clients N --stop-file F [--phase-file R] [--lifetime S] [--rate Q]
                        [--timeout S] [--deadline S] [--go-file G]
      N clients loop on INCR, SET, GET over connections that each client reconnects: after a cut,
      an error reply or a refused connect, and, with --lifetime, cleanly between replies once a
      connection is S seconds old (less a random part, so that clients do not move in step), as
      a pool with a maximum connection lifetime does; and, as a pool checks a connection before
      use, when the server has closed it while idle. With --rate each sends at most Q requests
      a second; a reply not come within --timeout (10 s) counts as failed. Each connection writes
      keys of its own (unique to this run, client and connection), since replicas behind a load
      balancer share no data, and checks every reply against the writes the server acknowledged
      on that connection: an INCR must answer exactly the last reply + 1 (less: a lost write;
      more: a duplicated or skipped one), a GET the last acknowledged SET (an older value or
      none: a lost write). A request left unanswered is never sent again: its connection is
      dropped with its keys. Runs until F exists (or the deadline); latencies count as "before"
      from the time G is written (every client has had a reply) until R exists, "during" after.
      Prints one JSON line: requests, acknowledged, failed (error replies + cut +
      connect_failures + timeouts), lost, duplicated, half, wrong, reconnects (after a failure or
      an idle connection closed by the server: closed_idle), recycled (lifetime), acknowledged
      and p50/p99 in ms before and during, clients_stuck.
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
import random
import select
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


def read_resp_reply(sock):
    """Reads one reply (simple string, error, integer or bulk string): returns (bytes, how) where
    how is "complete", "closed" (the peer closed first), "reset" or "timeout"."""
    data = b""
    need = None
    while need is None or len(data) < need:
        if need is None:
            end = data.find(b"\r\n")
            if end >= 0:
                need = end + 2
                if data[:1] == b"$":
                    try:
                        length = int(data[1:end])
                    except ValueError:
                        return data, "complete"
                    need += length + 2 if length >= 0 else 0
                continue
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return data, "timeout"
        except OSError:
            return data, "reset"
        if not chunk:
            return data, "closed"
        data += chunk
    return data, "complete"


def older_value(reply, last_set):
    """True when a GET reply is no value or one SET before last_set (values are v<step>)."""
    if reply == b"$-1\r\n":
        return True
    parts = reply.split(b"\r\n")
    try:
        return len(parts) == 3 and parts[1][:1] == b"v" and int(parts[1][1:]) < int(last_set[1:])
    except ValueError:
        return False


def closed_by_peer(sock):
    """True when the peer has closed a connection this client is not waiting on (readable at
    once: the end of the stream, a reset, or bytes nobody asked for, which no request may take
    for its reply)."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def integer_reply(reply):
    if reply[:1] == b":" and reply.endswith(b"\r\n"):
        try:
            return int(reply[1:-2])
        except ValueError:
            return None
    return None


class KeyedTotals(Totals):
    """Counts plus each request's latency, split at the phase change."""

    def __init__(self):
        super().__init__()
        self.counts = dict(requests=0, acknowledged=0, errors=0, cut=0, connect_failures=0, timeouts=0,
                           lost=0, duplicated=0, half=0, wrong=0, reconnects=0, closed_idle=0, recycled=0)
        self.latencies = {"before": [], "during": []}
        self.reported = 0

    def report(self, what, index, detail):
        with self.lock:
            self.reported += 1
            if self.reported > 20:
                return
        sys.stderr.write("%s: client %d: %s\n" % (what, index, detail))


def run_keyed_client(index, args, totals, first_reply, stop):
    during = args.during
    lifetime = args.lifetime
    generation = 0
    had_reply = False
    latencies = {"warm-up": [], "before": [], "during": []}
    sock = None
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_request = time.monotonic() + interval * random.random()
    while not stop.is_set():
        if sock is None:
            try:
                sock = connect(args.port, timeout=args.timeout)
            except OSError:
                totals.add("requests")
                totals.add("connect_failures")
                time.sleep(0.05)
                continue
            # a new connection, maybe to another replica: new keys, nothing to expect yet
            generation += 1
            prefix = b"%s:c%d:g%d" % (args.run_id, index, generation)
            counter, value_key = prefix + b":n", prefix + b":v"
            incremented, last_set, step = 0, None, 0
            ends = time.monotonic() + lifetime * (0.5 + 0.5 * random.random()) if lifetime > 0 else None
        if ends is not None and time.monotonic() >= ends:
            sock.close()
            sock = None
            totals.add("recycled")
            continue
        if interval:
            # paced: a client that fell behind goes on from now rather than catching up in a burst
            pause = next_request - time.monotonic()
            if pause > 0:
                stop.wait(pause)
            next_request = max(next_request, time.monotonic() - interval) + interval
            if stop.is_set():
                break
        if closed_by_peer(sock):
            # closed while idle, just before this request: as a pool checks a connection
            # before use, reconnect; nothing was asked, so nothing failed
            sock.close()
            sock = None
            totals.add("closed_idle")
            totals.add("reconnects")
            continue
        op = step % 3
        if op == 0:
            request, expected = command(b"INCR", counter), b":%d\r\n" % (incremented + 1)
        elif op == 1:
            value = b"v%d" % step
            request, expected = command(b"SET", value_key, value), b"+OK\r\n"
        else:
            request, expected = command(b"GET", value_key), b"$%d\r\n%s\r\n" % (len(last_set), last_set)
        phase = "during" if during.is_set() else "before" if args.steady.is_set() else "warm-up"
        started = time.perf_counter()
        totals.add("requests")
        try:
            sock.sendall(request)
            reply, how = read_resp_reply(sock)
        except OSError:
            reply, how = b"", "reset"
        elapsed = time.perf_counter() - started
        if how != "complete":
            # nothing or part of a reply: the write may or may not have happened, so this
            # connection's keys are given up with it and the request is not sent again
            problem = "half" if reply else "timeouts" if how == "timeout" else "cut"
        elif reply == expected:
            latencies[phase].append(elapsed)
            totals.add("acknowledged")
            if op == 0:
                incremented += 1
            elif op == 1:
                last_set = value
            step += 1
            if not had_reply:
                had_reply = True
                first_reply()
            continue
        elif reply[:1] == b"-":
            problem = "errors"
        elif op == 0 and integer_reply(reply) is not None:
            problem = "lost" if integer_reply(reply) <= incremented else "duplicated"
        elif op == 2 and older_value(reply, last_set):
            problem = "lost"
        else:
            problem = "wrong"
        totals.add(problem)
        if problem not in ("cut", "timeouts", "errors"):
            totals.report(problem, index, "sent %r expected %r got %r" % (request[:80], expected, reply[:80]))
        sock.close()
        sock = None
        totals.add("reconnects")
    if sock is not None:
        sock.close()
    with totals.lock:
        for phase in totals.latencies:
            totals.latencies[phase].extend(latencies[phase])


def percentile_ms(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)


def keyed(args):
    totals = KeyedTotals()
    stop = threading.Event()
    args.during = threading.Event()
    args.steady = threading.Event()
    args.run_id = b"%x" % random.getrandbits(48)
    threads = start_clients(run_keyed_client, args, totals, stop)
    end = time.monotonic() + args.deadline
    while not os.path.exists(args.stop_file) and time.monotonic() < end:
        if not args.steady.is_set() and (not args.go_file or os.path.exists(args.go_file)):
            args.steady.set()
        if args.phase_file and not args.during.is_set() and os.path.exists(args.phase_file):
            args.during.set()
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join(args.timeout + 5)
    counts = totals.counts
    counts["failed"] = counts["errors"] + counts["cut"] + counts["connect_failures"] + counts["timeouts"]
    for phase, values in totals.latencies.items():
        counts["acknowledged_" + phase] = len(values)
        counts["p50_" + phase] = percentile_ms(values, 0.50)
        counts["p99_" + phase] = percentile_ms(values, 0.99)
    counts["clients_stuck"] = sum(1 for t in threads if t.is_alive())
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
    p = sub.add_parser("keyed")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--phase-file")
    p.add_argument("--lifetime", type=float, default=0.0)
    p.add_argument("--rate", type=float, default=0.0)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--deadline", type=float, default=300.0)
    p.add_argument("--go-file")
    p = sub.add_parser("clientinfo")
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("hold")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--hold-file", required=True)
    args = parser.parse_args()
    return {"load": load, "fresh": fresh, "keyed": keyed, "clientinfo": clientinfo, "hold": hold}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
