"""The store contract on SQLite (a file and memory) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actionlogkit.store import Store
from actionlogkit.testing import StoreContract
from actionlogkit_sql import SQLStore


class TestSQLiteFileStore(StoreContract):
    """SQLStore on a SQLite file."""

    @pytest.fixture
    def store(self, sqlite_store: SQLStore) -> Store:
        """A fresh store in a temporary SQLite file."""
        return sqlite_store


class TestSQLiteMemoryStore(StoreContract):
    """SQLStore on a private in-memory SQLite database."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh in-memory store."""
        with SQLStore("sqlite:///:memory:") as store:
            yield store


@pytest.mark.postgresql
class TestPostgreSQLStore(StoreContract):
    """SQLStore on the test PostgreSQL server, in a table of its own per test."""

    @pytest.fixture
    def store(self, postgres_store: SQLStore) -> Store:
        """A fresh store in a new table."""
        return postgres_store
