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
    ElemMatch,
    Eq,
    Exists,
    FieldRef,
    HasType,
    In,
    JsonType,
    Node,
    Not,
    Or,
    Query,
    Size,
    Value,
    position,
)

__all__ = [
    "json_equal",
    "json_type",
    "landed_values",
    "matches",
    "ordered",
    "predicate",
    "reached_values",
    "type_class",
]

Values = Callable[[Any], list[Any]]
"""The values of a field in its subject: a record, or the element ``$elemMatch`` tests."""


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


_JSON_TYPES: dict[str, JsonType] = {
    "null": "null",
    "boolean": "bool",
    "number": "number",
    "string": "string",
    "array": "array",
    "object": "object",
}


def json_type(value: object) -> JsonType:
    """The ``$type`` name of a JSON value."""
    return _JSON_TYPES[type_class(value)]


def json_equal(left: Any, right: Any) -> bool:
    """Whole-value equality: same type class and equal, recursively (``true`` is never ``1``).

    Numbers by value (``1`` equals ``1.0``), strings by code point, arrays element by element in
    order, objects by their keys and values whatever the keys' order.
    """
    kind = type_class(left)
    if kind != type_class(right):
        return False
    if kind == "array":
        return len(left) == len(right) and all(
            json_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if kind == "object":
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return bool(left == right)


def _walk(
    current: list[Any], path: tuple[str, ...], positions: tuple[int | None, ...]
) -> list[Any]:
    for key, index in zip(path, positions, strict=True):
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict):
                if key in value:
                    following.append(value[key])
            elif isinstance(value, list):
                following.extend(
                    item[key] for item in value if isinstance(item, dict) and key in item
                )
                if index is not None and index < len(value):
                    following.append(value[index])
        current = following
    return current


def _expanded(landed: list[Any]) -> list[Any]:
    reached: list[Any] = []
    for value in landed:
        reached.append(value)
        if isinstance(value, list):
            reached.extend(value)
    return reached


def landed_values(root: object, path: tuple[str, ...]) -> list[Any]:
    """``L(record, path)``: the values a path lands on from a JSON root.

    At each step an object gives its member of that name; an array applies the step to each of
    its elements that is an object, and gives its element at the step's position when the step
    is a canonical position (``0``, ``1``, … without leading zeros).
    """
    return _walk([root], path, tuple(position(key) for key in path))


def reached_values(root: object, path: tuple[str, ...]) -> list[Any]:
    """``V(record, path)``: :func:`landed_values` and the elements of the arrays among them."""
    return _expanded(landed_values(root, path))


def _landed_getter(field: FieldRef) -> Values:
    path = field.path
    positions = tuple(position(key) for key in path)
    if field.is_element:
        if not path:
            return lambda element: [element]
        first, rest, rest_positions = path[0], path[1:], positions[1:]
        index = positions[0]

        def from_element(element: Any) -> list[Any]:
            # An array element is an object keyed by its positions: no traversal at its root.
            if isinstance(element, dict):
                start = [element[first]] if first in element else []
            elif isinstance(element, list) and index is not None and index < len(element):
                start = [element[index]]
            else:
                return []
            return _walk(start, rest, rest_positions)

        return from_element
    attribute = field.attribute
    if not path:
        # Enum members compare as their text.
        def top_level(record: Any) -> list[Any]:
            value = getattr(record, attribute)
            return [value.value if isinstance(value, Enum) else value]

        return top_level
    return lambda record: _walk([getattr(record, attribute)], path, positions)


def _reached_getter(field: FieldRef) -> Values:
    path = field.path
    if field.is_json and not field.is_element and all(position(key) is None for key in path):
        return _plain_reached_getter(field.attribute, path)
    landed = _landed_getter(field)
    if not path:
        return landed  # a top-level field, or an element itself: V = L
    return lambda subject: _expanded(landed(subject))


def _plain_reached_getter(attribute: str, path: tuple[str, ...]) -> Values:
    """V of a path without positions, the most common kind, in one function per record."""

    def reached(record: Any) -> list[Any]:
        current: list[Any] = [getattr(record, attribute)]
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
        found: list[Any] = []
        for value in current:
            found.append(value)
            if isinstance(value, list):
                found.extend(value)
        return found

    return reached


def _equal(values: list[Any], operand: Value) -> bool:
    if operand is None:
        return not values or any(value is None for value in values)
    wanted = type_class(operand)
    return any(type_class(value) == wanted and value == operand for value in values)


def _equal_whole(values: list[Any], operand: Value) -> bool:
    return any(json_equal(value, operand) for value in values)


def _equality(operand: Value) -> Callable[[list[Any], Value], bool]:
    """How ``operand`` is compared: arrays and objects as whole values, without ``==``."""
    return _equal_whole if isinstance(operand, (list, dict)) else _equal


def _always(subject: Any) -> bool:
    return True


def predicate(node: Node | None) -> Callable[[Any], bool]:
    """``node`` as a test of one record (an :class:`~actionlogkit.models.ActionLog`).

    The node is taken apart once, here, and the test runs per record without dispatching on node
    types again. Inside ``$elemMatch`` the test's subject is the array element instead.
    """
    if node is None:
        return _always
    match node:
        case Eq(field=field, value=operand):
            reached = _reached_getter(field)
            equal = _equality(operand)
            return lambda subject: equal(reached(subject), operand)
        case In(field=field, values=operands):
            reached = _reached_getter(field)
            members = tuple((_equality(operand), operand) for operand in operands)

            def member(subject: Any) -> bool:
                values = reached(subject)
                return any(equal(values, operand) for equal, operand in members)

            return member
        case Compare(field=field, op=op, value=bound):
            reached = _reached_getter(field)
            wanted = type_class(bound)
            compare = COMPARATORS[op]
            return lambda subject: any(
                type_class(value) == wanted and compare(value, bound) for value in reached(subject)
            )
        case Exists(field=field):
            if not field.path:
                return _always
            landed = _landed_getter(field)
            return lambda subject: bool(landed(subject))
        case Size(field=field, size=size):
            landed = _landed_getter(field)
            return lambda subject: any(
                isinstance(value, list) and len(value) == size for value in landed(subject)
            )
        case HasType(field=field, types=types):
            reached = _reached_getter(field)
            return lambda subject: any(json_type(value) in types for value in reached(subject))
        case ElemMatch(field=field, condition=condition, filter_form=filter_form):
            landed = _landed_getter(field)
            test = predicate(condition)
            kinds = (dict, list) if filter_form else object

            def element_matches(subject: Any) -> bool:
                return any(
                    isinstance(value, list)
                    and any(isinstance(item, kinds) and test(item) for item in value)
                    for value in landed(subject)
                )

            return element_matches
        case Not(operand=inner):
            test = predicate(inner)
            return lambda subject: not test(subject)
        case And(operands=inner_nodes):
            tests = tuple(predicate(inner) for inner in inner_nodes)
            return lambda subject: all(test(subject) for test in tests)
        case Or(operands=inner_nodes):
            tests = tuple(predicate(inner) for inner in inner_nodes)
            return lambda subject: any(test(subject) for test in tests)
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
