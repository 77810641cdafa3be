"""Background mode when the queue is full: wait for room while the store is healthy, else drop."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import pytest

from actionlogkit import Recorder
from tests.recorder._stores import GatedStore, SwitchableStore


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_when_full_drop_drops_counts_and_warns_without_waiting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the store stalled and when_full="drop", extra calls are dropped, each one counted."""
    store = GatedStore()
    rec = Recorder(
        store, mode="background", max_queue=10, batch_size=1, max_queue_bytes=1, when_full="drop"
    )

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    push(0)
    assert store.entered.wait(10)  # the writing thread holds call 0 inside the stalled store
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        assert [push(n) for n in range(1, 41)] == list(range(1, 41))
        # Every call is accounted for: queued (the call queue, one prepared, one held) or dropped.
        assert _wait_for(lambda: rec.stats.queued + rec.stats.dropped == 41)
    stats = rec.stats
    assert 10 <= stats.queued <= 13
    assert stats.dropped == 41 - stats.queued
    assert "queue was full (10 calls waiting)" in caplog.text
    store.gate.set()
    assert rec.flush(timeout=10)
    assert store.count() == stats.queued
    assert rec.stats.recorded == stats.queued
    rec.close()


def test_a_caller_waits_for_room_while_the_store_is_healthy() -> None:
    """A store slower than the calls makes callers wait (boundedly), and nothing is dropped."""
    store = GatedStore()
    rec = Recorder(store, mode="background", max_queue=10, batch_size=5, max_queue_bytes=1)

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    push(0)
    assert store.entered.wait(10)
    opener = threading.Timer(0.3, store.gate.set)  # the store answers again while callers wait
    opener.start()
    assert [push(n) for n in range(1, 200)] == list(range(1, 200))
    opener.join()
    assert rec.flush(timeout=30)
    stats = rec.stats
    assert (stats.recorded, stats.dropped, stats.failed) == (200, 0, 0)
    assert store.count() == 200
    rec.close()


def test_a_waiting_caller_gives_up_after_max_wait() -> None:
    """A store that stays stalled makes a waiting caller drop its record after max_wait."""
    store = GatedStore()
    rec = Recorder(
        store, mode="background", max_queue=2, batch_size=1, max_queue_bytes=1, max_wait=0.05
    )

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    push(0)
    assert store.entered.wait(10)
    for n in range(1, 20):
        push(n)
    assert rec.stats.dropped > 0
    assert rec.stats.dropped + rec.stats.queued == 20
    store.gate.set()
    assert rec.flush(timeout=10)
    rec.close()


def test_a_coroutine_awaits_room_without_blocking_its_event_loop() -> None:
    """Coroutines finding the queue full await room; other tasks of the loop keep running."""
    store = GatedStore()
    rec = Recorder(store, mode="background", max_queue=5, batch_size=1, max_queue_bytes=1)

    @rec.action("sync", entity_type="order")
    async def fetch(n: int) -> int:
        return n

    ticks: list[int] = []

    async def main() -> list[int]:
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                ticks.append(len(ticks))
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        await fetch(-1)
        while not store.entered.is_set():
            await asyncio.sleep(0.001)
        waiting = [asyncio.create_task(fetch(n)) for n in range(60)]
        # Give the ticker time to run while the queue is full, however busy the machine: a
        # fixed pause could see few ticks only because the process got little CPU.
        before = len(ticks)
        loop = asyncio.get_running_loop()
        until = loop.time() + 10
        while len(ticks) - before <= 5 and loop.time() < until:
            await asyncio.sleep(0.01)
        ticks_while_full = len(ticks) - before
        assert sum(not task.done() for task in waiting) >= 50  # most still wait for room
        store.gate.set()  # the store answers: the waiting coroutines get room
        results = await asyncio.gather(*waiting)
        stop.set()
        await ticking
        assert ticks_while_full > 5  # the loop ran while the coroutines waited for room
        return results

    assert asyncio.run(main()) == list(range(60))
    assert rec.flush(timeout=10)
    assert (rec.stats.recorded, rec.stats.dropped) == (61, 0)
    rec.close()


def test_callers_stop_waiting_once_a_write_failed_and_wait_again_after_a_success() -> None:
    """A failing store: full-queue calls drop at once; once a write succeeds, they wait again."""
    store = SwitchableStore()
    store.failing.set()
    rec = Recorder(
        store, mode="background", max_queue=4, batch_size=1, max_queue_bytes=1, max_wait=600
    )

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    push(0)  # its write fails: the store is unhealthy from then on
    assert _wait_for(lambda: rec.stats.failed >= 1)
    store.stall.clear()  # the next write hangs while failing: the queue fills
    push(1)
    done = threading.Event()

    def burst() -> None:
        for n in range(2, 100):
            push(n)
        done.set()

    worker = threading.Thread(target=burst)
    worker.start()
    # With max_wait=600 a waiting caller would hang; calls return because the store failed.
    assert done.wait(60)
    worker.join()
    assert rec.stats.dropped > 0
    store.failing.clear()
    store.stall.set()
    assert rec.flush(timeout=30)
    recovered = rec.stats.recorded
    # Healthy again: a burst against a slow store waits instead of dropping.
    dropped = rec.stats.dropped
    store.stall.clear()
    threading.Timer(0.3, store.stall.set).start()
    for n in range(100, 140):
        push(n)
    assert rec.flush(timeout=30)
    assert rec.stats.dropped == dropped
    assert rec.stats.recorded == recovered + 40
    rec.close()
