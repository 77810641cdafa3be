"""The recorder against a real PostgreSQL server that freezes, stops, restarts, or is down at start.

Each test starts a private server (see ``_private_postgres``) and counts, with a connection of its
own, what reached the table: exactly the records the recorder counted as recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from actionlogkit import Recorder
from tests.recorder_sql._private_postgres import PrivatePostgres, private_postgres

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def server() -> Iterator[PrivatePostgres]:
    """One private server for the module's tests; each leaves it running and not frozen."""
    with private_postgres() as started:
        yield started


def _stored(server: PrivatePostgres, table: str) -> set[str]:
    """The entity ids stored in ``table``, read with a fresh connection of the test's own."""
    url = server.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, connect_timeout=10) as connection:
        rows = connection.execute(f'SELECT entity_id FROM "{table}"').fetchall()
    return {row[0] for row in rows}


def _settled(server: PrivatePostgres, table: str) -> set[str]:
    """The stored ids once the server has worked off what it received while frozen."""
    time.sleep(1.0)
    first = _stored(server, table)
    time.sleep(1.0)
    assert _stored(server, table) == first
    return first


def test_a_frozen_server_holds_a_sync_call_no_longer_than_write_timeout(
    server: PrivatePostgres,
) -> None:
    """SIGSTOP: each call returns while the server is still frozen; none is written later."""
    table = "frozen_sync"
    rec = Recorder(server.url, write_timeout=1.0, store_options={"table_name": table})
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    push("before")
    with server.frozen_for():
        for n in range(3):
            push(f"frozen-{n}")
    assert rec.stats.failed == 3
    push("after")
    assert rec.stats.recorded == 2
    assert _settled(server, table) == {"before", "after"}
    rec.close()


def test_a_frozen_server_under_background_load_loses_only_what_is_counted(
    server: PrivatePostgres,
) -> None:
    """Threads record while the server freezes twice: what is stored is exactly what is counted."""
    table = "frozen_background"
    rec = Recorder(
        server.url,
        mode="background",
        write_timeout=1.0,
        batch_size=50,
        store_options={"table_name": table},
    )
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    calls = [0] * 4
    stop = threading.Event()

    def work(worker: int) -> None:
        while not stop.is_set():
            push(f"w{worker}-{calls[worker]}")
            calls[worker] += 1
            time.sleep(0.0005)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for _ in range(2):
        time.sleep(1.0)
        with server.frozen_for():
            time.sleep(3.0)
    time.sleep(1.0)
    stop.set()
    for worker in workers:
        worker.join()
    assert rec.flush(timeout=60)
    stats = rec.stats
    made = sum(calls)
    assert stats.recorded + stats.failed + stats.dropped == made
    assert stats.failed + stats.dropped > 0  # the freezes did lose records, and said so
    stored = _settled(server, table)
    assert len(stored) == stats.recorded
    rec.close()


def test_a_stopped_and_restarted_server(server: PrivatePostgres) -> None:
    """Stopped: calls fail at once, counted. Restarted: recorded again."""
    table = "restarted"
    rec = Recorder(server.url, write_timeout=2.0, store_options={"table_name": table})
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    push("before")
    server.stop()
    try:
        for n in range(3):
            push(f"down-{n}")
        assert rec.stats.failed == 3
    finally:
        server.start()
    deadline = time.monotonic() + 30
    while rec.stats.recorded < 2:
        assert time.monotonic() < deadline
        push("after")
    assert _stored(server, table) == {"before", "after"}
    rec.close()


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_a_server_down_at_start_does_not_stop_the_application(
    server: PrivatePostgres, mode: str
) -> None:
    """Recorder(url) with the server down: no error; calls recorded as soon as it answers."""
    table = f"down_at_start_{mode}"
    server.stop()
    try:
        rec = Recorder(
            server.url,
            mode=mode,  # type: ignore[arg-type]
            write_timeout=2.0,
            store_options={"table_name": table},
        )
        push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
        for n in range(3):
            push(f"down-{n}")
        rec.flush(timeout=30)
        assert rec.stats.recorded == 0
        assert rec.stats.failed + rec.stats.dropped == 3
    finally:
        server.start()
    deadline = time.monotonic() + 60
    n = 0
    while rec.stats.recorded == 0:
        assert time.monotonic() < deadline
        push(f"up-{n}")
        n += 1
        rec.flush(timeout=30)
        time.sleep(0.1)
    stored = _stored(server, table)
    assert stored
    assert all(sku.startswith("up-") for sku in stored)
    stats = rec.stats
    assert stats.recorded + stats.failed + stats.dropped == 3 + n
    rec.close()
