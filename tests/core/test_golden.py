"""The golden table: one document, one filter, the answer worked out by hand from the semantics.

Each answer below was derived from ``docs/query-language.md`` (the values a path lands on, ``L``,
and reaches, ``V``; whole-value equality; every row of the operator table; the differences from
MongoDB), not read off an implementation. ``MemoryStore`` must give every one of them: it is the
reference the query matrix then compares every backend with.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from actionlogkit import MemoryStore
from actionlogkit.query import OPERATORS

T, F = True, False

# (the record: payload, or top-level fields with "payload" among them; the filter; matches?)
GOLDEN: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    # -- equality of scalars: one type class at a time -----------------------------------------
    ({"a": 1}, {"payload.a": 1}, T),
    ({"a": 1.0}, {"payload.a": 1}, T),
    ({"a": True}, {"payload.a": 1}, F),
    ({"a": 1}, {"payload.a": True}, F),
    ({"a": "1"}, {"payload.a": 1}, F),
    ({"a": 0}, {"payload.a": False}, F),
    ({"a": "Straße"}, {"payload.a": "STRASSE"}, F),
    ({"a": "ǅ"}, {"payload.a": {"$eq": "ǅ"}}, T),
    ({"a": [1, 2]}, {"payload.a": 2}, T),
    ({"a": [[2]]}, {"payload.a": 2}, F),
    # -- equality of whole arrays and objects ---------------------------------------------------
    ({"a": [[2]]}, {"payload.a": [2]}, T),
    ({"a": [1, 2]}, {"payload.a": [1, 2]}, T),
    ({"a": [1, 2]}, {"payload.a": [2, 1]}, F),
    ({"a": [1, 2]}, {"payload.a": [1.0, 2.0]}, T),
    ({"a": [True]}, {"payload.a": [1]}, F),
    ({"a": {"x": 1, "y": 2}}, {"payload.a": {"y": 2, "x": 1}}, T),
    ({"a": {"x": 1}}, {"payload.a": {"x": 1, "y": 2}}, F),
    ({"a": {"x": 1.0}}, {"payload.a": {"x": 1}}, T),
    ({"a": {"x": True}}, {"payload.a": {"x": 1}}, F),
    ({"a": {"x": [0, {"y": False}]}}, {"payload.a": {"x": [0, {"y": 0}]}}, F),
    ({"a": [{"x": 1}]}, {"payload.a": {"x": 1}}, T),
    ({"a": {}}, {"payload.a": {}}, T),
    ({"a": []}, {"payload.a": {}}, F),
    ({"a": []}, {"payload.a": []}, T),
    ({"a": [[]]}, {"payload.a": []}, T),
    ({"a": {"b": [1, 2]}}, {"payload.a.b": [1, 2]}, T),
    ({"a": [{"b": [1, 2]}]}, {"payload.a.b": [1, 2]}, T),
    ({"a": [{"b": 1}, {"b": 2}]}, {"payload.a.b": [1, 2]}, F),
    # -- null and missing -------------------------------------------------------------------------
    ({}, {"payload.a": None}, T),
    ({"a": None}, {"payload.a": None}, T),
    ({"a": [None, 1]}, {"payload.a": None}, T),
    ({"a": []}, {"payload.a": None}, F),
    ({"a": 0}, {"payload.a": None}, F),
    ({"a": [{"b": 1}, {"x": 1}]}, {"payload.a.b": None}, F),
    ({"a": [1, 2]}, {"payload.a.b": None}, T),
    ({"a": [{"b": None}]}, {"payload.a.b": None}, T),
    # -- $ne ---------------------------------------------------------------------------------------
    ({}, {"payload.a": {"$ne": 1}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$ne": 1}}, F),
    ({"a": [2, 3]}, {"payload.a": {"$ne": 1}}, T),
    ({"a": None}, {"payload.a": {"$ne": None}}, F),
    ({"a": [1]}, {"payload.a": {"$ne": None}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$ne": [1, 2]}}, F),
    ({"a": True}, {"payload.a": {"$ne": 1}}, T),
    # -- $in, $nin ---------------------------------------------------------------------------------
    ({"a": 2}, {"payload.a": {"$in": [1, 2]}}, T),
    ({}, {"payload.a": {"$in": [1, None]}}, T),
    ({"a": 3}, {"payload.a": {"$in": [1, None]}}, F),
    ({"a": [3, 1.0]}, {"payload.a": {"$in": [1]}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$in": [[1, 2], "x"]}}, T),
    ({"a": {"k": 1}}, {"payload.a": {"$in": [{"k": 1.0}]}}, T),
    ({"a": 1}, {"payload.a": {"$in": []}}, F),
    ({"a": False}, {"payload.a": {"$in": [0]}}, F),
    ({"a": 1}, {"payload.a": {"$nin": [1, 2]}}, F),
    ({"a": 3}, {"payload.a": {"$nin": [1, 2]}}, T),
    ({}, {"payload.a": {"$nin": [None]}}, F),
    ({}, {"payload.a": {"$nin": [1]}}, T),
    ({"a": 1}, {"payload.a": {"$nin": []}}, T),
    # -- $gt, $gte, $lt, $lte ----------------------------------------------------------------------
    ({"a": 10}, {"payload.a": {"$gt": 9}}, T),
    ({"a": "10"}, {"payload.a": {"$gt": 9}}, F),
    ({"a": True}, {"payload.a": {"$gt": False}}, T),
    ({"a": False}, {"payload.a": {"$gt": False}}, F),
    ({"a": False}, {"payload.a": {"$gte": True}}, F),
    ({"a": True}, {"payload.a": {"$gte": True}}, T),
    ({"a": True}, {"payload.a": {"$lt": True}}, F),
    ({"a": False}, {"payload.a": {"$lt": True}}, T),
    ({"a": True}, {"payload.a": {"$lte": False}}, F),
    ({"a": False}, {"payload.a": {"$lte": False}}, T),
    ({"a": 1}, {"payload.a": {"$gt": True}}, F),
    ({"a": "Z"}, {"payload.a": {"$lt": "a"}}, T),
    ({"a": "é"}, {"payload.a": {"$gt": "z"}}, T),
    ({"a": [1, 9]}, {"payload.a": {"$gt": 5}}, T),
    ({"a": [1, 9]}, {"payload.a": {"$gt": 1, "$lt": 9}}, T),
    ({"a": [[5]]}, {"payload.a": {"$gt": 1}}, F),
    ({"a": None}, {"payload.a": {"$gte": 0}}, F),
    ({"a": 2.5}, {"payload.a": {"$lte": 2.5}}, T),
    # -- $exists -----------------------------------------------------------------------------------
    ({"a": None}, {"payload.a": {"$exists": True}}, T),
    ({}, {"payload.a": {"$exists": True}}, F),
    ({"a": []}, {"payload.a": {"$exists": True}}, T),
    ({"a": [1]}, {"payload.a.b": {"$exists": True}}, F),
    ({"a": [{"b": None}]}, {"payload.a.b": {"$exists": False}}, F),
    # -- $not --------------------------------------------------------------------------------------
    ({"a": 5}, {"payload.a": {"$not": {"$gt": 9}}}, T),
    ({}, {"payload.a": {"$not": {"$gt": 9}}}, T),
    ({"a": [1, 2, 3]}, {"payload.a": {"$not": {"$size": 3}}}, F),
    ({"a": [1, 2]}, {"payload.a": {"$not": {"$elemMatch": {"$gt": 1}}}}, F),
    # -- $size -------------------------------------------------------------------------------------
    ({"a": [1, 2]}, {"payload.a": {"$size": 2}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$size": 1}}, F),
    ({"a": []}, {"payload.a": {"$size": 0}}, T),
    ({}, {"payload.a": {"$size": 0}}, F),
    ({"a": "ab"}, {"payload.a": {"$size": 2}}, F),
    ({"a": {"x": 1}}, {"payload.a": {"$size": 1}}, F),
    ({"a": [[1, 2]]}, {"payload.a": {"$size": 2}}, F),
    ({"a": [{"b": [1, 2]}, {"b": [3]}]}, {"payload.a.b": {"$size": 1}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$size": 2.0}}, T),
    # -- $all --------------------------------------------------------------------------------------
    ({"a": [1, 2, 3]}, {"payload.a": {"$all": [3, 1]}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$all": [1, 4]}}, F),
    ({"a": 1}, {"payload.a": {"$all": [1]}}, T),
    ({"a": 1}, {"payload.a": {"$all": [1, 1.0]}}, T),
    ({"a": [[1, 2], 3]}, {"payload.a": {"$all": [[1, 2], 3]}}, T),
    ({}, {"payload.a": {"$all": [None]}}, T),
    ({"a": [1, None]}, {"payload.a": {"$all": [1, None]}}, T),
    ({"a": [True]}, {"payload.a": {"$all": [1]}}, F),
    # -- $elemMatch: operators on the element alone ------------------------------------------------
    ({"a": [79, 82]}, {"payload.a": {"$elemMatch": {"$gte": 80, "$lt": 85}}}, T),
    ({"a": [79, 86]}, {"payload.a": {"$elemMatch": {"$gte": 80, "$lt": 85}}}, F),
    ({"a": [79, 86]}, {"payload.a": {"$gte": 80, "$lt": 85}}, T),
    ({"a": 82}, {"payload.a": {"$elemMatch": {"$gte": 80}}}, F),
    ({"a": [[82]]}, {"payload.a": {"$elemMatch": {"$gte": 80}}}, F),
    ({"a": [[1, 2]]}, {"payload.a": {"$elemMatch": {"$size": 2}}}, T),
    ({"a": [None]}, {"payload.a": {"$elemMatch": {"$eq": None}}}, T),
    ({"a": [1]}, {"payload.a": {"$elemMatch": {"$eq": None}}}, F),
    ({"a": [1, 2]}, {"payload.a": {"$elemMatch": {"$ne": 1}}}, T),
    ({"a": [1, 1]}, {"payload.a": {"$elemMatch": {"$ne": 1}}}, F),
    ({"a": [1, "x"]}, {"payload.a": {"$elemMatch": {"$type": "string"}}}, T),
    ({"a": [[1], [2, 3]]}, {"payload.a": {"$elemMatch": {"$elemMatch": {"$gt": 2}}}}, T),
    ({"a": [{"x": 1}]}, {"payload.a": {"$elemMatch": {"$eq": {"x": 1}}}}, T),
    ({"a": [1, 2]}, {"payload.a": {"$elemMatch": {"$in": [2, 5]}}}, T),
    ({"a": [True]}, {"payload.a": {"$elemMatch": {"$in": [1]}}}, F),
    ({"a": []}, {"payload.a": {"$elemMatch": {"$not": {"$gt": 0}}}}, F),
    ({"a": [3, 1]}, {"payload.a": {"$elemMatch": {"$all": [1]}}}, T),
    # -- $elemMatch: a filter on each element ----------------------------------------------------
    (
        {"items": [{"sku": "A1", "qty": 3}]},
        {"payload.items": {"$elemMatch": {"sku": "A1", "qty": {"$gt": 2}}}},
        T,
    ),
    (
        {"items": [{"sku": "A1", "qty": 1}, {"sku": "B", "qty": 5}]},
        {"payload.items": {"$elemMatch": {"sku": "A1", "qty": {"$gt": 2}}}},
        F,
    ),
    (
        {"items": [{"sku": "A1", "qty": 1}, {"sku": "B", "qty": 5}]},
        {"payload.items.sku": "A1", "payload.items.qty": {"$gt": 2}},
        T,
    ),
    ({"items": [1, 2]}, {"payload.items": {"$elemMatch": {"sku": None}}}, F),
    ({"items": [{}]}, {"payload.items": {"$elemMatch": {"sku": None}}}, T),
    ({"items": [[5, 6]]}, {"payload.items": {"$elemMatch": {"1": 6}}}, T),
    ({"items": [[{"0": 5}]]}, {"payload.items": {"$elemMatch": {"0": 5}}}, F),
    ({"items": [[{"0": 5}]]}, {"payload.items": {"$elemMatch": {"0.0": 5}}}, T),
    ({"items": [{"tags": ["x", "y"]}]}, {"payload.items": {"$elemMatch": {"tags": "y"}}}, T),
    (
        {"items": [{"a": 1}, {"b": 2}]},
        {"payload.items": {"$elemMatch": {"$or": [{"a": 2}, {"b": 2}]}}},
        T,
    ),
    ({"items": [{"a": 1}]}, {"payload.items": {"$elemMatch": {"$nor": [{"a": 1}]}}}, F),
    ({"items": [{"a": 1}, 3]}, {"payload.items": {"$elemMatch": {"a": {"$exists": False}}}}, F),
    ({"items": {"sku": "A1"}}, {"payload.items": {"$elemMatch": {"sku": "A1"}}}, F),
    ({"o": [{"items": [{"sku": "A"}]}]}, {"payload.o.items": {"$elemMatch": {"sku": "A"}}}, T),
    # -- $type -------------------------------------------------------------------------------------
    ({"a": 1.5}, {"payload.a": {"$type": "number"}}, T),
    ({"a": True}, {"payload.a": {"$type": "number"}}, F),
    ({"a": True}, {"payload.a": {"$type": "bool"}}, T),
    ({"a": [1, "x"]}, {"payload.a": {"$type": "string"}}, T),
    ({"a": [1]}, {"payload.a": {"$type": "array"}}, T),
    ({"a": [[1]]}, {"payload.a": {"$type": "number"}}, F),
    ({}, {"payload.a": {"$type": "null"}}, F),
    ({"a": None}, {"payload.a": {"$type": "null"}}, T),
    ({"a": {"x": 1}}, {"payload.a": {"$type": "object"}}, T),
    ({"a": [{"x": 1}]}, {"payload.a": {"$type": "object"}}, T),
    ({"a": "x"}, {"payload.a": {"$type": ["number", "bool"]}}, F),
    ({"a": 0}, {"payload.a": {"$type": ["number", "bool"]}}, T),
    # -- array positions in paths --------------------------------------------------------------
    ({"items": [{"sku": "A"}, {"sku": "B"}]}, {"payload.items.0.sku": "A"}, T),
    ({"items": [{"sku": "A"}, {"sku": "B"}]}, {"payload.items.1.sku": "A"}, F),
    ({"items": [{"sku": "A"}, {"sku": "B"}]}, {"payload.items.0.sku": "B"}, F),
    ({"items": [5]}, {"payload.items.01": 5}, F),
    ({"items": {"01": 5}}, {"payload.items.01": 5}, T),
    ({"items": [{"0": "k"}, "p"]}, {"payload.items.0": "k"}, T),
    ({"items": [{"0": "k"}, "p"]}, {"payload.items.1": "p"}, T),
    ({"items": [[1, 2]]}, {"payload.items.0": 2}, T),
    ({"items": [[1, 2]]}, {"payload.items.0.1": 2}, T),
    ({"items": [1]}, {"payload.items.5": {"$exists": True}}, F),
    ({"items": [1]}, {"payload.items.0": {"$exists": True}}, T),
    ({"m": {"0": 5}}, {"payload.m.0": 5}, T),
    # -- $and, $or, $nor, several keys -------------------------------------------------------------
    ({"a": 1, "b": 2}, {"$and": [{"payload.a": 1}, {"payload.b": 2}]}, T),
    ({"a": 1}, {"$or": [{"payload.a": 2}, {"payload.b": None}]}, T),
    ({"a": 1}, {"$nor": [{"payload.a": 1}]}, F),
    ({"a": 1}, {"payload.a": 1, "payload.b": {"$exists": True}}, F),
    # -- top-level fields: V is the field's one value --------------------------------------------
    ({"payload": None}, {"entityId": None}, T),
    ({"payload": None, "entityId": "x"}, {"entityId": {"$ne": None}}, T),
    ({"payload": None}, {"retryCount": 0.0}, T),
    ({"payload": None}, {"status": {"$in": ["failed"]}}, F),
    ({"payload": None}, {"entityId": {"$exists": False}}, F),
    ({"payload": None, "executionTime": 2.5}, {"executionTime": {"$gt": 2}}, T),
]


def _record(document: dict[str, Any]) -> dict[str, Any]:
    fields = document if "payload" in document else {"payload": document}
    return {
        "integrationId": "golden",
        "actionType": "sync",
        "entityType": "case",
        "status": "success",
        **fields,
    }


@pytest.mark.parametrize(
    ("document", "filter", "expected"),
    GOLDEN,
    ids=[json.dumps(f, ensure_ascii=False, separators=(",", ":")) for _, f, _ in GOLDEN],
)
def test_memory_store_gives_the_hand_worked_answer(
    document: dict[str, Any], filter: dict[str, Any], expected: bool
) -> None:
    """MemoryStore matches the document exactly when the semantics page says it does."""
    store = MemoryStore()
    store.create(_record(document))
    assert store.count(filter) == int(expected)


def test_the_table_is_large_and_covers_every_operator() -> None:
    """At least 100 cases, and every operator of the language appears in one of them."""
    assert len(GOLDEN) >= 100
    used = {op for _, filter, _ in GOLDEN for op in OPERATORS if f'"{op}"' in json.dumps(filter)}
    assert used == set(OPERATORS)
