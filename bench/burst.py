#!/usr/bin/env python3
"""A burst of connections at once against a RESP server: each connects, sends PING and reads
+PONG. Prints the time for all, the p50 / p99 / max per connection, and how many took a second
or more (a SYN dropped by a full listen queue is retried after 1 s).

  bench/burst.py PORT [CONNECTIONS]       # 2000 by default, all opened at once
"""
import asyncio
import sys
import time


async def one(port, started, latencies):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"PING\r\n")
    await writer.drain()
    reply = await reader.readline()
    assert reply == b"+PONG\r\n", reply
    latencies.append(time.monotonic() - started)
    writer.close()


async def burst(port, count):
    latencies = []
    started = time.monotonic()
    await asyncio.gather(*(one(port, started, latencies) for _ in range(count)))
    return time.monotonic() - started, sorted(latencies)


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    total, latencies = asyncio.run(burst(port, count))
    slow = sum(1 for latency in latencies if latency >= 1.0)
    print("burst: %d connections in %.2f s; per connection p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d took 1 s or more"
          % (count, total, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000,
             latencies[-1] * 1000, slow))


if __name__ == "__main__":
    main()
