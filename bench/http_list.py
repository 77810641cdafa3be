"""The REST API's list route under load, against the same query run in-process.

Fills an SQLite store with 100,000 realistic records (``_common.bodies``: about 1 KB of JSON
each), starts ``actionlogkit serve`` on it (uvicorn, one process, on 127.0.0.1), and sends
``GET /integration-action-logs?filter=…&limit=50`` from an async httpx client: first one request
at a time (the latency a caller sees), then several at once (the throughput). The baseline,
measured in the same run on the same file, is ``store.list(filter, limit=50)`` called in this
process. Every phase is bounded in time; the server is stopped by its PID.

    uv run python bench/http_list.py                             # 100,000 records, 10 s a phase
    uv run python bench/http_list.py --records 20000 --seconds 3 --concurrency 8

Prints a Markdown table: requests (or calls) per second, p50 and p99 latency, and the ratio of each
HTTP figure to the in-process one. The load generator shares the machine with the server, so the
absolute figures depend on the machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from _common import START, bodies

from actionlogkit import open_store

PATH = "/integration-action-logs"
# From the cheapest to the dearest for the store: none (the newest page), an indexed pair, a
# range over many matches, a value inside the payload (read from every record's JSON).
FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "integration and status": {"integrationId": "shop-07", "status": "failed"},
    "status and retries": {"status": {"$in": ["failed", "retrying"]}, "retryCount": {"$gte": 2}},
    "payload value": {"payload.active": False, "actionType": "sync"},
}
_BATCH = 10_000


@dataclass
class Measured:
    """What one phase measured."""

    label: str
    count: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def seed(url: str, count: int) -> None:
    """Store ``count`` realistic records (about 1 KB of JSON each) spread over 90 days."""
    rng = random.Random(11)
    span = int(timedelta(days=90).total_seconds() * 1000)
    with open_store(url) as store:
        for first in range(0, count, _BATCH):
            batch = bodies(min(_BATCH, count - first), seed=first)
            stamps = [START + timedelta(milliseconds=rng.randrange(span)) for _ in batch]
            store.create_many(batch, created_at=stamps)


def in_process(url: str, document: dict[str, Any], seconds: float) -> Measured:
    """Call ``store.list(document, limit=50)`` one after the other for ``seconds``."""
    latencies: list[float] = []
    with open_store(url) as store:
        store.list(document, limit=50)  # warm the caches as the server's first requests do
        began = time.perf_counter()
        deadline = began + seconds
        while (now := time.perf_counter()) < deadline:
            store.list(document, limit=50)
            latencies.append(time.perf_counter() - now)
        elapsed = time.perf_counter() - began
    return Measured("in-process store.list", len(latencies), elapsed, latencies)


async def over_http(
    base: str, document: dict[str, Any], seconds: float, concurrency: int
) -> Measured:
    """Send the list request from ``concurrency`` workers for ``seconds``; all must answer 200."""
    params = {"filter": json.dumps(document), "limit": "50"}
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        (await client.get(PATH, params=params)).raise_for_status()
        began = time.perf_counter()
        deadline = began + seconds

        async def worker() -> None:
            while (now := time.perf_counter()) < deadline:
                response = await client.get(PATH, params=params)
                latencies.append(time.perf_counter() - now)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Measured(f"HTTP, {concurrency} at a time", len(latencies), elapsed, latencies)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``actionlogkit serve`` on a free port and wait (at most 60 s) until it answers."""
    port = _free_port()
    command = [sys.executable, "-m", "actionlogkit.cli", "serve", "--store", url]
    process = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            httpx.get(f"{base}{PATH}?limit=1", timeout=1)
            return process, base
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the server did not answer within 60 s") from None
            time.sleep(0.2)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID, gracefully, then for good after 30 s."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=4, help="workers in the load phase")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        began = time.perf_counter()
        seed(url, args.records)
        print(f"seeded {args.records} records in {time.perf_counter() - began:.1f} s\n")
        with open_store(url) as store:
            totals = {name: store.count(document) for name, document in FILTERS.items()}
        process, base = start_server(url)
        try:
            results: list[tuple[str, Measured, list[Measured]]] = []
            for name, document in FILTERS.items():
                baseline = in_process(url, document, args.seconds)
                sequential = asyncio.run(over_http(base, document, args.seconds, 1))
                loaded = asyncio.run(over_http(base, document, args.seconds, args.concurrency))
                results.append((name, baseline, [sequential, loaded]))
        finally:
            stop_server(process)

    print(f"{args.records} SQLite records, limit=50, {args.seconds:g} s per phase\n")
    print("| filter (matches) | how | per second | p50 ms | p99 ms | rate ratio | p50 ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, baseline, measured in results:
        label = f"`{json.dumps(FILTERS[name])}` ({totals[name]})"
        for phase in (baseline, *measured):
            print(
                f"| {label} | {phase.label} | {phase.rate:,.0f} | {phase.percentile(0.50):.2f} "
                f"| {phase.percentile(0.99):.2f} | {phase.rate / baseline.rate:.2f} "
                f"| {phase.percentile(0.50) / baseline.percentile(0.50):.2f} |"
            )
            label = ""
    print("\nratios: the phase's figure divided by the in-process one, same filter, same run")


if __name__ == "__main__":
    main()
