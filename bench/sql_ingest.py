"""Ingest: ``create_many`` of realistic records against the raw driver's ``executemany``.

Both sides write the same rows (the same JSON, timestamps and search text) into fresh tables of the
same layout and indexes (the search index included), each in one transaction; the raw side encodes
the JSON with the standard ``json`` module, as a hand-written logger would; the ratio is SQLStore's
throughput over the raw driver's. The sides alternate for ``--rounds`` rounds and each side's
median counts, so that load from elsewhere on the machine falls on both. SQLite always; PostgreSQL
when a URL is given. A second line per engine writes the same records as 100 ``create_many`` calls
of 1,000.

    uv run python bench/sql_ingest.py [--records 100000] [--rounds 3] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import COLUMNS, bodies, json_size, raw_row, timed
from sqlalchemy import make_url

from actionlogkit_sql import SQLStore

CHUNK = 1_000


def measure(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes, starting from a collected heap; its garbage is freed after."""
    gc.collect()
    seconds = timed(work)
    gc.collect()
    return seconds


def store_sides(store: SQLStore, data: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds for one create_many of everything, then for create_many in chunks (store emptied)."""
    whole = measure(lambda: store.create_many(data))
    assert store.count() == len(data)
    store.delete_many({})

    def chunked() -> None:
        for first in range(0, len(data), CHUNK):
            store.create_many(data[first : first + CHUNK])

    chunks = measure(chunked)
    assert store.count() == len(data)
    store.delete_many({})
    return whole, chunks


def sqlite_round(data: list[dict[str, Any]], directory: Path, n: int) -> tuple[float, float, float]:
    """One round on SQLite: (store seconds, store seconds in chunks, raw seconds)."""
    store = SQLStore(f"sqlite:///{directory / f'store-{n}.db'}")
    whole, chunks = store_sides(store, data)
    store.close()

    raw_path = directory / f"raw-{n}.db"
    SQLStore(f"sqlite:///{raw_path}").close()  # the same table, indexes and WAL journal
    connection = sqlite3.connect(raw_path, isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    places = ", ".join("?" * 15)
    statement = f"INSERT INTO integration_action_logs ({COLUMNS}) VALUES ({places})"

    def raw() -> None:
        rows = [raw_row(body, postgresql=False) for body in data]
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(statement, rows)
        connection.execute("COMMIT")

    raw_seconds = measure(raw)
    counted = connection.execute("SELECT count(*) FROM integration_action_logs").fetchone()
    assert counted == (len(data),)
    connection.close()
    return whole, chunks, raw_seconds


def postgresql_round(data: list[dict[str, Any]], url: str) -> tuple[float, float, float]:
    """One round on PostgreSQL: (store seconds, store seconds in chunks, raw seconds)."""
    import psycopg

    store_table, raw_table = "bench_ingest_store", "bench_ingest_raw"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def drop(connection: psycopg.Connection[Any]) -> None:
        for table in (store_table, raw_table):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
            if connection.execute("SELECT to_regclass('actionlogkit_schema')").fetchone() != (
                None,
            ):
                connection.execute(
                    "DELETE FROM actionlogkit_schema WHERE table_name = %s", (table,)
                )

    with psycopg.connect(conninfo, autocommit=True) as admin:
        drop(admin)
    store = SQLStore(url, table_name=store_table)
    whole, chunks = store_sides(store, data)
    store.close()
    SQLStore(url, table_name=raw_table).close()

    places = ", ".join(
        "%s::jsonb" if name in ("payload", "response", "metadata") else "%s"
        for name in COLUMNS.split(", ")
    )
    statement = f"INSERT INTO {raw_table} ({COLUMNS}) VALUES ({places})"
    with psycopg.connect(conninfo) as connection:

        def raw() -> None:
            rows = [raw_row(body, postgresql=True) for body in data]
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(statement, rows)

        raw_seconds = measure(raw)
        counted = connection.execute(f"SELECT count(*) FROM {raw_table}").fetchone()
        assert counted == (len(data),)
        connection.commit()
    with psycopg.connect(conninfo, autocommit=True) as admin:
        drop(admin)
    return whole, chunks, raw_seconds


def report(
    name: str, driver: str, records: int, rounds: list[tuple[float, float, float]], goal: float
) -> None:
    """Print the medians as records per second, and the ratios to the raw driver."""
    whole, chunks, raw = (records / statistics.median(side) for side in zip(*rounds, strict=True))
    print(
        f"{name:10} create_many x1    {whole:8,.0f} rec/s   raw {driver} executemany "
        f"{raw:8,.0f} rec/s   ratio {whole / raw:.2f} (goal ≥ {goal})"
    )
    print(
        f"{name:10} create_many x{records // CHUNK:<4} {chunks:8,.0f} rec/s   "
        f"(chunks of {CHUNK:,})              ratio {chunks / raw:.2f}"
    )


def main() -> None:
    """Print records per second on both sides and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=None)
    arguments = parser.parse_args()
    data = bodies(arguments.records)
    average = sum(json_size(body) for body in data[:1000]) / min(1000, len(data))
    # The input is the harness's, not either side's: keep the collector from walking it.
    gc.collect()
    gc.freeze()
    print(
        f"records: {arguments.records:,}, payload+response JSON ≈ {average:.0f} bytes each, "
        f"median of {arguments.rounds} alternating rounds"
    )
    with tempfile.TemporaryDirectory() as directory:
        rounds = [sqlite_round(data, Path(directory), n) for n in range(arguments.rounds)]
    report("SQLite", "sqlite3", arguments.records, rounds, 0.85)
    if arguments.postgres_url:
        rounds = [postgresql_round(data, arguments.postgres_url) for _ in range(arguments.rounds)]
        report("PostgreSQL", "psycopg", arguments.records, rounds, 1.2)


if __name__ == "__main__":
    main()
