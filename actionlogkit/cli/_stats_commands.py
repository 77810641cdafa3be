"""The aggregate commands of the command line: ``stats`` and ``count``.

Both read only: they open the store with ``create=False``. Exit codes and errors as ``_common``
says.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from actionlogkit._text_table import text_table
from actionlogkit._time import format_timestamp
from actionlogkit.cli._common import add_query_options, add_store_option, opened, run
from actionlogkit.stats import DEFAULT_STATS_BY, INTERVALS, STATS_FIELDS, Stats, StatsGroup

__all__ = ["register"]

_TIME_FIGURES = ("min", "avg", "p50", "p95", "p99", "max")


def _by(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",")) if text.strip() else ()


def _rate(group: StatsGroup) -> float:
    return round(100 * group.failed / group.count, 1)


def _row(group: StatsGroup, bucketed: bool) -> list[object]:
    times = group.execution_time
    figures: list[object] = [
        None if times is None else round(getattr(times, name), 2) for name in _TIME_FIGURES
    ]
    bucket: list[object] = [format_timestamp(group.bucket)] if bucketed and group.bucket else []
    return [
        *bucket,
        *group.key.values(),
        group.count,
        group.failed,
        _rate(group),
        group.retried,
        *figures,
    ]


def stats_table(stats: Stats, by: tuple[str, ...], bucketed: bool) -> list[str]:
    """The lines of the stats table: one row per group, times in milliseconds."""
    headers = [
        *(["bucket"] if bucketed else []),
        *by,
        "count",
        "failed",
        "failed %",
        "retried",
        *(f"{name} ms" for name in _TIME_FIGURES),
    ]
    rows = [_row(group, bucketed) for group in stats.groups]
    return text_table(headers, rows, none="-")


def _summary(stats: Stats) -> str:
    if not stats.groups:
        return "no records match"
    records = sum(group.count for group in stats.groups)
    groups = len(stats.groups)
    return f"{groups} group{'s' * (groups != 1)}, {records} record{'s' * (records != 1)}"


def _stats(args: argparse.Namespace) -> int:
    def body() -> int:
        by = _by(args.by)
        with opened(args.store, create=False) as store:
            stats = store.stats(args.filter, search=args.search, by=by, interval=args.interval)
        if args.json:
            for group in stats.groups:
                print(json.dumps(group.model_dump(mode="json", by_alias=True), ensure_ascii=False))
            print(_summary(stats), file=sys.stderr)
            return 0
        if stats.groups:
            print("\n".join(stats_table(stats, by, args.interval is not None)))
        print(_summary(stats))
        return 0

    return run("stats", body)


def _count(args: argparse.Namespace) -> int:
    def body() -> int:
        with opened(args.store, create=False) as store:
            print(store.count(args.filter, search=args.search))
        return 0

    return run("count", body)


def register(subparsers: Any) -> None:
    """Add ``stats`` and ``count`` to the command line."""
    stats = subparsers.add_parser(
        "stats",
        help="counts, failures and latency percentiles per group",
        description=(
            "Print, for each group of the matching records (per --by fields and --interval "
            "bucket), the count, failures, failure rate, retried calls and executionTime's "
            "min, avg, nearest-rank p50, p95, p99 and max in milliseconds."
        ),
    )
    add_store_option(stats)
    stats.add_argument(
        "--by",
        metavar="FIELDS",
        default=",".join(DEFAULT_STATS_BY),
        help=(
            f"fields to group by, separated by commas: {', '.join(STATS_FIELDS)}; '' for one "
            f"group (default: {','.join(DEFAULT_STATS_BY)})"
        ),
    )
    stats.add_argument(
        "--interval",
        choices=tuple(INTERVALS),
        help="also group by UTC time buckets of createdAt (default: none)",
    )
    add_query_options(stats)
    stats.add_argument(
        "--json",
        action="store_true",
        help="print one JSON group per line on stdout, the summary on stderr",
    )
    stats.set_defaults(func=_stats)

    count = subparsers.add_parser(
        "count",
        help="count the records matching a query",
        description="Print how many records match the filter and search.",
    )
    add_store_option(count)
    add_query_options(count)
    count.set_defaults(func=_count)
