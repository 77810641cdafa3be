"""``Tally``: what a recorder has written and lost, and the warnings that say so.

Every record either reaches the store (``recorded``), or is lost, counted under why: the store
failed its write (``failed``), or it was never written (``dropped``: the queue was full, the
recorder closed). Losses are logged on the ``actionlogkit`` logger, at most once per interval per
kind, with the count of what was held back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Literal

from actionlogkit.errors import ActionLogKitError, StoreError
from actionlogkit.recorder._call_state import error_text

__all__ = ["OnStoreError", "RecorderStats", "Tally"]

logger = logging.getLogger("actionlogkit")

OnStoreError = Literal["warn", "raise"]
_WARN_INTERVAL = 10.0


@dataclass(frozen=True)
class RecorderStats:
    """What a recorder has done so far."""

    recorded: int
    """Calls whose final record was stored."""
    failed: int
    """Writes that failed (the store raised); each is also logged, at most every few seconds."""
    dropped: int
    """Records never written: the background queue was full, or the recorder was closed."""
    queued: int
    """Items waiting in the background queue now (0 in sync mode)."""


class _Throttle:
    """Logs a warning at most once per interval, counting what it held back."""

    def __init__(self, interval: float = _WARN_INTERVAL) -> None:
        self._interval = interval
        self._last = -interval
        self._held = 0
        self._lock = threading.Lock()

    def warn(self, message: str, *args: object) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self._interval:
                self._held += 1
                return
            held, self._held, self._last = self._held, 0, now
        if held:
            message += " (%d similar warnings held back)"
            args = (*args, held)
        logger.warning(message, *args)


class Tally:
    """The counts of one recorder, and what its ``on_store_error`` setting does with failures."""

    def __init__(self, store_name: str, on_store_error: OnStoreError) -> None:
        self.store_name = store_name
        self.on_store_error: OnStoreError = on_store_error
        self.recorded = 0
        self.failed = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._deferred: BaseException | None = None
        self._store_warnings = _Throttle()
        self._drop_warnings = _Throttle()

    def add_recorded(self, count: int) -> None:
        """Count final records stored."""
        with self._lock:
            self.recorded += count

    def write_failed(self, exc: Exception, count: int, *, raise_now: bool) -> None:
        """Count ``count`` records the store failed to write, and warn, or raise as asked.

        ``raise_now``: the failure belongs to the calling thread's own call, which raises it with
        ``on_store_error="raise"``; other failures are kept for the next ``flush``.
        """
        with self._lock:
            self.failed += count
            if self.on_store_error == "raise" and not raise_now and self._deferred is None:
                self._deferred = exc
        if raise_now and self.on_store_error == "raise":
            if isinstance(exc, ActionLogKitError):
                raise exc
            raise StoreError(f"the record could not be written: {exc}") from exc
        self._store_warnings.warn(
            "actionlogkit: %d record(s) could not be written to %s: %s",
            count,
            self.store_name,
            error_text(exc),
        )

    def drop(self, message: str, *args: object) -> None:
        """Count one record dropped, and warn with ``message``."""
        with self._lock:
            self.dropped += 1
        self._drop_warnings.warn(message, *args)

    def raise_deferred(self) -> None:
        """Raise the first failure kept since the last call (``on_store_error="raise"``)."""
        with self._lock:
            exc, self._deferred = self._deferred, None
        if exc is not None:
            raise StoreError(f"a record could not be written: {exc}") from exc
