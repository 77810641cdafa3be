"""Ingest: ``create_many`` of realistic records against the raw driver's ``executemany``.

Both sides write the same rows (the same JSON, timestamps and search text) into tables of the
same layout and indexes, each in one transaction; the ratio is SQLStore's throughput over the
raw driver's, measured in the same run. SQLite always; PostgreSQL when a URL is given.

    uv run python bench/sql_ingest.py [--records 100000] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import tempfile
from pathlib import Path

from _common import COLUMNS, bodies, json_size, raw_row, timed
from actionlogkit_sql import SQLStore
from sqlalchemy import make_url


def sqlite_figures(records: int, directory: Path) -> tuple[float, float]:
    """Records per second into a SQLite file: SQLStore, then raw sqlite3."""
    data = bodies(records)
    store = SQLStore(f"sqlite:///{directory / 'store.db'}")
    gc.collect()
    store_seconds = timed(lambda: store.create_many(data))
    assert store.count() == records
    store.close()

    raw_path = directory / "raw.db"
    SQLStore(f"sqlite:///{raw_path}").close()  # the same table, indexes and settings
    connection = sqlite3.connect(raw_path, isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    places = ", ".join("?" * 15)
    statement = f"INSERT INTO integration_action_logs ({COLUMNS}) VALUES ({places})"

    def raw() -> None:
        rows = [raw_row(body, postgresql=False) for body in data]
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(statement, rows)
        connection.execute("COMMIT")

    gc.collect()
    raw_seconds = timed(raw)
    assert connection.execute("SELECT count(*) FROM integration_action_logs").fetchone() == (
        records,
    )
    connection.close()
    return records / store_seconds, records / raw_seconds


def postgresql_figures(records: int, url: str) -> tuple[float, float]:
    """Records per second into PostgreSQL: SQLStore, then raw psycopg."""
    import psycopg

    data = bodies(records)
    store_table, raw_table = "bench_ingest_store", "bench_ingest_raw"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        for table in (store_table, raw_table):
            admin.execute(f"DROP TABLE IF EXISTS {table}")
            admin.execute("DELETE FROM actionlogkit_schema WHERE table_name = %s", (table,))
    store = SQLStore(url, table_name=store_table)
    gc.collect()
    store_seconds = timed(lambda: store.create_many(data))
    assert store.count() == records
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

        gc.collect()
        raw_seconds = timed(raw)
        counted = connection.execute(f"SELECT count(*) FROM {raw_table}").fetchone()
        assert counted == (records,)
        connection.execute(f"DROP TABLE {raw_table}")
        connection.execute(f"DROP TABLE {store_table}")
        connection.execute(
            "DELETE FROM actionlogkit_schema WHERE table_name IN (%s, %s)", (store_table, raw_table)
        )
        connection.commit()
    return records / store_seconds, records / raw_seconds


def main() -> None:
    """Print records per second on both sides and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=None)
    arguments = parser.parse_args()
    sample = bodies(200)
    average = sum(json_size(body) for body in sample) / len(sample)
    print(f"records: {arguments.records:,}, payload+response JSON ≈ {average:.0f} bytes each")
    with tempfile.TemporaryDirectory() as directory:
        store_rate, raw_rate = sqlite_figures(arguments.records, Path(directory))
    print(
        f"SQLite      create_many {store_rate:10,.0f} rec/s   raw sqlite3 executemany "
        f"{raw_rate:10,.0f} rec/s   ratio {store_rate / raw_rate:.2f} (goal ≥ 0.5)"
    )
    if arguments.postgres_url:
        store_rate, raw_rate = postgresql_figures(arguments.records, arguments.postgres_url)
        print(
            f"PostgreSQL  create_many {store_rate:10,.0f} rec/s   raw psycopg executemany "
            f"{raw_rate:10,.0f} rec/s   ratio {store_rate / raw_rate:.2f} (goal ≥ 0.5)"
        )


if __name__ == "__main__":
    main()
