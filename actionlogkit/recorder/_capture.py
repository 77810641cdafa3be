"""What the recorder stores of a value: redact, then make JSON-safe, then truncate.

:class:`Capture` turns any Python value into a JSON object that every store accepts, already in
the core's normal form (the rules of ``_rules``: keys non-empty, without ``.``, not starting with
``$``; no NUL or lone surrogates; integers within ±2**53; finite floats, no ``-0.0``; at most 32
levels), and it never raises. Records are assembled from it without a second validation, so the
property tests compare its output with the core's own copy.

Redaction and conversion happen in one walk: at every mapping, dataclass or model the key is
checked first, and the value under a secret key is replaced by :data:`REDACTED` without being
looked at, so no part of it (not even its ``repr``) can reach a store. Truncation runs on the
JSON-safe result.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import math
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from actionlogkit._redaction import REDACTED, Redactor
from actionlogkit._rules import MAX_DEPTH, is_safe_integer, repair_text

__all__ = ["DEFAULT_MAX_FIELD_BYTES", "MIN_MAX_FIELD_BYTES", "Capture"]

DEFAULT_MAX_FIELD_BYTES = 64 * 1024
MIN_MAX_FIELD_BYTES = 256
"""The smallest cap: room for the truncation marker and a useful preview."""

_KEY_CACHE_SIZE = 4096


def _storable_key(key: str) -> str:
    key = repair_text(key)
    if not key:
        return "(empty)"
    # Full-width look-alikes keep such keys readable while a dotted filter path still names
    # exactly one key.
    key = key.replace(".", "\uff0e")
    if key[0] == "$":
        key = "\uff04" + key[1:]
    return key


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # beyond the interpreter's digit limit for int-to-text
        return f"<int: {value.bit_length()} bits>"


def _unserializable(value: object) -> str:
    return f"<unserializable: {type(value).__name__}>"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _room_left(value: Any, room: int) -> int:
    # An upper bound of the value's JSON size taken from ``room``, cheaper than encoding it: a
    # character takes at most 6 bytes (an escape), a number, true, false or null at most 24.
    kind = type(value)
    if kind is str:
        return room - 6 * len(value) - 2
    if kind is dict:
        room -= 2
        for key, item in value.items():
            room -= 6 * len(key) + 4
            item_kind = type(item)
            if item_kind is str:
                room -= 6 * len(item) + 2
            elif item_kind is dict or item_kind is list:
                room = _room_left(item, room)
            else:
                room -= 24
            if room < 0:
                break
        return room
    if kind is list:
        room -= 2
        for item in value:
            room = _room_left(item, room - 1)
            if room < 0:
                break
        return room
    return room - 24


def _encoded_size(value: Any) -> int:
    text = _ENCODER.encode(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class Capture:
    """One recorder's capture settings: which keys are secret, and how large a field may be."""

    def __init__(
        self,
        *,
        redactor: Redactor | None = None,
        max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    ) -> None:
        self.redactor = redactor or Redactor()
        self.max_field_bytes = max_field_bytes
        # A container with more items than this cannot fit within the cap (each item takes at
        # least two bytes of JSON), so the walk stops copying there.
        self._max_items = max(max_field_bytes // 2, 1)
        # key as given → (key as stored, whether its value is redacted)
        self._keys: dict[str, tuple[str, bool]] = {}

    # -- redaction ----------------------------------------------------------------------------

    def is_secret(self, key: str) -> bool:
        """Tell whether the value under ``key`` is redacted."""
        return self.redactor.is_secret(_storable_key(key))

    # -- JSON-safe ----------------------------------------------------------------------------

    def json_safe(self, value: Any, depth: int = 1) -> Any:
        """Return ``value`` as storable JSON, secrets redacted; never raises.

        ``depth`` is the nesting level ``value`` will sit at (1: it is a field of the record).
        """
        try:
            return self._safe(value, depth, set())
        except RecursionError:
            return "<unserializable: nested too deeply>"
        except Exception:  # user objects may raise anything while being read
            return _unserializable(value)

    def _safe(self, value: Any, depth: int, path: set[int]) -> Any:
        kind = type(value)
        if kind is str:
            return repair_text(value)
        if kind is int:
            return value if is_safe_integer(value) else _int_text(value)
        if kind is float:
            if math.isfinite(value):
                return value + 0.0  # -0.0 becomes 0.0, as the core stores it
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if value is None or kind is bool:
            return value
        if kind is dict or kind is list:
            if depth > MAX_DEPTH:
                return f"<truncated: nested deeper than {MAX_DEPTH} levels>"
            marker = id(value)
            if marker in path:
                return f"<cycle: {kind.__name__}>"
            path.add(marker)
            try:
                if kind is dict:
                    return self._mapping(value.items(), depth, path)
                return self._sequence(value, depth, path)
            finally:
                path.discard(marker)
        if isinstance(value, Enum):
            return self._safe(value.value, depth, path)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            return repair_text(str.__str__(value))
        if isinstance(value, int):
            return self._safe(int(value), depth, path)
        if isinstance(value, float):
            return self._safe(float(value), depth, path)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, (date, time)):
            return value.isoformat()
        if isinstance(value, timedelta):
            return value.total_seconds()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self._bytes(bytes(value))
        if depth > MAX_DEPTH:
            return f"<truncated: nested deeper than {MAX_DEPTH} levels>"
        marker = id(value)
        if marker in path:
            return f"<cycle: {kind.__name__}>"
        path.add(marker)
        try:
            return self._container(value, depth, path)
        except RecursionError:
            raise
        except Exception:  # user objects may raise anything while being read
            return _unserializable(value)
        finally:
            path.discard(marker)

    def _container(self, value: Any, depth: int, path: set[int]) -> Any:
        if isinstance(value, Mapping):
            return self._mapping(value.items(), depth, path)
        if isinstance(value, tuple) and hasattr(value, "_asdict"):
            return self._mapping(value._asdict().items(), depth, path)
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            items = [(name, getattr(value, name, None)) for name in fields]
            extra = value.__pydantic_extra__
            if extra:
                items.extend(extra.items())
            return self._mapping(items, depth, path)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._mapping(
                ((f.name, getattr(value, f.name, None)) for f in dataclasses.fields(value)),
                depth,
                path,
            )
        if isinstance(value, (list, tuple)) or (
            isinstance(value, Sequence) and not isinstance(value, (str, bytes))
        ):
            return self._sequence(value, depth, path)
        if isinstance(value, Set):
            items = list(value)
            # Sorted for a stable record; unorderable members keep their iteration order.
            with contextlib.suppress(Exception):
                items.sort()
            return self._sequence(items, depth, path)
        return _unserializable(value)

    def _mapping(
        self, items: Iterable[tuple[Any, Any]], depth: int, path: set[int]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        known_keys = self._keys
        for count, (raw_key, item) in enumerate(items):
            if count >= self._max_items:
                result["(truncated)"] = "<truncated: more entries>"
                break
            known = known_keys.get(raw_key) if type(raw_key) is str else None
            if known is None:
                clean = self._key(raw_key)
                known = (clean, self.redactor.is_secret(clean))
                # Bounded: keys may come from untrusted data.
                if type(raw_key) is str and len(known_keys) < _KEY_CACHE_SIZE:
                    known_keys[raw_key] = known
            key, secret = known
            if key in result:  # two keys that read alike once made storable
                key = self._free_key(result, key)
            if secret:
                result[key] = REDACTED
            elif (type(item) is str and item.isascii() and "\x00" not in item) or (
                item is None or type(item) is bool
            ):
                result[key] = item  # the most common values, already storable as they are
            else:
                result[key] = self._safe(item, depth + 1, path)
        return result

    def _key(self, key: Any) -> str:
        if type(key) is str:
            text = key
        elif isinstance(key, Enum):
            text = str(key.value)
        elif isinstance(key, (str, int, float, bool, Decimal, UUID)) or key is None:
            text = (
                _int_text(key) if isinstance(key, int) and not isinstance(key, bool) else str(key)
            )
        elif isinstance(key, (datetime, date, time)):
            text = key.isoformat()
        elif isinstance(key, bytes):
            text = key.decode("utf-8", "replace")
        else:
            text = _unserializable(key)
        return _storable_key(text)

    @staticmethod
    def _free_key(result: dict[str, Any], key: str) -> str:
        number = 2
        while f"{key}~{number}" in result:
            number += 1
        return f"{key}~{number}"

    def _sequence(self, items: Iterable[Any], depth: int, path: set[int]) -> list[Any]:
        result: list[Any] = []
        for count, item in enumerate(items):
            if count >= self._max_items:
                result.append("<truncated: more items>")
                break
            result.append(self._safe(item, depth + 1, path))
        return result

    @staticmethod
    def _bytes(data: bytes) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(data).decode("ascii")
        return repair_text(text)

    # -- the whole pipeline ---------------------------------------------------------------------

    def capture(self, value: Any) -> tuple[dict[str, Any] | None, int | None]:
        """Return ``value`` redacted, JSON-safe, wrapped in an object if it is none, and capped.

        ``None`` stays ``None`` (nothing to record). The second item is the original size in
        bytes when the value was truncated, else ``None``. Never raises.
        """
        if value is None:
            return None, None
        kind = type(value)
        # Numbers and booleans need no walk and always fit: the smallest cap leaves them room.
        if kind is float and math.isfinite(value):
            return {"value": value + 0.0}, None
        if kind is bool or (kind is int and is_safe_integer(value)):
            return {"value": value}, None
        if kind is str or kind is int or kind is float:
            return self.truncate({"value": self.json_safe(value)})
        if (
            kind is dict
            or isinstance(value, (Mapping, BaseModel))
            or (dataclasses.is_dataclass(value) and not isinstance(value, type))
        ):
            safe = self.json_safe(value)
        else:
            safe = self.json_safe(value, 2)  # it will sit inside {"value": …}
        if not isinstance(safe, dict):
            safe = {"value": safe}
        return self.truncate(safe)

    def truncate(self, value: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
        """Cap a JSON-safe object at ``max_field_bytes``; return it and its original size if cut.

        Long texts are shortened and long lists cut first, keeping the shape; when that is not
        enough the object becomes a marker with a preview of its JSON text.
        """
        cap = self.max_field_bytes
        if _room_left(value, cap) >= 0:
            return value, None
        try:
            size = _encoded_size(value)
        except (ValueError, TypeError, RecursionError):  # cannot happen for json_safe output
            return {"truncated": "<unserializable>"}, None
        if size <= cap:
            return value, None
        for text_limit, list_limit in ((1024, 100), (128, 20), (32, 5)):
            shrunk = _shrink(value, text_limit, list_limit)
            if _encoded_size(shrunk) <= cap:
                return shrunk, size
        return _preview(value, size, cap), size


def _shrink(value: Any, text_limit: int, list_limit: int) -> Any:
    if isinstance(value, str):
        if len(value) <= text_limit:
            return value
        return f"{value[:text_limit]}…<truncated: {len(value)} characters>"
    if isinstance(value, dict):
        return {key: _shrink(item, text_limit, list_limit) for key, item in value.items()}
    if isinstance(value, list):
        kept = [_shrink(item, text_limit, list_limit) for item in value[:list_limit]]
        if len(value) > list_limit:
            kept.append(f"<truncated: {len(value) - list_limit} more items>")
        return kept
    return value


def _preview(value: dict[str, Any], size: int, cap: int) -> dict[str, Any]:
    text = _ENCODER.encode(value)
    marker = f"<truncated: {size} bytes>"
    room = cap - _encoded_size({"truncated": marker, "preview": ""})
    # Escapes and multi-byte characters make the encoded preview longer than its slice: shorten
    # until it fits.
    length = max(room, 0)
    while True:
        candidate = {"truncated": marker, "preview": repair_text(text[:length])}
        if length == 0 or _encoded_size(candidate) <= cap:
            return candidate
        length = length * 3 // 4
