"""The query matrix: every operator, every operand class, every stored shape, on any store.

Each stored shape is one record whose ``payload`` holds it under ``v``; each query is a filter on a
path through ``v``, alone, under ``$not``, under ``$nor`` and inside ``$elemMatch``. A store
answers every query of the matrix over every shape at once, and each answer is compared with
:class:`~actionlogkit.MemoryStore`'s, record by record: a *cell* is one query on one shape.

The whole product is enumerated, not sampled: the shapes, the operand classes and the operators
are read from the tables below and from the operator table (:data:`~actionlogkit.query.OPERATORS`),
so a new operator without operands here fails :func:`queries` at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from actionlogkit._rules import unreachable
from actionlogkit.errors import InvalidQuery, StoreError
from actionlogkit.memory import MemoryStore
from actionlogkit.models import ActionLog
from actionlogkit.query import FIELD_OPERATORS, JSON_TYPES, FieldRule
from actionlogkit.store import Store

__all__ = [
    "MATRIX_PATHS",
    "OPERANDS",
    "SHAPES",
    "Cell",
    "Exclusion",
    "MatrixReport",
    "matrix_records",
    "queries",
    "run_matrix",
]

# The stored shapes at the path, by label. "missing" has no ``v``; "no payload" no payload at all.
SHAPES: dict[str, Any] = {
    "missing": ...,
    "no payload": None,
    "null": None,
    "false": False,
    "true": True,
    "0": 0,
    "1": 1,
    "-3": -3,
    "2.5": 2.5,
    "1.0": 1.0,
    "empty text": "",
    "abc": "abc",
    "Straße": "Straße",
    "STRASSE": "STRASSE",
    "ǅ": "ǅ",
    "[]": [],
    "[1, 2]": [1, 2],
    "[2, 1.0]": [2, 1.0],
    "mixed scalars": [1, "a", True, 2.5],
    "falsy scalars": [False, 0, "0", ""],
    "[true]": [True],
    "[null]": [None],
    "[null, 1]": [None, 1],
    "objects with k": [{"k": 1}, {"k": "a"}],
    "objects with and without k": [{"k": 1}, {"x": 1}],
    "objects without k": [{"x": 1}, {}],
    "object with null k": [{"k": None}],
    "k holds an array": [{"k": [1, 2]}, {"k": True}],
    "k holds an object": [{"k": {"w": 1}}],
    "nested arrays": [[1, 2], [3]],
    "nested array of objects": [[{"k": 1}]],
    "[[]]": [[]],
    "[[1, 2]]": [[1, 2]],
    "object": {"k": 1, "w": "x"},
    "object, k null": {"k": None},
    "object, k array": {"k": [1, {"w": 1}]},
    "empty object": {},
    "object, digit keys": {"0": 5, "1": [1, 2]},
    "array of digit-keyed objects": [{"0": 7, "k": 0}, {"1": 1.0}],
    "two levels of arrays": [{"w": [{"k": 1}, {"k": [2]}]}, {"w": {"k": "ǅ"}}],
}

MATRIX_PATHS: tuple[str, ...] = ("payload.v", "payload.v.k", "payload.v.0", "payload.v.w.k")
"""The paths every query is asked on: direct, through arrays of objects, a position, two levels."""

SCALARS: tuple[Any, ...] = (
    None,
    False,
    True,
    0,
    1,
    -3,
    2.5,
    1.0,
    "",
    "abc",
    "Straße",
    "STRASSE",
    "ǅ",
)
ARRAYS: tuple[Any, ...] = ([], [1, 2], [1.0, 2], [2, 1], [True], [None], [{"k": 1}], [[1, 2]])
OBJECTS: tuple[Any, ...] = ({}, {"k": 1}, {"k": 1.0}, {"k": True}, {"k": None}, {"w": "x", "k": 1})

OPERANDS: dict[str, tuple[Any, ...]] = {
    "scalars": SCALARS,
    "arrays": ARRAYS,
    "objects": OBJECTS,
}
"""The operand classes: scalars of every class (text with case pairs), arrays, objects."""

_LISTS: tuple[list[Any], ...] = (
    [],
    *([value] for value in (*SCALARS, *ARRAYS, *OBJECTS)),
    [None, 1],
    [1, "abc", True],
    [False, 0.0, ""],
    [[1, 2], {"k": 1}],
)
_SIZES = (0, 1, 2, 4)
_TYPES: tuple[Any, ...] = (*JSON_TYPES, ["bool", "number"], ["null", "array"], ["object", "string"])
_ELEMENT_KEYS = ("k", "0")
"""The paths an ``$elemMatch`` filter asks of each element: a key, and a position."""


def operands(operator: str) -> tuple[Any, ...]:
    """Every operand the matrix gives ``operator``: each class it accepts."""
    rule = FIELD_OPERATORS[operator].rule
    match rule:
        case FieldRule.EQUAL:
            return (*SCALARS, *ARRAYS, *OBJECTS)
        case FieldRule.COMPARE:
            return tuple(value for value in SCALARS if value is not None)
        case FieldRule.MEMBER:
            return _LISTS
        case FieldRule.ALL:
            return tuple(members for members in _LISTS if members)
        case FieldRule.EXISTS:
            return (True, False)
        case FieldRule.SIZE:
            return _SIZES
        case FieldRule.TYPE:
            return _TYPES
        case FieldRule.OPERATORS | FieldRule.ELEMENTS:
            # Built from the other operators: one level deep below them (see queries()).
            return ()
        case _:
            unreachable(rule)


def _conditions(*, on_element: bool) -> Iterator[Any]:
    """Every operator with every operand, as the value of a field's condition."""
    for value in operands("$eq"):
        if not isinstance(value, dict):
            yield value  # {"p": v}: plain equality (an object would be an operator document)
    for operator, entry in FIELD_OPERATORS.items():
        if on_element and entry.rule is FieldRule.EXISTS:
            continue  # refused on the element itself
        for operand in operands(operator):
            yield {operator: operand}


def queries() -> list[dict[str, Any]]:
    """The matrix's filters, in a fixed order.

    Every operator with every operand on every path; the same one level deep under ``$not``,
    ``$nor`` and ``$elemMatch`` (its operator form on each path, and its filter form with the
    element's key ``k`` and position ``0``).
    """
    found: list[dict[str, Any]] = []
    for path in MATRIX_PATHS:
        for condition in _conditions(on_element=False):
            found.append({path: condition})
            found.append({"$nor": [{path: condition}]})
            if isinstance(condition, dict):
                found.append({path: {"$not": condition}})
        for condition in _conditions(on_element=True):
            if isinstance(condition, dict):
                found.append({path: {"$elemMatch": condition}})
    for key in _ELEMENT_KEYS:
        for condition in _conditions(on_element=False):
            found.append({"payload.v": {"$elemMatch": {key: condition}}})
    return found


_T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def matrix_records() -> list[ActionLog]:
    """One complete record per shape (ids and timestamps fixed), labelled by ``integrationId``."""
    records = []
    for number, (label, shape) in enumerate(SHAPES.items()):
        if label == "no payload":
            payload = None
        elif shape is ...:
            payload = {"other": 1}
        else:
            payload = {"v": shape}
        stamp = _T0 + timedelta(seconds=number)
        records.append(
            ActionLog.model_validate(
                {
                    "_id": f"{number + 1:024x}",
                    "integrationId": label,
                    "actionType": "sync",
                    "entityType": "shape",
                    "status": "success",
                    "payload": payload,
                    "createdAt": stamp,
                    "updatedAt": stamp,
                }
            )
        )
    return records


@dataclass(frozen=True)
class Cell:
    """One query on one stored shape where a store and the reference answer differently."""

    filter: str
    """The filter as compact JSON."""
    shape: str
    """The label of the stored shape."""
    expected: bool | str
    """Whether the reference matches the shape (or the error places it raised)."""
    actual: bool | str


@dataclass(frozen=True)
class Exclusion:
    """A known difference of a stand-in from MongoDB: the cells it explains, and why."""

    reason: str
    applies: Callable[[Mapping[str, Any], str], bool]
    """``applies(filter, shape label)``: whether a differing cell is this difference."""


@dataclass
class MatrixReport:
    """What one run of the matrix found."""

    queries: int
    cells: int
    mismatches: list[Cell]
    excluded: dict[str, list[Cell]]
    """Per exclusion reason, the differing cells it explains."""
    unexplained: list[Cell]

    def render(self, limit: int = 60) -> str:
        """A readable account: counts, then each unexplained cell."""
        lines = [
            f"{self.queries} queries on {self.cells // max(self.queries, 1)} shapes = "
            f"{self.cells} cells; {len(self.mismatches)} differ from MemoryStore, "
            f"{len(self.unexplained)} unexplained"
        ]
        for reason, cells in self.excluded.items():
            lines.append(f"  excluded ({len(cells)} cells): {reason}")
        for cell in self.unexplained[:limit]:
            lines.append(
                f"  {cell.filter} on {cell.shape!r}: expected {cell.expected}, got {cell.actual}"
            )
        if len(self.unexplained) > limit:
            lines.append(f"  … and {len(self.unexplained) - limit} more")
        return "\n".join(lines)


def _answer(store: Store, filter: Mapping[str, Any], labels: Mapping[str, str]) -> set[str] | str:
    try:
        page = store.list(filter, sort="_id", order="asc", limit=100)
    except InvalidQuery as exc:
        return "InvalidQuery " + ", ".join(str(error.field) for error in exc.errors)
    except StoreError as exc:
        # A stand-in that cannot run a query fails it; the cell says so instead of the run.
        return f"StoreError {str(exc.__cause__ or exc)[:80]}"
    found = {labels[record.id] for record in page.data}
    if page.total != len(found):
        return f"total {page.total} for {len(found)} records"
    return found


def run_matrix(
    store: Store,
    exclusions: Sequence[Exclusion] = (),
    filters: Sequence[dict[str, Any]] | None = None,
) -> MatrixReport:
    """Load the shapes into ``store`` (emptied first), ask every query, compare with MemoryStore.

    A differing cell is explained by the first exclusion that applies to it, else reported as
    unexplained.
    """
    records = matrix_records()
    labels = {record.id: record.integration_id for record in records}
    reference = MemoryStore()
    reference.import_records(records)
    store.delete_many({})
    store.import_records(records)
    asked = queries() if filters is None else list(filters)
    mismatches: list[Cell] = []
    excluded: dict[str, list[Cell]] = {exclusion.reason: [] for exclusion in exclusions}
    unexplained: list[Cell] = []
    for filter in asked:
        expected = _answer(reference, filter, labels)
        actual = _answer(store, filter, labels)
        if actual == expected:
            continue
        text = json.dumps(filter, ensure_ascii=False, separators=(",", ":"))
        if isinstance(expected, str) or isinstance(actual, str):
            differing = [
                Cell(text, "(all)", str(expected), str(actual)),
            ]
        else:
            differing = [
                Cell(text, label, label in expected, label in actual)
                for label in SHAPES
                if (label in expected) != (label in actual)
            ]
        for cell in differing:
            mismatches.append(cell)
            for exclusion in exclusions:
                if exclusion.applies(filter, cell.shape):
                    excluded[exclusion.reason].append(cell)
                    break
            else:
                unexplained.append(cell)
    return MatrixReport(
        queries=len(asked),
        cells=len(asked) * len(SHAPES),
        mismatches=mismatches,
        excluded=excluded,
        unexplained=unexplained,
    )
