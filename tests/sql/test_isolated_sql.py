"""SQLStore.open_isolated: a table of its own, made new, opened again, dropped with its version."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from actionlogkit import ConfigurationError
from actionlogkit_sql import SQLStore

RECORD = {"integrationId": "x", "actionType": "sync", "entityType": "y", "status": "pending"}


def test_an_isolated_table_is_made_reopened_and_dropped(sqlite_url: str) -> None:
    """The table exists only between open_isolated and drop; its version record goes with it."""
    with SQLStore(sqlite_url) as own:
        own.create(RECORD)
    store = SQLStore.open_isolated(sqlite_url, "alk_test_a")
    store.create(RECORD)
    with pytest.raises(ConfigurationError, match="exists already"):
        SQLStore.open_isolated(sqlite_url, "alk_test_a")
    again = SQLStore.open_isolated(sqlite_url, "alk_test_a", new=False)
    assert again.count() == 1
    again.close()
    store.drop()
    assert store.closed
    engine = create_engine(sqlite_url)
    try:
        assert "alk_test_a" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            names = connection.execute(text("SELECT table_name FROM actionlogkit_schema")).all()
        assert [row[0] for row in names] == ["integration_action_logs"]
    finally:
        engine.dispose()
    with SQLStore(sqlite_url) as own:
        assert own.count() == 1


def test_an_existing_log_table_is_never_taken_for_an_isolated_one(sqlite_url: str) -> None:
    """open_isolated refuses the name of a table that exists, and leaves its records."""
    with SQLStore(sqlite_url) as own:
        own.create(RECORD)
    with pytest.raises(ConfigurationError, match="exists already"):
        SQLStore.open_isolated(sqlite_url, "integration_action_logs")
    with SQLStore(sqlite_url) as own:
        assert own.count() == 1


def test_reopening_a_missing_isolated_table_is_refused(sqlite_url: str) -> None:
    """new=False on a name that has no table raises ConfigurationError and creates nothing."""
    with pytest.raises(ConfigurationError):
        SQLStore.open_isolated(sqlite_url, "alk_test_missing", new=False)
