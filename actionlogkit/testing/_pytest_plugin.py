"""The pytest plugin: a fresh store per test, memory by default, any backend by URL.

``--actionlog-store URL`` (or the ``ACTIONLOGKIT_TEST_STORE`` environment variable) runs every test
that uses the ``actionlog_store`` fixture against that store. The store is emptied before and after
each test: point it only at a store kept for tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from actionlogkit.store import Store

ENV_VAR = "ACTIONLOGKIT_TEST_STORE"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--actionlog-store``."""
    group = parser.getgroup("actionlogkit")
    group.addoption(
        "--actionlog-store",
        metavar="URL",
        default=None,
        help=f"store URL for the actionlog_store fixture (default: ${ENV_VAR} or memory://)",
    )


@pytest.fixture
def actionlog_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh, empty store for one test: ``memory://`` unless ``--actionlog-store`` says else."""
    from actionlogkit._registry import open_store

    url = request.config.getoption("--actionlog-store") or os.environ.get(ENV_VAR) or "memory://"
    store = open_store(url)
    try:
        store.delete_many({})
        yield store
        if not store.closed:
            store.delete_many({})
    finally:
        store.close()
