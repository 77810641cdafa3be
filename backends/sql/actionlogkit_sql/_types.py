"""How record values are kept in SQL: timestamps, JSON text, code-point text and search keys.

SQLite keeps timestamps as integer milliseconds since the Unix epoch (exact to compare and sort,
and it has no time zone to lose); PostgreSQL as ``timestamptz(3)``. JSON is text on SQLite and
``jsonb`` on PostgreSQL, written by :func:`json_text`. Text columns compare by code point on both
engines: SQLite's default ``BINARY`` collation does, PostgreSQL's columns are declared
``COLLATE "C"``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import BigInteger, Dialect, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "CANONICAL_JSON_FUNCTION",
    "EPOCH",
    "canonical_json",
    "canonical_json_text",
    "decode_json",
    "utc",
    "JsonDocument",
    "SearchKey",
    "UTCTimestamp",
    "code_point_text",
    "from_epoch_ms",
    "json_text",
    "to_epoch_ms",
]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MILLISECOND = timedelta(milliseconds=1)


def _encode(value: Any) -> str:
    # orjson: compact, not ASCII-escaped, floats as their shortest repr (1e+16 as Python writes
    # it), three to five times as fast as the standard library's C encoder on a record's JSON.
    # The values are in the core's normal form already (text keys, finite numbers, integers
    # within 2**53, no lone surrogates), all of which orjson writes.
    return orjson.dumps(value).decode()


# A JSON string (skipped as a whole) or a number written with a positive exponent.
_EXPONENT_NUMBER = re.compile(r'("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?e\+\d+)')


def to_epoch_ms(value: datetime) -> int:
    """Milliseconds since the epoch of a timezone-aware timestamp (exact: no float arithmetic)."""
    return (value - EPOCH) // _MILLISECOND


def from_epoch_ms(value: int) -> datetime:
    """The UTC timestamp ``value`` milliseconds after the epoch."""
    return EPOCH + timedelta(milliseconds=value)


def utc(value: datetime) -> datetime:
    """A timezone-aware datetime in :data:`datetime.timezone.utc` itself."""
    return value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)


def decode_json(text: str) -> Any:
    """Decode JSON text as :func:`json_text` writes it."""
    return orjson.loads(text)


def _as_decimal_float(match: re.Match[str]) -> str:
    number = match.group(2)
    if number is None:
        return match.group(1)
    # 1e+16 would come back from jsonb's numeric as the integer 10000000000000000; written out
    # with a fraction it comes back as a float, as it went in.
    return f"{Decimal(number):f}.0"


def json_text(value: Any, *, postgresql: bool) -> str:
    """The JSON text a record's ``payload``, ``response`` or ``metadata`` is stored as.

    Compact and not ASCII-escaped. For PostgreSQL, floats that Python writes with a positive
    exponent are written out in full, so that ``jsonb`` keeps them floats.
    """
    text = _encode(value)
    if postgresql and "e+" in text:
        text = _EXPONENT_NUMBER.sub(_as_decimal_float, text)
    return text


CANONICAL_JSON_FUNCTION = "actionlogkit_canonical_json"
"""The SQL function behind :func:`canonical_json`, registered on every SQLite connection."""


def _canonical(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        # Numbers compare by value: 1.0 is written as 1 (exactly: integral floats are whole).
        return int(value)
    if type(value) is list:
        return [_canonical(item) for item in value]
    if type(value) is dict:
        return {key: _canonical(item) for key, item in value.items()}
    return value


def canonical_json_text(value: Any) -> str:
    """One text per JSON value up to whole-value equality: keys sorted, ``1.0`` written ``1``.

    Two values are equal in the query language's sense exactly when their texts are equal:
    ``true`` stays apart from ``1``, arrays keep their order, objects lose theirs.
    """
    text: str = json.dumps(
        _canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return text


def canonical_json(text: str | None) -> str | None:
    """:func:`canonical_json_text` of stored JSON text, for SQLite (as SQL function)."""
    return None if text is None else canonical_json_text(json.loads(text))


class UTCTimestamp(TypeDecorator[datetime]):
    """A UTC timestamp to the millisecond: epoch milliseconds on SQLite, else timestamptz."""

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``timestamptz(3)`` on PostgreSQL, a 64-bit integer elsewhere."""
        if dialect.name == "postgresql":
            return TIMESTAMP(timezone=True, precision=3)
        return dialect.type_descriptor(BigInteger())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Timestamps go to SQLite as epoch milliseconds, to PostgreSQL as they are."""
        if value is None or dialect.name == "postgresql":
            return value
        return to_epoch_ms(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Whatever the engine returns becomes a datetime in :data:`datetime.timezone.utc`."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return utc(value)
        return from_epoch_ms(value)


class JsonDocument(TypeDecorator[Any]):
    """A JSON object column: ``jsonb`` on PostgreSQL, text elsewhere.

    Values are bound already encoded by :func:`json_text`; reading returns them decoded.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``jsonb`` on PostgreSQL, ``TEXT`` elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(Text())

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """The driver returns jsonb decoded; text is decoded here."""
        if isinstance(value, str):
            return decode_json(value)
        return value


class SearchKey(TypeDecorator[bytes]):
    """The UTF-8 bytes of a record's search text: NUL-separated, which PostgreSQL text refuses."""

    impl = LargeBinary
    cache_ok = True


def code_point_text(length: int | None = None) -> TypeEngine[str]:
    """Text compared and sorted by code point: SQLite's default, ``COLLATE "C"`` on PostgreSQL."""
    plain: TypeEngine[str] = String(length) if length else Text()
    exact: TypeEngine[str] = String(length, collation="C") if length else Text(collation="C")
    return plain.with_variant(exact, "postgresql")
