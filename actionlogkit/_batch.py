"""``create_many``'s records validated and built as the backend reads them.

A store whose ``_insert`` writes in one transaction (the SQL backend) declares so with
``Store._insert_accepts_lazy_records``; the core then hands it a :class:`ValidatedOnRead` instead
of records validated beforehand, so that the validation of a large batch overlaps its write: the
database stores the first rows while the next are checked. A bad record raises
:class:`~actionlogkit.errors.InvalidRecord` out of the backend's read, which rolls the transaction
back: nothing is stored, exactly as when everything is validated first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, overload

from actionlogkit import _ids
from actionlogkit._inputs import validate_input
from actionlogkit.models import ActionLog, build_record

__all__ = ["ValidatedOnRead", "build_new"]


def build_new(item: Any, prefix: str, stamp: datetime | None, written_at: datetime) -> ActionLog:
    """A new record from a create body: validated (error places prefixed), with a new id.

    ``stamp`` is the caller's ``created_at`` (``None``: now); ``written_at`` is the write's time,
    which ``updatedAt`` takes unless the action is dated later.
    """
    return build_record(
        validate_input(item, prefix),
        record_id=_ids.new_id(),
        created_at=stamp or written_at,
        updated_at=written_at if stamp is None or stamp < written_at else stamp,
    )


class ValidatedOnRead(Sequence[ActionLog]):
    """Records made from create bodies when first read, in order, each once.

    Reading any record first makes every record before it, so the error raised is always the
    first bad record's, whatever order a backend reads in; a record already made is returned as
    it was (same id, same object) however often it is read.
    """

    __slots__ = ("_built", "_items", "_stamps", "_written_at")

    def __init__(
        self, items: Sequence[Any], stamps: Sequence[datetime | None], written_at: datetime
    ) -> None:
        self._items = items
        self._stamps = stamps
        self._written_at = written_at
        self._built: list[ActionLog] = []

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> ActionLog: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ActionLog]: ...

    def __getitem__(self, index: int | slice) -> ActionLog | Sequence[ActionLog]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("record index out of range")
        self._make(position + 1)
        return self._built[position]

    def __iter__(self) -> Iterator[ActionLog]:
        built = self._built
        for position in range(len(self._items)):
            if position == len(built):
                built.append(self._one(position))
            yield built[position]

    def all(self) -> list[ActionLog]:
        """Every record, made if not read yet."""
        self._make(len(self._items))
        return self._built

    def _make(self, count: int) -> None:
        built = self._built
        while len(built) < count:
            built.append(self._one(len(built)))

    def _one(self, position: int) -> ActionLog:
        return build_new(
            self._items[position], f"[{position}]", self._stamps[position], self._written_at
        )
