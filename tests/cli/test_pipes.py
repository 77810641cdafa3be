"""Output into a pipe whose reader goes away ends quietly: status 0 or 141, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from actionlogkit import open_store

BIG = {f"k{n}": "v" * 100 for n in range(3000)}  # far more than a pipe buffers


def _read_two_lines_and_leave(*args: str) -> tuple[int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "actionlogkit.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    with process.stdout, process.stderr:
        lines = [process.stdout.readline() for _ in range(2)]
        assert all(lines)
        process.stdout.close()  # as `| head -2` does
        stderr = process.stderr.read()
    return process.wait(timeout=120), stderr


@pytest.mark.parametrize("command", ["get", "list"])
def test_a_closed_pipe_ends_the_command_quietly(
    tmp_path: Path, sqlite_url: str, command: str
) -> None:
    """get ID | head -2 and list --json | head -2 exit 0 or 141 with nothing on stderr."""
    with open_store(sqlite_url) as store:
        created = store.create_many(
            [
                {
                    "integrationId": "x",
                    "actionType": "sync",
                    "entityType": "y",
                    "status": "pending",
                    "payload": BIG,
                }
            ]
            * 3
        )
    args = ["get", "--store", sqlite_url, created[0].id]
    if command == "list":
        args = ["list", "--store", sqlite_url, "--json"]
    code, stderr = _read_two_lines_and_leave(*args)
    assert code in (0, 141)
    assert stderr == ""


def test_a_page_larger_than_100_points_to_all_and_export() -> None:
    """list --limit 500 is refused, and the message names --all and export."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "actionlogkit.cli",
            "list",
            "--store",
            "memory://",
            "--limit",
            "500",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--all" in result.stderr
    assert "actionlogkit export" in result.stderr
