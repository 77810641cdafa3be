"""The validated form of a query: the AST every store answers and every backend compiles.

The AST is small on purpose, so that each backend spells out few meanings, written once in
``docs/query-language.md``: ``$ne`` is ``Not(Eq)``, ``$nin`` is ``Not(In)``, ``$nor`` is
``Not(Or)``, ``$exists: false`` is ``Not(Exists)``, ``$not`` is ``Not`` of its operators (their
``And`` when several), ``$all`` is the ``And`` of one ``Eq`` per value; ``And(())`` (from ``{}``
inside a list) is true. Every operand is already coerced to its field's type; arrays and objects
(operands of JSON fields only) come as lists and dicts in the stored normal form, object keys
sorted by code point. :data:`Node` is a closed union: code that dispatches on it ends with
:func:`~actionlogkit._rules.unreachable`, so the type checker names every place a new node must be
handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from actionlogkit.query._bounds import DEFAULT_LIMIT, DEFAULT_SORT
from actionlogkit.query._fields import FieldKind, FieldRef

__all__ = [
    "JSON_TYPES",
    "And",
    "Compare",
    "ComparisonOp",
    "ElemMatch",
    "Eq",
    "Exists",
    "HasType",
    "In",
    "JsonType",
    "Keyset",
    "Node",
    "Not",
    "Or",
    "Query",
    "Scalar",
    "Size",
    "Value",
]

ComparisonOp = Literal["$gt", "$gte", "$lt", "$lte"]
Scalar = str | int | float | bool | datetime | None
"""An operand after coercion: ``datetime`` only for datetime fields, ``bool`` only in JSON paths."""
Value = Scalar | list[Any] | dict[str, Any]
"""An equality operand: a scalar, or (JSON fields only) a JSON array or object."""
JsonType = Literal["null", "bool", "number", "string", "array", "object"]
"""The names ``$type`` takes."""
JSON_TYPES: tuple[JsonType, ...] = get_args(JsonType)


@dataclass(frozen=True)
class Eq:
    """Some value of the field equals ``value`` (whole values); ``None``: null or missing."""

    field: FieldRef
    value: Value


@dataclass(frozen=True)
class In:
    """``Eq`` holds for at least one of ``values`` (empty: never)."""

    field: FieldRef
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Compare:
    """Some value of the field of ``value``'s type class compares so; ``value`` is not ``None``."""

    field: FieldRef
    op: ComparisonOp
    value: Scalar


@dataclass(frozen=True)
class Exists:
    """The path reaches at least one value (a null counts); always true for top-level fields."""

    field: FieldRef


@dataclass(frozen=True)
class Size:
    """Some value the path lands on (``L``) is an array of exactly ``size`` elements."""

    field: FieldRef
    size: int


@dataclass(frozen=True)
class HasType:
    """Some value the path reaches (``V``) has one of the JSON ``types``."""

    field: FieldRef
    types: tuple[JsonType, ...]


@dataclass(frozen=True)
class ElemMatch:
    """Some value the path lands on is an array with one element that satisfies ``condition``.

    The condition's fields are :attr:`~actionlogkit.query.FieldKind.ELEMENT` fields: the element
    itself (its values ``L`` = ``V`` = the element alone), or paths relative to it (an array
    element seen as an object keyed by its positions).
    """

    field: FieldRef
    condition: Node
    filter_form: bool
    """``True``: ``condition`` is a filter on the element's keys (scalar elements never match);
    ``False``: operators on the element itself."""


@dataclass(frozen=True)
class Not:
    """The operand does not hold."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Every operand holds (true when there are none)."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand holds; never empty."""

    operands: tuple[Node, ...]


Node = Eq | In | Compare | Exists | Size | HasType | ElemMatch | Not | And | Or


@dataclass(frozen=True)
class Keyset:
    """A position in a query's order: after the record with this sort value and ``_id``.

    ``value`` is the sort field's value (coerced to its kind: a ``datetime`` for timestamps, the
    text of an enum), ``None`` for a null one; with ``_id`` as the sort field it equals ``id``.
    """

    value: Scalar
    id: str


@dataclass(frozen=True)
class Query:
    """A validated query as every store receives it."""

    filter: Node | None = None
    """The condition, or ``None`` for every record."""
    search: str | None = None
    """The search term already case-folded (``str.casefold``), or ``None`` for no search."""
    # FieldRef is frozen: every Query may share one default.
    sort: FieldRef = FieldRef(DEFAULT_SORT, FieldKind.DATETIME)  # noqa: RUF009
    """A top-level field."""
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    keyset: Keyset | None = None
    """Where the page starts (a cursor's position): only records after it in query order."""
    with_total: bool = True
    """Whether the caller wants the number of all matches (``Store.list`` then counts)."""
