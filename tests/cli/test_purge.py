"""The purge command: retention by age, asked for on a terminal, counted with --dry-run."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from actionlogkit import open_store
from actionlogkit.cli._purge import parse_duration
from tests.cli.conftest import RunCli

NOW = datetime.now(timezone.utc)


def _seed(url: str) -> None:
    """Ten records: ages 40, 35, … days, alternately of shop-0 and shop-1."""
    with open_store(url) as store:
        store.create_many(
            [
                {
                    "integrationId": f"shop-{n % 2}",
                    "actionType": "sync",
                    "entityType": "order",
                    "status": "success",
                }
                for n in range(10)
            ],
            created_at=[NOW - timedelta(days=40 - 5 * n) for n in range(10)],
        )


def _count(url: str) -> int:
    with open_store(url) as store:
        return store.count()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("12h", timedelta(hours=12)),
        ("30d", timedelta(days=30)),
        ("8w", timedelta(weeks=8)),
        (" 1d ", timedelta(days=1)),
    ],
)
def test_durations_read_as_the_issue_writes_them(text: str, expected: timedelta) -> None:
    """90m, 12h, 30d and 8w are minutes, hours, days and weeks."""
    assert parse_duration(text) == expected


def test_dry_run_counts_and_deletes_nothing(sqlite_url: str, run_cli: RunCli) -> None:
    """--dry-run prints how many records would go, and none goes."""
    _seed(sqlite_url)
    result = run_cli("purge", "--store", sqlite_url, "--older-than", "3w", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("4 record(s) created before ")
    assert _count(sqlite_url) == 10


def test_yes_purges_in_batches_with_filter_and_search(sqlite_url: str, run_cli: RunCli) -> None:
    """--yes deletes the old matches, batch after batch, and says how many."""
    _seed(sqlite_url)
    result = run_cli(
        "purge",
        "--store",
        sqlite_url,
        "--older-than",
        "3w",
        "--filter",
        '{"integrationId": "shop-0"}',
        "--batch-size",
        "1",
        "--yes",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deleted 2 record(s) created before ")
    result = run_cli(
        "purge", "--store", sqlite_url, "--older-than", "3w", "--search", "SHOP-1", "--yes"
    )
    assert result.stdout.startswith("deleted 2 record(s)")
    assert _count(sqlite_url) == 6


def test_without_yes_and_without_a_terminal_nothing_is_deleted(
    sqlite_url: str, run_cli: RunCli
) -> None:
    """In a script, purge without --yes refuses with exit code 2 and deletes nothing."""
    _seed(sqlite_url)
    result = run_cli("purge", "--store", sqlite_url, "--older-than", "1d")
    assert result.returncode == 2
    assert "pass --yes" in result.stderr
    assert _count(sqlite_url) == 10


@pytest.mark.parametrize(("answer", "left"), [("y\n", 3), ("n\n", 10)])
def test_on_a_terminal_purge_asks_first(sqlite_url: str, answer: str, left: int) -> None:
    """On a terminal, purge asks; "y" deletes, anything else deletes nothing."""
    _seed(sqlite_url)
    command = [sys.executable, "-m", "actionlogkit.cli", "purge"]
    main, terminal = pty.openpty()  # the command's standard input is a terminal
    try:
        process = subprocess.Popen(
            [*command, "--store", sqlite_url, "--older-than", "1w"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(main, answer.encode())
        _, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
        os.close(main)
    assert "Delete 7 record(s) created before " in err
    assert process.returncode == (0 if answer.startswith("y") else 1)
    assert _count(sqlite_url) == left


@pytest.mark.parametrize("args", [["--older-than", "30"], ["--older-than", "2y"], []])
def test_bad_durations_exit_2(args: list[str], run_cli: RunCli) -> None:
    """A duration without a known unit, or none, is an argument error."""
    result = run_cli("purge", "--store", "memory://", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
