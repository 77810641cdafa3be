"""Search on MongoDB, which has no substring index: how its cost grows with the collection.

Loads ``--records`` records (the same dataset as ``sql_scale.py``: 15% failed with "Timeout while
calling the shop API", 0.05% "Payment declined by the gateway") and times, p50 of ``--runs``:
a rare term's page 1 with its total, a common term's page 1 without total, the same rare term
within an indexed filter (``integrationId``), and ``list`` without search as the baseline. Runs
on nx-27017 (started here) unless ``--url`` names a server.

    uv run python bench/mongo_search.py [--records 20000] [--runs 30] [--url mongodb://…/db]
"""

from __future__ import annotations

import argparse
import random
import uuid
from datetime import timedelta

from _common import START
from mongo_ingest import nx_27017
from sql_scale import body_batch, p50s

from actionlogkit_mongo import MongoStore


def run(url: str, records: int, runs: int) -> None:
    """Load, time and print."""
    store = MongoStore(url, collection=f"bench_search_{uuid.uuid4().hex[:8]}")
    try:
        rng = random.Random(11)
        span = int(timedelta(days=90).total_seconds() * 1000)
        for first in range(0, records, 5000):
            batch = body_batch(first, min(5000, records - first))
            stamps = [START + timedelta(milliseconds=rng.randrange(span)) for _ in batch]
            store.create_many(batch, created_at=stamps)
        rare = store.count(search="declined")
        common = store.count(search="timeout")
        print(f"{records:,} records; 'declined' in {rare:,}, 'timeout' in {common:,}")
        figures = p50s(
            {
                "no search, page 1 + total": store.list,
                "'declined' page 1 + total": lambda: store.list(search="declined"),
                "'timeout' page 1, no total": lambda: store.list(
                    search="timeout", with_total=False
                ),
                "'declined' in shop-07, page 1 + total": lambda: store.list(
                    {"integrationId": "shop-07"}, search="declined"
                ),
            },
            runs,
        )
        for name, ms in figures.items():
            print(f"  {name:40} p50 {ms:9.2f} ms")
    finally:
        store.collection.drop()
        store.close()


def main() -> None:
    """Run on the given server, or on nx-27017."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=None)
    options = parser.parse_args()
    if options.url:
        run(options.url, options.records, options.runs)
        return
    with nx_27017() as url:
        for records in (options.records // 4, options.records):
            run(url, records, options.runs)


if __name__ == "__main__":
    main()
