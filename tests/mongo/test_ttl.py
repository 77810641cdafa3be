"""MongoStore(ttl=...): the createdAt index becomes a TTL index, made or changed in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from actionlogkit import ConfigurationError
from actionlogkit_mongo import MongoStore


def _created_at_index(client: MongoClient[dict[str, Any]], database: str, name: str) -> Any:
    indexes = client[database][name].index_information()
    return next(spec for spec in indexes.values() if spec["key"] == [("createdAt", 1)])


@pytest.mark.mongodb
def test_ttl_makes_and_then_changes_the_created_at_index(
    server_url: str,
    server_client: MongoClient[dict[str, Any]],
    server_database: str,
    collection_name: str,
) -> None:
    """A new store gets a TTL index; opening with another ttl changes its expiry in place."""
    MongoStore(server_url, collection=collection_name, ttl=timedelta(days=30)).close()
    index = _created_at_index(server_client, server_database, collection_name)
    assert index["expireAfterSeconds"] == 30 * 86400
    MongoStore(server_url, collection=collection_name, ttl=timedelta(days=7)).close()
    index = _created_at_index(server_client, server_database, collection_name)
    assert index["expireAfterSeconds"] == 7 * 86400


@pytest.mark.mongodb
def test_ttl_turns_an_existing_plain_index_into_a_ttl_one(
    server_url: str,
    server_client: MongoClient[dict[str, Any]],
    server_database: str,
    collection_name: str,
) -> None:
    """A store made without ttl, opened later with one, gets its createdAt index expiring."""
    MongoStore(server_url, collection=collection_name).close()
    assert "expireAfterSeconds" not in _created_at_index(
        server_client, server_database, collection_name
    )
    MongoStore(server_url, collection=collection_name, ttl=timedelta(hours=12)).close()
    index = _created_at_index(server_client, server_database, collection_name)
    assert index["expireAfterSeconds"] == 12 * 3600


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(milliseconds=10), 30, "30d"])
def test_a_bad_ttl_is_refused(ttl: object) -> None:
    """A ttl that is not a timedelta of a second or more is a ConfigurationError naming ttl."""
    with pytest.raises(ConfigurationError, match=r"^ttl:"):
        MongoStore("mongodb://127.0.0.1:1/x", ttl=ttl)  # type: ignore[arg-type]
