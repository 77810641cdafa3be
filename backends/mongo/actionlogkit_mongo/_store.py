"""``MongoStore``: integration action logs in a MongoDB collection, through pymongo."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import timezone
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pymongo
from bson import ObjectId
from bson.codec_options import CodecOptions
from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    ExecutionTimeout,
    InvalidName,
    InvalidURI,
    PyMongoError,
    WTimeoutError,
)
from pymongo.errors import ConfigurationError as DriverConfigurationError

from actionlogkit.errors import ConfigurationError, Conflict, StoreError, StoreTimeout
from actionlogkit.models import ActionLog
from actionlogkit.query import Node, Query
from actionlogkit.store import Store
from actionlogkit_mongo._compiler import compile_filter, compile_sort
from actionlogkit_mongo._documents import HIDDEN_FIELDS, from_document, to_document

__all__ = ["DEFAULT_COLLECTION", "DEFAULT_SERVER_SELECTION_TIMEOUT", "INDEXES", "MongoStore"]

DEFAULT_COLLECTION = "integration_action_logs"
DEFAULT_SERVER_SELECTION_TIMEOUT = 5.0
"""Seconds to wait for a usable server before an operation fails (pymongo's own default is 30)."""
INDEXES: tuple[tuple[str, ...], ...] = (
    ("integrationId", "createdAt"),
    ("status", "createdAt"),
    ("entityType", "entityId"),
    ("createdAt",),
)
"""The indexes created (ascending keys), the same as the SQL backend's."""

_DUPLICATE_KEY = 11000
_CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    document_class=dict, tz_aware=True, tzinfo=timezone.utc
)
Document = dict[str, Any]


def _projection() -> dict[str, bool]:
    # A new mapping per call: drivers and imitations of them may add keys to the one they get.
    return dict.fromkeys(HIDDEN_FIELDS, False)


def _url_options(url: str) -> set[str]:
    """The names of the options in a connection string, lower-cased (they are case-insensitive)."""
    query = url.partition("?")[2]
    return {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}


def _timeout_ms(seconds: float) -> int:
    given: object = seconds
    if isinstance(given, bool) or not isinstance(given, (int, float)) or not 0 < seconds < 1e6:
        raise ConfigurationError(
            f"server_selection_timeout must be a positive number of seconds, got {seconds!r}"
        )
    return max(1, round(seconds * 1000))


@contextmanager
def _driver_errors(what: str, *, writes: bool = False) -> Iterator[None]:
    """Turn the driver's unreachable-server and timeout errors into a plain ``StoreError``.

    Under a caller's deadline the block runs in :func:`pymongo.timeout`, pymongo's client-side
    operation timeout: server selection, taking a connection and every socket read end by then.
    """
    left = Store._seconds_left()
    bounded = nullcontext() if left is None else pymongo.timeout(max(left, 0.001))
    try:
        with bounded:
            yield
    except (ConnectionFailure, ExecutionTimeout, WTimeoutError) as exc:
        if left is not None and getattr(exc, "timeout", False):
            raise StoreTimeout(
                f"MongoStore: {what}: no answer before the deadline: {exc}", in_doubt=writes
            ) from exc
        raise StoreError(f"MongoStore: {what}: the MongoDB server did not answer: {exc}") from exc
    except PyMongoError as exc:
        if not getattr(exc, "timeout", False):
            raise
        # MongoDB may apply a write whose answer did not come in time.
        raise StoreTimeout(
            f"MongoStore: {what}: no answer before the deadline: {exc}", in_doubt=writes
        ) from exc


class MongoStore(Store):
    """Keeps records in a MongoDB collection, one document per record.

    ``client_or_url`` is a ``mongodb://`` or ``mongodb+srv://`` connection string (the store then
    owns the client and closes it) or a ``pymongo.MongoClient`` the caller keeps and closes.

    Args:
        client_or_url: the connection string or the client.
        database: the database; defaults to the one the connection string names in its path.
        collection: the collection (default ``integration_action_logs``).
        create_indexes: when opening, check that the collection has no default collation (it would
            change how text compares) and create the indexes of :data:`INDEXES` (default
            ``True``; creating an index that exists is a no-op on the server).
        server_selection_timeout: seconds an operation waits for a usable server before it fails
            with :class:`StoreError`; default 5, or the connection string's
            ``serverSelectionTimeoutMS``. Applies to clients the store creates.

    Raises:
        ConfigurationError: the connection string is malformed, names no database while
            ``database`` is not given, a name is not valid in MongoDB, or the collection has a
            default collation.
        StoreError: the indexes could not be created (the server is unreachable, or refused).

    """

    schemes: ClassVar[tuple[str, ...]] = ("mongodb", "mongodb+srv")

    def __init__(
        self,
        client_or_url: str | MongoClient[Document],
        *,
        database: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        create_indexes: bool = True,
        server_selection_timeout: float | None = None,
    ) -> None:
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            self._client = self._connect(client_or_url, server_selection_timeout)
        else:
            if server_selection_timeout is not None:
                raise ConfigurationError(
                    "server_selection_timeout applies only when the store opens the client; "
                    "set serverSelectionTimeoutMS on your own client"
                )
            self._client = client_or_url
        try:
            self._collection = self._open_collection(database, collection)
            if create_indexes:
                with _driver_errors("creating the indexes failed"):
                    self._check_collation()
                    self._create_indexes()
        except PyMongoError as exc:
            if self._owns_client:
                self._client.close()
            raise StoreError(f"MongoStore: creating the indexes failed: {exc}") from exc
        except BaseException:
            if self._owns_client:
                self._client.close()
            raise

    @staticmethod
    def _connect(url: str, timeout: float | None) -> MongoClient[Document]:
        scheme = url.partition("://")[0].lower()
        if scheme not in MongoStore.schemes:
            raise ConfigurationError(
                f"MongoStore opens mongodb:// and mongodb+srv:// URLs, not {scheme}://"
            )
        options: dict[str, Any] = {}
        if timeout is not None:
            options["serverSelectionTimeoutMS"] = _timeout_ms(timeout)
        elif "serverselectiontimeoutms" not in _url_options(url):
            options["serverSelectionTimeoutMS"] = _timeout_ms(DEFAULT_SERVER_SELECTION_TIMEOUT)
        try:
            # pymongo only warns about an option it cannot read, and then ignores it.
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)
                # connect=False: nothing, not even an SRV lookup, happens before the first call.
                return MongoClient(url, connect=False, **options)
        except (InvalidURI, DriverConfigurationError, UserWarning, ValueError, TypeError) as exc:
            raise ConfigurationError(f"unusable MongoDB connection string: {exc}") from exc

    def _open_collection(self, database: str | None, collection: str) -> Collection[Document]:
        try:
            if database is None:
                try:
                    db = self._client.get_default_database(codec_options=_CODEC_OPTIONS)
                except DriverConfigurationError:
                    raise ConfigurationError(
                        "no MongoDB database given: name it in the URL's path "
                        "(mongodb://host:27017/app) or pass database="
                    ) from None
            else:
                db = self._client.get_database(database, codec_options=_CODEC_OPTIONS)
            return db.get_collection(collection, codec_options=_CODEC_OPTIONS)
        except (InvalidName, TypeError) as exc:
            raise ConfigurationError(
                f"unusable MongoDB database or collection name: {exc}"
            ) from exc

    def _check_collation(self) -> None:
        # A default collation of the collection would change how text compares and sorts.
        collation = self._collection.options().get("collation")
        if collation and collation.get("locale") != "simple":
            raise ConfigurationError(
                f"collection {self._collection.full_name} has a default collation "
                f"({collation.get('locale')}); the query language compares text by code point: "
                "use a collection without one"
            )

    def _create_indexes(self) -> None:
        for keys in INDEXES:
            self._collection.create_index([(key, ASCENDING) for key in keys])

    @property
    def collection(self) -> Collection[Document]:
        """The pymongo collection the records are kept in."""
        return self._collection

    # -- primitives -----------------------------------------------------------------------------

    def _insert(self, records: Sequence[ActionLog]) -> None:
        documents = [to_document(record) for record in records]
        with _driver_errors("create failed", writes=True):
            try:
                self._collection.insert_many(documents, ordered=True)
            except BulkWriteError as exc:
                # An ordered insert stops at the first error: what came before it is stored.
                inserted = int(exc.details.get("nInserted", 0))
                self._undo([document["_id"] for document in documents[:inserted]])
                codes = {error.get("code") for error in exc.details.get("writeErrors", ())}
                if _DUPLICATE_KEY in codes:
                    raise Conflict("a record with one of these ids is already stored") from exc
                raise StoreError(f"MongoStore: create failed: {exc}") from exc

    def _undo(self, ids: builtins.list[ObjectId]) -> None:
        if ids:
            self._collection.delete_many({"_id": {"$in": ids}})

    def _fetch(self, record_id: str) -> ActionLog | None:
        with _driver_errors("get failed"):
            found = self._collection.find_one({"_id": ObjectId(record_id)}, _projection())
        return None if found is None else from_document(found)

    def _replace(self, record: ActionLog) -> bool:
        with _driver_errors("update failed", writes=True):
            result = self._collection.replace_one({"_id": ObjectId(record.id)}, to_document(record))
        return result.matched_count == 1

    def _remove(self, record_id: str) -> bool:
        with _driver_errors("delete failed", writes=True):
            result = self._collection.delete_one({"_id": ObjectId(record_id)})
        return result.deleted_count == 1

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        with _driver_errors("delete failed", writes=True):
            return self._collection.delete_many(compile_filter(filter, search)).deleted_count

    def _select(self, query: Query) -> builtins.list[ActionLog]:
        with _driver_errors("list failed"):
            cursor = self._collection.find(
                compile_filter(query.filter, query.search),
                _projection(),
                sort=compile_sort(query),
                skip=query.offset,
                limit=query.limit,
            )
            documents = builtins.list(cursor)
        return [from_document(document) for document in documents]

    def _count(self, filter: Node | None, search: str | None) -> int:
        with _driver_errors("count failed"):
            return self._collection.count_documents(compile_filter(filter, search))

    def _close(self) -> None:
        if self._owns_client:
            self._client.close()
