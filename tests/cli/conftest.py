"""Helpers of the command-line tests: run ``actionlogkit`` in a subprocess, an SQLite store."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from actionlogkit import available_schemes

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def _run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run_cli() -> RunCli:
    """Run the command line in a fresh interpreter and return what it did."""
    return _run_cli


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of an SQLite file in a temporary directory (skipped without the SQL backend)."""
    if "sqlite" not in available_schemes():
        pytest.skip("actionlogkit-sql is not installed")
    return f"sqlite:///{tmp_path / 'logs.db'}"
