#!/usr/bin/env python
# A command-line tool: it prints its figures.
# ruff: noqa: T201
"""Simulate N open pages that keep the urgent-alert banner current.

    .venv/bin/python scripts/bench_news_pages.py poll --url http://127.0.0.1:8012/alerts/live/
    .venv/bin/python scripts/bench_news_pages.py sse  --url http://127.0.0.1:8013/alerts/stream/

`poll`: each page asks every PERIOD seconds with If-None-Match, as
news/static/news/alerts-live.js does (the first ask of each page is spread
over one period, as real page loads are); prints requests, 200/304/errors
and latency percentiles.

`sse`: each page opens one Server-Sent Events stream and waits for its
first event; prints how many of the pages got it within DEADLINE seconds.

Both use plain asyncio sockets (HTTP/1.1, one connection per page), so a
thousand pages cost one Python process, not a thousand threads.
"""

import argparse
import asyncio
import random
import statistics
import time
from urllib.parse import urlsplit


async def _request(host, port, path, etag=None, timeout=10.0):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        headers = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        if etag:
            headers += f"If-None-Match: {etag}\r\n"
        writer.write((headers + "\r\n").encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    found = [h.split(":", 1)[1].strip() for h in head[1:] if h.lower().startswith("etag:")]
    return status, (found[0] if found else etag)


async def poll(args):
    url = urlsplit(args.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    stats = {"200": 0, "304": 0, "errors": 0}
    latencies = []
    end = time.monotonic() + args.duration

    async def page():
        etag = None
        await asyncio.sleep(random.uniform(0, args.period))
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                status, etag = await _request(url.hostname, url.port, path, etag)
                stats[str(status)] = stats.get(str(status), 0) + 1
                latencies.append(time.monotonic() - started)
            except Exception:
                stats["errors"] += 1
            await asyncio.sleep(max(0.0, args.period - (time.monotonic() - started)))

    await asyncio.gather(*(page() for _ in range(args.pages)))
    total = sum(v for k, v in stats.items() if k != "errors")
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(
        f"pages={args.pages} period={args.period}s duration={args.duration}s "
        f"requests={total} rate={total / args.duration:.0f}/s {stats} "
        f"p50={q[49] * 1000:.0f}ms p99={q[98] * 1000:.0f}ms "
        f"max={max(latencies, default=0) * 1000:.0f}ms"
    )


async def sse(args):
    url = urlsplit(args.url)
    got, failed = [], 0

    async def page():
        nonlocal failed
        started = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(url.hostname, url.port), args.deadline
            )
            writer.write(
                f"GET {url.path} HTTP/1.1\r\nHost: {url.hostname}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            while True:
                line = await asyncio.wait_for(
                    reader.readline(), args.deadline - (time.monotonic() - started)
                )
                if not line:
                    raise ConnectionError("closed")
                if line.startswith(b"data:"):
                    got.append(time.monotonic() - started)
                    break
            writer.close()
        except Exception:
            failed += 1

    await asyncio.gather(*(page() for _ in range(args.pages)))
    within = sorted(got)
    print(
        f"pages={args.pages} got first event within {args.deadline}s: {len(within)} "
        f"({100 * len(within) / args.pages:.1f} %), failed or too late: {failed}"
        + (f", slowest that made it {within[-1]:.1f}s" if within else "")
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["poll", "sse"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--period", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--deadline", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(poll(args) if args.mode == "poll" else sse(args))


if __name__ == "__main__":
    main()
