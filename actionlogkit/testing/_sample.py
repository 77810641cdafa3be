"""The contract's sample records and the answers the query language gives on them.

Seven records, ``a`` to ``g``, hold the corner cases of ``docs/query-language.md``: ``10`` beside
``10.0``, ``"10"`` and ``true``; ``0``/``1`` beside ``false``/``true``; null beside missing; arrays
of objects, nested arrays, empty arrays; equal timestamps; text that differs by case or folds.
Each case below was worked out by hand from the semantics page, not read off an implementation.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = [
    "FILTER_CASES",
    "INVALID_FILTERS",
    "INVALID_RECORDS",
    "LABELS",
    "SAMPLE",
    "SEARCH_CASES",
    "SORT_CASES",
    "T0",
    "created_at",
    "minimal",
]

T0 = datetime(2024, 1, 1, 10, 0, 0, tzinfo=timezone.utc)


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def minimal(**overrides: Any) -> dict[str, Any]:
    """The smallest valid create body, with ``overrides`` applied."""
    return {
        "integrationId": "shop-1",
        "actionType": "create",
        "entityType": "product",
        "status": "success",
        **overrides,
    }


SAMPLE: dict[str, dict[str, Any]] = {
    "a": {
        "integrationId": "shop-A",
        "actionType": "create",
        "entityType": "product",
        "entityId": "p-1",
        "status": "success",
        "payload": {
            "price": 10,
            "tags": ["new", "sale"],
            "sku": "A-1",
            "active": True,
            "nested": {"level": {"deep": "x"}},
            "items": [{"sku": "i1", "qty": 1}, {"sku": "i2", "qty": 5}],
        },
        "response": {"code": 200},
        "metadata": {"user": "alice"},
        "retryCount": 0,
        "executionTime": 120.5,
    },
    "b": {
        "integrationId": "shop-B",
        "actionType": "update",
        "entityType": "product",
        "entityId": "p-2",
        "status": "failed",
        "payload": {
            "price": 10.0,
            "tags": [],
            "sku": "b-1",
            "active": False,
            "items": {"sku": "i3", "qty": 2},
        },
        "response": {"code": 500},
        "errorMessage": "Timeout while calling API",
        "retryCount": 3,
        "executionTime": 3000,
        "metadata": {"user": None},
    },
    "c": {
        "integrationId": "shop-B",
        "actionType": "sync",
        "entityType": "order",
        "entityId": "o-1",
        "status": "retrying",
        "payload": {"price": "10", "tags": "new", "active": 1, "items": [[{"sku": "i1"}], 7]},
        "errorMessage": "rate limited",
        "retryCount": 1,
    },
    "d": {
        "integrationId": "erp",
        "actionType": "webhook",
        "entityType": "order",
        "status": "pending",
        "payload": {
            "price": None,
            "active": 0,
            "nested": {"level": [{"deep": "y"}, {"deep": None}, "z"]},
        },
        "executionTime": 0,
    },
    "e": {
        "integrationId": "erp",
        "actionType": "delete",
        "entityType": "customer",
        "entityId": "c-1",
        "status": "success",
    },
    "f": {
        "integrationId": "SHOP-a",
        "actionType": "create",
        "entityType": "Product",
        "entityId": "p-3",
        "status": "failed",
        "payload": {"price": True, "tags": [None, 3], "sku": "ä-1"},
        "errorMessage": "Straße 100% _done_ \\ 'quoted'",
        "retryCount": 2,
        "executionTime": 45.25,
    },
    "g": {
        "integrationId": "shop-A",
        "actionType": "update",
        "entityType": "product",
        "entityId": "p-1",
        "status": "success",
        "payload": {"price": 9.99, "tags": ["Sale"], "sku": "Z", "nested": {}},
        "retryCount": 0,
        "executionTime": 120.5,
        "metadata": {"user": "bob", "attempt": {"n": 2}},
    },
}
LABELS = tuple(SAMPLE)
created_at: dict[str, datetime] = {
    "a": _at(0),
    "b": _at(1),
    "c": _at(2),
    "d": _at(2),
    "e": _at(3),
    "f": _at(4),
    "g": _at(0),
}

ALL = "abcdefg"

# (filter, labels of the matching records)
FILTER_CASES: list[tuple[dict[str, Any], str]] = [
    # top-level fields
    ({"status": "success"}, "aeg"),
    ({"status": {"$eq": "success"}}, "aeg"),
    ({"status": {"$ne": "success"}}, "bcdf"),
    ({"status": {"$in": ["failed", "retrying"]}}, "bcf"),
    ({"status": {"$nin": ["failed", "retrying"]}}, "adeg"),
    ({"status": {"$not": {"$in": ["success", "failed"]}}}, "cd"),
    ({"actionType": {"$in": ["create", "webhook"]}}, "adf"),
    ({"integrationId": "shop-A"}, "ag"),
    ({"integrationId": {"$gt": "shop-A"}}, "bc"),
    ({"integrationId": {"$lt": "a"}}, "f"),
    ({"entityType": {"$gte": "order", "$lte": "product"}}, "abcdg"),
    ({"entityId": None}, "d"),
    ({"entityId": {"$ne": None}}, "abcefg"),
    ({"entityId": {"$exists": True}}, ALL),
    ({"entityId": {"$exists": False}}, ""),
    ({"entityId": {"$in": ["p-1", None]}}, "adg"),
    ({"errorMessage": None}, "adeg"),
    ({"retryCount": 0}, "adeg"),
    ({"retryCount": 0.0}, "adeg"),
    ({"retryCount": {"$gte": 2}}, "bf"),
    ({"retryCount": {"$lt": 1.5}}, "acdeg"),
    ({"executionTime": None}, "ce"),
    ({"executionTime": 120.5}, "ag"),
    ({"executionTime": {"$ne": 120.5}}, "bcdef"),
    ({"executionTime": {"$gt": 100}}, "abg"),
    ({"executionTime": {"$lte": 45.25}}, "df"),
    ({"executionTime": {"$not": {"$gt": 100}}}, "cdef"),
    ({"createdAt": "2024-01-01T10:00:00Z"}, "ag"),
    ({"createdAt": "2024-01-01T10:00:00.000Z"}, "ag"),
    ({"createdAt": {"$gte": "2024-01-01T10:00:02Z"}}, "cdef"),
    ({"createdAt": {"$lt": "2024-01-01T12:00:01+02:00"}}, "ag"),
    ({"createdAt": {"$gt": "2024-01-01T10:00:01.999Z", "$lt": "2024-01-01T10:00:03Z"}}, "cd"),
    ({"updatedAt": {"$exists": True}}, ALL),
    # one type class at a time: numbers, text, booleans
    ({"payload.price": 10}, "ab"),
    ({"payload.price": 10.0}, "ab"),
    ({"payload.price": "10"}, "c"),
    ({"payload.price": True}, "f"),
    ({"payload.price": 1}, ""),
    ({"payload.active": True}, "a"),
    ({"payload.active": 1}, "c"),
    ({"payload.active": 0}, "d"),
    ({"payload.active": False}, "b"),
    ({"payload.active": {"$in": [0, False]}}, "bd"),
    ({"payload.price": {"$gt": 9}}, "abg"),
    ({"payload.price": {"$gt": "1"}}, "c"),
    ({"payload.price": {"$gte": False}}, "f"),
    ({"payload.price": {"$lt": 10}}, "g"),
    ({"payload.price": {"$not": {"$gt": 9}}}, "cdef"),
    ({"payload.sku": {"$gt": "Z"}}, "bf"),
    ({"payload.sku": {"$lt": "a"}}, "ag"),
    # null versus missing
    ({"payload.price": None}, "de"),
    ({"payload.price": {"$exists": True}}, "abcdfg"),
    ({"payload.price": {"$exists": False}}, "e"),
    ({"payload.price": {"$ne": None}}, "abcfg"),
    ({"metadata.user": None}, "bcdef"),
    ({"metadata.user": {"$in": ["alice", "bob"]}}, "ag"),
    ({"metadata.user": {"$in": [None, "bob"]}}, "bcdefg"),
    ({"metadata.attempt.n": 2}, "g"),
    ({"response.code": {"$gte": 500}}, "b"),
    ({"response.code": {"$in": []}}, ""),
    ({"response.code": {"$nin": []}}, ALL),
    # arrays at the end of the path and along it
    ({"payload.tags": "new"}, "ac"),
    ({"payload.tags": "sale"}, "a"),
    ({"payload.tags": None}, "def"),
    ({"payload.tags": {"$exists": True}}, "abcfg"),
    ({"payload.tags": {"$ne": "new"}}, "bdefg"),
    ({"payload.tags": {"$gt": 2}}, "f"),
    ({"payload.tags": {"$nin": ["new", "Sale"]}}, "bdef"),
    ({"payload.items.sku": "i1"}, "a"),
    ({"payload.items.sku": "i3"}, "b"),
    ({"payload.items.qty": {"$gt": 4}}, "a"),
    ({"payload.items.qty": {"$gt": 1, "$lt": 5}}, "ab"),
    ({"payload.items.sku": None}, "cdefg"),
    ({"payload.items.sku": {"$exists": False}}, "cdefg"),
    ({"payload.items": 7}, "c"),
    ({"payload.nested.level.deep": "y"}, "d"),
    ({"payload.nested.level.deep": None}, "bcdefg"),
    ({"payload.nested.level.deep": {"$exists": True}}, "ad"),
    ({"payload.nested.level": {"$exists": True}}, "ad"),
    ({"payload.nested": {"$exists": True}}, "adg"),
    ({"payload.nested.level": "z"}, "d"),
    # logic
    ({"$or": [{"status": "failed"}, {"retryCount": {"$gt": 0}}]}, "bcf"),
    ({"$and": [{"integrationId": "shop-B"}, {"status": "failed"}]}, "b"),
    ({"$nor": [{"status": "success"}, {"payload.price": None}]}, "bcf"),
    ({"integrationId": "shop-B", "status": {"$ne": "failed"}}, "c"),
    ({"$and": [{}]}, ALL),
    ({"$or": [{}, {"status": "failed"}]}, ALL),
    ({"$nor": [{}]}, ""),
    (
        {"$or": [{"$and": [{"status": "success"}, {"payload.tags": "Sale"}]}, {"entityId": None}]},
        "dg",
    ),
]

# (search term, labels of the matching records)
SEARCH_CASES: list[tuple[str, str]] = [
    ("shop-a", "afg"),
    ("SHOP", "abcfg"),
    ("strasse", "f"),
    ("STRASSE", "f"),
    ("ß", "f"),
    ("Timeout", "b"),
    ("api", "b"),
    ("100%", "f"),
    ("%", "f"),
    ("_", "f"),
    ("\\", "f"),
    ("'", "f"),
    ("-1", "aceg"),
    ("order", "cd"),
    ("erporder", ""),
    ("xyz", ""),
]

# (sort, order, labels in the expected order; labels in parentheses tie and go by _id)
SORT_CASES: list[tuple[str | None, str, str]] = [
    (None, "desc", "f e (cd) b (ag)"),
    ("createdAt", "asc", "(ag) b (cd) e f"),
    ("retryCount", "asc", "(adeg) c f b"),
    ("retryCount", "desc", "b f c (adeg)"),
    ("executionTime", "asc", "(ce) d f (ag) b"),
    ("executionTime", "desc", "b (ag) f d (ce)"),
    ("entityId", "asc", "d e c (ag) b f"),
    ("errorMessage", "desc", "c b f (adeg)"),
    ("integrationId", "asc", "f (de) (ag) (bc)"),
    ("status", "asc", "(bf) d c (aeg)"),
    ("actionType", "desc", "d (bg) c e (af)"),
    ("_id", "asc", "(abcdefg)"),
]

# (filter, the place the error names)
INVALID_FILTERS: list[tuple[Any, str]] = [
    ({"retryCount": "1"}, "filter.retryCount"),
    ({"retryCount": {"$gt": True}}, "filter.retryCount.$gt"),
    ({"status": "done"}, "filter.status"),
    ({"actionType": {"$in": ["create", "bogus"]}}, "filter.actionType.$in[1]"),
    ({"createdAt": "yesterday"}, "filter.createdAt"),
    ({"createdAt": 5}, "filter.createdAt"),
    ({"_id": "xyz"}, "filter._id"),
    ({"errorMessage": 5}, "filter.errorMessage"),
    ({"errorMessage": "a\x00b"}, "filter.errorMessage"),
    ({"unknown": 1}, "filter.unknown"),
    ({"created_at": "2024-01-01"}, "filter.created_at"),
    ({"payload": {"a": 1}}, "filter.payload"),
    ({"payload.a": {"b.c": 1}}, "filter.payload.a"),
    ({"payload.a": {"b": {"$gt": 1}}}, "filter.payload.a.b"),
    ({"payload.a": {"$gt": 1, "b": 1}}, "filter.payload.a"),
    ({"status": ["failed"]}, "filter.status"),
    ({"payload.a": {"$in": [{"$x": 1}]}}, "filter.payload.a.$in[0]"),
    ({"payload.a": {"$gt": [1]}}, "filter.payload.a.$gt"),
    ({"payload.a": {"$in": "x"}}, "filter.payload.a.$in"),
    ({"payload.a": {"$gt": None}}, "filter.payload.a.$gt"),
    ({"payload.a": {"$exists": 1}}, "filter.payload.a.$exists"),
    ({"payload.a": {"$regex": "x"}}, "filter.payload.a.$regex"),
    ({"payload.a": {"$function": {}}}, "filter.payload.a.$function"),
    ({"payload.a": {"$mod": [2, 0]}}, "filter.payload.a.$mod"),
    ({"$text": {"$search": "x"}}, "filter.$text"),
    ({"payload.a": {"$size": -1}}, "filter.payload.a.$size"),
    ({"payload.a": {"$size": 1.5}}, "filter.payload.a.$size"),
    ({"payload.a": {"$size": True}}, "filter.payload.a.$size"),
    ({"payload.a": {"$type": "date"}}, "filter.payload.a.$type"),
    ({"payload.a": {"$type": []}}, "filter.payload.a.$type"),
    ({"payload.a": {"$all": 5}}, "filter.payload.a.$all"),
    ({"payload.a": {"$all": []}}, "filter.payload.a.$all"),
    ({"payload.a": {"$elemMatch": {}}}, "filter.payload.a.$elemMatch"),
    ({"payload.a": {"$elemMatch": 1}}, "filter.payload.a.$elemMatch"),
    ({"payload.a": {"$elemMatch": {"$gt": 1, "b": 1}}}, "filter.payload.a.$elemMatch"),
    ({"payload.a": {"$elemMatch": {"$gt": 1, "$or": [{}]}}}, "filter.payload.a.$elemMatch"),
    ({"payload.a": {"$elemMatch": {"$exists": True}}}, "filter.payload.a.$elemMatch.$exists"),
    ({"payload.a": {"$elemMatch": {"b": {"$regex": "x"}}}}, "filter.payload.a.$elemMatch.b.$regex"),
    ({"retryCount": {"$size": 1}}, "filter.retryCount.$size"),
    ({"status": {"$elemMatch": {"$eq": "failed"}}}, "filter.status.$elemMatch"),
    (
        {"payload.a.b.c.d.e.f": {"$elemMatch": {"x.y": 1}}},
        "filter.payload.a.b.c.d.e.f.$elemMatch.x.y",
    ),
    ({"$where": "true"}, "filter.$where"),
    ({"$expr": {"$eq": [1, 1]}}, "filter.$expr"),
    ({"$not": {"status": "failed"}}, "filter.$not"),
    ({"$or": []}, "filter.$or"),
    ({"$and": {"status": "failed"}}, "filter.$and"),
    ({"$or": [1]}, "filter.$or[0]"),
    ({"status": {"$eq": "success", "x": 1}}, "filter.status"),
    ({"status": {}}, "filter.status"),
    ({"status": {"$not": "success"}}, "filter.status.$not"),
    ({"payload.a..b": 1}, "filter.payload.a..b"),
    ({"payload.a.": 1}, "filter.payload.a."),
    ({"payload.$a": 1}, "filter.payload.$a"),
    ({'payload.a"b': 1}, 'filter.payload.a"b'),
    ({"payload.a.b.c.d.e.f.g.h": 1}, "filter.payload.a.b.c.d.e.f.g.h"),
    ({"payload.a": math.nan}, "filter.payload.a"),
    ({"payload.a": 2**60}, "filter.payload.a"),
    ({"$or": [{"retryCount": i} for i in range(101)]}, "filter.$or[100].retryCount"),
    ({"payload.a": {"$in": list(range(257))}}, "filter.payload.a.$in"),
    (
        {
            "$and": [
                {
                    "$and": [
                        {"$and": [{"$and": [{"$and": [{"$and": [{"$and": [{"$and": [{}]}]}]}]}]}]}
                    ]
                }
            ]
        },
        "filter",
    ),
    ('{"payload.a": "' + "x" * 20_000 + '"}', "filter"),
    ("not json", "filter"),
    ("[1, 2]", "filter"),
    ('{"payload.a": NaN}', "filter"),
    ('{"status": "failed", "status": "success"}', "filter"),
    (42, "filter"),
]

# (record body, the field the error names)
INVALID_RECORDS: list[tuple[dict[str, Any], str]] = [
    ({k: v for k, v in minimal().items() if k != "integrationId"}, "integrationId"),
    (minimal(integrationId=""), "integrationId"),
    (minimal(integrationId="x" * 257), "integrationId"),
    (minimal(integrationId=5), "integrationId"),
    (minimal(actionType="destroy"), "actionType"),
    (minimal(status="ok"), "status"),
    (minimal(status=None), "status"),
    (minimal(retryCount=-1), "retryCount"),
    (minimal(retryCount="1"), "retryCount"),
    (minimal(retryCount=1.5), "retryCount"),
    (minimal(retryCount=True), "retryCount"),
    (minimal(executionTime=-1), "executionTime"),
    (minimal(executionTime=math.nan), "executionTime"),
    (minimal(executionTime="fast"), "executionTime"),
    (minimal(payload=[1]), "payload"),
    (minimal(payload="x"), "payload"),
    (minimal(payload={"a.b": 1}), "payload"),
    (minimal(payload={"$set": 1}), "payload"),
    (minimal(payload={"": 1}), "payload"),
    (minimal(payload={"a": {"b": math.inf}}), "payload.a.b"),
    (minimal(response={"a": 2**60}), "response.a"),
    (minimal(metadata={"a": [object()]}), "metadata.a[0]"),
    (minimal(metadata={1: "x"}), "metadata"),
    (minimal(errorMessage="bad\x00byte"), "errorMessage"),
    (minimal(entityType="\ud800"), "entityType"),
    (minimal(foo=1), "foo"),
    (minimal(createdAt="2024-01-01T00:00:00Z"), "createdAt"),
    (minimal(_id="0" * 24), "_id"),
]
