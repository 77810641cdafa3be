"""create_many's batches: validated before the backend sees them, or as it reads them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from actionlogkit import InvalidRecord, MemoryStore
from actionlogkit._batch import ValidatedOnRead
from actionlogkit._time import now
from actionlogkit.models import ActionLog

GOOD = {
    "integrationId": "shop-1",
    "actionType": "sync",
    "entityType": "order",
    "status": "success",
}


def _batch(bad: set[int], size: int = 10) -> list[dict[str, object]]:
    return [dict(GOOD, status="bogus") if i in bad else dict(GOOD) for i in range(size)]


class _Eager(MemoryStore):
    """Remembers what each _insert received."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Sequence[ActionLog]] = []

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.received.append(records)
        super()._insert(records)


class _Lazy(_Eager):
    """Declares that its _insert stores nothing when reading its records raises."""

    _insert_accepts_lazy_records = True


def test_a_store_not_declaring_lazy_reads_gets_only_checked_records() -> None:
    """By default a batch with a bad record never reaches _insert; a good one comes as a list."""
    store = _Eager()
    with pytest.raises(InvalidRecord):
        store.create_many(_batch({7}))
    assert store.received == []
    created = store.create_many(_batch(set()))
    assert len(store.received) == 1
    assert type(store.received[0]) is list
    assert [r.id for r in store.received[0]] == [r.id for r in created]


def test_a_store_declaring_lazy_reads_gets_records_checked_as_it_reads() -> None:
    """The batch reaches _insert unread; the bad record raises out of the read, nothing stored."""
    store = _Lazy()
    with pytest.raises(InvalidRecord) as caught:
        store.create_many(_batch({7}))
    assert [error.field for error in caught.value.errors] == ["[7].status"]
    assert len(store.received) == 1
    assert isinstance(store.received[0], ValidatedOnRead)
    assert store.count() == 0


def test_a_lazy_batch_returns_the_records_the_backend_read() -> None:
    """create_many returns the very records _insert read, in order, each made once."""
    store = _Lazy()
    created = store.create_many(_batch(set(), size=5))
    read = list(store.received[0])
    assert [id(r) for r in read] == [id(r) for r in created]
    assert len({r.id for r in created}) == 5
    assert store.count() == 5


def test_reading_a_lazy_batch_out_of_order_raises_the_first_bad_record() -> None:
    """Reading a later record first still reports the earliest bad record, as in order."""
    batch = ValidatedOnRead(_batch({3, 8}), [None] * 10, now())
    with pytest.raises(InvalidRecord) as caught:
        batch[9]
    assert [error.field for error in caught.value.errors] == ["[3].status"]


def test_a_lazy_batch_indexes_like_a_sequence() -> None:
    """Negative indexes, slices and out-of-range indexes behave as on a list."""
    batch = ValidatedOnRead(_batch(set(), size=4), [None] * 4, now())
    every = batch.all()
    assert batch[-1] is every[3]
    assert list(batch[1:3]) == every[1:3]
    assert list(batch) == every
    with pytest.raises(IndexError):
        batch[4]
    with pytest.raises(IndexError):
        batch[-5]
