"""Sustained end-to-end throughput of background recording into a SQLite file.

The recorder run: ``N`` calls of a decorated function with two small arguments, in background
mode into ``sqlite:///<tmp>/recorder.db``, timed from the first call until ``flush()`` returns
(so every record is built, validated and committed). The baseline: the very rows the backend
stored, read back and written again with plain ``sqlite3.executemany`` into a fresh file with the
same schema, in transactions of the same batch size. Both run in the same process, alternately,
and the best of ``R`` rounds of each is kept. Needs the SQL backend (``actionlogkit[sql]``):

    uv run python bench/recorder_throughput.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from actionlogkit import Recorder


def push_price(sku: str, price: float) -> float:
    """The recorded function: trivial, so the recording is what is measured."""
    return price


def record_calls(path: Path, calls: int, batch_size: int) -> float:
    """Seconds to record ``calls`` calls in background mode until all are stored."""
    recorder = Recorder(
        f"sqlite:///{path}",
        integration_id="shop-1",
        mode="background",
        max_queue=calls,
        batch_size=batch_size,
    )
    push = recorder.action("update", entity_type="product", entity_id="sku")(push_price)
    started = time.perf_counter()
    for n in range(calls):
        push(f"sku-{n}", 12.5)
    recorder.flush()
    elapsed = time.perf_counter() - started
    stats = recorder.stats
    recorder.close()
    if stats.recorded != calls or stats.dropped or stats.failed:
        raise SystemExit(f"the recorder lost records: {stats}")
    return elapsed


def stored_tables(path: Path) -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    """Each table the backend created: its name, its CREATE statement and its rows."""
    with sqlite3.connect(path) as db:
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        return [
            (name, sql, db.execute(f'SELECT * FROM "{name}"').fetchall()) for name, sql in tables
        ]


def schema_statements(path: Path) -> list[str]:
    """The backend's CREATE TABLE and CREATE INDEX statements, tables first."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type DESC"
        ).fetchall()
    return [sql for (sql,) in rows]


def insert_raw(
    path: Path,
    schema: list[str],
    tables: list[tuple[str, str, list[tuple[Any, ...]]]],
    batch_size: int,
) -> float:
    """Seconds to insert the same rows with sqlite3.executemany, one transaction per batch."""
    db = sqlite3.connect(path, isolation_level=None)
    for statement in schema:
        db.execute(statement)
    started = time.perf_counter()
    for name, _, rows in tables:
        if not rows:
            continue
        marks = ", ".join("?" * len(rows[0]))
        sql = f'INSERT INTO "{name}" VALUES ({marks})'
        for start in range(0, len(rows), batch_size):
            db.execute("BEGIN")
            db.executemany(sql, rows[start : start + batch_size])
            db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def main() -> None:
    """Print records per second of both and their ratio (goal: recorder >= 0.75x raw)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    options = parser.parse_args()
    recorded: list[float] = []
    raw: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(options.rounds):
            db_path = Path(folder, f"recorder-{round_number}.db")
            recorded.append(record_calls(db_path, options.calls, options.batch_size))
            tables = stored_tables(db_path)
            schema = schema_statements(db_path)
            raw_path = Path(folder, f"raw-{round_number}.db")
            raw.append(insert_raw(raw_path, schema, tables, options.batch_size))
    rows = options.calls
    best_recorded, best_raw = rows / min(recorded), rows / min(raw)
    ratio = best_recorded / best_raw
    print(f"{rows} records, batches of {options.batch_size}, best of {options.rounds} rounds")
    print(f"{'recorder (background, sqlite)':<34}{best_recorded:>12,.0f} records/s")
    print(f"{'raw sqlite3.executemany':<34}{best_raw:>12,.0f} records/s")
    verdict = "met" if ratio >= 0.75 else "MISSED"
    print(f"recorder / raw{ratio:>26.2f}x   goal >= 0.75x: {verdict}")


if __name__ == "__main__":
    main()
