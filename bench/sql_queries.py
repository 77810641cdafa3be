"""Queries on a million records: SQLStore's ``list`` against the same SQL written by hand.

Loads 1,000,000 records (20 integrations, 15% failed, createdAt spread over 90 days) once per
engine, then times, side by side on the same connection settings and the same indexes:

- page 1: ``{"integrationId": X, "status": "failed"}``, createdAt desc, limit 50, with its total;
- offset 10,000: ``{"integrationId": X}``, createdAt desc, limit 50, offset 10,000, with its total;
- search: ``search="timeout"``, createdAt desc, limit 50, with its total.

The hand-written side runs the same two statements (page and COUNT) on the raw driver and reads
the rows as tuples, with the JSON columns decoded (psycopg decodes jsonb by itself; on SQLite the
script decodes the text, as any reader of the rows must); SQLStore builds records. The SQLite line
also shows the hand-written figure without decoding. Each figure is the median of ``--runs``
timings.

    uv run python bench/sql_queries.py [--records 1000000] [--runs 30] [--postgres-url URL]
        [--sqlite-file PATH]   # keep (and reuse) the SQLite database there
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import START, bodies, p50_ms, timed
from sqlalchemy import make_url

from actionlogkit_sql import SQLStore

TABLE = "bench_query_logs"
BATCH = 10_000
SELECTED = (
    "id, integration_id, action_type, entity_type, entity_id, status, payload, response, "
    "error_message, retry_count, execution_time, metadata, created_at, updated_at"
)


def load(store: SQLStore, records: int) -> None:
    """Fill ``store`` with ``records`` records (smaller payloads), unless it holds them already."""
    if store.count() == records:
        return
    store.delete_many({})
    rng = random.Random(11)
    span = int(timedelta(days=90).total_seconds() * 1000)
    for first in range(0, records, BATCH):
        batch = bodies(min(BATCH, records - first), seed=first, large=False)
        stamps = [START + timedelta(milliseconds=rng.randrange(span)) for _ in batch]
        store.create_many(batch, created_at=stamps)


def cases(placeholder: str) -> list[tuple[str, dict[str, Any], str, tuple[Any, ...]]]:
    """(name, list() arguments, hand-written WHERE, its parameters) for the three queries."""
    p = placeholder
    return [
        (
            "page 1   ",
            {"filter": {"integrationId": "shop-07", "status": "failed"}},
            f"integration_id = {p} AND status = {p}",
            ("shop-07", "failed"),
        ),
        (
            "offset 10k",
            {"filter": {"integrationId": "shop-07"}, "offset": 10_000},
            f"integration_id = {p}",
            ("shop-07",),
        ),
        ("search   ", {"search": "timeout"}, f"instr(search_key, {p}) > 0", (b"timeout",)),
    ]


def compare(
    name: str,
    store: SQLStore,
    run_raw: Callable[[str, tuple[Any, ...], int], object],
    placeholder: str,
    runs: int,
) -> None:
    """Print p50 of each query on SQLStore and by hand, and the ratio."""
    for label, arguments, where, parameters in cases(placeholder):
        offset = arguments.get("offset", 0)
        page = store.list(
            arguments.get("filter"), search=arguments.get("search"), limit=50, offset=offset
        )
        raw_rows = run_raw(where, parameters, offset)
        assert isinstance(raw_rows, list)
        assert [r.id for r in page.data] == [row[0] for row in raw_rows], label
        ours = p50_ms(
            lambda a=arguments, o=offset: store.list(
                a.get("filter"), search=a.get("search"), limit=50, offset=o
            ),
            runs,
        )
        theirs = p50_ms(lambda w=where, p=parameters, o=offset: decoded(run_raw(w, p, o)), runs)
        line = (
            f"{name:10} {label}  total {page.total:7,}   SQLStore p50 {ours:8.2f} ms   "
            f"hand-written p50 {theirs:8.2f} ms   ratio {ours / theirs:.2f}"
        )
        if name == "SQLite":
            bare = p50_ms(lambda w=where, p=parameters, o=offset: run_raw(w, p, o), runs)
            line += f"   (undecoded {bare:.2f} ms, ratio {ours / bare:.2f})"
        print(line)


def decoded(rows: object) -> list[list[Any]]:
    """The rows with their JSON columns (payload, response, metadata) decoded."""
    assert isinstance(rows, list)
    result = []
    for row in rows:
        values = list(row)
        for index in (6, 7, 11):
            if isinstance(values[index], str):
                values[index] = json.loads(values[index])
        result.append(values)
    return result


def sqlite_queries(records: int, runs: int, path: Path) -> None:
    """The three queries on a SQLite file."""
    store = SQLStore(f"sqlite:///{path}", table_name=TABLE)
    seconds = timed(lambda: load(store, records))
    print(f"SQLite: {store.count():,} records ready in {seconds:.0f} s")
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def raw(where: str, parameters: tuple[Any, ...], offset: int) -> list[Any]:
        rows = connection.execute(
            f"SELECT {SELECTED} FROM {TABLE} WHERE {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET {offset}",
            parameters,
        ).fetchall()
        connection.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", parameters).fetchone()
        return rows

    compare("SQLite", store, raw, "?", runs)
    connection.close()
    store.close()


def postgresql_queries(records: int, runs: int, url: str) -> None:
    """The three queries on PostgreSQL."""
    import psycopg

    store = SQLStore(url, table_name=TABLE)
    seconds = timed(lambda: load(store, records))
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"VACUUM ANALYZE {TABLE}")
        print(f"PostgreSQL: {store.count():,} records ready in {seconds:.0f} s")

        def raw(where: str, parameters: tuple[Any, ...], offset: int) -> list[Any]:
            where = where.replace("instr(search_key, %s) > 0", "position(%s IN search_key) > 0")
            rows = connection.execute(
                f"SELECT {SELECTED} FROM {TABLE} WHERE {where} "
                f"ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET {offset}",
                parameters,
            ).fetchall()
            connection.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", parameters).fetchone()
            return rows

        compare("PostgreSQL", store, raw, "%s", runs)
    store.close()


def main() -> None:
    """Load, then print the p50 figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--sqlite-file", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.sqlite_file:
        sqlite_queries(arguments.records, arguments.runs, arguments.sqlite_file)
    else:
        with tempfile.TemporaryDirectory() as directory:
            sqlite_queries(arguments.records, arguments.runs, Path(directory) / "queries.db")
    if arguments.postgres_url:
        postgresql_queries(arguments.records, arguments.runs, arguments.postgres_url)


if __name__ == "__main__":
    main()
