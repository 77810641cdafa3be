"""``MongoStore``: integration action logs in a MongoDB collection, through pymongo."""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote

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
    OperationFailure,
    PyMongoError,
    WTimeoutError,
)
from pymongo.errors import ConfigurationError as DriverConfigurationError

from actionlogkit.errors import ConfigurationError, Conflict, StoreError, StoreTimeout
from actionlogkit.models import ActionLog
from actionlogkit.query import Node, Query, parse_index_paths
from actionlogkit.stats import StatsQuery, StatsRow
from actionlogkit.store import Store
from actionlogkit_mongo._compiler import compile_after, compile_filter, compile_sort
from actionlogkit_mongo._documents import (
    HIDDEN_FIELDS,
    JSON_FIELDS,
    from_document,
    keys_sorted,
    sorted_json,
    to_document,
)
from actionlogkit_mongo._stats import stats_pipeline, stats_rows

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
_INDEX_OPTIONS_CONFLICT = (85, 86)  # IndexOptionsConflict, IndexKeySpecsConflict


def _ttl_seconds(ttl: object) -> int | None:
    if ttl is None:
        return None
    if not isinstance(ttl, timedelta) or ttl.total_seconds() < 1:
        raise ConfigurationError(f"ttl: expected a timedelta of at least one second, got {ttl!r}")
    return int(ttl.total_seconds())


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


def _split_indexes(url: str) -> tuple[str, list[str]]:
    """The connection string without its ``indexes`` option (pymongo's own), and its paths."""
    head, mark, query = url.partition("?")
    if not mark:
        return url, []
    kept, paths = [], []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name.lower() == "indexes":
            paths += [p.strip() for p in unquote(value).split(",") if p.strip()]
        else:
            kept.append(part)
    return (f"{head}?{'&'.join(kept)}" if kept else head), paths


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
        ttl: keep records this long: the ``createdAt`` index becomes a TTL index (created, or
            changed in place when it exists), and MongoDB's TTL monitor deletes older records
            (see ``docs/backends/mongo.md`` for what it guarantees). Needs ``create_indexes``.
        indexes: JSON paths to index (``["metadata.orderId"]``), also given as the connection
            string's ``indexes=metadata.orderId,payload.sku``; created with the others.

    Raises:
        ConfigurationError: the connection string is malformed, names no database while
            ``database`` is not given, a name is not valid in MongoDB, or the collection has a
            default collation.
        StoreError: the indexes could not be created (the server is unreachable, or refused).

    """

    schemes: ClassVar[tuple[str, ...]] = ("mongodb", "mongodb+srv")
    isolates: ClassVar[bool] = True

    def __init__(
        self,
        client_or_url: str | MongoClient[Document],
        *,
        database: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        create_indexes: bool = True,
        server_selection_timeout: float | None = None,
        ttl: timedelta | None = None,
        indexes: Sequence[str] = (),
    ) -> None:
        self._ttl_seconds = _ttl_seconds(ttl)
        listed: list[str] = []
        if isinstance(client_or_url, str):
            client_or_url, listed = _split_indexes(client_or_url)
        self._declared = tuple(
            dict.fromkeys((*parse_index_paths(listed), *parse_index_paths(indexes)))
        )
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

    @classmethod
    def from_url(cls, url: str, *, create: bool = True, **options: Any) -> MongoStore:
        """Open ``url``; ``create=False`` creates no index (reading creates no collection)."""
        if not create:
            options["create_indexes"] = False
        return cls(url, **options)

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
            if keys == ("createdAt",) and self._ttl_seconds is not None:
                self._create_ttl_index(self._ttl_seconds)
            else:
                self._collection.create_index([(key, ASCENDING) for key in keys])
        for field in self._declared:
            # MongoDB indexes every value a path reaches, array elements included (multikey):
            # the filters the compiler sends use it as they are.
            self._collection.create_index([(field.dotted, ASCENDING)])

    def _create_ttl_index(self, seconds: int) -> None:
        """The ``createdAt`` index with ``expireAfterSeconds``: made, changed, or made a TTL one."""
        key = [("createdAt", ASCENDING)]
        try:
            self._collection.create_index(key, expireAfterSeconds=seconds)
        except OperationFailure as exc:
            if exc.code not in _INDEX_OPTIONS_CONFLICT:
                raise
            # The index exists with other options (another TTL, or none): collMod changes it in
            # place, without rebuilding it.
            self._collection.database.command(
                "collMod",
                self._collection.name,
                index={"keyPattern": {"createdAt": 1}, "expireAfterSeconds": seconds},
            )

    def _migrate(self, progress: Callable[[str], None]) -> builtins.list[str]:
        with _driver_errors("migrate failed"):
            existing = {
                tuple(key for key, _ in info["key"])
                for info in self._collection.index_information().values()
            }
            missing = [f for f in self._declared if (f.dotted,) not in existing]
            for field in missing:
                progress(f"index of {field.dotted}: building")
                self._collection.create_index([(field.dotted, ASCENDING)])
        return [f"index of {field.dotted}" for field in missing]

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

    def _remove_batch(self, filter: Node, search: str | None, limit: int) -> int:
        condition = compile_filter(filter, search)
        with _driver_errors("purge failed"):
            oldest = self._collection.find(
                condition, {"_id": True}, sort=[("createdAt", ASCENDING), ("_id", ASCENDING)]
            ).limit(limit)
            ids = [document["_id"] for document in oldest]
            if not ids:
                return 0
            # The filter again: a record changed since it was chosen goes only if it still matches.
            chosen = {"$and": [condition, {"_id": {"$in": ids}}]}
            return self._collection.delete_many(chosen).deleted_count

    def _select(self, query: Query) -> builtins.list[ActionLog]:
        condition = compile_filter(query.filter, query.search)
        if query.keyset is not None:
            condition = {"$and": [condition, compile_after(query)]}
        with _driver_errors("list failed"):
            cursor = self._collection.find(
                condition,
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

    def _stats(self, query: StatsQuery) -> builtins.list[StatsRow]:
        pipeline = stats_pipeline(compile_filter(query.filter, query.search), query)
        with _driver_errors("stats failed"):
            # Sorting a large partition may pass the server's in-memory limit for a stage.
            results = builtins.list(self._collection.aggregate(pipeline, allowDiskUse=True))
        return stats_rows(results, query)

    def _close(self) -> None:
        if self._owns_client:
            self._client.close()

    @classmethod
    def _open_isolated(cls, url: str, name: str, new: bool) -> MongoStore:
        store = cls(url, collection=name, create_indexes=False)
        try:
            with _driver_errors("opening failed"):
                exists = name in store._collection.database.list_collection_names()
            if new and exists:
                raise ConfigurationError(f"a collection called {name!r} exists already")
            if not new and not exists:
                raise ConfigurationError(f"no collection called {name!r}")
            with _driver_errors("creating the indexes failed"):
                store._create_indexes()
        except BaseException:
            store.close()
            raise
        return store

    def _drop(self) -> None:
        with _driver_errors("drop failed"):
            self._collection.drop()

    # -- maintenance ----------------------------------------------------------------------------

    def sort_stored_keys(self) -> int:
        """Rewrite the documents whose JSON objects do not have their keys sorted; return how many.

        Documents written by versions that kept the caller's key order compare as objects only
        in that order on MongoDB; this puts them in the order every write now uses. Each
        document is rewritten only if its ``payload``, ``response`` and ``metadata`` are still as
        read (a concurrent update wins), and nothing else of it changes (``updatedAt`` neither).
        """
        self._check_open()
        rewritten = 0
        projection = dict.fromkeys(JSON_FIELDS, True)
        with _driver_errors("sorting stored keys failed"):
            for document in self._collection.find({}, projection):
                stale = {
                    name: document.get(name)
                    for name in JSON_FIELDS
                    if not keys_sorted(document.get(name))
                }
                if not stale:
                    continue
                result = self._collection.update_one(
                    {"_id": document["_id"], **stale},
                    {"$set": {name: sorted_json(value) for name, value in stale.items()}},
                )
                rewritten += result.matched_count
        return rewritten
