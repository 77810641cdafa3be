"""Fixtures of the recorder's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actionlogkit import Recorder
from actionlogkit.recorder._recorder import replace_default
from tests.recorder._stores import HistoryStore


@pytest.fixture
def store() -> HistoryStore:
    """A fresh in-memory store that keeps its write history."""
    return HistoryStore()


@pytest.fixture
def recorder(store: HistoryStore) -> Iterator[Recorder]:
    """A sync recorder that raises store failures, as tests want them."""
    with Recorder(store, integration_id="shop-1", on_store_error="raise") as rec:
        yield rec


@pytest.fixture
def restore_default() -> Iterator[None]:
    """Put the module-level default recorder back as it was after the test."""
    saved = replace_default(None)
    replace_default(saved)
    yield
    current = replace_default(saved)
    if current is not None and current is not saved:
        current.close()
