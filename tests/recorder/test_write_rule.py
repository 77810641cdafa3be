"""The recorder writes through its store's primitives, as every other writer does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from actionlogkit import ActionLog, MemoryStore, Recorder
from actionlogkit.store import RecordInput


class PublicMethodsStore(MemoryStore):
    """Counts the calls of the public write methods, and of the primitives under them."""

    def __init__(self) -> None:
        super().__init__()
        self.public: list[str] = []
        self.primitives: list[str] = []

    def create(self, record: RecordInput, *, created_at: datetime | None = None) -> ActionLog:
        self.public.append("create")
        return super().create(record, created_at=created_at)

    def create_many(self, records: Any, *, created_at: Any = None) -> list[ActionLog]:
        self.public.append("create_many")
        return super().create_many(records, created_at=created_at)

    def update(self, record_id: str, record: RecordInput) -> ActionLog:
        self.public.append("update")
        return super().update(record_id, record)

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.primitives.extend("insert" for _ in records)
        super()._insert(records)

    def _replace(self, record: ActionLog) -> bool:
        self.primitives.append("replace")
        return super()._replace(record)


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_recorder_writes_reach_the_primitives_and_no_public_method(mode: str) -> None:
    """Inserts and the pending record's updates pass _insert and _replace, never create/update."""
    store = PublicMethodsStore()
    with Recorder(store, mode=mode) as rec:  # type: ignore[arg-type]

        @rec.action("sync", entity_type="order", record_pending=True)
        def pending() -> int:
            return 1

        @rec.action("sync", entity_type="order")
        def plain() -> int:
            return 2

        pending()
        plain()
        rec.flush()
    assert store.public == []
    assert store.primitives == ["insert", "replace", "insert"]
    assert store.count() == 2
