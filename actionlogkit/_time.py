"""Timestamps as every backend keeps them: timezone-aware UTC, truncated to milliseconds."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

__all__ = ["format_timestamp", "from_seconds", "now", "parse_timestamp", "to_timestamp"]

# One grammar on every Python version (datetime.fromisoformat accepts more on 3.11 than on 3.10).
_ISO_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<off_h>\d{2}):?(?P<off_m>\d{2}))?)?"
)


def to_timestamp(value: datetime) -> datetime:
    """Return ``value`` in UTC truncated to milliseconds; a naive datetime is taken as UTC."""
    if type(value) is datetime and value.tzinfo is timezone.utc and not value.microsecond % 1000:
        return value  # already a stored timestamp: the common case
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    elif value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def from_seconds(seconds: float) -> datetime:
    """Return the stored timestamp of a :func:`time.time` reading (truncated to milliseconds).

    A third of the cost of converting and then truncating, on every record written: the whole
    milliseconds divided by 1000 are within 0.2 µs of their exact value, so the conversion's
    rounding to microseconds lands on the millisecond itself.
    """
    return datetime.fromtimestamp((seconds * 1000 // 1) / 1000, timezone.utc)


def now() -> datetime:
    """Return the current time as a stored timestamp."""
    return from_seconds(time.time())


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601 text into a stored timestamp.

    Accepts a date (``2023-01-15``, midnight) or a date-time with optional seconds, fraction and
    offset (``Z``, ``+02:00``); text without an offset is UTC. Raises ``ValueError`` otherwise.
    """
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    part = match.groupdict()
    fraction = (part["fraction"] or "0")[:6].ljust(6, "0")
    value = datetime(
        int(part["year"]),
        int(part["month"]),
        int(part["day"]),
        int(part["hour"] or 0),
        int(part["minute"] or 0),
        int(part["second"] or 0),
        int(fraction),
        tzinfo=timezone.utc,
    )
    if part["sign"]:
        offset = timedelta(hours=int(part["off_h"]), minutes=int(part["off_m"]))
        if offset >= timedelta(hours=24):
            raise ValueError(f"UTC offset out of range: {text!r}")
        try:
            value = value - offset if part["sign"] == "+" else value + offset
        except OverflowError:
            raise ValueError(f"date-time out of range: {text!r}") from None
    return to_timestamp(value)


def format_timestamp(value: datetime) -> str:
    """Format a timestamp as ISO 8601 UTC with milliseconds: ``2023-01-15T08:00:00.000Z``."""
    return to_timestamp(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")
