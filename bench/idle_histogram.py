#!/usr/bin/env python3
"""What each idle connection holds on a JVM server's heap: the class histogram's growth, per
connection, after N connections each sent one PING and now wait.

  idle_histogram.py PID PORT N [JCMD]      # JCMD: the server's own JDK's jcmd (default: Temurin 25's)

GC.class_histogram runs a full GC first and counts reachable objects only.
"""
import socket, subprocess, sys, time, re
pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
JCMD = sys.argv[4] if len(sys.argv) > 4 else "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd"
def hist():
    out = subprocess.run([JCMD, str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            d[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return d
# warm: one connection
s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"*1\r\n$4\r\nPING\r\n"); s.recv(10); s.close()
time.sleep(1)
before = hist()
conns = []
for i in range(n):
    c = socket.create_connection(("127.0.0.1", port)); c.sendall(b"*1\r\n$4\r\nPING\r\n"); conns.append(c)
for c in conns:
    c.recv(10)
time.sleep(2)
after = hist()
rows = []
for k, (cnt, b) in after.items():
    cb, bb = before.get(k, (0, 0))
    if b - bb > 0:
        rows.append(((b - bb) / n, (cnt - cb) / n, k))
rows.sort(reverse=True)
tot = sum(r[0] for r in rows)
print(f"total {tot:.0f} B per connection")
for per, cnt, k in rows[:30]:
    print(f"{per:8.1f} B  {cnt:6.2f}/conn  {k}")
