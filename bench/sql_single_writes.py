"""Single writes: ``create`` one record at a time on a SQLite file, against raw sqlite3.

Each write is its own transaction on both sides, with the same journal (WAL) and the same
``synchronous`` setting (NORMAL), into tables of the same layout and indexes.

    uv run python bench/sql_single_writes.py [--records 5000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from _common import COLUMNS, bodies, raw_row, timed

from actionlogkit_sql import SQLStore


def main() -> None:
    """Print records per second on both sides and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    arguments = parser.parse_args()
    data = bodies(arguments.records)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        store = SQLStore(f"sqlite:///{directory / 'store.db'}")

        def one_at_a_time() -> None:
            for body in data:
                store.create(body)

        store_seconds = timed(one_at_a_time)
        assert store.count() == len(data)
        store.close()

        raw_path = directory / "raw.db"
        SQLStore(f"sqlite:///{raw_path}").close()
        connection = sqlite3.connect(raw_path)
        connection.execute("PRAGMA synchronous = NORMAL")
        statement = (
            f"INSERT INTO integration_action_logs ({COLUMNS}) VALUES ({', '.join('?' * 15)})"
        )

        def raw() -> None:
            for body in data:
                connection.execute(statement, raw_row(body, postgresql=False))
                connection.commit()

        raw_seconds = timed(raw)
        connection.close()
    store_rate, raw_rate = len(data) / store_seconds, len(data) / raw_seconds
    print(
        f"SQLite single writes: create {store_rate:,.0f} rec/s ({1e6 / store_rate:.0f} µs each)"
        f"   raw sqlite3 {raw_rate:,.0f} rec/s ({1e6 / raw_rate:.0f} µs each)"
        f"   ratio {store_rate / raw_rate:.2f}"
    )


if __name__ == "__main__":
    main()
