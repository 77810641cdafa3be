"""The command line's frame: version, help, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from actionlogkit import __version__
from actionlogkit.cli import main


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version and exits 0."""
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a command the usage goes to stderr and the exit code is 2."""
    assert main([]) == 2
    assert "usage: actionlogkit" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    """The actionlogkit console script runs as a module too."""
    result = subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout
