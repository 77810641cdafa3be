"""On PostgreSQL, reading commands create no table in a database without the schema."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from tests.sql.conftest import POSTGRES_ENV


@pytest.fixture
def empty_database(postgres_engine: Engine) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"alk_empty_{uuid.uuid4().hex[:10]}"
    with postgres_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(os.environ[POSTGRES_ENV]).set(database=name)
    yield url.render_as_string(hide_password=False)
    with postgres_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "command", [["list"], ["get", "60f7b1b3e4b0e8b3f8b3f8b3"], ["purge", "--older-than", "1d"]]
)
def test_reading_an_empty_database_creates_no_table(
    empty_database: str, command: list[str]
) -> None:
    """list, get and purge say the schema is missing (exit 1) and leave the database empty."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "actionlogkit.cli",
            command[0],
            "--store",
            empty_database,
            *command[1:],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "no actionlogkit schema in this database" in result.stderr
    engine = create_engine(make_url(empty_database).set(drivername="postgresql+psycopg"))
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
