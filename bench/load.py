"""A small HTTP/1.1 load generator: N keep-alive connections on loopback, every response recorded.

Run as its own process (``python -m bench.load SPEC.json``) so that it does not share an
interpreter with the server. It reads a JSON spec: ``host``, ``port``, ``connections``,
``duration`` (seconds), ``warmup`` (seconds not counted) and ``requests``, a list of
``[method, path, headers, body]``; with ``"each_once": true`` every request is sent exactly once
(distinct bookings), otherwise the list is sent round and round until the time is up. It prints one
JSON document: counts per status, latencies in milliseconds (p50, p99), requests per second, and
how many responses were read in all (warm-up included).

Kept cheap on purpose: asyncio streams, requests encoded once, responses parsed only as far as the
status line and Content-Length, so the machine's cores go to the server under test.
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter


def encode(host: str, port: int, method: str, path: str, headers: dict, body: str) -> bytes:
    payload = body.encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if payload or method != "GET":
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bool]:
    """Send one request, read its whole response; return (status, whether the server keeps the connection)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    keep = True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def run(spec: dict) -> dict:
    host, port = spec["host"], spec["port"]
    requests = [encode(host, port, *entry) for entry in spec["requests"]]
    each_once = spec.get("each_once", False)
    started = time.perf_counter()
    counting_from = started + spec.get("warmup", 0)
    deadline = counting_from + spec["duration"]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    next_index = 0
    answered = 0  # warm-up included: the server's CPU time is divided by it

    async def connection() -> None:
        nonlocal next_index, answered
        reader = writer = None
        while time.perf_counter() < deadline:
            if each_once and next_index >= len(requests):
                break
            request = requests[next_index % len(requests)]
            next_index += 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                sent = time.perf_counter()
                status, keep = await exchange(reader, writer, request)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                failures[type(error).__name__] += 1
                writer = None
                continue
            done = time.perf_counter()
            answered += 1
            if sent >= counting_from or each_once:
                latencies.append(done - sent)
                statuses[status] += 1
            if not keep:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(spec["connections"])))
    elapsed = time.perf_counter() - (started if each_once else counting_from)
    latencies.sort()
    return {
        "requests": len(latencies),
        "answered": answered,
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "failures": dict(failures),
    }


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


if __name__ == "__main__":
    with open(sys.argv[1]) as spec_file:
        print(json.dumps(asyncio.run(run(json.load(spec_file)))))
