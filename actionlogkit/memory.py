"""The in-memory store: the reference implementation of the query language."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from actionlogkit import _evaluate
from actionlogkit.errors import ConfigurationError, Conflict
from actionlogkit.models import ActionLog
from actionlogkit.query import Node, Query, search_text
from actionlogkit.store import Store

__all__ = ["MemoryStore"]


def _clone(value: Any) -> Any:
    # Records are handed out as copies so that a caller's edits never reach the store.
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


def _detached(record: ActionLog) -> ActionLog:
    if record.payload is None and record.response is None and record.metadata is None:
        return record
    return record.model_copy(
        update={
            "payload": _clone(record.payload),
            "response": _clone(record.response),
            "metadata": _clone(record.metadata),
        }
    )


class MemoryStore(Store):
    """Keeps records in a dict, for tests, examples and short-lived processes; thread-safe.

    Open it with ``MemoryStore()`` or ``open_store("memory://")``. It is the reference every other
    backend is checked against: its answers define what a query means.
    """

    schemes = ("memory",)

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # Insertion-ordered; each record is kept with its search text.
        self._records: dict[str, tuple[ActionLog, str]] = {}

    @classmethod
    def from_url(cls, url: str, **options: Any) -> MemoryStore:
        """Open an empty store for ``memory://`` (the URL takes nothing more, and no options)."""
        if url.partition("://")[2] or options:
            raise ConfigurationError("memory:// takes no location and no options")
        return cls()

    def _insert(self, records: Sequence[ActionLog]) -> None:
        with self._lock:
            if any(record.id in self._records for record in records):
                raise Conflict("a record with one of these ids is already stored")
            for record in records:
                self._records[record.id] = (_detached(record), search_text(record))

    def _fetch(self, record_id: str) -> ActionLog | None:
        with self._lock:
            entry = self._records.get(record_id)
        return None if entry is None else _detached(entry[0])

    def _replace(self, record: ActionLog) -> bool:
        with self._lock:
            if record.id not in self._records:
                return False
            self._records[record.id] = (_detached(record), search_text(record))
            return True

    def _remove(self, record_id: str) -> bool:
        with self._lock:
            return self._records.pop(record_id, None) is not None

    def _matching(self, filter: Node | None, search: str | None) -> list[ActionLog]:
        with self._lock:
            entries = list(self._records.values())
        return [
            record
            for record, text in entries
            if (search is None or search in text) and _evaluate.matches(filter, record)
        ]

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        with self._lock:
            doomed = self._matching(filter, search)
            for record in doomed:
                del self._records[record.id]
            return len(doomed)

    def _select(self, query: Query) -> list[ActionLog]:
        found = _evaluate.ordered(self._matching(query.filter, query.search), query)
        return [_detached(record) for record in found[query.offset : query.offset + query.limit]]

    def _count(self, filter: Node | None, search: str | None) -> int:
        return len(self._matching(filter, search))

    def _close(self) -> None:
        with self._lock:
            self._records.clear()
