"""The reference meaning of a :class:`~actionlogkit.query.Query`, evaluated on records in memory.

This is ``docs/query-language.md`` as code: :class:`~actionlogkit.memory.MemoryStore` answers with
it, and every backend compiler must give the same records in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

from actionlogkit.query import (
    COMPARATORS,
    And,
    Compare,
    Eq,
    Exists,
    FieldRef,
    In,
    Node,
    Not,
    Or,
    Query,
    Scalar,
)

__all__ = ["matches", "ordered", "reached_values", "type_class"]


def type_class(value: object) -> str:
    """The comparison class of a value: number, string, boolean, null, datetime, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, list):
        return "array"
    return "object"


def reached_values(root: object, path: tuple[str, ...]) -> list[Any]:
    """``V(record, path)``: the values a path reaches from a JSON root, MongoDB's traversal.

    At each step an object gives its member of that name; an array applies the step to each of its
    elements that is an object. A reached array is reached together with its elements (one level).
    """
    current: list[Any] = [root]
    for key in path:
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict):
                if key in value:
                    following.append(value[key])
            elif isinstance(value, list):
                following.extend(
                    item[key] for item in value if isinstance(item, dict) and key in item
                )
        current = following
    reached: list[Any] = []
    for value in current:
        reached.append(value)
        if isinstance(value, list):
            reached.extend(value)
    return reached


def _field_values(record: Any, field: FieldRef) -> list[Any]:
    value = getattr(record, field.attribute)
    if field.path:
        return reached_values(value, field.path)
    # Enum members compare as their text.
    return [value.value if isinstance(value, Enum) else value]


def _equal(values: list[Any], operand: Scalar) -> bool:
    if operand is None:
        return not values or any(value is None for value in values)
    wanted = type_class(operand)
    return any(type_class(value) == wanted and value == operand for value in values)


def matches(node: Node | None, record: Any) -> bool:
    """Tell whether ``record`` (an :class:`~actionlogkit.models.ActionLog`) satisfies ``node``."""
    if node is None:
        return True
    if isinstance(node, Eq):
        return _equal(_field_values(record, node.field), node.value)
    if isinstance(node, In):
        values = _field_values(record, node.field)
        return any(_equal(values, operand) for operand in node.values)
    if isinstance(node, Compare):
        wanted = type_class(node.value)
        compare = COMPARATORS[node.op]
        return any(
            type_class(value) == wanted and compare(value, node.value)
            for value in _field_values(record, node.field)
        )
    if isinstance(node, Exists):
        return not node.field.path or bool(_field_values(record, node.field))
    if isinstance(node, Not):
        return not matches(node.operand, record)
    if isinstance(node, And):
        return all(matches(operand, record) for operand in node.operands)
    if isinstance(node, Or):
        return any(matches(operand, record) for operand in node.operands)
    raise TypeError(f"not a query node: {node!r}")


def ordered(records: Iterable[Any], query: Query) -> list[Any]:
    """Sort as the query asks: nulls first ascending, last descending; ``_id`` breaks ties."""
    attribute = query.sort.attribute

    def key(record: Any) -> tuple[bool, Any, str]:
        value = getattr(record, attribute)
        if value is None:
            return (False, 0, record.id)
        return (True, value.value if isinstance(value, Enum) else value, record.id)

    return sorted(records, key=key, reverse=query.descending)
