"""The ``actionlogkit`` command line.

Each command lives in a private module that adds its parser with ``register(subparsers)`` and sets
``func(args) -> int`` on it; the modules are imported only when the command line starts.
Exit codes: 0 success, 1 a store or runtime error, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from actionlogkit._version import __version__

__all__ = ["main"]

# One module per command (or group of commands); each defines register(subparsers).
_COMMAND_MODULES: tuple[str, ...] = (
    "actionlogkit.cli._store_commands",
    "actionlogkit.cli._purge",
    "actionlogkit.cli._stats_commands",
    "actionlogkit.cli._demo",
)


_EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the status a shell shows for a command whose reader went away."""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="actionlogkit", description="Record and query integration action logs."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_went_away()
    return code


def _reader_went_away() -> int:
    """The output's reader closed the pipe (``| head``): end quietly, as SIGPIPE would."""
    # What is still buffered must not be flushed into the closed pipe at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return _EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
