"""Tier 2 (and 3): MongoStore over the wire with the real pymongo driver.

Documents as stored (ObjectId, BSON dates, subdocuments, explicit nulls, the hidden search field),
indexes, opening by URL, error mapping, and bad input that never reaches the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from bson import ObjectId
from pymongo import MongoClient, monitoring

from actionlogkit import (
    ConfigurationError,
    Conflict,
    InvalidQuery,
    InvalidRecord,
    MemoryStore,
    NotFound,
    open_store,
)
from actionlogkit.testing import canonical
from actionlogkit_mongo import INDEXES, MongoStore

pytestmark = pytest.mark.mongodb

BODY: dict[str, Any] = {
    "integrationId": "Shop-ẞ",
    "actionType": "update",
    "entityType": "Product",
    "status": "failed",
    "payload": {"price": 10, "tags": ["a", None], "nested": {"x": 1.5}},
    "errorMessage": "HTTP 422",
}


class CommandLog(monitoring.CommandListener):
    """Records the names of the commands a client sends to one database."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Note a command sent to the database (not authentication, which goes elsewhere)."""
        if event.database_name == self.database:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to note."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to note."""


@pytest.fixture
def store(
    server_client: MongoClient[dict[str, Any]], server_database: str, collection_name: str
) -> Iterator[MongoStore]:
    """A store on a fresh collection of the session's server."""
    store = MongoStore(server_client, database=server_database, collection=collection_name)
    with store:
        yield store


def _raw(store: MongoStore, record_id: str) -> dict[str, Any]:
    found = store.collection.find_one({"_id": ObjectId(record_id)})
    assert found is not None
    return found


def test_document_holds_object_id_dates_subdocuments_and_nulls(store: MongoStore) -> None:
    """The stored document has an ObjectId, BSON dates in UTC, subdocuments and explicit nulls."""
    record = store.create(BODY, created_at=datetime(2024, 3, 1, 12, 0, 0, 250_000))
    document = _raw(store, record.id)
    assert document["_id"] == ObjectId(record.id)
    assert isinstance(document["_id"], ObjectId)
    assert document["createdAt"] == datetime(2024, 3, 1, 12, 0, 0, 250_000, tzinfo=timezone.utc)
    assert document["createdAt"].tzinfo is not None
    assert document["payload"] == {"price": 10, "tags": ["a", None], "nested": {"x": 1.5}}
    for absent in ("entityId", "response", "metadata", "executionTime"):
        assert absent in document
        assert document[absent] is None
    assert document["retryCount"] == 0


def test_search_field_is_stored_folded_and_never_handed_out(store: MongoStore) -> None:
    """The hidden search field holds the folded search fields; records never show it."""
    record = store.create(BODY)
    assert _raw(store, record.id)["_searchText"] == ["shop-ss", "product", "", "http 422"]
    for returned in (store.get(record.id), store.list().data[0]):
        assert "_searchText" not in returned.model_dump(by_alias=True)
    assert store.count(search="SHOP-SS") == 1


def test_records_round_trip_over_the_wire(store: MongoStore) -> None:
    """Records imported and read back equal the originals, ids and millisecond dates included."""
    originals = MemoryStore().create_many([BODY, {**BODY, "payload": {"n": 2**53, "f": 0.5}}])
    store.import_records(originals)
    for original in originals:
        fetched = store.get(original.id)
        assert canonical(fetched) == canonical(original)
        assert fetched.created_at.tzinfo is timezone.utc
    assert [r.id for r in store.list(sort="_id", order="asc").data] == sorted(
        r.id for r in originals
    )


def test_indexes_are_created(store: MongoStore) -> None:
    """Opening a store creates the indexes of the SQL backend, ascending."""
    keys = {tuple(index["key"].items()) for index in store.collection.list_indexes()}
    for fields in INDEXES:
        assert tuple((field, 1) for field in fields) in keys


def test_duplicate_id_is_a_conflict_and_stores_nothing(store: MongoStore) -> None:
    """An import meeting a stored id raises Conflict and removes what it had inserted before."""
    source = MemoryStore()
    first, second = source.create_many([BODY, BODY])
    store.import_records([first])
    with pytest.raises(Conflict) as caught:
        store.import_records([second, first])
    assert caught.value.__cause__ is not None
    assert store.count() == 1
    with pytest.raises(NotFound):
        store.get(second.id)


def test_bad_input_never_reaches_the_server(
    server_url: str, server_database: str, collection_name: str
) -> None:
    """Invalid records, queries and ids are refused before any command is sent."""
    commands = CommandLog(server_database)
    client: MongoClient[dict[str, Any]] = MongoClient(server_url, event_listeners=[commands])
    with client:
        store = MongoStore(client, database=server_database, collection=collection_name)
        commands.names.clear()
        with pytest.raises(InvalidRecord):
            store.create({**BODY, "payload": {"$where": "1"}})
        with pytest.raises(InvalidQuery):
            store.list({"payload.a": {"$where": "sleep(1000)"}})
        with pytest.raises(InvalidQuery):
            store.delete_many({"$expr": {"$eq": [1, 1]}})
        with pytest.raises(InvalidQuery):
            store.count(search="a\x00b")
        with pytest.raises(NotFound):
            store.get("not-an-id")
        assert commands.names == []
        store.count()
        assert commands.names == ["aggregate"]


def test_open_store_takes_the_database_from_the_url(
    server_url: str, server_client: MongoClient[dict[str, Any]], collection_name: str
) -> None:
    """open_store on a mongodb:// URL stores in the database its path names."""
    with open_store(server_url, collection=collection_name) as store:
        assert isinstance(store, MongoStore)
        record = store.create(BODY)
        database = store.collection.database.name
    stored = server_client[database][collection_name].find_one({"_id": ObjectId(record.id)})
    assert stored is not None
    assert stored["integrationId"] == BODY["integrationId"]


def test_collection_with_a_default_collation_is_refused(
    server_client: MongoClient[dict[str, Any]],
    server_database: str,
    collection_name: str,
    on_real_server: bool,
) -> None:
    """A collection whose default collation would change text comparison is a config error."""
    if not on_real_server:
        pytest.skip("nx-27017 does not keep a collection's collation")
    server_client[server_database].create_collection(
        collection_name, collation={"locale": "en", "strength": 2}
    )
    with pytest.raises(ConfigurationError, match="collation"):
        MongoStore(server_client, database=server_database, collection=collection_name)
