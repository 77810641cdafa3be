"""Operands checked against their field's kind and coerced, so that backends compare like with like.

Every operand leaves here as a :data:`~actionlogkit.query.Scalar` of the field's type: datetimes
as UTC ``datetime``, ids lower case, enum values and text as plain ``str``, numbers finite and
integers within ±2**53, booleans only inside JSON paths. Equality operands of JSON fields may
also be arrays and objects (:func:`value`): they leave as plain lists and dicts in the stored
normal form, object keys sorted by code point. A stored value obeys the same rules
(:mod:`actionlogkit._rules`), so no backend meets an operand it cannot represent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from actionlogkit import _ids, _time
from actionlogkit._rules import (
    INTEGER_RULE,
    is_safe_integer,
    key_problem,
    text_problem,
    unreachable,
)
from actionlogkit.errors import InvalidQuery
from actionlogkit.query._ast import Scalar, Value
from actionlogkit.query._fields import ENUM_VALUES, FieldKind, FieldRef

__all__ = ["describe", "operand", "text", "value"]


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
        case FieldKind.JSON | FieldKind.ELEMENT:
            if isinstance(value, (Mapping, list, tuple)):
                raise InvalidQuery.at(
                    place, "expected a JSON scalar (this operator compares scalars)"
                )
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


def value(field: FieldRef, given: object, place: str) -> Value:
    """An equality operand: :func:`operand`, and for JSON fields also an array or an object.

    Arrays and objects are copied into the stored normal form, object keys sorted by code point;
    an object key must be one a stored object may have (not empty, no ``.``, no leading ``$``).
    """
    if isinstance(given, (Mapping, list, tuple)):
        if not field.is_json:
            raise InvalidQuery.at(
                place, f"{field.name} takes a single value; arrays and objects only match JSON"
            )
        return _container(given, place)
    return operand(field, given, place)


def _container(given: object, place: str) -> Value:
    if isinstance(given, Mapping):
        result: dict[str, Value] = {}
        for key in sorted(given, key=_sort_key):
            if not isinstance(key, str):
                raise InvalidQuery.at(place, f"object keys must be text, got {describe(key)}")
            problem = key_problem(key)
            if problem:
                raise InvalidQuery.at(place, f"an object operand's {problem}")
            result[str.__str__(key)] = _container(given[key], f"{place}.{key}")
        return result
    if isinstance(given, (list, tuple)):
        return [_container(item, f"{place}[{i}]") for i, item in enumerate(given)]
    if given is None:
        return None
    if isinstance(given, (str, bool, int, float)):
        scalar = _json_scalar(given, place)
        # -0.0 is stored as 0.0 (see actionlogkit._json).
        return scalar + 0.0 if isinstance(scalar, float) else scalar
    raise InvalidQuery.at(place, f"expected a JSON value, got {describe(given)}")


def _sort_key(key: object) -> tuple[int, str]:
    # Keys that are not text are refused in the loop; they only need to sort without error.
    return (0, key) if isinstance(key, str) else (1, repr(key))
