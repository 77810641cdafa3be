"""assert_logged: what a store holds, asserted, and shown when the assertion fails."""

from __future__ import annotations

from typing import Any

import pytest

from actionlogkit import InvalidQuery, MemoryStore
from actionlogkit.testing import assert_logged


def _store() -> MemoryStore:
    store = MemoryStore()
    store.create_many(
        [
            {
                "integrationId": "shop-1",
                "actionType": "update",
                "entityType": "product",
                "entityId": "sku-1",
                "status": "failed",
                "errorMessage": "HTTP 422: price must be positive",
                "payload": {"sku": "sku-1", "price": -1},
            },
            {
                "integrationId": "shop-1",
                "actionType": "update",
                "entityType": "product",
                "entityId": "sku-2",
                "status": "success",
            },
            {
                "integrationId": "erp",
                "actionType": "sync",
                "entityType": "order",
                "status": "success",
            },
        ]
    )
    return store


def test_a_matching_record_passes_and_is_returned() -> None:
    """Fields by their JSON names, a filter and a search together find the record."""
    dotted: dict[str, Any] = {"payload.sku": "sku-1"}
    found = assert_logged(
        _store(),
        {"retryCount": 0},
        search="price",
        integrationId="shop-1",
        status="failed",
        **dotted,
    )
    assert [record.entity_id for record in found] == ["sku-1"]


def test_count_asks_for_exactly_that_many() -> None:
    """count=2 passes for two matches and fails for one; None means at least one."""
    store = _store()
    assert len(assert_logged(store, integrationId="shop-1", count=2)) == 2
    with pytest.raises(AssertionError, match="expected 1 record"):
        assert_logged(store, integrationId="shop-1", count=1)
    assert assert_logged(store, status="pending", count=0) == []
    assert len(assert_logged(store, '{"status": "success"}', integrationId="erp")) == 1


def test_a_failure_shows_the_nearest_records() -> None:
    """The message says what was expected and lists the records meeting most of it first."""
    with pytest.raises(AssertionError) as caught:
        assert_logged(_store(), integrationId="shop-1", status="failed", entityId="sku-2")
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == (
        "expected at least one record matching integrationId='shop-1', status='failed', "
        "entityId='sku-2'; found 0"
    )
    assert lines[1] == "the nearest records:"
    assert lines[2].split()[:2] == ["met", "_id"]
    # Two records meet 2 of the 3 expectations; the erp record meets none and comes last.
    assert [line.split()[0] for line in lines[3:]] == ["2/3", "2/3", "0/3"]
    assert "erp" in lines[-1]


def test_an_empty_store_says_so() -> None:
    """The message on an empty store says that it holds nothing."""
    with pytest.raises(AssertionError, match="the store holds no records"):
        assert_logged(MemoryStore(), status="failed")


def test_a_bad_field_is_invalid_query() -> None:
    """An unknown field or a bad value raises InvalidQuery, not a failed assertion."""
    with pytest.raises(InvalidQuery):
        assert_logged(_store(), statuss="failed")
    with pytest.raises(InvalidQuery):
        assert_logged(_store(), "not json")
