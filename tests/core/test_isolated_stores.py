"""Stores of their own beside existing data: refused where a backend cannot make them."""

from __future__ import annotations

import pytest

from actionlogkit import ConfigurationError, MemoryStore


def test_memory_cannot_make_an_isolated_store() -> None:
    """MemoryStore.open_isolated raises ConfigurationError saying why."""
    with pytest.raises(ConfigurationError, match="cannot open a store of its own"):
        MemoryStore.open_isolated("memory://", "alk_test")


def test_only_an_isolated_store_can_be_dropped() -> None:
    """drop() on any other store raises ConfigurationError and keeps its records."""
    store = MemoryStore()
    store.create(
        {"integrationId": "x", "actionType": "sync", "entityType": "y", "status": "pending"}
    )
    with pytest.raises(ConfigurationError, match="only a store made by"):
        store.drop()
    assert store.count() == 1


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "x" * 41, "a b", 7])
def test_an_isolated_store_needs_a_plain_name(name: object) -> None:
    """A name that is not a plain identifier of at most 40 characters is refused first."""
    with pytest.raises(ConfigurationError, match="name is letters"):
        MemoryStore.open_isolated("memory://", name)  # type: ignore[arg-type]
