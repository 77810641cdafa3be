"""Sustained end-to-end throughput of background recording into a SQLite file.

The recorder run: ``N`` calls of a decorated function with two small arguments, in background
mode into ``sqlite:///<tmp>/recorder.db``, timed from the first call until ``flush()`` returns
(so every record is built, validated and committed). Two baselines, both raw
``sqlite3.executemany`` into a fresh file with the same schema, in transactions of the same batch
size:

- *hand-rolled logging*: the same ``N`` calls, each timed and turned into the same row by hand
  (id, timestamps, ``json.dumps`` of the arguments and the result, the search text), with no
  redaction, size caps or validation, and inserted with ``executemany``: logging the same calls
  with raw ``sqlite3.executemany``, end to end (the goal: the recorder at least 0.75 times as
  fast);
- *pre-built rows*: the very rows the backend stored, read back and inserted again, which is
  SQLite's own speed with no Python work per call at all: a bound, reported for context.

All run in the same process, alternately, and the best of ``R`` rounds of each is kept. Needs the
SQL backend (``actionlogkit[sql]``):

    uv run python bench/recorder_throughput.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from actionlogkit import Recorder
from actionlogkit._ids import new_id


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


# The tables SQLite makes for an FTS5 table itself.
_FTS_SHADOWS = (
    "_search_data",
    "_search_idx",
    "_search_config",
    "_search_docsize",
    "_search_content",
)


def stored_tables(path: Path) -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    """Each table the backend created: its name, its CREATE statement and its rows."""
    with sqlite3.connect(path) as db:
        # Real tables only: the search index (a virtual table and its shadow tables) is filled
        # by its triggers on the other side too.
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
        tables = [(name, sql) for name, sql in tables if not name.endswith(_FTS_SHADOWS)]
        return [
            (name, sql, db.execute(f'SELECT * FROM "{name}"').fetchall()) for name, sql in tables
        ]


def schema_statements(path: Path) -> list[str]:
    """The backend's CREATE statements (the search index's triggers too): tables first."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
        ).fetchall()
    return [sql for name, sql in rows if not name.endswith(_FTS_SHADOWS)]


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


def log_by_hand(path: Path, schema: list[str], calls: int, batch_size: int) -> float:
    """Seconds to make ``calls`` calls and write each one's row by hand, batch by batch."""
    db = sqlite3.connect(path, isolation_level=None)
    for statement in schema:
        db.execute(statement)
    sql = f"INSERT INTO integration_action_logs VALUES ({', '.join('?' * 15)})"
    rows: list[tuple[Any, ...]] = []

    def write() -> None:
        db.execute("BEGIN")
        db.executemany(sql, rows)
        db.execute("COMMIT")
        rows.clear()

    started = time.perf_counter()
    for n in range(calls):
        sku, price = f"sku-{n}", 12.5
        wall, t0 = time.time(), time.perf_counter()
        result = push_price(sku, price)
        elapsed = (time.perf_counter() - t0) * 1000.0
        stamp = int(wall * 1000)
        rows.append(
            (
                new_id(),
                "shop-1",
                "update",
                "product",
                sku,
                "success",
                json.dumps({"sku": sku, "price": price}, separators=(",", ":")),
                json.dumps({"value": result}, separators=(",", ":")),
                None,
                0,
                elapsed,
                None,
                stamp,
                stamp,
                "\x00".join(("shop-1", "product", sku.casefold(), "")).encode(),
            )
        )
        if len(rows) == batch_size:
            write()
    if rows:
        write()
    elapsed_total = time.perf_counter() - started
    db.close()
    return elapsed_total


def main() -> None:
    """Print records per second of the recorder and both baselines, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    options = parser.parse_args()
    recorded: list[float] = []
    by_hand: list[float] = []
    raw: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(options.rounds):
            db_path = Path(folder, f"recorder-{round_number}.db")
            recorded.append(record_calls(db_path, options.calls, options.batch_size))
            tables = stored_tables(db_path)
            schema = schema_statements(db_path)
            hand_path = Path(folder, f"hand-{round_number}.db")
            by_hand.append(log_by_hand(hand_path, schema, options.calls, options.batch_size))
            raw_path = Path(folder, f"raw-{round_number}.db")
            raw.append(insert_raw(raw_path, schema, tables, options.batch_size))
    rows = options.calls
    best = {
        "recorder (background, sqlite)": rows / min(recorded),
        "hand-rolled rows, executemany": rows / min(by_hand),
        "pre-built rows, executemany": rows / min(raw),
    }
    print(f"{rows} records, batches of {options.batch_size}, best of {options.rounds} rounds")
    for label, rate in best.items():
        print(f"{label:<34}{rate:>12,.0f} records/s")
    recorder = best["recorder (background, sqlite)"]
    ratio = recorder / best["hand-rolled rows, executemany"]
    verdict = "met" if ratio >= 0.75 else "MISSED"
    print(f"{'recorder / hand-rolled':<28}{ratio:>6.2f}x   goal >= 0.75x: {verdict}")
    bound = recorder / best["pre-built rows, executemany"]
    print(f"{'recorder / pre-built rows':<28}{bound:>6.2f}x   (SQLite alone: a bound)")


if __name__ == "__main__":
    main()
