"""Time and memory the capture pipeline takes for values much larger than what is stored.

Each case is a value a recorded call may return; the recorder captures it into a field capped at
``max_field_bytes`` (64 KiB by default). The goal: each case within 50 ms, whatever the value's
size, since only the cap's worth is read. Reported: the best of ``R`` runs, and the peak memory
the capture allocated (tracemalloc, in a separate run). The value itself is built beforehand and
not counted.

    uv run python bench/recorder_capture.py [--rounds R] [--max-field-bytes N]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from actionlogkit.recorder._capture import DEFAULT_MAX_FIELD_BYTES, Capture


class CostlyRepr:
    """An object whose repr would take seconds; the pipeline names its type instead."""

    def __repr__(self) -> str:
        time.sleep(1)
        return "costly"


CASES: dict[str, Callable[[], Any]] = {
    "[list(range(20_000))] * 20_000": lambda: [list(range(20_000))] * 20_000,
    "3,000 x 3,000 float matrix": lambda: [[i * 0.5 + j for j in range(3000)] for i in range(3000)],
    "50 MB text": lambda: {"image": "x" * 50_000_000, "sku": "sku-1"},
    "20 MB of bytes": lambda: b"\xff\xfe" * 10_000_000,
    "set of 1,000,000 integers": lambda: set(range(1_000_000)),
    "object of 1,000,000 keys": lambda: {f"k{n}": n for n in range(1_000_000)},
    "100,000 objects with a costly repr": lambda: [CostlyRepr()] * 100_000,
    "small payload (sku, price)": lambda: {"sku": "sku-42", "price": 12.5},
}
GOAL_MS = 50.0


def measure(capture: Capture, value: Any, rounds: int) -> tuple[float, int]:
    """The best seconds of ``rounds`` captures of ``value``, and the peak bytes of one."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        capture.capture(value)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        capture.capture(value)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return best, peak


def main() -> None:
    """Print the time and peak memory of each case, and whether it meets the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--max-field-bytes", type=int, default=DEFAULT_MAX_FIELD_BYTES)
    options = parser.parse_args()
    capture = Capture(max_field_bytes=options.max_field_bytes)
    capture.capture({"warm": "up"})
    print(f"max_field_bytes={options.max_field_bytes}, best of {options.rounds} runs")
    print(f"{'value':<38}{'time':>12}{'peak memory':>14}   goal <= {GOAL_MS:.0f} ms")
    for name, make in CASES.items():
        value = make()
        seconds, peak = measure(capture, value, options.rounds)
        verdict = "met" if seconds * 1000 <= GOAL_MS else "MISSED"
        print(f"{name:<38}{seconds * 1000:>9.2f} ms{peak / 1e6:>11.2f} MB   {verdict}")
        del value


if __name__ == "__main__":
    main()
