"""MemoryStore passes the whole store contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from actionlogkit import MemoryStore, Store, StoreError
from actionlogkit.query import Node
from actionlogkit.testing import StoreContract
from actionlogkit.testing._sample import minimal


class TestMemoryStore(StoreContract):
    """The reference store against the contract (its differential test compares it with itself)."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        with MemoryStore() as store:
            yield store


class _PortableBatches(MemoryStore):
    """MemoryStore with the core's portable _remove_batch, as a third-party backend gets it."""

    _remove_batch = Store._remove_batch


class TestPortablePurge(StoreContract):
    """The retention part of the contract holds with the default _remove_batch too."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store whose purge batches go through _select and _remove_matching."""
        with _PortableBatches() as store:
            yield store


class _FailsOnThirdBatch(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.batches = 0

    def _remove_batch(self, filter: Node, search: str | None, limit: int) -> int:
        self.batches += 1
        if self.batches == 3:
            raise OSError("disk unplugged")
        return super()._remove_batch(filter, search, limit)


def test_an_interrupted_purge_has_deleted_whole_batches_only() -> None:
    """A failure in the third batch leaves the first two batches deleted and nothing else."""
    store = _FailsOnThirdBatch()
    old = datetime.now(timezone.utc) - timedelta(days=90)
    store.create_many([minimal() for _ in range(10)], created_at=old)
    with pytest.raises(StoreError):
        store.purge(timedelta(days=30), batch_size=3)
    assert store.count() == 4
