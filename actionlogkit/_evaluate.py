"""The reference meaning of a :class:`~actionlogkit.query.Query`, evaluated on records in memory.

This is ``docs/query-language.md`` as code: :class:`~actionlogkit.memory.MemoryStore` answers with
it, and every backend compiler must give the same records in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from typing import Any

from actionlogkit._rules import unreachable
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

__all__ = ["matches", "ordered", "predicate", "reached_values", "type_class"]


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


def _always(record: Any) -> bool:
    return True


def predicate(node: Node | None) -> Callable[[Any], bool]:
    """``node`` as a test of one record (an :class:`~actionlogkit.models.ActionLog`).

    The node is taken apart once, here, and the test runs per record without dispatching on node
    types again.
    """
    if node is None:
        return _always
    match node:
        case Eq(field=field, value=operand):
            return lambda record: _equal(_field_values(record, field), operand)
        case In(field=field, values=operands):

            def member(record: Any) -> bool:
                values = _field_values(record, field)
                return any(_equal(values, operand) for operand in operands)

            return member
        case Compare(field=field, op=op, value=bound):
            wanted = type_class(bound)
            compare = COMPARATORS[op]
            return lambda record: any(
                type_class(value) == wanted and compare(value, bound)
                for value in _field_values(record, field)
            )
        case Exists(field=field):
            if not field.path:
                return _always
            return lambda record: bool(_field_values(record, field))
        case Not(operand=inner):
            test = predicate(inner)
            return lambda record: not test(record)
        case And(operands=inner_nodes):
            tests = tuple(predicate(inner) for inner in inner_nodes)
            return lambda record: all(test(record) for test in tests)
        case Or(operands=inner_nodes):
            tests = tuple(predicate(inner) for inner in inner_nodes)
            return lambda record: any(test(record) for test in tests)
        case _:
            unreachable(node)


def matches(node: Node | None, record: Any) -> bool:
    """Tell whether ``record`` (an :class:`~actionlogkit.models.ActionLog`) satisfies ``node``.

    For one record; a store testing many builds the :func:`predicate` once.
    """
    return predicate(node)(record)


def _order_key(value: Any, record_id: str) -> tuple[bool, Any, str]:
    """A record's place in ascending order: nulls first, then by value, then by ``_id``."""
    if value is None:
        return (False, 0, record_id)
    return (True, value.value if isinstance(value, Enum) else value, record_id)


def ordered(records: Iterable[Any], query: Query) -> list[Any]:
    """Sort as the query asks: nulls first ascending, last descending; ``_id`` breaks ties.

    With a keyset (a cursor's position), only the records after it in that order remain.
    """
    attribute = query.sort.attribute
    found = sorted(
        records,
        key=lambda record: _order_key(getattr(record, attribute), record.id),
        reverse=query.descending,
    )
    keyset = query.keyset
    if keyset is None:
        return found
    position = _order_key(keyset.value, keyset.id)
    if query.descending:
        return [r for r in found if _order_key(getattr(r, attribute), r.id) < position]
    return [r for r in found if _order_key(getattr(r, attribute), r.id) > position]
