"""The core's own writes: records the recorder built reach a store through its primitives alone."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from actionlogkit import MemoryStore, StoreError
from actionlogkit.models import ActionLog
from actionlogkit.store import prepare_built, replace_built
from actionlogkit.testing import canonical
from tests.recorder._stores import HistoryStore

RECORD = {
    "integrationId": "shop-1",
    "actionType": "sync",
    "entityType": "order",
    "status": "success",
}


def _built(count: int = 1) -> list[ActionLog]:
    return MemoryStore().create_many([RECORD] * count)


def test_a_prepared_insert_stores_the_records_without_copying_them() -> None:
    """MemoryStore keeps handed-over records as they are: nobody else holds them."""
    store = MemoryStore()
    records = _built(3)
    prepare_built(store, records)()
    assert store.count() == 3
    assert all(canonical(store.get(r.id)) == canonical(r) for r in records)


def test_a_write_prepared_before_close_fails_after_it() -> None:
    """A prepared insert run once the store is closed raises StoreError and stores nothing."""
    store = MemoryStore()
    write = prepare_built(store, _built())
    store.close()
    with pytest.raises(StoreError):
        write()


def test_preparing_for_a_closed_store_fails() -> None:
    """prepare_built and replace_built raise StoreError on a closed store."""
    store = MemoryStore()
    store.close()
    with pytest.raises(StoreError):
        prepare_built(store, _built())
    with pytest.raises(StoreError):
        replace_built(store, _built()[0])


def test_prepared_inserts_and_replacements_go_through_the_primitives() -> None:
    """A subclass overriding _insert and _replace sees the core's writes, not create or update."""
    store = HistoryStore()
    record = _built()[0]
    prepare_built(store, [record])()
    assert replace_built(store, record)
    assert store.writes == [("insert", "success"), ("replace", "success")]


def test_replacing_a_missing_record_says_so() -> None:
    """replace_built of an id that is not stored returns False and stores nothing."""
    store = MemoryStore()
    assert not replace_built(store, _built()[0])
    assert store.count() == 0


class _FailingPrimitive(MemoryStore):
    def _insert(self, records: Sequence[ActionLog]) -> None:
        raise OSError("disk full")


def test_a_failing_primitive_surfaces_as_store_error() -> None:
    """What a backend raises reaches the core's writer as StoreError, the cause attached."""
    write = prepare_built(_FailingPrimitive(), _built())
    with pytest.raises(StoreError) as caught:
        write()
    assert isinstance(caught.value.__cause__, OSError)


class _DeadlineSeeing(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[float | None] = []

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.seen.append(self._seconds_left())
        super()._insert(records)


def test_a_deadline_reaches_the_primitive_it_bounds_and_no_other() -> None:
    """The deadline given to a prepared insert is what _seconds_left tells its _insert, once."""
    store = _DeadlineSeeing()
    prepare_built(store, _built())(time.monotonic() + 5.0)
    store.create(RECORD)
    first, second = store.seen
    assert first is not None
    assert 4.0 < first <= 5.0
    assert second is None
