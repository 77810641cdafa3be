"""No secret reaches the raw stored rows of SQLite or PostgreSQL, wherever a call carries it."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionlogkit import Recorder
from actionlogkit_sql import SQLStore
from tests.recorder._secrets import HiddenSecrets, forbidden, new_secret

POSTGRES_ENV = "ACTIONLOGKIT_TEST_POSTGRES_URL"


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")  # the search text: folded fields, NUL-joined
    return str(value)


@pytest.fixture(scope="module")
def sqlite_path() -> Iterator[Path]:
    """A SQLite file for the module's examples."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "secrets.db"


@pytest.fixture(scope="module")
def postgres_url() -> str:
    """The test PostgreSQL server's URL (a table of the test's own is used)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
            pytest.fail(f"{POSTGRES_ENV} is not set: under CI the PostgreSQL tests must run")
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


def _record_into(store: SQLStore, data: st.DataObject) -> list[str]:
    secret = new_secret()
    hidden = HiddenSecrets(data.draw, secret)
    with Recorder(store, on_store_error="raise") as rec:
        hidden.record(rec.action)
    return forbidden(secret)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_secret_in_the_raw_sqlite_rows(sqlite_path: Path, data: st.DataObject) -> None:
    """Every column of every row, the search text included, read with sqlite3 itself."""
    store = SQLStore(f"sqlite:///{sqlite_path}", table_name="secrets")
    try:
        secrets = _record_into(store, data)
    finally:
        store.close()
    with sqlite3.connect(sqlite_path) as raw:
        rows = raw.execute("SELECT * FROM secrets").fetchall()
    stored = "\n".join(_text(value) for row in rows for value in row)
    for secret in secrets:
        assert secret not in stored


@pytest.mark.postgresql
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_secret_in_the_raw_postgresql_rows(postgres_url: str, data: st.DataObject) -> None:
    """Every column of the row, JSONB as the server renders it, read with psycopg itself."""
    table = f"secrets_{uuid.uuid4().hex[:12]}"
    store = SQLStore(postgres_url, table_name=table)
    try:
        secrets = _record_into(store, data)
    finally:
        store.close()
    raw_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw_url) as raw:
        rows = raw.execute(f'SELECT * FROM "{table}"').fetchall()
        raw.execute(f'DROP TABLE "{table}"')
        raw.execute("DELETE FROM actionlogkit_schema WHERE table_name = %s", (table,))
    stored = "\n".join(_text(value) for row in rows for value in row)
    assert rows
    for secret in secrets:
        assert secret not in stored
