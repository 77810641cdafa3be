"""SQLite under contention: many threads and several processes writing one file lose nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from actionlogkit.testing._sample import minimal
from actionlogkit_sql import SQLStore

THREADS = 8
PROCESSES = 2
CREATES = 2_000


def test_threads_writing_one_file_lose_nothing(sqlite_url: str) -> None:
    """8 threads × 2,000 create calls on one SQLite file leave exactly 16,000 records."""
    store = SQLStore(sqlite_url)
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(worker: int) -> None:
        start.wait()
        try:
            for i in range(CREATES):
                store.create(minimal(integrationId=f"thread-{worker}", entityId=str(i)))
        except BaseException as exc:  # reported below, with the count
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.count() == THREADS * CREATES
    assert store.count({"integrationId": "thread-3"}) == CREATES
    store.close()
    with SQLStore(sqlite_url) as reopened:
        assert reopened.count() == THREADS * CREATES


def test_processes_writing_one_file_lose_nothing(tmp_path: Path, sqlite_url: str) -> None:
    """2 processes × 2,000 create calls on one SQLite file leave exactly 4,000 records."""
    script = tmp_path / "writer.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            from actionlogkit_sql import SQLStore

            go = sys.stdin.readline()  # every writer starts at once
            with SQLStore({sqlite_url!r}) as store:
                for i in range({CREATES}):
                    store.create({{"integrationId": sys.argv[1], "actionType": "sync",
                                  "entityType": "order", "entityId": str(i), "status": "success"}})
            """
        )
    )
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), f"process-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, errors = writer.communicate(timeout=600)
        assert writer.returncode == 0, errors
    with SQLStore(sqlite_url) as store:
        assert store.count() == PROCESSES * CREATES
        for n in range(PROCESSES):
            assert store.count({"integrationId": f"process-{n}"}) == CREATES
