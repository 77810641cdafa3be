"""What the recorder stores of a value: redact, make JSON-safe, and cap, within a byte budget.

:class:`Capture` turns any Python value into a JSON object that every store accepts, already in
the core's normal form (the rules of ``_rules``: keys non-empty, without ``.``, not starting with
``$``; no NUL or lone surrogates; integers within ±2**53; finite floats, no ``-0.0``; at most 32
levels), and it never raises. Records are assembled from it without a second validation, so the
property tests compare its output with the core's own copy.

One walk does redaction and conversion: at every mapping, dataclass or model the key is checked
first, and the value under a secret key is replaced by :data:`REDACTED` without being looked at,
so no part of it (not even its ``repr``) can reach a store; every text is scrubbed of the secrets
written inside it before it is cut, so a cut never leaves the start of a secret behind.

The walk costs what is stored, not what is given. It charges each thing it copies against a
budget of twice ``max_field_bytes`` (a cheap estimate of its JSON size, never more than twice the
real one, so a value that fits is always copied whole); a text longer than the cap is read only as
far as the cap. Once the budget is spent the rest of the value is only skimmed (a few items per
container, a few characters per text, within a further half budget), then not read at all. Time
and memory are so bounded by the cap, whatever the value: repeated references to one large object,
huge texts, bytes and sets, wide and deep containers. A value the walk cut is then shortened to fit
and its original size reported as a lower bound, ``"≥ N"``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel

from actionlogkit._redaction import REDACTED, Redactor
from actionlogkit._rules import MAX_DEPTH, is_safe_integer, repair_text

__all__ = [
    "DEFAULT_MAX_FIELD_BYTES",
    "MIN_MAX_FIELD_BYTES",
    "Capture",
    "Captured",
    "Truncation",
]

DEFAULT_MAX_FIELD_BYTES = 64 * 1024
MIN_MAX_FIELD_BYTES = 256
"""The smallest cap: room for the truncation marker and a useful preview."""

Truncation = int | str
"""The original size of a cut field: its JSON bytes, or ``"≥ N"`` when the walk stopped early."""

_KEY_CACHE_SIZE = 4096
_MAX_KEY_CHARS = 1024
"""Keys longer than this are cut (a key is text the walk reads whole)."""
_SCRUB_MARGIN = 256
"""Characters read past the cut of a long text, so that a secret crossing the cut is seen whole."""
_FLAT_ENTRIES = 32
_FLAT_TEXT = 256
_SKIM_ITEMS = 5
_SKIM_TEXT = 32
_MAX_INT_BITS = 14_000
"""Integers beyond this are noted by size: converting them to digits costs quadratic time."""
# What the walk charges for a value besides text: at most twice its JSON size (with its comma),
# so that a value that fits the cap never runs out of a budget of twice the cap.
_CHARGE_NUMBER = 4
_CHARGE_FLOAT = 8
_CHARGE_CONSTANT = 5
_CHARGE_CONTAINER = 2


class Captured(NamedTuple):
    """A captured field: the JSON object to store, its original size if cut, its size."""

    value: dict[str, Any] | None
    truncated: Truncation | None
    """``None``, or the original size: JSON bytes, or ``"≥ N"`` when only a lower bound is known."""
    size: int
    """About how many bytes the stored value takes (for the background queue's byte budget)."""


_NOTHING = Captured(None, None, 0)


class _CutText(str):
    """A text the walk cut; ``note`` says how long it was (``"10000 characters"``)."""

    __slots__ = ("note",)
    note: str


class _CutList(list[Any]):
    """A list the walk cut; ``omitted`` items were left out (``None``: unknown)."""

    __slots__ = ("omitted",)
    omitted: int | None


class _CutDict(dict[str, Any]):
    """An object the walk cut; more entries were left out."""

    __slots__ = ()


def _cut_text(text: str, note: str) -> _CutText:
    cut = _CutText(text)
    cut.note = note
    return cut


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
    if value.bit_length() > _MAX_INT_BITS:
        return f"<int: {value.bit_length()} bits>"
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


class _Walk:
    """One walk over a value: its budget, and what it cut.

    ``room`` is the budget left; below zero the walk skims, and below ``floor`` it stops.
    ``omitted`` is a lower bound of the JSON bytes left out, ``steps`` counts the work done (values
    visited and characters read).
    """

    __slots__ = (
        "capture",
        "cut",
        "floor",
        "item_limit",
        "keys",
        "omitted",
        "path",
        "redactor",
        "room",
        "steps",
        "text_limit",
    )

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self.redactor = capture.redactor
        self.keys = capture.keys
        cap = capture.max_field_bytes
        self.room = 2 * cap
        self.floor = -(cap // 2)
        self.text_limit = cap + 1  # a longer text cannot fit
        self.item_limit = cap // 2 + 1  # each item takes at least two bytes
        self.cut = False
        self.omitted = 0
        self.steps = 0
        self.path: set[int] = set()

    # -- scalars --------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        length = len(value)
        limit = self.text_limit if self.room > 0 else _SKIM_TEXT
        if length <= limit:
            self.steps += length + 1
            self.room -= length + 3
            if not value.isascii() or "\x00" in value:
                value = repair_text(value)
            return self.redactor.scrub(value)
        window = value[: limit + _SCRUB_MARGIN]
        self.steps += len(window) + 1
        self.room -= limit + 3
        self.cut = True
        self.omitted += length - limit
        kept = self.redactor.scrub(repair_text(window), cut=True)[:limit]
        return _cut_text(kept, f"{length} characters")

    def data(self, value: bytes | bytearray | memoryview) -> str:
        view = memoryview(value).cast("B") if isinstance(value, memoryview) else memoryview(value)
        length = view.nbytes
        limit = self.text_limit if self.room > 0 else _SKIM_TEXT
        if length <= limit:
            self.steps += length + 1
            data = bytes(view)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                self.room -= length + 3
                return "base64:" + base64.b64encode(data).decode("ascii")
            return self.text(text)
        head = bytes(view[: limit + _SCRUB_MARGIN])
        self.steps += len(head) + 1
        self.room -= limit + 3
        self.cut = True
        self.omitted += length - limit
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:
                kept = "base64:" + base64.b64encode(head[: limit * 3 // 4]).decode("ascii")
                return _cut_text(kept[:limit], f"{length} bytes")
            text = head[: exc.start].decode("utf-8")  # the cut split a character
        kept = self.redactor.scrub(repair_text(text), cut=True)[:limit]
        return _cut_text(kept, f"{length} bytes")

    # -- any value ------------------------------------------------------------------------------

    def value(self, value: Any, depth: int) -> Any:
        self.steps += 1
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is int:
            self.room -= _CHARGE_NUMBER
            return value if is_safe_integer(value) else _int_text(value)
        if kind is float:
            self.room -= _CHARGE_FLOAT
            if math.isfinite(value):
                return value + 0.0  # -0.0 becomes 0.0, as the core stores it
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if value is None or kind is bool:
            self.room -= _CHARGE_CONSTANT
            return value
        if kind is dict or kind is list or kind is tuple:
            if depth > MAX_DEPTH:
                self.room -= 40
                return f"<truncated: nested deeper than {MAX_DEPTH} levels>"
            marker = id(value)
            if marker in self.path:
                self.room -= 16
                return f"<cycle: {kind.__name__}>"
            self.path.add(marker)
            try:
                if kind is dict:
                    return self.mapping(value.items(), len(value), depth)
                pair = self.header_pair(value)
                if pair is not None:
                    return pair
                return self.sequence(value, len(value), depth)
            finally:
                self.path.discard(marker)
        return self.other(value, kind, depth)

    def other(self, value: Any, kind: type, depth: int) -> Any:
        if isinstance(value, Enum):
            return self.value(value.value, depth)
        if isinstance(value, bool):
            return self.value(bool(value), depth)
        if isinstance(value, str):
            return self.text(str.__str__(value))
        if isinstance(value, int):
            return self.value(int(value), depth)
        if isinstance(value, float):
            return self.value(float(value), depth)
        if isinstance(value, (datetime, date, time)):
            return self.text(value.isoformat())
        if isinstance(value, timedelta):
            self.room -= _CHARGE_FLOAT
            return value.total_seconds()
        if isinstance(value, (Decimal, UUID)):
            return self.text(str(value))
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self.data(value)
        if depth > MAX_DEPTH:
            self.room -= 40
            return f"<truncated: nested deeper than {MAX_DEPTH} levels>"
        marker = id(value)
        if marker in self.path:
            self.room -= 16
            return f"<cycle: {kind.__name__}>"
        self.path.add(marker)
        try:
            return self.container(value, depth)
        except RecursionError:
            raise
        except Exception:  # user objects may raise anything while being read
            self.room -= 24
            return _unserializable(value)
        finally:
            self.path.discard(marker)

    def container(self, value: Any, depth: int) -> Any:
        if isinstance(value, Mapping):
            return self.mapping(value.items(), _length(value), depth)
        if isinstance(value, tuple) and hasattr(value, "_asdict"):
            return self.mapping(value._asdict().items(), len(value), depth)
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            items = [(name, getattr(value, name, None)) for name in fields]
            extra = value.__pydantic_extra__
            if extra:
                items.extend(extra.items())
            return self.mapping(items, len(items), depth)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            members = dataclasses.fields(value)
            return self.mapping(
                ((f.name, getattr(value, f.name, None)) for f in members), len(members), depth
            )
        if isinstance(value, (list, tuple)) or (
            isinstance(value, Sequence) and not isinstance(value, (str, bytes))
        ):
            pair = self.header_pair(value) if isinstance(value, (list, tuple)) else None
            if pair is not None:
                return pair
            return self.sequence(value, _length(value), depth)
        if isinstance(value, Set):
            return self.members(value, depth)
        self.room -= 24
        return _unserializable(value)

    # -- containers -----------------------------------------------------------------------------

    def mapping(
        self, items: Iterable[tuple[Any, Any]], length: int | None, depth: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        self.room -= _CHARGE_CONTAINER
        known_keys = self.keys
        limit = self.item_limit
        for count, (raw_key, item) in enumerate(items):
            room = self.room
            if count >= limit or (room <= 0 and (room <= self.floor or count >= _SKIM_ITEMS)):
                return self._cut_mapping(result, length, count)
            known = known_keys.get(raw_key) if type(raw_key) is str else None
            if known is None:
                known = self.capture.storable_key(raw_key)
            key, secret = known
            self.room = room - len(key) - 4
            self.steps += 1
            if key in result:  # two keys that read alike once made storable
                key = _free_key(result, key)
            if secret:
                self.room -= len(REDACTED) + 3
                result[key] = REDACTED
            elif item is None or type(item) is bool:
                self.room -= _CHARGE_CONSTANT
                result[key] = item  # the most common values, already storable as they are
            else:
                result[key] = self.value(item, depth + 1)
        return result

    def _cut_mapping(
        self, result: dict[str, Any], length: int | None, count: int
    ) -> dict[str, Any]:
        self.cut = True
        if length is not None:
            self.omitted += 6 * (length - count)  # each entry is at least '"k":0,'
        return _CutDict(result)

    def sequence(self, items: Iterable[Any], length: int | None, depth: int) -> list[Any]:
        result: list[Any] = []
        self.room -= _CHARGE_CONTAINER
        limit = self.item_limit
        for count, item in enumerate(items):
            room = self.room
            if count >= limit or (room <= 0 and (room <= self.floor or count >= _SKIM_ITEMS)):
                return self._cut_sequence(result, length, count)
            result.append(self.value(item, depth + 1))
        return result

    def _cut_sequence(self, result: list[Any], length: int | None, count: int) -> list[Any]:
        self.cut = True
        cut = _CutList(result)
        cut.omitted = None if length is None else length - count
        if cut.omitted is not None:
            self.omitted += 2 * cut.omitted  # each item is at least one character and a comma
        return cut

    def members(self, value: Set[Any], depth: int) -> list[Any]:
        # Only as many members as the budget can hold are taken, and only those are sorted (for
        # a stable record; unorderable members keep their iteration order).
        wanted = self.item_limit if self.room > 0 else _SKIM_ITEMS
        taken = list(itertools.islice(value, wanted))
        self.steps += len(taken)
        with contextlib.suppress(Exception):
            taken.sort()
        result = self.sequence(taken, len(taken), depth)
        size = _length(value)
        left_out = 0 if size is None else size - len(taken)
        if left_out <= 0:
            return result
        self.cut = True
        self.omitted += 2 * left_out
        if not isinstance(result, _CutList):
            result = _CutList(result)
            result.omitted = 0
        result.omitted = (result.omitted or 0) + left_out
        return result

    def header_pair(self, value: list[Any] | tuple[Any, ...]) -> list[Any] | None:
        """A ``(name, value)`` pair whose name is a secret key: the value redacted."""
        if len(value) != 2:
            return None
        name = value[0]
        if isinstance(name, (bytes, bytearray)):
            name = bytes(name[:_MAX_KEY_CHARS]).decode("utf-8", "replace")
        if not isinstance(name, str) or not self.capture.storable_key(name)[1]:
            return None
        self.room -= _CHARGE_CONTAINER + len(REDACTED) + 3
        return [self.text(name), REDACTED]


def _length(value: Any) -> int | None:
    try:
        return len(value)
    except Exception:  # a sized-looking object whose __len__ fails or lies
        return None


def _free_key(result: dict[str, Any], key: str) -> str:
    number = 2
    while f"{key}~{number}" in result:
        number += 1
    return f"{key}~{number}"


class Capture:
    """One recorder's capture settings: which keys and texts are secret, how large a field is."""

    def __init__(
        self,
        *,
        redactor: Redactor | None = None,
        max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    ) -> None:
        self.redactor = redactor or Redactor()
        self.max_field_bytes = max_field_bytes
        self.keys: dict[str, tuple[str, bool]] = {}
        """Key as given → (key as stored, whether its value is redacted)."""

    # -- redaction ----------------------------------------------------------------------------

    def is_secret(self, key: str) -> bool:
        """Tell whether the value under ``key`` is redacted."""
        return self.storable_key(key)[1]

    def scrub(self, text: str) -> str:
        """``text`` with the secrets written inside it replaced (the whole text is read)."""
        return self.redactor.scrub(text)

    def storable_key(self, key: Any) -> tuple[str, bool]:
        """The key as stored, and whether the value under it is redacted."""
        if type(key) is str:
            known = self.keys.get(key)
            if known is not None:
                return known
            text = key
        elif isinstance(key, Enum):
            text = key.name if not isinstance(key.value, (str, int)) else str(key.value)
        elif isinstance(key, (str, int, float, bool, Decimal, UUID)) or key is None:
            text = (
                _int_text(key) if isinstance(key, int) and not isinstance(key, bool) else str(key)
            )
        elif isinstance(key, (datetime, date, time)):
            text = key.isoformat()
        elif isinstance(key, (bytes, bytearray)):
            text = bytes(key[: 4 * _MAX_KEY_CHARS]).decode("utf-8", "replace")
        else:
            text = _unserializable(key)
        if len(text) > _MAX_KEY_CHARS:
            # Both ends decide: the rules read a key's last words.
            secret = self.redactor.is_secret(text[:_MAX_KEY_CHARS]) or self.redactor.is_secret(
                text[-_MAX_KEY_CHARS:]
            )
            stored = _storable_key(self.redactor.scrub(text[:_MAX_KEY_CHARS], cut=True)) + "…"
            return stored, secret
        stored = _storable_key(self.redactor.scrub(text))
        known = (stored, self.redactor.is_secret(stored))
        if type(key) is str and len(self.keys) < _KEY_CACHE_SIZE:
            self.keys[key] = known  # bounded: keys may come from untrusted data
        return known

    # -- the whole pipeline ---------------------------------------------------------------------

    def capture(self, value: Any) -> Captured:
        """Return ``value`` redacted, JSON-safe, wrapped in an object if it is none, and capped.

        ``None`` stays ``None`` (nothing to record). ``truncated`` is the original size when the
        value was cut. Never raises.
        """
        if value is None:
            return _NOTHING
        kind = type(value)
        # Numbers and booleans need no walk and always fit: the smallest cap leaves them room.
        if kind is float and math.isfinite(value):
            return Captured({"value": value + 0.0}, None, 32)
        if kind is bool or (kind is int and is_safe_integer(value)):
            return Captured({"value": value}, None, 32)
        if kind is dict and len(value) <= _FLAT_ENTRIES:
            flat = self._flat(value)
            if flat is not None:
                return flat
        return self._walk_whole(value, kind)[0]

    def capture_counting(self, value: Any) -> tuple[Captured, int]:
        """:meth:`capture`, and how many steps the walk took (values visited, characters read)."""
        if value is None:
            return _NOTHING, 0
        kind = type(value)
        if kind is float or kind is bool or (kind is int and is_safe_integer(value)):
            return self.capture(value), 1
        return self._walk_whole(value, kind)

    def _flat(self, value: dict[Any, Any]) -> Captured | None:
        """The common case without a walk: a small object of known keys and short plain values.

        ``None`` when anything in it needs the walk (an unknown key, a nested value, a long or
        non-ASCII text).
        """
        keys = self.keys
        scrub = self.redactor.scrub
        result: dict[str, Any] = {}
        upper = size = 2  # an upper bound of the JSON size (escapes), and a close estimate
        for raw_key, given in value.items():
            known = keys.get(raw_key) if type(raw_key) is str else None
            if known is None or known[0] in result:
                return None
            key, secret = known
            size += len(key) + 4
            upper += 6 * len(key) + 4
            kind = type(given)
            if secret:
                result[key] = REDACTED
                size += 12
                upper += 12
            elif kind is str:
                if len(given) > _FLAT_TEXT or not given.isascii() or "\x00" in given:
                    return None
                text = scrub(given)
                size += len(text) + 2
                upper += 6 * len(text) + 2
                result[key] = text
            elif kind is float:
                if not math.isfinite(given):
                    return None
                result[key] = given + 0.0
                size += 24
                upper += 24
            elif given is None or kind is bool or (kind is int and is_safe_integer(given)):
                result[key] = given
                size += 24
                upper += 24
            else:
                return None
        if upper > self.max_field_bytes:
            return None
        return Captured(result, None, size)

    def _walk_whole(self, value: Any, kind: type) -> tuple[Captured, int]:
        walk = _Walk(self)
        nested = not (
            kind is dict
            or isinstance(value, (Mapping, BaseModel))
            or (dataclasses.is_dataclass(value) and not isinstance(value, type))
        )
        safe = self._walk(walk, value, 2 if nested else 1)
        if not isinstance(safe, dict):
            safe = {"value": safe}
        return self._finish(safe, walk), walk.steps

    def json_safe(self, value: dict[str, Any]) -> dict[str, Any]:
        """A mapping of the recorder's own notes, as storable JSON (cut only if huge)."""
        walk = _Walk(self)
        safe = self._walk(walk, value, 1)
        if not isinstance(safe, dict):
            safe = {"value": safe}
        return _shrink(safe, 1024, 100) if walk.cut else safe

    def _walk(self, walk: _Walk, value: Any, depth: int) -> Any:
        try:
            return walk.value(value, depth)
        except RecursionError:
            return "<unserializable: nested too deeply>"
        except Exception:  # user objects may raise anything while being read
            return _unserializable(value)

    def _finish(self, value: dict[str, Any], walk: _Walk) -> Captured:
        """Cap a walked value at ``max_field_bytes``.

        Long texts are shortened and long lists cut first, keeping the shape; when that is not
        enough the object becomes a marker with a preview of its JSON text.
        """
        cap = self.max_field_bytes
        used = 2 * cap - walk.room
        if not walk.cut:
            if _room_left(value, cap) >= 0:
                return Captured(value, None, used)
            try:
                size = _encoded_size(value)
            except (ValueError, TypeError, RecursionError):  # not for the walk's output
                return Captured({"truncated": "<unserializable>"}, None, 32)
            if size <= cap:
                return Captured(value, None, size)
            truncated: Truncation = size
        else:
            truncated = f"≥ {_encoded_size(value) + walk.omitted}"
        for text_limit, list_limit in ((1024, 100), (128, 20), (32, 5)):
            shrunk = _shrink(value, text_limit, list_limit)
            size = _encoded_size(shrunk)
            if size <= cap:
                return Captured(shrunk, truncated, size)
        return Captured(_preview(value, truncated, cap), truncated, cap)


def _shrink(value: Any, text_limit: int, list_limit: int) -> Any:
    """A plain copy of a walked value, its texts, lists and objects shortened; cuts marked."""
    if isinstance(value, str):
        note = value.note if isinstance(value, _CutText) else f"{len(value)} characters"
        if len(value) <= text_limit and not isinstance(value, _CutText):
            return value
        return f"{value[:text_limit]}…<truncated: {note}>"
    if isinstance(value, dict):
        entries = itertools.islice(value.items(), list_limit)
        result = {key: _shrink(item, text_limit, list_limit) for key, item in entries}
        left_out = len(value) - len(result)
        if left_out or isinstance(value, _CutDict):
            marker = "(truncated)"
            result[_free_key(result, marker) if marker in result else marker] = (
                "<truncated: more entries>"
                if isinstance(value, _CutDict)
                else f"<truncated: {left_out} more entries>"
            )
        return result
    if isinstance(value, list):
        kept = [_shrink(item, text_limit, list_limit) for item in value[:list_limit]]
        more: int | None = len(value) - len(kept)
        if isinstance(value, _CutList):
            more = None if value.omitted is None else more + value.omitted  # type: ignore[operator]
        if more is None:
            kept.append("<truncated: more items>")
        elif more:
            kept.append(f"<truncated: {more} more items>")
        return kept
    return value


def _preview(value: dict[str, Any], truncated: Truncation, cap: int) -> dict[str, Any]:
    text = _ENCODER.encode(value)
    size = truncated if isinstance(truncated, str) else str(truncated)
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
