"""MongoStore keeps the keys of JSON objects sorted: objects compare whatever their order."""

from __future__ import annotations

import uuid
from typing import Any, cast

import mongomock_ng
from pymongo import MongoClient

from actionlogkit import MemoryStore
from actionlogkit.testing._sample import minimal
from actionlogkit_mongo import MongoStore
from actionlogkit_mongo._documents import to_document


def _store() -> MongoStore:
    client = cast("MongoClient[dict[str, Any]]", mongomock_ng.MongoClient())
    return MongoStore(client, database=f"test_{uuid.uuid4().hex[:12]}")


def _key_orders(value: Any) -> list[list[str]]:
    if isinstance(value, dict):
        return [list(value), *(o for item in value.values() for o in _key_orders(item))]
    if isinstance(value, list):
        return [o for item in value for o in _key_orders(item)]
    return []


UNSORTED = {"z": 1, "b": {"y": [{"q": 1, "a": 2}], "x": None}, "a": []}


def test_objects_are_stored_with_their_keys_sorted() -> None:
    """Every object in payload, response and metadata is written in code-point key order."""
    with _store() as store:
        record = store.create(minimal(payload=UNSORTED, response={"é": 1, "Z": 2}))
        stored = store.collection.find_one({})
        assert stored is not None
        for name in ("payload", "response"):
            assert all(keys == sorted(keys) for keys in _key_orders(stored[name]))
        assert store.get(record.id).payload == UNSORTED


def test_older_documents_are_rewritten_sorted_once() -> None:
    """sort_stored_keys rewrites documents in another key order, and only those, once."""
    with _store() as store:
        old = MemoryStore().create(minimal(payload=UNSORTED, metadata={"k": 1}))
        document = to_document(old)
        document["payload"] = UNSORTED  # as written before keys were sorted
        store.collection.insert_one(document)
        store.create(minimal(payload={"b": 1, "a": 2}))
        assert store.sort_stored_keys() == 1
        stored = store.collection.find_one({"_id": document["_id"]})
        assert stored is not None
        assert all(keys == sorted(keys) for keys in _key_orders(stored["payload"]))
        assert store.get(old.id).updated_at == old.updated_at
        assert store.sort_stored_keys() == 0
