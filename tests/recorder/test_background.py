"""Background mode: a bounded queue, a writer thread, flush, drops, and the exit-time flush."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from actionlogkit import ActionLog, MemoryStore, Recorder, Status
from tests.recorder._stores import GatedStore, HistoryStore, PipelineStore


def test_a_hundred_thousand_calls_from_four_threads_are_all_stored() -> None:
    """100,000 calls from 4 threads, then flush(): exactly 100,000 records, none dropped."""
    store = MemoryStore()
    rec = Recorder(store, mode="background", max_queue=200_000)

    @rec.action("update", entity_type="product", entity_id="sku")
    def push(sku: str, price: float) -> float:
        return price

    def run(thread: int) -> None:
        for n in range(25_000):
            push(f"sku-{thread}-{n}", 1.5)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rec.flush(timeout=120)
    assert store.count() == 100_000
    assert store.count({"entityId": "sku-3-24999"}) == 1
    stats = rec.stats
    assert (stats.recorded, stats.dropped, stats.failed, stats.queued) == (100_000, 0, 0, 0)
    rec.close()


def test_records_are_written_in_batches_with_their_call_time() -> None:
    """The writer uses create_many; createdAt is when each call started, not when written."""
    gate = threading.Event()

    class Waiting(HistoryStore):
        def _insert(self, records: Sequence[ActionLog]) -> None:
            gate.wait(30)
            super()._insert(records)

    store = Waiting()
    rec = Recorder(store, mode="background", batch_size=50)

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    for n in range(120):
        push(n)
    from datetime import datetime, timezone

    released_at = datetime.now(timezone.utc)
    gate.set()
    rec.flush()
    records = store.list(sort="createdAt", order="asc", limit=100).data
    assert store.count() == 120
    assert all(record.created_at <= released_at for record in records)
    assert all(record.updated_at >= record.created_at for record in records)
    assert sum(store.batches) == 120
    assert max(store.batches) <= 50
    assert len(store.batches) <= 5
    rec.close()


def test_flush_with_a_timeout_returns_false_while_the_store_is_stalled() -> None:
    """flush(timeout) gives up and says so when the writes cannot finish in time."""
    store = GatedStore()
    rec = Recorder(store, mode="background")

    @rec.action("update", entity_type="product")
    def push() -> None:
        return None

    push()
    assert rec.flush(timeout=0.05) is False
    store.gate.set()
    assert rec.flush(timeout=10) is True
    rec.close()


def test_pending_records_in_background_mode_are_updated_in_order() -> None:
    """record_pending works through the queue: pending, retrying, then the final state."""
    store = HistoryStore()
    attempts: list[int] = []
    with Recorder(store, mode="background") as rec:

        @rec.action("update", entity_type="product", retries=1, backoff=0, record_pending=True)
        def push() -> str:
            attempts.append(1)
            if len(attempts) == 1:
                raise TimeoutError
            return "ok"

        push()
        rec.flush()
    assert store.writes == [("insert", "pending"), ("replace", "retrying"), ("replace", "success")]
    assert store.list().data[0].status is Status.SUCCESS


def test_a_process_that_exits_normally_has_flushed_everything(tmp_path: Path) -> None:
    """A script that records in background mode and just ends leaves every record stored."""
    script = tmp_path / "record_and_exit.py"
    output = tmp_path / "count.txt"
    script.write_text(
        textwrap.dedent(
            f"""
            from actionlogkit import MemoryStore, Recorder

            class FileStore(MemoryStore):
                # Each write also lands in a file, to be read once the process is gone.
                def _insert(self, records):
                    super()._insert(records)
                    with open({str(output)!r}, "a") as file:
                        file.write(f"{{len(records)}}\\n")

            rec = Recorder(FileStore(), mode="background", max_queue=100_000)

            @rec.action("update", entity_type="product")
            def push(n):
                return n

            for n in range(20_000):
                push(n)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert sum(int(line) for line in output.read_text().split()) == 20_000


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_the_next_batch_is_prepared_while_one_is_written() -> None:
    """While a batch is being written the next one is built, and no more than that one."""
    store = PipelineStore()
    rec = Recorder(store, mode="background", batch_size=1)

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    for n in range(5):
        push(n)
    assert store.writing.wait(10)
    assert _wait_for(lambda: store.prepared == 2)
    time.sleep(0.1)  # time enough to prepare more, were the hand-over not a rendezvous
    assert store.prepared == 2
    assert store.count() == 0
    store.gate.set()
    assert rec.flush(timeout=10)
    assert store.prepared == 5
    assert sorted(r.response["value"] for r in store.list().data if r.response) == list(range(5))
    rec.close()


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("actionlogkit-writer")]


def test_close_ends_the_writer_threads() -> None:
    """A closed background recorder leaves no thread of its own running."""
    before = set(_writer_threads())
    rec = Recorder(MemoryStore(), mode="background")
    started = set(_writer_threads()) - before
    assert len(started) == 2
    rec.close()
    assert not any(thread.is_alive() for thread in started)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
@pytest.mark.filterwarnings(
    # Python 3.12+ warns about forking a process with threads: here that is the point.
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)
def test_a_forked_child_writes_its_own_records() -> None:
    """After fork the child's recorder runs writer threads of its own; the parent's go on."""
    rec = Recorder(MemoryStore(), mode="background")
    push = rec.action("update", entity_type="product")(lambda n: n)
    push(0)
    assert rec.flush(timeout=10)
    pid = os.fork()
    if pid == 0:  # the child, with its copy of the store: exit 0 only if its records were written
        try:
            for n in range(10):
                push(n)
            done = rec.flush(timeout=10)
            os._exit(0 if done and rec.stats.recorded == 11 and rec.store.count() == 11 else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    push(1)
    assert rec.flush(timeout=10)
    assert rec.store.count() == 2
    rec.close()
