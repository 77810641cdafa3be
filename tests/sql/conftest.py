"""Fixtures of the SQL backend's tests: SQLite stores in temporary files, and a PostgreSQL server.

PostgreSQL comes from ``ACTIONLOGKIT_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server
and sets it). Without it the PostgreSQL tests are skipped, except under ``CI=true``, where a
missing server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from actionlogkit_sql import SQLStore

POSTGRES_ENV = "ACTIONLOGKIT_TEST_POSTGRES_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """One engine on the test PostgreSQL server for the whole session."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if _in_ci():
            pytest.fail(f"{POSTGRES_ENV} is not set: under CI the PostgreSQL tests must run")
        pytest.skip(f"{POSTGRES_ENV} is not set; point it at a PostgreSQL server to run these")
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        pytest.fail(f"the PostgreSQL server of {POSTGRES_ENV} cannot be reached: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_table(postgres_engine: Engine) -> Iterator[str]:
    """A fresh log table name for one test; the table and its version record go afterwards."""
    name = f"logs_{uuid.uuid4().hex[:12]}"
    yield name
    with postgres_engine.begin() as connection:
        connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        if connection.dialect.has_table(connection, "actionlogkit_schema"):
            connection.execute(
                text("DELETE FROM actionlogkit_schema WHERE table_name = :name"), {"name": name}
            )


@pytest.fixture
def postgres_store(postgres_engine: Engine, postgres_table: str) -> Iterator[SQLStore]:
    """A fresh, empty PostgreSQL store on the session's engine."""
    store = SQLStore(postgres_engine, table_name=postgres_table)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'logs.db'}"


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SQLStore]:
    """A fresh SQLite store in a temporary file."""
    store = SQLStore(sqlite_url)
    try:
        yield store
    finally:
        store.close()
