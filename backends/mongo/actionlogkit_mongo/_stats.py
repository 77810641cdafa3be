"""The stats pipeline: ``Store.stats`` as one MongoDB aggregation, every figure computed there.

After ``$match`` (the compiled filter and search), a ``$setWindowFields`` stage partitions the
documents by the ``by`` fields and the time bucket, sorts each partition by ``executionTime`` and
numbers the documents (``$documentNumber``), and counts the partition's documents and its times.
The ``$group`` stage then counts, sums and takes ``$min``, ``$max`` and ``$avg`` (which skip
nulls), and keeps as each percentile the time whose number is its nearest rank, the
⌈p·n/100⌉-th smallest of the n times: exact, where ``$percentile`` is approximate. Nulls sort
before numbers, so a time's rank among the times is its number less the partition's untimed
documents. The bucket is ``createdAt`` in epoch milliseconds rounded down to the interval
(``$mod`` keeps the sign of the dividend; made non-negative so that dates before 1970 round
down). Needs MongoDB 5.0 or later (``$setWindowFields``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from actionlogkit.models import Status
from actionlogkit.stats import (
    LARGE_TIME,
    LARGE_TIME_SCALE,
    PERCENTILES,
    StatsQuery,
    StatsRow,
    mean_time,
)

__all__ = ["stats_pipeline", "stats_rows"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
Stage = dict[str, Any]


def _bucket(interval_ms: int) -> dict[str, Any]:
    ms = {"$toLong": "$createdAt"}
    below = {"$mod": [{"$add": [{"$mod": [ms, interval_ms]}, interval_ms]}, interval_ms]}
    return {"$subtract": [ms, below]}


def _rank(percent: int) -> dict[str, Any]:
    # 100·k/100 is exact in doubles and p·n/100 lies at least 0.01 from an integer otherwise:
    # $ceil gives the exact rank.
    return {"$ceil": {"$divide": [{"$multiply": ["$timed", percent]}, 100]}}


def stats_pipeline(match: dict[str, Any], query: StatsQuery) -> list[Stage]:
    """The aggregation pipeline whose results :func:`stats_rows` reads."""
    keys: dict[str, Any] = {f"k{i}": f"${field.name}" for i, field in enumerate(query.by)}
    if query.interval_ms is not None:
        keys["b"] = _bucket(query.interval_ms)
    timed = {"$cond": [{"$eq": ["$executionTime", None]}, 0, 1]}
    window: dict[str, Any] = {
        "sortBy": {"executionTime": 1},
        "output": {
            "number": {"$documentNumber": {}},
            "untimed": {
                "$sum": {"$subtract": [1, timed]},
                "window": {"documents": ["unbounded", "unbounded"]},
            },
            "timed": {"$sum": timed, "window": {"documents": ["unbounded", "unbounded"]}},
        },
    }
    stages: list[Stage] = [{"$match": match}]
    if keys:
        stages.append({"$addFields": {"_key": keys}})
        window["partitionBy"] = "$_key"
    stages.append({"$setWindowFields": window})
    rank = {"$subtract": ["$number", "$untimed"]}
    group: dict[str, Any] = {
        "_id": "$_key" if keys else None,
        "count": {"$sum": 1},
        "failed": {"$sum": {"$cond": [{"$eq": ["$status", Status.FAILED.value]}, 1, 0]}},
        "retried": {"$sum": {"$cond": [{"$gt": ["$retryCount", 0]}, 1, 0]}},
        "min": {"$min": "$executionTime"},
        "max": {"$max": "$executionTime"},
        # The mean from two sums that cannot overflow (see LARGE_TIME); a null time is
        # below any number in MongoDB's order, and $sum skips it.
        "small": {
            "$sum": {"$cond": [{"$lt": ["$executionTime", LARGE_TIME]}, "$executionTime", 0]}
        },
        "large": {
            "$sum": {
                "$cond": [
                    {"$gte": ["$executionTime", LARGE_TIME]},
                    {"$multiply": ["$executionTime", LARGE_TIME_SCALE]},
                    0,
                ]
            }
        },
        "timed": {"$max": "$timed"},
    }
    for percent in PERCENTILES:
        hit = {"$and": [{"$eq": [rank, _rank(percent)]}, {"$ne": ["$executionTime", None]}]}
        group[f"p{percent}"] = {"$max": {"$cond": [hit, "$executionTime", None]}}
    stages.append({"$group": group})
    stages.append({"$limit": query.limit})
    return stages


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def stats_rows(results: list[dict[str, Any]], query: StatsQuery) -> list[StatsRow]:
    """The pipeline's results as the core's :class:`StatsRow`."""
    rows = []
    for result in results:
        if not result["count"]:
            continue  # MongoDB groups nothing into nothing; some imitations make a group of it
        key = result["_id"] or {}
        bucket = None
        if query.interval_ms is not None:
            bucket = _EPOCH + timedelta(milliseconds=int(key["b"]))
        rows.append(
            StatsRow(
                tuple(str(key[f"k{i}"]) for i in range(len(query.by))),
                bucket,
                int(result["count"]),
                int(result["failed"]),
                int(result["retried"]),
                _float(result["min"]),
                _float(result["max"]),
                mean_time(
                    _float(result["small"]), _float(result["large"]), int(result["timed"] or 0)
                ),
                *(_float(result[f"p{percent}"]) for percent in PERCENTILES),
            )
        )
    return rows
