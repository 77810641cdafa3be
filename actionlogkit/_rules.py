"""The rules every stored value keeps, written once: text, object keys, numbers, nesting depth.

The record model, the create fast path, the JSON normal form, the recorder's capture pipeline and
the query parser all ask these predicates; none of them spells a rule out again. Each rule comes
in two forms: a fast ``is_…`` test for hot paths, and a ``…_problem`` function that words what is
wrong (``None`` when nothing is), for error messages.

- Text may not contain NUL (PostgreSQL cannot store it) nor lone surrogates (not encodable as
  UTF-8).
- Object keys are non-empty text that neither contains ``.`` nor starts with ``$``, so that a
  dotted filter path names exactly one key on every backend.
- Integers lie within ±2**53 (exact as doubles everywhere); floats are finite.
- JSON values nest at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import math
import re
from typing import NoReturn

__all__ = [
    "FLOAT_RULE",
    "INTEGER_RULE",
    "LONE_SURROGATE",
    "MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "is_finite_float",
    "is_safe_integer",
    "is_storable_key",
    "is_storable_text",
    "key_problem",
    "number_problem",
    "repair_text",
    "text_problem",
    "unreachable",
]

MAX_DEPTH = 32
"""Deepest nesting of objects and arrays in a stored JSON value (the object itself is level 1)."""
MAX_SAFE_INTEGER = 2**53
"""Largest integer magnitude stored: every backend keeps integers up to it exactly."""
INTEGER_RULE = "integers must lie within ±2**53"
FLOAT_RULE = "numbers must be finite (no NaN or infinity)"

_NUL_RULE = "must not contain NUL (U+0000)"
_SURROGATE_RULE = "must not contain lone surrogates (not encodable as UTF-8)"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""Matches a lone surrogate: text holding one cannot be encoded as UTF-8."""
_SURROGATE = LONE_SURROGATE


def is_storable_text(value: str) -> bool:
    """Whether ``value`` keeps the text rule (no NUL, no lone surrogate)."""
    return "\x00" not in value and (value.isascii() or _SURROGATE.search(value) is None)


def text_problem(value: str) -> str | None:
    """What is wrong with ``value`` as stored text, or ``None`` when it is fine."""
    if "\x00" in value:
        return _NUL_RULE
    if not value.isascii() and _SURROGATE.search(value) is not None:
        return _SURROGATE_RULE
    return None


def repair_text(value: str) -> str:
    """``value`` with every NUL and lone surrogate replaced by U+FFFD, which marks where it was."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    if not value.isascii() and _SURROGATE.search(value) is not None:
        value = _SURROGATE.sub("\ufffd", value)
    return value


def is_storable_key(key: object) -> bool:
    """Whether ``key`` keeps the object-key rule (text, non-empty, no ``.``, no leading ``$``)."""
    return (
        type(key) is str
        and bool(key)
        and "." not in key
        and key[0] != "$"
        and is_storable_text(key)
    )


def key_problem(key: str) -> str | None:
    """What is wrong with ``key`` as an object key, or ``None`` when it is fine."""
    if not key:
        return "keys must not be empty"
    if "." in key:
        return f"key {key!r} must not contain '.'"
    if key[0] == "$":
        return f"key {key!r} must not start with '$'"
    problem = text_problem(key)
    return f"key {key[:40]!r} {problem}" if problem else None


def is_safe_integer(value: int) -> bool:
    """Whether the integer ``value`` lies within ±2**53."""
    return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER


def is_finite_float(value: float) -> bool:
    """Whether the float ``value`` is neither NaN nor infinite."""
    return math.isfinite(value)


def number_problem(value: int | float) -> str | None:
    """What is wrong with a number (not a boolean) as a stored value, or ``None``."""
    if isinstance(value, float):
        return None if math.isfinite(value) else FLOAT_RULE
    return None if is_safe_integer(value) else INTEGER_RULE


def unreachable(value: NoReturn) -> NoReturn:
    """Mark the end of an exhaustive dispatch: the type checker proves no case is left.

    Called with what is left after every case of a closed set (the query AST's nodes, the
    operators) is handled; ``mypy`` reports the call if a case is missing.
    """
    raise AssertionError(f"unhandled case: {value!r}")
