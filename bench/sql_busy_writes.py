"""Batch writes on SQLite while another Python thread keeps busy, as request threads do.

Each side writes batches of 500 realistic records for ``--seconds``, alone and then beside a
thread running pure-Python work, which holds the GIL whenever it can. The store's ``create_many``
is compared with raw ``sqlite3.executemany`` of the same rows in transactions of the same size:
an ``executemany`` steps the engine once per row and must win the GIL back after every step, which
a busy thread makes it wait for (the interpreter's switch interval, 5 ms); the store writes many
rows per statement. Reported: records per second, and the ratios busy / alone and store / raw.

    uv run python bench/sql_busy_writes.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import COLUMNS, bodies, raw_row

from actionlogkit_sql import SQLStore

BATCH = 500


@contextmanager
def busy_thread() -> Iterator[None]:
    """A thread doing pure-Python work until the block ends."""
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            json.dumps({"order": 1, "lines": [1, 2, 3]})

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def rate(write_batch: Callable[[], None], seconds: float) -> float:
    """Records per second written by calling ``write_batch`` for ``seconds``."""
    written = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        write_batch()
        written += BATCH
    return written / (time.perf_counter() - started)


def main() -> None:
    """Print both sides' rates alone and beside a busy thread, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    options = parser.parse_args()
    data = bodies(BATCH)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = SQLStore(f"sqlite:///{folder / 'store.db'}")
        raw_path = folder / "raw.db"
        SQLStore(f"sqlite:///{raw_path}").close()
        connection = sqlite3.connect(raw_path, isolation_level=None)
        connection.execute("PRAGMA synchronous = NORMAL")
        statement = (
            f"INSERT INTO integration_action_logs ({COLUMNS}) VALUES ({', '.join('?' * 15)})"
        )

        def store_batch() -> None:
            store.create_many(data)

        def raw_batch() -> None:
            rows = [raw_row(body, postgresql=False) for body in data]
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(statement, rows)
            connection.execute("COMMIT")

        results: dict[tuple[str, str], float] = {}
        for side, write in (("store create_many", store_batch), ("raw executemany", raw_batch)):
            results[side, "alone"] = rate(write, options.seconds)
            with busy_thread():
                results[side, "busy"] = rate(write, options.seconds)
        store.close()
        connection.close()
    print(f"batches of {BATCH} realistic records, {options.seconds:g} s per measurement")
    for side in ("store create_many", "raw executemany"):
        alone, busy = results[side, "alone"], results[side, "busy"]
        print(
            f"{side:<18} alone {alone:>9,.0f} rec/s   beside a busy thread {busy:>9,.0f} rec/s"
            f"   busy / alone {busy / alone:.3f}"
        )
    for when in ("alone", "busy"):
        ratio = results["store create_many", when] / results["raw executemany", when]
        print(f"store / raw, {when:<5} {ratio:8.2f}")


if __name__ == "__main__":
    main()
