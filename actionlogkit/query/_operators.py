"""The operators of the query language, in one table that everything else is derived from.

The parser dispatches on :data:`OPERATORS`; the operator lists in error messages, in the REST
API's description of the filter and in the test strategies are read from it, so an operator is
added in one place. An entry says where the operator stands by its class (a
:class:`FieldOperator` applies to a field, a :class:`LogicalOperator` combines filter objects)
and how its operand is read by its rule; ``negated`` wraps the node in ``Not``, which is how
``$ne``, ``$nin``, ``$nor`` and ``$not`` need no nodes of their own. The rules are closed enums
and their dispatches end in :func:`~actionlogkit._rules.unreachable`: a new rule is a type error
wherever it is not handled yet.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args

from actionlogkit._rules import unreachable
from actionlogkit.query._ast import ComparisonOp

__all__ = [
    "COMPARATORS",
    "COMPARISON_OPERATORS",
    "FIELD_OPERATORS",
    "LOGICAL_OPERATORS",
    "OPERATORS",
    "FieldOperator",
    "FieldRule",
    "LogicalOperator",
    "LogicalRule",
    "Operator",
]


class FieldRule(Enum):
    """How the parser reads a field operator's operand, and the node it builds."""

    EQUAL = "equal"
    """One operand of the field's type, null allowed: ``Eq``."""
    COMPARE = "compare"
    """One operand of the field's type, not null: ``Compare``."""
    MEMBER = "member"
    """An array of operands as ``EQUAL`` takes them: ``In``."""
    EXISTS = "exists"
    """``true`` or ``false``: ``Exists``, or ``Not(Exists)``."""
    OPERATORS = "operators"
    """A non-empty object of field operators: their node (their ``And`` when several)."""
    ALL = "all"
    """A non-empty array of operands as ``EQUAL`` takes them: the ``And`` of their ``Eq``."""
    SIZE = "size"
    """A whole number ≥ 0: ``Size``."""
    TYPE = "type"
    """A JSON type name or a non-empty array of them: ``HasType``."""
    ELEMENTS = "elements"
    """A non-empty object of field operators, or a filter on the element: ``ElemMatch``."""


class LogicalRule(Enum):
    """How the parser combines a logical operator's non-empty array of filter objects."""

    ALL = "all"
    """``And``."""
    ANY = "any"
    """``Or``."""


@dataclass(frozen=True)
class FieldOperator:
    """An operator applied to a field: ``{"status": {"$ne": "failed"}}``."""

    rule: FieldRule
    negated: bool = False
    """The node built by the rule is wrapped in ``Not``."""
    json_only: bool = False
    """Applies to values inside JSON alone, never to a top-level field."""


@dataclass(frozen=True)
class LogicalOperator:
    """An operator at the level of a filter object: ``{"$or": [{…}, {…}]}``."""

    rule: LogicalRule
    negated: bool = False
    """The node built by the rule is wrapped in ``Not``."""


Operator = FieldOperator | LogicalOperator

COMPARISON_OPERATORS: tuple[ComparisonOp, ...] = get_args(ComparisonOp)
"""The comparisons, in the order of :data:`~actionlogkit.query.ComparisonOp`, which names them."""

OPERATORS: Mapping[str, Operator] = {
    "$eq": FieldOperator(FieldRule.EQUAL),
    "$ne": FieldOperator(FieldRule.EQUAL, negated=True),
    **{name: FieldOperator(FieldRule.COMPARE) for name in COMPARISON_OPERATORS},
    "$in": FieldOperator(FieldRule.MEMBER),
    "$nin": FieldOperator(FieldRule.MEMBER, negated=True),
    "$exists": FieldOperator(FieldRule.EXISTS),
    "$not": FieldOperator(FieldRule.OPERATORS, negated=True),
    "$all": FieldOperator(FieldRule.ALL, json_only=True),
    "$size": FieldOperator(FieldRule.SIZE, json_only=True),
    "$type": FieldOperator(FieldRule.TYPE, json_only=True),
    "$elemMatch": FieldOperator(FieldRule.ELEMENTS, json_only=True),
    "$and": LogicalOperator(LogicalRule.ALL),
    "$or": LogicalOperator(LogicalRule.ANY),
    "$nor": LogicalOperator(LogicalRule.ANY, negated=True),
}
"""Every operator by name, in the order messages and documentation list them."""
FIELD_OPERATORS: Mapping[str, FieldOperator] = {
    name: entry for name, entry in OPERATORS.items() if isinstance(entry, FieldOperator)
}
"""The field operators of :data:`OPERATORS`, in its order."""
LOGICAL_OPERATORS: Mapping[str, LogicalOperator] = {
    name: entry for name, entry in OPERATORS.items() if isinstance(entry, LogicalOperator)
}
"""The logical operators of :data:`OPERATORS`, in its order."""


def _comparator(op: ComparisonOp) -> Callable[[Any, Any], Any]:
    match op:
        case "$gt":
            return operator.gt
        case "$gte":
            return operator.ge
        case "$lt":
            return operator.lt
        case "$lte":
            return operator.le
        case _:
            unreachable(op)


# Built by the function, whose match the type checker proves complete; read as a table.
COMPARATORS: Mapping[ComparisonOp, Callable[[Any, Any], Any]] = {
    op: _comparator(op) for op in COMPARISON_OPERATORS
}
"""Python's operator for each comparison: the evaluator applies it to values, SQL to columns."""
