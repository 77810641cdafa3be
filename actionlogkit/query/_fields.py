"""The fields a query may name, and the kind each one's operands are checked against.

A field in a query is a :class:`FieldRef`, never the caller's raw text: one of
:data:`TOP_LEVEL_FIELDS`, a path below one of :data:`JSON_ROOTS`, or, inside ``$elemMatch``, a
path relative to the array element being tested (:attr:`FieldKind.ELEMENT`). The parser checked
every segment (not empty, no leading ``$``, no quote, backslash or control character). Backends
build column names and document paths from it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from actionlogkit.models import ActionLog, ActionType, Status

__all__ = [
    "ENUM_VALUES",
    "JSON_ROOTS",
    "MAX_POSITION",
    "TOP_LEVEL_FIELDS",
    "FieldKind",
    "FieldRef",
    "position",
]


class FieldKind(Enum):
    """The type a field's operands are checked and coerced against."""

    STRING = "string"
    ENUM = "enum"
    ID = "id"
    INTEGER = "integer"
    NUMBER = "number"
    DATETIME = "datetime"
    JSON = "json"
    """A path inside ``payload``, ``response`` or ``metadata``."""
    ELEMENT = "element"
    """Inside ``$elemMatch``: the array element itself (no path) or a path relative to it."""


TOP_LEVEL_FIELDS: dict[str, FieldKind] = {
    "_id": FieldKind.ID,
    "integrationId": FieldKind.STRING,
    "actionType": FieldKind.ENUM,
    "entityType": FieldKind.STRING,
    "entityId": FieldKind.STRING,
    "status": FieldKind.ENUM,
    "errorMessage": FieldKind.STRING,
    "retryCount": FieldKind.INTEGER,
    "executionTime": FieldKind.NUMBER,
    "createdAt": FieldKind.DATETIME,
    "updatedAt": FieldKind.DATETIME,
}
"""The filterable and sortable top-level fields (wire names) and their kinds."""
JSON_ROOTS: tuple[str, ...] = ("payload", "response", "metadata")
"""The fields whose insides are reached by dotted paths."""

ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "actionType": tuple(member.value for member in ActionType),
    "status": tuple(member.value for member in Status),
}
"""The values an :attr:`FieldKind.ENUM` field may be compared with, by field."""
_ATTRIBUTES: dict[str, str] = {
    info.alias or name: name for name, info in ActionLog.model_fields.items()
}


MAX_POSITION = 999_999_999
"""The largest array position a path segment names; longer digit strings are keys only."""


def position(segment: str) -> int | None:
    """The array position a path segment names, or ``None`` when it is a key only.

    Positions are canonical: ``0``, or ``1`` to :data:`MAX_POSITION` without leading zeros
    (``01`` is a key).
    """
    if (
        segment.isascii()
        and segment.isdigit()
        and (segment == "0" or segment[0] != "0")
        and len(segment) <= len(str(MAX_POSITION))
    ):
        return int(segment)
    return None


@dataclass(frozen=True)
class FieldRef:
    """A validated field: a top-level field (``path == ()``), a JSON path, or an element's.

    For :attr:`FieldKind.ELEMENT` the ``name`` is empty and ``path`` is relative to the array
    element ``$elemMatch`` tests: empty for the element itself (its operator form), else the keys
    of its filter form.
    """

    name: str
    """The top-level wire name: one of :data:`TOP_LEVEL_FIELDS` or :data:`JSON_ROOTS`."""
    kind: FieldKind
    path: tuple[str, ...] = ()
    """The keys below the JSON root (or the element), for JSON and element fields."""

    @property
    def attribute(self) -> str:
        """The Python attribute of :class:`ActionLog` that holds the field (or the JSON root)."""
        return _ATTRIBUTES[self.name]

    @property
    def is_json(self) -> bool:
        """Whether the field is a value inside JSON: a path, or an array element's."""
        return self.kind is FieldKind.JSON or self.kind is FieldKind.ELEMENT

    @property
    def is_element(self) -> bool:
        """Whether the field is relative to the element ``$elemMatch`` tests."""
        return self.kind is FieldKind.ELEMENT

    @property
    def dotted(self) -> str:
        """The field as written in a filter: ``status``, ``payload.order.total``, ``sku``."""
        if self.kind is FieldKind.ELEMENT:
            return ".".join(self.path)
        return ".".join((self.name, *self.path))
