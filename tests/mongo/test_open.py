"""Opening a MongoStore: URLs, database names, options and timeouts, without a server."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from pymongo.errors import ConnectionFailure

from actionlogkit import ConfigurationError, StoreError, open_store
from actionlogkit_mongo import DEFAULT_SERVER_SELECTION_TIMEOUT, MongoStore


def _closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _timeout(store: Any) -> float:
    timeout: float = store._client.options.server_selection_timeout
    return timeout


@pytest.mark.parametrize(
    "url", ["mongodb://127.0.0.1:27017/app", "mongodb+srv://cluster0.example.net/app?tls=true"]
)
def test_both_url_forms_open_a_mongo_store(url: str) -> None:
    """mongodb:// and mongodb+srv:// URLs open a MongoStore on the database of their path."""
    with open_store(url, create_indexes=False) as store:
        assert isinstance(store, MongoStore)
        assert store.collection.database.name == "app"
        assert store.collection.name == "integration_action_logs"


def test_database_option_names_the_database() -> None:
    """database= and collection= choose where records go, over the URL's path."""
    with open_store(
        "mongodb://127.0.0.1:27017/app", database="logs", collection="calls", create_indexes=False
    ) as store:
        assert isinstance(store, MongoStore)
        assert store.collection.full_name == "logs.calls"


def test_url_without_database_is_a_configuration_error() -> None:
    """A URL naming no database, without database=, says how to name one."""
    with pytest.raises(ConfigurationError, match=r"database="):
        open_store("mongodb://127.0.0.1:27017", create_indexes=False)
    with pytest.raises(ConfigurationError, match=r"database="):
        MongoStore("mongodb://127.0.0.1:27017/", create_indexes=False)


@pytest.mark.parametrize(
    "url",
    [
        "mongodb://127.0.0.1:notaport/app",
        "mongodb://127.0.0.1:27017/app?serverSelectionTimeoutMS=soon",
        "mongodb+srv://a,b/app",
    ],
)
def test_malformed_url_is_a_configuration_error(url: str) -> None:
    """A malformed connection string or database name raises ConfigurationError."""
    with pytest.raises(ConfigurationError):
        open_store(url, create_indexes=False)


@pytest.mark.parametrize(
    "names", [{"database": "bad name"}, {"database": "x", "collection": ""}, {"database": 5}]
)
def test_bad_database_or_collection_name_is_a_configuration_error(names: dict[str, Any]) -> None:
    """A database or collection name MongoDB refuses raises ConfigurationError."""
    with pytest.raises(ConfigurationError, match="name"):
        MongoStore("mongodb://127.0.0.1:27017", create_indexes=False, **names)


def test_other_schemes_are_refused() -> None:
    """MongoStore refuses URLs of other schemes."""
    with pytest.raises(ConfigurationError, match="mongodb://"):
        MongoStore("postgresql://127.0.0.1/app")


def test_unknown_option_is_a_configuration_error() -> None:
    """An option MongoStore does not take raises ConfigurationError naming the class."""
    with pytest.raises(ConfigurationError, match="MongoStore"):
        open_store("mongodb://127.0.0.1/app", create_indexes=False, pool=3)


def test_server_selection_timeout_is_short_and_configurable() -> None:
    """The default wait for a server is a few seconds; the option and the URL can change it."""
    url = "mongodb://127.0.0.1:27017/app"
    assert DEFAULT_SERVER_SELECTION_TIMEOUT <= 10
    with MongoStore(url, create_indexes=False) as store:
        assert _timeout(store) == DEFAULT_SERVER_SELECTION_TIMEOUT
    with MongoStore(url, create_indexes=False, server_selection_timeout=0.25) as store:
        assert _timeout(store) == 0.25
    with MongoStore(url + "?serverSelectionTimeoutMS=1500", create_indexes=False) as store:
        assert _timeout(store) == 1.5
    for bad in (0, -1, "5", True):
        with pytest.raises(ConfigurationError, match="server_selection_timeout"):
            MongoStore(url, server_selection_timeout=bad)  # type: ignore[arg-type]


def test_dead_server_fails_fast_with_store_error() -> None:
    """With no server at the address, calls raise StoreError caused by the driver's error."""
    url = f"mongodb://127.0.0.1:{_closed_port()}/app"
    with MongoStore(url, create_indexes=False, server_selection_timeout=0.2) as store:
        with pytest.raises(StoreError, match="did not answer") as caught:
            store.count()
        assert isinstance(caught.value.__cause__, ConnectionFailure)
        with pytest.raises(StoreError):
            store.create(
                {"integrationId": "x", "actionType": "sync", "entityType": "y", "status": "pending"}
            )
    with pytest.raises(StoreError, match="indexes") as opened:
        open_store(url, server_selection_timeout=0.2)
    assert isinstance(opened.value.__cause__, ConnectionFailure)
