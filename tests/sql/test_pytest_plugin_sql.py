"""The pytest plugin on SQL URLs: the tests get a table of their own; other data is untouched."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from actionlogkit.testing import canonical
from actionlogkit_sql import SQLStore
from tests.plugin_cases import OWN_RECORDS, USER_TESTS
from tests.sql.conftest import POSTGRES_ENV


def _state(engine: Engine) -> tuple[set[str], int]:
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT count(*) FROM actionlogkit_schema")).scalar()
    return set(inspect(engine).get_table_names()), int(versions or 0)


def _run_and_check(pytester: pytest.Pytester, url: str, engine: Engine, table: str) -> None:
    with SQLStore(url, table_name=table) as store:
        before = sorted(canonical(record) for record in store.create_many(OWN_RECORDS))
    state = _state(engine)
    pytester.makepyfile(USER_TESTS)
    result = pytester.runpytest_subprocess("--actionlog-store", url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    with SQLStore(url, table_name=table, create_schema=False) as store:
        after = sorted(canonical(record) for record in store.list(limit=100).data)
    assert after == before
    assert _state(engine) == state  # the tests' table and its version record are gone


def test_records_in_a_sqlite_file_are_untouched(pytester: pytest.Pytester) -> None:
    """--actionlog-store sqlite:///copy-of-demo.db keeps its 63 records, tables and versions."""
    url = f"sqlite:///{pytester.path / 'copy-of-demo.db'}"
    engine = create_engine(url)
    try:
        _run_and_check(pytester, url, engine, "integration_action_logs")
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_records_in_a_postgresql_table_are_untouched(
    pytester: pytest.Pytester, postgres_engine: Engine, postgres_table: str
) -> None:
    """On PostgreSQL too, a table of records beside the tests' own is left as it was."""
    url = os.environ[POSTGRES_ENV]
    _run_and_check(pytester, url, postgres_engine, postgres_table)
