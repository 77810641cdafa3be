"""The ``actionlogkit`` command line.

Each command lives in a private module that adds its parser with ``register(subparsers)`` and sets
``func(args) -> int`` on it; the modules are imported only when the command line starts.
Exit codes: 0 success, 1 a store or runtime error, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from actionlogkit._version import __version__

__all__ = ["main"]

# One module per command (or group of commands); each defines register(subparsers).
_COMMAND_MODULES: tuple[str, ...] = (
    "actionlogkit.cli._store_commands",
    "actionlogkit.cli._purge",
    "actionlogkit.cli._demo",
)


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
    code: int = func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
