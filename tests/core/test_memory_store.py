"""MemoryStore passes the whole store contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actionlogkit import MemoryStore, Store
from actionlogkit.testing import StoreContract


class TestMemoryStore(StoreContract):
    """The reference store against the contract (its differential test compares it with itself)."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        with MemoryStore() as store:
            yield store
