"""The store interface every backend implements, and the one way writes reach a backend.

:class:`Store` is what callers use: ``create``, ``create_many``, ``get``, ``update``, ``delete``,
``delete_many``, ``list``, ``count``, ``import_records`` and ``close``. Those public methods do all
the checking (records, ids, queries, a closed store) and stamp ids and timestamps, so that every
backend behaves the same on bad input; then they call the backend's primitives, the abstract
``_insert``, ``_fetch``, ``_replace``, ``_remove``, ``_remove_matching``, ``_select`` and
``_count``, which receive only validated values. Any exception a primitive raises that is not an
:class:`~actionlogkit.errors.ActionLogKitError` reaches the caller as a
:class:`~actionlogkit.errors.StoreError` with the original as its ``__cause__``.

Every write reaches storage through a primitive, whoever asked for it: the public methods and the
recorder alike (the recorder calls no public method of its store; it hands over the records it
built with :func:`prepare_built` and :func:`replace_built`). So a subclass that overrides a
primitive sees every write; one that overrides a public method changes only the calls of that
method. ``docs/stores.md`` states this contract for backend authors.
"""

from __future__ import annotations

import abc
import builtins
import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar, Token
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from actionlogkit import _ids, _time
from actionlogkit._batch import ValidatedOnRead, build_new
from actionlogkit._inputs import field_errors, validate_input
from actionlogkit.errors import (
    ActionLogKitError,
    ConfigurationError,
    Conflict,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    NotFound,
    StoreError,
    StoreTimeout,
    Unsupported,
)
from actionlogkit.models import ActionLog, ActionLogInput, Page, build_record
from actionlogkit.query import (
    DEFAULT_LIMIT,
    And,
    Compare,
    FieldKind,
    FieldRef,
    In,
    Node,
    Query,
    next_cursor,
    parse_filter,
    parse_query,
    parse_search,
)
from actionlogkit.stats import (
    DEFAULT_STATS_BY,
    Stats,
    StatsQuery,
    StatsRow,
    build_stats,
    parse_stats,
)

__all__ = [
    "DEFAULT_PURGE_BATCH",
    "PreparedInsert",
    "RecordInput",
    "Store",
    "count_built",
    "deadline",
    "insert_built",
    "prepare_built",
    "replace_built",
]

_S = TypeVar("_S", bound="Store")

RecordInput = ActionLogInput | Mapping[str, Any]
"""What ``create`` and ``update`` accept: an :class:`ActionLogInput` or a mapping of its fields."""


DEFAULT_PURGE_BATCH = 10_000
"""How many records one batch of :meth:`Store.purge` deletes by default."""
_MAX_PURGE_BATCH = 1_000_000
_CREATED_AT = FieldRef("createdAt", FieldKind.DATETIME)
_ID = FieldRef("_id", FieldKind.ID)


def _cutoff(older_than: object) -> datetime:
    if isinstance(older_than, timedelta):
        if older_than < timedelta(0):
            raise InvalidQuery.at("older_than", "must not be negative")
        return _time.now() - older_than
    if isinstance(older_than, datetime):
        if older_than.tzinfo is None:
            raise InvalidQuery.at("older_than", "a datetime must be timezone-aware")
        return _time.to_timestamp(older_than)
    raise InvalidQuery.at(
        "older_than", f"expected a timedelta or a datetime, got {type(older_than).__name__}"
    )


def _batch_size(batch_size: object) -> int:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or not 1 <= batch_size <= _MAX_PURGE_BATCH
    ):
        raise InvalidQuery.at(
            "batch_size", f"expected an integer from 1 to {_MAX_PURGE_BATCH}, got {batch_size!r}"
        )
    return batch_size


class Store(abc.ABC):
    """A place where integration action log records are kept and queried.

    Stores are safe to share between threads. Use one as a context manager, or call
    :meth:`close` when done; a closed store raises :class:`StoreError` on every call.

    Writing a backend: subclass, implement the abstract primitives below (each receives values the
    core has already validated), register the class under the ``actionlogkit.backends`` entry-point
    group by URL scheme, and run :class:`actionlogkit.testing.StoreContract` against it.
    """

    schemes: ClassVar[tuple[str, ...]] = ()
    """URL schemes this store is opened for by :func:`actionlogkit.open_store`."""
    isolates: ClassVar[bool] = False
    """Whether :meth:`open_isolated` can make a store of its own in existing storage."""
    _insert_accepts_lazy_records: ClassVar[bool] = False
    """Whether :meth:`_insert` stores nothing when reading its ``records`` raises part-way.

    True for a backend that reads them inside one transaction, which the exception rolls back:
    ``create_many`` then hands it records validated as they are read (the first bad one raises
    :class:`InvalidRecord` out of the read), so a large batch's validation overlaps its write.
    False (the default): every record is validated before ``_insert`` is called.
    """

    _closed: bool = False
    _isolated: bool = False

    @classmethod
    def from_url(cls, url: str, *, create: bool = True, **options: Any) -> Store:
        """Open a store for ``url`` (called by :func:`~actionlogkit.open_store`).

        With ``create=False`` nothing is created (no file, table, collection or index): a store
        that does not exist raises :class:`~actionlogkit.errors.MissingStore`. The default passes
        the URL as the first argument of the constructor, and ignores ``create``: fit for a
        backend whose opening creates nothing. Raises :class:`ConfigurationError` for a URL or an
        option the backend cannot use.
        """
        factory: Callable[..., Store] = cls
        return factory(url, **options)

    @classmethod
    def open_isolated(cls, url: str, name: str, *, new: bool = True) -> Store:
        """Open a store of its own called ``name`` in the storage ``url`` names.

        For test kits: the store is a table (SQL) or a collection (MongoDB) beside whatever the
        storage already holds, which it never reads or changes; :meth:`drop` removes it. With
        ``new`` (the default) it is created now, empty; ``new=False`` opens again one made
        before. ``name`` is letters, digits and underscores, at most 40 characters.

        Raises:
            ConfigurationError: the backend cannot make such a store (:attr:`isolates` is
                false), ``name`` is not a plain name, something called ``name`` exists already
                (``new``), or nothing does (``new=False``).
            StoreError: the storage could not be reached.

        """
        given: object = name  # callers outside the type checker pass anything
        if not isinstance(given, str) or _ISOLATED_NAME.fullmatch(given) is None:
            raise ConfigurationError(
                f"an isolated store's name is letters, digits and underscores, not starting "
                f"with a digit, at most 40 characters; got {name!r}"
            )
        if not cls.isolates:
            raise ConfigurationError(
                f"{cls.__name__} cannot open a store of its own beside existing data; "
                "use a store (or database) kept for tests alone"
            )
        store = cls._open_isolated(url, name, new)
        store._isolated = True
        return store

    def drop(self) -> None:
        """Remove a store made by :meth:`open_isolated`, with everything in it, and close it.

        Raises:
            ConfigurationError: the store was not made by :meth:`open_isolated` (dropping is never
                a way to empty storage someone else filled).
            StoreError: the storage failed, or the store is closed.

        """
        if not self._isolated:
            raise ConfigurationError(
                f"only a store made by {type(self).__name__}.open_isolated can be dropped"
            )
        self._check_open()
        with self._guard("drop"):
            self._drop()
        self.close()

    # -- the public interface -------------------------------------------------------------------

    def create(self, record: RecordInput, *, created_at: datetime | None = None) -> ActionLog:
        """Validate and store one new record; return it as stored.

        Args:
            record: the settable fields, as an :class:`ActionLogInput` or a mapping with wire
                (``integrationId``) or Python (``integration_id``) names.
            created_at: when the action happened, for callers that write later than that (a
                naive datetime is taken as UTC). Defaults to now. ``updatedAt`` is the write time.

        Returns:
            The stored :class:`ActionLog`, with a new ``_id`` and timestamps in UTC milliseconds.

        Raises:
            InvalidRecord: the record breaks the model; nothing is stored.
            StoreError: the storage failed.

        """
        self._check_open()
        stamp = None if created_at is None else _created_stamp(created_at)
        built = build_new(record, "", stamp, _time.now())
        with self._guard("create"):
            self._insert((built,))
        return built

    def create_many(
        self,
        records: Iterable[RecordInput],
        *,
        created_at: datetime | Sequence[datetime | None] | None = None,
    ) -> builtins.list[ActionLog]:
        """Validate and store many new records in one write; all of them or none.

        Args:
            records: as for :meth:`create`.
            created_at: one datetime for all records, or one (or ``None`` for now) per record.

        Returns:
            The stored records in the given order.

        Raises:
            InvalidRecord: some record breaks the model (its places are prefixed ``[i]``);
                nothing is stored.
            StoreError: the storage failed; nothing is stored.

        """
        self._check_open()
        items = builtins.list(records)
        stamps = _created_stamps(created_at, len(items))
        if not items:
            return []
        batch = ValidatedOnRead(items, stamps, _time.now())
        with self._guard("create"):
            # Else every record is checked before the backend sees one.
            self._insert(batch if self._insert_accepts_lazy_records else batch.all())
        return batch.all()

    def import_records(self, records: Iterable[ActionLog | Mapping[str, Any]]) -> int:
        """Store complete records, ids and timestamps included, in one write; all or none.

        For copying logs between stores (``target.import_records(source.list(...).data)``) and
        for restoring them; mappings are validated as :class:`ActionLog` (wire names).

        Returns:
            How many records were stored.

        Raises:
            InvalidRecord: a record breaks the model; nothing is stored.
            Conflict: an id occurs twice or is already stored; nothing is stored.
            StoreError: the storage failed; nothing is stored.

        """
        self._check_open()
        built: builtins.list[ActionLog] = []
        for i, item in enumerate(records):
            if isinstance(item, ActionLog):
                built.append(item)
                continue
            try:
                built.append(ActionLog.model_validate(item))
            except ValidationError as exc:
                raise InvalidRecord(field_errors(exc, f"[{i}]")) from None
        ids = [record.id for record in built]
        if len(set(ids)) != len(ids):
            raise Conflict("the records to import repeat an id")
        if built:
            with self._guard("import"):
                self._insert(built)
        return len(built)

    def get(self, record_id: str) -> ActionLog:
        """Return the record with id ``record_id``.

        Raises:
            NotFound: no such record, or ``record_id`` is not a record id.
            StoreError: the storage failed.

        """
        self._check_open()
        key = _record_id(record_id)
        with self._guard("get"):
            found = self._fetch(key)
        if found is None:
            raise NotFound(record_id)
        return found

    def update(self, record_id: str, record: RecordInput) -> ActionLog:
        """Replace every settable field of a record (PUT semantics); return the new record.

        ``createdAt`` is kept and ``updatedAt`` becomes now; fields absent from ``record`` take
        their defaults.

        Raises:
            NotFound: no such record, or ``record_id`` is not a record id.
            InvalidRecord: the record breaks the model; nothing is changed.
            StoreError: the storage failed.

        """
        self._check_open()
        key = _record_id(record_id)
        data = validate_input(record)
        with self._guard("update"):
            old = self._fetch(key)
        if old is None:
            raise NotFound(record_id)
        new = build_record(
            data,
            record_id=key,
            created_at=old.created_at,
            updated_at=max(_time.now(), old.updated_at),
        )
        with self._guard("update"):
            replaced = self._replace(new)
        if not replaced:
            raise NotFound(record_id)
        return new

    def delete(self, record_id: str) -> None:
        """Delete the record with id ``record_id``.

        Raises:
            NotFound: no such record, or ``record_id`` is not a record id.
            StoreError: the storage failed.

        """
        self._check_open()
        key = _record_id(record_id)
        with self._guard("delete"):
            removed = self._remove(key)
        if not removed:
            raise NotFound(record_id)

    def delete_many(
        self, filter: Mapping[str, Any] | str | None, *, search: str | None = None
    ) -> int:
        """Delete every record that matches ``filter`` and ``search``; return how many.

        One statement, all or nothing: for clean-up. For retention on a large store use
        :meth:`purge`, which deletes in short batches. The filter is required so that deleting
        everything is always written out: ``delete_many({})``.

        Raises:
            InvalidQuery: the filter or the search term breaks the query language.
            StoreError: the storage failed.

        """
        self._check_open()
        node = parse_filter(filter)
        term = parse_search(search)
        with self._guard("delete"):
            return self._remove_matching(node, term)

    def purge(
        self,
        older_than: timedelta | datetime,
        *,
        filter: Mapping[str, Any] | str | None = None,
        search: str | None = None,
        batch_size: int = DEFAULT_PURGE_BATCH,
    ) -> int:
        """Delete the records created before a time, in batches; return how many were deleted.

        Args:
            older_than: a :class:`~datetime.timedelta` (records older than that, from now) or a
                timezone-aware :class:`~datetime.datetime` (records created before it).
            filter: only records that also match this filter.
            search: only records that also contain this search term.
            batch_size: the most records one batch deletes (1 to 1,000,000; default 10,000).
                Each batch is a short transaction of its own, oldest records first, so that
                writers running meanwhile are never held for longer than one batch.

        Interrupted (an error, a signal), it has deleted whole batches only.

        Raises:
            InvalidQuery: ``older_than``, ``batch_size``, the filter or the search term is bad;
                nothing is deleted.
            StoreError: the storage failed; the batches before the failure stay deleted.

        """
        self._check_open()
        cutoff = _cutoff(older_than)
        size = _batch_size(batch_size)
        node = parse_filter(filter)
        term = parse_search(search)
        before = Compare(_CREATED_AT, "$lt", cutoff)
        condition: Node = before if node is None else And((node, before))
        deleted = 0
        while True:
            with self._guard("purge"):
                count = self._remove_batch(condition, term, size)
            deleted += count
            if count < size:
                return deleted

    def list(
        self,
        filter: Mapping[str, Any] | str | None = None,
        *,
        search: str | None = None,
        sort: str | None = None,
        order: str | None = "desc",
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        cursor: str | None = None,
        with_total: bool = True,
    ) -> Page:
        """Return one page of the records matching a query, and how many match in all.

        Args:
            filter: a filter document (mapping) or its JSON text; see ``docs/query-language.md``.
            search: literal text looked for, case-insensitively, in ``integrationId``,
                ``entityType``, ``entityId`` and ``errorMessage``.
            sort: one top-level field (default ``createdAt``).
            order: ``"asc"`` or ``"desc"`` (default); ties are broken by ``_id`` the same way.
            limit: 1 to 100 records (default 50).
            offset: records to skip (default 0).
            cursor: the ``next_cursor`` of the previous page of the same query (filter, search,
                sort and order; ``limit`` may change): the page starts after that page's last
                record. ``offset`` must then be 0.
            with_total: ``False`` to skip counting the matches (``total`` is then ``None``).

        Returns:
            A :class:`Page`: ``data`` in query order, ``total``, the count of all matches, and
            ``next_cursor`` for the page after it (``None`` on the last page).

        Raises:
            InvalidQuery: some part of the query breaks the query language.
            StoreError: the storage failed.

        """
        self._check_open()
        query = parse_query(
            filter,
            search=search,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
            cursor=cursor,
            with_total=with_total,
        )
        with self._guard("list"):
            # One record more than the page tells whether another page follows.
            asked = dataclasses.replace(query, limit=query.limit + 1)
            if query.with_total:
                data, total = self._select_with_total(asked)
                if total is None:
                    total = self._count(query.filter, query.search)
            else:
                data, total = self._select(asked), None
        following = None
        if len(data) > query.limit:
            del data[query.limit :]
            following = next_cursor(query, data[-1])
        return Page(data=data, total=total, next_cursor=following)

    def count(
        self, filter: Mapping[str, Any] | str | None = None, *, search: str | None = None
    ) -> int:
        """Return how many records match ``filter`` and ``search``.

        Raises:
            InvalidQuery: the filter or the search term breaks the query language.
            StoreError: the storage failed.

        """
        self._check_open()
        node = parse_filter(filter)
        term = parse_search(search)
        with self._guard("count"):
            return self._count(node, term)

    def stats(
        self,
        filter: Mapping[str, Any] | str | None = None,
        *,
        search: str | None = None,
        by: Sequence[str] = DEFAULT_STATS_BY,
        interval: str | None = None,
    ) -> Stats:
        """Count, failures, retries and ``executionTime`` figures per group of matching records.

        Computed by the storage itself (only the groups reach Python), with one meaning on every
        backend: see ``docs/stores.md``.

        Args:
            filter: a filter document or its JSON text, as for :meth:`list`.
            search: a search term, as for :meth:`list`.
            by: the fields to group by, any of ``integrationId``, ``actionType``, ``entityType``
                and ``status``; ``()`` for one group of every match.
            interval: ``"1m"``, ``"5m"``, ``"1h"`` or ``"1d"``: also group by the UTC time
                bucket of ``createdAt``; ``None`` (the default) for no buckets.

        Returns:
            :class:`~actionlogkit.Stats`: the groups ordered by bucket, then the ``by`` values
            ascending (by code point). No group for no match.

        Raises:
            InvalidQuery: a bad ``by``, ``interval``, filter or search term, or a query that
                would give more than 10,000 groups.
            Unsupported: the backend does not implement stats.
            StoreError: the storage failed.

        """
        self._check_open()
        query = parse_stats(filter, search=search, by=by, interval=interval)
        with self._guard("stats"):
            rows = self._stats(query)
        return build_stats(query, rows)

    def migrate(self, progress: Callable[[str], None] | None = None) -> builtins.list[str]:
        """Build what this version adds to an existing store and it lacks; return what was built.

        Opening a store never builds anything on an existing one (it stays cheap and safe in a
        rolling deploy); this does, once: the SQL backend's search index, declared indexes.
        ``progress`` receives a line of text now and then. Additions keep the stored layout
        readable by the previous version. An empty list: nothing was missing.

        Raises:
            StoreError: the storage failed (what was built before stays built).

        """
        self._check_open()
        with self._guard("migrate"):
            return self._migrate(progress or _ignore)

    def close(self) -> None:
        """Release the store's connections; later calls raise :class:`StoreError`. Idempotent."""
        if self._closed:
            return
        self._closed = True
        with self._guard("close"):
            self._close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- what a backend implements ----------------------------------------------------------------

    @abc.abstractmethod
    def _insert(self, records: Sequence[ActionLog]) -> None:
        """Store complete, validated records atomically: all of them or none.

        Every insert comes here: ``create``, ``create_many``, ``import_records`` and the
        recorder's records (those possibly as returned by :meth:`_prepare_insert`). The records
        may be shared with the caller: a store that keeps the objects themselves copies them,
        unless :meth:`_prepare_insert` marked them as handed over. Raises :class:`Conflict` when
        an id is already stored (nothing stored then).
        """

    def _prepare_insert(self, records: Sequence[ActionLog]) -> Sequence[ActionLog]:
        """Optional: make ready ahead of time records the core built and hands over to ``_insert``.

        The recorder calls it with records nobody else holds (it built them and keeps no
        reference), on its preparing thread, and later calls :meth:`_insert` with what it returns,
        on its writing thread, so that the work done here overlaps the previous write. Return the
        same records in the same order, as any sequence: a backend may return a sequence type of
        its own carrying work already done (encoded rows), or marking the records as its own to
        keep without copying; :meth:`_insert` must accept both that and a plain sequence. The
        default returns ``records`` unchanged.
        """
        return records

    @abc.abstractmethod
    def _fetch(self, record_id: str) -> ActionLog | None:
        """Return the record with this (well-formed) id, or ``None``."""

    @abc.abstractmethod
    def _replace(self, record: ActionLog) -> bool:
        """Overwrite the stored record with ``record.id`` by ``record``; ``False`` if it is gone."""

    @abc.abstractmethod
    def _remove(self, record_id: str) -> bool:
        """Delete the record with this id; ``False`` if there was none."""

    @abc.abstractmethod
    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        """Delete the records matching the validated ``filter`` and folded ``search``.

        Returns how many were deleted.
        """

    def _remove_batch(self, filter: Node, search: str | None, limit: int) -> int:
        """Delete at most ``limit`` of the records matching, oldest first; return how many.

        Oldest means by ``createdAt``, then ``_id``. One short transaction of its own: it is how
        :meth:`purge` deletes. The default selects the batch with :meth:`_select` and deletes it
        with :meth:`_remove_matching` (the filter again, so a record changed meanwhile is only
        deleted if it still matches); a backend that can delete a limited batch in one statement
        overrides it.
        """
        batch = self._select(
            Query(filter=filter, search=search, sort=_CREATED_AT, descending=False, limit=limit)
        )
        if not batch:
            return 0
        chosen = In(_ID, tuple(record.id for record in batch))
        return self._remove_matching(And((filter, chosen)), search)

    @abc.abstractmethod
    def _select(self, query: Query) -> builtins.list[ActionLog]:
        """Return the page ``query`` asks for.

        The matches in query order that come after ``query.keyset`` (when set), after skipping
        ``offset`` of them, at most ``limit`` (which may be one more than the caller's page: the
        core asks for one extra record to tell whether another page follows).
        """

    @abc.abstractmethod
    def _count(self, filter: Node | None, search: str | None) -> int:
        """Count the records matching the validated ``filter`` and folded ``search``."""

    def _select_with_total(self, query: Query) -> tuple[builtins.list[ActionLog], int | None]:
        """Optional: the page of :meth:`_select` and, when one reading gives both, the total.

        The total counts every match of ``query.filter`` and ``query.search``, as :meth:`_count`
        would, whatever the page's keyset, offset and limit. Return ``None`` for it to have the
        core call :meth:`_count` (the default always does): a backend overrides this only where
        reading the matches once for both is cheaper than two readings, as for a rare search
        term, whose matches are few but costly to find.
        """
        return self._select(query), None

    def _stats(self, query: StatsQuery) -> Sequence[StatsRow]:
        """Optional: the groups of ``query``, at most ``query.limit`` of them, in any order.

        Computed where the records are (a grouped query, an aggregation pipeline), never by
        reading the records into Python. A backend without it raises :class:`Unsupported`
        rather than answering something else.
        """
        raise Unsupported(f"{type(self).__name__} does not implement stats")

    def _close(self) -> None:  # noqa: B027 - optional hook, most stores hold something to release
        """Release what the store holds; called once, by :meth:`close`."""

    @classmethod
    def _open_isolated(cls, url: str, name: str, new: bool) -> Store:
        """Optional, with :attr:`isolates`: open the store called ``name`` at ``url``.

        ``name`` is already checked. With ``new``, create it, and raise
        :class:`ConfigurationError` if something of that name exists; without, raise it if the
        store does not exist.
        """
        raise NotImplementedError

    def _drop(self) -> None:
        """Optional, with :attr:`isolates`: remove the storage :meth:`_open_isolated` made."""
        raise NotImplementedError

    def _migrate(self, progress: Callable[[str], None]) -> builtins.list[str]:
        """Optional: build what an existing store lacks (:meth:`migrate`); the default: nothing."""
        return []

    # -- shared machinery -------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{type(self).__name__} is closed")

    def _guard(self, operation: str, deadline: float | None = None) -> _Guard:
        return _Guard(self, operation, deadline)

    @staticmethod
    def _seconds_left() -> float | None:
        """Seconds a primitive may still wait for its storage, or ``None`` for no bound.

        Set while a primitive runs for a caller that bounds its wait (the recorder's
        ``write_timeout``); a backend that can bound its waits (a statement timeout, a socket
        timeout) applies it, and a primitive that cannot finish in time raises.
        """
        deadline = _DEADLINE.get()
        return None if deadline is None else deadline - time.monotonic()


_ISOLATED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")

_DEADLINE: ContextVar[float | None] = ContextVar("actionlogkit_store_deadline", default=None)
"""The :func:`time.monotonic` time by which the running primitive must give up, if any.

A context variable rather than a parameter of every primitive: a subclass that wraps a primitive
passes it on without knowing of it, and the backends read it where they wait.
"""


class deadline:  # noqa: N801 - used like a function: ``with deadline(t): ...``
    """Bound the store calls made inside the block by ``at`` (a :func:`time.monotonic` time).

    For a caller that opens a store or runs several primitives under one bound (the recorder's
    ``write_timeout``); ``None`` sets no bound. Backends read it with :meth:`Store._seconds_left`.
    """

    __slots__ = ("at", "token")

    def __init__(self, at: float | None) -> None:
        self.at = at
        self.token: Token[float | None] | None = None

    def __enter__(self) -> None:
        if self.at is not None:
            self.token = _DEADLINE.set(self.at)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.token is not None:
            _DEADLINE.reset(self.token)


class _Guard(deadline):
    """Turns what a backend primitive raises into ``StoreError``, the cause attached.

    It also sets the deadline of the primitive it wraps, when the caller gave one. A class rather
    than ``contextlib.contextmanager``: it wraps every store call, and a generator costs several
    times more to enter and leave.
    """

    __slots__ = ("operation", "store")

    def __init__(self, store: Store, operation: str, at: float | None = None) -> None:
        super().__init__(at)
        self.store = store
        self.operation = operation

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        if exc is None or not isinstance(exc, Exception):
            return
        name = type(self.store).__name__
        deadline = self.at if self.at is not None else _DEADLINE.get()
        if (
            deadline is not None
            and time.monotonic() >= deadline
            and (isinstance(exc, StoreError) or not isinstance(exc, ActionLogKitError))
            and not isinstance(exc, StoreTimeout)
        ):
            # Whatever the backend saw (a closed connection, a lock, a socket timeout), the
            # caller's deadline is why the call ended.
            raise StoreTimeout(
                f"{name}: {self.operation} did not finish before the deadline: {exc}"
            ) from exc
        if isinstance(exc, ActionLogKitError):
            return
        raise StoreError(f"{name}: {self.operation} failed: {exc}") from exc


def _ignore(line: str) -> None:
    """A progress callback that shows nothing."""


def _record_id(record_id: object) -> str:
    if isinstance(record_id, str):
        key = record_id.lower()
        if _ids.is_valid_id(key):
            return key
    raise NotFound(record_id)


def _created_stamp(created_at: object, place: str = "createdAt") -> datetime:
    if not isinstance(created_at, datetime):
        raise InvalidRecord([FieldError(place, "expected a datetime")])
    return _time.to_timestamp(created_at)


def _created_stamps(
    created_at: datetime | Sequence[datetime | None] | None, count: int
) -> builtins.list[datetime | None]:
    if created_at is None:
        return [None] * count
    if isinstance(created_at, datetime):
        return [_time.to_timestamp(created_at)] * count
    given: object = created_at  # callers outside the type checker pass anything
    if isinstance(given, (str, bytes)) or not isinstance(given, Sequence):
        raise InvalidRecord([FieldError("createdAt", "expected a datetime or one per record")])
    if len(created_at) != count:
        raise InvalidRecord(
            [FieldError("createdAt", f"expected one per record: {len(created_at)} for {count}")]
        )
    return [
        None if stamp is None else _created_stamp(stamp, f"createdAt[{i}]")
        for i, stamp in enumerate(created_at)
    ]


class PreparedInsert:
    """An insert of records the core built, made ready by :func:`prepare_built`; call it to write.

    Calling it raises as ``create`` does: :class:`StoreError` once the store is closed or when the
    storage fails, :class:`~actionlogkit.errors.Conflict` for a stored id.
    """

    __slots__ = ("_records", "_store", "count")

    def __init__(self, store: Store, records: Sequence[ActionLog]) -> None:
        self._store = store
        self._records = records
        self.count = len(records)
        """How many records the insert writes."""

    def __call__(self, deadline: float | None = None) -> None:
        """Write the records; ``deadline`` (a :func:`time.monotonic` time) bounds the wait."""
        store = self._store
        store._check_open()
        if self.count:
            with store._guard("create", deadline):
                store._insert(self._records)


def prepare_built(store: Store, records: Sequence[ActionLog]) -> PreparedInsert:
    """Make ready the insert of records the core built and hands over (the recorder's).

    Their values already follow the model (the capture pipeline's output, ids and timestamps made
    by the core), so nothing is checked again; nobody holds them afterwards, so the store may keep
    them without copying. The backend's :meth:`Store._prepare_insert` runs now, the insert itself
    when the result is called. Raises :class:`StoreError` when the store is closed or the
    preparation fails.
    """
    store._check_open()
    with store._guard("create"):
        return PreparedInsert(store, store._prepare_insert(records) if records else records)


def insert_built(store: Store, records: Sequence[ActionLog], deadline: float | None = None) -> None:
    """Insert records the core built and hands over, now: :func:`prepare_built`, then the write.

    One check and one guard for both steps: the recorder's sync mode calls it once per call.
    """
    store._check_open()
    with store._guard("create", deadline):
        store._insert(store._prepare_insert(records))


def replace_built(store: Store, record: ActionLog, deadline: float | None = None) -> bool:
    """Overwrite the stored record with ``record.id`` by a record the core built; ``False`` if gone.

    The recorder's update of a call's pending record. Raises as :meth:`Store.update` does.
    """
    store._check_open()
    with store._guard("update", deadline):
        return store._replace(record)


_IN_CHUNK = 100  # the most records one page holds


def count_built(store: Store, ids: Sequence[str], deadline: float | None = None) -> int:
    """How many of the records with these ids (ids the core made) are stored.

    For a write whose outcome is in doubt (:attr:`~actionlogkit.errors.StoreTimeout.in_doubt`):
    the recorder asks once the store answers again. It reads pages of the records rather than
    counting them, which every backend answers alike. Raises as :meth:`Store.list` does.
    """
    store._check_open()
    found = 0
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = builtins.list(ids[start : start + _IN_CHUNK])
        query = parse_query({"_id": {"$in": chunk}}, limit=len(chunk))
        with store._guard("list", deadline):
            found += len(store._select(query))
    return found
