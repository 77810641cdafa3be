"""Where the MongoDB stand-ins answer the query matrix otherwise than MongoDB, and why.

Each :class:`~actionlogkit.testing.Exclusion` names one behaviour of a stand-in that differs from
MongoDB's documented one, and says which differing cells of the matrix it explains (a filter on a
stored shape). The matrix test reports how many cells each explains, fails on any differing cell
none explains, and fails on an exclusion that no longer explains any cell. Against a real MongoDB
no exclusion applies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from actionlogkit.query import LOGICAL_OPERATORS
from actionlogkit.testing import SHAPES, Exclusion

__all__ = ["MONGOMOCK", "MONTYDB", "NX_27017"]


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not ...:
        yield value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shape(label: str) -> Any:
    return SHAPES.get(label, ...)


def _conditions(filter: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each (path, condition) of a matrix filter, through ``$nor``."""
    for key, value in filter.items():
        if key == "$nor":
            for inner in value:
                yield from _conditions(inner)
        else:
            yield key, value


def _elem_match(filter: Mapping[str, Any]) -> Any:
    for _, condition in _conditions(filter):
        if isinstance(condition, dict) and "$elemMatch" in condition:
            return condition["$elemMatch"]
    return None


def _operator_form(filter: Mapping[str, Any], label: str) -> bool:
    body = _elem_match(filter)
    return isinstance(body, dict) and all(
        key.startswith("$") and key not in LOGICAL_OPERATORS for key in body
    )


def _filter_form(filter: Mapping[str, Any], label: str) -> bool:
    body = _elem_match(filter)
    return isinstance(body, dict) and not _operator_form(filter, label)


def _true_meets_one(filter: Mapping[str, Any], label: str) -> bool:
    operands = list(_scalars(filter))
    stored = list(_scalars(_shape(label)))
    return (any(isinstance(v, bool) for v in operands) and any(map(_is_number, stored))) or (
        any(map(_is_number, operands)) and any(isinstance(v, bool) for v in stored)
    )


def _has_nested_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, list) for item in value)


def _array_operand_on_nested_arrays(filter: Mapping[str, Any], label: str) -> bool:
    return any(isinstance(v, list) for v in _operand_values(filter)) and _has_nested_list(
        _shape(label)
    )


def _operand_values(filter: Mapping[str, Any]) -> Iterator[Any]:
    """The operands of a matrix filter's conditions, through ``$not`` and lists of values."""
    for _, condition in _conditions(filter):
        yield from _operands_of(condition)


def _operands_of(condition: Any) -> Iterator[Any]:
    if not (isinstance(condition, dict) and condition and next(iter(condition)).startswith("$")):
        yield condition
        return
    for key, value in condition.items():
        if key in ("$not", "$elemMatch"):
            yield from _operands_of(value)
        elif key in ("$in", "$nin", "$all") and isinstance(value, list):
            yield from value
        else:
            yield value


def _uses(operator: str) -> Any:
    def applies(filter: Mapping[str, Any], label: str) -> bool:
        return f'"{operator}"' in json.dumps(filter)

    return applies


def _position_as_key(filter: Mapping[str, Any], label: str) -> bool:
    shape = _shape(label)
    return any(".0" in path for path, _ in _conditions(filter)) and (
        isinstance(shape, list) and any(isinstance(item, dict) and "0" in item for item in shape)
    )


MONGOMOCK: tuple[Exclusion, ...] = (
    Exclusion(
        "mongomock-ng: $elemMatch's operator form does not test each element alone (it opens "
        "nested arrays, takes true for 1, and answers $ne, $nin, $size and $all on other values)",
        _operator_form,
    ),
    Exclusion(
        "mongomock-ng: $elemMatch's filter form is applied to scalar elements, and an array "
        "element is not read as a document keyed by its positions",
        _filter_form,
    ),
    Exclusion(
        "mongomock-ng: compares with Python's ==, where true == 1 and false == 0", _true_meets_one
    ),
    Exclusion(
        "mongomock-ng: an array operand is not compared with the arrays nested in a stored array",
        _array_operand_on_nested_arrays,
    ),
    Exclusion(
        "mongomock-ng: a numeric path segment only indexes an array, never names a key of its "
        "object elements",
        _position_as_key,
    ),
    Exclusion(
        "mongomock-ng: $size measures text and objects too, and takes a scalar for an array of one",
        _uses("$size"),
    ),
)
"""The in-process tier's known differences (mongomock-ng 7.11)."""


def _null_rule(filter: Mapping[str, Any], label: str) -> bool:
    return any(value is None for value in _operand_values(filter))


def _pinned_class(filter: Mapping[str, Any], label: str) -> bool:
    return any(isinstance(value, (bool, int, float)) for value in _operand_values(filter))


def _position(filter: Mapping[str, Any], label: str) -> bool:
    return any(".0" in path for path, _ in _conditions(filter))


def _walks_arrays(filter: Mapping[str, Any], label: str) -> bool:
    return any(path.count(".") > 1 for path, _ in _conditions(filter)) and "[" in repr(
        _shape(label)
    )


def _object_operand(filter: Mapping[str, Any], label: str) -> bool:
    return any(isinstance(value, dict) for value in _operand_values(filter))


def _through_scalar(filter: Mapping[str, Any], label: str) -> bool:
    shape = _shape(label)
    return any(path.count(".") > 1 for path, _ in _conditions(filter)) and not isinstance(
        shape, (dict, list)
    )


def _any(*tests: Any) -> Any:
    def applies(filter: Mapping[str, Any], label: str) -> bool:
        return any(test(filter, label) for test in tests)

    return applies


NX_27017: tuple[Exclusion, ...] = (
    Exclusion(
        "nx-27017: $elemMatch is not evaluated as MongoDB does (neither form: elements are not "
        "tested alone, scalar elements meet the filter form, nested arrays are opened)",
        _uses("$elemMatch"),
    ),
    Exclusion(
        "nx-27017: $type does not look inside arrays and takes a missing value for null; the "
        "null rule (null, $ne null, null in $in/$nin/$all) and the class of number and boolean "
        'operands ({"$eq": 1, "$type": "number"}) are built on it',
        _any(_uses("$type"), _null_rule, _pinned_class),
    ),
    Exclusion("nx-27017: a numeric path segment is not read as an array position", _position),
    Exclusion(
        "nx-27017: no type bracketing: range operators compare values of other types",
        _any(_uses("$gt"), _uses("$gte"), _uses("$lt"), _uses("$lte")),
    ),
    Exclusion(
        "nx-27017: arrays met along a path are not walked (for $exists, $in and comparisons)",
        _walks_arrays,
    ),
    Exclusion(
        "nx-27017: an array operand is not compared with the arrays nested in a stored array",
        _array_operand_on_nested_arrays,
    ),
    Exclusion(
        "nx-27017: object operands are compared otherwise (a boolean member taken for a number, "
        "an array member for one of its elements)",
        _object_operand,
    ),
    Exclusion(
        'nx-27017: a path continued past a scalar reaches the scalar (payload.v.k on v = "abc" '
        'finds "abc")',
        _through_scalar,
    ),
)
"""The wire tier's known differences (nx-27017 0.8)."""
MONTYDB: tuple[Exclusion, ...] = ()
