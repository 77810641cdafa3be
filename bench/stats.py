"""``Store.stats`` on a million records against the hand-written SQL of the same result.

Loads 1,000,000 records (20 integrations, four statuses, ``createdAt`` spread over the last 90
days) once per engine, then times, on the same file or server and the same indexes:

- ``stats(by=("integrationId", "status"))``: every record, counts and nearest-rank percentiles;
- ``stats(last 24 h, by=(), interval="1h")``: the viewer's chart of a day.

The hand-written side is the SQL a person writes for the same figures, run on the raw driver with
its rows read as tuples: on SQLite ``row_number()`` and ``count()`` windows for the ranks (SQLite
has no ``percentile_disc``), on PostgreSQL ``percentile_disc(ARRAY[0.5, 0.95, 0.99])``. Both
sides' answers are checked equal before timing. Each figure is the median of ``--runs`` timings,
the two sides taken in turn so that both meet the same load.

    uv run python bench/stats.py [--records 1000000] [--runs 7] [--postgres-url URL]
        [--sqlite-file PATH]   # keep (and reuse) the SQLite database there
        [--skip-sqlite]        # PostgreSQL alone
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from _common import load_recent, timed
from sqlalchemy import make_url

from actionlogkit import Stats
from actionlogkit_sql import SQLStore

TABLE = "bench_stats_logs"

SQLITE_BY_INTEGRATION_AND_STATUS = f"""
SELECT integration_id, status, count(*), sum(status = 'failed'), sum(retry_count > 0),
       min(execution_time), max(execution_time), avg(execution_time),
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN execution_time END),
       max(CASE WHEN rn = (n * 95 + 99) / 100 THEN execution_time END),
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN execution_time END)
FROM (
  SELECT integration_id, status, retry_count, execution_time,
         row_number() OVER w AS rn,
         count(execution_time) OVER (PARTITION BY integration_id, status) AS n
  FROM {TABLE}
  WINDOW w AS (PARTITION BY integration_id, status ORDER BY execution_time NULLS LAST)
)
GROUP BY integration_id, status
"""
SQLITE_DAY_BY_HOUR = f"""
SELECT b, count(*), sum(status = 'failed'), sum(retry_count > 0),
       min(execution_time), max(execution_time), avg(execution_time),
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN execution_time END),
       max(CASE WHEN rn = (n * 95 + 99) / 100 THEN execution_time END),
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN execution_time END)
FROM (
  SELECT created_at - created_at % 3600000 AS b, status, retry_count, execution_time,
         row_number() OVER (PARTITION BY created_at - created_at % 3600000
                            ORDER BY execution_time NULLS LAST) AS rn,
         count(execution_time) OVER (PARTITION BY created_at - created_at % 3600000) AS n
  FROM {TABLE} WHERE created_at >= ? AND created_at < ?
)
GROUP BY b
"""
POSTGRES_BY_INTEGRATION_AND_STATUS = f"""
SELECT integration_id, status, count(*), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE retry_count > 0),
       min(execution_time), max(execution_time), avg(execution_time),
       percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY execution_time)
FROM {TABLE}
GROUP BY integration_id, status
"""
POSTGRES_DAY_BY_HOUR = f"""
SELECT date_trunc('hour', created_at), count(*), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE retry_count > 0),
       min(execution_time), max(execution_time), avg(execution_time),
       percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY execution_time)
FROM {TABLE} WHERE created_at >= %s AND created_at < %s
GROUP BY 1
"""


def _figures(stats: Stats) -> list[tuple[Any, ...]]:
    """The exact figures of each group (avg rounded: summation order may differ)."""
    found = []
    for group in stats.groups:
        times = group.execution_time
        found.append(
            (
                *group.key.values(),
                group.count,
                group.failed,
                group.retried,
                None
                if times is None
                else (times.min, times.max, round(times.avg, 6), times.p50, times.p95, times.p99),
            )
        )
    return sorted(found, key=repr)


def _raw_figures(rows: list[tuple[Any, ...]], keys: int, arrayed: bool) -> list[tuple[Any, ...]]:
    found = []
    for row in rows:
        values = list(row)
        head = [str(v) for v in values[:keys]] if keys else []
        count, failed, retried, low, high, mean = values[keys : keys + 6]
        ranks = values[keys + 6] if arrayed else values[keys + 6 : keys + 9]
        times = None if low is None else (low, high, round(mean, 6), *ranks)
        found.append((*head, int(count), int(failed), int(retried), times))
    return sorted(found, key=repr)


def alternating_p50_ms(
    first: Callable[[], object], second: Callable[[], object], runs: int
) -> tuple[float, float]:
    """The medians of ``runs`` timings of each, taken in turn so that both meet the same load."""
    first(), second()  # warm both: caches, statements
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for work, kept in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            work()
            kept.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def compare(
    name: str,
    label: str,
    ours: Callable[[], Stats],
    theirs: Callable[[], list[tuple[Any, ...]]],
    *,
    keys: int,
    arrayed: bool,
    runs: int,
) -> None:
    """Check both sides give the same figures, then print their medians and the ratio."""
    answer = ours()
    assert _figures(answer) == _raw_figures(theirs(), keys, arrayed), label
    mine, hand = alternating_p50_ms(ours, theirs, runs)
    print(
        f"{name:10} {label:34} groups {len(answer.groups):4}   stats() p50 {mine:9.1f} ms   "
        f"hand-written p50 {hand:9.1f} ms   ratio {mine / hand:.2f}"
    )


def _day() -> tuple[datetime, datetime]:
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=24), end


def sqlite_side(records: int, runs: int, path: Path) -> None:
    """Both questions on a SQLite file."""
    store = SQLStore(f"sqlite:///{path}", table_name=TABLE)
    seconds = timed(lambda: load_recent(store, records))
    print(f"SQLite: {store.count():,} records ready in {seconds:.0f} s")
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    start, end = _day()
    window = {"createdAt": {"$gte": start.isoformat(), "$lt": end.isoformat()}}
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    bounds = tuple(int((t - epoch).total_seconds() * 1000) for t in (start, end))

    def day_by_hour() -> list[tuple[Any, ...]]:
        rows = connection.execute(SQLITE_DAY_BY_HOUR, bounds).fetchall()
        return [(*row[1:],) for row in rows]  # the bucket is compared by the store's side

    compare(
        "SQLite",
        "by integrationId, status (all)",
        lambda: store.stats(by=("integrationId", "status")),
        lambda: connection.execute(SQLITE_BY_INTEGRATION_AND_STATUS).fetchall(),
        keys=2,
        arrayed=False,
        runs=runs,
    )
    compare(
        "SQLite",
        "last 24 h by hour",
        lambda: store.stats(window, by=(), interval="1h"),
        day_by_hour,
        keys=0,
        arrayed=False,
        runs=runs,
    )
    connection.close()
    store.close()


def postgresql_side(records: int, runs: int, url: str) -> None:
    """Both questions on PostgreSQL."""
    import psycopg

    store = SQLStore(url, table_name=TABLE)
    seconds = timed(lambda: load_recent(store, records))
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    start, end = _day()
    window = {"createdAt": {"$gte": start.isoformat(), "$lt": end.isoformat()}}
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"VACUUM ANALYZE {TABLE}")
        print(f"PostgreSQL: {store.count():,} records ready in {seconds:.0f} s")

        def by_pair() -> list[tuple[Any, ...]]:
            return connection.execute(POSTGRES_BY_INTEGRATION_AND_STATUS).fetchall()

        def day_by_hour() -> list[tuple[Any, ...]]:
            rows = connection.execute(POSTGRES_DAY_BY_HOUR, (start, end)).fetchall()
            return [(*row[1:],) for row in rows]

        compare(
            "PostgreSQL",
            "by integrationId, status (all)",
            lambda: store.stats(by=("integrationId", "status")),
            by_pair,
            keys=2,
            arrayed=True,
            runs=runs,
        )
        compare(
            "PostgreSQL",
            "last 24 h by hour",
            lambda: store.stats(window, by=(), interval="1h"),
            day_by_hour,
            keys=0,
            arrayed=True,
            runs=runs,
        )
    store.close()


def main() -> None:
    """Load, check, then print the p50 figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--sqlite-file", type=Path, default=None)
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL alone")
    arguments = parser.parse_args()
    if arguments.skip_sqlite:
        pass
    elif arguments.sqlite_file:
        sqlite_side(arguments.records, arguments.runs, arguments.sqlite_file)
    else:
        with tempfile.TemporaryDirectory() as directory:
            sqlite_side(arguments.records, arguments.runs, Path(directory) / "stats.db")
    if arguments.postgres_url:
        postgresql_side(arguments.records, arguments.runs, arguments.postgres_url)


if __name__ == "__main__":
    main()
