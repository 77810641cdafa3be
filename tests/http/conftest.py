"""Fixtures of the REST API tests: the API over each store, through FastAPI's test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from actionlogkit import Store, available_schemes, open_store
from actionlogkit.http import create_app

_SQLITE_MISSING = "sqlite" not in available_schemes()


@pytest.fixture(
    params=[
        "memory",
        pytest.param(
            "sqlite",
            marks=pytest.mark.skipif(_SQLITE_MISSING, reason="actionlogkit-sql is not installed"),
        ),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind the API is tested on."""
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'logs.db'}"
    with open_store(url) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """A test client of the API over ``store``."""
    with TestClient(create_app(store)) as test_client:
        yield test_client
