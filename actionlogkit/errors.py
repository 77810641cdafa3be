"""The exceptions actionlogkit raises.

Every error derives from :class:`ActionLogKitError`; the ones caused by bad input also derive
from :class:`ValueError`, so code that already handles ``ValueError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "ActionLogKitError",
    "ActionLogKitWarning",
    "ConfigurationError",
    "Conflict",
    "FieldError",
    "InvalidQuery",
    "InvalidRecord",
    "MissingStore",
    "NoResult",
    "NotFound",
    "StoreError",
    "StoreTimeout",
    "Unsupported",
]


class FieldError(NamedTuple):
    """One problem with one place of a record or a query.

    ``field`` is the dotted place (``"status"``, ``"payload.items"``, ``"filter.retryCount.$gt"``),
    ``message`` the rule it broke.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ActionLogKitError(Exception):
    """Base class of every exception raised by actionlogkit."""


class _FieldErrors(ActionLogKitError):
    """An error that carries a list of :class:`FieldError`."""

    summary = "invalid input"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__(f"{self.summary}: " + "; ".join(str(e) for e in self.errors))


class InvalidRecord(_FieldErrors, ValueError):
    """Raised when a record to create or replace breaks the record model; nothing is stored."""

    summary = "invalid record"


class InvalidQuery(_FieldErrors, ValueError):
    """Raised when a filter, search, sort, order, limit or offset breaks the query language."""

    summary = "invalid query"

    @classmethod
    def at(cls, field: str, message: str) -> InvalidQuery:
        """Build the error for one place and one rule."""
        return cls([FieldError(field, message)])


class NotFound(ActionLogKitError, LookupError):
    """Raised when no record has the given id (a malformed id included)."""

    def __init__(self, record_id: object) -> None:
        self.id = record_id
        super().__init__(f"no integration action log record with id {record_id!r}")


class Conflict(ActionLogKitError, ValueError):
    """Raised when imported records carry an id that is already stored; nothing is stored."""


class StoreError(ActionLogKitError):
    """Raised when the storage behind a store fails; the driver's exception is the ``__cause__``."""


class Unsupported(ActionLogKitError, NotImplementedError):
    """Raised when a store's backend does not implement an operation (e.g. ``stats``)."""


class StoreTimeout(StoreError, TimeoutError):
    """Raised when the storage did not finish a call by the caller's deadline (``write_timeout``).

    The call was abandoned, and is not made later. ``in_doubt`` is true when the deadline passed
    while the storage was completing a write (its commit was on the way): it may have been stored
    (see ``docs/reliability.md``).
    """

    def __init__(self, message: str, *, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.in_doubt = in_doubt


class ConfigurationError(ActionLogKitError, ValueError):
    """Raised for a bad store URL, missing backend, incompatible schema, or recorder option."""


class MissingStore(ConfigurationError, LookupError):
    """Raised when a store opened not to create anything does not exist (no file, no table)."""


class NoResult(ActionLogKitError, LookupError):
    """Raised by ``Call.result`` in a recorder's source when the recorded call has no result."""


class ActionLogKitWarning(UserWarning):
    """Warned when a store works, but slower than it could: e.g. a search index is missing."""
