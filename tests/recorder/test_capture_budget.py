"""Capturing a value costs what is stored, not what is given: steps and memory within the cap."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from actionlogkit import MemoryStore, Recorder
from actionlogkit.recorder._capture import Capture


class CostlyRepr:
    """An object whose repr and str would take forever; the pipeline must never call them."""

    calls = 0

    def __repr__(self) -> str:
        CostlyRepr.calls += 1
        return "x" * 10_000_000

    __str__ = __repr__


class Counted:
    """Set members that count their comparisons."""

    comparisons = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __lt__(self, other: Counted) -> bool:
        Counted.comparisons += 1
        return self.n < other.n

    def __hash__(self) -> int:
        return self.n


# The campaign's values, and the others the walk must bound: each built on demand.
HOSTILE: dict[str, Callable[[], Any]] = {
    "one list referenced 20,000 times": lambda: [list(range(20_000))] * 20_000,
    "a 3,000 x 3,000 float matrix": lambda: [
        [i * 0.5 + j for j in range(3000)] for i in range(3000)
    ],
    "a 50 MB text": lambda: {"image": "x" * 50_000_000, "sku": "sku-1"},
    "20 MB of bytes": lambda: b"\xff\xfe" * 10_000_000,
    "a set of a million": lambda: set(range(1_000_000)),
    "a million keys": lambda: {f"k{n}": n for n in range(1_000_000)},
    "a long, wide and deep tree": lambda: [[[list(range(100))] * 100] * 100] * 100,
    "objects with a costly repr": lambda: [CostlyRepr()] * 100_000,
    "a huge integer": lambda: {"n": 7**200_000},
}


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    """The hostile values, built once."""
    return {name: make() for name, make in HOSTILE.items()}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("cap", [1024, 65_536])
def test_the_walk_takes_steps_bounded_by_the_cap(
    hostile: dict[str, Any], name: str, cap: int
) -> None:
    """Values visited and characters read stay within a few times the cap, whatever the value."""
    captured, steps = Capture(max_field_bytes=cap).capture_counting(hostile[name])
    assert captured.value is not None
    stored = json.dumps(captured.value, ensure_ascii=False, separators=(",", ":"))
    assert len(stored.encode()) <= cap
    assert steps <= 3 * cap + 600


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_walk_takes_memory_bounded_by_the_cap(hostile: dict[str, Any], name: str) -> None:
    """The capture's peak allocation stays within a few dozen times the cap, whatever the value."""
    cap = 8192
    capture = Capture(max_field_bytes=cap)
    capture.capture({"warm": "up"})
    tracemalloc.start()
    try:
        capture.capture(hostile[name])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 100 * cap + 64_000


def test_a_costly_repr_is_never_called() -> None:
    """Unknown objects are named by their type: their repr and str are never run."""
    CostlyRepr.calls = 0
    captured = Capture().capture({"a": CostlyRepr(), "b": [CostlyRepr()] * 3}).value
    assert captured == {
        "a": "<unserializable: CostlyRepr>",
        "b": ["<unserializable: CostlyRepr>"] * 3,
    }
    assert CostlyRepr.calls == 0


def test_a_large_set_is_cut_without_sorting_it_whole() -> None:
    """Only the members the cap can hold are taken and sorted, not the whole set."""
    members = {Counted(n) for n in range(200_000)}
    Counted.comparisons = 0
    captured = Capture(max_field_bytes=1024).capture(members)
    assert captured.truncated is not None
    # Sorting all of them would take millions of comparisons; the kept ones, a few thousand.
    assert Counted.comparisons < 20_000


def test_a_shared_object_costs_what_one_copy_of_the_budget_costs() -> None:
    """A list referenced 20,000 times costs no more steps than a list referenced 3 times."""
    inner = list(range(20_000))
    capture = Capture(max_field_bytes=65_536)
    _, many = capture.capture_counting([inner] * 20_000)
    _, few = capture.capture_counting([inner] * 3)
    assert many <= few + 2000


def test_a_walk_cut_short_reports_the_size_as_a_lower_bound() -> None:
    """Stopped early, the walk knows only a minimum: the record says "≥ N"."""
    with Recorder(MemoryStore(), max_field_bytes=4096, on_store_error="raise") as rec:

        @rec.action("sync", entity_type="report")
        def report() -> list[list[int]]:
            return [list(range(20_000))] * 20_000

        @rec.action("sync", entity_type="report")
        def small_but_over() -> dict[str, list[int]]:
            return {"numbers": list(range(1500))}

        report()
        small_but_over()
        records = {r.id: r for r in rec.store.list(sort="createdAt", order="asc").data}
    cut, exact = records.values()
    assert cut.metadata is not None
    noted = cut.metadata["truncated"]["response"]
    assert isinstance(noted, str)
    assert noted.startswith("≥ ")
    assert 4096 < int(noted.removeprefix("≥ ")) < len(json.dumps([list(range(20_000))] * 20_000))
    assert exact.metadata is not None
    # Walked to the end (6,400 bytes, under twice the cap): the exact size, a number.
    assert exact.metadata["truncated"]["response"] == len(
        json.dumps({"numbers": list(range(1500))}, separators=(",", ":"))
    )
