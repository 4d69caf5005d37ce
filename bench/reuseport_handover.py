#!/usr/bin/env python3
"""What happens to the connections waiting in a stopping process's accept queue when two
processes share a port with SO_REUSEPORT (gserver.reuse-port=true). The figures and the advice
are in docs/production.md ("Handing over a port with SO_REUSEPORT").

On Linux each SO_REUSEPORT listener has its own accept queue. When one closes, the connections
in its queue (handshake done, not yet accepted) are reset, unless net.ipv4.tcp_migrate_req=1
(Linux 5.14+) moves them to another listener of the group. Each run starts two sample apps, A
and B, on one free port with --gserver.reuse-port=true, then:

  queued: pauses accepting on A (POST /actuator/gserver/gserver {"accepting": false}); its
    listener stays open, so the kernel goes on handing it about half of the new connections,
    which wait. Opens N connections with a PING on each: B answers its share, the rest wait in
    A's queue (checked against the queue length the kernel reports for A's listener in
    /proc/net/tcp). SIGTERM to A, then sorts each waiting connection: +PONG (moved to B and
    served), reset, closed without a reply, or no answer within 10 s.
  load: client threads open a fresh connection per PING; SIGTERM to A (not paused) in the
    middle; counts the connections that failed, and how.

As root, with the sysctl writable (it belongs to the network namespace), it runs with
tcp_migrate_req at 0 and at 1. It writes the setting only while A stops (the kernel reads it
as the listener closes), then puts the original value back, also on SIGTERM or Ctrl-C;
otherwise, or with --current-only, it measures the current value only and says so.

  bench/reuseport_handover.py [--mode queued|load|both] [--runs 3] [--connections 500]
                              [--clients 8] [--current-only] [--smoke]

JDK: $JAVA, else java on the PATH. Jar: sample-app/target/gserver-sample-app.jar (mvn package).
Exits 1 when a run measures nothing (nothing queued on A, or the load missed A), its counts do
not add up, or B stops answering once A has stopped.
"""
import argparse
import contextlib
import json
import os
import platform
import re
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SYSCTL = "/proc/sys/net/ipv4/tcp_migrate_req"
PING = b"PING\r\n"
PONG = b"+PONG\r\n"
START_SECONDS = 90
REPLY_SECONDS = 10
LOAD_SECONDS = 1.5
OUTCOMES = ("pong", "reset", "eof", "other")


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SampleApp:
    """One sample app on the shared port; its Actuator on a port of its own (port 0, read from its log)."""

    def __init__(self, name, jar, java, port, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [java, "-jar", jar, "--gserver.reuse-port=true", "--gserver.address=127.0.0.1",
             "--gserver.port=%d" % port, "--gserver.servers.chat.port=0",
             "--server.address=127.0.0.1", "--server.port=0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.http_port = None

    def await_started(self, deadline):
        while time.monotonic() < deadline:
            text = self.read_log()
            if self.http_port is None:
                found = re.search(r"Tomcat started on port (?:\()?(\d+)", text)
                self.http_port = int(found.group(1)) if found else None
            if self.http_port is not None and "Started SampleApplication" in text:
                return
            if self.process.poll() is not None:
                raise Failure("%s exited with %s before it started:\n%s" % (self.name, self.process.returncode, self.tail()))
            time.sleep(0.1)
        raise Failure("%s did not start within %d s:\n%s" % (self.name, START_SECONDS, self.tail()))

    def read_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def tail(self, lines=30):
        return "\n".join(self.read_log().splitlines()[-lines:])

    def actuator(self, method, body=None):
        request = urllib.request.Request(
            "http://127.0.0.1:%d/actuator/gserver/gserver" % self.http_port, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def pause_accepting(self):
        self.actuator("POST", {"accepting": False})
        state = str(self.actuator("GET").get("state"))
        if state.lower() != "paused":
            raise Failure("%s: accept state %r after the pause, not 'paused'" % (self.name, state))

    def socket_inodes(self):
        inodes = set()
        fd_dir = "/proc/%d/fd" % self.process.pid
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
        return inodes

    def stop(self, how=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def accept_queue_length(port, inodes):
    """The kernel's accept queue length of the listener on `port` owned by `inodes` (rx_queue of a LISTEN row), or None."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, queues, inode = fields[1], fields[3], fields[4], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port and inode in inodes:
                return int(queues.split(":")[1], 16)
    return None


def open_pinged(port, count):
    """Opens `count` connections (the kernel completes each handshake, accepted or not) and sends PING on each."""
    connections = []
    for _ in range(count):
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(PING)
        c.setblocking(False)
        connections.append(c)
    return connections


class Replies:
    """Reads what each connection gets back: PONG, EOF (closed without a reply) or a reset."""

    def __init__(self, connections):
        self.selector = selectors.DefaultSelector()
        self.received = {}
        self.outcome = {}
        for c in connections:
            self.received[c] = b""
            self.selector.register(c, selectors.EVENT_READ)

    def poll(self, timeout):
        for key, _ in self.selector.select(timeout):
            c = key.fileobj
            try:
                data = c.recv(64)
            except ConnectionResetError:
                self.finish(c, "reset")
                continue
            except BlockingIOError:
                continue
            if not data:
                self.finish(c, "eof")
                continue
            self.received[c] += data
            if self.received[c].startswith(PONG):
                self.finish(c, "pong")
            elif not PONG.startswith(self.received[c]):
                self.finish(c, "other")

    def finish(self, c, outcome):
        self.outcome[c] = outcome
        self.selector.unregister(c)

    def pending(self):
        return [c for c in self.received if c not in self.outcome]

    def count(self, outcome, among):
        return sum(1 for c in among if self.outcome.get(c) == outcome)


@contextlib.contextmanager
def two_apps(args):
    """Starts A and B on a free port; on the way out kills what still runs (printing their logs on a failure)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="reuseport-") as workdir:
        a = SampleApp("a", args.jar, args.java, port, workdir)
        b = SampleApp("b", args.jar, args.java, port, workdir)
        try:
            deadline = time.monotonic() + START_SECONDS
            a.await_started(deadline)
            b.await_started(deadline)
            yield port, a, b
        except Failure:
            for app in (a, b):
                print("---- %s (last lines)\n%s" % (app.name, app.tail()), file=sys.stderr)
            raise
        finally:
            for app in (a, b):
                app.stop(signal.SIGKILL)


def measure_queued(args, setting, port, a, b):
    """Fills A's accept queue (A paused), then stops A; sorts what became of each queued connection."""
    a.pause_accepting()
    listener_a = a.socket_inodes()
    connections = open_pinged(port, args.connections)
    try:
        replies = Replies(connections)
        # B answers its share at once; the rest wait in A's queue, whose length the kernel reports
        deadline = time.monotonic() + REPLY_SECONDS
        queued_kernel = None
        while time.monotonic() < deadline:
            replies.poll(0.1)
            queued_kernel = accept_queue_length(port, listener_a)
            if queued_kernel is not None and len(replies.outcome) + queued_kernel == args.connections:
                break
        served_before = replies.count("pong", connections)
        queued = replies.pending()
        if len(replies.outcome) != served_before:
            raise Failure("connections failed before the stop: %s" % sorted(set(replies.outcome.values())))
        if queued_kernel is not None and queued_kernel != len(queued):
            raise Failure("A's listener reports %d queued, but %d connections are unanswered" % (queued_kernel, len(queued)))
        if not queued:
            raise Failure("no connection was left in A's accept queue: nothing to measure")

        stopped = time.monotonic()
        with migrate_req(setting):
            status_a = a.stop()
        a_stop_seconds = time.monotonic() - stopped
        deadline = time.monotonic() + REPLY_SECONDS
        while replies.pending() and time.monotonic() < deadline:
            replies.poll(0.1)
        result = {"opened": args.connections, "served_by_b_before": served_before, "queued_on_a": len(queued),
                  "queued_kernel": -1 if queued_kernel is None else queued_kernel,
                  "a_exit": status_a, "a_stop_seconds": a_stop_seconds, "b_serves_after": answers_pong(port),
                  "no_answer": len(replies.pending())}
        for outcome in OUTCOMES:
            result[outcome] = replies.count(outcome, queued)
        if sum(result[o] for o in OUTCOMES) + result["no_answer"] != len(queued):
            raise Failure("the outcomes do not add up to the %d queued connections" % len(queued))
        return result
    finally:
        for c in connections:
            c.close()


def queued_line(result):
    return ("%d opened, %d served by B at once, %d queued on A (kernel: %d); after SIGTERM to A: "
            "%d served by B, %d reset, %d closed without a reply, %d other, %d no answer in %d s; "
            "A exited %s in %.1f s; B serves after: %s"
            % (result["opened"], result["served_by_b_before"], result["queued_on_a"], result["queued_kernel"],
               result["pong"], result["reset"], result["eof"], result["other"], result["no_answer"], REPLY_SECONDS,
               result["a_exit"], result["a_stop_seconds"], result["b_serves_after"]))


def measure_load(args, setting, port, a, b):
    """Clients open a fresh connection per PING across a plain SIGTERM to A (not paused); counts the failures."""
    outcomes = []
    done = threading.Event()
    stopped_at = [None]

    def client():
        while not done.is_set():
            outcome = ping_once(port)
            outcomes.append((time.monotonic(), outcome))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for t in threads:
        t.start()
    try:
        time.sleep(LOAD_SECONDS)
        accepted_a = a.actuator("GET").get("accepted", -1)
        stopped_at[0] = time.monotonic()
        with migrate_req(setting):
            status_a = a.stop()
        a_stop_seconds = time.monotonic() - stopped_at[0]
        time.sleep(LOAD_SECONDS)
    finally:
        done.set()
        for t in threads:
            t.join(10)
    after = [o for at, o in outcomes if at >= stopped_at[0]]
    result = {"clients": args.clients, "connections": len(outcomes), "accepted_a": accepted_a,
              "before_stop": len(outcomes) - len(after), "after_stop": len(after),
              "a_exit": status_a, "a_stop_seconds": a_stop_seconds, "b_serves_after": answers_pong(port)}
    for outcome in OUTCOMES + ("refused", "timeout"):
        result[outcome] = sum(1 for _, o in outcomes if o == outcome)
    if result["pong"] == 0 or result["accepted_a"] == 0:
        raise Failure("the load did not reach both instances: nothing to measure")
    return result


def load_line(result):
    return ("%d clients, %d connections (%d before SIGTERM to A, which had accepted %d; %d after): "
            "%d PONG, %d reset, %d closed without a reply, %d refused, %d timed out, %d other; "
            "A exited %s in %.1f s; B serves after: %s"
            % (result["clients"], result["connections"], result["before_stop"], result["accepted_a"],
               result["after_stop"], result["pong"], result["reset"], result["eof"], result["refused"],
               result["timeout"], result["other"], result["a_exit"], result["a_stop_seconds"],
               result["b_serves_after"]))


def ping_once(port):
    """One fresh connection, one PING: "pong", "reset", "eof", "refused", "timeout" or "other"."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(PING)
            received = b""
            while not received.startswith(PONG):
                data = c.recv(64)
                if not data:
                    return "eof"
                received += data
                if not PONG.startswith(received[:len(PONG)]):
                    return "other"
            return "pong"
    except ConnectionRefusedError:
        return "refused"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "timeout"
    except OSError:
        return "other"


def answers_pong(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(PING)
            return c.recv(16) == PONG
    except OSError:
        return False


def read_setting():
    try:
        with open(SYSCTL) as f:
            return int(f.read().strip())
    except FileNotFoundError:
        return None


def write_setting(value):
    with open(SYSCTL, "w") as f:
        f.write("%d\n" % value)


@contextlib.contextmanager
def migrate_req(setting):
    """Holds tcp_migrate_req at `setting` while A stops: the kernel reads it as the listener closes,
    and the rest of the namespace sees the change for that second only."""
    original = read_setting()
    if setting is None or setting == original:
        yield
        return
    write_setting(setting)
    try:
        yield
    finally:
        write_setting(original)


def can_write_setting(original):
    if original is None or os.geteuid() != 0:
        return False
    try:
        write_setting(original)
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8, help="load: client threads, a fresh connection per PING")
    parser.add_argument("--mode", choices=("queued", "load", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--current-only", action="store_true", help="measure the current tcp_migrate_req only")
    parser.add_argument("--smoke", action="store_true", help="one run, 40 connections, the current setting only")
    parser.add_argument("--jar", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                      "sample-app", "target", "gserver-sample-app.jar"))
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    args.java = os.environ.get("JAVA", "java")
    if args.smoke:
        args.connections, args.runs, args.current_only, args.mode = 40, 1, True, "queued"
    args.modes = ("queued", "load") if args.mode == "both" else (args.mode,)
    if not os.path.isfile(args.jar):
        sys.exit("reuseport_handover: %s is missing: run mvn -B -q package -DskipTests" % args.jar)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    original = read_setting()
    if original is None:
        print("reuseport_handover: %s is missing (Linux before 5.14): queued connections cannot migrate" % SYSCTL)
        settings = [None]
    elif not args.current_only and can_write_setting(original):
        settings = [0, 1]
    else:
        why = "--current-only" if args.current_only else "not root or the sysctl is read-only here"
        print("reuseport_handover: measuring the current tcp_migrate_req=%d only (%s)" % (original, why))
        settings = [original]
    print("reuseport_handover: kernel %s, %s; queued: %d connections per run; load: %d clients"
          % (platform.release(), args.java, args.connections, args.clients))

    results = []
    # a signal ends the run through the finally blocks: the JVMs killed, the sysctl put back
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for setting in settings:
            for mode in args.modes:
                for run in range(1, args.runs + 1):
                    with two_apps(args) as (port, a, b):
                        result = MODES[mode][0](args, setting, port, a, b)
                    results.append(result)
                    print("%s, tcp_migrate_req=%s, run %d: %s" % (mode, setting, run, MODES[mode][1](result)))
    except Failure as failure:
        print("reuseport_handover: FAILED: %s" % failure, file=sys.stderr)
        return 1
    finally:
        if original is not None and read_setting() != original:
            write_setting(original)
            print("reuseport_handover: tcp_migrate_req put back to %d" % original)
    if not all(r["b_serves_after"] for r in results):
        print("reuseport_handover: FAILED: B did not answer PING after A stopped", file=sys.stderr)
        return 1
    return 0


MODES = {"queued": (measure_queued, queued_line), "load": (measure_load, load_line)}

if __name__ == "__main__":
    sys.exit(main())
