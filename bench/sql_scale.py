"""The read path at production scale: search, cursors, totals and declared indexes on 1M records.

Loads ``--records`` records once per engine (20 integrations, 15% failed with "Timeout while
calling the shop API", 0.05% "Payment declined by the gateway", a unique ``metadata.orderId``,
createdAt spread over 90 days) into a table kept between runs (``--sqlite-file``; on PostgreSQL
the table ``bench_scale_logs``), declares ``metadata.orderId`` and runs ``migrate``, then times,
interleaving each measure with its baseline, the p50 of ``--runs`` runs:

- search page 1 with its total, for a rare term ("declined"), against the same call on a store
  that reads every record (the scan, as before the index);
- search page 1 of a common term ("timeout", 15%) with ``with_total=False``, and with its total;
- other terms: 5% ("shop-07"), two characters ("ap", always a scan);
- cursor pages at depth 10,000 and 500,000 (createdAt desc, no filter) and at depth 10,000 and
  40,000 of ``{"integrationId": "shop-07"}``, against page 1 of the same query, without totals;
  the offset page at the same depth for comparison;
- equality on the declared ``metadata.orderId`` with its total, against the same query on a store
  that declares nothing;
- the query plans (EXPLAIN) of the searches.

    uv run python bench/sql_scale.py [--records 1000000] [--runs 30] [--sqlite-file PATH]
        [--postgres-url URL] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import START, bodies, timed

from actionlogkit import ActionLogKitWarning
from actionlogkit_sql import SQLStore

TABLE = "bench_scale_logs"
BATCH = 10_000
ORDER = "metadata.orderId"


def body_batch(first: int, count: int) -> list[dict[str, Any]]:
    """Records ``first`` to ``first + count``, the same for every run."""
    batch = bodies(count, seed=first, large=False)
    for offset, body in enumerate(batch):
        number = first + offset
        body["metadata"]["orderId"] = f"ORD-{number:07d}"
        if number % 2000 == 1:
            body["status"] = "failed"
            body["errorMessage"] = "Payment declined by the gateway"
    return batch


def load(store: SQLStore, records: int) -> float:
    """Fill ``store`` with the dataset unless it holds it already; seconds taken."""
    if store.count() == records:
        return 0.0
    store.delete_many({})
    rng = random.Random(11)
    span = int(timedelta(days=90).total_seconds() * 1000)
    started = time.perf_counter()
    for first in range(0, records, BATCH):
        batch = body_batch(first, min(BATCH, records - first))
        stamps = [START + timedelta(milliseconds=rng.randrange(span)) for _ in batch]
        store.create_many(batch, created_at=stamps)
        if first % 100_000 == 0:
            print(f"  loaded {first:,}", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def p50s(sides: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """p50 in ms of each side, the sides interleaved run by run after two warm-ups each."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(2):
        for work in sides.values():
            work()
    for _ in range(runs):
        for name, work in sides.items():
            started = time.perf_counter()
            work()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def cursor_at(store: SQLStore, depth: int, **query: Any) -> str:
    """The cursor that starts a page at ``depth`` records into the query's order."""
    page = store.list(**query, limit=1, offset=depth - 1, with_total=False)
    assert page.next_cursor is not None
    return page.next_cursor


def explain(store: SQLStore, term: str, page: int | None) -> str:
    """The plan of a search's page (``page`` rows) or count (``None``), as the store runs it."""
    from sqlalchemy import func, select

    indexed = store._indexed(term, page)
    where = store._compiler.where(None, term, indexed=indexed)
    table = store._table
    if page is None:
        statement = select(func.count()).select_from(table).where(where)
    else:
        statement = (
            select(table.c.id)
            .where(where)
            .order_by(table.c.created_at.desc(), table.c.id.desc())
            .limit(page)
        )
    compiled = str(statement.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(f"EXPLAIN {compiled}").all()
            return " / ".join(str(row[0]).strip() for row in rows)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
        return " / ".join(str(row[-1]) for row in rows)


def measure(name: str, indexed: SQLStore, plain: SQLStore, runs: int, sections: set[str]) -> None:
    """Print every figure of one engine (of the sections asked for)."""

    def line(label: str, figures: dict[str, float], note: str) -> None:
        shown = "   ".join(f"{side} {ms:8.2f} ms" for side, ms in figures.items())
        print(f"{name:10} {label:46} {shown}{note}", flush=True)

    if "search" in sections:
        search_figures(name, indexed, plain, runs, line)
    if "cursor" in sections:
        cursor_figures(indexed, runs, line)
    if "declared" in sections:
        declared_figures(indexed, plain, runs, line)


Line = Callable[[str, dict[str, float], str], None]


def search_figures(name: str, indexed: SQLStore, plain: SQLStore, runs: int, line: Line) -> None:
    """Searches for rare, common and short terms, against the scan."""
    rare = indexed.list(search="declined")
    common = indexed.list(search="timeout", limit=50)
    print(
        f"{name:10} rare term 'declined' matches {rare.total:,}; common 'timeout' {common.total:,}",
        flush=True,
    )
    figures = p50s(
        {
            "indexed": lambda: indexed.list(search="declined"),
            "scan": lambda: plain.list(search="declined"),
        },
        runs,
    )
    line("search 'declined' page 1 + total", figures, "   goal ≤ 10 ms")
    figures = p50s(
        {
            "indexed": lambda: indexed.list(search="timeout", with_total=False),
            "scan": lambda: plain.list(search="timeout", with_total=False),
        },
        runs,
    )
    line("search 'timeout' page 1, with_total=False", figures, "   goal ≤ 10 ms")
    for term in ("timeout", "shop-07", "ap", "declined"):
        figures = p50s(
            {
                "indexed": lambda t=term: indexed.list(search=t),
                "scan": lambda t=term: plain.list(search=t),
            },
            max(5, runs // 3),
        )
        total = indexed.count(search=term)
        line(f"search {term!r} page 1 + total ({total:,})", figures, "   (report)")
    for term, page in (("declined", 51), ("declined", None), ("timeout", 51), ("timeout", None)):
        print(
            f"{name:10} plan {term!r} {'page' if page else 'count'}: {explain(indexed, term, page)}"
        )


def cursor_figures(indexed: SQLStore, runs: int, line: Line) -> None:
    """Cursor pages deep into two queries, against page 1 (and the offset page)."""
    for label, query, depths in (
        ("createdAt desc", {}, (10_000, 500_000)),
        ("integrationId=shop-07", {"filter": {"integrationId": "shop-07"}}, (10_000, 40_000)),
    ):
        cursors = {depth: cursor_at(indexed, depth, **query) for depth in depths}
        sides: dict[str, Callable[[], object]] = {
            "page 1": lambda q=query: indexed.list(**q, with_total=False)
        }
        for depth, cursor in cursors.items():
            sides[f"cursor@{depth:,}"] = lambda q=query, c=cursor: indexed.list(
                **q, cursor=c, with_total=False
            )
            sides[f"offset@{depth:,}"] = lambda q=query, d=depth: indexed.list(
                **q, offset=d, with_total=False
            )
        figures = p50s(sides, runs)
        ratios = ", ".join(
            f"cursor@{d:,}/page 1 = {figures[f'cursor@{d:,}'] / figures['page 1']:.2f}"
            for d in depths
        )
        line(label, figures, f"   {ratios} (goal ≤ 2)")


def declared_figures(indexed: SQLStore, plain: SQLStore, runs: int, line: Line) -> None:
    """Equality on the declared path, against the same store without the declaration."""
    wanted = {ORDER: "ORD-0123457"}
    assert indexed.count(wanted) == 1
    figures = p50s({"declared": lambda: indexed.list(wanted)}, runs)
    # The undeclared side reads every record: a few runs tell its p50.
    figures.update(p50s({"undeclared": lambda: plain.list(wanted)}, 5))
    line(f"{ORDER} = value, page + total", figures, "   goal ≤ 5 ms")


def open_pair(url: str, records: int) -> tuple[SQLStore, SQLStore, str]:
    """The loaded store with its declared index and search index, and a plain one (scans)."""
    store = SQLStore(url, table_name=TABLE, indexes=[ORDER])
    seconds = load(store, records)
    started = time.perf_counter()
    built = store.migrate(progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True))
    migrated = time.perf_counter() - started
    note = f"loaded in {seconds:.0f} s" if seconds else "reused"
    if built:
        note += f"; migrate built {', '.join(built)} in {migrated:.0f} s"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionLogKitWarning)
        plain = SQLStore(url, table_name=TABLE)
        plain._search_indexed = False
        plain._scan_warned = True
    return store, plain, note


def main() -> None:
    """Load once per engine, then print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite-file", type=Path, default=Path("bench-scale.db"))
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sections", default="search,cursor,declared")
    arguments = parser.parse_args()
    sections = set(arguments.sections.split(","))
    if not arguments.skip_sqlite:
        store, plain, note = open_pair(f"sqlite:///{arguments.sqlite_file}", arguments.records)
        print(f"SQLite: {store.count():,} records, {note}", flush=True)
        measure("SQLite", store, plain, arguments.runs, sections)
        store.close()
        plain.close()
    if arguments.postgres_url:
        store, plain, note = open_pair(arguments.postgres_url, arguments.records)
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            seconds = timed(lambda: c.exec_driver_sql(f"VACUUM ANALYZE {TABLE}"))
        print(f"PostgreSQL: {store.count():,} records, {note}; VACUUM ANALYZE {seconds:.0f} s")
        measure("PostgreSQL", store, plain, arguments.runs, sections)
        store.close()
        plain.close()


if __name__ == "__main__":
    main()
