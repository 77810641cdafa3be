"""The operator table: the parser reads each operator as its entry says, and lists come from it."""

from __future__ import annotations

import pytest

from actionlogkit import InvalidQuery
from actionlogkit._rules import unreachable
from actionlogkit.query import (
    COMPARATORS,
    COMPARISON_OPERATORS,
    FIELD_OPERATORS,
    LOGICAL_OPERATORS,
    OPERATORS,
    And,
    Compare,
    ComparisonOp,
    ElemMatch,
    Eq,
    Exists,
    FieldKind,
    FieldRef,
    FieldRule,
    HasType,
    In,
    LogicalRule,
    Node,
    Not,
    Or,
    Size,
    parse_filter,
)

PATH = FieldRef("payload", FieldKind.JSON, ("a",))
STATUS = FieldRef("status", FieldKind.ENUM)
COMPARISONS: dict[str, ComparisonOp] = {op: op for op in COMPARISON_OPERATORS}


def test_the_table_lists_field_operators_then_logical_ones() -> None:
    """The two views partition the table and keep its order; every comparison has its meaning."""
    assert [*FIELD_OPERATORS, *LOGICAL_OPERATORS] == list(OPERATORS)
    assert list(COMPARATORS) == list(COMPARISON_OPERATORS)
    assert all(FIELD_OPERATORS[op].rule is FieldRule.COMPARE for op in COMPARISON_OPERATORS)


def _field_case(name: str) -> tuple[object, Node]:
    """An operand for the field operator ``name`` and the node it gives, before negation."""
    rule = FIELD_OPERATORS[name].rule
    match rule:
        case FieldRule.EQUAL:
            return 3, Eq(PATH, 3)
        case FieldRule.COMPARE:
            return 3, Compare(PATH, COMPARISONS[name], 3)
        case FieldRule.MEMBER:
            return [3, None], In(PATH, (3, None))
        case FieldRule.EXISTS:
            return True, Exists(PATH)
        case FieldRule.OPERATORS:
            return {"$eq": 3, "$exists": True}, And((Eq(PATH, 3), Exists(PATH)))
        case FieldRule.ALL:
            return [3, [1]], And((Eq(PATH, 3), Eq(PATH, [1])))
        case FieldRule.SIZE:
            return 2, Size(PATH, 2)
        case FieldRule.TYPE:
            return ["array", "null", "array"], HasType(PATH, ("array", "null"))
        case FieldRule.ELEMENTS:
            element = FieldRef("", FieldKind.ELEMENT)
            return {"$gt": 3, "$lt": 5}, ElemMatch(
                PATH, And((Compare(element, "$gt", 3), Compare(element, "$lt", 5))), False
            )
        case _:
            unreachable(rule)


@pytest.mark.parametrize("name", list(FIELD_OPERATORS))
def test_each_field_operator_parses_as_its_entry_says(name: str) -> None:
    """The rule decides the node, ``negated`` wraps it in Not."""
    operand, node = _field_case(name)
    expected = Not(node) if FIELD_OPERATORS[name].negated else node
    assert parse_filter({"payload.a": {name: operand}}) == expected


@pytest.mark.parametrize("name", list(LOGICAL_OPERATORS))
def test_each_logical_operator_parses_as_its_entry_says(name: str) -> None:
    """And for ALL, Or for ANY, wrapped in Not when negated."""
    entry = LOGICAL_OPERATORS[name]
    operands = (Eq(STATUS, "failed"), Eq(STATUS, "success"))
    rule = entry.rule
    match rule:
        case LogicalRule.ALL:
            node: Node = And(operands)
        case LogicalRule.ANY:
            node = Or(operands)
        case _:
            unreachable(rule)
    expected = Not(node) if entry.negated else node
    assert parse_filter({name: [{"status": "failed"}, {"status": "success"}]}) == expected


def test_errors_list_the_operators_of_the_table() -> None:
    """An unknown operator is answered with the operators allowed where it stands."""
    with pytest.raises(InvalidQuery) as field_level:
        parse_filter({"status": {"$regexp": "x"}})
    assert str(field_level.value).endswith("operators: " + ", ".join(FIELD_OPERATORS))
    with pytest.raises(InvalidQuery) as top_level:
        parse_filter({"$xor": []})
    assert str(top_level.value).endswith("logical operators: " + ", ".join(LOGICAL_OPERATORS))


@pytest.mark.parametrize("name", [op for op, entry in FIELD_OPERATORS.items() if entry.json_only])
def test_json_only_operators_are_refused_on_top_level_fields(name: str) -> None:
    """$size, $all, $type and $elemMatch name their place and say they apply to paths alone."""
    with pytest.raises(InvalidQuery, match="applies to paths inside") as caught:
        parse_filter({"retryCount": {name: [1]}})
    assert [error.field for error in caught.value.errors] == [f"filter.retryCount.{name}"]


@pytest.mark.parametrize("name", list(FIELD_OPERATORS))
def test_field_operators_are_refused_at_the_top(name: str) -> None:
    """A field operator in place of a field says where it belongs."""
    with pytest.raises(InvalidQuery, match="must be applied to a field"):
        parse_filter({name: 1})


@pytest.mark.parametrize("name", list(LOGICAL_OPERATORS))
def test_logical_operators_are_refused_on_a_field(name: str) -> None:
    """A logical operator applied to a field says where it belongs."""
    with pytest.raises(InvalidQuery, match="at the level of a filter object"):
        parse_filter({"status": {name: []}})
