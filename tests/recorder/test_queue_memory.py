"""Background mode keeps memory bounded in bytes, whatever the values' sizes and store's speed."""

from __future__ import annotations

import tracemalloc

from actionlogkit import Recorder
from tests.recorder._stores import SlowStore

RESULT_BYTES = 100_000


def _record_big_results(calls: int, **options: object) -> tuple[int, Recorder]:
    """Record ``calls`` calls returning 100 KB each into a slow store; the peak traced memory."""
    store = SlowStore(0.05)
    rec = Recorder(store, mode="background", **options)  # type: ignore[arg-type]

    @rec.action("sync", entity_type="report")
    def report(n: int) -> str:
        return f"{n:08d}" + "x" * (RESULT_BYTES - 8)  # a new 100 KB text each call

    tracemalloc.start()
    try:
        for n in range(calls):
            report(n)
        assert rec.flush(timeout=120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, rec


def test_queued_results_are_bounded_by_bytes_not_by_their_count() -> None:
    """1,000 results of 100 KB into a store slower than the calls: memory stays near the budget."""
    calls = 1000
    budget = 1_000_000
    peak, rec = _record_big_results(
        calls, max_queue=20, batch_size=10, max_queue_bytes=budget, max_field_bytes=8192
    )
    stats = rec.stats
    assert stats.recorded + stats.dropped == calls
    assert stats.recorded > 0
    # Held at once: the calls not yet captured (max_queue and the batch being built), and the
    # captured records within the byte budget of their JSON size (Python objects take a few
    # times that). Unbounded, as before, this run held 100 MB.
    uncaptured = (20 + 10 + 5) * RESULT_BYTES
    assert peak < uncaptured + 4 * budget + 2_000_000
    rec.close()
