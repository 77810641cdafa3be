"""The meaning of ``Store.stats`` in plain Python, apart from any store, and comparing with it.

Written from ``docs/stores.md`` alone, in exact arithmetic (fractions for ranks, integers for
times), so that it shares no code and no rounding with the stores it checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

from actionlogkit.models import ActionLog
from actionlogkit.stats import Stats

__all__ = ["assert_same_stats", "expected_stats"]

_INTERVAL_SECONDS = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_AVG_TOLERANCE = 1e-9


def _bucket(created_at: datetime, interval: str) -> datetime:
    length = timedelta(seconds=_INTERVAL_SECONDS[interval])
    return _EPOCH + (created_at - _EPOCH) // length * length


def _percentile(times: Sequence[float], percent: int) -> float:
    rank = math.ceil(Fraction(percent, 100) * len(times))
    return sorted(times)[rank - 1]


def _json_value(record: ActionLog, name: str) -> str:
    value: Any = record.model_dump(mode="json", by_alias=True)[name]
    return str(value)


def expected_stats(
    records: Iterable[ActionLog], by: Sequence[str], interval: str | None
) -> list[dict[str, Any]]:
    """The groups ``stats`` must give for ``records`` (already filtered), as JSON-like dicts."""
    groups: dict[tuple[Any, ...], list[ActionLog]] = {}
    for record in records:
        bucket = None if interval is None else _bucket(record.created_at, interval)
        values = tuple(_json_value(record, name) for name in by)
        groups.setdefault((bucket is not None, bucket or _EPOCH, values), []).append(record)
    expected = []
    for bucket_set, bucket, values in sorted(groups):
        members = groups[bucket_set, bucket, values]
        times = [r.execution_time for r in members if r.execution_time is not None]
        expected.append(
            {
                "key": dict(zip(by, values, strict=True)),
                "bucket": bucket if bucket_set else None,
                "count": len(members),
                "failed": sum(r.status.value == "failed" for r in members),
                "retried": sum(r.retry_count > 0 for r in members),
                "executionTime": None
                if not times
                else {
                    "min": min(times),
                    "max": max(times),
                    "avg": float(sum(Fraction(t) for t in times) / len(times)),
                    "p50": _percentile(times, 50),
                    "p95": _percentile(times, 95),
                    "p99": _percentile(times, 99),
                },
            }
        )
    return expected


def _comparable(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups with ``avg`` set apart: it may differ in the last digits (summation order)."""
    return [
        {
            **group,
            "executionTime": group["executionTime"]
            and {k: v for k, v in group["executionTime"].items() if k != "avg"},
        }
        for group in groups
    ]


def assert_same_stats(actual: Stats, expected: list[dict[str, Any]], context: str = "") -> None:
    """Assert ``actual`` is ``expected``: every figure exact, ``avg`` within a relative 1e-9."""
    found: list[dict[str, Any]] = [
        {
            "key": group.key,
            "bucket": group.bucket,
            "count": group.count,
            "failed": group.failed,
            "retried": group.retried,
            "executionTime": None
            if group.execution_time is None
            else group.execution_time.model_dump(),
        }
        for group in actual.groups
    ]
    assert _comparable(found) == _comparable(expected), context
    for have, want in zip(found, expected, strict=True):
        have_times: Any = have["executionTime"]
        want_times: Any = want["executionTime"]
        if want_times is not None:
            assert math.isclose(
                have_times["avg"],
                want_times["avg"],
                rel_tol=_AVG_TOLERANCE,
                abs_tol=1e-12,
            ), context
