"""What every command of the command line shares: opening the store, failing in one line.

Exit codes: 0 success; 1 the store failed or a record does not exist; 2 bad arguments (argparse's
own, an invalid query, an unusable store URL). Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from actionlogkit._registry import open_store
from actionlogkit.errors import (
    ConfigurationError,
    InvalidQuery,
    MissingStore,
    NotFound,
    StoreError,
)
from actionlogkit.store import Store

__all__ = [
    "DEFAULT_STORE_URL",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "Failure",
    "add_store_option",
    "one_line",
    "opened",
    "redacted",
    "run",
]

DEFAULT_STORE_URL = "sqlite:///actionlogs.db"
"""The store the commands use without ``--store``: an SQLite file in the working directory."""

EXIT_FAILED = 1
EXIT_USAGE = 2


class Failure(Exception):
    """A command's failure: the one-line message and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def redacted(url: str) -> str:
    """The URL without the password of its user part, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def run(command: str, body: Callable[[], int]) -> int:
    try:
        return body()
    except Failure as failure:
        print(f"actionlogkit {command}: error: {one_line(failure)}", file=sys.stderr)
        return failure.code


@contextmanager
def opened(url: str, *, create: bool) -> Iterator[Store]:
    """The store ``url`` names, closed afterwards; its errors as one-line failures.

    Reading commands pass ``create=False``: a store that does not exist is exit 1, and nothing
    (no file, table, collection or index) is created.
    """
    try:
        store = open_store(url, create=create)
    except MissingStore as exc:
        raise Failure(str(exc), EXIT_FAILED) from exc
    except ConfigurationError as exc:
        raise Failure(f"--store {redacted(url)}: {exc}", EXIT_USAGE) from exc
    except StoreError as exc:
        raise Failure(f"cannot open the store {redacted(url)}: {exc}", EXIT_FAILED) from exc
    try:
        yield store
    except InvalidQuery as exc:
        raise Failure(str(exc), EXIT_USAGE) from exc
    except NotFound as exc:
        raise Failure(str(exc), EXIT_FAILED) from exc
    except StoreError as exc:
        raise Failure(f"the store failed: {exc}", EXIT_FAILED) from exc
    finally:
        with suppress(StoreError):  # the command's own outcome is what the user needs to see
            store.close()


def add_query_options(parser: argparse.ArgumentParser) -> None:
    """``--filter`` and ``--search``, as every command that selects records takes them."""
    parser.add_argument("--filter", metavar="JSON", help="a filter document (query language)")
    parser.add_argument("--search", metavar="TEXT", help="text to look for (any case)")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        default=DEFAULT_STORE_URL,
        help=f"the store URL (default: {DEFAULT_STORE_URL})",
    )
