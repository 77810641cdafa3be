"""Declared JSON-path indexes on MongoDB: created, and the answers stay the same."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import MongoClient

from actionlogkit import ConfigurationError, MemoryStore
from actionlogkit.testing._sample import minimal
from actionlogkit_mongo import MongoStore

pytestmark = pytest.mark.mongodb

SHAPES: list[Any] = ["A-1", 10, 10.0, True, None, {"id": "A-1"}, "B-2"]
# nx-27017 does not look inside arrays the way MongoDB does (see test_contract_server.py).
ARRAY_SHAPES: list[Any] = [["A-1", 10], [{"id": "A-1"}], []]


def test_declared_paths_get_an_index_and_answers_stay_the_same(
    server_client: MongoClient[dict[str, Any]],
    server_database: str,
    collection_name: str,
    on_real_server: bool,
) -> None:
    """indexes=[...] creates one ascending index per path; filters on it answer like memory."""
    with MongoStore(
        server_client,
        database=server_database,
        collection=collection_name,
        indexes=["metadata.orderId", "payload.sku"],
    ) as store:
        keys = [list(info["key"]) for info in store.collection.index_information().values()]
        assert [("metadata.orderId", 1)] in keys
        assert [("payload.sku", 1)] in keys
        memory = MemoryStore()
        shapes = SHAPES + ARRAY_SHAPES if on_real_server else SHAPES
        records = memory.create_many([minimal(metadata={"orderId": s}) for s in shapes])
        store.import_records(records)
        for query in ({"metadata.orderId": "A-1"}, {"metadata.orderId": {"$in": ["A-1", 3]}}):
            expected = [r.id for r in memory.list(query, sort="_id").data]
            assert [r.id for r in store.list(query, sort="_id").data] == expected


def test_indexes_in_the_connection_string(server_url: str, collection_name: str) -> None:
    """?indexes=a,b declares the paths and is not passed to pymongo; migrate builds nothing more."""
    separator = "&" if "?" in server_url else "?"
    url = f"{server_url}{separator}indexes=metadata.orderId"
    with MongoStore(url, collection=collection_name) as store:
        keys = [list(info["key"]) for info in store.collection.index_information().values()]
        assert [("metadata.orderId", 1)] in keys
        assert store.migrate() == []
        store.collection.drop_index([("metadata.orderId", 1)])
        assert store.migrate() == ["index of metadata.orderId"]


def test_bad_declared_path_is_a_configuration_error() -> None:
    """A path the query language refuses raises ConfigurationError naming it, before any call."""
    with pytest.raises(ConfigurationError, match=r"'payload\.\$a'"):
        MongoStore("mongodb://127.0.0.1:1/app", indexes=["payload.$a"])
    with pytest.raises(ConfigurationError, match="'status'"):
        MongoStore("mongodb://127.0.0.1:1/app?indexes=status")
