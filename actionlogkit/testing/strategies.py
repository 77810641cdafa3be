"""Hypothesis strategies for records and queries (needs ``hypothesis``: ``actionlogkit[testing]``).

The values are drawn from small pools on purpose, so that random records share keys, sort values
and timestamps, and random filters hit them: equal ``createdAt``, ``0``/``1`` beside
``false``/``true``, ``10`` beside ``10.0`` and ``"10"``, nulls beside missing keys, arrays met
along a path and at its end, text with non-ASCII case pairs
(``ß``/``ẞ``/``ss``, ``Σ``/``σ``/``ς``, the Kelvin sign), and characters whose UTF-16 order differs
from their code-point order (``～`` U+FF5E before ``😀`` U+1F600).

``records()`` gives complete :class:`~actionlogkit.ActionLog` objects (ids and timestamps
included) for :meth:`~actionlogkit.Store.import_records`, so that two stores hold the very same
data; ``queries()`` gives keyword arguments for :meth:`~actionlogkit.Store.list`;
``invalid_filters()`` gives filters every store must refuse with ``InvalidQuery``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from actionlogkit._rules import unreachable
from actionlogkit.models import ActionLog, ActionType, Status
from actionlogkit.query import (
    FIELD_OPERATORS,
    JSON_ROOTS,
    JSON_TYPES,
    LOGICAL_OPERATORS,
    MAX_IN_VALUES,
    OPERATORS,
    TOP_LEVEL_FIELDS,
    FieldRule,
)

__all__ = [
    "datasets",
    "filters",
    "invalid_filters",
    "json_objects",
    "json_scalars",
    "queries",
    "record_inputs",
    "records",
    "search_terms",
    "texts",
]

# Characters that fold in interesting ways, and ones that LIKE and regular expressions treat
# specially.
ALPHABET = "aAbBsSzZ09 -_%\\'\".*ßẞſσΣςKkİıéÉ€～😀"
# "0" is a key and, on an array, a position.
KEYS = ("a", "b", "sku", "tags", "0")
BASE_TIME = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
TIMESTAMPS = tuple(
    BASE_TIME + timedelta(milliseconds=ms) for ms in (0, 0, 1, 999, 1000, 86_400_000)
)
INTEGRATIONS = ("shop-A", "shop-a", "SHOP-ß", "erp_1%", "ΣΑΣ", "ẞtrasse")
ENTITY_TYPES = ("product", "Product", "order", "σς")
# 1e16 is a float past 2**53 that Python writes with an exponent: it must stay a float.
NUMBERS = (0, 1, -1, 2, 10, 10.0, 0.5, -0.0, 1.0, 2.5, 1e15, 1e16, 2**53)


def texts(max_size: int = 6) -> st.SearchStrategy[str]:
    """Short text from :data:`ALPHABET`: collisions are frequent, case folding matters."""
    return st.text(alphabet=ALPHABET, max_size=max_size)


def json_scalars() -> st.SearchStrategy[Any]:
    """JSON scalars from small pools: ``None``, booleans, numbers, short text."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(NUMBERS),
        st.integers(-3, 3),
        st.sampled_from(("10", "a", "A", "", "ß", "ss", "true", "0")),
        texts(3),
    )


def _json_values(depth: int) -> st.SearchStrategy[Any]:
    if depth <= 0:
        return json_scalars()
    inner = _json_values(depth - 1)
    return st.one_of(
        json_scalars(),
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    )


def json_objects(depth: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects over the keys of :data:`KEYS`, with nested objects and arrays."""
    return st.dictionaries(st.sampled_from(KEYS), _json_values(depth - 1), max_size=4)


def _ids() -> st.SearchStrategy[str]:
    return st.integers(0, 2**96 - 1).map(lambda n: f"{n:024x}")


@st.composite
def record_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid create body (wire names), with optional fields present or absent."""
    body: dict[str, Any] = {
        "integrationId": draw(st.sampled_from(INTEGRATIONS)),
        "actionType": draw(st.sampled_from([member.value for member in ActionType])),
        "entityType": draw(st.sampled_from(ENTITY_TYPES)),
        "status": draw(st.sampled_from([member.value for member in Status])),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "entityId": st.one_of(st.sampled_from(("p-1", "P-1", "o_1")), texts(4).filter(bool)),
        "payload": json_objects(),
        "response": json_objects(2),
        "metadata": json_objects(2),
        "errorMessage": st.one_of(st.sampled_from(("Timeout", "TIMEOUT 100%", "straße")), texts(8)),
        "retryCount": st.integers(0, 3),
        "executionTime": st.sampled_from((0, 0.5, 1, 1.0, 10, 250.25, 3000)),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            body[name] = draw(strategy)
    return body


@st.composite
def records(draw: st.DrawFn) -> ActionLog:
    """A complete stored record: a valid body plus an id and timestamps from a small pool."""
    body = draw(record_inputs())
    created = draw(st.sampled_from(TIMESTAMPS))
    updated = max(created, draw(st.sampled_from(TIMESTAMPS)))
    return ActionLog.model_validate(
        {**body, "_id": draw(_ids()), "createdAt": created, "updatedAt": updated}
    )


def datasets(max_size: int = 12) -> st.SearchStrategy[list[ActionLog]]:
    """Lists of records with distinct ids."""
    return st.lists(records(), max_size=max_size, unique_by=lambda record: record.id)


def _top_level_operand(field: str) -> st.SearchStrategy[Any]:
    kind = TOP_LEVEL_FIELDS[field].value
    if field == "actionType":
        return st.sampled_from([member.value for member in ActionType])
    if field == "status":
        return st.sampled_from([member.value for member in Status])
    if kind == "id":
        return _ids()
    if kind == "integer":
        return st.one_of(st.integers(0, 3), st.sampled_from((0.5, 1.0)))
    if kind == "number":
        return st.sampled_from((0, 0.5, 1, 10, 250.25, 3000, 100.0))
    if kind == "datetime":
        return st.sampled_from(TIMESTAMPS).map(lambda t: t.isoformat().replace("+00:00", "Z"))
    if field == "integrationId":
        return st.sampled_from(INTEGRATIONS)
    if field == "entityType":
        return st.sampled_from(ENTITY_TYPES)
    return st.one_of(st.sampled_from(("p-1", "Timeout", "straße")), texts(4))


def _paths() -> st.SearchStrategy[str]:
    return st.builds(
        lambda root, keys: ".".join((root, *keys)),
        st.sampled_from(JSON_ROOTS),
        st.lists(st.sampled_from((*KEYS, "1")), min_size=1, max_size=3),
    )


def json_operands() -> st.SearchStrategy[Any]:
    """Equality operands of a JSON path: every class, scalars (null included), arrays, objects."""
    return st.one_of(
        json_scalars(),
        st.lists(json_scalars(), max_size=3),
        st.dictionaries(st.sampled_from(KEYS), json_scalars(), max_size=2),
        st.sampled_from(([], {}, [1, 2], [[1, 2]], {"a": 1}, [{"a": 1}])),
    )


# Operators outside the language, as long as the table does not list them.
_UNSUPPORTED = tuple(
    op for op in ("$where", "$regex", "$expr", "$mod", "$text") if op not in OPERATORS
)


def _operand(  # noqa: PLR0917 - the rule and where it stands
    draw: st.DrawFn,
    rule: FieldRule,
    scalar: st.SearchStrategy[Any],
    json_path: bool,
    depth: int,
    element: bool = False,
) -> Any:
    """An operand for an operator of ``rule``: of every class the operator accepts."""
    value = json_operands() if json_path else st.one_of(st.none(), scalar)
    match rule:
        case FieldRule.EQUAL:
            return draw(value)
        case FieldRule.COMPARE:
            return draw(scalar)
        case FieldRule.MEMBER:
            return draw(st.lists(value, max_size=4))
        case FieldRule.EXISTS:
            return draw(st.booleans())
        case FieldRule.ALL:
            return draw(st.lists(value, min_size=1, max_size=3))
        case FieldRule.SIZE:
            return draw(st.integers(0, 3))
        case FieldRule.TYPE:
            names = st.sampled_from(JSON_TYPES)
            return draw(st.one_of(names, st.lists(names, min_size=1, max_size=3)))
        case FieldRule.OPERATORS:
            return _operators(draw, scalar, json_path, depth - 1, element=element)
        case FieldRule.ELEMENTS:
            if draw(st.booleans()):
                return _operators(draw, scalar, True, depth - 1, element=True)
            key = draw(st.sampled_from(KEYS))
            return {key: _operators(draw, scalar, True, depth - 1, element=False)}
        case _:
            unreachable(rule)


def _operators(
    draw: st.DrawFn, scalar: st.SearchStrategy[Any], json_path: bool, depth: int, *, element: bool
) -> dict[str, Any]:
    """A non-empty operator object; below ``depth`` 0, without the operators that nest."""
    nesting = (FieldRule.OPERATORS, FieldRule.ELEMENTS)
    names = [
        name
        for name, entry in FIELD_OPERATORS.items()
        if (json_path or not entry.json_only)
        and (depth > 0 or entry.rule not in nesting)
        and not (element and entry.rule is FieldRule.EXISTS)
    ]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    return {
        name: _operand(draw, FIELD_OPERATORS[name].rule, scalar, json_path, depth, element)
        for name in chosen
    }


@st.composite
def _condition(draw: st.DrawFn, operators: frozenset[str] | None = None) -> dict[str, Any]:
    if draw(st.booleans()):
        field = draw(st.sampled_from(list(TOP_LEVEL_FIELDS)))
        scalar = _top_level_operand(field)
        json_path = False
    else:
        field = draw(_paths())
        scalar = json_scalars().filter(lambda value: value is not None)
        json_path = True
    if draw(st.integers(0, 4)) == 0:
        value = draw(json_operands() if json_path else st.one_of(st.none(), scalar))
        if not isinstance(value, dict):
            return {field: value}  # plain equality (an object is an operand only under $eq)
    if operators is not None:
        chosen = draw(st.sampled_from(sorted(operators)))
        entry = FIELD_OPERATORS[chosen]
        if entry.json_only and not json_path:
            return {field: draw(st.one_of(st.none(), scalar))}
        return {field: {chosen: _limited_operand(draw, entry.rule, scalar, json_path, operators)}}
    return {field: _operators(draw, scalar, json_path, depth=2, element=False)}


def _limited_operand(
    draw: st.DrawFn,
    rule: FieldRule,
    scalar: st.SearchStrategy[Any],
    json_path: bool,
    operators: frozenset[str],
) -> Any:
    """An operand for ``rule`` whose nested operators are all among ``operators``."""
    if rule is FieldRule.OPERATORS or rule is FieldRule.ELEMENTS:
        inner = draw(
            st.sampled_from(
                sorted(
                    name
                    for name in operators
                    if FIELD_OPERATORS[name].rule not in (FieldRule.OPERATORS, FieldRule.ELEMENTS)
                    and (json_path or not FIELD_OPERATORS[name].json_only)
                    and not (
                        rule is FieldRule.ELEMENTS
                        and FIELD_OPERATORS[name].rule is FieldRule.EXISTS
                    )
                )
            )
        )
        return {inner: _operand(draw, FIELD_OPERATORS[inner].rule, scalar, json_path, 0)}
    return _operand(draw, rule, scalar, json_path, 1)


def filters(
    max_leaves: int = 6, operators: Sequence[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid filter documents: conditions joined by ``$and``, ``$or``, ``$nor`` and several keys.

    ``operators`` limits the field operators drawn (default: every one of the table).
    """
    return st.recursive(
        _condition(None if operators is None else frozenset(operators)),
        lambda children: st.one_of(
            st.builds(lambda items: {"$and": items}, st.lists(children, min_size=1, max_size=3)),
            st.builds(lambda items: {"$or": items}, st.lists(children, min_size=1, max_size=3)),
            st.builds(lambda items: {"$nor": items}, st.lists(children, min_size=1, max_size=2)),
            st.builds(lambda a, b: {**a, **b}, children, children),
        ),
        max_leaves=max_leaves,
    )


def search_terms() -> st.SearchStrategy[str | None]:
    r"""Search terms, literal text where ``%``, ``_``, ``\`` and quotes are plain characters."""
    return st.one_of(
        st.none(),
        # "ap" would match across "shop-a" and "product" if fields were not kept apart.
        st.sampled_from(("shop", "SHOP-SS", "ss", "ß", "σ", "%", "_", "\\", "'", "p-1", "k", "ap")),
        texts(3),
    )


@st.composite
def queries(draw: st.DrawFn, operators: Sequence[str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``Store.list``: filter, search, sort, order, limit and offset."""
    return {
        "filter": draw(st.one_of(st.none(), filters(operators=operators))),
        "search": draw(search_terms()),
        "sort": draw(st.sampled_from([None, *TOP_LEVEL_FIELDS])),
        "order": draw(st.sampled_from(("asc", "desc"))),
        "limit": draw(st.sampled_from((1, 3, 50, 100))),
        "offset": draw(st.sampled_from((0, 0, 1, 4))),
    }


def invalid_filters() -> st.SearchStrategy[Any]:
    """Filters that break a rule of the query language."""
    top = st.sampled_from(list(TOP_LEVEL_FIELDS))
    return st.one_of(
        st.builds(lambda name: {name: 1}, st.sampled_from(("nope", "payload", "created_at", ""))),
        st.builds(lambda v: {"retryCount": v}, st.one_of(st.text(max_size=3), st.booleans())),
        st.builds(
            lambda v: {"status": v}, texts(4).filter(lambda t: t not in Status._value2member_map_)
        ),
        st.builds(lambda f, op: {f: {op: 1}}, top, st.sampled_from(_UNSUPPORTED)),
        st.builds(
            lambda f, v: {f: v},
            top,
            st.one_of(st.lists(json_scalars(), max_size=2), st.just({"x": 1})),
        ),
        st.builds(
            lambda f, op: {f: {op: [1]}},
            top,
            st.sampled_from([op for op, entry in FIELD_OPERATORS.items() if entry.json_only]),
        ),
        st.builds(lambda p: {p: {"$gt": None}}, _paths()),
        st.builds(lambda p: {p: {"$gt": [1]}}, _paths()),
        st.builds(
            lambda p, v: {p: {"$size": v}}, _paths(), st.sampled_from((-1, 1.5, "1", None, True))
        ),
        st.builds(lambda p, v: {p: {"$type": v}}, _paths(), st.sampled_from(("date", [], 2))),
        st.builds(lambda p, v: {p: {"$all": v}}, _paths(), st.sampled_from((5, [], "a"))),
        st.builds(
            lambda p, v: {p: {"$elemMatch": v}},
            _paths(),
            st.sampled_from(({}, {"$gt": 1, "a": 1}, {"$exists": True}, 3)),
        ),
        st.builds(lambda p: {p: {"$x": 1, "a": 1}}, _paths()),
        st.builds(lambda p: {p: {"a.b": 1}}, _paths()),
        st.builds(lambda p: {p: {"$in": [0] * (MAX_IN_VALUES + 1)}}, _paths()),
        st.builds(lambda op: {op: []}, st.sampled_from(tuple(LOGICAL_OPERATORS))),
        st.just({"payload.a..b": 1}),
        st.just("not json"),
        st.just("[1, 2]"),
    )
