"""The fields a query may name, and the kind each one's operands are checked against.

A field in a query is a :class:`FieldRef`, never the caller's raw text: one of
:data:`TOP_LEVEL_FIELDS`, or a path below one of :data:`JSON_ROOTS` whose segments the parser
checked (not empty, not digits, no leading ``$``, no quote, backslash or control character).
Backends build column names and document paths from it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from actionlogkit.models import ActionLog, ActionType, Status

__all__ = ["ENUM_VALUES", "JSON_ROOTS", "TOP_LEVEL_FIELDS", "FieldKind", "FieldRef"]


class FieldKind(Enum):
    """The type a field's operands are checked and coerced against."""

    STRING = "string"
    ENUM = "enum"
    ID = "id"
    INTEGER = "integer"
    NUMBER = "number"
    DATETIME = "datetime"
    JSON = "json"


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


@dataclass(frozen=True)
class FieldRef:
    """A validated field: a top-level field (``path == ()``) or a path inside a JSON root."""

    name: str
    """The top-level wire name: one of :data:`TOP_LEVEL_FIELDS` or :data:`JSON_ROOTS`."""
    kind: FieldKind
    path: tuple[str, ...] = ()
    """The keys below the JSON root, for ``kind == FieldKind.JSON``."""

    @property
    def attribute(self) -> str:
        """The Python attribute of :class:`ActionLog` that holds the field (or the JSON root)."""
        return _ATTRIBUTES[self.name]

    @property
    def dotted(self) -> str:
        """The field as written in a filter: ``status``, ``payload.order.total``."""
        return ".".join((self.name, *self.path))
