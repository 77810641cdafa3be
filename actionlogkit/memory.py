"""The in-memory store: the reference implementation of the query language."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from actionlogkit import _evaluate
from actionlogkit.errors import ConfigurationError, Conflict
from actionlogkit.models import ActionLog, assemble
from actionlogkit.query import Node, Query, search_text
from actionlogkit.stats import StatsQuery, StatsRow, reference_rows
from actionlogkit.store import Store

__all__ = ["MemoryStore"]


_CONTAINERS = (dict, list)


def _clone(value: Any) -> Any:
    # Only dicts and lists need copying: the rest of a record's JSON is immutable.
    if type(value) is dict:
        return {
            key: _clone(item) if type(item) in _CONTAINERS else item for key, item in value.items()
        }
    return [_clone(item) if type(item) in _CONTAINERS else item for item in value]


def _detached(record: ActionLog) -> ActionLog:
    """A copy of ``record`` sharing no mutable JSON with it: records go in and out as copies."""
    values = record.__dict__
    if values["payload"] is None and values["response"] is None and values["metadata"] is None:
        return record
    copied = dict(values)
    for name in ("payload", "response", "metadata"):
        if copied[name] is not None:
            copied[name] = _clone(copied[name])
    return assemble(ActionLog, copied, set(record.model_fields_set))


class _HandedOver(tuple[ActionLog, ...]):
    """Records nobody else holds (the recorder's): the store keeps them without a copy."""

    __slots__ = ()


class MemoryStore(Store):
    """Keeps records in a dict, for tests, examples and short-lived processes; thread-safe.

    Open it with ``MemoryStore()`` or ``open_store("memory://")``. It is the reference every other
    backend is checked against: its answers define what a query means.
    """

    schemes = ("memory",)

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # Insertion-ordered. The search texts live apart: a dict of text alone is not tracked by
        # the cyclic garbage collector, which a tuple per record would be, on every write. A
        # record's text is made by the first search that reads it, not by its write: most
        # records written (a recorder's) are never searched in a store like this one.
        self._records: dict[str, ActionLog] = {}
        self._search: dict[str, str] = {}

    @classmethod
    def from_url(cls, url: str, *, create: bool = True, **options: Any) -> MemoryStore:
        """Open an empty store for ``memory://`` (the URL takes nothing more, and no options)."""
        if url.partition("://")[2] or options:
            raise ConfigurationError("memory:// takes no location and no options")
        return cls()

    def _prepare_insert(self, records: Sequence[ActionLog]) -> Sequence[ActionLog]:
        return _HandedOver(records)

    def _insert(self, records: Sequence[ActionLog]) -> None:
        if type(records) is not _HandedOver:
            # The caller keeps its objects (create returns them): the store keeps copies.
            records = [_detached(record) for record in records]
        with self._lock:
            stored = self._records
            for record in records:
                if record.id in stored:
                    raise Conflict("a record with one of these ids is already stored")
            for record in records:
                stored[record.id] = record

    def _fetch(self, record_id: str) -> ActionLog | None:
        with self._lock:
            record = self._records.get(record_id)
        return None if record is None else _detached(record)

    def _replace(self, record: ActionLog) -> bool:
        with self._lock:
            if record.id not in self._records:
                return False
            self._records[record.id] = _detached(record)
            self._search.pop(record.id, None)
            return True

    def _remove(self, record_id: str) -> bool:
        with self._lock:
            self._search.pop(record_id, None)
            return self._records.pop(record_id, None) is not None

    def _matching(self, filter: Node | None, search: str | None) -> list[ActionLog]:
        with self._lock:
            records = list(self._records.values())
            if search is not None:
                records = [record for record in records if search in self._text(record)]
        test = _evaluate.predicate(filter)
        return [record for record in records if test(record)]

    def _text(self, record: ActionLog) -> str:
        """The record's folded search text, made once (the lock held)."""
        text = self._search.get(record.id)
        if text is None:
            text = self._search[record.id] = search_text(record)
        return text

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        with self._lock:
            doomed = self._matching(filter, search)
            for record in doomed:
                del self._records[record.id]
                self._search.pop(record.id, None)
            return len(doomed)

    def _remove_batch(self, filter: Node, search: str | None, limit: int) -> int:
        with self._lock:
            matching = self._matching(filter, search)
            oldest = sorted(matching, key=lambda record: (record.created_at, record.id))[:limit]
            for record in oldest:
                del self._records[record.id]
                self._search.pop(record.id, None)
            return len(oldest)

    def _select(self, query: Query) -> list[ActionLog]:
        found = _evaluate.ordered(self._matching(query.filter, query.search), query)
        return [_detached(record) for record in found[query.offset : query.offset + query.limit]]

    def _count(self, filter: Node | None, search: str | None) -> int:
        return len(self._matching(filter, search))

    def _stats(self, query: StatsQuery) -> list[StatsRow]:
        return reference_rows(query, self._matching(query.filter, query.search))

    def _close(self) -> None:
        with self._lock:
            self._records.clear()
            self._search.clear()
