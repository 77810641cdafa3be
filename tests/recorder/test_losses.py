"""Every loss is counted exactly and reported: rate-limited warnings, retries, and at exit."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from actionlogkit import Recorder, StoreError
from actionlogkit.recorder import _tally
from actionlogkit.recorder._tally import Tally
from tests.recorder._stores import (
    DeadlineGatedStore,
    FailingStore,
    FlakyStore,
    LostAnswerStore,
)


def _counts(lines: list[str], kind: str) -> int:
    """The records the warning lines say were lost this way ("could not be written", "dropped")."""
    total = 0
    for line in lines:
        found = re.match(r"actionlogkit: ([\d,]+) records? " + kind, line)
        if found:
            total += int(found.group(1).replace(",", ""))
    return total


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "actionlogkit"]


def test_a_thousand_failed_writes_are_reported_as_a_thousand(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warnings add up to the exact number of records lost, not one per warning."""
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        with Recorder(FailingStore()) as rec:
            push = rec.action("update", entity_type="product")(lambda: None)
            for _ in range(1000):
                push()
        lines = _messages(caplog)
    assert rec.stats.failed == 1000
    assert _counts(lines, "could not be written") == 1000
    assert len(lines) == 2  # the first at once, the rest when the recorder closed


def test_warnings_come_at_least_once_per_interval_while_losses_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Losses that go on are reported every interval with their true counts, not once."""
    tally = Tally("SomeStore", "warn", interval=0.1)
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        lost = 0
        until = time.monotonic() + 0.6
        while time.monotonic() < until:
            tally.drop("the background queue was full")
            tally.write_failed(ConnectionError("refused"), 3, raise_now=False)
            lost += 1
            time.sleep(0.002)
        during = len(_messages(caplog))
        tally.report()
        lines = _messages(caplog)
    assert during >= 4  # several intervals passed: several reports before the end
    assert _counts(lines, "dropped") == lost == tally.dropped
    assert _counts(lines, "could not be written") == 3 * lost == tally.failed
    assert any(re.search(r"in the last \d+ s", line) for line in lines)


def test_held_losses_are_reported_when_the_background_writer_is_idle(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Losses that stop are still reported within an interval or so, without a new loss or close."""
    monkeypatch.setattr(_tally, "WARN_INTERVAL", 0.2)
    rec = Recorder(FailingStore(), mode="background", batch_size=1)
    push = rec.action("update", entity_type="product")(lambda n: n)
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        for n in range(5):
            push(n)
        assert rec.flush(timeout=60)
        deadline = time.monotonic() + 10
        while _counts(_messages(caplog), "could not be written") < 5:
            assert time.monotonic() < deadline, _messages(caplog)
            time.sleep(0.05)
    assert rec.stats.failed == 5
    rec.close()


def test_a_failed_batch_is_retried_before_it_counts_as_lost() -> None:
    """One transient error does not lose a batch: it is written on a later attempt."""
    store = FlakyStore(failures=2)
    with Recorder(store, mode="background", on_store_error="raise") as rec:
        push = rec.action("update", entity_type="product")(lambda n: n)
        for n in range(300):
            push(n)
        assert rec.flush(timeout=60)
        stats = rec.stats
    assert store.attempts >= 3
    assert (stats.recorded, stats.failed, stats.dropped) == (300, 0, 0)
    assert store.count() == 300


def test_a_write_that_timed_out_counts_as_failed_and_is_never_written_later() -> None:
    """A stalled store: the write gives up at write_timeout, is not retried, and stays unwritten."""
    store = DeadlineGatedStore()
    rec = Recorder(store, mode="background", write_timeout=0.2)
    push = rec.action("update", entity_type="product")(lambda n: n)
    push(1)
    assert rec.flush(timeout=30)
    assert store.gave_up == 1  # one attempt: a timed-out write is not tried again
    assert (rec.stats.failed, rec.stats.recorded) == (1, 0)
    store.gate.set()  # the store answers again
    push(2)
    assert rec.flush(timeout=30)
    assert [record.response for record in store.list().data] == [{"value": 2}]
    rec.close()


def test_a_sync_call_waits_for_the_store_no_longer_than_write_timeout() -> None:
    """Sync mode: a stalled store makes the call give up at write_timeout, counted as a timeout."""
    store = DeadlineGatedStore()
    with Recorder(store, write_timeout=0.2, on_store_error="raise") as rec:
        push = rec.action("update", entity_type="product")(lambda n: n)
        with pytest.raises(StoreError, match="did not finish before the deadline"):
            push(1)
        assert not store.gate.is_set()  # the call returned while the store was still stalled
        assert rec.stats.failed == 1


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_a_write_in_doubt_is_looked_for_and_counted_where_it_belongs(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A timeout during the commit: failed at first; found stored later, counted recorded."""
    store = LostAnswerStore(losses=1)
    with Recorder(store, mode=mode, batch_size=1) as rec:  # type: ignore[arg-type]
        push = rec.action("update", entity_type="product")(lambda n: n)
        push(1)
        assert rec.flush(timeout=30)
        assert (rec.stats.failed, rec.stats.recorded) == (1, 0)
        with caplog.at_level(logging.WARNING, logger="actionlogkit"):
            push(2)  # the store answers again: the record in doubt is looked for
            assert rec.flush(timeout=30)
        assert (rec.stats.failed, rec.stats.recorded) == (0, 2)
    assert store.count() == 2
    assert "1 record whose write timed out while it was being committed was stored" in caplog.text


def test_the_stats_account_for_every_call() -> None:
    """recorded + failed + dropped + queued is exactly the number of calls, at any time."""
    store = FlakyStore(failures=1000)
    rec = Recorder(store, mode="background", max_queue=50, batch_size=7, max_wait=0.01)
    push = rec.action("update", entity_type="product")(lambda n: n)
    for n in range(2000):
        push(n)
        if n % 500 == 0:
            stats = rec.stats
            assert stats.recorded + stats.failed + stats.dropped + stats.queued <= n + 1
    assert rec.flush(timeout=120)
    stats = rec.stats
    assert stats.recorded + stats.failed + stats.dropped == 2000
    assert stats.recorded == store.count()
    rec.close()


def test_the_exit_time_flush_says_how_many_records_it_could_not_write_and_why(
    tmp_path: Path,
) -> None:
    """A process exiting while the store stalls logs the exact number left unwritten, and why."""
    script = tmp_path / "exit_while_stalled.py"
    script.write_text(
        textwrap.dedent(
            """
            import logging
            import threading
            from actionlogkit import MemoryStore, Recorder

            logging.basicConfig(format="%(message)s")
            entered = threading.Event()

            class Stalled(MemoryStore):
                def _insert(self, records):
                    entered.set()
                    threading.Event().wait(60)

            rec = Recorder(Stalled(), mode="background", atexit_timeout=0.3, batch_size=10)
            push = rec.action("update", entity_type="product")(lambda n: n)
            for n in range(25):
                push(n)
            entered.wait(10)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (
        "actionlogkit: 25 records dropped: the process exited before the store took them"
        in result.stderr
    ), result.stderr


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_losses_held_back_are_reported_when_the_process_exits_without_close(
    mode: str, tmp_path: Path
) -> None:
    """A process that exits without close() still logs every record lost, not just the first."""
    script = tmp_path / "exit_while_failing.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import logging
            from actionlogkit import MemoryStore, Recorder

            logging.basicConfig(format="%(message)s")

            class Failing(MemoryStore):
                def _insert(self, records):
                    raise OSError("disk full")

            rec = Recorder(Failing(), mode={mode!r}, batch_size=10)
            push = rec.action("update", entity_type="product")(lambda n: n)
            for n in range(1000):
                push(n)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert _counts(lines, "could not be written") == 1000, result.stderr
    assert all("disk full" in line for line in lines), result.stderr
