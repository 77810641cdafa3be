"""Reading commands never create what they read: no file, table, collection or index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import RunCli

READING = [
    ["list"],
    ["get", "60f7b1b3e4b0e8b3f8b3f8b3"],
    ["delete", "60f7b1b3e4b0e8b3f8b3f8b3"],
    ["purge", "--older-than", "30d", "--yes"],
    ["serve", "--read-only"],
]


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
def test_a_missing_sqlite_file_is_reported_and_not_created(
    tmp_path: Path, sqlite_url: str, command: list[str], run_cli: RunCli
) -> None:
    """The command exits 1 with "no such database: PATH", and the file is still missing."""
    path = tmp_path / "typo.db"
    result = run_cli(command[0], "--store", f"sqlite:///{path}", *command[1:])
    assert result.returncode == 1
    assert result.stderr.strip() == f"actionlogkit {command[0]}: error: no such database: {path}"
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_file_without_the_schema_gets_no_table(
    tmp_path: Path, sqlite_url: str, run_cli: RunCli
) -> None:
    """An SQLite file of another application is reported, and no table is added to it."""
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    result = run_cli("list", "--store", f"sqlite:///{path}")
    assert result.returncode == 1
    assert "no actionlogkit schema in this database" in result.stderr
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
    connection.close()
    assert tables == ["notes"]
