"""A decorated coroutine never runs store I/O on the event loop's thread."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from actionlogkit import Recorder
from tests.recorder._stores import SlowStore

WRITE_DELAY = 0.05
CALLS = 100


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_slow_writes_never_block_the_event_loop(mode: str) -> None:
    """100 coroutines with 50 ms writes finish in well under 100 x 50 ms, off the loop's thread."""
    store = SlowStore(WRITE_DELAY)
    rec = Recorder(store, mode=mode)  # type: ignore[arg-type]

    @rec.action("update", entity_type="product", entity_id="sku")
    async def push(sku: str) -> str:
        await asyncio.sleep(0)
        return sku

    async def run_all() -> tuple[int, float]:
        loop_thread = threading.get_ident()
        started = time.perf_counter()
        await asyncio.gather(*(push(f"sku-{n}") for n in range(CALLS)))
        return loop_thread, time.perf_counter() - started

    loop_thread, elapsed = asyncio.run(run_all())
    rec.flush()
    serial = CALLS * WRITE_DELAY
    # A concurrency check, not a speed measurement: the bound is generous on purpose.
    assert elapsed < 0.5 * serial
    assert loop_thread not in store.threads
    assert store.count() == CALLS
    rec.close()


def test_in_sync_mode_a_query_right_after_the_call_sees_the_record() -> None:
    """Sync mode awaits the write (off the loop) before the coroutine returns."""
    store = SlowStore(0.01)
    with Recorder(store) as rec:

        @rec.action("update", entity_type="product", entity_id="sku")
        async def push(sku: str) -> str:
            return sku

        async def call_then_query() -> int:
            await push("sku-1")
            return store.count({"entityId": "sku-1"})

        assert asyncio.run(call_then_query()) == 1


def test_the_loop_keeps_ticking_while_a_record_is_written() -> None:
    """Another task keeps running while a sync-mode write takes 200 ms."""
    store = SlowStore(0.2)
    with Recorder(store) as rec:

        @rec.action("update", entity_type="product")
        async def push() -> None:
            return None

        async def tick(ticks: list[float]) -> None:
            while True:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.01)

        async def both() -> int:
            ticks: list[float] = []
            ticker = asyncio.ensure_future(tick(ticks))
            await asyncio.sleep(0)
            await push()
            ticker.cancel()
            return len(ticks)

        assert asyncio.run(both()) >= 5
