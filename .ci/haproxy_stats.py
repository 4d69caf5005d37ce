#!/usr/bin/env python3
"""HAProxy's statistics over its stats socket, for the end-to-end checks.

  haproxy_stats.py SOCKET show BACKEND
      Prints one JSON object: each server of BACKEND (and the backend itself, as "BACKEND") with
      its status and the counters that tell a client was let down or saved by a retry: stot
      (sessions), econ (connection errors), eresp (response errors), wretr (retries), wredis
      (redispatches).
  haproxy_stats.py SOCKET clear
      Clears every counter ("clear counters all": the socket needs level admin).
"""
import csv
import io
import json
import socket
import sys

COUNTERS = ("stot", "econ", "eresp", "wretr", "wredis")


def ask(path, command):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    sock.sendall(command.encode("ascii") + b"\n")
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return data.decode("utf-8", "replace")


def show(path, backend):
    text = ask(path, "show stat").lstrip("# ")
    result = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["pxname"] != backend or row["svname"] == "FRONTEND":
            continue
        name = backend if row["svname"] == "BACKEND" else row["svname"]
        entry = {"status": row["status"]}
        for key in COUNTERS:
            entry[key] = int(row[key] or 0)
        result[name] = entry
    print(json.dumps(result))
    return 0


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "show":
        return show(path, sys.argv[3])
    if mode == "clear":
        reply = ask(path, "clear counters all").strip()
        if reply:
            sys.stderr.write("clear counters all: %s\n" % reply)
            return 1
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
