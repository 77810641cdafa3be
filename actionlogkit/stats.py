"""Aggregates of the records matching a query: ``Store.stats`` and what it returns.

:func:`parse_stats` checks a caller's ``by``, ``interval``, filter and search once, into a
:class:`StatsQuery` that every backend answers with rows (:class:`StatsRow`): one for each
distinct combination of the ``by`` fields and, with an interval, each UTC time bucket of
``createdAt``. :func:`build_stats` turns those rows into :class:`Stats`, in the documented order
(bucket, then the ``by`` values ascending by code point), refusing more than
:data:`MAX_STATS_GROUPS` groups.

The meaning, written once (``docs/stores.md``): ``count`` is the group's records, ``failed`` those
with status ``failed``, ``retried`` those with ``retryCount > 0``; ``executionTime`` summarises the
records of the group that have one: ``min``, ``max``, ``avg`` and the nearest-rank percentiles,
the ⌈p·n/100⌉-th smallest of the n values (:func:`nearest_rank`). :func:`reference_rows` is that
meaning in plain Python, over records in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from actionlogkit.errors import InvalidQuery
from actionlogkit.models import ActionLog, Status, Timestamp
from actionlogkit.query import TOP_LEVEL_FIELDS, FieldRef, Node, parse_filter, parse_search

__all__ = [
    "DEFAULT_STATS_BY",
    "INTERVALS",
    "LARGE_TIME",
    "LARGE_TIME_SCALE",
    "MAX_STATS_GROUPS",
    "PERCENTILES",
    "STATS_FIELDS",
    "ExecutionTimeStats",
    "Stats",
    "StatsGroup",
    "StatsQuery",
    "StatsRow",
    "build_stats",
    "bucket_start",
    "mean_time",
    "nearest_rank",
    "parse_stats",
    "reference_rows",
]

STATS_FIELDS: tuple[str, ...] = ("integrationId", "actionType", "entityType", "status")
"""The fields ``by`` may name (wire names)."""
DEFAULT_STATS_BY: tuple[str, ...] = ("integrationId", "status")
INTERVALS: dict[str, int] = {"1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000}
"""The time buckets ``interval`` may name, and their length in milliseconds."""
MAX_STATS_GROUPS = 10_000
"""The most groups one query may give; more is :class:`InvalidQuery`."""
PERCENTILES: tuple[int, ...] = (50, 95, 99)
"""The percentiles of ``executionTime``, as whole percents."""
LARGE_TIME = 2.0**960
"""Times from here up are summed apart, scaled by :data:`LARGE_TIME_SCALE`.

A plain sum of a few times near the largest float overflows (PostgreSQL then raises, SQLite and
MongoDB give infinity). Below ``LARGE_TIME`` no realistic count of times can overflow the sum,
and above it scaling by a power of two is exact; :func:`mean_time` joins the two sums.
"""
LARGE_TIME_SCALE = 2.0**-64

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MILLISECOND = timedelta(milliseconds=1)


def mean_time(small: float | None, large: float | None, timed: int) -> float | None:
    """The mean of a group's ``timed`` times from its two sums (see :data:`LARGE_TIME`).

    ``small`` sums the times under ``LARGE_TIME``, ``large`` the others times
    ``LARGE_TIME_SCALE``; ``None`` when no record of the group is timed.
    """
    if not timed:
        return None
    mean = (small or 0.0) / timed
    if large:
        mean += (large / timed) / LARGE_TIME_SCALE
    return mean


def nearest_rank(percent: int, n: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``n`` sorted values: ⌈p·n/100⌉.

    In integers, so that no rounding can move it; 0 when ``n`` is 0.
    """
    return (percent * n + 99) // 100


def bucket_start(created_at: datetime, interval_ms: int) -> datetime:
    """The start of the UTC bucket of ``interval_ms`` milliseconds holding ``created_at``."""
    ms = (created_at - _EPOCH) // _MILLISECOND
    return _EPOCH + timedelta(milliseconds=ms - ms % interval_ms)


@dataclass(frozen=True)
class StatsQuery:
    """A validated stats query, as every backend receives it."""

    filter: Node | None
    search: str | None
    """The folded search term, or ``None``."""
    by: tuple[FieldRef, ...]
    """The grouping fields, in the caller's order: a subset of :data:`STATS_FIELDS`."""
    interval_ms: int | None
    """The length of a time bucket in milliseconds, or ``None`` for no buckets."""
    limit: int = MAX_STATS_GROUPS + 1
    """A backend returns at most this many rows: one more than allowed tells there are too many."""


class StatsRow(NamedTuple):
    """One group as a backend computes it; ``None`` time figures when no record has a time."""

    values: tuple[str, ...]
    """The ``by`` fields' values, in ``StatsQuery.by`` order."""
    bucket: datetime | None
    total: int
    """The group's records (``count`` in :class:`StatsGroup`)."""
    failed: int
    retried: int
    min: float | None
    max: float | None
    avg: float | None
    p50: float | None
    p95: float | None
    p99: float | None


_CONFIG = ConfigDict(alias_generator=to_camel, validate_by_name=True, frozen=True)


class ExecutionTimeStats(BaseModel):
    """``executionTime`` over the records of a group that have one, in milliseconds."""

    model_config = _CONFIG

    min: float
    max: float
    avg: float = Field(description="The mean; may differ between backends in the last digits")
    p50: float = Field(description="The nearest-rank 50th percentile: the ⌈n/2⌉-th smallest")
    p95: float = Field(description="The nearest-rank 95th percentile: the ⌈0.95·n⌉-th smallest")
    p99: float = Field(description="The nearest-rank 99th percentile: the ⌈0.99·n⌉-th smallest")


class StatsGroup(BaseModel):
    """The figures of one group: one combination of the ``by`` values, and one time bucket."""

    model_config = _CONFIG

    key: dict[str, str] = Field(
        description="Each grouping field's name (as in the record's JSON) to its value",
        examples=[{"integrationId": "shop-1", "status": "failed"}],
    )
    bucket: Timestamp | None = Field(
        description="The start of the UTC time bucket; null without an interval"
    )
    count: int = Field(description="Records in the group")
    failed: int = Field(description="Records with status failed")
    retried: int = Field(description="Records with retryCount > 0")
    execution_time: ExecutionTimeStats | None = Field(
        description="executionTime of the records that have one; null when none has"
    )


class Stats(BaseModel):
    """What ``Store.stats`` returns: the groups, ordered by bucket, then the ``by`` values."""

    model_config = _CONFIG

    groups: list[StatsGroup]


def _by_fields(by: object) -> tuple[FieldRef, ...]:
    if isinstance(by, (str, bytes)) or not isinstance(by, Sequence):
        raise InvalidQuery.at(
            "by",
            f"expected a sequence of field names such as ('integrationId', 'status'), got "
            f"{type(by).__name__}",
        )
    fields: list[FieldRef] = []
    for name in by:
        if name not in STATS_FIELDS:
            raise InvalidQuery.at(
                "by", f"cannot group by {name!r}; fields: {', '.join(STATS_FIELDS)}"
            )
        if any(field.name == name for field in fields):
            raise InvalidQuery.at("by", f"{name} is named more than once")
        fields.append(FieldRef(name, TOP_LEVEL_FIELDS[name]))
    return tuple(fields)


def _interval_ms(interval: object) -> int | None:
    if interval is None:
        return None
    found = INTERVALS.get(interval) if isinstance(interval, str) else None
    if found is None:
        raise InvalidQuery.at(
            "interval", f"expected one of {', '.join(INTERVALS)}, or none; got {interval!r}"
        )
    return found


def parse_stats(
    filter: Mapping[str, Any] | str | None,
    *,
    search: str | None,
    by: Sequence[str],
    interval: str | None,
) -> StatsQuery:
    """Check a caller's stats query; raise :class:`InvalidQuery` naming the bad parameter."""
    return StatsQuery(
        filter=parse_filter(filter),
        search=parse_search(search),
        by=_by_fields(by),
        interval_ms=_interval_ms(interval),
    )


def _order(row: StatsRow) -> tuple[bool, datetime, tuple[str, ...]]:
    return (row.bucket is not None, row.bucket or _EPOCH, row.values)


def _given(figure: float | None) -> float:
    if figure is None:
        raise TypeError("a backend gave a group a minimum time but not every other time figure")
    return figure


def build_stats(query: StatsQuery, rows: Iterable[StatsRow]) -> Stats:
    """The :class:`Stats` of a backend's rows, in order; too many rows is :class:`InvalidQuery`."""
    found = sorted(rows, key=_order)
    if len(found) > MAX_STATS_GROUPS:
        raise InvalidQuery.at(
            "interval" if query.interval_ms is not None else "by",
            f"the query gives more than {MAX_STATS_GROUPS} groups; narrow the filter or widen "
            "the interval",
        )
    names = [field.name for field in query.by]
    groups = []
    for row in found:
        times = None
        if row.min is not None:
            times = ExecutionTimeStats.model_construct(
                min=row.min,
                max=_given(row.max),
                avg=_given(row.avg),
                p50=_given(row.p50),
                p95=_given(row.p95),
                p99=_given(row.p99),
            )
        groups.append(
            StatsGroup.model_construct(
                key=dict(zip(names, row.values, strict=True)),
                bucket=row.bucket,
                count=row.total,
                failed=row.failed,
                retried=row.retried,
                execution_time=times,
            )
        )
    return Stats.model_construct(groups=groups)


def _value(record: ActionLog, field: FieldRef) -> str:
    value = getattr(record, field.attribute)
    return str(value.value if hasattr(value, "value") else value)


def reference_rows(query: StatsQuery, records: Iterable[ActionLog]) -> list[StatsRow]:
    """The rows of ``query`` over records already matching its filter and search, in Python."""
    members: dict[tuple[tuple[str, ...], datetime | None], list[ActionLog]] = {}
    for record in records:
        bucket = (
            None
            if query.interval_ms is None
            else bucket_start(record.created_at, query.interval_ms)
        )
        values = tuple(_value(record, field) for field in query.by)
        members.setdefault((values, bucket), []).append(record)
    rows = []
    for (values, bucket), group in members.items():
        times = sorted(r.execution_time for r in group if r.execution_time is not None)
        n = len(times)
        percentiles = [times[nearest_rank(p, n) - 1] if n else None for p in PERCENTILES]
        rows.append(
            StatsRow(
                values,
                bucket,
                len(group),
                sum(r.status is Status.FAILED for r in group),
                sum(r.retry_count > 0 for r in group),
                times[0] if n else None,
                times[-1] if n else None,
                mean_time(
                    sum(t for t in times if t < LARGE_TIME),
                    sum(t * LARGE_TIME_SCALE for t in times if t >= LARGE_TIME),
                    n,
                ),
                *percentiles,
            )
        )
    return rows
