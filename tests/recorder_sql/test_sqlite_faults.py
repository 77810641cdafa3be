"""The recorder against real SQLite files: locked by another writer, missing at start, a burst."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import actionlogkit
from actionlogkit import Recorder, StoreTimeout, open_store
from actionlogkit.recorder._recorder import replace_default


def test_a_locked_file_holds_a_sync_call_no_longer_than_write_timeout(tmp_path: Path) -> None:
    """Another process holds the write lock: the call gives up at write_timeout, counted."""
    path = tmp_path / "logs.db"
    rec = Recorder(f"sqlite:///{path}", write_timeout=0.3, on_store_error="raise")
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    push("before")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held until the commit below
    try:
        with pytest.raises(StoreTimeout):
            push("while-locked")
        assert holder.in_transaction  # the call returned while the lock was still held
    finally:
        holder.execute("COMMIT")
        holder.close()
    push("after")
    assert rec.stats.failed == 1
    assert rec.stats.recorded == 2
    assert {r.entity_id for r in rec.store.list().data} == {"before", "after"}
    rec.close()


def test_a_burst_of_100000_calls_from_8_threads_into_sqlite_loses_nothing(tmp_path: Path) -> None:
    """Default settings, a healthy file: callers wait for room instead of dropping anything."""
    rec = Recorder(f"sqlite:///{tmp_path / 'logs.db'}", mode="background")
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku, price: price)

    def burst(thread: int) -> None:
        for n in range(12_500):
            push(f"sku-{thread}-{n}", 1.5)

    threads = [threading.Thread(target=burst, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rec.flush(timeout=600)
    stats = rec.stats
    assert (stats.recorded, stats.dropped, stats.failed, stats.queued) == (100_000, 0, 0, 0)
    assert rec.store.count() == 100_000
    rec.close()


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_a_store_that_cannot_be_opened_at_start_is_opened_once_it_can(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A file whose directory is missing: no error at start; recorded once the directory exists."""
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'logs.db'}"
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        rec = Recorder(url, mode=mode)  # type: ignore[arg-type]
    assert "could not be opened" in caplog.text
    assert f"its directory {folder} does not exist" in caplog.text
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    push("early")
    rec.flush(timeout=60)
    assert rec.stats.recorded == 0
    assert rec.stats.failed + rec.stats.dropped == 1
    folder.mkdir()
    deadline = time.monotonic() + 60
    n = 0
    while rec.stats.recorded == 0:
        assert time.monotonic() < deadline
        push(f"late-{n}")
        n += 1
        rec.flush(timeout=60)
        time.sleep(0.05)
    rec.close()
    with open_store(url) as store:
        stored = {record.entity_id for record in store.list(limit=100).data}
    assert stored
    assert "early" not in stored


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nosuchscheme://x", "unknown store URL scheme"),
        ("sqlite", "not a store URL"),
        ("postgresql+psycopg2://u@h/db", "psycopg"),
        ("postgresql+psycopg://u@h:notaport/db", "not a database URL"),
    ],
)
def test_configuration_errors_still_raise_at_once(url: str, message: str) -> None:
    """A bad URL or an unknown scheme is a mistake to fix, not an outage to wait out."""
    from actionlogkit import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        Recorder(url)


def test_configure_with_a_store_that_cannot_be_opened_does_not_stop_the_import(
    tmp_path: Path,
) -> None:
    """The module-level recorder pointed at an unopenable file: no error; recorded once it opens."""
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'logs.db'}"

    @actionlogkit.action("sync", entity_type="order", entity_id="page")
    def sync_orders(page: str) -> str:
        return page

    saved = replace_default(None)
    try:
        rec = actionlogkit.configure(url)  # what a module does at import time
        assert sync_orders("early") == "early"
        folder.mkdir()
        deadline = time.monotonic() + 60
        n = 0
        while rec.stats.recorded == 0:
            assert time.monotonic() < deadline
            sync_orders(f"late-{n}")
            n += 1
            time.sleep(0.05)
        assert rec.stats.recorded + rec.stats.failed + rec.stats.dropped == 1 + n
        rec.close()
    finally:
        replace_default(saved)
    with open_store(url) as store:
        stored = {record.entity_id for record in store.list(limit=100).data}
    assert stored
    assert "early" not in stored


def test_a_missing_backend_raises_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A URL whose backend is not installed names the extra to install, at once, not later."""
    from actionlogkit import ConfigurationError, _registry

    monkeypatch.setattr(_registry, "_entry_points", dict)
    monkeypatch.setattr(_registry, "_loaded", {})
    with pytest.raises(ConfigurationError, match=r"pip install 'actionlogkit\[mongo\]'"):
        Recorder("mongodb://127.0.0.1/app")
