"""Operands checked against their field's kind and coerced, so that backends compare like with like.

Every operand leaves here as a :data:`~actionlogkit.query.Scalar` of the field's type: datetimes
as UTC ``datetime``, ids lower case, enum values and text as plain ``str``, numbers finite and
integers within ±2**53, booleans only inside JSON paths. A stored value obeys the same rules
(:mod:`actionlogkit._rules`), so no backend meets an operand it cannot represent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from actionlogkit import _ids, _time
from actionlogkit._rules import INTEGER_RULE, is_safe_integer, text_problem, unreachable
from actionlogkit.errors import InvalidQuery
from actionlogkit.query._ast import Scalar
from actionlogkit.query._fields import ENUM_VALUES, FieldKind, FieldRef

__all__ = ["describe", "operand", "text"]


def describe(value: object) -> str:
    """What ``value`` is, in the words of the query language's error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def operand(field: FieldRef, value: object, place: str) -> Scalar:
    """Check ``value`` against the field's kind and return it coerced; ``None`` passes."""
    if value is None:
        return None
    kind = field.kind
    match kind:
        case FieldKind.JSON:
            if isinstance(value, (Mapping, list, tuple)):
                raise InvalidQuery.at(place, "objects and arrays are not allowed as operands")
            if isinstance(value, (str, bool, int, float)):
                return _json_scalar(value, place)
            raise InvalidQuery.at(place, f"expected a JSON scalar, got {describe(value)}")
        case FieldKind.STRING:
            if isinstance(value, str):
                return text(value, place)
            raise InvalidQuery.at(place, f"expected text, got {describe(value)}")
        case FieldKind.ENUM:
            allowed = ENUM_VALUES[field.name]
            if isinstance(value, str) and value in allowed:
                return str.__str__(value)
            raise InvalidQuery.at(place, "expected one of " + ", ".join(repr(v) for v in allowed))
        case FieldKind.ID:
            if isinstance(value, str) and _ids.is_valid_id(value.lower()):
                return value.lower()
            raise InvalidQuery.at(place, "expected a record id (24 hexadecimal characters)")
        case FieldKind.INTEGER | FieldKind.NUMBER:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return _number(value, place)
            raise InvalidQuery.at(place, f"expected a number, got {describe(value)}")
        case FieldKind.DATETIME:
            if isinstance(value, datetime):
                return _time.to_timestamp(value)
            if isinstance(value, str):
                try:
                    return _time.parse_timestamp(value)
                except ValueError:
                    pass
            raise InvalidQuery.at(
                place, "expected an ISO 8601 date-time such as 2023-01-15T08:00:00Z"
            )
        case _:
            unreachable(kind)


def text(value: str, place: str) -> str:
    """``value`` as plain ``str`` if it keeps the text rule, else ``InvalidQuery`` at ``place``."""
    problem = text_problem(value)
    if problem:
        raise InvalidQuery.at(place, f"text {problem}")
    return str.__str__(value)


def _json_scalar(value: str | bool | int | float, place: str) -> Scalar:
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return text(value, place)
    return _number(value, place)


def _number(value: int | float, place: str) -> int | float:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidQuery.at(place, "numbers must be finite")
        return float(value)
    if not is_safe_integer(value):
        raise InvalidQuery.at(place, INTEGER_RULE)
    return int(value)
