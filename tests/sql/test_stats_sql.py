"""SQLStore.stats is one grouped statement: the records never reach Python."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from actionlogkit_sql import SQLStore


def _fill(store: SQLStore, records: int) -> None:
    bodies = [
        {
            "integrationId": f"shop-{i % 7}",
            "actionType": "update",
            "entityType": "product",
            "status": ("success", "failed", "retrying")[i % 3],
            "executionTime": float(i % 997),
            "payload": {"description": "x" * 1000, "i": i},
        }
        for i in range(records)
    ]
    for start in range(0, records, 5000):
        store.create_many(bodies[start : start + 5000])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store(request: pytest.FixtureRequest) -> Iterator[SQLStore]:
    """A SQLite file store, or a PostgreSQL one in a table of its own."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_store")
    else:
        yield request.getfixturevalue("postgres_store")


def _statements(store: SQLStore) -> list[str]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", record)
    return seen


def test_stats_is_one_grouped_select(store: SQLStore) -> None:
    """A stats call runs one SELECT with GROUP BY, and gets back one row per group."""
    _fill(store, 300)
    seen = _statements(store)
    stats = store.stats({"status": {"$ne": "pending"}}, by=("integrationId", "status"))
    [statement] = seen
    assert statement.lstrip().upper().startswith("SELECT")
    assert "GROUP BY" in statement.upper()
    assert len(stats.groups) == 21
    assert sum(group.count for group in stats.groups) == 300


def test_stats_memory_does_not_grow_with_the_records(store: SQLStore) -> None:
    """Python's peak memory during stats stays flat from 2,000 to 20,000 records of 1 KB."""

    def peak() -> int:
        tracemalloc.start()
        try:
            store.stats(by=("integrationId", "status"), interval="1d")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    _fill(store, 2_000)
    small = peak()
    _fill(store, 18_000)
    large = peak()
    # Reading the 20,000 records would take over 20 MB; the groups take a few kilobytes.
    assert large < small + 64 * 1024
    assert large < 512 * 1024
