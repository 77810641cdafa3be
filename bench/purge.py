"""Retention: purge half of a large store while another thread writes one record at a time.

Fills a store with records whose ``createdAt`` is spread over 90 days, then purges the older
half (``store.purge(cutoff)``, batches of 10,000) while a writer thread creates one record after
another as an integration would. Reports the purge's rate and the writer's latency percentiles
during the purge, against the writer's own latency with nothing else running (measured just
before, in the same run): the ratio says how much the purge holds writers up.

    uv run python bench/purge.py [--records 1000000] [--postgres-url URL] [--sqlite-file PATH]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from _common import START, bodies

from actionlogkit_sql import SQLStore

BATCH = 10_000
SPAN = timedelta(days=90)


def load(store: SQLStore, records: int) -> None:
    """Fill ``store`` with ``records`` records spread over :data:`SPAN` (small payloads)."""
    rng = random.Random(5)
    span_ms = int(SPAN.total_seconds() * 1000)
    for first in range(0, records, BATCH):
        batch = bodies(min(BATCH, records - first), seed=first, large=False)
        stamps = [START + timedelta(milliseconds=rng.randrange(span_ms)) for _ in batch]
        store.create_many(batch, created_at=stamps)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _writer(store: SQLStore, stop: threading.Event, latencies: list[float]) -> None:
    body = bodies(1, seed=99, large=False)[0]
    while not stop.is_set():
        started = time.perf_counter()
        store.create(body)
        latencies.append((time.perf_counter() - started) * 1000)


def _writes_during(store: SQLStore, work: Callable[[], object]) -> tuple[float, list[float]]:
    """Run ``work`` while a thread creates records one at a time; its seconds, the latencies."""
    stop = threading.Event()
    latencies: list[float] = []
    thread = threading.Thread(target=_writer, args=(store, stop, latencies))
    thread.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        thread.join()
    return elapsed, latencies


def measure(name: str, store: SQLStore, records: int) -> None:
    """Load, measure the writer alone, then purge the older half beside it."""
    started = time.perf_counter()
    load(store, records)
    print(f"{name}: loaded {records:,} records in {time.perf_counter() - started:.0f} s")
    cutoff = START + SPAN / 2
    older = store.count({"createdAt": {"$lt": cutoff.isoformat()}})
    _, alone = _writes_during(store, lambda: time.sleep(5))
    deleted: list[int] = []
    elapsed, beside = _writes_during(store, lambda: deleted.append(store.purge(cutoff)))
    assert deleted == [older], (deleted, older)
    print(
        f"{name}: purged {deleted[0]:,} records in {elapsed:.1f} s: {deleted[0] / elapsed:,.0f}/s"
    )
    for label, samples in (("writer alone", alone), ("writer during purge", beside)):
        print(
            f"  {label:<20} {len(samples):>6} creates  p50 {statistics.median(samples):7.2f} ms"
            f"  p99 {_percentile(samples, 0.99):7.2f} ms  max {max(samples):7.1f} ms"
        )
    ratio = _percentile(beside, 0.99) / _percentile(alone, 0.99)
    print(f"  p99 during purge / alone: {ratio:.1f}x")


def main() -> None:
    """Run on SQLite, and on PostgreSQL with ``--postgres-url``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--sqlite-file", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.sqlite_file or Path(tmp) / "purge.db"
        path.unlink(missing_ok=True)
        with SQLStore(f"sqlite:///{path}", table_name="bench_purge") as store:
            measure("SQLite", store, args.records)
    if args.postgres_url:
        with SQLStore(args.postgres_url, table_name="bench_purge") as store:
            store.delete_many({})
            measure("PostgreSQL", store, args.records)
            store.delete_many({})


if __name__ == "__main__":
    main()
