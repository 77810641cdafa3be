"""The query compiler: what a MongoDB server is sent for each query, checked without a server.

The filters for the corner cases of the query language are spelled out here, because they are what
makes a real server answer as the semantics page says; the contract then runs them on every tier.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit.query import JSON_TYPES, parse_filter, parse_query
from actionlogkit.testing import strategies
from actionlogkit_mongo._compiler import compile_filter, compile_sort
from actionlogkit_mongo._documents import SEARCH_FIELD

OPERATORS = {
    *("$and", "$or", "$nor", "$eq", "$in", "$gt", "$gte", "$lt", "$lte", "$exists", "$type"),
    # $size and $elemMatch; inside $elemMatch's operator form also $not, $nin and $all.
    *("$size", "$elemMatch", "$not", "$nin", "$all"),
}
OPERAND_HOLDERS = {"$eq", "$in", "$nin", "$all"}
"""Operators whose value is an operand (an object operand's keys are data, not fields)."""


def _compiled(filter: Any, search: str | None = None) -> dict[str, Any]:
    return compile_filter(parse_filter(filter), search)


@pytest.mark.parametrize(
    ("filter", "compiled"),
    [
        ({}, {}),
        ({"status": "failed"}, {"status": "failed"}),
        ({"entityId": None}, {"entityId": {"$eq": None}}),
        ({"entityId": {"$exists": True}}, {}),
        ({"entityId": {"$exists": False}}, {"_id": {"$in": []}}),
        ({"retryCount": {"$in": [1, 2.5]}}, {"retryCount": {"$in": [1, 2.5]}}),
        ({"payload.a": "x"}, {"payload.a": "x"}),
        ({"payload.a": 1}, {"payload.a": {"$eq": 1, "$type": "number"}}),
        ({"payload.a": True}, {"payload.a": {"$eq": True, "$type": "bool"}}),
        (
            {"payload.a.b": None},
            {
                "$or": [
                    {"$nor": [{"payload.a.b": {"$exists": True}}]},
                    {"payload.a.b": {"$type": "null"}},
                ]
            },
        ),
        (
            {"payload.a": {"$ne": None}},
            {
                "$nor": [
                    {
                        "$or": [
                            {"$nor": [{"payload.a": {"$exists": True}}]},
                            {"payload.a": {"$type": "null"}},
                        ]
                    }
                ]
            },
        ),
        (
            {"payload.a": {"$in": ["x", 0, False, None, "y", 2]}},
            {
                "$or": [
                    {"payload.a": {"$in": ["x", "y"]}},
                    {"payload.a": {"$in": [0, 2], "$type": "number"}},
                    {"payload.a": {"$eq": False, "$type": "bool"}},
                    {"$nor": [{"payload.a": {"$exists": True}}]},
                    {"payload.a": {"$type": "null"}},
                ]
            },
        ),
        ({"payload.a": {"$in": []}}, {"_id": {"$in": []}}),
        ({"payload.a": {"$nin": []}}, {}),
        ({"payload.a": {"$gt": 9}}, {"payload.a": {"$gt": 9}}),
        ({"payload.a": {"$not": {"$gt": 9}}}, {"$nor": [{"payload.a": {"$gt": 9}}]}),
        ({"payload.a": {"$exists": False}}, {"$nor": [{"payload.a": {"$exists": True}}]}),
        ({"$and": [{}]}, {}),
        ({"$or": [{}, {"status": "failed"}]}, {}),
        ({"$nor": [{}]}, {"_id": {"$in": []}}),
        ({"payload.a": {"$size": 2}}, {"payload.a": {"$size": 2}}),
        (
            {"payload.a": {"$type": ["bool", "null"]}},
            {"$or": [{"payload.a": {"$type": "bool"}}, {"payload.a": {"$type": "null"}}]},
        ),
        ({"payload.a": [1, {"y": 1, "x": 2}]}, {"payload.a": {"$eq": [1, {"x": 2, "y": 1}]}}),
        (
            {"payload.a": {"$all": [1, "x"]}},
            {"$and": [{"payload.a": {"$eq": 1, "$type": "number"}}, {"payload.a": "x"}]},
        ),
        (
            {"payload.a": {"$elemMatch": {"$gte": 80, "$lt": 85, "$ne": 82}}},
            {"payload.a": {"$elemMatch": {"$gte": 80, "$lt": 85, "$nin": [82]}}},
        ),
        (
            {"payload.a": {"$elemMatch": {"$all": [1, 2], "$not": {"$size": 1}}}},
            {"payload.a": {"$elemMatch": {"$not": {"$size": 1}, "$all": [1, 2]}}},
        ),
        (
            {"payload.a": {"$elemMatch": {"sku": "A1", "qty": {"$gt": 2}}}},
            {"payload.a": {"$elemMatch": {"$and": [{"sku": "A1"}, {"qty": {"$gt": 2}}]}}},
        ),
        (
            {"payload.a": {"$elemMatch": {"$and": [{}]}}},
            {"payload.a": {"$elemMatch": {"$type": ["object", "array"]}}},
        ),
        ({"payload.a.0.b": "x"}, {"payload.a.0.b": "x"}),
        (
            {"status": "failed", "$or": [{"retryCount": 1}, {"errorMessage": "x"}]},
            {"$and": [{"status": "failed"}, {"$or": [{"retryCount": 1}, {"errorMessage": "x"}]}]},
        ),
    ],
    ids=str,
)
def test_corner_cases_compile_to_explicit_filters(
    filter: dict[str, Any], compiled: dict[str, Any]
) -> None:
    """Null on paths, negation, type classes, empty lists and constants compile as documented."""
    assert _compiled(filter) == compiled


def test_ids_and_datetimes_are_sent_as_bson_values() -> None:
    """_id operands become ObjectIds, datetime operands UTC datetimes."""
    record_id = "0123456789abcdef01234567"
    assert _compiled({"_id": {"$gt": record_id.upper()}}) == {"_id": {"$gt": ObjectId(record_id)}}
    assert _compiled({"createdAt": {"$gte": "2024-01-01T12:00:00+02:00"}}) == {
        "createdAt": {"$gte": datetime(2024, 1, 1, 10, tzinfo=timezone.utc)}
    }


def test_search_is_a_literal_pattern_on_the_hidden_field() -> None:
    """The search term is escaped and looked for in the hidden field alone, with the filter."""
    assert _compiled({"status": "failed"}, "a.b*(c)") == {
        "$and": [{"status": "failed"}, {SEARCH_FIELD: {"$regex": re.escape("a.b*(c)")}}]
    }


@settings(max_examples=300, deadline=None)
@given(term=strategies.texts(8).filter(bool), text=strategies.texts(12))
def test_search_pattern_matches_exactly_the_literal_text(term: str, text: str) -> None:
    """The compiled pattern finds the term in a text exactly when it is a substring of it."""
    pattern = _compiled({}, term)[SEARCH_FIELD]["$regex"]
    assert (re.search(pattern, text) is not None) == (term in text)


def _keys(value: Any, found: list[tuple[str, Any]]) -> None:
    """Every key of a filter document with its value, operands left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((key, item))
            if key not in OPERAND_HOLDERS:
                _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)


def _names_of(filter: Any) -> set[str]:
    """The field names and paths a filter's caller wrote (inside $elemMatch: relative paths)."""
    found: list[tuple[str, Any]] = []
    _keys(filter, found)
    return {key for key, _ in found if not key.startswith("$")}


@settings(max_examples=300, deadline=None)
@given(filter=strategies.filters(), search=strategies.search_terms())
def test_compiled_filters_use_only_known_operators_and_validated_fields(
    filter: dict[str, Any], search: str | None
) -> None:
    """Every key sent is a listed operator, a field the query named, or the hidden search field."""
    query = parse_query(filter, search=search)
    compiled = compile_filter(query.filter, query.search)
    found: list[tuple[str, Any]] = []
    _keys(compiled, found)
    named = _names_of(filter) | {"_id"}
    for key, value in found:
        if key.startswith("$"):
            assert key in OPERATORS or (key == "$regex" and isinstance(value, str)), key
        else:
            assert key in named or key == SEARCH_FIELD, key
        if key == SEARCH_FIELD:
            assert set(value) == {"$regex"}
        if key == "$type":
            assert set(value if isinstance(value, list) else [value]) <= set(JSON_TYPES)


@given(value=st.text(max_size=12))
def test_hostile_text_stays_a_value(value: str) -> None:
    """Text that looks like an operator or a path is compared as text, never read as a key."""
    try:
        compiled = _compiled({"payload.a": value, "errorMessage": {"$in": [value, "z"]}})
    except ValueError:
        return  # refused by the core (NUL, lone surrogates): nothing is compiled
    assert compiled == {"$and": [{"payload.a": value}, {"errorMessage": {"$in": [value, "z"]}}]}


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        (None, "desc", [("createdAt", -1), ("_id", -1)]),
        ("retryCount", "asc", [("retryCount", 1), ("_id", 1)]),
        ("_id", "asc", [("_id", 1)]),
    ],
)
def test_sort_breaks_ties_by_id_in_the_same_direction(
    sort: str | None, order: str, expected: list[tuple[str, int]]
) -> None:
    """The sort is the field, then _id, in the query's direction."""
    assert compile_sort(parse_query(sort=sort, order=order)) == expected
