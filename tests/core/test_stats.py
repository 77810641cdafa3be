"""Store.stats in the core: its arithmetic, and a backend that does not implement it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from actionlogkit import MemoryStore, Unsupported
from actionlogkit.models import ActionLog
from actionlogkit.query import Node, Query
from actionlogkit.stats import INTERVALS, PERCENTILES, bucket_start, nearest_rank
from actionlogkit.store import Store


@pytest.mark.parametrize("percent", PERCENTILES)
def test_nearest_rank_is_the_ceiling_of_p_n_over_100(percent: int) -> None:
    """The rank is ⌈p·n/100⌉ in exact arithmetic for every n up to 100,000."""
    for n in range(1, 100_001):
        assert nearest_rank(percent, n) == math.ceil(Fraction(percent * n, 100)), n


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_bucket_start_rounds_down_on_both_sides_of_1970(interval: str) -> None:
    """A bucket starts at a multiple of the interval since the epoch, at or before the time."""
    length = timedelta(milliseconds=INTERVALS[interval])
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    for offset_ms in (-86_400_001, -1, 0, 1, 59_999, 60_000, 299_999, 3_600_000, 1_700_000_000_123):
        moment = epoch + timedelta(milliseconds=offset_ms)
        start = bucket_start(moment, INTERVALS[interval])
        assert start <= moment < start + length
        assert (start - epoch) % length == timedelta(0)


class _NoStats(Store):
    """A backend of the primitives before stats existed."""

    def __init__(self) -> None:
        self._inner = MemoryStore()

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self._inner._insert(records)

    def _fetch(self, record_id: str) -> ActionLog | None:
        return self._inner._fetch(record_id)

    def _replace(self, record: ActionLog) -> bool:
        return self._inner._replace(record)

    def _remove(self, record_id: str) -> bool:
        return self._inner._remove(record_id)

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        return self._inner._remove_matching(filter, search)

    def _select(self, query: Query) -> list[ActionLog]:
        return self._inner._select(query)

    def _count(self, filter: Node | None, search: str | None) -> int:
        return self._inner._count(filter, search)


def test_a_backend_without_stats_says_so() -> None:
    """stats on a backend without the primitive raises Unsupported, never a made-up answer."""
    store = _NoStats()
    store.create(
        {"integrationId": "a", "actionType": "sync", "entityType": "o", "status": "success"}
    )
    with pytest.raises(Unsupported, match="_NoStats does not implement stats"):
        store.stats()
    assert isinstance(Unsupported("x"), NotImplementedError)
