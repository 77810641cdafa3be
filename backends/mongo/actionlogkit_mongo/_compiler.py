"""The query compiler: a validated query AST → a MongoDB filter document and sort.

The filter is built from the AST alone: field names are the ``FieldRef``s the core validated (a
top-level wire name, or a dotted path below ``payload``, ``response`` or ``metadata`` whose segments
never start with ``$``), values are the coerced operands (objects with their keys sorted, as
documents are stored), and the only operators are ``$and``, ``$or``, ``$nor``, ``$eq``, ``$in``,
``$gt``/``$gte``/``$lt``/``$lte``, ``$exists``, ``$type``, ``$size``, ``$elemMatch`` and, inside
the operator form of ``$elemMatch``, ``$not``, ``$nin`` and ``$all``; on the hidden search field
only, ``$regex`` of escaped literal text. Plain equality ``{field: value}`` is written only with a
scalar value, which MongoDB never reads as an operator; arrays and objects go in ``$eq``/``$in``.

MongoDB's own traversal already is the query language's (a dotted path applies each step to the
object elements of an array it meets, skips nested arrays and scalars, and a reached array counts
with its elements one level deep), and its comparisons already bracket by type (numbers by value
across int and double, booleans apart from numbers, strings by UTF-8 bytes, which is code point
order). Where MongoDB's native meaning differs, the compiler spells ours out:

- ``null`` on a path: natively ``{"a.b": null}`` also matches when an object element of an array
  lacks ``b`` (``[{"b": 3}, {}]``), and, depending on the server version, does not match arrays of
  scalars or empty arrays, where nothing is reached. Compiled as *nothing is reached, or a null is
  reached*: ``$nor [$exists]`` or ``$type: "null"``. ``$in`` lists are split the same way.
- negation: every ``Not`` is ``$nor`` around the compiled operand, a negation of the whole
  condition on the document, never the per-field ``$not`` or ``$ne`` with their own null rules.
- ``$exists`` on top-level fields is always true (documents store absent values as nulls); empty
  ``$in`` matches nothing, ``And(())`` everything: constants are folded away.
- ``$elemMatch``: its filter form is MongoDB's object form (an array element is a document keyed
  by its positions there too), compiled by the same rules; its operator form is MongoDB's value
  form, where each operator tests the element alone, as the query language says, so it is
  written with MongoDB's own operators (``$not`` for negation, ``$nin`` for negated equality,
  ``$all`` for several equalities). A filter form that always holds becomes
  ``{"$type": ["object", "array"]}`` on the element.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from bson import ObjectId
from typing_extensions import assert_never

from actionlogkit.query import (
    And,
    Compare,
    ElemMatch,
    Eq,
    Exists,
    FieldKind,
    FieldRef,
    HasType,
    In,
    Node,
    Not,
    Or,
    Query,
    Size,
    Value,
)
from actionlogkit_mongo._documents import SEARCH_FIELD

__all__ = ["compile_after", "compile_filter", "compile_sort", "match_nothing"]

Filter = dict[str, Any]
# A compiled condition: a filter document, or a constant the folding removes.
_Compiled = Filter | bool


def match_nothing() -> Filter:
    """The filter of a condition that is always false (every document has an ``_id``)."""
    return {"_id": {"$in": []}}


def _value(field: FieldRef, value: Value) -> Any:
    if field.kind is FieldKind.ID and isinstance(value, str):
        return ObjectId(value)
    return value


def _exists(path: str) -> Filter:
    return {path: {"$exists": True}}


def _null(field: FieldRef) -> _Compiled:
    if not field.is_json:
        # Top-level fields are stored on every document, absent values as explicit nulls.
        return {field.name: {"$eq": None}}
    path = field.dotted
    return _any((_negate(_exists(path)), {path: {"$type": "null"}}))


def _join(operator: str, absorbing: bool, operands: Sequence[_Compiled]) -> _Compiled:
    """``$and`` (absorbing ``False``) or ``$or`` (absorbing ``True``), flat and folded."""
    kept: list[Filter] = []
    for operand in operands:
        if operand is absorbing:
            return absorbing
        if isinstance(operand, bool):
            continue
        if len(operand) == 1 and operator in operand:
            kept.extend(operand[operator])
        else:
            kept.append(operand)
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else {operator: kept}


def _all(operands: Sequence[_Compiled]) -> _Compiled:
    return _join("$and", False, operands)


def _any(operands: Sequence[_Compiled]) -> _Compiled:
    return _join("$or", True, operands)


def _negate(operand: _Compiled) -> _Compiled:
    if isinstance(operand, bool):
        return not operand
    return {"$nor": [operand]}


def _type_class(value: Value) -> str | None:
    """The BSON ``$type`` alias that pins a JSON operand's class, where equality could stray."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return None


def _equal(field: FieldRef, values: Sequence[Value]) -> _Compiled:
    """Some reached value equals one of ``values`` (none of them null) within its class."""
    by_class: dict[str | None, list[Any]] = {}
    containers: list[Any] = []
    for value in values:
        if isinstance(value, (list, dict)):
            containers.append(value)
            continue
        type_class = _type_class(value) if field.is_json else None
        by_class.setdefault(type_class, []).append(_value(field, value))
    parts: list[_Compiled] = []
    if containers:
        # Whole-value equality; objects' keys are sorted as stored documents' are.
        condition = {"$eq": containers[0]} if len(containers) == 1 else {"$in": containers}
        parts.append({field.dotted: condition})
    for type_class, members in by_class.items():
        if type_class is None:
            # Text, ids, enums, dates and top-level numbers: plain equality is exact.
            parts.append({field.dotted: members[0] if len(members) == 1 else {"$in": members}})
            continue
        # MongoDB already keeps booleans apart from numbers; the $type in the same operator
        # document says so explicitly, for every server and imitation that reads the filter.
        condition = {"$eq": members[0]} if len(members) == 1 else {"$in": members}
        parts.append({field.dotted: {**condition, "$type": type_class}})
    return _any(parts)


def _compile(node: Node) -> _Compiled:
    match node:
        case Eq():
            if node.value is None:
                return _null(node.field)
            return _equal(node.field, [node.value])
        case In():
            values = [value for value in node.values if value is not None]
            listed = _equal(node.field, values) if values else False
            if len(values) == len(node.values):
                return listed
            return _any((listed, _null(node.field)))
        case Compare():
            return {node.field.dotted: {node.op: _value(node.field, node.value)}}
        case Exists():
            return _exists(node.field.dotted) if node.field.path else True
        case Size():
            return {node.field.dotted: {"$size": node.size}}
        case HasType():
            # One $type per name: the same meaning as MongoDB's list, which not every
            # imitation of MongoDB reads.
            return _any([{node.field.dotted: {"$type": name}} for name in node.types])
        case ElemMatch():
            body = _elem_match(node)
            return body if isinstance(body, bool) else {node.field.dotted: body}
        case Not():
            return _negate(_compile(node.operand))
        case And():
            return _all([_compile(operand) for operand in node.operands])
        case Or():
            return _any([_compile(operand) for operand in node.operands])
        case _:
            assert_never(node)


def _elem_match(node: ElemMatch) -> _Operators | bool:
    """The operator document ``{"$elemMatch": …}`` of a node, or a constant."""
    if node.filter_form:
        condition = _compile(node.condition)
        if condition is False:
            return False
        if condition is True:
            return {"$elemMatch": {"$type": ["object", "array"]}}
        return {"$elemMatch": condition}
    operators = _on_element(node.condition)
    if isinstance(operators, bool):
        if not operators:
            return False
        return {"$elemMatch": {"$exists": True}}
    return {"$elemMatch": operators}


_Operators = dict[str, Any]


def _on_element(node: Node) -> _Operators | bool:
    """An operator document that tests one array element alone (``$elemMatch``'s value form)."""
    match node:
        case Eq():
            return {"$eq": node.value}
        case In():
            return {"$in": list(node.values)} if node.values else False
        case Compare():
            return {node.op: node.value}
        case Exists():
            return True
        case Size():
            return {"$size": node.size}
        case HasType():
            return {"$type": list(node.types)}
        case ElemMatch():
            return _elem_match(node)
        case Not():
            inner = _on_element(node.operand)
            if isinstance(inner, bool):
                return not inner
            return {"$not": inner}
        case And():
            return _conjoin(node.operands)
        case Or():
            if len(node.operands) == 1:
                return _on_element(node.operands[0])
            raise ValueError("a disjunction on an array element has no MongoDB operator form")
        case _:
            assert_never(node)


def _conjoin(operands: Sequence[Node]) -> _Operators | bool:
    """The operators of a conjunction on one element, each MongoDB operator named once."""
    equal: list[Any] = []
    unequal: list[Any] = []
    parts: list[_Operators] = []
    pending = list(operands)
    while pending:
        operand = pending.pop(0)
        match operand:
            case And():
                pending[:0] = operand.operands
            case Eq():
                equal.append(operand.value)
            case Not(operand=Eq() as inner):
                unequal.append(inner.value)
            case Not(operand=In() as inner):
                unequal.extend(inner.values)
            case _:
                compiled = _on_element(operand)
                if compiled is False:
                    return False
                if compiled is not True:
                    parts.append(compiled)
    if equal:
        parts.append({"$eq": equal[0]} if len(equal) == 1 else {"$all": equal})
    if unequal:
        parts.append({"$nin": unequal})
    merged: _Operators = {}
    for part in parts:
        for key, value in part.items():
            if key not in merged:
                merged[key] = value
            elif "$not" not in merged:
                # A second operator of one name: not(not(…)) holds it beside the first.
                merged["$not"] = {"$not": {key: value}}
            else:
                raise ValueError(f"{key} twice on one array element has no MongoDB form")
    return merged or True


def compile_filter(node: Node | None, search: str | None = None) -> Filter:
    """The MongoDB filter of a validated filter and a case-folded search term."""
    parts: list[_Compiled] = [True if node is None else _compile(node)]
    if search is not None:
        # The stored text and the term are both folded by Python: a literal substring test.
        parts.append({SEARCH_FIELD: {"$regex": re.escape(search)}})
    compiled = _all(parts)
    if compiled is True:
        return {}
    if compiled is False:
        return match_nothing()
    return compiled


def compile_sort(query: Query) -> list[tuple[str, Literal[1, -1]]]:
    """The sort of a query: its field, then ``_id``, both in the query's direction.

    MongoDB puts nulls before every value ascending and after them descending, and compares
    strings by code point, as the query language does.
    """
    direction: Literal[1, -1] = -1 if query.descending else 1
    if query.sort.name == "_id":
        return [("_id", direction)]
    return [(query.sort.name, direction), ("_id", direction)]


def compile_after(query: Query) -> Filter:
    """The records after ``query.keyset`` in the order of :func:`compile_sort`.

    Nulls sort first ascending and last descending (absent values are stored as nulls); ties go
    by ``_id`` in the query's direction.
    """
    keyset = query.keyset
    assert keyset is not None
    later = "$lt" if query.descending else "$gt"
    after_id = {"_id": {later: ObjectId(keyset.id)}}
    field = query.sort.name
    if field == "_id":
        return after_id
    if keyset.value is None:
        null_ties = {field: None, **after_id}
        if query.descending:
            return null_ties
        return {"$or": [null_ties, {field: {"$ne": None}}]}
    value = _value(query.sort, keyset.value)
    parts: list[Filter] = [{field: {later: value}}, {field: value, **after_id}]
    if query.descending:
        parts.append({field: None})
    return {"$or": parts}
