"""The schema: created once, versioned, checked, and refused when it is not this code's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from actionlogkit import ConfigurationError, MissingStore
from actionlogkit.testing._sample import minimal
from actionlogkit_sql import SCHEMA_VERSION, SQLStore

INDEXES = {
    "integration_action_logs_integration_created": ["integration_id", "created_at", "id"],
    "integration_action_logs_integration_status": [
        "integration_id",
        "status",
        "created_at",
        "id",
    ],
    "integration_action_logs_status_created": ["status", "created_at", "id"],
    "integration_action_logs_entity": ["entity_type", "entity_id"],
    "integration_action_logs_created": ["created_at", "id"],
}


def _database(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_schema_creation_is_idempotent(sqlite_url: str) -> None:
    """Opening a store twice on one file keeps the records and records the version once."""
    with SQLStore(sqlite_url) as first:
        first.create(minimal())
    with SQLStore(sqlite_url) as second:
        assert second.count() == 1
    with sqlite3.connect(_database(sqlite_url)) as raw:
        rows = raw.execute("SELECT table_name, version FROM actionlogkit_schema").fetchall()
    assert rows == [("integration_action_logs", SCHEMA_VERSION)]


def test_indexes_serve_the_common_access_paths(sqlite_store: SQLStore) -> None:
    """The log table has the five documented indexes, with the id tie-break where sorted."""
    found = {
        index["name"]: index["column_names"]
        for index in inspect(sqlite_store.engine).get_indexes(sqlite_store.table_name)
    }
    assert found == INDEXES


def test_sqlite_file_is_in_wal_mode(sqlite_store: SQLStore, sqlite_url: str) -> None:
    """A SQLite file opened by the store uses the WAL journal."""
    with sqlite3.connect(_database(sqlite_url)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_newer_schema_version_is_refused(sqlite_url: str) -> None:
    """A table recorded with a version this code does not know raises ConfigurationError."""
    SQLStore(sqlite_url).close()
    with sqlite3.connect(_database(sqlite_url)) as raw:
        raw.execute("UPDATE actionlogkit_schema SET version = 99")
    with pytest.raises(ConfigurationError, match=r"schema version 99.*version 1 only"):
        SQLStore(sqlite_url)


def test_unversioned_table_is_refused(sqlite_url: str) -> None:
    """A table of the same name not made by actionlogkit raises ConfigurationError, untouched."""
    with sqlite3.connect(_database(sqlite_url)) as raw:
        raw.execute("CREATE TABLE integration_action_logs (id TEXT PRIMARY KEY, note TEXT)")
        raw.execute("INSERT INTO integration_action_logs VALUES ('x', 'keep me')")
    with pytest.raises(ConfigurationError, match="not created by actionlogkit"):
        SQLStore(sqlite_url)
    with sqlite3.connect(_database(sqlite_url)) as raw:
        assert raw.execute("SELECT * FROM integration_action_logs").fetchall() == [("x", "keep me")]


def test_altered_table_is_refused(sqlite_url: str) -> None:
    """A versioned table whose columns changed raises ConfigurationError naming the column."""
    SQLStore(sqlite_url).close()
    with sqlite3.connect(_database(sqlite_url)) as raw:
        raw.execute("ALTER TABLE integration_action_logs DROP COLUMN retry_count")
        raw.execute("ALTER TABLE integration_action_logs ADD COLUMN extra TEXT")
    with pytest.raises(
        ConfigurationError, match=r"retry_count should be integer.*unexpected column extra"
    ):
        SQLStore(sqlite_url)


def test_missing_table_without_create_schema_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    """create_schema=False creates nothing: a missing file or table is MissingStore."""
    with pytest.raises(MissingStore, match="no such database"):
        SQLStore(sqlite_url, create_schema=False)
    assert not Path(_database(sqlite_url)).exists()
    sqlite3.connect(_database(sqlite_url)).close()  # a database of someone else's
    with pytest.raises(MissingStore, match="create_schema=True"):
        SQLStore(sqlite_url, create_schema=False)
    SQLStore(sqlite_url).close()
    with pytest.raises(MissingStore, match="'other' does not exist"):
        SQLStore(sqlite_url, table_name="other", create_schema=False)
    with SQLStore(sqlite_url, create_schema=False) as store:
        assert store.count() == 0


def test_tables_of_one_database_are_separate(sqlite_url: str) -> None:
    """Two table names in one database are two stores, each versioned."""
    with (
        SQLStore(sqlite_url, table_name="a_logs") as first,
        SQLStore(sqlite_url, table_name="b_logs") as second,
    ):
        first.create(minimal())
        assert (first.count(), second.count()) == (1, 0)
    with sqlite3.connect(_database(sqlite_url)) as raw:
        names = raw.execute("SELECT table_name FROM actionlogkit_schema ORDER BY 1").fetchall()
    assert names == [("a_logs",), ("b_logs",)]


@pytest.mark.postgresql
def test_postgresql_schema_types_and_version(postgres_engine: Engine, postgres_table: str) -> None:
    """On PostgreSQL: jsonb documents, timestamptz(3), C-collated text; a wrong version refused."""
    SQLStore(postgres_engine, table_name=postgres_table).close()
    with postgres_engine.connect() as connection:
        kinds: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT column_name, data_type || coalesce(':' || collation_name, '') "
                    "|| coalesce(':' || datetime_precision, '') "
                    "FROM information_schema.columns WHERE table_name = :name"
                ),
                {"name": postgres_table},
            ).all()
        )
    assert kinds["payload"] == "jsonb"
    assert kinds["created_at"] == "timestamp with time zone:3"
    assert kinds["integration_id"] == "character varying:C"
    assert kinds["search_key"] == "bytea"
    with postgres_engine.begin() as connection:
        connection.execute(
            text("UPDATE actionlogkit_schema SET version = 2 WHERE table_name = :name"),
            {"name": postgres_table},
        )
    with pytest.raises(ConfigurationError, match="schema version 2"):
        SQLStore(postgres_engine, table_name=postgres_table)


@pytest.mark.postgresql
def test_postgresql_schema_creation_is_idempotent(
    postgres_engine: Engine, postgres_table: str
) -> None:
    """Opening twice on PostgreSQL keeps the records and the one version record."""
    with SQLStore(postgres_engine, table_name=postgres_table) as first:
        first.create(minimal())
    with SQLStore(postgres_engine, table_name=postgres_table) as second:
        assert second.count() == 1
    with postgres_engine.connect() as connection:
        versions = connection.execute(
            text("SELECT version FROM actionlogkit_schema WHERE table_name = :name"),
            {"name": postgres_table},
        ).all()
    assert [tuple(row) for row in versions] == [(SCHEMA_VERSION,)]
