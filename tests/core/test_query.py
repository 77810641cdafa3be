"""The query parser: the AST it builds, the bounds it enforces, the input it refuses."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit import InvalidQuery
from actionlogkit.query import (
    MAX_CONDITIONS,
    MAX_FILTER_BYTES,
    MAX_FILTER_DEPTH,
    MAX_IN_VALUES,
    MAX_PATH_SEGMENTS,
    MAX_SEARCH_LENGTH,
    And,
    Compare,
    Eq,
    Exists,
    FieldKind,
    FieldRef,
    In,
    Not,
    Or,
    parse_filter,
    parse_query,
    parse_search,
)
from actionlogkit.testing import strategies

STATUS = FieldRef("status", FieldKind.ENUM)
PRICE = FieldRef("payload", FieldKind.JSON, ("order", "price"))


def test_operators_reduce_to_a_small_ast() -> None:
    """$ne, $nin, $nor and $exists false become Not of the positive node."""
    assert parse_filter({"status": "failed"}) == Eq(STATUS, "failed")
    assert parse_filter({"status": {"$ne": "failed"}}) == Not(Eq(STATUS, "failed"))
    assert parse_filter({"status": {"$nin": ["failed"]}}) == Not(In(STATUS, ("failed",)))
    assert parse_filter({"payload.order.price": {"$exists": False}}) == Not(Exists(PRICE))
    assert parse_filter({"$nor": [{"status": "failed"}]}) == Not(Or((Eq(STATUS, "failed"),)))
    assert parse_filter({"payload.order.price": {"$gt": 1, "$lte": 2.5}}) == And(
        (Compare(PRICE, "$gt", 1), Compare(PRICE, "$lte", 2.5))
    )


def test_operands_are_coerced_to_the_field_type() -> None:
    """Dates become UTC datetimes, ids lower case, numbers stay numbers, enums plain text."""
    node = parse_filter({"createdAt": {"$gte": "2024-01-01T12:00:00.1234+02:00"}})
    assert node == Compare(
        FieldRef("createdAt", FieldKind.DATETIME),
        "$gte",
        datetime(2024, 1, 1, 10, 0, 0, 123_000, tzinfo=timezone.utc),
    )
    assert parse_filter({"_id": "ABCDEF" * 4}) == Eq(FieldRef("_id", FieldKind.ID), "abcdef" * 4)
    value = parse_filter({"status": "failed"})
    assert isinstance(value, Eq)
    assert type(value.value) is str


@pytest.mark.parametrize("empty", [None, {}, "", "  ", "{}"])
def test_empty_filters_match_everything(empty: Any) -> None:
    """No filter, an empty object and empty text all mean every record."""
    assert parse_filter(empty) is None


def test_json_text_and_mapping_agree() -> None:
    """A filter as JSON text parses to the same AST as the mapping."""
    document = {
        "$or": [{"status": "failed"}, {"payload.order.price": {"$in": [1, "1", True, None]}}]
    }
    assert parse_filter(json.dumps(document)) == parse_filter(document)
    assert parse_filter(json.dumps(document).encode()) == parse_filter(document)


def test_bounds_admit_their_limit_and_refuse_one_more() -> None:
    """Each documented bound allows exactly its number."""
    parse_filter({"payload.a": {"$in": list(range(MAX_IN_VALUES))}})
    with pytest.raises(InvalidQuery, match=f"at most {MAX_IN_VALUES} values"):
        parse_filter({"payload.a": {"$in": list(range(MAX_IN_VALUES + 1))}})

    parse_filter({"$or": [{"retryCount": i} for i in range(MAX_CONDITIONS)]})
    with pytest.raises(InvalidQuery, match=f"at most {MAX_CONDITIONS} conditions"):
        parse_filter({"$or": [{"retryCount": i} for i in range(MAX_CONDITIONS + 1)]})

    longest = "payload." + ".".join("k" * (MAX_PATH_SEGMENTS - 1))
    parse_filter({longest: 1})
    with pytest.raises(InvalidQuery, match=f"at most {MAX_PATH_SEGMENTS} segments"):
        parse_filter({longest + ".k": 1})

    parse_search("x" * MAX_SEARCH_LENGTH)
    with pytest.raises(InvalidQuery, match=f"at most {MAX_SEARCH_LENGTH} characters"):
        parse_search("x" * (MAX_SEARCH_LENGTH + 1))


def test_depth_bound() -> None:
    """Filters nested up to the depth bound parse; one level more is refused."""

    def nested(levels: int) -> dict[str, Any]:
        # each $and level adds two: the object and its array
        document: dict[str, Any] = {"status": "failed"}
        for _ in range(levels):
            document = {"$and": [document]}
        return document

    parse_filter(nested((MAX_FILTER_DEPTH - 1) // 2))
    with pytest.raises(InvalidQuery, match="nested deeper"):
        parse_filter(nested(MAX_FILTER_DEPTH // 2))
    with pytest.raises(InvalidQuery, match="nested deeper"):
        parse_filter('{"a":' * 1500 + "1" + "}" * 1500)


def test_size_bound_applies_to_text_and_mappings() -> None:
    """A filter larger than the size bound is refused as text and as a mapping."""
    document = {"errorMessage": "x" * MAX_FILTER_BYTES}
    with pytest.raises(InvalidQuery, match=f"at most {MAX_FILTER_BYTES} bytes"):
        parse_filter(document)
    with pytest.raises(InvalidQuery, match=f"at most {MAX_FILTER_BYTES} bytes"):
        parse_filter(json.dumps(document))


def test_errors_name_the_place_and_the_rule() -> None:
    """The message reads place: rule, as the issue's example."""
    with pytest.raises(InvalidQuery) as caught:
        parse_filter({"$and": [{"retryCount": {"$gt": "3"}}]})
    assert (
        str(caught.value)
        == "invalid query: filter.$and[0].retryCount.$gt: expected a number, got text"
    )


def test_query_defaults() -> None:
    """Defaults: createdAt, descending, limit 50, offset 0, no search."""
    query = parse_query()
    assert (query.sort.name, query.descending, query.limit, query.offset, query.search) == (
        "createdAt",
        True,
        50,
        0,
        None,
    )
    assert parse_query(sort="", order="").sort.name == "createdAt"


def test_search_is_folded_once() -> None:
    """The search term reaches stores already case-folded."""
    assert parse_search("STRAẞE") == "strasse"
    assert parse_search("") is None


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    ["status", "payload.a", "$and", "$or", "$nor", "$not", "$gt", "$in", "retryCount", "x"]
)
_filters = st.recursive(
    st.dictionaries(_keys, _json, max_size=3),
    lambda children: st.dictionaries(_keys, children | st.lists(children, max_size=2), max_size=3),
    max_leaves=8,
)


@settings(max_examples=500)
@given(_filters | _json)
def test_any_input_parses_or_raises_invalid_query(document: Any) -> None:
    """Whatever JSON arrives as a filter, the parser answers a node, None, or InvalidQuery."""
    for form in (document, json.dumps(document)):
        places: list[str] = []
        try:
            parse_filter(form)
        except InvalidQuery as exc:
            places = [error.field for error in exc.errors] or ["<none>"]
        assert all(place.startswith("filter") for place in places), places


@settings(max_examples=300)
@given(strategies.invalid_filters())
def test_invalid_filters_are_always_refused(document: Any) -> None:
    """Every filter from the invalid strategy raises InvalidQuery."""
    with pytest.raises(InvalidQuery):
        parse_filter(document)


@settings(max_examples=300)
@given(strategies.filters())
def test_valid_filters_always_parse(document: dict[str, Any]) -> None:
    """Every filter from the valid strategy parses, as a mapping and as JSON text."""
    assert parse_filter(document) == parse_filter(json.dumps(document))


def _deep_mapping(levels: int) -> dict[str, Any]:
    document: dict[str, Any] = {"status": "failed"}
    for _ in range(levels):
        document = {"$and": [document]}
    return document


def _deep_list(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


def _self_containing_mapping() -> dict[str, Any]:
    document: dict[str, Any] = {}
    document["$and"] = [document]
    return document


def _self_containing_list() -> dict[str, Any]:
    members: list[Any] = []
    members.append(members)
    return {"payload.a": {"$in": members}}


@pytest.mark.parametrize(
    "filter",
    [
        _deep_mapping(2_000),
        {"payload.a": _deep_list(5_000)},
        {"payload.a": {"$elemMatch": _deep_mapping(3_000)}},
        _self_containing_mapping(),
        _self_containing_list(),
    ],
    ids=["mapping 2000 deep", "operand 5000 deep", "$elemMatch 3000 deep", "self", "self in list"],
)
def test_any_python_shape_ends_in_invalid_query(filter: dict[str, Any]) -> None:
    """Filters nested thousands of levels deep, or containing themselves: InvalidQuery, no crash."""
    with pytest.raises(InvalidQuery, match="nested deeper") as caught:
        parse_filter(filter)
    assert [error.field for error in caught.value.errors] == ["filter"]


def test_elem_match_nesting_counts_toward_depth() -> None:
    """Each $elemMatch is one level of the depth bound: the filter, the levels, the operators."""

    def nested(levels: int) -> dict[str, Any]:
        condition: dict[str, Any] = {"$gt": 1}
        for _ in range(levels):
            condition = {"$elemMatch": condition}
        return {"payload.a": condition}

    parse_filter(nested(MAX_FILTER_DEPTH - 2))
    with pytest.raises(InvalidQuery, match="nested deeper"):
        parse_filter(nested(MAX_FILTER_DEPTH - 1))


def test_new_operators_count_toward_the_condition_bound() -> None:
    """$size, $type, $elemMatch and each value of $all count as conditions."""
    fine = {"payload.a": {"$all": list(range(MAX_CONDITIONS))}}
    parse_filter(fine)
    with pytest.raises(InvalidQuery, match="conditions") as caught:
        parse_filter({**fine, "payload.b": {"$size": 1}})
    assert caught.value.errors[0].field == "filter.payload.b.$size"
    inner = {"$or": [{f"k{i}": {"$type": "null"}} for i in range(MAX_CONDITIONS)]}
    with pytest.raises(InvalidQuery, match="conditions"):
        parse_filter({"payload.a": {"$elemMatch": inner}})


def test_elem_match_paths_count_with_the_outer_path() -> None:
    """An $elemMatch filter's path segments add to the segments of the field it applies to."""
    outer = "payload." + ".".join("abcde")  # six segments
    parse_filter({outer: {"$elemMatch": {"x.y": 1}}})
    with pytest.raises(InvalidQuery, match="together with the path") as caught:
        parse_filter({outer: {"$elemMatch": {"x.y.z": 1}}})
    assert caught.value.errors[0].field == f"filter.{outer}.$elemMatch.x.y.z"
