#!/usr/bin/env python3
"""Records the replies in sample-app/src/test/resources/redis-transcripts/*.txt from a real
redis-server, for RedisTranscriptTest, which checks that the sample gives the same bytes.

  redis-server --port 7379 --save '' --appendonly no &
  java -jar sample-app/target/gserver-sample-app.jar --gserver.port=7380 &
  python3 .ci/redis_transcripts.py --redis 7379 --sample 7380

Each file's commands are sent in order on one connection to each server. A reply is kept as
redis-server gave it where the sample gives the same bytes; where they differ the line gets "-"
(sent, not compared), and the differences are printed to be reviewed: each must be one the
sample makes on purpose. A line already "-" stays so: lines whose reply depends on timing are
set to "-" by hand.
"""
import argparse
import glob
import os
import shlex
import socket


def reply(f):
    line = f.readline()
    out = line
    kind = line[:1]
    if kind in b"$=!":
        n = int(line[1:-2])
        if n >= 0:
            out += f.read(n + 2)
    elif kind in b"*%~>|":
        n = int(line[1:-2]) * (2 if kind in b"%|" else 1)
        for _ in range(max(n, 0)):
            out += reply(f)
    return out


def run(port, commands):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = sock.makefile("rb")
    replies = []
    for command in commands:
        args = [a.encode() for a in shlex.split(command)]
        sock.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
        replies.append(reply(f).decode("latin-1").replace("\r\n", "\\r\\n"))
    sock.close()
    return replies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", type=int, required=True)
    parser.add_argument("--sample", type=int, required=True)
    args = parser.parse_args()
    folder = os.path.join(os.path.dirname(__file__), "..", "sample-app/src/test/resources/redis-transcripts")
    for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        lines = open(path).read().splitlines()
        header = [line for line in lines if line.startswith("#")]
        entries = [line.split("\t") for line in lines if line and not line.startswith("#")]
        body = [entry[0] for entry in entries]
        kept = [len(entry) > 1 and entry[1] == "-" for entry in entries]
        theirs = run(args.redis, body)
        ours = run(args.sample, body)
        out = list(header)
        for command, a, b, skip in zip(body, theirs, ours, kept):
            if a != b:
                print("%s: %s\n  redis-server: %s\n  sample:       %s" % (os.path.basename(path), command, a, b))
            out.append("%s\t%s" % (command, a if a == b and not skip else "-"))
        open(path, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
