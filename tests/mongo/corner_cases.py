"""Where MongoDB's native query meaning leaves the query language, as extra store tests.

The cases come from MongoDB's own behaviour: ``{"a.b": null}`` matching an object element that
lacks ``b`` and, on some server versions, not matching empty arrays or arrays of scalars; nested
arrays along a path; booleans and numbers side by side in one array. Each filter's answer was
worked out by hand from ``docs/query-language.md`` and is checked against ``MemoryStore`` too.
"""

from __future__ import annotations

from typing import Any

import pytest

from actionlogkit import MemoryStore, Store

# label → payload
PAYLOADS: dict[str, dict[str, Any]] = {
    "p": {"a": [{"b": 3}, {}], "m": [True, 5]},
    "q": {"a": [], "m": [1, False]},
    "r": {"a": [1, "x"], "m": [[1], [True]]},
    "s": {"a": [[{"b": 1}]], "m": 1},
    "t": {"a": [None], "m": [None, 0]},
    "u": {"a": [{"b": None}, {"b": 2}]},
    "v": {"a": {"b": [3, None]}},
    "w": {},
}

# (filter, labels of the matching records)
CASES: list[tuple[dict[str, Any], str]] = [
    ({"payload.a.b": None}, "qrstuvw"),
    ({"payload.a.b": {"$ne": None}}, "p"),
    ({"payload.a.b": {"$in": [None, 3]}}, "pqrstuvw"),
    ({"payload.a.b": {"$nin": [None]}}, "p"),
    ({"payload.a.b": {"$exists": True}}, "puv"),
    ({"payload.a.b": {"$exists": False}}, "qrstw"),
    ({"payload.a.b": 1}, ""),
    ({"payload.a.b": 3}, "pv"),
    ({"payload.a.b": {"$gte": 2}}, "puv"),
    ({"payload.a": None}, "tw"),
    ({"payload.a": {"$exists": True}}, "pqrstuv"),
    ({"payload.m": 1}, "qs"),
    ({"payload.m": 5}, "p"),
    ({"payload.m": True}, "p"),
    ({"payload.m": False}, "q"),
    ({"payload.m": 0}, "t"),
    ({"payload.m": {"$in": [0, True]}}, "pt"),
    ({"payload.m": {"$gt": 0}}, "pqs"),
    ({"payload.m": None}, "tuvw"),
]
CASE_IDS = [str(filter) for filter, _ in CASES]


class CornerCases:
    """Mixin for a test class whose ``store`` fixture yields a fresh store."""

    @pytest.fixture
    def corner_records(self, store: Store) -> dict[str, str]:
        """The corner-case records stored: id → label."""
        bodies = [
            {
                "integrationId": f"corner-{label}",
                "actionType": "sync",
                "entityType": "product",
                "status": "success",
                "payload": payload,
            }
            for label, payload in PAYLOADS.items()
        ]
        created = MemoryStore().create_many(bodies)
        store.import_records(created)
        self.reference = MemoryStore()
        self.reference.import_records(created)
        return {record.id: label for record, label in zip(created, PAYLOADS, strict=True)}

    @pytest.mark.parametrize(("filter", "expected"), CASES, ids=CASE_IDS)
    def test_mongodb_corner_case(
        self,
        store: Store,
        corner_records: dict[str, str],
        filter: dict[str, Any],
        expected: str,
    ) -> None:
        """Null, missing, nested arrays and mixed classes answer as the semantics page says."""
        labels = sorted(corner_records[r.id] for r in store.list(filter, limit=100).data)
        reference = sorted(
            corner_records[r.id] for r in self.reference.list(filter, limit=100).data
        )
        assert "".join(reference) == expected, "the hand-worked answer disagrees with MemoryStore"
        assert "".join(labels) == expected
        assert store.count(filter) == len(expected)
