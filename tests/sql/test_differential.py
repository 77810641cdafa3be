"""The promise, three ways: memory, SQLite and PostgreSQL answer random queries alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from actionlogkit import ActionLog, MemoryStore
from actionlogkit.testing import assert_same_results, strategies
from actionlogkit_sql import SQLStore

EXAMPLES = 500


@pytest.mark.postgresql
def test_memory_sqlite_and_postgresql_answer_alike(
    tmp_path: Path, postgres_engine: Engine, postgres_table: str
) -> None:
    """Random datasets and queries give the same ids, order, totals and records on all three."""
    memory = MemoryStore()
    sqlite = SQLStore(f"sqlite:///{tmp_path / 'differential.db'}")
    postgresql = SQLStore(postgres_engine, table_name=postgres_table)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        dataset=strategies.datasets(),
        queries=st.lists(strategies.queries(), min_size=1, max_size=4),
    )
    def check(dataset: list[ActionLog], queries: list[dict[str, Any]]) -> None:
        assert_same_results(memory, sqlite, dataset, queries)
        assert_same_results(memory, postgresql, dataset, queries)

    try:
        check()
    finally:
        sqlite.close()
        postgresql.close()
