"""The JSON that ``payload``, ``response`` and ``metadata`` may hold, the same on every backend.

Values are ``None``, booleans, integers within ±2**53 (exact as doubles everywhere), finite floats,
text, lists and objects. A float ``-0.0`` is kept as ``0.0``: PostgreSQL's ``jsonb`` has no
negative zero, so no backend keeps one. Text and keys may not contain NUL (PostgreSQL cannot store
it) or lone surrogates (not encodable as UTF-8). Object keys are non-empty and may neither contain
``.`` nor start with ``$``, so a dotted filter path names exactly one key on every backend.
"""

from __future__ import annotations

import json
import math
from typing import Any

from actionlogkit._rules import (
    FLOAT_RULE,
    INTEGER_RULE,
    LONE_SURROGATE,
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    is_safe_integer,
    is_storable_key,
    is_storable_text,
    key_problem,
    text_problem,
)

__all__ = [
    "JsonError",
    "is_plain_json_object",
    "loads_strict",
    "normal_json_object",
]


class JsonError(ValueError):
    """A value that is not storable JSON; ``path`` is where, relative to the checked object."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _copy(value: Any, path: str, depth: int) -> Any:
    kind = type(value)
    if kind is str:
        problem = text_problem(value)
        if problem:
            raise JsonError(path, problem)
        return value
    if kind is int:
        if is_safe_integer(value):
            return value
        raise JsonError(path, INTEGER_RULE)
    if kind is float:
        if math.isfinite(value):
            return value + 0.0  # -0.0 becomes 0.0
        raise JsonError(path, FLOAT_RULE)
    if value is None or kind is bool:
        return value
    if depth >= MAX_DEPTH:
        raise JsonError(path, f"nested deeper than {MAX_DEPTH} levels")
    if kind is dict:
        return _copy_object(value, path, depth + 1)
    if kind is list:
        return [_copy(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    # Subclasses of the JSON types (str enums, IntEnum, OrderedDict) are stored as their base value.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return _copy(str.__str__(value), path, depth)
    if isinstance(value, int):
        return _copy(int(value), path, depth)
    if isinstance(value, float):
        return _copy(float(value), path, depth)
    if isinstance(value, dict):
        return _copy_object(value, path, depth + 1)
    if isinstance(value, list):
        return _copy(list(value), path, depth)
    raise JsonError(path, f"expected a JSON value, got {kind.__name__}")


def _copy_object(value: dict[Any, Any], path: str, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise JsonError(path, f"keys must be text, got {type(key).__name__}")
        problem = key_problem(key)
        if problem:
            raise JsonError(path, problem)
        result[key] = _copy(item, _join(path, key), depth)
    return result


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently keep its last value.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def loads_strict(text: str | bytes | bytearray) -> Any:
    """Parse JSON text, refusing what ``json.loads`` lets through: NaN, Infinity, repeated keys.

    Raises ``ValueError`` (also for bad syntax and encodings) or ``RecursionError`` (too deep).
    """
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


_KEYS_KEPT = 4096
_GOOD_KEYS: set[str] = set()
"""Keys already found storable: records of one kind share a few dozen keys, and a set lookup
costs a fraction of the rule's five tests (bounded, so that varied keys cannot grow it)."""


def _is_good_key(key: object) -> bool:
    if type(key) is not str:
        return False  # a subclass of str as well: the rule wants plain text
    if key in _GOOD_KEYS:
        return True
    if not is_storable_key(key):
        return False
    if len(_GOOD_KEYS) < _KEYS_KEPT:
        _GOOD_KEYS.add(key)
    return True


def _is_plain(value: Any, depth: int) -> bool:
    # The common case at the cost of a type test per value, no path bookkeeping and no new
    # objects: records are created on the callers' hot path. Anything else (a broken rule, a
    # subclass, a negative zero) is left to _copy, which normalizes or names the place.
    kind = type(value)
    if kind is str:
        return is_storable_text(value)
    if kind is int:
        return is_safe_integer(value)
    if kind is float:
        # False for NaN, the infinities and -0.0 (stored as 0.0).
        return value - value == 0.0 and (value != 0.0 or math.copysign(1.0, value) > 0)
    if kind is bool or value is None:
        return True
    if depth >= MAX_DEPTH:
        return False
    if kind is dict:
        member = depth + 1
        for key, item in value.items():
            # The set lookup first: a call fewer per key in the common case.
            if (type(key) is not str or key not in _GOOD_KEYS) and not _is_good_key(key):
                return False
            if not _is_plain_scalar(item) and not _is_plain(item, member):
                return False
        return True
    if kind is list:
        member = depth + 1
        for item in value:  # a loop: all() over a generator costs a frame per item
            if not _is_plain_scalar(item) and not _is_plain(item, member):
                return False
        return True
    return False


def _is_plain_scalar(item: Any) -> bool:
    # The commonest members (text, whole numbers, booleans, null) kept to one short call:
    # it runs for every value of every record created. False sends the item to _is_plain,
    # which decides (and names nothing: a broken rule fails there too).
    kind = type(item)
    if kind is str:
        # is_storable_text, inlined
        return "\x00" not in item and (item.isascii() or LONE_SURROGATE.search(item) is None)
    if kind is int:
        number: int = item
        return -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER
    return kind is bool or item is None


def is_plain_json_object(value: Any) -> bool:
    """Whether ``value`` is a dict already in the stored normal form: plain types, rules kept."""
    try:
        # Depth counted as the careful copy counts it: the object's own members are at 1.
        return type(value) is dict and _is_plain(value, 0)
    except RecursionError:
        return False


def normal_json_object(value: Any) -> dict[str, Any]:
    """Check that ``value`` is a storable JSON object and return it in the stored normal form.

    A plain dict already in that form is returned as it is (not copied: stores serialize or copy
    what they keep); anything else comes back as a normalized deep copy (subclasses of the JSON
    types as their plain values, ``-0.0`` as ``0.0``). Raises :class:`JsonError` naming the first
    offending place.
    """
    if is_plain_json_object(value):
        plain: dict[str, Any] = value
        return plain
    if not isinstance(value, dict):
        raise JsonError("", f"expected a JSON object, got {type(value).__name__}")
    return _copy_object(value, "", 1)
