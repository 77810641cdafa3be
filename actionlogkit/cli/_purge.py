"""``actionlogkit purge``: retention, deleting what is older than a duration, in batches."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from actionlogkit._time import format_timestamp
from actionlogkit.cli._common import (
    EXIT_USAGE,
    Failure,
    add_store_option,
    opened,
    redacted,
    run,
)
from actionlogkit.store import DEFAULT_PURGE_BATCH

__all__ = ["parse_duration", "register"]

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNITS["w"] = 7 * _UNITS["d"]
_DURATION = re.compile(r"([0-9]{1,9})([mhdw])")


def parse_duration(text: str) -> timedelta:
    """``90m``, ``12h``, ``30d`` or ``8w`` as a :class:`~datetime.timedelta`."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: a number and a unit, m (minutes), h, d or w (weeks), "
            "e.g. 90m, 12h, 30d, 8w"
        )
    try:
        return int(match.group(1)) * _UNITS[match.group(2)]
    except OverflowError:
        raise argparse.ArgumentTypeError(f"duration {text!r} is too long") from None


def _batch_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid batch size {text!r}") from None
    if size < 1:
        raise argparse.ArgumentTypeError("the batch size is at least 1")
    return size


def _filter(text: str | None) -> Any:
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Failure(f"--filter: not valid JSON ({exc})", EXIT_USAGE) from None


def _confirmed(question: str) -> bool:
    print(f"{question} [y/N] ", end="", flush=True, file=sys.stderr)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _purge(args: argparse.Namespace) -> int:
    def body() -> int:
        cutoff = datetime.now(timezone.utc) - args.older_than
        document = _filter(args.filter)
        before = {"createdAt": {"$lt": format_timestamp(cutoff)}}
        selection = before if document is None else {"$and": [document, before]}
        with opened(args.store, create=False) as store:
            matching = store.count(selection, search=args.search)
            where = f"created before {format_timestamp(cutoff)} in {redacted(args.store)}"
            if args.dry_run:
                print(f"{matching} record(s) {where} would be deleted")
                return 0
            if matching and not args.yes:
                if not sys.stdin.isatty():
                    raise Failure(
                        f"{matching} record(s) {where} would be deleted; "
                        "pass --yes to delete them without asking",
                        EXIT_USAGE,
                    )
                if not _confirmed(f"Delete {matching} record(s) {where}?"):
                    print("nothing deleted", file=sys.stderr)
                    return 1
            deleted = store.purge(
                cutoff, filter=document, search=args.search, batch_size=args.batch_size
            )
        print(f"deleted {deleted} record(s) {where}")
        return 0

    return run("purge", body)


def register(subparsers: Any) -> None:
    """Add ``purge`` to the command line."""
    purge = subparsers.add_parser(
        "purge",
        help="delete records older than a duration, in batches",
        description=(
            "Delete the records created more than a duration ago (and matching --filter and "
            "--search), in short batches that never hold writers for long. Asks first on a "
            "terminal; elsewhere needs --yes."
        ),
    )
    add_store_option(purge)
    purge.add_argument(
        "--older-than",
        required=True,
        type=parse_duration,
        metavar="DURATION",
        help="the age of the records to delete: 90m, 12h, 30d, 8w",
    )
    purge.add_argument("--filter", metavar="JSON", help="only records matching this filter")
    purge.add_argument("--search", metavar="TEXT", help="only records containing this text")
    purge.add_argument(
        "--batch-size",
        type=_batch_size,
        default=DEFAULT_PURGE_BATCH,
        help=f"records deleted per transaction (default: {DEFAULT_PURGE_BATCH})",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="print how many records would be deleted"
    )
    purge.add_argument("--yes", action="store_true", help="delete without asking")
    purge.set_defaults(func=_purge)
