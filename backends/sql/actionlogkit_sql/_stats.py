"""The stats statement: one grouped query that computes every figure of ``Store.stats`` in SQL.

Both engines group by the ``by`` columns and the time bucket, count, and take ``min``, ``max`` and
the mean of ``execution_time`` (which skip nulls). The percentiles are the nearest rank, the
⌈p·n/100⌉-th smallest of the n times of a group:

- PostgreSQL: ``percentile_disc``, which is exactly that rank, called once with the three
  fractions so that each group is sorted once;
  the bucket is ``date_bin`` from the Unix epoch (PostgreSQL 14 or later).
- SQLite has no ``percentile_disc``: a window numbers each group's times in order
  (``row_number``) and counts them, and the grouped query keeps the value whose number is the
  rank, computed in integers; the bucket is ``created_at`` (epoch milliseconds) rounded down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Table,
    case,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from actionlogkit.models import Status
from actionlogkit.stats import (
    LARGE_TIME,
    LARGE_TIME_SCALE,
    PERCENTILES,
    StatsQuery,
    StatsRow,
    mean_time,
)
from actionlogkit_sql._compiler import QueryCompiler
from actionlogkit_sql._types import from_epoch_ms, utc

__all__ = ["stats_rows", "stats_statement"]

_FAILED = Status.FAILED.value


def _raw(value: ColumnElement[Any]) -> ColumnElement[Any]:
    # Read as the driver gives it: stats_rows converts.
    return type_coerce(value, NullType())


def _bucket(table: Table, postgresql: bool, interval_ms: int) -> ColumnElement[Any]:
    # interval_ms is one of the core's four fixed lengths, never a caller's text.
    if postgresql:
        return func.date_bin(
            literal_column(f"INTERVAL '{interval_ms} milliseconds'"),
            table.c.created_at,
            literal_column("TIMESTAMPTZ '1970-01-01 00:00:00+00'"),
        )
    created = _raw(table.c.created_at)
    step: ColumnElement[Any] = literal_column(str(interval_ms))
    # % keeps the sign of the dividend: made non-negative, so that times before 1970 round down.
    return created - ((created % step) + step) % step


def stats_statement(
    table: Table, compiler: QueryCompiler, postgresql: bool, query: StatsQuery, indexed: bool
) -> Select[Any]:
    """The statement whose rows :func:`stats_rows` reads; ``indexed``: use the search index."""
    keys: list[ColumnElement[Any]] = [_raw(table.c[field.attribute]) for field in query.by]
    if query.interval_ms is not None:
        keys.append(_bucket(table, postgresql, query.interval_ms))
    condition = compiler.where(query.filter, query.search, indexed=indexed)
    where: ColumnElement[bool] | None = condition
    status: ColumnElement[Any]
    retries: ColumnElement[Any]
    time: ColumnElement[Any]
    if postgresql:
        source: Any = table
        status, retries, time = table.c.status, table.c.retry_count, table.c.execution_time
        grouped = keys
        # One call with every fraction: one sort per group (three calls sort three times).
        fractions = ", ".join(str(percent / 100) for percent in PERCENTILES)
        percentiles = [
            func.percentile_disc(literal_column(f"ARRAY[{fractions}]"))
            .within_group(time)
            .label("percentiles")
        ]
    else:
        partition = keys or None
        numbered = (
            select(
                *(key.label(f"k{i}") for i, key in enumerate(keys)),
                table.c.status,
                table.c.retry_count,
                table.c.execution_time,
                func.row_number()
                .over(partition_by=partition, order_by=table.c.execution_time.asc().nulls_last())
                .label("rank"),
                func.count(table.c.execution_time).over(partition_by=partition).label("timed"),
            )
            .where(condition)
            .subquery("numbered")
        )
        source = numbered
        status, retries, time = numbered.c.status, numbered.c.retry_count, numbered.c.execution_time
        grouped = [numbered.c[f"k{i}"] for i in range(len(keys))]
        # The filter went into the numbered subquery.
        where = None
        percentiles = [
            func.max(
                case(
                    (numbered.c.rank == (numbered.c.timed * percent + 99) // 100, time),
                )
            ).label(f"p{percent}")
            for percent in PERCENTILES
        ]
    statement = (
        select(
            *grouped,
            func.count().label("count"),
            func.sum(case((status == _FAILED, 1), else_=0)).label("failed"),
            func.sum(case((retries > 0, 1), else_=0)).label("retried"),
            func.min(time),
            func.max(time),
            # The mean from two sums that cannot overflow (see LARGE_TIME): PostgreSQL's avg
            # raises on overflow, SQLite's gives infinity.
            func.sum(case((time < literal(LARGE_TIME, Float), time))),
            func.sum(case((time >= literal(LARGE_TIME, Float), time * LARGE_TIME_SCALE))),
            func.count(time),
            *percentiles,
        )
        .select_from(source)
        .group_by(*grouped)
        # Without grouping columns an empty input still makes one row: no match, no group.
        .having(func.count() > 0)
        .limit(query.limit)
    )
    return statement if where is None else statement.where(where)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def stats_rows(
    rows: Sequence[Sequence[Any]], query: StatsQuery, postgresql: bool
) -> list[StatsRow]:
    """The statement's rows as the core's :class:`StatsRow`."""
    width = len(query.by)
    bucketed = query.interval_ms is not None
    found = []
    for row in rows:
        bucket = None
        if bucketed:
            raw = row[width]
            bucket = utc(raw) if postgresql else from_epoch_ms(int(raw))
        figures = row[width + (1 if bucketed else 0) :]
        count, failed, retried = (int(value) for value in figures[:3])
        low, high, small, large, timed = figures[3:8]
        times = [_float(low), _float(high), mean_time(_float(small), _float(large), int(timed))]
        ranked = figures[8] if postgresql else figures[8:]
        times += [_float(value) for value in (ranked or [None] * len(PERCENTILES))]
        found.append(
            StatsRow(
                tuple(str(value) for value in row[:width]),
                bucket,
                count,
                failed,
                retried,
                *times,
            )
        )
    return found
