#!/usr/bin/env python3
"""The sample through redis-py (Debian's python3-redis), as an application uses it: each call
below is the library's ordinary API, so the commands are the ones redis-py sends (r.incr sends
INCRBY). Exits non-zero on the first difference from what Redis answers.

  redis_py_check.py PORT
"""
import sys

import redis


def check(what, got, expected):
    if got != expected:
        sys.exit("redis-py: %s gave %r, expected %r" % (what, got, expected))


def main():
    r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=10)
    keys = ["py:n", "py:a", "py:b", "py:ttl", "py:p"] + ["py:scan:%d" % i for i in range(60)]
    r.delete(*keys)
    check("incr", r.incr("py:n"), 1)
    check("incr by 41", r.incr("py:n", 41), 42)
    check("decr", r.decr("py:n"), 41)
    check("mset", r.mset({"py:a": "1", "py:b": "2"}), True)
    check("mget", r.mget("py:a", "py:missing", "py:b"), [b"1", None, b"2"])
    check("setnx on a key", r.setnx("py:a", "x"), False)
    check("append", r.append("py:a", "23"), 3)
    check("strlen", r.strlen("py:a"), 3)
    check("type", r.type("py:a"), b"string")

    r.set("py:ttl", "v")
    check("ttl without expiry", r.ttl("py:ttl"), -1)
    check("expire", r.expire("py:ttl", 100), True)
    ttl = r.ttl("py:ttl")
    if not 99 <= ttl <= 100:
        sys.exit("redis-py: ttl after expire 100 gave %r" % ttl)
    check("persist", r.persist("py:ttl"), True)
    check("ttl after persist", r.ttl("py:ttl"), -1)
    check("ttl of a missing key", r.ttl("py:missing"), -2)

    expected = set()
    for i in range(60):
        r.set("py:scan:%d" % i, i)
        expected.add(b"py:scan:%d" % i)
    # scan_iter follows the cursor until the server answers 0; COUNT 7 takes many steps
    found = list(r.scan_iter(match="py:scan:*", count=7))
    check("scan_iter keys", sorted(found), sorted(expected))
    check("scan_iter duplicates", len(found), len(expected))
    check("keys", sorted(r.keys("py:scan:*")), sorted(expected))

    # transaction=False: a plain pipeline (the default wraps it in MULTI/EXEC, which the sample has not)
    pipe = r.pipeline(transaction=False)
    pipe.set("py:p", "x").append("py:p", "yz").incr("py:n").mget("py:p", "py:n").expire("py:p", 30).ttl("py:p")
    results = pipe.execute()
    check("pipeline", results[:5], [True, 3, 42, [b"xyz", b"42"], True])
    if not 29 <= results[5] <= 30:
        sys.exit("redis-py: ttl in the pipeline gave %r" % results[5])

    check("config get", r.config_get("save"), {"save": ""})
    check("info", r.info("server")["redis_version"], "7.0.0")
    r.delete(*keys)
    print("redis-py %s: incr (INCRBY), mget, expire/ttl, scan_iter, pipeline: passed" % redis.__version__)


if __name__ == "__main__":
    main()
